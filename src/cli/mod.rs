//! The command line: the arguments (clap), one module per command, and the mapping of errors to
//! exit codes. Each command is a function of its options that writes to the output it is given.

mod build;
mod completions;
mod in_docker;
mod list;
mod lock;
mod plan;
mod render;
mod show;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::error::{EXIT_FAILURE, Error, Result};
use crate::output::default_out;
use crate::render::schema::schema_json;
use crate::runner::build::BuildRequest;
use crate::runner::in_docker::InDocker;
use crate::style::{ColorChoice, Styles};
use build::build_command;
use in_docker::in_docker_command;
use list::list_command;
use lock::{LockMode, lock_command};
use plan::plan_command;
use render::{RenderOutcome, render_command};
use show::show_command;

/// Parses the process's arguments, runs the command, and gives the exit code: 0 ok, 1 drift or
/// a failed build or run (a container's own code is passed on), 2 invalid input or usage.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let in_docker = std::env::args().any(|a| a == "in-docker");
            let _ = error.print();
            if in_docker && error.kind() == clap::error::ErrorKind::UnknownArgument {
                eprintln!(
                    "\nhint: put the command after `--`: tcgen in-docker IMAGE -- ./buildall.sh"
                );
            }
            return ExitCode::from(error.exit_code().clamp(0, 255) as u8);
        }
    };
    let styles = Styles::detect(cli.color);
    match run(cli, styles) {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        // A reader that stops early (`tcgen man | head`) is no failure: end quietly.
        Err(error) if error.is_closed_output() => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{} {error}", styles.err.error("error:"));
            ExitCode::from(error.exit_code() as u8)
        }
    }
}

/// Compiles distros.yaml into the Dockerfiles, bake file and Makefile of a fleet of build images.
#[derive(Debug, Parser)]
#[command(name = "tcgen", version, about)]
struct Cli {
    #[command(flatten)]
    spec: SpecArg,
    /// When to colour output; NO_COLOR set to anything turns `auto` off.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

/// `--spec`, on the commands that read the spec (and before any command).
#[derive(Debug, Clone, Default, clap::Args)]
struct SpecArg {
    /// The spec file [default: distros.yaml, here or in the nearest folder above, which then
    /// becomes the folder tcgen works in, as cargo finds Cargo.toml].
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render the spec into the output directory (Dockerfiles, bake.hcl, Makefile, build context).
    #[command(
        after_help = "Examples:\n  tcgen render\n  tcgen render --check                      # in CI: exit 1 with a diff when generated/ is stale\n  tcgen --spec other.yaml render --out gen2"
    )]
    Render {
        #[command(flatten)]
        spec: SpecArg,
        /// Output directory.
        #[arg(long, default_value = "generated", value_name = "DIR")]
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
    /// Print the man page (roff): `tcgen man > tcgen.1 && man -l tcgen.1`.
    #[command(after_help = "Examples:\n  tcgen man > tcgen.1 && man -l tcgen.1")]
    Man,
    /// Show which images must be built: every one, or those whose inputs differ from a commit.
    #[command(
        after_help = "Examples:\n  tcgen plan --changed-since origin/main\n  tcgen plan --changed-since HEAD~1 --json | jq -r '.changed[].name'"
    )]
    Plan {
        #[command(flatten)]
        spec: SpecArg,
        /// Compare with this git commit (branch, tag, `HEAD~1`), read without checking it out.
        #[arg(long, value_name = "REF")]
        changed_since: Option<String>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
        /// Directory of the generated files.
        #[arg(long, default_value = "generated", value_name = "DIR")]
        out: PathBuf,
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
        engine: crate::runner::Engine,
    },
    /// Build images with docker buildx bake (or podman build), from the repository root.
    #[command(
        after_help = "Examples:\n  tcgen build DISTRO DISTRO\n  tcgen build --registry my-registry.example.com/toolchain --skip-existing\n  tcgen build --engine podman --jobs 2"
    )]
    Build {
        #[command(flatten)]
        spec: SpecArg,
        #[command(flatten)]
        request: BuildRequest,
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
    },
    /// Run a command inside a built image with the repository at /mnt.
    #[command(
        after_help = "Examples:\n  tcgen in-docker IMAGE -- ./buildall.sh\n  tcgen in-docker --engine podman --docker-args=-t IMAGE -- bash"
    )]
    InDocker {
        #[command(flatten)]
        spec: SpecArg,
        #[command(flatten)]
        request: InDocker,
        /// Print the commands; run nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

impl Command {
    /// The `--spec` given after the command, if any.
    fn spec(&self) -> Option<PathBuf> {
        match self {
            Command::Render { spec, .. }
            | Command::List { spec, .. }
            | Command::Show { spec, .. }
            | Command::Plan { spec, .. }
            | Command::Lock { spec, .. }
            | Command::Build { spec, .. }
            | Command::InDocker { spec, .. } => spec.spec.clone(),
            Command::Schema | Command::Completions { .. } | Command::Man => None,
        }
    }
}

/// The spec's file name when `--spec` is not given.
const DEFAULT_SPEC: &str = "distros.yaml";

/// The spec `--spec` names; without it, `distros.yaml` here or in the nearest folder above, in
/// which case tcgen moves there, so that the output folder and build context are where they
/// always are: beside the spec.
fn locate_spec(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(spec) = given {
        return Ok(spec);
    }
    let here =
        std::env::current_dir().map_err(|e| Error::io("cannot find the current directory", e))?;
    if let Some(root) = here
        .ancestors()
        .skip(1)
        .find(|dir| !here.join(DEFAULT_SPEC).exists() && dir.join(DEFAULT_SPEC).is_file())
    {
        std::env::set_current_dir(root)
            .map_err(|e| Error::io(format!("cannot change to {}", root.display()), e))?;
        eprintln!(
            "tcgen: using {} (paths are relative to {})",
            root.join(DEFAULT_SPEC).display(),
            root.display()
        );
    }
    Ok(PathBuf::from(DEFAULT_SPEC))
}

fn run(cli: Cli, styles: Styles) -> Result<i32> {
    let uses_spec = !matches!(
        cli.command,
        Command::Schema | Command::Completions { .. } | Command::Man
    );
    let spec = if uses_spec {
        locate_spec(cli.spec.spec.or(cli.command.spec()))?
    } else {
        PathBuf::new()
    };
    let mut stdout = std::io::stdout().lock();
    let io = |e| Error::io("cannot write to standard output", e);
    match cli.command {
        Command::Show { distro, json, .. } => {
            show_command(&spec, &distro, json, &mut stdout)?;
            Ok(0)
        }
        Command::Schema => {
            write!(stdout, "{}", schema_json()).map_err(io)?;
            Ok(0)
        }
        Command::Completions { shell } => {
            completions::write_script(shell, &mut Cli::command(), &mut stdout)?;
            Ok(0)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command())
                .render(&mut stdout)
                .map_err(io)?;
            Ok(0)
        }
        Command::Render { out, check, .. } => {
            match render_command(&spec, &out, check, &mut stdout, styles.out)? {
                RenderOutcome::UpToDate => Ok(0),
                RenderOutcome::Stale => Ok(EXIT_FAILURE),
            }
        }
        Command::List { json, names, .. } => {
            list_command(&spec, &default_out(), json, names, &mut stdout)?;
            Ok(0)
        }
        Command::Lock {
            check,
            update,
            engine,
            ..
        } => {
            let mode = match (check, update) {
                (true, _) => LockMode::Check,
                (false, Some(distros)) => LockMode::Update(distros),
                (false, None) => LockMode::Missing,
            };
            lock_command(&spec, engine, mode, &mut stdout)
        }
        Command::Plan {
            changed_since,
            json,
            out,
            ..
        } => {
            plan_command(&spec, &out, changed_since.as_deref(), json, &mut stdout)?;
            Ok(0)
        }
        Command::Build {
            mut request,
            allow_stale,
            dry_run,
            print_tags,
            ..
        } => {
            drop(stdout);
            request.root = std::env::current_dir()
                .map_err(|e| Error::io("cannot find the current directory", e))?;
            build_command(&spec, &request, allow_stale, dry_run, print_tags, styles)
        }
        Command::InDocker {
            request, dry_run, ..
        } => {
            drop(stdout);
            in_docker_command(&spec, request, dry_run)
        }
    }
}
