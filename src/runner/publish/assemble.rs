//! Before any name tag moves: every digest tag must be in the registry, or be assembled there
//! from the per-platform tags that runners of each architecture pushed.

use super::{PublishOptions, Release, at_root};
use crate::error::Result;
use crate::process;
use crate::runner::engine::Driver;
use crate::style::Styles;

/// Checks that every digest tag is in the registry, or can be assembled from the per-platform
/// tags of its distro's platforms; returns the releases to assemble. `None` (after saying what
/// is missing) when one can be neither: then nothing may change.
pub(super) fn check_digest_tags<'a>(
    driver: &dyn Driver,
    releases: &'a [Release],
    styles: Styles,
) -> Option<Vec<&'a Release>> {
    let mut merges = Vec::new();
    let mut missing = Vec::new();
    for release in releases {
        if driver.registry_digest(&release.digest_tag).is_some() {
            continue;
        }
        let absent: Vec<&str> = release
            .platform_tags
            .iter()
            .filter(|tag| driver.registry_digest(tag).is_none())
            .map(String::as_str)
            .collect();
        if absent.is_empty() && !release.platform_tags.is_empty() {
            merges.push(release);
        } else {
            missing.push(format!(
                "{} (nor {})",
                release.digest_tag,
                absent.join(", ")
            ));
        }
    }
    if missing.is_empty() {
        return Some(merges);
    }
    eprintln!(
        "{} not published, nothing changed: not in the registry (or it did not answer): {}; build what is missing with --registry first (tcgen build DISTRO --platform PLATFORM --registry R --no-publish for one platform)",
        styles.err.error("error:"),
        missing.join("; ")
    );
    None
}

/// Assembles the digest tag of each of `merges` from its per-platform tags, signals held.
/// Returns whether every one was assembled.
pub(super) fn merge_all(
    options: PublishOptions,
    merges: &[&Release],
    styles: Styles,
) -> Result<bool> {
    let driver = options.engine.driver();
    for release in merges {
        let commands = driver.merge(&release.platform_tags, &release.digest_tag);
        for prepare in &commands.prepare {
            process::run_held(&at_root(prepare.clone(), options.root))?;
        }
        for step in &commands.steps {
            let (code, stderr) = process::run_held(&at_root(step.clone(), options.root))?;
            if code != 0 {
                eprintln!(
                    "{} assembling {} from {} failed (exit code {code}): {stderr}; no name tag moved",
                    styles.err.error("error:"),
                    release.digest_tag,
                    release.platform_tags.join(", ")
                );
                return Ok(false);
            }
        }
        eprintln!(
            "{} {} from {}",
            styles.err.good("assembled:"),
            release.digest_tag,
            release.platform_tags.join(", ")
        );
    }
    Ok(true)
}
