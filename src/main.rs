//! The tcgen command line: parse arguments, call [`tcgen::app`], map errors to exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use tcgen::app::{RenderOutcome, list_command, render_command};
use tcgen::error::{EXIT_FAILURE, Result};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code() as u8)
        }
    }
}

fn run(cli: Cli) -> Result<i32> {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Render { out, check } => {
            match render_command(&cli.spec, &out, check, &mut stdout)? {
                RenderOutcome::UpToDate => Ok(0),
                RenderOutcome::Stale => Ok(EXIT_FAILURE),
            }
        }
        Command::List { json } => {
            list_command(&cli.spec, &tcgen::app::default_out(), json, &mut stdout)?;
            Ok(0)
        }
    }
}
