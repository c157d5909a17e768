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
    /// Run the command as UID:GID (numbers) instead of the caller's ids; the folders tcgen makes
    /// for the run belong to that user.
    #[arg(long, value_name = "UID:GID", value_parser = user_ids)]
    user: Option<(u32, u32)>,
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
        user: args
            .user
            .unwrap_or_else(|| unsafe { (libc::getuid(), libc::getgid()) }),
    };
    let signals = Signals::catch()?;
    let env: &dyn Environment = &ProcessEnvironment;
    in_docker::run(&request, spec.as_deref(), env, &signals, args.dry_run)
        .map(|code| if code == 0 { 0 } else { code.max(EXIT_FAILURE) })
}

/// `UID:GID` as two numbers.
fn user_ids(text: &str) -> std::result::Result<(u32, u32), String> {
    let (uid, gid) = text
        .split_once(':')
        .ok_or_else(|| format!("'{text}' is not UID:GID (two numbers, such as 1000:1000)"))?;
    let number = |part: &str| {
        part.parse::<u32>().map_err(|_| {
            format!("'{part}' in '{text}' is not a number; write UID:GID, such as 1000:1000")
        })
    };
    Ok((number(uid)?, number(gid)?))
}
