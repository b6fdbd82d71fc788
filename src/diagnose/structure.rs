//! go's error structure: which lines are go's, which are git's, which are a
//! server's answer, and what module, version, URL and cache directory a
//! failure is about.
//!
//! go prints a failed fetch as a chain of wrappers around a leaf
//! (docs/design.md §3.1–3.2): `go: M@V: invalid version: ` + a git `RunError`
//! (`git ARGS in DIR: exit status 128:` followed by git's stderr, each line
//! TAB-indented, then go's unindented help lines), or an HTTP error
//! (`reading URL: 404 Not Found` + `\tserver response: …` body lines).  A
//! *record* is one such failure: an unindented line and everything that
//! belongs to it.  The side of each line matters: a proxy's or checksum
//! database's 404 body may quote *their* git's error (proxy.golang.org cannot
//! read a private repository), which is not a problem with the user's git.
//!
//! Hand-written string parsing, linear in the input, no regex.

use super::normalize::Line;

/// Who produced a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// go's own text: wrappers, help lines, progress.
    Go,
    /// The user's git (a RunError's stderr), or raw tool output outside
    /// go's structure (`go build -v` echoes git's stderr unindented).
    Git,
    /// The body of an HTTP error answer (`server response:`).
    Body,
    /// Output of a probe gotriage ran itself (see `probe`).
    Probe,
}

impl Side {
    /// The bit of this side in `rules::Sides`.
    pub fn bit(self) -> u8 {
        match self {
            Side::Go => crate::rules::Sides::GO,
            Side::Git => crate::rules::Sides::GIT,
            Side::Body => crate::rules::Sides::BODY,
            Side::Probe => crate::rules::Sides::PROBE,
        }
    }
}

pub use super::stage::{Server, classify_server};

/// One failure: an unindented line and the lines that belong to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// Index of the first line (into the line list).
    pub first: usize,
    /// Index one past the last line.
    pub end: usize,
    pub module: Option<String>,
    pub version: Option<String>,
    /// The module whose go.mod requires `module`, when go printed the
    /// chain (`P@V requires` on the line before): a module another owner's
    /// module depends on is public.
    pub required_by: Option<String>,
    /// The git command of a RunError (`git ls-remote -q origin`).
    pub git_command: Option<String>,
    /// The exit status a RunError names (`…: exit status 128`).
    pub git_status: Option<u8>,
    /// The directory a RunError ran in.
    pub git_dir: Option<String>,
    /// `…/pkg/mod/cache/vcs/<64 hex>`, when the git directory is one.
    pub cache_dir: Option<String>,
    /// A repository or HTTP URL named by go's text.
    pub url: Option<String>,
    pub http_status: Option<String>,
    pub server: Option<Server>,
    /// The first URL git's own lines quote (`Authentication failed for
    /// 'https://…@gitlab.com/a/b.git/'`): the host git really talked to,
    /// which an `insteadOf` rewrite may have made another than the module's.
    pub git_url: Option<String>,
}

/// The structure of a log: a side and a record for each line.
#[derive(Debug, Clone, Default)]
pub struct Structure {
    pub sides: Vec<Side>,
    /// Index into `records` for each line.
    pub record_of: Vec<usize>,
    pub records: Vec<Record>,
    /// For each line: the stage go's error grammar shows on it, if any.
    pub stages: Vec<Option<super::stage::Stage>>,
}

/// Unindented lines go prints inside a failure, after its git stderr or
/// checksum error, that do not start a new one.
const CONTINUATIONS: &[&str] = &[
    "Confirm the import path was entered correctly.",
    "If this is a private repository, see ",
    "SECURITY ERROR",
    "This download does NOT match",
    "The checksum server has provided checksums",
    "For more information, see 'go help module-auth'.",
    "go.sum database server misbehavior detected!",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Indented lines are go's own continuation text.
    Plain,
    /// After `… requires` / `… imports`: the next indented line continues
    /// go's wrapper chain.
    Chain,
    /// After `git … in DIR: exit status N:`: indented lines are git's stderr.
    Git,
    /// After `reading URL: STATUS`: a `server response:` line may follow.
    Http,
    /// Inside a `server response:` body.
    Body,
}

/// Reads the structure of normalised lines.
pub fn parse(lines: &[Line]) -> Structure {
    let mut st = Structure {
        sides: Vec::with_capacity(lines.len()),
        record_of: Vec::with_capacity(lines.len()),
        records: Vec::new(),
        stages: Vec::with_capacity(lines.len()),
    };
    let mut mode = Mode::Plain;
    // Whether the current git block or server answer came without its
    // TABs (`None` until its first line shows it).
    let mut untabbed_block: Option<bool> = None;
    // Inside a GOPATH-mode `# cd DIR; git …` block: go echoes the command,
    // git's lines follow unindented, and `package P: exit status N` ends it.
    let mut gopath_block = false;
    for (i, line) in lines.iter().enumerate() {
        let text = line.text.as_str();
        let mode_before = mode;
        let block_start = gopath_command(text);
        let in_block = gopath_block
            && !block_start
            && !text.starts_with("go: ")
            && !text.starts_with("# ")
            && !text.is_empty();
        let block_end = in_block && text.starts_with("package ");
        gopath_block = block_start || (in_block && !block_end);
        // go indents with TABs; logs pasted into issues or re-emitted by
        // tools often turn them into spaces, so two or more count too.
        let indented = text.starts_with('\t') || text.starts_with("  ");
        // Pasted logs often lose the TAB before git's lines and a server's
        // answer: inside such a block, a line that is not go's own goes on.
        if matches!(mode, Mode::Git | Mode::Body) && untabbed_block.is_none() && !text.is_empty() {
            untabbed_block = Some(!indented);
        }
        let untabbed = !indented
            && untabbed_block == Some(true)
            && matches!(mode, Mode::Git | Mode::Body)
            && !text.is_empty()
            && header(text, &mut Record::default()).0 == Side::Git
            && !CONTINUATIONS.iter().any(|c| text.starts_with(c));
        let untabbed_body = !indented
            && matches!(mode, Mode::Http | Mode::Plain)
            && text.starts_with("server response:");
        // A paste wrapped inside a path (`… in /` then `tmp/gopath/pkg/…`):
        // the rest of the line, not a new record.
        let wrapped = !indented
            && matches!(mode, Mode::Git | Mode::Body)
            && i > 0
            && lines[i - 1].text.ends_with(['/', '\\'])
            && text.split(['/', '\\']).next().is_some_and(|first| {
                !first.is_empty()
                    && first
                        .chars()
                        .all(|c| c.is_alphanumeric() || "._-".contains(c))
            });
        // A bare line number that a CI page's copy put between the lines
        // of one error (GitHub Actions): not a record of its own.
        let line_number = {
            let t = text.trim();
            !t.is_empty() && t.len() <= 6 && t.bytes().all(|b| b.is_ascii_digit())
        };
        let continues = !st.records.is_empty()
            && (indented
                || line_number
                || untabbed
                || untabbed_body
                || wrapped
                || in_block
                || CONTINUATIONS.iter().any(|c| text.starts_with(c)));
        if !continues {
            st.records.push(Record {
                first: i,
                end: i,
                ..Record::default()
            });
            mode = Mode::Plain;
        }
        let ri = st.records.len() - 1;
        let rec = &mut st.records[ri];
        rec.end = i + 1;
        let side = if !continues {
            let (side, next) = header(text, rec);
            if block_start {
                // go's echo of the command; git's lines follow.
                mode = Mode::Git;
                Side::Go
            } else {
                mode = next;
                side
            }
        } else if line_number {
            Side::Go
        } else if block_end {
            header(text, rec);
            mode = Mode::Plain;
            Side::Go
        } else if in_block && !indented {
            mode = Mode::Git;
            Side::Git
        } else if untabbed_body {
            mode = Mode::Body;
            Side::Body
        } else if wrapped || untabbed {
            // The block goes on, whatever its lines lost.
            if mode == Mode::Git {
                Side::Git
            } else {
                Side::Body
            }
        } else if !indented {
            Side::Go
        } else {
            let inner = text.trim_start();
            match mode {
                Mode::Chain => {
                    let (_, next) = header(inner, rec);
                    mode = next;
                    Side::Go
                }
                Mode::Git => Side::Git,
                Mode::Http => {
                    if inner.starts_with("server response:") {
                        mode = Mode::Body;
                        Side::Body
                    } else {
                        Side::Go
                    }
                }
                Mode::Body => Side::Body,
                // A body can follow an HTTP error go printed inside a wrapper
                // this parser does not know; it is still the server's text.
                Mode::Plain if inner.starts_with("server response:") => {
                    mode = Mode::Body;
                    Side::Body
                }
                Mode::Plain => Side::Go,
            }
        };
        if side == Side::Git && rec.git_url.is_none() {
            rec.git_url = quoted_git_url(text);
        }
        if mode != mode_before {
            // A server answer shows on its own `server response:` line
            // whether TABs survived; a git block on its first line.
            untabbed_block = (mode == Mode::Body).then_some(!indented);
        }
        st.sides.push(side);
        st.record_of.push(ri);
        st.stages.push(super::stage::read(text));
    }
    st
}

/// go's wrappers read past, as (prefix, end, a text between them must
/// hold): what they name is not needed.
const WRAPPERS: &[(&str, &str, &str)] = &[
    // `reading M/go.mod at revision V: ` (go's module fetch, before the
    // git command that failed); not `reading URL: 404 …`, a leaf.
    ("reading ", ": ", " at revision "),
    ("cannot find module providing package ", ": ", ""),
    // `version "V" invalid: ` (go.mod's `require M: version …`).
    ("version \"", "\" invalid: ", ""),
];

/// What follows go's own `go SUBCOMMAND[ ARG…]: ` (go 1.16–1.17 printed
/// `go get: module M: …`, `go mod download: …`, `go get PATH: …`).
fn subcommand_prefix(s: &str) -> Option<&str> {
    const SUBCOMMANDS: &[&str] = &[
        "build", "get", "install", "list", "mod", "run", "test", "vet", "work", "generate",
    ];
    let rest = s.strip_prefix("go ")?;
    let (head, after) = rest.split_once(": ")?;
    let mut words = head.split(' ');
    let sub = words.next()?;
    (SUBCOMMANDS.contains(&sub) && words.count() <= 4 && !head.contains("git ")).then_some(after)
}

/// `# cd DIR; git clone …` (or hg, svn, bzr, fossil): GOPATH-mode go
/// echoing the VCS command whose output follows.
fn gopath_command(text: &str) -> bool {
    text.strip_prefix("# cd ")
        .and_then(|rest| rest.split_once("; "))
        .is_some_and(|(_, cmd)| {
            ["git ", "hg ", "svn ", "bzr ", "fossil "]
                .iter()
                .any(|v| cmd.starts_with(v))
        })
}

/// Parses a record's first line (or a chain continuation): go's wrappers,
/// then the leaf.  Returns the line's side and the mode for what follows.
fn header(text: &str, rec: &mut Record) -> (Side, Mode) {
    let mut s = text.trim_start();
    let mut is_go = false;
    if let Some(rest) = s.strip_prefix("go: ").or_else(|| subcommand_prefix(s)) {
        s = rest;
        is_go = true;
    }
    if let Some(rest) = strip_position(s) {
        s = rest;
        is_go = true;
    }
    // GOPATH-era `package P: unrecognized import path …`.
    if s.starts_with("package ")
        && let Some((_, after)) = s.split_once(": ")
    {
        s = after;
        is_go = true;
    }
    loop {
        if let Some(rest) = s.strip_prefix("module ")
            && let Some((m, after)) = rest.split_once(": ")
            && looks_like_path(m)
        {
            rec.module = Some(m.to_owned());
            rec.version = None;
            s = after;
            is_go = true;
            continue;
        }
        if let Some(rest) = s.strip_prefix("verifying ")
            && let Some((what, after)) = rest.split_once(": ")
        {
            set_module_version(rec, what.trim_end_matches("/go.mod"));
            s = after;
            is_go = true;
            continue;
        }
        if let Some(after) = WRAPPERS.iter().find_map(|(prefix, end, within)| {
            let (what, after) = s.strip_prefix(prefix)?.split_once(end)?;
            what.contains(within).then_some(after)
        }) {
            s = after;
            is_go = true;
            continue;
        }
        if let Some(rest) = ["invalid version: ", "invalid pseudo-version: "]
            .iter()
            .find_map(|p| s.strip_prefix(p))
        {
            s = rest;
            is_go = true;
            continue;
        }
        // go.mod's `require M: version "V" invalid: …` (after its position).
        if let Some(rest) = s.strip_prefix("require ")
            && let Some((m, after)) = rest.split_once(": ")
            && looks_like_path(m)
        {
            rec.module = Some(m.to_owned());
            s = after;
            is_go = true;
            continue;
        }
        // `M@V: …`, `M@V requires` / `M imports` (end of line), `M@V updating to`.
        let token_end = s.find([' ', ':']).unwrap_or(s.len());
        let token = &s[..token_end];
        let after = &s[token_end..];
        if token.contains('@') && looks_like_path(token.split('@').next().unwrap_or("")) {
            // `M@V (replaced by R@V2): …`: the fetch is of the replacement.
            if let Some(rest) = after.strip_prefix(" (replaced by ")
                && let Some((by, rest)) = rest.split_once("): ")
            {
                set_module_version(rec, by.split(' ').next().unwrap_or(by));
                s = rest;
                is_go = true;
                continue;
            }
            if let Some(rest) = after.strip_prefix(": ") {
                set_module_version(rec, token);
                s = rest;
                is_go = true;
                continue;
            }
            if after == " requires" || after == ":" || after.starts_with(" updating to") {
                set_module_version(rec, token);
                if after == " requires" {
                    rec.required_by = rec.module.clone();
                }
                return (Side::Go, Mode::Chain);
            }
        }
        if after == " imports" && looks_like_path(token) {
            return (Side::Go, Mode::Chain);
        }
        // A package path in an import chain: `P: <error about its module>`.
        if let Some(rest) = after.strip_prefix(": ")
            && looks_like_path(token)
            && token.contains('/')
        {
            s = rest;
            is_go = true;
            continue;
        }
        break;
    }
    if let Some(mode) = leaf(s, rec) {
        return (Side::Go, mode);
    }
    let go_leaf = [
        "error obtaining VCS status:",
        "verifying ",
        "unrecognized import path",
    ]
    .iter()
    .any(|p| s.starts_with(p));
    if is_go || go_leaf {
        (Side::Go, Mode::Plain)
    } else {
        (Side::Git, Mode::Plain)
    }
}

/// Recognises a RunError or an HTTP error leaf.
fn leaf(s: &str, rec: &mut Record) -> Option<Mode> {
    if s.starts_with("git ") {
        // `git ARGS in DIR: exit status N[:]`; args are joined unquoted, so
        // find the last ` in ` before the exec error.
        let err_at = [": exit status ", ": signal: ", ": exec: "]
            .iter()
            .filter_map(|m| s.find(m))
            .min()?;
        let cmd_part = &s[..err_at];
        // Older go printed no ` in DIR`.
        let (cmd, dir) = cmd_part.rsplit_once(" in ").unwrap_or((cmd_part, ""));
        rec.git_command = Some(cmd.to_owned());
        rec.git_status = s[err_at..]
            .strip_prefix(": exit status ")
            .and_then(|n| n.trim_end_matches(':').parse().ok());
        rec.git_dir = (!dir.is_empty()).then(|| dir.to_owned());
        rec.cache_dir = cache_dir_of(dir);
        if let Some(url) = cmd.split(' ').find(|a| is_url(a)) {
            rec.url.get_or_insert_with(|| url.to_owned());
        }
        return Some(if s.ends_with(':') {
            Mode::Git
        } else {
            Mode::Plain
        });
    }
    let rest = s.strip_prefix("reading ")?;
    let (url, status) = rest.split_once(": ")?;
    if !is_url(url) {
        return None;
    }
    rec.server = Some(classify_url(url, rec));
    rec.url = Some(url.to_owned());
    rec.http_status = Some(status.to_owned());
    Some(Mode::Http)
}

fn classify_url(url: &str, rec: &Record) -> Server {
    match classify_server(url) {
        Server::Other if rec.module.is_some() && url.contains("/sum.golang") => Server::Sumdb,
        server => server,
    }
}

/// A URL git quotes in its message: `… for 'URL'`, `unable to access 'URL':`.
fn quoted_git_url(text: &str) -> Option<String> {
    let mut parts = text.split('\'');
    parts.next()?;
    parts
        .step_by(2)
        .find(|q| {
            (q.starts_with("https://") || q.starts_with("http://") || q.starts_with("ssh://"))
                && !q.contains(' ')
        })
        .map(str::to_owned)
}

fn is_url(s: &str) -> bool {
    [
        "https://",
        "http://",
        "ssh://",
        "git://",
        "git+ssh://",
        "file://",
    ]
    .iter()
    .any(|p| s.starts_with(p))
}

/// `FILE.go:LINE:COL: ` or `FILE:LINE: ` (also Windows `C:\x\main.go:3:8: `).
fn strip_position(s: &str) -> Option<&str> {
    let (head, rest) = s.split_once(": ")?;
    if head.contains(' ') || head.is_empty() {
        return None;
    }
    let mut parts = head.rsplitn(3, ':');
    let last = parts.next()?;
    let mid = parts.next()?;
    let file = parts.next();
    let num = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    match file {
        Some(f) if num(last) && num(mid) && !f.is_empty() => Some(rest),
        None if num(last) && mid.contains('.') => Some(rest),
        Some(f) if num(last) && (f.ends_with(".go") || mid.ends_with(".go")) => Some(rest),
        _ => None,
    }
}

/// A module path: has a dot in its first element or a slash, no spaces.
fn looks_like_path(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(' ')
        && !s.contains("://")
        && (s.split('/').next().is_some_and(|h| h.contains('.')) || s.contains('/'))
}

fn set_module_version(rec: &mut Record, token: &str) {
    match token.split_once('@') {
        Some((m, v)) if looks_like_path(m) => {
            // `M@V/go.mod` names the module's go.mod at that version.
            let v = v.strip_suffix("/go.mod").unwrap_or(v);
            rec.module = Some(m.to_owned());
            rec.version = (!v.is_empty()).then(|| v.to_owned());
        }
        _ if looks_like_path(token) && token != "module" && token != "go.mod" => {
            rec.module = Some(token.to_owned());
        }
        _ => {}
    }
}

/// `…/pkg/mod/cache/vcs/<64 hex>` within a directory string (either slash).
pub fn cache_dir_of(dir: &str) -> Option<String> {
    let norm: String = dir.replace('\\', "/");
    let at = norm.find("pkg/mod/cache/vcs/")?;
    let hash_start = at + "pkg/mod/cache/vcs/".len();
    let hash = norm.get(hash_start..hash_start + 64)?;
    if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // Return it as written (keep Windows backslashes), up to the hash.
    Some(dir[..hash_start + 64].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::normalize::normalize;

    fn parse_text(s: &str) -> (Vec<Line>, Structure) {
        let lines = normalize(s.as_bytes());
        let st = parse(&lines);
        (lines, st)
    }

    #[test]
    fn gopath_command_block_is_one_record() {
        // github.com/muesli/beehive/issues/74 (fixtures/real/batch-20)
        let (_, st) = parse_text(
            "# cd .; git clone https://gopkg.in/fatih/set.v0 /g/src/gopkg.in/fatih/set.v0\n\
             Cloning into '/g/src/gopkg.in/fatih/set.v0'...\n\
             error: RPC failed; HTTP 301 curl 22 The requested URL returned error: 301\n\
             fatal: The remote end hung up unexpectedly\n\
             package gopkg.in/fatih/set.v0: exit status 128\n\
             go: something else\n",
        );
        assert_eq!(st.records.len(), 2);
        assert_eq!(st.record_of, [0, 0, 0, 0, 0, 1]);
        assert_eq!(
            st.sides[..5],
            [Side::Go, Side::Git, Side::Git, Side::Git, Side::Go]
        );
    }

    #[test]
    fn a_line_wrapped_inside_a_path_goes_on() {
        // github.com/dgraph-io/ristretto/issues/476 (fixtures/real/batch-19)
        let (_, st) = parse_text(
            "go: x.test/m@v1.0.0: reading https://goproxy.cn/x.test/m/@v/v1.0.0.mod: 404 Not Found\n\
             \tserver response:\n\
             \tnot found: x.test/m@v1.0.0: invalid version: git ls-remote -q https://x.test/m in /\n\
             tmp/gopath/pkg/mod/cache/vcs/e012: exit status 128:\n\
             \t\tfatal: could not read Username for 'https://x.test': terminal prompts disabled\n",
        );
        assert_eq!(st.records.len(), 1);
        assert_eq!(st.sides[3], Side::Body);
        assert_eq!(st.sides[4], Side::Body);
    }

    #[test]
    fn run_error_block() {
        let (_, st) = parse_text(
            "go: downloading x v1\n\
             go: gomod.test/gitauth@v1.0.0: invalid version: git ls-remote -q origin in /g/pkg/mod/cache/vcs/68f53b3f25b9a8049aa35dc3e9ff8b75593381ad8ee9ac187b53bc6e9f46671c: exit status 128:\n\
             \tfatal: could not read Username for 'http://gomod.test': terminal prompts disabled\n\
             Confirm the import path was entered correctly.\n\
             If this is a private repository, see https://golang.org/doc/faq#git_https for additional information.\n",
        );
        assert_eq!(st.records.len(), 2);
        let r = &st.records[1];
        assert_eq!(r.module.as_deref(), Some("gomod.test/gitauth"));
        assert_eq!(r.version.as_deref(), Some("v1.0.0"));
        assert_eq!(r.git_command.as_deref(), Some("git ls-remote -q origin"));
        assert!(r.cache_dir.as_deref().unwrap().ends_with("671c"));
        assert_eq!(st.sides[1..], [Side::Go, Side::Git, Side::Go, Side::Go]);
    }

    #[test]
    fn go_subcommand_replace_and_require_wrappers() {
        // (text, module, version, git command)
        let cases = [
            (
                "go get: module gitlab.com/a/b: git ls-remote -q origin in /r/pkg/mod/cache/vcs/x: exit status 128:",
                Some("gitlab.com/a/b"),
                None,
                Some("git ls-remote -q origin"),
            ),
            (
                "go get gitlab.com/a/b/c: git ls-remote -q origin in /r/pkg/mod/cache/vcs/x: exit status 128:",
                None,
                None,
                Some("git ls-remote -q origin"),
            ),
            (
                "go get a.test/b: a.test/b@v0.2.0: verifying module: a.test/b@v0.2.0: reading https://sum.golang.org/lookup/a.test/b@v0.2.0: 410 Gone",
                Some("a.test/b"),
                Some("v0.2.0"),
                None,
            ),
            (
                "go: a.test/b@v1.2.0 (replaced by c.test/d@v0.0.0-20230706160122-cd41de354c46): version \"v0.0.0-20230706160122-cd41de354c46\" invalid: git fetch -f origin in /r/pkg/mod/cache/vcs/x: exit status 128:",
                Some("c.test/d"),
                Some("v0.0.0-20230706160122-cd41de354c46"),
                Some("git fetch -f origin"),
            ),
            (
                "/w/go.mod:10:2: require a.test/b: version \"84b6a372087a\" invalid: git fetch -f origin in /r/pkg/mod/cache/vcs/x: exit status 128:",
                Some("a.test/b"),
                None,
                Some("git fetch -f origin"),
            ),
            // Older go printed no ` in DIR`.
            (
                "go: a.test/b@v1.0.0: invalid version: git ls-remote -q origin: exit status 128:",
                Some("a.test/b"),
                Some("v1.0.0"),
                Some("git ls-remote -q origin"),
            ),
        ];
        for (text, module, version, cmd) in cases {
            let (_, st) = parse_text(&format!("{text}\n\tfatal: x\n"));
            let r = &st.records[0];
            assert_eq!(r.module.as_deref(), module, "{text}");
            assert_eq!(r.version.as_deref(), version, "{text}");
            assert_eq!(r.git_command.as_deref(), cmd, "{text}");
            assert_eq!(st.sides[0], Side::Go, "{text}");
        }
        // Not go's: a tool named go-something, or a sentence.
        let (_, st) = parse_text("go mod tidy failed because the sky fell: exit status 1\n");
        assert_eq!(st.records[0].module, None);
    }

    #[test]
    fn the_git_command_behind_a_go_mod_read_at_a_revision() {
        let (_, st) = parse_text(
            "go: a.test/b@v1.0.0: reading a.test/b/go.mod at revision v1.0.0: git ls-remote -q --end-of-options https://a.test/b in /r/pkg/mod/cache/vcs/x: exit status 128:\n\tfatal: x\n",
        );
        let r = &st.records[0];
        assert_eq!(
            r.git_command.as_deref(),
            Some("git ls-remote -q --end-of-options https://a.test/b")
        );
        assert_eq!(r.module.as_deref(), Some("a.test/b"));
    }

    #[test]
    fn proxy_body_is_the_servers() {
        let (_, st) = parse_text(
            "go: github.com/acme/api@v1.0.0: reading https://proxy.golang.org/github.com/acme/api/@v/v1.0.0.mod: 404 Not Found\n\
             \tserver response: not found: github.com/acme/api@v1.0.0: invalid version: git ls-remote -q origin in /tmp/gopath/pkg/mod/cache/vcs/abc: exit status 128:\n\
             \tfatal: could not read Username for 'https://github.com': terminal prompts disabled\n",
        );
        let r = &st.records[0];
        assert_eq!(r.server, Some(Server::Proxy));
        assert_eq!(r.module.as_deref(), Some("github.com/acme/api"));
        assert_eq!(st.sides, [Side::Go, Side::Body, Side::Body]);
    }

    #[test]
    fn chains_and_positions() {
        let (_, st) = parse_text(
            "go: example.com/main imports\n\
             \tgomod.test/gitauth: module gomod.test/gitauth: git ls-remote -q origin in /x: exit status 128:\n\
             \tfatal: could not read Username for 'http://gomod.test': terminal prompts disabled\n\
             main.go:3:8: module gomod.test/other: git ls-remote -q origin in /y: exit status 128:\n\
             go: a.test/a@v1.0.0 requires\n\
             \tb.test/b@v1.2.0: reading https://proxy.golang.org/b.test/b/@v/v1.2.0.mod: 410 Gone\n",
        );
        assert_eq!(st.records.len(), 3);
        assert_eq!(st.records[0].module.as_deref(), Some("gomod.test/gitauth"));
        assert_eq!(st.sides[0..3], [Side::Go, Side::Go, Side::Git]);
        assert_eq!(st.records[1].module.as_deref(), Some("gomod.test/other"));
        assert_eq!(st.records[2].module.as_deref(), Some("b.test/b"));
        assert_eq!(st.records[2].version.as_deref(), Some("v1.2.0"));
        assert_eq!(st.records[2].server, Some(Server::Proxy));
    }

    #[test]
    fn sumdb_and_raw_git() {
        let (_, st) = parse_text(
            "go: gomod.test/prox@v1.0.0: verifying module: gomod.test/prox@v1.0.0: reading https://sum.golang.org/lookup/gomod.test/prox@v1.0.0: 410 Gone\n\
             \tserver response: not found: x\n\
             fatal: detected dubious ownership in repository at '/src'\n",
        );
        assert_eq!(st.records[0].server, Some(Server::Sumdb));
        assert_eq!(st.sides, [Side::Go, Side::Body, Side::Git]);
    }

    #[test]
    fn windows_cache_dir() {
        assert_eq!(
            cache_dir_of(r"C:\Users\me\go\pkg\mod\cache\vcs\68f53b3f25b9a8049aa35dc3e9ff8b75593381ad8ee9ac187b53bc6e9f46671c").as_deref(),
            Some(r"C:\Users\me\go\pkg\mod\cache\vcs\68f53b3f25b9a8049aa35dc3e9ff8b75593381ad8ee9ac187b53bc6e9f46671c")
        );
        assert_eq!(cache_dir_of("/x/pkg/mod/cache/vcs/short"), None);
    }
}
