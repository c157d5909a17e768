//! The pipeline that every command runs first: load and validate the spec, decide the model,
//! render the files, all in memory. Commands (in `cli`) and the runner take its result.

use std::path::Path;

use crate::arch::arch_of;
use crate::error::Result;
use crate::lock::{Lock, lock_path};
use crate::model::{Model, decide, lockable_bases};
use crate::output::DEFAULT_OUT;
use crate::render::digest::digest_tag;
use crate::render::{Provenance, Rendered, render, script_names};
use crate::spec::ValidSpec;
use crate::spec::load::{load_bytes, load_file};

/// The spec, loaded, decided and rendered in memory.
pub struct Compiled {
    /// The spec as loaded.
    pub spec: ValidSpec,
    /// The decided model.
    pub model: Model,
    /// The rendered files and digests.
    pub rendered: Rendered,
}

/// Loads `spec_path` and its lock file, and renders them for the output directory `out`.
pub fn compile(spec_path: &Path, out: &Path) -> Result<Compiled> {
    let spec = load_file(spec_path, &script_names())?;
    let lock = Lock::read(spec_path, Some(&lockable_bases(&spec)))?;
    compile_spec(&spec, lock.as_ref(), spec_path, out)
}

/// Renders spec `bytes` and lock file bytes read from elsewhere (a git commit) as if they were
/// at `spec_path`; `label` names the spec in messages, and `label` with the extension `lock` the
/// lock file.
pub fn compile_bytes(
    label: &Path,
    bytes: &[u8],
    lock: Option<&[u8]>,
    spec_path: &Path,
    out: &Path,
) -> Result<Compiled> {
    let spec = load_bytes(label, bytes, &script_names())?;
    let lock = lock
        .map(|lock| Lock::parse(&lock_path(label), lock, Some(&lockable_bases(&spec))))
        .transpose()?;
    compile_spec(&spec, lock.as_ref(), spec_path, out)
}

/// Decides and renders a spec that is already loaded, with its lock file if it has one.
pub fn compile_spec(
    spec: &ValidSpec,
    lock: Option<&Lock>,
    spec_path: &Path,
    out: &Path,
) -> Result<Compiled> {
    let model = decide(spec, lock);
    let rendered = render(&model, &provenance(spec_path, out))?;
    Ok(Compiled {
        spec: spec.clone(),
        model,
        rendered,
    })
}

impl Compiled {
    /// The input digest (`sha256:<hex>`) of the image of `distro`, a distro of the model.
    pub fn input_digest(&self, distro: &str) -> &str {
        &self.rendered.digests[distro]
    }

    /// The digest tag of `distro`'s image named `image` (its name, or its name under a
    /// registry): `<image>:<12 hex digits of the input digest>`.
    pub fn digest_tag(&self, distro: &str, image: &str) -> String {
        digest_tag(image, self.input_digest(distro))
    }

    /// The per-platform tag of `distro`'s image named `image` for `platform`: the digest tag
    /// with the architecture (`<image>:<12 hex>-arm64`), where one runner pushes its platform's
    /// build for `tcgen publish` to merge.
    pub fn platform_tag(&self, distro: &str, image: &str, platform: &str) -> String {
        format!("{}-{}", self.digest_tag(distro, image), arch_of(platform))
    }
}

/// `tcgen ARGS` as the user should type it to act on `spec_path`: with `--spec` when the spec
/// is not the default one, so that a hint pasted as it is works.
pub fn tcgen_command(spec_path: &Path, args: &str) -> String {
    if spec_path == Path::new("distros.yaml") {
        format!("tcgen {args}")
    } else {
        format!("tcgen --spec {} {args}", spec_path.display())
    }
}

/// What the banner and bake file say: the spec by file name, the command that regenerates,
/// and the context directory as seen from where bake runs.
pub fn provenance(spec_path: &Path, out: &Path) -> Provenance {
    let spec_name = spec_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "distros.yaml".to_owned());
    let mut regenerate = String::from("tcgen render");
    if spec_name != "distros.yaml" {
        regenerate.push_str(&format!(" --spec {spec_name}"));
    }
    let out_name = portable(out);
    if out_name != DEFAULT_OUT && out.is_relative() {
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
