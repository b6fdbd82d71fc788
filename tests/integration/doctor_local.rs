//! `gotriage doctor`'s local checks on real configuration files in a
//! temporary HOME, with the real go and git (no network: no MODULE and no
//! `--network`, so no probe may run).
//!
//! ssh is kept out of play here (no SSH insteadOf): ssh reads the account's
//! home, not $HOME, so its cases run in the lab's sandboxes (tests/e2e).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util;

const TOKEN: &str = "ghp_0123456789abcdefghijABCDEFGHIJ012345";

/// A temporary HOME with an `app` directory to run in.
struct Home {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        Home {
            dir,
            env: Vec::new(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn set(mut self, k: &str, v: &str) -> Home {
        self.env.push((k.to_owned(), v.to_owned()));
        self
    }

    fn write(self, rel: &str, text: &str, mode: u32) -> Home {
        use std::os::unix::fs::PermissionsExt;
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        self
    }

    fn path_var(&self) -> String {
        let go = util::real_gos().last().unwrap().1.clone();
        format!(
            "{}:/usr/local/bin:/usr/bin:/bin",
            go.parent().unwrap().display()
        )
    }

    /// Runs a command (git, go) as this HOME would, to write real files.
    fn run_tool(self, prog: &str, args: &[&str]) -> Home {
        let st = Command::new(prog)
            .args(args)
            .env_clear()
            .env("HOME", self.path())
            .env("PATH", self.path_var())
            .current_dir(self.path().join("app"))
            .status()
            .unwrap();
        assert!(st.success(), "{prog} {args:?}");
        self
    }

    fn doctor(&self, args: &[&str]) -> Run {
        self.doctor_with_path(args, &self.path_var())
    }

    fn doctor_with_path(&self, args: &[&str], path: &str) -> Run {
        let mut c = Command::new(util::gotriage());
        c.arg("doctor")
            .args(args)
            .env_clear()
            .env("HOME", self.path())
            .env("PATH", path)
            .env("LANG", "C.UTF-8")
            .env("GOTRIAGE_LANG", "en")
            .current_dir(self.path().join("app"));
        for (k, v) in &self.env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        Run {
            exit: out.status.code().unwrap_or(-1),
            json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
            stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Every file under HOME with its contents and modification time.
    fn snapshot(&self) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
        fn walk(d: &Path, out: &mut BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)>) {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                let p = e.path();
                let md = std::fs::symlink_metadata(&p).unwrap();
                if md.is_dir() {
                    out.insert(p.clone(), (Vec::new(), md.modified().unwrap()));
                    walk(&p, out);
                } else {
                    out.insert(
                        p.clone(),
                        (
                            std::fs::read(&p).unwrap_or_default(),
                            md.modified().unwrap(),
                        ),
                    );
                }
            }
        }
        let mut m = BTreeMap::new();
        walk(self.path(), &mut m);
        m
    }
}

struct Run {
    exit: i32,
    stdout: String,
    stderr: String,
    json: Value,
}

impl Run {
    fn check(&self, id: &str) -> &Value {
        self.json["checks"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["id"] == id))
            .unwrap_or_else(|| panic!("no `{id}` check:\n{}\n{}", self.stdout, self.stderr))
    }

    fn has(&self, id: &str) -> bool {
        self.json["checks"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["id"] == id))
    }

    fn assert(&self, id: &str, status: &str, diagnosis: Option<&str>) -> &Value {
        let c = self.check(id);
        assert_eq!(c["status"], status, "{id}: {c}");
        if let Some(d) = diagnosis {
            assert_eq!(c["diagnosis"], d, "{id}: {c}");
        }
        c
    }
}

#[test]
fn token_in_insteadof_is_warned_about_and_redacted() {
    let url = format!("https://x-access-token:{TOKEN}@github.com/");
    let home = Home::new().run_tool(
        "git",
        &[
            "config",
            "--global",
            &format!("url.{url}.insteadOf"),
            "https://github.com/",
        ],
    );
    let r = home.doctor(&["--format", "json"]);
    let c = r.assert("git.insteadof-credential", "warn", None);
    assert!(c["fix"].to_string().contains("gh auth setup-git"), "{c}");
    assert!(!r.stdout.contains(TOKEN), "{}", r.stdout);
    assert!(
        r.stdout.contains("x-access-token:***@github.com"),
        "{}",
        r.stdout
    );
    // A warning does not fail the run.
    assert_eq!(r.exit, 0, "{}", r.stdout);
    let t = home.doctor(&[]);
    assert!(
        !t.stdout.contains(TOKEN) && !t.stderr.contains(TOKEN),
        "{}",
        t.stdout
    );
    assert!(
        t.stdout
            .contains("! an insteadOf rewrite in ~/.gitconfig has a credential"),
        "{}",
        t.stdout
    );
}

#[test]
fn world_readable_netrc_is_a_problem() {
    let home = Home::new().write(
        ".netrc",
        "machine git.corp.example login alice password hunter2-secret\n",
        0o644,
    );
    let r = home.doctor(&["--format", "json"]);
    let c = r.assert("netrc.file", "problem", None);
    assert_eq!(c["fix"][0], "chmod 600 ~/.netrc", "{c}");
    assert!(c["summary"].to_string().contains("0644"), "{c}");
    assert!(!r.stdout.contains("hunter2"), "{}", r.stdout);
    assert_eq!(r.exit, 1);

    let home = Home::new().write(
        ".netrc",
        "machine git.corp.example login alice password hunter2-secret\n",
        0o600,
    );
    let r = home.doctor(&["--format", "json"]);
    let c = r.assert("netrc.file", "ok", None);
    assert!(c["summary"].to_string().contains("git.corp.example"), "{c}");
    assert!(!r.stdout.contains("hunter2"));
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.19\n\nrequire (\n\tgit.corp.example.com/team/lib v1.2.0\n\tgithub.com/foo/bar v1.0.0\n\tgithub.com/public/x v1.0.0\n)\n\nrequire gitlab.acme.internal/platform/api v0.3.0 // indirect\n";

#[test]
fn goprivate_not_covering_go_mod_requirements() {
    // GOPRIVATE written with the real `go env -w` (the GOENV file).
    let home = Home::new()
        .write("app/go.mod", GO_MOD, 0o644)
        .run_tool("go", &["env", "-w", "GOPRIVATE=github.com/foo"]);
    let r = home.doctor(&["--format", "json"]);
    let c = r.assert(
        "goenv.coverage",
        "problem",
        Some("private-module-via-proxy"),
    );
    assert_eq!(
        c["fix"][0], "go env -w GOPRIVATE=github.com/foo,git.corp.example.com,gitlab.acme.internal",
        "{c}"
    );
    let detail = c["detail"].to_string();
    assert!(
        detail.contains("git.corp.example.com/team/lib v1.2.0"),
        "{c}"
    );
    assert!(
        !detail.contains("github.com/public/x"),
        "public hosts are never guessed private: {c}"
    );
    assert_eq!(r.exit, 1);

    // Set in the environment, `go env -w` would not win: the fix says export.
    let home = Home::new()
        .write("app/go.mod", GO_MOD, 0o644)
        .set("GOPRIVATE", "github.com/foo");
    let r = home.doctor(&["--format", "json"]);
    let c = r.assert(
        "goenv.coverage",
        "problem",
        Some("private-module-via-proxy"),
    );
    assert_eq!(
        c["fix"][0], "export GOPRIVATE=github.com/foo,git.corp.example.com,gitlab.acme.internal",
        "{c}"
    );

    // Covered (the glob matches both hosts): fine.
    let home = Home::new()
        .write("app/go.mod", GO_MOD, 0o644)
        .set("GOPRIVATE", "*.example.com,*.internal");
    let r = home.doctor(&["--format", "json"]);
    r.assert("goenv.coverage", "ok", None);
    assert_eq!(r.exit, 0, "{}", r.stdout);
}

/// go.mod is read by the real go (`go mod edit -json`): replacements decide
/// what is fetched, and a go.mod go cannot parse is reported with go's words.
#[test]
fn go_mod_as_go_reads_it() {
    let go_mod = "module example.com/app\n\ngo 1.19\n\nrequire (\n\tgit.corp.example.com/team/lib v1.2.0\n\tgit.corp.example.com/team/old v1.0.0\n)\n\nreplace git.corp.example.com/team/lib => ../lib\n\nreplace git.corp.example.com/team/old v1.0.0 => gitlab.acme.internal/platform/new v1.1.0\n";
    let r = Home::new()
        .write("app/go.mod", go_mod, 0o644)
        .doctor(&["--format", "json"]);
    assert!(!r.has("go.mod"), "{}", r.stdout);
    let c = r.assert(
        "goenv.coverage",
        "problem",
        Some("private-module-via-proxy"),
    );
    let detail = c["detail"].to_string();
    assert!(
        detail.contains("gitlab.acme.internal/platform/new v1.1.0"),
        "{c}"
    );
    assert!(
        !detail.contains("team/lib"),
        "a directory is not fetched: {c}"
    );
    assert!(
        !detail.contains("team/old"),
        "the replacement is fetched: {c}"
    );

    let r = Home::new()
        .write(
            "app/go.mod",
            "module example.com/app\n\ngo 1.19\nfoo bar\n",
            0o644,
        )
        .doctor(&["--format", "json"]);
    let c = r.assert("go.mod", "problem", None);
    assert!(
        c["summary"]
            .to_string()
            .contains("go.mod:4: unknown directive: foo"),
        "{c}"
    );
    assert_eq!(r.exit, 1);
}

#[test]
fn sumdb_only_gap_names_gonosumdb() {
    // A company proxy serves it (GONOPROXY not needed), but the public
    // checksum database cannot verify it, and go.sum does not have it.
    let home = Home::new()
        .write(
            "app/go.mod",
            "module example.com/app\n\ngo 1.19\n\nrequire git.corp.example.com/team/lib v1.2.0\n",
            0o644,
        )
        .set("GOPROXY", "https://athens.corp.example.com,direct")
        .set("GONOSUMDB", "github.com/foo");
    let r = home.doctor(&["--format", "json"]);
    let c = r.assert("goenv.coverage", "problem", Some("sumdb-verify-failed"));
    assert_eq!(
        c["fix"][0], "export GONOSUMDB=github.com/foo,git.corp.example.com",
        "{c}"
    );

    // go.sum has both hashes: go never asks the checksum database.
    let home = Home::new()
        .write("app/go.mod", "module example.com/app\n\ngo 1.19\n\nrequire git.corp.example.com/team/lib v1.2.0\n", 0o644)
        .write(
            "app/go.sum",
            "git.corp.example.com/team/lib v1.2.0 h1:abc=\ngit.corp.example.com/team/lib v1.2.0/go.mod h1:def=\n",
            0o644,
        )
        .set("GOPROXY", "https://athens.corp.example.com,direct");
    let r = home.doctor(&["--format", "json"]);
    r.assert("goenv.coverage", "ok", None);
}

#[test]
fn security_switches_are_problems_with_the_safe_alternative() {
    let r = Home::new()
        .set("GOFLAGS", "-mod=mod -insecure")
        .doctor(&["--format", "json"]);
    let c = r.assert("goenv.goflags", "problem", Some("insecure-scheme"));
    assert_eq!(c["fix"][0], "export GOFLAGS=-mod=mod", "{c}");
    assert!(c["fix"][1].to_string().contains("GOINSECURE"), "{c}");
    assert_eq!(r.exit, 1);

    let r = Home::new()
        .set("GOSUMDB", "off")
        .doctor(&["--format", "json"]);
    let c = r.assert("goenv.gosumdb", "problem", Some("sumdb-verify-failed"));
    assert_eq!(c["fix"][0], "unset GOSUMDB", "{c}");

    let r = Home::new()
        .set("GONOSUMDB", "*")
        .doctor(&["--format", "json"]);
    r.assert("goenv.gosumdb", "problem", Some("sumdb-verify-failed"));

    let r = Home::new()
        .set("GOINSECURE", "github.com,git.lan.example")
        .doctor(&["--format", "json"]);
    let c = r.assert("goenv.goinsecure", "problem", Some("insecure-scheme"));
    assert_eq!(c["fix"][0], "export GOINSECURE=git.lan.example", "{c}");

    let r = Home::new()
        .set("GONOSUMCHECK", "*")
        .doctor(&["--format", "json"]);
    r.assert("goenv.gonosumcheck", "warn", None);

    let home = Home::new().run_tool("git", &["config", "--global", "http.sslVerify", "false"]);
    let r = home.doctor(&["--format", "json"]);
    r.assert("git.sslverify", "problem", Some("tls-certificate"));

    let r = Home::new()
        .set("SSL_CERT_FILE", "/nonexistent/ca.pem")
        .doctor(&["--format", "json"]);
    r.assert("net.ca", "problem", Some("tls-certificate"));

    let r = Home::new()
        .set(
            "GOPROXY",
            &format!("https://alice:{TOKEN}@athens.corp.example.com"),
        )
        .doctor(&["--format", "json"]);
    r.assert("goenv.goproxy", "warn", None);
    assert!(!r.stdout.contains(TOKEN));
}

#[test]
fn proxy_variables_go_and_git_read_differently() {
    let r = Home::new()
        .set("HTTPS_PROXY", "http://proxy-a.corp.example:3128")
        .set("https_proxy", "http://proxy-b.corp.example:3128")
        .doctor(&["--format", "json"]);
    r.assert("net.proxy-case", "warn", Some("proxy-failure"));
    assert_eq!(r.exit, 0);
}

#[test]
fn broken_git_config_is_git_config_invalid() {
    let home = Home::new().write(
        ".gitconfig",
        "[url \"git@github.com:\"\n\tinsteadOf = https://github.com/\n",
        0o644,
    );
    let r = home.doctor(&["--format", "json"]);
    let c = r.assert("git.config", "problem", Some("git-config-invalid"));
    assert!(c["detail"].to_string().contains("bad config"), "{c}");
}

#[test]
fn doctor_writes_nothing_and_runs_no_probe() {
    let home = Home::new()
        .write("app/go.mod", GO_MOD, 0o644)
        .write(
            ".netrc",
            "machine git.corp.example.com login a password b\n",
            0o600,
        )
        .run_tool("git", &["config", "--global", "credential.helper", "store"])
        .set("GOPROXY", "https://proxy.invalid");
    let before = home.snapshot();
    let r = home.doctor(&["--format", "json"]);
    assert_eq!(r.json["network"], false);
    assert!(
        !r.has("net.goproxy") && !r.has("module.proxy"),
        "{}",
        r.stdout
    );
    let after = home.snapshot();
    assert_eq!(before, after, "doctor changed files under HOME");
}

#[test]
fn exit_statuses() {
    let home = Home::new();
    // 2: doctor itself cannot run (text and JSON alike).
    let r = home.doctor(&["--timeout", "0"]);
    assert_eq!(r.exit, 2, "{}", r.stderr);
    let r = home.doctor(&["--timeout", "0", "--format", "json"]);
    assert_eq!(r.exit, 2);
    assert_eq!(r.json["exit"], 2);
    assert!(r.json["error"].as_str().is_some());
    let r = home.doctor(&[&format!("https://{TOKEN}@github.com/acme/api.git")]);
    assert_eq!(r.exit, 2);
    assert!(
        r.stderr.contains("not a URL") && r.stderr.contains("github.com/acme/api"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(TOKEN));
    // 1: a problem (no go at all is a finding, not a doctor failure).
    let r = home.doctor_with_path(&["--format", "json"], "/usr/local/bin:/usr/bin:/bin");
    r.assert("go.binary", "problem", None);
    assert_eq!(r.exit, 1);
    // 0: warnings only.
    let r = home.doctor(&["--format", "json"]);
    assert_eq!(r.exit, 0, "{}", r.stdout);
    assert_eq!(r.json["exit"], 0);
    assert_eq!(r.json["version"], 1);
}

#[test]
fn ascii_marks_outside_utf8_locales() {
    let home = Home::new().set("LANG", "C");
    let r = home.doctor(&[]);
    assert!(r.stdout.contains("  ok   go: go"), "{}", r.stdout);
    assert!(!r.stdout.contains('✓'), "{}", r.stdout);
    let r = Home::new().doctor(&["--ascii"]);
    assert!(r.stdout.contains("  warn `go` on PATH"), "{}", r.stdout);
    let r = Home::new().doctor(&[]);
    assert!(r.stdout.contains("  ✓ go: go"), "{}", r.stdout);
}
