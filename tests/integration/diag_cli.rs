//! `gotriage explain` and `gotriage rules` as a user runs them.

use std::io::Write;
use std::process::{Command, Stdio};

fn gotriage() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gotriage"));
    let cfg = tempfile::tempdir().unwrap().keep();
    c.env("XDG_CONFIG_HOME", &cfg)
        .env("GOTRIAGE_CONFIG", cfg.join("none.toml"))
        .env_remove("GOTRIAGE_RULES")
        .env_remove("GOTRIAGE_LANG")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env("NO_COLOR", "1");
    c
}

fn run(c: &mut Command, stdin: &[u8]) -> (i32, String, String) {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SSH: &[u8] = b"go: github.com/acme/api@v1.0.0: invalid version: git ls-remote -q origin in /g/pkg/mod/cache/vcs/68f53b3f25b9a8049aa35dc3e9ff8b75593381ad8ee9ac187b53bc6e9f46671c: exit status 128:\n\tgit@github.com: Permission denied (publickey).\n\tfatal: Could not read from remote repository.\n";

#[test]
fn explain_stdin_text_and_json() {
    let (code, out, _) = run(gotriage().args(["explain", "-"]), SSH);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("gotriage: error[ssh-publickey-denied]"),
        "{out}"
    );
    assert!(out.contains("ssh -T git@github.com"), "{out}");
    let (code, out, _) = run(gotriage().args(["explain", "--format", "json", "-"]), SSH);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnoses"][0]["id"], "ssh-publickey-denied");
    assert_eq!(v["diagnoses"][0]["host"], "github.com");
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn explain_nothing_and_errors() {
    let (code, out, err) = run(
        gotriage().args(["explain", "--format", "json", "-"]),
        b"all good\n",
    );
    assert_eq!(
        (code, out.trim()),
        (0, r#"{"diagnoses":[],"version":1}"#),
        "{err}"
    );
    let (code, _, err) = run(gotriage().args(["explain", "/nonexistent/log.txt"]), b"");
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/log.txt"), "{err}");
    let (code, _, err) = run(gotriage().args(["explain", "no-such-id"]), b"");
    assert_eq!(code, 2, "{err}");
}

#[test]
fn explain_id_in_both_languages() {
    let (code, out, _) = run(gotriage().args(["explain", "vcs-dubious-ownership"]), b"");
    assert_eq!(code, 0);
    assert!(out.contains("safe.directory"), "{out}");
    let (_, out, _) = run(
        gotriage()
            .env("GOTRIAGE_LANG", "zh")
            .args(["explain", "vcs-dubious-ownership"]),
        b"",
    );
    assert!(out.contains("解决方法"), "{out}");
}

#[test]
fn rules_list_show_check() {
    let (code, out, _) = run(gotriage().args(["rules", "list"]), b"");
    assert_eq!(code, 0);
    assert!(out.lines().count() >= 25);
    let (code, out, _) = run(gotriage().args(["rules", "show", "tls-certificate"]), b"");
    assert_eq!(code, 0);
    assert!(out.contains("gate:"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        r#"[[rule]]
id = "corp-vpn-down"
priority = 95
title = { en = "the corporate VPN is down", zh = "公司 VPN 未连接" }
match = ['''dial tcp 10\.1\.\d+\.\d+:443: i/o timeout''']
explain = { en = "Internal hosts are only reachable over the VPN.", zh = "内部主机只能通过 VPN 访问。" }
[[rule.fix]]
en = "Connect the VPN: `corp-vpn up`."
zh = "连接 VPN：`corp-vpn up`。"
[[rule.example]]
source = "https://example.com/internal-wiki"
text = '''go: git.corp/x@v1.0.0: unrecognized import path "git.corp/x": https fetch: Get "https://git.corp/x?go-get=1": dial tcp 10.1.2.3:443: i/o timeout'''
"#,
    )
    .unwrap();
    let (code, out, err) = run(gotriage().args(["rules", "check"]).arg(&good), b"");
    assert_eq!(code, 0, "{out}{err}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[rule]]\nid = \"broken\"\ntitle = { en = \"x\", zh = \"x\" }\nmatch = ['''(unclosed''']\nexplain = { en = \"x\", zh = \"x\" }\n[[rule.fix]]\nen = \"x\"\nzh = \"x\"\n",
    )
    .unwrap();
    let (code, _, err) = run(gotriage().args(["rules", "check"]).arg(&bad), b"");
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{}:1: rule \"broken\"", bad.display())),
        "{err}"
    );

    // A user rule file in force: the new rule wins, a broken one is reported once.
    let (code, out, err) = run(
        gotriage()
            .env("GOTRIAGE_RULES", format!("{}:{}", good.display(), bad.display()))
            .args(["explain", "-"]),
        b"go: git.corp/x@v1.0.0: unrecognized import path \"git.corp/x\": https fetch: Get \"https://git.corp/x?go-get=1\": dial tcp 10.1.2.3:443: i/o timeout\n",
    );
    assert_eq!(code, 0);
    assert!(out.contains("error[corp-vpn-down]"), "{out}");
    assert_eq!(err.matches("gotriage: warning:").count(), 1, "{err}");
    assert!(err.contains("rule \"broken\""), "{err}");
}
