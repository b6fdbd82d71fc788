//! Toolchain: the real go (and whether the shim stands in front of it), git, ssh.

use super::super::advice;
use super::super::model::{Check, Section, Status};
use super::super::state::State;
use crate::shim::locate;

pub fn checks(s: &State) -> Vec<Check> {
    let mut out = Vec::new();
    let sec = || Section::Toolchain;
    match &s.go {
        Ok(found) => {
            let version = s
                .env("GOVERSION")
                .map(str::to_owned)
                .or_else(|| locate::toolchain_version(&found.path))
                .unwrap_or_else(|| s.tr("version unknown", "版本未知"));
            let mut c = Check::new(
                "go.found",
                sec(),
                Status::Ok,
                format!("go: {} ({version})", found.path.display()),
            );
            for w in &found.warnings {
                c = c.with_detail(w);
            }
            if !found.warnings.is_empty() {
                c.status = Status::Warn;
            }
            out.push(c);
        }
        Err(nf) => out.push(
            Check::new(
                "go.found",
                sec(),
                Status::Fail,
                s.tr("go: no real go found", "go：找不到真正的 go"),
            )
            .with_detail(nf.to_string())
            .with_fix(s.tr(
                "Install go (https://go.dev/dl/) and put its bin directory on PATH, or point gotriage at it: `export GOTRIAGE_GO=/usr/local/go/bin/go`.",
                "安装 go（https://go.dev/dl/）并把它的 bin 目录加入 PATH，或者告诉 gotriage 它在哪里：`export GOTRIAGE_GO=/usr/local/go/bin/go`。",
            )),
        ),
    }
    out.push(match (&s.shim_on_path, &s.go_on_path) {
        (Some(p), _) => Check::new(
            "shim.active",
            sec(),
            Status::Ok,
            s.tr(
                &format!("gotriage shim: active (`go` on PATH is {}, this gotriage)", p.display()),
                &format!("gotriage 垫片：已启用（PATH 中的 `go` 是 {}，即本 gotriage）", p.display()),
            ),
        ),
        (None, on_path) => {
            let what = on_path
                .as_ref()
                .map_or_else(|| s.tr("nothing", "不存在"), |p| p.display().to_string());
            Check::new(
                "shim.active",
                sec(),
                Status::Skip,
                s.tr(
                    &format!("gotriage shim: not in front of go (`go` on PATH is {what}); failures are not diagnosed automatically"),
                    &format!("gotriage 垫片：未放在 go 前面（PATH 中的 `go` 是 {what}）；失败时不会自动诊断"),
                ),
            )
            .with_fix(s.tr(
                "To enable it: `gotriage install`, then `eval \"$(gotriage init bash)\"` (or zsh, fish).",
                "启用方法：`gotriage install`，然后 `eval \"$(gotriage init bash)\"`（或 zsh、fish）。",
            ))
        }
    });
    match (&s.git, &s.git_version) {
        (Some(path), Some(v)) => out.push(Check::new(
            "git.found",
            sec(),
            Status::Ok,
            format!("git: {} ({v})", path.display()),
        )),
        (Some(path), None) => out.push(Check::new(
            "git.found",
            sec(),
            Status::Fail,
            s.tr(
                &format!("git: {} does not run", path.display()),
                &format!("git：{} 无法运行", path.display()),
            ),
        )),
        (None, _) => {
            let f = advice::facts(s, &[]);
            out.push(
                Check::new(
                    "git.found",
                    sec(),
                    Status::Fail,
                    s.tr("git: not found on PATH", "git：PATH 中找不到 git"),
                )
                .with_diagnosis("git-not-found")
                .with_fixes(advice::steps(s, "git-not-found", &f)),
            );
        }
    }
    out.push(match super::super::state::which("ssh") {
        Some(p) => {
            let v = super::super::exec::Cmd::new(&p).arg("-V").run(s.timeout);
            let version = v.text().lines().next().unwrap_or("").trim().to_owned();
            Check::new(
                "ssh.found",
                sec(),
                Status::Ok,
                format!("ssh: {} ({version})", p.display()),
            )
        }
        None => Check::new(
            "ssh.found",
            sec(),
            Status::Skip,
            s.tr(
                "ssh: not found (only needed for git over SSH)",
                "ssh：未找到（只有通过 SSH 使用 git 时才需要）",
            ),
        ),
    });
    out
}
