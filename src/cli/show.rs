//! `tcgen show DISTRO`: one distro's spec with the defaults merged in.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::checks_of;
use crate::output::default_out;
use crate::pipeline::compile;
use crate::spec::{Checks, Distro};

/// One distro as `tcgen show` prints it: the spec's entry with the defaults merged in, and the
/// names and digest tcgen derives.
#[derive(Debug, Serialize)]
struct Shown<'a> {
    name: &'a str,
    image: &'a str,
    digest_tag: String,
    input_digest: &'a str,
    #[serde(flatten)]
    distro: Distro,
    /// Everything the dependency assertion checks, tools' checks included.
    assertion_checks: Checks,
}

/// `tcgen show DISTRO`.
pub fn show_command(
    spec_path: &Path,
    name: &str,
    json: bool,
    stdout: &mut dyn Write,
) -> Result<()> {
    let compiled = compile(spec_path, &default_out())?;
    let model = compiled.model.distro(name)?;
    let distro = compiled.spec.with_defaults(&compiled.spec.distros[name]);
    let shown = Shown {
        name,
        image: &model.image,
        digest_tag: compiled.digest_tag(name, &model.image),
        input_digest: compiled.input_digest(name),
        assertion_checks: checks_of(&compiled.spec, &distro),
        distro,
    };
    if json {
        let text =
            serde_json::to_string_pretty(&shown).map_err(|e| Error::Template(e.to_string()))?;
        return writeln!(stdout, "{text}").map_err(Error::stdout);
    }
    let yaml = serde_yaml::to_string(&shown).map_err(|e| Error::Template(e.to_string()))?;
    write!(
        stdout,
        "# {name} as tcgen reads it from {}, with the defaults merged in.\n{yaml}",
        spec_path.display()
    )
    .map_err(Error::stdout)
}
