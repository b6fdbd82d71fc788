//! Arbitrary bytes through the whole classifier and both renderers:
//! no panic, and (libFuzzer's -timeout) no super-linear blow-up.
#![no_main]

use gotriage::diagnose::{Context, diagnose};
use gotriage::i18n::Lang;
use gotriage::render::{self, Options, Source};
use gotriage::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let set = RuleSet::builtin();
    let found = diagnose(data, &set, &Context::offline());
    for lang in [Lang::En, Lang::Zh] {
        let opts = Options { lang, color: false, source: Source::Stderr, github_actions: true };
        let _ = render::text(&found, &opts);
        let _ = render::json(&found, lang);
    }
});
