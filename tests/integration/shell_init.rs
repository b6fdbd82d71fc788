//! `gotriage init` snippets run in real shells (bash, dash as POSIX sh, zsh,
//! fish), sourced twice, then a real go command run through them; shellcheck
//! on the bash and sh snippets.  And `gotriage install` / `uninstall`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{self, show};

/// A HOME with a shim directory made by `gotriage install`, a module whose
/// `go generate` prints GOTRIAGE_DEPTH (1 only when go ran through the shim).
struct Setup {
    home: tempfile::TempDir,
    shim_dir: PathBuf,
    go_bin: PathBuf,
    goroot: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let home = tempfile::tempdir().unwrap();
        let shim_dir = home.path().join("shims dir");
        let out = gotriage(home.path(), &["install", "--dir"], Some(&shim_dir));
        assert!(out.status.success(), "{}", show(&out));
        let (_, go) = util::real_gos().pop().unwrap();
        let go_bin = go.parent().unwrap().to_owned();
        let goroot = go_bin.parent().unwrap().to_owned();
        let m = home.path().join("mod");
        std::fs::create_dir(&m).unwrap();
        std::fs::write(m.join("go.mod"), "module example.com/m\n\ngo 1.19\n").unwrap();
        std::fs::write(
            m.join("gen.go"),
            "package main\n\n//go:generate sh -c \"echo depth=$GOTRIAGE_DEPTH\"\n\nfunc main() {}\n",
        )
        .unwrap();
        Setup {
            home,
            shim_dir,
            go_bin,
            goroot,
        }
    }

    /// PATH as a user might have it: the real go first, the shim directory
    /// listed twice, behind it.
    fn user_path(&self) -> String {
        format!(
            "{}:/usr/bin:{}:/bin:{}",
            self.go_bin.display(),
            self.shim_dir.display(),
            self.shim_dir.display()
        )
    }
}

fn gotriage(home: &Path, args: &[&str], dir: Option<&Path>) -> Output {
    let mut c = Command::new(util::gotriage());
    c.env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .args(args);
    if let Some(d) = dir {
        c.arg(d);
    }
    c.output().unwrap()
}

fn snippet(s: &Setup, shell: &str, mode: &str) -> String {
    let out = Command::new(util::gotriage())
        .env_clear()
        .env("HOME", s.home.path())
        .env("PATH", "/usr/bin:/bin")
        .args(["init", shell, "--mode", mode, "--dir"])
        .arg(&s.shim_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    assert!(out.stderr.is_empty(), "{}", show(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Sources the snippet twice in `shell` (read from a file, as a profile is),
/// then prints PATH, what `go` is, the real GOROOT through it, and the depth
/// go generate sees.
fn run_in(shell: &str, s: &Setup, snip: &str, alias: bool) -> Output {
    let file = s.home.path().join(format!("init-{shell}"));
    std::fs::write(&file, snip).unwrap();
    let f = file.display();
    let (argv, script): (Vec<&str>, String) = match shell {
        "fish" => (
            vec!["fish", "--no-config"],
            format!(
                "source '{f}'; source '{f}'; string join : $PATH; {}; \
                 cd mod; go env GOROOT; go generate",
                if alias { "type -t go" } else { "command -s go" }
            ),
        ),
        other => {
            let argv = match other {
                "bash" => vec!["bash", "--noprofile", "--norc", "-euo", "pipefail"],
                "zsh" => vec!["zsh", "--no-rcs", "-eu"],
                _ => vec!["dash", "-eu"],
            };
            // bash expands aliases in scripts only when asked.
            let expand = if other == "bash" && alias {
                "shopt -s expand_aliases\n"
            } else {
                ""
            };
            let kind = match (alias, other) {
                (false, _) => "command -v go",
                (true, "zsh") => "whence -w go",
                (true, _) => "type go",
            };
            (
                argv,
                format!(
                    "{expand}. '{f}'\n. '{f}'\nprintf '%s\\n' \"$PATH\"\n{kind}\n\
                     cd mod\ngo env GOROOT\ngo generate\n"
                ),
            )
        }
    };
    // From a file, as a profile is read: zsh parses a whole `-c` string
    // before running it, so an alias defined there would not apply.
    let script_file = s.home.path().join(format!("script-{shell}"));
    std::fs::write(&script_file, script).unwrap();
    Command::new(argv[0])
        .args(&argv[1..])
        .arg(&script_file)
        .env_clear()
        .env("HOME", s.home.path())
        .env("PATH", s.user_path())
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .current_dir(s.home.path())
        .output()
        .unwrap()
}

#[test]
fn path_mode_puts_the_shim_first_once_in_every_shell() {
    let s = Setup::new();
    for shell in ["bash", "sh", "zsh", "fish"] {
        let snip = snippet(&s, shell, "path");
        let out = run_in(if shell == "sh" { "dash" } else { shell }, &s, &snip, false);
        assert!(out.status.success(), "{shell}: {}", show(&out));
        assert!(out.stderr.is_empty(), "{shell}: {}", show(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().collect();
        let expected_path = format!(
            "{}:{}:/usr/bin:/bin",
            s.shim_dir.display(),
            s.go_bin.display()
        );
        assert_eq!(
            lines[0], expected_path,
            "{shell}: PATH after sourcing twice"
        );
        assert_eq!(
            lines[1],
            s.shim_dir.join("go").display().to_string(),
            "{shell}: command -v go"
        );
        assert_eq!(lines[2], s.goroot.display().to_string(), "{shell}");
        assert_eq!(
            lines[3], "depth=1",
            "{shell}: go did not run through the shim"
        );
    }
}

#[test]
fn alias_mode_runs_go_through_gotriage_in_every_shell() {
    let s = Setup::new();
    for shell in ["bash", "sh", "zsh", "fish"] {
        let snip = snippet(&s, shell, "alias");
        let out = run_in(if shell == "sh" { "dash" } else { shell }, &s, &snip, true);
        assert!(out.status.success(), "{shell}: {}", show(&out));
        assert!(out.stderr.is_empty(), "{shell}: {}", show(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().collect();
        // PATH is untouched in alias mode.
        assert_eq!(lines[0], s.user_path(), "{shell}");
        assert!(
            lines[1].contains("alias") || lines[1].contains("function"),
            "{shell}: `type go` said {:?}",
            lines[1]
        );
        assert_eq!(lines[2], s.goroot.display().to_string(), "{shell}");
        assert_eq!(
            lines[3], "depth=1",
            "{shell}: go did not run through gotriage"
        );
    }
}

#[test]
fn shellcheck_is_clean_on_the_posix_snippets() {
    let s = Setup::new();
    for (shell, dialect) in [("bash", "bash"), ("sh", "sh")] {
        for mode in ["path", "alias"] {
            let snip = snippet(&s, shell, mode);
            let file = s.home.path().join(format!("check-{shell}-{mode}.sh"));
            std::fs::write(&file, &snip).unwrap();
            let out = Command::new("shellcheck")
                .args(["-s", dialect, "--enable=all"])
                .arg(&file)
                .output()
                .expect("shellcheck (make test installs it)");
            assert!(
                out.status.success(),
                "{shell} {mode}:\n{snip}\n{}",
                show(&out)
            );
        }
    }
}

#[test]
fn install_is_idempotent_refuses_real_files_and_uninstall_reverses_it() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("bin");
    let first = gotriage(home.path(), &["install", "--dir"], Some(&dir));
    assert!(first.status.success(), "{}", show(&first));
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("created"),
        "{}",
        show(&first)
    );
    let link = dir.join("go");
    assert_eq!(std::fs::read_link(&link).unwrap(), util::gotriage());
    let again = gotriage(home.path(), &["install", "--dir"], Some(&dir));
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("already runs gotriage"),
        "{}",
        show(&again)
    );

    // A link left by a gotriage that moved is repointed.
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("/old/place/gotriage", &link).unwrap();
    let moved = gotriage(home.path(), &["install", "--dir"], Some(&dir));
    assert!(moved.status.success(), "{}", show(&moved));
    assert!(
        String::from_utf8_lossy(&moved.stdout).contains("repointed"),
        "{}",
        show(&moved)
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), util::gotriage());

    // Uninstall removes the link and the then-empty directory.
    let un = gotriage(home.path(), &["uninstall", "--dir"], Some(&dir));
    assert!(un.status.success(), "{}", show(&un));
    assert!(!dir.exists(), "{}", show(&un));

    // A real go (here: a file that is not gotriage) is never replaced or removed.
    std::fs::create_dir(&dir).unwrap();
    util::write_exe(&link, "#!/bin/sh\necho real go\n");
    for verb in ["install", "uninstall"] {
        let out = gotriage(home.path(), &[verb, "--dir"], Some(&dir));
        assert_eq!(out.status.code(), Some(2), "{verb}: {}", show(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains(&link.display().to_string()));
        assert_eq!(
            std::fs::read_to_string(&link).unwrap(),
            "#!/bin/sh\necho real go\n"
        );
    }
    // Nor a link to a real go.
    std::fs::remove_file(&link).unwrap();
    let (_, real) = util::real_gos().pop().unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = gotriage(home.path(), &["install", "--dir"], Some(&dir));
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert_eq!(std::fs::read_link(&link).unwrap(), real);
}

#[test]
fn install_into_an_unwritable_place_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let out = gotriage(home.path(), &["install", "--dir"], Some(&file.join("bin")));
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot create") && err.contains("not-a-dir"),
        "{err}"
    );
}

#[test]
fn init_warns_when_the_shim_is_not_installed_and_rejects_unknown_shells() {
    let home = tempfile::tempdir().unwrap();
    let out = gotriage(
        home.path(),
        &["init", "bash", "--dir"],
        Some(&home.path().join("nowhere")),
    );
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("gotriage install"),
        "{}",
        show(&out)
    );
    let out = gotriage(home.path(), &["init", "tcsh"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bash") && err.contains("fish"), "{err}");
}
