//! Integration tests: one binary, one module per area.
mod diag_cli;
mod diag_props;
mod diag_render;
mod diag_rules;
mod diag_shim;
mod fixtures_index;
