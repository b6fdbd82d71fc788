//! Network settings: proxy variables (both cases, as go and curl read them
//! differently) and whether `NO_PROXY` lets private hosts bypass the proxy;
//! CA bundle variables pointing at files that exist and hold certificates.

use std::path::Path;

use super::super::model::{Check, Section, Status};
use super::super::net::proxyenv::ProxyEnv;
use super::super::net::tls;
use super::super::repo::{self, Privacy};
use super::super::state::State;

pub fn checks(s: &State) -> Vec<Check> {
    let sec = || Section::Network;
    let mut out = Vec::new();
    let mut any_proxy = false;
    for (upper, lower) in [
        ("HTTPS_PROXY", "https_proxy"),
        ("HTTP_PROXY", "http_proxy"),
        ("NO_PROXY", "no_proxy"),
        ("ALL_PROXY", "all_proxy"),
    ] {
        let (u, l) = (s.var(upper), s.var(lower));
        if u.is_none() && l.is_none() {
            continue;
        }
        any_proxy = true;
        let shown = match (u, l) {
            (Some(u), Some(l)) if u != l => format!("{upper}={u}, {lower}={l}"),
            (Some(u), _) => format!("{upper}={u}"),
            (None, Some(l)) => format!("{lower}={l}"),
            (None, None) => unreachable!("checked above"),
        };
        let mut c = Check::new("proxy.vars", sec(), Status::Ok, shown);
        if let (Some(u), Some(l)) = (u, l)
            && u != l
        {
            c.status = Status::Warn;
            c = c.with_detail(s.tr(
                &format!("go reads {upper} first, git (curl) reads {lower} first: they use different values"),
                &format!("go 优先读取 {upper}，git（curl）优先读取 {lower}：两者会用到不同的值"),
            ));
        }
        if upper == "ALL_PROXY" {
            c = c.with_detail(s.tr(
                "ALL_PROXY is used by git (curl) but not by go",
                "ALL_PROXY 只被 git（curl）使用，go 不使用",
            ));
        }
        out.push(c);
    }
    let proxies = ProxyEnv::from_lookup(|k| s.var(k).map(str::to_owned));
    if proxies.https.is_some() {
        let mut bypassed = Vec::new();
        for m in s.modules_in_play() {
            let host = m.host().to_owned();
            if repo::privacy(&m.path) == Privacy::Private
                && proxies.use_proxy(&host, 443)
                && !bypassed.contains(&host)
            {
                bypassed.push(host);
            }
        }
        for h in bypassed {
            let current = proxies.no_proxy.clone().unwrap_or_default();
            let fixed = if current.is_empty() {
                h.clone()
            } else {
                format!("{current},{h}")
            };
            out.push(
                Check::new(
                    "proxy.no-proxy",
                    sec(),
                    Status::Warn,
                    s.tr(
                        &format!("requests to the private host {h} go through the HTTPS proxy (NO_PROXY does not cover it)"),
                        &format!("对私有主机 {h} 的请求会经过 HTTPS 代理（NO_PROXY 没有覆盖它）"),
                    ),
                )
                .with_diagnosis("proxy-failure")
                .with_fix(s.tr(
                    &format!("If the proxy cannot reach it, let it bypass the proxy: `export NO_PROXY={fixed}`."),
                    &format!("如果代理访问不到它，让它绕过代理：`export NO_PROXY={fixed}`。"),
                )),
            );
        }
    }
    if !any_proxy {
        out.push(Check::new(
            "proxy.vars",
            sec(),
            Status::Ok,
            s.tr(
                "no proxy variables (direct connections)",
                "没有代理变量（直接连接）",
            ),
        ));
    }
    for (name, dir) in [
        ("SSL_CERT_FILE", false),
        ("SSL_CERT_DIR", true),
        ("GIT_SSL_CAINFO", false),
        ("GIT_SSL_CAPATH", true),
    ] {
        if let Some(v) = s.var(name) {
            for p in if dir {
                v.split(':').collect::<Vec<_>>()
            } else {
                vec![v]
            } {
                if !p.is_empty() {
                    out.push(ca_check(s, name, Path::new(p), dir, Section::Network));
                }
            }
        }
    }
    if s.var("SSL_CERT_FILE").is_none() && s.var("SSL_CERT_DIR").is_none() {
        let (_, info) = tls::load(None, None);
        let from = info
            .file
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| s.tr("no bundle file", "没有证书包文件"));
        out.push(
            Check::new(
                "ca.system",
                sec(),
                if info.count == 0 {
                    Status::Fail
                } else {
                    Status::Ok
                },
                s.tr(
                    &format!(
                        "system CA certificates (as go reads them): {} from {from}",
                        info.count
                    ),
                    &format!(
                        "系统 CA 证书（按 go 的方式读取）：{} 个，来自 {from}",
                        info.count
                    ),
                ),
            )
            .with_diagnosis_if(info.count == 0, "tls-certificate"),
        );
    }
    out
}

/// A CA file or directory setting: exists and holds certificates.
pub fn ca_check(s: &State, name: &str, p: &Path, dir: bool, section: Section) -> Check {
    let count = if dir {
        std::fs::read_dir(p)
            .map(|rd| rd.flatten().map(|e| tls::count_in_file(&e.path())).sum())
            .unwrap_or(0)
    } else {
        tls::count_in_file(p)
    };
    let exists = if dir { p.is_dir() } else { p.is_file() };
    if exists && count > 0 {
        return Check::new(
            "ca.vars",
            section,
            Status::Ok,
            s.tr(
                &format!("{name}={}: {count} certificate(s)", p.display()),
                &format!("{name}={}：{count} 个证书", p.display()),
            ),
        );
    }
    let why = if exists {
        s.tr("holds no PEM certificate", "里面没有 PEM 证书")
    } else {
        s.tr("does not exist", "不存在")
    };
    Check::new(
        "ca.vars",
        section,
        Status::Fail,
        s.tr(
            &format!("{name}={} {why}: HTTPS connections that rely on it fail", p.display()),
            &format!("{name}={} {why}：依赖它的 HTTPS 连接都会失败", p.display()),
        ),
    )
    .with_diagnosis("tls-certificate")
    .with_fix(s.tr(
        &format!("Point {name} at the CA bundle that exists (e.g. /etc/ssl/certs/ca-certificates.crt plus your company's CA), or unset it."),
        &format!("让 {name} 指向存在的 CA 证书包（例如 /etc/ssl/certs/ca-certificates.crt 加上公司的 CA），或者删除这个变量。"),
    ))
}

trait DiagnosisIf {
    fn with_diagnosis_if(self, cond: bool, id: &'static str) -> Self;
}

impl DiagnosisIf for Check {
    fn with_diagnosis_if(self, cond: bool, id: &'static str) -> Check {
        if cond { self.with_diagnosis(id) } else { self }
    }
}
