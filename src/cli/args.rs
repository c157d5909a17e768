//! The command line as clap parses it: the only place that knows clap's types. Each command's
//! arguments become a plain request for the layer below.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::build::BuildArgs;
use super::choices::{ColorWhen, EngineArg};
use super::completions;
use super::in_docker::InDockerArgs;
use super::inventory::{DiffArgs, InventoryArgs};
use super::plan::PlanArgs;
use super::publish::PublishArgs;
use crate::output::DEFAULT_OUT;

/// Compiles distros.yaml into the Dockerfiles, bake file and Makefile of a fleet of build images.
#[derive(Debug, Parser)]
#[command(name = "tcgen", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub spec: SpecArg,
    /// When to colour output; NO_COLOR set to anything turns `auto` off.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

/// `--spec`, on the commands that read the spec (and before any command).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SpecArg {
    /// The spec file [default: distros.yaml, here or in the nearest folder above, which then
    /// becomes the folder tcgen works in, as cargo finds Cargo.toml].
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the spec into the output directory (Dockerfiles, bake.hcl, Makefile, build context).
    #[command(
        after_help = "Examples:\n  tcgen render\n  tcgen render --check                      # in CI: exit 1 with a diff when generated/ is stale\n  tcgen --spec other.yaml render --out gen2"
    )]
    Render {
        #[command(flatten)]
        spec: SpecArg,
        /// Output directory.
        #[arg(long, default_value = DEFAULT_OUT, value_name = "DIR")]
        out: PathBuf,
        /// Write nothing; exit 1 with a diff when the output directory is stale.
        #[arg(long)]
        check: bool,
    },
    /// List the distros: name, base image, platforms, label, gated arguments.
    #[command(after_help = "Examples:\n  tcgen list\n  tcgen list --json | jq -r '.[].digest_tag'")]
    List {
        #[command(flatten)]
        spec: SpecArg,
        /// Print JSON for scripts.
        #[arg(long, conflicts_with = "names")]
        json: bool,
        /// Print only the distro names, one per line (for shell completion and scripts).
        #[arg(long)]
        names: bool,
    },
    /// Print one distro's spec with the defaults merged in, and what tcgen derives from it.
    #[command(
        after_help = "Examples:\n  tcgen show DISTRO\n  tcgen show DISTRO --json | jq .assertion_checks"
    )]
    Show {
        #[command(flatten)]
        spec: SpecArg,
        /// The distro.
        #[arg(value_name = completions::DISTRO)]
        distro: String,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of distros.yaml (also written to generated/distros.schema.json).
    #[command(after_help = "Examples:\n  tcgen schema > distros.schema.json")]
    Schema,
    /// Print a completion script for a shell: `tcgen completions bash > /etc/bash_completion.d/tcgen`.
    #[command(
        after_help = "Examples:\n  tcgen completions bash > /etc/bash_completion.d/tcgen\n  tcgen completions zsh > ~/.zfunc/_tcgen"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write the pages of tcgen and each command into a folder.
    #[command(
        after_help = "Examples:\n  tcgen man > tcgen.1 && man -l tcgen.1\n  tcgen man --out /usr/local/share/man/man1   # tcgen.1, tcgen-render.1, ..."
    )]
    Man {
        /// Write tcgen.1 and one page per command (tcgen-render.1, ...) into this folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Show which images must be built: every one, or those whose inputs differ from a commit.
    #[command(
        after_help = "Examples:\n  tcgen plan --changed-since origin/main\n  tcgen plan --changed-since HEAD~1 --json | jq -r '.changed[].name'\n  tcgen plan --matrix --registry my-registry.example.com/toolchain   # a CI matrix of what is missing"
    )]
    Plan {
        #[command(flatten)]
        spec: SpecArg,
        #[command(flatten)]
        args: PlanArgs,
    },
    /// Resolve base images to digests into the lock file next to the spec (distros.lock), or
    /// check it against the registries.
    #[command(
        after_help = "Examples:\n  tcgen lock\n  tcgen lock --check                        # weekly: exit 1 when a base moved\n  tcgen lock --update DISTRO && tcgen render"
    )]
    Lock {
        #[command(flatten)]
        spec: SpecArg,
        /// Compare every locked digest with its registry; exit 1 when one moved. Writes nothing.
        #[arg(long, conflicts_with = "update")]
        check: bool,
        /// Resolve again the bases of these distros (every base when none is named).
        #[arg(long, num_args = 0.., value_name = "DISTRO")]
        update: Option<Vec<String>>,
        /// How to reach the registries: docker (buildx imagetools) or podman (skopeo).
        #[arg(long, value_enum, default_value = "docker")]
        engine: EngineArg,
    },
    /// Build images with docker buildx bake (or podman build), from the repository root.
    #[command(
        after_help = "Examples:\n  tcgen build DISTRO DISTRO\n  tcgen build --registry my-registry.example.com/toolchain --skip-existing\n  tcgen build --engine podman --jobs 2"
    )]
    Build {
        #[command(flatten)]
        spec: SpecArg,
        #[command(flatten)]
        args: BuildArgs,
    },
    /// Point each image's name tag at its digest tag, all at once, once the images are in the
    /// registry: safe to run again after any interruption.
    #[command(
        after_help = "Examples:\n  tcgen publish --registry my-registry.example.com/toolchain\n  tcgen publish --registry my-registry.example.com/toolchain DISTRO --force   # roll back on purpose"
    )]
    Publish {
        #[command(flatten)]
        spec: SpecArg,
        #[command(flatten)]
        args: PublishArgs,
    },
    /// List the packages installed in an image (or a distro's built image).
    #[command(
        after_help = "Examples:\n  tcgen inventory DISTRO\n  tcgen inventory my-registry.example.com/toolchain/IMAGE --json > IMAGE.inventory.json"
    )]
    Inventory {
        #[command(flatten)]
        spec: SpecArg,
        #[command(flatten)]
        args: InventoryArgs,
    },
    /// Show which packages two images (or saved inventories) add, remove and change.
    #[command(
        after_help = "Examples:\n  tcgen diff published.inventory.json DISTRO --markdown\n  tcgen diff IMAGE:old IMAGE:new --json"
    )]
    Diff {
        #[command(flatten)]
        spec: SpecArg,
        #[command(flatten)]
        args: DiffArgs,
    },
    /// Run a command inside a built image with the repository at /mnt.
    #[command(
        after_help = "Examples:\n  tcgen in-docker IMAGE -- ./buildall.sh\n  tcgen in-docker --engine podman --docker-args=-t IMAGE -- bash"
    )]
    InDocker {
        #[command(flatten)]
        spec: SpecArg,
        #[command(flatten)]
        args: InDockerArgs,
    },
}
