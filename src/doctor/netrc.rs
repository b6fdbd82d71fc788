//! `~/.netrc` (or `$NETRC`, which go reads and git does not): which hosts
//! have credentials, and the file's permissions.  Logins and passwords are
//! kept only for the one request go itself would send with them; they are
//! never shown.

use std::path::{Path, PathBuf};

/// One `machine` entry.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    /// The machine name as written (`host` or `host:port`).
    pub machine: String,
    pub login: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret, even in a debug log.
        f.debug_struct("Entry")
            .field("machine", &self.machine)
            .field("login", &self.login.as_ref().map(|_| "…"))
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

/// A parsed netrc file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Netrc {
    pub path: PathBuf,
    /// Permission bits (unix).
    pub mode: Option<u32>,
    pub entries: Vec<Entry>,
}

impl Netrc {
    /// Readable by the group or by others.
    pub fn too_open(&self) -> bool {
        self.mode.is_some_and(|m| m & 0o077 != 0)
    }

    /// The entry for exactly `machine` (`host` or `host:port`), as go
    /// matches it (go 1.23+ compares the whole `host:port`).
    pub fn entry(&self, machine: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.machine.eq_ignore_ascii_case(machine))
    }

    /// Credentials for `host[:port]` if the entry has both parts.
    pub fn credentials(&self, machine: &str) -> Option<(String, String)> {
        let e = self.entry(machine)?;
        Some((e.login.clone()?, e.password.clone()?))
    }

    pub fn machines(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.machine.as_str()).collect()
    }
}

/// Where go looks: `$NETRC`, else `~/.netrc` (`%USERPROFILE%\_netrc` on Windows).
pub fn path(netrc_var: Option<&str>, home: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = netrc_var.filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let name = if cfg!(windows) { "_netrc" } else { ".netrc" };
    home.map(|h| h.join(name))
}

/// Permission bits of a file (unix; `None` elsewhere or when unreadable).
pub fn file_mode(p: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        None
    }
}

/// Reads and parses the file; `Ok(None)` when it does not exist.
pub fn load(path: &Path) -> std::io::Result<Option<Netrc>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(Netrc {
        path: path.to_owned(),
        mode: file_mode(path),
        entries: parse(&text),
    }))
}

/// The entries of netrc text: `machine`, `login`, `password`, with
/// `account` skipped, `macdef` bodies skipped to the next blank line, and
/// `default` ending the list (as go's parser does).
pub fn parse(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut in_macdef = false;
    let mut words = Vec::new();
    for line in text.lines() {
        if in_macdef {
            if line.trim().is_empty() {
                in_macdef = false;
            }
            continue;
        }
        let it = line.split_whitespace();
        for w in it {
            if w.starts_with('#') {
                break;
            }
            if w == "macdef" {
                in_macdef = true;
                break;
            }
            words.push(w.to_owned());
        }
    }
    let mut it = words.into_iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "machine" => {
                if let Some(m) = it.next() {
                    entries.push(Entry {
                        machine: m,
                        login: None,
                        password: None,
                    });
                }
            }
            "default" => break,
            "login" => {
                let v = it.next();
                if let Some(e) = entries.last_mut() {
                    e.login = v;
                }
            }
            "password" => {
                let v = it.next();
                if let Some(e) = entries.last_mut() {
                    e.password = v;
                }
            }
            "account" => {
                it.next();
            }
            _ => {}
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        let e = parse(
            "machine github.com login alice password s3cret\n# comment\nmachine git.test:8443\n  login bob\n  password x\nmacdef init\ncd /\n\nmachine after.macdef login c password d\ndefault login anon password y\nmachine ignored login z password z\n",
        );
        let names: Vec<&str> = e.iter().map(|e| e.machine.as_str()).collect();
        assert_eq!(names, ["github.com", "git.test:8443", "after.macdef"]);
        assert_eq!(e[1].login.as_deref(), Some("bob"));
        let n = Netrc {
            path: PathBuf::from("/x"),
            mode: Some(0o644),
            entries: e,
        };
        assert!(n.too_open());
        assert!(n.entry("git.test").is_none());
        assert_eq!(
            n.credentials("GitHub.com"),
            Some(("alice".into(), "s3cret".into()))
        );
        assert!(!format!("{:?}", n).contains("s3cret"));
    }
}
