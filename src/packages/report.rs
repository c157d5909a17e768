//! Inventories and diffs for people: aligned text, and Markdown for a pull-request comment.

use std::fmt::Write as _;

use super::{Diff, Inventory};
use crate::table::aligned;
use crate::words::count;

/// An inventory as a line that names it (its format and, when known, its distribution), then a
/// table of its packages.
pub fn inventory_text(inventory: &Inventory) -> String {
    let rows: Vec<Vec<String>> = inventory
        .packages
        .iter()
        .map(|p| vec![p.name.clone(), p.version.clone(), p.arch.clone()])
        .collect();
    let format = match &inventory.os {
        Some(os) => format!("{}, {} {}", inventory.format.name(), os.id, os.version_id),
        None => inventory.format.name().to_owned(),
    };
    format!(
        "{} ({}): {}\n{}",
        inventory.image,
        format.trim_end(),
        count(inventory.packages.len(), "package"),
        aligned(&["NAME", "VERSION", "ARCH"], &rows, &|_, _, cell| cell)
    )
}

/// One line saying how much changed.
pub fn summary(old: &str, new: &str, diff: &Diff) -> String {
    if diff.is_empty() {
        return format!("{old} -> {new}: no package changed");
    }
    format!(
        "{old} -> {new}: {} added, {} removed, {} changed",
        diff.added.len(),
        diff.removed.len(),
        diff.changed.len()
    )
}

/// A diff as text: the summary, then `+`, `-` and `~` lines.
pub fn diff_text(old: &str, new: &str, diff: &Diff) -> String {
    let mut text = format!("{}\n", summary(old, new, diff));
    for p in &diff.added {
        let _ = writeln!(text, "+ {} {} {}", p.name, p.version, p.arch);
    }
    for p in &diff.removed {
        let _ = writeln!(text, "- {} {} {}", p.name, p.version, p.arch);
    }
    for c in &diff.changed {
        let _ = writeln!(text, "~ {} {} {} -> {}", c.name, c.arch, c.old, c.new);
    }
    text
}

/// Rows beyond which a Markdown table is folded into `<details>`.
const FOLD_AFTER: usize = 20;

/// A diff as Markdown for a pull-request comment: a summary line, then a table, folded in
/// `<details>` when it is long.
pub fn diff_markdown(old: &str, new: &str, diff: &Diff) -> String {
    let mut text = format!(
        "**{}**\n",
        summary(&format!("`{old}`"), &format!("`{new}`"), diff)
    );
    if diff.is_empty() {
        return text;
    }
    let mut table =
        String::from("\n| | package | arch | old | new |\n| --- | --- | --- | --- | --- |\n");
    for p in &diff.added {
        let _ = writeln!(
            table,
            "| added | {} | {} | | {} |",
            p.name, p.arch, p.version
        );
    }
    for p in &diff.removed {
        let _ = writeln!(
            table,
            "| removed | {} | {} | {} | |",
            p.name, p.arch, p.version
        );
    }
    for c in &diff.changed {
        let _ = writeln!(
            table,
            "| changed | {} | {} | {} | {} |",
            c.name, c.arch, c.old, c.new
        );
    }
    let rows = diff.added.len() + diff.removed.len() + diff.changed.len();
    if rows > FOLD_AFTER {
        let _ = write!(
            text,
            "\n<details><summary>{}</summary>\n{table}\n</details>\n",
            count(rows, "package")
        );
    } else {
        text.push_str(&table);
    }
    text
}
