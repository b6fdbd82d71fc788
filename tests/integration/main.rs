//! Integration tests: one binary (one link on a 2-core machine), one module
//! per area.

mod shim_plumbing;
mod util;
