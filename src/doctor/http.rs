//! A small HTTPS client for the requests go itself makes: the `go-import`
//! meta tag page, module proxy lookups and checksum database lookups.
//!
//! The connection is driven here rather than by a client crate because what
//! matters is *which step* failed, as go would see it: name resolution, the
//! TCP connection, the proxy's CONNECT answer, the TLS handshake (and why the
//! certificate was refused), or the HTTP answer.  Each maps to a different
//! diagnosis.  The generic parts are crates (`url`, `httparse`, `base64`,
//! `percent-encoding`, `rustls`; docs/design.md §6).  It also follows go's
//! rules where they differ from curl's:
//! `HTTPS_PROXY` before `https_proxy`, go's `NO_PROXY` matching, never a
//! proxy for loopback, and the CA files go reads (`SSL_CERT_FILE`,
//! `SSL_CERT_DIR`, else the system bundle; see [`load_roots`]).
//!
//! Every step is bounded by one deadline: connect, handshake, each read and
//! write get the time that is left, so a server that accepts and never
//! answers costs at most the deadline.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};

/// Most bytes of a response body kept (meta pages, proxy answers).
const MAX_BODY: usize = 256 * 1024;
/// Most bytes of a response head.
const MAX_HEAD: usize = 64 * 1024;
/// Redirects followed (go follows 10; doctor's pages never need many).
const MAX_REDIRECTS: usize = 5;

/// Where a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Url,
    Dns,
    Connect,
    /// The HTTP proxy (connection, or its CONNECT answer).
    Proxy,
    Tls,
    Http,
}

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub stage: Stage,
    /// The deadline passed during this stage.
    pub timed_out: bool,
    /// Go-like wording (`lookup H: no such host`, `x509: certificate signed by unknown authority`).
    pub message: String,
}

impl HttpError {
    fn new(stage: Stage, message: impl Into<String>) -> HttpError {
        HttpError {
            stage,
            timed_out: false,
            message: message.into(),
        }
    }

    fn timeout(stage: Stage, message: impl Into<String>) -> HttpError {
        HttpError {
            timed_out: true,
            ..HttpError::new(stage, message)
        }
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub body: Vec<u8>,
}

impl Response {
    /// `404 Not Found`.
    pub fn answer(&self) -> String {
        format!("{} {}", self.status, self.reason)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The parts of a URL doctor needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub userinfo: Option<String>,
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub target: String,
}

impl Url {
    /// An `http`/`https` URL (the WHATWG parser of the `url` crate, with
    /// ASCII hosts only: go module paths are ASCII).
    pub fn parse(s: &str) -> Option<Url> {
        // `https:///x` has no host; the WHATWG parser would take `x` for one.
        if s.split_once("://")?.1.starts_with('/') {
            return None;
        }
        let u = url::Url::parse(s).ok()?;
        if !matches!(u.scheme(), "http" | "https") {
            return None;
        }
        let host = match u.host()? {
            url::Host::Domain(d) => d.to_ascii_lowercase(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        let userinfo = match (u.username(), u.password()) {
            ("", None) => None,
            (user, None) => Some(user.to_owned()),
            (user, Some(pass)) => Some(format!("{user}:{pass}")),
        };
        Some(Url {
            scheme: u.scheme().to_owned(),
            userinfo,
            host,
            port: u.port_or_known_default()?,
            target: u[url::Position::BeforePath..url::Position::AfterQuery].to_owned(),
        })
    }

    /// `host` or `host:port` when the port is not the scheme's default.
    pub fn host_port(&self) -> String {
        let default = if self.scheme == "https" { 443 } else { 80 };
        if self.port == default {
            self.host_for_url()
        } else {
            format!("{}:{}", self.host_for_url(), self.port)
        }
    }

    fn host_for_url(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    /// Without userinfo.
    pub fn without_userinfo(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host_port(), self.target)
    }
}

/// `host[:port]` with IPv6 brackets; the port is returned unparsed.
pub fn split_host_port(s: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':');
        return Some((host, port.filter(|p| !p.is_empty())));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((h, Some(p).filter(|p| !p.is_empty()))),
        _ => Some((s, None)),
    }
}

/// The proxy settings go reads (golang.org/x/net/http/httpproxy): the
/// upper-case variable first, then the lower-case one.
#[derive(Debug, Clone, Default)]
pub struct ProxyEnv {
    pub https: Option<String>,
    pub http: Option<String>,
    pub no_proxy: Option<String>,
}

impl ProxyEnv {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let any = |a: &str, b: &str| get(a).or_else(|| get(b)).filter(|v| !v.is_empty());
        ProxyEnv {
            https: any("HTTPS_PROXY", "https_proxy"),
            http: any("HTTP_PROXY", "http_proxy"),
            no_proxy: any("NO_PROXY", "no_proxy"),
        }
    }

    /// The proxy go would use for `url`, if any.
    pub fn proxy_for(&self, url: &Url) -> Option<&str> {
        let proxy = if url.scheme == "https" {
            self.https.as_deref()
        } else {
            self.http.as_deref()
        }?;
        if is_loopback(&url.host) {
            return None;
        }
        if let Some(np) = &self.no_proxy
            && no_proxy_matches(np, &url.host, url.port)
        {
            return None;
        }
        Some(proxy)
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Go's NO_PROXY matching: `*`; IP addresses and CIDR ranges; `host`
/// (itself and its subdomains); `.host` / `*.host` (subdomains only); an
/// optional `:port` on any entry.
pub fn no_proxy_matches(no_proxy: &str, host: &str, port: u16) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    for entry in no_proxy.split(',') {
        let entry = entry.trim().to_ascii_lowercase();
        if entry.is_empty() {
            continue;
        }
        if entry == "*" {
            return true;
        }
        if let Some((net, bits)) = entry.split_once('/') {
            if let (Some(ip), Ok(net), Ok(bits)) = (ip, net.parse::<IpAddr>(), bits.parse::<u8>())
                && cidr_contains(net, bits, ip)
            {
                return true;
            }
            continue;
        }
        if let Ok(eip) = entry.parse::<IpAddr>() {
            if ip == Some(eip) {
                return true;
            }
            continue;
        }
        let (name, eport) = match split_host_port(&entry) {
            Some((h, p)) => (h.to_owned(), p.and_then(|p| p.parse::<u16>().ok())),
            None => continue,
        };
        if eport.is_some_and(|p| p != port) {
            continue;
        }
        if let Some(suffix) = name.strip_prefix("*.").or_else(|| name.strip_prefix('.')) {
            if host.ends_with(&format!(".{suffix}")) {
                return true;
            }
        } else if host == name || host.ends_with(&format!(".{name}")) {
            return true;
        }
    }
    false
}

fn cidr_contains(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// Bundles go looks for (crypto/x509/root_linux.go), in its order.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];
/// Directories go reads when `SSL_CERT_DIR` is unset.
const SYSTEM_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// The certificate authorities go trusts on this machine, loaded the way
/// `crypto/x509` does on Linux: `SSL_CERT_FILE`, else the first system
/// bundle that exists; plus every file in `SSL_CERT_DIR` (colon-separated),
/// else in the system certificate directories.
fn load_roots(ssl_cert_file: Option<&str>, ssl_cert_dir: Option<&str>) -> rustls::RootCertStore {
    let mut store = rustls::RootCertStore::empty();
    let files: Vec<PathBuf> = match ssl_cert_file {
        Some(f) => vec![PathBuf::from(f)],
        None => SYSTEM_BUNDLES.iter().map(PathBuf::from).collect(),
    };
    if let Some(data) = files.iter().find_map(|f| std::fs::read(f).ok()) {
        add_pem(&mut store, &data);
    }
    let dirs: Vec<PathBuf> = match ssl_cert_dir {
        Some(d) => std::env::split_paths(d).collect(),
        None => SYSTEM_DIRS.iter().map(PathBuf::from).collect(),
    };
    // Go reads every file; the system directory of a Debian machine holds
    // links to the same certificates the bundle has, which the store simply
    // keeps twice.
    for entry in dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
    {
        if let Ok(data) = std::fs::read(entry.path()) {
            add_pem(&mut store, &data);
        }
    }
    store
}

fn add_pem(store: &mut rustls::RootCertStore, data: &[u8]) -> usize {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(data)
        .filter_map(Result::ok)
        .collect();
    store.add_parsable_certificates(certs).0
}

/// What requests need: proxies, trusted roots (loaded on first HTTPS use).
#[derive(Debug)]
pub struct Client {
    pub proxies: ProxyEnv,
    ssl_cert_file: Option<String>,
    ssl_cert_dir: Option<String>,
    tls: OnceLock<Arc<rustls::ClientConfig>>,
    pub user_agent: String,
}

impl Client {
    pub fn new(
        proxies: ProxyEnv,
        ssl_cert_file: Option<String>,
        ssl_cert_dir: Option<String>,
    ) -> Client {
        Client {
            proxies,
            ssl_cert_file,
            ssl_cert_dir,
            tls: OnceLock::new(),
            user_agent: format!("gotriage-doctor/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    fn tls_config(&self) -> Result<Arc<rustls::ClientConfig>, HttpError> {
        if let Some(c) = self.tls.get() {
            return Ok(c.clone());
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| HttpError::new(Stage::Tls, e.to_string()))?
            .with_root_certificates(load_roots(
                self.ssl_cert_file.as_deref(),
                self.ssl_cert_dir.as_deref(),
            ))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let config = Arc::new(config);
        let _ = self.tls.set(config.clone());
        Ok(config)
    }

    /// GET `url` (following redirects, never from https to http), with
    /// HTTP Basic credentials if given — sent only to the host they are for,
    /// never to where a redirect leads.  One attempt: a 401 is an answer.
    pub fn get(
        &self,
        url: &str,
        auth: Option<&(String, String)>,
        deadline: Instant,
    ) -> Result<Response, HttpError> {
        let mut current = url.to_owned();
        let origin = Url::parse(url).map(|u| (u.scheme, u.host, u.port));
        for _ in 0..=MAX_REDIRECTS {
            let u = Url::parse(&current)
                .ok_or_else(|| HttpError::new(Stage::Url, format!("invalid URL {current}")))?;
            let same_origin = origin.as_ref() == Some(&(u.scheme.clone(), u.host.clone(), u.port));
            let resp = self.get_once(&u, auth.filter(|_| same_origin), deadline)?;
            if matches!(resp.0.status, 301 | 302 | 303 | 307 | 308)
                && let Some(loc) = resp.1
            {
                let next = resolve_location(&u, &loc);
                if u.scheme == "https" && next.starts_with("http://") {
                    return Err(HttpError::new(
                        Stage::Http,
                        format!("redirected from secure URL {current} to insecure URL {next}"),
                    ));
                }
                current = next;
                continue;
            }
            return Ok(resp.0);
        }
        Err(HttpError::new(
            Stage::Http,
            "stopped after too many redirects",
        ))
    }

    fn get_once(
        &self,
        u: &Url,
        auth: Option<&(String, String)>,
        deadline: Instant,
    ) -> Result<(Response, Option<String>), HttpError> {
        let proxy = self.proxies.proxy_for(u).map(str::to_owned);
        let mut tcp = match &proxy {
            Some(p) => connect_proxy(p, u, deadline)?,
            None => {
                let addrs = resolve(&u.host, u.port, deadline)?;
                connect(&addrs, &u.host, u.port, deadline)?
            }
        };
        let plain_via_proxy = proxy.is_some() && u.scheme == "http";
        let request_target = if plain_via_proxy {
            u.without_userinfo()
        } else {
            u.target.clone()
        };
        let mut req = format!(
            "GET {request_target} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nAccept: */*\r\nConnection: close\r\n",
            u.host_port(),
            self.user_agent
        );
        if let Some((user, pass)) = auth {
            req.push_str(&format!(
                "Authorization: Basic {}\r\n",
                base64(format!("{user}:{pass}").as_bytes())
            ));
        }
        if plain_via_proxy && let Some(a) = proxy.as_deref().and_then(proxy_auth_header) {
            req.push_str(&a);
        }
        req.push_str("\r\n");
        let (head, body) = if u.scheme == "https" {
            let name = rustls::pki_types::ServerName::try_from(u.host.clone()).map_err(|e| {
                HttpError::new(Stage::Tls, format!("invalid server name {}: {e}", u.host))
            })?;
            let conn = rustls::ClientConnection::new(self.tls_config()?, name)
                .map_err(|e| HttpError::new(Stage::Tls, e.to_string()))?;
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            handshake(&mut tls, deadline)?;
            exchange(
                &mut tls,
                |s, d| set_deadline(&s.sock, d),
                req.as_bytes(),
                deadline,
            )?
        } else {
            exchange(&mut tcp, set_deadline, req.as_bytes(), deadline)?
        };
        let ((status, reason, headers), body) = (head, body);
        let body = if is_chunked(&headers) {
            dechunk(&body)
        } else if let Some(n) =
            header(&headers, "content-length").and_then(|v| v.parse::<usize>().ok())
        {
            body[..n.min(body.len())].to_vec()
        } else {
            body
        };
        Ok((
            Response {
                status,
                reason,
                body,
            },
            header(&headers, "location").map(str::to_owned),
        ))
    }
}

fn resolve_location(base: &Url, loc: &str) -> String {
    url::Url::parse(&base.without_userinfo())
        .and_then(|b| b.join(loc))
        .map_or_else(|_| loc.to_owned(), String::from)
}

fn remaining(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
}

fn set_deadline(sock: &TcpStream, deadline: Instant) -> std::io::Result<()> {
    let left = remaining(deadline).ok_or(std::io::ErrorKind::TimedOut)?;
    sock.set_read_timeout(Some(left))?;
    sock.set_write_timeout(Some(left))
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

/// Resolves `host` with the system resolver (as go's cgo or pure-Go
/// resolver would, from /etc/hosts and DNS), bounded by the deadline: the
/// lookup runs on a thread that is left behind if it hangs.
pub fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, HttpError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let left = remaining(deadline)
        .ok_or_else(|| HttpError::timeout(Stage::Dns, format!("lookup {host}: i/o timeout")))?;
    let (tx, rx) = mpsc::channel();
    let h = host.to_owned();
    std::thread::spawn(move || {
        let _ = tx.send(
            (h.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>),
        );
    });
    match rx.recv_timeout(left) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(HttpError::new(
            Stage::Dns,
            format!("lookup {host}: no such host"),
        )),
        Ok(Err(e)) => Err(HttpError::new(
            Stage::Dns,
            format!(
                "lookup {host}: no such host ({})",
                e.to_string()
                    .trim_start_matches("failed to lookup address information: ")
            ),
        )),
        Err(_) => Err(HttpError::timeout(
            Stage::Dns,
            format!("lookup {host}: i/o timeout"),
        )),
    }
}

/// Connects to the first address that answers within the deadline.
pub fn connect(
    addrs: &[SocketAddr],
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<TcpStream, HttpError> {
    let mut last = None;
    for a in addrs {
        let Some(left) = remaining(deadline) else {
            break;
        };
        match TcpStream::connect_timeout(a, left) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some((a, e)),
        }
    }
    Err(match last {
        Some((a, e)) if is_timeout(&e) => HttpError::timeout(
            Stage::Connect,
            format!("dial tcp {a}: i/o timeout (connecting to {host}:{port})"),
        ),
        Some((a, e)) => HttpError::new(
            Stage::Connect,
            format!("dial tcp {a}: connect: {}", io_reason(&e)),
        ),
        None => HttpError::timeout(
            Stage::Connect,
            format!("dial tcp {host}:{port}: i/o timeout"),
        ),
    })
}

/// `connection refused` rather than `Connection refused (os error 111)`.
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s);
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s.to_owned(),
    }
}

/// `Proxy-Authorization` from the proxy URL's userinfo.
fn proxy_auth_header(proxy: &str) -> Option<String> {
    let u = Url::parse(&with_scheme(proxy))?;
    let userinfo = u.userinfo?;
    let (user, pass) = userinfo.split_once(':').unwrap_or((&userinfo, ""));
    Some(format!(
        "Proxy-Authorization: Basic {}\r\n",
        base64(format!("{}:{}", percent_decode(user), percent_decode(pass)).as_bytes())
    ))
}

/// Go accepts a proxy without a scheme and assumes http.
pub fn with_scheme(proxy: &str) -> String {
    if proxy.contains("://") {
        proxy.to_owned()
    } else {
        format!("http://{proxy}")
    }
}

/// Connects through an HTTP proxy: for https, a CONNECT tunnel.
fn connect_proxy(proxy: &str, target: &Url, deadline: Instant) -> Result<TcpStream, HttpError> {
    let p = Url::parse(&with_scheme(proxy)).ok_or_else(|| {
        HttpError::new(
            Stage::Proxy,
            format!(
                "proxyconnect tcp: unsupported proxy URL {}",
                crate::redact::redact(proxy)
            ),
        )
    })?;
    if p.scheme != "http" {
        return Err(HttpError::new(
            Stage::Proxy,
            format!(
                "proxyconnect tcp: doctor only speaks to http:// proxies, not {}",
                p.scheme
            ),
        ));
    }
    let as_proxy = |mut e: HttpError| {
        e.message = format!("proxyconnect tcp: {}", e.message);
        e.stage = Stage::Proxy;
        e
    };
    let addrs = resolve(&p.host, p.port, deadline).map_err(as_proxy)?;
    let mut s = connect(&addrs, &p.host, p.port, deadline).map_err(as_proxy)?;
    if target.scheme == "http" {
        return Ok(s);
    }
    let hp = format!("{}:{}", target.host, target.port);
    let mut req = format!("CONNECT {hp} HTTP/1.1\r\nHost: {hp}\r\n");
    if let Some(a) = proxy_auth_header(proxy) {
        req.push_str(&a);
    }
    req.push_str("\r\n");
    let io = |e: std::io::Error| {
        if is_timeout(&e) {
            HttpError::timeout(
                Stage::Proxy,
                format!("proxyconnect tcp: the proxy did not answer CONNECT {hp}"),
            )
        } else {
            HttpError::new(Stage::Proxy, format!("proxyconnect tcp: {}", io_reason(&e)))
        }
    };
    set_deadline(&s, deadline).map_err(io)?;
    s.write_all(req.as_bytes()).map_err(io)?;
    // Read the answer byte by byte: anything after the blank line belongs
    // to the tunnel.
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        set_deadline(&s, deadline).map_err(io)?;
        match s.read(&mut b) {
            Ok(0) => {
                return Err(HttpError::new(
                    Stage::Proxy,
                    "proxyconnect tcp: EOF: the proxy closed the connection",
                ));
            }
            Ok(_) => head.push(b[0]),
            Err(e) => return Err(io(e)),
        }
        if head.len() > MAX_HEAD {
            return Err(HttpError::new(
                Stage::Proxy,
                "proxyconnect tcp: the proxy's answer is too long",
            ));
        }
    }
    let (status, reason, _) = parse_head(&head).map_err(|mut e| {
        e.stage = Stage::Proxy;
        e
    })?;
    if status != 200 {
        return Err(HttpError::new(
            Stage::Proxy,
            format!("Received HTTP code {status} from proxy after CONNECT ({status} {reason})"),
        ));
    }
    Ok(s)
}

fn handshake(
    tls: &mut rustls::StreamOwned<rustls::ClientConnection, TcpStream>,
    deadline: Instant,
) -> Result<(), HttpError> {
    while tls.conn.is_handshaking() {
        set_deadline(&tls.sock, deadline)
            .map_err(|_| HttpError::timeout(Stage::Tls, "TLS handshake timeout"))?;
        if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
            if is_timeout(&e) {
                return Err(HttpError::timeout(Stage::Tls, "TLS handshake timeout"));
            }
            let msg = match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                Some(r) => tls_reason(r),
                None => format!("TLS handshake: {}", io_reason(&e)),
            };
            return Err(HttpError::new(Stage::Tls, msg));
        }
    }
    Ok(())
}

/// Go's wording for certificate errors (what users see from go and search for).
pub fn tls_reason(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => "tls: failed to verify certificate: x509: certificate signed by unknown authority".to_owned(),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "tls: failed to verify certificate: x509: certificate is not valid for this host name".to_owned()
            }
            C::Expired | C::ExpiredContext { .. } => {
                "tls: failed to verify certificate: x509: certificate has expired or is not yet valid".to_owned()
            }
            C::NotValidYet | C::NotValidYetContext { .. } => {
                "tls: failed to verify certificate: x509: certificate has expired or is not yet valid".to_owned()
            }
            other => format!("tls: failed to verify certificate: {other:?}"),
        },
        other => format!("tls: {other}"),
    }
}

/// Writes the request and reads the whole answer (head, body) within the deadline.
fn exchange<S: Read + Write>(
    s: &mut S,
    arm: impl Fn(&S, Instant) -> std::io::Result<()>,
    req: &[u8],
    deadline: Instant,
) -> Result<(Head, Vec<u8>), HttpError> {
    let io = |e: std::io::Error| {
        if is_timeout(&e) {
            HttpError::timeout(Stage::Http, "timeout awaiting response headers")
        } else {
            HttpError::new(Stage::Http, io_reason(&e))
        }
    };
    arm(s, deadline).map_err(io)?;
    s.write_all(req).map_err(io)?;
    s.flush().map_err(io)?;
    let mut data = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut head: Option<(usize, Head)> = None;
    loop {
        arm(s, deadline).map_err(io)?;
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            // A server closing without TLS close_notify: the data is complete
            // when it said how long it was, which the caller checks.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && head.is_some() => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                if head.is_some() && is_timeout(&e) {
                    return Err(HttpError::timeout(
                        Stage::Http,
                        "timeout reading the response body",
                    ));
                }
                return Err(io(e));
            }
        }
        if head.is_none() {
            head = try_head(&data)?;
            if head.is_none() && data.len() > MAX_HEAD {
                return Err(HttpError::new(Stage::Http, "response head too long"));
            }
        }
        if let Some((h, (_, _, headers))) = &head
            && (body_complete(headers, &data[*h..]) || data.len() - h > MAX_BODY)
        {
            break;
        }
    }
    let Some((h, head)) = head else {
        return Err(HttpError::new(
            Stage::Http,
            if data.is_empty() {
                "EOF: the server closed the connection without answering"
            } else {
                "malformed HTTP response"
            },
        ));
    };
    Ok((head, data.split_off(h)))
}

/// Whether the body is complete by Content-Length or the last chunk, so that
/// a server keeping the connection open does not cost the deadline.
fn body_complete(headers: &[(String, String)], body: &[u8]) -> bool {
    if let Some(n) = header(headers, "content-length") {
        return n.parse::<usize>().is_ok_and(|n| body.len() >= n);
    }
    is_chunked(headers) && body.ends_with(b"0\r\n\r\n")
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn is_chunked(headers: &[(String, String)]) -> bool {
    header(headers, "transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
}

type Head = (u16, String, Vec<(String, String)>);

/// Parses a complete response head (`httparse`); `Ok(None)`: not complete yet.
fn try_head(data: &[u8]) -> Result<Option<(usize, Head)>, HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; 100];
    let mut r = httparse::Response::new(&mut headers);
    match r.parse(data) {
        Ok(httparse::Status::Complete(len)) => Ok(Some((
            len,
            (
                r.code.unwrap_or(0),
                r.reason.unwrap_or("").to_owned(),
                r.headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_owned(),
                            String::from_utf8_lossy(h.value).trim().to_owned(),
                        )
                    })
                    .collect(),
            ),
        ))),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(_) => {
            let status_line = String::from_utf8_lossy(data);
            let status_line = status_line.split("\r\n").next().unwrap_or("");
            Err(HttpError::new(
                Stage::Http,
                format!(
                    "malformed HTTP response {:?}",
                    status_line.chars().take(60).collect::<String>()
                ),
            ))
        }
    }
}

fn parse_head(head: &[u8]) -> Result<Head, HttpError> {
    match try_head(head)? {
        Some((_, h)) => Ok(h),
        None => Err(HttpError::new(Stage::Http, "malformed HTTP response")),
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(httparse::Status::Complete((i, size))) = httparse::parse_chunk_size(rest) {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        rest = &rest[i..];
        let take = size.min(rest.len());
        out.extend_from_slice(&rest[..take]);
        if size == 0 || take < size {
            break;
        }
        rest = rest.get(size + 2..).unwrap_or(&[]);
    }
    out
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn base64(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Whether a path names a readable file (for CA variables).
pub fn readable_file(p: &Path) -> bool {
    std::fs::File::open(p).is_ok_and(|f| f.metadata().is_ok_and(|m| m.is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_no_proxy_rules() {
        assert!(no_proxy_matches("*", "github.com", 443));
        assert!(no_proxy_matches("corp.example", "git.corp.example", 443));
        assert!(no_proxy_matches("corp.example", "corp.example", 443));
        assert!(no_proxy_matches(".corp.example", "git.corp.example", 443));
        assert!(!no_proxy_matches(".corp.example", "corp.example", 443));
        assert!(no_proxy_matches("*.corp.example", "a.b.corp.example", 443));
        assert!(!no_proxy_matches(
            "corp.example:8443",
            "git.corp.example",
            443
        ));
        assert!(no_proxy_matches(
            "corp.example:443",
            "git.corp.example",
            443
        ));
        assert!(no_proxy_matches("10.0.0.0/8", "10.1.2.3", 443));
        assert!(!no_proxy_matches("10.0.0.0/8", "11.1.2.3", 443));
        assert!(!no_proxy_matches("example.com", "notexample.com", 443));
        let p = ProxyEnv {
            https: Some("http://proxy:3128".into()),
            http: None,
            no_proxy: Some("git.test".into()),
        };
        assert_eq!(
            p.proxy_for(&Url::parse("https://github.com/").unwrap()),
            Some("http://proxy:3128")
        );
        assert_eq!(p.proxy_for(&Url::parse("https://git.test/").unwrap()), None);
        assert_eq!(
            p.proxy_for(&Url::parse("https://127.0.0.1/").unwrap()),
            None
        );
        assert_eq!(
            p.proxy_for(&Url::parse("http://github.com/").unwrap()),
            None
        );
        // Upper case first, as go reads them.
        let env = |k: &str| match k {
            "HTTPS_PROXY" => Some("upper".to_owned()),
            "https_proxy" => Some("lower".to_owned()),
            _ => None,
        };
        assert_eq!(ProxyEnv::from_lookup(env).https.as_deref(), Some("upper"));
    }
}
