//! An output folder of generated files: what tcgen owns there (its manifest, or the banners of
//! an older render), whether a folder is safe to render into, and what is in it. Writing is in
//! [`write`], the comparison behind `render --check` in [`check`]. tcgen replaces and removes only
//! files it wrote (see [`crate::render::manifest`]); anything else there is left alone.

mod check;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::hash::sha256_hex;
use crate::output::BANNER_MARK;
use crate::render::manifest::{self, MANIFEST_FILE};

pub use check::check;
use write::is_temporary;
pub use write::{replace_file, write};

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
    let resolved_out = canonical(out);
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
fn canonical(path: &Path) -> Option<PathBuf> {
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
