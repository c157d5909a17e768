//! The commands behind the CLI, as functions of their options: load, decide and render the spec,
//! then write, check or list. `main.rs` only parses arguments and maps errors to exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::digest::digest_tag;
use crate::error::{Error, Result};
use crate::files;
use crate::load::{load_bytes, load_file};
use crate::model::{Model, checks_of, decide, tools_of};
use crate::render::{Provenance, Rendered, render, script_names};
use crate::spec::{Checks, Distro};
use crate::style::Style;
use crate::table::aligned;
use crate::validate::ValidSpec;

/// The spec, loaded, decided and rendered in memory.
pub struct Compiled {
    /// The decided model.
    pub model: Model,
    /// The rendered files and digests.
    pub rendered: Rendered,
}

/// Loads `spec_path` and renders it for the output directory `out`.
pub fn compile(spec_path: &Path, out: &Path) -> Result<Compiled> {
    let spec = load_file(spec_path, &script_names())?;
    compile_spec(&spec, spec_path, out)
}

/// Renders spec `bytes` read from elsewhere (a git commit) as if they were at `spec_path`;
/// `label` names them in messages.
pub fn compile_bytes(label: &Path, bytes: &[u8], spec_path: &Path, out: &Path) -> Result<Compiled> {
    let spec = load_bytes(label, bytes, &script_names())?;
    compile_spec(&spec, spec_path, out)
}

fn compile_spec(spec: &ValidSpec, spec_path: &Path, out: &Path) -> Result<Compiled> {
    let model = decide(spec);
    let rendered = render(&model, &provenance(spec_path, out))?;
    Ok(Compiled { model, rendered })
}

/// What the banner and bake file say: the spec by file name, the command that regenerates,
/// and the context directory as seen from where bake runs.
fn provenance(spec_path: &Path, out: &Path) -> Provenance {
    let spec_name = spec_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "distros.yaml".to_owned());
    let mut regenerate = String::from("tcgen render");
    if spec_name != "distros.yaml" {
        regenerate.push_str(&format!(" --spec {spec_name}"));
    }
    let out_name = portable(out);
    if out_name != "generated" && out.is_relative() {
        regenerate.push_str(&format!(" --out {out_name}"));
    }
    Provenance {
        spec_name,
        regenerate,
        context_dir: format!("{out_name}/context"),
    }
}

/// A path with `/` separators, as generated files spell it.
fn portable(path: &Path) -> String {
    path.to_string_lossy()
        .replace('\\', "/")
        .trim_end_matches('/')
        .to_owned()
}

/// What `render` did, for the exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum RenderOutcome {
    /// The directory already matched (or was written to match).
    UpToDate,
    /// `--check` found drift.
    Stale,
}

/// `tcgen render [--check]`.
pub fn render_command(
    spec_path: &Path,
    out: &Path,
    check: bool,
    stdout: &mut dyn Write,
    style: Style,
) -> Result<RenderOutcome> {
    let compiled = compile(spec_path, out)?;
    files::refuse_unsafe_output(out, spec_path)?;
    let files = &compiled.rendered.files;
    let io = |e| Error::io("cannot write to standard output", e);
    if check {
        let drift = files::check(files, out)?;
        write!(stdout, "{}", drift.foreign_note(out)).map_err(io)?;
        if drift.is_empty() {
            writeln!(
                stdout,
                "{} is up to date ({} files)",
                out.display(),
                files.len()
            )
            .map_err(io)?;
            return Ok(RenderOutcome::UpToDate);
        }
        write!(stdout, "{}", style.diff(&drift.report(out))).map_err(io)?;
        writeln!(
            stdout,
            "\n{} is stale: run `{}` and commit the result",
            out.display(),
            provenance(spec_path, out).regenerate
        )
        .map_err(io)?;
        return Ok(RenderOutcome::Stale);
    }
    let drift = files::write(files, out)?;
    let (context_files, context_bytes) = files
        .iter()
        .filter(|(path, _)| path.starts_with("context/"))
        .fold((0, 0), |(count, bytes), (_, content)| {
            (count + 1, bytes + content.len())
        });
    writeln!(
        stdout,
        "rendered {} files into {}: {} changed, {} added, {} removed; build context: {context_files} files, {:.1} KiB",
        files.len(),
        out.display(),
        drift.changed.len(),
        drift.missing.len(),
        drift.orphaned.len(),
        context_bytes as f64 / 1024.0
    )
    .map_err(io)?;
    write!(stdout, "{}", drift.foreign_note(out)).map_err(io)?;
    Ok(RenderOutcome::UpToDate)
}

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

/// `tcgen list [--json]`.
pub fn list_command(
    spec_path: &Path,
    out: &Path,
    json: bool,
    stdout: &mut dyn Write,
) -> Result<()> {
    let compiled = compile(spec_path, out)?;
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
            input_digest: &compiled.rendered.digests[&d.name],
            digest_tag: digest_tag(&d.image, &compiled.rendered.digests[&d.name]),
        })
        .collect();
    let io = |e| Error::io("cannot write to standard output", e);
    if json {
        let text =
            serde_json::to_string_pretty(&entries).map_err(|e| Error::Template(e.to_string()))?;
        return writeln!(stdout, "{text}").map_err(io);
    }
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
            ]
        })
        .collect();
    let header = ["NAME", "BASE IMAGE", "PLATFORMS", "LABEL", "GATED ARGS"];
    write!(stdout, "{}", aligned(&header, &rows, &|_, _, cell| cell)).map_err(io)?;
    Ok(())
}

/// The default output directory.
pub fn default_out() -> PathBuf {
    PathBuf::from("generated")
}

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
pub fn show_command(spec_path: &Path, name: &str, stdout: &mut dyn Write) -> Result<()> {
    let spec = load_file(spec_path, &script_names())?;
    let compiled = compile_spec(&spec, spec_path, &default_out())?;
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
    let yaml = serde_yaml::to_string(&shown).map_err(|e| Error::Template(e.to_string()))?;
    write!(
        stdout,
        "# {name} as tcgen reads it from {}, with the defaults merged in.\n{yaml}",
        spec_path.display()
    )
    .map_err(|e| Error::io("cannot write to standard output", e))
}
