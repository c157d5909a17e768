//! `tcgen inventory` and `tcgen diff` on a real engine: an image's installed packages, read by
//! running its own package database's query in a throw-away container.

use crate::error::{Error, Result};
use crate::packages::{self, Format, Inventory};
use crate::process::{self, Captured, Invocation};
use crate::runner::Engine;

/// The command that prints `image`'s packages (see [`packages::query_script`]).
pub fn query(
    engine: Engine,
    image: &str,
    platform: Option<&str>,
    prefer: Option<Format>,
) -> Invocation {
    let mut args: Vec<String> = ["run", "--rm"].map(String::from).to_vec();
    if let Some(platform) = platform {
        args.extend(["--platform".into(), platform.to_owned()]);
    }
    args.extend([
        "--entrypoint".into(),
        "sh".into(),
        image.to_owned(),
        "-c".into(),
    ]);
    args.push(packages::query_script(prefer));
    Invocation::new(engine.program(), args)
}

/// The installed packages of `image`, named as `label` in the result.
pub fn inventory(
    engine: Engine,
    image: &str,
    label: &str,
    platform: Option<&str>,
    prefer: Option<Format>,
) -> Result<Inventory> {
    match process::capture_outcome(&query(engine, image, platform, prefer))? {
        Captured::Output(output) => packages::parse(label, &output).map_err(Error::Command),
        // docker and podman exit 125 when they cannot run the container at all.
        Captured::Failed { code: 125, stderr } => Err(Error::Command(format!(
            "cannot read the packages of {image}: {} cannot run it: {}",
            engine.program(),
            last_line(&stderr)
        ))),
        Captured::Failed { code, stderr } => Err(Error::Command(format!(
            "cannot read the packages of {image}: its package query failed (exit code {code}): {}",
            last_line(&stderr)
        ))),
    }
}

/// The last line of what a command said: the engine's own reason, after its progress lines.
fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("it said nothing")
}

/// The ID (`sha256:…`) of the local image `image`, for an SBOM's subject. None for a platform
/// other than the engine's own (a local name then stands for another image) or when the
/// engine does not know the image.
pub fn image_id(engine: Engine, image: &str, platform: Option<&str>) -> Option<String> {
    if platform.is_some() {
        return None;
    }
    let inspect = Invocation::new(
        engine.program(),
        ["image", "inspect", "--format", "{{.Id}}", image]
            .map(String::from)
            .to_vec(),
    );
    let id = process::capture(&inspect).ok()?;
    let id = id.trim().trim_start_matches("sha256:");
    crate::hash::is_sha256_hex(id, true).then(|| format!("sha256:{id}"))
}
