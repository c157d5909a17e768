//! `tcgen build`: builds images with `docker buildx bake` from the generated bake file, or with
//! `podman build` one target at a time, one log per target, and reports each tag and digest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::pipeline::Compiled;
use crate::process::{self, Invocation};
use crate::render::digest::digest_tag;
use crate::runner::{Engine, Environment};

/// What `tcgen build` was asked to do, as the command line gives it.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct BuildRequest {
    /// Distros to build; default: the default set, less the distros whose gated arguments are
    /// not set.
    #[arg(value_name = "DISTRO")]
    pub targets: Vec<String>,
    /// Container engine.
    #[arg(long, value_enum, default_value = "docker")]
    pub engine: Engine,
    /// Tag images as REGISTRY/<image> and push them (with or without the trailing slash).
    #[arg(long, value_name = "REGISTRY", value_parser = crate::reference::registry_prefix)]
    pub registry: Option<String>,
    /// buildx builder to use.
    #[arg(long)]
    pub builder: Option<String>,
    /// Build every platform of each distro (needs --registry to keep the result).
    #[arg(long)]
    pub multi: bool,
    /// Override a bake attribute (target.key=value); repeatable.
    #[arg(long, value_name = "TARGET.KEY=VALUE")]
    pub set: Vec<String>,
    /// Progress output passed to bake (auto, plain, tty).
    #[arg(long)]
    pub progress: Option<String>,
    /// Directory of the generated files, relative to `root`.
    #[arg(long, default_value = "generated", value_name = "DIR")]
    pub out: PathBuf,
    /// The repository root, where builds run: the current directory.
    #[arg(skip)]
    pub root: PathBuf,
    /// Directory for one log per target.
    #[arg(long, default_value = "build_docker/logs", value_name = "DIR")]
    pub log_dir: PathBuf,
    /// Build only the images whose inputs differ from this git commit (see `tcgen plan`).
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Skip each image whose digest tag is already in the registry (needs --registry).
    #[arg(long, requires = "registry")]
    pub skip_existing: bool,
    /// How many targets build at once; default: every selected target, as upstream's
    /// buildall.py did. 1 builds one after another.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

/// The variable naming a registry for the layer cache.
pub const CACHE_REGISTRY: &str = "CACHE_REGISTRY";

/// One target's build.
#[derive(Debug, Clone)]
pub struct TargetBuild {
    /// Distro name.
    pub target: String,
    /// The image tag.
    pub tag: String,
    /// The tag named by the image's input digest (`<tag>:<short digest>`).
    pub digest_tag: String,
    /// With `--skip-existing`: how to ask the registry for the digest tag.
    pub lookup: Option<RegistryLookup>,
    /// Commands run first whose failure does not matter (removing what may not exist).
    pub prepare: Vec<Invocation>,
    /// The commands, run in order.
    pub steps: Vec<Invocation>,
    /// The log file.
    pub log: PathBuf,
    /// Where the engine writes the built image's digest or id.
    pub metadata: PathBuf,
}

/// The targets to build and the warnings about those left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Distros to build, in spec order.
    pub targets: Vec<String>,
    /// Why a distro of the default set is skipped.
    pub skipped: Vec<String>,
}

/// Picks the targets: the named ones (each must exist and have its gated arguments set), or
/// every distro of the default set whose gated arguments are set.
pub fn select(
    compiled: &Compiled,
    requested: &[String],
    env: &dyn Environment,
) -> Result<Selection> {
    let set = |name: &str| env.get(name).is_some_and(|v| !v.is_empty());
    let mut selection = Selection {
        targets: Vec::new(),
        skipped: Vec::new(),
    };
    for name in requested {
        if selection.targets.contains(name) {
            continue;
        }
        let distro = compiled.model.distro(name)?;
        if let Some(arg) = distro.gated_args.iter().find(|a| !set(&a.name)) {
            return Err(Error::Usage(format!(
                "{name} needs {}: set it ({}), e.g. {}=... tcgen build {name}",
                arg.name, arg.description, arg.name
            )));
        }
        selection.targets.push(name.clone());
    }
    if requested.is_empty() {
        for distro in compiled.model.distros.iter().filter(|d| d.in_default_set) {
            match distro.gated_args.iter().find(|a| !set(&a.name)) {
                Some(arg) => selection
                    .skipped
                    .push(format!("{}: {} is not set", distro.name, arg.name)),
                None => selection.targets.push(distro.name.clone()),
            }
        }
    }
    Ok(selection)
}

/// The image tag of a distro: `REGISTRY/` prefix when pushing.
fn tag(request: &BuildRequest, image: &str) -> String {
    match &request.registry {
        Some(registry) => format!("{}/{image}", registry.trim_end_matches('/')),
        None => image.to_owned(),
    }
}

/// How to ask a registry whether it has a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryLookup {
    /// The command succeeds exactly when the tag exists (`docker buildx imagetools inspect`).
    Succeeds(Invocation),
    /// The command lists the repository's tags, one `NAME TAG` row each (`podman search
    /// --list-tags`); the tag exists when a row names it.
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

/// Builds the commands for each selected target.
pub fn target_builds(
    request: &BuildRequest,
    compiled: &Compiled,
    selection: &Selection,
    env: &dyn Environment,
) -> Result<Vec<TargetBuild>> {
    let out = request.out.to_string_lossy().replace('\\', "/");
    selection
        .targets
        .iter()
        .map(|name| {
            let distro = compiled.model.distro(name)?;
            let tag = tag(request, &distro.image);
            let digest_tag = digest_tag(&tag, &compiled.rendered.digests[&distro.name]);
            let cache = env
                .get(CACHE_REGISTRY)
                .filter(|v| !v.is_empty())
                .map(|registry| {
                    crate::reference::registry_prefix(&registry)
                        .map_err(|e| Error::Usage(format!("{CACHE_REGISTRY}: {e}")))
                })
                .transpose()?;
            let log = request.log_dir.join(format!("{name}.log"));
            let metadata = request.log_dir.join(format!("{name}.metadata"));
            let (prepare, steps) = match request.engine {
                Engine::Docker => (
                    Vec::new(),
                    vec![bake(
                        request,
                        &out,
                        distro,
                        &digest_tag,
                        &metadata,
                        cache.as_deref(),
                    )],
                ),
                Engine::Podman => {
                    let tags = [tag.clone(), digest_tag.clone()];
                    podman(
                        request,
                        compiled,
                        &out,
                        distro,
                        &tags,
                        cache.as_deref(),
                        &metadata,
                    )
                }
            };
            let lookup = request
                .skip_existing
                .then(|| lookup(request.engine, &digest_tag));
            Ok(TargetBuild {
                target: name.clone(),
                tag,
                digest_tag,
                lookup,
                prepare,
                steps,
                log,
                metadata,
            })
        })
        .collect()
}

/// The registry lookup of `digest_tag` with `engine`.
fn lookup(engine: Engine, digest_tag: &str) -> RegistryLookup {
    match engine {
        Engine::Docker => RegistryLookup::Succeeds(Invocation::new(
            engine.program(),
            ["buildx", "imagetools", "inspect", digest_tag]
                .map(String::from)
                .to_vec(),
        )),
        Engine::Podman => {
            let (repository, tag) = digest_tag.rsplit_once(':').unwrap_or((digest_tag, ""));
            RegistryLookup::ListsTag {
                invocation: Invocation::new(
                    engine.program(),
                    ["search", "--list-tags", "--limit", "1000000", repository]
                        .map(String::from)
                        .to_vec(),
                ),
                tag: tag.to_owned(),
            }
        }
    }
}

/// `docker buildx bake` of one target. With a registry, only the digest tag is pushed (the name
/// tag moves later, for every target at once: see [`publish`]).
fn bake(
    request: &BuildRequest,
    out: &str,
    distro: &crate::model::DistroModel,
    digest_tag: &str,
    metadata: &Path,
    cache: Option<&str>,
) -> Invocation {
    let mut args: Vec<String> = vec![
        "buildx".into(),
        "bake".into(),
        "-f".into(),
        format!("{out}/bake.hcl"),
    ];
    if let Some(builder) = &request.builder {
        args.extend(["--builder".into(), builder.clone()]);
    }
    if let Some(progress) = &request.progress {
        args.extend(["--progress".into(), progress.clone()]);
    }
    for set in &request.set {
        args.extend(["--set".into(), set.clone()]);
    }
    if request.registry.is_some() {
        args.extend([
            "--set".into(),
            format!("{}.tags={digest_tag}", distro.name),
            "--push".into(),
        ]);
    } else if !request.multi {
        args.push("--load".into());
    }
    args.extend([
        "--metadata-file".into(),
        metadata.to_string_lossy().into_owned(),
    ]);
    args.push(distro.name.clone());
    let mut invocation = Invocation::new(request.engine.program(), args);
    invocation.dir = Some(request.root.clone());
    invocation.passes_env = distro.gated_args.iter().map(|a| a.name.clone()).collect();
    if let Some(cache) = cache {
        // The bake file appends "/<image>", so the variable goes without a trailing slash.
        invocation
            .set_env
            .push((CACHE_REGISTRY.to_owned(), cache.to_owned()));
    }
    if let Some(registry) = &request.registry {
        invocation.set_env.push((
            "REGISTRY".into(),
            format!("{}/", registry.trim_end_matches('/')),
        ));
    }
    if request.multi {
        invocation.set_env.push(("MULTI".into(), "true".into()));
    }
    invocation
}

/// `podman build` of one target, then, with a registry, `podman push` of its digest tag only
/// (the name tag moves later, for every target at once: see [`publish`]). With `--multi`, one
/// build makes a manifest list of every platform of the distro, pushed with all its images.
fn podman(
    request: &BuildRequest,
    compiled: &Compiled,
    out: &str,
    distro: &crate::model::DistroModel,
    tags: &[String; 2],
    cache: Option<&str>,
    metadata: &Path,
) -> (Vec<Invocation>, Vec<Invocation>) {
    let [tag, digest_tag] = tags;
    let program = request.engine.program();
    let step = |args: Vec<String>| {
        let mut invocation = Invocation::new(program.clone(), args);
        invocation.dir = Some(request.root.clone());
        invocation
    };
    let mut args: Vec<String> = vec![
        "build".into(),
        "-f".into(),
        format!("{out}/{}.Dockerfile", distro.name),
    ];
    let mut prepare = Vec::new();
    let mut steps = Vec::new();
    // A manifest list keeps what is added to it: each build starts from a new one. podman 4.3
    // removes a manifest list with `manifest rm` only, which fails when there is none.
    let manifest = if request.registry.is_some() {
        digest_tag
    } else {
        tag
    };
    if request.multi {
        prepare.push(step(vec!["manifest".into(), "rm".into(), manifest.clone()]));
        args.extend([
            "--platform".into(),
            distro.platforms.join(","),
            "--manifest".into(),
            manifest.clone(),
        ]);
    } else {
        for tag in tags {
            args.extend(["-t".into(), tag.clone()]);
        }
    }
    if let Some(cache) = cache {
        // buildah keeps one cache image per layer in this repository, tagged by layer key.
        let repository = format!("{cache}/{}-buildcache", distro.image);
        args.extend([
            "--layers".into(),
            "--cache-from".into(),
            repository.clone(),
            "--cache-to".into(),
            repository,
        ]);
    }
    let labels = [
        ("org.opencontainers.image.title", distro.image.clone()),
        (
            "org.opencontainers.image.source",
            compiled.model.source.clone(),
        ),
        (
            "dev.tcgen.input-digest",
            compiled.rendered.digests[&distro.name].clone(),
        ),
    ];
    for (key, value) in labels {
        args.extend(["--label".into(), format!("{key}={value}")]);
    }
    let mut passes_env = Vec::new();
    for arg in &distro.gated_args {
        args.extend(["--build-arg".into(), arg.name.clone()]);
        passes_env.push(arg.name.clone());
    }
    args.extend(["--iidfile".into(), metadata.to_string_lossy().into_owned()]);
    args.push(format!("{out}/context"));
    let mut build = step(args);
    build.passes_env = passes_env;
    steps.push(build);
    if request.registry.is_some() {
        steps.push(if request.multi {
            step(vec![
                "manifest".into(),
                "push".into(),
                "--all".into(),
                digest_tag.clone(),
                format!("docker://{digest_tag}"),
            ])
        } else {
            step(vec!["push".into(), digest_tag.clone()])
        });
    }
    (prepare, steps)
}

/// The commands that point each target's name tag at its digest tag, by copying the manifest
/// (or manifest list) inside the registry: no rebuild, no pull. Run once every target has built,
/// so that consumers of the name tags see the whole fleet change at once.
pub fn publish(request: &BuildRequest, builds: &[TargetBuild]) -> Vec<(String, Invocation)> {
    builds
        .iter()
        .map(|build| {
            let mut invocation = match request.engine {
                Engine::Docker => Invocation::new(
                    request.engine.program(),
                    vec![
                        "buildx".into(),
                        "imagetools".into(),
                        "create".into(),
                        "-t".into(),
                        build.tag.clone(),
                        build.digest_tag.clone(),
                    ],
                ),
                Engine::Podman => Invocation::new(
                    super::skopeo(),
                    vec![
                        "copy".into(),
                        "--all".into(),
                        format!("docker://{}", build.digest_tag),
                        format!("docker://{}", build.tag),
                    ],
                ),
            };
            invocation.dir = Some(request.root.clone());
            (build.target.clone(), invocation)
        })
        .collect()
}

/// The result of one target.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetResult {
    /// Built: the digest or image id, when the engine reported one.
    Built(Option<String>),
    /// Failed with this exit code.
    Failed(i32),
}

/// What happened to each target that ran, with how long it took.
pub type Results = BTreeMap<String, (TargetResult, Duration)>;
