//! The toolchain: which real go, whether gotriage stands in front of it,
//! whether `go env` works, GOTOOLCHAIN against go.mod, and git.

use crate::doctor::machine::{Machine, version_tuple};
use crate::doctor::model::{Check, Section};
use crate::doctor::scope::Scope;
use crate::doctor::{ALL, set_go_var};

pub(super) fn checks(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let sec = Section::Toolchain;
    let mut out = Vec::new();
    match &m.go.path {
        Ok(p) => {
            let v =
                m.go.version()
                    .map(str::to_owned)
                    .or_else(|| crate::shim::locate::toolchain_version(p))
                    .unwrap_or_else(|| "?".to_owned());
            out.push(sec.ok(
                "go.binary",
                t!(lang, toolchain_go, version = v, path = p.display()),
            ));
        }
        Err(e) => out.push(
            sec.problem("go.binary", t!(lang, toolchain_no_go, error = e))
                .fix(t!(lang, toolchain_no_go_fix)),
        ),
    }
    out.push(shim(m, s));
    if m.go.path.is_ok()
        && let Err(e) = &m.go.env
    {
        let first = e.lines().next().unwrap_or("").to_owned();
        out.push(
            sec.problem("go.env", t!(lang, toolchain_go_env_failed, first))
                .details(e.lines().skip(1).map(str::to_owned))
                .fix(t!(lang, toolchain_go_env_failed_fix)),
        );
    }
    if let Some(Err(e)) = &m.gomod {
        let mut lines = e.lines().filter(|l| !l.ends_with("errors parsing go.mod:"));
        let first = lines.next().unwrap_or("").to_owned();
        out.push(
            sec.problem("go.mod", t!(lang, toolchain_gomod_unreadable, first))
                .details(lines.map(str::to_owned))
                .fix(t!(lang, toolchain_gomod_unreadable_fix)),
        );
    }
    out.extend(toolchain(m, s));
    out.push(git(m, s));
    out
}

fn shim(m: &Machine, s: &Scope) -> Check {
    let lang = s.lang;
    if m.go.shim_in_front {
        return Section::Toolchain.ok("go.shim", t!(lang, toolchain_shim_in_front));
    }
    if crate::config::var(crate::config::vars::INIT_MODE).as_deref() == Some("alias") {
        return Section::Toolchain.ok("go.shim", t!(lang, toolchain_shim_alias));
    }
    let Some(on_path) = m.go.on_path.as_ref().map(|p| p.display().to_string()) else {
        return Section::Toolchain.skip("go.shim", t!(lang, toolchain_shim_no_go_on_path));
    };
    Section::Toolchain
        .warn("go.shim", t!(lang, toolchain_shim_not_in_front, on_path))
        .fix(t!(lang, toolchain_shim_not_in_front_fix))
}

/// GOTOOLCHAIN against the go / toolchain lines of go.mod.
fn toolchain(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    let setting = m.go.toolchain_setting.as_deref()?;
    let local = m.go.version().and_then(version_tuple)?;
    let gm = m.gomod.as_ref().and_then(|g| g.as_ref().ok());
    let need = gm
        .into_iter()
        .flat_map(|g| [g.go.as_deref(), g.toolchain.as_deref()])
        .flatten()
        .filter_map(|v| version_tuple(v).map(|t| (t, v.trim_start_matches("go").to_owned())))
        .max_by_key(|(t, _)| *t);
    let sec = Section::Toolchain;
    let id = "go.toolchain";
    let base = setting.split('+').next().unwrap_or(setting);
    if base.starts_with("go") {
        let pinned = version_tuple(base);
        if pinned.is_some_and(|p| p != local) {
            return Some(
                sec.warn(id, t!(lang, toolchain_pinned, setting, base))
                    .diagnosis("toolchain-download-failed"),
            );
        }
    }
    let Some((need_t, need_v)) = need.filter(|(t, _)| *t > local) else {
        return Some(sec.ok(id, format!("GOTOOLCHAIN={setting}")));
    };
    let file = gm.map(|g| g.file.display().to_string()).unwrap_or_default();
    if base == "local" {
        return Some(
            sec.problem(
                id,
                t!(lang, toolchain_local_too_old, file, version = need_v),
            )
            .fix(t!(
                lang,
                toolchain_local_too_old_fix,
                version = need_v,
                cmd = set_go_var(m, "GOTOOLCHAIN", "auto")
            )),
        );
    }
    let _ = need_t;
    Some(
        sec.warn(
            id,
            t!(lang, toolchain_switches, file, version = need_v, setting),
        )
        .diagnosis("toolchain-download-failed"),
    )
}

fn git(m: &Machine, s: &Scope) -> Check {
    let lang = s.lang;
    let Some(path) = &m.git.path else {
        return Section::Toolchain
            .problem("git.binary", t!(lang, toolchain_no_git))
            .detail(t!(lang, toolchain_no_git_why))
            .diagnosis("git-not-found")
            .fixes(s.fixes("git-not-found", &[], ALL));
    };
    let v = m.git.version.clone().unwrap_or_else(|| "?".to_owned());
    let mut c = Section::Toolchain.ok(
        "git.binary",
        t!(lang, toolchain_git, version = v, path = path.display()),
    );
    if m.git.translations {
        c = c.detail(t!(lang, toolchain_git_translations));
    }
    c
}
