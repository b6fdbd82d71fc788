//! `gotriage doctor` against the lab's real servers: each probe for its
//! pass and failure outcomes (SSH key accepted / rejected / host key
//! unknown; HTTPS public / no credentials / wrong credentials / 403; TLS
//! trusted and untrusted; module proxy found / 404 / 410; checksum database;
//! the tarpit, which must cost no more than the timeout), the three
//! situations of the issue's closing note, and a check that doctor wrote
//! nothing under HOME.
//!
//! Each case runs in a fresh sandbox (`doctor-sandbox.sh`: HOME=/root bound
//! to a new directory, set up with the lab's own helpers), with the JSON
//! output checked per check ID.  Called from `main.rs` once the lab runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// What one check must look like: `(id, status, diagnosis)`; a `None`
/// diagnosis is not compared.
type Want = (&'static str, &'static str, Option<&'static str>);

pub struct Case {
    pub name: &'static str,
    setup: &'static str,
    env: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    exit: i32,
    want: &'static [Want],
    /// Text that must appear in the JSON output (exact fix commands).
    contains: &'static [&'static str],
    /// Text that must not appear anywhere in the output (secrets).
    absent: &'static [&'static str],
    /// The whole run must take less than this (the tarpit cases).
    max_ms: Option<u64>,
}

const SSH_OK: &str =
    "ssh_key accepted\nknown_hosts good\ninsteadof ssh://git@github.com/ https://github.com/";
const PRIVATE: &[(&str, &str)] = &[("GOPRIVATE", "github.com/acme")];

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "doctor: all good (SSH key accepted, GOPRIVATE set)",
            setup: SSH_OK,
            env: PRIVATE,
            args: &["github.com/acme/private@v1.0.0"],
            exit: 0,
            want: &[
                ("ssh.known-hosts", "ok", None),
                ("git.insteadof", "ok", None),
                ("goenv.private", "ok", None),
                ("probe.resolve", "ok", None),
                ("probe.dns", "ok", None),
                ("probe.tcp", "ok", None),
                ("probe.ls-remote", "ok", None),
                ("probe.ssh", "ok", None),
                ("probe.goproxy", "skip", None),
                ("probe.gosumdb", "skip", None),
            ],
            contains: &["ssh://git@github.com/acme/private", "authenticated"],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: SSH key rejected",
            setup: "ssh_key rejected\nknown_hosts good\ninsteadof ssh://git@github.com/ https://github.com/",
            env: PRIVATE,
            args: &["github.com/acme/private@v1.0.0"],
            exit: 1,
            want: &[
                ("probe.ssh", "fail", Some("ssh-publickey-denied")),
                ("probe.ls-remote", "fail", Some("ssh-publickey-denied")),
            ],
            contains: &["ssh -T git@github.com"],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: SSH host key unknown (known_hosts left untouched)",
            setup: "ssh_key accepted\nknown_hosts empty\ninsteadof ssh://git@github.com/ https://github.com/",
            env: PRIVATE,
            args: &["github.com/acme/private@v1.0.0"],
            exit: 1,
            want: &[
                ("ssh.known-hosts", "fail", Some("ssh-host-key-unknown")),
                ("probe.ssh", "fail", Some("ssh-host-key-unknown")),
            ],
            contains: &["ssh-keyscan github.com >> ~/.ssh/known_hosts"],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: HTTPS public repository, proxy and checksum database found",
            setup: "",
            env: &[],
            args: &["github.com/acme/public@v1.0.0"],
            exit: 0,
            want: &[
                ("probe.ls-remote", "ok", None),
                ("probe.goproxy", "ok", None),
                ("probe.gosumdb", "ok", None),
            ],
            contains: &["sum.golang.org knows github.com/acme/public@v1.0.0"],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: HTTPS private repository without credentials",
            setup: "",
            env: PRIVATE,
            args: &["github.com/acme/private@v1.0.0"],
            exit: 1,
            want: &[("probe.ls-remote", "fail", Some("https-credentials-missing"))],
            contains: &["gh auth setup-git"],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: HTTPS private repository with .netrc credentials",
            setup: "netrc_good",
            env: PRIVATE,
            args: &["github.com/acme/private@v1.1.0"],
            exit: 0,
            want: &[
                ("netrc.file", "ok", None),
                ("netrc.machine", "ok", None),
                ("probe.ls-remote", "ok", None),
            ],
            contains: &[],
            absent: &["correct-horse"],
            max_ms: None,
        },
        Case {
            name: "doctor: HTTPS wrong credentials from a store helper (not erased)",
            setup: "gitconfig credential.helper store\nprintf 'https://alice:wrong-horse@github.com\\n' >\"$HOME/.git-credentials\"\nchmod 600 \"$HOME/.git-credentials\"",
            env: PRIVATE,
            args: &["github.com/acme/private@v1.0.0"],
            exit: 1,
            want: &[
                ("git.credential-helper", "ok", None),
                ("probe.ls-remote", "fail", Some("https-auth-rejected")),
            ],
            contains: &[],
            absent: &["wrong-horse"],
            max_ms: None,
        },
        Case {
            name: "doctor: HTTPS 403",
            setup: "netrc_good",
            env: &[("GOPRIVATE", "github.com/acme")],
            args: &["github.com/acme/forbidden@v1.0.0"],
            exit: 1,
            want: &[("probe.ls-remote", "fail", Some("https-forbidden"))],
            contains: &[],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: TLS trusted through SSL_CERT_FILE (go-import over HTTPS)",
            setup: "",
            env: &[
                ("SSL_CERT_FILE", "/srv/etc/ca-certificates.crt"),
                ("GOPRIVATE", "go.acme.test"),
            ],
            args: &["go.acme.test/good@v1.0.0"],
            exit: 0,
            want: &[
                ("ca.vars", "ok", None),
                ("probe.resolve", "ok", None),
                ("probe.ls-remote", "ok", None),
            ],
            contains: &["https://git.test/vanity/good"],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: TLS untrusted (the system bundle without the lab's CA)",
            setup: "",
            env: &[
                ("SSL_CERT_FILE", "/srv/etc/system-ca-certificates.crt"),
                ("SSL_CERT_DIR", "/srv/nonexistent"),
            ],
            args: &["go.acme.test/good@v1.0.0"],
            exit: 1,
            want: &[
                ("probe.resolve", "fail", Some("tls-certificate")),
                ("probe.goproxy", "fail", Some("tls-certificate")),
            ],
            contains: &["update-ca-certificates"],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: private module not covered by GOPRIVATE (go.mod requirement, --network)",
            setup: "require go.acme.test/secret v1.0.0",
            env: &[("GOPRIVATE", "github.com/foo")],
            args: &["--network"],
            exit: 1,
            want: &[
                ("goenv.private", "fail", Some("private-module-via-proxy")),
                ("probe.goproxy", "fail", Some("private-module-via-proxy")),
                ("probe.gosumdb", "fail", Some("sumdb-verify-failed")),
                ("reach.goproxy", "ok", None),
                ("reach.gosumdb", "ok", None),
            ],
            contains: &[
                "go env -w GOPRIVATE=github.com/foo,go.acme.test",
                "410 Gone",
            ],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: module proxy 404 for a private github.com path",
            setup: "",
            env: &[],
            args: &["github.com/acme/private@v1.0.0"],
            exit: 1,
            want: &[("probe.goproxy", "fail", Some("private-module-via-proxy"))],
            contains: &["404 Not Found", "go env -w GOPRIVATE=github.com/acme"],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: proxy that wants credentials (407)",
            setup: "",
            env: &[("HTTPS_PROXY", "http://authproxy.test:3128")],
            args: &["--timeout", "3", "github.com/acme/public@v1.0.0"],
            exit: 1,
            want: &[
                ("proxy.vars", "ok", None),
                ("probe.goproxy", "fail", Some("proxy-failure")),
            ],
            contains: &["407"],
            absent: &[],
            max_ms: None,
        },
        Case {
            name: "doctor: tarpit module proxy (accepts, never answers) costs the timeout only",
            setup: "",
            env: &[("GOPROXY", "https://tarpit.test")],
            args: &["--timeout", "2", "github.com/acme/public@v1.0.0"],
            exit: 1,
            want: &[("probe.goproxy", "fail", Some("network-connect-failed"))],
            contains: &["no answer within 2.0 s"],
            absent: &[],
            // The proxy lookup (2 s) then the checksum lookup (fast), plus start-up.
            max_ms: Some(4_500),
        },
        Case {
            name: "doctor: tarpit git host (go-import points there) is killed at the timeout",
            setup: "",
            env: &[("GOPRIVATE", "go.acme.test")],
            args: &["--timeout", "2", "go.acme.test/slow@v1.0.0"],
            exit: 1,
            want: &[("probe.ls-remote", "fail", Some("network-connect-failed"))],
            contains: &["(killed)"],
            absent: &[],
            // go-import (fast) then ls-remote (2 s), in parallel with skipped proxy lookups.
            max_ms: Some(4_500),
        },
    ]
}

/// The run directory and namespace holder of the running lab.
pub struct LabInfo {
    pub run: PathBuf,
    pub holder: String,
    pub gosumdb: String,
    pub go_cache: String,
    pub http_user: String,
    pub http_password: String,
}

impl LabInfo {
    pub fn read(repo: &Path) -> LabInfo {
        let run = std::env::var_os("LAB_RUN")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo.join("lab/run"));
        let conf: Value = serde_json::from_slice(
            &std::fs::read(run.join("lab.json")).expect("lab.json of the running lab"),
        )
        .expect("lab.json");
        let get = |k: &str| conf[k].as_str().unwrap_or_default().to_owned();
        LabInfo {
            holder: get("LAB_HOLDER_PID"),
            gosumdb: get("LAB_GOSUMDB"),
            go_cache: get("LAB_GO_CACHE"),
            http_user: get("LAB_HTTP_USER"),
            http_password: get("LAB_HTTP_PASSWORD"),
            run,
        }
    }
}

/// Runs one case; `Err` lists what was wrong.
pub fn run(
    case: &Case,
    n: usize,
    lab: &LabInfo,
    repo: &Path,
    gotriage: &Path,
) -> Result<String, String> {
    let sb = lab
        .run
        .join("sb")
        .join(format!("doctor-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&sb);
    std::fs::create_dir_all(&sb).map_err(|e| e.to_string())?;
    let inside = format!(
        "/srv/sb/{}",
        sb.file_name().unwrap_or_default().to_string_lossy()
    );
    let go_bin = format!("{}/1.27.3/bin", lab.go_cache);
    let mut env: Vec<String> = vec![
        "HOME=/root".into(),
        "USER=root".into(),
        "LANG=C.UTF-8".into(),
        format!("PATH={go_bin}:/usr/local/bin:/usr/bin:/bin"),
        format!("GOSUMDB={}", lab.gosumdb),
        "GOCACHE=/tmp/gocache".into(),
        "GOTOOLCHAIN=local".into(),
        format!("LAB_HTTP_USER={}", lab.http_user),
        format!("LAB_HTTP_PASSWORD={}", lab.http_password),
    ];
    env.extend(case.env.iter().map(|(k, v)| format!("{k}={v}")));
    let mut argv: Vec<String> = vec![
        gotriage.display().to_string(),
        "doctor".into(),
        "--format".into(),
        "json".into(),
    ];
    argv.extend(case.args.iter().map(|a| (*a).to_owned()));
    let nul = |items: &[String]| {
        items
            .iter()
            .flat_map(|s| s.bytes().chain(std::iter::once(0)))
            .collect::<Vec<u8>>()
    };
    std::fs::write(sb.join("env"), nul(&env)).map_err(|e| e.to_string())?;
    std::fs::write(sb.join("argv"), nul(&argv)).map_err(|e| e.to_string())?;
    std::fs::write(sb.join("setup.sh"), format!("{}\n", case.setup)).map_err(|e| e.to_string())?;
    let status = Command::new("nsenter")
        .args([
            "-t",
            &lab.holder,
            "-m",
            "--",
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "bash",
        ])
        .arg(repo.join("tests/e2e/doctor-sandbox.sh"))
        .arg(&inside)
        .arg(repo.join("lab/lib"))
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("nsenter: {e}"))?;
    let out = sb.join("out");
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_default();
    if !status.success() {
        return Err(format!("sandbox failed ({status}): {}", read("setup.log")));
    }
    let exit = read("exit").trim().to_owned();
    if exit == "setup-failed" {
        return Err(format!("setup failed:\n{}", read("setup.log")));
    }
    let stdout = read("stdout");
    let result = check(
        case,
        exit.parse().unwrap_or(-1),
        &stdout,
        &read("stderr"),
        read("ms").trim().parse().unwrap_or(0),
        &read("before"),
        &read("after"),
    );
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&sb);
    }
    result
}

/// The checks of one case's results (also run on doctored results by
/// [`self_test`], so they can fail).
fn check(
    case: &Case,
    exit: i32,
    stdout: &str,
    stderr: &str,
    ms: u64,
    before: &str,
    after: &str,
) -> Result<String, String> {
    let mut problems = Vec::new();
    let v: Value = match serde_json::from_str(stdout) {
        Ok(v) => v,
        Err(e) => return Err(format!("not JSON ({e}):\n{stdout}\n{stderr}")),
    };
    if exit != case.exit {
        problems.push(format!("exit status {exit}, want {}", case.exit));
    }
    if v["exit"] != case.exit {
        problems.push(format!("JSON exit {}, want {}", v["exit"], case.exit));
    }
    let checks = v["checks"].as_array().cloned().unwrap_or_default();
    for (id, status, diag) in case.want {
        let hit = checks.iter().any(|c| {
            c["id"] == *id && c["status"] == *status && diag.is_none_or(|d| c["diagnosis"] == d)
        });
        if !hit {
            let seen: Vec<String> = checks
                .iter()
                .filter(|c| c["id"] == *id)
                .map(|c| format!("{} {} [{}]", c["status"], c["summary"], c["diagnosis"]))
                .collect();
            problems.push(format!(
                "no {id} with status {status} and diagnosis {diag:?}; saw: {seen:?}"
            ));
        }
    }
    for s in case.contains {
        if !stdout.contains(s) {
            problems.push(format!("output lacks {s:?}"));
        }
    }
    for s in case.absent {
        if stdout.contains(s) || stderr.contains(s) {
            problems.push(format!("output shows the secret {s:?}"));
        }
    }
    if let Some(max) = case.max_ms
        && ms > max
    {
        problems.push(format!("took {ms} ms, limit {max} ms"));
    }
    if before != after {
        problems.push(format!(
            "doctor changed files under HOME:\n--- before\n{before}\n--- after\n{after}"
        ));
    }
    if problems.is_empty() {
        Ok(format!("{ms} ms"))
    } else {
        Err(format!("{}\n--- output\n{stdout}", problems.join("\n")))
    }
}

/// The checks must be able to fail.
pub fn self_test() {
    let case = &cases()[1];
    let good = r#"{"exit":1,"checks":[{"id":"probe.ssh","status":"fail","diagnosis":"ssh-publickey-denied","summary":""},{"id":"probe.ls-remote","status":"fail","diagnosis":"ssh-publickey-denied","summary":"ssh -T git@github.com"}]}"#;
    assert!(
        check(case, 1, good, "", 10, "a", "a").is_ok(),
        "doctor self-test: a correct result must pass"
    );
    for (exit, out, before, after) in [
        (0, good, "a", "a"),
        (
            1,
            &good.replace("ssh-publickey-denied", "ssh-host-key-unknown")[..],
            "a",
            "a",
        ),
        (1, &good.replace("\"fail\"", "\"ok\"")[..], "a", "a"),
        (1, good, "a", "b"),
        (1, "not json", "a", "a"),
    ] {
        assert!(
            check(case, exit, out, "", 10, before, after).is_err(),
            "doctor self-test: a doctored result passed: {out}"
        );
    }
    let tarpit = cases()
        .into_iter()
        .find(|c| c.max_ms.is_some())
        .expect("a tarpit case");
    let ok = r#"{"exit":1,"checks":[{"id":"probe.goproxy","status":"fail","diagnosis":"network-connect-failed"}],"x":"no answer within 2.0 s (killed)"}"#;
    assert!(
        check(&tarpit, 1, ok, "", 99_999, "a", "a").is_err(),
        "doctor self-test: a slow run passed"
    );
}
