//! `gotriage install` / `uninstall`: a `go` link to this binary in a shim
//! directory, and nothing else.
//!
//! The link is a symlink to the gotriage binary (a hard link where symlinks
//! are not possible).  Install is idempotent, repoints a link left by an
//! older gotriage, and never replaces anything else: a real go binary, or a
//! link that leads to one, is refused with the file named.  Uninstall
//! removes only what install would have made.

use std::io;
use std::path::{Path, PathBuf};

use super::{EXIT_USAGE, InstallArgs};
use crate::config;
use crate::shim::locate::as_this_gotriage;

/// The default shim directory: `$XDG_DATA_HOME/gotriage/bin`.
pub(super) fn default_dir() -> Option<PathBuf> {
    config::data_dir().map(|d| d.join("bin"))
}

/// The shim directory from `--dir` or the default, made absolute.
pub(super) fn shim_dir(arg: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match arg {
        Some(d) => d.to_owned(),
        None => default_dir()
            .ok_or("cannot tell where the data directory is: set HOME or pass --dir")?,
    };
    if dir.is_absolute() {
        Ok(dir)
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(&dir))
            .map_err(|e| format!("{}: {e}", dir.display()))
    }
}

fn shim_name() -> &'static str {
    if cfg!(windows) { "go.exe" } else { "go" }
}

/// What is at the shim's path now.
#[derive(Debug, PartialEq, Eq)]
enum Existing {
    Nothing,
    /// A link (or copy) that is this gotriage.
    Ours,
    /// A symlink to a file named gotriage that is not this one (an older
    /// install, possibly gone): safe to repoint.
    OtherGotriage(PathBuf),
    /// Anything else: a real go, a script, a link to one.
    Foreign(String),
}

fn inspect(link: &Path, exe: &Path) -> io::Result<Existing> {
    let meta = match std::fs::symlink_metadata(link) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(e),
    };
    if as_this_gotriage(link, exe).is_some() {
        return Ok(Existing::Ours);
    }
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(link)?;
        let named_gotriage = target
            .file_stem()
            .is_some_and(|s| s.to_string_lossy().starts_with("gotriage"));
        if named_gotriage {
            return Ok(Existing::OtherGotriage(target));
        }
        return Ok(Existing::Foreign(format!(
            "it is a link to {}, not to gotriage",
            target.display()
        )));
    }
    Ok(Existing::Foreign(
        "it is a file, not a link to gotriage (a real go binary?)".into(),
    ))
}

/// Makes `link` point at `exe`, replacing atomically (a temporary link
/// renamed over the old one).
fn place_link(link: &Path, exe: &Path) -> io::Result<&'static str> {
    let dir = link.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".go.gotriage-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    #[cfg(unix)]
    let kind = match std::os::unix::fs::symlink(exe, &tmp) {
        Ok(()) => "symlink",
        Err(_) => {
            std::fs::hard_link(exe, &tmp)?;
            "hard link"
        }
    };
    #[cfg(not(unix))]
    let kind = {
        std::fs::hard_link(exe, &tmp).or_else(|_| std::fs::copy(exe, &tmp).map(|_| ()))?;
        "hard link"
    };
    if let Err(e) = std::fs::rename(&tmp, link) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(kind)
}

pub(super) fn install(args: &InstallArgs) -> i32 {
    finish(run_install(args.dir.as_deref()))
}

/// Prints what happened (stdout) or why not (stderr); the exit status.
fn finish(result: Result<String, String>) -> i32 {
    match result {
        Ok(msg) => {
            anstream::print!("{msg}");
            0
        }
        Err(msg) => {
            eprintln!("gotriage: error: {msg}");
            EXIT_USAGE
        }
    }
}

fn run_install(dir: Option<&Path>) -> Result<String, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the gotriage binary: {e}"))?;
    let dir = shim_dir(dir)?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let link = dir.join(shim_name());
    let mut out = String::new();
    match inspect(&link, &exe).map_err(|e| format!("{}: {e}", link.display()))? {
        Existing::Ours => {
            out.push_str(&format!(
                "{} already runs gotriage ({})\n",
                link.display(),
                exe.display()
            ));
        }
        Existing::Foreign(why) => {
            return Err(format!(
                "refusing to replace {}: {why}; nothing was changed \
                 (choose another directory with --dir)",
                link.display()
            ));
        }
        existing => {
            let kind = place_link(&link, &exe)
                .map_err(|e| format!("cannot create {}: {e}", link.display()))?;
            match existing {
                Existing::OtherGotriage(old) => out.push_str(&format!(
                    "repointed {} from {} to {} ({kind})\n",
                    link.display(),
                    old.display(),
                    exe.display()
                )),
                _ => out.push_str(&format!(
                    "created {} -> {} ({kind})\n",
                    link.display(),
                    exe.display()
                )),
            }
        }
    }
    out.push_str(&path_advice(&dir));
    Ok(out)
}

/// Where the shim directory stands on PATH, and the one line that fixes it.
fn path_advice(dir: &Path) -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let entries: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let first_go = entries.iter().position(|e| e.join(shim_name()).is_file());
    let ours = entries.iter().position(|e| e == dir);
    let line = format!("export PATH=\"{}:$PATH\"", dir.display());
    match ours {
        Some(i) if first_go.is_none_or(|g| i <= g) => format!(
            "{} is on PATH ahead of any other go: `go` now runs through gotriage\n",
            dir.display()
        ),
        Some(_) => format!(
            "{} is on PATH, but behind another go; put it first:\n  {line}\n\
             or add `eval \"$(gotriage init bash)\"` (zsh, fish, sh: see `gotriage init --help`) \
             at the end of your shell profile\n",
            dir.display()
        ),
        None => format!(
            "add the shim directory to the front of PATH:\n  {line}\n\
             or add `eval \"$(gotriage init bash)\"` (zsh, fish, sh: see `gotriage init --help`) \
             at the end of your shell profile\n"
        ),
    }
}

pub(super) fn uninstall(args: &InstallArgs) -> i32 {
    finish(run_uninstall(args.dir.as_deref()))
}

fn run_uninstall(dir: Option<&Path>) -> Result<String, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the gotriage binary: {e}"))?;
    let dir = shim_dir(dir)?;
    let link = dir.join(shim_name());
    let mut out = String::new();
    match inspect(&link, &exe).map_err(|e| format!("{}: {e}", link.display()))? {
        Existing::Nothing => out.push_str(&format!(
            "nothing to remove: {} does not exist\n",
            link.display()
        )),
        Existing::Ours | Existing::OtherGotriage(_) => {
            std::fs::remove_file(&link)
                .map_err(|e| format!("cannot remove {}: {e}", link.display()))?;
            out.push_str(&format!("removed {}\n", link.display()));
            if std::fs::remove_dir(&dir).is_ok() {
                out.push_str(&format!("removed the empty directory {}\n", dir.display()));
            }
            out.push_str("if your shell profile runs `gotriage init`, remove that line too\n");
        }
        Existing::Foreign(why) => {
            return Err(format!("left {} alone: {why}", link.display()));
        }
    }
    Ok(out)
}
