//! Helpers shared by the test binaries that run `tcgen build`.

/// The summary-table row of `target` in `tcgen build`'s output, with its cells split on runs
/// of spaces: target, result, time, detail. Panics, showing the output, when there is none.
pub fn summary_row(stdout: &str, target: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|line| line.split_whitespace().next() == Some(target))
        .unwrap_or_else(|| panic!("no summary row for {target} in:\n{stdout}"));
    line.split("  ")
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .map(str::to_owned)
        .collect()
}
