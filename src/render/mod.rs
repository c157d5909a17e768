//! Model to files: the embedded tera templates and scripts, and the banner every generated file
//! opens with. Pure: nothing here touches the filesystem.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;
use tera::{Context, Tera};

pub(crate) mod digest;
pub mod dockerfile;
pub(crate) mod manifest;
pub(crate) mod schema;

use crate::error::{Error, Result};
use crate::model::{ContextFile, GatedArg, Model};
use crate::output::{BANNER_MARK, FileSet};
use digest::{image_inputs, short_digest};
use dockerfile::check_run_commands;
use manifest::MANIFEST_FILE;
use schema::{SCHEMA_FILE, schema_json};

/// The tera templates, embedded in the binary and named by their path under `templates/`.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "Dockerfile.tera",
        include_str!("../../templates/Dockerfile.tera"),
    ),
    (
        "bake.hcl.tera",
        include_str!("../../templates/bake.hcl.tera"),
    ),
    (
        "Makefile.tera",
        include_str!("../../templates/Makefile.tera"),
    ),
    ("repo.tera", include_str!("../../templates/repo.tera")),
    (
        "families/apt.tera",
        include_str!("../../templates/families/apt.tera"),
    ),
    (
        "families/yum.tera",
        include_str!("../../templates/families/yum.tera"),
    ),
    (
        "families/dnf.tera",
        include_str!("../../templates/families/dnf.tera"),
    ),
    (
        "families/zypper.tera",
        include_str!("../../templates/families/zypper.tera"),
    ),
];

/// The shell scripts images copy, by file name under `templates/scripts/`: every `.sh` file
/// there, embedded by `build.rs`.
const SCRIPTS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/scripts.rs"));

/// Names of the scripts a tool may use.
pub fn script_names() -> Vec<&'static str> {
    SCRIPTS.iter().map(|(name, _)| *name).collect()
}

/// What the rendered files say about where they come from.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The spec's file name, as the banner names it (`distros.yaml`).
    pub spec_name: String,
    /// The command that regenerates the files.
    pub regenerate: String,
    /// The build context directory as bake sees it from the repository root (`generated/context`).
    pub context_dir: String,
}

/// The output of [`render`].
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Every generated file.
    pub files: FileSet,
    /// The input digest of each image, by distro name.
    pub digests: BTreeMap<String, String>,
}

/// What the fleet-wide templates (bake.hcl, Makefile) read: every image without its
/// Dockerfile instructions, which would only make the template context large.
#[derive(Serialize)]
struct FleetView<'a> {
    image_prefix: &'a str,
    source: &'a str,
    gated_args: &'a [GatedArg],
    always_default: &'a [String],
    distros: Vec<TargetView<'a>>,
}

/// One image as the fleet-wide templates see it.
#[derive(Serialize)]
struct TargetView<'a> {
    name: &'a str,
    image: &'a str,
    platforms: &'a [String],
    gated_args: &'a [GatedArg],
    in_default_set: bool,
    digest: &'a str,
    short_digest: &'a str,
}

impl<'a> FleetView<'a> {
    fn of(model: &'a Model, digests: &'a BTreeMap<String, String>) -> Self {
        FleetView {
            image_prefix: &model.image_prefix,
            source: &model.source,
            gated_args: &model.gated_args,
            always_default: &model.always_default,
            distros: model
                .distros
                .iter()
                .map(|d| TargetView {
                    name: &d.name,
                    image: &d.image,
                    platforms: &d.platforms,
                    gated_args: &d.gated_args,
                    in_default_set: d.in_default_set,
                    digest: &digests[&d.name],
                    short_digest: short_digest(&digests[&d.name]),
                })
                .collect(),
        }
    }
}

/// Renders every generated file of `model`: a Dockerfile per distro, the build context,
/// `bake.hcl`, `Makefile`, the schema, and the manifest that lists them all.
pub fn render(model: &Model, provenance: &Provenance) -> Result<Rendered> {
    let tera = engine()?;
    let banner = format!(
        "# {BANNER_MARK} from {}. Do not edit: change the spec and run `{}`.",
        provenance.spec_name, provenance.regenerate
    );
    let context_files = render_context_files(tera, model, &banner)?;

    let mut files = FileSet::new();
    for distro in &model.distros {
        let mut context = Context::new();
        context.insert("banner", &banner);
        context.insert("distro", distro);
        let dockerfile = render_one(tera, "Dockerfile.tera", &context)?;
        check_run_commands(&distro.name, &String::from_utf8_lossy(&dockerfile))?;
        files.insert(format!("{}.Dockerfile", distro.name), dockerfile);
    }
    for (path, bytes) in context_files {
        files.insert(format!("context/{path}"), bytes);
    }
    let digests: BTreeMap<String, String> = image_inputs(model, &files)
        .iter()
        .map(|(name, inputs)| (name.clone(), inputs.digest()))
        .collect();

    let mut context = Context::new();
    context.insert("banner", &banner);
    context.insert("model", &FleetView::of(model, &digests));
    context.insert("context_dir", &provenance.context_dir);
    let example: Vec<&str> = model
        .distros
        .iter()
        .take(2)
        .map(|d| d.name.as_str())
        .collect();
    context.insert("example", &example.join(" "));
    files.insert(
        "bake.hcl".to_owned(),
        render_one(tera, "bake.hcl.tera", &context)?,
    );
    files.insert(
        "Makefile".to_owned(),
        render_one(tera, "Makefile.tera", &context)?,
    );
    files.insert(SCHEMA_FILE.to_owned(), schema_json().into_bytes());
    let manifest = manifest::render(&files, &banner);
    files.insert(MANIFEST_FILE.to_owned(), manifest);
    Ok(Rendered { files, digests })
}

/// The build-context files of `model` (scripts and `.repo` files), by path inside the context.
fn render_context_files(tera: &Tera, model: &Model, banner: &str) -> Result<FileSet> {
    let mut context_files = FileSet::new();
    for (path, file) in &model.context_files {
        let bytes = match file {
            ContextFile::Script { name } => script_with_banner(name, banner)?,
            ContextFile::Repo(repo) => {
                let mut context = Context::new();
                context.insert("banner", banner);
                context.insert("repo", repo);
                render_one(tera, "repo.tera", &context)?
            }
        };
        context_files.insert(path.clone(), bytes);
    }
    Ok(context_files)
}

/// The templates, compiled once per process.
fn engine() -> Result<&'static Tera> {
    static ENGINE: OnceLock<std::result::Result<Tera, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut tera = Tera::new();
            tera.autoescape_on(Vec::<&str>::new());
            tera.add_raw_templates(TEMPLATES.iter().copied())
                .map_err(|e| e.to_string())?;
            Ok(tera)
        })
        .as_ref()
        .map_err(|e| Error::Template(e.clone()))
}

/// Renders one template, ending the output with exactly one newline.
fn render_one(tera: &Tera, name: &str, context: &Context) -> Result<Vec<u8>> {
    let text = tera
        .render(name, context)
        .map_err(|e| Error::Template(format!("{name}: {e:?}")))?;
    let body = text.trim_end();
    let mut bytes = Vec::with_capacity(body.len() + 1);
    bytes.extend_from_slice(body.as_bytes());
    bytes.push(b'\n');
    Ok(bytes)
}

/// A script with the banner after its shebang line.
fn script_with_banner(name: &str, banner: &str) -> Result<Vec<u8>> {
    let text = SCRIPTS
        .iter()
        .find(|(script, _)| *script == name)
        .map(|(_, text)| *text)
        .ok_or_else(|| Error::Template(format!("no script named {name}")))?;
    let (shebang, body) = text.split_once('\n').unwrap_or((text, ""));
    Ok(format!("{shebang}\n{banner}\n{body}").into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Dockerfile template with one install step for a distro of `family`, and an
    /// instruction of `kind`.
    fn dockerfile(family: &str, kind: &str) -> Result<Vec<u8>> {
        let mut context = Context::new();
        context.insert("banner", "# banner");
        context.insert(
            "distro",
            &serde_json::json!({
                "base_image": "x:1",
                "base_image_pinned": true,
                "family": family,
                "instructions": [
                    {"kind": "install", "packages": ["gcc"], "options": [], "cache_mounts": []},
                    {"kind": kind, "command": "true"}
                ],
            }),
        );
        render_one(engine()?, "Dockerfile.tera", &context)
    }

    #[test]
    fn a_family_without_an_install_template_fails_loudly() {
        assert!(dockerfile("apt", "run").is_ok());
        let error = dockerfile("pacman", "run").unwrap_err().to_string();
        assert!(
            error.contains("no install template for the family pacman"),
            "{error}"
        );
    }

    #[test]
    fn an_instruction_the_template_does_not_know_fails_loudly() {
        let error = dockerfile("apt", "teleport").unwrap_err().to_string();
        assert!(
            error.contains("has no case for instructions of kind teleport"),
            "{error}"
        );
    }
}
