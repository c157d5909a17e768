//! The only code that writes generated files: atomic replacement of an output folder's files,
//! under a lock on the folder, and of a single file beside the spec.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::check::{Drift, compare};
use super::{Owner, walk};
use crate::error::{Error, Result};
use crate::output::FileSet;

/// Makes the files under `out` exactly `files`: every file is written to a temporary file
/// beside its target first, and only when all are written are they renamed into place and
/// orphans removed. When anything fails before the renames, the directory is left as it was;
/// a render killed outright leaves every file old or new, and at most some temporary files that
/// the next render removes. Nothing is synced to disk: these files are made again by a render,
/// and `render --check` finds any that a power loss damaged; a sync of the filesystem measured
/// seconds for a large fleet. Renders of one directory take turns (a lock on the directory), so
/// two at once leave the output of one of them, whole.
///
/// Only files tcgen wrote are replaced or removed: a file at a generated path that tcgen did
/// not write is an error before anything is written, and an orphan edited since tcgen wrote it
/// is kept (listed as foreign). Returns the drift that was repaired.
pub fn write(files: &FileSet, out: &Path) -> Result<Drift> {
    refuse_links(out, "")?;
    fs::create_dir_all(out)
        .map_err(|e| Error::io(format!("cannot create {}", out.display()), e))?;
    let _lock = lock_folder(out)?;
    let listing = walk(out)?;
    remove_temporaries(out, &listing.temporaries)?;
    let owner = Owner::read(out, &listing.files)?;
    let mut drift = compare(files, out, listing.files, &owner, false)?;
    for (path, _) in &drift.changed {
        refuse_links(out, path)?;
    }
    let not_ours: Vec<String> = drift
        .changed
        .iter()
        .map(|(path, _)| path)
        .filter(|path| !owner.wrote(out, path))
        .map(|path| out.join(path).display().to_string())
        .collect();
    if !not_ours.is_empty() {
        return Err(Error::Usage(format!(
            "{}: tcgen would replace what it did not write (neither its manifest nor its banner claims it): move it away or pass another --out; nothing was written",
            not_ours.join(", ")
        )));
    }
    let (orphaned, edited): (Vec<String>, Vec<String>) = std::mem::take(&mut drift.orphaned)
        .into_iter()
        .partition(|path| owner.unchanged(out, path));
    drift.orphaned = orphaned;
    drift.foreign.extend(edited);
    drift.foreign.sort();
    if drift.is_empty() {
        return Ok(drift);
    }
    let to_write: Vec<&String> = drift
        .changed
        .iter()
        .map(|(path, _)| path)
        .chain(drift.missing.iter())
        .collect();
    for path in &drift.missing {
        refuse_links(out, path)?;
    }
    let staged = stage_all(out, &to_write, files)?;
    for (temp, target) in &staged {
        fs::rename(temp, target)
            .map_err(|e| Error::io(format!("cannot replace {}", target.display()), e))?;
    }
    for path in &drift.orphaned {
        let full = out.join(path);
        fs::remove_file(&full)
            .map_err(|e| Error::io(format!("cannot remove {}", full.display()), e))?;
        remove_empty_parents(&full, out);
    }
    Ok(drift)
}

/// Replaces the one file `path` (the lock file, beside the spec) with `bytes`: written to a
/// temporary file beside it, then renamed over it, so it is always whole.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let temp = stage(path, bytes)?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io(format!("cannot replace {}", path.display()), e)
    })
}

/// Whether a file name is one of the temporary files [`stage`] writes.
pub(super) fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tcgen-") && name.ends_with(".tmp")
}

/// Holds an exclusive lock on the directory `out` until dropped (the kernel drops it when the
/// process dies, however it dies).
fn lock_folder(out: &Path) -> Result<fs::File> {
    let dir =
        fs::File::open(out).map_err(|e| Error::io(format!("cannot open {}", out.display()), e))?;
    dir.lock()
        .map_err(|e| Error::io(format!("cannot lock {}", out.display()), e))?;
    Ok(dir)
}

/// Removes the temporary files a killed render left. Only called under the lock, when no other
/// render can be writing any.
fn remove_temporaries(out: &Path, temporaries: &[String]) -> Result<()> {
    for path in temporaries {
        let full = out.join(path);
        fs::remove_file(&full)
            .map_err(|e| Error::io(format!("cannot remove {}", full.display()), e))?;
    }
    Ok(())
}

/// Writes each of `paths` to a temporary file beside its target and returns the
/// (temporary, target) pairs. On any failure, removes every temporary file it made. (Writing
/// from several threads was measured and gave nothing: file creation is the filesystem's.)
fn stage_all(out: &Path, paths: &[&String], files: &FileSet) -> Result<Vec<(PathBuf, PathBuf)>> {
    let dirs: BTreeSet<PathBuf> = paths
        .iter()
        .filter_map(|path| out.join(path).parent().map(Path::to_path_buf))
        .collect();
    for dir in &dirs {
        fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    let mut staged = Vec::new();
    for path in paths {
        let target = out.join(path);
        match stage(&target, &files[path.as_str()]) {
            Ok(temp) => staged.push((temp, target)),
            Err(e) => {
                for (temp, _) in &staged {
                    let _ = fs::remove_file(temp);
                }
                return Err(e);
            }
        }
    }
    Ok(staged)
}

/// Writes `bytes` to a new temporary file in `target`'s (existing) directory and returns its
/// path.
fn stage(target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.tcgen-{}.tmp", std::process::id()));
    let result = fs::File::create(&temp).and_then(|mut file| file.write_all(bytes));
    match result {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(Error::io(format!("cannot write {}", temp.display()), e))
        }
    }
}

/// Refuses to write `path` when the output directory, any directory between it and the file, or
/// the file itself is a symbolic link: writing through one could replace files outside the
/// output directory, and replacing one would silently drop what it points at.
fn refuse_links(out: &Path, path: &str) -> Result<()> {
    let mut dir = out.to_path_buf();
    let components = Path::new(path).components();
    for component in std::iter::once(None).chain(components.map(Some)) {
        if let Some(component) = component {
            dir.push(component);
        }
        let is_link = fs::symlink_metadata(&dir)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false);
        if is_link {
            return Err(Error::Usage(format!(
                "{} is a symbolic link; tcgen writes only real files in real directories: remove the link or pass another --out",
                dir.display()
            )));
        }
    }
    Ok(())
}

fn remove_empty_parents(file: &Path, out: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
