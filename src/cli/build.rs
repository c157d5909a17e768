//! `tcgen build`: its arguments, turned into a [`BuildRequest`] for the runner.

use std::path::{Path, PathBuf};

use super::choices::EngineArg;
use crate::error::{Error, Result};
use crate::git;
use crate::output::DEFAULT_OUT;
use crate::runner::build::{self, BuildRequest};
use crate::runner::engine::BuildOptions;
use crate::style::Styles;

/// The arguments of `tcgen build`, as the command line gives them.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct BuildArgs {
    /// Distros to build; default: the default set, less the distros whose gated arguments are
    /// not set.
    #[arg(value_name = super::completions::DISTRO)]
    targets: Vec<String>,
    /// Container engine.
    #[arg(long, value_enum, default_value = "docker")]
    engine: EngineArg,
    /// Tag images as REGISTRY/<image> and push them (with or without the trailing slash).
    #[arg(long, value_name = "REGISTRY", value_parser = crate::reference::registry_prefix)]
    registry: Option<String>,
    /// buildx builder to use.
    #[arg(long)]
    builder: Option<String>,
    /// Build every platform of each distro (needs --registry to keep the result).
    #[arg(long, conflicts_with = "platform")]
    multi: bool,
    /// Build only this platform (one of each named distro's); with --registry it is pushed
    /// under its per-platform tag (<image>:<12 hex>-<arch>), which tcgen publish merges.
    #[arg(long, value_name = "PLATFORM")]
    platform: Option<String>,
    /// With --registry: push the images, move no name tag (tcgen publish does that later).
    #[arg(long, requires = "registry")]
    no_publish: bool,
    /// Override a bake attribute (target.key=value); repeatable.
    #[arg(long, value_name = "TARGET.KEY=VALUE")]
    set: Vec<String>,
    /// Progress output passed to bake (auto, plain, tty).
    #[arg(long)]
    progress: Option<String>,
    /// Directory of the generated files, relative to the folder tcgen works in.
    #[arg(long, default_value = DEFAULT_OUT, value_name = "DIR")]
    out: PathBuf,
    /// Directory for one log per target.
    #[arg(long, default_value = "build_docker/logs", value_name = "DIR")]
    log_dir: PathBuf,
    /// Build only the images whose inputs differ from this git commit (see `tcgen plan`).
    #[arg(long, value_name = "REF")]
    changed_since: Option<String>,
    /// Skip each image whose digest tag is already in the registry (needs --registry).
    #[arg(long, requires = "registry")]
    skip_existing: bool,
    /// How many targets build at once; default: every selected target, as upstream's
    /// buildall.py did. 1 builds one after another.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Build a target that failed again, up to N more times (the steps that finished come from
    /// the layer cache); the log keeps every attempt. Name tags still move only once every
    /// target has built.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(..=10))]
    retry: u32,
    /// Build even when the generated files are stale.
    #[arg(long)]
    allow_stale: bool,
    /// Print the commands, their directory and the variables they set or read; run nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print only the tags that built on standard output, one per line, for scripts (the
    /// summary goes to standard error).
    #[arg(long)]
    print_tags: bool,
    /// Write each built image's installed packages next to its log, as
    /// <LOG_DIR>/<DISTRO>.inventory.json (what `tcgen inventory --json` prints), for CI to keep
    /// and `tcgen diff` against.
    #[arg(long)]
    inventory: bool,
}

impl BuildArgs {
    /// The request, with the repository root at `root`.
    fn into_request(self, root: PathBuf) -> BuildRequest {
        BuildRequest {
            targets: self.targets,
            engine: self.engine.into(),
            options: BuildOptions {
                registry: self.registry,
                builder: self.builder,
                multi: self.multi,
                platform: self.platform,
                set: self.set,
                progress: self.progress,
                out: self.out,
                revision: git::head(&root),
                root,
            },
            log_dir: self.log_dir,
            changed_since: self.changed_since,
            skip_existing: self.skip_existing,
            jobs: self.jobs,
            publish: !self.no_publish,
            inventory: self.inventory,
            retries: self.retry,
            allow_stale: self.allow_stale,
            dry_run: self.dry_run,
            print_tags: self.print_tags,
        }
    }
}

/// `tcgen build`, from the current directory (the repository root).
pub fn build_command(spec: &Path, args: BuildArgs, styles: Styles) -> Result<i32> {
    let root =
        std::env::current_dir().map_err(|e| Error::io("cannot find the current directory", e))?;
    build::run(spec, &args.into_request(root), styles)
}
