//! The modules in play: `MODULE[@VERSION]` arguments, and the requirements
//! of the `go.mod` above the current directory (read simply: `require`
//! lines and blocks; requirements replaced by a local directory are dropped,
//! since go never fetches them).

use std::path::{Path, PathBuf};

/// A module doctor looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRef {
    pub path: String,
    pub version: Option<String>,
}

impl ModuleRef {
    /// Parses `MODULE` or `MODULE@VERSION`; `Err` says why it is not a
    /// module path go could fetch.
    pub fn parse(arg: &str) -> Result<ModuleRef, String> {
        let (path, version) = match arg.split_once('@') {
            Some((p, v)) if !v.is_empty() => (p, Some(v.to_owned())),
            Some(_) => return Err(format!("{arg:?}: empty version after @")),
            None => (arg, None),
        };
        let path = path.trim_end_matches('/');
        if path.is_empty() {
            return Err(format!("{arg:?}: empty module path"));
        }
        if path.contains("://") {
            return Err(format!(
                "{arg:?}: a module path has no scheme (github.com/acme/api, not https://…)"
            ));
        }
        if path
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '`' | '\\'))
        {
            return Err(format!("{arg:?}: invalid character in module path"));
        }
        let first = path.split('/').next().unwrap_or("");
        if !first.contains('.') {
            return Err(format!(
                "{arg:?}: the first path element must be a host name with a dot (as go requires)"
            ));
        }
        Ok(ModuleRef {
            path: path.to_owned(),
            version,
        })
    }

    /// The first path element (the host go contacts for the path).
    pub fn host(&self) -> &str {
        self.path.split('/').next().unwrap_or("")
    }

    pub fn display(&self) -> String {
        match &self.version {
            Some(v) => format!("{}@{v}", self.path),
            None => self.path.clone(),
        }
    }
}

/// The go.mod found above a directory.
#[derive(Debug, Clone, Default)]
pub struct GoMod {
    pub file: PathBuf,
    pub module: Option<String>,
    pub requires: Vec<ModuleRef>,
}

/// Walks up from `dir` to the first `go.mod`.
pub fn find(dir: &Path) -> Option<GoMod> {
    for d in dir.ancestors() {
        let f = d.join("go.mod");
        if let Ok(text) = std::fs::read_to_string(&f) {
            let mut m = parse(&text);
            m.file = f;
            return Some(m);
        }
    }
    None
}

/// Reads `module`, `require` and local `replace` directives.
pub fn parse(text: &str) -> GoMod {
    let mut out = GoMod::default();
    let mut replaced_locally = Vec::new();
    let mut block: Option<&str> = None;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(kind) = block {
            if line == ")" {
                block = None;
            } else {
                directive(kind, line, &mut out, &mut replaced_locally);
            }
            continue;
        }
        let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        if rest == "(" {
            block = Some(match verb {
                "require" => "require",
                "replace" => "replace",
                _ => "other",
            });
            continue;
        }
        match verb {
            "module" => out.module = Some(unquote(rest).to_owned()),
            "require" | "replace" => directive(verb, rest, &mut out, &mut replaced_locally),
            _ => {}
        }
    }
    out.requires.retain(|r| !replaced_locally.contains(&r.path));
    out
}

fn directive(kind: &str, line: &str, out: &mut GoMod, local: &mut Vec<String>) {
    let fields: Vec<&str> = line.split_whitespace().map(unquote).collect();
    match kind {
        "require" if fields.len() >= 2 => out.requires.push(ModuleRef {
            path: fields[0].to_owned(),
            version: Some(fields[1].to_owned()),
        }),
        "replace" => {
            if let Some(i) = fields.iter().position(|f| *f == "=>")
                && let Some(target) = fields.get(i + 1)
                && (target.starts_with("./")
                    || target.starts_with("../")
                    || target.starts_with('/'))
            {
                local.push(fields[0].to_owned());
            }
        }
        _ => {}
    }
}

fn unquote(s: &str) -> &str {
    s.trim_matches('"').trim_matches('`')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_blocks_and_local_replacements() {
        let m = parse(
            "module example.com/app // the app\n\ngo 1.21\n\nrequire github.com/acme/api v1.2.0\n\
             require (\n\tgithub.com/acme/private v1.0.0 // indirect\n\t\"go.acme.test/secret\" v1.0.0\n\tgolang.org/x/text v0.3.0\n)\n\
             replace golang.org/x/text => ../text\nreplace github.com/acme/api => github.com/fork/api v1.2.1\n",
        );
        assert_eq!(m.module.as_deref(), Some("example.com/app"));
        let paths: Vec<String> = m.requires.iter().map(ModuleRef::display).collect();
        assert_eq!(
            paths,
            [
                "github.com/acme/api@v1.2.0",
                "github.com/acme/private@v1.0.0",
                "go.acme.test/secret@v1.0.0"
            ]
        );
    }

    #[test]
    fn module_arguments() {
        assert_eq!(
            ModuleRef::parse("github.com/acme/api@v1.0.0").unwrap(),
            ModuleRef {
                path: "github.com/acme/api".into(),
                version: Some("v1.0.0".into())
            }
        );
        for bad in [
            "",
            "@v1",
            "acme/api",
            "https://github.com/acme/api",
            "a.b/c d",
            "x.y@",
        ] {
            assert!(ModuleRef::parse(bad).is_err(), "{bad}");
        }
    }
}
