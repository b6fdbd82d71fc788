//! The toolchain: which real go, whether gotriage stands in front of it,
//! whether `go env` works, GOTOOLCHAIN against go.mod, and git.

use crate::doctor::machine::{Machine, version_tuple};
use crate::doctor::model::{Check, Section};
use crate::doctor::scope::Scope;
use crate::doctor::{l, rule_fixes, set_go_var};

pub(super) fn checks(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let sec = || Section::Toolchain;
    let mut out = Vec::new();
    match &m.go.path {
        Ok(p) => {
            let v = m
                .go
                .version()
                .map(str::to_owned)
                .or_else(|| crate::shim::locate::toolchain_version(p))
                .unwrap_or_else(|| "?".to_owned());
            out.push(Check::ok(
                "go.binary",
                sec(),
                l(lang, format!("go: {v} ({})", p.display()), format!("go：{v}（{}）", p.display())),
            ));
        }
        Err(e) => out.push(
            Check::problem(
                "go.binary",
                sec(),
                l(lang, format!("no real go found: {e}"), format!("找不到真正的 go：{e}")),
            )
            .fix(l(
                lang,
                "Install Go (https://go.dev/dl/) and put its bin directory on PATH, or point gotriage at it: `export GOTRIAGE_GO=/usr/local/go/bin/go`.",
                "安装 Go（https://go.dev/dl/）并把它的 bin 目录加入 PATH，或告诉 gotriage 它在哪里：`export GOTRIAGE_GO=/usr/local/go/bin/go`。",
            )),
        ),
    }
    out.push(shim(m, s));
    if m.go.path.is_ok()
        && let Err(e) = &m.go.env
    {
        let first = e.lines().next().unwrap_or("").to_owned();
        out.push(
                Check::problem(
                    "go.env",
                    sec(),
                    l(lang, format!("`go env -json` failed: {first}"), format!("`go env -json` 失败：{first}")),
                )
                .details(e.lines().skip(1).map(str::to_owned))
                .fix(l(
                    lang,
                    "Fix the variable go names (often GOFLAGS, GOPROXY or GOTOOLCHAIN) in the environment or with `go env -u NAME`.",
                    "修正 go 指出的变量（常见的是 GOFLAGS、GOPROXY 或 GOTOOLCHAIN），在环境变量中修改或运行 `go env -u 变量名`。",
                )),
            );
    }
    out.extend(toolchain(m, s));
    out.push(git(m, s));
    out
}

fn shim(m: &Machine, s: &Scope) -> Check {
    let lang = s.lang;
    if m.go.shim_in_front {
        return Check::ok(
            "go.shim",
            Section::Toolchain,
            l(
                lang,
                "gotriage is in front of go (`go` on PATH is the shim)",
                "gotriage 位于 go 之前（PATH 中的 `go` 是 gotriage）",
            ),
        );
    }
    if crate::config::var(crate::config::vars::INIT_MODE).as_deref() == Some("alias") {
        return Check::ok(
            "go.shim",
            Section::Toolchain,
            l(
                lang,
                "gotriage runs go through the alias `go='gotriage go'`",
                "gotriage 通过别名 `go='gotriage go'` 运行 go",
            ),
        );
    }
    let Some(on_path) = m.go.on_path.as_ref().map(|p| p.display().to_string()) else {
        return Check::skip(
            "go.shim",
            Section::Toolchain,
            l(
                lang,
                "no `go` on PATH, so no shim in front of it",
                "PATH 中没有 `go`，也就没有位于它之前的 gotriage",
            ),
        );
    };
    Check::warn(
        "go.shim",
        Section::Toolchain,
        l(
            lang,
            format!("`go` on PATH runs {on_path} directly: gotriage does not see go's failures"),
            format!("PATH 中的 `go` 直接运行 {on_path}：gotriage 看不到 go 的失败输出"),
        ),
    )
    .fix(l(
        lang,
        "Put the shim in front: `gotriage install`, then add `eval \"$(gotriage init bash)\"` to ~/.bashrc (see `gotriage init --help`).",
        "把 gotriage 放到 go 之前：运行 `gotriage install`，然后在 ~/.bashrc 中加入 `eval \"$(gotriage init bash)\"`（见 `gotriage init --help`）。",
    ))
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
    let sec = || Section::Toolchain;
    let id = "go.toolchain";
    let base = setting.split('+').next().unwrap_or(setting);
    if base.starts_with("go") {
        let pinned = version_tuple(base);
        if pinned.is_some_and(|p| p != local) {
            return Some(
                Check::warn(
                    id,
                    sec(),
                    l(
                        lang,
                        format!("GOTOOLCHAIN={setting}: every go command switches to {base} (downloaded through GOPROXY the first time)"),
                        format!("GOTOOLCHAIN={setting}：每个 go 命令都会切换到 {base}（首次使用时通过 GOPROXY 下载）"),
                    ),
                )
                .diagnosis("toolchain-download-failed"),
            );
        }
    }
    let Some((need_t, need_v)) = need.filter(|(t, _)| *t > local) else {
        return Some(Check::ok(id, sec(), format!("GOTOOLCHAIN={setting}")));
    };
    let file = gm.map(|g| g.file.display().to_string()).unwrap_or_default();
    if base == "local" {
        return Some(
            Check::problem(
                id,
                sec(),
                l(
                    lang,
                    format!("{file} needs go {need_v}; this go is older and GOTOOLCHAIN=local forbids switching"),
                    format!("{file} 需要 go {need_v}；当前的 go 更旧，而 GOTOOLCHAIN=local 禁止切换"),
                ),
            )
            .fix(l(
                lang,
                format!("Install go {need_v} or newer, or let go fetch it: `{}`.", set_go_var(m, "GOTOOLCHAIN", "auto")),
                format!("安装 go {need_v} 或更新版本，或让 go 自动获取：`{}`。", set_go_var(m, "GOTOOLCHAIN", "auto")),
            )),
        );
    }
    let _ = need_t;
    Some(
        Check::warn(
            id,
            sec(),
            l(
                lang,
                format!("{file} needs go {need_v}: GOTOOLCHAIN={setting} makes go switch to it (downloaded through GOPROXY the first time)"),
                format!("{file} 需要 go {need_v}：GOTOOLCHAIN={setting} 会让 go 切换到该版本（首次使用时通过 GOPROXY 下载）"),
            ),
        )
        .diagnosis("toolchain-download-failed"),
    )
}

fn git(m: &Machine, s: &Scope) -> Check {
    let lang = s.lang;
    let Some(path) = &m.git.path else {
        return Check::problem(
            "git.binary",
            Section::Toolchain,
            l(lang, "git is not installed (or not on PATH)", "没有安装 git（或不在 PATH 中）"),
        )
        .detail(l(
            lang,
            "go needs git for modules it fetches directly (GOPRIVATE, GOPROXY=direct) and for VCS stamping",
            "go 直接获取模块（GOPRIVATE、GOPROXY=direct）和写入版本控制信息时需要 git",
        ))
        .diagnosis("git-not-found")
        .fixes(rule_fixes("git-not-found", &[], &m.goenv(), lang));
    };
    let v = m.git.version.clone().unwrap_or_else(|| "?".to_owned());
    let mut c = Check::ok(
        "git.binary",
        Section::Toolchain,
        l(
            lang,
            format!("git: {v} ({})", path.display()),
            format!("git：{v}（{}）", path.display()),
        ),
    );
    if m.git.translations {
        c = c.detail(l(
            lang,
            "this git has translations: its messages follow LANGUAGE / LC_MESSAGES / LANG (gotriage reads English and Chinese)",
            "这个 git 带有翻译：它的消息语言跟随 LANGUAGE / LC_MESSAGES / LANG（gotriage 能读懂英文和中文）",
        ));
    }
    c
}
