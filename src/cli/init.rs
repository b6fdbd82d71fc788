//! `gotriage init SHELL [--mode path|alias]`: the snippet a shell profile
//! evaluates to put gotriage in front of go.  It prints and changes nothing
//! (zoxide's and starship's convention); the last line says where it goes.
//!
//! - **path** (default): the shim directory first on PATH, so scripts,
//!   Makefiles, IDEs and `go generate` see the shim too.  Every existing
//!   occurrence of the directory is removed before it is prepended once, so
//!   sourcing twice does not grow PATH and a directory listed twice ends up
//!   listed once, first.
//! - **alias**: `go` runs `gotriage go` in this interactive shell only
//!   (scripts and child processes never see an alias).
//!
//! Both export `GOTRIAGE_INIT=path|alias`, which `gotriage which` reads.

use std::path::{Path, PathBuf};

use super::InitArgs;
use crate::config::vars;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    /// POSIX sh (dash, ash, bash --posix): for ~/.profile.
    Sh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitMode {
    Path,
    Alias,
}

pub(super) fn run(args: &InitArgs) -> i32 {
    let dir = match super::install::shim_dir(args.dir.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("gotriage: error: {e}");
            return super::EXIT_USAGE;
        }
    };
    let exe = gotriage_path();
    if args.mode == InitMode::Path && !dir.join("go").exists() {
        eprintln!(
            "gotriage: warning: {} has no go shim yet; run `gotriage install{}` once",
            dir.display(),
            args.dir
                .as_ref()
                .map(|_| format!(" --dir {}", sh_quote(&dir.to_string_lossy())))
                .unwrap_or_default()
        );
    }
    anstream::print!("{}", snippet(args.shell, args.mode, &dir, &exe));
    0
}

/// The gotriage binary as the user reaches it: the `gotriage` on PATH that is
/// this binary (a stable path such as ~/.cargo/bin/gotriage), else the
/// executable's own path.  `current_exe` alone would freeze a versioned
/// install path into the profile (mise does the same for this reason).
fn gotriage_path() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("gotriage"));
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("gotriage"))
        .find(|c| crate::shim::locate::as_this_gotriage(c, &exe).is_some())
        .filter(|c| c.is_absolute())
        .unwrap_or(exe)
}

/// POSIX single-quoting.
pub(super) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// fish single-quoting (backslash escapes `\` and `'`).
fn fish_quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'"))
}

/// The snippet for one shell and mode.
pub(super) fn snippet(shell: Shell, mode: InitMode, dir: &Path, exe: &Path) -> String {
    let (dir, exe) = (dir.to_string_lossy(), exe.to_string_lossy());
    let mut s = String::new();
    match (shell, mode) {
        (Shell::Fish, InitMode::Path) => {
            s.push_str("# gotriage: the go shim directory first on PATH (once)\n");
            s.push_str(&format!(
                "set -gx PATH {d} (string match -v -- {d} $PATH)\n",
                d = fish_quote(&dir)
            ));
            s.push_str(&format!("set -gx {} path\n", vars::INIT_MODE));
        }
        (Shell::Fish, InitMode::Alias) => {
            s.push_str("# gotriage: run go through gotriage in this shell\n");
            s.push_str("function go --wraps go --description 'go, through gotriage'\n");
            s.push_str(&format!("    command {} go $argv\nend\n", fish_quote(&exe)));
            s.push_str(&format!("set -gx {} alias\n", vars::INIT_MODE));
        }
        (_, InitMode::Path) => {
            s.push_str("# gotriage: the go shim directory first on PATH (once)\n");
            s.push_str(&format!("__gotriage_dir={}\n", sh_quote(&dir)));
            // Drop every occurrence of the directory, then prepend it once.
            s.push_str(concat!(
                "__gotriage_rest=\"${PATH}:\"\n",
                "__gotriage_path=\n",
                "while :; do\n",
                "    case ${__gotriage_rest} in '') break ;; *) ;; esac\n",
                "    __gotriage_entry=\"${__gotriage_rest%%:*}\"\n",
                "    __gotriage_rest=\"${__gotriage_rest#*:}\"\n",
                "    case ${__gotriage_entry} in\n",
                "        \"${__gotriage_dir}\") ;;\n",
                "        *) __gotriage_path=\"${__gotriage_path:+${__gotriage_path}:}${__gotriage_entry}\" ;;\n",
                "    esac\n",
                "done\n",
                "PATH=\"${__gotriage_dir}${__gotriage_path:+:${__gotriage_path}}\"\n",
                "export PATH\n",
                "unset __gotriage_dir __gotriage_rest __gotriage_path __gotriage_entry\n",
            ));
            s.push_str(&format!("export {}='path'\n", vars::INIT_MODE));
        }
        (_, InitMode::Alias) => {
            s.push_str("# gotriage: run go through gotriage in this shell\n");
            let command = format!("{} go", sh_quote(&exe));
            s.push_str(&format!("alias go={}\n", sh_quote(&command)));
            s.push_str(&format!("export {}='alias'\n", vars::INIT_MODE));
        }
    }
    let mode_flag = match mode {
        InitMode::Path => "",
        InitMode::Alias => " --mode alias",
    };
    let where_ = match shell {
        Shell::Bash => format!(
            "# To use it, add this line at the end of ~/.bashrc:\n#   eval \"$(gotriage init bash{mode_flag})\"\n"
        ),
        Shell::Zsh => format!(
            "# To use it, add this line at the end of ~/.zshrc:\n#   eval \"$(gotriage init zsh{mode_flag})\"\n"
        ),
        Shell::Fish => format!(
            "# To use it, add this line at the end of ~/.config/fish/config.fish:\n#   gotriage init fish{mode_flag} | source\n"
        ),
        Shell::Sh => format!(
            "# To use it, add this line at the end of ~/.profile:\n#   eval \"$(gotriage init sh{mode_flag})\"\n"
        ),
    };
    s.push_str(&where_);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_quotes_and_spaces() {
        assert_eq!(sh_quote("/a b/it's"), r"'/a b/it'\''s'");
        assert_eq!(fish_quote(r"/a\b/it's"), r"'/a\\b/it\'s'");
    }
}
