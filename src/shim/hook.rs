//! What happens after the real go failed: the hand-off to diagnosis.
//!
//! The shim calls [`FailureHook::report`] once, only when go exited non-zero
//! and our stderr is still writable, and prints what it returns after go's
//! own output.  All diagnosis work (rule compilation, config beyond the real
//! go's path, rendering) happens behind this call, never on the success path.
//! The shim knows nothing of diagnosis: the hook is handed to [`super::main`]
//! by its caller (`src/main.rs`, `gotriage go`), which passes
//! `cli::report::Diagnose`.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitStatus;

use super::capture::Capture;

/// A failed run of the real go.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    /// Its stderr, bounded (with its stdout interleaved when both were one
    /// terminal: docs/shim.md, "The failure hook").
    pub capture: &'a Capture,
    pub status: ExitStatus,
    /// The arguments it got.
    pub args: &'a [OsString],
    /// The real go that ran.
    pub go: &'a Path,
    /// How long it ran (start to exit, as the shim saw it).
    pub elapsed: std::time::Duration,
    /// Whether our stderr is a terminal (for colour).
    pub stderr_is_terminal: bool,
}

/// Turns a failure into text to append to stderr (`None`: add nothing).
pub trait FailureHook {
    fn report(&self, failure: &Failure<'_>) -> Option<String>;
}

/// Adds nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl FailureHook for Silent {
    fn report(&self, _: &Failure<'_>) -> Option<String> {
        None
    }
}
