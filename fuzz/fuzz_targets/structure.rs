//! The hand-written parsers alone (normaliser, go's structure, goenv glob
//! matching): thousands of inputs a second, where the full classifier
//! (which compiles regexes per input) manages tens.
#![no_main]

use gotriage::diagnose::goenv::{match_prefix_patterns, path_match};
use gotriage::diagnose::{normalize, structure};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = normalize::normalize(data);
    let st = structure::parse(&lines);
    assert_eq!(st.sides.len(), lines.len());
    assert_eq!(st.record_of.len(), lines.len());
    for r in &st.records {
        assert!(r.first < r.end && r.end <= lines.len());
    }
    // Split the input into a glob list and a module path.
    let text = String::from_utf8_lossy(data);
    if let Some((globs, target)) = text.split_once('\n') {
        let _ = match_prefix_patterns(globs, target);
        let _ = path_match(globs, target);
    }
});
