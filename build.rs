//! Build script: validates the built-in rule table and turns it into Rust data.
//!
//! `rules/builtin.toml` is parsed and checked here (schema, every regex
//! compiles, placeholders and conditions are known, references resolve), so a
//! broken built-in rule fails the build with `rules/builtin.toml:LINE: rule
//! "ID": …`.  Each pattern's required literals are extracted here too; the
//! binary then carries plain static data: no TOML parsing and no regex
//! compilation happens at run time until a failure's text hits a rule's gate.

use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "build/doctor_messages.rs"]
mod doctor_messages;

#[path = "src/rules/spec.rs"]
#[allow(dead_code, unreachable_pub)]
mod spec;

const TABLE: &str = "rules/builtin.toml";
/// git's translations of the msgids the rules name (`cargo run --example git_i18n`).
const GENERATED: &str = "rules/git-i18n.generated.toml";

fn main() {
    println!("cargo::rerun-if-changed={TABLE}");
    println!("cargo::rerun-if-changed={GENERATED}");
    println!("cargo::rerun-if-changed=src/rules/spec.rs");
    let text = std::fs::read_to_string(TABLE).unwrap_or_else(|e| fail(&format!("{TABLE}: {e}")));
    let generated =
        std::fs::read_to_string(GENERATED).unwrap_or_else(|e| fail(&format!("{GENERATED}: {e}")));
    let (rules, mut errors, stale) = spec::check_file_with(&text, Some(&generated));
    // A stale generated table warns (the generator needs this crate to
    // build); tests/integration/git_i18n.rs fails on it.
    for e in &stale {
        println!("cargo::warning={TABLE}:{e}");
    }
    let ids: Vec<&str> = rules.iter().map(|r| r.spec.id.as_str()).collect();
    errors.extend(spec::check_references(&rules, &|id| ids.contains(&id)));
    // Every regex must also compile with the engine the crate uses.
    for r in &rules {
        for p in r.spec.all_regexes() {
            if let Err(e) = regex::Regex::new(&p) {
                errors.push(spec::SpecError {
                    line: Some(r.line),
                    rule: Some(r.spec.id.clone()),
                    message: format!("regex {p:?} does not compile: {e}"),
                });
            }
        }
    }
    if !errors.is_empty() {
        let mut msg = String::new();
        for e in &errors {
            let _ = writeln!(msg, "{TABLE}:{e}");
        }
        fail(&msg);
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let mut code = generate(&rules);
    code.push_str(&musts(&rules));
    std::fs::write(out.join("builtin_rules.rs"), code)
        .unwrap_or_else(|e| fail(&format!("writing generated rules: {e}")));
    messages(&out);
}

/// The doctor's message catalogue (build/doctor_messages.rs).
fn messages(out: &std::path::Path) {
    let file = doctor_messages::CATALOGUE;
    println!("cargo::rerun-if-changed={file}");
    println!("cargo::rerun-if-changed=build/doctor_messages.rs");
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| fail(&format!("{file}: {e}")));
    match doctor_messages::generate(&text) {
        Ok(code) => std::fs::write(out.join("doctor_messages.rs"), code)
            .unwrap_or_else(|e| fail(&format!("writing generated messages: {e}"))),
        Err(errors) => {
            eprintln!(
                "error: the doctor's message catalogue is invalid:\n{}",
                errors.join("\n")
            );
            std::process::exit(1);
        }
    }
}

/// Every built-in regex with the literals each of its matches contains,
/// sorted by pattern for a binary search (`rules::mandatory_literals`).
fn musts(rules: &[spec::CheckedRule]) -> String {
    let mut all: Vec<String> = rules.iter().flat_map(|r| r.spec.all_regexes()).collect();
    all.sort();
    all.dedup();
    let mut o = String::from("\npub(crate) static MUSTS: &[(&str, &[&str])] = &[\n");
    for p in &all {
        let lits = spec::mandatory_literals(p).unwrap_or_else(|e| fail(&e));
        let _ = writeln!(o, "    ({}, {}),", s(p), strs(&lits));
    }
    o.push_str("];\n");
    o
}

fn fail(msg: &str) -> ! {
    eprintln!("error: the built-in rule table is invalid:\n{msg}");
    std::process::exit(1);
}

fn s(v: &str) -> String {
    format!("{v:?}")
}

fn strs(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|x| s(x)).collect();
    format!("&[{}]", items.join(", "))
}

fn text(t: &spec::Text) -> String {
    format!("Text {{ en: {}, zh: {} }}", s(&t.en), s(&t.zh))
}

fn cond(c: &spec::Condition) -> String {
    let items: Vec<String> = c
        .iter()
        .map(|(n, neg)| format!("({}, {neg})", s(n)))
        .collect();
    format!("&[{}]", items.join(", "))
}

fn examples(v: &[spec::ExampleSpec]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|e| {
            format!(
                "Example {{ text: {}, source: {}, match_only: {} }}",
                s(&e.text),
                s(&e.source),
                e.expect.as_deref() == Some("match")
            )
        })
        .collect();
    format!("&[{}]", items.join(",\n        "))
}

fn generate(rules: &[spec::CheckedRule]) -> String {
    let mut o = String::from("// Generated by build.rs from rules/builtin.toml. Do not edit.\n\n");
    o.push_str("pub(crate) static BUILTIN: &[Rule] = &[\n");
    for r in rules {
        let sp = &r.spec;
        let gates: Vec<String> = r.gates.iter().map(|g| strs(g)).collect();
        let fixes: Vec<String> = sp
            .fix
            .iter()
            .zip(&r.fix_when)
            .map(|(f, w)| {
                format!(
                    "Fix {{ text: Text {{ en: {}, zh: {} }}, when: {} }}",
                    s(&f.en),
                    s(&f.zh),
                    cond(w)
                )
            })
            .collect();
        let alts: Vec<String> = sp
            .alternatives
            .iter()
            .zip(&r.alt_when)
            .map(|(a, w)| format!("Alt {{ id: {}, when: {} }}", s(&a.id), cond(w)))
            .collect();
        let _ = write!(
            o,
            "    Rule {{\n        id: {id},\n        priority: {prio},\n        title: {title},\n        \
             patterns: {pats},\n        stages: {stages},\n        pattern_requires: &[{preq}],\n        when: {when},\n        gates: &[{gates}],\n        unless: {unless},\n        \
             requires: {requires},\n        extract: {extract},\n        sides: Sides({sides}),\n        \
             overrides: {overrides},\n        explain: {explain},\n        fix: &[{fixes}],\n        \
             alternatives: &[{alts}],\n        examples: {ex},\n        counters: {cx},\n        \
             origin: Origin::Builtin {{ line: {line} }},\n    }},\n",
            id = s(&sp.id),
            prio = sp.priority,
            title = text(&sp.title),
            pats = strs(&sp.patterns()),
            stages = strs(&sp.stage),
            preq = sp
                .matchers
                .iter()
                .map(|m| strs(m.requires()))
                .collect::<Vec<_>>()
                .join(", "),
            when = cond(&r.when),
            gates = gates.join(", "),
            unless = strs(&sp.unless),
            requires = strs(&sp.requires),
            extract = strs(&sp.extract),
            sides = r
                .sides
                .iter()
                .map(|x| 1u8 << spec::SIDES.iter().position(|y| y == x).unwrap_or(0))
                .fold(0u8, |a, b| a | b),
            overrides = strs(&sp.overrides),
            explain = text(&sp.explain),
            fixes = fixes.join(",\n            "),
            alts = alts.join(", "),
            ex = examples(&sp.examples),
            cx = examples(&sp.counters),
            line = r.line,
        );
    }
    o.push_str("];\n");
    o
}
