//! The committed man pages and shell completions match what the binary
//! generates from its clap definition (`make docs` regenerates them).

use std::process::Command;

use crate::util;

fn generated(args: &[&str]) -> String {
    let out = Command::new(util::gotriage()).args(args).output().unwrap();
    assert!(out.status.success(), "{}", util::show(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn man_pages_and_completions_are_up_to_date() {
    let docs = util::repo().join("docs");
    let mut files: Vec<(String, Vec<&str>)> = vec![
        ("man/gotriage.1".into(), vec!["man"]),
        (
            "completions/gotriage.bash".into(),
            vec!["completions", "bash"],
        ),
        ("completions/_gotriage".into(), vec!["completions", "zsh"]),
        (
            "completions/gotriage.fish".into(),
            vec!["completions", "fish"],
        ),
    ];
    let makefile = std::fs::read_to_string(util::repo().join("Makefile")).unwrap();
    let subs = makefile
        .lines()
        .find_map(|l| l.strip_prefix("DOC_SUBCOMMANDS := "))
        .expect("DOC_SUBCOMMANDS in the Makefile");
    for sub in subs.split_whitespace() {
        files.push((format!("man/gotriage-{sub}.1"), vec!["man", sub]));
    }
    let mut stale = Vec::new();
    for (file, args) in &files {
        let committed = std::fs::read_to_string(docs.join(file)).unwrap_or_default();
        if committed != generated(args) {
            stale.push(file.clone());
        }
    }
    assert!(stale.is_empty(), "stale docs (run `make docs`): {stale:?}");
}
