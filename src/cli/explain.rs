//! `gotriage explain`: diagnose a saved log (FILE, or `-` for standard
//! input), or print the long explanation of one diagnosis ID.
//!
//! A saved log comes from another run, often another machine: it is
//! diagnosed with no environment and no probes, so fix steps never claim
//! what this machine's GOPRIVATE covers.

use std::io::{Read, Write};

use super::{ExplainArgs, Format};
use crate::config::Config;
use crate::diagnose::{self, Context, normalize};
use crate::i18n::Lang;
use crate::render;

pub(super) fn run(args: &ExplainArgs) -> i32 {
    let config = load_config();
    let lang = Lang::detect(config.lang.as_deref());
    let (rules, warnings) = crate::rules::load_with_user(&config);
    for w in &warnings {
        eprintln!("gotriage: warning: {w}; skipped");
    }
    let input = args.input.as_str();
    let is_file = input != "-" && std::path::Path::new(input).exists();
    if !is_file && input != "-" {
        if let Some(rule) = rules.get(input) {
            return print_stdout(&match args.format {
                Format::Text => render::explain_rule(rule, lang, render::color_for_stdout()),
                Format::Json => json_line(&rule_json(rule, lang)),
            });
        }
        if crate::rules::spec::valid_id(input) && !input.contains('.') {
            eprintln!(
                "gotriage: `{input}` is neither a file nor a diagnosis ID (see `gotriage rules list`)"
            );
        } else {
            eprintln!("gotriage: cannot read {input}: no such file");
        }
        return super::EXIT_USAGE;
    }
    let bytes = match read_input(input) {
        Ok(b) => b,
        Err(e) => {
            let name = if input == "-" {
                "standard input"
            } else {
                input
            };
            eprintln!("gotriage: cannot read {name}: {e}");
            return super::EXIT_USAGE;
        }
    };
    let (lines, skipped) = bytes;
    if let Some(skipped) = skipped {
        let name = if input == "-" { "the input" } else { input };
        eprintln!(
            "gotriage: note: {name} is large; read its first {} KiB and last {} KiB, skipped {skipped} bytes in between",
            normalize::HEAD_KEEP / 1024,
            normalize::TAIL_KEEP / 1024
        );
    }
    let (found, _) = diagnose::diagnose_lines(lines, &rules, &Context::offline());
    match args.format {
        Format::Json => print_stdout(&json_line(&render::json(&found, lang))),
        Format::Text => {
            if found.is_empty() {
                let name = if input == "-" { "the input" } else { input };
                eprintln!("gotriage: no known cause found in {name}");
                return 0;
            }
            let opts = render::Options {
                lang,
                color: render::color_for_stdout(),
                source: render::Source::File(input.to_owned()),
                github_actions: false,
            };
            let text = render::text(&found, &opts);
            print_stdout(text.strip_prefix('\n').unwrap_or(&text))
        }
    }
}

pub(super) fn load_config() -> Config {
    match crate::config::config_path().map(|p| Config::load(&p.path)) {
        Some(Ok(Some(c))) => c,
        Some(Err(e)) => {
            eprintln!("gotriage: warning: {e}");
            Config::default()
        }
        _ => Config::default(),
    }
}

/// Reads a log of any size in bounded memory: all of it when it is small,
/// else its head and its tail (where go's and CI's failures are), counting
/// the newlines in between so evidence line numbers stay true.  Returns the
/// normalised lines and how many bytes were skipped, if any.
fn read_input(input: &str) -> std::io::Result<(Vec<normalize::Line>, Option<u64>)> {
    if input == "-" {
        read_bounded(std::io::stdin().lock())
    } else {
        read_bounded(std::fs::File::open(input)?)
    }
}

fn read_bounded(mut r: impl Read) -> std::io::Result<(Vec<normalize::Line>, Option<u64>)> {
    let mut head = Vec::new();
    (&mut r)
        .take(normalize::HEAD_KEEP as u64)
        .read_to_end(&mut head)?;
    // The tail as a ring of TAIL_KEEP bytes; what falls out of it is only
    // counted.
    let cap = normalize::TAIL_KEEP;
    let mut ring = vec![0u8; cap];
    let (mut pos, mut filled) = (0usize, 0usize);
    let (mut skipped, mut skipped_newlines) = (0u64, 0usize);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let mut chunk = &buf[..n];
        while !chunk.is_empty() {
            let k = chunk.len().min(cap - pos);
            if filled == cap {
                let out = &ring[pos..pos + k];
                skipped += k as u64;
                skipped_newlines += normalize::count_newlines(out);
            }
            ring[pos..pos + k].copy_from_slice(&chunk[..k]);
            pos = (pos + k) % cap;
            filled = (filled + k).min(cap);
            chunk = &chunk[k..];
        }
    }
    let tail: Vec<u8> = if filled < cap {
        ring[..filled].to_vec()
    } else {
        let mut t = ring[pos..].to_vec();
        t.extend_from_slice(&ring[..pos]);
        t
    };
    if skipped == 0 {
        head.extend_from_slice(&tail);
        return Ok((normalize::normalize(&head), None));
    }
    Ok((
        normalize::normalize_parts(&head, skipped_newlines, &tail),
        Some(skipped),
    ))
}

fn json_line(v: &serde_json::Value) -> String {
    let mut s = v.to_string();
    s.push('\n');
    s
}

/// One rule as JSON (`explain ID --format json`).
pub(super) fn rule_json(rule: &crate::rules::Rule, lang: Lang) -> serde_json::Value {
    let facts = crate::diagnose::context::Facts::default();
    let fill = |t: &str| facts.fill_lenient(t);
    serde_json::json!({
        "version": render::JSON_VERSION,
        "rule": {
            "id": rule.id,
            "title": fill(rule.title.get(lang)),
            "explain": fill(rule.explain.get(lang)),
            "priority": rule.priority,
            "fix": rule.fix.iter().filter_map(|f| facts.fill(f.text.get(lang))).collect::<Vec<_>>(),
            "alternatives": rule.alternatives.iter().map(|a| a.id).collect::<Vec<_>>(),
            "origin": rule.origin.to_string(),
        }
    })
}

/// Writes to stdout; a closed pipe is not an error worth a message.
pub(super) fn print_stdout(s: &str) -> i32 {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
    0
}
