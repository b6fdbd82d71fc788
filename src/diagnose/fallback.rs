//! Structure when no rule fits: git's lines in a language the rules do not
//! know (a git newer than the generated table, a translation gotriage has no
//! catalog for) still sit in go's `git … in DIR: exit status 128:` block,
//! and the block's shape shows the stage without reading git's words:
//!
//! * a network git command (`ls-remote`, `fetch`, …) whose git lines quote an
//!   `http(s)://` URL in some quotation marks, and nothing a rule knows: the
//!   server refused the repository itself (git quotes the URL in "repository
//!   '%s' not found" and "Authentication failed for '%s'"; curl's own
//!   reasons are English and matched by rules): `repo-not-found`, with
//!   `https-auth-rejected` as the alternative the text cannot rule out;
//! * a local git command (`init`, `config`, `version`) whose git lines quote
//!   an absolute path outside its directory: git cannot read a file of its
//!   own configuration: `git-config-invalid`.
//!
//! Such a diagnosis has low confidence and the lowest rank: any rule that
//! fits anywhere comes first.

use super::normalize::Line;
use super::structure::{Side, Structure};

/// What the structure of one record shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Guess {
    pub id: &'static str,
    /// Index of the evidence line.
    pub line: usize,
    /// Values read from the structure (`url`, `host`, `path`).
    pub values: Vec<(&'static str, String)>,
    /// IDs the same structure cannot rule out.
    pub alternatives: &'static [&'static str],
}

/// Opening and closing quotation marks git's translations use.
const QUOTES: &[(char, char)] = &[
    ('\'', '\''),
    ('"', '"'),
    ('«', '»'),
    ('„', '“'),
    ('„', '”'),
    ('“', '”'),
    ('‘', '’'),
    ('「', '」'),
    ('『', '』'),
];

/// Every quoted string on a line (any of [`QUOTES`]), with what follows
/// its closing mark.
fn quoted(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for (i, c) in text.char_indices() {
        for &(open, close) in QUOTES {
            if c != open {
                continue;
            }
            let rest = &text[i + c.len_utf8()..];
            if let Some(end) = rest.find(close)
                && end > 0
            {
                out.push((&rest[..end], &rest[end + close.len_utf8()..]));
            }
        }
    }
    out
}

/// Whether a reason follows a quoted value (`'URL': The requested URL
/// returned error: 500`): curl's or the system's words, which rules read.
fn reason_follows(after: &str) -> bool {
    let after = after.trim_start();
    (after.starts_with(':') || after.starts_with('：'))
        && after
            .trim_start_matches([':', '：', ' '])
            .chars()
            .any(char::is_alphanumeric)
}

/// git commands that talk to a server / that only read local files.
fn is_network(cmd: &str) -> bool {
    ["git ls-remote", "git fetch", "git clone"]
        .iter()
        .any(|p| cmd.starts_with(p))
}

fn is_local(cmd: &str) -> bool {
    ["git init", "git config", "git version", "git --version"]
        .iter()
        .any(|p| cmd.starts_with(p))
}

fn absolute(p: &str) -> bool {
    p.starts_with('/')
        || p.starts_with('~')
        || (p.len() > 2 && p.as_bytes()[1] == b':' && matches!(p.as_bytes()[2], b'\\' | b'/'))
}

/// What record `ri`'s structure shows, if it is a git block that does.
pub(super) fn guess(lines: &[Line], st: &Structure, ri: usize) -> Option<Guess> {
    let rec = st.records.get(ri)?;
    let cmd = rec.git_command.as_deref()?;
    let dir = rec.git_dir.as_deref().unwrap_or_default();
    for (i, line) in lines.iter().enumerate().take(rec.end).skip(rec.first) {
        if st.sides.get(i) != Some(&Side::Git) {
            continue;
        }
        for (q, after) in quoted(&line.text) {
            if q.contains(char::is_whitespace) {
                continue;
            }
            if is_network(cmd)
                && (q.starts_with("https://") || q.starts_with("http://"))
                && !reason_follows(after)
            {
                let host = q
                    .split("://")
                    .nth(1)
                    .and_then(|r| r.split(['/', ':']).next())
                    .map(|h| h.rsplit('@').next().unwrap_or(h).to_owned())
                    .unwrap_or_default();
                let mut values = vec![("url", q.to_owned())];
                if !host.is_empty() {
                    values.push(("host", host));
                }
                return Some(Guess {
                    id: "repo-not-found",
                    line: i,
                    values,
                    alternatives: &["https-auth-rejected"],
                });
            }
            if is_local(cmd) && absolute(q) && (dir.is_empty() || !q.starts_with(dir)) {
                return Some(Guess {
                    id: "git-config-invalid",
                    line: i,
                    values: vec![("path", q.to_owned())],
                    alternatives: &[],
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::normalize::normalize;
    use crate::diagnose::structure::parse;

    fn guess_text(s: &str) -> Option<Guess> {
        let lines = normalize(s.as_bytes());
        let st = parse(&lines);
        (0..st.records.len()).find_map(|ri| guess(&lines, &st, ri))
    }

    #[test]
    fn quotes_of_every_script() {
        let q: Vec<&str> = quoted("a 'x' b «y» c „z“ d 「w」")
            .into_iter()
            .map(|(q, _)| q)
            .collect();
        assert_eq!(q, vec!["x", "y", "z", "w"]);
        assert!(quoted("it's").is_empty());
    }

    #[test]
    fn a_quoted_url_in_a_network_block_is_the_repository() {
        // Not a real message: a language no catalog has.
        let g = guess_text(
            "go: a.test/b@v1.0.0: invalid version: git ls-remote -q --end-of-options https://a.test/b in /r/pkg/mod/cache/vcs/x: exit status 128:\n\
             \tXyzzy: plugh «https://a.test/b/» frobozz\n",
        )
        .expect("a guess");
        assert_eq!(g.id, "repo-not-found");
        assert_eq!(g.values[0], ("url", "https://a.test/b/".to_owned()));
        assert_eq!(g.values[1], ("host", "a.test".to_owned()));
        // A reason after the URL is curl's (rules read it; a 500 is none of
        // these causes); the same line outside a git block, or in a local
        // command's block, shows nothing.
        assert_eq!(
            guess_text(
                "go: a.test/b@v1.0.0: invalid version: git fetch -f origin in /r/pkg/mod/cache/vcs/x: exit status 128:\n\
                 \tXyzzy: plugh 'https://a.test/b/': The requested URL returned error: 500\n"
            ),
            None
        );
        assert_eq!(
            guess_text("Xyzzy: plugh «https://a.test/b/» frobozz\n"),
            None
        );
        assert_eq!(
            guess_text(
                "go: x: git init --bare in /r/pkg/mod/cache/vcs/x: exit status 128:\n\
                 \tXyzzy: «https://a.test/b/»\n"
            ),
            None
        );
    }

    #[test]
    fn a_quoted_path_in_a_local_block_is_the_configuration() {
        let g = guess_text(
            "go: a.test/b@v1.0.0: git init --bare in /r/pkg/mod/cache/vcs/x: exit status 128:\n\
             \tXyzzy: plugh '/home/u/.gitconfig': frobozz\n",
        )
        .expect("a guess");
        assert_eq!(g.id, "git-config-invalid");
        assert_eq!(g.values, vec![("path", "/home/u/.gitconfig".to_owned())]);
        // A path inside the command's own directory is not configuration.
        assert_eq!(
            guess_text(
                "go: x: git init --bare in /r/pkg/mod/cache/vcs/x: exit status 128:\n\
                 \tXyzzy: '/r/pkg/mod/cache/vcs/x/config'\n"
            ),
            None
        );
    }
}
