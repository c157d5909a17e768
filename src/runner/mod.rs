//! Drives a container engine: `tcgen build` (bake or podman build) and `tcgen in-docker`.
//! Every command is first built as an [`process::Invocation`], plain data that tests snapshot and
//! `--dry-run` prints; only [`exec`] spawns processes.

pub mod build;
pub mod in_docker;
pub mod progress;
pub mod report;
pub mod resolve;
pub mod schedule;

use crate::error::{Error, Result};

/// The container engine a command runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// `docker` (with the buildx plugin for `tcgen build`).
    Docker,
    /// `podman`.
    Podman,
}

impl Engine {
    /// The program name, which may be overridden by `TCGEN_DOCKER` / `TCGEN_PODMAN`.
    pub fn program(self) -> String {
        let (variable, default) = match self {
            Engine::Docker => ("TCGEN_DOCKER", "docker"),
            Engine::Podman => ("TCGEN_PODMAN", "podman"),
        };
        std::env::var(variable).unwrap_or_else(|_| default.to_owned())
    }
}

/// The program that copies and inspects images in registries for podman: skopeo, or
/// `TCGEN_SKOPEO`.
pub fn skopeo() -> String {
    std::env::var("TCGEN_SKOPEO").unwrap_or_else(|_| "skopeo".to_owned())
}

/// Reads an environment variable as the runner sees it; tests give their own.
pub trait Environment {
    /// The value of `name`, if it is set (an empty value counts as set).
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Environment for std::collections::BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// A path as a mount source: absolute, and free of ':' (the separator of `-v`).
fn mount_path(path: &std::path::Path) -> Result<String> {
    let text = path.to_string_lossy().into_owned();
    if text.contains(':') {
        return Err(Error::Usage(format!(
            "{text} contains ':', which cannot be mounted (':' separates the parts of -v); move it to a path without ':'"
        )));
    }
    Ok(text)
}
