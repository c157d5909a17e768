//! The command line: the arguments (clap), one module per command, and the mapping of errors to
//! exit codes. Each command is a function of its options that writes to the output it is given.

mod args;
mod build;
mod choices;
mod completions;
mod in_docker;
mod inventory;
mod list;
mod lock;
mod man;
mod plan;
mod publish;
mod render;
mod show;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::error::{EXIT_FAILURE, Error, Result};
use crate::output::default_out;
use crate::render::schema::schema_json;
use crate::style::Styles;
use args::{Cli, Command};
use build::build_command;
use in_docker::in_docker_command;
use list::list_command;
use lock::{LockMode, lock_command};
use plan::plan_command;
use publish::publish_command;
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
    let styles = Styles::detect(cli.color.into());
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

/// The spec's file name when `--spec` is not given.
const DEFAULT_SPEC: &str = "distros.yaml";

/// `--spec` in another folder: tcgen moves there, as when it finds the spec upward, so that
/// the output folder, the lock file and the build context are beside the spec. Returns the
/// spec's path from there. A folder that does not exist is left for the load to report.
fn work_beside(spec: PathBuf) -> Result<PathBuf> {
    let (Some(dir), Some(name)) = (spec.parent(), spec.file_name()) else {
        return Ok(spec);
    };
    if dir.as_os_str().is_empty() || !dir.is_dir() {
        return Ok(spec);
    }
    std::env::set_current_dir(dir)
        .map_err(|e| Error::io(format!("cannot change to {}", dir.display()), e))?;
    eprintln!(
        "tcgen: using {} (paths are relative to {})",
        spec.display(),
        dir.display()
    );
    Ok(PathBuf::from(name))
}

/// The spec `--spec` names; without it, `distros.yaml` here or in the nearest folder above, in
/// which case tcgen moves there, so that the output folder and build context are where they
/// always are: beside the spec.
fn locate_spec(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(spec) = given {
        return work_beside(spec);
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
    let given = cli.spec.spec;
    // `--spec` before the command or after it; found upward when given nowhere.
    let spec = |after: args::SpecArg| locate_spec(given.clone().or(after.spec));
    let stdout = &mut std::io::stdout();
    let done = |()| 0;
    match cli.command {
        Command::Schema => write!(stdout, "{}", schema_json())
            .map_err(Error::stdout)
            .map(done),
        Command::Completions { shell } => {
            completions::write_script(shell, &mut Cli::command(), stdout).map(done)
        }
        Command::Man { out } => man::man_command(out.as_deref(), stdout).map(done),
        Command::Show {
            spec: at,
            distro,
            json,
        } => show_command(&spec(at)?, &distro, json, stdout).map(done),
        Command::Render {
            spec: at,
            out,
            check,
        } => {
            render_command(&spec(at)?, &out, check, stdout, styles.out).map(|outcome| match outcome
            {
                RenderOutcome::UpToDate => 0,
                RenderOutcome::Stale => EXIT_FAILURE,
            })
        }
        Command::List {
            spec: at,
            json,
            names,
        } => list_command(&spec(at)?, &default_out(), json, names, stdout).map(done),
        Command::Lock {
            spec: at,
            check,
            update,
            engine,
        } => lock_command(
            &spec(at)?,
            engine.into(),
            LockMode::of(check, update),
            stdout,
        ),
        Command::Plan { spec: at, args } => plan_command(&spec(at)?, args, stdout).map(done),
        Command::Build { spec: at, args } => build_command(&spec(at)?, args, styles),
        Command::InDocker { spec: at, args } => in_docker_command(&spec(at)?, args),
        Command::Inventory { spec: at, args } => {
            inventory::inventory_command(&spec(at)?, args, stdout).map(done)
        }
        Command::Diff { spec: at, args } => {
            inventory::diff_command(&spec(at)?, args, stdout).map(done)
        }
        Command::Publish { spec: at, args } => publish_command(&spec(at)?, args, styles),
    }
}
