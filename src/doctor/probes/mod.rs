//! Network probes (only with `--network` or MODULE arguments): for each
//! module, the repository go would fetch from and the way there (name,
//! TCP, `git ls-remote` over the URL git really uses, `ssh -T` for SSH
//! URLs), and the module proxy and checksum database lookups go would make.
//!
//! Probes run in parallel (every module at once; within a module the
//! repository chain and the proxy chain side by side), each under the
//! `--timeout` deadline.  A step that depends on another (the `ssh -T`
//! after the go-import lookup found an SSH URL, the checksum lookup after the
//! proxy named the latest version) starts when its input is known, so a
//! module takes at most about two timeouts.

pub mod goproxy;
pub mod vcs;

use std::time::{Duration, Instant};

use super::advice;
use super::checks::creds;
use super::gomod::ModuleRef;
use super::model::{Check, Section, Status};
use super::net::http::{Failure, Step};
use super::state::State;

/// Most go.mod requirements probed by a bare `--network`.
const MAX_GOMOD_MODULES: usize = 5;

/// Every probe, in report order.
pub fn run(s: &State) -> Vec<Check> {
    let mut modules: Vec<ModuleRef> = s.modules.clone();
    let mut out = Vec::new();
    if modules.is_empty() {
        out.extend(goproxy::reachability(s));
        let direct = creds::direct_modules(s);
        modules = s
            .modules_in_play()
            .into_iter()
            .filter(|m| direct.contains(&m.path))
            .take(MAX_GOMOD_MODULES)
            .collect();
    }
    let results: Vec<Vec<Check>> = std::thread::scope(|scope| {
        let handles: Vec<_> = modules
            .iter()
            .map(|m| scope.spawn(move || module(s, m)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for r in results {
        out.extend(r);
    }
    out
}

/// All probes of one module.
fn module(s: &State, m: &ModuleRef) -> Vec<Check> {
    let (repo_checks, proxy_checks) = std::thread::scope(|scope| {
        let repo = scope.spawn(|| vcs::probe(s, m));
        let proxy = scope.spawn(|| goproxy::probe(s, m));
        (
            repo.join().unwrap_or_default(),
            proxy.join().unwrap_or_default(),
        )
    });
    let mut out = repo_checks;
    // go gets this module from a proxy: direct access to its repository
    // only matters with GOPROXY=direct or if it becomes private, so a
    // failure there is worth knowing, not a problem.
    if proxy_checks
        .iter()
        .any(|c| c.id == "probe.goproxy" && c.status == Status::Ok)
    {
        for c in out.iter_mut().filter(|c| c.status == Status::Fail) {
            c.status = Status::Warn;
            c.detail.push(s.tr(
                "go gets this module from the module proxy; this matters only when go fetches it directly (GOPROXY=direct, GOPRIVATE)",
                "go 从模块代理获取这个模块；只有在 go 直接获取时（GOPROXY=direct、GOPRIVATE）这一项才有影响",
            ));
        }
    }
    out.extend(proxy_checks);
    out
}

/// The section of a module's probes.
pub fn section(m: &ModuleRef) -> Section {
    Section::Module(m.display())
}

/// A deadline `timeout` from now.
pub fn deadline(s: &State) -> Instant {
    Instant::now() + s.timeout
}

/// Seconds, for messages.
pub fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// A failed HTTP request as a check: the step that failed, the diagnosis
/// it corresponds to, and that rule's steps.
pub fn http_failure(
    s: &State,
    id: &'static str,
    m: &ModuleRef,
    what: &str,
    host: &str,
    f: &Failure,
) -> Check {
    let (diag, text, extra): (Option<&'static str>, String, Vec<(&str, String)>) = match f {
        Failure::Dns(e) => (
            Some("dns-resolution-failed"),
            s.tr(
                &format!("name lookup failed: {e}"),
                &format!("域名解析失败：{e}"),
            ),
            vec![],
        ),
        Failure::Connect(e) => (
            Some("network-connect-failed"),
            s.tr(&format!("cannot connect: {e}"), &format!("无法连接：{e}")),
            vec![],
        ),
        Failure::ProxyStatus(407, line) => (
            Some("proxy-failure"),
            s.tr(
                &format!("the HTTP proxy wants credentials: {line}"),
                &format!("HTTP 代理要求凭据：{line}"),
            ),
            vec![("proxy_auth", "407".to_owned())],
        ),
        Failure::ProxyStatus(_, line) => (
            Some("proxy-failure"),
            s.tr(
                &format!("the HTTP proxy refused the connection: {line}"),
                &format!("HTTP 代理拒绝了连接：{line}"),
            ),
            vec![("target", host.to_owned())],
        ),
        Failure::ProxyConnect(e) => (
            Some("proxy-failure"),
            s.tr(
                &format!("the HTTP proxy cannot be reached: {e}"),
                &format!("无法连接 HTTP 代理：{e}"),
            ),
            vec![("connect_host", e.split(':').next().unwrap_or("").to_owned())],
        ),
        Failure::Tls {
            message,
            untrusted: true,
        } => (
            Some("tls-certificate"),
            s.tr(
                &format!("TLS certificate not trusted: {message}"),
                &format!("TLS 证书不受信任：{message}"),
            ),
            vec![],
        ),
        Failure::Tls { message, .. } => (
            None,
            s.tr(
                &format!("TLS handshake failed: {message}"),
                &format!("TLS 握手失败：{message}"),
            ),
            vec![],
        ),
        Failure::Io(e) => (
            Some("network-connect-failed"),
            s.tr(&format!("connection broke: {e}"), &format!("连接中断：{e}")),
            vec![],
        ),
        Failure::Timeout(step) => (
            Some("network-connect-failed"),
            s.tr(
                &format!("no answer within {} ({})", secs(s.timeout), step.name()),
                &format!("{} 内没有应答（{}）", secs(s.timeout), step_zh(*step)),
            ),
            vec![],
        ),
        Failure::BadUrl(e) => (
            None,
            s.tr(
                &format!("not a URL doctor can fetch: {e}"),
                &format!("doctor 无法请求这个 URL：{e}"),
            ),
            vec![],
        ),
    };
    let mut values: Vec<(&str, &str)> = vec![("host", host), ("module", m.path.as_str())];
    for (k, v) in &extra {
        values.push((k, v.as_str()));
    }
    if let Some(p) = s.var("HTTPS_PROXY").or_else(|| s.var("https_proxy")) {
        values.push(("https_proxy", p));
    }
    let facts = advice::facts(s, &values);
    let mut c = Check::new(id, section(m), Status::Fail, format!("{what}: {text}"));
    if let Some(d) = diag {
        c = c.with_diagnosis(d).with_fixes(advice::steps(s, d, &facts));
    }
    c
}

fn step_zh(step: Step) -> &'static str {
    match step {
        Step::Dns => "域名解析",
        Step::Connect => "建立连接",
        Step::Tls => "TLS 握手",
        Step::Answer => "等待应答",
    }
}
