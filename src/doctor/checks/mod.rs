//! Local checks: fast, no network.  Each submodule is one section.

pub mod creds;
pub mod git;
pub mod goenv;
pub mod network;
pub mod toolchain;

use super::model::Check;
use super::state::State;

/// Every local check, in section order.
pub fn local(s: &State) -> Vec<Check> {
    let mut out = toolchain::checks(s);
    out.extend(goenv::checks(s));
    out.extend(git::checks(s));
    out.extend(creds::checks(s));
    out.extend(network::checks(s));
    out
}
