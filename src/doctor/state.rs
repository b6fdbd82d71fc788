//! What doctor reads once, before any check: the real go and its
//! `go env -json` (one call), git's configuration (one `git config` call),
//! the go.mod in play, the rule table, the language.  Checks and probes read
//! this; none of them runs go or reads git's configuration again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::exec::{Cmd, Outcome};
use super::gomod::{self, GoMod, ModuleRef};
use crate::diagnose::goenv::GoEnv;
use crate::i18n::Lang;
use crate::rules::RuleSet;
use crate::shim::locate::{self, Lookup};

/// The `go env` values doctor asks for (one `go env -json` call).
pub const GO_ENV_VARS: &[&str] = &[
    "GOVERSION",
    "GOROOT",
    "GOPROXY",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOSUMDB",
    "GOFLAGS",
    "GOINSECURE",
    "GOVCS",
    "GOTOOLCHAIN",
    "GOMODCACHE",
    "GOAUTH",
    "GOENV",
    "GOMOD",
];

/// Process variables that matter for fetching (read from the environment,
/// which is where go and git read them).
pub const PROCESS_VARS: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "GIT_SSL_CAINFO",
    "GIT_SSL_CAPATH",
    "GIT_SSL_NO_VERIFY",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_ASKPASS",
    "GIT_TERMINAL_PROMPT",
    "GIT_ALLOW_PROTOCOL",
    "SSH_AUTH_SOCK",
    "NETRC",
    "GONOSUMCHECK",
    "GITHUB_ACTIONS",
];

/// One `git config` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitEntry {
    /// As git prints it: section and variable lower case, subsection as written.
    pub key: String,
    pub value: String,
    /// `file:/root/.gitconfig`, `command line:` …
    pub origin: String,
}

/// The git configuration entries doctor looks at.
#[derive(Debug, Clone, Default)]
pub struct GitConfig {
    pub entries: Vec<GitEntry>,
    /// git could not read its configuration (its message).
    pub error: Option<String>,
}

impl GitConfig {
    /// Entries whose key matches `pred`.
    pub fn find<'a>(
        &'a self,
        pred: impl Fn(&str) -> bool + 'a,
    ) -> impl Iterator<Item = &'a GitEntry> + 'a {
        self.entries.iter().filter(move |e| pred(&e.key))
    }

    /// `(base, prefix)` of every `url.<base>.insteadOf = <prefix>`.
    pub fn insteadof(&self) -> Vec<(&str, &GitEntry)> {
        self.entries
            .iter()
            .filter_map(|e| {
                let base = e.key.strip_prefix("url.")?.strip_suffix(".insteadof")?;
                Some((base, e))
            })
            .collect()
    }

    /// The URL git uses for `url`: git's `url.<base>.insteadOf` rule with
    /// the longest matching prefix, or `url` itself.  Returns the rewrite
    /// applied as `(base, prefix)`.
    pub fn rewrite(&self, url: &str) -> (String, Option<(String, String)>) {
        let mut best: Option<(&str, &str)> = None;
        for (base, e) in self.insteadof() {
            if url.starts_with(e.value.as_str())
                && best.is_none_or(|(_, p)| e.value.len() > p.len())
            {
                best = Some((base, &e.value));
            }
        }
        match best {
            Some((base, prefix)) => (
                format!("{base}{}", &url[prefix.len()..]),
                Some((base.to_owned(), prefix.to_owned())),
            ),
            None => (url.to_owned(), None),
        }
    }
}

/// Everything the checks read.
#[derive(Debug)]
pub struct State {
    pub lang: Lang,
    pub timeout: Duration,
    pub network: bool,
    pub cwd: PathBuf,
    pub home: Option<PathBuf>,
    /// The home ssh uses (the passwd entry's, not `$HOME`).
    pub ssh_home: Option<PathBuf>,
    pub go: Result<locate::Found, locate::NotFound>,
    /// Whether `go` on PATH is this gotriage.
    pub shim_on_path: Option<PathBuf>,
    pub go_on_path: Option<PathBuf>,
    /// `go env -json` values (empty strings dropped).
    pub go_env: BTreeMap<String, String>,
    /// Why `go env -json` did not work.
    pub go_env_error: Option<String>,
    /// Process variables of [`PROCESS_VARS`] that are set (even empty).
    pub vars: BTreeMap<String, String>,
    pub git: Option<PathBuf>,
    pub git_version: Option<String>,
    pub git_config: GitConfig,
    pub gomod: Option<GoMod>,
    /// MODULE arguments.
    pub modules: Vec<ModuleRef>,
    pub rules: RuleSet,
    pub in_container: bool,
}

impl State {
    /// Gathers the state of this machine.
    pub fn gather(modules: Vec<ModuleRef>, network: bool, timeout: Duration) -> State {
        let config = crate::config::config_path()
            .and_then(|p| crate::config::Config::load(&p.path).ok().flatten())
            .unwrap_or_default();
        let lang = Lang::detect(config.lang.as_deref());
        let (rules, _) = crate::rules::load_with_user(&config);
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let lookup = Lookup::from_env(None);
        let go = lookup.find();
        let path_var = std::env::var_os("PATH").unwrap_or_default();
        let go_on_path = locate::first_on_path(&path_var, &lookup.name);
        let shim_on_path = match (&go_on_path, std::env::current_exe()) {
            (Some(p), Ok(me)) if locate::as_this_gotriage(p, &me).is_some() => Some(p.clone()),
            _ => None,
        };
        let vars = PROCESS_VARS
            .iter()
            .filter_map(|k| std::env::var(k).ok().map(|v| ((*k).to_owned(), v)))
            .collect();
        let (go_env, go_env_error) = match &go {
            Ok(f) => read_go_env(&f.path, &cwd, timeout),
            Err(_) => (BTreeMap::new(), None),
        };
        let git = which("git");
        let (git_version, git_config) = match &git {
            Some(g) => (git_version(g, timeout), read_git_config(g, timeout)),
            None => (None, GitConfig::default()),
        };
        State {
            lang,
            timeout,
            network: network || !modules.is_empty(),
            gomod: gomod::find(&cwd),
            cwd,
            home,
            ssh_home: passwd_home(),
            go,
            shim_on_path,
            go_on_path,
            go_env,
            go_env_error,
            vars,
            git,
            git_version,
            git_config,
            modules,
            rules,
            in_container: Path::new("/.dockerenv").exists()
                || Path::new("/run/.containerenv").exists(),
        }
    }

    /// A `go env` value (empty counts as unset).
    pub fn env(&self, name: &str) -> Option<&str> {
        self.go_env
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A process variable (empty counts as unset).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The environment in the classifier's form (for fix steps and predicates).
    pub fn goenv(&self) -> GoEnv {
        let pairs = self
            .go_env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        GoEnv::from_pairs(pairs)
    }

    /// GONOPROXY as go computes it (defaults to GOPRIVATE).
    pub fn gonoproxy(&self) -> Option<&str> {
        self.env("GONOPROXY").or_else(|| self.env("GOPRIVATE"))
    }

    /// GONOSUMDB as go computes it (defaults to GOPRIVATE).
    pub fn gonosumdb(&self) -> Option<&str> {
        self.env("GONOSUMDB").or_else(|| self.env("GOPRIVATE"))
    }

    /// The modules in play: the arguments, else go.mod's requirements.
    pub fn modules_in_play(&self) -> Vec<ModuleRef> {
        let mut v = self.modules.clone();
        if let Some(m) = &self.gomod {
            for r in &m.requires {
                if !v.iter().any(|x| x.path == r.path) {
                    v.push(r.clone());
                }
            }
        }
        v
    }

    /// English or Chinese.
    pub fn tr(&self, en: &str, zh: &str) -> String {
        match self.lang {
            Lang::En => en.to_owned(),
            Lang::Zh => zh.to_owned(),
        }
    }

    /// A git command that reads no repository's own configuration and
    /// cannot prompt (run in `/`, as go runs git outside the user's work tree).
    pub fn git_cmd(&self) -> Cmd {
        Cmd::new(self.git.clone().unwrap_or_else(|| PathBuf::from("git")))
            .dir("/")
            .non_interactive()
    }
}

/// One `go env -json NAMES…` of the real go, kept from writing anything:
/// `GOTOOLCHAIN=local`, so that a go.mod asking for a newer toolchain
/// cannot make it download one (GOTOOLCHAIN itself is read from the
/// environment and the GOENV file instead); and go's telemetry counters,
/// which every go command writes under `os.UserConfigDir()/go/telemetry`,
/// pointed at `/dev/null` (`XDG_CONFIG_HOME`), where no directory can be
/// made — with `GOENV` set to the file go would otherwise have found there,
/// so the settings read are the user's.
fn read_go_env(
    go: &Path,
    cwd: &Path,
    timeout: Duration,
) -> (BTreeMap<String, String>, Option<String>) {
    let goenv_file = crate::diagnose::goenv::goenv_file()
        .map_or_else(|| std::ffi::OsString::from("off"), PathBuf::into_os_string);
    let out = Cmd::new(go)
        .arg("env")
        .arg("-json")
        .args(GO_ENV_VARS)
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", goenv_file)
        .env("XDG_CONFIG_HOME", "/dev/null")
        .dir(cwd)
        .run(timeout);
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    if out.success() {
        match serde_json::from_str::<BTreeMap<String, String>>(&out.stdout) {
            Ok(m) => map = m,
            Err(e) => return (map, Some(format!("go env -json: {e}"))),
        }
    } else {
        return (map, Some(failure_text("go env -json", &out)));
    }
    // The GOTOOLCHAIN the user's go commands see.
    let own = GoEnv::from_process();
    match own.get("GOTOOLCHAIN") {
        Some(t) => map.insert("GOTOOLCHAIN".into(), t.to_owned()),
        None => map.remove("GOTOOLCHAIN"),
    };
    map.retain(|_, v| !v.is_empty());
    (map, None)
}

/// "CMD: exit status N: stderr" / "timed out after …" / the spawn error.
pub fn failure_text(what: &str, out: &Outcome) -> String {
    if let Some(e) = &out.spawn_error {
        return format!("{what}: {e}");
    }
    if out.timed_out {
        return format!(
            "{what}: no answer within {:.1} s",
            out.elapsed.as_secs_f64()
        );
    }
    let msg = out.text();
    let msg = msg.trim();
    match out.code {
        Some(c) if msg.is_empty() => format!("{what}: exit status {c}"),
        Some(c) => format!("{what}: exit status {c}: {msg}"),
        None => format!("{what}: killed: {msg}"),
    }
}

fn git_version(git: &Path, timeout: Duration) -> Option<String> {
    // Without the user's configuration: a broken ~/.gitconfig breaks
    // `git version` too, and that is reported by the config check.
    let out = Cmd::new(git)
        .arg("version")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .run(timeout);
    out.success().then(|| {
        out.stdout
            .trim()
            .trim_start_matches("git version ")
            .to_owned()
    })
}

/// The entries doctor reads, in one call (`--show-origin` tells which file).
fn read_git_config(git: &Path, timeout: Duration) -> GitConfig {
    let out = Cmd::new(git)
        .args([
            "config",
            "--show-origin",
            "--get-regexp",
            r"^(url\..*\.insteadof|credential\..*helper|safe\.directory|http\..*sslverify|http\..*sslcainfo|http\..*sslcapath|http\..*extraheader|http\..*proxy|core\.sshcommand|core\.askpass)$",
        ])
        .dir("/")
        .non_interactive()
        .run(timeout);
    let mut cfg = GitConfig::default();
    match out.code {
        Some(0) => {}
        // No entry matched.
        Some(1) if out.stderr.trim().is_empty() => return cfg,
        _ => {
            cfg.error = Some(failure_text("git config", &out));
            return cfg;
        }
    }
    for line in out.stdout.lines() {
        let Some((origin, rest)) = line.split_once('\t') else {
            continue;
        };
        let (key, value) = rest.split_once(' ').unwrap_or((rest, ""));
        cfg.entries.push(GitEntry {
            key: key.to_owned(),
            value: value.to_owned(),
            origin: origin.to_owned(),
        });
    }
    cfg
}

/// The first executable `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    locate::first_on_path(&path, std::ffi::OsStr::new(name))
}

/// The current user's home directory from /etc/passwd (what ssh uses for
/// `~`), falling back to `$HOME`.
fn passwd_home() -> Option<PathBuf> {
    // The owner of /proc/self is this process's user.
    #[cfg(unix)]
    let uid = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").ok()?.uid().to_string()
    };
    #[cfg(not(unix))]
    let uid = String::new();
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() >= 6 && f[2] == uid).then(|| PathBuf::from(f[5]))
            })
        })
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> GitConfig {
        GitConfig {
            entries: pairs
                .iter()
                .map(|(k, v)| GitEntry {
                    key: (*k).into(),
                    value: (*v).into(),
                    origin: "file:/x".into(),
                })
                .collect(),
            error: None,
        }
    }

    #[test]
    fn longest_insteadof_wins() {
        let c = cfg(&[
            ("url.ssh://git@github.com/.insteadof", "https://github.com/"),
            (
                "url.https://mirror.test/acme/.insteadof",
                "https://github.com/acme/",
            ),
        ]);
        assert_eq!(
            c.rewrite("https://github.com/acme/api").0,
            "https://mirror.test/acme/api"
        );
        assert_eq!(
            c.rewrite("https://github.com/other/x").0,
            "ssh://git@github.com/other/x"
        );
        assert_eq!(c.rewrite("https://gitlab.com/x").1, None);
    }
}
