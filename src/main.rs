//! The tcgen command line: parse arguments, call [`tcgen::app`], map errors to exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write;

use clap::{CommandFactory, Parser, Subcommand};

use tcgen::app::{RenderOutcome, list_command, render_command, show_command};
use tcgen::error::{EXIT_FAILURE, Error, Result};
use tcgen::plan::plan_command;
use tcgen::runner::Engine;
use tcgen::runner::build::BuildRequest;
use tcgen::runner_cli::{InDockerArgs, build_command, in_docker_command};
use tcgen::schema::schema_json;
use tcgen::style::{ColorChoice, Styles};

/// Compiles distros.yaml into the Dockerfiles, bake file and Makefile of a fleet of build images.
#[derive(Debug, Parser)]
#[command(name = "tcgen", version, about)]
struct Cli {
    /// The spec file.
    #[arg(
        long,
        global = true,
        default_value = "distros.yaml",
        value_name = "FILE"
    )]
    spec: PathBuf,
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

#[derive(Debug, Subcommand)]
enum Command {
    /// Render the spec into the output directory (Dockerfiles, bake.hcl, Makefile, build context).
    Render {
        /// Output directory.
        #[arg(long, default_value = "generated", value_name = "DIR")]
        out: PathBuf,
        /// Write nothing; exit 1 with a diff when the output directory is stale.
        #[arg(long)]
        check: bool,
    },
    /// List the distros: name, base image, platforms, label, gated arguments.
    List {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Print one distro's spec with the defaults merged in, and what tcgen derives from it.
    Show {
        /// The distro.
        distro: String,
    },
    /// Print the JSON Schema of distros.yaml (also written to generated/distros.schema.json).
    Schema,
    /// Print a completion script for a shell: `tcgen completions bash > /etc/bash_completion.d/tcgen`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `tcgen man > tcgen.1 && man -l tcgen.1`.
    Man,
    /// Show which images must be built: every one, or those whose inputs differ from a commit.
    Plan {
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
    /// Build images with docker buildx bake (or podman build), from the repository root.
    Build {
        /// Distros to build; default: the default set, less the distros whose gated arguments
        /// are not set.
        distros: Vec<String>,
        /// Container engine.
        #[arg(long, value_enum, default_value = "docker")]
        engine: Engine,
        /// Tag images as REGISTRY/<image> and push them.
        #[arg(long, value_name = "REGISTRY")]
        registry: Option<String>,
        /// buildx builder to use.
        #[arg(long)]
        builder: Option<String>,
        /// Build every platform of each distro (needs --registry to keep the result).
        #[arg(long)]
        multi: bool,
        /// Override a bake attribute (target.key=value); repeatable.
        #[arg(long, value_name = "TARGET.KEY=VALUE")]
        set: Vec<String>,
        /// Progress output passed to bake (auto, plain, tty).
        #[arg(long)]
        progress: Option<String>,
        /// Directory of the generated files.
        #[arg(long, default_value = "generated", value_name = "DIR")]
        out: PathBuf,
        /// Directory for one log per target.
        #[arg(long, default_value = "build_docker/logs", value_name = "DIR")]
        log_dir: PathBuf,
        /// Build even when the generated files are stale.
        #[arg(long)]
        allow_stale: bool,
        /// Build only the images whose inputs differ from this git commit (see `tcgen plan`).
        #[arg(long, value_name = "REF")]
        changed_since: Option<String>,
        /// Skip each image whose digest tag is already in the registry (needs --registry).
        #[arg(long, requires = "registry")]
        skip_existing: bool,
        /// Print the commands, their directory and the variables they set or read; run nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print only the tags that built on standard output, one per line, for scripts (the
        /// summary goes to standard error).
        #[arg(long)]
        print_tags: bool,
    },
    /// Run a command inside a built image with the repository at /mnt.
    InDocker {
        /// Container engine.
        #[arg(long, value_enum, default_value = "docker")]
        engine: Engine,
        /// Extra arguments for `create`, split like a shell line.
        #[arg(long, value_name = "ARGS", allow_hyphen_values = true)]
        docker_args: Option<String>,
        /// Where per-image build/, check/ and source/ directories live.
        #[arg(
            long,
            env = "BUILD_DIR",
            default_value = "build_docker",
            value_name = "DIR"
        )]
        build_dir: PathBuf,
        /// Print the commands; run nothing.
        #[arg(long)]
        dry_run: bool,
        /// The image to run.
        image: String,
        /// The command to run inside it.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let styles = Styles::detect(cli.color);
    match run(cli, styles) {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(error) => {
            eprintln!("{} {error}", styles.err.error("error:"));
            ExitCode::from(error.exit_code() as u8)
        }
    }
}

fn run(cli: Cli, styles: Styles) -> Result<i32> {
    let mut stdout = std::io::stdout().lock();
    let io = |e| Error::io("cannot write to standard output", e);
    match cli.command {
        Command::Show { distro } => {
            show_command(&cli.spec, &distro, &mut stdout)?;
            Ok(0)
        }
        Command::Schema => {
            write!(stdout, "{}", schema_json()).map_err(io)?;
            Ok(0)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "tcgen", &mut stdout);
            Ok(0)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command())
                .render(&mut stdout)
                .map_err(io)?;
            Ok(0)
        }
        Command::Render { out, check } => {
            match render_command(&cli.spec, &out, check, &mut stdout, styles.out)? {
                RenderOutcome::UpToDate => Ok(0),
                RenderOutcome::Stale => Ok(EXIT_FAILURE),
            }
        }
        Command::List { json } => {
            list_command(&cli.spec, &tcgen::app::default_out(), json, &mut stdout)?;
            Ok(0)
        }
        Command::Plan {
            changed_since,
            json,
            out,
        } => {
            plan_command(&cli.spec, &out, changed_since.as_deref(), json, &mut stdout)?;
            Ok(0)
        }
        Command::Build {
            distros,
            engine,
            registry,
            builder,
            multi,
            set,
            progress,
            out,
            log_dir,
            allow_stale,
            changed_since,
            skip_existing,
            dry_run,
            print_tags,
        } => {
            drop(stdout);
            let root = std::env::current_dir()
                .map_err(|e| Error::io("cannot find the current directory", e))?;
            let request = BuildRequest {
                engine,
                targets: distros,
                registry,
                builder,
                multi,
                set,
                progress,
                out,
                root,
                log_dir,
                changed_since,
                skip_existing,
            };
            build_command(
                &cli.spec,
                &request,
                allow_stale,
                dry_run,
                print_tags,
                styles,
            )
        }
        Command::InDocker {
            engine,
            docker_args,
            build_dir,
            dry_run,
            image,
            command,
        } => {
            drop(stdout);
            let args = InDockerArgs {
                engine,
                image,
                command,
                docker_args,
                build_dir,
                dry_run,
            };
            in_docker_command(&cli.spec, args)
        }
    }
}
