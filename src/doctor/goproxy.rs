//! GOPROXY and GOSUMDB read the way cmd/go reads them (`modfetch/proxy.go`
//! `proxyList`, `modfetch/sumdb.go` `dbDial`), and GOVCS (`vcs.go`).

use crate::diagnose::goenv::match_prefix_patterns;

/// One entry of GOPROXY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Url(String),
    Direct,
    Off,
}

/// An entry and how go moves past it: after `,` only on 404/410, after
/// `|` on any error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub entry: Entry,
    pub fall_on_any_error: bool,
}

/// Parses GOPROXY; stops at `direct` / `off` like go.  Scheme-less entries
/// with a dot, colon or slash get `https://`, as in go.
pub fn list(goproxy: &str) -> Result<Vec<Item>, String> {
    let mut out = Vec::new();
    let mut rest = goproxy;
    while !rest.is_empty() {
        let (word, any, next) = match rest.find([',', '|']) {
            Some(i) => (&rest[..i], rest.as_bytes()[i] == b'|', &rest[i + 1..]),
            None => (rest, false, ""),
        };
        rest = next;
        let word = word.trim();
        if word.is_empty() {
            continue;
        }
        match word {
            "off" => {
                out.push(Item {
                    entry: Entry::Off,
                    fall_on_any_error: any,
                });
                break;
            }
            "direct" => {
                out.push(Item {
                    entry: Entry::Direct,
                    fall_on_any_error: any,
                });
                break;
            }
            _ => {}
        }
        let url =
            if word.contains(['.', ':', '/']) && !word.contains(":/") && !word.starts_with('/') {
                format!("https://{word}")
            } else {
                word.to_owned()
            };
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("https" | "http" | "file") => {}
            Some(_) => {
                return Err(format!(
                    "invalid proxy URL scheme (must be https, http, file): {}",
                    crate::redact::redact(&url)
                ));
            }
            None => {
                return Err(format!(
                    "invalid proxy URL missing scheme: {}",
                    crate::redact::redact(&url)
                ));
            }
        }
        out.push(Item {
            entry: Entry::Url(url.trim_end_matches('/').to_owned()),
            fall_on_any_error: any,
        });
    }
    if out.is_empty() {
        return Err("GOPROXY list is not the empty string, but contains no entries".to_owned());
    }
    Ok(out)
}

/// Public module mirrors: they can only serve public modules.
pub const PUBLIC_PROXIES: &[&str] = &[
    "proxy.golang.org",
    "goproxy.io",
    "goproxy.cn",
    "mirrors.aliyun.com",
    "mirrors.cloud.tencent.com",
    "goproxy.baidu.com",
    "proxy.golang.com.cn",
];

/// Whether a proxy URL is a public mirror.
pub fn is_public_proxy(url: &str) -> bool {
    let host = url
        .split_once("://")
        .map_or(url, |(_, r)| r)
        .split(['/', ':', '?'])
        .next()
        .unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    PUBLIC_PROXIES.contains(&host)
}

/// The checksum database go would use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumDb {
    /// The name in the key (`sum.golang.org`).
    pub name: String,
    /// Where go asks directly (when no proxy serves it).
    pub url: String,
}

impl SumDb {
    /// The public database (its lookups only know public modules).
    pub fn is_public(&self) -> bool {
        self.name == "sum.golang.org"
    }
}

/// Parses GOSUMDB (default `sum.golang.org`); `Ok(None)` for `off`.
pub fn sumdb(v: Option<&str>) -> Result<Option<SumDb>, String> {
    let v = v
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("sum.golang.org");
    if v == "off" {
        return Ok(None);
    }
    let (spec, url) = match v.split_once(char::is_whitespace) {
        Some((s, u)) => (s, Some(u.trim().to_owned())),
        None => (v, None),
    };
    let name = spec.split('+').next().unwrap_or(spec).to_owned();
    match (name.as_str(), spec.contains('+')) {
        ("sum.golang.org", _) => Ok(Some(SumDb {
            url: url.unwrap_or_else(|| "https://sum.golang.org".to_owned()),
            name,
        })),
        ("sum.golang.google.cn", false) => Ok(Some(SumDb {
            name: "sum.golang.org".to_owned(),
            url: url.unwrap_or_else(|| "https://sum.golang.google.cn".to_owned()),
        })),
        (_, true) => Ok(Some(SumDb {
            url: url.unwrap_or_else(|| format!("https://{name}")),
            name,
        })),
        (_, false) => Err(format!("GOSUMDB={v}: missing key (expected NAME+HASH+KEY)")),
    }
}

/// Whether GOVCS lets go use `vcs` for `module` (`private`: GOPRIVATE
/// covers it).  Unparsable entries are left to go to report.
pub fn govcs_allows(govcs: Option<&str>, module: &str, private: bool, vcs: &str) -> bool {
    let rules = govcs.unwrap_or("");
    for item in rules.split(',') {
        let Some((pattern, list)) = item.trim().split_once(':') else {
            continue;
        };
        let matches = match pattern {
            "public" => !private,
            "private" => private,
            p => match_prefix_patterns(p, module),
        };
        if matches {
            return list.split('|').any(|v| v == "all" || v == vcs);
        }
    }
    // Go's default: public:git|hg,private:all.
    private || vcs == "git" || vcs == "hg"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_lists() {
        let l = list("https://proxy.golang.org,direct").unwrap();
        assert_eq!(l[0].entry, Entry::Url("https://proxy.golang.org".into()));
        assert_eq!(l[1].entry, Entry::Direct);
        let l = list("goproxy.cn|https://proxy.corp/x/,off,https://ignored").unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].entry, Entry::Url("https://goproxy.cn".into()));
        assert!(l[0].fall_on_any_error);
        assert!(!l[1].fall_on_any_error);
        assert_eq!(l[2].entry, Entry::Off);
        assert!(list("noproxy").unwrap_err().contains("missing scheme"));
        assert!(list("ftp://x").is_err());
        assert!(list(",").is_err());
        assert!(is_public_proxy("https://proxy.golang.org"));
        assert!(!is_public_proxy("https://athens.corp.example"));
    }

    #[test]
    fn sumdbs() {
        assert_eq!(sumdb(None).unwrap().unwrap().url, "https://sum.golang.org");
        assert_eq!(sumdb(Some("off")).unwrap(), None);
        let s = sumdb(Some("sum.golang.google.cn")).unwrap().unwrap();
        assert_eq!(
            (s.name.as_str(), s.url.as_str()),
            ("sum.golang.org", "https://sum.golang.google.cn")
        );
        let s = sumdb(Some(
            "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(s.url, "https://sum.golang.org");
        let s = sumdb(Some("sum.corp+abc+def https://sum.corp.example/db"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (s.name.as_str(), s.url.as_str()),
            ("sum.corp", "https://sum.corp.example/db")
        );
        assert!(!s.is_public());
        assert!(sumdb(Some("sum.corp")).is_err());
    }

    #[test]
    fn govcs() {
        assert!(govcs_allows(None, "github.com/a/b", false, "git"));
        assert!(!govcs_allows(None, "github.com/a/b", false, "svn"));
        assert!(!govcs_allows(
            Some("github.com:off"),
            "github.com/a/b",
            false,
            "git"
        ));
        assert!(govcs_allows(
            Some("github.com:git,public:off"),
            "github.com/a/b",
            false,
            "git"
        ));
        assert!(!govcs_allows(Some("private:hg"), "git.corp/x", true, "git"));
        assert!(govcs_allows(Some("private:all"), "git.corp/x", true, "git"));
    }
}
