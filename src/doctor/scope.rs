//! Which modules and hosts are in play, and which of them look private.
//!
//! Modules come from the command line and from the current go.mod.
//! Without the network, "private" can only be guessed from the host name:
//! an internal domain (`.corp`, `.internal`, `.local`, …), a bare or IP host,
//! a port, GitHub Enterprise (`*.ghe.com`), or a self-hosted forge name
//! (`git.example.com`, `gitlab.example.com`…).  Modules on public hosts such
//! as github.com can be private too; only a probe can tell
//! (`gotriage doctor MODULE`: the proxy answers 404/410, git needs
//! credentials), so they are never *guessed* private here.

use super::machine::Machine;
use crate::diagnose::goenv::{GoEnv, is_public_host, match_prefix_patterns};
use crate::i18n::Lang;

/// A `MODULE[@VERSION]` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleArg {
    pub path: String,
    /// A version or query (`v1.2.3`, `latest`, a branch).
    pub version: Option<String>,
}

impl ModuleArg {
    pub fn parse(s: &str) -> Result<ModuleArg, String> {
        let s = s.trim();
        if let Some((_, rest)) = s.split_once("://") {
            let guess = rest
                .split_once('@')
                .map_or(rest, |(u, h)| if u.contains('/') { rest } else { h })
                .trim_end_matches('/')
                .trim_end_matches(".git");
            return Err(format!(
                "{}: give a module path, not a URL (e.g. {guess})",
                crate::redact::redact(s)
            ));
        }
        let (path, version) = match s.rsplit_once('@') {
            Some((p, v)) if !v.is_empty() => (p, Some(v.to_owned())),
            Some((p, _)) => (p, None),
            None => (s, None),
        };
        let first = path.split('/').next().unwrap_or("");
        let bad = path.is_empty()
            || !first.contains('.')
            || path.starts_with('-')
            || path.contains("//")
            || path.ends_with('/')
            || path
                .chars()
                .any(|c| c.is_whitespace() || c == '\\' || c.is_control());
        if bad {
            return Err(format!(
                "{}: not a module path (it starts with a host name, e.g. github.com/acme/api)",
                crate::redact::redact(s)
            ));
        }
        Ok(ModuleArg {
            path: path.to_owned(),
            version,
        })
    }

    /// The version when it is one (not a query such as `latest` or a branch).
    pub fn semver(&self) -> Option<&str> {
        self.version
            .as_deref()
            .filter(|v| v.starts_with('v') && v[1..].starts_with(|c: char| c.is_ascii_digit()))
    }

    /// `MODULE[@VERSION]` as given.
    pub fn display(&self) -> String {
        match &self.version {
            Some(v) => format!("{}@{v}", self.path),
            None => self.path.clone(),
        }
    }

    pub fn host(&self) -> &str {
        host_of(&self.path)
    }
}

/// A module go.mod makes go fetch that looks private.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateModule {
    pub path: String,
    pub version: String,
    /// Why it looks private (in the user's language).
    pub reason: String,
    /// go.sum has its hashes (go will not ask the checksum database).
    pub summed: bool,
}

/// What is in play for this run.
#[derive(Debug, Clone)]
pub struct Scope {
    pub lang: Lang,
    /// The go environment as the diagnosis rules see it ([`Machine::goenv`]).
    pub env: GoEnv,
    pub named: Vec<ModuleArg>,
    pub private: Vec<PrivateModule>,
    /// Hosts of private modules and of GOPRIVATE entries without wildcards.
    pub private_hosts: Vec<String>,
}

impl Scope {
    pub fn new(m: &Machine, named: Vec<ModuleArg>, lang: Lang) -> Scope {
        let goprivate = m.go.var("GOPRIVATE");
        let mut private = Vec::new();
        if let Some(Ok(gm)) = &m.gomod {
            for r in &gm.requires {
                let Some((path, version)) = gm.fetched(r) else {
                    continue;
                };
                let reason = if goprivate.is_some_and(|g| match_prefix_patterns(g, &path)) {
                    Some(t!(lang, scope_goprivate_covers))
                } else {
                    private_host_reason(host_of(&path), lang)
                };
                if let Some(reason) = reason {
                    private.push(PrivateModule {
                        summed: gm.in_go_sum(&path, &version),
                        path,
                        version,
                        reason,
                    });
                }
            }
        }
        let mut private_hosts: Vec<String> = private
            .iter()
            .map(|p| host_of(&p.path).to_owned())
            .collect();
        for n in &named {
            if private_host_reason(n.host(), lang).is_some() {
                private_hosts.push(n.host().to_owned());
            }
        }
        if let Some(g) = goprivate {
            for pat in g.split(',') {
                let host = pat.split('/').next().unwrap_or("").trim();
                if !host.is_empty() && !host.contains(['*', '?', '[']) {
                    private_hosts.push(host.to_owned());
                }
            }
        }
        private_hosts.sort();
        private_hosts.dedup();
        Scope {
            lang,
            env: m.goenv(),
            named,
            private,
            private_hosts,
        }
    }
}

impl Scope {
    /// At most `n` fix steps of diagnosis rule `id`, filled with `values`
    /// and this machine's settings ([`super::rule_fixes`]).
    pub fn fixes(&self, id: &str, values: &[(&str, &str)], n: usize) -> Vec<String> {
        let all = super::rule_fixes(id, values, &self.env, self.lang);
        all.into_iter().take(n).collect()
    }
}

pub fn host_of(path: &str) -> &str {
    path.split('/').next().unwrap_or("")
}

/// Top-level names that never reach the public internet.
const INTERNAL_TLDS: &[&str] = &[
    "internal",
    "corp",
    "local",
    "lan",
    "intranet",
    "home",
    "test",
    "example",
    "invalid",
    "localhost",
    "private",
    "localdomain",
    "intra",
];

/// First labels of self-hosted forges.
const FORGE_LABELS: &[&str] = &[
    "git",
    "gitlab",
    "gitea",
    "gogs",
    "github",
    "bitbucket",
    "stash",
    "scm",
    "code",
    "vcs",
    "repo",
    "repos",
    "source",
    "src",
    "devops",
    "forgejo",
    "ghe",
];

/// Why a module host looks private, if it does.
pub fn private_host_reason(host: &str, lang: Lang) -> Option<String> {
    let host = host.to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let reason = if is_public_host(&host) {
        return None;
    } else if host.contains(':') {
        t!(lang, scope_host_has_port)
    } else if host.parse::<std::net::IpAddr>().is_ok() {
        t!(lang, scope_host_is_ip)
    } else if labels.len() < 2 {
        t!(lang, scope_host_not_public_domain)
    } else if labels.last().is_some_and(|t| INTERNAL_TLDS.contains(t)) {
        t!(lang, scope_host_internal_domain)
    } else if host.ends_with(".ghe.com") {
        t!(lang, scope_host_github_enterprise)
    } else if labels.len() >= 3 && FORGE_LABELS.contains(&labels[0]) {
        t!(lang, scope_host_self_hosted_forge)
    } else {
        return None;
    };
    Some(reason)
}

/// Whether `host` is known to serve git repositories itself (a hosting
/// pattern go knows, gitlab.com, or a self-hosted forge name), as opposed
/// to a vanity domain that only serves go-import meta tags.
pub fn is_git_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if crate::diagnose::goenv::HOSTING_SERVICES.contains(&host.as_str()) {
        return true;
    }
    let labels: Vec<&str> = host.split('.').collect();
    host.ends_with(".ghe.com") || labels.len() >= 3 && FORGE_LABELS.contains(&labels[0])
}

/// The static repository URLs of named modules (known hosting patterns),
/// for finding the SSH hosts in play before any network probe.
pub fn repo_urls_of_named(named: &[ModuleArg]) -> Vec<(String, String)> {
    named
        .iter()
        .filter_map(|n| match super::resolve::static_root(&n.path) {
            Some(Ok(root)) => Some((root.url, n.path.clone())),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_args() {
        let m = ModuleArg::parse("github.com/acme/api@v1.2.3").unwrap();
        assert_eq!(m.path, "github.com/acme/api");
        assert_eq!(m.semver(), Some("v1.2.3"));
        let m = ModuleArg::parse("github.com/acme/api@latest").unwrap();
        assert_eq!(m.semver(), None);
        assert_eq!(m.display(), "github.com/acme/api@latest");
        let e = ModuleArg::parse("https://github.com/acme/api.git").unwrap_err();
        assert!(e.contains("github.com/acme/api"), "{e}");
        assert!(ModuleArg::parse("acme").is_err());
        assert!(ModuleArg::parse("-x.com/a").is_err());
        assert!(ModuleArg::parse("go.acme.test/secret").is_ok());
    }

    #[test]
    fn private_looking_hosts() {
        let p = |h: &str| private_host_reason(h, Lang::En).is_some();
        assert!(p("git.corp.example.com"));
        assert!(p("gitlab.acme.io"));
        assert!(p("go.acme.internal"));
        assert!(p("acme.ghe.com"));
        assert!(p("10.0.0.5"));
        assert!(p("gitserver"));
        assert!(!p("github.com"));
        assert!(!p("gitlab.com"));
        assert!(!p("go.uber.org"));
        assert!(!p("honnef.co"));
        assert!(!p("git.sr.ht"));
        assert!(is_git_host("gitlab.acme.io"));
        assert!(is_git_host("github.com"));
        assert!(!is_git_host("go.acme.test"));
    }
}
