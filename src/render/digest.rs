//! The input digest of an image: a sha256 over everything that decides its content, so that an
//! unchanged digest means an unchanged image.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::hash::hex;
use crate::model::{DistroModel, Model};
use crate::output::{BANNER_MARK, FileSet};

/// Hex digits of the digest kept in the digest tag (`impala-toolchain-ubuntu2204:<short>`).
pub const SHORT_DIGEST_LEN: usize = 12;

/// A sha256 of one file's bytes.
pub type FileDigest = [u8; 32];

/// The inputs of every image of `model` as the generated `files` hold them, by distro name.
pub fn image_inputs(model: &Model, files: &FileSet) -> BTreeMap<String, ImageInputs> {
    let context = context_digests(files);
    model
        .distros
        .iter()
        .map(|d| (d.name.clone(), ImageInputs::of(d, files, &context)))
        .collect()
}

/// The digest of every build-context file among `files` (paths `context/<path>`), by path
/// inside the context: each file is hashed once however many images copy it.
fn context_digests(files: &FileSet) -> BTreeMap<String, FileDigest> {
    files
        .iter()
        .filter_map(|(path, bytes)| {
            path.strip_prefix("context/")
                .map(|inside| (inside.to_owned(), file_digest(bytes)))
        })
        .collect()
}

/// The digest of a generated file without tcgen's banner line, which names the spec and the
/// output folder: neither decides anything in the image, so renaming them rebuilds nothing.
fn file_digest(bytes: &[u8]) -> FileDigest {
    dockerfile_digest(bytes, false).0
}

/// The digest of a generated file without its banner line and, with `split_from`, without its
/// first `FROM` line, whose image is returned beside it (an input of its own).
fn dockerfile_digest(bytes: &[u8], split_from: bool) -> (FileDigest, String) {
    let mut hasher = Sha256::new();
    let mut base = String::new();
    let mut banner_seen = false;
    for (index, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        if !banner_seen
            && index < 2
            && line.starts_with(b"# ")
            && line[2..].starts_with(BANNER_MARK.as_bytes())
        {
            banner_seen = true;
            continue;
        }
        if split_from
            && base.is_empty()
            && let Some(image) = line.strip_prefix(b"FROM ")
        {
            base = String::from_utf8_lossy(image).trim().to_owned();
            continue;
        }
        hasher.update(line);
    }
    (hasher.finalize().into(), base)
}

/// Everything that decides one image's content, each file by its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInputs {
    /// The image the Dockerfile starts from, as its `FROM` line names it (with the locked
    /// digest, when there is one).
    pub base: String,
    /// The rendered Dockerfile, its `FROM` line aside.
    pub dockerfile: FileDigest,
    /// Every build-context file the Dockerfile copies, by path inside the context; `None` for
    /// a file that is missing.
    pub context: BTreeMap<String, Option<FileDigest>>,
    /// Names of its build arguments (their values come from the builder's environment).
    pub args: Vec<String>,
    /// Its OCI platforms.
    pub platforms: Vec<String>,
}

impl ImageInputs {
    /// The inputs of `distro` as the generated `files` hold them (`<name>.Dockerfile` and
    /// `context/<path>`, relative to the output directory), with the `context` digests of
    /// [`context_digests`].
    pub fn of(
        distro: &DistroModel,
        files: &FileSet,
        context: &BTreeMap<String, FileDigest>,
    ) -> Self {
        let dockerfile = files
            .get(&format!("{}.Dockerfile", distro.name))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let (dockerfile, base) = dockerfile_digest(dockerfile, true);
        ImageInputs {
            base,
            dockerfile,
            context: distro
                .context_inputs
                .iter()
                .map(|path| (path.clone(), context.get(path).copied()))
                .collect(),
            args: distro.gated_args.iter().map(|a| a.name.clone()).collect(),
            platforms: distro.platforms.clone(),
        }
    }

    /// `sha256:<hex>` over every input. Each part is labelled and length-prefixed, so no two
    /// different inputs hash alike by running together.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        let mut part = |label: &str, bytes: &[u8]| {
            hasher.update(label.as_bytes());
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        };
        part("base", self.base.as_bytes());
        part("dockerfile", &self.dockerfile);
        for (path, content) in &self.context {
            part("context-path", path.as_bytes());
            match content {
                Some(digest) => part("context-file", digest),
                None => part("context-missing", b""),
            }
        }
        for arg in &self.args {
            part("arg", arg.as_bytes());
        }
        for platform in &self.platforms {
            part("platform", platform.as_bytes());
        }
        format!("sha256:{}", hex(&hasher.finalize()))
    }
}

/// The tag an image gets from its input digest: `<image>:<short digest>`.
pub fn digest_tag(image: &str, digest: &str) -> String {
    format!("{image}:{}", short_digest(digest))
}

/// The tag form of a digest: its first [`SHORT_DIGEST_LEN`] hex digits.
pub fn short_digest(digest: &str) -> &str {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    &hex[..hex.len().min(SHORT_DIGEST_LEN)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> ImageInputs {
        ImageInputs {
            base: "scratch".to_owned(),
            dockerfile: Sha256::digest(b"RUN true\n").into(),
            context: BTreeMap::from([(
                "scripts/a.sh".to_owned(),
                Some(Sha256::digest(b"echo a\n").into()),
            )]),
            args: vec!["SLES_MIRROR".to_owned()],
            platforms: vec!["linux/amd64".to_owned()],
        }
    }

    #[test]
    fn each_input_changes_the_digest() {
        let base = inputs().digest();
        let mut dockerfile = inputs();
        dockerfile.dockerfile[0] ^= 1;
        let mut context = inputs();
        context.context.insert("scripts/a.sh".to_owned(), None);
        let mut args = inputs();
        args.args.clear();
        let mut platforms = inputs();
        platforms.platforms.push("linux/arm64".to_owned());
        let mut image = inputs();
        image.base = format!("scratch@sha256:{}", "0".repeat(64));
        let digests = [
            image.digest(),
            base.clone(),
            dockerfile.digest(),
            context.digest(),
            args.digest(),
            platforms.digest(),
        ];
        let distinct: std::collections::BTreeSet<&String> = digests.iter().collect();
        assert_eq!(distinct.len(), digests.len(), "{digests:?}");
        assert_eq!(base, inputs().digest());
    }

    #[test]
    fn parts_do_not_run_together() {
        let mut a = inputs();
        a.args = vec!["AB".to_owned()];
        let mut b = inputs();
        b.args = vec!["A".to_owned(), "B".to_owned()];
        assert_ne!(a.digest(), b.digest());
    }

    #[test]
    fn the_from_line_is_an_input_of_its_own_and_the_banner_none() {
        let (body, base) = dockerfile_digest(
            b"# Generated by tcgen from a.yaml.\nFROM x:1@sha256:ab\nRUN true\n",
            true,
        );
        let (same, other) = dockerfile_digest(
            b"# Generated by tcgen from b.yaml.\nFROM x:2\nRUN true\n",
            true,
        );
        assert_eq!(body, same);
        assert_eq!((base.as_str(), other.as_str()), ("x:1@sha256:ab", "x:2"));
    }

    #[test]
    fn short_digest_is_twelve_hex_digits() {
        let digest = inputs().digest();
        let short = short_digest(&digest);
        assert_eq!(short.len(), SHORT_DIGEST_LEN);
        assert!(digest.starts_with(&format!("sha256:{short}")));
    }
}
