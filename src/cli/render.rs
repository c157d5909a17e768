//! `tcgen render [--check]`: write the generated files, or compare them with the spec.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::outdir;
use crate::output::FileSet;
use crate::pipeline::{compile, provenance, tcgen_command};
use crate::render::manifest::{self, MANIFEST_FILE};
use crate::style::Style;
use crate::words::count;

/// What `render` did, for the exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum RenderOutcome {
    /// The directory already matched (or was written to match).
    UpToDate,
    /// `--check` found drift.
    Stale,
}

/// `tcgen render [--check]`.
pub fn render_command(
    spec_path: &Path,
    out: &Path,
    check: bool,
    stdout: &mut dyn Write,
    style: Style,
) -> Result<RenderOutcome> {
    let compiled = compile(spec_path, out)?;
    outdir::refuse_unsafe_output(out, spec_path)?;
    note_unpinned(&compiled.model, spec_path, stdout)?;
    let files = &compiled.rendered.files;
    if check {
        return check_output(files, spec_path, out, stdout, style);
    }
    let drift = outdir::write(files, out)?;
    let (context_files, context_bytes) = files
        .iter()
        .filter(|(path, _)| path.starts_with("context/"))
        .fold((0, 0), |(count, bytes), (_, content)| {
            (count + 1, bytes + content.len())
        });
    writeln!(
        stdout,
        "rendered {} into {}: {} changed, {} added, {} removed; build context: {}, {:.1} KiB",
        count(files.len(), "file"),
        out.display(),
        drift.changed.len(),
        drift.missing.len(),
        drift.orphaned.len(),
        count(context_files, "file"),
        context_bytes as f64 / 1024.0
    )
    .map_err(Error::stdout)?;
    write!(stdout, "{}", drift.foreign_note(out)).map_err(Error::stdout)?;
    Ok(RenderOutcome::UpToDate)
}

/// `render --check`: compares `out` with `files`, and reports the drift with the command that
/// mends it.
fn check_output(
    files: &FileSet,
    spec_path: &Path,
    out: &Path,
    stdout: &mut dyn Write,
    style: Style,
) -> Result<RenderOutcome> {
    let drift = outdir::check(files, out)?;
    write!(stdout, "{}", drift.foreign_note(out)).map_err(Error::stdout)?;
    if drift.is_empty() {
        writeln!(
            stdout,
            "{} is up to date ({})",
            out.display(),
            count(files.len(), "file")
        )
        .map_err(Error::stdout)?;
        return Ok(RenderOutcome::UpToDate);
    }
    write!(stdout, "{}", style.diff(&drift.report(out))).map_err(Error::stdout)?;
    let written_by = std::fs::read(out.join(MANIFEST_FILE))
        .ok()
        .and_then(|bytes| manifest::written_by(&bytes));
    if let Some(version) = written_by.filter(|v| v != env!("CARGO_PKG_VERSION")) {
        writeln!(
            stdout,
            "note: {} was written by tcgen {version}, and this is tcgen {}: templates and scripts are built into tcgen, so some of the difference may come from the versions; use the tcgen the files were written with, or render with this one",
            out.display(),
            env!("CARGO_PKG_VERSION")
        )
        .map_err(Error::stdout)?;
    }
    writeln!(
        stdout,
        "\n{} is stale: run `{}` and commit the result",
        out.display(),
        provenance(spec_path, out).regenerate
    )
    .map_err(Error::stdout)?;
    Ok(RenderOutcome::Stale)
}

/// The notes about base images not pinned to a digest: those `tcgen lock` could not resolve,
/// and the others, with the command that pins them.
fn note_unpinned(model: &Model, spec_path: &Path, stdout: &mut dyn Write) -> Result<()> {
    let unpinned: Vec<&str> = model
        .unpinned_bases
        .iter()
        .filter(|b| !model.unresolved_bases.contains(b))
        .map(String::as_str)
        .collect();
    if !model.unresolved_bases.is_empty() {
        writeln!(
            stdout,
            "note: {} not pinned: `tcgen lock` found no registry that has {}: {}; builds use what the tag points to where they run",
            count(model.unresolved_bases.len(), "base image"),
            if model.unresolved_bases.len() == 1 { "it" } else { "them" },
            model.unresolved_bases.join(", ")
        )
        .map_err(Error::stdout)?;
    }
    if !unpinned.is_empty() {
        writeln!(
            stdout,
            "note: {} not pinned to a digest: {}; run `{}` to pin them",
            count(unpinned.len(), "base image"),
            unpinned.join(", "),
            tcgen_command(spec_path, "lock")
        )
        .map_err(Error::stdout)?;
    }
    Ok(())
}
