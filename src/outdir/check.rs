//! The comparison behind `render --check`: how an output folder differs from the files a render
//! makes, with a unified diff of each changed file.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use similar::TextDiff;

use super::{Owner, walk};
use crate::error::{Error, Result};
use crate::output::FileSet;
use crate::words::count;

/// How the output directory differs from a [`FileSet`].
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Files whose content differs, with a unified diff of each.
    pub changed: Vec<(String, String)>,
    /// Files that should exist and do not.
    pub missing: Vec<String>,
    /// Files tcgen wrote in the output directory and no longer generates.
    pub orphaned: Vec<String>,
    /// Files in the output directory that tcgen did not write (or that were edited since, and
    /// that it no longer generates): left alone, and not drift.
    pub foreign: Vec<String>,
}

impl Drift {
    /// True when the directory matches exactly.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.orphaned.is_empty()
    }

    /// A report for people: the diffs, then the missing and orphaned files.
    pub fn report(&self, out: &Path) -> String {
        let mut text = String::new();
        for (_, diff) in &self.changed {
            text.push_str(diff);
        }
        let name = |path: &str| out.join(path).display().to_string();
        for path in &self.changed {
            let _ = writeln!(text, "changed:  {}", name(&path.0));
        }
        for path in &self.missing {
            let _ = writeln!(text, "missing:  {}", name(path));
        }
        for path in &self.orphaned {
            let _ = writeln!(text, "orphaned: {} (no longer generated)", name(path));
        }
        text
    }

    /// A note naming the files tcgen left alone, or nothing when there are none.
    pub fn foreign_note(&self, out: &Path) -> String {
        if self.foreign.is_empty() {
            return String::new();
        }
        let mut text = format!(
            "note: {} in {} that tcgen did not write (or that were edited since), left alone:\n",
            count(self.foreign.len(), "file"),
            out.display()
        );
        for path in &self.foreign {
            let _ = writeln!(text, "  {}", out.join(path).display());
        }
        text
    }
}

/// Compares `files` with what is under `out`, with a unified diff of each changed file.
pub fn check(files: &FileSet, out: &Path) -> Result<Drift> {
    let present = walk(out)?.files;
    let owner = Owner::read(out, &present)?;
    compare(files, out, present, &owner, true)
}

/// Compares `files` with the files `present` under `out`, telling tcgen's orphans from foreign
/// files by `owner`; `diffs` says whether to make the diffs, which only a report needs.
pub(super) fn compare(
    files: &FileSet,
    out: &Path,
    present: BTreeSet<String>,
    owner: &Owner,
    diffs: bool,
) -> Result<Drift> {
    let mut drift = Drift::default();
    for (path, expected) in files {
        if !present.contains(path) {
            drift.missing.push(path.clone());
            continue;
        }
        let full = out.join(path);
        match fs::read(&full) {
            Ok(actual) if &actual == expected => {}
            Ok(actual) => {
                let diff = if diffs {
                    unified_diff(path, &actual, expected)
                } else {
                    String::new()
                };
                drift.changed.push((path.clone(), diff));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => drift.missing.push(path.clone()),
            Err(e) => return Err(Error::io(format!("cannot read {}", full.display()), e)),
        }
    }
    let (orphaned, foreign) = present
        .into_iter()
        .filter(|p| !files.contains_key(p))
        .partition(|p| owner.wrote(out, p));
    drift.orphaned = orphaned;
    drift.foreign = foreign;
    Ok(drift)
}

/// A unified diff from the file on disk to the file tcgen generates.
fn unified_diff(path: &str, actual: &[u8], expected: &[u8]) -> String {
    let old = String::from_utf8_lossy(actual);
    let new = String::from_utf8_lossy(expected);
    TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
