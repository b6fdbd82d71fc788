//! The `gotriage` binary: one executable, two faces.
//!
//! Invoked through a file whose stem is `go` (a symlink, hard link or copy
//! placed ahead of the real toolchain on `PATH`), it is the shim; invoked as
//! anything else it is the CLI, whose `gotriage go ARGS…` is the same shim for
//! `alias go='gotriage go'`.  Everything lives in the library; this file only
//! dispatches, so that the shim's hot path never touches clap, config or rules.
//!
//! `#![no_main]`: the C runtime calls our `main` directly, skipping Rust's
//! start-up (`lang_start`).  For a shim that runs on every `go` command that
//! start-up is pure cost and changes what go inherits: it reads
//! `/proc/self/maps` to find the main thread's stack guard (about 40 % of the
//! shim's own instructions), sets SIGPIPE to `SIG_IGN` (which an `exec`ed go
//! would then inherit), and opens `/dev/null` on a closed stdin/stdout/stderr
//! (which go would then see as open).  [`gotriage::process_start`] does the
//! part that is needed, the way the shim needs it.

//!
//! On Windows the entry is Rust's ordinary `main`: the C runtime's `argv`
//! there is in the ANSI code page, while `std::env::args_os` reads the
//! command line as UTF-16, and none of the Unix start-up costs above apply.

#![cfg_attr(unix, no_main)]

use std::ffi::OsString;

/// The process entry point, called by the C runtime.
#[cfg(unix)]
#[unsafe(no_mangle)]
extern "C" fn main(argc: std::ffi::c_int, argv: *const *const std::ffi::c_char) -> std::ffi::c_int {
    use std::ffi::CStr;
    use std::os::unix::ffi::OsStringExt;
    gotriage::process_start();
    let args: Vec<OsString> = (0..usize::try_from(argc).unwrap_or(0))
        .map(|i| {
            // SAFETY: the C runtime passes `argc` valid, NUL-terminated strings in `argv`.
            let arg = unsafe { CStr::from_ptr(*argv.add(i)) };
            OsString::from_vec(arg.to_bytes().to_vec())
        })
        .collect();
    dispatch(args)
}

/// The process entry point (Windows and other non-Unix targets).
#[cfg(not(unix))]
fn main() {
    gotriage::process_start();
    let code = dispatch(std::env::args_os().collect());
    std::process::exit(code)
}

/// The shim or the CLI, by the name we were invoked as.
fn dispatch(args: Vec<OsString>) -> i32 {
    let mut args = args.into_iter();
    let argv0 = args.next().unwrap_or_default();
    if gotriage::shim::is_shim_name(&argv0) {
        gotriage::shim::main(argv0, args.collect(), &gotriage::cli::report::Diagnose)
    } else {
        // process::exit (not a return to the C runtime) flushes stdout.
        std::process::exit(gotriage::cli::main(argv0, args.collect()))
    }
}
