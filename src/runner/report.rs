//! What `tcgen build` ends with: the table of one row per target (what happened, how long it
//! took), the tags that built, and the end of each failed target's log.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::runner::target::{Results, TargetBuild, TargetResult, ordinal_attempt};
use crate::style::{Style, Styles};
use crate::table::aligned;

/// What happened to a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Built (and pushed, with a registry).
    Built,
    /// Its build failed.
    Failed,
    /// Not built: the registry has its digest tag.
    Skipped,
    /// Stopped while it ran: the run was interrupted.
    Interrupted,
    /// Not reached: the run was interrupted first.
    NotRun,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Built => "built",
            Status::Failed => "FAILED",
            Status::Skipped => "skipped",
            Status::Interrupted => "interrupted",
            Status::NotRun => "not run",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The target (distro) name.
    pub target: String,
    /// What happened.
    pub status: Status,
    /// How long it took, when it ran.
    pub elapsed: Option<Duration>,
    /// How many attempts it took, when it ran (1 but with `--retry`).
    pub attempts: u32,
    /// The tag and digest, or where the log is, or why it did not run.
    pub detail: String,
}

impl Row {
    /// The result column: the status, with the attempt that built (`built (2nd attempt)`) or
    /// the number of attempts that failed.
    fn result(&self) -> String {
        match (self.status, self.attempts) {
            (_, 0 | 1) => self.status.word().to_owned(),
            (Status::Built, attempt) => format!("built ({})", ordinal_attempt(attempt)),
            (status, attempts) => format!("{} ({attempts} attempts)", status.word()),
        }
    }
}

/// The table, aligned, with the status coloured by `style`.
pub fn table(rows: &[Row], style: Style) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.target.clone(),
                row.result(),
                row.elapsed.map(duration).unwrap_or_else(|| "-".to_owned()),
                row.detail.clone(),
            ]
        })
        .collect();
    let paint = |row: Option<usize>, column: usize, cell: String| match row {
        None => style.strong(&cell),
        Some(index) if column == 1 => match rows[index].status {
            Status::Built => style.good(&cell),
            Status::Failed => style.error(&cell),
            Status::Skipped | Status::Interrupted | Status::NotRun => style.warning(&cell),
        },
        Some(_) => cell,
    };
    aligned(&["TARGET", "RESULT", "TIME", "DETAIL"], &cells, &paint)
}

/// A duration as people read it: `4.2s`, `1m05s`, `1h02m`.
pub fn duration(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    if seconds < 60 {
        format!("{:.1}s", elapsed.as_secs_f64())
    } else if seconds < 3600 {
        format!("{}m{:02}s", seconds / 60, seconds % 60)
    } else {
        format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60)
    }
}

/// The summary row of one target; `at_digest_tag` when the image is in the registry under its
/// digest tag only (its name tag did not move).
pub fn row(
    build: &TargetBuild,
    skipped: &BTreeSet<String>,
    results: &Results,
    at_digest_tag: bool,
) -> Row {
    let Some(finished) = results.get(&build.target) else {
        let (status, detail) = if skipped.contains(&build.target) {
            let detail = format!("{} is in the registry", build.push_tag);
            (Status::Skipped, detail)
        } else {
            (
                Status::NotRun,
                "not started: the run was interrupted first".to_owned(),
            )
        };
        return Row {
            target: build.target.clone(),
            status,
            elapsed: None,
            attempts: 0,
            detail,
        };
    };
    let (status, detail) = match &finished.result {
        TargetResult::Built(digest) => {
            let digest = digest.as_deref().unwrap_or("(no digest reported)");
            let tag = if at_digest_tag {
                &build.push_tag
            } else {
                &build.tag
            };
            (Status::Built, format!("{tag}  {digest}"))
        }
        TargetResult::Failed(code) => {
            let detail = format!("exit code {code}: see {}", build.log.display());
            (Status::Failed, detail)
        }
        TargetResult::Interrupted => {
            let detail = format!("stopped: see {}", build.log.display());
            (Status::Interrupted, detail)
        }
    };
    Row {
        target: build.target.clone(),
        status,
        elapsed: Some(finished.elapsed),
        attempts: finished.attempts,
        detail,
    }
}

/// Prints the summary table; with `print_tags`, the table goes to standard error and standard
/// output gets only the tags that built (the digest tags when the name tags did not move).
pub fn print_summary(
    rows: &[Row],
    builds: &[TargetBuild],
    results: &Results,
    at_digest_tags: bool,
    print_tags: bool,
    styles: Styles,
) {
    if !print_tags {
        print!("{}", table(rows, styles.out));
        return;
    }
    eprint!("{}", table(rows, styles.err));
    for build in builds {
        if results.get(&build.target).is_some_and(|f| f.built()) {
            let tag = if at_digest_tags {
                &build.push_tag
            } else {
                &build.tag
            };
            println!("{tag}");
        }
    }
}

/// Lines of a failed target's log shown after the summary.
const LOG_TAIL_LINES: usize = 10;

/// The end of a failed target's log, and what to do when the engine could not reach its
/// daemon.
pub fn failure_excerpt(build: &TargetBuild, styles: Styles) -> String {
    let log = std::fs::read_to_string(&build.log).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
    let mut text = format!(
        "\n{} {} failed; the end of {}:\n",
        styles.err.error("error:"),
        build.target,
        build.log.display()
    );
    for line in tail {
        text.push_str(&format!("  {line}\n"));
    }
    if let Some(hint) = hint_for(&log) {
        text.push_str(&format!("{} {hint}\n", styles.err.warning("hint:")));
    }
    text
}

/// What docker and its clients say when the daemon does not answer.
const DAEMON_DOWN: &[&str] = &[
    "Cannot connect to the Docker daemon",
    "Is the docker daemon running",
    "failed to connect to the docker API",
    "error during connect",
];

/// What a push or pull says when a registry does not answer.
const REGISTRY_DOWN: &[&str] = &["connection refused", "no such host", "i/o timeout"];

/// What to do about a failure whose log shows a cause tcgen can name: a daemon that does not
/// answer, or a registry that does not. The daemon is named first: with it down, nothing else
/// in the log says anything about a registry.
fn hint_for(log: &str) -> Option<&'static str> {
    if DAEMON_DOWN.iter().any(|sign| log.contains(sign)) {
        return Some(
            "the engine cannot reach its daemon: start it (`sudo systemctl start docker`), or point DOCKER_HOST or --builder at one that runs",
        );
    }
    REGISTRY_DOWN.iter().any(|sign| log.contains(sign)).then_some(
        "a registry did not answer (see the end of the log): check the registry in --registry or CACHE_REGISTRY, and that it runs and is reachable from the builder",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::{ColorChoice, Style};

    #[test]
    fn rows_are_aligned_and_times_readable() {
        let rows = [
            Row {
                target: "ubuntu2204".into(),
                status: Status::Built,
                elapsed: Some(Duration::from_secs(65)),
                attempts: 1,
                detail: "impala-toolchain-ubuntu2204  sha256:ab".into(),
            },
            Row {
                target: "sles12".into(),
                status: Status::Failed,
                elapsed: Some(Duration::from_millis(4200)),
                attempts: 1,
                detail: "exit code 7: see build_docker/logs/sles12.log".into(),
            },
            Row {
                target: "redhat9".into(),
                status: Status::NotRun,
                elapsed: None,
                attempts: 0,
                detail: "interrupted".into(),
            },
        ];
        let plain = Style::decide(ColorChoice::Never, false, false);
        assert_eq!(
            table(&rows, plain),
            "TARGET      RESULT   TIME   DETAIL\n\
             ubuntu2204  built    1m05s  impala-toolchain-ubuntu2204  sha256:ab\n\
             sles12      FAILED   4.2s   exit code 7: see build_docker/logs/sles12.log\n\
             redhat9     not run  -      interrupted\n"
        );
        assert_eq!(duration(Duration::from_secs(3725)), "1h02m");
    }

    #[test]
    fn the_hint_follows_what_failed() {
        let daemon = hint_for("ERROR: failed to connect to the docker API at unix:///nope.sock");
        assert!(daemon.is_some_and(|h| h.contains("daemon")), "{daemon:?}");
        let registry = hint_for(
            "ERROR: failed to push localhost:5057/x: dial tcp 127.0.0.1:5057: connect: connection refused",
        );
        assert!(
            registry.is_some_and(|h| h.contains("registry") && !h.contains("daemon")),
            "{registry:?}"
        );
        assert_eq!(hint_for("E: Unable to locate package nope"), None);
    }

    #[test]
    fn a_retried_target_says_which_attempt_built_or_how_many_failed() {
        let row = |status, attempts| Row {
            target: "t".into(),
            status,
            elapsed: Some(Duration::from_secs(1)),
            attempts,
            detail: String::new(),
        };
        assert_eq!(row(Status::Built, 1).result(), "built");
        assert_eq!(row(Status::Built, 2).result(), "built (2nd attempt)");
        assert_eq!(row(Status::Built, 3).result(), "built (3rd attempt)");
        assert_eq!(row(Status::Built, 11).result(), "built (11th attempt)");
        assert_eq!(row(Status::Failed, 3).result(), "FAILED (3 attempts)");
    }
}
