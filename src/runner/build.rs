//! `tcgen build`, the whole sequence: check that the generated files are fresh, select the
//! targets, build them at once (bake or podman, one log each), publish the name tags once
//! every target has built, and report.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::error::{EXIT_FAILURE, Error, Result};
use crate::outdir;
use crate::packages::Format;
use crate::pipeline::{Compiled, compile, provenance};
use crate::process::Signals;
use crate::runner::engine::{BuildOptions, Engine};
use crate::runner::inventories::{self, InventoryRead};
use crate::runner::progress::{Live, PlainLines};
use crate::runner::publish::{PublishOptions, Release, move_command, publish};
use crate::runner::report::{self, Row, Status};
use crate::runner::select::{changed_since, select};
use crate::runner::target::{Results, TargetBuild, TargetPlan, TargetResult, target_builds};
use crate::runner::{Environment, ProcessEnvironment, schedule};
use crate::style::Styles;

/// What `tcgen build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// Distros to build; empty: the default set, less the distros whose gated arguments are
    /// not set.
    pub targets: Vec<String>,
    /// The container engine.
    pub engine: Engine,
    /// What every target's commands depend on (registry, builder, output folder, root).
    pub options: BuildOptions,
    /// The folder of one log per target.
    pub log_dir: PathBuf,
    /// Build only the images whose inputs differ from this git commit.
    pub changed_since: Option<String>,
    /// Skip each image whose digest tag is already in the registry.
    pub skip_existing: bool,
    /// How many targets build at once; `None`: all of them.
    pub jobs: Option<u16>,
    /// With a registry: move the name tags once every target has built.
    pub publish: bool,
    /// How many times a target that failed is built again.
    pub retries: u32,
    /// Build even when the generated files are stale.
    pub allow_stale: bool,
    /// Print the commands; run nothing.
    pub dry_run: bool,
    /// Print only the tags that built on standard output (the summary goes to standard error).
    pub print_tags: bool,
    /// Write each built image's installed packages next to its log.
    pub inventory: bool,
}

/// Runs `tcgen build` for the spec at `spec`. Returns the exit code: 0 when every target built
/// (and, with a registry, published), 1 when one failed, 128 + the signal when interrupted.
pub fn run(spec: &Path, request: &BuildRequest, styles: Styles) -> Result<i32> {
    let compiled = compile(spec, &request.options.out)?;
    if !request.allow_stale {
        refuse_stale(&compiled, spec, request)?;
    }
    let env: &dyn Environment = &ProcessEnvironment;
    let Some(targets) = targets(&compiled, spec, request, env, styles)? else {
        return Ok(0);
    };
    let plan = TargetPlan {
        engine: request.engine,
        options: &request.options,
        log_dir: &request.log_dir,
        skip_existing: request.skip_existing,
    };
    let builds = target_builds(&plan, &compiled, &targets, env)?;
    if request.dry_run {
        print_dry_run(
            request,
            &builds,
            &inventory_reads(&compiled, request, &builds)?,
        );
        return Ok(0);
    }
    if let Some(first) = builds.iter().flat_map(|b| &b.steps).next() {
        first.check_runnable()?;
    }
    let (skipped, to_build) = skip_existing(&builds);
    let signals = Signals::catch()?;
    let (results, interrupted) = run_fleet(request, &to_build, &signals, styles)?;
    let all_built = to_build
        .iter()
        .all(|b| results.get(&b.target).is_some_and(|f| f.built()));
    let inventoried = match request.inventory && interrupted.is_none() {
        true => Some(write_inventories(&compiled, request, &to_build, &results)?),
        false => None,
    };
    let published = match request.options.registry {
        Some(_) if all_built && interrupted.is_none() && request.publish => {
            let options = PublishOptions {
                engine: request.engine,
                root: &request.options.root,
                force: false,
            };
            Some(publish(options, &releases(&builds), &signals, styles)? == 0)
        }
        _ => None,
    };
    let ran = Ran {
        builds: &builds,
        skipped: &skipped,
        results: &results,
        published,
        inventoried,
        interrupted: interrupted.or(signals.received()),
    };
    Ok(report(request, &ran, styles))
}

/// The targets to build, in order; `None` when `--changed-since` leaves none (said on standard
/// output: nothing to do is no failure).
fn targets(
    compiled: &Compiled,
    spec: &Path,
    request: &BuildRequest,
    env: &dyn Environment,
    styles: Styles,
) -> Result<Option<Vec<String>>> {
    let selection = select(compiled, &request.targets, env)?;
    if let Some(platform) = &request.options.platform {
        refuse_other_platform(compiled, &selection.targets, platform)?;
    }
    for skipped in &selection.skipped {
        eprintln!("{} skipping {skipped}", styles.err.warning("warning:"));
    }
    let Some(since) = &request.changed_since else {
        if selection.targets.is_empty() {
            return Err(Error::Usage(
                "nothing to build: every distro is gated by an unset argument".to_owned(),
            ));
        }
        return Ok(Some(selection.targets));
    };
    let out = &request.options.out;
    let (changed, same) = changed_since(compiled, spec, out, since, selection.targets)?;
    if !same.is_empty() {
        eprintln!("unchanged since {since}, not built: {}", same.join(", "));
    }
    if changed.is_empty() {
        println!("nothing to build: no selected image changed since {since}");
        return Ok(None);
    }
    Ok(Some(changed))
}

/// The targets whose digest tag the registry already has (with `--skip-existing`), and the
/// builds of the others.
fn skip_existing(builds: &[TargetBuild]) -> (BTreeSet<String>, Vec<TargetBuild>) {
    let skipped: BTreeSet<String> = builds
        .iter()
        .filter(|b| b.lookup.as_ref().is_some_and(|lookup| lookup.exists()))
        .map(|b| b.target.clone())
        .collect();
    let to_build = builds
        .iter()
        .filter(|b| !skipped.contains(&b.target))
        .cloned()
        .collect();
    (skipped, to_build)
}

/// Refuses `--platform` for a distro that does not list it, naming the ones it does.
fn refuse_other_platform(compiled: &Compiled, targets: &[String], platform: &str) -> Result<()> {
    for name in targets {
        let distro = compiled.model.distro(name)?;
        if !distro.platforms.iter().any(|p| p == platform) {
            return Err(Error::Usage(format!(
                "{name} is not built for {platform}: its platforms are {}; name another platform, or leave {name} out",
                distro.platforms.join(", ")
            )));
        }
    }
    Ok(())
}

/// Runs the builds, at most `--jobs` at once, shown live on a terminal and line by line elsewhere.
fn run_fleet(
    request: &BuildRequest,
    builds: &[TargetBuild],
    signals: &Signals,
    styles: Styles,
) -> Result<(Results, Option<i32>)> {
    let jobs = request.jobs.map_or(builds.len(), usize::from);
    if std::io::stderr().is_terminal() {
        let mut live = Live::new(builds, styles.err);
        schedule::run(builds, jobs, request.retries, signals, &mut live)
    } else {
        let mut lines = PlainLines { style: styles.err };
        schedule::run(builds, jobs, request.retries, signals, &mut lines)
    }
}

/// What a run did, for its report.
struct Ran<'a> {
    builds: &'a [TargetBuild],
    skipped: &'a BTreeSet<String>,
    results: &'a Results,
    /// With a registry, once every target built: whether every name tag moved.
    published: Option<bool>,
    /// With `--inventory`: whether every built image's inventory was written.
    inventoried: Option<bool>,
    /// The signal that stopped the run.
    interrupted: Option<i32>,
}

/// Prints the summary, each failed target's log tail and what was not published; returns the
/// exit code.
fn report(request: &BuildRequest, ran: &Ran, styles: Styles) -> i32 {
    let registry = request.options.registry.is_some();
    let at_digest_tags = registry && ran.published != Some(true);
    let rows: Vec<Row> = ran
        .builds
        .iter()
        .map(|b| report::row(b, ran.skipped, ran.results, at_digest_tags))
        .collect();
    report::print_summary(
        &rows,
        ran.builds,
        ran.results,
        at_digest_tags,
        request.print_tags,
        styles,
    );
    for build in ran.builds {
        let failed = ran.results.get(&build.target).map(|f| &f.result);
        if matches!(failed, Some(TargetResult::Failed(_))) {
            eprint!("{}", report::failure_excerpt(build, styles));
        }
    }
    if registry && ran.published.is_none() && request.publish {
        eprintln!(
            "{} every name tag stays where it was: not every target built (the digest tags of those that did are in the registry)",
            styles.err.warning("not published:")
        );
    }
    if let Some(signal) = ran.interrupted {
        eprintln!("{}", styles.err.warning("interrupted"));
        return 128 + signal;
    }
    let failed = rows.iter().any(|r| r.status == Status::Failed)
        || ran.published == Some(false)
        || ran.inventoried == Some(false);
    if failed { EXIT_FAILURE } else { 0 }
}

/// What publishing the targets of `builds` moves: each name tag to its digest tag.
fn releases(builds: &[TargetBuild]) -> Vec<Release> {
    builds
        .iter()
        .map(|b| Release {
            target: b.target.clone(),
            tag: b.tag.clone(),
            digest_tag: b.digest_tag.clone(),
            platform_tags: b.platform_tags.clone(),
        })
        .collect()
}

/// Refuses to build from generated files that do not match the spec.
fn refuse_stale(compiled: &Compiled, spec: &Path, request: &BuildRequest) -> Result<()> {
    let out = &request.options.out;
    let drift = outdir::check(&compiled.rendered.files, &request.options.root.join(out))?;
    if drift.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{} is stale ({} changed, {} missing, {} orphaned): run `{}` first, or pass --allow-stale",
        out.display(),
        drift.changed.len(),
        drift.missing.len(),
        drift.orphaned.len(),
        provenance(spec, out).regenerate
    )))
}

/// Writes the inventory of each target of `builds` that built; whether every one was written.
fn write_inventories(
    compiled: &Compiled,
    request: &BuildRequest,
    builds: &[TargetBuild],
    results: &Results,
) -> Result<bool> {
    let built: Vec<TargetBuild> = builds
        .iter()
        .filter(|b| results.get(&b.target).is_some_and(|f| f.built()))
        .cloned()
        .collect();
    let reads = inventory_reads(compiled, request, &built)?;
    Ok(inventories::write(request.engine, &reads).is_ok())
}

/// The inventories `--inventory` reads of `builds`; none without it.
fn inventory_reads(
    compiled: &Compiled,
    request: &BuildRequest,
    builds: &[TargetBuild],
) -> Result<Vec<InventoryRead>> {
    if !request.inventory {
        return Ok(Vec::new());
    }
    let mut all = Vec::new();
    for build in builds {
        let distro = compiled.model.distro(&build.target)?;
        let family = compiled.spec.distros[&build.target].family;
        all.extend(inventories::reads(
            build,
            &request.options,
            &distro.platforms,
            Format::of_family(family),
            &request.log_dir,
        ));
    }
    Ok(all)
}

/// What `--dry-run` prints: each command, the registry lookup that decides whether it runs,
/// then the inventories `--inventory` reads, and with a registry the commands that move the
/// name tags once every target has built.
fn print_dry_run(request: &BuildRequest, builds: &[TargetBuild], reads: &[InventoryRead]) {
    for build in builds {
        if let Some(lookup) = &build.lookup {
            println!("# built only if this finds no {}:", build.push_tag);
            println!("{}", lookup.invocation());
        }
        for step in &build.prepare {
            println!("# may fail, when there is nothing to remove:");
            println!("{step}");
        }
        for step in &build.steps {
            println!("{step}");
        }
    }
    for read in reads {
        let files: Vec<String> = read.files.iter().map(|f| f.display().to_string()).collect();
        println!(
            "# each built image's packages, into {}:",
            files.join(" and ")
        );
        println!("{}", read.query(request.engine));
    }
    if request.options.registry.is_some() && request.publish {
        println!("# once every target has built, the name tags move to the digest tags:");
        for release in releases(builds) {
            println!(
                "{}",
                move_command(request.engine, &request.options.root, &release)
            );
        }
    }
}
