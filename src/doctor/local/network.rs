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
use crate::redact::redact_owned;

pub(super) fn checks(m: &Machine, s: &Scope) -> Vec<Check> {
    let mut out = proxies(m, s);
    out.extend(ca(m, s));
    out
}

const SEC: Section = Section::Network;

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
        return vec![SEC.ok("net.proxy", t!(lang, net_proxy_none))];
    }
    let mut out = vec![
        SEC.ok("net.proxy", t!(lang, net_proxy_settings))
            .details(set)
            .details(git_proxy),
    ];
    for (upper, lower) in [("HTTPS_PROXY", "https_proxy"), ("NO_PROXY", "no_proxy")] {
        if let (Some(u), Some(lo)) = (m.var(upper), m.var(lower))
            && u != lo
        {
            out.push(
                SEC.warn(
                    "net.proxy-case",
                    t!(lang, net_proxy_case_differs, upper, lower),
                )
                .detail(format!("{upper}={}", redact_owned(u)))
                .detail(format!("{lower}={}", redact_owned(lo)))
                .diagnosis("proxy-failure")
                .fix(t!(lang, net_proxy_case_differs_fix)),
            );
        }
    }
    if m.var("HTTP_PROXY").is_some() && m.var("http_proxy").is_none() {
        out.push(SEC.warn("net.proxy-case", t!(lang, net_http_proxy_upper_only)));
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
                SEC.warn(
                    "net.no-proxy",
                    t!(lang, net_no_proxy_misses, hosts = hosts.join(", ")),
                )
                .detail(t!(lang, net_no_proxy_misses_why))
                .diagnosis("proxy-failure")
                .fix(format!(
                    "export NO_PROXY={} no_proxy={}",
                    crate::render::shell_word(&value),
                    crate::render::shell_word(&value)
                )),
            );
        }
    }
    out
}

fn ca(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let mut out = Vec::new();
    // The variables, then git's `http[.<url>].<key>` values.
    let settings = |vars: [&str; 2], key: &str| -> Vec<(String, String)> {
        let vars = vars
            .into_iter()
            .filter_map(|n| m.var(n).map(|v| (n.to_owned(), v.to_owned())));
        let git = m
            .git
            .entries()
            .iter()
            .filter(|e| e.key.starts_with("http."));
        vars.chain(
            git.filter(|e| e.key.ends_with(key))
                .filter_map(|e| Some((e.key.clone(), e.value.clone()?))),
        )
        .collect()
    };
    let files = settings(["SSL_CERT_FILE", "GIT_SSL_CAINFO"], ".sslcainfo");
    let dirs = settings(["SSL_CERT_DIR", "GIT_SSL_CAPATH"], ".sslcapath");
    if files.is_empty() && dirs.is_empty() {
        return out;
    }
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for (n, v) in &files {
        let p = Path::new(v);
        if !http::readable_file(p) {
            bad.push(t!(lang, net_ca_file_unreadable, var = n, value = v));
        } else if std::fs::read(p)
            .is_ok_and(|d| !String::from_utf8_lossy(&d).contains("-----BEGIN CERTIFICATE-----"))
        {
            bad.push(t!(lang, net_ca_file_no_pem, var = n, value = v));
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
            bad.push(t!(
                lang,
                net_ca_dir_missing,
                var = n,
                value = v,
                missing = missing.join(", ")
            ));
        }
    }
    if !bad.is_empty() {
        out.push(
            SEC.problem("net.ca", t!(lang, net_ca_unusable))
                .details(bad)
                .diagnosis("tls-certificate")
                .fixes(s.fixes("tls-certificate", &[], 2)),
        );
    } else {
        out.push(SEC.ok("net.ca", t!(lang, net_ca_ok)).details(good));
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
            SEC.warn("net.ca-split", t!(lang, net_ca_split, has, lacks))
                .detail(t!(lang, net_ca_split_why))
                .diagnosis("tls-certificate"),
        );
    }
    out
}
