//! How a fleet build shows itself while it runs: on a terminal, one line per target, redrawn in
//! place with its state, its time and the step it is on (read from its log); elsewhere (CI
//! logs), one plain line per change of state.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::runner::report::duration;
use crate::runner::schedule::Observer;
use crate::runner::target::{Finished, TargetBuild, TargetResult, ordinal_attempt};
use crate::style::Style;

/// One plain line on standard error per target started and per target ended.
pub struct PlainLines {
    /// Colours for standard error.
    pub style: Style,
}

impl Observer for PlainLines {
    fn started(&mut self, build: &TargetBuild) {
        eprintln!("{}: building (log: {})", build.target, build.log.display());
    }

    fn retrying(&mut self, build: &TargetBuild, attempt: u32, code: i32) {
        eprintln!(
            "{}: {} (exit code {code}), building again: {} (log: {})",
            build.target,
            self.style.warning("failed"),
            ordinal_attempt(attempt),
            build.log.display()
        );
    }

    fn finished(&mut self, build: &TargetBuild, finished: &Finished) {
        eprintln!(
            "{}: {} in {}",
            build.target,
            outcome(self.style, finished),
            duration(finished.elapsed)
        );
    }

    fn tick(&mut self, _running: &[(&TargetBuild, Instant)]) {}
}

/// One line per target on a terminal, redrawn in place.
pub struct Live {
    bars: MultiProgress,
    lines: BTreeMap<String, ProgressBar>,
    style: Style,
}

impl Live {
    /// A display on standard error for `builds`, each line waiting until its target starts.
    pub fn new(builds: &[TargetBuild], style: Style) -> Self {
        let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let width = builds.iter().map(|b| b.target.len()).max().unwrap_or(0);
        let template = format!("{{prefix:{width}}}  {{wide_msg}}");
        let line_style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let lines = builds
            .iter()
            .map(|build| {
                let line = bars.add(ProgressBar::new_spinner().with_style(line_style.clone()));
                line.set_prefix(build.target.clone());
                line.set_message("waiting");
                (build.target.clone(), line)
            })
            .collect();
        Live { bars, lines, style }
    }
}

impl Observer for Live {
    fn started(&mut self, build: &TargetBuild) {
        if let Some(line) = self.lines.get(&build.target) {
            line.set_message("building");
        }
    }

    fn retrying(&mut self, build: &TargetBuild, attempt: u32, code: i32) {
        if let Some(line) = self.lines.get(&build.target) {
            line.set_message(format!(
                "failed (exit code {code}), {}",
                ordinal_attempt(attempt)
            ));
        }
    }

    fn finished(&mut self, build: &TargetBuild, finished: &Finished) {
        if let Some(line) = self.lines.get(&build.target) {
            line.finish_with_message(format!(
                "{}  {}",
                outcome(self.style, finished),
                duration(finished.elapsed)
            ));
        }
    }

    fn tick(&mut self, running: &[(&TargetBuild, Instant)]) {
        for (build, started) in running {
            if let Some(line) = self.lines.get(&build.target) {
                let step = current_step(&build.log).unwrap_or_default();
                line.set_message(format!("building  {}  {step}", duration(started.elapsed())));
            }
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        for line in self.lines.values() {
            if !line.is_finished() {
                line.finish_and_clear();
            }
        }
        let _ = self.bars.clear();
    }
}

/// A target's result in a few words, with its attempts when there were several.
fn outcome(style: Style, finished: &Finished) -> String {
    match finished.result {
        TargetResult::Built(_) if finished.attempts > 1 => {
            style.good(&format!("built ({})", ordinal_attempt(finished.attempts)))
        }
        TargetResult::Built(_) => style.good("built"),
        TargetResult::Failed(code) if finished.attempts > 1 => style.error(&format!(
            "FAILED (exit code {code}, {} attempts)",
            finished.attempts
        )),
        TargetResult::Failed(code) => style.error(&format!("FAILED (exit code {code})")),
        TargetResult::Interrupted => style.warning("interrupted"),
    }
}

/// How much of the end of a log is read to find the step a build is on.
const LOG_TAIL_BYTES: u64 = 64 * 1024;

/// The step a build is on, as `[3/6] RUN sh ...`, from the last step line of its log: buildah's
/// `STEP 3/6: RUN ...` or BuildKit's plain `#7 [target 3/6] RUN ...`.
pub fn current_step(log: &Path) -> Option<String> {
    let mut file = std::fs::File::open(log).ok()?;
    let length = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(length.saturating_sub(LOG_TAIL_BYTES)))
        .ok()?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).ok()?;
    String::from_utf8_lossy(&tail)
        .lines()
        .rev()
        .find_map(step_of)
}

/// The step a log line announces, if it announces one.
fn step_of(line: &str) -> Option<String> {
    if let Some(rest) = line.strip_prefix("STEP ") {
        let (count, instruction) = rest.split_once(": ")?;
        return count
            .split_once('/')
            .is_some_and(|(a, b)| is_number(a) && is_number(b))
            .then(|| format!("[{count}] {}", without_mounts(instruction.trim())));
    }
    let rest = line.strip_prefix('#')?;
    let (_, rest) = rest.split_once(" [")?;
    let (inside, instruction) = rest.split_once("] ")?;
    let count = inside.rsplit(' ').next()?;
    count
        .split_once('/')
        .is_some_and(|(a, b)| is_number(a) && is_number(b))
        .then(|| format!("[{count}] {}", without_mounts(instruction.trim())))
}

/// A `RUN` instruction without its `--mount=...` options, which say nothing about what runs
/// and would fill the line: `RUN --mount=type=cache,... apt-get install` is `RUN apt-get install`.
fn without_mounts(instruction: &str) -> String {
    let Some(rest) = instruction.strip_prefix("RUN ") else {
        return instruction.to_owned();
    };
    let command = rest
        .trim_start()
        .split_inclusive(char::is_whitespace)
        .skip_while(|word| word.starts_with("--mount=") || word.trim().is_empty())
        .collect::<String>();
    format!("RUN {}", command.trim_start())
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_shows_the_command_without_its_cache_mounts() {
        assert_eq!(
            step_of("STEP 2/4: RUN --mount=type=cache,id=tcgen-d-var-cache-apt-amd64,target=/var/cache/apt,sharing=locked     --mount=type=cache,id=x,target=/var/lib/apt/lists rm -f /etc/apt/apt.conf.d/docker-clean  && apt-get update").as_deref(),
            Some("[2/4] RUN rm -f /etc/apt/apt.conf.d/docker-clean  && apt-get update")
        );
        assert_eq!(
            step_of(
                "#9 [debian12 2/4] RUN --mount=type=cache,id=a,target=/b apt-get install -y file"
            )
            .as_deref(),
            Some("[2/4] RUN apt-get install -y file")
        );
    }

    #[test]
    fn steps_are_read_from_buildah_and_buildkit_lines() {
        assert_eq!(
            step_of("STEP 3/6: RUN sh /usr/local/lib/tcgen/install-maven.sh").as_deref(),
            Some("[3/6] RUN sh /usr/local/lib/tcgen/install-maven.sh")
        );
        assert_eq!(
            step_of("#7 [debian12 3/6] RUN apt-get update").as_deref(),
            Some("[3/6] RUN apt-get update")
        );
        assert_eq!(
            step_of("#4 [2/5] COPY scripts/a.sh /x/").as_deref(),
            Some("[2/5] COPY scripts/a.sh /x/")
        );
        for other in [
            "#7 0.412 Reading package lists...",
            "STEP: x",
            "Get:1 http://x",
        ] {
            assert_eq!(step_of(other), None, "{other}");
        }
    }

    #[test]
    fn the_last_step_of_a_log_is_current() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a.log");
        std::fs::write(
            &log,
            "STEP 1/3: FROM x\nnoise\nSTEP 2/3: RUN true\nmore noise\n",
        )
        .unwrap();
        assert_eq!(current_step(&log).as_deref(), Some("[2/3] RUN true"));
        assert_eq!(current_step(&dir.path().join("none.log")), None);
    }
}
