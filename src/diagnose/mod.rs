//! Reading go's stderr the way an expert would (see issue: diagnosis).

use crate::shim::hook::Failure;

/// The shim's failure path: diagnose the captured stderr and render it.
/// `None` when nothing fits (then nothing is added).
pub fn report_for_shim(_failure: &Failure<'_>) -> Option<String> {
    None
}
