//! `gotriage install` / `uninstall`: a `go` link to this binary in a shim
//! directory, and nothing else.
//!
//! The link is a symlink to the gotriage binary (a hard link where symlinks
//! are not possible).  Install is idempotent, repoints a link left by an
//! older gotriage, and never replaces anything else: a real go binary, any
//! other file named `go`, or a link that leads elsewhere is refused with the
//! file named.  Uninstall removes only what install would have made.
//! Neither edits a shell profile: they print the line to add or remove.
//!
//! Exit status: 0 done (including "already installed" and "nothing to
//! remove"), 2 refused (something else is named `go` there), bad `--dir`, or
//! an I/O error.

use std::fmt::Write as _;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::{EXIT_USAGE, InstallArgs};
use crate::config;
use crate::shim::locate::as_this_gotriage;

/// The default shim directory: `$XDG_DATA_HOME/gotriage/bin`
/// (`%LOCALAPPDATA%\gotriage\bin` on Windows).
pub(super) fn default_dir() -> Option<PathBuf> {
    config::data_dir().map(|d| d.join("bin"))
}

/// The shim directory from `--dir` or the default: absolute, without `.`
/// parts or a trailing `/` (so that the PATH entry the snippet writes and
/// the one it looks for are the same string), and fit for PATH.
pub(super) fn shim_dir(arg: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match arg {
        Some(d) if d.as_os_str().is_empty() => {
            return Err("--dir is empty; give a directory".into());
        }
        Some(d) => d.to_owned(),
        None => default_dir()
            .ok_or("cannot tell where the data directory is: set HOME or pass --dir")?,
    };
    let dir = if dir.is_absolute() {
        dir
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(&dir))
            .map_err(|e| format!("{}: {e}", dir.display()))?
    };
    let dir: PathBuf = dir
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    // PATH has no quoting: a directory whose name holds the separator can
    // never be an entry of it.
    let sep = if cfg!(windows) { ';' } else { ':' };
    if dir.to_string_lossy().contains(sep) {
        return Err(format!(
            "{}: the name contains `{sep}`, the PATH separator, so it cannot be put on PATH; \
             choose another --dir",
            dir.display()
        ));
    }
    Ok(dir)
}

/// The gotriage binary as the user reaches it, and whether that is through
/// PATH: the `gotriage` on PATH that is this binary (a stable path such as
/// `~/.cargo/bin/gotriage`, or a package manager's link), else the
/// executable's own path.  `current_exe` alone resolves symlinks and would
/// freeze a versioned install path into the link and the profile, which
/// breaks on the next upgrade (mise uses argv[0] + PATH for this reason).
pub(super) fn this_gotriage() -> Result<(PathBuf, bool), String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the gotriage binary: {e}"))?;
    let name = if cfg!(windows) {
        "gotriage.exe"
    } else {
        "gotriage"
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(name))
        .find(|c| as_this_gotriage(c, &exe).is_some());
    Ok(match on_path {
        Some(p) => (p, true),
        None => (exe, false),
    })
}

pub(super) fn shim_name() -> &'static str {
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
    if meta.is_dir() {
        return Ok(Existing::Foreign("it is a directory".into()));
    }
    Ok(Existing::Foreign(
        "it is a file, not a link to gotriage (a real go binary?)".into(),
    ))
}

/// How the link was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    Symlink,
    HardLink,
}

impl std::fmt::Display for LinkKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LinkKind::Symlink => "symlink",
            LinkKind::HardLink => "hard link",
        })
    }
}

/// Makes `link` point at `exe`: a symlink, or a hard link where the file
/// system refuses symlinks.  The old link is replaced atomically (a
/// temporary link renamed over it), so `go` never goes missing mid-way.
fn place_link(link: &Path, exe: &Path) -> io::Result<LinkKind> {
    place_link_with(link, exe, symlink)
}

#[cfg(unix)]
fn symlink(target: &Path, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

#[cfg(windows)]
fn symlink(target: &Path, at: &Path) -> io::Result<()> {
    // Needs Developer Mode or admin rights; the hard link is the usual result.
    std::os::windows::fs::symlink_file(target, at)
}

fn place_link_with(
    link: &Path,
    exe: &Path,
    symlink: impl FnOnce(&Path, &Path) -> io::Result<()>,
) -> io::Result<LinkKind> {
    let dir = link.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".go.gotriage-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    // A symlink is trusted only once it is there: Wine's CreateSymbolicLinkW
    // reports success and creates nothing.
    let made = symlink(exe, &tmp).and_then(|()| std::fs::symlink_metadata(&tmp).map(|_| ()));
    let kind = match made {
        Ok(()) => LinkKind::Symlink,
        Err(symlink_err) => match std::fs::hard_link(exe, &tmp) {
            Ok(()) => LinkKind::HardLink,
            // Report why the preferred kind failed, and the fallback too.
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("symlink: {symlink_err}; hard link: {e}"),
                ));
            }
        },
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

pub(super) fn uninstall(args: &InstallArgs) -> i32 {
    finish(run_uninstall(args.dir.as_deref()))
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

fn run_install(dir_arg: Option<&Path>) -> Result<String, String> {
    let (exe, exe_on_path) = this_gotriage()?;
    let dir = shim_dir(dir_arg)?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let link = dir.join(shim_name());
    let mut out = String::new();
    match inspect(&link, &exe).map_err(|e| format!("{}: {e}", link.display()))? {
        Existing::Ours => {
            let _ = writeln!(
                out,
                "{} already runs gotriage ({}); nothing to do",
                link.display(),
                exe.display()
            );
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
            let _ = match existing {
                Existing::OtherGotriage(old) => writeln!(
                    out,
                    "repointed {} from {} to {} ({kind})",
                    link.display(),
                    old.display(),
                    exe.display()
                ),
                _ => writeln!(
                    out,
                    "created {} -> {} ({kind})",
                    link.display(),
                    exe.display()
                ),
            };
        }
    }
    let how = InitHint {
        dir: &dir,
        custom_dir: dir_arg.is_some(),
        exe: &exe,
        exe_on_path,
    };
    out.push_str(&path_advice(&dir, &exe, &how));
    Ok(out)
}

/// What `gotriage init` needs to be told to reproduce this install's set-up.
struct InitHint<'a> {
    dir: &'a Path,
    custom_dir: bool,
    exe: &'a Path,
    exe_on_path: bool,
}

impl InitHint<'_> {
    /// `eval "$(gotriage init bash [--dir DIR])"`, with the binary's full
    /// path when `gotriage` is not on PATH (the profile line must work).
    fn eval_line(&self) -> String {
        let quote: fn(&str) -> String = if cfg!(windows) { ps_quote } else { sh_quote };
        let program = if self.exe_on_path {
            "gotriage".to_owned()
        } else {
            quote(&self.exe.to_string_lossy())
        };
        let dir = if self.custom_dir {
            format!(" --dir {}", quote(&self.dir.to_string_lossy()))
        } else {
            String::new()
        };
        if cfg!(windows) {
            format!("Invoke-Expression (& {program} init powershell{dir} | Out-String)")
        } else {
            format!("eval \"$({program} init bash{dir})\"")
        }
    }
}

/// PowerShell single-quoting (a quote is doubled).
pub(super) fn ps_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A POSIX shell line that puts `dir` first on PATH.
pub(super) fn export_line(dir: &Path) -> String {
    let d = dir.to_string_lossy();
    if d.contains(['"', '$', '`', '\\']) {
        format!("export PATH={}:\"$PATH\"", sh_quote(&d))
    } else {
        format!("export PATH=\"{d}:$PATH\"")
    }
}

/// Where the shim directory stands on PATH, and the one line that fixes it.
fn path_advice(dir: &Path, exe: &Path, how: &InitHint<'_>) -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let state = PathState::of(&path, dir, exe);
    let fix = if cfg!(windows) {
        format!(
            "  $env:PATH = {} + ';' + $env:PATH     (cmd: set PATH={};%PATH%)\n\
             or add this line at the end of $PROFILE (see docs/install.md for cmd):\n  {}\n",
            ps_quote(&dir.to_string_lossy()),
            dir.display(),
            how.eval_line()
        )
    } else {
        format!(
            "  {}\nor add this line at the end of ~/.bashrc (zsh, fish, sh: see `gotriage init --help`):\n  {}\n",
            export_line(dir),
            how.eval_line()
        )
    };
    match (state.first(), state.shadowed_by) {
        (Some(_), None) => format!(
            "{} is on PATH ahead of any other go: `go` now runs through gotriage\n",
            dir.display()
        ),
        (Some(_), Some(real)) => format!(
            "{} is on PATH, but behind {}, which runs instead; put the directory first:\n{fix}",
            dir.display(),
            real.display()
        ),
        (None, _) => format!("to use it, put the shim directory first on PATH:\n{fix}"),
    }
}

/// Where a shim directory stands on a PATH.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct PathState {
    /// 0-based indices of the entries that are the directory.
    pub(super) entries: Vec<usize>,
    /// An executable `go` that is not this gotriage, in an entry before the
    /// directory's first (or anywhere, if it is absent): what runs instead.
    pub(super) shadowed_by: Option<PathBuf>,
}

impl PathState {
    pub(super) fn of(path: &std::ffi::OsStr, dir: &Path, exe: &Path) -> PathState {
        let mut st = PathState {
            entries: Vec::new(),
            shadowed_by: None,
        };
        for (i, entry) in std::env::split_paths(path).enumerate() {
            if !entry.as_os_str().is_empty() && same_dir(&entry, dir) {
                st.entries.push(i);
                continue;
            }
            let entry = if entry.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                entry
            };
            let go = entry.join(shim_name());
            if st.entries.is_empty()
                && st.shadowed_by.is_none()
                && is_executable(&go)
                && as_this_gotriage(&go, exe).is_none()
            {
                st.shadowed_by = Some(go);
            }
        }
        st
    }

    /// Index of the directory's first entry.
    pub(super) fn first(&self) -> Option<usize> {
        self.entries.first().copied()
    }
}

/// Whether two PATH entries name the same directory: the same string, or
/// the same device + inode where both exist (so `/a/b/` and a symlinked
/// alias of it count too).
pub(super) fn same_dir(a: &Path, b: &Path) -> bool {
    a == b
        || match (
            same_file::Handle::from_path(a),
            same_file::Handle::from_path(b),
        ) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

fn is_executable(p: &Path) -> bool {
    let Ok(md) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        md.is_file() && md.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    md.is_file()
}

fn run_uninstall(dir_arg: Option<&Path>) -> Result<String, String> {
    let (exe, _) = this_gotriage()?;
    let dir = shim_dir(dir_arg)?;
    let link = dir.join(shim_name());
    let mut out = String::new();
    match inspect(&link, &exe).map_err(|e| format!("{}: {e}", link.display()))? {
        Existing::Nothing => {
            let _ = writeln!(out, "nothing to remove: {} does not exist", link.display());
        }
        Existing::Ours | Existing::OtherGotriage(_) => {
            match std::fs::remove_file(&link) {
                Ok(()) => {
                    let _ = writeln!(out, "removed {}", link.display());
                }
                // Windows does not delete a name of a running program's
                // file, and a hard link shares it with this gotriage.exe;
                // renaming is allowed, and takes `go.exe` off PATH at once.
                Err(e) if cfg!(windows) && e.kind() == io::ErrorKind::PermissionDenied => {
                    let aside = dir.join(format!(".go.gotriage-removed-{}", std::process::id()));
                    std::fs::rename(&link, &aside)
                        .map_err(|_| format!("cannot remove {}: {e}", link.display()))?;
                    let _ = writeln!(
                        out,
                        "removed {} (Windows keeps the file of a running program: it is now {}, \
                         delete it once no gotriage runs)",
                        link.display(),
                        aside.display()
                    );
                }
                Err(e) => return Err(format!("cannot remove {}: {e}", link.display())),
            }
            // Only an empty directory: anything else in it is not ours.
            if std::fs::remove_dir(&dir).is_ok() {
                let _ = writeln!(out, "removed the empty directory {}", dir.display());
            }
            out.push_str(
                "if your shell profile runs `gotriage init`, or adds the directory to PATH, \
                 remove that line too\n",
            );
        }
        Existing::Foreign(why) => {
            return Err(format!(
                "left {} alone: {why}; gotriage removes only a link it would have made",
                link.display()
            ));
        }
    }
    Ok(out)
}

/// POSIX single-quoting.
pub(super) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    use crate::testutil::write_exe as exe;

    #[test]
    fn falls_back_to_a_hard_link_when_symlinks_are_refused() {
        let t = tempfile::tempdir().unwrap();
        let me = t.path().join("gotriage");
        exe(&me, b"the binary");
        let link = t.path().join("go");
        let refuse = |_: &Path, _: &Path| Err(io::Error::from(io::ErrorKind::Unsupported));
        let kind = place_link_with(&link, &me, refuse).unwrap();
        assert_eq!(kind, LinkKind::HardLink);
        assert!(!link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(inspect(&link, &me).unwrap(), Existing::Ours);
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_failed_link_names_both_attempts_and_changes_nothing() {
        let t = tempfile::tempdir().unwrap();
        let link = t.path().join("go");
        let refuse = |_: &Path, _: &Path| Err(io::Error::from(io::ErrorKind::Unsupported));
        // A hard link to a missing file fails too.
        let err = place_link_with(&link, &t.path().join("missing"), refuse).unwrap_err();
        assert!(err.to_string().starts_with("symlink: "), "{err}");
        assert!(err.to_string().contains("; hard link: "), "{err}");
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
    }

    #[test]
    fn shim_dir_is_normalised_and_rejects_what_path_cannot_hold() {
        assert_eq!(
            shim_dir(Some(Path::new("/a/./b/"))).unwrap(),
            PathBuf::from("/a/b")
        );
        assert!(shim_dir(Some(Path::new(""))).unwrap_err().contains("empty"));
        let e = shim_dir(Some(Path::new("/a:b/bin"))).unwrap_err();
        assert!(
            e.contains("/a:b/bin") && e.contains("PATH separator"),
            "{e}"
        );
        assert!(shim_dir(Some(Path::new("rel"))).unwrap().is_absolute());
    }

    #[test]
    fn path_state_finds_the_dir_twice_and_the_go_in_front_of_it() {
        let t = tempfile::tempdir().unwrap();
        let me = t.path().join("me/gotriage");
        exe(&me, b"shim");
        let shims = t.path().join("shims");
        std::fs::create_dir_all(&shims).unwrap();
        std::os::unix::fs::symlink(&me, shims.join("go")).unwrap();
        exe(&t.path().join("real/go"), b"real go");
        let join = |v: &[PathBuf]| std::env::join_paths(v).unwrap();
        let (real, shims_slash) = (t.path().join("real"), t.path().join("shims/"));

        let st = PathState::of(
            &join(&[real.clone(), shims.clone(), shims_slash]),
            &shims,
            &me,
        );
        assert_eq!(
            st,
            PathState {
                entries: vec![1, 2],
                shadowed_by: Some(real.join("go"))
            }
        );
        let st = PathState::of(&join(&[shims.clone(), real.clone()]), &shims, &me);
        assert_eq!((st.entries, st.shadowed_by), (vec![0], None));
        let st = PathState::of(&join(std::slice::from_ref(&real)), &shims, &me);
        assert_eq!((st.first(), st.shadowed_by), (None, Some(real.join("go"))));
    }

    #[test]
    fn export_line_quotes_what_double_quotes_cannot_hold() {
        assert_eq!(
            export_line(Path::new("/h/a b")),
            "export PATH=\"/h/a b:$PATH\""
        );
        assert_eq!(
            export_line(Path::new("/h/$x'y")),
            r#"export PATH='/h/$x'\''y':"$PATH""#
        );
    }
}
