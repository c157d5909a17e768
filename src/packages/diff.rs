//! What changes between two inventories: packages added, removed, and changed from one version
//! to another, each package known by its name and architecture.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Inventory, Package};

/// A package whose version changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Its name.
    pub name: String,
    /// Its architecture.
    pub arch: String,
    /// The version before.
    pub old: String,
    /// The version after.
    pub new: String,
}

/// What changed from one inventory to another, each list sorted by name and architecture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Packages only in the new one.
    pub added: Vec<Package>,
    /// Packages only in the old one.
    pub removed: Vec<Package>,
    /// Packages in both, at other versions.
    pub changed: Vec<Change>,
}

impl Diff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// What changed from `old` to `new`.
pub fn diff(old: &Inventory, new: &Inventory) -> Diff {
    let key = |p: &Package| (p.name.clone(), p.arch.clone());
    let before: BTreeMap<_, _> = old.packages.iter().map(|p| (key(p), p)).collect();
    let after: BTreeMap<_, _> = new.packages.iter().map(|p| (key(p), p)).collect();
    let mut result = Diff {
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    };
    for (key, package) in &after {
        match before.get(key) {
            None => result.added.push((*package).clone()),
            Some(was) if was.version != package.version => result.changed.push(Change {
                name: package.name.clone(),
                arch: package.arch.clone(),
                old: was.version.clone(),
                new: package.version.clone(),
            }),
            Some(_) => {}
        }
    }
    result.removed = before
        .iter()
        .filter(|(key, _)| !after.contains_key(*key))
        .map(|(_, p)| (*p).clone())
        .collect();
    result
}
