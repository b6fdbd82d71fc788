//! A stub `go` for the shim's plumbing tests: exit codes, signals, huge
//! output, pipes, terminals, nesting.  Never evidence that diagnosis works —
//! that comes from the real toolchain (tests/integration/shim_fidelity.rs and
//! the failure lab).
//!
//! Behaviour comes from `STUB_GO` (a `;`-separated list of steps run in
//! order), so go's own arguments stay free to be anything:
//!
//! | step | does |
//! |---|---|
//! | `args` | print each argument as hex, one per line, on stdout |
//! | `env:NAME` | print `NAME=value` (or `NAME unset`) on stdout |
//! | `err:TEXT` | write TEXT to stderr (`\n` escapes allowed), no newline added |
//! | `out:TEXT` | write TEXT to stdout (`\n` escapes allowed), no newline added, flushed |
//! | `pidfile:PATH` | write our pid to PATH |
//! | `sigstate` | print the SigBlk, SigIgn and SigCgt lines of /proc/self/status |
//! | `stderr-bytes:N` | write N bytes of go-like lines to stderr in 64 KiB writes |
//! | `stdin` | copy stdin to stdout |
//! | `stdout-bytes:N` | write N bytes to stdout in 64 KiB writes |
//! | `cwd` | print the working directory |
//! | `disposition:N` | print whether signal N is ignored |
//! | `winch-size` | print `ready`, wait for SIGWINCH, then print fd 2's window size |
//! | `isatty` | print `isatty 0 1 2 = a b c` and fd 2's window size |
//! | `wait-file:PATH` | wait (≤ 20 s) until PATH exists |
//! | `ready` | print `ready` on stdout and flush |
//! | `count-signals:MS` | count SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGUSR1/SIGWINCH for MS ms after the first one, then print `signal N xCOUNT code=SI_CODE` |
//! | `sleep:MS` | sleep |
//! | `grandchild:MS` | start `sleep` for MS ms holding our stderr, don't wait for it |
//! | `run-go:ARGS` | run `go ARGS` (via PATH) with inherited stdio, print `inner exit N` |
//! | `parent-exe` | print the executable of our parent process |
//! | `signal:N` | die by signal N (default action) |
//! | `exit:N` | exit with status N |

//!
//! It is compiled by the tests themselves with plain `rustc` (std only, a
//! few libc functions declared below), so it never becomes one of the
//! package's binaries that `cargo install` would install.

#![no_main]

use std::io::{Read, Write};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

#[allow(non_camel_case_types)]
mod libc {
    pub type c_int = i32;
    pub type sighandler_t = usize;
    pub const SIG_DFL: sighandler_t = 0;
    pub const SIG_IGN: sighandler_t = 1;
    pub const SIGHUP: c_int = 1;
    pub const SIGINT: c_int = 2;
    pub const SIGQUIT: c_int = 3;
    pub const SIGUSR1: c_int = 10;
    pub const SIGTERM: c_int = 15;
    pub const SIGWINCH: c_int = 28;
    pub const TIOCGWINSZ: u64 = 0x5413;
    #[repr(C)]
    #[derive(Default)]
    pub struct winsize {
        pub ws_row: u16,
        pub ws_col: u16,
        pub ws_xpixel: u16,
        pub ws_ypixel: u16,
    }
    pub const SA_SIGINFO: i32 = 4;
    pub const SA_RESTART: i32 = 0x1000_0000;
    #[repr(C)]
    pub struct sigaction {
        pub sa_sigaction: usize,
        pub sa_mask: [u64; 16],
        pub sa_flags: i32,
        pub sa_restorer: usize,
    }
    #[repr(C)]
    pub struct siginfo {
        pub si_signo: i32,
        pub si_errno: i32,
        pub si_code: i32,
    }
    unsafe extern "C" {
        pub fn sigaction(sig: c_int, act: *const sigaction, old: *mut sigaction) -> c_int;
        pub fn signal(sig: c_int, handler: sighandler_t) -> sighandler_t;
        pub fn raise(sig: c_int) -> c_int;
        pub fn isatty(fd: c_int) -> c_int;
        pub fn ioctl(fd: c_int, req: u64, ...) -> c_int;
    }
}

static COUNTS: [AtomicU32; 32] = [const { AtomicU32::new(0) }; 32];
/// si_code of the last delivery of each signal (SI_KERNEL = 128 for the
/// terminal's, SI_USER = 0 for kill(2)).
static CODES: [AtomicU32; 32] = [const { AtomicU32::new(u32::MAX) }; 32];

extern "C" fn count(sig: libc::c_int, info: *const libc::siginfo, _: *const u8) {
    if let Some(c) = COUNTS.get(sig as usize) {
        c.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
        let code = unsafe { (*info).si_code };
        CODES[sig as usize].store(code as u32, Ordering::SeqCst);
    }
}

fn catch(sig: libc::c_int) {
    let act = libc::sigaction {
        sa_sigaction: count as *const () as usize,
        sa_mask: [0; 16],
        sa_flags: libc::SA_SIGINFO | libc::SA_RESTART,
        sa_restorer: 0,
    };
    // SAFETY: installing an async-signal-safe handler with a valid struct.
    unsafe { libc::sigaction(sig, &act, std::ptr::null_mut()) };
}

/// `\n`, `\t`, `\r` and `\xNN` escapes (environment values cannot hold NUL).
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'r' => out.push(b'\r'),
                b'x' if i + 3 < b.len() => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                    continue;
                }
                other => out.extend_from_slice(&[b'\\', other]),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Writes `total` bytes of `block` (repeated) in block-sized writes.
fn write_bytes(w: &mut impl Write, total: u64, block: &[u8]) {
    let mut left = total;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        if w.write_all(&block[..n]).is_err() {
            std::process::exit(1);
        }
        left -= n as u64;
    }
}

/// Entry point called by the C runtime: `#![no_main]` skips Rust's start-up,
/// which would set SIGPIPE to `SIG_IGN` and hide the disposition the stub
/// inherited.  Like a Go program, the stub then dies of SIGPIPE when it
/// writes to a closed stdout or stderr (unless it inherited `SIG_IGN`).
#[unsafe(no_mangle)]
extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    run();
    std::process::exit(0)
}

fn run() {
    let script = std::env::var("STUB_GO").unwrap_or_else(|_| "args".into());
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    for step in script.split(';').filter(|s| !s.is_empty()) {
        let (cmd, arg) = step.split_once(':').unwrap_or((step, ""));
        match cmd {
            "args" => {
                use std::os::unix::ffi::OsStrExt;
                for a in std::env::args_os().skip(1) {
                    let hex: String = a.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
                    writeln!(out, "{hex}").unwrap();
                }
            }
            "env" => match std::env::var_os(arg) {
                Some(v) => writeln!(out, "{arg}={}", v.to_string_lossy()).unwrap(),
                None => writeln!(out, "{arg} unset").unwrap(),
            },
            "err" => {
                err.write_all(&unescape(arg)).unwrap();
                err.flush().unwrap();
            }
            "out" => {
                out.write_all(&unescape(arg)).unwrap();
                out.flush().unwrap();
            }
            "sigstate" => {
                let status = std::fs::read_to_string("/proc/self/status").unwrap();
                for l in status.lines().filter(|l| {
                    l.starts_with("SigBlk:") || l.starts_with("SigIgn:") || l.starts_with("SigCgt:")
                }) {
                    writeln!(out, "{l}").unwrap();
                }
            }
            "pidfile" => std::fs::write(arg, std::process::id().to_string()).unwrap(),
            "stderr-bytes" => {
                let line = b"go: downloading example.com/some/module v1.2.3\n";
                let block: Vec<u8> = line.iter().copied().cycle().take(64 * 1024).collect();
                write_bytes(&mut err, arg.parse().unwrap(), &block);
            }
            "stdout-bytes" => write_bytes(&mut out, arg.parse().unwrap(), &[b'o'; 64 * 1024]),
            "cwd" => writeln!(out, "cwd {}", std::env::current_dir().unwrap().display()).unwrap(),
            "disposition" => {
                let sig: libc::c_int = arg.parse().unwrap();
                // SAFETY: swap in SIG_DFL and put the old disposition back.
                let old = unsafe { libc::signal(sig, libc::SIG_DFL) };
                unsafe { libc::signal(sig, old) };
                let what = match old {
                    libc::SIG_DFL => "default",
                    libc::SIG_IGN => "ignored",
                    _ => "handled",
                };
                writeln!(out, "signal {sig} {what}").unwrap();
            }
            "winch-size" => {
                catch(libc::SIGWINCH);
                writeln!(out, "ready").unwrap();
                out.flush().unwrap();
                let deadline = Instant::now() + Duration::from_secs(20);
                while COUNTS[libc::SIGWINCH as usize].load(Ordering::SeqCst) == 0
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(2));
                }
                std::thread::sleep(Duration::from_millis(100));
                let mut ws = libc::winsize::default();
                // SAFETY: TIOCGWINSZ on our own stderr.
                unsafe { libc::ioctl(2, libc::TIOCGWINSZ, &mut ws) };
                writeln!(out, "size {}x{}", ws.ws_row, ws.ws_col).unwrap();
            }
            "stdin" => {
                let mut buf = Vec::new();
                std::io::stdin().read_to_end(&mut buf).unwrap();
                out.write_all(&buf).unwrap();
            }
            "isatty" => {
                // SAFETY: isatty and TIOCGWINSZ on our own descriptors.
                let (a, b, c, ws) = unsafe {
                    let mut ws = libc::winsize::default();
                    libc::ioctl(2, libc::TIOCGWINSZ, &mut ws);
                    (libc::isatty(0), libc::isatty(1), libc::isatty(2), ws)
                };
                writeln!(out, "isatty 0 1 2 = {a} {b} {c}; size {}x{}", ws.ws_row, ws.ws_col)
                    .unwrap();
            }
            "wait-file" => {
                let deadline = Instant::now() + Duration::from_secs(20);
                while !std::path::Path::new(arg).exists() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            "ready" => {
                writeln!(out, "ready").unwrap();
                out.flush().unwrap();
            }
            "count-signals" => {
                let ms: u64 = arg.parse().unwrap();
                let sigs = [
                    libc::SIGINT,
                    libc::SIGTERM,
                    libc::SIGHUP,
                    libc::SIGQUIT,
                    libc::SIGUSR1,
                    libc::SIGWINCH,
                ];
                for s in sigs {
                    catch(s);
                }
                writeln!(out, "ready").unwrap();
                out.flush().unwrap();
                let total = || COUNTS.iter().map(|c| c.load(Ordering::SeqCst)).sum::<u32>();
                let deadline = Instant::now() + Duration::from_secs(20);
                while total() == 0 && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(2));
                }
                std::thread::sleep(Duration::from_millis(ms));
                for s in sigs {
                    let n = COUNTS[s as usize].load(Ordering::SeqCst);
                    if n > 0 {
                        let code = CODES[s as usize].load(Ordering::SeqCst) as i32;
                        writeln!(out, "signal {s} x{n} code={code}").unwrap();
                    }
                }
                out.flush().unwrap();
            }
            "sleep" => std::thread::sleep(Duration::from_millis(arg.parse().unwrap())),
            "grandchild" => {
                let secs = format!("{:.3}", arg.parse::<f64>().unwrap() / 1000.0);
                std::process::Command::new("sleep")
                    .arg(secs)
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
            }
            "run-go" => {
                let st = std::process::Command::new("go")
                    .args(arg.split_whitespace())
                    .env_remove("STUB_GO")
                    .envs(std::env::var_os("STUB_GO_INNER").map(|v| ("STUB_GO", v)))
                    .status()
                    .unwrap();
                writeln!(out, "inner exit {}", st.code().unwrap_or(-1)).unwrap();
            }
            "parent-exe" => {
                let exe = std::fs::read_link(format!("/proc/{}/exe", std::os::unix::process::parent_id()))
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|e| format!("? {e}"));
                writeln!(out, "parent {exe}").unwrap();
            }
            "signal" => {
                out.flush().unwrap();
                let sig: libc::c_int = arg.parse().unwrap();
                // SAFETY: restoring the default action and raising on ourselves.
                unsafe {
                    libc::signal(sig, libc::SIG_DFL);
                    libc::raise(sig);
                }
                std::thread::sleep(Duration::from_secs(5));
                std::process::exit(99);
            }
            "exit" => {
                out.flush().unwrap();
                std::process::exit(arg.parse().unwrap());
            }
            other => {
                eprintln!("stub-go: unknown step {other:?}");
                std::process::exit(98);
            }
        }
    }
}
