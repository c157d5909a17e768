//! `tcgen plan --matrix`: the images and platforms to build, one entry each, as JSON a CI
//! matrix takes as it is (GitHub Actions' `fromJSON`), so that each platform builds on a
//! runner of its own architecture and one `tcgen publish` merges them.

use std::path::Path;

use serde::Serialize;

use crate::arch::arch_of;
use crate::error::Result;
use crate::pipeline::Compiled;
use crate::runner::Environment;
use crate::runner::engine::{BuildOptions, Engine};
use crate::runner::select::{changed_since, select};
use crate::runner::target::tag;

/// A CI matrix: `{"include": [...]}`, empty when there is nothing to build.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Matrix {
    /// One entry per image and platform to build.
    pub include: Vec<Entry>,
}

/// One image and platform to build.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Entry {
    /// The distro: `tcgen build DISTRO`.
    pub distro: String,
    /// The platform: `--platform PLATFORM`.
    pub platform: String,
    /// Its architecture, to pick a runner (`amd64`, `arm64`).
    pub arch: String,
    /// The image's digest tag (under the registry, when one is given).
    pub digest_tag: String,
}

/// What the matrix holds.
#[derive(Debug, Clone)]
pub struct MatrixRequest<'a> {
    /// Only the images whose inputs differ from this commit.
    pub changed_since: Option<&'a str>,
    /// Only what this registry lacks: an image whose digest tag it has is left out, and so is
    /// a platform whose per-platform tag it has.
    pub registry: Option<&'a str>,
    /// The engine whose tools reach the registry.
    pub engine: Engine,
    /// The spec and the output folder, for `changed_since`.
    pub spec: &'a Path,
    /// The output folder.
    pub out: &'a Path,
}

/// The matrix of the default set (less the distros whose gated arguments are not set), each
/// distro with every platform it lists, narrowed as `request` says.
pub fn matrix(
    compiled: &Compiled,
    request: &MatrixRequest,
    env: &dyn Environment,
) -> Result<Matrix> {
    let mut targets = select(compiled, &[], env)?.targets;
    if let Some(since) = request.changed_since {
        targets = changed_since(compiled, request.spec, request.out, since, targets)?.0;
    }
    let options = BuildOptions {
        registry: request.registry.map(str::to_owned),
        ..BuildOptions::default()
    };
    let driver = request.engine.driver();
    // An unreachable registry has nothing: what it may have is built again, not left out.
    let has = |tag: &str| request.registry.is_some() && driver.registry_digest(tag).is_some();
    let mut include = Vec::new();
    for name in &targets {
        let distro = compiled.model.distro(name)?;
        let image = tag(&options, &distro.image);
        let digest_tag = compiled.digest_tag(name, &image);
        if has(&digest_tag) {
            continue;
        }
        for platform in &distro.platforms {
            if has(&compiled.platform_tag(name, &image, platform)) {
                continue;
            }
            include.push(Entry {
                distro: name.clone(),
                platform: platform.clone(),
                arch: arch_of(platform).to_owned(),
                digest_tag: digest_tag.clone(),
            });
        }
    }
    Ok(Matrix { include })
}
