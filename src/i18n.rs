//! English or Chinese.
//!
//! Order: `GOTRIAGE_LANG`, then the config file's `lang`, then the locale
//! (`LC_ALL`, else `LC_MESSAGES`, else `LANG`, as POSIX resolves them): a
//! locale starting with `zh` gives Chinese, anything else English.
//!
//! The config key ranks above the locale on purpose: containers and CI
//! runners usually carry a machine default such as `C.UTF-8`, and a user who
//! wrote `lang = "zh"` into their config asked for Chinese explicitly.

/// The language of gotriage's own text (go's and git's are left alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// Parses `en`, `zh`, or a locale name such as `zh_CN.UTF-8`.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if s.len() >= 2 && s[..2].eq_ignore_ascii_case("zh") {
            Some(Lang::Zh)
        } else {
            Some(Lang::En)
        }
    }

    /// Picks the language from explicit values (for tests and the CLI).
    pub fn choose(
        gotriage_lang: Option<&str>,
        config_lang: Option<&str>,
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        fn nonempty(v: Option<&str>) -> Option<&str> {
            v.filter(|s| !s.trim().is_empty())
        }
        nonempty(gotriage_lang)
            .or(nonempty(config_lang))
            .or(nonempty(lc_all))
            .or(nonempty(lc_messages))
            .or(nonempty(lang))
            .and_then(Lang::parse)
            .unwrap_or_default()
    }

    /// Picks the language from the process environment and the config file.
    pub fn detect(config_lang: Option<&str>) -> Lang {
        let v = |n: &str| std::env::var(n).ok();
        Lang::choose(
            v(crate::config::vars::LANG).as_deref(),
            config_lang,
            v("LC_ALL").as_deref(),
            v("LC_MESSAGES").as_deref(),
            v("LANG").as_deref(),
        )
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_parsing() {
        assert_eq!(Lang::choose(None, None, None, None, None), Lang::En);
        assert_eq!(
            Lang::choose(None, None, None, None, Some("zh_CN.UTF-8")),
            Lang::Zh
        );
        assert_eq!(
            Lang::choose(None, None, Some("C"), None, Some("zh_CN.UTF-8")),
            Lang::En
        );
        assert_eq!(
            Lang::choose(None, None, Some(""), Some("zh_TW"), None),
            Lang::Zh
        );
        assert_eq!(
            Lang::choose(None, Some("zh"), Some("C.UTF-8"), None, None),
            Lang::Zh
        );
        assert_eq!(
            Lang::choose(Some("en"), Some("zh"), None, None, Some("zh_CN")),
            Lang::En
        );
        assert_eq!(Lang::choose(Some("ZH"), None, None, None, None), Lang::Zh);
    }
}
