//! From raw stderr bytes (or a saved CI log) to clean lines.
//!
//! Logs arrive dressed in whatever carried them: CRLF line ends and ssh's
//! `\r\n`, progress bars redrawn with bare `\r`, ANSI colour codes, CI
//! timestamp prefixes (GitHub Actions, GitLab, Jenkins), GitHub's `##[error]`
//! markers, BuildKit's `#12 3.456 ` step prefixes.  All of that is stripped
//! here, by hand-written scanners (no regex: this runs before any rule is
//! known to be needed), so rules only ever see go's and git's own text.
//! Leading tabs are kept: they carry go's structure.
//!
//! Work is bounded: at most [`MAX_INPUT`] bytes are read (the head and the
//! tail of larger logs, where go's errors are), and each line is cut at
//! [`MAX_LINE`] bytes.  Original line numbers are kept for evidence.

/// A clean line and where it was in the input (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub no: usize,
    pub text: String,
}

/// Longest line kept; the rest of a longer line is dropped.
pub const MAX_LINE: usize = 4096;
/// Most input bytes read.
pub const MAX_INPUT: usize = 2 * 1024 * 1024;
/// Bytes kept from the start of a larger input (the rest comes from its end).
pub const HEAD_KEEP: usize = 256 * 1024;

/// Splits and cleans `input`.
pub fn normalize(input: &[u8]) -> Vec<Line> {
    if input.len() > MAX_INPUT {
        let tail_start = input.len() - TAIL_KEEP;
        // Line numbers after the gap are not known exactly without counting
        // the skipped part; counting newlines is cheap (memchr-speed) and
        // keeps the evidence line numbers true.
        let skipped = count_newlines(&input[HEAD_KEEP..tail_start]);
        return normalize_parts(&input[..HEAD_KEEP], skipped, &input[tail_start..]);
    }
    split(input, 1)
}

/// Bytes kept from the end of a larger input.
pub const TAIL_KEEP: usize = MAX_INPUT - HEAD_KEEP;

/// The head of a larger input, how many newlines the skipped middle held,
/// and its tail (as [`normalize`] keeps them, or as a reader that streams a
/// log of any size keeps them in bounded memory).
pub fn normalize_parts(head: &[u8], skipped_newlines: usize, tail: &[u8]) -> Vec<Line> {
    let head_lines = head.split(|&b| b == b'\n').count();
    let mut lines = split(head, 1);
    lines.extend(split(tail, head_lines + skipped_newlines));
    lines
}

/// Newlines in `bytes`.
pub fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn split(input: &[u8], first_no: usize) -> Vec<Line> {
    let raws: Vec<&[u8]> = input
        .split(|&b| b == b'\n')
        .map(|raw| &raw[..raw.len().min(MAX_LINE)])
        .collect();
    let (width, all) = match wrap_width(&raws) {
        Some((w, all)) => (Some(w), all),
        None => (None, Vec::new()),
    };
    let mut out = Vec::new();
    let mut cleaned = raws
        .iter()
        .map(|raw| clean(&String::from_utf8_lossy(raw)))
        .enumerate()
        .peekable();
    while let Some((i, mut text)) = cleaned.next() {
        let no = first_no + i;
        // A line a terminal or a page cut at its width goes on in the next
        // (each raw line is cleaned once, joined or not).
        let mut last = i;
        while let Some(w) = width
            && all[last].contains(&w)
            && text.len() < MAX_LINE
            && let Some((j, next)) =
                cleaned.next_if(|(_, next)| !next.is_empty() && !starts_a_line(next))
        {
            text.push_str(&next);
            last = j;
        }
        match unescape_embedded(&text) {
            Some(lines) => out.extend(lines.into_iter().map(|text| Line { no, text })),
            None => out.push(Line { no, text }),
        }
    }
    // A trailing newline leaves an empty last piece that is not a line.
    if out.last().is_some_and(|l| l.text.is_empty()) && input.ends_with(b"\n") {
        out.pop();
    }
    out
}

/// A line's width as a terminal shows it: in characters, and with TABs
/// expanded to the next multiple of 8.  Counted on the bytes (a character
/// is a byte that does not continue a UTF-8 sequence); only a line with an
/// escape sequence is decoded first.
fn widths(raw: &[u8]) -> [usize; 2] {
    if raw.contains(&0x1b) {
        let text = String::from_utf8_lossy(raw);
        return count_widths(strip_ansi(&text).as_bytes());
    }
    count_widths(raw)
}

fn count_widths(bytes: &[u8]) -> [usize; 2] {
    let end = bytes.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
    let bytes = &bytes[..end];
    if bytes.is_ascii() && !bytes.contains(&b'\t') {
        return [bytes.len(), bytes.len()];
    }
    let (mut chars, mut cols) = (0, 0);
    for &b in bytes {
        if b & 0xC0 == 0x80 {
            continue;
        }
        chars += 1;
        cols = if b == b'\t' {
            cols / 8 * 8 + 8
        } else {
            cols + 1
        };
    }
    [chars, cols]
}

/// The width a log was hard-wrapped at (a terminal's or a page's copy cut
/// at its width): no line is wider, at least two different lines are
/// exactly that wide, and more lines are that wide than a little narrower
/// (a cut piles lines up at the width; go's own repeated messages, one per
/// importing file, come in lengths spread around theirs).
fn wrap_width(raws: &[&[u8]]) -> Option<(usize, Vec<[usize; 2]>)> {
    const MIN_WRAP: usize = 80;
    // A line under MIN_WRAP bytes is under MIN_WRAP columns unless it has
    // TABs: most logs end here without measuring anything.
    if raws.len() < 3
        || raws.len() > 20_000
        || !raws
            .iter()
            .any(|r| r.len() >= MIN_WRAP || r.contains(&b'\t'))
    {
        return None;
    }
    let all: Vec<[usize; 2]> = raws.iter().map(|r| widths(r)).collect();
    // The widest line by either measure; wrapped lines reach it exactly.
    let max = all.iter().map(|w| w[0].max(w[1])).max()?;
    if !(MIN_WRAP..MAX_LINE).contains(&max) {
        return None;
    }
    let full: Vec<&[u8]> = raws[..raws.len() - 1]
        .iter()
        .zip(&all)
        .filter(|(_, w)| w.contains(&max))
        .map(|(r, _)| *r)
        .collect();
    let near = all
        .iter()
        .filter(|w| w.iter().any(|&n| n < max && n + 8 >= max))
        .count();
    let distinct = full.iter().any(|r| *r != full[0]);
    (full.len() >= 2 && distinct && full.len() > near).then_some((max, all))
}

/// A line that begins something of its own (go's and git's line starts):
/// never the rest of the line before it.
fn starts_a_line(text: &str) -> bool {
    const STARTS: &[&str] = &[
        "\t",
        "  ",
        "go: ",
        "go ",
        "fatal: ",
        "error: ",
        "Error: ",
        "warning: ",
        "remote: ",
        "# ",
        "package ",
        "verifying ",
        "server response:",
        "Confirm ",
        "If this ",
    ];
    STARTS.iter().any(|s| text.starts_with(s)) || source_position(text)
}

/// `FILE.go:LINE:` or `go.mod:LINE:` — go reports an import or compile
/// error at the file and line that hold it, one line each.
fn source_position(text: &str) -> bool {
    [".go:", ".mod:", ".work:"].iter().any(|ext| {
        text.split_once(ext).is_some_and(|(file, rest)| {
            !file.contains(' ') && rest.bytes().next().is_some_and(|b| b.is_ascii_digit())
        })
    })
}

/// Cleans one line (no `\n` inside).
pub fn clean(line: &str) -> String {
    let line = strip_ansi(line);
    // What a terminal shows after `\r` redraws is the text after the last
    // `\r` that has text after it; a trailing `\r` (CRLF, ssh) is just dropped.
    let line = line.trim_end_matches('\r');
    let line = match line.rfind('\r') {
        Some(i) => &line[i + 1..],
        None => line,
    };
    let mut s = line;
    // Prefixes can stack (a GitHub timestamp before a BuildKit step prefix).
    // Each stripper is tried only for the first byte its prefix can start
    // with, until none takes anything off.
    type Strip = fn(&str) -> &str;
    const DIGIT: &[Strip] = &[
        strip_timestamp,
        strip_gitlab_stream,
        strip_elapsed,
        strip_go_log_time,
        strip_clock,
        strip_source_tag,
        strip_gh_run_log,
    ];
    const BRACKET: &[Strip] = &[strip_bracketed_timestamp, strip_source_tag];
    const HASH: &[Strip] = &[strip_github_marker, strip_buildkit];
    const BOX: &[Strip] = &[strip_box_rule];
    const QUOTE: &[Strip] = &[strip_quote];
    const NAME: &[Strip] = &[strip_source_tag, strip_gh_run_log];
    loop {
        let strippers: &[Strip] = match s.as_bytes().first() {
            Some(b'0'..=b'9') => DIGIT,
            Some(b'[') => BRACKET,
            Some(b'#') => HASH,
            Some(b' ' | 0xE2) => BOX,
            Some(b'>') => QUOTE,
            _ => NAME,
        };
        let before = s.len();
        for strip in strippers {
            s = strip(s);
            if s.len() != before {
                break;
            }
        }
        if s.len() == before {
            break;
        }
    }
    s.to_owned()
}

/// go's output quoted as one escaped string inside a wrapper's own line
/// (goreleaser's `error=post hook failed: "go: …\n\tgithub.com/…"`,
/// Dependabot's and Renovate's JSON, Athens' logfmt): its lines again, with
/// their TABs and quotes, all under the wrapper line's number.  Only when
/// the text holds go's own line breaks (`\ngo: `, `\n\t`), so a Windows
/// path's `\n` is never split.
fn unescape_embedded(text: &str) -> Option<Vec<String>> {
    if !(text.contains("\\n\\t") || text.contains("\\ngo: ")) {
        return None;
    }
    Some(
        text.split("\\n")
            .map(|piece| piece.replace("\\t", "\t").replace("\\\"", "\""))
            .collect(),
    )
}

/// Removes ANSI CSI (`ESC [ … letter`), OSC (`ESC ] … BEL|ESC \`) and
/// two-byte escapes.
fn strip_ansi(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\x1b') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('[') => {
                chars.next();
                // Parameters and intermediates, then one final byte @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                chars.next();
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' {
                        if chars.peek() == Some(&'\\') {
                            chars.next();
                        }
                        break;
                    }
                }
            }
            Some(_) => {
                chars.next();
            }
            None => {}
        }
    }
    std::borrow::Cow::Owned(out)
}

fn digits(b: &[u8], i: usize, n: usize) -> bool {
    b.len() >= i + n && b[i..i + n].iter().all(u8::is_ascii_digit)
}

/// `2024-01-02T03:04:05[.1234567]Z ` (GitHub Actions raw logs, GitLab).
fn strip_timestamp(s: &str) -> &str {
    match timestamp_len(s.as_bytes()) {
        Some(n) if s.as_bytes().get(n) == Some(&b' ') => &s[n + 1..],
        _ => strip_dmy_timestamp(s),
    }
}

/// The vertical rule tools draw before a command's captured output
/// (goreleaser: `    │ go: …`), and the spaces before it.
fn strip_box_rule(s: &str) -> &str {
    s.trim_start_matches(' ').strip_prefix("│ ").unwrap_or(s)
}

/// A name in front of every line of one source's output: docker compose's
/// `web-1  | ` (padded, `|` alone on an empty line), and a bracketed tag
/// (`[builder] ` of Cloud Native Buildpacks, `[pod/p/c] ` of `kubectl logs
/// --prefix`, Tekton's and other runners' step names).
fn strip_source_tag(s: &str) -> &str {
    let b = s.as_bytes();
    if b.first() == Some(&b'[') {
        let end = b.iter().take(102).position(|&c| c == b']');
        if let Some(end) = end.filter(|&e| e > 1)
            && !b[1..end].iter().any(|c| c.is_ascii_whitespace())
            && b.get(end + 1) == Some(&b' ')
        {
            return &s[end + 2..];
        }
        return s;
    }
    let name = b
        .iter()
        .take(101)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
        .count();
    if name == 0 || !b[0].is_ascii_alphanumeric() {
        return s;
    }
    let pad = b[name..].iter().take_while(|&&c| c == b' ').count();
    if pad == 0 || b.get(name + pad) != Some(&b'|') {
        return s;
    }
    let rest = &s[name + pad + 1..];
    match rest.as_bytes().first() {
        None => rest,
        Some(b' ') => &rest[1..],
        _ => s,
    }
}

/// `JOB\tSTEP\t` before the timestamp of every line `gh run view --log`
/// prints (the timestamp itself goes with the others).
fn strip_gh_run_log(s: &str) -> &str {
    let mut fields = s.splitn(3, '\t');
    let (Some(job), Some(step), Some(rest)) = (fields.next(), fields.next(), fields.next()) else {
        return s;
    };
    if job.is_empty() || job.len() > 200 || step.len() > 200 {
        return s;
    }
    match timestamp_len(rest.as_bytes()) {
        Some(_) => rest,
        None => s,
    }
}

/// BuildKit's error summary repeats the failed step's output with its
/// elapsed seconds only (`0.345 go: …`, no `#N` step number).
fn strip_elapsed(s: &str) -> &str {
    let b = s.as_bytes();
    let int = b.iter().take(6).take_while(|c| c.is_ascii_digit()).count();
    if int == 0 || b.get(int) != Some(&b'.') {
        return s;
    }
    let frac = b[int + 1..]
        .iter()
        .take(5)
        .take_while(|c| c.is_ascii_digit())
        .count();
    match b.get(int + 1 + frac) {
        Some(b' ') if frac > 0 => &s[int + frac + 2..],
        _ => s,
    }
}

/// `2023/12/29 06:27:44 ` (with optional microseconds): the standard
/// prefix of Go's `log` package, in front of the lines of Go-written tools
/// (Dependabot's updater, Athens) that quote go's output.
fn strip_go_log_time(s: &str) -> &str {
    let b = s.as_bytes();
    if !ymd_hms(b, b'/', b" ") {
        return s;
    }
    match skip_fraction(b, 19) {
        i if b.get(i) == Some(&b' ') => &s[i + 1..],
        _ => s,
    }
}

/// `YYYY{sep}MM{sep}DD{one of mid}HH:MM:SS` at the start of `b`.
fn ymd_hms(b: &[u8], sep: u8, mid: &[u8]) -> bool {
    digits(b, 0, 4)
        && b.get(4) == Some(&sep)
        && digits(b, 5, 2)
        && b.get(7) == Some(&sep)
        && digits(b, 8, 2)
        && b.get(10).is_some_and(|c| mid.contains(c))
        && hms(b, 11)
}

/// `HH:MM:SS` at `b[i..]`.
fn hms(b: &[u8], i: usize) -> bool {
    digits(b, i, 2) && mm_ss(b, i + 2)
}

/// `:MM:SS` at `b[i..]`.
fn mm_ss(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&b':')
        && digits(b, i + 1, 2)
        && b.get(i + 3) == Some(&b':')
        && digits(b, i + 4, 2)
}

/// Past a `.123456` fraction of a second at `b[i..]`, if there is one.
fn skip_fraction(b: &[u8], mut i: usize) -> usize {
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    i
}

/// A mail or Markdown quote of a log (`> go: …`, `>` alone for an empty
/// line): go and git never start a line with `>`.
fn strip_quote(s: &str) -> &str {
    match s.strip_prefix('>') {
        Some("") => "",
        Some(rest) if rest.starts_with(' ') => &rest[1..],
        _ => s,
    }
}

/// A time of day before every line: `9:40:43 AM: ` (Netlify's deploy
/// log), `13:21:54 `, `13:21:54.123 `.
fn strip_clock(s: &str) -> &str {
    let b = s.as_bytes();
    let h = b.iter().take(3).take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&h) || !mm_ss(b, h) {
        return s;
    }
    let mut i = h + 6;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if b.get(i) == Some(&b' ') && matches!(b.get(i + 1..i + 3), Some(b"AM" | b"PM")) {
        i += 3;
    }
    if b.get(i) == Some(&b':') {
        i += 1;
    }
    match b.get(i) {
        Some(b' ') => &s[i + 1..],
        _ => s,
    }
}

/// `12-Apr-2019 13:21:54 | ` or `…\t` (Atlassian Bamboo build logs).
fn strip_dmy_timestamp(s: &str) -> &str {
    let b = s.as_bytes();
    let ok = digits(b, 0, 2)
        && b.get(2) == Some(&b'-')
        && b.get(3..6)
            .is_some_and(|m| m.iter().all(u8::is_ascii_alphabetic))
        && b.get(6) == Some(&b'-')
        && digits(b, 7, 4)
        && b.get(11) == Some(&b' ')
        && hms(b, 12);
    if !ok {
        return s;
    }
    let rest = &s[20..];
    rest.strip_prefix(" | ")
        .or_else(|| rest.strip_prefix('\t'))
        .unwrap_or(s)
}

/// Length of an RFC 3339 UTC timestamp at the start of `b`.
fn timestamp_len(b: &[u8]) -> Option<usize> {
    if !ymd_hms(b, b'-', b"T ") {
        return None;
    }
    let mut i = skip_fraction(b, 19);
    if b.get(i) == Some(&b'Z') {
        i += 1;
    } else if matches!(b.get(i), Some(b'+' | b'-')) && digits(b, i + 1, 2) {
        i += 3;
        if b.get(i) == Some(&b':') {
            i += 1;
        }
        if digits(b, i, 2) {
            i += 2;
        }
    }
    Some(i)
}

/// GitLab's job log stream marker after its timestamp: `00O `, `01E+ `.
fn strip_gitlab_stream(s: &str) -> &str {
    let b = s.as_bytes();
    if digits(b, 0, 2) && matches!(b.get(2), Some(b'O' | b'E')) {
        let mut i = 3;
        if b.get(i) == Some(&b'+') {
            i += 1;
        }
        if b.get(i) == Some(&b' ') {
            return &s[i + 1..];
        }
    }
    s
}

/// `[2024-01-02T03:04:05.123Z] ` (Jenkins timestamper).
fn strip_bracketed_timestamp(s: &str) -> &str {
    let b = s.as_bytes();
    if b.first() == Some(&b'[')
        && let Some(n) = timestamp_len(&b[1..])
        && b.get(n + 1) == Some(&b']')
    {
        let rest = &s[n + 2..];
        return rest.strip_prefix(' ').unwrap_or(rest);
    }
    s
}

/// `##[error]`, `##[warning]`, `##[group]` … (GitHub Actions).
fn strip_github_marker(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix("##[")
        && let Some(end) = rest.find(']')
        && end <= 16
        && rest[..end].bytes().all(|b| b.is_ascii_alphabetic())
    {
        return &rest[end + 1..];
    }
    s
}

/// `#12 3.456 ` (BuildKit plain progress): step number, seconds, one space.
fn strip_buildkit(s: &str) -> &str {
    let b = s.as_bytes();
    if b.first() != Some(&b'#') {
        return s;
    }
    let mut i = 1;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == 1 || b.get(i) != Some(&b' ') {
        return s;
    }
    i += 1;
    let secs = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == secs || b.get(i) != Some(&b'.') {
        return s;
    }
    i += 1;
    let frac = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == frac {
        return s;
    }
    match b.get(i) {
        Some(b' ') => &s[i + 1..],
        None => "",
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_output_escaped_inside_a_wrapper_line_is_split_again() {
        // goreleaser quoting go's stderr (fixtures/real/batch-27, hashicorp/packer)
        let lines = normalize(
            b"error=post hook failed: \"go: downloading x.test/m v1.0.0\\ngo: x.test/m@v1.0.0: reading https://sum.golang.org/lookup/x.test/m@v1.0.0: 410 Gone\\n\\tserver response:\\n\\tnot found\\n\": exit status 1\nC:\\new\\go\n",
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "error=post hook failed: \"go: downloading x.test/m v1.0.0",
                "go: x.test/m@v1.0.0: reading https://sum.golang.org/lookup/x.test/m@v1.0.0: 410 Gone",
                "\tserver response:",
                "\tnot found",
                "\": exit status 1",
                "C:\\new\\go",
            ]
        );
        assert_eq!(lines[3].no, 1);
        assert_eq!(lines[5].no, 2);
    }

    #[test]
    fn prefixes_are_stripped() {
        for (raw, want) in [
            (
                "2024-01-02T03:04:05.1234567Z go: downloading x v1",
                "go: downloading x v1",
            ),
            (
                "#12 3.456 \tfatal: could not read Username",
                "\tfatal: could not read Username",
            ),
            (
                "##[error]go: module x: not found",
                "go: module x: not found",
            ),
            ("2024-03-05T10:11:12.345678Z 00O+ go: x", "go: x"),
            ("[2024-01-02T03:04:05.123Z] go: y", "go: y"),
            (
                "2024-01-02T03:04:05Z #7 0.912 git@github.com: Permission denied (publickey).",
                "git@github.com: Permission denied (publickey).",
            ),
            ("\x1b[31mfatal:\x1b[0m bad\r", "fatal: bad"),
            (
                "Receiving objects:  10%\rReceiving objects: 100%",
                "Receiving objects: 100%",
            ),
            ("#5 [2/4] RUN go build", "#5 [2/4] RUN go build"),
            (
                "gotrue-1    | \tgit config --global",
                "\tgit config --global",
            ),
            ("web_1  |", ""),
            ("go: a | b", "go: a | b"),
            ("[builder] go: x", "go: x"),
            ("[pod/p-1/c] \tfatal: y", "\tfatal: y"),
            ("[sudo password] x", "[sudo password] x"),
            (
                "build\tRun go mod download\t2024-05-01T12:34:56.1234567Z \tserver response:",
                "\tserver response:",
            ),
            ("a\tb\tc", "a\tb\tc"),
            ("0.345 go: x", "go: x"),
            ("1.21.0 go: x", "1.21.0 go: x"),
            ("updater | 2023/12/29 06:27:44 INFO x", "INFO x"),
            ("9:40:43 AM: \tfatal: x", "\tfatal: x"),
            (">         server response: x", "        server response: x"),
            ("> > go: x", "go: x"),
            (">", ""),
            (
                " > [build 7/9] RUN go mod download:",
                " > [build 7/9] RUN go mod download:",
            ),
            ("13:21:54.123 go: x", "go: x"),
            ("1:2 go: x", "1:2 go: x"),
        ] {
            assert_eq!(clean(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn hard_wrapped_lines_are_joined_back() {
        let (a, b) = ("a".repeat(90), "b".repeat(90));
        let input = format!("{a}\ntail one\n{b}\ngo: own line\nshort\n");
        let lines = normalize(input.as_bytes());
        let texts: Vec<(usize, &str)> = lines.iter().map(|l| (l.no, l.text.as_str())).collect();
        let joined = format!("{a}tail one");
        assert_eq!(
            texts,
            [
                (1, joined.as_str()),
                (3, b.as_str()),
                (4, "go: own line"),
                (5, "short")
            ]
        );
        // Two lines of one width are not a wrap when the same text repeats.
        let input = format!("{a}\ntail\n{a}\ntail\n");
        assert_eq!(normalize(input.as_bytes()).len(), 4);
    }

    #[test]
    fn lines_keep_numbers_and_handle_crlf_and_bad_utf8() {
        let lines = normalize(b"a\r\nb\xff\n\nc");
        let texts: Vec<_> = lines.iter().map(|l| (l.no, l.text.as_str())).collect();
        assert_eq!(texts, vec![(1, "a"), (2, "b\u{fffd}"), (3, ""), (4, "c")]);
    }

    #[test]
    fn long_lines_and_inputs_are_bounded() {
        let long = vec![b'x'; MAX_LINE * 3];
        assert_eq!(normalize(&long)[0].text.len(), MAX_LINE);
        let mut big = b"first\n".repeat(MAX_INPUT / 6 + 10);
        big.extend_from_slice(b"last line\n");
        let lines = normalize(&big);
        let last = lines.last().unwrap();
        assert_eq!(last.text, "last line");
        assert_eq!(last.no, MAX_INPUT / 6 + 11);
    }
}
