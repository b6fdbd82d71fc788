//! The local checks: fast, no network, pure functions of the gathered
//! [`Machine`] and the [`Scope`], so each can be tested on a hand-made
//! machine as well as on a real one.

mod creds;
mod git;
mod gosettings;
mod network;
mod toolchain;

use super::machine::Machine;
use super::model::Check;
use super::scope::Scope;

/// Every local check, in report order.
pub fn checks(m: &Machine, s: &Scope) -> Vec<Check> {
    let mut out = toolchain::checks(m, s);
    out.extend(gosettings::checks(m, s));
    out.extend(git::checks(m, s));
    out.extend(creds::checks(m, s));
    out.extend(network::checks(m, s));
    out
}

/// A path for display, `~/…` under the home directory.
pub(crate) fn tilde(m: &Machine, p: &std::path::Path) -> String {
    if let Some(home) = m.var("HOME")
        && let Ok(rest) = p.strip_prefix(home)
    {
        return format!("~/{}", rest.display());
    }
    p.display().to_string()
}
