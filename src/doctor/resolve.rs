//! Module path → repository, the way go's `vcs.RepoRootForImportPath` does
//! it: known hosting patterns first (github.com/ORG/REPO, bitbucket.org,
//! `host/path.git`), otherwise the `go-import` meta tag of
//! `https://PATH?go-get=1` (which is how gitlab.com, with its nested groups,
//! and every vanity domain answer).

/// Where the repository was learnt from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A hosting pattern go knows (`github.com`).
    KnownHost(&'static str),
    /// A `.git` / `.hg` suffix in the path: go tries schemes itself.
    VcsSuffix,
    /// The `go-import` meta tag of this page.
    MetaTag(String),
}

/// A module's repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoRoot {
    /// The import-path prefix the repository serves.
    pub root: String,
    /// `git`, `hg`, `mod` (a module proxy), …
    pub vcs: String,
    pub url: String,
    pub source: Source,
}

/// `(host, vcs)` patterns go knows without asking the network; each is
/// `host/ELEM/ELEM`, with elements of `[A-Za-z0-9_.-]`.
const KNOWN: &[(&str, &str)] = &[
    ("github.com", "git"),
    ("bitbucket.org", "git"),
    ("git.openstack.org", "git"),
];

fn elem_ok(e: &str) -> bool {
    !e.is_empty()
        && e.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// The repository of a path on a known hosting pattern: `None` when the
/// meta tag must be fetched, `Some(Err)` for a malformed known-host path
/// (go: `invalid github.com import path`).
pub fn static_root(path: &str) -> Option<Result<RepoRoot, String>> {
    let mut parts = path.split('/');
    let host = parts.next()?;
    if let Some((known, vcs)) = KNOWN.iter().find(|(h, _)| *h == host) {
        let rest: Vec<&str> = parts.collect();
        if rest.len() < 2 || !rest.iter().all(|e| elem_ok(e)) {
            return Some(Err(format!("invalid {host} import path {path:?}")));
        }
        let mut repo = rest[1];
        if host == "git.openstack.org" {
            repo = repo.trim_end_matches(".git");
        }
        let root = format!("{host}/{}/{repo}", rest[0]);
        return Some(Ok(RepoRoot {
            url: format!("https://{root}"),
            root,
            vcs: (*vcs).to_owned(),
            source: Source::KnownHost(known),
        }));
    }
    // host/path.git[/sub]: the repository is everything up to `.git`.
    let mut acc = String::new();
    for (i, elem) in path.split('/').enumerate() {
        if i > 0 {
            acc.push('/');
        }
        acc.push_str(elem);
        for (suffix, vcs) in [(".git", "git"), (".hg", "hg")] {
            if i > 0 && elem.len() > suffix.len() && elem.ends_with(suffix) {
                let repo = acc.strip_suffix(suffix).unwrap_or(&acc);
                return Some(Ok(RepoRoot {
                    root: acc.clone(),
                    vcs: vcs.to_owned(),
                    url: format!("https://{repo}{suffix}"),
                    source: Source::VcsSuffix,
                }));
            }
        }
    }
    None
}

/// One `<meta name="go-import" content="PREFIX VCS REPO [SUBDIR]">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaImport {
    pub prefix: String,
    pub vcs: String,
    pub repo: String,
}

/// The go-import tags of a page, read like go's parser: only `<meta>`
/// elements before `<body>` count; attribute order and quoting are free.
pub fn parse_meta(html: &str) -> Vec<MetaImport> {
    let lower = html.to_ascii_lowercase();
    let end = lower.find("<body").unwrap_or(lower.len());
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = lower[i..end].find("<meta") {
        let start = i + off + 5;
        let close = lower[start..].find('>').map_or(lower.len(), |c| start + c);
        let attrs = attributes(&html[start..close]);
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if get("name") == Some("go-import") {
            let f: Vec<&str> = get("content").unwrap_or("").split_whitespace().collect();
            if f.len() == 3 || f.len() == 4 {
                out.push(MetaImport {
                    prefix: f[0].to_owned(),
                    vcs: f[1].to_owned(),
                    repo: f[2].to_owned(),
                });
            }
        }
        i = close.min(end);
        if i >= end {
            break;
        }
    }
    out
}

fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let name = s[ns..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = s[vs..i.min(b.len())].to_owned();
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = s[vs..i].to_owned();
            }
        }
        if !name.is_empty() {
            out.push((name, html_unescape(&value)));
        }
    }
    out
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The tag that applies to `path`, as go chooses it: its prefix is `path`
/// or a leading part of it; a VCS tag wins over a `mod` one.
pub fn match_meta(tags: &[MetaImport], path: &str) -> Result<RepoRoot, String> {
    let matching: Vec<&MetaImport> = tags
        .iter()
        .filter(|t| path == t.prefix || path.starts_with(&format!("{}/", t.prefix)))
        .collect();
    let pick = matching
        .iter()
        .find(|t| t.vcs != "mod")
        .or_else(|| matching.first());
    match pick {
        Some(t) => {
            if !t.repo.contains("://") {
                return Err(format!("invalid repo root {:?}: no scheme", t.repo));
            }
            Ok(RepoRoot {
                root: t.prefix.clone(),
                vcs: t.vcs.clone(),
                url: t.repo.clone(),
                source: Source::MetaTag(String::new()),
            })
        }
        None if tags.is_empty() => Err("no go-import meta tags ()".to_owned()),
        None => Err(format!(
            "no go-import meta tags ({})",
            tags.iter()
                .map(|t| format!("meta tag {} did not match import path {path}", t.prefix))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// go's module-path escaping for proxy URLs: `!` + lower case for upper case.
pub fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
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
    fn known_hosts() {
        let r = static_root("github.com/acme/api/v2/pkg").unwrap().unwrap();
        assert_eq!(r.url, "https://github.com/acme/api");
        assert_eq!(r.root, "github.com/acme/api");
        assert!(static_root("github.com/acme").unwrap().is_err());
        assert!(static_root("gitlab.com/acme/group/api").is_none());
        let r = static_root("git.corp.example/team/lib.git/v2")
            .unwrap()
            .unwrap();
        assert_eq!(r.url, "https://git.corp.example/team/lib.git");
        assert_eq!(r.source, Source::VcsSuffix);
        assert!(static_root("go.acme.test/good").is_none());
    }

    #[test]
    fn meta_tags() {
        let page = r#"<!DOCTYPE html><html><head>
<meta name="go-import" content="go.acme.test/good git https://git.test/vanity/good">
<META content='go.acme.test/good mod https://proxy.test' NAME=go-import />
<meta name="go-source" content="x y z w">
</head><body><meta name="go-import" content="go.acme.test/late git https://x/y"></body></html>"#;
        let tags = parse_meta(page);
        assert_eq!(tags.len(), 2);
        let r = match_meta(&tags, "go.acme.test/good/sub").unwrap();
        assert_eq!(
            (r.vcs.as_str(), r.url.as_str()),
            ("git", "https://git.test/vanity/good")
        );
        let e = match_meta(&tags, "go.acme.test/other").unwrap_err();
        assert!(
            e.contains("did not match import path go.acme.test/other"),
            "{e}"
        );
        assert_eq!(
            match_meta(&[], "x.test/y").unwrap_err(),
            "no go-import meta tags ()"
        );
        let bad = parse_meta(
            r#"<meta name="go-import" content="go.acme.test/badroot git git.test/vanity/good">"#,
        );
        assert!(
            match_meta(&bad, "go.acme.test/badroot")
                .unwrap_err()
                .contains("no scheme")
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape("github.com/BurntSushi/toml"),
            "github.com/!burnt!sushi/toml"
        );
    }
}
