//! `tcgen build`: check the generated files are fresh, select the targets, build, report.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::Path;

use crate::error::{EXIT_FAILURE, Error, Result};
use crate::outdir;
use crate::pipeline::{Compiled, compile, provenance};
use crate::plan::rebuild_plan;
use crate::process::{self, Outcome, Signals};
use crate::runner::build::{self, BuildRequest, RegistryLookup, TargetBuild, TargetResult};
use crate::runner::progress::{Live, PlainLines};
use crate::runner::report::{self, Row, Status};
use crate::runner::schedule;
use crate::runner::{Environment, ProcessEnvironment};
use crate::style::Styles;

/// `tcgen build`: checks that the generated files are fresh, selects, builds and reports.
/// With `print_tags`, standard output has only the tags that built, one per line, and the
/// summary goes to standard error.
pub fn build_command(
    spec: &Path,
    request: &BuildRequest,
    allow_stale: bool,
    dry_run: bool,
    print_tags: bool,
    styles: Styles,
) -> Result<i32> {
    let compiled = compile(spec, &request.out)?;
    if !allow_stale {
        refuse_stale(&compiled, spec, request)?;
    }
    let env: &dyn Environment = &ProcessEnvironment;
    let mut selection = build::select(&compiled, &request.targets, env)?;
    for skipped in &selection.skipped {
        eprintln!("{} skipping {skipped}", styles.err.warning("warning:"));
    }
    if let Some(since) = &request.changed_since {
        let plan = rebuild_plan(&compiled, spec, &request.out, Some(since))?;
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
    let builds = build::target_builds(request, &compiled, &selection, env)?;
    if dry_run {
        print_dry_run(request, &builds);
        return Ok(0);
    }
    let mut skipped = BTreeSet::new();
    for build in &builds {
        if build.lookup.as_ref().is_some_and(RegistryLookup::exists) {
            skipped.insert(build.target.clone());
        }
    }
    let to_build: Vec<TargetBuild> = builds
        .iter()
        .filter(|b| !skipped.contains(&b.target))
        .cloned()
        .collect();
    let signals = Signals::catch()?;
    let (results, interrupted) = run_fleet(request, &to_build, &signals, styles)?;
    let all_built = to_build
        .iter()
        .all(|b| matches!(results.get(&b.target), Some((TargetResult::Built(_), _))));
    let publication = match &request.registry {
        Some(_) if all_built && interrupted.is_none() => {
            Some(publish(request, &builds, &signals, styles)?)
        }
        _ => None,
    };
    let at_digest_tags = request.registry.is_some() && publication != Some(true);
    let rows: Vec<Row> = builds
        .iter()
        .map(|b| row(b, &skipped, &results, at_digest_tags))
        .collect();
    print_summary(&rows, &builds, &results, at_digest_tags, print_tags, styles);
    for build in &to_build {
        if let Some((TargetResult::Failed(_), _)) = results.get(&build.target) {
            eprint!("{}", failure_excerpt(build, styles));
        }
    }
    if request.registry.is_some() && publication.is_none() {
        eprintln!(
            "{} every name tag stays where it was: not every target built (the digest tags of those that did are in the registry)",
            styles.err.warning("not published:")
        );
    }
    if let Some(signal) = interrupted.or(signals.received()) {
        eprintln!("{}", styles.err.warning("interrupted"));
        return Ok(128 + signal);
    }
    let failed = rows.iter().any(|r| r.status == Status::Failed) || publication == Some(false);
    Ok(if failed { EXIT_FAILURE } else { 0 })
}

/// Runs the builds, at most `--jobs` at once, shown live on a terminal and line by line elsewhere.
fn run_fleet(
    request: &BuildRequest,
    builds: &[TargetBuild],
    signals: &Signals,
    styles: Styles,
) -> Result<(build::Results, Option<i32>)> {
    let jobs = request.jobs.map_or(builds.len(), usize::from);
    if std::io::stderr().is_terminal() {
        schedule::run(builds, jobs, signals, &mut Live::new(builds, styles.err))
    } else {
        schedule::run(builds, jobs, signals, &mut PlainLines { style: styles.err })
    }
}

/// The summary table; with `print_tags`, the table goes to standard error and standard output
/// gets only the tags that built (the digest tags when the name tags did not move).
fn print_summary(
    rows: &[Row],
    builds: &[TargetBuild],
    results: &build::Results,
    at_digest_tags: bool,
    print_tags: bool,
    styles: Styles,
) {
    if !print_tags {
        print!("{}", report::table(rows, styles.out));
        return;
    }
    eprint!("{}", report::table(rows, styles.err));
    for build in builds {
        if let Some((TargetResult::Built(_), _)) = results.get(&build.target) {
            let tag = if at_digest_tags {
                &build.digest_tag
            } else {
                &build.tag
            };
            println!("{tag}");
        }
    }
}

/// Points every target's name tag at its digest tag, once all have built, logging to each
/// target's log. Returns whether every name tag moved.
fn publish(
    request: &BuildRequest,
    builds: &[TargetBuild],
    signals: &Signals,
    styles: Styles,
) -> Result<bool> {
    let mut moved = 0;
    for ((target, retag), build) in build::publish(request, builds).iter().zip(builds) {
        match process::run_logged(retag, &build.log, signals)? {
            Outcome::Exited(0) => moved += 1,
            Outcome::Exited(code) => eprintln!(
                "{} {target}: moving {} to {} failed (exit code {code}): see {}",
                styles.err.error("error:"),
                build.tag,
                build.digest_tag,
                build.log.display()
            ),
            Outcome::Interrupted(_) => break,
        }
    }
    if moved == builds.len() {
        eprintln!(
            "{} the name tags of all {moved} images now point at this build",
            styles.err.good("published:")
        );
    }
    Ok(moved == builds.len())
}

/// Refuses to build from generated files that do not match the spec.
fn refuse_stale(compiled: &Compiled, spec: &Path, request: &BuildRequest) -> Result<()> {
    let drift = outdir::check(&compiled.rendered.files, &request.root.join(&request.out))?;
    if drift.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{} is stale ({} changed, {} missing, {} orphaned): run `{}` first, or pass --allow-stale",
        request.out.display(),
        drift.changed.len(),
        drift.missing.len(),
        drift.orphaned.len(),
        provenance(spec, &request.out).regenerate
    )))
}

/// What `--dry-run` prints: each command, the registry lookup that decides whether it runs,
/// and with a registry the commands that move the name tags once every target has built.
fn print_dry_run(request: &BuildRequest, builds: &[TargetBuild]) {
    for build in builds {
        if let Some(lookup) = &build.lookup {
            println!("# built only if this finds no {}:", build.digest_tag);
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
    if request.registry.is_some() {
        println!("# once every target has built, the name tags move to the digest tags:");
        for (_, retag) in build::publish(request, builds) {
            println!("{retag}");
        }
    }
}

/// Lines of a failed target's log shown after the summary.
const LOG_TAIL_LINES: usize = 10;

/// The end of a failed target's log, and what to do when the engine could not reach its
/// daemon.
fn failure_excerpt(build: &TargetBuild, styles: Styles) -> String {
    let log = std::fs::read_to_string(&build.log).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
    let mut text = format!(
        "\n{} {} failed; the end of {}:\n",
        styles.err.error("error:"),
        build.target,
        build.log.display()
    );
    for line in tail {
        text.push_str(&format!("  {line}\n"));
    }
    let unreachable = [
        "Cannot connect to the Docker daemon",
        "Is the docker daemon running",
        "connection refused",
    ];
    if unreachable.iter().any(|sign| log.contains(sign)) {
        text.push_str(&format!(
            "{} the engine cannot reach its daemon: start it (`sudo systemctl start docker`), or point DOCKER_HOST or --builder at one that runs\n",
            styles.err.warning("hint:")
        ));
    }
    text
}

/// The summary row of one target; `at_digest_tag` when the image is in the registry under its
/// digest tag only (its name tag did not move).
fn row(
    build: &TargetBuild,
    skipped: &BTreeSet<String>,
    results: &build::Results,
    at_digest_tag: bool,
) -> Row {
    let (status, elapsed, detail) = if skipped.contains(&build.target) {
        let detail = format!("{} is in the registry", build.digest_tag);
        (Status::Skipped, None, detail)
    } else {
        match results.get(&build.target) {
            Some((TargetResult::Built(digest), elapsed)) => {
                let digest = digest.as_deref().unwrap_or("(no digest reported)");
                let tag = if at_digest_tag {
                    &build.digest_tag
                } else {
                    &build.tag
                };
                (Status::Built, Some(*elapsed), format!("{tag}  {digest}"))
            }
            Some((TargetResult::Failed(code), elapsed)) => {
                let detail = format!("exit code {code}: see {}", build.log.display());
                (Status::Failed, Some(*elapsed), detail)
            }
            None => (
                Status::NotRun,
                None,
                "interrupted before it started".to_owned(),
            ),
        }
    };
    Row {
        target: build.target.clone(),
        status,
        elapsed,
        detail,
    }
}
