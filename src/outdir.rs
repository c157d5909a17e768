//! The set of generated files, and the only code that writes them: atomic replacement of the
//! output directory's files, and the comparison behind `render --check`. tcgen replaces and
//! removes only files it wrote (see [`crate::render::manifest`]); anything else there is left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::error::{Error, Result};
use crate::hash::sha256_hex;
use crate::output::{BANNER_MARK, FileSet};
use crate::render::manifest::{self, MANIFEST_FILE};

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
            "note: {} file(s) in {} that tcgen did not write (or that were edited since), left alone:\n",
            self.foreign.len(),
            out.display()
        );
        for path in &self.foreign {
            let _ = writeln!(text, "  {}", out.join(path).display());
        }
        text
    }
}

/// Which files of an output directory tcgen wrote: those its manifest lists, with the hash of
/// what it wrote; in a directory with no manifest (rendered by a tcgen older than the manifest),
/// those that open with tcgen's banner.
enum Owner {
    Manifest(BTreeMap<String, String>),
    Banners,
}

impl Owner {
    fn read(out: &Path, present: &BTreeSet<String>) -> Result<Owner> {
        if !present.contains(MANIFEST_FILE) {
            return Ok(Owner::Banners);
        }
        let path = out.join(MANIFEST_FILE);
        let bytes =
            fs::read(&path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        Ok(Owner::Manifest(manifest::parse(&bytes)))
    }

    /// Whether tcgen wrote `path`.
    fn wrote(&self, out: &Path, path: &str) -> bool {
        match self {
            Owner::Manifest(listed) => path == MANIFEST_FILE || listed.contains_key(path),
            Owner::Banners => has_banner(&out.join(path)),
        }
    }

    /// Whether `path` still holds what tcgen wrote there.
    fn unchanged(&self, out: &Path, path: &str) -> bool {
        match self {
            Owner::Manifest(listed) => fs::read(out.join(path))
                .is_ok_and(|bytes| listed.get(path) == Some(&sha256_hex(&bytes))),
            Owner::Banners => has_banner(&out.join(path)),
        }
    }
}

/// Whether a file opens with tcgen's banner (in its first lines; JSON says it in `$comment`).
fn has_banner(path: &Path) -> bool {
    use std::io::Read as _;
    let mut opening = Vec::new();
    fs::File::open(path)
        .and_then(|file| file.take(512).read_to_end(&mut opening))
        .is_ok()
        && String::from_utf8_lossy(&opening).contains(BANNER_MARK)
}

/// Refuses an output directory that holds the spec (or is a folder above it) or a `.git`: a
/// render there would mix generated files with the user's own. Checked before anything is
/// touched.
pub fn refuse_unsafe_output(out: &Path, spec: &Path) -> Result<()> {
    let resolved_out = resolve(out);
    let refuse = |why: &str| {
        Err(Error::Usage(format!(
            "{} {why}: tcgen writes only into a folder of its own; pass --out with a new or generated folder, such as --out generated",
            out.display()
        )))
    };
    if let (Some(out_dir), Ok(spec)) = (&resolved_out, fs::canonicalize(spec))
        && spec.starts_with(out_dir)
    {
        return refuse(&format!("holds the spec {}", spec.display()));
    }
    if out.join(".git").exists() {
        return refuse("is a git repository's root (it has a .git)");
    }
    Ok(())
}

/// `path` made absolute with links resolved, as far as it exists (the rest appended as given).
fn resolve(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = fs::canonicalize(existing) {
            return Some(rest.iter().rev().fold(real, |p, c| p.join(c)));
        }
        rest.push(existing.file_name()?.to_owned());
        existing = existing.parent()?;
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
fn compare(
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
    let _lock = lock(out)?;
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
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tcgen-") && name.ends_with(".tmp")
}

/// Holds an exclusive lock on the directory `out` until dropped (the kernel drops it when the
/// process dies, however it dies).
fn lock(out: &Path) -> Result<fs::File> {
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

/// What is under an output directory.
struct Listing {
    /// Every regular file, relative and with `/` separators. Symbolic links inside are listed
    /// as files (so they show as changed or orphaned), not followed.
    files: BTreeSet<String>,
    /// Temporary files of a killed render: not output.
    temporaries: Vec<String>,
}

/// Lists `out`; an absent directory lists nothing.
fn walk(out: &Path) -> Result<Listing> {
    let mut listing = Listing {
        files: BTreeSet::new(),
        temporaries: Vec::new(),
    };
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let dir = out.join(&relative);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound && relative.as_os_str().is_empty() =>
            {
                return Ok(listing);
            }
            Err(e) => return Err(Error::io(format!("cannot list {}", dir.display()), e)),
        };
        for entry in entries {
            let entry =
                entry.map_err(|e| Error::io(format!("cannot list {}", dir.display()), e))?;
            let path = relative.join(entry.file_name());
            let kind = entry
                .file_type()
                .map_err(|e| Error::io(format!("cannot stat {}", path.display()), e))?;
            if kind.is_dir() {
                pending.push(path);
            } else {
                let relative = path.to_string_lossy().replace('\\', "/");
                if is_temporary(&entry.file_name().to_string_lossy()) {
                    listing.temporaries.push(relative);
                } else {
                    listing.files.insert(relative);
                }
            }
        }
    }
    Ok(listing)
}
