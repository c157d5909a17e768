//! `tcgen build --inventory`: each built image's installed packages, written next to its log as
//! `<distro>.inventory.json` (what `tcgen inventory --json` prints), for CI to keep and diff.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::packages::{Format, Inventory};
use crate::process::Invocation;
use crate::runner::Engine;
use crate::runner::engine::BuildOptions;
use crate::runner::inventory::{inventory, query};
use crate::runner::target::TargetBuild;

/// One inventory to read after a build: which image, at which platform, into which files.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryRead {
    /// The distro.
    pub target: String,
    /// The image: its digest (or per-platform) tag, pushed or local.
    pub image: String,
    /// The platform to read; `None`: the engine's own.
    pub platform: Option<String>,
    /// The package format of the distro's family.
    pub format: Format,
    /// The files it is written to.
    pub files: Vec<PathBuf>,
}

impl InventoryRead {
    /// The command that reads it.
    pub fn query(&self, engine: Engine) -> Invocation {
        query(
            engine,
            &self.image,
            self.platform.as_deref(),
            Some(self.format),
        )
    }
}

/// The inventories of one target's build. A build for one platform (the engine's own, or
/// `--platform`) gives `<distro>.inventory.json`; a build of several platforms gives that of the
/// first one the distro lists, and `<distro>.<arch>.inventory.json` of each.
pub fn reads(
    build: &TargetBuild,
    options: &BuildOptions,
    platforms: &[String],
    format: Format,
    log_dir: &Path,
) -> Vec<InventoryRead> {
    // A multi-platform build with no registry keeps its manifest list under the plain tag;
    // every other build has its digest (or per-platform) tag where the engine can run it.
    let image = match (options.multi, &options.registry) {
        (true, None) => build.tag.clone(),
        _ => build.push_tag.clone(),
    };
    let name = &build.target;
    let main_file = log_dir.join(format!("{name}.inventory.json"));
    let read = |platform: Option<&String>, files: Vec<PathBuf>| InventoryRead {
        target: name.clone(),
        image: image.clone(),
        platform: platform.cloned(),
        format,
        files,
    };
    if let Some(platform) = &options.platform {
        return vec![read(Some(platform), vec![main_file])];
    }
    if !options.multi || platforms.len() < 2 {
        return vec![read(None, vec![main_file])];
    }
    platforms
        .iter()
        .enumerate()
        .map(|(index, platform)| {
            let arch = platform.split_once('/').map_or(platform.as_str(), |p| p.1);
            let own = log_dir.join(format!("{name}.{}.inventory.json", arch.replace('/', "-")));
            let files = if index == 0 {
                vec![main_file.clone(), own]
            } else {
                vec![own]
            };
            read(Some(platform), files)
        })
        .collect()
}

/// Reads each inventory and writes its files; says on standard error what it wrote. `Err`
/// names the first inventory that could not be read or written, after trying them all.
pub fn write(engine: Engine, reads: &[InventoryRead]) -> Result<()> {
    let mut first_error = None;
    for read in reads {
        match read_one(engine, read) {
            Ok(inventory) => {
                for file in &read.files {
                    eprintln!(
                        "{}: {} packages in {}",
                        read.target,
                        inventory.packages.len(),
                        file.display()
                    );
                }
            }
            Err(error) => {
                eprintln!("{}: no inventory: {error}", read.target);
                first_error.get_or_insert(error);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

fn read_one(engine: Engine, read: &InventoryRead) -> Result<Inventory> {
    let found = inventory(
        engine,
        &read.image,
        &read.image,
        read.platform.as_deref(),
        Some(read.format),
    )?;
    let json = serde_json::to_string_pretty(&found).map_err(|e| Error::Template(e.to_string()))?;
    for file in &read.files {
        std::fs::write(file, format!("{json}\n"))
            .map_err(|e| Error::io(format!("cannot write {}", file.display()), e))?;
    }
    Ok(found)
}
