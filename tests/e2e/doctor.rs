//! `gotriage doctor` against the failure lab's real servers.
//!
//! Each case runs the gotriage binary in a fresh lab sandbox
//! (`lab/bin/sandbox`: the lab's mount namespace, with a home of its own
//! bound over /root, so ssh, git and go read real config files written by
//! the lab's own set-up helpers), and checks doctor's JSON (or text) and
//! exit status.  Every probe is tested for its pass and its failure
//! outcomes; the timing cases check that a server that accepts and never
//! answers costs one `--timeout`; the "never writes" cases check files
//! after the run.  Called from `main.rs` (`cargo test --test e2e -- doctor`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The newest Go of the lab (doctor runs `go env` of the real go).
const GO: &str = "1.27.3";

/// The running lab, as `labctl start` recorded it.
struct LabEnv {
    run_dir: PathBuf,
    conf: BTreeMap<String, String>,
    holder: String,
}

impl LabEnv {
    fn load(repo: &Path) -> Result<LabEnv, String> {
        let run_dir =
            std::env::var_os("LAB_RUN").map_or_else(|| repo.join("lab/run"), PathBuf::from);
        let text = std::fs::read_to_string(run_dir.join("lab.json"))
            .map_err(|e| format!("{}/lab.json: {e} (is the lab running?)", run_dir.display()))?;
        let conf: BTreeMap<String, String> =
            serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let holder = conf
            .get("LAB_HOLDER_PID")
            .cloned()
            .ok_or("no LAB_HOLDER_PID")?;
        Ok(LabEnv {
            run_dir,
            conf,
            holder,
        })
    }

    fn go_bin(&self) -> String {
        format!("{}/{GO}/bin", self.conf["LAB_GO_CACHE"])
    }
}

/// One doctor invocation in a sandbox.
#[derive(Default)]
struct Case {
    setup: &'static str,
    env: Vec<(&'static str, String)>,
    args: Vec<&'static str>,
    /// The machine's CA bundle without the lab's CA.
    untrusted: bool,
    /// Text output instead of `--format json`.
    text: bool,
    /// A `go` link to gotriage first on PATH (the shim installed).
    shim: bool,
}

/// What one run left: output, exit status, the sandbox home (inspectable
/// until dropped).
struct Run {
    exit: i32,
    stdout: String,
    stderr: String,
    json: Value,
    sandbox: PathBuf,
    wall: Duration,
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.sandbox);
    }
}

impl Run {
    fn home(&self) -> PathBuf {
        self.sandbox.join("home")
    }

    /// Checks of one kind (`module.ssh`…).
    fn checks(&self, id: &str) -> Vec<&Value> {
        self.json["checks"]
            .as_array()
            .map(|a| a.iter().filter(|c| c["id"] == id).collect())
            .unwrap_or_default()
    }

    fn check(&self, id: &str) -> Result<&Value, String> {
        self.checks(id)
            .into_iter()
            .next()
            .ok_or_else(|| format!("no `{id}` check in:\n{}", self.dump()))
    }

    /// `status` (and `[diagnosis]`) of the first check `id`.
    fn expect(&self, id: &str, status: &str, diagnosis: Option<&str>) -> Result<&Value, String> {
        let c = self.check(id)?;
        let d = c["diagnosis"].as_str();
        if c["status"] != status || (diagnosis.is_some() && d != diagnosis) {
            return Err(format!(
                "`{id}`: want {status} {diagnosis:?}, got {} {d:?}: {}\n{}",
                c["status"],
                c["summary"],
                self.dump()
            ));
        }
        Ok(c)
    }

    fn expect_exit(&self, want: i32) -> Result<(), String> {
        if self.exit == want {
            Ok(())
        } else {
            Err(format!(
                "exit status {}, want {want}\n{}",
                self.exit,
                self.dump()
            ))
        }
    }

    fn dump(&self) -> String {
        let checks = self.json["checks"].as_array().map_or_else(
            || self.stdout.clone(),
            |a| {
                a.iter()
                    .map(|c| {
                        format!(
                            "  {} {} {} [{}] {}\n",
                            c["status"].as_str().unwrap_or(""),
                            c["id"].as_str().unwrap_or(""),
                            c["summary"].as_str().unwrap_or(""),
                            c["diagnosis"].as_str().unwrap_or(""),
                            c["fix"]
                        )
                    })
                    .collect()
            },
        );
        format!("{checks}stderr: {}", self.stderr)
    }
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

fn nul<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut out = Vec::new();
    for i in items {
        out.extend_from_slice(i.as_bytes());
        out.push(0);
    }
    out
}

fn doctor(lab: &LabEnv, bin: &Path, case: &Case) -> Result<Run, String> {
    let n = SEQ.fetch_add(1, Ordering::SeqCst);
    let name = format!("doctor-{}-{n}", std::process::id());
    let sb = lab.run_dir.join("sb").join(&name);
    let _ = std::fs::remove_dir_all(&sb);
    std::fs::create_dir_all(&sb).map_err(|e| e.to_string())?;
    let mut path = format!(
        "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        lab.go_bin()
    );
    if case.shim {
        std::fs::create_dir(sb.join("shim")).map_err(|e| e.to_string())?;
        std::os::unix::fs::symlink(bin, sb.join("shim/go")).map_err(|e| e.to_string())?;
        path = format!("/srv/sb/{name}/shim:{path}");
    }
    let mut base: Vec<String> = vec![
        "HOME=/root".into(),
        "USER=root".into(),
        "LOGNAME=root".into(),
        "LANG=C.UTF-8".into(),
        format!("GOSUMDB={}", lab.conf["LAB_GOSUMDB"]),
        format!("PATH={path}"),
    ];
    base.extend(case.env.iter().map(|(k, v)| format!("{k}={v}")));
    let mut setup_env = base.clone();
    setup_env.extend(
        lab.conf
            .iter()
            .filter(|(k, _)| k.starts_with("LAB_"))
            .map(|(k, v)| format!("{k}={v}")),
    );
    let mut argv = vec![bin.to_str().ok_or("binary path")?, "doctor"];
    argv.extend(case.args.iter().copied());
    if !case.text {
        argv.extend(["--format", "json"]);
    }
    let w =
        |f: &str, data: &[u8]| std::fs::write(sb.join(f), data).map_err(|e| format!("{f}: {e}"));
    w("setup.env", &nul(setup_env.iter().map(String::as_str)))?;
    w("cmd.env", &nul(base.iter().map(String::as_str)))?;
    w("argv", &nul(argv))?;
    w("setup.sh", format!("{}\n", case.setup).as_bytes())?;
    w(
        "opts",
        format!(
            "TIMEOUT=60\nTRUST={}\nUID_AS=\n",
            if case.untrusted { "system" } else { "lab" }
        )
        .as_bytes(),
    )?;
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let start = Instant::now();
    let out = Command::new("nsenter")
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
        ])
        .arg(repo.join("lab/bin/sandbox"))
        .arg(format!("/srv/sb/{name}"))
        .output()
        .map_err(|e| format!("nsenter: {e}"))?;
    let wall = start.elapsed();
    let read = |f: &str| std::fs::read_to_string(sb.join("out").join(f)).unwrap_or_default();
    let exit_text = read("exit");
    if !out.status.success() || exit_text.trim() == "setup-failed" || exit_text.trim().is_empty() {
        let msg = format!(
            "sandbox failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            read("setup.log")
        );
        let _ = std::fs::remove_dir_all(&sb);
        return Err(msg);
    }
    let stdout = read("stdout");
    let json = if case.text {
        Value::Null
    } else {
        serde_json::from_str(&stdout)
            .map_err(|e| format!("doctor's JSON: {e}\n{stdout}\n{}", read("stderr")))?
    };
    Ok(Run {
        exit: exit_text.trim().parse().unwrap_or(-1),
        stdout,
        stderr: read("stderr"),
        json,
        sandbox: sb,
        wall,
    })
}

type TestFn = fn(&LabEnv, &Path) -> Result<(), String>;

/// The lab's classic private-module set-up over SSH, with a client key.
macro_rules! ssh_setup {
    ($key:literal) => {
        concat!(
            "ssh_key ",
            $key,
            r#"; known_hosts good; insteadof "git@github.com:" "https://github.com/""#
        )
    };
}

fn acme_private() -> Vec<(&'static str, String)> {
    vec![("GOPRIVATE", "github.com/acme".to_owned())]
}

fn ssh_key_accepted(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: ssh_setup!("accepted"),
            env: acme_private(),
            args: vec!["github.com/acme/private@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("ssh.known-hosts", "ok", None)?;
    r.expect("module.rewrite", "ok", None)?;
    r.expect("module.dns", "ok", None)?;
    r.expect("module.tcp", "ok", None)?;
    r.expect("module.ssh", "ok", None)?;
    let ls = r.expect("module.ls-remote", "ok", None)?;
    if !ls["detail"].to_string().contains("v1.0.0") {
        return Err(format!("the tag check is missing: {ls}"));
    }
    r.expect("module.proxy", "skip", None)?;
    r.expect("module.sumdb", "skip", None)?;
    r.expect_exit(0)
}

fn ssh_key_rejected(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: ssh_setup!("rejected"),
            env: acme_private(),
            args: vec!["github.com/acme/private@v1.0.0"],
            ..Case::default()
        },
    )?;
    let c = r.expect("module.ssh", "problem", Some("ssh-publickey-denied"))?;
    if !c["fix"].to_string().contains("ssh -T git@github.com") {
        return Err(format!("fix steps not filled with the host: {c}"));
    }
    // One failed attempt with the key, not a second one from git.
    r.expect("module.ls-remote", "skip", None)?;
    r.expect_exit(1)
}

fn ssh_host_key_unknown(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: r#"ssh_key accepted; known_hosts empty; insteadof "git@github.com:" "https://github.com/""#,
            env: acme_private(),
            args: vec!["github.com/acme/private@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("ssh.known-hosts", "problem", Some("ssh-host-key-unknown"))?;
    r.expect("module.ssh", "problem", Some("ssh-host-key-unknown"))?;
    r.expect_exit(1)?;
    // StrictHostKeyChecking=yes: the key was not added.
    let kh = std::fs::read(r.home().join(".ssh/known_hosts")).map_err(|e| e.to_string())?;
    if !kh.is_empty() {
        return Err(format!(
            "doctor wrote known_hosts: {}",
            String::from_utf8_lossy(&kh)
        ));
    }
    Ok(())
}

fn ssh_host_key_changed(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: r#"ssh_key accepted; known_hosts changed; insteadof "git@github.com:" "https://github.com/""#,
            env: acme_private(),
            args: vec!["github.com/acme/private@v1.0.0"],
            ..Case::default()
        },
    )?;
    // known_hosts lists the host (with the wrong key): only the probe can tell.
    r.expect("ssh.known-hosts", "ok", None)?;
    r.expect("module.ssh", "problem", Some("ssh-host-key-unknown"))?;
    r.expect_exit(1)
}

fn https_public(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            args: vec!["github.com/acme/public@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.repo", "ok", None)?;
    r.expect("module.tcp", "ok", None)?;
    r.expect("module.ls-remote", "ok", None)?;
    r.expect("module.proxy", "ok", None)?;
    r.expect("module.sumdb", "ok", None)?;
    r.expect_exit(0)
}

fn https_needs_credentials(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            env: acme_private(),
            args: vec!["github.com/acme/private@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect(
        "module.ls-remote",
        "problem",
        Some("https-credentials-missing"),
    )?;
    r.expect_exit(1)
}

fn https_netrc_good(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "netrc_good",
            env: acme_private(),
            args: vec!["github.com/acme/private@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("netrc.file", "ok", None)?;
    r.expect("module.ls-remote", "ok", None)?;
    r.expect_exit(0)
}

/// Wrong credentials from git's `store` helper: rejected once, and the
/// helper's file untouched (git would `erase` a refused credential).
fn https_wrong_credentials(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let stored = "https://alice:expired-token@github.com\n";
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "gitconfig credential.helper store; printf 'https://alice:expired-token@github.com\\n' >~/.git-credentials; chmod 600 ~/.git-credentials",
            env: acme_private(),
            args: vec!["github.com/acme/private@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.ls-remote", "problem", Some("https-auth-rejected"))?;
    r.expect_exit(1)?;
    let after =
        std::fs::read_to_string(r.home().join(".git-credentials")).map_err(|e| e.to_string())?;
    if after != stored {
        return Err(format!("~/.git-credentials changed: {after:?}"));
    }
    if r.stdout.contains("expired-token") {
        return Err("the password appears in the output".to_owned());
    }
    Ok(())
}

/// The helper's credential works: git stores nothing either.
fn https_helper_credentials_not_stored(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "gitconfig credential.helper store; printf 'https://alice:correct-horse@github.com\\n' >~/.git-credentials; chmod 600 ~/.git-credentials; touch -d 2020-01-01 ~/.git-credentials",
            env: acme_private(),
            args: vec!["github.com/acme/private@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.ls-remote", "ok", None)?;
    let md = std::fs::metadata(r.home().join(".git-credentials")).map_err(|e| e.to_string())?;
    let year_2020 = std::time::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    if md.modified().map_err(|e| e.to_string())? > year_2020 {
        return Err(
            "~/.git-credentials was rewritten (credential approve reached the store helper)"
                .to_owned(),
        );
    }
    r.expect_exit(0)
}

fn https_forbidden(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "netrc_good",
            env: acme_private(),
            args: vec!["github.com/acme/forbidden@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.ls-remote", "problem", Some("https-forbidden"))?;
    r.expect_exit(1)
}

fn tls_untrusted(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            untrusted: true,
            setup: "netrc_good",
            env: vec![("GOPRIVATE", "go.acme.test".to_owned())],
            args: vec!["go.acme.test/good@v1.0.0", "github.com/acme/public@v1.0.0"],
            ..Case::default()
        },
    )?;
    let meta = r
        .checks("module.repo")
        .into_iter()
        .find(|c| c["module"] == "go.acme.test/good@v1.0.0")
        .ok_or("no meta check")?;
    if meta["status"] != "problem" || meta["diagnosis"] != "tls-certificate" {
        return Err(format!("meta tag over untrusted TLS: {meta}\n{}", r.dump()));
    }
    if !meta["summary"].to_string().contains("unknown authority") {
        return Err(format!("want go's wording: {meta}"));
    }
    // git's own TLS (the public module is resolved without the network).
    let git = r
        .checks("module.ls-remote")
        .into_iter()
        .find(|c| c["module"] == "github.com/acme/public@v1.0.0")
        .ok_or("no ls-remote check for the public module")?;
    if git["status"] != "problem" || git["diagnosis"] != "tls-certificate" {
        return Err(format!("git over untrusted TLS: {git}\n{}", r.dump()));
    }
    r.expect_exit(1)
}

/// go trusts SSL_CERT_FILE, git does not: go's side works, git's fails,
/// and the local check says why.
fn tls_trusted_ca_for_go_only(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            untrusted: true,
            setup: "netrc_good",
            env: vec![
                ("GOPRIVATE", "go.acme.test".to_owned()),
                ("SSL_CERT_FILE", "/srv/etc/ca-certificates.crt".to_owned()),
            ],
            args: vec!["go.acme.test/good@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.repo", "ok", None)?;
    r.expect("module.ls-remote", "problem", Some("tls-certificate"))?;
    r.expect("net.ca-split", "warn", Some("tls-certificate"))?;
    r.expect_exit(1)
}

fn tls_trusted_ca_for_both(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            untrusted: true,
            setup: "netrc_good",
            env: vec![
                ("GOPRIVATE", "go.acme.test".to_owned()),
                ("SSL_CERT_FILE", "/srv/etc/ca-certificates.crt".to_owned()),
                ("GIT_SSL_CAINFO", "/srv/etc/ca-certificates.crt".to_owned()),
            ],
            args: vec!["go.acme.test/good@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.repo", "ok", None)?;
    r.expect("module.ls-remote", "ok", None)?;
    r.expect("net.ca", "ok", None)?;
    r.expect_exit(0)
}

/// A private path sent to a public proxy without `direct`: 404, and 410
/// for the lab's "gone" path; the fix names the precise GOPRIVATE value.
fn proxy_private_404_410(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "netrc_good",
            env: vec![
                ("GOPROXY", "https://proxy.golang.org".to_owned()),
                ("GOPRIVATE", "github.com/other".to_owned()),
            ],
            args: vec![
                "github.com/acme/private@v1.0.0",
                "go.acme.test/secret@v1.0.0",
            ],
            ..Case::default()
        },
    )?;
    let proxies = r.checks("module.proxy");
    let find = |m: &str| {
        proxies
            .iter()
            .find(|c| c["module"] == m)
            .copied()
            .ok_or_else(|| format!("no proxy check for {m}\n{}", r.dump()))
    };
    let p = find("github.com/acme/private@v1.0.0")?;
    if p["status"] != "problem"
        || p["diagnosis"] != "private-module-via-proxy"
        || !p["summary"].to_string().contains("404")
        || p["fix"][0] != "export GOPRIVATE=github.com/other,github.com/acme"
    {
        return Err(format!("404 case: {p}"));
    }
    let g = find("go.acme.test/secret@v1.0.0")?;
    if g["status"] != "problem" || !g["summary"].to_string().contains("410") {
        return Err(format!("410 case: {g}"));
    }
    r.expect_exit(1)
}

fn proxy_found(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            env: vec![("GOPROXY", "https://proxy.golang.org".to_owned())],
            args: vec!["github.com/acme/public"],
            ..Case::default()
        },
    )?;
    let p = r.expect("module.proxy", "ok", None)?;
    // @latest resolved the version the checksum lookup then uses.
    if !p["summary"].to_string().contains("v1.1.0") {
        return Err(format!("latest version: {p}"));
    }
    let s = r.expect("module.sumdb", "ok", None)?;
    if !s["summary"].to_string().contains("v1.1.0") {
        return Err(format!("sumdb lookup of the resolved version: {s}"));
    }
    r.expect_exit(0)
}

/// Fetched directly (GONOPROXY) but not in GONOSUMDB: the checksum
/// database cannot see it.
fn sumdb_private_path(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "netrc_good",
            env: vec![("GONOPROXY", "github.com/acme".to_owned())],
            args: vec!["github.com/acme/private@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.proxy", "skip", None)?;
    r.expect("module.ls-remote", "ok", None)?;
    let s = r.expect("module.sumdb", "problem", Some("sumdb-verify-failed"))?;
    if s["fix"][0] != "export GOPRIVATE=github.com/acme"
        && s["fix"][0] != "go env -w GOPRIVATE=github.com/acme"
    {
        return Err(format!("fix: {s}"));
    }
    r.expect_exit(1)
}

fn unknown_revision(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            env: vec![
                ("GOPROXY", "direct".to_owned()),
                ("GONOSUMDB", "github.com/acme".to_owned()),
            ],
            args: vec!["github.com/acme/public@v9.9.9"],
            ..Case::default()
        },
    )?;
    r.expect("module.proxy", "skip", None)?;
    r.expect("module.ls-remote", "problem", Some("unknown-revision"))?;
    r.expect_exit(1)
}

fn repo_not_found(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "netrc_good",
            env: acme_private(),
            args: vec!["github.com/acme/nosuchrepo@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.ls-remote", "problem", Some("repo-not-found"))?;
    r.expect_exit(1)
}

fn dns_failure(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            env: vec![("GOPRIVATE", "go.acme.test".to_owned())],
            args: vec!["go.acme.test/dnsfail@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.repo", "ok", None)?;
    r.expect("module.dns", "problem", Some("dns-resolution-failed"))?;
    r.expect_exit(1)
}

fn connection_refused(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            env: vec![("GOPRIVATE", "go.acme.test".to_owned())],
            args: vec!["go.acme.test/refused@v1.0.0"],
            ..Case::default()
        },
    )?;
    let c = r.expect("module.tcp", "problem", Some("network-connect-failed"))?;
    if !c["summary"].to_string().contains("refused") {
        return Err(format!("{c}"));
    }
    r.expect_exit(1)
}

/// Servers that accept and never answer: each probe stops at --timeout.
fn tarpit_times_out(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let timeout_ms = 2000;
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: r#"ssh_key accepted; insteadof "ssh://git@tarpit.test/acme/" "https://github.com/acme/""#,
            env: vec![
                ("GOPRIVATE", "go.acme.test,github.com/acme".to_owned()),
                ("GOPROXY", "https://tarpit.test".to_owned()),
            ],
            args: vec![
                "go.acme.test/slow@v1.0.0",
                "github.com/acme/private@v1.0.0",
                "github.com/other/public@v1.0.0",
                "--timeout",
                "2",
            ],
            ..Case::default()
        },
    )?;
    let slow = r
        .checks("module.ls-remote")
        .into_iter()
        .find(|c| c["module"] == "go.acme.test/slow@v1.0.0")
        .ok_or("no ls-remote for the tarpit repository")?;
    if slow["status"] != "problem" || slow["diagnosis"] != "network-connect-failed" {
        return Err(format!("https tarpit: {slow}\n{}", r.dump()));
    }
    let ssh = r.expect("module.ssh", "problem", Some("ssh-connect-failed"));
    let ssh = match ssh {
        // ssh can also give up on the banner itself, before the hard limit.
        Ok(c) => c,
        Err(_) => r.expect("module.ssh", "problem", None)?,
    };
    let proxy = r
        .checks("module.proxy")
        .into_iter()
        .find(|c| c["module"] == "github.com/other/public@v1.0.0")
        .ok_or("no proxy check against the tarpit")?;
    if proxy["status"] != "problem" {
        return Err(format!("proxy tarpit: {proxy}"));
    }
    for c in [slow, ssh, proxy] {
        let ms = c["elapsed_ms"].as_u64().unwrap_or(u64::MAX);
        if ms > timeout_ms + 1500 {
            return Err(format!("a probe took {ms} ms with --timeout 2: {c}"));
        }
    }
    let total = r.json["network_ms"].as_u64().unwrap_or(u64::MAX);
    if total > timeout_ms + 2500 {
        return Err(format!(
            "the network probes took {total} ms with --timeout 2\n{}",
            r.dump()
        ));
    }
    if r.wall > Duration::from_secs(15) {
        return Err(format!("the whole run took {:?}", r.wall));
    }
    r.expect_exit(1)
}

/// GOPROXY through a proxy that wants credentials (407).
fn http_proxy_auth(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            env: vec![("HTTPS_PROXY", "http://authproxy.test:3128".to_owned())],
            args: vec!["github.com/acme/public@v1.0.0"],
            ..Case::default()
        },
    )?;
    let p = r.expect("module.proxy", "problem", Some("proxy-failure"))?;
    if !p["summary"].to_string().contains("407") {
        return Err(format!("{p}"));
    }
    r.expect_exit(1)
}

fn http_proxy_auth_ok(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let proxy = format!(
        "http://{}:{}@authproxy.test:3128",
        lab.conf["LAB_PROXY_USER"], lab.conf["LAB_PROXY_PASSWORD"]
    );
    let r = doctor(
        lab,
        bin,
        &Case {
            env: vec![("HTTPS_PROXY", proxy.clone()), ("https_proxy", proxy)],
            args: vec!["github.com/acme/public@v1.0.0"],
            ..Case::default()
        },
    )?;
    r.expect("module.proxy", "ok", None)?;
    r.expect("module.ls-remote", "ok", None)?;
    if r.stdout.contains(&lab.conf["LAB_PROXY_PASSWORD"]) {
        return Err("the proxy password appears in the output".to_owned());
    }
    r.expect_exit(0)
}

/// `--network` without modules: the proxy and checksum database endpoints,
/// and go.mod's private-looking modules.
fn network_endpoints_and_gomod(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "netrc_good; printf 'module example.com/app\\n\\ngo 1.19\\n\\nrequire go.acme.test/secret v1.0.0\\n' >go.mod",
            args: vec!["--network"],
            ..Case::default()
        },
    )?;
    r.expect("net.goproxy", "ok", None)?;
    r.expect("net.gosumdb", "ok", None)?;
    r.expect(
        "goenv.coverage",
        "problem",
        Some("private-module-via-proxy"),
    )?;
    let p = r
        .checks("module.proxy")
        .into_iter()
        .find(|c| c["module"] == "go.acme.test/secret@v1.0.0")
        .ok_or_else(|| format!("go.mod's private module was not probed\n{}", r.dump()))?;
    if p["diagnosis"] != "private-module-via-proxy" {
        return Err(format!("{p}"));
    }
    r.expect_exit(1)
}

/// No network probe without --network or a module.
fn local_only_without_network(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            env: vec![("GOPROXY", "https://tarpit.test".to_owned())],
            ..Case::default()
        },
    )?;
    if r.json["network"] != false || !r.checks("net.goproxy").is_empty() {
        return Err(format!("network probes ran\n{}", r.dump()));
    }
    if r.wall > Duration::from_secs(5) {
        return Err(format!("local checks took {:?}", r.wall));
    }
    r.expect_exit(0)
}

/// The three situations of the issue, as text (printed with --nocapture
/// style output by the runner: see `showcase`).
fn showcase_outputs(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    for (name, setup, env, arg) in [
        (
            "all-good",
            "ssh_key accepted; known_hosts good; insteadof \"git@github.com:\" \"https://github.com/\"",
            acme_private(),
            "github.com/acme/private@v1.0.0",
        ),
        (
            "ssh-key-rejected",
            "ssh_key rejected; known_hosts good; insteadof \"git@github.com:\" \"https://github.com/\"",
            acme_private(),
            "github.com/acme/private@v1.0.0",
        ),
        (
            "private-module-not-covered",
            "netrc_good",
            vec![],
            "github.com/acme/private@v1.0.0",
        ),
    ] {
        let r = doctor(
            lab,
            bin,
            &Case {
                setup,
                env,
                args: vec![arg],
                text: true,
                shim: true,
                ..Case::default()
            },
        )?;
        let want = i32::from(name != "all-good");
        if r.exit != want {
            return Err(format!(
                "{name}: exit {} (want {want})\n{}",
                r.exit, r.stdout
            ));
        }
        if !r.stdout.contains("✓ gotriage is in front of go") {
            return Err(format!(
                "{name}: the shim was not seen in front of go\n{}",
                r.stdout
            ));
        }
        if name == "all-good" && !r.stdout.contains("0 problem(s), 0 warning(s)") {
            return Err(format!("all good, but:\n{}", r.stdout));
        }
        if let Ok(dir) = std::env::var("GOTRIAGE_DOCTOR_SHOWCASE") {
            let file = Path::new(&dir).join(format!("{name}.txt"));
            let _ = std::fs::write(
                file,
                format!("$ gotriage doctor {arg}   # exit {}\n{}", r.exit, r.stdout),
            );
        }
    }
    Ok(())
}

/// Token-bearing insteadOf and proxy credentials never appear in output.
fn redaction_in_text(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "insteadof \"https://x-access-token:ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/\" \"https://github.com/\"",
            env: acme_private(),
            args: vec!["github.com/acme/private@v1.0.0"],
            text: true,
            ..Case::default()
        },
    )?;
    if r.stdout.contains(token) || r.stderr.contains(token) {
        return Err(format!("token leaked:\n{}", r.stdout));
    }
    if !r.stdout.contains("x-access-token:***@github.com/") {
        return Err(format!("the rewrite is not shown redacted:\n{}", r.stdout));
    }
    Ok(())
}

fn chinese(lab: &LabEnv, bin: &Path) -> Result<(), String> {
    let r = doctor(
        lab,
        bin,
        &Case {
            setup: "ssh_key rejected; known_hosts good; insteadof \"git@github.com:\" \"https://github.com/\"",
            env: vec![
                ("GOPRIVATE", "github.com/acme".to_owned()),
                ("GOTRIAGE_LANG", "zh".to_owned()),
            ],
            args: vec!["github.com/acme/private@v1.0.0"],
            text: true,
            ..Case::default()
        },
    )?;
    for want in [
        "模块 github.com/acme/private@v1.0.0",
        "[ssh-publickey-denied]",
        "加载服务器认可的密钥",
        "个问题",
    ] {
        if !r.stdout.contains(want) {
            return Err(format!("missing {want:?}:\n{}", r.stdout));
        }
    }
    r.expect_exit(1)
}

const TESTS: &[(&str, TestFn)] = &[
    ("ssh_key_accepted", ssh_key_accepted),
    ("ssh_key_rejected", ssh_key_rejected),
    ("ssh_host_key_unknown", ssh_host_key_unknown),
    ("ssh_host_key_changed", ssh_host_key_changed),
    ("https_public", https_public),
    ("https_needs_credentials", https_needs_credentials),
    ("https_netrc_good", https_netrc_good),
    ("https_wrong_credentials", https_wrong_credentials),
    (
        "https_helper_credentials_not_stored",
        https_helper_credentials_not_stored,
    ),
    ("https_forbidden", https_forbidden),
    ("tls_untrusted", tls_untrusted),
    ("tls_trusted_ca_for_go_only", tls_trusted_ca_for_go_only),
    ("tls_trusted_ca_for_both", tls_trusted_ca_for_both),
    ("proxy_private_404_410", proxy_private_404_410),
    ("proxy_found", proxy_found),
    ("sumdb_private_path", sumdb_private_path),
    ("unknown_revision", unknown_revision),
    ("repo_not_found", repo_not_found),
    ("dns_failure", dns_failure),
    ("connection_refused", connection_refused),
    ("tarpit_times_out", tarpit_times_out),
    ("http_proxy_auth", http_proxy_auth),
    ("http_proxy_auth_ok", http_proxy_auth_ok),
    ("network_endpoints_and_gomod", network_endpoints_and_gomod),
    ("local_only_without_network", local_only_without_network),
    ("showcase_outputs", showcase_outputs),
    ("redaction_in_text", redaction_in_text),
    ("chinese", chinese),
];

/// Runs the doctor cases that match `filters` (all when empty, or when a
/// filter is `doctor`); returns how many passed and the failures.  Needs
/// the running lab.
pub(crate) fn run(filters: &[String], bin: &Path) -> (usize, Vec<String>) {
    let selected: Vec<&(&str, TestFn)> = TESTS
        .iter()
        .filter(|(name, _)| {
            let full = format!("doctor::{name}");
            filters.is_empty() || filters.iter().any(|f| full.contains(f.as_str()))
        })
        .collect();
    if selected.is_empty() {
        return (0, Vec::new());
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let lab = match LabEnv::load(&repo) {
        Ok(l) => l,
        Err(e) => return (0, vec![format!("---- doctor ----\n{e}")]),
    };
    println!("\nrunning {} doctor e2e cases", selected.len());
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4.min(selected.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((name, f)) = selected.get(i) else {
                        break;
                    };
                    let t = Instant::now();
                    let outcome = f(&lab, bin);
                    let secs = t.elapsed().as_secs_f64();
                    match outcome {
                        Ok(()) => println!("test doctor::{name} ... ok ({secs:.1}s)"),
                        Err(e) => {
                            println!("test doctor::{name} ... FAILED ({secs:.1}s)");
                            failures
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(format!("---- doctor::{name} ----\n{e}"));
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    (selected.len() - failures.len(), failures)
}
