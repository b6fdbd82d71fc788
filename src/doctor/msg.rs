//! The doctor's words: every message it shows, in English and Chinese, is
//! an entry of the catalogue `src/doctor/messages.toml` (one id, `en`, `zh`,
//! named `{placeholders}`), which build.rs turns into one struct per id.
//! Code says `t!(lang, id, field, other = expr)`; the compiler checks the
//! rest: an unknown id or an unfilled placeholder does not build, and an
//! entry no code uses is dead code.

use std::fmt::Display;

use crate::i18n::Lang;

/// A catalogue entry with its placeholders filled.
pub(crate) trait Message {
    fn text(&self, lang: Lang) -> String;
}

/// The catalogue, generated (build/doctor_messages.rs).
#[allow(non_camel_case_types, clippy::all)]
mod catalogue {
    use super::{Display, Lang, Message};
    include!(concat!(env!("OUT_DIR"), "/doctor_messages.rs"));
}
pub(crate) use catalogue::*;

/// `t!(lang, id, a, b = expr)`: message `id` of the catalogue in `lang`,
/// placeholder `{a}` filled with `a` and `{b}` with `expr` (both borrowed).
macro_rules! t {
    ($lang:expr, $id:ident $(, $field:ident $(= $value:expr)?)* $(,)?) => {
        $crate::doctor::msg::Message::text(
            &$crate::doctor::msg::$id { $($field: &t!(@value $field $(, $value)?)),* },
            $lang,
        )
    };
    (@value $field:ident) => { $field };
    (@value $field:ident, $value:expr) => { $value };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both languages use the same placeholders (a translation that drops
    /// one loses information), unless a number is counted differently
    /// (`a and 2 more` / `a 等 3 个模块`).
    #[test]
    fn catalogue_entries_translate_every_placeholder() {
        let table: toml::Table = include_str!("messages.toml").parse().unwrap();
        let names = |s: &str| {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| Some(p.split_once('}')?.0.split(':').next()?.to_owned()))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let allowed_to_differ = ["goenv_and_more"];
        for (id, e) in &table {
            let (en, zh) = (e["en"].as_str().unwrap(), e["zh"].as_str().unwrap());
            if !allowed_to_differ.contains(&id.as_str()) {
                assert_eq!(names(en), names(zh), "{id}: {en} / {zh}");
            }
        }
    }

    #[test]
    fn fills_placeholders_in_the_chosen_language() {
        let (problem, warn) = (1, 2);
        let tally = |lang| t!(lang, report_tally, problem, warn, ok = 3, skip = "0");
        assert_eq!(
            tally(Lang::En),
            "1 problem(s), 2 warning(s), 3 ok, 0 skipped"
        );
        assert_eq!(tally(Lang::Zh), "1 个问题，2 个警告，3 项正常，0 项跳过");
        assert_eq!(
            t!(Lang::Zh, probe_no_answer_within, shown = "x", timeout = 4.6),
            "x：5 秒内没有回应"
        );
    }
}
