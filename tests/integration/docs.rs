//! The committed man pages and shell completions match what the binary
//! generates from its clap definition (`make docs` regenerates them), cover
//! every visible subcommand, and format without groff warnings.

use std::collections::BTreeSet;
use std::process::Command;

use clap::CommandFactory;

use crate::util;

fn generated(args: &[&str]) -> String {
    let out = Command::new(util::gotriage()).args(args).output().unwrap();
    assert!(out.status.success(), "{}", util::show(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// `DOC_SUBCOMMANDS` from the Makefile: the subcommands with their own page.
fn doc_subcommands() -> Vec<String> {
    let makefile = std::fs::read_to_string(util::repo().join("Makefile")).unwrap();
    makefile
        .lines()
        .find_map(|l| l.strip_prefix("DOC_SUBCOMMANDS := "))
        .expect("DOC_SUBCOMMANDS in the Makefile")
        .split_whitespace()
        .map(str::to_owned)
        .collect()
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
    let subs = doc_subcommands();
    for sub in &subs {
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

    // No page left behind by a removed or renamed subcommand.
    let expected: BTreeSet<String> = files
        .iter()
        .filter_map(|(f, _)| f.strip_prefix("man/").map(str::to_owned))
        .collect();
    let present: BTreeSet<String> = std::fs::read_dir(docs.join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        present, expected,
        "docs/man/ holds pages `make docs` does not make"
    );
}

#[test]
fn every_visible_subcommand_has_a_man_page() {
    // `go` is the shim itself (documented in gotriage(1)), not a command with options.
    let visible: BTreeSet<String> = gotriage::cli::Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "go")
        .map(|c| c.get_name().to_owned())
        .collect();
    let listed: BTreeSet<String> = doc_subcommands().into_iter().collect();
    assert_eq!(
        listed, visible,
        "DOC_SUBCOMMANDS in the Makefile vs the CLI's visible subcommands"
    );
}

#[test]
fn man_pages_format_without_warnings() {
    let dir = util::repo().join("docs/man");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let page = entry.unwrap().path();
        let out = Command::new("groff")
            .args(["-man", "-ww", "-z"])
            .arg(&page)
            .output()
            .expect("groff (make test installs groff-base)");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}: {}",
            page.display(),
            util::show(&out)
        );
    }
}

/// The committed completions load in the real shells and complete the
/// subcommands (zsh: registered with compinit; driving its completer needs
/// a terminal).
#[test]
fn completions_load_and_complete_in_real_shells() {
    let dir = util::repo().join("docs/completions");
    let run = |argv: &[&str], script: String| {
        let out = Command::new(argv[0])
            .args(&argv[1..])
            .arg(script)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", env!("CARGO_TARGET_TMPDIR"))
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{argv:?}: {}",
            util::show(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let bash = run(
        &["/usr/bin/bash", "--noprofile", "--norc", "-c"],
        format!(
            ". '{}'\nCOMP_WORDS=(gotriage in); COMP_CWORD=1; COMP_LINE='gotriage in'\n\
             COMP_POINT=${{#COMP_LINE}}; _gotriage gotriage in gotriage\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            dir.join("gotriage.bash").display()
        ),
    );
    assert_eq!(bash, "init\ninstall\n");
    let fish = |line: &str| {
        let out = run(
            &["/usr/bin/fish", "--no-config", "--private", "-c"],
            format!(
                "source '{}'; complete -C '{line}'",
                dir.join("gotriage.fish").display()
            ),
        );
        out.lines()
            .filter_map(|l| l.split('\t').next())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(fish("gotriage in"), ["init", "install"]);
    // The values of a positional (clap_complete's fish script leaves them
    // out; `gotriage completions fish` appends them).
    assert_eq!(
        fish("gotriage init "),
        ["bash", "fish", "powershell", "sh", "zsh"]
    );
    assert_eq!(fish("gotriage completions z"), ["zsh"]);
    let zsh = run(
        &["/usr/bin/zsh", "--no-rcs", "-c"],
        format!(
            "autoload -Uz compinit && compinit -u -D && source '{}' && print -r -- $_comps[gotriage]",
            dir.join("_gotriage").display()
        ),
    );
    assert_eq!(zsh, "_gotriage\n");
}
