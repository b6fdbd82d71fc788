//! The redactor: no panic on any input, and idempotent.
#![no_main]

use gotriage::redact::redact;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = redact(&text).into_owned();
    assert_eq!(redact(&once), once.as_str());
});
