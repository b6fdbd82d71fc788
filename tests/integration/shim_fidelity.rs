//! Fidelity with the real Go toolchain: the same command run through the
//! shim and directly must give the same stdout, stderr and exit status, byte
//! for byte, on every installed Go (at least 1.19 and the newest).  This
//! includes a failing build — no rule fits a compile error, so the shim adds
//! nothing — and a `go run` whose program checks `isatty(2)` on a real
//! pseudo-terminal.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{self, Sandbox, os, show};

/// A module to run go commands in, with a fresh HOME/GOPATH per test and a
/// build cache shared per Go version (so tests do not rebuild std).
struct World {
    sb: Sandbox,
    version: String,
    go: PathBuf,
}

impl World {
    fn new(version: &str, go: &Path, files: &[(&str, &str)]) -> World {
        let sb = Sandbox::new();
        let m = sb.path().join("mod");
        for (name, body) in files {
            let p = m.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        World {
            sb,
            version: version.to_owned(),
            go: go.to_owned(),
        }
    }

    fn goroot_bin(&self) -> PathBuf {
        self.go.parent().unwrap().to_owned()
    }

    fn env(&self, c: &mut Command) {
        let cache =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("gocache-{}", self.version));
        c.env_clear()
            .env("HOME", self.sb.path())
            .env("GOPATH", self.sb.path().join("gopath"))
            .env("GOCACHE", cache)
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-modcacherw")
            .env("LANG", "C.UTF-8")
            .current_dir(self.sb.path().join("mod"));
    }

    /// `go ARGS` through the shim (shim first on PATH, the real go behind it).
    fn via_shim(&self) -> Command {
        let mut c = Command::new(self.sb.shim());
        self.env(&mut c);
        c.env(
            "PATH",
            util::path_of(&[
                &self.sb.path().join("bin"),
                &self.goroot_bin(),
                Path::new("/usr/bin:/bin"),
            ]),
        );
        c
    }

    /// `go ARGS` run directly.
    fn direct(&self) -> Command {
        let mut c = Command::new(&self.go);
        self.env(&mut c);
        c.env(
            "PATH",
            util::path_of(&[&self.goroot_bin(), Path::new("/usr/bin:/bin")]),
        );
        c
    }
}

const TINY: &[(&str, &str)] = &[
    ("go.mod", "module example.com/tiny\n\ngo 1.19\n"),
    ("main.go", "package main\n\nfunc main() {}\n"),
];

const BROKEN: &[(&str, &str)] = &[
    ("go.mod", "module example.com/broken\n\ngo 1.19\n"),
    (
        "main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar n int = \"seven\"\n\tfmt.Println(n, undefinedThing)\n}\n",
    ),
];

/// Drops the line that differs between any two runs of the same go
/// (`go env`'s GOGCCFLAGS embeds a random temporary directory).
fn stable(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.contains("GOGCCFLAGS"))
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect()
}

fn assert_same(what: &str, via_shim: &Output, plain: &Output, filter: fn(&[u8]) -> Vec<u8>) {
    assert_eq!(
        via_shim.status.code(),
        plain.status.code(),
        "{what}: exit status differs\n{}",
        show(via_shim)
    );
    assert!(
        filter(&via_shim.stdout) == filter(&plain.stdout),
        "{what}: stdout differs\nvia shim:\n{}\ndirect:\n{}",
        String::from_utf8_lossy(&via_shim.stdout),
        String::from_utf8_lossy(&plain.stdout)
    );
    assert!(
        filter(&via_shim.stderr) == filter(&plain.stderr),
        "{what}: stderr differs\nvia shim:\n{}\ndirect:\n{}",
        String::from_utf8_lossy(&via_shim.stderr),
        String::from_utf8_lossy(&plain.stderr)
    );
}

fn same_bytes(b: &[u8]) -> Vec<u8> {
    b.to_vec()
}

fn compare(world: &World, args: &[OsString], filter: fn(&[u8]) -> Vec<u8>) -> Output {
    let what = format!("go{} {:?}", world.version, args);
    let via_shim = world.via_shim().args(args).output().unwrap();
    let plain = world.direct().args(args).output().unwrap();
    assert_same(&what, &via_shim, &plain, filter);
    plain
}

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

#[test]
fn trivial_commands_are_byte_identical_on_every_go() {
    for (version, go) in util::real_gos() {
        let w = World::new(&version, &go, TINY);
        let out = compare(&w, &args(&["version"]), same_bytes);
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with(&format!("go version go{version} ")),
            "{}",
            show(&out)
        );
        compare(
            &w,
            &args(&["env", "GOROOT", "GOPATH", "GOTOOLCHAIN"]),
            same_bytes,
        );
        compare(&w, &args(&["env"]), stable);
        compare(&w, &args(&["env", "-json"]), stable);
        let out = compare(&w, &args(&["list", "-m"]), same_bytes);
        assert_eq!(out.stdout, b"example.com/tiny\n");
        compare(&w, &args(&["help", "environment"]), same_bytes);
        // go's own usage errors, and an argument that is not UTF-8.
        compare(&w, &args(&["bogus-subcommand"]), same_bytes);
        let bad = vec![
            OsString::from("list"),
            os(b"example.com/\xff\xfe").to_owned(),
        ];
        compare(&w, &bad, same_bytes);
    }
}

#[test]
fn closed_descriptors_give_the_same_result() {
    // `go list -m … >&-`, `2>&-`, `<&-`: the same exit status and output as
    // without the shim (with stderr closed the shim execs: there is nowhere
    // to show a diagnosis).
    use std::os::unix::process::CommandExt;
    let gos = util::real_gos();
    for (version, go) in [gos.first().unwrap(), gos.last().unwrap()] {
        let w = World::new(version, go, TINY);
        for fd in [0, 1, 2] {
            let run = |mut c: Command| {
                // SAFETY: close(2) is async-signal-safe.
                unsafe {
                    c.pre_exec(move || {
                        libc::close(fd);
                        Ok(())
                    });
                }
                c.args([
                    "list",
                    "-m",
                    "-json",
                    "example.com/tiny",
                    "example.com/nonexistent",
                ])
                .output()
                .unwrap()
            };
            let via_shim = run(w.via_shim());
            let plain = run(w.direct());
            assert_ne!(plain.status.code(), Some(0));
            assert_same(
                &format!("go{version} with fd {fd} closed"),
                &via_shim,
                &plain,
                same_bytes,
            );
        }
    }
}

#[test]
fn a_failing_build_is_byte_identical_and_gets_no_diagnosis() {
    // A compile error is not a fetch failure: no rule fits, nothing is added.
    for (version, go) in util::real_gos() {
        let w = World::new(&version, &go, BROKEN);
        let out = compare(&w, &args(&["build", "./..."]), same_bytes);
        // 1.19 exits 2 for a build failure, later versions 1.
        assert!(matches!(out.status.code(), Some(1 | 2)), "{}", show(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("main.go:6:"), "{err}");
        compare(&w, &args(&["vet", "./..."]), same_bytes);
    }
}

/// A program that reports whether its stderr is a terminal, writes colour
/// there, and exits 3.
const TTY_PROBE: &[(&str, &str)] = &[
    ("go.mod", "module example.com/ttyprobe\n\ngo 1.19\n"),
    (
        "main.go",
        r#"package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

func isTerminal(fd uintptr) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}

func main() {
	fmt.Printf("stderr is a terminal: %v\n", isTerminal(2))
	fmt.Fprintf(os.Stderr, "\x1b[32mgreen progress\x1b[0m\r50%%\r100%%\n")
	os.Exit(3)
}
"#,
    ),
];

/// Runs `cmd` with stderr on a fresh pseudo-terminal; returns its output and
/// the bytes the terminal received.
fn on_terminal(mut cmd: Command) -> (Output, Vec<u8>) {
    use nix::fcntl::OFlag;
    use std::os::unix::fs::OpenOptionsExt;
    let master =
        nix::pty::posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC).unwrap();
    nix::pty::grantpt(&master).unwrap();
    nix::pty::unlockpt(&master).unwrap();
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(nix::pty::ptsname_r(&master).unwrap())
        .unwrap();
    let mut master = std::fs::File::from(std::os::fd::OwnedFd::from(master));
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        got
    });
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::from(slave))
        .output()
        .unwrap();
    drop(cmd);
    (out, reader.join().unwrap())
}

#[test]
fn go_run_keeps_a_terminal_on_stderr() {
    let gos = util::real_gos();
    // The oldest and the newest are enough here; each `go run` links a binary.
    for (version, go) in [gos.first().unwrap(), gos.last().unwrap()] {
        let w = World::new(version, go, TTY_PROBE);
        let mut c = w.via_shim();
        c.args(["run", "."]);
        let (via_shim, shim_tty) = on_terminal(c);
        let mut d = w.direct();
        d.args(["run", "."]);
        let (plain, plain_tty) = on_terminal(d);
        assert_eq!(
            String::from_utf8_lossy(&plain.stdout),
            "stderr is a terminal: true\n",
            "go{version}: {}",
            show(&plain)
        );
        assert_eq!(
            via_shim.stdout,
            plain.stdout,
            "go{version}: {}",
            show(&via_shim)
        );
        assert_eq!(via_shim.status.code(), plain.status.code());
        assert_eq!(
            String::from_utf8_lossy(&shim_tty),
            String::from_utf8_lossy(&plain_tty),
            "go{version}: different bytes reached the terminal"
        );
        assert!(String::from_utf8_lossy(&plain_tty).contains("exit status 3"));
    }
}
