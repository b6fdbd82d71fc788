//! Property tests: the classifier never panics, redaction never lets a
//! planted token through.

use gotriage::diagnose::{Context, diagnose};
use gotriage::redact::redact;
use gotriage::rules::RuleSet;
use proptest::prelude::*;

fn token() -> impl Strategy<Value = String> {
    let body = "[A-Za-z0-9_]{20,60}";
    prop_oneof![
        (
            prop_oneof![
                Just("ghp_"),
                Just("gho_"),
                Just("ghu_"),
                Just("ghs_"),
                Just("ghr_")
            ],
            body
        )
            .prop_map(|(p, b)| format!("{p}{b}")),
        body.prop_map(|b| format!("github_pat_{b}")),
        (
            prop_oneof![
                Just("glpat-"),
                Just("gldt-"),
                Just("glrt-"),
                Just("gloas-"),
                Just("glffct-")
            ],
            "[A-Za-z0-9_-]{20,40}"
        )
            .prop_map(|(p, b)| format!("{p}{b}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn planted_tokens_never_survive(pre in "[ -~\\t]{0,40}", post in "[ -~]{0,40}", tok in token(), way in 0..5usize) {
        let line = match way {
            0 => format!("{pre}{tok}{post}"),
            1 => format!("{pre}https://{tok}@github.com/acme/api{post}"),
            2 => format!("{pre}https://user:{tok}@host/x {post}"),
            3 => format!("{pre}Authorization: Bearer {tok}{post}"),
            _ => format!("{pre}\x1b[31m{tok}\x1b[0m{post}"),
        };
        let out = redact(&line);
        let secret = &tok[tok.len() - 16..];
        prop_assert!(!out.contains(secret), "{line:?} -> {out:?}");
        prop_assert_eq!(redact(&out).into_owned(), out.clone().into_owned());
    }

    #[test]
    fn classifier_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = diagnose(&bytes, &RuleSet::builtin(), &Context::offline());
    }

    #[test]
    fn classifier_never_panics_on_go_shaped_text(lines in proptest::collection::vec(
        prop_oneof![
            Just("go: x@v1: invalid version: git ls-remote -q origin in /p/pkg/mod/cache/vcs/ab: exit status 128:".to_string()),
            Just("\tfatal: could not read Username for 'https://github.com': terminal prompts disabled".to_string()),
            Just("\tserver response: not found: x".to_string()),
            Just("go: a@v requires".to_string()),
            Just("reading https://proxy.golang.org/x/@v/v1.info: 404 Not Found".to_string()),
            "[ -~\\t]{0,80}",
        ], 0..30)) {
        let text = lines.join("\n");
        let _ = diagnose(text.as_bytes(), &RuleSet::builtin(), &Context::offline());
    }
}
