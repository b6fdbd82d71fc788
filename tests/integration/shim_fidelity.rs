//! Fidelity with the real Go toolchain: the same command run through the
//! shim and directly must give the same stdout, stderr and exit status, byte
//! for byte, on every installed Go (at least 1.19 and the newest).  This
//! includes a failing build — no rule fits a compile error, so the shim adds
//! nothing — and a `go run` whose program checks `isatty(2)` on a real
//! pseudo-terminal.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{self, Sandbox, os, show};

/// A module to run go commands in, with a fresh HOME/GOPATH per test and a
/// build cache shared per Go version (so tests do not rebuild std).
struct World {
    sb: Sandbox,
    version: String,
    go: PathBuf,
}

impl World {
    fn new(version: &str, go: &Path, files: &[(&str, &str)]) -> World {
        let sb = Sandbox::new();
        let m = sb.path().join("mod");
        for (name, body) in files {
            let p = m.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        World {
            sb,
            version: version.to_owned(),
            go: go.to_owned(),
        }
    }

    fn goroot_bin(&self) -> PathBuf {
        self.go.parent().unwrap().to_owned()
    }

    fn env(&self, c: &mut Command) {
        let cache =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("gocache-{}", self.version));
        c.env_clear()
            .env("HOME", self.sb.path())
            .env("GOPATH", self.sb.path().join("gopath"))
            .env("GOCACHE", cache)
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-modcacherw")
            .env("LANG", "C.UTF-8")
            .current_dir(self.sb.path().join("mod"));
    }

    /// `go ARGS` through the shim (shim first on PATH, the real go behind it).
    fn via_shim(&self) -> Command {
        let mut c = Command::new(self.sb.shim());
        self.env(&mut c);
        c.env(
            "PATH",
            util::path_of(&[
                &self.sb.path().join("bin"),
                &self.goroot_bin(),
                Path::new("/usr/bin:/bin"),
            ]),
        );
        c
    }

    /// `go ARGS` run directly.
    fn direct(&self) -> Command {
        let mut c = Command::new(&self.go);
        self.env(&mut c);
        c.env(
            "PATH",
            util::path_of(&[&self.goroot_bin(), Path::new("/usr/bin:/bin")]),
        );
        c
    }
}

const TINY: &[(&str, &str)] = &[
    ("go.mod", "module example.com/tiny\n\ngo 1.19\n"),
    ("main.go", "package main\n\nfunc main() {}\n"),
];

const BROKEN: &[(&str, &str)] = &[
    ("go.mod", "module example.com/broken\n\ngo 1.19\n"),
    (
        "main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar n int = \"seven\"\n\tfmt.Println(n, undefinedThing)\n}\n",
    ),
];

/// Drops the line that differs between any two runs of the same go
/// (`go env`'s GOGCCFLAGS embeds a random temporary directory).
fn stable(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.contains("GOGCCFLAGS"))
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect()
}

fn assert_same(what: &str, via_shim: &Output, plain: &Output, filter: fn(&[u8]) -> Vec<u8>) {
    assert_eq!(
        via_shim.status.code(),
        plain.status.code(),
        "{what}: exit status differs\n{}",
        show(via_shim)
    );
    assert!(
        filter(&via_shim.stdout) == filter(&plain.stdout),
        "{what}: stdout differs\nvia shim:\n{}\ndirect:\n{}",
        String::from_utf8_lossy(&via_shim.stdout),
        String::from_utf8_lossy(&plain.stdout)
    );
    assert!(
        filter(&via_shim.stderr) == filter(&plain.stderr),
        "{what}: stderr differs\nvia shim:\n{}\ndirect:\n{}",
        String::from_utf8_lossy(&via_shim.stderr),
        String::from_utf8_lossy(&plain.stderr)
    );
}

fn same_bytes(b: &[u8]) -> Vec<u8> {
    b.to_vec()
}

fn compare(world: &World, args: &[OsString], filter: fn(&[u8]) -> Vec<u8>) -> Output {
    let what = format!("go{} {:?}", world.version, args);
    let via_shim = world.via_shim().args(args).output().unwrap();
    let plain = world.direct().args(args).output().unwrap();
    assert_same(&what, &via_shim, &plain, filter);
    plain
}

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

#[test]
fn trivial_commands_are_byte_identical_on_every_go() {
    for (version, go) in util::real_gos() {
        let w = World::new(&version, &go, TINY);
        let out = compare(&w, &args(&["version"]), same_bytes);
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with(&format!("go version go{version} ")),
            "{}",
            show(&out)
        );
        compare(
            &w,
            &args(&["env", "GOROOT", "GOPATH", "GOTOOLCHAIN"]),
            same_bytes,
        );
        compare(&w, &args(&["env"]), stable);
        compare(&w, &args(&["env", "-json"]), stable);
        let out = compare(&w, &args(&["list", "-m"]), same_bytes);
        assert_eq!(out.stdout, b"example.com/tiny\n");
        compare(&w, &args(&["help", "environment"]), same_bytes);
        // go's own usage errors, and an argument that is not UTF-8.
        compare(&w, &args(&["bogus-subcommand"]), same_bytes);
        let bad = vec![
            OsString::from("list"),
            os(b"example.com/\xff\xfe").to_owned(),
        ];
        compare(&w, &bad, same_bytes);
    }
}

#[test]
fn closed_descriptors_give_the_same_result() {
    // `go list -m … >&-`, `2>&-`, `<&-`: the same exit status and output as
    // without the shim (with stderr closed the shim execs: there is nowhere
    // to show a diagnosis).
    use std::os::unix::process::CommandExt;
    let gos = util::real_gos();
    for (version, go) in [gos.first().unwrap(), gos.last().unwrap()] {
        let w = World::new(version, go, TINY);
        for fd in [0, 1, 2] {
            let run = |mut c: Command| {
                // SAFETY: close(2) is async-signal-safe.
                unsafe {
                    c.pre_exec(move || {
                        libc::close(fd);
                        Ok(())
                    });
                }
                c.args([
                    "list",
                    "-m",
                    "-json",
                    "example.com/tiny",
                    "example.com/nonexistent",
                ])
                .output()
                .unwrap()
            };
            let via_shim = run(w.via_shim());
            let plain = run(w.direct());
            assert_ne!(plain.status.code(), Some(0));
            assert_same(
                &format!("go{version} with fd {fd} closed"),
                &via_shim,
                &plain,
                same_bytes,
            );
        }
    }
}

#[test]
fn a_failing_build_is_byte_identical_and_gets_no_diagnosis() {
    // A compile error is not a fetch failure: no rule fits, nothing is added.
    for (version, go) in util::real_gos() {
        let w = World::new(&version, &go, BROKEN);
        let out = compare(&w, &args(&["build", "./..."]), same_bytes);
        // 1.19 exits 2 for a build failure, later versions 1.
        assert!(matches!(out.status.code(), Some(1 | 2)), "{}", show(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("main.go:6:"), "{err}");
        compare(&w, &args(&["vet", "./..."]), same_bytes);
    }
}

/// A program that reports whether its stderr is a terminal, writes colour
/// there, and exits 3.
const TTY_PROBE: &[(&str, &str)] = &[
    ("go.mod", "module example.com/ttyprobe\n\ngo 1.19\n"),
    (
        "main.go",
        r#"package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

func isTerminal(fd uintptr) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}

func main() {
	fmt.Printf("stderr is a terminal: %v\n", isTerminal(2))
	fmt.Fprintf(os.Stderr, "\x1b[32mgreen progress\x1b[0m\r50%%\r100%%\n")
	os.Exit(3)
}
"#,
    ),
];

/// Runs `cmd` with stderr on a fresh pseudo-terminal; returns its output and
/// the bytes the terminal received.
fn on_terminal(mut cmd: Command) -> (Output, Vec<u8>) {
    let (mut master, slave) = util::test_pty(24, 80);
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        got
    });
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::from(slave))
        .output()
        .unwrap();
    drop(cmd);
    (out, reader.join().unwrap())
}

#[test]
fn go_run_keeps_a_terminal_on_stderr() {
    let gos = util::real_gos();
    // The oldest and the newest are enough here; each `go run` links a binary.
    for (version, go) in [gos.first().unwrap(), gos.last().unwrap()] {
        let w = World::new(version, go, TTY_PROBE);
        let mut c = w.via_shim();
        c.args(["run", "."]);
        let (via_shim, shim_tty) = on_terminal(c);
        let mut d = w.direct();
        d.args(["run", "."]);
        let (plain, plain_tty) = on_terminal(d);
        assert_eq!(
            String::from_utf8_lossy(&plain.stdout),
            "stderr is a terminal: true\n",
            "go{version}: {}",
            show(&plain)
        );
        assert_eq!(
            via_shim.stdout,
            plain.stdout,
            "go{version}: {}",
            show(&via_shim)
        );
        assert_eq!(via_shim.status.code(), plain.status.code());
        assert_eq!(
            String::from_utf8_lossy(&shim_tty),
            String::from_utf8_lossy(&plain_tty),
            "go{version}: different bytes reached the terminal"
        );
        assert!(String::from_utf8_lossy(&plain_tty).contains("exit status 3"));
    }
}

// ---- a real terminal: stdin, stdout and stderr on one pty ---------------

/// Interactive `go run` programs: stderr and stdout interleaved, a prompt
/// read from stdin; ticks on both until Ctrl-C; a full-screen program
/// (alternate screen, raw keys read from stdin, size taken from stdout).
const INTERACTIVE: &[(&str, &str)] = &[
    ("go.mod", "module example.com/demo\n\ngo 1.19\n"),
    (
        "prompt/main.go",
        r#"// A stderr line, then a prompt on stdout, then a read from stdin.
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(os.Stderr, "log %d (stderr)\n", i)
		fmt.Printf("out %d (stdout)\n", i)
	}
	fmt.Fprintln(os.Stderr, "warning: about to ask (stderr)")
	fmt.Print("name? ")
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	fmt.Printf("hello %s", line)
	fmt.Fprintln(os.Stderr, "bye (stderr)")
}
"#,
    ),
    (
        "ticker/main.go",
        r#"// Ticks on stdout and stderr alternately; reports Ctrl-C, survives Ctrl-Z.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"time"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	for i := 0; ; i++ {
		select {
		case <-c:
			fmt.Fprintln(os.Stderr, "interrupted (stderr)")
			fmt.Println("cleanup done (stdout)")
			os.Exit(130)
		case <-time.After(200 * time.Millisecond):
			if i%2 == 0 {
				fmt.Printf("tick %d (stdout)\n", i)
			} else {
				fmt.Fprintf(os.Stderr, "tick %d (stderr)\n", i)
			}
		}
	}
}
"#,
    ),
    (
        "screen/main.go",
        r#"// A full-screen program: alternate screen, raw keys from stdin, size from stdout.
package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
	if e != 0 {
		return e
	}
	return nil
}

func main() {
	var old syscall.Termios
	if err := ioctl(0, syscall.TCGETS, unsafe.Pointer(&old)); err != nil {
		fmt.Fprintln(os.Stderr, "stdin is not a terminal:", err)
		os.Exit(2)
	}
	raw := old
	raw.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP | syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
	raw.Oflag &^= syscall.OPOST
	raw.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	raw.Cflag &^= syscall.CSIZE | syscall.PARENB
	raw.Cflag |= syscall.CS8
	raw.Cc[syscall.VMIN] = 1
	raw.Cc[syscall.VTIME] = 0
	ioctl(0, syscall.TCSETS, unsafe.Pointer(&raw))
	var ws struct{ Row, Col, X, Y uint16 }
	ioctl(1, syscall.TIOCGWINSZ, unsafe.Pointer(&ws))
	fmt.Print("\x1b[?1049h\x1b[H\x1b[2J")
	fmt.Printf("FULLSCREEN %dx%d: press keys, q quits\r\n", ws.Row, ws.Col)
	buf := make([]byte, 16)
	for {
		n, err := os.Stdin.Read(buf)
		if err != nil || n == 0 {
			break
		}
		fmt.Printf("key %q\r\n", buf[:n])
		if buf[0] == 'q' {
			break
		}
	}
	fmt.Print("\x1b[?1049l")
	ioctl(0, syscall.TCSETS, unsafe.Pointer(&old))
	fmt.Println("left the alternate screen")
}
"#,
    ),
];

/// A terminal of the test's own with `cmd` running as its session's
/// foreground job (controlling terminal, stdin, stdout and stderr), as an
/// interactive shell runs a command; everything it shows is recorded.
struct Term {
    master: std::fs::File,
    screen: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    child: std::process::Child,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Term {
    fn start(mut cmd: Command) -> Term {
        let (master, slave) = util::test_pty(24, 80);
        util::controlling_terminal(&mut cmd, &slave);
        let child = cmd
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave))
            .spawn()
            .unwrap();
        drop(cmd);
        let screen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let reader = {
            let mut m = master.try_clone().unwrap();
            let screen = std::sync::Arc::clone(&screen);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                // EIO once every slave descriptor is closed.
                while let Ok(n @ 1..) = m.read(&mut buf) {
                    screen.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            })
        };
        Term {
            master,
            screen,
            child,
            reader: Some(reader),
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits (≤ 60 s: `go run` compiles first) until the screen shows `what`
    /// `count` times.
    fn wait_for(&self, what: &str, count: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while self.text().matches(what).count() < count {
            assert!(
                std::time::Instant::now() < deadline,
                "{what:?} x{count} never appeared:\n{}",
                self.text()
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// Types on the terminal's keyboard.
    fn send(&mut self, keys: &[u8]) {
        use std::io::Write;
        self.master.write_all(keys).unwrap();
    }

    fn finish(mut self) -> (std::process::ExitStatus, String) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let st = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("still running:\n{}", self.text());
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        (st, self.text())
    }
}

/// The newest installed go.
fn newest() -> (String, PathBuf) {
    util::real_gos().pop().unwrap()
}

#[test]
fn go_run_on_a_terminal_keeps_the_order_of_stdout_and_stderr_and_reads_a_prompt() {
    let gos = util::real_gos();
    for (version, go) in [gos.first().unwrap(), gos.last().unwrap()] {
        let w = World::new(version, go, INTERACTIVE);
        let run = |mut c: Command| {
            c.args(["run", "./prompt"]);
            let mut t = Term::start(c);
            t.wait_for("name? ", 1);
            t.send(b"Ada\r");
            t.finish()
        };
        let (st, via_shim) = run(w.via_shim());
        let (plain_st, plain) = run(w.direct());
        assert_eq!(
            plain,
            "log 1 (stderr)\r\nout 1 (stdout)\r\nlog 2 (stderr)\r\nout 2 (stdout)\r\n\
             log 3 (stderr)\r\nout 3 (stdout)\r\nwarning: about to ask (stderr)\r\n\
             name? Ada\r\nhello Ada\r\nbye (stderr)\r\n",
            "go{version}"
        );
        assert_eq!(via_shim, plain, "go{version}: the screen differs");
        assert_eq!(st.code(), Some(0), "go{version}");
        assert_eq!(plain_st.code(), Some(0));
    }
}

#[test]
fn ctrl_z_fg_and_ctrl_c_in_go_run_behave_as_without_the_shim() {
    // Job control needs a shell: an interactive bash on the terminal runs
    // `go run` as its foreground job, as it would for a user.
    let (version, go) = newest();
    let w = World::new(&version, &go, INTERACTIVE);
    let run = |c: Command| {
        let mut sh = Command::new("bash");
        sh.args(["--norc", "--noprofile", "--noediting", "-i"])
            .env_clear()
            .envs(c.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .env("PS1", "$ ")
            .env("TERM", "dumb")
            .current_dir(c.get_current_dir().unwrap());
        let mut t = Term::start(sh);
        t.wait_for("$ ", 1);
        t.send(b"go run ./ticker\r");
        t.wait_for("tick 3 (stderr)", 1);
        t.send(b"\x1a"); // Ctrl-Z
        t.wait_for("Stopped", 1);
        t.wait_for("$ ", 2);
        let while_stopped = t.text();
        std::thread::sleep(std::time::Duration::from_millis(600));
        assert_eq!(t.text(), while_stopped, "output while stopped");
        t.send(b"fg\r");
        let ticks = while_stopped.matches("tick").count();
        t.wait_for("tick", ticks + 2);
        t.send(b"\x03"); // Ctrl-C
        t.wait_for("$ ", 3);
        t.send(b"echo status=$?; exit\r");
        let (_, screen) = t.finish();
        let tail = screen
            .rsplit_once("^C")
            .map(|(_, t)| t.to_owned())
            .unwrap_or_default();
        (tail, screen)
    };
    let (tail, screen) = run(w.via_shim());
    let (plain_tail, plain_screen) = run(w.direct());
    for s in [&screen, &plain_screen] {
        assert!(s.contains("Stopped"), "{s}");
    }
    assert!(
        plain_tail.starts_with(
            "interrupted (stderr)\r\ncleanup done (stdout)\r\nexit status 130\r\n$ echo status=$?; exit\r\nstatus=1\r\n"
        ),
        "{plain_screen}"
    );
    assert_eq!(tail, plain_tail, "{screen}");
}

#[test]
fn a_full_screen_go_run_program_works_as_without_the_shim() {
    let (version, go) = newest();
    let w = World::new(&version, &go, INTERACTIVE);
    let run = |mut c: Command| {
        c.args(["run", "./screen"]);
        let mut t = Term::start(c);
        t.wait_for("FULLSCREEN 24x80: press keys, q quits\r\n", 1);
        t.send(b"a");
        t.wait_for("key \"a\"", 1);
        // Raw mode: Ctrl-C is a key, not a signal.
        t.send(b"\x03");
        t.wait_for("key \"\\x03\"", 1);
        t.send(b"q");
        t.finish()
    };
    let (st, via_shim) = run(w.via_shim());
    let (plain_st, plain) = run(w.direct());
    assert_eq!(
        plain,
        "\u{1b}[?1049h\u{1b}[H\u{1b}[2JFULLSCREEN 24x80: press keys, q quits\r\nkey \"a\"\r\n\
         key \"\\x03\"\r\nkey \"q\"\r\n\u{1b}[?1049lleft the alternate screen\r\n"
    );
    // What the program wrote in raw mode right before it restored the
    // terminal can reach the terminal after the restore, which then adds
    // its CR to the LF: `\r\n` shows as `\r\r\n`, the same on screen
    // (docs/shim.md, "What still differs").
    assert_eq!(via_shim.replace("\r\r\n", "\r\n"), plain);
    assert_eq!(st.code(), Some(0));
    assert_eq!(plain_st.code(), Some(0));
}

// ---- the shim killed: go must not outlive it ---------------------------

#[test]
fn a_real_go_dies_with_a_shim_killed_by_sigkill() {
    // go itself waits on the network: a module proxy that accepts the
    // connection and never answers.
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let (version, go) = newest();
    let w = World::new(&version, &go, TINY);
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let tag = format!("{}-{}", std::process::id(), version);
    let marker = format!("GOTRIAGE_TEST_REALGO={tag}");
    let mut c = w.via_shim();
    c.env("GOPROXY", format!("http://{}", proxy.local_addr().unwrap()))
        .env("GOSUMDB", "off")
        .env("GOTRIAGE_TEST_REALGO", &tag)
        .args(["mod", "download", "-json", "example.com/stalled@v1.0.0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    let mut shim = c.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let _held = loop {
        match proxy.accept() {
            Ok((conn, _)) => break conn,
            Err(_) => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "go never asked the proxy"
                );
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    };
    let before: Vec<String> = util::alive_with(&marker)
        .iter()
        .map(|pid| {
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            format!("{pid} {}", String::from_utf8_lossy(&cmd).replace('\0', " "))
        })
        .collect();
    // The shim, go, and whatever go is starting at that moment.
    assert!(before.len() >= 2, "shim and go: {before:?}");
    assert!(
        before[0].starts_with(&format!("{} ", shim.id())),
        "{before:?}"
    );
    shim.kill().unwrap(); // SIGKILL to the shim's pid alone
    assert_eq!(shim.wait().unwrap().signal(), Some(libc::SIGKILL));
    util::assert_none_left(&marker);
}

// ---- the diagnosis when the capture holds stdout too --------------------

/// A test that fails and logs lines a rule would recognise in go's stderr.
const LOGGING_TEST: &[(&str, &str)] = &[
    ("go.mod", "module example.com/tmod\n\ngo 1.19\n"),
    (
        "x_test.go",
        r#"package tmod

import "testing"

func TestFetch(t *testing.T) {
	t.Log("fatal: could not read Username for 'https://github.com': terminal prompts disabled")
	t.Log("x509: certificate signed by unknown authority")
	t.Fatal("dial tcp: lookup proxy.golang.org: no such host")
}
"#,
    ),
    (
        "run/main.go",
        r#"package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("x509: certificate signed by unknown authority")
	os.Exit(4)
}
"#,
    ),
];

#[test]
fn a_failing_test_or_program_on_a_terminal_gets_no_diagnosis_from_its_output() {
    // On a terminal go's stdout shares the pty with its stderr, so the
    // capture holds the tests' logs and the program's stdout: a failure
    // that is theirs is not diagnosed as go's.
    let (version, go) = newest();
    let w = World::new(&version, &go, LOGGING_TEST);
    for args in [&["test", "./..."][..], &["run", "./run"]] {
        let mut c = w.via_shim();
        c.args(args);
        let (st, screen) = Term::start(c).finish();
        assert_eq!(st.code(), Some(1), "{screen}");
        assert!(
            screen.contains("x509: certificate signed by unknown authority"),
            "{screen}"
        );
        assert!(!screen.contains("gotriage"), "go {args:?}: {screen}");
    }
}

#[test]
fn go_failures_on_a_terminal_are_still_diagnosed() {
    // git missing (real go, no network: a `.git` path goes straight to git).
    let (version, go) = newest();
    let w = World::new(&version, &go, TINY);
    let mut c = w.via_shim();
    c.env(
        "PATH",
        util::path_of(&[&w.sb.path().join("bin"), &w.goroot_bin()]),
    )
    .env("GOPROXY", "direct")
    .env("GOSUMDB", "off")
    .env("NO_COLOR", "1")
    .args(["get", "example.invalid/repo.git@v1.0.0"]);
    let (st, screen) = Term::start(c).finish();
    assert_eq!(st.code(), Some(1), "{screen}");
    assert!(
        screen.contains("go: missing Git command"),
        "go{version}: {screen}"
    );
    assert!(
        screen.contains("gotriage: error[git-not-found]"),
        "go{version}: {screen}"
    );
}
