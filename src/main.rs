//! The `gotriage` binary: one executable, two faces.
//!
//! Invoked through a file whose stem is `go` (a symlink, hard link or copy
//! placed ahead of the real toolchain on `PATH`), it is the shim; invoked as
//! anything else it is the CLI, whose `gotriage go ARGS…` is the same shim for
//! `alias go='gotriage go'`.  Everything lives in the library; this file only
//! dispatches, so that the shim's hot path never touches clap, config or rules.

fn main() {
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    if gotriage::shim::is_shim_name(&argv0) {
        gotriage::shim::main(argv0, args.collect())
    } else {
        std::process::exit(gotriage::cli::main(argv0, args.collect()))
    }
}
