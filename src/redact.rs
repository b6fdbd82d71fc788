//! The one redaction step everything gotriage prints or writes passes through.
//!
//! Evidence lines, URLs, JSON, report files and doctor output are redacted
//! here; go's own passthrough bytes never are (the shim does not touch them).
//!
//! What is hidden, in this order:
//! 1. URL userinfo: the password (`https://user:***@host/…`), or the whole
//!    userinfo when the user part is itself a token (`https://***@host/…`);
//!    scheme, host and path stay so the line is still useful;
//! 2. header values after `Authorization`, `Proxy-Authorization`,
//!    `PRIVATE-TOKEN`, `Cookie` and git's `extraheader` (the auth scheme word
//!    such as `Basic` is kept);
//! 3. token shapes anywhere, with no word boundary required before them
//!    (GitLab instances may prefix their own names): `gh[pousr]_…`,
//!    `github_pat_…`, GitLab's `glpat-`, `gldt-`, `glcbt-`, `glrt-`, `glptt-`,
//!    `glft-`, `gloas-`, `glimt-`, `glagent-`, `glsoat-`, `glffct-` and
//!    `GR1348941…`; only the type prefix is kept (`ghp_***`) so a reader can
//!    tell which kind of credential was exposed;
//! 4. `.netrc`-style `password VALUE` fields;
//! 5. the secret parameters of a URL's query: a signed download URL's
//!    signature and credential (S3 `X-Amz-Signature`, `X-Amz-Credential`,
//!    `X-Amz-Security-Token`; Google Cloud Storage `Signature`,
//!    `X-Goog-Signature`, `X-Goog-Credential`; Azure's `sig`) and
//!    `access_token` / `private_token` / `token` — module proxies redirect
//!    zip downloads to such URLs, and go quotes them in its errors.
//!
//! Hand-written scanners rather than regexes: this runs on the failure path
//! and in every CLI command, and compiling a regex set would cost more than
//! the scan.  Everything is linear in the input.

use std::borrow::Cow;

const MASK: &str = "***";

/// Redacts secrets in `text`.  Returns the input unchanged (borrowed) when
/// nothing was found.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for pass in [
        urls as fn(&str) -> Option<String>,
        headers,
        tokens,
        netrc,
        query,
    ] {
        if let Some(changed) = pass(&out) {
            out = Cow::Owned(changed);
        }
    }
    out
}

/// [`redact`] into an owned `String`.
pub fn redact_owned(text: &str) -> String {
    redact(text).into_owned()
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A user part that is itself a secret: a known token prefix, or a long run
/// of token characters (PATs used as the username: `https://TOKEN@host`).
fn token_shaped(user: &str) -> bool {
    let has_prefix = token_prefix_at(user.as_bytes(), 0).is_some();
    has_prefix
        || (user.len() >= 20
            && user
                .bytes()
                .all(|b| is_token_char(b) || b == b'-' || b == b'.'))
}

/// Pass 1: userinfo in `scheme://userinfo@host…`.
fn urls(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut last = 0;
    let mut search = 0;
    while let Some(rel) = text[search..].find("://") {
        let auth_start = search + rel + 3;
        // Scheme must be letters right before "://".
        let scheme_ok = search + rel > 0 && bytes[search + rel - 1].is_ascii_alphabetic();
        let mut end = auth_start;
        while end < bytes.len() && !is_authority_end(bytes[end]) {
            end += 1;
        }
        search = end.max(auth_start);
        if !scheme_ok {
            continue;
        }
        let authority = &text[auth_start..end];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at];
        if userinfo.is_empty() {
            continue;
        }
        let replacement = match userinfo.split_once(':') {
            Some((user, pass)) => {
                if token_shaped(user) {
                    MASK.to_owned()
                } else if pass == MASK || pass == "xxxxx" {
                    continue;
                } else {
                    format!("{user}:{MASK}")
                }
            }
            None if token_shaped(userinfo) => MASK.to_owned(),
            None => continue,
        };
        if replacement == userinfo {
            continue;
        }
        out.push_str(&text[last..auth_start]);
        out.push_str(&replacement);
        last = auth_start + at;
    }
    if last == 0 {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

fn is_authority_end(b: u8) -> bool {
    matches!(
        b,
        b'/' | b'?'
            | b'#'
            | b' '
            | b'\t'
            | b'\n'
            | b'\r'
            | b'\''
            | b'"'
            | b'<'
            | b'>'
            | b'`'
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b','
    )
}

const HEADERS: &[&str] = &[
    "proxy-authorization",
    "authorization",
    "private-token",
    "cookie",
    "extraheader",
];
const AUTH_SCHEMES: &[&str] = &["basic", "bearer", "token", "negotiate", "digest", "ntlm"];

/// Pass 2: header values.
fn headers(text: &str) -> Option<String> {
    // Byte-wise comparisons only: `i` may sit inside a multi-byte character.
    let lower = text.to_ascii_lowercase().into_bytes();
    let bytes = text.as_bytes();
    let mut values = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let Some(name) = HEADERS
            .iter()
            .find(|h| lower[i..].starts_with(h.as_bytes()))
        else {
            i += 1;
            continue;
        };
        let mut j = i + name.len();
        // `"authorization" = "…"` (http2debug), `Authorization: …`, `extraheader=…`.
        if j < bytes.len() && bytes[j] == b'"' {
            j += 1;
        }
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
            j += 1;
        }
        if j >= bytes.len() || !(bytes[j] == b':' || bytes[j] == b'=') {
            i += name.len();
            continue;
        }
        j += 1;
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'"' | b'\'') {
            j += 1;
        }
        // Keep the scheme word, hide the credential.
        if let Some(scheme) = AUTH_SCHEMES.iter().find(|s| {
            lower[j..].starts_with(s.as_bytes())
                && bytes
                    .get(j + s.len())
                    .is_some_and(|b| *b == b' ' || *b == b'\t')
        }) {
            j += scheme.len();
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
        }
        let mut end = j;
        while end < bytes.len() && !matches!(bytes[end], b'\n' | b'\r' | b'"' | b'\'') {
            end += 1;
        }
        // An `extraheader` value is itself `Header: value`; let the loop see it.
        if *name == "extraheader" && HEADERS.iter().any(|h| lower[j..].starts_with(h.as_bytes())) {
            i = j;
            continue;
        }
        values.push(j..end);
        i = end.max(i + 1);
    }
    mask(text, &values)
}

/// Which bytes a token's body may contain.
type BodyChar = fn(u8) -> bool;

/// Token prefixes and the characters their bodies use.
const TOKEN_PREFIXES: &[(&str, BodyChar)] = &[
    ("github_pat_", is_token_char),
    ("ghp_", is_token_char),
    ("gho_", is_token_char),
    ("ghu_", is_token_char),
    ("ghs_", is_token_char),
    ("ghr_", is_token_char),
    ("glpat-", is_gitlab_char),
    ("gldt-", is_gitlab_char),
    ("glcbt-", is_gitlab_char),
    ("glrt-", is_gitlab_char),
    ("glptt-", is_gitlab_char),
    ("glft-", is_gitlab_char),
    ("gloas-", is_gitlab_char),
    ("glimt-", is_gitlab_char),
    ("glagent-", is_gitlab_char),
    ("glsoat-", is_gitlab_char),
    ("glffct-", is_gitlab_char),
    ("GR1348941", is_gitlab_char),
];
/// Shortest token body counted as a token (real ones are 20–300 characters).
const MIN_TOKEN_BODY: usize = 20;

fn is_gitlab_char(b: u8) -> bool {
    is_token_char(b) || b == b'-' || b == b'.'
}

/// The prefix and the end of a token starting at `i`, if one does.
fn token_prefix_at(bytes: &[u8], i: usize) -> Option<(&'static str, usize)> {
    for (prefix, body) in TOKEN_PREFIXES {
        let p = prefix.as_bytes();
        if bytes.len() >= i + p.len() && &bytes[i..i + p.len()] == p {
            let start = i + p.len();
            let mut end = start;
            while end < bytes.len() && body(bytes[end]) {
                end += 1;
            }
            if end - start >= MIN_TOKEN_BODY {
                return Some((prefix, end));
            }
        }
    }
    None
}

/// Pass 3: token shapes anywhere.
fn tokens(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut values = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // Prefixes all start with 'g' or 'G'; skip quickly otherwise.
        if bytes[i] != b'g' && bytes[i] != b'G' {
            i += 1;
            continue;
        }
        match token_prefix_at(bytes, i) {
            // The type prefix stays (`ghp_***`); the body is hidden.
            Some((prefix, end)) => {
                values.push(i + prefix.len()..end);
                i = end;
            }
            None => i += 1,
        }
    }
    mask(text, &values)
}

/// Query parameters whose value is a secret (compared ASCII-case-insensitively).
const SECRET_PARAMS: &[&str] = &[
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "sig",
    "access_token",
    "private_token",
    "token",
];

/// Pass 5: the values of [`SECRET_PARAMS`] after a `?` or `&`.
fn query(text: &str) -> Option<String> {
    if !text.contains('=') || !(text.contains('?') || text.contains('&')) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut values = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'?' && bytes[i] != b'&' {
            i += 1;
            continue;
        }
        let key_start = i + 1;
        let mut eq = key_start;
        while eq < bytes.len()
            && (bytes[eq].is_ascii_alphanumeric() || bytes[eq] == b'-' || bytes[eq] == b'_')
        {
            eq += 1;
        }
        if eq >= bytes.len() || bytes[eq] != b'=' {
            i = key_start;
            continue;
        }
        let key = &text[key_start..eq];
        let value_start = eq + 1;
        let mut end = value_start;
        while end < bytes.len()
            && !matches!(bytes[end], b'&' | b'"' | b'\'' | b'`' | b')' | b'>')
            && !bytes[end].is_ascii_whitespace()
        {
            end += 1;
        }
        // go writes `URL: STATUS`: a colon (or other punctuation) right
        // before the space is the prose's, not the value's.
        while end > value_start + 1 && matches!(bytes[end - 1], b':' | b',' | b';' | b'.') {
            end -= 1;
        }
        if SECRET_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(key)) {
            values.push(value_start..end);
        }
        i = end.max(key_start);
    }
    mask(text, &values)
}

/// `text` with each of the byte ranges `values` (in order, not
/// overlapping) replaced by [`MASK`]; `None` when there is nothing to hide
/// (no range, or only empty or already masked ones).
fn mask(text: &str, values: &[std::ops::Range<usize>]) -> Option<String> {
    let mut out = String::new();
    let mut last = 0;
    for v in values {
        if v.is_empty() || &text[v.clone()] == MASK {
            continue;
        }
        out.push_str(&text[last..v.start]);
        out.push_str(MASK);
        last = v.end;
    }
    (last > 0).then(|| {
        out.push_str(&text[last..]);
        out
    })
}

/// Pass 4: `password VALUE` in netrc-looking text.
fn netrc(text: &str) -> Option<String> {
    if !text.contains("machine") {
        return None;
    }
    let mut values = Vec::new();
    let mut search = 0;
    while let Some(rel) = text[search..].find("password") {
        let start = search + rel + "password".len();
        let bytes = text.as_bytes();
        let mut j = start;
        if j >= bytes.len() || !(bytes[j] == b' ' || bytes[j] == b'\t') {
            search = start;
            continue;
        }
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
            j += 1;
        }
        let mut end = j;
        while end < bytes.len() && !bytes[end].is_ascii_whitespace() {
            end += 1;
        }
        // A closing quote or backtick right after the value belongs to the
        // prose around it (`password TOKEN`), not to the value.
        if end > j + 1 && matches!(bytes[end - 1], b'`' | b'\'' | b'"') {
            end -= 1;
        }
        values.push(j..end);
        search = end.max(start);
    }
    mask(text, &values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_url_query_secrets() {
        // A proxy's zip redirect as go quoted it (golang/go#32966, expired).
        let line = r#"Get "https://storage.googleapis.com/proxy-golang-org-prod/d95-github.com:k:c-v1.10.10.zip?Expires=1602676985&GoogleAccessId=gcs-urlsigner-prod%40golang-modproxy.iam.gserviceaccount.com&Signature=X9Kcpzaew%2BN7L0trq": x509: certificate signed by unknown authority"#;
        let r = redact(line);
        assert!(!r.contains("X9Kcpzaew"), "{r}");
        assert!(r.contains("Expires=1602676985&"), "{r}");
        assert!(r.contains("&Signature=***\": x509"), "{r}");
        assert_eq!(
            redact(
                "https://b.s3.amazonaws.com/m.zip?X-Amz-Credential=AKIA/x&X-Amz-Signature=abc&x=1"
            ),
            "https://b.s3.amazonaws.com/m.zip?X-Amz-Credential=***&X-Amz-Signature=***&x=1"
        );
        assert_eq!(
            redact("reading https://p.test/x?access_token=s3cr3t: 401"),
            "reading https://p.test/x?access_token=***: 401"
        );
        // Not a query: left alone.
        assert_eq!(redact("go: a=b & c"), "go: a=b & c");
        assert_eq!(
            redact("https://x.test/?go-get=1"),
            "https://x.test/?go-get=1"
        );
    }

    #[test]
    fn url_passwords_and_token_users() {
        assert_eq!(
            redact("git ls-remote -q http://user:s3cr3tT0ken@gomod.test/auth/creds.git in /x"),
            "git ls-remote -q http://user:***@gomod.test/auth/creds.git in /x"
        );
        assert_eq!(
            redact("https://ghp_0123456789abcdefghijABCDEFGHIJ0123@github.com/acme/api"),
            "https://***@github.com/acme/api"
        );
        assert_eq!(
            redact("https://x-access-token:ghs_0123456789abcdefghijABCDEFGHIJ@github.com/a"),
            "https://x-access-token:***@github.com/a"
        );
        // Already redacted by go, and plain usernames: unchanged.
        for same in [
            "reading http://alice:xxxxx@gomod.test/proxy: 401",
            "git@github.com: Permission denied (publickey).",
            "ssh://git@github.com/acme/api",
        ] {
            assert_eq!(redact(same), same);
        }
    }

    #[test]
    fn headers_keep_the_scheme() {
        assert_eq!(
            redact("Authorization: Basic dXNlcjpwYXNz"),
            "Authorization: Basic ***"
        );
        assert_eq!(
            redact("http2: Transport encoding header \"authorization\" = \"Basic YWxpY2U6cHc=\""),
            "http2: Transport encoding header \"authorization\" = \"Basic ***\""
        );
        assert_eq!(redact("PRIVATE-TOKEN: abcdef"), "PRIVATE-TOKEN: ***");
        assert_eq!(
            redact("http.https://github.com/.extraheader=AUTHORIZATION: basic eC1hY2Nlc3M="),
            "http.https://github.com/.extraheader=AUTHORIZATION: basic ***"
        );
        assert_eq!(redact("Cookie: session=abc; x=y"), "Cookie: ***");
    }

    #[test]
    fn tokens_without_word_boundary() {
        assert_eq!(
            redact("token=xghp_0123456789abcdefghijABCDEFGHIJ0123 end"),
            "token=xghp_*** end"
        );
        assert_eq!(
            redact("mycompany-glpat-abcdefghij0123456789xyz"),
            "mycompany-glpat-***"
        );
        assert_eq!(
            redact("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
            "github_pat_***"
        );
        // Words that only look like prefixes stay.
        assert_eq!(
            redact("global-settings ghp_short"),
            "global-settings ghp_short"
        );
    }

    #[test]
    fn netrc_passwords() {
        assert_eq!(
            redact("machine github.com login bob password hunter2hunter2"),
            "machine github.com login bob password ***"
        );
        assert_eq!(
            redact("a ~/.netrc entry `machine h login USER password TOKEN` (chmod 600)"),
            "a ~/.netrc entry `machine h login USER password ***` (chmod 600)"
        );
    }

    #[test]
    fn idempotent_on_examples() {
        for s in [
            "https://ghp_0123456789abcdefghijABCDEFGHIJ0123@github.com/acme/api",
            "Authorization: Bearer abc",
            "http://u:p@h/x",
        ] {
            let once = redact(s).into_owned();
            assert_eq!(redact(&once), once);
        }
    }
}
