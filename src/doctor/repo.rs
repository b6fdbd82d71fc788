//! Where a module's code lives, as go works it out (`cmd/go/internal/vcs`):
//! known hosting patterns first (github.com/ORG/REPO, bitbucket.org,
//! `host/path.git`), otherwise the `go-import` meta tag of
//! `https://PATH?go-get=1`.  Plus the URL forms git and ssh use.

/// Top-level names that are never on the public internet.
const PRIVATE_SUFFIXES: &[&str] = &[
    ".local",
    ".internal",
    ".corp",
    ".lan",
    ".home",
    ".intranet",
    ".private",
    ".test",
    ".example",
    ".invalid",
    ".localhost",
];

/// Whether modules on `host` are public as a rule.
pub fn public_host(host: &str) -> bool {
    crate::diagnose::goenv::is_public_host(host)
}

/// How private a module path looks without asking the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    /// On a public hosting service or a well-known public vanity host.
    Public,
    /// A name that cannot be public (`.internal`, `.corp`, an IP address,
    /// a name without a dot…).
    Private,
    /// Anything else: a company's own domain, or a public vanity domain.
    Unknown,
}

pub fn privacy(module: &str) -> Privacy {
    let host = module.split('/').next().unwrap_or("").to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or("");
    if public_host(host) {
        return Privacy::Public;
    }
    if !host.contains('.')
        || host.parse::<std::net::IpAddr>().is_ok()
        || PRIVATE_SUFFIXES.iter().any(|s| host.ends_with(s))
    {
        return Privacy::Private;
    }
    Privacy::Unknown
}

/// How the repository was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A hosting pattern built into go (the host's name).
    Pattern(&'static str),
    /// A `go-import` meta tag at this URL.
    Meta(String),
}

/// A module's repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    /// The module path prefix the repository holds.
    pub root: String,
    pub vcs: String,
    pub url: String,
    pub via: Via,
}

/// The repository of `module` from go's built-in patterns, if one applies.
pub fn from_pattern(module: &str) -> Option<Repo> {
    let parts: Vec<&str> = module.split('/').collect();
    let host = parts[0];
    for (name, prefix) in [
        ("github.com", "github.com/"),
        ("bitbucket.org", "bitbucket.org/"),
    ] {
        if host == name && parts.len() >= 3 {
            let root = parts[..3].join("/");
            return Some(Repo {
                url: format!("https://{root}"),
                root,
                vcs: "git".into(),
                via: Via::Pattern(prefix.trim_end_matches('/')),
            });
        }
    }
    // `host/path/repo.git[/sub]`: the general VCS-suffix pattern.
    if let Some(i) = parts
        .iter()
        .position(|p| p.ends_with(".git") && p.len() > 4)
        && i >= 1
        && host.contains('.')
    {
        let root = parts[..=i].join("/");
        return Some(Repo {
            url: format!("https://{root}"),
            root,
            vcs: "git".into(),
            via: Via::Pattern(".git suffix"),
        });
    }
    None
}

/// The `go-import` meta tags of a `?go-get=1` page: `(prefix, vcs, url)`.
pub fn meta_tags(html: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<meta") {
        let start = from + i;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &html[start..end];
        from = end;
        if attr(tag, "name").as_deref() != Some("go-import") {
            continue;
        }
        let Some(content) = attr(tag, "content") else {
            continue;
        };
        let f: Vec<&str> = content.split_whitespace().collect();
        if f.len() >= 3 {
            out.push((f[0].to_owned(), f[1].to_owned(), f[2].to_owned()));
        }
    }
    out
}

/// go's `matchGoImport`: the tag whose prefix is the module path or a
/// path-element prefix of it (several matching tags is an error for go).
pub fn match_meta(tags: &[(String, String, String)], module: &str) -> Result<Repo, String> {
    let matching: Vec<&(String, String, String)> = tags
        .iter()
        .filter(|(p, _, _)| module == p || module.starts_with(&format!("{p}/")))
        .collect();
    match matching.as_slice() {
        [] if tags.is_empty() => Err("no go-import meta tags".into()),
        [] => Err(format!(
            "no go-import meta tag matches {module} (found {})",
            tags.iter()
                .map(|t| t.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        [(p, vcs, url)] => Ok(Repo {
            root: p.clone(),
            vcs: vcs.clone(),
            url: url.clone(),
            via: Via::Meta(String::new()),
        }),
        _ => Err(format!("multiple go-import meta tags match {module}")),
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let vstart = tag.len() - rest.len() + 1;
        let v = tag[vstart..].trim_start();
        let (q, body) = match v.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), &v[1..]),
            _ => (None, v),
        };
        let end = match q {
            Some(q) => body.find(q).unwrap_or(body.len()),
            None => body
                .find(|c: char| c.is_whitespace() || c == '/')
                .unwrap_or(body.len()),
        };
        return Some(body[..end].to_owned());
    }
    None
}

/// An SSH destination: from `ssh://[user@]host[:port]/path`,
/// `git+ssh://…`, or scp-like `[user@]host:path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl SshTarget {
    pub fn parse(url: &str) -> Option<SshTarget> {
        let authority = if let Some(rest) = url
            .strip_prefix("ssh://")
            .or_else(|| url.strip_prefix("git+ssh://"))
            .or_else(|| url.strip_prefix("ssh+git://"))
        {
            rest.split('/').next()?
        } else if url.contains("://") {
            return None;
        } else {
            // scp-like: a colon before the first slash.
            let colon = url.find(':')?;
            if url[..colon].contains('/') {
                return None;
            }
            return Some(SshTarget::from_userhost(&url[..colon], None));
        };
        let (userhost, port) = match authority.rsplit_once(':') {
            Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
                (h, p.parse().ok())
            }
            _ => (authority, None),
        };
        Some(SshTarget::from_userhost(userhost, port))
    }

    fn from_userhost(s: &str, port: Option<u16>) -> SshTarget {
        match s.rsplit_once('@') {
            Some((u, h)) => SshTarget {
                user: Some(u.to_owned()),
                host: h.to_owned(),
                port,
            },
            None => SshTarget {
                user: None,
                host: s.to_owned(),
                port,
            },
        }
    }

    /// `user@host` as ssh takes it.
    pub fn destination(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }
}

/// Whether git reaches `url` over SSH.
pub fn is_ssh_url(url: &str) -> bool {
    SshTarget::parse(url).is_some()
}

/// go's module path escaping for proxy URLs: upper case `X` → `!x`.
pub fn escape_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let r = from_pattern("github.com/acme/private/v2/sub").unwrap();
        assert_eq!(
            (r.root.as_str(), r.url.as_str()),
            ("github.com/acme/private", "https://github.com/acme/private")
        );
        assert_eq!(
            from_pattern("git.corp.example/team/lib.git/sub")
                .unwrap()
                .url,
            "https://git.corp.example/team/lib.git"
        );
        assert_eq!(from_pattern("go.acme.test/secret"), None);
        assert_eq!(from_pattern("github.com/acme"), None);
    }

    #[test]
    fn meta() {
        let html = r#"<html><head><meta name="go-import" content="go.acme.test/good git https://git.test/vanity/good">
<meta name=go-source content="x"><META NAME='go-import' CONTENT='go.acme.test/other git https://x/y'></head>"#;
        let tags = meta_tags(html);
        assert_eq!(tags.len(), 2);
        let r = match_meta(&tags, "go.acme.test/good/sub").unwrap();
        assert_eq!(r.url, "https://git.test/vanity/good");
        assert!(match_meta(&tags, "go.acme.test/none").is_err());
        assert!(
            match_meta(&[], "x.y/z")
                .unwrap_err()
                .contains("no go-import")
        );
    }

    #[test]
    fn ssh_urls_and_privacy() {
        assert_eq!(
            SshTarget::parse("ssh://git@github.com:2222/acme/x"),
            Some(SshTarget {
                user: Some("git".into()),
                host: "github.com".into(),
                port: Some(2222)
            })
        );
        assert_eq!(
            SshTarget::parse("git@github.com:acme/x.git").unwrap().host,
            "github.com"
        );
        assert_eq!(SshTarget::parse("https://github.com/acme/x"), None);
        assert_eq!(SshTarget::parse("/srv/repo"), None);
        assert_eq!(privacy("github.com/acme/x"), Privacy::Public);
        assert_eq!(privacy("go.acme.test/secret"), Privacy::Private);
        assert_eq!(privacy("git.corp.internal/x"), Privacy::Private);
        assert_eq!(privacy("go.example.com/x"), Privacy::Unknown);
        assert_eq!(escape_path("github.com/Azure/x"), "github.com/!azure/x");
    }
}
