//! Runs the targets' builds at once, up to a limit: each target is its own engine process (or
//! processes, one after another) with its own log, so one target's failure cancels nothing
//! else. SIGINT and SIGTERM stop every running target and start no new one.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::process::{self, Outcome, Signals};
use crate::runner::target::{Finished, Results, TargetBuild, TargetResult};

/// What the scheduler tells as it goes, for progress displays.
pub trait Observer {
    /// `build` started.
    fn started(&mut self, build: &TargetBuild);
    /// `build`'s attempt `attempt - 1` failed with `code`; attempt `attempt` starts.
    fn retrying(&mut self, build: &TargetBuild, attempt: u32, code: i32);
    /// `build` ended.
    fn finished(&mut self, build: &TargetBuild, finished: &Finished);
    /// Called about five times a second with the targets running and when each started.
    fn tick(&mut self, running: &[(&TargetBuild, Instant)]);
}

/// How often running targets are shown again.
const TICK: Duration = Duration::from_millis(200);

/// What a target's thread tells the scheduler.
enum Event {
    /// An attempt failed with this exit code and the next one, numbered so, starts.
    Retrying(u32, i32),
    /// The target ended: its last result and how many attempts it took, or nothing when a
    /// signal stopped it.
    Done(Result<Option<(TargetResult, u32)>>),
}

/// Runs `builds`, at most `jobs` at a time (at least one), in their order; a target that fails
/// is built again up to `retries` times. Returns how every target that started ended and, when
/// SIGINT or SIGTERM came, the signal: targets that were running then were stopped (their
/// result says so, with the time they ran), and no further target started.
pub fn run(
    builds: &[TargetBuild],
    jobs: usize,
    retries: u32,
    signals: &Signals,
    observer: &mut dyn Observer,
) -> Result<(Results, Option<i32>)> {
    let jobs = jobs.max(1);
    let (sender, receiver) = mpsc::channel::<(usize, Event)>();
    std::thread::scope(|scope| {
        let mut next = 0;
        let mut running: BTreeMap<usize, Instant> = BTreeMap::new();
        let mut results = Results::new();
        let mut failure = None;
        loop {
            let stopping = signals.received().is_some() || failure.is_some();
            while !stopping && running.len() < jobs && next < builds.len() {
                let build = &builds[next];
                observer.started(build);
                running.insert(next, Instant::now());
                start(scope, (next, build), retries, signals, sender.clone());
                next += 1;
            }
            if running.is_empty() {
                break;
            }
            match receiver.recv_timeout(TICK) {
                Ok((index, Event::Retrying(attempt, code))) => {
                    observer.retrying(&builds[index], attempt, code);
                }
                Ok((index, Event::Done(outcome))) => {
                    let started = running.remove(&index).unwrap_or_else(Instant::now);
                    let build = &builds[index];
                    match outcome {
                        Ok(Some((result, attempts))) => {
                            let finished = finished(result, started, attempts);
                            observer.finished(build, &finished);
                            results.insert(build.target.clone(), finished);
                        }
                        Ok(None) => {
                            let finished = finished(TargetResult::Interrupted, started, 1);
                            results.insert(build.target.clone(), finished);
                        }
                        Err(error) => failure = failure.or(Some(error)),
                    }
                }
                Err(_) => {
                    let shown: Vec<(&TargetBuild, Instant)> =
                        running.iter().map(|(i, t)| (&builds[*i], *t)).collect();
                    observer.tick(&shown);
                }
            }
        }
        match failure {
            Some(error) => Err(error),
            None => Ok((results, signals.received())),
        }
    })
}

/// Runs the build numbered `index` on a thread of `scope`, telling `sender` as it goes.
fn start<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    (index, build): (usize, &'env TargetBuild),
    retries: u32,
    signals: &'env Signals,
    sender: mpsc::Sender<(usize, Event)>,
) {
    scope.spawn(move || {
        let retrying = |attempt, code| {
            let _ = sender.send((index, Event::Retrying(attempt, code)));
        };
        let done = Event::Done(run_target(build, retries, signals, &retrying));
        let _ = sender.send((index, done));
    });
}

/// How a target that started at `started` ended.
fn finished(result: TargetResult, started: Instant, attempts: u32) -> Finished {
    Finished {
        result,
        elapsed: started.elapsed(),
        attempts,
    }
}

/// Runs one target, again after a failure up to `retries` times, logging every attempt to its
/// one log (each attempt after the first opens with a line that says so; `retrying` is told
/// first). Returns the last attempt's result and the number of attempts, or `None` when a
/// signal stopped it.
fn run_target(
    build: &TargetBuild,
    retries: u32,
    signals: &Signals,
    retrying: &dyn Fn(u32, i32),
) -> Result<Option<(TargetResult, u32)>> {
    let _ = std::fs::remove_file(&build.log);
    let mut attempt = 1;
    loop {
        let _ = std::fs::remove_file(&build.metadata);
        match run_attempt(build, signals)? {
            Some(TargetResult::Failed(code)) if attempt <= retries => {
                attempt += 1;
                retrying(attempt, code);
                if !pause(RETRY_PAUSE, signals) {
                    return Ok(None);
                }
                note_in_log(
                    &build.log,
                    &format!(
                        "tcgen: attempt {} failed (exit code {code}); attempt {attempt} of {} starts",
                        attempt - 1,
                        retries + 1
                    ),
                )?;
            }
            Some(result) => return Ok(Some((result, attempt))),
            None => return Ok(None),
        }
    }
}

/// How long a failed target waits before its next attempt: long enough for a name server or a
/// mirror to come back from a hiccup.
const RETRY_PAUSE: Duration = Duration::from_secs(5);

/// Waits `length`, or less when a signal comes; returns whether it waited the whole time.
fn pause(length: Duration, signals: &Signals) -> bool {
    let until = Instant::now() + length;
    while Instant::now() < until {
        if signals.received().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    signals.received().is_none()
}

/// Appends a line of tcgen's own to a target's log, set apart from the engine's output.
fn note_in_log(log: &Path, line: &str) -> Result<()> {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .and_then(|mut file| writeln!(file, "\n----- {line} -----\n"))
        .map_err(|e| crate::error::Error::io(format!("cannot write {}", log.display()), e))
}

/// Runs one attempt of a target's steps in order, logging to its file. `None` when a signal
/// stopped it.
fn run_attempt(build: &TargetBuild, signals: &Signals) -> Result<Option<TargetResult>> {
    for step in &build.prepare {
        if let Outcome::Interrupted(_) = process::run_logged(step, &build.log, signals)? {
            return Ok(None);
        }
    }
    for step in &build.steps {
        match process::run_logged(step, &build.log, signals)? {
            Outcome::Exited(0) => {}
            Outcome::Exited(code) => return Ok(Some(TargetResult::Failed(code))),
            Outcome::Interrupted(_) => return Ok(None),
        }
    }
    Ok(Some(TargetResult::Built(read_digest(
        &build.metadata,
        &build.target,
    ))))
}

/// The digest in a bake metadata file (`{"target": {"containerimage.digest": ...}}`) or an
/// image id file written by `podman build --iidfile`.
fn read_digest(path: &Path, target: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim();
    if text.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        return value[target]["containerimage.digest"]
            .as_str()
            .map(str::to_owned);
    }
    (!text.is_empty()).then(|| text.to_owned())
}
