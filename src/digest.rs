//! The input digest of an image: a sha256 over everything that decides its content, so that an
//! unchanged digest means an unchanged image.

use sha2::{Digest, Sha256};

use crate::files::FileSet;
use crate::model::DistroModel;

/// `sha256:<hex>` over the rendered Dockerfile, every build-context file it copies (by path and
/// content), its gated argument names and its platform list. Each part is length-prefixed, so
/// no two different inputs hash alike by running together.
pub fn input_digest(distro: &DistroModel, dockerfile: &[u8], context: &FileSet) -> String {
    let mut hasher = Sha256::new();
    let mut part = |label: &str, bytes: &[u8]| {
        hasher.update(label.as_bytes());
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    part("dockerfile", dockerfile);
    for path in &distro.context_inputs {
        part("context-path", path.as_bytes());
        part(
            "context-file",
            context.get(path).map(Vec::as_slice).unwrap_or_default(),
        );
    }
    for arg in &distro.gated_args {
        part("arg", arg.name.as_bytes());
    }
    for platform in &distro.platforms {
        part("platform", platform.as_bytes());
    }
    let hash = hasher.finalize();
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
