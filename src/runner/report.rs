//! The table `tcgen build` ends with: one row per target, what happened, how long it took.

use std::time::Duration;

use crate::style::Style;
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
    /// Not reached: the run was interrupted first.
    NotRun,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Built => "built",
            Status::Failed => "FAILED",
            Status::Skipped => "skipped",
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
    /// The tag and digest, or where the log is, or why it did not run.
    pub detail: String,
}

/// The table, aligned, with the status coloured by `style`.
pub fn table(rows: &[Row], style: Style) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.target.clone(),
                row.status.word().to_owned(),
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
            Status::Skipped | Status::NotRun => style.warning(&cell),
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
                detail: "impala-toolchain-ubuntu2204  sha256:ab".into(),
            },
            Row {
                target: "sles12".into(),
                status: Status::Failed,
                elapsed: Some(Duration::from_millis(4200)),
                detail: "exit code 7: see build_docker/logs/sles12.log".into(),
            },
            Row {
                target: "redhat9".into(),
                status: Status::NotRun,
                elapsed: None,
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
}
