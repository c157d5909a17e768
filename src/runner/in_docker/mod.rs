//! `tcgen in-docker`: runs a command inside a built image with the repository mounted at /mnt,
//! per-image build/, check/ and source/ directories, the caller's user, ccache, and the
//! toolchain build's environment passed through by name.

use std::path::{Path, PathBuf};

mod container;
mod sources;

use crate::error::{Error, Result};
use crate::git::command as git;
use crate::process::{self, Invocation, Outcome, Signals};
use crate::runner::{Engine, Environment, mount_path};
use crate::spec::Spec;
use container::{command_outcome, create, make_directories};
pub use sources::copy_sources;
use sources::copy_sources_for;

/// Variables passed into the container by name when they are set.
pub const PASSTHROUGH: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "BUILD_TARGET_LABEL",
    "CLEAN",
    "CLEAN_TMP_AFTER_BUILD",
    "DEBUG",
    "FAIL_ON_PUBLISH",
    "KUDU_GITHUB_URL",
    "KUDU_VERSION",
    "PRODUCTION",
    "PUBLISH_DEPENDENCIES",
    "PUBLISH_DEPENDENCIES_S3",
    "PUBLISH_DEPENDENCIES_ARTIFACTORY",
    "SYSTEM_GCC",
    "SYSTEM_CMAKE",
    "S3_BUCKET",
    "S3_MIRROR_BUCKET",
    "TOOLCHAIN_BUILD_ID",
];

/// What `tcgen in-docker` was asked to do.
#[derive(Debug, Clone)]
pub struct InDockerRequest {
    /// The container engine.
    pub engine: Engine,
    /// Extra arguments for `create`, split like a shell line.
    pub docker_args: Option<String>,
    /// Where per-image build/, check/ and source/ directories live (absolute).
    pub build_dir: PathBuf,
    /// The image to run, optionally with a registry prefix and tag.
    pub image: String,
    /// The command to run inside it, and its arguments.
    pub command: Vec<String>,
    /// The repository mounted at /mnt: the current directory.
    pub repo: PathBuf,
    /// The caller's user and group ids.
    pub user: (u32, u32),
}

/// Everything decided for one run: directories to create, the `create` command, warnings.
#[derive(Debug, Clone)]
pub struct ContainerSetup {
    /// Directories created before mounting, so that they belong to the caller: the mounted
    /// ones and their mount points inside the repository.
    pub directories: Vec<PathBuf>,
    /// `ENGINE create ...`; prints the container id.
    pub create: Invocation,
    /// Warnings for the user (an image whose label is unknown).
    pub warnings: Vec<String>,
}

/// The per-image directory name: the image with '/' and ':' made path-safe.
pub fn image_dir_name(image: &str) -> String {
    image.replace(['/', ':'], "_")
}

/// The distro an image name belongs to: its last path part, without tag or digest, without
/// the spec's image prefix.
pub fn distro_of<'a>(spec: &'a Spec, image: &str) -> Option<&'a str> {
    let name = image.rsplit('/').next().unwrap_or(image);
    let name = name.split(['@', ':']).next().unwrap_or(name);
    let distro = name.strip_prefix(spec.image_prefix.as_str())?;
    spec.distros.get_key_value(distro).map(|(k, _)| k.as_str())
}

/// Decides the run. `programs` are the folders under `source/` (each adds `<NAME>_VERSION`).
pub fn container_setup(
    request: &InDockerRequest,
    spec: Option<&Spec>,
    env: &dyn Environment,
    programs: &[String],
) -> Result<ContainerSetup> {
    let mut args: Vec<String> = ["create", "-i", "-w", "/mnt", "-u"]
        .map(String::from)
        .to_vec();
    args.push(format!("{}:{}", request.user.0, request.user.1));
    let directories = mounts(request, env, &mut args)?;
    let (passes_env, warnings) = environment(request, spec, env, programs, &mut args);
    if let Some(extra) = &request.docker_args {
        let words = shell_words::split(extra).map_err(|e| {
            Error::Usage(format!(
                "--docker-args cannot be split like a shell line: {e}"
            ))
        })?;
        args.extend(words);
    }
    args.push(request.image.clone());
    args.extend(request.command.iter().cloned());

    let mut create = Invocation::new(request.engine.program(), args);
    create.passes_env = passes_env;
    Ok(ContainerSetup {
        directories,
        create,
        warnings,
    })
}

/// Adds the `-v` mounts to `args`: the caller's passwd and group, the repository, the
/// per-image build/, check/ and source/ folders, and ccache unless `USE_CCACHE` turns it off
/// (with its `-e` variables). Returns the folders to create first.
fn mounts(
    request: &InDockerRequest,
    env: &dyn Environment,
    args: &mut Vec<String>,
) -> Result<Vec<PathBuf>> {
    let mut mount = |source: String, target: &str, options: &str| {
        args.push("-v".to_owned());
        args.push(format!("{source}:{target}{options}"));
    };
    mount("/etc/passwd".into(), "/etc/passwd", ":ro");
    mount("/etc/group".into(), "/etc/group", ":ro");
    mount(mount_path(&request.repo)?, "/mnt", "");
    let image_dir = request.build_dir.join(image_dir_name(&request.image));
    let mut directories = Vec::new();
    for sub in ["build", "check", "source"] {
        let dir = image_dir.join(sub);
        mount(mount_path(&dir)?, &format!("/mnt/{sub}"), "");
        directories.push(dir);
        // The mount point inside the mounted repository: an engine running as root would
        // create it, root-owned, in the user's checkout.
        directories.push(request.repo.join(sub));
    }
    let ccache_off = env
        .get("USE_CCACHE")
        .is_some_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "1" | "true"));
    if !ccache_off {
        let dir = env
            .get("CCACHE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| request.build_dir.join("ccache"));
        let dir = absolute(&request.repo, &dir);
        mount(mount_path(&dir)?, "/mnt/ccache", "");
        directories.push(dir);
        directories.push(request.repo.join("ccache"));
        args.extend(["-e", "USE_CCACHE=1", "-e", "CCACHE_DIR=/mnt/ccache"].map(String::from));
    }
    Ok(directories)
}

/// Adds the `-e` variables to `args`: every passthrough variable and `<NAME>_VERSION` that is
/// set, by name, and `BUILD_TARGET_LABEL` from the spec when it is not set. Returns the names
/// passed and the warnings.
fn environment(
    request: &InDockerRequest,
    spec: Option<&Spec>,
    env: &dyn Environment,
    programs: &[String],
    args: &mut Vec<String>,
) -> (Vec<String>, Vec<String>) {
    let mut passes_env: Vec<String> = Vec::new();
    let mut warnings = Vec::new();
    let mut names: Vec<String> = PASSTHROUGH.iter().map(|n| (*n).to_owned()).collect();
    names.extend(programs.iter().map(|p| version_variable(p)));
    for name in names {
        if env.get(&name).is_some() {
            args.push("-e".to_owned());
            args.push(name.clone());
            passes_env.push(name);
        }
    }
    if env.get("BUILD_TARGET_LABEL").is_none() {
        let label = spec.and_then(|spec| {
            distro_of(spec, &request.image).map(|d| spec.distros[d].label.clone())
        });
        match (label, spec) {
            (Some(label), _) => {
                args.push("-e".to_owned());
                args.push(format!("BUILD_TARGET_LABEL={label}"));
            }
            (None, Some(spec)) => warnings.push(format!(
                "{} is not an image of the spec (expected {}<distro>); BUILD_TARGET_LABEL is not set",
                request.image, spec.image_prefix
            )),
            (None, None) => warnings.push(
                "no spec, so BUILD_TARGET_LABEL is not set: set it, or run where distros.yaml is"
                    .to_owned(),
            ),
        }
    }
    (passes_env, warnings)
}

/// `ENGINE start --attach --interactive ID`.
pub fn start(engine: Engine, id: &str) -> Invocation {
    Invocation::new(
        engine.program(),
        ["start", "--attach", "--interactive", id]
            .map(String::from)
            .to_vec(),
    )
}

/// `ENGINE image inspect`: the image's id and its registry digests, on one line.
pub fn image_identity(engine: Engine, image: &str) -> Invocation {
    Invocation::new(
        engine.program(),
        [
            "image",
            "inspect",
            "--format",
            "id {{.Id}} digests {{json .RepoDigests}}",
            image,
        ]
        .map(String::from)
        .to_vec(),
    )
}

/// `ENGINE rm --force ID`: stops the container if it still runs, and removes it.
pub fn remove(engine: Engine, id: &str) -> Invocation {
    Invocation::new(
        engine.program(),
        ["rm", "--force", id].map(String::from).to_vec(),
    )
}

/// `<NAME>_VERSION` for a folder under `source/`: capitals, other characters as '_'.
fn version_variable(program: &str) -> String {
    let name: String = program
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{name}_VERSION")
}

fn absolute(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// Sets the container up and runs it: creates the directories, copies sources, creates and starts the container,
/// and always removes it. Returns the command's exit code (or 128 + signal when interrupted).
pub fn run(
    request: &InDockerRequest,
    spec: Option<&Spec>,
    env: &dyn Environment,
    signals: &Signals,
    dry_run: bool,
) -> Result<i32> {
    let image_dir = request.build_dir.join(image_dir_name(&request.image));
    let image_dir_is_new = !image_dir.exists();
    let is_git = process::run_quiet(&git(&request.repo, &["rev-parse", "--verify", "HEAD"]));
    let programs = if is_git && !dry_run {
        copy_sources_for(request)?
    } else {
        Vec::new()
    };
    let setup = container_setup(request, spec, env, &programs)?;
    for warning in &setup.warnings {
        eprintln!("warning: {warning}");
    }
    if dry_run {
        println!("{}", setup.create);
        println!("{}", start(request.engine, "<container id>"));
        println!("{}", remove(request.engine, "<container id>"));
        return Ok(0);
    }
    make_directories(&setup.directories, request.user)?;
    if let Some(signal) = signals.received() {
        eprintln!("interrupted before the container was created");
        return Ok(128 + signal);
    }
    let made = image_dir_is_new.then_some(image_dir.as_path());
    let id = create(request.engine, &setup.create, made)?;
    // Name tags move; the image id and registry digests say which image this run was.
    if let Ok(image) = process::capture(&image_identity(request.engine, &request.image)) {
        eprintln!("in-docker: running in {} ({})", request.image, image.trim());
    }
    let outcome = match signals.received() {
        Some(signal) => Ok(Outcome::Interrupted(signal)),
        None => process::run_attached_keeping_stderr(&start(request.engine, &id), signals)
            .map(|(outcome, stderr)| command_outcome(outcome, &stderr)),
    };
    let removed = process::run_quiet(&remove(request.engine, &id));
    if !removed {
        eprintln!(
            "warning: could not remove container {id}; remove it with `{} rm --force {id}`",
            request.engine.program()
        );
    }
    match outcome? {
        Outcome::Exited(code) => Ok(code),
        Outcome::Interrupted(signal) => {
            eprintln!("interrupted: container {id} was stopped and removed");
            Ok(128 + signal)
        }
    }
}
