//! `tcgen in-docker IMAGE -- COMMAND`: run a command inside a built image.

use std::path::{Path, PathBuf};

use super::choices::EngineArg;
use crate::error::{EXIT_FAILURE, Error, Result};
use crate::process::Signals;
use crate::render::script_names;
use crate::runner::in_docker::{self, InDockerRequest};
use crate::runner::{Environment, ProcessEnvironment};
use crate::spec::load::load_file;

/// The arguments of `tcgen in-docker`, as the command line gives them.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct InDockerArgs {
    /// Container engine.
    #[arg(long, value_enum, default_value = "docker")]
    engine: EngineArg,
    /// Extra arguments for `create`, split like a shell line.
    #[arg(long, value_name = "ARGS", allow_hyphen_values = true)]
    docker_args: Option<String>,
    /// Where per-image build/, check/ and source/ directories live (absolute once resolved).
    #[arg(
        long,
        env = "BUILD_DIR",
        default_value = "build_docker",
        value_name = "DIR"
    )]
    build_dir: PathBuf,
    /// The image to run, optionally with a registry prefix and tag.
    image: String,
    /// The command to run inside it, and its arguments.
    #[arg(last = true, required = true)]
    command: Vec<String>,
    /// Print the commands; run nothing.
    #[arg(long)]
    dry_run: bool,
}

/// `tcgen in-docker`: resolves the repository (the current directory), the build folder and the
/// caller's ids, then runs. Returns the command's exit code.
pub fn in_docker_command(spec: &Path, args: InDockerArgs) -> Result<i32> {
    // The spec only gives the label; with BUILD_TARGET_LABEL set, none is needed, as upstream.
    let spec = if std::env::var_os("BUILD_TARGET_LABEL").is_some() && !spec.exists() {
        None
    } else {
        Some(load_file(spec, &script_names())?)
    };
    let repo =
        std::env::current_dir().map_err(|e| Error::io("cannot find the current directory", e))?;
    let request = InDockerRequest {
        engine: args.engine.into(),
        docker_args: args.docker_args,
        build_dir: repo.join(&args.build_dir),
        image: args.image,
        command: args.command,
        repo,
        // SAFETY: getuid and getgid cannot fail and have no preconditions.
        user: unsafe { (libc::getuid(), libc::getgid()) },
    };
    let signals = Signals::catch()?;
    let env: &dyn Environment = &ProcessEnvironment;
    in_docker::run(&request, spec.as_deref(), env, &signals, args.dry_run)
        .map(|code| if code == 0 { 0 } else { code.max(EXIT_FAILURE) })
}
