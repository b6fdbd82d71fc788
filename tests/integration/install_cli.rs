//! `gotriage install` / `uninstall` on real directories, and what
//! `gotriage which` says about the shim's place on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{self, show};

/// Runs gotriage with only HOME and PATH set.
fn run(home: &Path, path: &str, args: &[&str], dir: Option<&Path>) -> Output {
    let mut c = Command::new(util::gotriage());
    c.env_clear().env("HOME", home).env("PATH", path).args(args);
    if let Some(d) = dir {
        c.arg("--dir").arg(d);
    }
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whether two files hold the same bytes, read in small pieces: holding a
/// whole go binary in memory would raise this test process's RSS, which
/// every process it spawns starts with (and a shim test measures).
fn same_bytes(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let (mut fa, mut fb) = (
        std::fs::File::open(a).unwrap(),
        std::fs::File::open(b).unwrap(),
    );
    let (mut ba, mut bb) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let na = fa.read(&mut ba).unwrap();
        let mut nb = 0;
        while nb < na {
            match fb.read(&mut bb[nb..na]).unwrap() {
                0 => return false,
                k => nb += k,
            }
        }
        if ba[..na] != bb[..nb] {
            return false;
        }
        if na == 0 {
            return fb.read(&mut bb).unwrap() == 0;
        }
    }
}

fn real_go_dir() -> PathBuf {
    let (_, go) = util::real_gos().pop().unwrap();
    go.parent().unwrap().to_owned()
}

#[test]
fn install_is_idempotent_repoints_old_links_and_uninstall_reverses_it() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("bin");
    let link = dir.join("go");
    let first = run(home.path(), "/usr/bin:/bin", &["install"], Some(&dir));
    assert!(first.status.success(), "{}", show(&first));
    assert!(
        stdout(&first).starts_with(&format!(
            "created {} -> {} (symlink)\n",
            link.display(),
            util::gotriage().display()
        )),
        "{}",
        show(&first)
    );
    // Not on PATH yet: the export line and the init line, with this --dir.
    assert!(
        stdout(&first).contains(&format!("export PATH=\"{}:$PATH\"", dir.display()))
            && stdout(&first).contains(&format!("init bash --dir '{}')\"", dir.display())),
        "{}",
        show(&first)
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), util::gotriage());

    let again = run(home.path(), "/usr/bin:/bin", &["install"], Some(&dir));
    assert!(again.status.success(), "{}", show(&again));
    assert!(
        stdout(&again).contains("already runs gotriage"),
        "{}",
        show(&again)
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), util::gotriage());

    // A link left by a gotriage that moved (dangling now) is repointed.
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("/old/place/gotriage", &link).unwrap();
    let moved = run(home.path(), "/usr/bin:/bin", &["install"], Some(&dir));
    assert!(moved.status.success(), "{}", show(&moved));
    assert!(
        stdout(&moved).contains("repointed") && stdout(&moved).contains("/old/place/gotriage"),
        "{}",
        show(&moved)
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), util::gotriage());

    // Uninstall removes the link and the then-empty directory.
    let un = run(home.path(), "/usr/bin:/bin", &["uninstall"], Some(&dir));
    assert!(un.status.success(), "{}", show(&un));
    assert!(!dir.exists(), "{}", show(&un));
    let none = run(home.path(), "/usr/bin:/bin", &["uninstall"], Some(&dir));
    assert!(none.status.success(), "{}", show(&none));
    assert!(
        stdout(&none).contains("nothing to remove"),
        "{}",
        show(&none)
    );
}

#[test]
fn the_default_directory_follows_xdg_data_home_and_home() {
    let home = tempfile::tempdir().unwrap();
    let out = run(home.path(), "/usr/bin:/bin", &["install"], None);
    assert!(out.status.success(), "{}", show(&out));
    let link = home.path().join(".local/share/gotriage/bin/go");
    assert_eq!(std::fs::read_link(&link).unwrap(), util::gotriage());
    // The default needs no --dir in the profile line.
    assert!(
        stdout(&out).contains(" init bash)\"") && !stdout(&out).contains("--dir"),
        "{}",
        show(&out)
    );

    let xdg = home.path().join("xdg");
    let out = Command::new(util::gotriage())
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", &xdg)
        .env("PATH", "/usr/bin:/bin")
        .arg("install")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(
        std::fs::read_link(xdg.join("gotriage/bin/go")).unwrap(),
        util::gotriage()
    );
}

#[test]
fn a_go_that_is_not_gotriage_is_never_replaced_or_removed() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("bin");
    let link = dir.join("go");
    std::fs::create_dir(&dir).unwrap();

    // A real go binary (a copy of one).
    let real = real_go_dir().join("go");
    std::fs::copy(&real, &link).unwrap();
    for verb in ["install", "uninstall"] {
        let out = run(home.path(), "/usr/bin:/bin", &[verb], Some(&dir));
        assert_eq!(out.status.code(), Some(2), "{verb}: {}", show(&out));
        assert!(
            stderr(&out).contains(&link.display().to_string())
                && stderr(&out).contains("not a link to gotriage"),
            "{verb}: {}",
            show(&out)
        );
        assert!(out.stdout.is_empty(), "{verb}: {}", show(&out));
        assert!(same_bytes(&link, &real), "{verb} changed {link:?}");
    }

    // A link to a real go.
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    for verb in ["install", "uninstall"] {
        let out = run(home.path(), "/usr/bin:/bin", &[verb], Some(&dir));
        assert_eq!(out.status.code(), Some(2), "{verb}: {}", show(&out));
        assert!(
            stderr(&out).contains(&format!("a link to {}", real.display())),
            "{verb}: {}",
            show(&out)
        );
        assert_eq!(std::fs::read_link(&link).unwrap(), real, "{verb}");
    }

    // A directory named go.
    std::fs::remove_file(&link).unwrap();
    std::fs::create_dir(&link).unwrap();
    let out = run(home.path(), "/usr/bin:/bin", &["install"], Some(&dir));
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(stderr(&out).contains("it is a directory"), "{}", show(&out));
    assert!(link.is_dir());
}

#[test]
fn uninstall_keeps_a_directory_that_holds_other_files() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("bin");
    let out = run(home.path(), "/usr/bin:/bin", &["install"], Some(&dir));
    assert!(out.status.success(), "{}", show(&out));
    std::fs::write(dir.join("gofmt"), "").unwrap();
    let out = run(home.path(), "/usr/bin:/bin", &["uninstall"], Some(&dir));
    assert!(out.status.success(), "{}", show(&out));
    assert!(!dir.join("go").exists() && dir.join("gofmt").exists());
    assert!(!stdout(&out).contains("empty directory"), "{}", show(&out));
}

#[test]
fn bad_directories_are_clear_errors_and_create_nothing() {
    let home = tempfile::tempdir().unwrap();
    // Under a regular file.
    let file = home.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let out = run(
        home.path(),
        "/usr/bin:/bin",
        &["install"],
        Some(&file.join("bin")),
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        stderr(&out).contains(&format!("cannot create {}", file.join("bin").display())),
        "{}",
        show(&out)
    );
    // PATH cannot hold a ':' or an empty name.
    let colon = home.path().join("a:b");
    let out = run(home.path(), "/usr/bin:/bin", &["install"], Some(&colon));
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(stderr(&out).contains("PATH separator"), "{}", show(&out));
    assert!(!colon.exists());
    // (clap refuses an empty value before gotriage sees it.)
    let out = run(home.path(), "/usr/bin:/bin", &["install", "--dir="], None);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(stderr(&out).contains("--dir <DIR>"), "{}", show(&out));
    assert_eq!(
        std::fs::read_dir(home.path()).unwrap().count(),
        1,
        "only the file made above"
    );
}

#[test]
fn an_unwritable_directory_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let ro = home.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let gt = util::gotriage();
    // Root writes through permission bits, so as root the directory is a
    // read-only bind mount in a private mount namespace (CI runs as root).
    let script = "set -e; mount --bind \"$1\" \"$1\"; mount -o remount,bind,ro \"$1\"; \
                  \"$2\" install --dir \"$1\" || echo \"status $?\"; \
                  \"$2\" install --dir \"$1/bin\" || echo \"status $?\"";
    let is_root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let out = if is_root {
        Command::new("unshare")
            .args([
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                script,
                "sh",
            ])
            .arg(&ro)
            .arg(&gt)
            .env("HOME", home.path())
            .output()
            .unwrap()
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let plain = script.replace(
            "mount --bind \"$1\" \"$1\"; mount -o remount,bind,ro \"$1\"; ",
            "",
        );
        Command::new("sh")
            .args(["-c", &plain, "sh"])
            .arg(&ro)
            .arg(&gt)
            .env("HOME", home.path())
            .output()
            .unwrap()
    };
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(stdout(&out), "status 2\nstatus 2\n", "{}", show(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "gotriage: error: cannot create {}: ",
            ro.join("go").display()
        )),
        "{err}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "gotriage: error: cannot create {}: ",
            ro.join("bin").display()
        )),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 0);
}

#[test]
fn which_and_install_say_when_the_shim_is_behind_the_real_go_or_listed_twice() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("shims");
    let out = run(home.path(), "/usr/bin:/bin", &["install"], Some(&dir));
    assert!(out.status.success(), "{}", show(&out));
    let real = real_go_dir();
    let (d, r) = (dir.display(), real.display());

    // Behind the real go, and listed twice (once with a trailing slash).
    let behind = format!("{r}:{d}:/usr/bin:{d}/");
    let out = run(home.path(), &behind, &["which"], None);
    assert!(out.status.success(), "{}", show(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "shim:     not active: `go` on PATH is {r}/go, in front of the shim"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("note:     {d} is on PATH 2 times (entries 2, 4)")),
        "{text}"
    );
    assert!(
        text.contains(&format!("the shim in {d} (PATH entry 2) is behind {r}/go"))
            && text.contains(&format!("init bash --dir '{d}'")),
        "{text}"
    );
    let out = run(home.path(), &behind, &["which", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["shim"], "inactive", "{v}");
    assert_eq!(v["shim_on_path"][0]["entry"], 2, "{v}");
    assert_eq!(v["shim_on_path"][1]["entry"], 4, "{v}");
    assert_eq!(v["notes"].as_array().unwrap().len(), 2, "{v}");

    let out = run(home.path(), &behind, &["install"], Some(&dir));
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        stdout(&out).contains(&format!(
            "{d} is on PATH, but behind {r}/go, which runs instead"
        )),
        "{}",
        show(&out)
    );

    // In front: active, and nothing to note.
    let front = format!("{d}:{r}:/usr/bin");
    let out = run(home.path(), &front, &["which"], None);
    let text = stdout(&out);
    assert!(text.contains("shim:     active"), "{text}");
    assert!(!text.contains("note:"), "{text}");
    let out = run(home.path(), &front, &["install"], Some(&dir));
    assert!(
        stdout(&out).contains("ahead of any other go: `go` now runs through gotriage"),
        "{}",
        show(&out)
    );

    // GOTRIAGE_INIT=path but PATH lost the directory: which says so.
    let out = Command::new(util::gotriage())
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", format!("{r}:/usr/bin"))
        .env("GOTRIAGE_INIT", "path")
        .arg("which")
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("GOTRIAGE_INIT=path, but no shim directory is on PATH"),
        "{}",
        show(&out)
    );
}
