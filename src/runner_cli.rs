//! The runner commands behind the CLI: `tcgen build` and `tcgen in-docker`.

use std::path::{Path, PathBuf};

use crate::app::compile;
use crate::error::{EXIT_FAILURE, Error, Result};
use crate::files;
use crate::load::load_file;
use crate::plan::make_plan;
use crate::render::script_names;
use crate::runner::build::{self, BuildRequest, TargetResult};
use crate::runner::exec::Signals;
use crate::runner::in_docker::{self, InDocker};
use crate::runner::{Environment, ProcessEnvironment};

/// `tcgen build`: checks that the generated files are fresh, selects, builds and reports.
pub fn build_command(
    spec: &Path,
    request: &BuildRequest,
    allow_stale: bool,
    dry_run: bool,
) -> Result<i32> {
    let compiled = compile(spec, &request.out)?;
    if !allow_stale {
        let drift = files::check(&compiled.rendered.files, &request.root.join(&request.out))?;
        if !drift.is_empty() {
            return Err(Error::Usage(format!(
                "{} is stale ({} changed, {} missing, {} orphaned): run `tcgen render` first, or pass --allow-stale",
                request.out.display(),
                drift.changed.len(),
                drift.missing.len(),
                drift.orphaned.len()
            )));
        }
    }
    let env: &dyn Environment = &ProcessEnvironment;
    let mut selection = build::select(&compiled, &request.targets, env)?;
    for skipped in &selection.skipped {
        eprintln!("warning: skipping {skipped}");
    }
    if let Some(since) = &request.changed_since {
        let plan = make_plan(spec, &request.out, Some(since))?;
        let changed = plan.changed_names();
        let (keep, same): (Vec<String>, Vec<String>) = selection
            .targets
            .into_iter()
            .partition(|name| changed.contains(name.as_str()));
        if !same.is_empty() {
            eprintln!("unchanged since {since}, not built: {}", same.join(", "));
        }
        selection.targets = keep;
        if selection.targets.is_empty() {
            println!("nothing to build: no selected image changed since {since}");
            return Ok(0);
        }
    } else if selection.targets.is_empty() {
        return Err(Error::Usage(
            "nothing to build: every distro is gated by an unset argument".to_owned(),
        ));
    }
    let mut builds = build::plan(request, &compiled, &selection, env)?;
    if dry_run {
        for build in &builds {
            if let Some(lookup) = &build.lookup {
                println!("# built only if this finds no {}:", build.digest_tag);
                println!("{}", lookup.invocation());
            }
            for step in &build.steps {
                println!("{step}");
            }
        }
        return Ok(0);
    }
    builds.retain(|build| match &build.lookup {
        Some(lookup) if lookup.exists() => {
            println!(
                "skipped {}: {} is in the registry",
                build.target, build.digest_tag
            );
            false
        }
        _ => true,
    });
    if builds.is_empty() {
        println!("nothing to build: every selected image is in the registry");
        return Ok(0);
    }
    let signals = Signals::catch()?;
    let (results, interrupted) = build::run(&builds, &signals)?;
    let mut failed = 0;
    for build in &builds {
        match results.get(&build.target) {
            Some(TargetResult::Built(digest)) => {
                println!(
                    "built   {}  {}",
                    build.tag,
                    digest.as_deref().unwrap_or("(no digest reported)")
                );
            }
            Some(TargetResult::Failed(code)) => {
                failed += 1;
                println!(
                    "FAILED  {} (exit code {code}): see {}",
                    build.target,
                    build.log.display()
                );
            }
            None => println!("not built  {}", build.target),
        }
    }
    if let Some(signal) = interrupted {
        eprintln!("interrupted");
        return Ok(128 + signal);
    }
    Ok(if failed > 0 { EXIT_FAILURE } else { 0 })
}

/// The options of `tcgen in-docker` as the command line gives them.
pub struct InDockerArgs {
    /// The engine.
    pub engine: crate::runner::Engine,
    /// Image.
    pub image: String,
    /// Command.
    pub command: Vec<String>,
    /// Extra create arguments.
    pub docker_args: Option<String>,
    /// BUILD_DIR.
    pub build_dir: PathBuf,
    /// Print the commands only.
    pub dry_run: bool,
}

/// `tcgen in-docker`.
pub fn in_docker_command(spec: &Path, args: InDockerArgs) -> Result<i32> {
    let spec = load_file(spec, &script_names())?;
    let repo =
        std::env::current_dir().map_err(|e| Error::io("cannot find the current directory", e))?;
    let build_dir = if args.build_dir.is_absolute() {
        args.build_dir
    } else {
        repo.join(args.build_dir)
    };
    // SAFETY: getuid and getgid cannot fail and have no preconditions.
    let user = unsafe { (libc::getuid(), libc::getgid()) };
    let request = InDocker {
        engine: args.engine,
        image: args.image,
        command: args.command,
        docker_args: args.docker_args,
        repo,
        build_dir,
        user,
    };
    let signals = Signals::catch()?;
    let env: &dyn Environment = &ProcessEnvironment;
    in_docker::run(&request, &spec, env, &signals, args.dry_run)
        .map(|code| if code == 0 { 0 } else { code.max(EXIT_FAILURE) })
}
