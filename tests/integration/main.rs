//! Integration tests: one binary (one link on a 2-core machine), one module
//! per area.

// The shim and CLI are exercised through Unix shells and stub programs; on
// Windows the shim is tested under Wine instead (tests/windows, `make wine`).
#![cfg(unix)]
// Test helpers are `pub` for sibling modules; the crate is a test binary.
#![allow(unreachable_pub)]

mod ci_report;
mod diag_cli;
mod diag_props;
mod diag_render;
mod diag_rules;
mod diag_shim;
mod diag_wrappers;
mod docs;
mod doctor_local;
mod fix_steps;
mod fixtures_index;
mod git_i18n;
mod install_cli;
mod layers;
mod shell_init;
mod shim_fidelity;
mod shim_plumbing;
#[path = "../support/taxonomy.rs"]
mod taxonomy;
mod util;
