//! `gotriage rules list|show|check`.

use super::RulesCommand;

pub(super) fn run(_cmd: &RulesCommand) -> i32 {
    eprintln!("gotriage: rules is not built yet");
    super::EXIT_USAGE
}
