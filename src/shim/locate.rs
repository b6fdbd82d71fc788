//! Finding the real `go`.
//!
//! Order: `GOTRIAGE_GO` (an absolute path), the config file's `go` key, then a
//! walk of `PATH`.  The walk skips every candidate that *is this executable*
//! — by device + inode, which catches symlinks and hard links, and by content
//! for a candidate of exactly our size, which catches copies — and the
//! directory the shim was started from.  Every fork bomb reported against
//! rustup, volta and mise came from re-resolving a bare name and letting
//! `PATH` pick the shim again (`docs/design.md` §2.1), so the
//! result is always an absolute path that is spawned as such; the hop counter
//! in `GOTRIAGE_DEPTH` is the backstop for whatever this misses.
//!
//! Nothing here parses more than the config file's `go` key, and the common
//! case costs a handful of `stat` calls.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::config::{self, Config, ConfigPath};

/// Where the real go came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `GOTRIAGE_GO`.
    Env,
    /// The config file's `go` key.
    Config(PathBuf),
    /// The `PATH` entry with this index (0-based).
    Path(usize),
}

/// A candidate the walk passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The same file as the running gotriage (symlink or hard link).
    SameFile,
    /// A byte-for-byte copy of the running gotriage.
    CopyOfShim,
    /// In the directory the shim was started from.
    ShimDir,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::SameFile => "this gotriage (same file)",
            SkipReason::CopyOfShim => "a copy of this gotriage",
            SkipReason::ShimDir => "in the directory the shim was started from",
        })
    }
}

/// The real go, how it was found, and what was passed over on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub source: Source,
    pub skipped: Vec<Skipped>,
    /// Problems with earlier sources that were ignored (bad `GOTRIAGE_GO`, broken config).
    pub warnings: Vec<String>,
}

/// No real go anywhere: what was searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    pub path_entries: usize,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<String>,
    pub config: Option<PathBuf>,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "searched {} (unset)", config::vars::GO)?;
        match &self.config {
            Some(p) => write!(f, ", {} (no `go` key)", p.display())?,
            None => write!(f, ", no config file")?,
        }
        write!(f, " and {} PATH entries", self.path_entries)?;
        if !self.skipped.is_empty() {
            write!(f, "; skipped ")?;
            for (i, s) in self.skipped.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{} ({})", s.path.display(), s.reason)?;
            }
        }
        Ok(())
    }
}

/// Everything the lookup depends on, gathered once (tests build it by hand).
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// `GOTRIAGE_GO`.
    pub env_go: Option<OsString>,
    /// The config file, if any (only its `go` key is read here).
    pub config: Option<ConfigPath>,
    /// `PATH`.
    pub path: Option<OsString>,
    /// The running executable (to recognise ourselves).
    pub self_exe: Option<PathBuf>,
    /// argv[0] as the shim received it (its directory is skipped).
    pub argv0: Option<OsString>,
    /// The file name to look for on `PATH`.
    pub name: OsString,
    /// Extensions tried in turn after `name` (Windows: `PATHEXT`); empty:
    /// `name` as it is.
    pub exts: Vec<OsString>,
}

impl Lookup {
    /// The lookup as the environment of this process describes it.
    pub fn from_env(argv0: Option<&OsStr>) -> Lookup {
        Lookup {
            env_go: config::var_os(config::vars::GO),
            config: config::config_path(),
            path: std::env::var_os("PATH"),
            self_exe: std::env::current_exe().ok(),
            argv0: argv0.map(OsStr::to_owned),
            name: OsString::from("go"),
            exts: if cfg!(windows) {
                path_exts(std::env::var_os("PATHEXT").as_deref())
            } else {
                Vec::new()
            },
        }
    }

    /// The first go on `path` (every name of [`Self::names`] in each
    /// directory), without skipping anything: what a shell would run.
    pub fn first_on_path(&self, path: &OsStr) -> Option<PathBuf> {
        let names = self.names();
        std::env::split_paths(path)
            .map(|d| {
                if d.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    d
                }
            })
            .flat_map(|d| names.iter().map(move |n| d.join(n)))
            .find(|c| executable_identity(c).is_some())
    }

    /// The file names tried in each `PATH` directory, in order.
    pub fn names(&self) -> Vec<OsString> {
        if self.exts.is_empty() {
            return vec![self.name.clone()];
        }
        self.exts
            .iter()
            .map(|e| {
                let mut n = self.name.clone();
                n.push(e);
                n
            })
            .collect()
    }

    /// Finds the real go.
    pub fn find(&self) -> Result<Found, NotFound> {
        let me = self.self_exe.as_deref().and_then(Identity::of);
        let mut warnings = Vec::new();

        if let Some(env_go) = &self.env_go {
            let p = PathBuf::from(env_go);
            match self.check_explicit(&p, me.as_ref()) {
                Ok(()) => {
                    return Ok(Found {
                        path: p,
                        source: Source::Env,
                        skipped: Vec::new(),
                        warnings,
                    });
                }
                Err(why) => warnings.push(format!(
                    "ignoring {}={}: {why}",
                    config::vars::GO,
                    p.display()
                )),
            }
        }

        let mut config_file = None;
        if let Some(cp) = &self.config {
            match Config::load(&cp.path) {
                Ok(Some(cfg)) => {
                    config_file = Some(cp.path.clone());
                    if let Some(p) = cfg.go {
                        match self.check_explicit(&p, me.as_ref()) {
                            Ok(()) => {
                                return Ok(Found {
                                    path: p,
                                    source: Source::Config(cp.path.clone()),
                                    skipped: Vec::new(),
                                    warnings,
                                });
                            }
                            Err(why) => warnings.push(format!(
                                "ignoring go = {:?} in {}: {why}",
                                p.display().to_string(),
                                cp.path.display()
                            )),
                        }
                    }
                }
                Ok(None) if cp.explicit => warnings.push(format!(
                    "{}={}: no such file",
                    config::vars::CONFIG,
                    cp.path.display()
                )),
                Ok(None) => {}
                Err(e) => warnings.push(format!("ignoring the config file: {e}")),
            }
        }

        let shim_dir = self
            .argv0
            .as_deref()
            .map(Path::new)
            .filter(|p| p.components().count() > 1)
            .and_then(Path::parent)
            .map(|d| Identity::of(d).ok_or_else(|| d.to_owned()));

        let mut skipped = Vec::new();
        let mut entries = 0;
        let names = self.names();
        if let Some(path) = &self.path {
            let dirs = std::env::split_paths(path)
                .enumerate()
                .flat_map(|(index, dir)| {
                    let dir = if dir.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        dir
                    };
                    names
                        .iter()
                        .enumerate()
                        .map(move |(k, name)| (index, k == 0, dir.clone(), dir.join(name)))
                });
            for (index, first, dir, candidate) in dirs {
                if first {
                    entries += 1;
                }
                let Some(id) = executable_identity(&candidate) else {
                    continue;
                };
                if me.as_ref().is_some_and(|me| id.same_file(me)) {
                    skipped.push(Skipped {
                        path: candidate,
                        reason: SkipReason::SameFile,
                    });
                    continue;
                }
                if let Some(sd) = &shim_dir {
                    let same_dir = match sd {
                        Ok(sd_id) => Identity::of(&dir).is_some_and(|d| d.same_file(sd_id)),
                        Err(sd_path) => sd_path == &dir,
                    };
                    if same_dir {
                        skipped.push(Skipped {
                            path: candidate,
                            reason: SkipReason::ShimDir,
                        });
                        continue;
                    }
                }
                if let (Some(me), Some(exe)) = (&me, &self.self_exe)
                    && id.len == me.len
                    && same_content(&candidate, exe)
                {
                    skipped.push(Skipped {
                        path: candidate,
                        reason: SkipReason::CopyOfShim,
                    });
                    continue;
                }
                let path = if candidate.is_absolute() {
                    candidate
                } else {
                    // A relative PATH entry: pin it now, so the child does not re-resolve.
                    std::env::current_dir()
                        .map(|cwd| cwd.join(&candidate))
                        .unwrap_or(candidate)
                };
                return Ok(Found {
                    path,
                    source: Source::Path(index),
                    skipped,
                    warnings,
                });
            }
        }
        Err(NotFound {
            path_entries: entries,
            skipped,
            warnings,
            config: config_file,
        })
    }

    /// Checks a path given explicitly (`GOTRIAGE_GO` or the config file).
    fn check_explicit(&self, p: &Path, me: Option<&Identity>) -> Result<(), String> {
        if !p.is_absolute() {
            return Err("not an absolute path".into());
        }
        let Some(id) = executable_identity(p) else {
            return Err(if p.exists() {
                "not an executable file".into()
            } else {
                "no such file".into()
            });
        };
        if let Some(me) = me {
            let copy =
                || id.len == me.len && self.self_exe.as_deref().is_some_and(|e| same_content(p, e));
            if id.same_file(me) || copy() {
                return Err("that is gotriage itself, not the real go".into());
            }
        }
        Ok(())
    }
}

/// Whether `path` is the running gotriage: the same file, or a copy of it.
pub fn as_this_gotriage(path: &Path, self_exe: &Path) -> Option<SkipReason> {
    let (id, me) = (Identity::of(path)?, Identity::of(self_exe)?);
    if id.same_file(&me) {
        Some(SkipReason::SameFile)
    } else if id.len == me.len && same_content(path, self_exe) {
        Some(SkipReason::CopyOfShim)
    } else {
        None
    }
}

/// `PATHEXT` as a list of extensions (lower-case, each with its dot), or
/// Windows' default when it is unset or empty.
pub fn path_exts(pathext: Option<&OsStr>) -> Vec<OsString> {
    let list = pathext
        .and_then(OsStr::to_str)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(".COM;.EXE;.BAT;.CMD");
    list.split(';')
        .map(str::trim)
        .filter(|e| e.starts_with('.') && e.len() > 1)
        .map(|e| OsString::from(e.to_ascii_lowercase()))
        .collect()
}

/// The first executable `name` on `path`, without skipping anything: what a
/// shell would run.
pub fn first_on_path(path: &OsStr, name: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|d| {
            if d.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                d
            }
        })
        .map(|d| d.join(name))
        .find(|c| executable_identity(c).is_some())
}

/// The version of the go toolchain at `go` (its GOROOT's VERSION file),
/// without running it.
pub fn toolchain_version(go: &Path) -> Option<String> {
    let real = std::fs::canonicalize(go).ok()?;
    let goroot = real.parent()?.parent()?;
    let text = std::fs::read_to_string(goroot.join("VERSION")).ok()?;
    let first = text.lines().next()?.trim();
    first.starts_with("go").then(|| first.to_owned())
}

/// Identity of a file: device + inode (unix), volume serial number + file
/// index (Windows, through an open handle), plus its length for the copy
/// check.
#[derive(Debug)]
struct Identity {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
    #[cfg(not(unix))]
    handle: Option<same_file::Handle>,
    len: u64,
}

impl Identity {
    fn of(path: &Path) -> Option<Identity> {
        let md = std::fs::metadata(path).ok()?;
        Some(Identity::from_metadata(path, &md))
    }

    fn from_metadata(path: &Path, md: &std::fs::Metadata) -> Identity {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            Identity {
                dev: md.dev(),
                ino: md.ino(),
                len: md.len(),
            }
        }
        #[cfg(not(unix))]
        {
            Identity {
                handle: same_file::Handle::from_path(path).ok(),
                len: md.len(),
            }
        }
    }

    fn same_file(&self, other: &Identity) -> bool {
        #[cfg(unix)]
        {
            self.dev == other.dev && self.ino == other.ino
        }
        #[cfg(not(unix))]
        {
            matches!((&self.handle, &other.handle), (Some(a), Some(b)) if a == b)
        }
    }
}

/// The identity of `path` if it is an executable regular file (following symlinks).
fn executable_identity(path: &Path) -> Option<Identity> {
    let md = std::fs::metadata(path).ok()?;
    if !md.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if md.permissions().mode() & 0o111 == 0 {
            return None;
        }
    }
    Some(Identity::from_metadata(path, &md))
}

/// True when two files have the same bytes (only called for equal lengths).
fn same_content(a: &Path, b: &Path) -> bool {
    if same_file::is_same_file(a, b).unwrap_or(false) {
        return true;
    }
    let (Ok(mut fa), Ok(mut fb)) = (File::open(a), File::open(b)) else {
        return false;
    };
    let mut ba = vec![0u8; 64 * 1024];
    let mut bb = vec![0u8; 64 * 1024];
    loop {
        let na = match read_full(&mut fa, &mut ba) {
            Ok(n) => n,
            Err(_) => return false,
        };
        let nb = match read_full(&mut fb, &mut bb) {
            Ok(n) => n,
            Err(_) => return false,
        };
        if na != nb || ba[..na] != bb[..nb] {
            return false;
        }
        if na == 0 {
            return true;
        }
    }
}

fn read_full(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    use crate::testutil::write_exe as exe;

    fn lookup(path: &[&Path], me: &Path) -> Lookup {
        Lookup {
            path: Some(std::env::join_paths(path).unwrap()),
            self_exe: Some(me.to_owned()),
            name: "go".into(),
            ..Lookup::default()
        }
    }

    #[test]
    fn pathext_is_parsed_like_windows_does() {
        let exts = |v: Option<&str>| -> Vec<String> {
            path_exts(v.map(OsStr::new))
                .into_iter()
                .map(|e| e.into_string().unwrap())
                .collect()
        };
        assert_eq!(exts(None), [".com", ".exe", ".bat", ".cmd"]);
        assert_eq!(exts(Some("  ")), [".com", ".exe", ".bat", ".cmd"]);
        assert_eq!(
            exts(Some(".EXE;;.Cmd; .PS1 ;exe;.")),
            [".exe", ".cmd", ".ps1"]
        );
    }

    #[test]
    fn with_extensions_each_directory_is_tried_in_pathext_order() {
        // Windows' rule: the first PATH directory with any match wins, and
        // within it the first extension of PATHEXT.
        let t = tempfile::tempdir().unwrap();
        let me = t.path().join("shim/gotriage.exe");
        exe(&me, b"the shim\n");
        let (a, b) = (t.path().join("a"), t.path().join("b"));
        exe(&a.join("go.cmd"), b"@echo wrapper\n");
        exe(&a.join("go.exe"), b"real go in a\n");
        exe(&b.join("go.com"), b"real go in b\n");
        std::fs::hard_link(&me, t.path().join("shim/go.exe")).unwrap();
        let mut l = lookup(&[&t.path().join("shim"), &a, &b], &me);
        l.exts = vec![".com".into(), ".exe".into(), ".cmd".into()];
        let found = l.find().unwrap();
        assert_eq!(found.path, a.join("go.exe"));
        assert_eq!(found.source, Source::Path(1));
        assert_eq!(found.skipped.len(), 1, "{:?}", found.skipped);
        assert_eq!(found.skipped[0].reason, SkipReason::SameFile);
        assert_eq!(
            l.first_on_path(l.path.as_deref().unwrap()),
            Some(t.path().join("shim/go.exe"))
        );
        // An empty list means the name as it is (Unix).
        l.exts.clear();
        assert_eq!(l.names(), [OsString::from("go")]);
        let nf = l.find().unwrap_err();
        assert_eq!(nf.path_entries, 3);
    }

    #[test]
    fn skips_symlinks_hard_links_and_copies_of_itself() {
        let t = tempfile::tempdir().unwrap();
        let me = t.path().join("bin/gotriage");
        exe(&me, b"#!/bin/sh\n# the shim\n");
        let (a, b, c, real) = (
            t.path().join("a"),
            t.path().join("b"),
            t.path().join("c"),
            t.path().join("real"),
        );
        for d in [&a, &b, &c] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::os::unix::fs::symlink(&me, a.join("go")).unwrap();
        std::fs::hard_link(&me, b.join("go")).unwrap();
        exe(&c.join("go"), b"#!/bin/sh\n# the shim\n");
        exe(&real.join("go"), b"#!/bin/sh\n# the real go\n");
        let found = lookup(&[&a, &b, &c, &real], &me).find().unwrap();
        assert_eq!(found.path, real.join("go"));
        assert_eq!(found.source, Source::Path(3));
        let reasons: Vec<SkipReason> = found.skipped.iter().map(|s| s.reason).collect();
        assert_eq!(
            reasons,
            [
                SkipReason::SameFile,
                SkipReason::SameFile,
                SkipReason::CopyOfShim
            ]
        );
    }

    #[test]
    fn a_same_size_different_file_is_not_a_copy() {
        let t = tempfile::tempdir().unwrap();
        let me = t.path().join("me/gotriage");
        exe(&me, b"AAAA");
        exe(&t.path().join("x/go"), b"AAAB");
        let found = lookup(&[&t.path().join("x")], &me).find().unwrap();
        assert_eq!(found.path, t.path().join("x/go"));
    }

    #[test]
    fn skips_the_directory_it_was_started_from() {
        let t = tempfile::tempdir().unwrap();
        let me = t.path().join("me/gotriage");
        exe(&me, b"shim");
        exe(
            &t.path().join("wrap/go"),
            b"#!/bin/sh\nexec gotriage go \"$@\"\n",
        );
        exe(&t.path().join("real/go"), b"real go");
        let mut l = lookup(&[&t.path().join("wrap"), &t.path().join("real")], &me);
        l.argv0 = Some(t.path().join("wrap/go").into_os_string());
        let found = l.find().unwrap();
        assert_eq!(found.path, t.path().join("real/go"));
        assert_eq!(found.skipped[0].reason, SkipReason::ShimDir);
    }

    #[test]
    fn ignores_non_executables_and_directories() {
        let t = tempfile::tempdir().unwrap();
        let me = t.path().join("me/gotriage");
        exe(&me, b"shim");
        std::fs::create_dir_all(t.path().join("d/go")).unwrap();
        std::fs::create_dir_all(t.path().join("n")).unwrap();
        std::fs::write(t.path().join("n/go"), b"not executable").unwrap();
        let err = lookup(&[&t.path().join("d"), &t.path().join("n")], &me)
            .find()
            .unwrap_err();
        assert_eq!(err.path_entries, 2);
    }

    #[test]
    fn env_override_wins_and_bad_values_fall_through_with_a_warning() {
        let t = tempfile::tempdir().unwrap();
        let me = t.path().join("me/gotriage");
        exe(&me, b"shim");
        exe(&t.path().join("pinned/go"), b"pinned");
        exe(&t.path().join("path/go"), b"on path");
        let mut l = lookup(&[&t.path().join("path")], &me);
        l.env_go = Some(t.path().join("pinned/go").into_os_string());
        let found = l.find().unwrap();
        assert_eq!(
            (found.path.as_path(), &found.source),
            (t.path().join("pinned/go").as_path(), &Source::Env)
        );

        for bad in ["go", "/nonexistent/go"] {
            l.env_go = Some(bad.into());
            let found = l.find().unwrap();
            assert_eq!(found.path, t.path().join("path/go"));
            assert!(
                found.warnings[0].contains("GOTRIAGE_GO"),
                "{:?}",
                found.warnings
            );
        }
        // Pointing GOTRIAGE_GO at the shim itself is refused, not looped on.
        l.env_go = Some(me.clone().into_os_string());
        let found = l.find().unwrap();
        assert!(
            found.warnings[0].contains("gotriage itself"),
            "{:?}",
            found.warnings
        );
    }

    #[test]
    fn config_file_comes_between_env_and_path() {
        let t = tempfile::tempdir().unwrap();
        let me = t.path().join("me/gotriage");
        exe(&me, b"shim");
        exe(&t.path().join("cfg/go"), b"from config");
        exe(&t.path().join("path/go"), b"on path");
        let cfg = t.path().join("config.toml");
        std::fs::write(&cfg, format!("go = {:?}\n", t.path().join("cfg/go"))).unwrap();
        let mut l = lookup(&[&t.path().join("path")], &me);
        l.config = Some(ConfigPath {
            path: cfg.clone(),
            explicit: false,
        });
        let found = l.find().unwrap();
        assert_eq!(found.source, Source::Config(cfg.clone()));

        std::fs::write(&cfg, "go = [\n").unwrap();
        let found = l.find().unwrap();
        assert_eq!(found.source, Source::Path(0));
        assert!(
            found.warnings[0].contains("config.toml:"),
            "{:?}",
            found.warnings
        );
    }
}
