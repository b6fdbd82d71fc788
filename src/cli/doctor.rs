//! `gotriage doctor`: runs the checks and prints them (docs/doctor.md).
//!
//! Exit status: 0 when nothing is a problem (warnings allowed), 1 when a
//! problem was found, 2 when doctor itself could not run; the same with
//! `--format json`.

use std::time::Duration;

use super::{DoctorArgs, Format};
use crate::config::Config;
use crate::doctor::{self, render};
use crate::i18n::Lang;

pub(super) fn run(args: &DoctorArgs) -> i32 {
    let config = crate::config::config_path()
        .and_then(|p| Config::load(&p.path).ok().flatten())
        .unwrap_or_default();
    let lang = Lang::detect(config.lang.as_deref());
    let fail = |msg: &str| {
        match args.format {
            Format::Json => {
                let _ = super::explain::print_stdout(&format!("{}\n", render::json_error(msg)));
            }
            Format::Text => eprintln!("gotriage: doctor: {}", crate::redact::redact(msg)),
        }
        super::EXIT_USAGE
    };
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 600.0) {
        return fail("--timeout must be a number of seconds between 0 and 600");
    }
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return fail(&format!("cannot read the current directory: {e}")),
    };
    let opts = doctor::Options {
        modules: args.modules.clone(),
        network: args.network,
        timeout: Duration::from_secs_f64(args.timeout),
        lang,
        cwd,
    };
    let report = match doctor::run(&opts) {
        Ok(r) => r,
        Err(e) => return fail(&e.0),
    };
    let out = match args.format {
        Format::Json => format!("{}\n", render::json(&report, lang)),
        Format::Text => render::text(
            &report,
            render::TextOptions {
                lang,
                color: render_color(),
                unicode: !args.ascii && render::unicode_locale(|n| std::env::var(n).ok()),
            },
        ),
    };
    super::explain::print_stdout(&out);
    report.exit_status()
}

fn render_color() -> bool {
    crate::render::color_for_stdout()
}
