//! `gotriage which`: which real go the shim runs, why, and whether the shim
//! is in front of go in this shell.

use std::path::{Path, PathBuf};

use super::{Format, WhichArgs, install};
use crate::config::{self, vars};
use crate::shim::locate::{self, Lookup, Source};
use crate::shim::{Mode, mode_from_env};

/// What `which` reports.
#[derive(Debug, serde::Serialize)]
struct Report {
    /// The real go, or null.
    go: Option<PathBuf>,
    /// Its version from GOROOT/VERSION.
    version: Option<String>,
    /// How it was found: "env", "config", "path".
    source: Option<&'static str>,
    /// Human-readable reason.
    reason: String,
    /// Candidates passed over: [path, why].
    skipped: Vec<(PathBuf, String)>,
    warnings: Vec<String>,
    /// "path", "alias", or "inactive".
    shim: &'static str,
    /// What `go` on PATH is.
    go_on_path: Option<PathBuf>,
    /// "tee", "nested", "off".
    mode: &'static str,
    /// PATH entries whose `go` is this gotriage, in PATH order.
    shim_on_path: Vec<ShimEntry>,
    /// What stands in the way, or is odd, about the shim on this PATH.
    notes: Vec<String>,
}

/// A PATH entry holding a `go` that is this gotriage.
#[derive(Debug, serde::Serialize)]
struct ShimEntry {
    /// 1-based position on PATH.
    entry: usize,
    path: PathBuf,
}

pub(super) fn run(args: &WhichArgs) -> i32 {
    let self_exe = std::env::current_exe().ok();
    let lookup = Lookup::from_env(None);
    let found = lookup.find();
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let go_on_path = lookup.first_on_path(&path_var);
    let on_path_is_us = match (&go_on_path, &self_exe) {
        (Some(p), Some(me)) => locate::as_this_gotriage(p, me).is_some(),
        _ => false,
    };
    let shim = if on_path_is_us {
        "path"
    } else if config::var(vars::INIT_MODE).as_deref() == Some("alias") {
        "alias"
    } else {
        "inactive"
    };
    let (mode, depth) = mode_from_env();
    let mode_name = match mode {
        Mode::Tee => "tee",
        Mode::Nested => "nested",
        Mode::Off => "off",
    };
    let path_entries: Vec<PathBuf> = std::env::split_paths(&path_var).collect();
    let names = lookup.names();
    let shim_on_path: Vec<ShimEntry> = match &self_exe {
        Some(me) => path_entries
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.as_os_str().is_empty())
            .filter(|(_, d)| {
                names
                    .iter()
                    .any(|n| locate::as_this_gotriage(&d.join(n), me).is_some())
            })
            .map(|(i, d)| ShimEntry {
                entry: i + 1,
                path: d.clone(),
            })
            .collect(),
        None => Vec::new(),
    };
    let notes = path_notes(&path_var, &shim_on_path, shim, self_exe.as_deref());
    let report = match &found {
        Ok(f) => Report {
            go: Some(f.path.clone()),
            version: locate::toolchain_version(&f.path),
            source: Some(match f.source {
                Source::Env => "env",
                Source::Config(_) => "config",
                Source::Path(_) => "path",
            }),
            reason: match &f.source {
                Source::Env => format!("{} is set", vars::GO),
                Source::Config(p) => format!("`go` key in {}", p.display()),
                Source::Path(i) => format!(
                    "first go on PATH that is not gotriage (entry {} of {}: {})",
                    i + 1,
                    path_entries.len(),
                    path_entries
                        .get(*i)
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            },
            skipped: f
                .skipped
                .iter()
                .map(|s| (s.path.clone(), s.reason.to_string()))
                .collect(),
            warnings: f.warnings.clone(),
            shim,
            go_on_path: go_on_path.clone(),
            mode: mode_name,
            shim_on_path,
            notes,
        },
        Err(nf) => Report {
            go: None,
            version: None,
            source: None,
            reason: nf.to_string(),
            skipped: nf
                .skipped
                .iter()
                .map(|s| (s.path.clone(), s.reason.to_string()))
                .collect(),
            warnings: nf.warnings.clone(),
            shim,
            go_on_path: go_on_path.clone(),
            mode: mode_name,
            shim_on_path,
            notes,
        },
    };
    match args.format {
        Format::Json => {
            let mut v = serde_json::to_value(&report).unwrap_or_default();
            v["version_schema"] = 1.into();
            anstream::println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => print_text(&report, depth),
    }
    if report.go.is_some() {
        0
    } else {
        crate::shim::EXIT_NOT_FOUND
    }
}

fn print_text(r: &Report, depth: u32) {
    use anstream::println;
    match &r.go {
        Some(go) => println!(
            "real go:  {} ({})",
            go.display(),
            r.version.as_deref().unwrap_or("version unknown")
        ),
        None => println!("real go:  not found"),
    }
    println!("found by: {}", r.reason);
    for (path, why) in &r.skipped {
        println!("          skipped {}: {why}", path.display());
    }
    for w in &r.warnings {
        println!("warning:  {w}");
    }
    let on_path = r
        .go_on_path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "nothing".into());
    match r.shim {
        "path" => println!("shim:     active: `go` on PATH is {on_path}, this gotriage"),
        "alias" => println!(
            "shim:     alias mode ({}=alias): interactive `go` runs `gotriage go`; scripts see {on_path}",
            vars::INIT_MODE
        ),
        _ if !r.shim_on_path.is_empty() => {
            println!("shim:     not active: `go` on PATH is {on_path}, in front of the shim")
        }
        _ if !r.notes.is_empty() => println!("shim:     not active: `go` on PATH is {on_path}"),
        _ => println!(
            "shim:     not active: `go` on PATH is {on_path}\n          \
             to activate: gotriage install, then add the printed directory to PATH first"
        ),
    }
    for n in &r.notes {
        println!("note:     {n}");
    }
    match r.mode {
        "off" => println!("mode:     GOTRIAGE=off: the shim execs the real go, no diagnosis"),
        "nested" => println!(
            "mode:     nested (GOTRIAGE_DEPTH={depth}): the shim execs the real go; the outer one diagnoses"
        ),
        _ => println!("mode:     tee stderr, diagnose failures"),
    }
}

/// Why the shim is or is not in front of go on this PATH, beyond the
/// one-line verdict: a shim directory behind the real go (a profile that
/// prepends a toolchain after `gotriage init` ran, or a Docker image whose
/// PATH puts `/usr/local/go/bin` first), the same shim directory listed more
/// than once, `GOTRIAGE_INIT=path` in an environment whose PATH lost it, or
/// an installed shim directory that is not on PATH at all.
fn path_notes(
    path_var: &std::ffi::OsStr,
    shims: &[ShimEntry],
    shim: &str,
    me: Option<&Path>,
) -> Vec<String> {
    let mut notes = Vec::new();
    let default_dir = install::default_dir();
    if let (Some(first), Some(me)) = (shims.first(), me) {
        let st = install::PathState::of(path_var, &first.path, me);
        if st.entries.len() > 1 {
            let list: Vec<String> = st.entries.iter().map(|i| (i + 1).to_string()).collect();
            notes.push(format!(
                "{} is on PATH {} times (entries {}); harmless, and `gotriage init` keeps only \
                 the first",
                first.path.display(),
                st.entries.len(),
                list.join(", ")
            ));
        }
        if shim != "path" {
            let real = st
                .shadowed_by
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "another go".into());
            let dir_flag = if default_dir
                .as_deref()
                .is_some_and(|d| install::same_dir(d, &first.path))
            {
                String::new()
            } else {
                format!(
                    " --dir {}",
                    install::sh_quote(&first.path.to_string_lossy())
                )
            };
            notes.push(format!(
                "the shim in {} (PATH entry {}) is behind {real}, which runs instead; \
                 put the directory first: eval \"$(gotriage init bash{dir_flag})\" at the end of \
                 your profile, or ENV PATH={}:$PATH in a Dockerfile",
                first.path.display(),
                first.entry,
                first.path.display()
            ));
        }
    } else if shim != "path" {
        if config::var(vars::INIT_MODE).as_deref() == Some("path") {
            notes.push(format!(
                "{}=path, but no shim directory is on PATH: something reset PATH after \
                 `gotriage init` ran (put the init line at the end of your profile)",
                vars::INIT_MODE
            ));
        }
        let installed = default_dir.filter(|d| {
            me.is_some_and(|me| {
                locate::as_this_gotriage(&d.join(install::shim_name()), me).is_some()
            })
        });
        if let Some(dir) = installed {
            notes.push(format!(
                "`gotriage install` made {}, but that directory is not on PATH: {}",
                dir.join(install::shim_name()).display(),
                install::export_line(&dir)
            ));
        }
    }
    notes
}
