//! Reads files as a git commit has them, without checking anything out: the base side of
//! `tcgen plan --changed-since REF`.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::process::{Invocation, capture, capture_bytes};

/// A commit of the repository that holds the working directory.
#[derive(Debug, Clone)]
pub struct Revision {
    /// The name the user gave (`origin/main`, `HEAD~1`).
    pub name: String,
    /// The full commit id it resolved to.
    pub commit: String,
    /// The working tree's root.
    top: PathBuf,
    /// The working directory, relative to the root, with `/` separators.
    prefix: PathBuf,
    /// Where git runs.
    dir: PathBuf,
}

/// `git ARGS...` run in `dir`.
pub fn command(dir: &Path, args: &[&str]) -> Invocation {
    let mut invocation = Invocation::new("git", args.iter().map(|a| (*a).to_owned()).collect());
    invocation.dir = Some(dir.to_owned());
    invocation
}

/// The commit `HEAD` of the repository at `dir`; `None` outside a repository or before its
/// first commit.
pub fn head(dir: &Path) -> Option<String> {
    capture(&command(
        dir,
        &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
    ))
    .ok()
    .map(|out| out.trim().to_owned())
    .filter(|commit| !commit.is_empty())
}

/// Whether the commit `HEAD` of the repository at `dir` contains `commit` (is it or descends
/// from it). A commit the repository does not have (a shallow clone, another repository's) is
/// not contained: nothing says it is older.
pub fn head_contains(dir: &Path, commit: &str) -> bool {
    crate::process::run_quiet(&command(
        dir,
        &["merge-base", "--is-ancestor", commit, "HEAD"],
    ))
}

impl Revision {
    /// Resolves `name` to a commit of the repository at `dir`.
    pub fn resolve(dir: &Path, name: &str) -> Result<Self> {
        let git = |args: &[&str]| {
            capture(&command(dir, args)).map(|out| out.trim_end_matches('\n').to_owned())
        };
        let top = git(&["rev-parse", "--show-toplevel"]).map_err(|e| {
            Error::Usage(format!(
                "--changed-since needs a git repository, and {} is not in one ({e})",
                dir.display()
            ))
        })?;
        let prefix = git(&["rev-parse", "--show-prefix"])?;
        let commit = git(&["rev-parse", "--verify", "--end-of-options", &format!("{name}^{{commit}}")])
            .map_err(|_| {
                Error::Usage(format!(
                    "'{name}' is not a commit of this repository: check the name, or fetch it (a shallow CI checkout may lack it; fetch with depth 0)"
                ))
            })?;
        Ok(Revision {
            name: name.to_owned(),
            commit,
            top: PathBuf::from(top),
            prefix: PathBuf::from(prefix),
            dir: dir.to_owned(),
        })
    }

    /// The bytes of each of `paths` (relative to the working directory, or absolute inside the
    /// working tree) at this commit; `None` for a path the commit does not have as a file.
    pub fn read(&self, paths: &[PathBuf]) -> Result<BTreeMap<PathBuf, Option<Vec<u8>>>> {
        let mut request = Vec::new();
        let mut in_repo = Vec::new();
        for path in paths {
            let relative = self.in_repository(path)?;
            request.extend_from_slice(format!("{}:{relative}\n", self.commit).as_bytes());
            in_repo.push(relative);
        }
        let output = capture_bytes(&command(&self.dir, &["cat-file", "--batch"]), &request)?;
        let mut rest = output.as_slice();
        let mut files = BTreeMap::new();
        for (path, relative) in paths.iter().zip(&in_repo) {
            let (content, after) = next_object(rest).ok_or_else(|| {
                Error::Command(format!(
                    "git cat-file gave an answer tcgen cannot read for {}:{relative}",
                    self.name
                ))
            })?;
            files.insert(path.clone(), content);
            rest = after;
        }
        Ok(files)
    }

    /// `path` relative to the repository root, with `/` separators and no `.` or `..`.
    fn in_repository(&self, path: &Path) -> Result<String> {
        let joined = if path.is_absolute() {
            path.strip_prefix(&self.top)
                .map(Path::to_path_buf)
                .map_err(|_| {
                    Error::Usage(format!(
                        "{} is outside the repository at {}",
                        path.display(),
                        self.top.display()
                    ))
                })?
        } else {
            self.prefix.join(path)
        };
        let mut parts: Vec<String> = Vec::new();
        for component in joined.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                Component::CurDir => {}
                Component::ParentDir if parts.pop().is_some() => {}
                _ => {
                    return Err(Error::Usage(format!(
                        "{} is outside the repository at {}",
                        path.display(),
                        self.top.display()
                    )));
                }
            }
        }
        let relative = parts.join("/");
        if relative.contains('\n') {
            return Err(Error::Usage(format!(
                "{} has a line break in its name, which git cat-file cannot be asked for",
                path.display()
            )));
        }
        Ok(relative)
    }
}

/// Splits one answer of `git cat-file --batch` off `output`: the blob's bytes, or `None` for a
/// missing object or one that is not a file.
fn next_object(output: &[u8]) -> Option<(Option<Vec<u8>>, &[u8])> {
    let end = output.iter().position(|b| *b == b'\n')?;
    let header = std::str::from_utf8(&output[..end]).ok()?;
    let rest = &output[end + 1..];
    if header.ends_with(" missing") || header.ends_with(" ambiguous") {
        return Some((None, rest));
    }
    let fields: Vec<&str> = header.split(' ').collect();
    match fields.as_slice() {
        [_, kind, size] => {
            let size: usize = size.parse().ok()?;
            let body = rest.get(..size)?;
            let after = rest.get(size + 1..)?;
            Some(((*kind == "blob").then(|| body.to_vec()), after))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::next_object;

    #[test]
    fn reads_blobs_and_missing_objects_in_turn() {
        let output = b"abc blob 3\nxyz\nHEAD:no pe missing\ndef tree 2\nab\n";
        let (first, rest) = next_object(output).unwrap();
        assert_eq!(first.as_deref(), Some(&b"xyz"[..]));
        let (second, rest) = next_object(rest).unwrap();
        assert_eq!(second, None);
        let (third, rest) = next_object(rest).unwrap();
        assert_eq!(third, None, "a tree is not a file");
        assert!(rest.is_empty());
    }

    #[test]
    fn a_short_answer_is_not_read_past_its_end() {
        assert!(next_object(b"abc blob 10\nxyz\n").is_none());
        assert!(next_object(b"no newline").is_none());
    }
}
