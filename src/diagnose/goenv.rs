//! The go environment that decides how a module is fetched, read the way go
//! reads it, and Go's own glob-prefix matching for GOPRIVATE & co.
//!
//! Values come from the process environment, then from the GOENV file that
//! `go env -w` writes (`$GOENV`, else `os.UserConfigDir()/go/env`), with the
//! process environment winning, as in cmd/go.  Reading the file costs one
//! `open`; running `go env` would cost a whole go process.  `gotriage doctor`
//! reuses [`GoEnv`] and [`match_prefix_patterns`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Variables that shape fetching, proxies, checksums and git.
pub const VARS: &[&str] = &[
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOPROXY",
    "GOSUMDB",
    "GOFLAGS",
    "GOINSECURE",
    "GOVCS",
    "GOTOOLCHAIN",
    "GOAUTH",
    "GOMODCACHE",
    "GOPATH",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
    "GIT_SSH_COMMAND",
    "GIT_TERMINAL_PROMPT",
    "GIT_SSL_CAINFO",
    "GIT_ALLOW_PROTOCOL",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
];

/// The go-relevant environment of a failed command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoEnv {
    vars: BTreeMap<String, String>,
}

impl GoEnv {
    /// From explicit values (tests, doctor).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> GoEnv {
        GoEnv {
            vars: pairs
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// The process environment over the GOENV file, as cmd/go resolves them.
    pub fn from_process() -> GoEnv {
        let mut vars = BTreeMap::new();
        if let Some(path) = goenv_file()
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            vars = parse_goenv_file(&text);
        }
        for name in VARS {
            if let Ok(v) = std::env::var(name) {
                // An empty variable in the environment counts as set (go
                // treats `GOPRIVATE=` in the environment as overriding the
                // file), so it replaces and then is dropped.
                vars.remove(*name);
                if !v.is_empty() {
                    vars.insert((*name).to_owned(), v);
                }
            }
        }
        vars.retain(|k, _| VARS.contains(&k.as_str()));
        GoEnv { vars }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// GONOPROXY, defaulting to GOPRIVATE (as go does).
    pub fn gonoproxy(&self) -> Option<&str> {
        self.get("GONOPROXY").or_else(|| self.get("GOPRIVATE"))
    }

    /// GONOSUMDB, defaulting to GOPRIVATE (as go does).
    pub fn gonosumdb(&self) -> Option<&str> {
        self.get("GONOSUMDB").or_else(|| self.get("GOPRIVATE"))
    }

    /// The HTTPS proxy in force for go and git, if any.
    pub fn https_proxy(&self) -> Option<&str> {
        self.get("HTTPS_PROXY").or_else(|| self.get("https_proxy"))
    }

    /// GOPROXY is unset or its default.
    pub fn goproxy_default(&self) -> bool {
        matches!(
            self.get("GOPROXY"),
            None | Some("https://proxy.golang.org,direct")
        )
    }
}

/// Where `go env -w` keeps its settings: `$GOENV`, else
/// `os.UserConfigDir()/go/env` (`$XDG_CONFIG_HOME` or `~/.config` on Linux,
/// `~/Library/Application Support` on macOS, `%AppData%` on Windows).
pub fn goenv_file() -> Option<PathBuf> {
    if let Some(p) = crate::config::var_os("GOENV") {
        if p == "off" {
            return None;
        }
        return Some(PathBuf::from(p));
    }
    user_config_dir().map(|d| d.join("go").join("env"))
}

fn user_config_dir() -> Option<PathBuf> {
    if cfg!(windows) {
        return crate::config::var_os("AppData").map(PathBuf::from);
    }
    if cfg!(target_os = "macos") {
        return crate::config::var_os("HOME")
            .map(|h| Path::new(&h).join("Library/Application Support"));
    }
    crate::config::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| crate::config::var_os("HOME").map(|h| Path::new(&h).join(".config")))
}

/// Parses the GOENV file: `KEY=VALUE` lines (go writes them unquoted).
pub fn parse_goenv_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let (k, v) = l.split_once('=')?;
            let k = k.trim();
            if k.is_empty() || k.starts_with('#') || v.is_empty() {
                return None;
            }
            Some((k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Git hosting services: they serve repositories themselves, public ones as
/// a rule, and private ones too.
pub const HOSTING_SERVICES: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "gitee.com",
    "git.sr.ht",
    "gitea.com",
    "go.googlesource.com",
];

/// Hosts that serve public modules only: the vanity hosts of well-known
/// public modules, and Go's own proxy and checksum database.
pub const PUBLIC_ONLY_HOSTS: &[&str] = &[
    "golang.org",
    "google.golang.org",
    "cloud.google.com",
    "gopkg.in",
    "k8s.io",
    "sigs.k8s.io",
    "go.uber.org",
    "go.opentelemetry.io",
    "go.etcd.io",
    "go.mongodb.org",
    "gotest.tools",
    "honnef.co",
    "mvdan.cc",
    "rsc.io",
    "filippo.io",
    "modernc.org",
    "gorm.io",
    "gocloud.dev",
    "gonum.org",
    "go.starlark.net",
    "dario.cat",
    "cel.dev",
    "buf.build",
    "connectrpc.com",
    "gvisor.dev",
    "lukechampine.com",
    "nhooyr.io",
    "howett.net",
    "golang.zx2c4.com",
    "proxy.golang.org",
    "sum.golang.org",
];

/// Hosts whose modules are public as a rule ([`HOSTING_SERVICES`] and
/// [`PUBLIC_ONLY_HOSTS`]): never suggested for GOPRIVATE or GOINSECURE. A
/// module on another host is not assumed private either (doctor says "may
/// be private" and lets a probe settle it).
pub fn public_hosts() -> impl Iterator<Item = &'static str> {
    HOSTING_SERVICES.iter().chain(PUBLIC_ONLY_HOSTS).copied()
}

/// Whether `host` is one of [`public_hosts`] (case-insensitive).
pub fn is_public_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    public_hosts().any(|h| h == host)
}

/// Whether `host` serves public modules only (golang.org, gopkg.in, k8s.io,
/// …; not a hosting service, where private repositories live too).
pub fn is_public_only_host(host: &str) -> bool {
    PUBLIC_ONLY_HOSTS.contains(&host.to_ascii_lowercase().as_str())
}

/// cmd/go's `module.MatchPrefixPatterns`: does any comma-separated glob in
/// `globs` match a leading path-element prefix of `target`?  A glob with N
/// slashes is matched (with `path.Match`) against the first N+1 elements.
pub fn match_prefix_patterns(globs: &str, target: &str) -> bool {
    for glob in globs.split(',') {
        let glob = glob.trim_end_matches('/');
        // go trims nothing else; an entry with spaces simply never matches.
        if glob.is_empty() {
            continue;
        }
        let mut n = glob.matches('/').count();
        let mut prefix = target;
        for (i, b) in target.bytes().enumerate() {
            if b == b'/' {
                if n == 0 {
                    prefix = &target[..i];
                    break;
                }
                n -= 1;
            }
        }
        if n > 0 {
            continue;
        }
        if path_match(glob, prefix).unwrap_or(false) {
            return true;
        }
    }
    false
}

/// Go's `path.Match`: `*` (any run of non-`/`), `?` (one non-`/`),
/// `[class]` with ranges and `^` negation, `\` escapes.  `None` for a
/// malformed pattern (go's `ErrBadPattern`, which counts as no match).
pub fn path_match(pattern: &str, name: &str) -> Option<bool> {
    let mut pattern = pattern;
    let mut name = name;
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // Trailing `*` matches the rest unless it contains a slash.
            return Some(!name.contains('/'));
        }
        // Try to match at the current position, then (after a star) at each
        // later position up to the next slash.
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            let mut i = 0;
            while i < name.len() && name.as_bytes()[i] != b'/' {
                i += name[i..].chars().next().map_or(1, char::len_utf8);
                let (t, ok) = match_chunk(chunk, &name[i..])?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
            }
        }
        // Go validates the rest of the pattern before reporting no match.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, "")?;
        }
        return Some(false);
    }
    Some(name.is_empty())
}

/// Splits off leading stars and the following chunk up to the next star.
fn scan_chunk(mut pattern: &str) -> (bool, &str, &str) {
    let mut star = false;
    while let Some(rest) = pattern.strip_prefix('*') {
        pattern = rest;
        star = true;
    }
    let bytes = pattern.as_bytes();
    let mut in_range = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => {
                i += 1;
            }
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Matches `chunk` against the start of `s`; returns the rest of `s` and
/// whether it matched, or `None` for a malformed chunk.
fn match_chunk<'s>(chunk: &str, s: &'s str) -> Option<(&'s str, bool)> {
    let mut chunk = chunk;
    let mut s = s;
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        let c0 = chunk.as_bytes()[0];
        match c0 {
            b'[' => {
                let mut r = '\0';
                if !failed {
                    let c = s.chars().next()?;
                    r = c;
                    s = &s[c.len_utf8()..];
                }
                chunk = &chunk[1..];
                let negated = chunk.starts_with('^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.starts_with(']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if let Some(rest) = chunk.strip_prefix('-') {
                        let (h, rest) = get_esc(rest)?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    let c = s.chars().next()?;
                    if c == '/' {
                        failed = true;
                    }
                    s = &s[c.len_utf8()..];
                }
                chunk = &chunk[1..];
            }
            // A literal character, escaped or not.
            _ => {
                if c0 == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return None;
                    }
                }
                let c = chunk.chars().next()?;
                if !failed {
                    match s.strip_prefix(c) {
                        Some(rest) => s = rest,
                        None => failed = true,
                    }
                }
                chunk = &chunk[c.len_utf8()..];
            }
        }
    }
    if failed {
        return Some(("", false));
    }
    Some((s, true))
}

/// One possibly escaped character of a class; `None` when malformed.
fn get_esc(chunk: &str) -> Option<(char, &str)> {
    let mut chunk = chunk;
    let first = chunk.chars().next()?;
    if first == '-' || first == ']' {
        return None;
    }
    if first == '\\' {
        chunk = &chunk[1..];
        chunk.chars().next()?;
    }
    let c = chunk.chars().next()?;
    let rest = &chunk[c.len_utf8()..];
    if rest.is_empty() {
        return None;
    }
    Some((c, rest))
}

/// The GOPRIVATE-style prefix to suggest for a module: `host/owner` on
/// hosts where the first element is an account (github.com/acme), the host
/// alone elsewhere (a company's own git server is private as a whole).
pub fn suggested_prefix(module: &str) -> String {
    const ACCOUNT_HOSTS: &[&str] = &[
        "github.com",
        "gitlab.com",
        "bitbucket.org",
        "codeberg.org",
        "gitee.com",
        "git.sr.ht",
        "dev.azure.com",
        "gitea.com",
    ];
    let mut parts = module.split('/');
    let host = parts.next().unwrap_or("");
    match parts.next() {
        Some(owner) if ACCOUNT_HOSTS.contains(&host) && !owner.is_empty() => {
            format!("{host}/{owner}")
        }
        _ => host.to_owned(),
    }
}

/// A module path's owner: its first two elements, host and organisation
/// (`github.com/acme` of `github.com/acme/api/v2`), whatever the host.
pub fn module_owner(module: &str) -> &str {
    match module.match_indices('/').nth(1) {
        Some((i, _)) => &module[..i],
        None => module,
    }
}

/// `current,prefix` (extend, never replace), or just `prefix`.
pub fn extended(current: Option<&str>, prefix: &str) -> String {
    match current {
        Some(c) if !c.trim().is_empty() => format!("{},{prefix}", c.trim_end_matches(',')),
        _ => prefix.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_owner_is_host_and_organisation() {
        assert_eq!(module_owner("github.com/acme/api/v2"), "github.com/acme");
        assert_eq!(module_owner("github.com/acme"), "github.com/acme");
        assert_eq!(module_owner("example.com"), "example.com");
        assert_eq!(module_owner("gopkg.in/yaml.v3"), "gopkg.in/yaml.v3");
    }

    #[test]
    fn prefix_patterns_like_go() {
        // Cases from golang.org/x/mod/module's TestMatchPrefixPatterns.
        let cases: &[(&str, &str, bool)] = &[
            ("*/quote", "rsc.io/quote", true),
            ("*/quo", "rsc.io/quote", false),
            ("*/quote", "rsc.io/quote/v3", true),
            ("rsc.io", "rsc.io/quote", true),
            ("rsc.io/", "rsc.io/quote", true),
            ("rsc.io/q", "rsc.io/quote", false),
            ("*.io", "rsc.io/quote", true),
            ("*.corp.example.com", "git.corp.example.com/xyzzy", true),
            ("rsc.io/private", "rsc.io/private/quux", true),
            ("github.com/foo", "github.com/acme/api", false),
            (
                "github.com/foo,github.com/acme",
                "github.com/acme/api",
                true,
            ),
            (",,github.com/acme,", "github.com/acme/api", true),
            ("github.com/*/api", "github.com/acme/api/v2", true),
            ("github.com/[a-c]*", "github.com/acme/api", true),
            ("github.com/[^a]*", "github.com/acme/api", false),
            ("github.com/a?me", "github.com/acme/api", true),
            ("[", "x", false),
            ("rsc.io/quote/v3/extra", "rsc.io/quote", false),
        ];
        for (globs, target, want) in cases {
            assert_eq!(
                match_prefix_patterns(globs, target),
                *want,
                "{globs} vs {target}"
            );
        }
    }

    #[test]
    fn path_match_edge_cases() {
        assert_eq!(path_match("*", "abc"), Some(true));
        assert_eq!(path_match("*", "a/b"), Some(false));
        assert_eq!(path_match("a*b*c", "axxbyyc"), Some(true));
        assert_eq!(path_match("a\\*b", "a*b"), Some(true));
        assert_eq!(path_match("[a-", "a"), None);
        assert_eq!(path_match("a[", "b"), None);
    }

    /// The behaviour Go's path.Match documents, case by case (None = ErrBadPattern).
    #[test]
    fn path_match_agrees_with_go() {
        let cases: &[(&str, &str, Option<bool>)] = &[
            ("abc", "abc", Some(true)),
            ("*", "abc", Some(true)),
            ("*c", "abc", Some(true)),
            ("a*", "a", Some(true)),
            ("a*", "abc", Some(true)),
            ("a*", "ab/c", Some(false)),
            ("a*/b", "abc/b", Some(true)),
            ("a*/b", "a/c/b", Some(false)),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", Some(true)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Some(true)),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Some(false)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Some(false)),
            ("a*b?c*x", "abxbbxdbxebxczzx", Some(true)),
            ("a*b?c*x", "abxbbxdbxebxczzy", Some(false)),
            ("ab[c]", "abc", Some(true)),
            ("ab[b-d]", "abc", Some(true)),
            ("ab[e-g]", "abc", Some(false)),
            ("ab[^c]", "abc", Some(false)),
            ("ab[^b-d]", "abc", Some(false)),
            ("ab[^e-g]", "abc", Some(true)),
            ("a\\*b", "a*b", Some(true)),
            ("a\\*b", "ab", Some(false)),
            ("a?b", "a\u{263a}b", Some(true)),
            ("a[^a]b", "a\u{263a}b", Some(true)),
            ("a???b", "a\u{263a}b", Some(false)),
            ("a[^a][^a][^a]b", "a\u{263a}b", Some(false)),
            ("[a-\u{3b6}]*", "\u{3b1}", Some(true)),
            ("*[a-\u{3b6}]", "A", Some(false)),
            ("a?b", "a/b", Some(false)),
            ("a*b", "a/b", Some(false)),
            ("[\\]a]", "]", Some(true)),
            ("[\\-]", "-", Some(true)),
            ("[x\\-]", "x", Some(true)),
            ("[x\\-]", "-", Some(true)),
            ("[x\\-]", "z", Some(false)),
            ("[\\-x]", "x", Some(true)),
            ("[\\-x]", "-", Some(true)),
            ("[\\-x]", "a", Some(false)),
            ("[]a]", "]", None),
            ("[-]", "-", None),
            ("[x-]", "x", None),
            ("[-x]", "x", None),
            ("\\", "a", None),
            ("[a-b-c]", "a", None),
            ("[", "a", None),
            ("[^", "a", None),
            ("[^bc", "a", None),
            ("a[", "a", None),
            ("a[", "ab", None),
            ("a[", "x", None),
            ("a/b[", "x", None),
            ("*x", "xxx", Some(true)),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(
                path_match(pattern, name),
                *want,
                "path.Match({pattern:?}, {name:?})"
            );
        }
    }

    #[test]
    fn goenv_file_and_suggestions() {
        let vars = parse_goenv_file(
            "GOPRIVATE=github.com/foo\nGOPROXY=https://proxy.golang.org,direct\n\n",
        );
        assert_eq!(vars["GOPRIVATE"], "github.com/foo");
        assert_eq!(
            suggested_prefix("github.com/acme/api/v2"),
            "github.com/acme"
        );
        assert_eq!(
            suggested_prefix("git.corp.example.com/team/x"),
            "git.corp.example.com"
        );
        assert_eq!(
            extended(Some("github.com/foo"), "github.com/acme"),
            "github.com/foo,github.com/acme"
        );
        assert_eq!(extended(None, "github.com/acme"), "github.com/acme");
    }
}
