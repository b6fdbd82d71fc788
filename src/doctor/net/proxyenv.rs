//! Which HTTP proxy go uses for a URL: `golang.org/x/net/http/httpproxy`'s
//! rules (upper case before lower case, `NO_PROXY` by host, domain suffix,
//! IP, CIDR and port; never for localhost and loopback addresses).

use std::net::IpAddr;

/// The proxy variables of one environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    pub http: Option<String>,
    pub https: Option<String>,
    pub no_proxy: Option<String>,
}

impl ProxyEnv {
    /// As go reads them: `HTTPS_PROXY` before `https_proxy`, and so on;
    /// `HTTP_PROXY` is ignored under CGI (`REQUEST_METHOD` set), as in go.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let pick = |a: &str, b: &str| get(a).or_else(|| get(b)).filter(|v| !v.is_empty());
        ProxyEnv {
            http: if get("REQUEST_METHOD").is_some() {
                None
            } else {
                pick("HTTP_PROXY", "http_proxy")
            },
            https: pick("HTTPS_PROXY", "https_proxy"),
            no_proxy: pick("NO_PROXY", "no_proxy"),
        }
    }

    pub fn from_process() -> ProxyEnv {
        ProxyEnv::from_lookup(|k| std::env::var(k).ok())
    }

    /// The proxy URL for a request to `scheme://host:port`, or `None` for a
    /// direct connection.  A value without a scheme means `http://`.
    pub fn proxy_for(&self, scheme: &str, host: &str, port: u16) -> Option<String> {
        let raw = match scheme {
            "https" => self.https.as_deref()?,
            "http" => self.http.as_deref()?,
            _ => return None,
        };
        if !self.use_proxy(host, port) {
            return None;
        }
        Some(if raw.contains("://") {
            raw.to_owned()
        } else {
            format!("http://{raw}")
        })
    }

    /// Whether `host` (a name or an address) is not excluded by NO_PROXY.
    pub fn use_proxy(&self, host: &str, port: u16) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.eq_ignore_ascii_case("localhost") {
            return false;
        }
        let ip = host.parse::<IpAddr>().ok();
        if ip.is_some_and(|ip| ip.is_loopback()) {
            return false;
        }
        let Some(no_proxy) = &self.no_proxy else {
            return true;
        };
        let host = host.to_ascii_lowercase();
        for entry in no_proxy.split(',') {
            let entry = entry.trim().to_ascii_lowercase();
            if entry.is_empty() {
                continue;
            }
            if entry == "*" {
                return false;
            }
            if let Some((net, bits)) = entry.split_once('/')
                && let (Ok(net), Ok(bits), Some(ip)) = (net.parse::<IpAddr>(), bits.parse(), ip)
            {
                if in_cidr(ip, net, bits) {
                    return false;
                }
                continue;
            }
            if let Ok(e) = entry
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
            {
                if ip == Some(e) {
                    return false;
                }
                continue;
            }
            // `host:port` entries only match that port.
            let (name, eport) = match entry.rsplit_once(':') {
                Some((n, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
                    (n.to_owned(), p.parse::<u16>().ok())
                }
                _ => (entry.clone(), None),
            };
            if eport.is_some_and(|p| p != port) {
                continue;
            }
            let name = name.strip_prefix('*').unwrap_or(&name);
            if let Some(suffix) = name.strip_prefix('.') {
                // ".example.com" matches subdomains only.
                if host.ends_with(&format!(".{suffix}")) {
                    return false;
                }
            } else if host == name || host.ends_with(&format!(".{name}")) {
                return false;
            }
        }
        true
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(https: &str, no_proxy: &str) -> ProxyEnv {
        ProxyEnv {
            http: None,
            https: Some(https.into()),
            no_proxy: (!no_proxy.is_empty()).then(|| no_proxy.into()),
        }
    }

    #[test]
    fn no_proxy_like_go() {
        let e = env(
            "proxy.corp:3128",
            "corp.example,.internal,10.0.0.0/8,git.test:8443",
        );
        assert_eq!(
            e.proxy_for("https", "github.com", 443).as_deref(),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(e.proxy_for("https", "corp.example", 443), None);
        assert_eq!(e.proxy_for("https", "git.corp.example", 443), None);
        assert_eq!(e.proxy_for("https", "a.internal", 443), None);
        assert!(e.proxy_for("https", "internal", 443).is_some());
        assert_eq!(e.proxy_for("https", "10.1.2.3", 443), None);
        assert_eq!(e.proxy_for("https", "git.test", 8443), None);
        assert!(e.proxy_for("https", "git.test", 443).is_some());
        assert_eq!(e.proxy_for("https", "localhost", 443), None);
        assert_eq!(e.proxy_for("https", "127.0.0.1", 443), None);
        assert_eq!(e.proxy_for("http", "github.com", 80), None);
        assert_eq!(env("http://p:1", "*").proxy_for("https", "x.y", 443), None);
    }

    #[test]
    fn upper_case_first() {
        let e = ProxyEnv::from_lookup(|k| match k {
            "HTTPS_PROXY" => Some("http://upper:1".into()),
            "https_proxy" => Some("http://lower:1".into()),
            _ => None,
        });
        assert_eq!(e.https.as_deref(), Some("http://upper:1"));
    }
}
