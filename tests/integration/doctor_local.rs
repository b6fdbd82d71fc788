//! `gotriage doctor` local checks with real config files in a temporary
//! HOME (real git reading a real ~/.gitconfig, the real go reading its
//! GOENV file), and the exit statuses.  No network: no MODULE argument and
//! no --network, so no probe runs (the network tests are in tests/e2e).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util;

const TOKEN: &str = "ghp_0123456789abcdefghijABCDEFGHIJ0123xy";

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("app")).unwrap();
        std::fs::write(
            dir.path().join("app/go.mod"),
            "module example.com/app\n\ngo 1.21\n",
        )
        .unwrap();
        Home { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git_config(&self, key: &str, value: &str) {
        let st = Command::new("git")
            .args(["config", "--global", key, value])
            .env("HOME", self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_CONFIG_GLOBAL")
            .status()
            .unwrap();
        assert!(st.success());
    }

    fn write(&self, rel: &str, text: &str, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        let p = self.path().join(rel);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Runs doctor in $HOME/app with a clean environment; returns (exit, stdout, stderr).
    fn doctor(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        let go = util::real_gos().last().expect("a real go").1.clone();
        let path = format!(
            "{}:/usr/local/bin:/usr/bin:/bin",
            go.parent().unwrap().display()
        );
        let mut cmd = Command::new(util::gotriage());
        cmd.arg("doctor")
            .args(args)
            .current_dir(self.path().join("app"))
            .env_clear()
            .env("HOME", self.path())
            .env("PATH", path)
            .env("LANG", "C.UTF-8")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GOTOOLCHAIN", "local")
            .env("XDG_CONFIG_HOME", self.path().join(".config"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn json(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, Value, String) {
        let mut a = vec!["--format", "json"];
        a.extend_from_slice(args);
        let (code, out, err) = self.doctor(&a, env);
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        (code, v, out)
    }
}

fn find<'a>(v: &'a Value, id: &str) -> Vec<&'a Value> {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .collect()
}

#[test]
fn clean_home_passes_with_exit_0_and_runs_no_probe() {
    let h = Home::new();
    let (code, v, _) = h.json(&[], &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["exit"], 0);
    assert_eq!(v["version"], 1);
    assert_eq!(v["network"], false);
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["id"].as_str().unwrap().starts_with("probe."))
    );
    assert_eq!(find(&v, "go.found")[0]["status"], "ok");
    assert_eq!(find(&v, "git.found")[0]["status"], "ok");
    // Nothing was written into the temporary HOME (go's telemetry included).
    let mut entries: Vec<PathBuf> = std::fs::read_dir(h.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert_eq!(entries, [h.path().join("app")], "doctor wrote into HOME");
}

#[test]
fn token_in_insteadof_is_warned_about_and_never_shown() {
    let h = Home::new();
    h.git_config(
        &format!("url.https://{TOKEN}@github.com/.insteadOf"),
        "https://github.com/",
    );
    h.git_config(
        "http.https://github.com/.extraheader",
        &format!("AUTHORIZATION: basic {TOKEN}"),
    );
    let (code, v, raw) = h.json(&[], &[]);
    assert_eq!(code, 0, "warnings do not fail the run: {v:#}");
    let c = find(&v, "git.insteadof");
    assert_eq!(c[0]["status"], "warn", "{v:#}");
    assert!(
        c[0]["summary"]
            .as_str()
            .unwrap()
            .contains("https://***@github.com/"),
        "{c:?}"
    );
    assert!(
        c[0]["fix"][0]
            .as_str()
            .unwrap()
            .contains("gh auth setup-git"),
        "{c:?}"
    );
    assert!(!raw.contains("0123456789abcdef"), "{raw}");
    let (_, text, _) = h.doctor(&[], &[]);
    assert!(
        text.contains("! insteadOf: https://github.com/ → https://***@github.com/"),
        "{text}"
    );
    assert!(!text.contains("0123456789abcdef"), "{text}");
}

#[test]
fn a_world_readable_netrc_is_a_problem() {
    let h = Home::new();
    h.write(
        ".netrc",
        "machine github.com login alice password hunter2hunter2\n",
        0o644,
    );
    let (code, v, raw) = h.json(&[], &[]);
    assert_eq!(code, 1);
    let c = find(&v, "netrc.file");
    assert_eq!(c[0]["status"], "fail");
    assert_eq!(
        c[0]["fix"][0],
        format!("chmod 600 {}", h.path().join(".netrc").display())
    );
    assert!(!raw.contains("hunter2"), "{raw}");
    // The same file with 0600 is fine.
    h.write(
        ".netrc",
        "machine github.com login alice password hunter2hunter2\n",
        0o600,
    );
    let (code, v, _) = h.json(&[], &[]);
    assert_eq!(
        (code, &find(&v, "netrc.file")[0]["status"]),
        (0, &Value::from("ok"))
    );
}

#[test]
fn a_required_private_module_not_covered_by_goprivate_gets_the_exact_fix() {
    let h = Home::new();
    std::fs::write(
        h.path().join("app/go.mod"),
        "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgit.corp.internal/team/lib v1.2.0\n\tgithub.com/acme/public v1.0.0\n)\n",
    )
    .unwrap();
    // GOPRIVATE written by `go env -w` (the GOENV file), as users do.
    std::fs::create_dir_all(h.path().join(".config/go")).unwrap();
    std::fs::write(
        h.path().join(".config/go/env"),
        "GOPRIVATE=github.com/foo\n",
    )
    .unwrap();
    let (code, v, _) = h.json(&[], &[]);
    assert_eq!(code, 1, "{v:#}");
    let c: Vec<&Value> = find(&v, "goenv.private")
        .into_iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(c.len(), 1, "{v:#}");
    assert_eq!(c[0]["diagnosis"], "private-module-via-proxy");
    assert!(
        c[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("git.corp.internal/team/lib looks private"),
        "{c:?}"
    );
    assert_eq!(
        c[0]["fix"][0],
        "GOPRIVATE=github.com/foo does not cover git.corp.internal/team/lib; extend it: `go env -w GOPRIVATE=github.com/foo,git.corp.internal`."
    );
    // Covered: no problem.
    let (code, v, _) = h.json(&[], &[("GOPRIVATE", "github.com/foo,*.corp.internal")]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn security_disabling_settings_are_problems_with_the_safe_alternative() {
    let h = Home::new();
    let (code, v, _) = h.json(&[], &[("GOFLAGS", "-mod=mod -insecure")]);
    assert_eq!(code, 1, "{v:#}");
    let c = find(&v, "goenv.insecure");
    assert_eq!(c[0]["status"], "fail");
    assert!(
        c[0]["fix"][0]
            .as_str()
            .unwrap()
            .contains("go env -w GOFLAGS=\"-mod=mod\""),
        "{c:?}"
    );
    let (code, v, _) = h.json(&[], &[("GONOSUMDB", "*"), ("GOINSECURE", "github.com")]);
    assert_eq!(code, 1);
    assert_eq!(find(&v, "goenv.nosumdb-all")[0]["status"], "fail");
    assert_eq!(
        find(&v, "goenv.goinsecure")[0]["diagnosis"],
        "insecure-scheme"
    );
    h.git_config("http.sslVerify", "false");
    let (code, v, _) = h.json(&[], &[]);
    assert_eq!(code, 1);
    let c = find(&v, "git.sslverify");
    assert_eq!(c[0]["diagnosis"], "tls-certificate");
    assert!(!c[0]["fix"][0].as_str().unwrap().contains("sslVerify=false"));
}

#[test]
fn ca_variables_must_point_at_certificates() {
    let h = Home::new();
    let (code, v, _) = h.json(&[], &[("SSL_CERT_FILE", "/nonexistent/ca.pem")]);
    assert_eq!(code, 1);
    let c = find(&v, "ca.vars");
    assert_eq!(
        (&c[0]["status"], &c[0]["diagnosis"]),
        (&Value::from("fail"), &Value::from("tls-certificate"))
    );
}

#[test]
fn chinese_ascii_and_exit_2() {
    let h = Home::new();
    h.write(".netrc", "machine x.test login a password b\n", 0o640);
    let (code, text, _) = h.doctor(&[], &[("GOTRIAGE_LANG", "zh")]);
    assert_eq!(code, 1);
    assert!(
        text.contains("工具链") && text.contains("发现 1 个问题"),
        "{text}"
    );
    let (_, text, _) = h.doctor(&[], &[("LANG", "C")]);
    assert!(text.contains("  FAIL ") && !text.contains('✗'), "{text}");
    for bad in [
        &["--timeout", "0"][..],
        &["not-a-module"],
        &["https://github.com/acme/api"],
    ] {
        let (code, out, err) = h.doctor(bad, &[]);
        assert_eq!(code, 2, "{bad:?}: {out}{err}");
        assert!(err.contains("gotriage: doctor:"), "{err}");
    }
    // JSON keeps the exit status.
    let (code, v, _) = h.json(&[], &[]);
    assert_eq!((code, &v["exit"]), (1, &Value::from(1)));
}

#[test]
fn no_go_at_all_is_a_problem_not_a_crash() {
    let h = Home::new();
    let out = Command::new(util::gotriage())
        .args(["doctor", "--format", "json"])
        .current_dir(h.path())
        .env_clear()
        .env("HOME", h.path())
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(find(&v, "go.found")[0]["status"], "fail");
}

#[test]
fn the_shim_suggests_doctor_for_ambiguous_diagnoses() {
    assert_eq!(
        gotriage::doctor::suggestion("github.com/acme/private"),
        "gotriage doctor github.com/acme/private"
    );
}
