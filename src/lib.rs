//! gotriage: a transparent `go` shim that explains why a go command failed.
//!
//! Module map (each a small room with a narrow interface):
//!
//! | module | what it owns |
//! |---|---|
//! | [`shim`] | the hot path: find the real go, run it, tee stderr, hand a failure to the hook |
//! | [`config`] | the config file and the `GOTRIAGE_*` variables |
//! | [`rules`] | the rule table (data, `rules/builtin.toml`) and user rule files |
//! | [`diagnose`] | reading go's stderr: normalising logs, go's error structure, matching rules |
//! | [`render`] | turning diagnoses into text, GitHub annotations and JSON |
//! | [`report`] | where a diagnosis goes besides stderr: GitHub job summaries, GitLab sections, the JSON event log |
//! | [`redact`] | the one redaction step everything gotriage prints passes through |
//! | [`i18n`] | English / Chinese selection |
//! | [`doctor`] | local checks and network probes |
//! | [`cli`] | the `gotriage` subcommands |

pub mod cli;
pub mod config;
pub mod diagnose;
pub mod doctor;
pub mod exec;
pub mod i18n;
pub mod redact;
pub mod render;
pub mod report;
pub mod rules;
pub mod shim;
#[cfg(test)]
mod testutil;

/// What the process needs before anything else runs (the binary skips Rust's
/// own start-up: see `src/main.rs`): make sure descriptors 0, 1 and 2 are
/// taken, so that no file or pipe of ours lands on them.  A closed one is
/// filled with `/dev/null` opened close-on-exec, so a child still sees it
/// closed, exactly as the user left it.
pub fn process_start() {
    #[cfg(unix)]
    for fd in 0..3 {
        // SAFETY: F_GETFD only queries; open/dup3/close act on descriptors we own.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) == -1 {
                if fd == 2 {
                    STDERR_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC);
                if null >= 0 && null != fd {
                    #[cfg(any(target_os = "linux", target_os = "android"))]
                    libc::dup3(null, fd, libc::O_CLOEXEC);
                    // No dup3 on macOS; single-threaded here, so no race.
                    #[cfg(not(any(target_os = "linux", target_os = "android")))]
                    {
                        libc::dup2(null, fd);
                        libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                    }
                    libc::close(null);
                }
            }
        }
    }
}

static STDERR_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True if the process started with descriptor 2 closed (`go build 2>&-`).
pub fn stderr_was_closed() -> bool {
    STDERR_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}
