//! `gotriage init SHELL [--mode path|alias]`: the profile snippet.

use super::InitArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Sh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitMode {
    Path,
    Alias,
}

pub(super) fn run(_args: &InitArgs) -> i32 {
    eprintln!("gotriage: init is not built yet");
    super::EXIT_USAGE
}
