//! The `gotriage` command line.  One file per subcommand; this one holds the
//! clap definition (also the source of the man page and completions) and the
//! dispatch.  Exit statuses: 0 done, 1 problems found (doctor), 2 usage error
//! or an input that could not be read.

mod doctor;
mod explain;
mod init;
mod install;
pub mod report;
mod rules;
mod which;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit status for a usage error or unreadable input.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "gotriage",
    version,
    about = "Explains why a go command failed: `exit status 128`, GOPRIVATE, checksums, VCS stamping",
    long_about = "gotriage stands in front of `go` (as a `go` link on PATH, or `alias go='gotriage go'`), \
runs the real go unchanged, and when it fails appends a diagnosis: the cause, the evidence line, \
the module and host involved, and the commands that fix it.\n\n\
Set GOTRIAGE=off to make the shim a plain exec of the real go.",
    after_help = "Run `gotriage install` to put the shim on PATH, or see `gotriage init --help` for shell set-up."
)]
pub struct Cli {
    /// When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the real go through the shim (for `alias go='gotriage go'`).
    #[command(disable_help_flag = true)]
    Go {
        /// Arguments for go, passed through unchanged.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Show which real go the shim runs, how it was found, and whether the shim is active.
    Which(WhichArgs),
    /// Diagnose a saved log (FILE, or - for stdin), or explain a diagnosis ID.
    Explain(ExplainArgs),
    /// List, show and check diagnosis rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Check the go + git + SSH + proxy set-up; probe modules end to end.
    Doctor(DoctorArgs),
    /// Print the shell snippet that puts gotriage in front of go.
    #[command(after_help = INIT_AFTER_HELP)]
    Init(InitArgs),
    /// Put a `go` link to gotriage in a shim directory.
    #[command(after_help = INSTALL_AFTER_HELP)]
    Install(InstallArgs),
    /// Remove the `go` link that `install` made.
    #[command(after_help = UNINSTALL_AFTER_HELP)]
    Uninstall(InstallArgs),
    /// Generate shell completions (for packaging).
    #[command(hide = true)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Generate the man page (for packaging): gotriage(1), or gotriage-SUBCOMMAND(1).
    #[command(hide = true)]
    Man { subcommand: Option<String> },
}

const INIT_AFTER_HELP: &str = "\
Prints the snippet on stdout and changes nothing; add the line it ends with at the end of your profile: eval \"$(gotriage init bash)\" in ~/.bashrc (zsh: ~/.zshrc, sh: ~/.profile), gotriage init fish | source in ~/.config/fish/config.fish.\n\n\
Path mode moves the shim directory to the front of PATH, once, however often it is sourced. It creates nothing: without `gotriage install` it warns on stderr and changes only PATH.\n\n\
Exit status: 0 snippet printed, 2 usage error (unknown shell, a --dir PATH cannot hold).";

const INSTALL_AFTER_HELP: &str = "\
Creates DIR and a `go` symlink in it to this gotriage (a hard link where symlinks are refused), then says how to put DIR first on PATH. Running it again changes nothing; a link to a gotriage that moved is repointed. Anything else named `go` in DIR (a real go, a script, a link elsewhere) is never replaced.\n\n\
Exit status: 0 installed or already installed, 2 refused (another `go` is there), bad --dir, or an I/O error (the message names the file).";

const UNINSTALL_AFTER_HELP: &str = "\
Removes DIR/go only if it is a link to gotriage (what `install` makes), then DIR if it is empty. Remove the `gotriage init` line from your profile yourself.\n\n\
Exit status: 0 removed or nothing to remove, 2 left alone (DIR/go is not gotriage's), bad --dir, or an I/O error.";

#[derive(Debug, Args)]
pub struct WhichArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A log file, `-` for standard input, or a diagnosis ID such as ssh-publickey-denied.
    #[arg(default_value = "-")]
    pub input: String,
    /// Output format (json is a versioned contract: docs/json.md).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: ID and title.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show one rule in full.
    Show { id: String },
    /// Check a rule file: schema, regexes, examples.
    Check { file: PathBuf },
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Modules to probe end to end (MODULE or MODULE@VERSION); implies --network.
    pub modules: Vec<String>,
    /// Run network probes (DNS, TCP, git ls-remote, ssh, proxy, sumdb).
    #[arg(long)]
    pub network: bool,
    /// Seconds each probe may take (a hard wall-clock limit).
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
    /// Output format (exit status is the same with json: docs/doctor.md).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Mark checks with ok/warn/FAIL/skip instead of symbols (the default when the locale is not UTF-8).
    #[arg(long)]
    pub ascii: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The shell to print the snippet for.
    #[arg(value_enum)]
    pub shell: init::Shell,
    /// path: put the shim directory first on PATH (seen by scripts and tools); alias: define go as `gotriage go`.
    #[arg(long, value_enum, default_value_t = init::InitMode::Path)]
    pub mode: init::InitMode,
    /// Shim directory (default: the one `gotriage install` uses).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Shim directory (default: $XDG_DATA_HOME/gotriage/bin; %LOCALAPPDATA%\gotriage\bin on Windows).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Runs the CLI; returns the exit status.
pub fn main(argv0: OsString, args: Vec<OsString>) -> i32 {
    // `gotriage go …` must not go through clap: go's arguments (including
    // `--help`, `-h` and non-UTF-8 bytes) belong to go.
    if args.first().is_some_and(|a| a == "go") {
        crate::shim::main(OsString::from("go"), args[1..].to_vec(), &report::Diagnose);
    }
    init_log();
    let cli = match Cli::try_parse_from(std::iter::once(argv0).chain(args)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { 0 };
        }
    };
    match cli.color {
        ColorChoice::Auto => {}
        ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
        ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
    }
    match cli.command {
        Command::Go { args } => crate::shim::main(OsString::from("go"), args, &report::Diagnose),
        Command::Which(a) => which::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Rules(c) => rules::run(&c),
        Command::Doctor(a) => doctor::run(&a),
        Command::Init(a) => init::run(&a),
        Command::Install(a) => install::install(&a),
        Command::Uninstall(a) => install::uninstall(&a),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "gotriage", &mut std::io::stdout());
            if shell == clap_complete::Shell::Fish {
                let extra = fish_positional_values(&mut cmd);
                let _ = std::io::Write::write_all(&mut std::io::stdout(), extra.as_bytes());
            }
            0
        }
        Command::Man { subcommand } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            cmd.build();
            let page = match &subcommand {
                None => cmd,
                Some(name) => match cmd.find_subcommand(name) {
                    Some(sub) => sub
                        .clone()
                        .display_name(format!("gotriage-{name}"))
                        .version(env!("CARGO_PKG_VERSION")),
                    None => {
                        eprintln!("gotriage: no subcommand {name:?}");
                        return EXIT_USAGE;
                    }
                },
            };
            match clap_mangen::Man::new(page).render(&mut std::io::stdout()) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("gotriage: {e}");
                    EXIT_USAGE
                }
            }
        }
    }
}

/// gotriage's own debug log: only when GOTRIAGE_LOG is set, to stderr.
fn init_log() {
    if let Some(filter) = crate::config::var(crate::config::vars::LOG) {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .without_time()
            .try_init();
    }
}

/// What clap_complete's fish script leaves out: the values of a positional
/// argument (`gotriage init bash|zsh|fish|sh`, `gotriage completions SHELL`).
/// bash and zsh already offer them.
fn fish_positional_values(cmd: &mut clap::Command) -> String {
    cmd.build();
    let mut out = String::new();
    for sub in cmd.get_subcommands() {
        for arg in sub.get_positionals() {
            let values: Vec<_> = arg
                .get_possible_values()
                .into_iter()
                .filter(|v| !v.is_hide_set())
                .collect();
            if values.is_empty() {
                continue;
            }
            let names: Vec<&str> = values.iter().map(|v| v.get_name()).collect();
            for v in &values {
                let help = match v.get_help() {
                    Some(h) => format!(
                        " -d '{}'",
                        h.to_string().replace('\\', "\\\\").replace('\'', "\\'")
                    ),
                    None => String::new(),
                };
                out.push_str(&format!(
                    "complete -c gotriage -n \"__fish_gotriage_using_subcommand {}; and not __fish_seen_subcommand_from {}\" -f -a \"{}\"{help}\n",
                    sub.get_name(),
                    names.join(" "),
                    v.get_name(),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
