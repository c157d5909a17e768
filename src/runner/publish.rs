//! Publishing a fleet: once every target has built, each name tag is pointed at its digest tag
//! by copying the manifest (or manifest list) inside the registry, so that consumers of the
//! name tags see the whole fleet change at once.

use crate::error::Result;
use crate::process::{self, Invocation, Outcome, Signals};
use crate::runner::engine::Engine;
use crate::runner::target::TargetBuild;
use crate::style::Styles;

/// The command that moves each target's name tag to its digest tag, by target, run from `root`.
pub fn moves(
    engine: Engine,
    root: &std::path::Path,
    builds: &[TargetBuild],
) -> Vec<(String, Invocation)> {
    let driver = engine.driver();
    builds
        .iter()
        .map(|build| {
            let mut invocation = driver.copy_tag(&build.digest_tag, &build.tag);
            invocation.dir = Some(root.to_path_buf());
            (build.target.clone(), invocation)
        })
        .collect()
}

/// Moves every target's name tag to its digest tag, logging to each target's log. Returns
/// whether every name tag moved.
pub fn publish(
    engine: Engine,
    root: &std::path::Path,
    builds: &[TargetBuild],
    signals: &Signals,
    styles: Styles,
) -> Result<bool> {
    let mut moved = 0;
    for ((target, retag), build) in moves(engine, root, builds).iter().zip(builds) {
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
