//! Commands shown to the user: a word quoted for a POSIX shell, and the
//! doctor command that settles an ambiguous diagnosis.

/// The command that settles an ambiguous diagnosis for `module`: for the
/// diagnosis renderer's `help:` line ("to tell them apart, run …").
pub fn suggestion(module: &str) -> String {
    let m = crate::redact::redact(module.trim());
    if m.is_empty() {
        "gotriage doctor --network".to_owned()
    } else {
        format!("gotriage doctor {}", shell_word(&m))
    }
}

/// A word as a POSIX shell reads it: quoted only when it has to be
/// (`*.corp.example` would be expanded by the shell otherwise).  A leading
/// `~/` stays unquoted so that the shell expands it.
pub fn shell_word(s: &str) -> String {
    if let Some(rest) = s.strip_prefix("~/") {
        let r = shell_word(rest);
        return if r.starts_with('\'') {
            format!("~/{r}")
        } else {
            format!("~/{rest}")
        };
    }
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'/' | b'.' | b'-' | b'_' | b',' | b':' | b'@' | b'=' | b'+'
                )
        });
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_is_a_pasteable_command() {
        assert_eq!(
            suggestion("github.com/acme/api"),
            "gotriage doctor github.com/acme/api"
        );
        assert_eq!(
            suggestion("github.com/acme/api@v1.2.3"),
            "gotriage doctor github.com/acme/api@v1.2.3"
        );
        assert_eq!(suggestion(""), "gotriage doctor --network");
        assert_eq!(suggestion("x y"), "gotriage doctor 'x y'");
        assert!(
            !suggestion("https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/x")
                .contains("ghp_0")
        );
    }

    #[test]
    fn shell_words() {
        assert_eq!(
            shell_word("github.com/acme,git.corp"),
            "github.com/acme,git.corp"
        );
        assert_eq!(shell_word("*.corp.example"), "'*.corp.example'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("~/.netrc"), "~/.netrc");
        assert_eq!(shell_word("~/my file"), "~/'my file'");
    }
}
