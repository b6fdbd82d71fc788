//! A small HTTP/1.1 GET client for doctor's probes, built so that each step
//! of a request can fail on its own and be reported as such — name lookup,
//! TCP connect, the proxy's CONNECT, the TLS handshake, the answer — and so
//! that the whole request is bounded by one deadline, even against a server
//! that accepts and then says nothing.
//!
//! One request per call, `Connection: close`, no keep-alive, no
//! compression, bodies capped at [`MAX_BODY`].  Proxies as go uses them
//! ([`super::proxyenv`]); CA roots as go finds them ([`super::tls`]).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::mpsc;
#[cfg(test)]
use std::time::Duration;
use std::time::Instant;

use super::proxyenv::ProxyEnv;

/// Most body bytes kept.
pub const MAX_BODY: usize = 256 * 1024;

/// A parsed `http(s)://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub userinfo: Option<String>,
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl Url {
    pub fn parse(s: &str) -> Option<Url> {
        let (scheme, rest) = s.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u.to_owned()), h),
            None => (None, authority),
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']')?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().ok()?,
                None => default_port,
            };
            (h.to_owned(), port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), p.parse().ok()?),
                None => (hostport.to_owned(), default_port),
            }
        };
        if host.is_empty() {
            return None;
        }
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        Some(Url {
            scheme,
            userinfo,
            host,
            port,
            path,
        })
    }

    /// `host` or `host:port` when the port is not the scheme's default.
    pub fn host_port(&self) -> String {
        let default = if self.scheme == "https" { 443 } else { 80 };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// The URL without userinfo.
    pub fn display(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host_port(), self.path)
    }
}

/// Where a request stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The name did not resolve.
    Dns(String),
    /// No TCP connection (refused, unreachable, timed out).
    Connect(String),
    /// The proxy answered CONNECT with this status line.
    ProxyStatus(u16, String),
    /// The proxy could not be reached.
    ProxyConnect(String),
    /// The TLS handshake failed; `untrusted` when the certificate chain was
    /// not accepted (unknown authority, expired, wrong name).
    Tls { message: String, untrusted: bool },
    /// The connection broke while talking.
    Io(String),
    /// The deadline passed in this step.
    Timeout(Step),
    /// Not a URL this client can fetch.
    BadUrl(String),
}

/// Steps of a request, for timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Dns,
    Connect,
    Tls,
    Answer,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Dns => "name lookup",
            Step::Connect => "connect",
            Step::Tls => "TLS handshake",
            Step::Answer => "waiting for the answer",
        }
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The address connected to (the proxy's when one was used).
    pub peer: Option<SocketAddr>,
    /// The proxy used, if any (redacted by the caller).
    pub proxy: Option<String>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// How to make requests.
#[derive(Debug, Clone)]
pub struct Client {
    pub proxies: ProxyEnv,
    pub tls: Arc<rustls::ClientConfig>,
    pub user_agent: String,
}

impl Client {
    /// Proxies and CA roots from the process environment, as go would use them.
    pub fn from_env() -> Client {
        Client {
            proxies: ProxyEnv::from_process(),
            tls: super::tls::client_config(),
            user_agent: "Go-http-client/1.1 (gotriage doctor)".into(),
        }
    }

    /// GET `url`, with HTTP Basic credentials if given, all within `deadline`.
    pub fn get(
        &self,
        url: &Url,
        basic: Option<(&str, &str)>,
        deadline: Instant,
    ) -> Result<Response, Failure> {
        let proxy = self
            .proxies
            .proxy_for(&url.scheme, &url.host, url.port)
            .map(|p| Url::parse(&p).ok_or_else(|| Failure::BadUrl(p.clone())))
            .transpose()?;
        let (stream, peer) = match &proxy {
            Some(p) => {
                let (s, peer) = connect(&p.host, p.port, deadline).map_err(|f| match f {
                    Failure::Dns(m) | Failure::Connect(m) => {
                        Failure::ProxyConnect(format!("{}: {m}", p.host_port()))
                    }
                    other => other,
                })?;
                (s, peer)
            }
            None => connect(&url.host, url.port, deadline)?,
        };
        let proxy_shown = proxy
            .as_ref()
            .map(|p| format!("{}://{}", p.scheme, p.host_port()));
        let mut auth_header = String::new();
        if let Some((user, pass)) = basic {
            auth_header = format!(
                "Authorization: Basic {}\r\n",
                base64(format!("{user}:{pass}").as_bytes())
            );
        }
        let response = if url.scheme == "https" {
            if let Some(p) = &proxy {
                connect_tunnel(&stream, p, url, deadline)?;
            }
            let name = rustls_pki_types::ServerName::try_from(url.host.clone())
                .map_err(|e| Failure::BadUrl(format!("{}: {e}", url.host)))?;
            let conn = rustls::ClientConnection::new(self.tls.clone(), name).map_err(|e| {
                Failure::Tls {
                    message: e.to_string(),
                    untrusted: false,
                }
            })?;
            let mut tls = rustls::StreamOwned::new(conn, stream);
            // The handshake first, so its failures are told apart from the answer's.
            while tls.conn.is_handshaking() {
                set_timeouts(&tls.sock, deadline, Step::Tls)?;
                if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
                    return Err(tls_failure(&e, Step::Tls));
                }
            }
            let request = request_text(url, &self.user_agent, &auth_header, false);
            exchange(&mut tls, request.as_bytes(), deadline, tls_sock)?
        } else {
            let request = request_text(url, &self.user_agent, &auth_header, proxy.is_some());
            let mut s = stream;
            exchange(&mut s, request.as_bytes(), deadline, tcp_sock)?
        };
        let mut r = parse_response(&response)?;
        r.peer = Some(peer);
        r.proxy = proxy_shown;
        Ok(r)
    }
}

/// Resolves (on a thread, so a hanging resolver cannot pass the deadline)
/// and connects to the first address that answers.
pub fn connect(
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<(TcpStream, SocketAddr), Failure> {
    let addrs = resolve(host, port, deadline)?;
    let mut last = String::from("no addresses");
    for addr in &addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Timeout(Step::Connect));
        }
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => return Ok((s, *addr)),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                return Err(Failure::Timeout(Step::Connect));
            }
            Err(e) => last = format!("{addr}: {e}"),
        }
    }
    Err(Failure::Connect(last))
}

/// Name lookup bounded by `deadline`.
pub fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, Failure> {
    let (tx, rx) = mpsc::channel();
    let target = (host.to_owned(), port);
    std::thread::spawn(move || {
        let r = target
            .to_socket_addrs()
            .map(|a| a.collect::<Vec<_>>())
            .map_err(|e| e.to_string());
        let _ = tx.send(r);
    });
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(a)) if !a.is_empty() => Ok(a),
        Ok(Ok(_)) => Err(Failure::Dns(format!("{host}: no addresses"))),
        Ok(Err(e)) => Err(Failure::Dns(format!("{host}: {e}"))),
        Err(_) => Err(Failure::Timeout(Step::Dns)),
    }
}

fn set_timeouts(sock: &TcpStream, deadline: Instant, step: Step) -> Result<(), Failure> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Failure::Timeout(step));
    }
    let _ = sock.set_read_timeout(Some(left));
    let _ = sock.set_write_timeout(Some(left));
    Ok(())
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

fn tls_failure(e: &std::io::Error, step: Step) -> Failure {
    if is_timeout(e) {
        return Failure::Timeout(step);
    }
    let untrusted = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .is_some_and(|r| matches!(r, rustls::Error::InvalidCertificate(_)));
    Failure::Tls {
        message: e.to_string(),
        untrusted,
    }
}

/// `CONNECT host:port` through an HTTP proxy (with its userinfo as
/// `Proxy-Authorization`, as go sends it).
fn connect_tunnel(
    stream: &TcpStream,
    proxy: &Url,
    url: &Url,
    deadline: Instant,
) -> Result<(), Failure> {
    let target = format!("{}:{}", url.host, url.port);
    let mut req = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some(ui) = &proxy.userinfo {
        let decoded = percent_decode(ui);
        req.push_str(&format!(
            "Proxy-Authorization: Basic {}\r\n",
            base64(decoded.as_bytes())
        ));
    }
    req.push_str("\r\n");
    let mut s = stream;
    set_timeouts(stream, deadline, Step::Connect)?;
    s.write_all(req.as_bytes())
        .map_err(|e| Failure::ProxyConnect(e.to_string()))?;
    // Read the answer's head byte by byte: what follows belongs to TLS.
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        set_timeouts(stream, deadline, Step::Connect)?;
        match s.read(&mut b) {
            Ok(0) => break,
            Ok(_) => head.push(b[0]),
            Err(e) if is_timeout(&e) => return Err(Failure::Timeout(Step::Connect)),
            Err(e) => return Err(Failure::ProxyConnect(e.to_string())),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let line = text.lines().next().unwrap_or("").to_owned();
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok());
    match status {
        Some(200) => Ok(()),
        Some(code) => Err(Failure::ProxyStatus(code, line)),
        None => Err(Failure::ProxyConnect(format!(
            "bad answer to CONNECT: {line:?}"
        ))),
    }
}

fn request_text(url: &Url, agent: &str, auth: &str, absolute: bool) -> String {
    let target = if absolute {
        format!("{}://{}{}", url.scheme, url.host_port(), url.path)
    } else {
        url.path.clone()
    };
    format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {agent}\r\nAccept-Encoding: identity\r\nConnection: close\r\n{auth}\r\n",
        url.host_port()
    )
}

fn tls_sock(s: &rustls::StreamOwned<rustls::ClientConnection, TcpStream>) -> &TcpStream {
    &s.sock
}

fn tcp_sock(s: &TcpStream) -> &TcpStream {
    s
}

/// Sends the request and reads until the server closes (or the cap).
fn exchange<S: Read + Write>(
    s: &mut S,
    request: &[u8],
    deadline: Instant,
    sock: fn(&S) -> &TcpStream,
) -> Result<Vec<u8>, Failure> {
    set_timeouts(sock(s), deadline, Step::Answer)?;
    s.write_all(request).map_err(|e| io_failure(&e))?;
    let _ = s.flush();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        set_timeouts(sock(s), deadline, Step::Answer)?;
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > MAX_BODY + 16 * 1024 || complete(&buf) {
                    break;
                }
            }
            // A server closing without TLS close_notify: what came is the answer.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !buf.is_empty() => break,
            Err(e) => return Err(io_failure(&e)),
        }
    }
    Ok(buf)
}

fn io_failure(e: &std::io::Error) -> Failure {
    if is_timeout(e) {
        Failure::Timeout(Step::Answer)
    } else {
        Failure::Io(e.to_string())
    }
}

/// True once a response with a Content-Length has all its body (servers
/// may keep the connection open despite `Connection: close`).
fn complete(buf: &[u8]) -> bool {
    let Some(end) = find(buf, b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    head.lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .is_some_and(|len| buf.len() >= end + 4 + len)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_response(raw: &[u8]) -> Result<Response, Failure> {
    let end = find(raw, b"\r\n\r\n")
        .ok_or_else(|| Failure::Io("the connection closed before a complete answer".into()))?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let _version = parts.next();
    let status = parts
        .next()
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| Failure::Io(format!("not an HTTP answer: {status_line:?}")))?;
    let reason = parts.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    body.truncate(MAX_BODY);
    Ok(Response {
        status,
        reason,
        headers,
        body,
        peer: None,
        proxy: None,
    })
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = find(b, b"\r\n") {
        let size_text = String::from_utf8_lossy(&b[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        b = &b[eol + 2..];
        if size == 0 || b.len() < size {
            out.extend_from_slice(&b[..size.min(b.len())]);
            break;
        }
        out.extend_from_slice(&b[..size]);
        b = b.get(size + 2..).unwrap_or(&[]);
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 (for Basic credentials).
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = Url::parse("https://alice:pw@proxy.test:8443/private/x?go-get=1").unwrap();
        assert_eq!(
            (
                u.scheme.as_str(),
                u.userinfo.as_deref(),
                u.host.as_str(),
                u.port,
                u.path.as_str()
            ),
            (
                "https",
                Some("alice:pw"),
                "proxy.test",
                8443,
                "/private/x?go-get=1"
            )
        );
        assert_eq!(u.display(), "https://proxy.test:8443/private/x?go-get=1");
        let u = Url::parse("http://example.com").unwrap();
        assert_eq!(
            (u.port, u.path.as_str(), u.host_port()),
            (80, "/", "example.com".into())
        );
        assert_eq!(Url::parse("ftp://x/"), None);
        assert_eq!(Url::parse("https:///x"), None);
    }

    #[test]
    fn base64_and_chunks() {
        assert_eq!(
            base64(b"alice:correct-horse"),
            "YWxpY2U6Y29ycmVjdC1ob3JzZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n"),
            b"Wikipedia"
        );
        let r = parse_response(b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabc").unwrap();
        assert_eq!(
            (r.status, r.reason.as_str(), r.body_text().as_str()),
            (404, "Not Found", "abc")
        );
        assert!(complete(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        assert!(!complete(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok"));
        assert_eq!(percent_decode("a%40b:c"), "a@b:c");
    }

    #[test]
    fn a_server_that_never_answers_is_bounded() {
        // Accepts, reads, never writes: the request ends at its deadline.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hold = std::thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            std::thread::sleep(Duration::from_secs(3));
            drop(s);
        });
        let client = Client {
            proxies: ProxyEnv::default(),
            tls: super::super::tls::config_with(rustls::RootCertStore::empty()),
            user_agent: "test".into(),
        };
        let url = Url::parse(&format!("http://127.0.0.1:{}/x", addr.port())).unwrap();
        let t = Instant::now();
        let r = client.get(&url, None, Instant::now() + Duration::from_millis(400));
        assert_eq!(r.unwrap_err(), Failure::Timeout(Step::Answer));
        assert!(
            t.elapsed() < Duration::from_millis(1500),
            "{:?}",
            t.elapsed()
        );
        hold.join().unwrap();
    }
}
