//! gotriage: a transparent `go` shim that explains why a go command failed.
//!
//! Module map (each a small room with a narrow interface):
//!
//! | module | what it owns |
//! |---|---|
//! | [`shim`] | the hot path: find the real go, run it, tee stderr, hand a failure to the hook |
//! | [`config`] | the config file and the `GOTRIAGE_*` variables |
//! | [`rules`] | the rule table (data, `rules/builtin.toml`) and user rule files |
//! | [`diagnose`] | reading go's stderr: normalising logs, go's error structure, matching rules |
//! | [`render`] | turning diagnoses into text, GitHub annotations and JSON |
//! | [`redact`] | the one redaction step everything gotriage prints passes through |
//! | [`i18n`] | English / Chinese selection |
//! | [`doctor`] | local checks and network probes |
//! | [`cli`] | the `gotriage` subcommands |

pub mod cli;
pub mod config;
pub mod diagnose;
pub mod doctor;
pub mod i18n;
pub mod redact;
pub mod render;
pub mod rules;
pub mod shim;
