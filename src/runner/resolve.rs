//! Asks a registry what a base image reference points to now: the digest of its manifest list
//! (or single manifest), through the engine the user has.

use crate::error::{Error, Result};
use crate::hash::is_sha256_digest;
use crate::process;
use crate::runner::Engine;

/// The digest (`sha256:...`) `image` points to in its registry now. A registry that cannot be
/// reached, or that has no such image, is an error that names the image.
pub fn resolve(engine: Engine, image: &str) -> Result<String> {
    let driver = engine.driver();
    let invocation = driver.inspect(image);
    invocation.check_runnable()?;
    let output = process::capture_bytes(&invocation, &[]).map_err(|e| {
        Error::Command(format!(
            "cannot resolve {image}: its registry did not answer or has no such image ({e})"
        ))
    })?;
    let digest = driver.digest_of(&output);
    if is_sha256_digest(&digest) {
        Ok(digest)
    } else {
        Err(Error::Command(format!(
            "`{invocation}` gave no sha256 digest for {image}"
        )))
    }
}
