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
//!   own configuration: `git-config-invalid`;
//! * a git command run in go's cache repository (`…/pkg/mod/cache/vcs/<hash>`)
//!   whose git lines name that repository itself, quoted, or a file of its
//!   own (`objects/…`, `config`, `HEAD`) with no reason after it: git finds
//!   the cache's clone broken: `vcs-cache-corrupt`.  So does go's
//!   `git remote add origin` there ending with git's status 3 (the remote is
//!   already there: go runs it only on a clone it has just created).  A
//!   block that shows git's `safe.directory` advice is about ownership, not
//!   damage, and a path followed by `: reason` is the system's words, which
//!   rules read.
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

/// Files of a git repository whose damage breaks it.
const REPO_FILES: &[&str] = &["objects/", "config", "HEAD"];

/// Whether `c` closes a quotation ([`QUOTES`]) or a parenthesis.
fn closes(c: char) -> bool {
    c == ')' || QUOTES.iter().any(|&(_, close)| close == c)
}

/// Whether `line` names cache repository `cache` itself (quoted) or one of
/// its [`REPO_FILES`], with no `: reason` after it.
fn names_cache_file(line: &str, cache: &str) -> bool {
    let quoted_dir = quoted(line)
        .iter()
        .any(|(q, after)| q.trim_end_matches(['/', '\\']) == cache && !reason_follows(after));
    quoted_dir
        || line.match_indices(cache).any(|(at, _)| {
            let Some(rest) = line[at + cache.len()..].strip_prefix(['/', '\\']) else {
                return false;
            };
            let end = rest
                .find(|c: char| c.is_whitespace() || closes(c))
                .unwrap_or(rest.len());
            let file = rest[..end].trim_end_matches([':', ',', '.']);
            let after = rest[file.len()..].trim_start_matches(closes);
            let file = file.replace('\\', "/");
            REPO_FILES.iter().any(|f| match f.strip_suffix('/') {
                Some(_) => file.starts_with(f) && file.len() > f.len(),
                None => file == *f,
            }) && !reason_follows(after)
        })
}

/// What record `ri`'s structure shows, if it is a git block that does.
pub(super) fn guess(lines: &[Line], st: &Structure, ri: usize) -> Option<Guess> {
    let rec = st.records.get(ri)?;
    let cmd = rec.git_command.as_deref()?;
    let dir = rec.git_dir.as_deref().unwrap_or_default();
    let git_lines = || (rec.first..rec.end).filter(|&i| st.sides.get(i) == Some(&Side::Git));
    if let Some(cache) = rec.cache_dir.as_deref()
        && !lines[rec.first..rec.end]
            .iter()
            .any(|l| l.text.contains("safe.directory"))
    {
        let broken = if cmd.starts_with("git remote add origin") && rec.git_status == Some(3) {
            Some(git_lines().next().unwrap_or(rec.first))
        } else {
            git_lines().find(|&i| names_cache_file(&lines[i].text, cache))
        };
        if let Some(line) = broken {
            return Some(Guess {
                id: "vcs-cache-corrupt",
                line,
                values: vec![("cache_dir", cache.to_owned())],
                alternatives: &[],
            });
        }
    }
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
    fn the_cache_repository_naming_its_own_files_is_broken() {
        // Not real messages: a language no catalog has, around the paths.
        let dir =
            "/r/pkg/mod/cache/vcs/fa96790492bc7c5a5c0ebed6b06ed468cef0a7bcaff82ebd4a70b5f61be4c190";
        let block = |cmd: &str, status: &str, git: &str| {
            format!("go: a.test/b@v1.0.0: {cmd} in {dir}: exit status {status}:\n\t{git}\n")
        };
        let fetch = "git fetch -f origin refs/heads/*:refs/heads/*";
        for git in [
            format!("Xyzzy: plugh «{dir}»"),
            format!("Xyzzy: plugh '{dir}/'"),
            format!("Xyzzy: plugh {dir}/objects/f7/fe5a8d64 frob"),
            format!("Xyzzy: plugh {dir}/config"),
            format!("Xyzzy: plugh ({dir}/objects/pack/pack-1.pack) frob"),
        ] {
            let g = guess_text(&block(fetch, "128", &git)).expect(&git);
            assert_eq!(g.id, "vcs-cache-corrupt", "{git}");
            assert_eq!(g.values, vec![("cache_dir", dir.to_owned())]);
        }
        // The system's reason after the path (a full disk, permissions),
        // another file of the directory, git's ownership advice, or the
        // same path outside a cache repository: not a broken clone.
        for text in [
            block(
                fetch,
                "128",
                &format!("Xyzzy: '{dir}/objects/pack/tmp_1': frob plugh"),
            ),
            block(
                fetch,
                "128",
                &format!("Xyzzy: {dir}/objects/pack/tmp_1: frob"),
            ),
            block(fetch, "128", &format!("Xyzzy: '{dir}/shallow.lock' frob")),
            block(
                fetch,
                "128",
                &format!("Xyzzy: '{dir}'\n\tgit config --global --add safe.directory {dir}"),
            ),
            format!("go: x: {fetch} in /src/app: exit status 128:\n\tXyzzy: '/src/app/config'\n"),
        ] {
            assert_eq!(guess_text(&text), None, "{text}");
        }
        // go adds the remote only to a clone it has just created: git's
        // status 3 (the remote is already there) means a broken one.
        let add = "git remote add origin -- https://a.test/b";
        let g = guess_text(&block(add, "3", "Xyzzy: plugh origin frob.")).expect("a guess");
        assert_eq!((g.id, g.line), ("vcs-cache-corrupt", 1));
        assert_eq!(
            guess_text(&block(add, "128", "Xyzzy: plugh origin frob.")),
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
