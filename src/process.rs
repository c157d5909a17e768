//! The only module that spawns processes: runs [`Invocation`]s, streams or logs their output,
//! passes exit codes on, and turns SIGINT and SIGTERM into an orderly stop.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};

/// A command to run, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invocation {
    /// The program.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The directory it runs in; `None` for the current one.
    pub dir: Option<PathBuf>,
    /// Variables set for it, with values tcgen decided (never secrets).
    pub set_env: Vec<(String, String)>,
    /// Names of variables it reads from tcgen's own environment (shown by name only).
    pub passes_env: Vec<String>,
}

impl Invocation {
    /// A command with arguments, in the current directory, with no extra environment.
    pub fn new(program: impl Into<String>, args: Vec<String>) -> Self {
        Invocation {
            program: program.into(),
            args,
            dir: None,
            set_env: Vec::new(),
            passes_env: Vec::new(),
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        command.envs(self.set_env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Fails, as a run would, when the program cannot be found: a name looked up on PATH, or a
    /// path that is not an executable file. For checking before anything starts.
    pub fn check_runnable(&self) -> Result<()> {
        use std::os::unix::fs::PermissionsExt as _;
        let runnable = |path: &Path| {
            path.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        };
        let found = if self.program.contains('/') {
            runnable(Path::new(&self.program))
        } else {
            std::env::var_os("PATH").is_some_and(|path| {
                std::env::split_paths(&path).any(|dir| runnable(&dir.join(&self.program)))
            })
        };
        if found {
            Ok(())
        } else {
            Err(self.spawn_error(std::io::Error::from(std::io::ErrorKind::NotFound)))
        }
    }

    fn spawn_error(&self, e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Command(format!(
                "cannot run {}: it is not installed or not on PATH; install it or choose another --engine",
                self.program
            ))
        } else {
            Error::Command(format!("cannot run {}: {e}", self.program))
        }
    }
}

impl fmt::Display for Invocation {
    /// The command as a shell line, then where it runs and which variables it sets or reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect();
        write!(f, "{}", shell_words::join(words))?;
        if let Some(dir) = &self.dir {
            write!(f, "\n  in: {}", dir.display())?;
        }
        if !self.set_env.is_empty() {
            let names: Vec<String> = self
                .set_env
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, "\n  sets: {}", names.join(" "))?;
        }
        if !self.passes_env.is_empty() {
            write!(
                f,
                "\n  passes from the environment: {}",
                self.passes_env.join(" ")
            )?;
        }
        Ok(())
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The process exited with this code (a signal `n` that killed it counts as `128 + n`).
    Exited(i32),
    /// tcgen received SIGINT or SIGTERM (the number) while the process ran; it was left to end.
    Interrupted(i32),
}

/// SIGINT and SIGTERM, caught for the life of the process so that a run can clean up.
#[derive(Clone)]
pub struct Signals {
    received: Arc<AtomicUsize>,
}

impl Signals {
    /// Starts catching SIGINT and SIGTERM: instead of ending tcgen, they are recorded.
    pub fn catch() -> Result<Self> {
        let received = Arc::new(AtomicUsize::new(0));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register_usize(signal, Arc::clone(&received), signal as usize)
                .map_err(|e| Error::Command(format!("cannot catch signals: {e}")))?;
        }
        Ok(Signals { received })
    }

    /// The signal received, if any.
    pub fn received(&self) -> Option<i32> {
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n as i32),
        }
    }
}

/// Runs with stdin and stdout inherited, waiting and watching for signals; its standard error
/// is passed on as it comes and its end (the last few KiB) returned too, for telling why an
/// engine failed.
pub fn run_attached_keeping_stderr(
    invocation: &Invocation,
    signals: &Signals,
) -> Result<(Outcome, String)> {
    use std::io::{Read as _, Write as _};
    const KEPT: usize = 4096;
    let mut child = invocation
        .command()
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| invocation.spawn_error(e))?;
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut chunk = [0u8; 1024];
        while let Some(Ok(n @ 1..)) = stderr.as_mut().map(|s| s.read(&mut chunk)) {
            let _ = std::io::stderr().write_all(&chunk[..n]);
            kept.extend_from_slice(&chunk[..n]);
            if kept.len() > KEPT {
                kept.drain(..kept.len() - KEPT);
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    });
    let outcome = wait(child, signals)?;
    Ok((outcome, reader.join().unwrap_or_default()))
}

/// Runs with output (stdout and stderr) appended to `log` and no stdin; waits, watching for signals.
pub fn run_logged(invocation: &Invocation, log: &Path, signals: &Signals) -> Result<Outcome> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    let file = File::options()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| Error::io(format!("cannot open {}", log.display()), e))?;
    let copy = file
        .try_clone()
        .map_err(|e| Error::io(format!("cannot open {}", log.display()), e))?;
    let child = invocation
        .command()
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(copy)
        .spawn()
        .map_err(|e| invocation.spawn_error(e))?;
    wait(child, signals)
}

/// How a command whose output was captured ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Captured {
    /// It succeeded, and printed this.
    Output(String),
    /// It failed with this exit code (128 + the signal that killed it) and standard error.
    Failed {
        /// Its exit code.
        code: i32,
        /// Its standard error, trimmed.
        stderr: String,
    },
}

/// Runs without stdin and tells how it ended, for callers that explain a failure in their own
/// words rather than by the command line. `Err` only when it cannot be started.
pub fn capture_outcome(invocation: &Invocation) -> Result<Captured> {
    let output = invocation
        .command()
        .stdin(Stdio::null())
        .output()
        .map_err(|e| invocation.spawn_error(e))?;
    Ok(if output.status.success() {
        Captured::Output(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Captured::Failed {
            code: exit_code(output.status),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        }
    })
}

/// Runs without stdin and returns its standard output; a failure carries its standard error.
pub fn capture(invocation: &Invocation) -> Result<String> {
    capture_bytes(invocation, &[]).map(|out| String::from_utf8_lossy(&out).into_owned())
}

/// Runs with `input` on its stdin (none when it is empty) and returns its standard output as
/// bytes; a failure carries its standard error. The input is written from a second thread, so a
/// command that answers as it reads (`git cat-file --batch`) cannot fill the pipes and stall.
pub fn capture_bytes(invocation: &Invocation, input: &[u8]) -> Result<Vec<u8>> {
    let stdin = if input.is_empty() {
        Stdio::null()
    } else {
        Stdio::piped()
    };
    let mut child = invocation
        .command()
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| invocation.spawn_error(e))?;
    let output = std::thread::scope(|scope| {
        if let Some(mut stdin) = child.stdin.take() {
            scope.spawn(move || {
                use std::io::Write as _;
                // A command that exits without reading all of it closes the pipe; its exit
                // status tells what went wrong.
                let _ = stdin.write_all(input);
            });
        }
        child.wait_with_output()
    })
    .map_err(|e| Error::Command(format!("cannot read from {}: {e}", invocation.program)))?;
    if !output.status.success() {
        return Err(Error::Command(format!(
            "`{}` failed ({}): {}",
            shell_words::join(std::iter::once(&invocation.program).chain(&invocation.args)),
            exit_status_text(output.status),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(output.stdout)
}

/// Runs `first | second` without a shell, with `input` on `first`'s standard input:
/// `first`'s standard output feeds `second`'s standard input. Fails, naming the command, when
/// either one fails.
pub fn pipe(first: &Invocation, input: &[u8], second: &Invocation) -> Result<()> {
    let mut producer = first
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| first.spawn_error(e))?;
    let output = producer
        .stdout
        .take()
        .ok_or_else(|| Error::Command(format!("{} gave no output stream", first.program)))?;
    let (consumed, produced) = std::thread::scope(|scope| {
        if let Some(mut stdin) = producer.stdin.take() {
            scope.spawn(move || {
                use std::io::Write as _;
                // A producer that exits early closes the pipe; its exit status tells why.
                let _ = stdin.write_all(input);
            });
        }
        let consumed = second.command().stdin(output).status();
        (consumed, producer.wait())
    });
    for (invocation, status) in [(second, consumed), (first, produced)] {
        let status = status.map_err(|e| invocation.spawn_error(e))?;
        if !status.success() {
            return Err(Error::Command(format!(
                "`{invocation}` failed ({})",
                exit_status_text(status)
            )));
        }
    }
    Ok(())
}

/// Runs to its end whatever signals tcgen receives, in a process group of its own so that the
/// terminal's Ctrl-C does not reach it either: for a step that must not stop halfway (moving a
/// registry's tags). Returns its exit code and what it printed on standard error.
pub fn run_held(invocation: &Invocation) -> Result<(i32, String)> {
    use std::os::unix::process::CommandExt as _;
    let output = invocation
        .command()
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| invocation.spawn_error(e))?;
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    Ok((exit_code(output.status), stderr))
}

/// Runs quietly and reports whether it succeeded: for cleanup, which must not fail a run.
pub fn run_quiet(invocation: &Invocation) -> bool {
    invocation
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn wait(mut child: std::process::Child, signals: &Signals) -> Result<Outcome> {
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| Error::Command(format!("cannot wait for a process: {e}")))?
        {
            if let Some(signal) = signals.received() {
                return Ok(Outcome::Interrupted(signal));
            }
            return Ok(Outcome::Exited(exit_code(status)));
        }
        if let Some(signal) = signals.received() {
            // The child got the terminal's signal too, or will end with its container; give
            // it a moment, then stop waiting so the caller can clean up.
            for _ in 0..50 {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Outcome::Interrupted(signal));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The shell's convention: the exit code, or 128 + the signal that killed the process.
fn exit_code(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

fn exit_status_text(status: ExitStatus) -> String {
    format!("exit code {}", exit_code(status))
}
