//! `tcgen inventory` and `tcgen diff` on a real engine: an image's installed packages, read by
//! running its own package database's query in a throw-away container.

use crate::error::{Error, Result};
use crate::packages::{self, Format, Inventory};
use crate::process::{self, Invocation};
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
    let output = process::capture(&query(engine, image, platform, prefer))?;
    packages::parse(label, &output).map_err(Error::Command)
}
