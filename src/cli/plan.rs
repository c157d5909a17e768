//! `tcgen plan`: which images must be built, and why; with `--matrix`, as a CI matrix of images
//! and platforms.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::choices::EngineArg;
use crate::error::{Error, Result};
use crate::output::DEFAULT_OUT;
use crate::pipeline::compile;
use crate::plan::{plan_text, rebuild_plan};
use crate::runner::ProcessEnvironment;
use crate::runner::matrix::{MatrixRequest, matrix};

/// The arguments of `tcgen plan`, as the command line gives them.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct PlanArgs {
    /// Compare with this git commit (branch, tag, `HEAD~1`), read without checking it out.
    #[arg(long, value_name = "REF")]
    changed_since: Option<String>,
    /// Print JSON for scripts.
    #[arg(long, conflicts_with = "matrix")]
    json: bool,
    /// Print a CI matrix: {"include": [{"distro", "platform", "arch", "digest_tag"}, ...]}, one
    /// entry per image of the default set and platform to build (GitHub Actions: fromJSON).
    #[arg(long)]
    matrix: bool,
    /// With --matrix: leave out what this registry has (an image under its digest tag, a
    /// platform under its per-platform tag), so that a failed run is picked up by the next.
    #[arg(long, value_name = "REGISTRY", requires = "matrix", value_parser = crate::reference::registry_prefix)]
    registry: Option<String>,
    /// How to reach the registry: docker (buildx imagetools) or podman (skopeo).
    #[arg(long, value_enum, default_value = "docker")]
    engine: EngineArg,
    /// Directory of the generated files.
    #[arg(long, default_value = DEFAULT_OUT, value_name = "DIR")]
    out: PathBuf,
}

/// `tcgen plan`.
pub fn plan_command(spec_path: &Path, args: PlanArgs, stdout: &mut dyn Write) -> Result<()> {
    let now = compile(spec_path, &args.out)?;
    if args.matrix {
        let request = MatrixRequest {
            changed_since: args.changed_since.as_deref(),
            registry: args.registry.as_deref(),
            engine: args.engine.into(),
            spec: spec_path,
            out: &args.out,
        };
        // One line, as a CI step writes it to its outputs (`matrix=...`).
        let matrix = matrix(&now, &request, &ProcessEnvironment)?;
        let text = serde_json::to_string(&matrix).map_err(|e| Error::Template(e.to_string()))?;
        return writeln!(stdout, "{text}").map_err(Error::stdout);
    }
    let plan = rebuild_plan(&now, spec_path, &args.out, args.changed_since.as_deref())?;
    if args.json {
        let text =
            serde_json::to_string_pretty(&plan).map_err(|e| Error::Template(e.to_string()))?;
        return writeln!(stdout, "{text}").map_err(Error::stdout);
    }
    write!(stdout, "{}", plan_text(&plan)).map_err(Error::stdout)
}
