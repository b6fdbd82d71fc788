//! `cargo run --example git_i18n [-- --check] [-- --locale-dir DIR] [-- --grep TEXT]`
//!
//! Regenerates `rules/git-i18n.generated.toml` from git's compiled message
//! catalogs (see `generate.rs`).  `--check` only compares (exit 1 when stale);
//! `--grep TEXT` lists the msgids containing TEXT with their translations,
//! to find the msgid of a message a rule should name.

// A developer tool: its output is the point.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut locale_dir = PathBuf::from(generate::LOCALE_DIR);
    let mut check = false;
    let mut grep = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--locale-dir" => locale_dir = args.next().map(PathBuf::from).unwrap_or_default(),
            "--grep" => grep = args.next(),
            other => {
                eprintln!("git_i18n: unknown argument {other:?}");
                return ExitCode::from(2);
            }
        }
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let catalogs = match generate::load_catalogs(&locale_dir) {
        Ok(c) if !c.is_empty() => c,
        Ok(_) => {
            eprintln!(
                "git_i18n: no git.mo under {}: install git's translations (Debian: the git package)",
                locale_dir.display()
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("git_i18n: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(text) = grep {
        let mut ids: Vec<&String> = catalogs
            .iter()
            .flat_map(|c| c.messages.keys())
            .filter(|id| id.contains(&text))
            .collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            println!("{id:?}");
            for c in &catalogs {
                if let Some(forms) = c.messages.get(id) {
                    println!("    {:<6} {:?}", c.lang, forms.join(" | "));
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    let rules = match std::fs::read_to_string(repo.join(generate::RULES)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("git_i18n: {}: {e}", generate::RULES);
            return ExitCode::FAILURE;
        }
    };
    let text = match generate::generate(&rules, &catalogs) {
        Ok(t) => t,
        Err(errors) => {
            for e in errors {
                eprintln!("git_i18n: {e}");
            }
            return ExitCode::FAILURE;
        }
    };
    let out = repo.join(generate::OUTPUT);
    let current = std::fs::read_to_string(&out).unwrap_or_default();
    let patterns = text.matches("[[pattern]]").count();
    if check {
        if current == text {
            println!("{}: up to date ({patterns} patterns)", generate::OUTPUT);
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{}: stale; run `cargo run --example git_i18n`",
            generate::OUTPUT
        );
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::write(&out, &text) {
        eprintln!("git_i18n: {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "{}: {patterns} patterns from {} catalogs ({})",
        generate::OUTPUT,
        catalogs.len(),
        catalogs
            .iter()
            .map(|c| c.lang.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    ExitCode::SUCCESS
}
