//! Which targets a build takes: the named ones or the default set, less those whose gated
//! arguments are not set, and with `--changed-since` only those whose inputs changed.

use std::path::Path;

use crate::error::{Error, Result};
use crate::pipeline::Compiled;
use crate::plan::rebuild_plan;
use crate::runner::Environment;

/// The targets to build and the warnings about those left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Distros to build, in spec order.
    pub targets: Vec<String>,
    /// Why a distro of the default set is skipped.
    pub skipped: Vec<String>,
}

/// Picks the targets: the named ones (each must exist and have its gated arguments set), or
/// every distro of the default set whose gated arguments are set.
pub fn select(
    compiled: &Compiled,
    requested: &[String],
    env: &dyn Environment,
) -> Result<Selection> {
    let set = |name: &str| env.get(name).is_some_and(|v| !v.is_empty());
    let mut selection = Selection {
        targets: Vec::new(),
        skipped: Vec::new(),
    };
    for name in requested {
        if selection.targets.contains(name) {
            continue;
        }
        let distro = compiled.model.distro(name)?;
        if let Some(arg) = distro.gated_args.iter().find(|a| !set(&a.name)) {
            return Err(Error::Usage(format!(
                "{name} needs {}: set it ({}), e.g. {}=... tcgen build {name}",
                arg.name, arg.description, arg.name
            )));
        }
        selection.targets.push(name.clone());
    }
    if requested.is_empty() {
        for distro in compiled.model.distros.iter().filter(|d| d.in_default_set) {
            match distro.gated_args.iter().find(|a| !set(&a.name)) {
                Some(arg) => selection
                    .skipped
                    .push(format!("{}: {} is not set", distro.name, arg.name)),
                None => selection.targets.push(distro.name.clone()),
            }
        }
    }
    Ok(selection)
}

/// Splits `targets` into those whose inputs changed since the commit `since` and those that did
/// not, both in their order.
pub fn changed_since(
    compiled: &Compiled,
    spec: &Path,
    out: &Path,
    since: &str,
    targets: Vec<String>,
) -> Result<(Vec<String>, Vec<String>)> {
    let plan = rebuild_plan(compiled, spec, out, Some(since))?;
    let changed = plan.changed_names();
    Ok(targets
        .into_iter()
        .partition(|name| changed.contains(name.as_str())))
}
