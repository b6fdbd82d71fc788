//! The shim on Windows: what stands in for `exec`, signals and the
//! parent-death signal.
//!
//! - **No exec.**  Windows cannot replace a process image, so every run is
//!   spawn, wait, exit with go's exit code (all 32 bits of it, so an
//!   `0xC000013A` "terminated by Ctrl-C" passes through as it is).
//! - **Ctrl-C.**  The console sends Ctrl-C and Ctrl-Break to every process
//!   attached to it, go included, so nothing is forwarded; the shim only has
//!   to outlive go.  [`survive_console_ctrl`] installs a handler that
//!   swallows those two events in the shim.  A handler, not
//!   `SetConsoleCtrlHandler(NULL, TRUE)`: that "ignore Ctrl-C" flag is
//!   inherited by child processes and go would never see Ctrl-C (the same
//!   reason the Unix shim catches SIGINT instead of ignoring it).  Close,
//!   logoff and shutdown events keep their default (the shim ends, and the
//!   Job Object below takes go with it).
//! - **go dies with the shim.**  The shim puts itself in a Job Object with
//!   `JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE` before it starts go, so go is in
//!   the job from its first instruction (a process inherits its parent's
//!   job), with no window in between — what cargo does for its children.
//!   The shim holds the only handle to the job: if it is killed (Task
//!   Manager, `taskkill /F`, a CI runner cancelling the step), the handle
//!   closes and the system ends go and whatever go started.  After go has
//!   exited normally the limit is lifted first ([`Job::release`]), so a
//!   process a `go run` program left running on purpose survives the shim's
//!   exit, as it would without the shim.  Where the shim cannot join a job
//!   (Windows before 8 inside another job), go is assigned right after it
//!   was created instead.
//! - **stderr.**  Relayed byte for byte with `WriteFile` when it is a pipe or
//!   a file.  On a console, go itself would have written UTF-16 with
//!   `WriteConsoleW`, so the relay does the same ([`Stderr`]): bytes
//!   written in the console's code page would garble every non-ASCII
//!   character (a Chinese module path, a translated git message).

use std::io::{self, Write};
use std::os::windows::io::AsRawHandle;
use std::sync::Once;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::Console::{
    CTRL_BREAK_EVENT, CTRL_C_EVENT, GetConsoleMode, GetStdHandle, STD_ERROR_HANDLE,
    SetConsoleCtrlHandler, WriteConsoleW,
};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject,
};

/// The shim's console control handler: Ctrl-C and Ctrl-Break are go's to
/// act on; the shim waits for go and exits with its status.
unsafe extern "system" fn on_ctrl(event: u32) -> windows_sys::core::BOOL {
    i32::from(event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT)
}

/// Keeps the shim alive through Ctrl-C and Ctrl-Break (once per process).
pub fn survive_console_ctrl() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a handler function with the signature the API
        // expects; it touches no memory.
        unsafe {
            SetConsoleCtrlHandler(Some(on_ctrl), 1);
        }
    });
}

/// A Job Object that kills its processes when its last handle closes.
#[derive(Debug)]
pub struct Job(HANDLE);

impl Job {
    /// Creates the job; `None` if the system refuses (then go simply runs
    /// without it, as it would on macOS).
    pub fn kill_on_close() -> Option<Job> {
        // SAFETY: an anonymous job with default security; the handle is ours.
        let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if handle.is_null() {
            return None;
        }
        let job = Job(handle);
        job.set_limits(JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)
            .then_some(job)
    }

    fn set_limits(&self, flags: u32) -> bool {
        // SAFETY: a zeroed JOBOBJECT_EXTENDED_LIMIT_INFORMATION is valid (all
        // integers); the API reads exactly its size from it.
        unsafe {
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            info.BasicLimitInformation.LimitFlags = flags;
            SetInformationJobObject(
                self.0,
                JobObjectExtendedLimitInformation,
                (&raw const info).cast(),
                std::mem::size_of_val(&info) as u32,
            ) != 0
        }
    }

    /// Puts this process in the job, so every process it starts from now on
    /// is in it from the start.
    pub fn contain_self(&self) -> bool {
        // SAFETY: the job handle is ours; GetCurrentProcess is a pseudo-handle.
        unsafe {
            AssignProcessToJobObject(
                self.0,
                windows_sys::Win32::System::Threading::GetCurrentProcess(),
            ) != 0
        }
    }

    /// Puts `child` (and so everything it starts) in the job.
    pub fn assign(&self, child: &std::process::Child) -> bool {
        // SAFETY: both handles are open: the job is ours and `child` has not
        // been waited for and dropped.
        unsafe { AssignProcessToJobObject(self.0, child.as_raw_handle() as HANDLE) != 0 }
    }

    /// Lifts kill-on-close (go has exited: whatever it left running on
    /// purpose lives on) and closes the job.
    pub fn release(self) {
        drop(self);
    }
}

/// Dropping the job is an orderly end (go exited, or could not be started):
/// kill-on-close is lifted before the handle closes, or closing it would end
/// the shim itself, which is in the job.  When the shim is killed no
/// destructor runs, the system closes the handle, and the limit applies.
impl Drop for Job {
    fn drop(&mut self) {
        self.set_limits(0);
        // SAFETY: the handle is ours and closed once.
        unsafe {
            CloseHandle(self.0);
        }
    }
}

/// Our stderr, written the way go would have written it (module docs).
#[derive(Debug)]
pub struct Stderr {
    handle: HANDLE,
    console: bool,
    /// The start of a UTF-8 sequence split across two reads (console only).
    pending: Vec<u8>,
}

impl Stderr {
    pub fn new() -> Stderr {
        // SAFETY: GetStdHandle and GetConsoleMode only query.
        let (handle, console) = unsafe {
            let h = GetStdHandle(STD_ERROR_HANDLE);
            let mut mode = 0;
            (h, !h.is_null() && GetConsoleMode(h, &mut mode) != 0)
        };
        Stderr {
            handle,
            console,
            pending: Vec::new(),
        }
    }

    fn write_console(&mut self, buf: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(buf);
        let n = super::utf8::complete_prefix(&self.pending);
        let text = String::from_utf8_lossy(&self.pending[..n]);
        let wide: Vec<u16> = text.encode_utf16().collect();
        self.pending.drain(..n);
        let mut rest = &wide[..];
        while !rest.is_empty() {
            let mut chunk = rest.len().min(8192);
            // Never end a call between the halves of a surrogate pair.
            if chunk < rest.len() && (0xD800..0xDC00).contains(&rest[chunk - 1]) {
                chunk -= 1;
            }
            let mut written = 0;
            // SAFETY: writes `chunk` UTF-16 units from a live buffer to our
            // console handle.
            let ok = unsafe {
                WriteConsoleW(
                    self.handle,
                    rest.as_ptr(),
                    chunk as u32,
                    &mut written,
                    std::ptr::null(),
                )
            };
            if ok == 0 {
                return Err(io::Error::last_os_error());
            }
            rest = &rest[(written as usize).clamp(1, chunk)..];
        }
        Ok(())
    }
}

impl Default for Stderr {
    fn default() -> Stderr {
        Stderr::new()
    }
}

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.handle.is_null() {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        if self.console {
            return self.write_console(buf);
        }
        use std::os::windows::io::FromRawHandle;
        // SAFETY: our stderr handle stays open for the life of the process;
        // ManuallyDrop keeps this File from closing it.
        let mut file =
            std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_handle(self.handle) });
        file.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
