//! The container engines tcgen drives, and every difference between them: how a target is
//! built and pushed, how a registry is asked for a tag or a digest, how a tag is copied inside
//! a registry. Each engine is one file that implements [`Driver`]; nothing else matches on the
//! engine.

mod docker;
mod podman;

use std::path::{Path, PathBuf};

use crate::model::DistroModel;
use crate::process::{self, Invocation};

/// The container engine a command runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// `docker` (with the buildx plugin for `tcgen build`).
    Docker,
    /// `podman` (with skopeo for registries).
    Podman,
}

impl Engine {
    /// What this engine does its own way.
    pub fn driver(self) -> &'static dyn Driver {
        match self {
            Engine::Docker => &docker::Docker,
            Engine::Podman => &podman::Podman,
        }
    }

    /// The engine's program, which `TCGEN_DOCKER` / `TCGEN_PODMAN` may name instead.
    pub fn program(self) -> String {
        self.driver().program()
    }
}

/// Everything one engine does its own way.
pub trait Driver: Sync {
    /// The program to run (`docker`, `podman`, or the one an environment variable names).
    fn program(&self) -> String;

    /// The commands that build one target and, with a registry, push it under its digest tag
    /// only (the name tag moves later, for every target at once).
    fn build(&self, job: &BuildJob) -> BuildCommands;

    /// How to ask a registry whether it has `digest_tag`.
    fn lookup(&self, digest_tag: &str) -> RegistryLookup;

    /// The command that points `to` at exactly the manifest (or index) `from` points to, inside
    /// the registry, byte for byte (same digest, attestations kept): no rebuild, no pull.
    fn copy_tag(&self, from: &str, to: &str) -> Invocation;

    /// The commands that assemble, inside the registry, one image from the per-platform images
    /// `sources` and push it as `target`: a manifest list of them (a copy of the one source, for
    /// a distro of one platform). No layer is pulled or rebuilt.
    fn merge(&self, sources: &[String], target: &str) -> BuildCommands;

    /// The command that prints the image configuration of `image` (or, for a manifest list,
    /// of its images), which [`revision_in`] reads.
    fn config(&self, image: &str) -> Invocation;

    /// The command that asks the registry about `image`, whose output [`Driver::digest_of`]
    /// reads.
    fn inspect(&self, image: &str) -> Invocation;

    /// The digest (`sha256:...`) in the output of [`Driver::inspect`]; empty when none.
    fn digest_of(&self, output: &[u8]) -> String;

    /// The digest `image` points at in its registry now; `None` when it is not there (or the
    /// registry did not answer).
    fn registry_digest(&self, image: &str) -> Option<String> {
        let output = process::capture_bytes(&self.inspect(image), &[]).ok()?;
        let digest = self.digest_of(&output);
        crate::hash::is_sha256_digest(&digest).then_some(digest)
    }
}

/// What one target's build is made of, decided before any engine is asked.
#[derive(Debug, Clone)]
pub struct BuildJob<'a> {
    /// How the whole run was asked for.
    pub options: &'a BuildOptions,
    /// The distro.
    pub distro: &'a DistroModel,
    /// Its image's name tag.
    pub tag: &'a str,
    /// The tag pushed to the registry: its image's digest tag, or with a platform of its own
    /// the per-platform tag (`<image>:<12 hex>-<arch>`) that `tcgen publish` merges.
    pub push_tag: &'a str,
    /// Its input digest.
    pub input_digest: &'a str,
    /// The spec's `source`, for the image's labels.
    pub source: &'a str,
    /// Where the engine writes the built image's digest or id.
    pub metadata: &'a Path,
    /// The registry of the layer cache (`CACHE_REGISTRY`), without a trailing slash.
    pub cache: Option<&'a str>,
}

impl BuildJob<'_> {
    /// The output folder as the generated files spell it (`/` separators).
    pub fn out(&self) -> String {
        self.options.out.to_string_lossy().replace('\\', "/")
    }

    /// A command of `program` run from the repository root.
    pub fn at_root(&self, program: String, args: Vec<String>) -> Invocation {
        let mut invocation = Invocation::new(program, args);
        invocation.dir = Some(self.options.root.clone());
        invocation
    }
}

/// The engine-facing part of a build request: what every target's commands depend on.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Push to this registry (`REGISTRY/<image>`), without a trailing slash.
    pub registry: Option<String>,
    /// The buildx builder.
    pub builder: Option<String>,
    /// Build every platform of each distro.
    pub multi: bool,
    /// Build only this platform (one of each distro's).
    pub platform: Option<String>,
    /// Bake attribute overrides (`target.key=value`).
    pub set: Vec<String>,
    /// bake's `--progress`.
    pub progress: Option<String>,
    /// The output folder of the generated files, relative to `root`.
    pub out: PathBuf,
    /// The repository root, where builds run.
    pub root: PathBuf,
    /// The commit the images are built from (`git rev-parse HEAD` of the root), recorded in
    /// each image's [`REVISION_LABEL`]; `None` outside a git repository.
    pub revision: Option<String>,
}

/// One target's commands.
#[derive(Debug, Clone, Default)]
pub struct BuildCommands {
    /// Run first; their failure does not matter (removing what may not exist).
    pub prepare: Vec<Invocation>,
    /// Run in order; the first that fails fails the target.
    pub steps: Vec<Invocation>,
}

/// The variable naming a registry for the layer cache.
pub const CACHE_REGISTRY: &str = "CACHE_REGISTRY";

/// How to ask a registry whether it has a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryLookup {
    /// The command succeeds exactly when the tag exists.
    Succeeds(Invocation),
    /// The command lists the repository's tags, one `NAME TAG` row each; the tag exists when
    /// a row names it.
    ListsTag {
        /// The listing command.
        invocation: Invocation,
        /// The tag to look for.
        tag: String,
    },
}

impl RegistryLookup {
    /// The command, for `--dry-run`.
    pub fn invocation(&self) -> &Invocation {
        match self {
            RegistryLookup::Succeeds(invocation) => invocation,
            RegistryLookup::ListsTag { invocation, .. } => invocation,
        }
    }

    /// Asks the registry. An unreachable registry or a missing engine counts as "not there",
    /// so the image is built rather than wrongly skipped.
    pub fn exists(&self) -> bool {
        match self {
            RegistryLookup::Succeeds(invocation) => process::run_quiet(invocation),
            RegistryLookup::ListsTag { invocation, tag } => process::capture(invocation)
                .map(|listing| {
                    listing
                        .lines()
                        .any(|row| row.split_whitespace().nth(1) == Some(tag.as_str()))
                })
                .unwrap_or(false),
        }
    }
}

/// The label an image's build commit is recorded in.
pub const REVISION_LABEL: &str = "org.opencontainers.image.revision";

/// The commit recorded in the output of [`Driver::config`]: an OCI image configuration, or a
/// map of them by platform (a manifest list's), whose [`REVISION_LABEL`] is the same in each.
/// `None` when no configuration says one.
pub fn revision_in(output: &[u8]) -> Option<String> {
    use oci_spec::image::ImageConfiguration;
    let label = |config: &ImageConfiguration| {
        config
            .config()
            .as_ref()?
            .labels()
            .as_ref()?
            .get(REVISION_LABEL)
            .filter(|revision| !revision.is_empty())
            .cloned()
    };
    if let Ok(config) = serde_json::from_slice::<ImageConfiguration>(output) {
        return label(&config);
    }
    let by_platform: std::collections::BTreeMap<String, ImageConfiguration> =
        serde_json::from_slice(output).ok()?;
    by_platform.values().find_map(label)
}

/// `program` from the environment variable `variable`, else `default`.
fn program_from(variable: &str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| default.to_owned())
}
