//! The current module's `go.mod` (and `go.sum`), read simply: which modules
//! it requires at which versions, which of them are replaced by a local
//! directory (never fetched), and which go / toolchain it asks for.
//!
//! Not a full parser (that is `golang.org/x/mod/modfile`): doctor only needs
//! module paths and versions, so `retract`, `exclude`, `godebug` and the
//! like are skipped, and a line it does not understand is ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One `require`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    pub path: String,
    pub version: String,
    pub indirect: bool,
}

/// What go.mod says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    pub file: PathBuf,
    pub module: Option<String>,
    pub go: Option<String>,
    pub toolchain: Option<String>,
    pub requires: Vec<Require>,
    /// `replace OLD[ V] => NEW[ V]`: OLD → (NEW, its version if a module).
    pub replaces: BTreeMap<String, (String, Option<String>)>,
    /// `module@version` pairs with both hashes in go.sum (so go does not ask
    /// the checksum database for them).
    pub summed: BTreeSet<String>,
}

impl GoMod {
    /// The module and version go fetches for a requirement: the
    /// replacement when it is another module, `None` when it is a directory.
    pub fn fetched(&self, r: &Require) -> Option<(String, String)> {
        match self.replaces.get(&r.path) {
            Some((new, Some(v))) => Some((new.clone(), v.clone())),
            Some((_, None)) => None,
            None => Some((r.path.clone(), r.version.clone())),
        }
    }

    /// Whether go.sum has both the zip and the go.mod hash of `m@v`.
    pub fn in_go_sum(&self, module: &str, version: &str) -> bool {
        self.summed.contains(&format!("{module}@{version}"))
    }
}

/// The go.mod of `dir` or of its nearest parent, as go finds it.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let mut d = Some(dir);
    while let Some(cur) = d {
        let f = cur.join("go.mod");
        if f.is_file() {
            return Some(f);
        }
        d = cur.parent();
    }
    None
}

/// Reads go.mod and the go.sum beside it.
pub fn load(file: &Path) -> std::io::Result<GoMod> {
    let text = std::fs::read_to_string(file)?;
    let mut m = parse(&text);
    m.file = file.to_owned();
    if let Some(dir) = file.parent()
        && let Ok(sum) = std::fs::read_to_string(dir.join("go.sum"))
    {
        m.summed = parse_go_sum(&sum);
    }
    Ok(m)
}

/// Parses go.mod text.
pub fn parse(text: &str) -> GoMod {
    let mut m = GoMod::default();
    let mut block: Option<String> = None;
    for raw in text.lines() {
        let indirect = raw.contains("// indirect");
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if block.is_some() && line == ")" {
            block = None;
            continue;
        }
        let (verb, rest) = match &block {
            Some(b) => (b.clone(), line.to_owned()),
            None => {
                let (v, r) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                let r = r.trim();
                if r == "(" {
                    block = Some(v.to_owned());
                    continue;
                }
                (v.to_owned(), r.to_owned())
            }
        };
        let words = tokens(&rest);
        match verb.as_str() {
            "module" => m.module = words.first().cloned(),
            "go" => m.go = words.first().cloned(),
            "toolchain" => m.toolchain = words.first().cloned(),
            "require" => {
                if let [path, version, ..] = words.as_slice() {
                    m.requires.push(Require {
                        path: path.clone(),
                        version: version.clone(),
                        indirect,
                    });
                }
            }
            "replace" => {
                if let Some(i) = words.iter().position(|w| w == "=>") {
                    let old = words.first().cloned();
                    let new = words.get(i + 1).cloned();
                    let new_version = words.get(i + 2).cloned();
                    if let (Some(old), Some(new)) = (old, new) {
                        m.replaces.insert(old, (new, new_version));
                    }
                }
            }
            _ => {}
        }
    }
    m
}

/// Words of a go.mod line, with `"…"` and `` `…` `` quoting.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut w = String::new();
        if c == '"' || c == '`' {
            chars.next();
            let mut escaped = false;
            for ch in chars.by_ref() {
                if c == '"' && !escaped && ch == '\\' {
                    escaped = true;
                    continue;
                }
                if ch == c && !escaped {
                    break;
                }
                escaped = false;
                w.push(ch);
            }
        } else {
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                w.push(ch);
                chars.next();
            }
        }
        out.push(w);
    }
    out
}

/// `module@version` for which go.sum has both `h1:` lines.
fn parse_go_sum(text: &str) -> BTreeSet<String> {
    let mut zip = BTreeSet::new();
    let mut gomod = BTreeSet::new();
    for line in text.lines() {
        let mut w = line.split_whitespace();
        let (Some(m), Some(v)) = (w.next(), w.next()) else {
            continue;
        };
        match v.strip_suffix("/go.mod") {
            Some(v) => gomod.insert(format!("{m}@{v}")),
            None => zip.insert(format!("{m}@{v}")),
        };
    }
    zip.intersection(&gomod).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_requires_replaces_and_versions() {
        let m = parse(
            "module github.com/acme/app // the app\n\ngo 1.22\ntoolchain go1.23.4\n\n\
             require github.com/acme/private v1.0.0\n\
             require (\n\tgolang.org/x/mod v0.20.0 // indirect\n\t\"git.corp.example/team/lib\" v1.2.3\n)\n\
             replace github.com/acme/local => ../local\n\
             replace (\n\tgithub.com/old/x v1.0.0 => github.com/new/x v1.1.0\n)\n\
             exclude github.com/bad/x v1.0.0\n",
        );
        assert_eq!(m.module.as_deref(), Some("github.com/acme/app"));
        assert_eq!(m.go.as_deref(), Some("1.22"));
        assert_eq!(m.toolchain.as_deref(), Some("go1.23.4"));
        assert_eq!(m.requires.len(), 3);
        assert!(m.requires[1].indirect);
        assert_eq!(m.requires[2].path, "git.corp.example/team/lib");
        let local = Require {
            path: "github.com/acme/local".into(),
            version: "v0.0.0".into(),
            indirect: false,
        };
        assert_eq!(m.fetched(&local), None);
        let old = Require {
            path: "github.com/old/x".into(),
            version: "v1.0.0".into(),
            indirect: false,
        };
        assert_eq!(
            m.fetched(&old),
            Some(("github.com/new/x".into(), "v1.1.0".into()))
        );
    }

    #[test]
    fn go_sum_needs_both_hashes() {
        let s = parse_go_sum(
            "github.com/a/b v1.0.0 h1:x=\ngithub.com/a/b v1.0.0/go.mod h1:y=\ngithub.com/c/d v1.0.0/go.mod h1:z=\n",
        );
        assert!(s.contains("github.com/a/b@v1.0.0"));
        assert!(!s.contains("github.com/c/d@v1.0.0"));
    }
}
