//! The current module's `go.mod` (and `go.sum`): which modules it requires
//! at which versions, which of them are replaced by a local directory
//! (never fetched), and which go / toolchain it asks for.
//!
//! go.mod is read by the real go (`go mod edit -json`), so doctor sees it
//! exactly as go does; without a working go there is nothing to read it
//! for (doctor then reports the missing go).  go.sum is read here: go has
//! no command that prints it without touching the network.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// One `require`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Require {
    pub path: String,
    pub version: String,
}

/// What go.mod says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    pub file: PathBuf,
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
    dir.ancestors()
        .map(|d| d.join("go.mod"))
        .find(|f| f.is_file())
}

/// `go mod edit -json`'s answer (golang.org/x/mod/modfile, as go prints it).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EditJson {
    go: Option<String>,
    toolchain: Option<String>,
    require: Option<Vec<Require>>,
    replace: Option<Vec<Replace>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Replace {
    old: ModVer,
    new: ModVer,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ModVer {
    path: String,
    version: Option<String>,
}

/// Reads `file` with `go mod edit -json` (never writes it, never switches
/// toolchains, ignores GOFLAGS and GO111MODULE, which do not change what
/// go.mod says), and the go.sum beside it.
pub fn load(go: &Path, file: &Path) -> Result<GoMod, String> {
    let mut cmd = Command::new(go);
    cmd.args(["mod", "edit", "-json"])
        .arg(file)
        .current_dir(file.parent().unwrap_or(Path::new("/")))
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .env("GO111MODULE", "on")
        .env("XDG_CONFIG_HOME", "/dev/null/gotriage-doctor");
    let out = crate::exec::run(cmd, super::local_timeout())
        .map_err(|e| format!("cannot run {}: {e}", go.display()))?;
    if !out.success() {
        return Err(out.stderr_text().trim().to_owned());
    }
    let j: EditJson = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{}: go mod edit -json: {e}", file.display()))?;
    let summed = std::fs::read_to_string(file.with_file_name("go.sum"))
        .map(|t| parse_go_sum(&t))
        .unwrap_or_default();
    Ok(GoMod {
        file: file.to_owned(),
        go: j.go,
        toolchain: j.toolchain,
        requires: j.require.unwrap_or_default(),
        replaces: (j.replace.unwrap_or_default().into_iter())
            .map(|r| (r.old.path, (r.new.path, r.new.version)))
            .collect(),
        summed,
    })
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
    fn go_sum_needs_both_hashes() {
        let s = parse_go_sum(
            "github.com/a/b v1.0.0 h1:x=\ngithub.com/a/b v1.0.0/go.mod h1:y=\ngithub.com/c/d v1.0.0/go.mod h1:z=\n",
        );
        assert!(s.contains("github.com/a/b@v1.0.0"));
        assert!(!s.contains("github.com/c/d@v1.0.0"));
    }
}
