//! The shim's failure path with the real Go toolchains: go's own output is
//! passed through untouched and the diagnosis is appended after it; nothing
//! is added on success or when no rule fits.  Skipped (with a note) when no
//! toolchain is installed (`make test` installs them: scripts/install-go.sh).

use std::path::PathBuf;
use std::process::{Command, Output};

fn toolchains() -> Vec<PathBuf> {
    let cache = std::env::var_os("GOTRIAGE_GO_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".cache/go"));
    let mut gos: Vec<PathBuf> = std::fs::read_dir(&cache)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path().join("bin/go"))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    gos.sort();
    if gos.is_empty() {
        eprintln!(
            "diag_shim: no Go toolchain under {}; skipped",
            cache.display()
        );
    }
    gos
}

struct Env {
    _dir: tempfile::TempDir,
    home: PathBuf,
    module: PathBuf,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let module = dir.path().join("m");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(module.join("go.mod"), "module example.com/m\n\ngo 1.19\n").unwrap();
    Env {
        _dir: dir,
        home,
        module,
    }
}

fn go_cmd(
    program: &std::path::Path,
    go: &std::path::Path,
    e: &Env,
    args: &[&str],
    extra: &[(&str, &str)],
) -> Command {
    let mut c = Command::new(program);
    c.args(args)
        .current_dir(&e.module)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &e.home)
        .env("GOPATH", e.home.join("go"))
        .env("GOCACHE", e.home.join("cache"))
        .env("GOENV", "off")
        .env("GOFLAGS", "-modcacherw")
        .env("GOTOOLCHAIN", "local")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GOTRIAGE_GO", go)
        .env("XDG_CONFIG_HOME", e.home.join(".config"))
        .env("LANG", "C.UTF-8");
    for (k, v) in extra {
        c.env(k, v);
    }
    c
}

fn run(c: &mut Command) -> Output {
    c.output().unwrap()
}

#[test]
fn diagnosis_is_appended_after_gos_own_output() {
    let shim = PathBuf::from(env!("CARGO_BIN_EXE_gotriage"));
    for go in toolchains() {
        let e = env();
        let extra = [("GOPRIVATE", "github.com/acme"), ("GOVCS", "private:off")];
        let args = ["get", "github.com/acme/api@v1.0.0"];
        let direct = run(&mut go_cmd(&go, &go, &e, &args, &extra));
        let mut shim_args = vec!["go"];
        shim_args.extend(args);
        let through = run(&mut go_cmd(&shim, &go, &e, &shim_args, &extra));
        assert_eq!(
            through.status.code(),
            direct.status.code(),
            "{}",
            go.display()
        );
        assert_eq!(through.stdout, direct.stdout);
        let err = String::from_utf8_lossy(&through.stderr);
        assert!(
            through.stderr.starts_with(&direct.stderr),
            "go's own bytes must come first, unchanged:\n{err}"
        );
        let added = &err[direct.stderr.len()..];
        assert!(
            added.starts_with("\ngotriage: error[govcs-disallowed]"),
            "{}: {added}",
            go.display()
        );
        assert!(
            added.contains("go env -w GOVCS=github.com/acme:git"),
            "{added}"
        );
    }
}

#[test]
fn nothing_is_added_on_success_or_without_a_rule() {
    let shim = PathBuf::from(env!("CARGO_BIN_EXE_gotriage"));
    for go in toolchains() {
        let e = env();
        for (args, extra) in [
            (vec!["version"], vec![]),
            (
                vec!["get", "golang.org/x/mod@v0.20.0"],
                vec![("GOPROXY", "off")],
            ),
        ] {
            let direct = run(&mut go_cmd(&go, &go, &e, &args, &extra));
            let mut shim_args = vec!["go"];
            shim_args.extend(args.iter().copied());
            let through = run(&mut go_cmd(&shim, &go, &e, &shim_args, &extra));
            assert_eq!(through.status.code(), direct.status.code());
            assert_eq!(through.stdout, direct.stdout);
            assert_eq!(
                String::from_utf8_lossy(&through.stderr),
                String::from_utf8_lossy(&direct.stderr),
                "{} {args:?}",
                go.display()
            );
        }
    }
}
