//! Gathering what the local checks judge: the real go and its `go env`, git
//! and the slice of its configuration that matters, go.mod, .netrc, ssh
//! and the agent.  Every program is run once, in parallel, under a short
//! deadline, and only to read; the checks (`local.rs`) are pure functions of
//! what is gathered here, so they can be tested on hand-made machines.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::gitcfg::{self, Entry, Rewrite};
use super::gomod::{self, GoMod};
use super::local_timeout;
use super::netrc::{self, Netrc};
use super::ssh::{self, HostConfig};
use crate::diagnose::goenv::{self, GoEnv};
use crate::exec;
use crate::shim::locate::{self, Lookup};

/// Environment variables doctor reads (never the whole environment), by
/// concern: locale, go, proxies, certificates, git, ssh.
pub const ENV_NAMES: &[&str] = &[
    "HOME PATH LANG LC_ALL LC_CTYPE LC_MESSAGES LANGUAGE",
    "GOTOOLCHAIN GOENV GOPRIVATE GONOPROXY GONOSUMDB GOPROXY GOSUMDB GOFLAGS",
    "GOINSECURE GOVCS GOAUTH GONOSUMCHECK NETRC",
    "HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy ALL_PROXY all_proxy",
    "SSL_CERT_FILE SSL_CERT_DIR GIT_SSL_CAINFO GIT_SSL_CAPATH GIT_SSL_NO_VERIFY",
    "GIT_SSH GIT_SSH_COMMAND GIT_ASKPASS GIT_TERMINAL_PROMPT GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_NOSYSTEM SSH_AUTH_SOCK",
];

/// The `go env` values doctor shows and judges.
pub const GO_VARS: &str = "GOPROXY GOPRIVATE GONOPROXY GONOSUMDB GOSUMDB GOFLAGS GOINSECURE GOVCS GOTOOLCHAIN GOMODCACHE GOAUTH";

/// The real go as the shim would find it.
#[derive(Debug, Clone)]
pub struct Go {
    /// The real go, or why none was found.
    pub path: Result<PathBuf, String>,
    /// What `go` on PATH is (what a shell runs).
    pub on_path: Option<PathBuf>,
    /// `go` on PATH is this gotriage (the shim is in front).
    pub shim_in_front: bool,
    /// `go env -json`, or why it failed.
    pub env: Result<BTreeMap<String, String>, String>,
    /// The user's GOTOOLCHAIN (doctor runs `go env` with `local` so that
    /// it never downloads a toolchain).
    pub toolchain_setting: Option<String>,
    /// Variables set by the user (environment or GOENV file), as opposed to
    /// defaults: `go env` prints GONOPROXY / GONOSUMDB as GOPRIVATE when
    /// they are unset, and the fix must name the variable really in force.
    pub explicit: std::collections::BTreeSet<String>,
}

impl Go {
    /// A `go env` value (empty counts as unset).
    pub fn var(&self, name: &str) -> Option<&str> {
        if name == "GOTOOLCHAIN" {
            return self.toolchain_setting.as_deref();
        }
        if matches!(name, "GONOPROXY" | "GONOSUMDB") && !self.explicit.contains(name) {
            return None;
        }
        self.env
            .as_ref()
            .ok()?
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn version(&self) -> Option<&str> {
        self.var("GOVERSION")
    }

    /// The variable in force for GONOPROXY or GONOSUMDB: itself when the
    /// user set it, else GOPRIVATE (its default), which a fix must change.
    pub fn private_var(&self, name: &'static str) -> &'static str {
        if self.var(name).is_some() {
            name
        } else {
            "GOPRIVATE"
        }
    }
}

/// git and the configuration it would use for go's fetches.
#[derive(Debug, Clone)]
pub struct Git {
    pub path: Option<PathBuf>,
    pub version: Option<String>,
    /// Message catalogues next to this git (Debian's git has them).
    pub translations: bool,
    /// The entries of [`gitcfg::KEYS_REGEX`], or git's error.
    pub config: Result<Vec<Entry>, String>,
}

impl Default for Git {
    fn default() -> Self {
        Git {
            path: None,
            version: None,
            translations: false,
            config: Ok(Vec::new()),
        }
    }
}

impl Git {
    pub fn entries(&self) -> &[Entry] {
        self.config.as_deref().unwrap_or(&[])
    }

    pub fn rewrites(&self) -> Vec<Rewrite> {
        gitcfg::rewrites(self.entries())
    }

    /// The values of one key (lower-case, exact).
    pub fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries().iter().filter(move |e| e.key == key)
    }
}

/// One SSH host in play and what ssh says about it.
#[derive(Debug, Clone)]
pub struct SshHost {
    /// As written in the URL (`git@github.com`).
    pub destination: String,
    pub port: Option<u16>,
    /// Why it is in play (the rewrite or module that leads there).
    pub because: String,
    pub config: Result<HostConfig, String>,
    /// known_hosts files that list it.
    pub known_in: Vec<PathBuf>,
}

/// ssh and its agent.
#[derive(Debug, Clone, Default)]
pub struct Ssh {
    pub ssh: Option<PathBuf>,
    pub agent: Option<ssh::Agent>,
    pub hosts: Vec<SshHost>,
    /// Default identity files that exist (`~/.ssh/id_*`, account home).
    pub key_files: Vec<PathBuf>,
}

/// Everything the local checks read.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cwd: PathBuf,
    /// The environment variables of [`ENV_NAMES`] that are set (non-empty).
    pub vars: BTreeMap<String, String>,
    pub go: Go,
    pub git: Git,
    pub gomod: Option<Result<GoMod, String>>,
    pub netrc_path: Option<PathBuf>,
    pub netrc: Result<Option<Netrc>, String>,
    pub ssh: Ssh,
}

impl Machine {
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The go environment as the diagnosis facts know it: `go env` values
    /// plus the process's proxy and git variables.
    pub fn goenv(&self) -> GoEnv {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for name in goenv::VARS {
            let v = if name.starts_with("GO") {
                self.go.var(name)
            } else {
                self.var(name)
            };
            if let Some(v) = v {
                pairs.push((name, v));
            }
        }
        GoEnv::from_pairs(pairs)
    }

    /// Whether a go variable comes from the process environment (then
    /// `go env -w` cannot change it: the environment wins).
    pub fn from_process_env(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }
}

/// Reads the process environment's [`ENV_NAMES`].
pub fn env_snapshot() -> BTreeMap<String, String> {
    ENV_NAMES
        .iter()
        .flat_map(|line| line.split_whitespace())
        .filter_map(|n| {
            std::env::var(n)
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| (n.to_owned(), v))
        })
        .collect()
}

/// Gathers the machine: go, git, ssh in parallel; files directly.
/// `repo_urls`: repository URLs of named modules (with the module), whose
/// SSH hosts (after insteadOf) are in play too.
pub fn gather(cwd: PathBuf, repo_urls: &[(String, String)]) -> Machine {
    let vars = env_snapshot();
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let home = vars.get("HOME").map(PathBuf::from);
    let (go, git) = std::thread::scope(|s| {
        let go = s.spawn(|| gather_go(&cwd, &path_var, &vars));
        let git = gather_git(&path_var);
        (go.join().unwrap_or_else(|_| panic_go()), git)
    });
    // go.mod is read by go, when go works (else the toolchain checks say why not).
    let gomod = match (&go.path, &go.env) {
        (Ok(bin), Ok(_)) => gomod::find(&cwd).map(|f| gomod::load(bin, &f)),
        _ => None,
    };
    let netrc_path = netrc::path(vars.get("NETRC").map(String::as_str), home.as_deref());
    let netrc = match &netrc_path {
        Some(p) => netrc::load(p).map_err(|e| format!("{}: {e}", p.display())),
        None => Ok(None),
    };
    let mut targets: Vec<(gitcfg::SshTarget, String)> = git
        .rewrites()
        .iter()
        .filter_map(|r| match gitcfg::classify(&r.base) {
            gitcfg::Remote::Ssh(t) => {
                Some((t, format!("url.\"{}\".insteadOf \"{}\"", r.base, r.prefix)))
            }
            _ => None,
        })
        .collect();
    targets.extend(super::gitcfg::ssh_targets(repo_urls, &git.rewrites()));
    let ssh = gather_ssh(&path_var, &targets);
    Machine {
        cwd,
        vars,
        go,
        git,
        gomod,
        netrc_path,
        netrc,
        ssh,
    }
}

fn panic_go() -> Go {
    Go {
        path: Err("internal error while looking for go".to_owned()),
        on_path: None,
        shim_in_front: false,
        env: Err("not run".to_owned()),
        toolchain_setting: None,
        explicit: Default::default(),
    }
}

fn gather_go(cwd: &Path, path_var: &OsStr, vars: &BTreeMap<String, String>) -> Go {
    let self_exe = std::env::current_exe().ok();
    let lookup = Lookup::from_env(None);
    let on_path = lookup.first_on_path(path_var);
    let shim_in_front = match (&on_path, &self_exe) {
        (Some(p), Some(me)) => locate::as_this_gotriage(p, me).is_some(),
        _ => false,
    };
    let path = lookup.find().map(|f| f.path).map_err(|nf| {
        if nf.skipped.is_empty() {
            format!("no go on PATH ({} entries searched)", nf.path_entries)
        } else {
            format!(
                "no go on PATH besides gotriage itself ({} skipped)",
                nf.skipped.len()
            )
        }
    });
    let env = match &path {
        Ok(go) => go_env_json(go, cwd, vars),
        Err(e) => Err(e.clone()),
    };
    let toolchain_setting = toolchain_setting(vars, env.as_ref().ok());
    let mut explicit: std::collections::BTreeSet<String> = vars.keys().cloned().collect();
    if let Some(file) = env
        .as_ref()
        .ok()
        .and_then(|e| e.get("GOENV"))
        .filter(|f| *f != "off")
        && let Ok(text) = std::fs::read_to_string(file)
    {
        explicit.extend(goenv::parse_goenv_file(&text).into_keys());
    }
    Go {
        path,
        on_path,
        shim_in_front,
        env,
        toolchain_setting,
        explicit,
    }
}

/// One `go env -json NAME…`, made safe to run.  Naming the variables keeps
/// go from computing the costly ones (GOGCCFLAGS…), which creates the build
/// cache directory.  `GOTOOLCHAIN=local` (in a module
/// whose go.mod asks for a newer toolchain, or with GOTOOLCHAIN naming one,
/// `go env` would otherwise download it), and `XDG_CONFIG_HOME` pointed
/// where nothing can be created, so go's telemetry counters are not written
/// (go keeps them in its config directory); GOENV is pinned to the file the
/// user's settings live in, so they are still read.
fn go_env_json(
    go: &Path,
    cwd: &Path,
    vars: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    let mut cmd = Command::new(go);
    cmd.args(["env", "-json"])
        .args(GO_VARS.split_whitespace())
        .args(["GOVERSION", "GOROOT", "GOENV", "GOPATH", "GOMOD"])
        .current_dir(cwd);
    cmd.env("GOTOOLCHAIN", "local");
    if !vars.contains_key("GOENV") {
        match goenv::goenv_file() {
            Some(f) => cmd.env("GOENV", f),
            None => cmd.env("GOENV", "off"),
        };
    }
    cmd.env("XDG_CONFIG_HOME", "/dev/null/gotriage-doctor");
    let out =
        exec::run(cmd, local_timeout()).map_err(|e| format!("cannot run {}: {e}", go.display()))?;
    if out.timed_out() {
        return Err(format!("`{} env -json` did not finish", go.display()));
    }
    if !out.success() {
        let err = out.stderr_text();
        return Err(err.trim().to_owned());
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("go env -json: {e}"))?;
    let obj = v.as_object().ok_or("go env -json: not an object")?;
    Ok(obj
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
        .collect())
}

/// GOTOOLCHAIN as go would see it: the environment, the GOENV file, then
/// `$GOROOT/go.env` (go 1.21+); `None` before go 1.21.
fn toolchain_setting(
    vars: &BTreeMap<String, String>,
    env: Option<&BTreeMap<String, String>>,
) -> Option<String> {
    if let Some(v) = vars.get("GOTOOLCHAIN") {
        return Some(v.clone());
    }
    let env = env?;
    let version = env.get("GOVERSION").map(String::as_str).unwrap_or("");
    if version_tuple(version).is_some_and(|v| v < (1, 21, 0)) {
        return None;
    }
    let file = env.get("GOENV").filter(|f| *f != "off");
    if let Some(v) = file
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|t| goenv::parse_goenv_file(&t).remove("GOTOOLCHAIN"))
    {
        return Some(v);
    }
    if let Some(v) = env
        .get("GOROOT")
        .and_then(|r| std::fs::read_to_string(Path::new(r).join("go.env")).ok())
        .and_then(|t| goenv::parse_goenv_file(&t).remove("GOTOOLCHAIN"))
    {
        return Some(v);
    }
    Some("auto".to_owned())
}

/// `go1.27.3` / `1.22` / `go1.21rc2` → (1, 27, 3).
pub fn version_tuple(v: &str) -> Option<(u32, u32, u32)> {
    let v = v.trim().trim_start_matches("go");
    let mut parts = v.split('.');
    let num = |s: Option<&str>| -> Option<u32> {
        let s = s?;
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    let major = num(parts.next())?;
    let minor = num(parts.next()).unwrap_or(0);
    let patch = num(parts.next()).unwrap_or(0);
    Some((major, minor, patch))
}

fn gather_git(path_var: &OsStr) -> Git {
    let Some(git) = locate::first_on_path(path_var, &exe("git")) else {
        return Git::default();
    };
    let (version, config) = std::thread::scope(|s| {
        let v = s.spawn(|| {
            let mut c = Command::new(&git);
            c.arg("version");
            exec::run(c, local_timeout())
                .ok()
                .filter(exec::Output::success)
                .map(|o| {
                    o.stdout_text()
                        .trim()
                        .trim_start_matches("git version ")
                        .to_owned()
                })
        });
        let config = git_config(&git);
        (v.join().ok().flatten(), config)
    });
    Git {
        translations: has_translations(&git),
        path: Some(git),
        version,
        config,
    }
}

/// The configuration go's git would read: system, global and `GIT_CONFIG_*`
/// values, not the current repository's (go fetches in its own cache
/// repositories), so git runs in `/`.
fn git_config(git: &Path) -> Result<Vec<Entry>, String> {
    let mut c = Command::new(git);
    exec::noninteractive(&mut c);
    c.current_dir("/")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .args([
            "config",
            "--show-origin",
            "--null",
            "--get-regexp",
            gitcfg::KEYS_REGEX,
        ]);
    let out = exec::run(c, local_timeout()).map_err(|e| format!("cannot run git: {e}"))?;
    match out.code() {
        Some(0) => Ok(gitcfg::parse_entries(&out.stdout)),
        Some(1) => Ok(Vec::new()),
        _ if out.timed_out() => Err("git config did not finish".to_owned()),
        _ => Err(out.stderr_text().trim().to_owned()),
    }
}

/// Debian's git carries message catalogues (`git.mo`) under its prefix's
/// `share/locale`; a git built without gettext has none.
fn has_translations(git: &Path) -> bool {
    let real = std::fs::canonicalize(git).unwrap_or_else(|_| git.to_owned());
    let Some(prefix) = real.parent().and_then(Path::parent) else {
        return false;
    };
    let locale = prefix.join("share/locale");
    std::fs::read_dir(locale).is_ok_and(|d| {
        d.flatten()
            .any(|e| e.path().join("LC_MESSAGES/git.mo").is_file())
    })
}

fn gather_ssh(path_var: &OsStr, targets: &[(gitcfg::SshTarget, String)]) -> Ssh {
    let find = |n: &str| locate::first_on_path(path_var, &exe(n));
    let ssh_bin = find("ssh");
    let keygen = find("ssh-keygen");
    let add = find("ssh-add");
    let mut seen = Vec::new();
    let targets: Vec<&(gitcfg::SshTarget, String)> = targets
        .iter()
        .filter(|(t, _)| {
            let k = (t.destination(), t.port);
            let new = !seen.contains(&k);
            seen.push(k);
            new
        })
        .collect();
    let (agent, hosts) = std::thread::scope(|s| {
        let agent = s.spawn(|| add.as_deref().map(|a| ssh::agent(a, local_timeout())));
        let hosts: Vec<SshHost> = targets
            .iter()
            .map(|(t, because)| {
                let config = match &ssh_bin {
                    Some(b) => {
                        ssh::host_config(b, t.user.as_deref(), &t.host, t.port, local_timeout())
                    }
                    None => Err("ssh is not installed".to_owned()),
                };
                let known_in = match (&config, &keygen) {
                    (Ok(c), Some(k)) => ssh::known_host_files(
                        k,
                        &c.known_hosts_name(),
                        &c.known_hosts_files,
                        local_timeout(),
                    ),
                    _ => Vec::new(),
                };
                SshHost {
                    destination: t.destination(),
                    port: t.port,
                    because: because.clone(),
                    config,
                    known_in,
                }
            })
            .collect();
        (agent.join().ok().flatten(), hosts)
    });
    let key_files = ssh::account_home()
        .map(|h| {
            [
                "id_ed25519",
                "id_ecdsa",
                "id_rsa",
                "id_ed25519_sk",
                "id_ecdsa_sk",
                "id_dsa",
            ]
            .iter()
            .map(|n| h.join(".ssh").join(n))
            .filter(|p| p.is_file())
            .collect()
        })
        .unwrap_or_default();
    Ssh {
        ssh: ssh_bin,
        agent,
        hosts,
        key_files,
    }
}

/// The file name of program `name` on disk (`first_on_path` takes it as it is).
fn exe(name: &str) -> std::ffi::OsString {
    if cfg!(windows) {
        format!("{name}.exe").into()
    } else {
        name.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(version_tuple("go1.27.3"), Some((1, 27, 3)));
        assert_eq!(version_tuple("1.22"), Some((1, 22, 0)));
        assert_eq!(version_tuple("go1.21rc2"), Some((1, 21, 0)));
        assert!(version_tuple("go1.21.13") > version_tuple("go1.21.2"));
        assert_eq!(version_tuple("devel"), None);
    }
}
