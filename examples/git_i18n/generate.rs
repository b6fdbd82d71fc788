//! Expands the git msgids the built-in rules name (`git = [{ msgid = … }]` in
//! `rules/builtin.toml`) into one pattern per language git ships, from git's
//! own compiled message catalogs (`/usr/share/locale/*/LC_MESSAGES/git.mo`),
//! into `rules/git-i18n.generated.toml`.
//!
//! Shared by `cargo run --example git_i18n` (which writes the table) and the
//! integration test that fails when the committed table is stale.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use gotriage::rules::spec::{self, GitMsgSpec, RuleFile};

/// Where Debian (and most distributions) install git's catalogs.
pub(crate) const LOCALE_DIR: &str = "/usr/share/locale";
/// The generated table, relative to the repository.
pub(crate) const OUTPUT: &str = "rules/git-i18n.generated.toml";
/// The rule table, relative to the repository.
pub(crate) const RULES: &str = "rules/builtin.toml";

/// One language's catalog: msgid → translations (plural forms: each form).
pub(crate) struct Catalog {
    pub(crate) lang: String,
    pub(crate) messages: BTreeMap<String, Vec<String>>,
}

/// The `git.mo` catalogs under `locale_dir`, sorted by language.
pub(crate) fn find_catalogs(locale_dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let rd = std::fs::read_dir(locale_dir).map_err(|e| format!("{}: {e}", locale_dir.display()))?;
    let mut out = Vec::new();
    for entry in rd.flatten() {
        let mo = entry.path().join("LC_MESSAGES/git.mo");
        if mo.is_file() {
            out.push((entry.file_name().to_string_lossy().into_owned(), mo));
        }
    }
    out.sort();
    Ok(out)
}

/// Parses a GNU `.mo` file (magic, counts, two tables of (length, offset)).
pub(crate) fn parse_mo(lang: &str, data: &[u8]) -> Result<Catalog, String> {
    let word = |at: usize, le: bool| -> Result<u32, String> {
        let b: [u8; 4] = data
            .get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| format!("{lang}: truncated catalog"))?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let le = match word(0, true)? {
        0x9504_12de => true,
        0xde12_0495 => false,
        m => return Err(format!("{lang}: not a .mo file (magic {m:#x})")),
    };
    let count = word(8, le)? as usize;
    let originals = word(12, le)? as usize;
    let translations = word(16, le)? as usize;
    let string = |table: usize, i: usize| -> Result<&[u8], String> {
        let len = word(table + 8 * i, le)? as usize;
        let off = word(table + 8 * i + 4, le)? as usize;
        data.get(off..off + len)
            .ok_or_else(|| format!("{lang}: string {i} out of bounds"))
    };
    let mut messages = BTreeMap::new();
    for i in 0..count {
        let id = String::from_utf8(string(originals, i)?.to_vec())
            .map_err(|_| format!("{lang}: msgid {i} is not UTF-8"))?;
        let tr = std::str::from_utf8(string(translations, i)?)
            .map_err(|_| format!("{lang}: translation of {id:?} is not UTF-8"))?;
        if id.is_empty() {
            if !tr.to_ascii_lowercase().contains("charset=utf-8") {
                return Err(format!("{lang}: the catalog is not UTF-8"));
            }
            continue;
        }
        // Plural entries: "singular\0plural" → "form0\0form1…"; context
        // entries: "ctx\x04msgid".
        let singular = id.split('\0').next().unwrap_or_default();
        let key = singular
            .rsplit('\x04')
            .next()
            .unwrap_or(singular)
            .to_owned();
        let forms: Vec<String> = tr
            .split('\0')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        messages.insert(key, forms);
    }
    Ok(Catalog {
        lang: lang.to_owned(),
        messages,
    })
}

/// A printf conversion: which value (0-based C argument) it prints and
/// whether it is an integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    Conv { arg: usize, int: bool },
}

/// Splits a printf format into text and conversions (`%s`, `%d`, `%.*s`,
/// `%1$s`, `%%`, flags and widths), numbering C arguments as printf does.
pub(crate) fn parse_format(fmt: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut next_arg = 0usize;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            text.push('%');
            continue;
        }
        let mut spec = String::new();
        let conv = loop {
            match chars.next() {
                Some(ch) if ch.is_ascii_alphabetic() && !"hlLqjzt".contains(ch) => break ch,
                Some(ch) => spec.push(ch),
                None => return Err(format!("unterminated conversion in {fmt:?}")),
            }
        };
        // Positional: N$ at the start; `*` (or `*M$`) consume arguments.
        let (position, rest) = match spec.split_once('$') {
            Some((n, rest)) if n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty() => (
                Some(n.parse::<usize>().map_err(|e| e.to_string())? - 1),
                rest,
            ),
            _ => (None, spec.as_str()),
        };
        let stars = rest.matches('*').count();
        let arg = match position {
            Some(p) => p,
            None => {
                next_arg += stars;
                let a = next_arg;
                next_arg += 1;
                a
            }
        };
        if !text.is_empty() {
            out.push(Piece::Text(std::mem::take(&mut text)));
        }
        let int = match conv {
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' => true,
            's' | 'c' | 'p' | 'f' | 'g' | 'e' => false,
            other => return Err(format!("unknown conversion %{other} in {fmt:?}")),
        };
        out.push(Piece::Conv { arg, int });
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

/// The regex a rule's `args` entry stands for.
fn arg_regex(arg: &str, int: bool, last_on_line: bool, used: &mut Vec<String>) -> String {
    let any = if int {
        "[0-9]+"
    } else if last_on_line {
        ".+"
    } else {
        ".+?"
    };
    let is_name = !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if arg == "_" || (is_name && used.iter().any(|u| u == arg)) {
        // An uncaptured value may be empty (git's "%s" for an optional hint).
        if int {
            "[0-9]+".to_owned()
        } else {
            ".*?".to_owned()
        }
    } else if is_name {
        used.push(arg.to_owned());
        format!("(?P<{arg}>{any})")
    } else {
        format!("(?:{arg})")
    }
}

/// The patterns (one per non-empty line) of one translation of a msgid.
pub(crate) fn translation_patterns(
    entry: &GitMsgSpec,
    msgid_pieces: &[Piece],
    translation: &str,
) -> Result<Vec<String>, String> {
    // The msgid's conversions in order: which C argument each prints.
    let conv_args: Vec<usize> = msgid_pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Conv { arg, .. } => Some(*arg),
            Piece::Text(_) => None,
        })
        .collect();
    if conv_args.len() != entry.args.len() {
        return Err(format!(
            "msgid {:?} has {} conversions but `args` names {}",
            entry.msgid,
            conv_args.len(),
            entry.args.len()
        ));
    }
    let pieces = parse_format(translation)?;
    // Split into lines; keep conversions with their line.
    let mut lines: Vec<Vec<Piece>> = vec![Vec::new()];
    for p in pieces {
        match p {
            Piece::Text(t) => {
                for (i, part) in t.split('\n').enumerate() {
                    if i > 0 {
                        lines.push(Vec::new());
                    }
                    if !part.is_empty() {
                        lines
                            .last_mut()
                            .expect("a line")
                            .push(Piece::Text(part.to_owned()));
                    }
                }
            }
            conv => lines.last_mut().expect("a line").push(conv),
        }
    }
    let mut out = Vec::new();
    for line in lines {
        // Leading and trailing blanks of a line are not matched.
        let mut line = line;
        if let Some(Piece::Text(t)) = line.first_mut() {
            *t = t.trim_start().to_owned();
        }
        if let Some(Piece::Text(t)) = line.last_mut() {
            *t = t.trim_end().to_owned();
        }
        line.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
        if line.is_empty() {
            continue;
        }
        let mut re = String::new();
        let mut used = Vec::new();
        let n = line.len();
        for (i, p) in line.iter().enumerate() {
            match p {
                Piece::Text(t) => re.push_str(&regex::escape(t)),
                Piece::Conv { arg, int } => {
                    let Some(k) = conv_args.iter().position(|a| a == arg) else {
                        // The translation prints a value the msgid only
                        // passes as a width or precision: match loosely.
                        re.push_str(if *int { "[0-9]+" } else { ".+?" });
                        continue;
                    };
                    let arg = &entry.args[k];
                    // An uncaptured value at either end of an unanchored
                    // pattern adds nothing.
                    if arg == "_" && !*int && (i == 0 || i + 1 == n) {
                        continue;
                    }
                    re.push_str(&arg_regex(arg, *int, i + 1 == n, &mut used));
                }
            }
        }
        let mut re = re.trim().to_owned();
        if let Some(suffix) = &entry.suffix {
            re = format!("{re}(?:{suffix})");
        }
        // A line that is only values (or too short to gate on) says nothing.
        if spec::required_literals(&re)?.is_none() {
            continue;
        }
        out.push(re);
    }
    Ok(out)
}

/// The generated table's text, from the rule table's text and the catalogs.
pub(crate) fn generate(rules_text: &str, catalogs: &[Catalog]) -> Result<String, Vec<String>> {
    let file: RuleFile = toml::from_str(rules_text).map_err(|e| vec![format!("{RULES}: {e}")])?;
    let mut errors = Vec::new();
    let mut o = String::new();
    let langs: Vec<&str> = catalogs.iter().map(|c| c.lang.as_str()).collect();
    let _ = writeln!(
        o,
        "# git's translations of the messages the built-in rules name by msgid\n\
         # (`git = [{{ msgid = … }}]` in rules/builtin.toml), one pattern per language\n\
         # and message line, expanded from git's compiled catalogs\n\
         # (/usr/share/locale/*/LC_MESSAGES/git.mo).  build.rs merges them into the\n\
         # rules' `match` lists.\n\
         #\n\
         # GENERATED by `cargo run --example git_i18n`: do not edit.  A test fails\n\
         # when this file is stale against the installed catalogs.\n\
         # Languages: {}\n",
        langs.join(" ")
    );
    for spanned in &file.rules {
        let rule = spanned.get_ref();
        for entry in &rule.git {
            let pieces = match parse_format(&entry.msgid) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(format!("rule {}: {e}", rule.id));
                    continue;
                }
            };
            let mut found = false;
            let mut seen: Vec<String> = Vec::new();
            for cat in catalogs {
                let Some(forms) = cat.messages.get(&entry.msgid) else {
                    continue;
                };
                found = true;
                for form in forms {
                    if form == &entry.msgid {
                        continue; // not translated: the English patterns hold
                    }
                    let pats = match translation_patterns(entry, &pieces, form) {
                        Ok(p) => p,
                        Err(e) => {
                            errors.push(format!("rule {} ({}): {e}", rule.id, cat.lang));
                            continue;
                        }
                    };
                    for re in pats {
                        if seen.contains(&re) {
                            continue;
                        }
                        if let Err(e) = regex::Regex::new(&re) {
                            errors.push(format!("rule {} ({}): {re:?}: {e}", rule.id, cat.lang));
                            continue;
                        }
                        let _ = writeln!(
                            o,
                            "[[pattern]]\nrule = {}\nmsgid = {}\nlang = {}\nre = {}\n",
                            toml_str(&rule.id),
                            toml_str(&entry.msgid),
                            toml_str(&cat.lang),
                            toml_str(&re)
                        );
                        seen.push(re);
                    }
                }
            }
            if !found {
                errors.push(format!(
                    "rule {}: msgid {:?} is in none of git's catalogs ({})",
                    rule.id,
                    entry.msgid,
                    langs.join(" ")
                ));
            } else if seen.is_empty() {
                errors.push(format!(
                    "rule {}: msgid {:?} gave no pattern in any language",
                    rule.id, entry.msgid
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(o.trim_end().to_owned() + "\n")
    } else {
        Err(errors)
    }
}

/// A TOML string: literal (`'…'`) when possible, else basic with escapes.
fn toml_str(s: &str) -> String {
    if !s.contains('\'') && !s.chars().any(char::is_control) {
        return format!("'{s}'");
    }
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(o, "\\u{:04X}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Reads every catalog under `locale_dir`.
pub(crate) fn load_catalogs(locale_dir: &Path) -> Result<Vec<Catalog>, String> {
    find_catalogs(locale_dir)?
        .into_iter()
        .map(|(lang, path)| {
            let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            parse_mo(&lang, &data)
        })
        .collect()
}
