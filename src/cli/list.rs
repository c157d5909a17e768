//! `tcgen list [--json]`: every distro with its image, platforms, label and digest.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::pipeline::compile;
use crate::table::aligned;

/// One row of `tcgen list`.
#[derive(Debug, Serialize)]
struct ListEntry<'a> {
    name: &'a str,
    image: &'a str,
    base_image: &'a str,
    family: &'a str,
    platforms: &'a [String],
    label: &'a str,
    gated_args: Vec<&'a str>,
    input_digest: &'a str,
    digest_tag: String,
}

/// `tcgen list [--json | --names]`.
pub fn list_command(
    spec_path: &Path,
    out: &Path,
    json: bool,
    names: bool,
    stdout: &mut dyn Write,
) -> Result<()> {
    let compiled = compile(spec_path, out)?;
    if names {
        for distro in &compiled.model.distros {
            writeln!(stdout, "{}", distro.name).map_err(Error::stdout)?;
        }
        return Ok(());
    }
    let entries: Vec<ListEntry> = compiled
        .model
        .distros
        .iter()
        .map(|d| ListEntry {
            name: &d.name,
            image: &d.image,
            base_image: &d.base_image,
            family: &d.family,
            platforms: &d.platforms,
            label: &d.label,
            gated_args: d.gated_args.iter().map(|a| a.name.as_str()).collect(),
            input_digest: compiled.input_digest(&d.name),
            digest_tag: compiled.digest_tag(&d.name, &d.image),
        })
        .collect();
    if json {
        let text =
            serde_json::to_string_pretty(&entries).map_err(|e| Error::Template(e.to_string()))?;
        return writeln!(stdout, "{text}").map_err(Error::stdout);
    }
    write!(stdout, "{}", table(&entries)).map_err(Error::stdout)
}

/// The entries as an aligned table, the digest tag shortened to its tag.
fn table(entries: &[ListEntry]) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.name.to_owned(),
                e.base_image.to_owned(),
                e.platforms.join(","),
                e.label.to_owned(),
                if e.gated_args.is_empty() {
                    "-".to_owned()
                } else {
                    e.gated_args.join(",")
                },
                e.digest_tag
                    .rsplit(':')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            ]
        })
        .collect();
    let header = [
        "NAME",
        "BASE IMAGE",
        "PLATFORMS",
        "LABEL",
        "GATED ARGS",
        "INPUT DIGEST",
    ];
    aligned(&header, &rows, &|_, _, cell| cell)
}
