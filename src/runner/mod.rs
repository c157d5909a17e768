//! Drives a container engine: `tcgen build` (select → build → publish → report) and
//! `tcgen in-docker`. Every command is first built as an [`crate::process::Invocation`], plain
//! data that tests snapshot and `--dry-run` prints; only [`crate::process`] spawns processes.

pub mod build;
pub mod engine;
pub mod in_docker;
pub mod inventories;
pub mod inventory;
pub mod matrix;
mod progress;
pub mod publish;
mod report;
pub mod resolve;
mod schedule;
mod select;
mod target;

pub use engine::Engine;

use crate::error::{Error, Result};

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
