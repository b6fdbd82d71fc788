//! Reading the stage a failure happened at from go's error grammar, not from
//! its wording.
//!
//! go builds its network and HTTP errors from a few fixed pieces whatever
//! the OS, the language of the system messages or the Go version
//! (docs/design.md §3):
//!
//! - `lookup HOST[ on RESOLVER]: REASON` — net.DNSError: name resolution;
//! - `dial tcp ADDR: OP: REASON` — net.OpError while connecting (`connect`
//!   on Unix, `connectex` on Windows, `socket`); REASON is the system's
//!   text, localised on Windows (`connectex: 由于连接方在一段时间后没有正确答复…`);
//! - `read tcp A->B: OP: REASON` / `write tcp …` (`wsarecv`, `wsasend` on
//!   Windows) — the connection broke during the transfer;
//! - `proxyconnect tcp: …` — the hop to the HTTP(S) proxy failed, whatever
//!   follows;
//! - `http2: …`, `stream error: stream ID …`, `net/http: …`, a `Get "URL":`
//!   that ends in `EOF` or `unexpected EOF` — the transfer was cut;
//! - `reading URL: STATUS` (go ≥ 1.13) and `unexpected status (URL): STATUS`
//!   (go 1.11–1.12) — an HTTP answer, whose meaning depends on which server
//!   gave it: a module proxy (`/@v/`, `/@latest`), the checksum database
//!   (`/lookup/`, `/tile/`), a go-import meta page (`?go-get=1`) or another.
//!
//! The reader names the stage of a line as a dotted tag — `net.dns`,
//! `net.connect`, `net.transfer`, `net.proxy`, `http.ROLE.CODE` — that rules
//! select with `stage = [...]` (docs/rules.md), plus the values it read
//! (`host`, `addr`, `url`, `status`, `server`).  Hand-written scanning,
//! linear in the line, no regex.

use super::context::Values;

/// Who answered an HTTP error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Proxy,
    Sumdb,
    /// A `?go-get=1` page (go-import meta tags).
    Meta,
    Other,
}

/// Which kind of server a URL go fetched belongs to, by go's URL layout.
pub fn classify_server(url: &str) -> Server {
    if url.contains("/lookup/") || url.contains("/tile/") || url.contains("/sumdb/") {
        Server::Sumdb
    } else if url.contains("/@v/") || url.ends_with("/@latest") {
        Server::Proxy
    } else if url.contains("?go-get=1") {
        Server::Meta
    } else {
        Server::Other
    }
}

/// What the grammar says about one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// `net.dns`, `net.connect`, `net.transfer`, `net.proxy` or
    /// `http.ROLE.CODE` (ROLE: proxy, sumdb, meta, other).
    pub tag: String,
    pub values: Values,
}

/// Whether a line's stage tag fits a rule's selector.
pub fn selects(selector: &str, tag: &str) -> bool {
    if selector == tag {
        return true;
    }
    let (Some(("http", s)), Some(("http", t))) = (selector.split_once('.'), tag.split_once('.'))
    else {
        return false;
    };
    let (Some((s_role, s_code)), Some((t_role, t_code))) = (s.split_once('.'), t.split_once('.'))
    else {
        return false;
    };
    let role = s_role == "*" || s_role == t_role;
    let code = s_code == "*"
        || s_code == t_code
        || (s_code.ends_with("xx") && t_code.len() == 3 && s_code[..1] == t_code[..1]);
    role && code
}

/// Reads the stage of one normalised line, if go's grammar shows one.
pub fn read(line: &str) -> Option<Stage> {
    // The outermost network operation decides: `proxyconnect tcp: dial tcp …`
    // is the proxy hop, `dial tcp: lookup …` is name resolution.
    let net = [
        ("proxyconnect tcp: ", Net::Proxy),
        ("dial tcp: lookup ", Net::Lookup),
        ("dial tcp4: lookup ", Net::Lookup),
        ("dial tcp6: lookup ", Net::Lookup),
        ("dial udp: lookup ", Net::Lookup),
        ("dial tcp ", Net::Dial),
        ("dial tcp4 ", Net::Dial),
        ("dial tcp6 ", Net::Dial),
        ("read tcp ", Net::Io),
        ("write tcp ", Net::Io),
        ("read tcp4 ", Net::Io),
        ("read tcp6 ", Net::Io),
    ]
    .iter()
    .filter_map(|(m, k)| find_token(line, m).map(|at| (at, m.len(), *k)))
    .min_by_key(|(at, _, _)| *at);
    if let Some((at, len, kind)) = net {
        let rest = &line[at + len..];
        let mut values = Values::new();
        let tag = match kind {
            Net::Proxy => {
                if let Some(addr) = find_token(rest, "dial tcp ").and_then(|i| {
                    rest[i + "dial tcp ".len()..]
                        .split(": ")
                        .next()
                        .map(str::to_owned)
                }) {
                    values.insert("proxy".into(), addr);
                }
                "net.proxy"
            }
            Net::Lookup => {
                let host = rest
                    .split([' ', ':'])
                    .next()
                    .filter(|h| looks_like_host(h))?;
                values.insert("host".into(), host.to_owned());
                "net.dns"
            }
            Net::Dial => {
                let addr = rest.split(": ").next().filter(|a| !a.contains(' '))?;
                // `dial tcp ADDR: lookup HOST: …` (some resolvers) is DNS too.
                let after = &rest[addr.len()..];
                if let Some(lookup) = after.strip_prefix(": lookup ") {
                    let host = lookup.split([' ', ':']).next()?;
                    values.insert("host".into(), host.to_owned());
                    "net.dns"
                } else {
                    values.insert("addr".into(), addr.to_owned());
                    if let Some(h) = host_of_addr(addr) {
                        values.insert("host".into(), h);
                    }
                    "net.connect"
                }
            }
            Net::Io => {
                // `read tcp 10.0.0.2:51234->140.82.112.3:443: …`: the peer.
                let pair = rest.split(": ").next().unwrap_or("");
                if let Some((_, peer)) = pair.split_once("->") {
                    values.insert("addr".into(), peer.to_owned());
                }
                "net.transfer"
            }
        };
        if let Some(url) = quoted_url(line) {
            // The host go asked for names the failure better than the
            // address it resolved to; a lookup names its host exactly.
            if let Some(h) = super::context::url_host(&url)
                && matches!(kind, Net::Dial | Net::Io | Net::Proxy)
            {
                values.insert("host".into(), h);
            }
            values.insert("url".into(), url);
        }
        values.retain(|_, v| !v.is_empty());
        return Some(Stage {
            tag: tag.into(),
            values,
        });
    }
    if let Some(stage) = http_status(line) {
        return Some(stage);
    }
    transfer_cut(line)
}

#[derive(Clone, Copy)]
enum Net {
    Proxy,
    Lookup,
    Dial,
    Io,
}

/// `reading URL: NNN …` or `unexpected status (URL): NNN …`.
fn http_status(line: &str) -> Option<Stage> {
    let (url, after) = if let Some(at) = find_token(line, "reading http") {
        let rest = &line[at + "reading ".len()..];
        let (url, after) = rest.split_once(": ")?;
        (url, after)
    } else if let Some(at) = line.find("unexpected status (http") {
        let rest = &line[at + "unexpected status (".len()..];
        let (url, after) = rest.split_once("): ")?;
        (url, after)
    } else {
        return None;
    };
    if url.contains(' ') {
        return None;
    }
    let code = after.get(..3)?;
    if !code.bytes().all(|b| b.is_ascii_digit())
        || after[3..].starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let role = match classify_server(url) {
        Server::Proxy => "proxy",
        Server::Sumdb => "sumdb",
        Server::Meta => "meta",
        Server::Other => "other",
    };
    let mut values = Values::new();
    values.insert("url".into(), url.to_owned());
    values.insert("status".into(), after.trim_end().to_owned());
    values.insert("server".into(), role.to_owned());
    if let Some(h) = super::context::url_host(url) {
        values.insert("url_host".into(), h);
    }
    Some(Stage {
        tag: format!("http.{role}.{code}"),
        values,
    })
}

/// HTTP transfers that broke without a socket error: HTTP/2 stream errors,
/// a response cut short, go's HTTP client timing out.
fn transfer_cut(line: &str) -> Option<Stage> {
    let url = quoted_url(line);
    let cut = [
        "http2: server sent GOAWAY",
        "http2: client connection lost",
        "http2: client connection force closed",
        "http2: timeout awaiting response headers",
        "stream error: stream ID ",
        "net/http: TLS handshake timeout",
        "net/http: request canceled",
        "net/http: timeout awaiting response headers",
        "(Client.Timeout exceeded",
        "Client.Timeout or context cancellation while reading body",
    ]
    .iter()
    .any(|m| line.contains(m));
    // `Get "URL": EOF`, `…: unexpected EOF` after a request go made.
    let eof = url.is_some() && (line.ends_with(": EOF") || line.ends_with(": unexpected EOF"));
    if !cut && !eof {
        return None;
    }
    let mut values = Values::new();
    if let Some(url) = url {
        if let Some(h) = super::context::url_host(&url) {
            values.insert("host".into(), h);
        }
        values.insert("url".into(), url);
    }
    Some(Stage {
        tag: "net.transfer".into(),
        values,
    })
}

/// The URL of go's `Get "URL":` (quoted since go 1.14; bare before).
fn quoted_url(line: &str) -> Option<String> {
    for verb in ["Get ", "Head ", "Post "] {
        let Some(at) = find_token(line, verb) else {
            continue;
        };
        let rest = &line[at + verb.len()..];
        let url = if let Some(q) = rest.strip_prefix('"') {
            q.split('"').next()?
        } else {
            rest.split(": ").next()?
        };
        if url.starts_with("https://") || url.starts_with("http://") {
            return Some(url.to_owned());
        }
    }
    None
}

/// `m` at the start of the line or after a space, colon, quote or paren.
fn find_token(line: &str, m: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = line[from..].find(m) {
        let at = from + i;
        let before = line[..at].chars().next_back();
        if before.is_none_or(|c| c == ' ' || c == ':' || c == '(' || c == '"' || c == '\t') {
            return Some(at);
        }
        from = at + m.len();
    }
    None
}

fn looks_like_host(h: &str) -> bool {
    !h.is_empty()
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
}

/// `140.82.112.3:443` → `140.82.112.3`; `[2001:db8::1]:443` → `2001:db8::1`.
fn host_of_addr(addr: &str) -> Option<String> {
    if let Some(v6) = addr.strip_prefix('[') {
        return v6.split(']').next().map(str::to_owned);
    }
    let (host, port) = addr.rsplit_once(':')?;
    (port.bytes().all(|b| b.is_ascii_digit()) && !host.is_empty()).then(|| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(line: &str) -> Option<String> {
        read(line).map(|s| s.tag)
    }

    #[test]
    fn network_operations_by_grammar() {
        assert_eq!(
            tag(r#"go: github.com/a/b@v1.0.0: Get "https://proxy.golang.org/github.com/a/b/@v/v1.0.0.mod": dial tcp 142.251.42.241:443: connectex: 由于连接方在一段时间后没有正确答复或连接的主机没有反应，连接尝试失败。"#).as_deref(),
            Some("net.connect")
        );
        assert_eq!(
            tag("dial tcp: lookup proxy.golang.org on 127.0.0.53:53: Name ist nicht bekannt")
                .as_deref(),
            Some("net.dns")
        );
        assert_eq!(
            tag(r#"Get "https://sum.golang.org/lookup/x@v1": read tcp 10.0.0.2:5123->142.250.1.1:443: wsarecv: Eine vorhandene Verbindung wurde vom Remotehost geschlossen."#).as_deref(),
            Some("net.transfer")
        );
        assert_eq!(
            tag(r#"Get "https://proxy.golang.org/x/@v/list": proxyconnect tcp: dial tcp 10.1.1.1:3128: connect: connection refused"#).as_deref(),
            Some("net.proxy")
        );
        let s = read(r#"Get "https://goproxy.cn/x/@v/list": dial tcp 1.2.3.4:443: i/o timeout"#)
            .unwrap();
        assert_eq!(s.values.get("host").map(String::as_str), Some("goproxy.cn"));
        assert_eq!(
            s.values.get("addr").map(String::as_str),
            Some("1.2.3.4:443")
        );
        assert_eq!(
            s.values.get("url").map(String::as_str),
            Some("https://goproxy.cn/x/@v/list")
        );
        // Not go's grammar: a word that merely contains the marker.
        assert_eq!(tag("redial tcp 1.2.3.4:1: x"), None);
        assert_eq!(tag("go: downloading github.com/a/b v1.0.0"), None);
    }

    #[test]
    fn http_status_by_role() {
        assert_eq!(
            tag("go: x@v1: reading https://goproxy.io/x/@v/v1.mod: 502 Bad Gateway").as_deref(),
            Some("http.proxy.502")
        );
        assert_eq!(
            tag("go: verifying x@v1: x@v1: reading https://sum.golang.org/lookup/x@v1: 410 Gone")
                .as_deref(),
            Some("http.sumdb.410")
        );
        assert_eq!(
            tag(r#"go: unrecognized import path "h.test/p": reading https://h.test/p?go-get=1: 401 Unauthorized"#).as_deref(),
            Some("http.meta.401")
        );
        assert_eq!(
            tag("go: finding x v1: unexpected status (https://goproxy.cn/x/@v/list): 429 Too Many Requests").as_deref(),
            Some("http.proxy.429")
        );
        assert_eq!(tag("reading https://x/@v/list: 4040 nope"), None);
    }

    #[test]
    fn transfers_cut_short() {
        assert_eq!(
            tag(r#"go: x@v1: Get "https://proxy.golang.org/x/@v/v1.zip": EOF"#).as_deref(),
            Some("net.transfer")
        );
        assert_eq!(
            tag("stream error: stream ID 3; INTERNAL_ERROR; received from peer").as_deref(),
            Some("net.transfer")
        );
        assert_eq!(tag("main.go:3:1: syntax error: unexpected EOF"), None);
    }

    #[test]
    fn selectors() {
        use crate::rules::spec::valid_stage_selector as valid_selector;
        assert!(selects("http.*.5xx", "http.proxy.502"));
        assert!(selects("http.proxy.404", "http.proxy.404"));
        assert!(!selects("http.proxy.404", "http.sumdb.404"));
        assert!(!selects("http.*.5xx", "http.proxy.429"));
        assert!(selects("net.dns", "net.dns"));
        assert!(valid_selector("http.*.4xx") && valid_selector("net.proxy"));
        assert!(
            !valid_selector("http.mirror.404")
                && !valid_selector("net.x")
                && !valid_selector("http")
        );
    }
}
