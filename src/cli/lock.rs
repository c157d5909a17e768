//! `tcgen lock [--check | --update [DISTRO...]]`: resolve base images to digests, write the lock
//! file next to the spec, or compare it with the registries.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use crate::error::{EXIT_FAILURE, Error, Result};
use crate::lock::{Lock, lock_path};
use crate::model::lockable_bases;
use crate::outdir;
use crate::pipeline::tcgen_command;
use crate::render::script_names;
use crate::runner::Engine;
use crate::runner::resolve::resolve;
use crate::spec::Spec;
use crate::spec::load::load_file;
use crate::words::count;

/// What `tcgen lock` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockMode {
    /// Resolve the base images the lock file lacks, and drop the lines no distro uses.
    Missing,
    /// Resolve again the base images of these distros (all of them when empty).
    Update(Vec<String>),
    /// Compare every locked digest with what its registry says now; write nothing.
    Check,
}

impl LockMode {
    /// The mode `--check` and `--update [DISTRO...]` ask for.
    pub fn of(check: bool, update: Option<Vec<String>>) -> Self {
        match (check, update) {
            (true, _) => LockMode::Check,
            (false, Some(distros)) => LockMode::Update(distros),
            (false, None) => LockMode::Missing,
        }
    }
}

/// `tcgen lock`. Returns the exit code: 1 when `--check` finds a base that moved, or when a base
/// could not be resolved (the others are locked all the same).
pub fn lock_command(
    spec_path: &Path,
    engine: Engine,
    mode: LockMode,
    stdout: &mut dyn Write,
) -> Result<i32> {
    let spec = load_file(spec_path, &script_names())?;
    let bases = lockable_bases(&spec);
    let existing = match &mode {
        // Every line is resolved again, so a damaged file is simply written anew (what it
        // holds is kept for a base that cannot be resolved now).
        LockMode::Update(distros) if distros.is_empty() => Lock::read(spec_path, None)
            .ok()
            .flatten()
            .unwrap_or_default(),
        // Lines no distro uses are not refused here: this command drops them.
        _ => Lock::read(spec_path, None)?.unwrap_or_default(),
    };
    let targets = targets(&mode, &spec, &bases, &existing)?;
    if let LockMode::Update(distros) = &mode {
        note_shared_bases(&spec, distros, &targets, stdout)?;
    }
    let mut lock = existing.clone();
    lock.digests.retain(|image, _| bases.contains(image));
    lock.unresolved.retain(|image, _| bases.contains(image));
    let (moved, failed) = resolve_all(engine, &targets, &existing, &mut lock, stdout)?;
    for failure in &failed {
        eprintln!("not locked: {failure}");
    }
    let code = if mode == LockMode::Check {
        report_check(spec_path, &bases, &existing, moved, stdout)?
    } else {
        write_lock(spec_path, &lock, targets.is_empty(), stdout)?;
        0
    };
    Ok(if failed.is_empty() {
        code
    } else {
        EXIT_FAILURE
    })
}

/// Resolves each of `targets` into `lock`, saying what became of it. Returns how many moved
/// from what `existing` had, and why each that could not be resolved could not.
fn resolve_all(
    engine: Engine,
    targets: &BTreeSet<String>,
    existing: &Lock,
    lock: &mut Lock,
    stdout: &mut dyn Write,
) -> Result<(usize, Vec<String>)> {
    let mut moved = 0;
    let mut failed = Vec::new();
    for image in targets {
        let digest = match resolve(engine, image) {
            Ok(digest) => digest,
            Err(error) => {
                failed.push(error.to_string());
                // A base locked before keeps its digest; one never resolved is noted as such.
                if !lock.digests.contains_key(image) {
                    lock.unresolved
                        .insert(image.clone(), "no registry answered for it".to_owned());
                }
                continue;
            }
        };
        lock.unresolved.remove(image);
        match existing.digests.get(image) {
            Some(old) if *old == digest => {
                writeln!(stdout, "{image}: unchanged ({digest})").map_err(Error::stdout)?
            }
            Some(old) => {
                moved += 1;
                writeln!(stdout, "{image}: moved {old} -> {digest}").map_err(Error::stdout)?
            }
            None => writeln!(stdout, "{image}: locked to {digest}").map_err(Error::stdout)?,
        }
        lock.digests.insert(image.clone(), digest);
    }
    Ok((moved, failed))
}

/// Says which other distros share the bases `lock --update DISTRO...` moves: their images
/// change too.
fn note_shared_bases(
    spec: &Spec,
    named: &[String],
    bases: &BTreeSet<String>,
    stdout: &mut dyn Write,
) -> Result<()> {
    for base in bases {
        let others: Vec<&str> = spec
            .distros
            .iter()
            .filter(|(name, d)| d.base_image == *base && !named.contains(name))
            .map(|(name, _)| name.as_str())
            .collect();
        if !named.is_empty() && !others.is_empty() {
            writeln!(
                stdout,
                "note: {base} is also the base of {}: their images change with it",
                others.join(", ")
            )
            .map_err(Error::stdout)?;
        }
    }
    Ok(())
}

/// What `lock --check` says after comparing: the bases not locked, and the command that
/// moves the lock when a locked base moved (exit code 1).
fn report_check(
    spec_path: &Path,
    bases: &BTreeSet<String>,
    existing: &Lock,
    moved: usize,
    stdout: &mut dyn Write,
) -> Result<i32> {
    let unlocked: Vec<&str> = bases
        .iter()
        .filter(|b| !existing.digests.contains_key(*b))
        .map(String::as_str)
        .collect();
    if !unlocked.is_empty() {
        writeln!(
            stdout,
            "note: not locked: {}; run `{}` to pin them",
            unlocked.join(", "),
            tcgen_command(spec_path, "lock")
        )
        .map_err(Error::stdout)?;
    }
    if moved == 0 {
        return Ok(0);
    }
    writeln!(
        stdout,
        "{} moved: run `{}` and `{}`, and commit both",
        count(moved, "locked base image"),
        tcgen_command(spec_path, "lock --update"),
        tcgen_command(spec_path, "render")
    )
    .map_err(Error::stdout)?;
    Ok(EXIT_FAILURE)
}

/// Writes `lock` beside the spec, unless the file already says the same; `nothing_resolved`
/// when there was nothing to resolve (every base locked already).
fn write_lock(
    spec_path: &Path,
    lock: &Lock,
    nothing_resolved: bool,
    stdout: &mut dyn Write,
) -> Result<()> {
    let path = lock_path(spec_path);
    let text = lock.render();
    if std::fs::read(&path).ok().as_deref() == Some(text.as_bytes()) {
        let why = if nothing_resolved {
            format!(
                "every base is locked already; `{}` compares them with their registries, `{}` moves them",
                tcgen_command(spec_path, "lock --check"),
                tcgen_command(spec_path, "lock --update")
            )
        } else {
            "unchanged".to_owned()
        };
        return writeln!(stdout, "{}: {why}", path.display()).map_err(Error::stdout);
    }
    outdir::replace_file(&path, text.as_bytes())?;
    writeln!(
        stdout,
        "wrote {} ({}); run `{}` to pin the Dockerfiles",
        path.display(),
        count(lock.digests.len(), "base image"),
        tcgen_command(spec_path, "render")
    )
    .map_err(Error::stdout)
}

/// The base images `mode` resolves: those the lock lacks, those of the distros named (all when
/// none is), or those locked.
fn targets(
    mode: &LockMode,
    spec: &Spec,
    bases: &BTreeSet<String>,
    existing: &Lock,
) -> Result<BTreeSet<String>> {
    Ok(match mode {
        LockMode::Missing => bases
            .iter()
            .filter(|b| !existing.digests.contains_key(*b))
            .cloned()
            .collect(),
        LockMode::Update(distros) if distros.is_empty() => bases.clone(),
        LockMode::Update(distros) => distros
            .iter()
            .map(|name| {
                spec.distros
                    .get(name)
                    .map(|d| d.base_image.clone())
                    .ok_or_else(|| {
                        Error::unknown_distro(name, spec.distros.keys().map(String::as_str))
                    })
            })
            .collect::<Result<BTreeSet<String>>>()?
            .intersection(bases)
            .cloned()
            .collect(),
        LockMode::Check => existing
            .digests
            .keys()
            .filter(|b| bases.contains(*b))
            .cloned()
            .collect(),
    })
}
