//! `gotriage doctor`.

use super::DoctorArgs;

pub(super) fn run(_args: &DoctorArgs) -> i32 {
    eprintln!("gotriage: doctor is not built yet");
    super::EXIT_USAGE
}
