//! `tcgen plan [--changed-since REF] [--json]`: which images must be built, and why.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::pipeline::compile;
use crate::plan::{plan_text, rebuild_plan};

/// `tcgen plan [--changed-since REF] [--json]`.
pub fn plan_command(
    spec_path: &Path,
    out: &Path,
    since: Option<&str>,
    json: bool,
    stdout: &mut dyn Write,
) -> Result<()> {
    let now = compile(spec_path, out)?;
    let plan = rebuild_plan(&now, spec_path, out, since)?;
    if json {
        let text =
            serde_json::to_string_pretty(&plan).map_err(|e| Error::Template(e.to_string()))?;
        return writeln!(stdout, "{text}").map_err(Error::stdout);
    }
    write!(stdout, "{}", plan_text(&plan)).map_err(Error::stdout)
}
