//! The house has one direction (docs/architecture.md): every `crate::…`,
//! `super::…` and `self::…` path in `src/` is read, resolved to the module
//! file it names, and checked against the layers; the module graph must have
//! no cycle (a module using its own ancestors — a child reaching its parent's
//! helpers — is not counted: the parent declares the child, that is the
//! tree).  Also: no tracked file cites material outside the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util;

/// The lowest layer: small leaf modules anything may use (`""` is the crate
/// root, `src/lib.rs`).
const BASE: &[&str] = &["", "config", "exec", "i18n", "redact", "testutil"];

/// What each top-level module may use besides [`BASE`] and itself.
const LAYERS: &[(&str, &[&str])] = &[
    ("rules", &[]),
    // The shim knows nothing of diagnosis: the failure hook is handed to it.
    ("shim", &[]),
    ("diagnose", &["rules"]),
    ("render", &["diagnose", "rules"]),
    // The doctor shows which go the shim would run, by the shim's own lookup.
    ("doctor", &["render", "diagnose", "rules", "shim"]),
    // What a failure leaves for CI: job summaries, GitLab sections, the
    // event log; it reads the shim's failure record and renders diagnoses.
    ("report", &["render", "diagnose", "rules", "shim"]),
    (
        "cli",
        &["doctor", "report", "render", "diagnose", "rules", "shim"],
    ),
];

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

fn allowed(from: &str, to: &str) -> bool {
    let (f, t) = (top(from), top(to));
    if f == t || BASE.contains(&t) {
        return true;
    }
    if BASE.contains(&f) {
        return false;
    }
    LAYERS
        .iter()
        .find(|(name, _)| *name == f)
        .is_some_and(|(_, uses)| uses.contains(&t))
}

/// `src/a/b.rs` and `src/a/b/mod.rs` → `a::b`; `src/lib.rs` → `""`.
fn module_name(rel: &Path) -> Option<String> {
    let s = rel.to_str()?.strip_suffix(".rs")?;
    if s == "lib" {
        return Some(String::new());
    }
    if s == "main" {
        return None; // the binary: its own crate, which uses `gotriage::…`
    }
    let s = s.strip_suffix("/mod").unwrap_or(s);
    Some(s.replace('/', "::"))
}

/// Every module file under `src/`, with its source.
fn sources(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(name) = module_name(p.strip_prefix(src).unwrap()) {
                out.insert(name, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

/// The source without comments, string, byte-string, raw-string and char
/// literals (a `crate::` in a doc comment or a message is not an import).
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let prev_ident = i > 0 && ident(c[i - 1]);
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if !prev_ident && (c[i] == 'r' || (c[i] == 'b' && c.get(i + 1) == Some(&'r'))) && {
            let mut j = i + if c[i] == 'b' { 2 } else { 1 };
            while c.get(j) == Some(&'#') {
                j += 1;
            }
            c.get(j) == Some(&'"')
        } {
            // r"…", r#"…"#, br"…"
            i += if c[i] == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while c[i] == '#' {
                hashes += 1;
                i += 1;
            }
            i += 1;
            while i < c.len() {
                if c[i] == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
            out.push_str("\"\"");
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c[i] == '\'' && c.get(i + 1) == Some(&'\\') {
            i += 2;
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if c[i] == '\'' && c.get(i + 2) == Some(&'\'') {
            i += 3;
            out.push_str("' '");
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn tokens(s: &str) -> Vec<String> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if c[i].is_alphanumeric() || c[i] == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        } else if c[i] == ':' && c.get(i + 1) == Some(&':') {
            out.push("::".to_owned());
            i += 2;
        } else {
            if !c[i].is_whitespace() {
                out.push(c[i].to_string());
            }
            i += 1;
        }
    }
    out
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Expands the path (or `use` tree) that starts at `t[*i]` into full paths.
fn tree(t: &[String], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    loop {
        match t.get(*i).map(String::as_str) {
            Some("{") => {
                *i += 1;
                while !matches!(t.get(*i).map(String::as_str), Some("}") | None) {
                    tree(t, i, path.clone(), out);
                    if t.get(*i).map(String::as_str) == Some(",") {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            Some("self") => {
                *i += 1;
                out.push(path);
                return;
            }
            Some(id) if is_ident(id) => {
                path.push(id.to_owned());
                *i += 1;
                if t.get(*i).map(String::as_str) == Some("::") {
                    *i += 1;
                    continue;
                }
                // `as NAME` after a leaf
                if t.get(*i).map(String::as_str) == Some("as") {
                    *i += 2;
                }
                out.push(path);
                return;
            }
            _ => {
                // `*`, `<`, end of input: the path so far
                if t.get(*i).map(String::as_str) == Some("*") {
                    *i += 1;
                }
                out.push(path);
                return;
            }
        }
    }
}

/// The paths a module's source names, resolved from the crate root.
fn paths(module: &str, src: &str) -> Vec<Vec<String>> {
    let t = tokens(&strip(src));
    let here: Vec<String> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(str::to_owned).collect()
    };
    // inline `mod name { … }`: (name, brace depth it opened at)
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        match t[i].as_str() {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            "mod"
                if t.get(i + 1).is_some_and(|n| is_ident(n))
                    && t.get(i + 2).map(String::as_str) == Some("{") =>
            {
                inline.push((t[i + 1].clone(), depth));
                depth += 1;
                i += 3;
                continue;
            }
            "crate" | "super" | "self"
                if t.get(i + 1).map(String::as_str) == Some("::")
                    && (i == 0 || t[i - 1] != "::") =>
            {
                let mut base: Vec<String> = here.clone();
                base.extend(inline.iter().map(|(n, _)| n.clone()));
                let mut j = i;
                if t[i] == "crate" {
                    base.clear();
                    j += 2;
                } else if t[i] == "self" {
                    j += 2;
                } else {
                    while t.get(j).map(String::as_str) == Some("super")
                        && t.get(j + 1).map(String::as_str) == Some("::")
                    {
                        base.pop();
                        j += 2;
                    }
                }
                tree(&t, &mut j, base, &mut out);
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The module a path lands in: its longest prefix that is a module file.
fn target(path: &[String], known: &BTreeSet<String>) -> String {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| known.contains(m))
        .unwrap_or_default()
}

fn is_ancestor(a: &str, of: &str) -> bool {
    a.is_empty() || of.starts_with(&format!("{a}::"))
}

struct Graph {
    /// from → to → one path that made the edge
    edges: BTreeMap<String, BTreeMap<String, String>>,
}

fn graph(modules: &BTreeMap<String, String>) -> Graph {
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (m, src) in modules {
        let e = edges.entry(m.clone()).or_default();
        for p in paths(m, src) {
            let to = target(&p, &known);
            if &to != m {
                e.entry(to)
                    .or_insert_with(|| format!("crate::{}", p.join("::")));
            }
        }
    }
    Graph { edges }
}

/// Imports that go against the layers: `from uses path`.
fn violations(g: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    for (from, tos) in &g.edges {
        for (to, path) in tos {
            if !allowed(from, to) {
                out.push(format!(
                    "{from} uses {path} (a {} may not use {})",
                    top(from),
                    top(to)
                ));
            }
        }
    }
    out
}

/// Strongly connected components of more than one module (Tarjan), edges to
/// one's own ancestors left out.
fn cycles(g: &Graph) -> Vec<Vec<String>> {
    struct St<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut St<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        let g = s.g;
        for w in g.edges.get(v).into_iter().flat_map(|m| m.keys()) {
            let w = w.as_str();
            if is_ancestor(w, v) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let l = s.low[v].min(s.low[w]);
                s.low.insert(v, l);
            } else if s.on.contains(w) {
                let l = s.low[v].min(s.index[w]);
                s.low.insert(v, l);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = St {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn explain_cycle(g: &Graph, comp: &[String]) -> String {
    let mut lines = Vec::new();
    for a in comp {
        for (b, path) in &g.edges[a] {
            if comp.contains(b) && !is_ancestor(b, a) {
                lines.push(format!("  {a} → {b} ({path})"));
            }
        }
    }
    lines.join("\n")
}

#[test]
fn imports_follow_the_layers_and_form_no_cycle() {
    let modules = sources(&util::repo().join("src"));
    assert!(modules.contains_key("shim::run") && modules.contains_key("doctor"));
    let g = graph(&modules);
    let bad = violations(&g);
    assert!(
        bad.is_empty(),
        "imports against the layers (docs/architecture.md):\n{}",
        bad.join("\n")
    );
    let found = cycles(&g);
    let text: Vec<String> = found.iter().map(|c| explain_cycle(&g, c)).collect();
    assert!(found.is_empty(), "import cycles:\n{}", text.join("\n\n"));
}

fn fake(files: &[(&str, &str)]) -> Graph {
    graph(
        &files
            .iter()
            .map(|(m, s)| ((*m).to_owned(), (*s).to_owned()))
            .collect(),
    )
}

#[test]
fn the_checker_reads_use_trees_and_skips_comments_and_strings() {
    let g = fake(&[
        ("", ""),
        ("config", ""),
        ("rules", ""),
        ("diagnose", ""),
        ("diagnose::engine", ""),
        (
            "render",
            "use crate::{config, diagnose::{self, engine::Rule as R}};",
        ),
        (
            "shim::hook",
            "// crate::diagnose::report\nconst S: &str = \"crate::render\";\n\
             const R: &str = r#\"crate::doctor\"#; fn f<'a>(c: char) { let _ = '\"'; }\n\
             mod tests { use super::*; use crate::config::X; }",
        ),
        ("shim", ""),
    ]);
    let render: Vec<&str> = g.edges["render"].keys().map(String::as_str).collect();
    assert_eq!(render, ["config", "diagnose", "diagnose::engine"]);
    let hook: Vec<&str> = g.edges["shim::hook"].keys().map(String::as_str).collect();
    assert_eq!(
        hook,
        ["config"],
        "inline `mod tests` resolves super:: to the file"
    );
    assert!(violations(&g).is_empty());
}

#[test]
fn the_checker_fails_on_an_upward_import_and_on_a_cycle() {
    let g = fake(&[
        ("", ""),
        ("diagnose", "fn f() { crate::shim::hook::Failure::new(); }"),
        ("shim", ""),
        ("shim::hook", "use crate::diagnose::report;"),
        ("doctor", ""),
        ("doctor::machine", "use super::scope::Scope; use super::l;"),
        (
            "doctor::scope",
            "pub(super) fn x() { super::machine::probe(); }",
        ),
    ]);
    let bad = violations(&g);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(
        bad.iter()
            .any(|b| b.starts_with("shim::hook uses crate::diagnose"))
    );
    assert!(
        bad.iter()
            .any(|b| b.starts_with("diagnose uses crate::shim::hook"))
    );
    let c = cycles(&g);
    assert!(c.contains(&vec![
        "doctor::machine".to_owned(),
        "doctor::scope".to_owned()
    ]));
    assert!(c.contains(&vec!["diagnose".to_owned(), "shim::hook".to_owned()]));
    // a child using its parent's helpers is not a cycle
    assert!(!c.iter().any(|comp| comp.contains(&"doctor".to_owned())));
}

#[test]
fn no_file_cites_material_outside_the_repository() {
    let needles = [concat!("shared", "/reference"), concat!("../", "shared")];
    let out = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(util::repo())
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut hits = Vec::new();
    for f in out.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let f = String::from_utf8_lossy(f).into_owned();
        let Ok(bytes) = std::fs::read(util::repo().join(&f)) else {
            continue; // deleted in the work tree
        };
        let text = String::from_utf8_lossy(&bytes);
        for n in needles {
            if text.contains(n) {
                hits.push(format!("{f}: {n}"));
            }
        }
    }
    assert!(hits.is_empty(), "cites outside the repository: {hits:?}");
}
