//! The floor a spawn-and-tee shim cannot go below, measured in the same
//! sitting as the shim by bench/bench.py (the machine's speed drifts, so a
//! floor measured on another day says little).
//!
//! `floor tee ARGS…` runs `$FLOOR_GO ARGS…` with stderr piped, copies it to
//! its own stderr on a thread and exits with the child's code; `floor exec
//! ARGS…` replaces itself with `$FLOOR_GO ARGS…`.  std only: no lookup, no
//! signals, no capture, no diagnosis.  Built like the static shim.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio, exit};

fn main() {
    let mut args = std::env::args_os().skip(1);
    let mode = args.next().expect("usage: floor tee|exec ARGS...");
    let mut cmd = Command::new(std::env::var_os("FLOOR_GO").expect("FLOOR_GO"));
    cmd.args(args);
    if mode == "exec" {
        panic!("exec: {}", cmd.exec());
    }
    let mut child = cmd.stderr(Stdio::piped()).spawn().expect("spawn");
    let mut src = child.stderr.take().expect("piped");
    let copier = std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        let mut out = std::io::stderr().lock();
        while let Ok(n @ 1..) = src.read(&mut buf) {
            let _ = out.write_all(&buf[..n]);
        }
    });
    let status = child.wait().expect("wait");
    let _ = copier.join();
    exit(status.code().unwrap_or(1));
}
