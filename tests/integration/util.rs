//! Shared test helpers: the built binary, the stub go, the real go toolchains,
//! and sandboxes with a `go` shim first on PATH.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The gotriage binary under test.
pub fn gotriage() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gotriage"))
}

/// Every transcript (`*.txt`) under `dir`, at any depth, sorted.
pub fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "txt") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// A transcript without its header lines (`# gotriage-…` or `#: …`).
pub fn fixture_body(bytes: &[u8]) -> &[u8] {
    let mut rest = bytes;
    while rest.starts_with(b"# gotriage-") || rest.starts_with(b"#: ") {
        match rest.iter().position(|&b| b == b'\n') {
            Some(nl) => rest = &rest[nl + 1..],
            None => return &[],
        }
    }
    rest
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The stub go (tests/support/stub_go.rs), compiled once per test run with
/// plain rustc so it is not one of the package's installable binaries.
pub fn stub_go() -> PathBuf {
    static STUB: OnceLock<PathBuf> = OnceLock::new();
    STUB.get_or_init(|| {
        let src = repo().join("tests/support/stub_go.rs");
        let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let out = out_dir.join("stub-go");
        let fresh = match (std::fs::metadata(&src), std::fs::metadata(&out)) {
            (Ok(s), Ok(o)) => o.modified().unwrap() >= s.modified().unwrap(),
            _ => false,
        };
        if !fresh {
            let tmp = out_dir.join(format!("stub-go.{}", std::process::id()));
            let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
            let st = Command::new(rustc)
                .args(["--edition", "2024", "-O", "-o"])
                .arg(&tmp)
                .arg(&src)
                .status()
                .expect("run rustc for the stub go");
            assert!(st.success(), "compiling tests/support/stub_go.rs failed");
            std::fs::rename(&tmp, &out).unwrap();
        }
        out
    })
    .clone()
}

/// Installed real go toolchains: (version, path of bin/go), oldest first.
/// `make test` installs them (scripts/install-go.sh); a bare `cargo test` on a
/// machine without them fails here with the command to run.
pub fn real_gos() -> Vec<(String, PathBuf)> {
    let cache = std::env::var_os("GOTRIAGE_GO_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".cache/go"));
    let mut found: Vec<(Vec<u32>, String, PathBuf)> = std::fs::read_dir(&cache)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| {
                    let v = e.file_name().to_string_lossy().into_owned();
                    let go = e.path().join("bin/go");
                    let key = v
                        .split('.')
                        .map(|p| p.parse().ok())
                        .collect::<Option<Vec<u32>>>()?;
                    go.is_file().then_some((key, v, go))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    assert!(
        found.len() >= 2,
        "need at least two Go toolchains in {}: run `scripts/install-go.sh` (make test does)",
        cache.display()
    );
    found.into_iter().map(|(_, v, p)| (v, p)).collect()
}

/// A scratch directory with a `bin/` holding a `go` symlink to gotriage.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        std::os::unix::fs::symlink(gotriage(), dir.path().join("bin/go")).unwrap();
        Sandbox { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The `go` shim.
    pub fn shim(&self) -> PathBuf {
        self.path().join("bin/go")
    }

    /// A directory holding `target` under the name `go` (a symlink).
    pub fn go_dir(&self, name: &str, target: &Path) -> PathBuf {
        let d = self.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::os::unix::fs::symlink(target, d.join("go")).unwrap();
        d
    }

    /// A command running the shim with `real` as the only other `go` on PATH
    /// (shim first), in a clean environment apart from what the caller adds.
    pub fn shim_cmd(&self, real_go_dir: &Path) -> Command {
        let mut c = Command::new(self.shim());
        c.env_clear()
            .env(
                "PATH",
                path_of(&[
                    &self.path().join("bin"),
                    real_go_dir,
                    Path::new("/usr/bin:/bin"),
                ]),
            )
            .env("HOME", self.path())
            .current_dir(self.path());
        c
    }
}

/// Joins directories into a PATH value.
pub fn path_of(dirs: &[&Path]) -> std::ffi::OsString {
    let mut v = std::ffi::OsString::new();
    for (i, d) in dirs.iter().enumerate() {
        if i > 0 {
            v.push(":");
        }
        v.push(d.as_os_str());
    }
    v
}

/// Writes an executable file.
pub fn write_exe(path: &Path, body: &str) {
    std::fs::write(path, body).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Output as text for assertion messages.
pub fn show(o: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `OsStr` from raw bytes.
pub fn os(bytes: &[u8]) -> &OsStr {
    use std::os::unix::ffi::OsStrExt;
    OsStr::from_bytes(bytes)
}

/// The pids of live processes whose environment holds `marker`.
pub fn alive_with(marker: &str) -> Vec<u32> {
    let needle = marker.as_bytes();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // A zombie has an empty environ: it is dead, only not yet reaped.
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.windows(needle.len()).any(|w| w == needle))
        })
        .collect()
}

/// Waits (≤ 5 s) until no live process carries `marker`; kills and fails otherwise.
pub fn assert_none_left(marker: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let left = alive_with(marker);
        if left.is_empty() {
            return;
        }
        if std::time::Instant::now() > deadline {
            for pid in &left {
                // SAFETY: killing the leftovers of this test only.
                unsafe { libc::kill(*pid as libc::pid_t, libc::SIGKILL) };
            }
            panic!("processes outlived the killed shim: {left:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The slave device's name of a pseudo-terminal master (`ptsname_r` where
/// it exists; macOS has only the not thread-safe `ptsname`).
pub fn pts_name(master: &nix::pty::PtyMaster) -> String {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    return nix::pty::ptsname_r(master).unwrap();
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: ptsname's static buffer is only used under the lock above,
        // and copied out before it is released.
        unsafe { nix::pty::ptsname(master) }.unwrap()
    }
}

/// A pseudo-terminal owned by the test: (master, slave), both close-on-exec
/// so that children other tests spawn meanwhile do not keep it open.
pub fn test_pty(rows: u16, cols: u16) -> (std::fs::File, std::fs::File) {
    use nix::fcntl::OFlag;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let master = nix::pty::posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)
        .expect("posix_openpt");
    nix::pty::grantpt(&master).unwrap();
    nix::pty::unlockpt(&master).unwrap();
    let name = crate::util::pts_name(&master);
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(name)
        .unwrap();
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: setting the size of a terminal we own.
    unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
    let master: std::os::fd::OwnedFd = master.into();
    (std::fs::File::from(master), slave)
}

/// Makes `cmd`'s child a session leader whose controlling terminal is the
/// test's pty `slave` (its process group becomes that terminal's foreground
/// group), as an interactive shell starts a foreground job.
pub fn controlling_terminal(cmd: &mut std::process::Command, slave: &std::fs::File) {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let fd = slave.as_raw_fd();
    // SAFETY: setsid and TIOCSCTTY are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() < 0 || libc::ioctl(fd, libc::TIOCSCTTY as libc::c_ulong, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
