//! Asks a registry what a base image reference points to now: the digest of its manifest list
//! (or single manifest), through the engine the user has.

use crate::error::{Error, Result};
use crate::hash::{is_sha256_digest, sha256_hex};
use crate::process::{self, Invocation};
use crate::runner::Engine;

/// The command that asks the registry about `image`.
pub fn inspect(engine: Engine, image: &str) -> Invocation {
    match engine {
        // Prints the index or manifest's `Digest:` among other lines.
        Engine::Docker => Invocation::new(
            engine.program(),
            ["buildx", "imagetools", "inspect", image]
                .map(String::from)
                .to_vec(),
        ),
        // Prints the manifest (list) exactly as the registry serves it: its sha256 is its digest.
        Engine::Podman => Invocation::new(
            super::skopeo(),
            vec![
                "inspect".into(),
                "--raw".into(),
                format!("docker://{image}"),
            ],
        ),
    }
}

/// The digest (`sha256:...`) `image` points to in its registry now. A registry that cannot be
/// reached, or that has no such image, is an error that names the image.
pub fn resolve(engine: Engine, image: &str) -> Result<String> {
    let invocation = inspect(engine, image);
    let output = process::capture_bytes(&invocation, &[]).map_err(|e| {
        Error::Command(format!(
            "cannot resolve {image}: its registry did not answer or has no such image ({e})"
        ))
    })?;
    let digest = match engine {
        Engine::Docker => String::from_utf8_lossy(&output)
            .lines()
            .find_map(|line| {
                line.trim()
                    .strip_prefix("Digest:")
                    .map(|d| d.trim().to_owned())
            })
            .unwrap_or_default(),
        Engine::Podman => format!("sha256:{}", sha256_hex(&output)),
    };
    if is_sha256_digest(&digest) {
        Ok(digest)
    } else {
        Err(Error::Command(format!(
            "`{invocation}` gave no sha256 digest for {image}"
        )))
    }
}
