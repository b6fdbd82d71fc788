//! The rule table: coverage of the taxonomy, examples, safe advice.

use gotriage::diagnose::{Context, check_examples, diagnose};
use gotriage::rules::{self, RuleSet};

/// The stable IDs of the failure taxonomy (shared/reference/taxonomy.md);
/// every one needs a rule (`unclassified` is the absence of one).
const TAXONOMY: &[&str] = &[
    "git-not-found",
    "git-config-invalid",
    "ssh-publickey-denied",
    "ssh-host-key-unknown",
    "ssh-connect-failed",
    "https-credentials-missing",
    "https-auth-rejected",
    "https-forbidden",
    "repo-not-found",
    "dns-resolution-failed",
    "network-connect-failed",
    "proxy-failure",
    "tls-certificate",
    "unknown-revision",
    "vcs-dubious-ownership",
    "vcs-stamping-failed",
    "private-module-via-proxy",
    "sumdb-verify-failed",
    "checksum-mismatch",
    "module-path-mismatch",
    "vcs-cache-corrupt",
    "govcs-disallowed",
    "insecure-scheme",
    "go-import-meta",
    "toolchain-download-failed",
];

#[test]
fn every_taxonomy_id_has_a_rule_with_examples() {
    let set = RuleSet::builtin();
    for id in TAXONOMY {
        let rule = set.get(id).unwrap_or_else(|| panic!("no rule for {id}"));
        assert!(!rule.examples.is_empty(), "rule {id} has no examples");
    }
    assert!(set.get("unclassified").is_none());
}

#[test]
fn every_rule_names_its_examples_first() {
    let set = RuleSet::builtin();
    let mut problems = Vec::new();
    for rule in rules::builtin() {
        for p in check_examples(rule, &set) {
            problems.push(format!("{}: {p}", rule.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn example_sources_are_fixtures_or_public_urls() {
    for rule in rules::builtin() {
        for ex in rule.examples.iter().chain(rule.counters) {
            let ok = ex.source.starts_with("https://")
                || (ex.source.starts_with("fixtures/")
                    && std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join(ex.source)
                        .exists());
            assert!(ok, "rule {}: example source {:?}", rule.id, ex.source);
        }
    }
}

/// Advice that switches a security check off, or puts a secret where it leaks.
const UNSAFE: &[&str] = &[
    "sslverify=false",
    "sslverify false",
    "git_ssl_no_verify",
    "gosumdb=off",
    "gonosumcheck",
    "gonosumdb=*",
    "gonosumdb=\"*\"",
    "goflags=-insecure",
    "-insecure",
    "goinsecure=*",
    "goinsecure=github.com",
    "insecureskipverify",
    "https://<token>@",
    "https://token@",
    "x-oauth-basic@",
    "x-access-token:",
    "strictHostKeyChecking=no",
    "stricthostkeychecking no",
];

#[test]
fn no_fix_step_disables_security() {
    for rule in rules::builtin() {
        for f in rule.fix {
            for text in [f.text.en, f.text.zh] {
                let lower = text.to_ascii_lowercase();
                for bad in UNSAFE {
                    let bad = bad.to_ascii_lowercase();
                    // "do not set GOSUMDB=off" is a warning, not advice.
                    let warned =
                        lower.contains("do not") || text.contains("不要") || text.contains("绝不");
                    assert!(
                        !lower.contains(&bad) || warned,
                        "rule {}: fix step recommends `{bad}`: {text}",
                        rule.id
                    );
                }
            }
        }
    }
}

#[test]
fn titles_and_explanations_always_render() {
    // Placeholders in always-shown text need a fallback.
    for rule in rules::builtin() {
        for t in [
            rule.title.en,
            rule.title.zh,
            rule.explain.en,
            rule.explain.zh,
        ] {
            for (name, fallback) in rules::spec::placeholders(t).unwrap() {
                let optional_word = matches!(name.as_str(), "version" | "visibility" | "module");
                assert!(
                    fallback.is_some() || optional_word,
                    "rule {}: `{{{name}}}` without fallback in {t:?}",
                    rule.id
                );
            }
        }
        assert!(
            rule.fix.iter().any(|f| f.when.is_empty()),
            "rule {} has no unconditional fix step",
            rule.id
        );
    }
}

#[test]
fn nothing_is_said_about_success_or_unrelated_failures() {
    let set = RuleSet::builtin();
    for text in [
        "",
        "go: downloading golang.org/x/mod v0.20.0\n",
        "./main.go:5:2: undefined: foo\n",
        "# example.com/m\n./main.go:3:8: \"fmt\" imported and not used\n",
        "--- FAIL: TestX (0.00s)\n    x_test.go:9: got 1, want 2\nFAIL\nexit status 1\nFAIL\texample.com/m\t0.002s\n",
        "go: go.mod file not found in current directory or any parent directory; see 'go help modules'\n",
    ] {
        let got = diagnose(text.as_bytes(), &set, &Context::offline());
        assert!(
            got.is_empty(),
            "{text:?} -> {:?}",
            got.first().map(|d| d.rule.id)
        );
    }
}

#[test]
fn a_user_rule_replaces_the_builtin_with_its_id() {
    let text = r#"[[rule]]
id = "checksum-mismatch"
priority = 99
title = { en = "our own wording", zh = "我们自己的说法" }
match = ['''checksum mismatch''']
explain = { en = "Site-specific explanation.", zh = "本站说明。" }
[[rule.fix]]
en = "Ask the platform team."
zh = "联系平台团队。"
"#;
    let (user, warnings) = rules::parse_user(std::path::Path::new("/site/rules.toml"), text);
    assert!(warnings.is_empty(), "{warnings:?}");
    let set = RuleSet::with_user(user);
    assert_eq!(set.rules.len(), rules::builtin().len());
    let r = set.get("checksum-mismatch").unwrap();
    assert_eq!(r.title.en, "our own wording");
    assert!(matches!(r.origin, rules::Origin::User { line: 1, .. }));
    let got = diagnose(
        b"verifying example.com/x@v1.0.0: checksum mismatch\n",
        &set,
        &Context::offline(),
    );
    assert_eq!(got[0].rule.title.en, "our own wording");
}

#[test]
fn broken_user_rules_are_located_and_skipped() {
    let text = "[[rule]]\nid = \"ok-rule\"\ntitle = { en = \"x\", zh = \"x\" }\nmatch = ['''some failure text''']\nexplain = { en = \"x\", zh = \"x\" }\n[[rule.fix]]\nen = \"x\"\nzh = \"x\"\n\n[[rule]]\nid = \"bad-when\"\ntitle = { en = \"x\", zh = \"x\" }\nmatch = ['''other failure''']\nexplain = { en = \"x\", zh = \"x\" }\n[[rule.fix]]\nen = \"x\"\nzh = \"x\"\nwhen = \"no-such-condition\"\n";
    let (user, warnings) = rules::parse_user(std::path::Path::new("/x/rules.toml"), text);
    assert_eq!(user.len(), 1);
    assert_eq!(warnings.len(), 1);
    let w = warnings[0].to_string();
    assert!(
        w.starts_with("/x/rules.toml:10: rule \"bad-when\": "),
        "{w}"
    );
}
