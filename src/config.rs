//! Configuration: the `GOTRIAGE_*` environment variables and the config file.
//!
//! Every variable gotriage reads or sets is named here (and documented in
//! `docs/environment.md`); nothing else in the crate spells them out.  As in
//! rustup, an empty value counts as unset.
//!
//! The config file is TOML, at `$GOTRIAGE_CONFIG`, else
//! `$XDG_CONFIG_HOME/gotriage/config.toml` (default `~/.config/gotriage/`,
//! also on macOS; `%APPDATA%\gotriage\` on Windows).  The shim's hot path
//! reads it only for the `go` key, the one piece of configuration needed
//! before the real go can run; everything else is read on the failure path.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

/// Names of the environment variables gotriage reads or sets.
pub mod vars {
    /// Absolute path of the real go; first in the lookup order.
    pub const GO: &str = "GOTRIAGE_GO";
    /// `off` makes the shim a pure `exec` of the real go (the escape hatch).
    pub const SWITCH: &str = "GOTRIAGE";
    /// Hop counter the shim sets for its child: marks nested calls and stops loops.
    pub const DEPTH: &str = "GOTRIAGE_DEPTH";
    /// Path of the config file.
    pub const CONFIG: &str = "GOTRIAGE_CONFIG";
    /// Extra rule files (`:`-separated, `;` on Windows).
    pub const RULES: &str = "GOTRIAGE_RULES";
    /// `en` or `zh`: the language of diagnoses (else LC_ALL / LC_MESSAGES / LANG).
    pub const LANG: &str = "GOTRIAGE_LANG";
    /// tracing filter for gotriage's own debug log (to stderr).
    pub const LOG: &str = "GOTRIAGE_LOG";
    /// A file the shim also writes its diagnosis to (for CI logs that clip output).
    pub const REPORT: &str = "GOTRIAGE_REPORT";
    /// A file the shim appends one JSON line to per diagnosed failure (the event log).
    pub const REPORT_JSON: &str = "GOTRIAGE_REPORT_JSON";
    /// `off` keeps the shim from writing GitHub job summaries (`$GITHUB_STEP_SUMMARY`).
    pub const SUMMARY: &str = "GOTRIAGE_SUMMARY";
    /// Set by `gotriage init`'s snippet: `path` or `alias`, so `gotriage which` can tell.
    pub const INIT_MODE: &str = "GOTRIAGE_INIT";
}

/// Reads an environment variable, treating an empty value as unset.
pub fn var_os(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// Reads an environment variable as UTF-8, treating empty (or non-UTF-8) as unset.
pub fn var(name: &str) -> Option<String> {
    var_os(name).and_then(|v| v.into_string().ok())
}

/// Where the config file lives, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    pub path: PathBuf,
    /// True when `GOTRIAGE_CONFIG` named it (then a missing file is worth a warning).
    pub explicit: bool,
}

/// The config directory: `$XDG_CONFIG_HOME/gotriage` (or the platform's equivalent).
pub fn config_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.config_dir().join("gotriage"))
}

/// The data directory, home of the default shim directory:
/// `$XDG_DATA_HOME/gotriage` (on macOS too: etcetera's base strategy, as
/// for the config directory), `%LOCALAPPDATA%\gotriage` on Windows — the
/// machine's own profile, not the roaming one (`%APPDATA%`, etcetera's
/// "data" directory there), because it holds an executable.
pub fn data_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy().ok().map(|s| {
        if cfg!(windows) {
            s.cache_dir().join("gotriage")
        } else {
            s.data_dir().join("gotriage")
        }
    })
}

/// The config file's location.
pub fn config_path() -> Option<ConfigPath> {
    if let Some(p) = var_os(vars::CONFIG) {
        return Some(ConfigPath {
            path: PathBuf::from(p),
            explicit: true,
        });
    }
    config_dir().map(|d| ConfigPath {
        path: d.join("config.toml"),
        explicit: false,
    })
}

/// The parsed config file.  Unknown keys are reported, not fatal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `go = "/abs/path/to/go"`: the real go.
    pub go: Option<PathBuf>,
    /// `lang = "en" | "zh"`.
    pub lang: Option<String>,
    /// `rules = ["/path/one.toml", …]`: extra rule files.
    pub rules: Vec<PathBuf>,
    /// `report = "/path"`: also write diagnoses there.
    pub report: Option<PathBuf>,
    /// `report_json = "/path"`: append one JSON line per diagnosed failure there.
    pub report_json: Option<PathBuf>,
    /// Problems found while reading (unknown keys, wrong types), each already located.
    pub warnings: Vec<ConfigError>,
}

/// A problem in the config file, with its file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Config {
    /// Reads the config file.  `Ok(None)` when there is none (the common case,
    /// one failed `open`).  A file that cannot be parsed is an error naming the
    /// file and line; callers warn and go on without it.
    pub fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ConfigError {
                    file: path.to_owned(),
                    line: None,
                    message: e.to_string(),
                });
            }
        };
        Self::parse(path, &text).map(Some)
    }

    /// Parses config text (see [`Config::load`]).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let err = |line: Option<usize>, message: String| ConfigError {
            file: path.to_owned(),
            line,
            message,
        };
        let doc: toml::Spanned<toml::Table> = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            err(line, e.message().to_owned())
        })?;
        let table = doc.into_inner();
        let mut cfg = Config::default();
        // Spans of individual values are not kept by `Table`; locate keys by text.
        let key_line = |key: &str| {
            text.lines()
                .position(|l| {
                    let l = l.trim_start();
                    l.strip_prefix(key)
                        .is_some_and(|rest| rest.trim_start().starts_with('='))
                })
                .map(|i| i + 1)
        };
        for (key, value) in table {
            let wrong = |want: &str| err(key_line(&key), format!("`{key}` must be {want}"));
            match key.as_str() {
                "go" => match value.as_str() {
                    Some(s) => cfg.go = Some(PathBuf::from(expand_home(s))),
                    None => cfg.warnings.push(wrong("a string (an absolute path)")),
                },
                "lang" => match value.as_str() {
                    Some(s) => cfg.lang = Some(s.to_owned()),
                    None => cfg.warnings.push(wrong("\"en\" or \"zh\"")),
                },
                "report" => match value.as_str() {
                    Some(s) => cfg.report = Some(PathBuf::from(expand_home(s))),
                    None => cfg.warnings.push(wrong("a string (a file path)")),
                },
                "report_json" => match value.as_str() {
                    Some(s) => cfg.report_json = Some(PathBuf::from(expand_home(s))),
                    None => cfg.warnings.push(wrong("a string (a file path)")),
                },
                "rules" => match value.as_array() {
                    Some(items) => {
                        for item in items {
                            match item.as_str() {
                                Some(s) => cfg.rules.push(PathBuf::from(expand_home(s))),
                                None => cfg.warnings.push(wrong("a list of file paths")),
                            }
                        }
                    }
                    None => cfg.warnings.push(wrong("a list of file paths")),
                },
                other => cfg.warnings.push(err(
                    key_line(other),
                    format!("unknown key `{other}` (known: go, lang, rules, report, report_json)"),
                )),
            }
        }
        Ok(cfg)
    }
}

/// Expands a leading `~/` to `$HOME/`.
pub fn expand_home(s: &str) -> String {
    match (s.strip_prefix("~/"), var("HOME")) {
        (Some(rest), Some(home)) => format!("{}/{}", home.trim_end_matches('/'), rest),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_keys() {
        let cfg = Config::parse(
            Path::new("c.toml"),
            "go = \"/usr/local/go/bin/go\"\nlang = \"zh\"\nrules = [\"/etc/r.toml\"]\n",
        )
        .unwrap();
        assert_eq!(cfg.go.as_deref(), Some(Path::new("/usr/local/go/bin/go")));
        assert_eq!(cfg.lang.as_deref(), Some("zh"));
        assert_eq!(cfg.rules, vec![PathBuf::from("/etc/r.toml")]);
        assert!(cfg.warnings.is_empty());
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let e = Config::parse(Path::new("/x/config.toml"), "lang = \"en\"\ngo = \n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.to_string().starts_with("/x/config.toml:2: "), "{e}");
    }

    #[test]
    fn unknown_and_mistyped_keys_are_warnings_with_lines() {
        let cfg = Config::parse(Path::new("c.toml"), "gp = 1\n\ngo = 3\n").unwrap();
        let msgs: Vec<String> = cfg.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(cfg.go, None);
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("c.toml:1: unknown key `gp`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("c.toml:3: `go` must be")),
            "{msgs:?}"
        );
    }

    #[test]
    fn missing_file_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Config::load(&dir.path().join("none.toml")).unwrap(), None);
    }
}
