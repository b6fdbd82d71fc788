//! Proxy and CA-bundle variables.
//!
//! go and git read them differently: go takes `HTTPS_PROXY` before
//! `https_proxy`, curl (git) the other way round, and curl never reads an
//! upper-case `HTTP_PROXY`; go trusts `SSL_CERT_FILE` / `SSL_CERT_DIR`, git
//! trusts `GIT_SSL_CAINFO` / `http.sslCAInfo` (Debian's git uses GnuTLS,
//! which ignores `SSL_CERT_FILE`).  A set-up that works for one and not the
//! other is the usual "go get works but git clone does not" puzzle.

use std::path::Path;

use crate::doctor::http::{self, no_proxy_matches};
use crate::doctor::machine::Machine;
use crate::doctor::model::{Check, Section};
use crate::doctor::scope::Scope;
use crate::doctor::{l, rule_fixes};
use crate::redact::redact_owned;

pub(super) fn checks(m: &Machine, s: &Scope) -> Vec<Check> {
    let mut out = proxies(m, s);
    out.extend(ca(m, s));
    out
}

fn sec() -> Section {
    Section::Network
}

fn proxies(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let names = [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ];
    let set: Vec<String> = names
        .iter()
        .filter_map(|n| m.var(n).map(|v| format!("{n}={}", redact_owned(v))))
        .collect();
    let git_proxy: Vec<String> = m
        .git
        .entries()
        .iter()
        .filter(|e| e.key.starts_with("http.") && e.key.ends_with(".proxy"))
        .map(|e| {
            format!(
                "{}={}",
                e.key,
                redact_owned(e.value.as_deref().unwrap_or(""))
            )
        })
        .collect();
    if set.is_empty() && git_proxy.is_empty() {
        return vec![Check::ok(
            "net.proxy",
            sec(),
            l(
                lang,
                "no proxy variables: go and git connect directly",
                "没有代理变量：go 和 git 直接连接",
            ),
        )];
    }
    let mut out = vec![
        Check::ok("net.proxy", sec(), l(lang, "proxy settings", "代理设置"))
            .details(set)
            .details(git_proxy),
    ];
    for (upper, lower) in [("HTTPS_PROXY", "https_proxy"), ("NO_PROXY", "no_proxy")] {
        if let (Some(u), Some(lo)) = (m.var(upper), m.var(lower))
            && u != lo
        {
            out.push(
                Check::warn(
                    "net.proxy-case",
                    sec(),
                    l(
                        lang,
                        format!(
                            "{upper} and {lower} differ: go uses {upper}, git (curl) uses {lower}"
                        ),
                        format!(
                            "{upper} 和 {lower} 不一致：go 使用 {upper}，git（curl）使用 {lower}"
                        ),
                    ),
                )
                .detail(format!("{upper}={}", redact_owned(u)))
                .detail(format!("{lower}={}", redact_owned(lo)))
                .diagnosis("proxy-failure")
                .fix(l(
                    lang,
                    "Set both to the same value.",
                    "把两者设为相同的值。",
                )),
            );
        }
    }
    if m.var("HTTP_PROXY").is_some() && m.var("http_proxy").is_none() {
        out.push(Check::warn(
            "net.proxy-case",
            sec(),
            l(
                lang,
                "HTTP_PROXY is set but not http_proxy: curl (git) ignores the upper-case one for http:// URLs",
                "设置了 HTTP_PROXY 但没有 http_proxy：curl（git）对 http:// 地址会忽略大写的变量",
            ),
        ));
    }
    // Private hosts through the company proxy: it usually cannot reach them.
    let env = http::ProxyEnv::from_lookup(|n| m.var(n).map(str::to_owned));
    if env.https.is_some() {
        let through: Vec<&String> = s
            .private_hosts
            .iter()
            .filter(|h| {
                !env.no_proxy
                    .as_deref()
                    .is_some_and(|np| no_proxy_matches(np, h, 443))
            })
            .collect();
        if !through.is_empty() {
            let hosts: Vec<&str> = through.iter().map(|h| h.as_str()).collect();
            let current = env.no_proxy.clone().unwrap_or_default();
            let value = if current.is_empty() {
                hosts.join(",")
            } else {
                format!("{current},{}", hosts.join(","))
            };
            out.push(
                Check::warn(
                    "net.no-proxy",
                    sec(),
                    l(
                        lang,
                        format!("NO_PROXY does not cover {}: requests to it go through the proxy", hosts.join(", ")),
                        format!("NO_PROXY 没有覆盖 {}：对它的请求会经过代理", hosts.join(", ")),
                    ),
                )
                .detail(l(
                    lang,
                    "fine if the proxy can reach it; an internal host usually is not reachable through it",
                    "如果代理能访问它就没有问题；内部主机通常无法通过代理访问",
                ))
                .diagnosis("proxy-failure")
                .fix(format!("export NO_PROXY={} no_proxy={}", crate::render::shell_word(&value), crate::render::shell_word(&value))),
            );
        }
    }
    out
}

fn ca(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let env = m.goenv();
    let mut out = Vec::new();
    let mut files: Vec<(String, String)> = ["SSL_CERT_FILE", "GIT_SSL_CAINFO"]
        .iter()
        .filter_map(|n| m.var(n).map(|v| ((*n).to_owned(), v.to_owned())))
        .collect();
    files.extend(
        m.git
            .entries()
            .iter()
            .filter(|e| e.key.starts_with("http.") && e.key.ends_with(".sslcainfo"))
            .filter_map(|e| Some((e.key.clone(), e.value.clone()?))),
    );
    let mut dirs: Vec<(String, String)> = ["SSL_CERT_DIR", "GIT_SSL_CAPATH"]
        .iter()
        .filter_map(|n| m.var(n).map(|v| ((*n).to_owned(), v.to_owned())))
        .collect();
    dirs.extend(
        m.git
            .entries()
            .iter()
            .filter(|e| e.key.starts_with("http.") && e.key.ends_with(".sslcapath"))
            .filter_map(|e| Some((e.key.clone(), e.value.clone()?))),
    );
    if files.is_empty() && dirs.is_empty() {
        return out;
    }
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for (n, v) in &files {
        let p = Path::new(v);
        if !http::readable_file(p) {
            bad.push(l(
                lang,
                format!("{n}={v}: no such readable file"),
                format!("{n}={v}：文件不存在或不可读"),
            ));
        } else if std::fs::read(p)
            .is_ok_and(|d| !String::from_utf8_lossy(&d).contains("-----BEGIN CERTIFICATE-----"))
        {
            bad.push(l(
                lang,
                format!("{n}={v}: holds no PEM certificate"),
                format!("{n}={v}：其中没有 PEM 证书"),
            ));
        } else {
            good.push(format!("{n}={v}"));
        }
    }
    for (n, v) in &dirs {
        let missing: Vec<&str> = v
            .split(':')
            .filter(|d| !d.is_empty() && !Path::new(d).is_dir())
            .collect();
        if missing.is_empty() {
            good.push(format!("{n}={v}"));
        } else {
            bad.push(l(
                lang,
                format!("{n}={v}: {} is not a directory", missing.join(", ")),
                format!("{n}={v}：{} 不是目录", missing.join(", ")),
            ));
        }
    }
    if !bad.is_empty() {
        out.push(
            Check::problem(
                "net.ca",
                sec(),
                l(
                    lang,
                    "a CA certificate setting points at nothing usable",
                    "CA 证书设置指向了不可用的文件",
                ),
            )
            .details(bad)
            .diagnosis("tls-certificate")
            .fixes(
                rule_fixes("tls-certificate", &[], &env, lang)
                    .into_iter()
                    .take(2),
            ),
        );
    } else {
        out.push(
            Check::ok(
                "net.ca",
                sec(),
                l(lang, "CA certificate settings", "CA 证书设置"),
            )
            .details(good),
        );
    }
    let go_side = m.var("SSL_CERT_FILE").is_some() || m.var("SSL_CERT_DIR").is_some();
    let git_side = m.var("GIT_SSL_CAINFO").is_some()
        || m.var("GIT_SSL_CAPATH").is_some()
        || m.git
            .entries()
            .iter()
            .any(|e| e.key.ends_with(".sslcainfo") || e.key.ends_with(".sslcapath"));
    if go_side != git_side {
        let (has, lacks) = if go_side {
            (
                "SSL_CERT_FILE/SSL_CERT_DIR (go)",
                "GIT_SSL_CAINFO / http.sslCAInfo (git)",
            )
        } else {
            (
                "GIT_SSL_CAINFO / http.sslCAInfo (git)",
                "SSL_CERT_FILE (go)",
            )
        };
        out.push(
            Check::warn(
                "net.ca-split",
                sec(),
                l(
                    lang,
                    format!("{has} is set but not {lacks}: go and git may trust different CAs"),
                    format!("设置了 {has} 但没有设置 {lacks}：go 和 git 信任的 CA 可能不同"),
                ),
            )
            .detail(l(
                lang,
                "fine if the CA is also in the system store; otherwise one of them fails with a certificate error",
                "如果该 CA 也在系统证书库中则没有问题；否则其中之一会报证书错误",
            ))
            .diagnosis("tls-certificate"),
        );
    }
    out
}
