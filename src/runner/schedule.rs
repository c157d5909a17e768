//! Runs the targets' builds at once, up to a limit: each target is its own engine process (or
//! processes, one after another) with its own log, so one target's failure cancels nothing
//! else. SIGINT and SIGTERM stop every running target and start no new one.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::process::{self, Outcome, Signals};
use crate::runner::target::{Results, TargetBuild, TargetResult};

/// What the scheduler tells as it goes, for progress displays.
pub trait Observer {
    /// `build` started.
    fn started(&mut self, build: &TargetBuild);
    /// `build` ended with `result` after `elapsed`.
    fn finished(&mut self, build: &TargetBuild, result: &TargetResult, elapsed: Duration);
    /// Called about five times a second with the targets running and when each started.
    fn tick(&mut self, running: &[(&TargetBuild, Instant)]);
}

/// How often running targets are shown again.
const TICK: Duration = Duration::from_millis(200);

/// Runs `builds`, at most `jobs` at a time (at least one), in their order. Returns the result
/// of every target that ran to its end and, when SIGINT or SIGTERM came, the signal: targets
/// that were running then were stopped and have no result, and no further target started.
pub fn run(
    builds: &[TargetBuild],
    jobs: usize,
    signals: &Signals,
    observer: &mut dyn Observer,
) -> Result<(Results, Option<i32>)> {
    let jobs = jobs.max(1);
    let (sender, receiver) = mpsc::channel::<(usize, Result<Option<TargetResult>>)>();
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
                let sender = sender.clone();
                let index = next;
                scope.spawn(move || {
                    let _ = sender.send((index, run_target(build, signals)));
                });
                next += 1;
            }
            if running.is_empty() {
                break;
            }
            match receiver.recv_timeout(TICK) {
                Ok((index, outcome)) => {
                    let started = running.remove(&index).unwrap_or_else(Instant::now);
                    let build = &builds[index];
                    match outcome {
                        Ok(Some(result)) => {
                            let elapsed = started.elapsed();
                            observer.finished(build, &result, elapsed);
                            results.insert(build.target.clone(), (result, elapsed));
                        }
                        Ok(None) => {}
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

/// Runs one target's steps in order, logging to its file. `None` when a signal stopped it.
fn run_target(build: &TargetBuild, signals: &Signals) -> Result<Option<TargetResult>> {
    let _ = std::fs::remove_file(&build.log);
    let _ = std::fs::remove_file(&build.metadata);
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
