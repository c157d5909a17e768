//! One target's build, decided: its tags, the commands its engine runs, its log, and what
//! became of it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::pipeline::Compiled;
use crate::process::Invocation;
use crate::reference::registry_prefix;
use crate::runner::Environment;
use crate::runner::engine::{BuildJob, BuildOptions, CACHE_REGISTRY, Engine, RegistryLookup};

/// One target's build.
#[derive(Debug, Clone)]
pub struct TargetBuild {
    /// Distro name.
    pub target: String,
    /// The image tag.
    pub tag: String,
    /// The tag named by the image's input digest (`<tag>:<short digest>`).
    pub digest_tag: String,
    /// The tag pushed: the digest tag, or with `--platform` the per-platform tag.
    pub push_tag: String,
    /// Every platform of the distro with its per-platform tag, for `tcgen publish` to merge.
    pub platform_tags: Vec<String>,
    /// With `--skip-existing`: how to ask the registry for the digest tag.
    pub lookup: Option<RegistryLookup>,
    /// Commands run first whose failure does not matter (removing what may not exist).
    pub prepare: Vec<Invocation>,
    /// The commands, run in order.
    pub steps: Vec<Invocation>,
    /// The log file.
    pub log: PathBuf,
    /// Where the engine writes the built image's digest or id.
    pub metadata: PathBuf,
}

/// The result of one target.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetResult {
    /// Built: the digest or image id, when the engine reported one.
    Built(Option<String>),
    /// Failed with this exit code.
    Failed(i32),
    /// Stopped by SIGINT or SIGTERM while it ran.
    Interrupted,
}

/// How a target that ran to its end ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// Its last attempt's result.
    pub result: TargetResult,
    /// How long all its attempts took.
    pub elapsed: Duration,
    /// How many attempts it took (1 when the first built or when retries were not allowed).
    pub attempts: u32,
}

impl Finished {
    /// Whether it built.
    pub fn built(&self) -> bool {
        matches!(self.result, TargetResult::Built(_))
    }
}

/// How each target that ran to its end ended, by target.
pub type Results = BTreeMap<String, Finished>;

/// `2nd attempt`, `3rd attempt`, ...: how the summary names the attempt that built.
pub fn ordinal_attempt(attempt: u32) -> String {
    let suffix = match (attempt % 10, attempt % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{attempt}{suffix} attempt")
}

/// How the targets' builds are decided: the engine, its options, where logs go, and whether
/// to look each digest tag up in the registry first.
#[derive(Debug, Clone)]
pub struct TargetPlan<'a> {
    /// The engine.
    pub engine: Engine,
    /// What every target's commands depend on.
    pub options: &'a BuildOptions,
    /// The folder of one log per target.
    pub log_dir: &'a std::path::Path,
    /// Look each digest tag up in the registry, to skip what is there.
    pub skip_existing: bool,
}

/// The image tag of `image`: under the registry when pushing.
pub fn tag(options: &BuildOptions, image: &str) -> String {
    match &options.registry {
        Some(registry) => format!("{registry}/{image}"),
        None => image.to_owned(),
    }
}

/// The builds of the distros `targets`, in that order.
pub fn target_builds(
    plan: &TargetPlan,
    compiled: &Compiled,
    targets: &[String],
    env: &dyn Environment,
) -> Result<Vec<TargetBuild>> {
    let cache = env
        .get(CACHE_REGISTRY)
        .filter(|v| !v.is_empty())
        .map(|registry| {
            registry_prefix(&registry).map_err(|e| Error::Usage(format!("{CACHE_REGISTRY}: {e}")))
        })
        .transpose()?;
    let driver = plan.engine.driver();
    targets
        .iter()
        .map(|name| {
            let distro = compiled.model.distro(name)?;
            let tag = tag(plan.options, &distro.image);
            let digest_tag = compiled.digest_tag(name, &tag);
            let platform_tags: Vec<String> = distro
                .platforms
                .iter()
                .map(|p| compiled.platform_tag(name, &tag, p))
                .collect();
            let push_tag = match (&plan.options.platform, &plan.options.registry) {
                (Some(platform), Some(_)) => compiled.platform_tag(name, &tag, platform),
                _ => digest_tag.clone(),
            };
            let log = plan.log_dir.join(format!("{name}.log"));
            let metadata = plan.log_dir.join(format!("{name}.metadata"));
            let commands = driver.build(&BuildJob {
                options: plan.options,
                distro,
                tag: &tag,
                push_tag: &push_tag,
                input_digest: compiled.input_digest(name),
                source: &compiled.model.source,
                metadata: &metadata,
                cache: cache.as_deref(),
            });
            let lookup = plan.skip_existing.then(|| driver.lookup(&push_tag));
            Ok(TargetBuild {
                target: name.clone(),
                tag,
                digest_tag,
                push_tag,
                platform_tags,
                lookup,
                prepare: commands.prepare,
                steps: commands.steps,
                log,
                metadata,
            })
        })
        .collect()
}
