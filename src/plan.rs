//! `tcgen plan`: which images differ between a base commit and the working tree, and why.
//!
//! The working tree side is the spec rendered now. The base side is the spec as the commit has
//! it, rendered in memory, with the generated Dockerfiles and context files the commit has
//! committed taking the place of their rendered twins: those are what was built at that
//! commit, even when a newer tcgen renders differently.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::git::Revision;
use crate::lock::lock_path;
use crate::pipeline::{Compiled, compile_bytes};
use crate::render::digest::{ImageInputs, image_inputs};
use crate::words::count;

/// Why an image is in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// No base commit was given: every image is planned.
    NoBase,
    /// The base commit has no such image.
    New,
    /// The base commit's spec does not load with this tcgen, so nothing can be compared.
    BaseUnreadable {
        /// The loader's message.
        message: String,
    },
    /// The base image differs: another reference, or the same one locked to another digest.
    BaseImage {
        /// The `FROM` image at the base commit.
        old: String,
        /// The `FROM` image now.
        new: String,
    },
    /// The rendered Dockerfile differs (its `FROM` line aside).
    Dockerfile,
    /// A build-context file the image copies differs, or is copied by only one side.
    ContextFile {
        /// Its path inside the build context.
        path: String,
    },
    /// The build argument names differ.
    Args,
    /// The platform list differs.
    Platforms,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoBase => write!(f, "no base commit"),
            Reason::New => write!(f, "new image"),
            Reason::BaseUnreadable { message } => {
                write!(f, "the base spec does not load: {message}")
            }
            Reason::BaseImage { old, new } => write!(f, "base image {old} -> {new}"),
            Reason::Dockerfile => write!(f, "Dockerfile"),
            Reason::ContextFile { path } => write!(f, "context file {path}"),
            Reason::Args => write!(f, "build arguments"),
            Reason::Platforms => write!(f, "platforms"),
        }
    }
}

/// One image that needs building.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Distro name (the bake target).
    pub name: String,
    /// Its input digest now.
    pub digest: String,
    /// The digest tag it gets: `<image>:<short digest>`.
    pub digest_tag: String,
    /// Its input digest at the base commit, when it had the image.
    pub previous_digest: Option<String>,
    /// What differs.
    pub reasons: Vec<Reason>,
}

/// The base commit a plan compares with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Base {
    /// The name given on the command line.
    pub name: String,
    /// The commit it resolved to.
    pub commit: String,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The base commit, if any.
    pub since: Option<Base>,
    /// Images to build, in spec order.
    pub changed: Vec<Change>,
    /// Images whose digest is the same at the base commit.
    pub unchanged: Vec<String>,
    /// Images the base commit had and the working tree does not.
    pub removed: Vec<String>,
}

impl Plan {
    /// Names of the images to build.
    pub fn changed_names(&self) -> BTreeSet<&str> {
        self.changed.iter().map(|c| c.name.as_str()).collect()
    }
}

/// The base side of a comparison.
#[derive(Debug, Clone)]
pub enum BaseInputs {
    /// No base commit: everything is planned.
    None,
    /// The base spec could not be loaded: everything is planned, with this message.
    Unreadable(String),
    /// Each image's inputs at the base commit (empty when it had no spec).
    Images(BTreeMap<String, ImageInputs>),
}

/// Compares the images of `now` with the base. Pure.
pub fn compare(base: &BaseInputs, now: &Compiled) -> Plan {
    let mut plan = Plan {
        since: None,
        changed: Vec::new(),
        unchanged: Vec::new(),
        removed: Vec::new(),
    };
    let current = image_inputs(&now.model, &now.rendered.files);
    for distro in &now.model.distros {
        let inputs = &current[&distro.name];
        let digest = now.input_digest(&distro.name).to_owned();
        let (previous_digest, reasons) = match base {
            BaseInputs::None => (None, vec![Reason::NoBase]),
            BaseInputs::Unreadable(message) => (
                None,
                vec![Reason::BaseUnreadable {
                    message: message.clone(),
                }],
            ),
            BaseInputs::Images(images) => match images.get(&distro.name) {
                None => (None, vec![Reason::New]),
                Some(before) => (Some(before.digest()), differences(before, inputs)),
            },
        };
        if reasons.is_empty() {
            plan.unchanged.push(distro.name.clone());
            continue;
        }
        plan.changed.push(Change {
            name: distro.name.clone(),
            digest_tag: now.digest_tag(&distro.name, &distro.image),
            digest,
            previous_digest,
            reasons,
        });
    }
    if let BaseInputs::Images(images) = base {
        let current: BTreeSet<&str> = now.model.distros.iter().map(|d| d.name.as_str()).collect();
        plan.removed = images
            .keys()
            .filter(|name| !current.contains(name.as_str()))
            .cloned()
            .collect();
    }
    plan
}

/// What differs between two sets of inputs of one image.
fn differences(before: &ImageInputs, after: &ImageInputs) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if before.base != after.base {
        reasons.push(Reason::BaseImage {
            old: before.base.clone(),
            new: after.base.clone(),
        });
    }
    if before.dockerfile != after.dockerfile {
        reasons.push(Reason::Dockerfile);
    }
    let paths: BTreeSet<&String> = before.context.keys().chain(after.context.keys()).collect();
    for path in paths {
        if before.context.get(path) != after.context.get(path) {
            reasons.push(Reason::ContextFile { path: path.clone() });
        }
    }
    if before.args != after.args {
        reasons.push(Reason::Args);
    }
    if before.platforms != after.platforms {
        reasons.push(Reason::Platforms);
    }
    reasons
}

/// Each image's inputs at `revision`: its spec rendered in memory, with the generated files
/// the commit has under `out` in place of their rendered twins.
pub fn base_inputs(revision: &Revision, spec_path: &Path, out: &Path) -> Result<BaseInputs> {
    let lock_file = lock_path(spec_path);
    let mut read = revision.read(&[spec_path.to_owned(), lock_file.clone()])?;
    let Some(Some(bytes)) = read.remove(spec_path) else {
        return Ok(BaseInputs::Images(BTreeMap::new()));
    };
    let lock = read.remove(&lock_file).flatten();
    let label = PathBuf::from(format!("{}:{}", revision.name, spec_path.display()));
    let mut compiled = match compile_bytes(&label, &bytes, lock.as_deref(), spec_path, out) {
        Ok(compiled) => compiled,
        Err(Error::Spec(diagnostics)) => {
            let message = diagnostics
                .first()
                .map(|d| format!("{}: {}", d.location, d.message))
                .unwrap_or_default();
            return Ok(BaseInputs::Unreadable(message));
        }
        Err(other) => return Err(other),
    };
    let image_files: Vec<String> = compiled
        .rendered
        .files
        .keys()
        .filter(|p| p.ends_with(".Dockerfile") || p.starts_with("context/"))
        .cloned()
        .collect();
    let paths: Vec<PathBuf> = image_files.iter().map(|p| out.join(p)).collect();
    let committed = revision.read(&paths)?;
    for (relative, path) in image_files.into_iter().zip(&paths) {
        if let Some(Some(bytes)) = committed.get(path) {
            compiled.rendered.files.insert(relative, bytes.clone());
        }
    }
    Ok(BaseInputs::Images(image_inputs(
        &compiled.model,
        &compiled.rendered.files,
    )))
}

/// The plan for `now`, the spec at `spec_path` compiled, compared with `since` when given.
pub fn rebuild_plan(
    now: &Compiled,
    spec_path: &Path,
    out: &Path,
    since: Option<&str>,
) -> Result<Plan> {
    let Some(name) = since else {
        return Ok(compare(&BaseInputs::None, now));
    };
    let dir =
        std::env::current_dir().map_err(|e| Error::io("cannot find the current directory", e))?;
    let revision = Revision::resolve(&dir, name)?;
    let base = base_inputs(&revision, spec_path, out)?;
    if let BaseInputs::Unreadable(message) = &base {
        eprintln!(
            "warning: the spec at {name} does not load, so every image is planned: {message}"
        );
    }
    let mut plan = compare(&base, now);
    plan.since = Some(Base {
        name: revision.name,
        commit: revision.commit,
    });
    Ok(plan)
}

/// The plan for people.
pub fn plan_text(plan: &Plan) -> String {
    use std::fmt::Write as _;
    let total = plan.changed.len() + plan.unchanged.len();
    let mut text = String::new();
    let _ = match &plan.since {
        Some(base) => writeln!(
            text,
            "{} of {} changed since {} ({})",
            plan.changed.len(),
            count(total, "image"),
            base.name,
            &base.commit[..base.commit.len().min(12)]
        ),
        None => writeln!(
            text,
            "{} (no --changed-since: every image is planned)",
            count(total, "image")
        ),
    };
    let width = plan.changed.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let tag_width = plan
        .changed
        .iter()
        .map(|c| c.digest_tag.len())
        .max()
        .unwrap_or(0);
    for change in &plan.changed {
        let reasons: Vec<String> = change.reasons.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            text,
            "  {:width$}  {:tag_width$}  {}",
            change.name,
            change.digest_tag,
            reasons.join("; ")
        );
    }
    if plan.since.is_some() && !plan.unchanged.is_empty() {
        let _ = writeln!(text, "unchanged: {}", plan.unchanged.join(", "));
    }
    if !plan.removed.is_empty() {
        let _ = writeln!(text, "removed: {}", plan.removed.join(", "));
    }
    text
}
