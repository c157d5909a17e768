//! `tcgen show DISTRO`: one distro's spec with the defaults merged in.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::lock::Lock;
use crate::model::{checks_of, lockable_bases, tools_of};
use crate::output::default_out;
use crate::pipeline::compile_spec;
use crate::render::digest::digest_tag;
use crate::render::script_names;
use crate::spec::load::load_file;
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
    let spec = load_file(spec_path, &script_names())?;
    let lock = Lock::read(spec_path, Some(&lockable_bases(&spec)))?;
    let compiled = compile_spec(&spec, lock.as_ref(), spec_path, &default_out())?;
    let model = compiled.model.distro(name)?;
    let entry = &spec.distros[name];
    let digest = &compiled.rendered.digests[name];
    let mut distro = entry.clone();
    distro.platforms = Some(model.platforms.clone());
    distro.tools = Some(tools_of(&spec, entry).to_vec());
    distro.checks = Some(
        entry
            .checks
            .clone()
            .unwrap_or_else(|| spec.defaults.checks.clone()),
    );
    distro.lsb_release = Some(entry.lsb_release.unwrap_or(spec.defaults.lsb_release));
    distro.assert_python = Some(
        entry
            .assert_python
            .clone()
            .unwrap_or_else(|| spec.defaults.assert_python.clone()),
    );
    distro.in_default_set = Some(model.in_default_set);
    let shown = Shown {
        name,
        image: &model.image,
        digest_tag: digest_tag(&model.image, digest),
        input_digest: digest,
        distro,
        assertion_checks: checks_of(&spec, entry),
    };
    if json {
        let text =
            serde_json::to_string_pretty(&shown).map_err(|e| Error::Template(e.to_string()))?;
        return writeln!(stdout, "{text}")
            .map_err(|e| Error::io("cannot write to standard output", e));
    }
    let yaml = serde_yaml::to_string(&shown).map_err(|e| Error::Template(e.to_string()))?;
    write!(
        stdout,
        "# {name} as tcgen reads it from {}, with the defaults merged in.\n{yaml}",
        spec_path.display()
    )
    .map_err(|e| Error::io("cannot write to standard output", e))
}
