//! git's translations: `rules/git-i18n.generated.toml` is what
//! `cargo run --example git_i18n` makes of the installed catalogs
//! (`/usr/share/locale/*/LC_MESSAGES/git.mo`, Debian's git: `scripts/deps.sh`
//! installs it), every msgid a rule names is in git's catalogs, and the
//! generated patterns reach the built-in rules and diagnose real lines.

use std::path::{Path, PathBuf};

use gotriage::diagnose::{Context, diagnose};
use gotriage::rules::{self, RuleSet};

#[path = "../../examples/git_i18n/generate.rs"]
#[allow(dead_code)]
mod generate;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rules_text() -> String {
    std::fs::read_to_string(repo().join(generate::RULES)).expect("rules/builtin.toml")
}

/// The installed catalogs, or `None` (with a message) when there are none.
fn catalogs() -> Option<Vec<generate::Catalog>> {
    let dir = Path::new(generate::LOCALE_DIR);
    let cats = generate::load_catalogs(dir).expect("reading git's catalogs");
    if cats.is_empty() {
        eprintln!(
            "SKIPPED: no git.mo under {}: install Debian's git (scripts/deps.sh) to check \
             rules/git-i18n.generated.toml against git's catalogs",
            dir.display()
        );
        return None;
    }
    Some(cats)
}

#[test]
fn generated_table_is_current_and_every_msgid_exists() {
    let Some(cats) = catalogs() else { return };
    let text = match generate::generate(&rules_text(), &cats) {
        Ok(t) => t,
        Err(errors) => panic!(
            "rules/builtin.toml names git messages git's catalogs cannot expand:\n  {}",
            errors.join("\n  ")
        ),
    };
    let committed =
        std::fs::read_to_string(repo().join(generate::OUTPUT)).expect("the generated table");
    assert!(
        committed == text,
        "{} is stale against git's catalogs or rules/builtin.toml: run \
         `cargo run --example git_i18n` and commit the result",
        generate::OUTPUT
    );
}

#[test]
fn a_msgid_git_does_not_have_is_an_error() {
    let Some(cats) = catalogs() else { return };
    let text = rules_text().replacen(
        "git = [\n",
        "git = [\n  { msgid = \"this message is in no git catalog %s\", args = [\"url\"] },\n",
        1,
    );
    let errors = generate::generate(&text, &cats).expect_err("an unknown msgid must fail");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("this message is in no git catalog")),
        "{errors:?}"
    );
    // A msgid whose placeholders and `args` disagree is an error too.
    let text = rules_text().replacen(
        "{ msgid = \"repository '%s' not found\", args = [\"url\"] }",
        "{ msgid = \"repository '%s' not found\", args = [] }",
        1,
    );
    assert!(generate::generate(&text, &cats).is_err());
}

#[test]
fn build_flags_a_stale_table() {
    // What build.rs does with the committed table: nothing stale.
    let generated = std::fs::read_to_string(repo().join(generate::OUTPUT)).expect("table");
    let (good, errors, stale) = rules::spec::check_file_with(&rules_text(), Some(&generated));
    assert!(errors.is_empty(), "{errors:?}");
    assert!(stale.is_empty(), "{stale:?}");
    assert!(!good.is_empty());
    // A table missing a msgid's patterns, or holding patterns no rule
    // names, is reported.
    let without: String =
        generated.replace("msgid = \"repository '%s' not found\"", "msgid = 'gone'");
    let (_, _, stale) = rules::spec::check_file_with(&rules_text(), Some(&without));
    assert!(
        stale
            .iter()
            .any(|e| e.message.contains("no generated pattern")),
        "{stale:?}"
    );
    assert!(
        stale.iter().any(|e| e.message.contains("does not name")),
        "{stale:?}"
    );
}

#[test]
fn format_strings_become_patterns() {
    use generate::{Piece, parse_format};
    assert_eq!(
        parse_format("a %s b %d%%").unwrap(),
        vec![
            Piece::Text("a ".into()),
            Piece::Conv { arg: 0, int: false },
            Piece::Text(" b ".into()),
            Piece::Conv { arg: 1, int: true },
            Piece::Text("%".into()),
        ]
    );
    // `%.*s` takes the precision first; `%2$s` names its argument.
    assert_eq!(
        parse_format("%.*s x %2$s %1$lu").unwrap(),
        vec![
            Piece::Conv { arg: 1, int: false },
            Piece::Text(" x ".into()),
            Piece::Conv { arg: 1, int: false },
            Piece::Text(" ".into()),
            Piece::Conv { arg: 0, int: true },
        ]
    );
    let entry: gotriage::rules::spec::GitMsgSpec =
        toml::from_str("msgid = \"object %s for symlink %s\"\nargs = [\"obj\", \"path\"]").unwrap();
    let msgid = parse_format(&entry.msgid).unwrap();
    // A translation that reorders its arguments, with regex metacharacters
    // and two lines.
    let pats =
        generate::translation_patterns(&entry, &msgid, "符号链接 %2$s (x) 指向\n对象 %1$s？")
            .unwrap();
    assert_eq!(
        pats,
        vec![
            r"符号链接 (?P<path>.+?) \(x\) 指向".to_string(),
            r"对象 (?P<obj>.+?)？".to_string()
        ]
    );
    let re = regex::Regex::new(&pats[0]).unwrap();
    let c = re.captures("符号链接 /a b (x) 指向").unwrap();
    assert_eq!(&c["path"], "/a b");
}

/// Real lines from the lab (git 2.39.5, LANGUAGE=…), each named by a
/// generated pattern only.
#[test]
fn generated_patterns_diagnose_translated_git() {
    let set = RuleSet::builtin();
    let ctx = Context::offline();
    for (file, want) in [
        ("go1.27.3/repo-missing.get.de.txt", "repo-not-found"),
        (
            "go1.27.3/https-wrong-credentials.get.fr.txt",
            "https-auth-rejected",
        ),
        (
            "go1.27.3/vcs-cache-corrupt.config-removed.tr.txt",
            "vcs-cache-corrupt",
        ),
    ] {
        let path = repo().join("fixtures/lab").join(file);
        let Ok(text) = std::fs::read(&path) else {
            panic!(
                "{}: missing (regenerate with `make fixtures`)",
                path.display()
            );
        };
        let got = diagnose(&text, &set, &ctx);
        assert_eq!(
            got.first().map(|d| d.rule.id),
            Some(want),
            "{file}: {:?}",
            got.iter().map(|d| d.rule.id).collect::<Vec<_>>()
        );
    }
}
