//! The toolchain's sources for a run: the files git tracks under `source/`, copied into the
//! per-image folder mounted at /mnt/source.

use std::path::Path;

use super::{InDockerRequest, image_dir_name};
use crate::error::{Error, Result};
use crate::git::command as git;
use crate::process::{self, Invocation};

/// Copies the files git tracks under `source/` (as HEAD lists them) into `image_dir/source/`,
/// with their working-tree content, as upstream's in-docker.py does: an edited recipe arrives
/// edited, an untracked file does not arrive, a tracked file deleted from the working tree is
/// left out. One `tar -c | tar -x` pipe reads the file list (no process per file). Returns the
/// names directly under `source/`, sorted.
pub fn copy_sources(repo: &Path, image_dir: &Path) -> Result<Vec<String>> {
    let (list, programs) = tracked_sources(repo)?;
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let path_arg = |path: &Path| path.to_string_lossy().into_owned();
    let create = Invocation::new(
        "tar",
        vec![
            "-c".into(),
            "-f".into(),
            "-".into(),
            "-C".into(),
            path_arg(repo),
            "--null".into(),
            "--no-recursion".into(),
            "-T".into(),
            "-".into(),
        ],
    );
    let extract = Invocation::new(
        "tar",
        vec![
            "-x".into(),
            "-f".into(),
            "-".into(),
            "-C".into(),
            path_arg(image_dir),
        ],
    );
    process::pipe(&create, &list, &extract)?;
    Ok(programs)
}

/// The files git tracks under `source/` that the working tree has, as a NUL-separated list for
/// `tar -T`, and the names directly under `source/`, sorted.
fn tracked_sources(repo: &Path) -> Result<(Vec<u8>, Vec<String>)> {
    use std::os::unix::ffi::OsStrExt as _;
    let listing = process::capture_bytes(
        &git(
            repo,
            &[
                "ls-tree",
                "--full-tree",
                "-r",
                "-z",
                "--name-only",
                "HEAD",
                "source/",
            ],
        ),
        &[],
    )?;
    let mut list = Vec::with_capacity(listing.len());
    let mut programs = std::collections::BTreeSet::new();
    for path in listing.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        if repo
            .join(std::ffi::OsStr::from_bytes(path))
            .symlink_metadata()
            .is_err()
        {
            continue;
        }
        list.extend_from_slice(path);
        list.push(0);
        let name = path
            .strip_prefix(b"source/")
            .and_then(|rest| rest.split(|b| *b == b'/').next());
        if let Some(name) = name {
            programs.insert(String::from_utf8_lossy(name).into_owned());
        }
    }
    Ok((list, programs.into_iter().collect()))
}

/// Creates the per-image folder of `request` and copies the tracked sources into it; returns
/// the names directly under `source/`.
pub(super) fn copy_sources_for(request: &InDockerRequest) -> Result<Vec<String>> {
    let image_dir = request.build_dir.join(image_dir_name(&request.image));
    for dir in [&request.build_dir, &image_dir] {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    copy_sources(&request.repo, &image_dir)
}
