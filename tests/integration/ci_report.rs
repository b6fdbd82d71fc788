//! gotriage in CI, with real go failures and no server anywhere: the JSON
//! event log (also under parallel go commands), GitLab's collapsible
//! sections and the GitHub job summary (docs/ci.md).
//!
//! The failures, all real go (the newest installed toolchain), none needing
//! the network:
//! - `govcs`: GOVCS=private:off for a GOPRIVATE module → `govcs-disallowed`;
//! - `nogit`: the module fetched with git missing from PATH → `git-not-found`
//!   (its version is a token shape, to check redaction);
//! - `refused`: git redirected (`insteadOf`) to a closed loopback port →
//!   `network-connect-failed`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::util::{gotriage, real_gos, show};

const TOKEN: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Govcs,
    NoGit,
    Refused,
}

impl Kind {
    fn id(self) -> &'static str {
        match self {
            Kind::Govcs => "govcs-disallowed",
            Kind::NoGit => "git-not-found",
            Kind::Refused => "network-connect-failed",
        }
    }
}

struct World {
    dir: tempfile::TempDir,
    go: PathBuf,
    go_version: String,
}

impl World {
    fn new() -> World {
        let (version, go) = real_gos().pop().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("m")).unwrap();
        std::fs::write(p.join("m/go.mod"), "module example.com/m\n\ngo 1.19\n").unwrap();
        std::fs::create_dir_all(p.join("shim")).unwrap();
        std::os::unix::fs::symlink(gotriage(), p.join("shim/go")).unwrap();
        // A loopback port nobody listens on (bound, then released).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::write(
            p.join("gitconfig"),
            format!("[url \"http://127.0.0.1:{port}/\"]\n\tinsteadOf = https://github.com/\n"),
        )
        .unwrap();
        World {
            dir,
            go,
            go_version: format!("go{version}"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn module(&self) -> PathBuf {
        self.path().join("m")
    }

    /// `go` (the shim, or the real go when `direct`) failing as `kind`, with
    /// its own GOPATH `n` so parallel runs do not share a module cache.
    fn cmd(&self, kind: Kind, n: usize, direct: bool) -> Command {
        // A fresh GOPATH for each run: go's messages differ once its VCS
        // cache exists.  The old one is moved aside, not emptied: git may
        // still be writing in it (a `gc --auto` it detached), and go's
        // messages name the path, so it must stay the same.
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let home = self.path().join(format!("home{n}"));
        if home.exists() {
            let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            std::fs::rename(&home, self.path().join(format!("old-home{n}-{run}"))).unwrap();
        }
        std::fs::create_dir_all(&home).unwrap();
        let mut c = Command::new(if direct {
            self.go.clone()
        } else {
            self.path().join("shim/go")
        });
        c.current_dir(self.module())
            .env_clear()
            .env("HOME", &home)
            .env("GOPATH", home.join("go"))
            .env("GOCACHE", home.join("cache"))
            .env("GOENV", "off")
            .env("GOFLAGS", "-modcacherw")
            .env("GOTOOLCHAIN", "local")
            .env("GOPRIVATE", "github.com/acme")
            .env("GIT_CONFIG_GLOBAL", self.path().join("gitconfig"))
            .env("GOTRIAGE_GO", &self.go)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("LANG", "C.UTF-8");
        match kind {
            Kind::Govcs => {
                c.env("PATH", "/usr/bin:/bin")
                    .env("GOVCS", "private:off")
                    .args(["get", "github.com/acme/api@v1.0.0"]);
            }
            Kind::NoGit => {
                // Nothing but the shim: no git anywhere.
                c.env("PATH", self.path().join("shim"))
                    .args(["mod", "download"])
                    .arg(format!("github.com/acme/tool@{TOKEN}"));
            }
            Kind::Refused => {
                c.env("PATH", "/usr/bin:/bin")
                    .args(["get", "github.com/acme/lib@v1.2.3"]);
            }
        }
        c
    }
}

fn run(mut c: Command) -> Output {
    c.output().unwrap()
}

/// The shim's run against go's own: same status and stdout, go's stderr
/// first and unchanged.  Returns what gotriage added.
fn added(through: &Output, direct: &Output) -> String {
    assert_eq!(
        through.status.code(),
        direct.status.code(),
        "{}",
        show(through)
    );
    assert_eq!(through.stdout, direct.stdout);
    let go = go_part(through, direct);
    // The two are separate runs of go, so curl's `after N ms` (how long the
    // refused connection took) may differ by a millisecond on a busy
    // machine: that figure is compared as `after $MS ms`.
    let ms = regex::bytes::Regex::new(r"after [0-9]+ ms").unwrap();
    assert_eq!(
        ms.replace_all(go, &b"after $MS ms"[..]),
        ms.replace_all(&direct.stderr, &b"after $MS ms"[..]),
        "go's own bytes must come first:\n{}",
        show(through)
    );
    String::from_utf8_lossy(&through.stderr[go.len()..]).into_owned()
}

/// go's own lines of the shim's run: as many as the direct run printed.
fn go_part<'a>(through: &'a Output, direct: &Output) -> &'a [u8] {
    let lines = direct.stderr.iter().filter(|&&b| b == b'\n').count();
    let end = through
        .stderr
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(lines.wrapping_sub(1))
        .map_or(0, |(i, _)| i + 1);
    &through.stderr[..end]
}

#[test]
fn event_log_under_8_parallel_failing_go_commands() {
    let w = World::new();
    let log = w.path().join("events.jsonl");
    let kinds = [Kind::Govcs, Kind::NoGit, Kind::Refused];
    let children: Vec<(Kind, std::process::Child)> = (0..8)
        .map(|n| {
            let kind = kinds[n % 3];
            let mut c = w.cmd(kind, n, false);
            c.env("GOTRIAGE_REPORT_JSON", &log)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            (kind, c.spawn().unwrap())
        })
        .collect();
    let mut want: Vec<&str> = Vec::new();
    for (kind, child) in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", show(&out));
        want.push(kind.id());
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.ends_with('\n'));
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON value: {e}: {l}")))
        .collect();
    assert_eq!(records.len(), 8, "{text}");
    let mut got: Vec<&str> = Vec::new();
    let time = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$").unwrap();
    for r in &records {
        assert_eq!(r["version"], 1, "{r}");
        assert!(time.is_match(r["time"].as_str().unwrap()), "{r}");
        assert_eq!(r["go_version"], w.go_version.as_str(), "{r}");
        assert_eq!(r["go"], w.go.to_str().unwrap(), "{r}");
        assert_eq!(r["argv"][0], "go", "{r}");
        assert_eq!(r["exit_status"], 1, "{r}");
        assert_eq!(r["signal"], Value::Null, "{r}");
        assert!(r["duration_ms"].is_u64(), "{r}");
        let module = std::fs::canonicalize(w.module()).unwrap();
        assert_eq!(r["module_dir"], module.to_str().unwrap(), "{r}");
        assert_eq!(r["dir"], module.to_str().unwrap(), "{r}");
        assert_eq!(r["ci"], Value::Null, "{r}");
        let first = &r["diagnoses"][0];
        got.push(first["id"].as_str().unwrap());
        for key in [
            "title",
            "confidence",
            "role",
            "evidence",
            "line",
            "module",
            "host",
            "fix",
        ] {
            assert!(first.get(key).is_some(), "{key} missing: {r}");
        }
    }
    assert!(
        !text.contains(&TOKEN[4..]),
        "a token in the event log:\n{text}"
    );
    assert!(text.contains("github.com/acme/tool@ghp_***"), "{text}");
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn event_record_holds_the_diagnoses_explain_gives() {
    let w = World::new();
    let log = w.path().join("events.jsonl");
    let direct = run(w.cmd(Kind::Refused, 0, true));
    let mut c = w.cmd(Kind::Refused, 0, false);
    c.env("GOTRIAGE_REPORT_JSON", &log);
    let through = run(c);
    added(&through, &direct);
    let record: Value =
        serde_json::from_str(std::fs::read_to_string(&log).unwrap().trim_end()).unwrap();
    // explain reads go's stderr as a saved log: no environment, so only
    // the environment-free fields are compared.
    let mut explain = Command::new(gotriage());
    explain
        .args(["explain", "-", "--format", "json"])
        .env("LANG", "C.UTF-8")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = explain.spawn().unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(go_part(&through, &direct))
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let explained: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pick = |v: &Value| -> Vec<(Value, Value, Value, Value)> {
        v["diagnoses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["id"].clone(),
                    d["evidence"].clone(),
                    d["line"].clone(),
                    d["role"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(pick(&record), pick(&explained), "{record}\n{explained}");
    assert_eq!(record["diagnoses"][0]["id"], "network-connect-failed");
}

#[test]
fn an_unwritable_event_log_changes_nothing_but_a_warning() {
    let w = World::new();
    let direct = run(w.cmd(Kind::Govcs, 0, true));
    let mut c = w.cmd(Kind::Govcs, 0, false);
    c.env(
        "GOTRIAGE_REPORT_JSON",
        w.path().join("no/such/dir/events.jsonl"),
    );
    let through = run(c);
    let added = added(&through, &direct);
    assert!(
        added.contains("gotriage: warning: cannot write the event log to ")
            && added.contains("no/such/dir/events.jsonl"),
        "{added}"
    );
    assert!(added.contains("error[govcs-disallowed]"), "{added}");
}

#[test]
fn config_file_report_json_appends_too() {
    let w = World::new();
    let log = w.path().join("from-config.jsonl");
    let cfg = w.path().join("config.toml");
    std::fs::write(&cfg, format!("report_json = {:?}\n", log.to_str().unwrap())).unwrap();
    for n in 0..2 {
        let mut c = w.cmd(Kind::Govcs, n, false);
        c.env("GOTRIAGE_CONFIG", &cfg);
        let out = run(c);
        assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    for l in text.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["diagnoses"][0]["id"], "govcs-disallowed");
    }
}

#[test]
fn gitlab_wraps_the_diagnosis_in_a_collapsed_section() {
    let w = World::new();
    let direct = run(w.cmd(Kind::Govcs, 0, true));
    let mut c = w.cmd(Kind::Govcs, 0, false);
    c.env("GITLAB_CI", "true");
    let through = run(c);
    let added = added(&through, &direct);
    let re = regex::Regex::new(
        r"^\n\x1b\[0Ksection_start:(\d+):(gotriage_\d+_\d+)\[collapsed=true\]\r\x1b\[0Kgotriage: error\[govcs-disallowed\]: [^\n\r\x1b]+\n(?s:(.*))\x1b\[0Ksection_end:(\d+):(gotriage_\d+_\d+)\r\x1b\[0K\n$",
    )
    .unwrap();
    let caps = re
        .captures(&added)
        .unwrap_or_else(|| panic!("no GitLab section around the diagnosis: {added:?}"));
    assert_eq!(&caps[1], &caps[4], "start and end times");
    assert_eq!(&caps[2], &caps[5], "start and end names");
    let body = &caps[3];
    assert!(
        body.starts_with("gotriage: error[govcs-disallowed]"),
        "{body}"
    );
    assert!(
        body.contains("go env -w GOVCS=github.com/acme:git"),
        "{body}"
    );

    // Not in GitLab: no markers.
    let plain = run(w.cmd(Kind::Govcs, 0, false));
    let plain_added = crate::ci_report::added(&plain, &direct);
    assert!(!plain_added.contains("section_start"), "{plain_added}");
    assert!(plain_added.starts_with("\ngotriage: error[govcs-disallowed]"));
}

/// A GitHub Actions step: its own summary file, the job's RUNNER_TEMP.
fn github(c: &mut Command, summary: &Path, runner_temp: &Path) {
    c.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", summary)
        .env("RUNNER_TEMP", runner_temp);
}

fn sections(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("### gotriage: `"))
        .map(|l| l.split('`').next().unwrap().to_owned())
        .collect()
}

#[test]
fn job_summary_has_one_section_per_distinct_diagnosis_across_steps() {
    let w = World::new();
    let temp = w.path().join("runner-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let step1 = w.path().join("step1.md");
    let step2 = w.path().join("step2.md");
    // Step 1: the same cause twice, another once.
    for (n, kind) in [(0, Kind::Govcs), (1, Kind::Govcs), (2, Kind::NoGit)] {
        let mut c = w.cmd(kind, n, false);
        github(&mut c, &step1, &temp);
        let out = run(c);
        assert_eq!(out.status.code(), Some(1), "{}", show(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("::error title=gotriage%3A "), "{err}");
    }
    // Step 2: the first cause again (already on the page), a new one.
    for (n, kind) in [(3, Kind::Govcs), (4, Kind::Refused)] {
        let mut c = w.cmd(kind, n, false);
        github(&mut c, &step2, &temp);
        run(c);
    }
    let s1 = std::fs::read_to_string(&step1).unwrap();
    let s2 = std::fs::read_to_string(&step2).unwrap();
    assert_eq!(sections(&s1), ["govcs-disallowed", "git-not-found"], "{s1}");
    assert_eq!(sections(&s2), ["network-connect-failed"], "{s2}");
    // What a section holds: cause, command, module and host, evidence, fix.
    assert!(
        s1.contains("**Command:** `go get github.com/acme/api@v1.0.0` (exit status 1)"),
        "{s1}"
    );
    assert!(
        s1.contains("- **module:** `github.com/acme/api v1.0.0`"),
        "{s1}"
    );
    assert!(s1.contains("- **host:** `github.com`"), "{s1}");
    assert!(
        s1.contains("  ```text\n  go: github.com/acme/api@v1.0.0: GOVCS disallows"),
        "{s1}"
    );
    assert!(
        s1.contains("`go env -w GOVCS=github.com/acme:git,private:off`"),
        "{s1}"
    );
    assert!(
        s1.contains("More: `gotriage explain govcs-disallowed`"),
        "{s1}"
    );
    // Redacted like everything else.
    assert!(!s1.contains(&TOKEN[4..]), "a token in the summary:\n{s1}");
    assert!(s1.contains("github.com/acme/tool@ghp_***"), "{s1}");
}

#[test]
fn job_summary_parallel_commands_write_one_section() {
    let w = World::new();
    let temp = w.path().join("runner-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let summary = w.path().join("step.md");
    let children: Vec<_> = (0..4)
        .map(|n| {
            let mut c = w.cmd(Kind::Govcs, n, false);
            github(&mut c, &summary, &temp);
            c.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            c.spawn().unwrap()
        })
        .collect();
    for mut ch in children {
        assert_eq!(ch.wait().unwrap().code(), Some(1));
    }
    let s = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(sections(&s), ["govcs-disallowed"], "{s}");
}

#[test]
fn job_summary_off_and_outside_github() {
    let w = World::new();
    let temp = w.path().join("runner-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let summary = w.path().join("step.md");
    let mut c = w.cmd(Kind::Govcs, 0, false);
    github(&mut c, &summary, &temp);
    c.env("GOTRIAGE_SUMMARY", "off");
    run(c);
    let mut c = w.cmd(Kind::Govcs, 1, false);
    c.env("GITHUB_STEP_SUMMARY", &summary); // no GITHUB_ACTIONS=true
    run(c);
    assert!(!summary.exists(), "{:?}", std::fs::read_to_string(&summary));
}

#[test]
fn job_summary_without_runner_temp_dedupes_within_the_file() {
    let w = World::new();
    let summary = w.path().join("step.md");
    for n in 0..2 {
        let mut c = w.cmd(Kind::Govcs, n, false);
        c.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary);
        run(c);
    }
    let s = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(sections(&s), ["govcs-disallowed"], "{s}");
}

#[test]
fn an_unwritable_summary_changes_nothing_but_a_warning() {
    let w = World::new();
    let direct = run(w.cmd(Kind::Govcs, 0, true));
    let mut c = w.cmd(Kind::Govcs, 0, false);
    github(&mut c, &w.path().join("no/such/step.md"), w.path());
    let added = added(&run(c), &direct);
    assert!(
        added.contains("gotriage: warning: cannot write the job summary to "),
        "{added}"
    );
    assert!(added.contains("error[govcs-disallowed]"), "{added}");
}
