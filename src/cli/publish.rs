//! `tcgen publish`: its arguments, turned into a [`PublishRequest`] for the runner.

use std::path::Path;

use super::choices::EngineArg;
use crate::error::{Error, Result};
use crate::runner::publish::{self, PublishRequest};
use crate::style::Styles;

/// The arguments of `tcgen publish`, as the command line gives them.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct PublishArgs {
    /// Distros to publish; default: the default set, less the distros whose gated arguments
    /// are not set (what `tcgen build` builds).
    #[arg(value_name = super::completions::DISTRO)]
    targets: Vec<String>,
    /// The registry prefix the images were pushed under (with or without the trailing slash).
    #[arg(long, value_name = "REGISTRY", required = true, value_parser = crate::reference::registry_prefix)]
    registry: String,
    /// How to reach the registry: docker (buildx imagetools) or podman (skopeo).
    #[arg(long, value_enum, default_value = "docker")]
    engine: EngineArg,
    /// Move name tags even away from images built from commits this one does not contain: a
    /// deliberate roll-back.
    #[arg(long)]
    force: bool,
    /// Print the commands that would move the name tags; move nothing.
    #[arg(long)]
    dry_run: bool,
}

/// `tcgen publish`, from the current directory (the repository root).
pub fn publish_command(spec: &Path, args: PublishArgs, styles: Styles) -> Result<i32> {
    let root =
        std::env::current_dir().map_err(|e| Error::io("cannot find the current directory", e))?;
    let request = PublishRequest {
        targets: args.targets,
        engine: args.engine.into(),
        registry: args.registry,
        force: args.force,
        dry_run: args.dry_run,
        root,
    };
    publish::run(spec, &request, styles)
}
