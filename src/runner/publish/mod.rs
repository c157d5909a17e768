//! Publishing a fleet: each name tag is pointed at its digest tag by copying the manifest (or
//! manifest list) inside the registry, byte for byte, so that consumers of the name tags see the
//! whole fleet change at once. `tcgen publish` runs it alone; `tcgen build --registry` runs it
//! once every target has built.
//!
//! It is safe to run again whatever state an earlier run was stopped in: it compares every name
//! tag with its digest tag first and moves only those that differ, so a second run finishes
//! what a killed one started and a run with nothing to do writes nothing. It checks every digest
//! tag before moving anything, never moves a name tag away from an image built from a commit
//! the current one does not contain (unless forced), holds signals while tags move, and on a
//! failed move points the tags it already moved back where they were.

use std::path::Path;

use crate::error::{EXIT_FAILURE, Result};
use crate::git;
use crate::output::default_out;
use crate::pipeline::compile;
use crate::process::{self, Invocation, Signals};
use crate::runner::ProcessEnvironment;
use crate::runner::engine::{BuildOptions, Driver, Engine, revision_in};
use crate::runner::select::select;
use crate::runner::target::tag;
use crate::style::Styles;
use assemble::{check_digest_tags, merge_all};
use restore::restore;

mod assemble;
mod restore;

/// What `tcgen publish` was asked to do.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// Distros to publish; empty: the default set, less the distros whose gated arguments are
    /// not set (what `tcgen build` builds).
    pub targets: Vec<String>,
    /// The engine whose tools reach the registry.
    pub engine: Engine,
    /// The registry prefix, without a trailing slash.
    pub registry: String,
    /// Move name tags even away from images built from commits `HEAD` does not contain.
    pub force: bool,
    /// Print the commands; move nothing.
    pub dry_run: bool,
    /// The repository root.
    pub root: std::path::PathBuf,
}

/// Runs `tcgen publish` for the spec at `spec`. Returns the exit code.
pub fn run(spec: &Path, request: &PublishRequest, styles: Styles) -> Result<i32> {
    let compiled = compile(spec, &default_out())?;
    let selection = select(&compiled, &request.targets, &ProcessEnvironment)?;
    for skipped in &selection.skipped {
        eprintln!("{} skipping {skipped}", styles.err.warning("warning:"));
    }
    let options = BuildOptions {
        registry: Some(request.registry.clone()),
        ..BuildOptions::default()
    };
    let releases: Vec<Release> = selection
        .targets
        .iter()
        .map(|name| {
            let distro = compiled.model.distro(name)?;
            let tag = tag(&options, &distro.image);
            Ok(Release {
                target: name.clone(),
                digest_tag: compiled.digest_tag(name, &tag),
                platform_tags: distro
                    .platforms
                    .iter()
                    .map(|p| compiled.platform_tag(name, &tag, p))
                    .collect(),
                tag,
            })
        })
        .collect::<Result<_>>()?;
    if request.dry_run {
        for release in &releases {
            println!("{}", move_command(request.engine, &request.root, release));
        }
        return Ok(0);
    }
    let options = PublishOptions {
        engine: request.engine,
        root: &request.root,
        force: request.force,
    };
    publish(options, &releases, &Signals::catch()?, styles)
}

/// One image to publish: its name tag and the digest tag it should point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The distro.
    pub target: String,
    /// The name tag (`REGISTRY/impala-toolchain-X`).
    pub tag: String,
    /// The digest tag (`REGISTRY/impala-toolchain-X:<12 hex>`).
    pub digest_tag: String,
    /// The per-platform tag of each platform of the distro (`<digest tag>-<arch>`): when the
    /// digest tag is missing, it is assembled from these (builds split over machines).
    pub platform_tags: Vec<String>,
}

/// How to publish.
#[derive(Debug, Clone, Copy)]
pub struct PublishOptions<'a> {
    /// The engine whose tools reach the registry.
    pub engine: Engine,
    /// The repository root, whose `HEAD` decides what is older.
    pub root: &'a Path,
    /// Move name tags even away from images built from commits `HEAD` does not contain.
    pub force: bool,
}

/// A name tag that does not point at its digest tag yet.
#[derive(Debug, Clone)]
struct Move<'a> {
    release: &'a Release,
    /// The digest the digest tag points at: where the name tag goes.
    to: String,
    /// The digest the name tag points at now; `None` when it does not exist.
    from: Option<String>,
}

/// The command that moves `release`'s name tag, as `--dry-run` shows it.
pub fn move_command(engine: Engine, root: &Path, release: &Release) -> Invocation {
    at_root(
        engine.driver().copy_tag(&release.digest_tag, &release.tag),
        root,
    )
}

/// Publishes `releases`. Returns the exit code: 0 when every name tag points at its digest tag
/// (moved now or already), 1 when a digest tag is missing, a move would go backwards, or a
/// move failed (and what could be was restored), 128 + the signal when one came meanwhile.
pub fn publish(
    options: PublishOptions,
    releases: &[Release],
    signals: &Signals,
    styles: Styles,
) -> Result<i32> {
    let driver = options.engine.driver();
    let Some(merges) = check_digest_tags(driver, releases, styles) else {
        return Ok(EXIT_FAILURE);
    };
    if !merge_all(options, &merges, styles)? {
        return Ok(signals
            .received()
            .map_or(EXIT_FAILURE, |signal| 128 + signal));
    }
    let Some(moves) = plan_moves(driver, releases, styles) else {
        return Ok(EXIT_FAILURE);
    };
    if moves.is_empty() {
        eprintln!(
            "{} nothing to move: every name tag ({}) already points at its digest tag",
            styles.err.good("published:"),
            releases.len()
        );
        return Ok(0);
    }
    if !options.force && refuse_backwards(driver, options.root, &moves, styles) {
        return Ok(EXIT_FAILURE);
    }
    let code = move_all(options, &moves, styles)?;
    if code == 0 {
        let already = releases.len() - moves.len();
        eprintln!(
            "{} every name tag ({}) now points at this build{}",
            styles.err.good("published:"),
            releases.len(),
            match already {
                0 => String::new(),
                n => format!(": {} moved, {n} already did", moves.len()),
            }
        );
    }
    Ok(signals.received().map_or(code, |signal| 128 + signal))
}

/// `invocation`, run from `root`.
pub(super) fn at_root(mut invocation: Invocation, root: &Path) -> Invocation {
    invocation.dir = Some(root.to_path_buf());
    invocation
}

/// Reads every digest tag and name tag, and returns the name tags that must move; `None`
/// (after saying which) when a digest tag is missing: then nothing may move.
fn plan_moves<'a>(
    driver: &dyn Driver,
    releases: &'a [Release],
    styles: Styles,
) -> Option<Vec<Move<'a>>> {
    let mut moves = Vec::new();
    let mut missing = Vec::new();
    for release in releases {
        match driver.registry_digest(&release.digest_tag) {
            None => missing.push(release.digest_tag.as_str()),
            Some(to) => {
                let from = driver.registry_digest(&release.tag);
                if from.as_deref() != Some(to.as_str()) {
                    moves.push(Move { release, to, from });
                }
            }
        }
    }
    if missing.is_empty() {
        return Some(moves);
    }
    eprintln!(
        "{} not published, no name tag moved: {} not in the registry (or it did not answer): {}",
        styles.err.error("error:"),
        if missing.len() == 1 {
            "this digest tag is"
        } else {
            "these digest tags are"
        },
        missing.join(", "),
    );
    None
}

/// Whether a move would take a name tag away from an image built from a commit that `HEAD`
/// does not contain (a newer fleet, published by a run for a later commit); says which.
fn refuse_backwards(driver: &dyn Driver, root: &Path, moves: &[Move], styles: Styles) -> bool {
    let newer: Vec<String> = moves
        .iter()
        .filter(|m| m.from.is_some())
        .filter_map(|m| {
            let output = process::capture_bytes(&driver.config(&m.release.tag), &[]).ok()?;
            let revision = revision_in(&output)?;
            (!git::head_contains(root, &revision))
                .then(|| format!("{} (built from {revision})", m.release.tag))
        })
        .collect();
    if newer.is_empty() {
        return false;
    }
    eprintln!(
        "{} not published, no name tag moved: {} images built from commits this one does not contain, so publishing would move them back: {}; publish from a commit that contains them, or pass --force to roll back on purpose",
        styles.err.error("error:"),
        if newer.len() == 1 {
            "a name tag points at"
        } else {
            "name tags point at"
        },
        newer.join(", ")
    );
    true
}

/// Moves each name tag in turn, signals held until every move (or the restore after a failed
/// one) has ended. Returns the exit code.
fn move_all(options: PublishOptions, moves: &[Move], styles: Styles) -> Result<i32> {
    let driver = options.engine.driver();
    for (done, current) in moves.iter().enumerate() {
        let (code, stderr) =
            process::run_held(&move_command(options.engine, options.root, current.release))?;
        let landed = code == 0
            && driver.registry_digest(&current.release.tag).as_deref() == Some(&current.to);
        if landed {
            continue;
        }
        eprintln!(
            "{} moving {} to {} failed (exit code {code}){}",
            styles.err.error("error:"),
            current.release.tag,
            current.release.digest_tag,
            if stderr.is_empty() {
                String::new()
            } else {
                format!(": {stderr}")
            }
        );
        restore(options, &moves[..done], styles)?;
        return Ok(EXIT_FAILURE);
    }
    Ok(0)
}
