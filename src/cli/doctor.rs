//! `gotriage doctor`: parse the arguments, run the checks, print text or
//! JSON.  Exit status: 0 no problem (warnings allowed), 1 a problem found,
//! 2 doctor itself could not run (bad arguments, output not writable) — the
//! same with `--format json`.

use std::io::Write;
use std::time::Duration;

use super::{DoctorArgs, EXIT_USAGE, Format};
use crate::doctor::{self, gomod::ModuleRef, render};

/// Longest `--timeout` accepted (a probe that needs more is not a probe).
const MAX_TIMEOUT: f64 = 120.0;

pub(super) fn run(args: &DoctorArgs) -> i32 {
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= MAX_TIMEOUT) {
        eprintln!("gotriage: doctor: --timeout must be between 0 and {MAX_TIMEOUT} seconds");
        return EXIT_USAGE;
    }
    let mut modules = Vec::new();
    for m in &args.modules {
        match ModuleRef::parse(m) {
            Ok(m) => modules.push(m),
            Err(e) => {
                eprintln!("gotriage: doctor: {}", crate::redact::redact(&e));
                return EXIT_USAGE;
            }
        }
    }
    let opts = doctor::Options {
        modules,
        network: args.network,
        timeout: Duration::from_secs_f64(args.timeout),
    };
    let (report, state) = doctor::run(&opts);
    let text = match args.format {
        Format::Json => {
            let v = render::json(&report, state.network);
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        Format::Text => {
            let ascii = !render::utf8_locale(|k| std::env::var(k).ok());
            render::text(
                &report,
                state.lang,
                ascii,
                crate::render::color_for_stdout(),
                state.network,
            )
        }
    };
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return EXIT_USAGE;
    }
    report.exit_code()
}
