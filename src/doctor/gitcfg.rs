//! The parts of git's configuration that decide how go's fetches
//! authenticate, read with one `git config --get-regexp` (never
//! `git config --list`: doctor must not see, let alone print, the rest),
//! plus git's URL rewriting (`url.<base>.insteadOf`) and URL kinds.

use super::http::Url;

/// The keys doctor reads (lower-case, as git prints them; subsections keep
/// their case).
pub const KEYS_REGEX: &str = r"^(url\..*\.insteadof|credential(\..*)?\.helper|safe\.directory|http(\..*)?\.(sslverify|sslcainfo|sslcapath|extraheader|proxy)|core\.sshcommand|core\.askpass)$";

/// One configuration value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `file:/root/.gitconfig`, `command line:`…
    pub origin: String,
    pub key: String,
    /// `None` for a key written without `=` (a boolean true).
    pub value: Option<String>,
}

impl Entry {
    /// The file it came from, if it came from a file.
    pub fn file(&self) -> Option<&str> {
        self.origin.strip_prefix("file:")
    }
}

/// Parses `git config --show-origin --null --get-regexp` output:
/// `origin NUL key LF value NUL`, or `origin NUL key NUL` without a value.
pub fn parse_entries(out: &[u8]) -> Vec<Entry> {
    let text = String::from_utf8_lossy(out);
    let mut parts = text.split('\0');
    let mut entries = Vec::new();
    while let (Some(origin), Some(kv)) = (parts.next(), parts.next()) {
        if origin.is_empty() && kv.is_empty() {
            break;
        }
        let (key, value) = match kv.split_once('\n') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (kv.to_owned(), None),
        };
        entries.push(Entry {
            origin: origin.to_owned(),
            key,
            value,
        });
    }
    entries
}

/// One `url.<base>.insteadOf = <prefix>` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// What matching URLs become (`git@github.com:`).
    pub base: String,
    /// What it replaces (`https://github.com/`).
    pub prefix: String,
    pub origin: String,
}

impl Rewrite {
    /// Whether either side carries a credential (a token in the URL).
    pub fn has_credential(&self) -> bool {
        crate::redact::redact(&self.base) != self.base.as_str()
            || crate::redact::redact(&self.prefix) != self.prefix.as_str()
    }
}

/// The insteadOf rules among the entries.
pub fn rewrites(entries: &[Entry]) -> Vec<Rewrite> {
    entries
        .iter()
        .filter_map(|e| {
            let base = e.key.strip_prefix("url.")?.strip_suffix(".insteadof")?;
            Some(Rewrite {
                base: base.to_owned(),
                prefix: e.value.clone()?,
                origin: e.origin.clone(),
            })
        })
        .collect()
}

/// Applies git's rule: the longest matching prefix wins.
pub fn rewrite<'a>(url: &str, rules: &'a [Rewrite]) -> Option<(String, &'a Rewrite)> {
    rules
        .iter()
        .filter(|r| !r.prefix.is_empty() && url.starts_with(&r.prefix))
        .max_by_key(|r| r.prefix.len())
        .map(|r| (format!("{}{}", r.base, &url[r.prefix.len()..]), r))
}

/// What kind of remote a git URL is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote {
    /// `https://` or `http://`.
    Http(Url),
    Ssh(SshTarget),
    /// `git://` (unauthenticated, port 9418).
    Git {
        host: String,
        port: u16,
    },
    Other,
}

/// An SSH remote: `ssh://[user@]host[:port]/path` or `[user@]host:path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl SshTarget {
    /// `user@host` (what `ssh -T` is given).
    pub fn destination(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }
}

/// Classifies a URL the way git picks a transport (the URL syntax is the
/// `url` crate's; `[user@]host:path` is git's scp-like form).
pub fn classify(url: &str) -> Remote {
    if url.contains("://") {
        if let Some(u) = Url::parse(url) {
            return Remote::Http(u);
        }
        let Ok(u) = url::Url::parse(url) else {
            return Remote::Other;
        };
        let host = match u.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(h) => h.to_string(),
            None => return Remote::Other,
        };
        return match u.scheme() {
            "ssh" | "git+ssh" | "ssh+git" => Remote::Ssh(SshTarget {
                user: Some(u.username().to_owned()).filter(|u| !u.is_empty()),
                host,
                port: u.port(),
            }),
            "git" => Remote::Git {
                host,
                port: u.port().unwrap_or(9418),
            },
            _ => Remote::Other,
        };
    }
    // scp-like syntax: a colon before any slash.
    match url.split_once(':') {
        Some((userhost, _)) if !userhost.contains('/') && !userhost.is_empty() => {
            let (user, host) = match userhost.rsplit_once('@') {
                Some((u, h)) => (Some(u.to_owned()), h),
                None => (None, userhost),
            };
            Remote::Ssh(SshTarget {
                user,
                host: host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_owned(),
                port: None,
            })
        }
        _ => Remote::Other,
    }
}

/// The helper programs configured, as `(scope, helper)`: scope is the URL
/// of `credential.<url>.helper`, or empty.  An empty value resets the list
/// collected so far, as in git.
pub fn credential_helpers(entries: &[Entry]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for e in entries {
        let Some(rest) = e.key.strip_prefix("credential") else {
            continue;
        };
        let Some(scope) = rest.strip_suffix(".helper") else {
            continue;
        };
        let scope = scope.strip_prefix('.').unwrap_or("").to_owned();
        match e.value.as_deref() {
            Some("") | None => out.retain(|(s, _)| *s != scope),
            Some(v) => out.push((scope, v.to_owned())),
        }
    }
    out
}

/// Whether a git boolean value is false.
pub fn is_false(v: Option<&str>) -> bool {
    matches!(
        v.map(|s| s.trim().to_ascii_lowercase()).as_deref(),
        Some("false" | "no" | "off" | "0")
    )
}

/// The SSH targets of named modules after the machine's insteadOf rewrites.
pub fn ssh_targets(urls: &[(String, String)], rewrites: &[Rewrite]) -> Vec<(SshTarget, String)> {
    urls.iter()
        .filter_map(|(url, module)| {
            let (new, _) = rewrite(url, rewrites)?;
            match classify(&new) {
                Remote::Ssh(t) => Some((t, module.clone())),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_null_output() {
        let out = b"file:/h/.gitconfig\0http.sslverify\0file:/h/.gitconfig\0url.git@github.com:.insteadof\nhttps://github.com/\0command line:\0credential.helper\n\0";
        let e = parse_entries(out);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].value, None);
        assert_eq!(e[1].file(), Some("/h/.gitconfig"));
        assert_eq!(e[2].value.as_deref(), Some(""));
        let r = rewrites(&e);
        assert_eq!(r[0].base, "git@github.com:");
        assert_eq!(r[0].prefix, "https://github.com/");
    }

    #[test]
    fn longest_rewrite_wins() {
        let mk = |b: &str, p: &str| Rewrite {
            base: b.into(),
            prefix: p.into(),
            origin: String::new(),
        };
        let rules = [
            mk("git@github.com:", "https://github.com/"),
            mk("ssh://git@github.com/acme/", "https://github.com/acme/"),
        ];
        let (u, r) = rewrite("https://github.com/acme/api", &rules).unwrap();
        assert_eq!(u, "ssh://git@github.com/acme/api");
        assert_eq!(r.prefix, "https://github.com/acme/");
        assert!(rewrite("https://gitlab.com/x", &rules).is_none());
        assert!(
            mk(
                "https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/",
                "https://github.com/"
            )
            .has_credential()
        );
        assert!(
            mk(
                "https://x-access-token:s3cr3t@github.com/",
                "https://github.com/"
            )
            .has_credential()
        );
        assert!(!rules[0].has_credential());
    }

    #[test]
    fn remote_kinds() {
        assert_eq!(
            classify("git@github.com:acme/api"),
            Remote::Ssh(SshTarget {
                user: Some("git".into()),
                host: "github.com".into(),
                port: None,
            })
        );
        let Remote::Ssh(t) = classify("ssh://git@git.test:2222/acme/api.git") else {
            panic!()
        };
        assert_eq!((t.host.as_str(), t.port), ("git.test", Some(2222)));
        let Remote::Ssh(t) = classify("ssh://[::1]/x.git") else {
            panic!()
        };
        assert_eq!((t.host.as_str(), t.user, t.port), ("::1", None, None));
        assert!(matches!(
            classify("https://github.com/acme/api"),
            Remote::Http(_)
        ));
        assert!(matches!(
            classify("git://gitd.test/x.git"),
            Remote::Git { port: 9418, .. }
        ));
        assert!(matches!(classify("/srv/git/x"), Remote::Other));
    }

    #[test]
    fn helpers_reset_like_git() {
        let mk = |k: &str, v: &str| Entry {
            origin: String::new(),
            key: k.into(),
            value: Some(v.into()),
        };
        let h = credential_helpers(&[
            mk("credential.helper", "store"),
            mk("credential.https://github.com.helper", ""),
            mk(
                "credential.https://github.com.helper",
                "!gh auth git-credential",
            ),
        ]);
        assert_eq!(h.len(), 2);
        let h = credential_helpers(&[
            mk("credential.helper", "store"),
            mk("credential.helper", ""),
        ]);
        assert!(h.is_empty());
    }
}
