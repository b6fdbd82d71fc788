//! `gotriage rules list|show|check`.

use std::fmt::Write as _;

use super::explain::{load_config, print_stdout, rule_json};
use super::{Format, RulesCommand};
use crate::i18n::Lang;
use crate::render;
use crate::rules::{self, RuleSet};

pub(super) fn run(cmd: &RulesCommand) -> i32 {
    let config = load_config();
    let lang = Lang::detect(config.lang.as_deref());
    match cmd {
        RulesCommand::List { format } => {
            let (set, warnings) = rules::load_with_user(&config);
            for w in &warnings {
                eprintln!("gotriage: warning: {w}; skipped");
            }
            match format {
                Format::Json => {
                    let items: Vec<_> = set
                        .rules
                        .iter()
                        .map(|r| rule_json(r, lang)["rule"].clone())
                        .collect();
                    let v = serde_json::json!({ "version": render::JSON_VERSION, "rules": items });
                    print_stdout(&format!("{v}\n"))
                }
                Format::Text => {
                    let facts = crate::diagnose::context::Facts::default();
                    let mut out = String::new();
                    let width = set.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
                    for r in &set.rules {
                        let title = facts.fill_lenient(r.title.get(lang));
                        let user = matches!(r.origin, rules::Origin::User { .. });
                        let _ = writeln!(
                            out,
                            "{:<width$}  {}{}",
                            r.id,
                            title,
                            if user { "  [user]" } else { "" }
                        );
                    }
                    print_stdout(&out)
                }
            }
        }
        RulesCommand::Show { id } => {
            let (set, warnings) = rules::load_with_user(&config);
            for w in &warnings {
                eprintln!("gotriage: warning: {w}; skipped");
            }
            let Some(rule) = set.get(id) else {
                eprintln!("gotriage: no rule with id `{id}` (see `gotriage rules list`)");
                return super::EXIT_USAGE;
            };
            let mut out = render::explain_rule(rule, lang, render::color_for_stdout());
            let _ = writeln!(
                out,
                "\nDefined: {}\nPriority: {}",
                rule.origin, rule.priority
            );
            let _ = writeln!(out, "Patterns:");
            for (p, g) in rule.patterns.iter().zip(rule.gates) {
                let _ = writeln!(out, "  {p}\n      gate: {}", g.join(" | "));
            }
            for (label, list) in [
                ("Unless", rule.unless),
                ("Requires", rule.requires),
                ("Extract", rule.extract),
            ] {
                if !list.is_empty() {
                    let _ = writeln!(out, "{label}:");
                    for p in list {
                        let _ = writeln!(out, "  {p}");
                    }
                }
            }
            let _ = writeln!(
                out,
                "Examples: {}, counter-examples: {}",
                rule.examples.len(),
                rule.counters.len()
            );
            for ex in rule.examples {
                let _ = writeln!(out, "  - {}", ex.source);
            }
            print_stdout(&out)
        }
        RulesCommand::Check { file } => {
            let (user, warnings) = rules::load_file(file);
            let mut problems: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
            let set = RuleSet::with_user(user.clone());
            for r in &user {
                let line = match &r.origin {
                    rules::Origin::User { line, .. } => *line,
                    rules::Origin::Builtin { line } => *line,
                };
                for p in crate::diagnose::check_examples(r, &set) {
                    problems.push(format!("{}:{line}: rule \"{}\": {p}", file.display(), r.id));
                }
            }
            if problems.is_empty() {
                print_stdout(&format!("{}: {} rule(s) OK\n", file.display(), user.len()))
            } else {
                for p in &problems {
                    eprintln!("{p}");
                }
                eprintln!("{}: {} problem(s)", file.display(), problems.len());
                super::EXIT_USAGE
            }
        }
    }
}
