//! The shim's plumbing, against the stub go: exit codes, signals, arguments,
//! stdin, huge and partial stderr, closed pipes, terminals, nesting,
//! recursion, a missing real go.  (Fidelity with the real toolchain is in
//! shim_fidelity.rs.)

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{self, Sandbox, alive_with, assert_none_left, os, show};

/// A sandbox whose PATH has the shim first and the stub (as `go`) second.
fn with_stub() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    let dir = sb.go_dir("real", &util::stub_go());
    (sb, dir)
}

fn shim(script: &str) -> (Sandbox, Command) {
    let (sb, real) = with_stub();
    let mut c = sb.shim_cmd(&real);
    c.env("STUB_GO", script);
    (sb, c)
}

/// The same script run against the stub directly (what go would have done).
fn direct(script: &str) -> Command {
    let mut c = Command::new(util::stub_go());
    c.env_clear()
        .env("STUB_GO", script)
        .env("PATH", "/usr/bin:/bin");
    c
}

/// Waits for a child, failing the test (and killing it) after `limit`.
fn wait_within(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("child still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Spawns `cmd` as the leader of a new process group (as a shell does for a
/// foreground job), so signals can be sent to the group without hitting
/// the test runner.
fn spawn_in_own_group(cmd: &mut Command) -> Child {
    default_signals(cmd);
    cmd.process_group(0).stdout(Stdio::piped()).spawn().unwrap()
}

/// The signals these tests send start at their default disposition in the
/// child, however the test runner itself was started (a runner launched as
/// a background job inherits SIGINT and SIGQUIT ignored).
fn default_signals(cmd: &mut Command) {
    // SAFETY: signal(2) is async-signal-safe, fine between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            for sig in [
                libc::SIGHUP,
                libc::SIGINT,
                libc::SIGQUIT,
                libc::SIGTERM,
                libc::SIGUSR1,
                libc::SIGPIPE,
            ] {
                libc::signal(sig, libc::SIG_DFL);
            }
            Ok(())
        });
    }
}

/// Reads one line from the child's stdout.
fn read_line(child: &mut Child) -> String {
    let out = child.stdout.as_mut().unwrap();
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while out.read(&mut b).unwrap() == 1 {
        if b[0] == b'\n' {
            break;
        }
        line.push(b[0]);
    }
    String::from_utf8(line).unwrap()
}

fn rest_of_stdout(child: &mut Child) -> String {
    let mut s = String::new();
    child.stdout.take().unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn exit_codes_pass_through() {
    for code in [0, 1, 2, 3, 42, 125, 126, 127, 128, 200, 254, 255] {
        let (_sb, mut c) = shim(&format!("exit:{code}"));
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", show(&out));
        assert!(out.stderr.is_empty(), "{}", show(&out));
    }
}

#[test]
fn signal_deaths_pass_through() {
    for sig in [
        libc::SIGTERM,
        libc::SIGKILL,
        libc::SIGINT,
        libc::SIGHUP,
        libc::SIGUSR1,
        libc::SIGPIPE,
        libc::SIGQUIT,
        libc::SIGABRT,
        libc::SIGSEGV,
    ] {
        let (_sb, mut c) = shim(&format!("signal:{sig}"));
        let via_shim = c.output().unwrap();
        let plain = direct(&format!("signal:{sig}")).output().unwrap();
        assert_eq!(plain.status.signal(), Some(sig));
        assert_eq!(
            via_shim.status.signal(),
            Some(sig),
            "signal {sig}: {}",
            show(&via_shim)
        );
        // No core file of the shim's own (it lowers RLIMIT_CORE before re-raising).
        assert!(
            !via_shim.status.core_dumped(),
            "signal {sig} dumped the shim's core"
        );
    }
}

#[test]
fn arguments_reach_go_unchanged() {
    let args: Vec<&[u8]> = vec![
        b"build",
        b"",
        b"with space",
        b"--",
        b"-h",
        b"--help",
        b"\xff\xfe not utf-8 \x80",
        b"-ldflags=-X main.v=1",
        "中文".as_bytes(),
    ];
    let expected: String = args
        .iter()
        .map(|a| a.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect();
    let (sb, mut c) = shim("args");
    let out = c.args(args.iter().map(|a| os(a))).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected,
        "{}",
        show(&out)
    );

    // `gotriage go ARGS…` (alias mode) passes the same bytes, --help included.
    let out = Command::new(util::gotriage())
        .env_clear()
        .env("PATH", util::path_of(&[&sb.path().join("real")]))
        .env("STUB_GO", "args")
        .arg("go")
        .args(args.iter().map(|a| os(a)))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected,
        "{}",
        show(&out)
    );
}

#[test]
fn stdin_environment_and_directory_pass_through() {
    let (sb, mut c) = shim("stdin;env:SOME_SETTING;env:GOFLAGS;cwd;env:GOTRIAGE_DEPTH");
    let work = sb.path().join("work dir");
    std::fs::create_dir(&work).unwrap();
    let mut child = c
        .current_dir(&work)
        .env("SOME_SETTING", "x=1 y")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input: Vec<u8> = (0..=255u8).cycle().take(200_000).collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = {
        let input = input.clone();
        std::thread::spawn(move || stdin.write_all(&input).unwrap())
    };
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "{}", show(&out));
    let (echo, rest) = out.stdout.split_at(input.len());
    assert!(echo == input, "stdin bytes changed on the way");
    let rest = String::from_utf8_lossy(rest);
    assert_eq!(
        rest,
        format!(
            "SOME_SETTING=x=1 y\nGOFLAGS unset\ncwd {}\nGOTRIAGE_DEPTH=1\n",
            work.display()
        )
    );
}

#[test]
fn stderr_is_relayed_byte_for_byte() {
    // Carriage returns, a NUL, invalid UTF-8, no trailing newline.
    let text = "go: downloading a\\nprogress 10%\\r20%\\r\\n\\x00\\xff\\xfe tail without newline";
    let (_sb, mut c) = shim(&format!("err:{text};exit:1"));
    let via_shim = c.output().unwrap();
    let plain = direct(&format!("err:{text};exit:1")).output().unwrap();
    assert_eq!(via_shim.status.code(), Some(1));
    assert_eq!(via_shim.stderr, plain.stderr, "{}", show(&via_shim));
}

#[test]
fn partial_lines_arrive_as_they_are_written() {
    let (sb, mut c) = shim("");
    let flag = sb.path().join("saw-partial");
    c.env(
        "STUB_GO",
        format!(
            "err:no newline yet;wait-file:{};err: done\\n;exit:0",
            flag.display()
        ),
    );
    let mut child = c.stderr(Stdio::piped()).spawn().unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    // The stub writes the rest only after we saw the partial line: if the
    // shim buffered by line, this would wait for the stub's 20 s timeout.
    let start = Instant::now();
    while !got.ends_with(b"no newline yet") {
        let n = err.read(&mut buf).unwrap();
        assert!(n > 0, "EOF before the partial line arrived");
        got.extend_from_slice(&buf[..n]);
    }
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "partial line was held back"
    );
    std::fs::write(&flag, "").unwrap();
    err.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"no newline yet done\n");
    assert!(wait_within(&mut child, Duration::from_secs(20)).success());
}

#[test]
fn a_gigabyte_of_stderr_passes_with_bounded_memory() {
    const GIB: u64 = 1 << 30;
    let (sb, c) = shim(&format!("stderr-bytes:{GIB};exit:3"));
    // Peak RSS through GNU time, which starts the shim from a small process:
    // a child's ru_maxrss counts the memory of whatever it was spawned from
    // (vfork shares it until exec), so measuring from this test runner would
    // measure the runner.
    let report = sb.path().join("time.out");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-o")
        .arg(&report)
        .args(["-f", "%M"])
        .arg(c.get_program())
        .args(c.get_args())
        .env_clear()
        .envs(c.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .current_dir(sb.path());
    let mut child = timed.stderr(Stdio::piped()).spawn().unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut total = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = err.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    let status = wait_within(&mut child, Duration::from_secs(60));
    assert_eq!(status.code(), Some(3));
    assert_eq!(total, GIB, "bytes lost or added on the way");
    // A functional bound (memory stays flat, it does not grow with the
    // output); the measured figure is in `make bench`.
    // (GNU time writes "Command exited with non-zero status 3" first.)
    let peak_kib: u64 = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("GNU time's %M");
    assert!(
        peak_kib < 32 * 1024,
        "peak RSS {peak_kib} KiB for 1 GiB of stderr"
    );
}

#[test]
fn closed_stdout_behaves_as_without_the_shim() {
    // `go list … | head -c 10`: the reader goes away early.
    let run = |mut c: Command| {
        let mut child = c
            .env("STUB_GO", "stdout-bytes:10000000;exit:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 10];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut head)
            .unwrap();
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (wait_within(&mut child, Duration::from_secs(20)), err)
    };
    let (_sb, c) = shim("");
    let (via_shim, shim_err) = run(c);
    let (plain, _) = run(direct(""));
    assert_eq!(plain.signal(), Some(libc::SIGPIPE));
    assert_eq!(via_shim.signal(), Some(libc::SIGPIPE), "stderr: {shim_err}");
    assert_eq!(shim_err, "", "the shim added a message of its own");
}

#[test]
fn closed_stderr_behaves_as_without_the_shim() {
    // `go build 2>&1 | head -c 10` for stderr: the child must meet the broken
    // pipe as it would have, and the shim must not panic or print.
    let run = |mut c: Command| {
        let mut child = c
            .env("STUB_GO", "stderr-bytes:10000000;exit:0")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 10];
        child
            .stderr
            .as_mut()
            .unwrap()
            .read_exact(&mut head)
            .unwrap();
        drop(child.stderr.take());
        wait_within(&mut child, Duration::from_secs(20))
    };
    let (_sb, c) = shim("");
    let via_shim = run(c);
    let plain = run(direct(""));
    assert_eq!(plain.signal(), Some(libc::SIGPIPE));
    assert_eq!(via_shim.signal(), Some(libc::SIGPIPE), "{via_shim:?}");
}

/// Runs the shim as a foreground job on a terminal of the test's own (its
/// controlling terminal, stdin and stderr), as an interactive shell would.
fn spawn_on_controlling_terminal(cmd: &mut Command, slave: &std::fs::File) -> Child {
    crate::util::controlling_terminal(cmd, slave);
    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave.try_clone().unwrap()))
        .spawn()
        .unwrap()
}

#[test]
fn ctrl_c_on_the_terminal_reaches_go_once_and_the_shim_waits_for_it() {
    let (_sb, mut c) = shim("count-signals:300;exit:0");
    let (mut master, slave) = crate::util::test_pty(24, 80);
    let mut child = spawn_on_controlling_terminal(&mut c, &slave);
    drop(slave);
    assert_eq!(read_line(&mut child), "ready");
    // Ctrl-C typed on the terminal: the kernel sends SIGINT (SI_KERNEL) to
    // the foreground process group, shim and go alike.
    master.write_all(b"\x03").unwrap();
    let out = rest_of_stdout(&mut child);
    let st = wait_within(&mut child, Duration::from_secs(20));
    assert_eq!(
        out, "signal 2 x1 code=128\n",
        "go got Ctrl-C more or less than once"
    );
    // The stub handled Ctrl-C and exited 0; a shim that died on SIGINT would show a signal.
    assert_eq!(st.code(), Some(0), "{st:?}");
}

#[test]
fn ctrl_c_that_kills_go_kills_the_shim_the_same_way() {
    let (_sb, mut c) = shim("ready;sleep:20000;exit:0");
    let mut child = spawn_in_own_group(&mut c);
    assert_eq!(read_line(&mut child), "ready");
    // SAFETY: signalling the process group we just created.
    unsafe { libc::killpg(child.id() as libc::pid_t, libc::SIGINT) };
    let st = wait_within(&mut child, Duration::from_secs(10));
    assert_eq!(st.signal(), Some(libc::SIGINT), "{st:?}");
}

#[test]
fn signals_sent_to_the_shim_alone_are_forwarded_once() {
    for sig in [
        libc::SIGTERM,
        libc::SIGHUP,
        libc::SIGUSR1,
        libc::SIGINT,
        libc::SIGQUIT,
    ] {
        let (_sb, mut c) = shim("count-signals:300;exit:0");
        let mut child = spawn_in_own_group(&mut c);
        assert_eq!(read_line(&mut child), "ready");
        // SAFETY: signalling only the shim's pid (kill(2), as `kill` or `timeout` would).
        unsafe { libc::kill(child.id() as libc::pid_t, sig) };
        let out = rest_of_stdout(&mut child);
        let st = wait_within(&mut child, Duration::from_secs(20));
        // Delivered once, by kill(2) from the shim (SI_USER = 0).
        assert_eq!(out, format!("signal {sig} x1 code=0\n"), "signal {sig}");
        assert_eq!(st.code(), Some(0), "signal {sig}: {st:?}");
    }
}

#[test]
fn sigterm_that_kills_go_kills_the_shim_the_same_way() {
    let (_sb, mut c) = shim("ready;sleep:20000;exit:0");
    let mut child = spawn_in_own_group(&mut c);
    assert_eq!(read_line(&mut child), "ready");
    // SAFETY: signalling only the shim's pid.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let st = wait_within(&mut child, Duration::from_secs(10));
    assert_eq!(st.signal(), Some(libc::SIGTERM), "{st:?}");
}

#[test]
fn ignored_signals_stay_ignored_for_go() {
    // A background job (`go build &` in a script) or `nohup go …` starts with
    // SIGINT/SIGQUIT or SIGHUP ignored; go must inherit that through the shim.
    // SIGPIPE too: go started from a program that ignores it (and does not
    // restore it for children) must see it ignored, and otherwise default.
    let script = "disposition:1;disposition:2;disposition:3;disposition:13;disposition:15";
    let run = |mut c: Command, ignore: bool| {
        default_signals(&mut c);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            c.pre_exec(move || {
                if ignore {
                    libc::signal(libc::SIGHUP, libc::SIG_IGN);
                    libc::signal(libc::SIGINT, libc::SIG_IGN);
                    libc::signal(libc::SIGPIPE, libc::SIG_IGN);
                } else {
                    libc::signal(libc::SIGPIPE, libc::SIG_DFL);
                }
                Ok(())
            });
        }
        c.env("STUB_GO", script).output().unwrap()
    };
    for ignore in [true, false] {
        for off in [false, true] {
            let (_sb, mut c) = shim("");
            if off {
                c.env("GOTRIAGE", "off");
            }
            let via_shim = run(c, ignore);
            let plain = run(direct(""), ignore);
            let expected = if ignore {
                "signal 1 ignored\nsignal 2 ignored\nsignal 3 default\nsignal 13 ignored\nsignal 15 default\n"
            } else {
                "signal 1 default\nsignal 2 default\nsignal 3 default\nsignal 13 default\nsignal 15 default\n"
            };
            assert_eq!(String::from_utf8_lossy(&plain.stdout), expected);
            assert_eq!(
                String::from_utf8_lossy(&via_shim.stdout),
                expected,
                "ignore={ignore} off={off}: {}",
                show(&via_shim)
            );
        }
    }
}

#[test]
fn nested_go_calls_exec_the_real_go() {
    // The outer shim tees; a `go` started by go (go generate, a tool) finds
    // the shim again on PATH and must exec the real go: no second tee.
    let (_sb, mut c) = shim("parent-exe;run-go:env;exit:0");
    c.env("STUB_GO_INNER", "parent-exe;env:GOTRIAGE_DEPTH");
    let out = c.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let gotriage = std::fs::canonicalize(util::gotriage()).unwrap();
    let stub = std::fs::canonicalize(util::stub_go()).unwrap();
    assert_eq!(lines.len(), 4, "{}", show(&out));
    // Outer: the stub's parent is the shim (spawn + tee).
    assert_eq!(lines[0], format!("parent {}", gotriage.display()));
    // Inner: the inner shim exec'd, so the inner stub's parent is the outer stub.
    assert_eq!(lines[1], format!("parent {}", stub.display()));
    assert_eq!(lines[2], "GOTRIAGE_DEPTH=2");
    assert_eq!(lines[3], "inner exit 0");
}

#[test]
fn gotriage_off_is_a_plain_exec() {
    let (_sb, mut c) = shim("parent-exe;exit:7");
    let out = c.env("GOTRIAGE", "off").output().unwrap();
    let me = std::fs::canonicalize(std::env::current_exe().unwrap()).unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("parent {}\n", me.display()),
        "with GOTRIAGE=off the stub should be our direct child"
    );
}

#[test]
fn a_path_full_of_shims_is_not_a_loop() {
    // Symlink, hard link, and a copy in other directories, and no real go.
    let sb = Sandbox::new();
    let a = sb.go_dir("a", &util::gotriage());
    let b = sb.path().join("b");
    std::fs::create_dir(&b).unwrap();
    let hard = std::fs::hard_link(util::gotriage(), b.join("go")).is_ok();
    let c = sb.path().join("c");
    std::fs::create_dir(&c).unwrap();
    std::fs::copy(util::gotriage(), c.join("go")).unwrap();
    let path = util::path_of(&[&sb.path().join("bin"), &a, &b, &c]);
    let start = Instant::now();
    let out = Command::new(sb.shim())
        .env_clear()
        .env("PATH", &path)
        .env("HOME", sb.path())
        .arg("version")
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(127), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("go: command not found\n"), "{err}");
    assert!(err.contains("this gotriage (same file)"), "{err}");
    assert!(err.contains("a copy of this gotriage"), "{err}");
    if hard {
        assert!(err.contains(&format!("{}/go", b.display())), "{err}");
    }
}

#[test]
fn a_loop_through_a_wrapper_hits_the_backstop() {
    // A wrapper script named go that calls `gotriage go` is not this binary,
    // so identity checks cannot see the loop: the hop counter must stop it.
    let sb = Sandbox::new();
    let w = sb.path().join("w");
    std::fs::create_dir(&w).unwrap();
    util::write_exe(
        &w.join("go"),
        &format!(
            "#!/bin/sh\nexec '{}' go \"$@\"\n",
            util::gotriage().display()
        ),
    );
    let start = Instant::now();
    let out = Command::new(util::gotriage())
        .env_clear()
        .env("PATH", util::path_of(&[&w, Path::new("/usr/bin:/bin")]))
        .env("HOME", sb.path())
        .args(["go", "version"])
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(126), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nested go calls"), "{err}");
    assert!(err.contains(&format!("{}/go", w.display())), "{err}");
}

#[test]
fn no_real_go_is_a_shell_style_127() {
    let sb = Sandbox::new();
    let out = Command::new(sb.shim())
        .env_clear()
        .env("PATH", util::path_of(&[&sb.path().join("bin")]))
        .env("HOME", sb.path())
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines[0], "go: command not found", "{err}");
    assert!(
        lines[1].starts_with("gotriage: no real go to run: searched GOTRIAGE_GO"),
        "{err}"
    );
    assert_eq!(lines.len(), 2, "{err}");
}

#[test]
fn a_grandchild_holding_stderr_does_not_hold_up_the_shim() {
    // e.g. an ssh ControlMaster or credential daemon started by git.
    let (_sb, mut c) = shim("grandchild:5000;err:bye\\n;exit:1");
    let start = Instant::now();
    let mut child = c.stderr(Stdio::piped()).spawn().unwrap();
    let mut err = child.stderr.take().unwrap();
    let st = wait_within(&mut child, Duration::from_secs(4));
    assert_eq!(st.code(), Some(1));
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "shim waited for the grandchild"
    );
    let mut first = [0u8; 4];
    err.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"bye\n");
}

// ---- terminals ---------------------------------------------------------

/// Everything readable from a pty master until the slave side closes.
fn drain_master(mut master: std::fs::File) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => return got, // EIO once every slave fd is closed
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// Runs `cmd` with stderr on a fresh terminal; returns stdout and the terminal's bytes.
fn on_terminal(mut cmd: Command, rows: u16, cols: u16) -> (Output, Vec<u8>) {
    let (master, slave) = crate::util::test_pty(rows, cols);
    let reader = std::thread::spawn(move || drain_master(master));
    let out = cmd.stderr(Stdio::from(slave)).output().unwrap();
    drop(cmd); // our copy of the slave: the master sees EIO once the child's is gone too
    (out, reader.join().unwrap())
}

#[test]
fn stderr_on_a_terminal_stays_a_terminal_for_go() {
    let script = "isatty;err:red \u{1b}[31mtext\u{1b}[0m\\nline two\\n;exit:1";
    let (_sb, mut c) = shim(script);
    c.stdin(Stdio::null());
    let (via_shim, shim_tty) = on_terminal(c, 33, 111);
    let mut d = direct(script);
    d.stdin(Stdio::null());
    let (plain, plain_tty) = on_terminal(d, 33, 111);
    assert_eq!(
        String::from_utf8_lossy(&plain.stdout),
        "isatty 0 1 2 = 0 0 1; size 33x111\n"
    );
    assert_eq!(via_shim.stdout, plain.stdout, "{}", show(&via_shim));
    // The same bytes reach the terminal (raw output on the inner pty: no
    // doubled CR/LF translation).
    assert_eq!(
        String::from_utf8_lossy(&shim_tty),
        String::from_utf8_lossy(&plain_tty)
    );
    assert_eq!(via_shim.status.code(), Some(1));
}

/// Runs `cmd` with stdout and stderr on one fresh terminal (stdin: nothing);
/// returns the exit status and the terminal's bytes.
fn on_one_terminal(mut cmd: Command, rows: u16, cols: u16) -> (ExitStatus, Vec<u8>) {
    let (master, slave) = crate::util::test_pty(rows, cols);
    let reader = std::thread::spawn(move || drain_master(master));
    let st = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave))
        .status()
        .unwrap();
    drop(cmd);
    (st, reader.join().unwrap())
}

#[test]
fn stdout_and_stderr_on_one_terminal_keep_their_order() {
    // Lines alternating between the two descriptors, then a prompt without
    // a newline on stdout and a line on stderr after it: through a relay
    // for stderr alone, stdout overtakes stderr.
    let mut script = String::from("isatty;");
    for i in 0..40 {
        script.push_str(&format!("err:e{i} stderr\\n;out:o{i} stdout\\n;"));
    }
    script.push_str("out:name? ;err:late stderr\\n;exit:0");
    let (_sb, c) = shim(&script);
    let (st, via_shim) = on_one_terminal(c, 33, 111);
    let (plain_st, plain) = on_one_terminal(direct(&script), 33, 111);
    let plain = String::from_utf8_lossy(&plain).into_owned();
    assert!(
        plain.starts_with("isatty 0 1 2 = 0 1 1; size 33x111\r\ne0 stderr\r\no0 stdout\r\n"),
        "{plain}"
    );
    assert_eq!(String::from_utf8_lossy(&via_shim), plain);
    assert_eq!(st.code(), Some(0));
    assert_eq!(plain_st.code(), Some(0));
}

#[test]
fn stdout_on_another_terminal_or_a_pipe_is_not_merged() {
    // stderr on a terminal, stdout on a different one: go writes to the
    // second terminal itself (nothing of it passes through the shim).
    let (out_master, out_slave) = crate::util::test_pty(24, 80);
    let (err_master, err_slave) = crate::util::test_pty(24, 80);
    let script = "isatty;err:to stderr\\n;out:to stdout\\n;exit:0";
    let (_sb, mut c) = shim(script);
    let out_reader = std::thread::spawn(move || drain_master(out_master));
    let err_reader = std::thread::spawn(move || drain_master(err_master));
    let st = c
        .stdin(Stdio::null())
        .stdout(Stdio::from(out_slave))
        .stderr(Stdio::from(err_slave))
        .status()
        .unwrap();
    drop(c);
    assert_eq!(st.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out_reader.join().unwrap()),
        "isatty 0 1 2 = 0 1 1; size 24x80\r\nto stdout\r\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&err_reader.join().unwrap()),
        "to stderr\r\n"
    );
}

#[test]
fn window_size_changes_reach_go() {
    let (_sb, mut c) = shim("winch-size;exit:0");
    let (master, slave) = crate::util::test_pty(24, 80);
    let master_fd = {
        use std::os::fd::AsRawFd;
        master.as_raw_fd()
    };
    let mut child = c
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave))
        .spawn()
        .unwrap();
    assert_eq!(read_line(&mut child), "ready");
    let ws = libc::winsize {
        ws_row: 50,
        ws_col: 132,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: resizing our own pty, then signalling the job's process group
    // as the kernel does for a terminal's foreground group.
    unsafe {
        libc::ioctl(master_fd, libc::TIOCSWINSZ, &ws);
        libc::killpg(child.id() as libc::pid_t, libc::SIGWINCH);
    }
    let out = rest_of_stdout(&mut child);
    wait_within(&mut child, Duration::from_secs(20));
    drop(master);
    assert_eq!(out, "size 50x132\n");
}

// ---- the failure hook ---------------------------------------------------

#[test]
fn the_diagnosis_is_appended_only_after_a_failure() {
    // Plumbing only (the stub's text is a line git really prints; the
    // evidence that diagnosis works comes from the real toolchain and lab).
    let line =
        "\\tfatal: could not read Username for 'https://github.com': terminal prompts disabled\\n";
    for code in [0, 1] {
        let (_sb, mut c) = shim(&format!("err:{line};exit:{code}"));
        let via_shim = c.env("NO_COLOR", "1").output().unwrap();
        let plain = direct(&format!("err:{line};exit:{code}")).output().unwrap();
        assert_eq!(via_shim.status.code(), Some(code));
        assert!(
            via_shim.stderr.starts_with(&plain.stderr),
            "go's bytes must come first, unchanged: {}",
            show(&via_shim)
        );
        let added = String::from_utf8_lossy(&via_shim.stderr[plain.stderr.len()..]).into_owned();
        if code == 0 {
            assert_eq!(added, "", "a diagnosis after a success");
        } else {
            assert!(
                added.starts_with("\ngotriage: error[https-credentials-missing]"),
                "{added}"
            );
        }
    }
}

// ---- the shim killed: go must not outlive it ---------------------------

#[test]
fn go_starts_with_the_signal_state_it_would_have_had() {
    // Blocked and ignored signals as the caller left them (SIGUSR1 blocked,
    // SIGHUP and SIGPIPE ignored), none of the shim's handlers.
    let run = |mut c: Command| {
        // SAFETY: signal(2) and sigprocmask(2) between fork and exec.
        unsafe {
            c.pre_exec(|| {
                libc::signal(libc::SIGHUP, libc::SIG_IGN);
                libc::signal(libc::SIGPIPE, libc::SIG_IGN);
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGUSR1);
                libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                Ok(())
            });
        }
        c.output().unwrap()
    };
    let (_sb, c) = shim("sigstate;exit:0");
    let via_shim = run(c);
    let plain = run(direct("sigstate;exit:0"));
    let text = String::from_utf8_lossy(&plain.stdout).into_owned();
    assert!(text.contains("SigBlk:\t0000000000000200\n"), "{text}");
    let ignored = text
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:\t"))
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap();
    let bit = |sig: libc::c_int| 1u64 << (sig - 1);
    assert_eq!(
        ignored & (bit(libc::SIGHUP) | bit(libc::SIGPIPE)),
        0x1001,
        "{text}"
    );
    assert_eq!(
        String::from_utf8_lossy(&via_shim.stdout),
        text,
        "{}",
        show(&via_shim)
    );
    // And with nothing blocked or ignored: nothing inherited from the shim.
    let (_sb, mut c) = shim("sigstate;exit:0");
    let via_shim = c.output().unwrap();
    let plain = direct("sigstate;exit:0").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&via_shim.stdout),
        String::from_utf8_lossy(&plain.stdout)
    );
}

#[test]
fn a_real_go_that_cannot_be_executed_is_reported_like_a_shell() {
    // A script whose interpreter is missing: execve fails with ENOENT (127);
    // a file without the execute bit is not taken as go at all.
    let sb = Sandbox::new();
    let dir = sb.path().join("broken");
    std::fs::create_dir_all(&dir).unwrap();
    util::write_exe(&dir.join("go"), "#!/nonexistent/interpreter\n");
    let out = sb.shim_cmd(&dir).arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gotriage: cannot run"), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
}

#[test]
fn go_dies_with_a_shim_killed_by_sigkill() {
    let (sb, mut c) = shim("");
    let pidfile = sb.path().join("go.pid");
    let marker = format!("GOTRIAGE_TEST_ORPHAN={}", std::process::id());
    c.env(
        "STUB_GO",
        format!("pidfile:{};ready;sleep:30000;exit:0", pidfile.display()),
    )
    .env("GOTRIAGE_TEST_ORPHAN", std::process::id().to_string());
    let mut child = spawn_in_own_group(&mut c);
    assert_eq!(read_line(&mut child), "ready");
    let go: u32 = std::fs::read_to_string(&pidfile).unwrap().parse().unwrap();
    assert_eq!(
        alive_with(&marker),
        vec![child.id(), go],
        "shim and go before the kill"
    );
    child.kill().unwrap(); // SIGKILL, to the shim's pid alone
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
    assert_none_left(&marker);
}

#[test]
fn go_dies_with_a_killed_shim_even_when_stopped_under_nohup() {
    // Ctrl-Z stopped the job, then something killed the shim.  The kernel
    // wakes an orphaned stopped group with SIGHUP + SIGCONT, which alone
    // ends go — unless SIGHUP is ignored (nohup), so it is here: only the
    // parent-death signal can end it.
    let (sb, mut c) = shim("");
    // SAFETY: signal(2) between fork and exec.
    unsafe {
        c.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            Ok(())
        });
    }
    let pidfile = sb.path().join("go.pid");
    let marker = format!("GOTRIAGE_TEST_STOPPED={}", std::process::id());
    c.env(
        "STUB_GO",
        format!("pidfile:{};ready;sleep:30000;exit:0", pidfile.display()),
    )
    .env("GOTRIAGE_TEST_STOPPED", std::process::id().to_string());
    let mut child = spawn_in_own_group(&mut c);
    assert_eq!(read_line(&mut child), "ready");
    let go: libc::pid_t = std::fs::read_to_string(&pidfile).unwrap().parse().unwrap();
    // SAFETY: stopping the process group this test created.
    unsafe { libc::killpg(child.id() as libc::pid_t, libc::SIGSTOP) };
    let stopped = |pid: libc::pid_t| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| s.rsplit_once(") ").is_some_and(|(_, r)| r.starts_with('T')))
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while !stopped(go) {
        assert!(Instant::now() < deadline, "go did not stop");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_none_left(&marker);
}
