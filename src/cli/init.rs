//! `gotriage init SHELL [--mode path|alias] [--dir DIR]`: the snippet a
//! shell profile evaluates to put gotriage in front of go.  It prints and
//! changes nothing (zoxide's and starship's convention: no rc file is
//! edited); the last lines say where it goes.
//!
//! - **path** (default): the shim directory first on PATH, so scripts,
//!   Makefiles, IDEs and `go generate` see the shim too.  Every occurrence of
//!   the directory (also spelt with a trailing `/`) is removed before it is
//!   prepended once, so sourcing twice does not grow PATH, a directory listed
//!   twice ends up listed once, and one already on PATH behind the real go is
//!   moved to the front (mise does the same for its shims, jdx/mise#8757: a
//!   re-sourced profile must win over whatever was prepended since).  Other
//!   entries keep their order, empty ones included.  The snippet creates
//!   nothing: if the directory has no `go` link yet, `init` says so on stderr
//!   and the snippet still works once `gotriage install` has run.
//! - **alias**: `go` runs `gotriage go` in this interactive shell only
//!   (scripts and child processes never see an alias).  The binary is named
//!   by its absolute path, so the alias works whatever PATH becomes.
//!
//! Both export `GOTRIAGE_INIT=path|alias`, which `gotriage which` reads.

use std::fmt::Write as _;
use std::path::Path;

use super::InitArgs;
use super::install::{ps_quote, sh_quote, shim_dir, shim_name, this_gotriage};
use crate::config::vars;
use crate::shim::locate::as_this_gotriage;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    /// for ~/.bashrc
    Bash,
    /// for ~/.zshrc
    Zsh,
    /// for ~/.config/fish/config.fish
    Fish,
    /// POSIX sh (dash, ash, bash --posix): for ~/.profile
    Sh,
    /// PowerShell (Windows PowerShell 5.1 and pwsh): for $PROFILE
    Powershell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitMode {
    Path,
    Alias,
}

pub(super) fn run(args: &InitArgs) -> i32 {
    let dir = match shim_dir(args.dir.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("gotriage: error: {e}");
            return super::EXIT_USAGE;
        }
    };
    let (exe, exe_on_path) = match this_gotriage() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("gotriage: error: {e}");
            return super::EXIT_USAGE;
        }
    };
    if args.mode == InitMode::Path {
        // A warning, not an error: the profile line may be written before
        // `gotriage install` runs, and the snippet is harmless until then.
        let go = dir.join(shim_name());
        let problem = if std::fs::symlink_metadata(&go).is_err() {
            Some("has no go shim yet")
        } else if as_this_gotriage(&go, &exe).is_none() {
            Some("has a go that is not this gotriage")
        } else {
            None
        };
        if let Some(problem) = problem {
            let dir_flag = args
                .dir
                .as_ref()
                .map(|_| format!(" --dir {}", sh_quote(&dir.to_string_lossy())))
                .unwrap_or_default();
            eprintln!(
                "gotriage: warning: {} {problem}; run `gotriage install{dir_flag}`",
                dir.display()
            );
        }
    }
    let quote: fn(&str) -> String = if args.shell == Shell::Powershell {
        ps_quote
    } else {
        sh_quote
    };
    let how = Invocation {
        program: if exe_on_path {
            "gotriage".to_owned()
        } else {
            quote(&exe.to_string_lossy())
        },
        dir: args.dir.as_ref().map(|_| quote(&dir.to_string_lossy())),
    };
    anstream::print!("{}", snippet(args.shell, args.mode, &dir, &exe, &how));
    0
}

/// How the user ran `gotriage init`, for the "add this line" comment: the
/// program (bare `gotriage` only when that is this binary on PATH) and the
/// `--dir` value if one was given, both already quoted.
#[derive(Debug, Clone, Default)]
pub(super) struct Invocation {
    pub(super) program: String,
    pub(super) dir: Option<String>,
}

/// fish single-quoting (backslash escapes `\` and `'`).
fn fish_quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'"))
}

/// The POSIX path-mode body (bash, zsh, sh).  A `case` over `:`-split words
/// rather than `${PATH//…}` (not POSIX) or `tr`/`sed` (a process per shell
/// start); the pattern is quoted, so the directory is matched literally even
/// when it holds `*`, `?` or `[`.  Splitting `PATH:` on `:` yields every
/// entry exactly, empty ones (the current directory) included, and each kept
/// entry is re-added with its own leading `:`, so the rest of PATH comes out
/// byte for byte as it went in; an empty PATH stays without entries.
const POSIX_PATH_BODY: &str = r#"__gotriage_rest="${PATH:+${PATH}:}"
__gotriage_path=
while :; do
    case ${__gotriage_rest} in '') break ;; *) ;; esac
    __gotriage_entry="${__gotriage_rest%%:*}"
    __gotriage_rest="${__gotriage_rest#*:}"
    case ${__gotriage_entry} in
        "${__gotriage_dir}" | "${__gotriage_dir}/") ;;
        *) __gotriage_path="${__gotriage_path}:${__gotriage_entry}" ;;
    esac
done
PATH="${__gotriage_dir}${__gotriage_path}"
export PATH
unset __gotriage_dir __gotriage_rest __gotriage_path __gotriage_entry
"#;

/// The PowerShell path-mode body: PATH split on the platform's separator,
/// every spelling of the directory (also with a trailing separator) dropped
/// — `-ne` compares without case, as Windows does — and the directory put
/// first; other entries keep their order, empty ones included, and an empty
/// PATH gains no empty entry.
const POWERSHELL_PATH_BODY: &str = r#"$__gotriage_sep = [IO.Path]::PathSeparator
$__gotriage_alt = $__gotriage_dir + [IO.Path]::DirectorySeparatorChar
$__gotriage_rest = @()
if ($env:PATH) {
    $__gotriage_rest = @($env:PATH -split [regex]::Escape($__gotriage_sep) | Where-Object { $_ -ne $__gotriage_dir -and $_ -ne $__gotriage_alt })
}
$env:PATH = (@($__gotriage_dir) + $__gotriage_rest) -join $__gotriage_sep
Remove-Variable __gotriage_dir, __gotriage_sep, __gotriage_alt, __gotriage_rest
"#;

/// The snippet for one shell and mode.
pub(super) fn snippet(
    shell: Shell,
    mode: InitMode,
    dir: &Path,
    exe: &Path,
    how: &Invocation,
) -> String {
    let (dir, exe) = (dir.to_string_lossy(), exe.to_string_lossy());
    let mut s = String::new();
    match (shell, mode) {
        (Shell::Fish, InitMode::Path) => {
            let _ = write!(
                s,
                "# gotriage: the go shim directory first on PATH, once\n\
                 for __gotriage_d in {d} {ds}\n    \
                     while set -l __gotriage_i (contains -i -- $__gotriage_d $PATH)\n        \
                         set -e PATH[$__gotriage_i]\n    \
                     end\n\
                 end\n\
                 set -e __gotriage_d\n\
                 set -gx PATH {d} $PATH\n\
                 set -gx {var} path\n",
                d = fish_quote(&dir),
                ds = fish_quote(&format!("{dir}/")),
                var = vars::INIT_MODE,
            );
        }
        (Shell::Fish, InitMode::Alias) => {
            let _ = write!(
                s,
                "# gotriage: go runs through gotriage in this shell\n\
                 function go --wraps go --description 'go, through gotriage'\n    \
                     command {exe} go $argv\n\
                 end\n\
                 set -gx {var} alias\n",
                exe = fish_quote(&exe),
                var = vars::INIT_MODE,
            );
        }
        (Shell::Powershell, InitMode::Path) => {
            s.push_str("# gotriage: the go shim directory first on PATH, once\n");
            let _ = writeln!(s, "$__gotriage_dir = {}", ps_quote(&dir));
            s.push_str(POWERSHELL_PATH_BODY);
            let _ = writeln!(s, "$env:{} = 'path'", vars::INIT_MODE);
        }
        (Shell::Powershell, InitMode::Alias) => {
            s.push_str("# gotriage: go runs through gotriage in this shell\n");
            let _ = writeln!(s, "function go {{ & {} go @args }}", ps_quote(&exe));
            let _ = writeln!(s, "$env:{} = 'alias'", vars::INIT_MODE);
        }
        (_, InitMode::Path) => {
            s.push_str("# gotriage: the go shim directory first on PATH, once\n");
            let _ = writeln!(s, "__gotriage_dir={}", sh_quote(&dir));
            s.push_str(POSIX_PATH_BODY);
            let _ = writeln!(s, "export {}=path", vars::INIT_MODE);
        }
        (_, InitMode::Alias) => {
            s.push_str("# gotriage: go runs through gotriage in this shell\n");
            let command = format!("{} go", sh_quote(&exe));
            let _ = writeln!(s, "alias go={}", sh_quote(&command));
            let _ = writeln!(s, "export {}=alias", vars::INIT_MODE);
        }
    }
    let shell_name = match shell {
        Shell::Bash => "bash",
        Shell::Zsh => "zsh",
        Shell::Fish => "fish",
        Shell::Sh => "sh",
        Shell::Powershell => "powershell",
    };
    let mut command = format!("{} init {shell_name}", how.program);
    if mode == InitMode::Alias {
        command.push_str(" --mode alias");
    }
    if let Some(d) = &how.dir {
        let _ = write!(command, " --dir {d}");
    }
    let (file, line) = match shell {
        Shell::Bash => ("~/.bashrc", format!("eval \"$({command})\"")),
        Shell::Zsh => ("~/.zshrc", format!("eval \"$({command})\"")),
        Shell::Fish => ("~/.config/fish/config.fish", format!("{command} | source")),
        Shell::Sh => ("~/.profile", format!("eval \"$({command})\"")),
        Shell::Powershell => (
            "$PROFILE",
            format!("Invoke-Expression (& {command} | Out-String)"),
        ),
    };
    let _ = write!(
        s,
        "# To use it, add this line at the end of {file}:\n#   {line}\n"
    );
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

    #[test]
    fn powershell_quotes_by_doubling() {
        assert_eq!(
            ps_quote(r"C:\Users\O'Brien\bin"),
            r"'C:\Users\O''Brien\bin'"
        );
        let how = Invocation {
            program: "gotriage".into(),
            dir: None,
        };
        let s = snippet(
            Shell::Powershell,
            InitMode::Path,
            Path::new(r"C:\Users\O'Brien\AppData\Local\gotriage\bin"),
            Path::new("gotriage.exe"),
            &how,
        );
        assert!(
            s.starts_with(
                "# gotriage: the go shim directory first on PATH, once\n\
                 $__gotriage_dir = 'C:\\Users\\O''Brien\\AppData\\Local\\gotriage\\bin'\n"
            ),
            "{s}"
        );
        assert!(
            s.ends_with("#   Invoke-Expression (& gotriage init powershell | Out-String)\n"),
            "{s}"
        );
    }

    #[test]
    fn the_last_line_repeats_the_invocation() {
        let how = Invocation {
            program: "'/opt/x y/gotriage'".into(),
            dir: Some("'/s d'".into()),
        };
        let s = snippet(
            Shell::Fish,
            InitMode::Alias,
            Path::new("/s d"),
            Path::new("/opt/x y/gotriage"),
            &how,
        );
        assert!(
            s.ends_with(
                "at the end of ~/.config/fish/config.fish:\n\
                 #   '/opt/x y/gotriage' init fish --mode alias --dir '/s d' | source\n"
            ),
            "{s}"
        );
    }
}
