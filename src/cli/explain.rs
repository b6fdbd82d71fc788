//! `gotriage explain`: diagnose a saved log, or explain one diagnosis ID.

use super::ExplainArgs;

pub(super) fn run(_args: &ExplainArgs) -> i32 {
    eprintln!("gotriage: explain is not built yet");
    super::EXIT_USAGE
}
