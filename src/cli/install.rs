//! `gotriage install` / `uninstall`.

use super::InstallArgs;

pub(super) fn install(_args: &InstallArgs) -> i32 {
    eprintln!("gotriage: install is not built yet");
    super::EXIT_USAGE
}

pub(super) fn uninstall(_args: &InstallArgs) -> i32 {
    eprintln!("gotriage: uninstall is not built yet");
    super::EXIT_USAGE
}
