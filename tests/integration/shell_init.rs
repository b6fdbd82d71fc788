//! `gotriage init` snippets run in real shells (bash, dash and `bash --posix`
//! for the sh snippet, zsh, fish), sourced twice, then a real go command run
//! through them; shellcheck on the bash and sh snippets.  The shim directory
//! is created by `gotriage install`, and one of the two set-ups gives it a
//! name full of what quoting and globbing get wrong.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{self, show};

/// Shells by the snippet they run, and how they are started: clean, strict
/// (`-eu`, pipefail where there is one), by absolute path so an empty PATH
/// can be tested too.
const SHELLS: &[(&str, &str, &[&str])] = &[
    (
        "bash",
        "/usr/bin/bash",
        &["--noprofile", "--norc", "-euo", "pipefail"],
    ),
    ("sh", "/usr/bin/dash", &["-eu"]),
    (
        "sh",
        "/usr/bin/bash",
        &["--posix", "--noprofile", "--norc", "-eu"],
    ),
    (
        "zsh",
        "/usr/bin/zsh",
        &["--no-rcs", "-eu", "-o", "pipefail"],
    ),
    ("fish", "/usr/bin/fish", &["--no-config", "--private"]),
];

/// A HOME with a shim directory made by `gotriage install`, the newest real
/// go, and a module whose `go generate` prints GOTRIAGE_DEPTH (1 only when
/// go ran through the shim).
struct Setup {
    home: tempfile::TempDir,
    shim_dir: PathBuf,
    /// An empty directory whose name the shim directory's would match as a
    /// glob pattern (when it has a `*`): a snippet that globs instead of
    /// comparing drops it from PATH.
    decoy: Option<PathBuf>,
    go_bin: PathBuf,
    goroot: PathBuf,
}

impl Setup {
    fn new(dir_name: &str) -> Setup {
        let home = tempfile::tempdir().unwrap();
        let shim_dir = home.path().join(dir_name);
        let out = gotriage(home.path(), &["install", "--dir"], Some(&shim_dir));
        assert!(out.status.success(), "{}", show(&out));
        let decoy = dir_name.contains('*').then(|| {
            let d = home.path().join(dir_name.replace('*', "X"));
            std::fs::create_dir(&d).unwrap();
            d
        });
        let (_, go) = util::real_gos().pop().unwrap();
        let go_bin = go.parent().unwrap().to_owned();
        // What `go env GOROOT` reports: go resolves its own path's symlinks.
        let goroot = std::fs::canonicalize(go_bin.parent().unwrap()).unwrap();
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
            decoy,
            go_bin,
            goroot,
        }
    }

    /// PATH as a user might have it: the real go first, the shim directory
    /// listed twice behind it (once with a trailing `/`), and the decoy.
    fn user_path(&self) -> String {
        format!(
            "{}{}:/usr/bin:{}:/bin:{}/",
            self.go_bin.display(),
            self.decoy_entry(),
            self.shim_dir.display(),
            self.shim_dir.display()
        )
    }

    fn decoy_entry(&self) -> String {
        self.decoy
            .as_ref()
            .map(|d| format!(":{}", d.display()))
            .unwrap_or_default()
    }

    /// The same PATH after the path-mode snippet: the shim directory first,
    /// once; everything else in its order.
    fn expected_path(&self) -> String {
        format!(
            "{}:{}{}:/usr/bin:/bin",
            self.shim_dir.display(),
            self.go_bin.display(),
            self.decoy_entry()
        )
    }

    /// Writes `text` to a file in HOME and returns its path.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let f = self.home.path().join(name);
        std::fs::write(&f, text).unwrap();
        f
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
    // The shim directory exists: nothing to warn about.
    assert!(out.stderr.is_empty(), "{}", show(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `script` (a file, as a profile is read: zsh parses a whole `-c`
/// string before running it, so an alias defined there would not apply) in
/// a clean environment with `path` as PATH.
fn run_script(shell: &str, argv: &[&str], s: &Setup, script: &str, path: &str) -> Output {
    let file = s.file(&format!("script-{shell}"), script);
    Command::new(argv[0])
        .args(&argv[1..])
        .arg(&file)
        .env_clear()
        .env("HOME", s.home.path())
        .env("PATH", path)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .current_dir(s.home.path())
        .output()
        .unwrap()
}

/// Sources the snippet twice in the shell, then prints PATH, what `go` is,
/// the real GOROOT through it, the depth `go generate` sees, and what
/// `gotriage which` says.
fn run_through(shell: &str, argv: &[&str], s: &Setup, snip: &str, alias: bool) -> Vec<String> {
    let f = s.file(&format!("init-{shell}"), snip);
    let f = f.display();
    let gt = util::gotriage();
    let gt = gt.display();
    let script = if shell == "fish" {
        let kind = if alias { "type -t go" } else { "command -s go" };
        format!(
            "source '{f}'; source '{f}'; string join : $PATH; {kind}; \
             cd mod; go env GOROOT; go generate; '{gt}' which\n"
        )
    } else {
        // bash expands aliases in scripts only when asked.
        let expand = if argv[0].ends_with("bash") && alias {
            "shopt -s expand_aliases\n"
        } else {
            ""
        };
        let kind = match (alias, shell) {
            (false, _) => "command -v go",
            (true, "zsh") => "whence -v go",
            (true, _) => "type go",
        };
        format!(
            "{expand}. '{f}'\n. '{f}'\nprintf '%s\\n' \"$PATH\"\n{kind}\n\
             cd mod\ngo env GOROOT\ngo generate\n'{gt}' which\n"
        )
    };
    let out = run_script(shell, argv, s, &script, &s.user_path());
    let what = format!(
        "{} {}",
        argv.join(" "),
        if alias { "alias" } else { "path" }
    );
    assert!(out.status.success(), "{what}: {}", show(&out));
    assert!(out.stderr.is_empty(), "{what}: {}", show(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn line_starting<'a>(lines: &'a [String], prefix: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in {lines:#?}"))
}

fn path_mode_in_every_shell(s: &Setup) {
    for (shell, exe, flags) in SHELLS {
        let snip = snippet(s, shell, "path");
        let argv: Vec<&str> = std::iter::once(*exe).chain(flags.iter().copied()).collect();
        let lines = run_through(shell, &argv, s, &snip, false);
        let what = argv.join(" ");
        assert_eq!(
            lines[0],
            s.expected_path(),
            "{what}: PATH after sourcing twice"
        );
        assert_eq!(
            lines[1],
            s.shim_dir.join("go").display().to_string(),
            "{what}: command -v go"
        );
        assert_eq!(
            lines[2],
            s.goroot.display().to_string(),
            "{what}: go env GOROOT"
        );
        assert_eq!(
            lines[3], "depth=1",
            "{what}: go did not run through the shim"
        );
        let shim = line_starting(&lines, "shim:");
        assert!(
            shim.contains("active: `go` on PATH is") && shim.ends_with("this gotriage"),
            "{what}: which said {shim:?}"
        );
        // Sourcing twice left PATH with one copy of the shim directory.
        assert!(
            !lines.iter().any(|l| l.starts_with("note:")),
            "{what}: {lines:#?}"
        );
    }
}

fn alias_mode_in_every_shell(s: &Setup) {
    for (shell, exe, flags) in SHELLS {
        let snip = snippet(s, shell, "alias");
        let argv: Vec<&str> = std::iter::once(*exe).chain(flags.iter().copied()).collect();
        let lines = run_through(shell, &argv, s, &snip, true);
        let what = argv.join(" ");
        // PATH is untouched in alias mode.
        assert_eq!(lines[0], s.user_path(), "{what}");
        if *shell == "fish" {
            assert_eq!(lines[1], "function", "{what}: type -t go");
        } else {
            assert!(
                lines[1].contains("alias")
                    && lines[1].contains(&util::gotriage().display().to_string()),
                "{what}: `type go` said {:?}",
                lines[1]
            );
        }
        assert_eq!(
            lines[2],
            s.goroot.display().to_string(),
            "{what}: go env GOROOT"
        );
        assert_eq!(
            lines[3], "depth=1",
            "{what}: go did not run through gotriage"
        );
        let shim = line_starting(&lines, "shim:");
        assert!(
            shim.contains("alias mode (GOTRIAGE_INIT=alias)"),
            "{what}: which said {shim:?}"
        );
    }
}

#[test]
fn path_mode_puts_the_shim_first_once_in_every_shell() {
    path_mode_in_every_shell(&Setup::new("shims dir"));
}

#[test]
fn path_mode_takes_the_directory_name_literally() {
    // Quotes, a variable, a glob character: each breaks a snippet that
    // forgets to quote, evals, or pattern-matches the name.
    path_mode_in_every_shell(&Setup::new("it's $HOME dir*"));
}

#[test]
fn alias_mode_runs_go_through_gotriage_in_every_shell() {
    alias_mode_in_every_shell(&Setup::new("shims dir"));
}

#[test]
fn path_mode_keeps_empty_entries_and_an_empty_path_gains_none() {
    let s = Setup::new("shims");
    let d = s.shim_dir.display();
    for (shell, exe, flags) in SHELLS.iter().filter(|(sh, ..)| *sh != "fish") {
        let snip = s.file(&format!("init-{shell}"), &snippet(&s, shell, "path"));
        let argv: Vec<&str> = std::iter::once(*exe).chain(flags.iter().copied()).collect();
        for (before, after) in [
            // Empty entries mean the current directory: kept where they were.
            (
                format!(":{d}:/usr/bin::/bin:"),
                format!("{d}::/usr/bin::/bin:"),
            ),
            (String::new(), format!("{d}")),
        ] {
            // Set inside the script: zsh replaces an empty PATH from the
            // environment with its own default at start-up.
            let script = format!(
                "PATH='{before}'\n. '{}'\nprintf '%s\\n' \"$PATH\"\n",
                snip.display()
            );
            let out = run_script(shell, &argv, &s, &script, "/usr/bin:/bin");
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{}",
                show(&out)
            );
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("{after}\n"),
                "{argv:?} with PATH={before:?}"
            );
        }
    }
}

#[test]
fn shellcheck_is_clean_on_the_posix_snippets() {
    let s = Setup::new("shims dir");
    for (shell, dialect) in [("bash", "bash"), ("sh", "sh")] {
        for mode in ["path", "alias"] {
            let snip = snippet(&s, shell, mode);
            let file = s.file(&format!("check-{shell}-{mode}.sh"), &snip);
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
fn every_snippet_ends_with_where_it_goes() {
    let s = Setup::new("shims dir");
    let quoted_dir = format!("--dir '{}'", s.shim_dir.display());
    for (shell, file, line) in [
        ("bash", "~/.bashrc", "eval \"$("),
        ("zsh", "~/.zshrc", "eval \"$("),
        ("sh", "~/.profile", "eval \"$("),
        ("fish", "~/.config/fish/config.fish", ""),
    ] {
        for mode in ["path", "alias"] {
            let snip = snippet(&s, shell, mode);
            let last: Vec<&str> = snip.lines().rev().take(2).collect();
            assert_eq!(
                last[1],
                format!("# To use it, add this line at the end of {file}:"),
                "{shell} {mode}"
            );
            // gotriage is not on the test's PATH: the line names the binary.
            let program = format!("'{}' init {shell}", util::gotriage().display());
            assert!(
                last[0].starts_with(&format!("#   {line}{program}"))
                    && last[0].contains(&quoted_dir)
                    && last[0].contains("--mode alias") == (mode == "alias")
                    && last[0].ends_with(if shell == "fish" { " | source" } else { ")\"" }),
                "{shell} {mode}: {:?}",
                last[0]
            );
        }
    }
}

#[test]
fn init_warns_when_the_shim_is_not_installed_and_rejects_bad_input() {
    let home = tempfile::tempdir().unwrap();
    let nowhere = home.path().join("nowhere");
    let out = gotriage(home.path(), &["init", "bash", "--dir"], Some(&nowhere));
    assert!(out.status.success(), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{} has no go shim yet", nowhere.display()))
            && err.contains("run `gotriage install --dir"),
        "{}",
        show(&out)
    );
    assert!(!nowhere.exists(), "init must create nothing");
    // Alias mode needs no shim directory: no warning.
    let out = gotriage(
        home.path(),
        &["init", "bash", "--mode", "alias", "--dir"],
        Some(&nowhere),
    );
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        show(&out)
    );

    let out = gotriage(home.path(), &["init", "tcsh"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for shell in ["bash", "zsh", "fish", "sh"] {
        assert!(err.contains(shell), "{err}");
    }
    assert!(out.stdout.is_empty());

    let out = gotriage(
        home.path(),
        &["init", "bash", "--dir"],
        Some(Path::new("/a:b")),
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("PATH separator") && out.stdout.is_empty(),
        "{}",
        show(&out)
    );
}
