//! End-to-end tests: the real go, run through the shim, against the failure
//! lab's real servers (`lab/`, `docs/lab.md`).
//!
//! For one representative scenario of every diagnosis ID (the `e2e` command(s)
//! of each `lab/scenarios/*.toml`), on the oldest and the newest Go of the
//! lab (and in Chinese on the newest, and in [`E2E_TRANSLATIONS`] on the
//! newest where the lab's fixtures show git's text translated), the same
//! command runs twice, each in
//! an identical fresh sandbox: once with the real go first on PATH, once
//! with a `go` link to the gotriage binary first.  The shim must pass go's
//! stderr through byte for byte (it may only append after it), leave stdout
//! alone and exit with go's status.  If the shim printed a diagnosis line
//! `gotriage: error[ID]:`, ID must be the scenario's expected ID; set
//! `GOTRIAGE_E2E_REQUIRE_DIAGNOSIS=1` (or flip [`REQUIRE_DIAGNOSIS`]) to make
//! the diagnosis mandatory.
//!
//! Needs root.  Uses a running lab (`lab/labctl start`) or starts one and
//! stops it (by PID) when done, also after failures.  Arguments filter the
//! cases by substring, as with libtest: `cargo test --test e2e -- ssh`.
//! `GOTRIAGE_E2E_JOBS` sets the parallelism (default 6).

#![allow(clippy::print_stdout)]
// Helpers are `pub` for sibling modules; the crate is a test binary.
#![allow(unreachable_pub)]

#[path = "../support/taxonomy.rs"]
mod taxonomy;

mod doctor;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Deserialize;

/// The classifier is wired into the shim: every case but `unclassified`
/// must print `gotriage: error[ID]:` with the scenario's ID.
const REQUIRE_DIAGNOSIS: bool = true;

/// A fast subset of git's other translations (Cyrillic, Hangul and a Latin
/// script): each runs the `e2e` commands whose lab transcript in that
/// language exists (`fixtures/lab/index.json`: git's text differs from English).
const E2E_TRANSLATIONS: [&str; 3] = ["de", "ru", "ko"];

fn require_diagnosis() -> bool {
    REQUIRE_DIAGNOSIS || std::env::var("GOTRIAGE_E2E_REQUIRE_DIAGNOSIS").is_ok_and(|v| v == "1")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn labctl() -> PathBuf {
    repo().join("lab/labctl")
}

/// The lab for the duration of the run: started here (and then stopped
/// here, on every path out of `main` that unwinds) unless one already runs.
#[derive(Debug)]
struct Lab {
    started: bool,
}

impl Lab {
    fn ensure() -> Lab {
        let running = Command::new(labctl())
            .arg("status")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if running {
            eprintln!("e2e: using the running lab");
            return Lab { started: false };
        }
        // Not running, or half running after an interrupted run: clear this
        // run directory's leftovers (by PID) and start afresh.
        let _ = Command::new(labctl())
            .arg("stop")
            .stderr(Stdio::null())
            .status();
        eprintln!("e2e: starting the lab");
        let ok = Command::new(labctl())
            .arg("start")
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "lab/labctl start failed (root? scripts/deps.sh?)");
        Lab { started: true }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.started {
            eprintln!("e2e: stopping the lab");
            let ok = Command::new(labctl())
                .arg("stop")
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!("e2e: lab/labctl stop reported a problem");
            }
        }
    }
}

/// One command of `lab/lab.py list --json`.
#[derive(Debug, Clone, Deserialize)]
struct ListedCommand {
    scenario: String,
    cmd: String,
    expected_id: String,
    e2e: bool,
    go_versions: Vec<String>,
}

#[derive(Debug, Clone)]
struct Case {
    scenario: String,
    cmd: String,
    expected_id: String,
    go: String,
    lang: &'static str,
}

impl Case {
    fn name(&self) -> String {
        format!("{}.{} go{} {}", self.scenario, self.cmd, self.go, self.lang)
    }
}

/// `result.json` of `lab.py run --save`.
#[derive(Debug, Deserialize)]
struct RunResult {
    exit: Option<i32>,
    error: Option<String>,
    go_path: Option<String>,
}

struct Run {
    result: RunResult,
    stderr: Vec<u8>,
    stdout: Vec<u8>,
}

fn lab_versions() -> Vec<String> {
    let conf = std::fs::read_to_string(repo().join("lab/lab.conf")).expect("lab/lab.conf");
    conf.lines()
        .find_map(|l| l.strip_prefix("LAB_GO_VERSIONS=\""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("LAB_GO_VERSIONS in lab.conf")
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn listed_commands() -> Vec<ListedCommand> {
    let out = Command::new("python3")
        .arg(repo().join("lab/lab.py"))
        .args(["list", "--json"])
        .output()
        .expect("python3 lab/lab.py list");
    assert!(
        out.status.success(),
        "lab.py list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("lab.py list --json output")
}

/// `(scenario, cmd, go, lang)` of every lab transcript.
fn transcribed() -> BTreeSet<(String, String, String, String)> {
    #[derive(Deserialize)]
    struct Index {
        transcripts: Vec<T>,
    }
    #[derive(Deserialize)]
    struct T {
        scenario: String,
        cmd: String,
        go_version: String,
        lang: String,
    }
    let text = std::fs::read_to_string(repo().join("fixtures/lab/index.json"))
        .expect("fixtures/lab/index.json");
    let index: Index = serde_json::from_str(&text).expect("fixtures/lab/index.json");
    index
        .transcripts
        .into_iter()
        .map(|t| (t.scenario, t.cmd, t.go_version, t.lang))
        .collect()
}

/// The representative command of every scenario, on the oldest and newest
/// Go (English), and on the newest in Chinese and in [`E2E_TRANSLATIONS`]
/// (where git's text is translated).
fn cases(listed: &[ListedCommand], versions: &[String]) -> Vec<Case> {
    let oldest = versions.first().expect("versions");
    let newest = versions.last().expect("versions");
    let transcribed = transcribed();
    let mut cases = Vec::new();
    for c in listed.iter().filter(|c| c.e2e) {
        let translated = E2E_TRANSLATIONS.into_iter().filter(|lang| {
            transcribed.contains(&(
                c.scenario.clone(),
                c.cmd.clone(),
                newest.clone(),
                (*lang).to_owned(),
            ))
        });
        let runs = [(oldest, "en"), (newest, "en"), (newest, "zh")]
            .into_iter()
            .chain(translated.map(|l| (newest, l)));
        for (go, lang) in runs {
            if c.go_versions.contains(go) {
                cases.push(Case {
                    scenario: c.scenario.clone(),
                    cmd: c.cmd.clone(),
                    expected_id: c.expected_id.clone(),
                    go: go.clone(),
                    lang,
                });
            }
        }
    }
    cases
}

/// Every taxonomy ID has a representative on the newest Go, and on the
/// oldest unless none of its commands applies there.
fn coverage_problems(listed: &[ListedCommand], cases: &[Case], versions: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for id in taxonomy::TAXONOMY {
        for go in [versions.first(), versions.last()].into_iter().flatten() {
            let covered = cases.iter().any(|c| c.expected_id == *id && &c.go == go);
            let possible = listed
                .iter()
                .any(|c| c.expected_id == *id && c.go_versions.contains(go));
            if !covered && possible {
                problems.push(format!(
                    "no e2e case for {id} on go {go}: mark a command `e2e` in its scenario"
                ));
            }
        }
    }
    problems
}

fn run(case: &Case, shim: Option<&Path>, dir: &Path) -> Result<Run, String> {
    let mut cmd = Command::new("python3");
    cmd.arg(repo().join("lab/lab.py"))
        .args([
            "run",
            &case.scenario,
            &case.cmd,
            "--go",
            &case.go,
            "--lang",
            case.lang,
        ])
        .arg("--save")
        .arg(dir);
    if let Some(shim) = shim {
        cmd.arg("--shim").arg(shim);
    }
    let out = cmd.output().map_err(|e| format!("lab.py run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "lab.py run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    let result: RunResult =
        serde_json::from_slice(&read("result.json")?).map_err(|e| e.to_string())?;
    if let Some(e) = &result.error {
        return Err(format!("the lab run failed: {e}"));
    }
    Ok(Run {
        result,
        stderr: read("stderr")?,
        stdout: read("stdout")?,
    })
}

/// The ID of the first `gotriage: error[ID]:` line in `text`.
fn diagnosis_id(text: &str) -> Option<String> {
    let start = text.find("gotriage: error[")? + "gotriage: error[".len();
    let rest = &text[start..];
    let end = rest.find("]:")?;
    let id = &rest[..end];
    id.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        .then(|| id.to_owned())
}

/// Checks one case: what the shim added, if anything, comes after go's own
/// output, which it left untouched.  Returns the diagnosis ID it printed.
fn check(case: &Case, direct: &Run, shim: &Run, shim_bin: &Path) -> Result<Option<String>, String> {
    let mut problems = Vec::new();
    let direct_go = direct.result.go_path.as_deref().unwrap_or_default();
    let shim_go = shim.result.go_path.as_deref().unwrap_or_default();
    let shim_target = shim_bin
        .canonicalize()
        .unwrap_or_else(|_| shim_bin.to_path_buf());
    if !shim_go.ends_with(&*shim_target.to_string_lossy()) {
        problems.push(format!(
            "the shim run's go is {shim_go}, not the gotriage binary"
        ));
    }
    if direct_go.ends_with(&*shim_target.to_string_lossy()) {
        problems.push(format!("the direct run's go is the shim ({direct_go})"));
    }
    if direct.result.exit != shim.result.exit {
        problems.push(format!(
            "exit status: go {:?}, through the shim {:?}",
            direct.result.exit, shim.result.exit
        ));
    }
    if direct.result.exit == Some(0) {
        problems.push("go succeeded: the scenario no longer fails".to_owned());
    }
    if direct.stdout != shim.stdout {
        problems.push(format!(
            "stdout differs:\n--- go\n{}\n--- through the shim\n{}",
            String::from_utf8_lossy(&direct.stdout),
            String::from_utf8_lossy(&shim.stdout)
        ));
    }
    let mut id = None;
    if let Some(added) = shim.stderr.strip_prefix(direct.stderr.as_slice()) {
        let added = String::from_utf8_lossy(added);
        id = diagnosis_id(&added);
        match &id {
            Some(id) if *id != case.expected_id => problems.push(format!(
                "the shim diagnosed {id}, the lab expects {}:\n{added}",
                case.expected_id
            )),
            None if require_diagnosis() && case.expected_id != "unclassified" => {
                problems.push(format!(
                    "no `gotriage: error[{}]:` line (diagnosis required); the shim added:\n{added}",
                    case.expected_id
                ))
            }
            _ => {}
        }
    } else {
        problems.push(format!(
            "go's stderr was not passed through unchanged:\n--- go\n{}\n--- through the shim\n{}",
            String::from_utf8_lossy(&direct.stderr),
            String::from_utf8_lossy(&shim.stderr)
        ));
    }
    if problems.is_empty() {
        Ok(id)
    } else {
        Err(problems.join("\n"))
    }
}

/// The checks must be able to fail: run them on doctored results first.
fn self_test(shim_bin: &Path) {
    let case = Case {
        scenario: "s".into(),
        cmd: "c".into(),
        expected_id: "ssh-publickey-denied".into(),
        go: "1.27.3".into(),
        lang: "en",
    };
    let shim_go = format!(
        "/x/shim/go -> {}",
        shim_bin.canonicalize().unwrap_or_default().display()
    );
    let mk = |go: &str, exit: i32, stderr: &str, stdout: &str| Run {
        result: RunResult {
            exit: Some(exit),
            error: None,
            go_path: Some(go.to_owned()),
        },
        stderr: stderr.as_bytes().to_vec(),
        stdout: stdout.as_bytes().to_vec(),
    };
    let go_err = "go: x@v1: git ls-remote: exit status 128:\n\tPermission denied (publickey).\n";
    let direct = mk("/go/bin/go -> /go/bin/go", 1, go_err, "");
    let good = mk(
        &shim_go,
        1,
        &format!("{go_err}gotriage: error[ssh-publickey-denied]: ...\n"),
        "",
    );
    assert_eq!(
        check(&case, &direct, &good, shim_bin),
        Ok(Some("ssh-publickey-denied".to_owned())),
        "self-test: a correct run must pass"
    );
    let bad = [
        mk(&shim_go, 2, go_err, ""),
        mk(&shim_go, 1, &go_err.replace("128", "1"), ""),
        mk(&shim_go, 1, &format!("gotriage: note\n{go_err}"), ""),
        mk(&shim_go, 1, go_err, "extra"),
        mk(
            &shim_go,
            1,
            &format!("{go_err}gotriage: error[repo-not-found]: ...\n"),
            "",
        ),
        mk("/go/bin/go -> /go/bin/go", 1, go_err, ""),
    ];
    for (i, b) in bad.iter().enumerate() {
        assert!(
            check(&case, &direct, b, shim_bin).is_err(),
            "self-test: doctored run {i} passed"
        );
    }
    assert_eq!(
        diagnosis_id("x\ngotriage: error[tls-certificate]: y"),
        Some("tls-certificate".into())
    );
    assert_eq!(diagnosis_id("gotriage: error[Bad ID]: y"), None);
}

fn main() {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let shim_bin = PathBuf::from(env!("CARGO_BIN_EXE_gotriage"));
    self_test(&shim_bin);
    let versions = lab_versions();
    let listed = listed_commands();
    let all = cases(&listed, &versions);
    let coverage = coverage_problems(&listed, &all, &versions);
    let cases: Vec<Case> = all
        .into_iter()
        .filter(|c| filters.is_empty() || filters.iter().any(|f| c.name().contains(f.as_str())))
        .collect();

    let lab = Lab::ensure();
    let work = tempfile::tempdir().expect("tempdir");
    let jobs: usize = std::env::var("GOTRIAGE_E2E_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or(6)
        .max(1);
    println!("\nrunning {} e2e cases ({jobs} at a time)", cases.len());
    let t0 = Instant::now();
    let next = AtomicUsize::new(0);
    let failures = Arc::new(Mutex::new(Vec::new()));
    let diagnosed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs.min(cases.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let start = Instant::now();
                    let dir = work.path().join(i.to_string());
                    let outcome = std::thread::scope(|inner| {
                        let d = inner.spawn(|| run(case, None, &dir.join("direct")));
                        let sh = run(case, Some(&shim_bin), &dir.join("shim"));
                        let d = d.join().unwrap_or_else(|_| Err("panicked".to_owned()));
                        match (d, sh) {
                            (Ok(d), Ok(sh)) => check(case, &d, &sh, &shim_bin),
                            (Err(e), _) => Err(format!("direct run: {e}")),
                            (_, Err(e)) => Err(format!("shim run: {e}")),
                        }
                    });
                    let secs = start.elapsed().as_secs_f64();
                    match outcome {
                        Ok(id) => {
                            let note = id.map_or(String::new(), |id| {
                                diagnosed.fetch_add(1, Ordering::SeqCst);
                                format!(" [{id}]")
                            });
                            println!("test {} ... ok ({secs:.1}s){note}", case.name());
                        }
                        Err(e) => {
                            println!("test {} ... FAILED ({secs:.1}s)", case.name());
                            failures
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(format!("---- {} ----\n{e}", case.name()));
                        }
                    }
                }
            });
        }
    });
    // `gotriage doctor` against the same lab (tests/e2e/doctor.rs).
    let (doctor_passed, doctor_failures) = doctor::run(&filters, &shim_bin);
    drop(lab);

    let mut failures = std::mem::take(&mut *failures.lock().unwrap_or_else(|p| p.into_inner()));
    failures.extend(doctor_failures);
    if filters.is_empty() {
        failures.extend(
            coverage
                .into_iter()
                .map(|p| format!("---- coverage ----\n{p}")),
        );
    }
    let ids: BTreeSet<&str> = cases.iter().map(|c| c.expected_id.as_str()).collect();
    println!(
        "\n{} cases covering {} IDs, {} with a diagnosis line (required: {}), {:.0}s",
        cases.len(),
        ids.len(),
        diagnosed.load(Ordering::SeqCst),
        require_diagnosis(),
        t0.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        println!(
            "test result: ok. {} passed; 0 failed\n",
            cases.len() + doctor_passed
        );
    } else {
        println!("\nfailures:\n\n{}\n", failures.join("\n\n"));
        println!("test result: FAILED. {} failed\n", failures.len());
        std::process::exit(101);
    }
}
