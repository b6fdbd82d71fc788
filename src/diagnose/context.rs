//! What a diagnosis knows besides the matched line: the values it extracted
//! (module, host, URL, …), the go environment of the failed command, and the
//! conditions (`when = "…"`) fix steps depend on.

use std::collections::BTreeMap;

use super::goenv::{self, GoEnv};

/// Named values for placeholders.
pub type Values = BTreeMap<String, String>;

/// The facts one diagnosis is rendered from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub values: Values,
    /// The failed command's environment; `None` for a saved log.
    pub env: Option<GoEnv>,
    /// Running inside a container (only known for the shim).
    pub in_container: bool,
}

impl Facts {
    /// Adds the values computed from the environment and the module.
    pub fn complete(&mut self) {
        let v = &mut self.values;
        if !v.contains_key("host") {
            let from_url = v
                .get("url")
                .or_else(|| v.get("origin_url"))
                .and_then(|u| url_host(u));
            let from_module = v
                .get("module")
                .and_then(|m| m.split('/').next())
                .filter(|h| h.contains('.'))
                .map(str::to_owned);
            if let Some(h) = from_module.or(from_url) {
                v.insert("host".into(), h);
            }
        }
        if let Some(h) = v.get("url").and_then(|u| url_host(u)) {
            v.insert("url_host".into(), h);
        }
        if let Some(module) = v.get("module").cloned() {
            let prefix = goenv::suggested_prefix(&module);
            let env = self.env.as_ref();
            let goprivate = env.and_then(|e| e.get("GOPRIVATE"));
            let gonosumdb = env.and_then(|e| e.get("GONOSUMDB"));
            v.insert(
                "goprivate_suggested".into(),
                goenv::extended(goprivate, &prefix),
            );
            v.insert(
                "gonosumdb_suggested".into(),
                goenv::extended(gonosumdb.or(goprivate), &prefix),
            );
            // GOVCS is first-match: put the module's rule in front of what
            // is there (or of go's default), never replace it.
            let govcs = env
                .and_then(|e| e.get("GOVCS"))
                .unwrap_or("public:git|hg,private:all");
            v.insert("govcs_suggested".into(), format!("{prefix}:git,{govcs}"));
            v.insert("module_prefix".into(), prefix);
        }
        if let Some(env) = &self.env {
            for (name, var) in [
                ("goprivate", "GOPRIVATE"),
                ("gonosumdb", "GONOSUMDB"),
                ("goproxy", "GOPROXY"),
            ] {
                if let Some(val) = env.get(var) {
                    v.insert(name.into(), val.to_owned());
                }
            }
            if let Some(p) = env.https_proxy() {
                v.insert("https_proxy".into(), p.to_owned());
            }
        }
    }

    /// Evaluates one predicate (see `rules::spec::PREDICATES`); unknown facts
    /// are false.
    pub fn predicate(&self, name: &str) -> bool {
        let v = &self.values;
        let env = self.env.as_ref();
        let module = v.get("module").map(String::as_str);
        let covers = |globs: Option<&str>| match (globs, module) {
            (Some(g), Some(m)) => goenv::match_prefix_patterns(g, m),
            _ => false,
        };
        let host = v.get("host").map(String::as_str);
        if let Some(value) = name.strip_prefix("has:") {
            return v.contains_key(value);
        }
        if let Some(value) = name.strip_prefix("public:") {
            return v.get(value).is_some_and(|h| goenv::is_public_host(h));
        }
        if let Some((a, b)) = name.strip_prefix("same:").and_then(|r| r.split_once(':')) {
            return match (v.get(a), v.get(b)) {
                (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
                _ => false,
            };
        }
        match name {
            "env-known" => env.is_some(),
            "goprivate-set" => env.and_then(|e| e.get("GOPRIVATE")).is_some(),
            "goprivate-covers" => covers(env.and_then(|e| e.get("GOPRIVATE"))),
            "gonoproxy-covers" => covers(env.and_then(GoEnv::gonoproxy)),
            "gonosumdb-covers" => covers(env.and_then(GoEnv::gonosumdb)),
            "goproxy-default" => env.is_some_and(GoEnv::goproxy_default),
            "https-proxy-set" => env.and_then(GoEnv::https_proxy).is_some(),
            "host-github" => host == Some("github.com"),
            "host-gitlab" => host == Some("gitlab.com"),
            "host-public" => host.is_some_and(goenv::is_public_host),
            "has-module" => module.is_some(),
            "has-version" => v.contains_key("version"),
            "has-host" => host.is_some(),
            "has-dir" => v.contains_key("dir"),
            "has-url" => v.contains_key("url"),
            "github-actions" => env.and_then(|e| e.get("GITHUB_ACTIONS")) == Some("true"),
            "in-container" => self.in_container,
            "via-proxy" => v.get("server").is_some_and(|s| s == "proxy"),
            "via-sumdb" => v.get("server").is_some_and(|s| s == "sumdb"),
            "via-meta" => v.get("server").is_some_and(|s| s == "meta"),
            "go-http" => v.contains_key("server"),
            "auth-status" => v
                .get("status")
                .is_some_and(|s| s.starts_with("401") || s.starts_with("403")),
            "not-found-status" => v
                .get("status")
                .is_some_and(|s| s.starts_with("404") || s.starts_with("410")),
            "mirror-wide" => v.contains_key("mirror_wide"),
            // `P requires M` where P and M have different owners (the
            // first two path elements: host and organisation): a third
            // party's module depends on M, so M is public.
            "required-by-other-owner" => match (module, v.get("required_by")) {
                (Some(m), Some(p)) => goenv::module_owner(m) != goenv::module_owner(p),
                _ => false,
            },
            "module-public-only" => module
                .and_then(|m| m.split('/').next())
                .is_some_and(goenv::is_public_only_host),
            "version-unservable" => v.get("url").is_some_and(|u| unservable_version(u)),
            "ssh-url" => v
                .get("url")
                .or_else(|| v.get("origin_url"))
                .is_some_and(|u| u.starts_with("ssh://") || u.starts_with("git@")),
            _ => false,
        }
    }

    /// Whether all `(predicate, negated)` pairs hold.
    pub fn holds(&self, cond: &[(&str, bool)]) -> bool {
        cond.iter().all(|(p, neg)| self.predicate(p) != *neg)
    }

    /// Fills `{name}` / `{name|fallback}` placeholders; `None` when a value
    /// without fallback is unknown (the text cannot be said precisely).
    pub fn fill(&self, template: &str) -> Option<String> {
        fill(template, &self.values)
    }

    /// Like [`Facts::fill`], but an unknown value without fallback becomes
    /// nothing (for titles and explanations, which are always shown).
    pub fn fill_lenient(&self, template: &str) -> String {
        fill_with(template, &self.values, true).unwrap_or_default()
    }

    /// A copy whose values have passed redaction (what rendering uses).
    pub fn redacted(&self) -> Facts {
        let mut f = self.clone();
        for v in f.values.values_mut() {
            if let std::borrow::Cow::Owned(r) = crate::redact::redact(v) {
                *v = r;
            }
        }
        f
    }
}

/// [`Facts::fill`] on a plain value map.
pub fn fill(template: &str, values: &Values) -> Option<String> {
    fill_with(template, values, false)
}

fn fill_with(template: &str, values: &Values, lenient: bool) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i] as char;
        let after = &rest[i + 1..];
        if after.starts_with(c) {
            out.push(c);
            rest = &after[1..];
            continue;
        }
        if c == '}' {
            // Validation rejects this in rules; keep the text as is.
            out.push(c);
            rest = after;
            continue;
        }
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return Some(out);
        };
        let inner = &after[..end];
        let (name, fallback) = match inner.split_once('|') {
            Some((n, f)) => (n, Some(f)),
            None => (inner, None),
        };
        match (values.get(name), fallback) {
            (Some(v), _) => out.push_str(v),
            (None, Some(f)) => out.push_str(f),
            (None, None) if lenient => {
                // Drop the space the missing word would have used.
                if out.ends_with(' ')
                    && (after[end + 1..].starts_with(' ') || after[end + 1..].is_empty())
                {
                    out.pop();
                }
            }
            (None, None) => return None,
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Whether a module proxy URL (`…/PATH/@v/VERSION.info|.mod|.zip`) asks
/// for a version no proxy can have, by go's version grammar alone: a
/// pseudo-version whose commit hash is longer than go's 12 hex digits (a
/// full hash pasted into go.mod), or a v2+ version of a path without its
/// `/vN` suffix and without `+incompatible`.
pub fn unservable_version(url: &str) -> bool {
    let Some((path, rest)) = url.split_once("/@v/") else {
        return false;
    };
    let version = [".info", ".mod", ".zip"]
        .iter()
        .find_map(|ext| rest.strip_suffix(ext))
        .unwrap_or(rest);
    // vX.Y.Z-[pre.]0.yyyymmddhhmmss-HASH (or vX.Y.Z-yyyymmddhhmmss-HASH).
    if let Some((before, hash)) = version.rsplit_once('-') {
        let stamp = before.rsplit(['-', '.']).next().unwrap_or("");
        if stamp.len() == 14
            && stamp.bytes().all(|b| b.is_ascii_digit())
            && hash.len() > 12
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return true;
        }
    }
    let major = version
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u64>().ok())
        .unwrap_or(0);
    let last = path.rsplit('/').next().unwrap_or("");
    let suffixed = last.strip_prefix('v') == Some(major.to_string().as_str())
        || last.ends_with(&format!(".v{major}"));
    major >= 2 && !version.contains("+incompatible") && !suffixed
}

/// The host of a URL (`https://user@host:443/x` → `host`), or of an
/// scp-like `git@host:path`.
pub fn url_host(url: &str) -> Option<String> {
    let rest = match url.split_once("://") {
        Some((_, r)) => r,
        None => {
            let (userhost, _) = url.split_once(':')?;
            let host = userhost.rsplit('@').next()?;
            return (!host.is_empty() && host.contains('.')).then(|| host.to_owned());
        }
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let hostport = authority.rsplit('@').next()?;
    let host = if hostport.starts_with('[') {
        hostport.split(']').next()?.trim_start_matches('[')
    } else {
        hostport.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_no_proxy_can_serve() {
        for (url, want) in [
            // a full 40-hex hash in a pseudo-version (fixtures/real/batch-33)
            (
                "https://goproxy.cn/vitess.io/vitess/@v/v0.0.0-20190119075008-dbef792951a40d6ac55f4d58fe50c7ce8e4fc665.mod",
                true,
            ),
            (
                "https://proxy.golang.org/a.io/b/@v/v0.0.0-20190119075008-dbef792951a4.mod",
                false,
            ),
            (
                "https://proxy.golang.org/a.io/b/@v/v1.2.4-0.20190119075008-dbef792951a4.info",
                false,
            ),
            // v2 without /v2 and without +incompatible (batch-34)
            (
                "https://goproxy.cn/github.com/aliyun/aliyun-oss-go-sdk/@v/v2.0.2.info",
                true,
            ),
            (
                "https://proxy.golang.org/github.com/a/b/v2/@v/v2.0.2.info",
                false,
            ),
            (
                "https://proxy.golang.org/github.com/a/b/@v/v2.0.2+incompatible.info",
                false,
            ),
            (
                "https://proxy.golang.org/gopkg.in/yaml.v3/@v/v3.0.1.mod",
                false,
            ),
            (
                "https://proxy.golang.org/github.com/a/b/@v/v1.9.0.zip",
                false,
            ),
            ("https://proxy.golang.org/github.com/a/b/@latest", false),
        ] {
            assert_eq!(unservable_version(url), want, "{url}");
        }
    }

    fn facts(values: &[(&str, &str)], env: Option<&[(&str, &str)]>) -> Facts {
        let mut f = Facts {
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            env: env.map(|e| GoEnv::from_pairs(e.iter().copied())),
            in_container: false,
        };
        f.complete();
        f
    }

    #[test]
    fn goprivate_extension_is_computed() {
        let f = facts(
            &[("module", "github.com/acme/api")],
            Some(&[("GOPRIVATE", "github.com/foo")]),
        );
        assert!(f.predicate("goprivate-set"));
        assert!(!f.predicate("goprivate-covers"));
        assert_eq!(
            f.values["goprivate_suggested"],
            "github.com/foo,github.com/acme"
        );
        assert_eq!(f.values["host"], "github.com");
        let f = facts(&[("module", "github.com/acme/api")], None);
        assert!(!f.predicate("env-known"));
        assert_eq!(f.values["goprivate_suggested"], "github.com/acme");
    }

    #[test]
    fn fill_placeholders() {
        let v: Values = [("host".to_string(), "github.com".to_string())].into();
        assert_eq!(
            fill("ssh -T git@{host}", &v).as_deref(),
            Some("ssh -T git@github.com")
        );
        assert_eq!(
            fill("{module|MODULE} {{x}}", &v).as_deref(),
            Some("MODULE {x}")
        );
        assert_eq!(fill("{module}", &v), None);
    }

    #[test]
    fn hosts_of_urls() {
        assert_eq!(
            url_host("https://u:p@github.com:443/a").as_deref(),
            Some("github.com")
        );
        assert_eq!(
            url_host("git@github.com:acme/api.git").as_deref(),
            Some("github.com")
        );
        assert_eq!(url_host("origin"), None);
    }
}
