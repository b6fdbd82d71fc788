//! The JSON event log: one line per diagnosed failure, appended to
//! `$GOTRIAGE_REPORT_JSON` (or the config file's `report_json`), for a
//! platform team's log pipeline (docs/ci.md, docs/json.md).
//!
//! Each record is built in memory and written with a single `write(2)` on a
//! descriptor opened with `O_APPEND`: on a local file system concurrent
//! appends of whole records do not interleave, so parallel go commands
//! (`make -j`, `go generate` fan-out, several jobs on one host) each leave
//! one whole line.  A short write is reported, never retried (a retry could
//! land between someone else's records).  A file that cannot be opened or
//! written costs a warning line; the go command's result is untouched.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::Shipment;
use crate::redact::redact_owned;

/// Version of the record's layout (a new field is not a new version).
pub const EVENT_VERSION: u32 = 1;

/// Where records go, if anywhere: the variable, then the config file.
pub fn path(s: &Shipment<'_>) -> Option<PathBuf> {
    crate::config::var_os(crate::config::vars::REPORT_JSON)
        .map(PathBuf::from)
        .or_else(|| s.config.report_json.clone())
}

/// Appends the record.  `Err` holds a warning line.
pub fn write(s: &Shipment<'_>) -> Result<(), String> {
    let Some(path) = path(s) else {
        return Ok(());
    };
    let record = record(s, SystemTime::now());
    let mut line = serde_json::to_vec(&record).unwrap_or_default();
    line.push(b'\n');
    append_line(&path, &line).map_err(|e| {
        format!(
            "gotriage: warning: cannot write the event log to {}: {e}\n",
            path.display()
        )
    })
}

/// One `write` of `line` at the end of `path` (created when missing).
/// Opened non-blocking: a FIFO nobody reads fails at once (`ENXIO`)
/// instead of holding the go command up; on a regular file it changes
/// nothing.
pub fn append_line(path: &Path, line: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, libc::O_NONBLOCK);
    let mut f = opts.open(path)?;
    let n = f.write(line)?;
    if n != line.len() {
        return Err(std::io::Error::other(format!(
            "short write ({n} of {} bytes)",
            line.len()
        )));
    }
    Ok(())
}

/// The record (docs/json.md, "The event log").
pub fn record(s: &Shipment<'_>, now: SystemTime) -> Value {
    let f = s.failure;
    let mut argv = vec![Value::String("go".to_owned())];
    argv.extend(
        f.args
            .iter()
            .map(|a| Value::String(redact_owned(&a.to_string_lossy()))),
    );
    let cwd = std::env::current_dir().ok().map(|d| go_dir(&d, f.args));
    let module_dir = cwd.as_deref().and_then(module_dir);
    let path_value = |p: &Path| Value::String(redact_owned(&p.to_string_lossy()));
    let mut diag = crate::render::json(s.diagnoses, s.lang);
    let diagnoses = diag
        .get_mut("diagnoses")
        .map(Value::take)
        .unwrap_or_else(|| json!([]));
    json!({
        "version": EVENT_VERSION,
        "time": rfc3339(now),
        "gotriage": env!("CARGO_PKG_VERSION"),
        "go": path_value(f.go),
        "go_version": go_version(f.go),
        "argv": argv,
        "exit_status": exit_code(f.status),
        "signal": signal(f.status),
        "duration_ms": u64::try_from(f.elapsed.as_millis()).unwrap_or(u64::MAX),
        "dir": cwd.as_deref().map(path_value),
        "module_dir": module_dir.as_deref().map(path_value),
        "ci": ci_system(s),
        "diagnoses": diagnoses,
    })
}

fn exit_code(status: std::process::ExitStatus) -> Option<i32> {
    status.code()
}

#[cfg(unix)]
fn signal(status: std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal(_: std::process::ExitStatus) -> Option<i32> {
    None
}

/// `github`, `gitlab`, another CI (`CI=true`), or `null`.
fn ci_system(s: &Shipment<'_>) -> Option<&'static str> {
    let env = |k: &str| match s.env.and_then(|e| e.get(k)) {
        Some(v) => Some(v.to_owned()),
        None => crate::config::var(k),
    };
    if env("GITHUB_ACTIONS").as_deref() == Some("true") {
        Some("github")
    } else if env("GITLAB_CI").as_deref() == Some("true") {
        Some("gitlab")
    } else if env("CI").is_some_and(|v| v == "true" || v == "1") {
        Some("other")
    } else {
        None
    }
}

/// Where go ran: `dir`, or the directory of a leading `-C DIR` (go's own
/// "change to dir first" flag, which must come first).
pub fn go_dir(dir: &Path, args: &[std::ffi::OsString]) -> PathBuf {
    let first = args.first().map(|a| a.to_string_lossy());
    let target = match first.as_deref() {
        Some("-C" | "--C") => args.get(1).map(PathBuf::from),
        Some(a) => a
            .strip_prefix("-C=")
            .or_else(|| a.strip_prefix("--C="))
            .map(PathBuf::from),
        None => None,
    };
    match target {
        Some(t) => dir.join(t),
        None => dir.to_path_buf(),
    }
}

/// The nearest directory at or above `dir` with a `go.mod` (where go looks).
pub fn module_dir(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join("go.mod").is_file())
        .map(Path::to_path_buf)
}

/// The version of the go that ran: the first line of `GOROOT/VERSION` next
/// to its binary (one read; every go distribution ships it), else
/// `go env GOVERSION` with `GOTOOLCHAIN=local` (one more go process, on the
/// failure path only), else `null`.
pub fn go_version(go: &Path) -> Option<String> {
    let real = std::fs::canonicalize(go).unwrap_or_else(|_| go.to_path_buf());
    if let Some(root) = real.parent().and_then(Path::parent)
        && let Ok(text) = std::fs::read_to_string(root.join("VERSION"))
        && let Some(first) = text.lines().next()
        && first.starts_with("go")
    {
        return Some(first.trim().to_owned());
    }
    let mut cmd = std::process::Command::new(go);
    cmd.args(["env", "GOVERSION"])
        .env("GOTOOLCHAIN", "local")
        .env(crate::config::vars::SWITCH, "off");
    let out = crate::exec::run(cmd, std::time::Duration::from_secs(5)).ok()?;
    let v = out.stdout_text().trim().to_owned();
    (out.success() && v.starts_with("go")).then_some(v)
}

/// `2026-12-04T12:47:58.123Z` (UTC, milliseconds).
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, day) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_of_known_instants() {
        let at = |s: u64, ms: u64| {
            rfc3339(UNIX_EPOCH + Duration::from_secs(s) + Duration::from_millis(ms))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        // date -u -d @951782400 → Tue Feb 29 00:00:00 UTC 2000
        assert_eq!(at(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        // date -u -d @1796388478 → Fri Dec  4 12:47:58 UTC 2026
        assert_eq!(at(1_796_388_478, 123), "2026-12-04T12:47:58.123Z");
        // date -u -d @4107542399 → Sun Feb 28 23:59:59 UTC 2100 (not a leap year)
        assert_eq!(at(4_107_542_399, 999), "2100-02-28T23:59:59.999Z");
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000Z");
        // date -u -d @4133980799 → Fri Dec 31 23:59:59 UTC 2100
        assert_eq!(at(4_133_980_799, 0), "2100-12-31T23:59:59.000Z");
    }

    #[test]
    fn module_dir_walks_up() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("go.mod"), "module m\n").unwrap();
        let sub = d.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(module_dir(&sub).as_deref(), Some(d.path()));
    }

    #[test]
    fn go_dir_follows_a_leading_dash_c() {
        let args = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        let d = Path::new("/w");
        assert_eq!(go_dir(d, &args(&["build"])), Path::new("/w"));
        assert_eq!(
            go_dir(d, &args(&["-C", "sub", "build"])),
            Path::new("/w/sub")
        );
        assert_eq!(go_dir(d, &args(&["-C=/abs", "build"])), Path::new("/abs"));
        assert_eq!(go_dir(d, &args(&["build", "-C", "x"])), Path::new("/w"));
    }

    #[cfg(unix)]
    #[test]
    fn append_line_does_not_wait_for_a_fifo_reader() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let e = append_line(&fifo, b"{}\n").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENXIO), "{e}");
    }

    #[test]
    fn append_line_reports_an_unwritable_path() {
        let d = tempfile::tempdir().unwrap();
        let e = append_line(&d.path().join("no/such/dir/log.jsonl"), b"{}\n").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    }
}
