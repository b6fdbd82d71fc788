//! Rendered diagnoses (insta snapshots), the JSON contract, context-aware fixes.

use gotriage::diagnose::goenv::GoEnv;
use gotriage::diagnose::probe::Probes;
use gotriage::diagnose::{Context, diagnose};
use gotriage::i18n::Lang;
use gotriage::render::{self, Options, Source};
use gotriage::rules::RuleSet;

const AUTH: &str = "go: downloading github.com/acme/api v1.4.0
go: github.com/acme/api@v1.4.0: invalid version: git ls-remote -q origin in /root/go/pkg/mod/cache/vcs/68f53b3f25b9a8049aa35dc3e9ff8b75593381ad8ee9ac187b53bc6e9f46671c: exit status 128:
\tfatal: could not read Username for 'https://github.com': terminal prompts disabled
Confirm the import path was entered correctly.
If this is a private repository, see https://golang.org/doc/faq#git_https for additional information.
";

fn opts(lang: Lang) -> Options {
    Options {
        lang,
        color: false,
        source: Source::Stderr,
        github_actions: false,
    }
}

#[test]
fn shim_block_english_and_chinese() {
    let set = RuleSet::builtin();
    let env = GoEnv::from_pairs([("GOPRIVATE", "github.com/foo")]);
    let ctx = Context {
        env: Some(env),
        probes: &gotriage::diagnose::probe::NoProbes,
        cwd: None,
        in_container: false,
    };
    let d = diagnose(AUTH.as_bytes(), &set, &ctx);
    insta::assert_snapshot!("auth_en", render::text(&d, &opts(Lang::En)));
    insta::assert_snapshot!("auth_zh", render::text(&d, &opts(Lang::Zh)));
    // The precise GOPRIVATE advice extends the existing value.
    let text = render::text(&d, &opts(Lang::En));
    assert!(
        text.contains("GOPRIVATE=github.com/foo does not cover github.com/acme/api")
            && text.contains("go env -w GOPRIVATE=github.com/foo,github.com/acme"),
        "{text}"
    );
}

#[test]
fn goprivate_covering_the_module_drops_the_step() {
    let set = RuleSet::builtin();
    let ctx = Context {
        env: Some(GoEnv::from_pairs([("GOPRIVATE", "github.com/ac*")])),
        probes: &gotriage::diagnose::probe::NoProbes,
        cwd: None,
        in_container: false,
    };
    let d = diagnose(AUTH.as_bytes(), &set, &ctx);
    let text = render::text(&d, &opts(Lang::En));
    assert!(!text.contains("GOPRIVATE="), "{text}");
}

#[test]
fn github_annotation_is_escaped() {
    let set = RuleSet::builtin();
    let d = diagnose(AUTH.as_bytes(), &set, &Context::offline());
    let mut o = opts(Lang::En);
    o.github_actions = true;
    let text = render::text(&d, &o);
    let ann = text.lines().last().unwrap();
    assert_eq!(
        ann,
        "::error title=gotriage%3A https-credentials-missing::git has no credentials for github.com"
    );
    assert_eq!(render::escape_data("50%\nx"), "50%25%0Ax");
}

#[test]
fn json_contract() {
    let set = RuleSet::builtin();
    let d = diagnose(AUTH.as_bytes(), &set, &Context::offline());
    let v = render::json(&d, Lang::En);
    assert_eq!(v["version"], 1);
    let first = &v["diagnoses"][0];
    for key in [
        "id",
        "title",
        "confidence",
        "evidence",
        "module",
        "version",
        "host",
        "url",
        "fix",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["id"], "https-credentials-missing");
    assert_eq!(first["module"], "github.com/acme/api");
    assert_eq!(v["diagnoses"][1]["id"], "repo-not-found");
    assert!(v["diagnoses"][1]["evidence"].is_null());
    let empty = render::json(&[], Lang::En);
    assert_eq!(empty.to_string(), r#"{"diagnoses":[],"version":1}"#);
}

struct FakeProbe(&'static str);

impl Probes for FakeProbe {
    fn git_status_stderr(&self, _: &std::path::Path) -> Option<String> {
        Some(self.0.to_owned())
    }
    fn vcs_origin(&self, _: &std::path::Path) -> Option<String> {
        Some("https://x-access-token:ghs_0123456789abcdefghijABCDEFGHIJ@github.com/acme/api".into())
    }
}

#[test]
fn stamping_probe_reveals_dubious_ownership() {
    let set = RuleSet::builtin();
    let log = "error obtaining VCS status: exit status 128\n\tUse -buildvcs=false to disable VCS stamping.\n";
    let offline = diagnose(log.as_bytes(), &set, &Context::offline());
    assert_eq!(offline[0].rule.id, "vcs-stamping-failed");
    let probe = FakeProbe(
        "fatal: detected dubious ownership in repository at '/src'\nTo add an exception for this directory, call:\n\n\tgit config --global --add safe.directory /src",
    );
    let ctx = Context {
        env: Some(GoEnv::default()),
        probes: &probe,
        cwd: Some("/src".into()),
        in_container: true,
    };
    let d = diagnose(log.as_bytes(), &set, &ctx);
    assert_eq!(d[0].rule.id, "vcs-dubious-ownership");
    assert!(d.iter().all(|x| x.rule.id != "vcs-stamping-failed"));
    let text = render::text(&d, &opts(Lang::En));
    insta::assert_snapshot!("dubious_probe", text);
    assert!(text.contains("git config --global --add safe.directory /src"));
}

#[test]
fn origin_url_from_the_cache_is_redacted() {
    let set = RuleSet::builtin();
    let ctx = Context {
        env: Some(GoEnv::default()),
        probes: &FakeProbe(""),
        cwd: None,
        in_container: false,
    };
    let d = diagnose(AUTH.as_bytes(), &set, &ctx);
    let text = render::text(&d, &opts(Lang::En));
    assert!(
        text.contains("https://***@github.com/acme/api") || text.contains("x-access-token:***@"),
        "{text}"
    );
    assert!(!text.contains("ghs_0123456789"), "{text}");
}
