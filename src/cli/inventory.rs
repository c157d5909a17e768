//! `tcgen inventory` and `tcgen diff`: the packages installed in an image, and what changes
//! between two images (or saved inventories), for reviewers of image changes.

use std::io::Write;
use std::path::Path;

use super::choices::EngineArg;
use crate::error::{Error, Result};
use crate::packages::report::{diff_markdown, diff_text, inventory_text};
use crate::packages::sbom::cyclonedx;
use crate::packages::{Format, Inventory, diff};
use crate::render::script_names;
use crate::runner::Engine;
use crate::runner::inventory::{image_id, inventory};
use crate::spec::load::load_file;

/// The arguments of `tcgen inventory`.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct InventoryArgs {
    /// An image reference, or a distro of the spec (its built image).
    #[arg(value_name = "IMAGE")]
    image: String,
    /// The platform to read, for a multi-platform image.
    #[arg(long, value_name = "PLATFORM")]
    platform: Option<String>,
    /// Print JSON: {"image", "format", "packages": [{"name", "version", "arch"}, ...]}.
    #[arg(long, conflicts_with = "sbom")]
    json: bool,
    /// Print a CycloneDX 1.5 JSON SBOM: the image as subject, each package with its package URL.
    #[arg(long)]
    sbom: bool,
    /// Container engine.
    #[arg(long, value_enum, default_value = "docker")]
    engine: EngineArg,
}

/// The arguments of `tcgen diff`.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct DiffArgs {
    /// The old side: an image reference, a distro of the spec, or a file `inventory --json` wrote.
    #[arg(value_name = "OLD")]
    old: String,
    /// The new side, as OLD.
    #[arg(value_name = "NEW")]
    new: String,
    /// Print JSON: {"added", "removed", "changed"}.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print Markdown for a pull-request comment.
    #[arg(long)]
    markdown: bool,
    /// The platform to read, for multi-platform images.
    #[arg(long, value_name = "PLATFORM")]
    platform: Option<String>,
    /// Container engine.
    #[arg(long, value_enum, default_value = "docker")]
    engine: EngineArg,
}

/// `tcgen inventory IMAGE`.
pub fn inventory_command(spec: &Path, args: InventoryArgs, stdout: &mut dyn Write) -> Result<()> {
    let engine: Engine = args.engine.into();
    let platform = args.platform.as_deref();
    let source = source(spec, &args.image)?;
    let found = side(&source, engine, platform)?;
    let text = if args.sbom {
        let id = match &source {
            Source::Image(image) | Source::Distro(_, image, _) => image_id(engine, image, platform),
            Source::Saved(_) => None,
        };
        format!(
            "{}\n",
            cyclonedx(&found, id.as_deref()).map_err(Error::Command)?
        )
    } else if args.json {
        format!("{}\n", to_json(&found)?)
    } else {
        inventory_text(&found)
    };
    write!(stdout, "{text}").map_err(Error::stdout)
}

/// `tcgen diff OLD NEW`.
pub fn diff_command(spec: &Path, args: DiffArgs, stdout: &mut dyn Write) -> Result<()> {
    let engine: Engine = args.engine.into();
    let platform = args.platform.as_deref();
    let old = side(&source(spec, &args.old)?, engine, platform)?;
    let new = side(&source(spec, &args.new)?, engine, platform)?;
    if old.format != new.format {
        return Err(Error::Usage(format!(
            "{} has {} packages and {} has {} packages: they cannot be compared package by package; compare two images of the same family",
            old.image,
            old.format.name(),
            new.image,
            new.format.name()
        )));
    }
    let changes = diff(&old, &new);
    let text = if args.json {
        format!("{}\n", to_json(&changes)?)
    } else if args.markdown {
        diff_markdown(&old.image, &new.image, &changes)
    } else {
        diff_text(&old.image, &new.image, &changes)
    };
    write!(stdout, "{text}").map_err(Error::stdout)
}

/// What a name on the command line stands for.
enum Source {
    /// A file `inventory --json` wrote.
    Saved(std::path::PathBuf),
    /// An image reference; its package format is detected.
    Image(String),
    /// A distro of the spec: its name, its image, and its family's package format.
    Distro(String, String, Format),
}

/// Reads `name`: a saved inventory (an existing `.json` file), a distro of the spec (its image,
/// read as its family's format), or an image reference.
fn source(spec: &Path, name: &str) -> Result<Source> {
    let path = Path::new(name);
    if name.ends_with(".json") {
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "{name}: no such file; name a file `tcgen inventory --json` wrote, a distro of the spec, or an image"
            )));
        }
        return Ok(Source::Saved(path.to_owned()));
    }
    if spec.is_file() {
        let spec = load_file(spec, &script_names())?;
        if let Some(distro) = spec.distros.get(name) {
            return Ok(Source::Distro(
                name.to_owned(),
                format!("{}{name}", spec.image_prefix),
                Format::of_family(distro.family),
            ));
        }
    }
    Ok(Source::Image(name.to_owned()))
}

/// One side's inventory: read from the saved file, or by the image's own package query.
fn side(source: &Source, engine: Engine, platform: Option<&str>) -> Result<Inventory> {
    match source {
        Source::Saved(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
            serde_json::from_slice(&bytes).map_err(|e| {
                Error::Usage(format!(
                    "{} is not an inventory that `tcgen inventory --json` wrote: {e}",
                    path.display()
                ))
            })
        }
        Source::Image(image) => inventory(engine, image, image, platform, None),
        Source::Distro(distro, image, format) => {
            inventory(engine, image, image, platform, Some(*format)).map_err(|e| {
                Error::Command(format!(
                    "{e}\n  hint: `tcgen build {distro}` builds {image} here; `tcgen inventory REGISTRY/{image}` reads a published one"
                ))
            })
        }
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Template(e.to_string()))
}
