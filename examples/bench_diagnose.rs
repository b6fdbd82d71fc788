//! `make bench-diagnose`: time the whole failure path of the classifier on
//! 64 KiB of stderr — gate construction, compiling the rules that hit,
//! normalising, structure, matching, ranking — in a release build.
//!
//! The input is realistic noise (`go: downloading` lines and compiler
//! output) with a real failure transcript at the end, padded to 64 KiB:
//! `cargo run --profile bench --example bench_diagnose -- [FILE] [RUNS]`.
//! Prints the median, min and max of RUNS fresh diagnoses (each builds its
//! own gate and compiles its own regexes, as the shim does once per failure).
//!
//! `-- --dense [RUNS]`: the worst case instead: 64 KiB made only of
//! failures, every rule's real examples one after another (repeated), so
//! that every rule fires and most of their regexes must be compiled.

// A report tool: its output is the point.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use gotriage::diagnose::{Context, diagnose, diagnose_counting};
use gotriage::rules::RuleSet;

const TARGET: usize = 64 * 1024;

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let dense = args.next_if(|a| a == "--dense").is_some();
    let file = if dense {
        String::new()
    } else {
        args.next()
            .unwrap_or_else(|| "fixtures/diag/unknown-revision.go1.27.3.en.txt".into())
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(101);
    let rules = RuleSet::builtin();
    let input = if dense {
        dense_input(&rules)
    } else {
        padded_input(&file)
    };
    let ctx = Context::offline();
    let (first, compiled) = diagnose_counting(&input, &rules, &ctx);
    let fired: std::collections::BTreeSet<&str> = first.iter().map(|d| d.rule.id).collect();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let d = diagnose(&input, &rules, &ctx);
        times.push(t.elapsed());
        std::hint::black_box(d);
    }
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "diagnose {} KiB{} ({} lines, {} rules, {} regexes compiled, {} IDs named): median {:.3} ms, min {:.3} ms, max {:.3} ms over {} runs; first diagnosis: {}",
        input.len() / 1024,
        if dense { " dense" } else { "" },
        input.iter().filter(|&&b| b == b'\n').count(),
        rules.rules.len(),
        compiled,
        fired.len(),
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        runs,
        first.first().map_or("none", |d| d.rule.id)
    );
}

/// Every rule's examples, one after another, repeated up to 64 KiB.
fn dense_input(rules: &RuleSet) -> Vec<u8> {
    let mut one = Vec::new();
    for r in &rules.rules {
        for ex in r.examples {
            one.extend_from_slice(ex.text.trim_start_matches('\n').as_bytes());
        }
    }
    let mut input = Vec::with_capacity(TARGET);
    while input.len() < TARGET {
        input.extend_from_slice(&one);
    }
    input.truncate(TARGET);
    input
}

/// Realistic noise with one failure transcript at the end.
fn padded_input(file: &str) -> Vec<u8> {
    let tail = std::fs::read(file).unwrap_or_else(|e| {
        eprintln!("bench_diagnose: cannot read {file}: {e}");
        std::process::exit(2)
    });
    // Drop a fixture header line.
    let tail = match tail.strip_prefix(b"# gotriage-") {
        Some(_) => tail[tail.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1)..].to_vec(),
        None => tail,
    };
    let mut input = Vec::with_capacity(TARGET);
    let noise: [&[u8]; 3] = [
        b"go: downloading github.com/some/dependency v1.2.3\n",
        b"# example.com/app/internal/pkg\n",
        b"./handler.go:41:2: declared and not used: tmp\n",
    ];
    let mut i = 0;
    while input.len() + tail.len() < TARGET {
        input.extend_from_slice(noise[i % noise.len()]);
        i += 1;
    }
    input.truncate(TARGET - tail.len());
    input.extend_from_slice(&tail);
    input
}
