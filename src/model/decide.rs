//! [`decide`]: a validated spec and its lock to a [`Model`], every decision made once.

use std::collections::{BTreeMap, BTreeSet};

use super::checks::{assert_args, checks_of};
use super::order::natural_order;
use super::{
    ASSERT_SCRIPT, ContextFile, DistroModel, GatedArg, Instruction, Model, REPO_DIR, SCRIPT_DIR,
};
use crate::lock::Lock;
use crate::reference;
use crate::spec::{Distro, Family, Spec, Step, ValidSpec};

/// The base images of `spec` that a lock file can pin: those that name no digest themselves.
pub fn lockable_bases(spec: &Spec) -> BTreeSet<String> {
    spec.distros
        .values()
        .map(|d| d.base_image.clone())
        .filter(|image| reference::parse(image).is_ok_and(|r| r.digest.is_none()))
        .collect()
}

/// Builds the model of a validated spec, with base images pinned to the digests of `lock`.
pub fn decide(spec: &ValidSpec, lock: Option<&Lock>) -> Model {
    let mut context_files = BTreeMap::new();
    let mut distros: Vec<DistroModel> = spec
        .distros
        .iter()
        .map(|(name, distro)| {
            decide_distro(spec, name, &spec.with_defaults(distro), &mut context_files)
        })
        .collect();
    for distro in &mut distros {
        distro.base_digest = lock.and_then(|l| l.digests.get(&distro.base_image).cloned());
    }
    distros.sort_by(|a, b| natural_order(&a.name, &b.name));
    let unpinned_bases: Vec<String> = lockable_bases(spec)
        .into_iter()
        .filter(|image| lock.is_none_or(|l| !l.digests.contains_key(image)))
        .collect();
    let unresolved_bases = unpinned_bases
        .iter()
        .filter(|image| lock.is_some_and(|l| l.unresolved.contains_key(*image)))
        .cloned()
        .collect();
    let mut gated_args: Vec<GatedArg> = distros.iter().flat_map(|d| d.gated_args.clone()).collect();
    gated_args.sort_by(|a, b| a.name.cmp(&b.name));
    gated_args.dedup();
    let always_default = distros
        .iter()
        .filter(|d| d.in_default_set && d.gated_args.is_empty())
        .map(|d| d.name.clone())
        .collect();
    Model {
        image_prefix: spec.image_prefix.clone(),
        source: spec.source.clone(),
        gated_args,
        distros,
        always_default,
        unpinned_bases,
        unresolved_bases,
        context_files,
    }
}

/// The model of one distro, `distro` with its defaults merged in.
fn decide_distro(
    spec: &Spec,
    name: &str,
    distro: &Distro,
    context_files: &mut BTreeMap<String, ContextFile>,
) -> DistroModel {
    let gated_args: Vec<GatedArg> = distro
        .gated_args
        .iter()
        .map(|arg| GatedArg {
            name: arg.clone(),
            description: spec.gated_args[arg].description.clone(),
        })
        .collect();
    let mut body = Body {
        instructions: Vec::new(),
        context_inputs: Vec::new(),
        context_files,
    };
    body.require_args(&gated_args);
    body.copy_repositories(spec, distro);
    let cache_mounts = cache_mounts(name, distro.family);
    let step = |step: &Step| step_instruction(step, &cache_mounts);
    body.instructions
        .extend(distro.before_install.iter().map(step));
    body.instructions.push(install(
        &distro.packages,
        &distro.install_options,
        &cache_mounts,
    ));
    body.instructions
        .extend(distro.after_install.iter().map(step));
    body.install_tools(spec, distro);
    body.assert_dependencies(spec, distro);
    let Body {
        instructions,
        mut context_inputs,
        ..
    } = body;
    context_inputs.sort();
    context_inputs.dedup();

    DistroModel {
        name: name.to_owned(),
        image: format!("{}{name}", spec.image_prefix),
        base_image: distro.base_image.clone(),
        base_image_pinned: is_pinned(&distro.base_image),
        base_digest: None,
        family: distro.family.name().to_owned(),
        label: distro.label.clone(),
        platforms: distro.platforms.clone().unwrap_or_default(),
        gated_args,
        in_default_set: distro.in_default_set.unwrap_or_default(),
        instructions,
        context_inputs,
    }
}

/// A Dockerfile body as it is decided, with the build-context files it copies.
struct Body<'a> {
    instructions: Vec<Instruction>,
    /// Paths inside the context that this Dockerfile copies.
    context_inputs: Vec<String>,
    /// Every context file of the fleet, by path.
    context_files: &'a mut BTreeMap<String, ContextFile>,
}

impl Body<'_> {
    /// A check that each gated argument is set, before anything else runs.
    fn require_args(&mut self, gated_args: &[GatedArg]) {
        for arg in gated_args {
            self.instructions.push(Instruction::RequireArg {
                name: arg.name.clone(),
                message: shell_words::quote(&format!(
                    "{} must be set: {}",
                    arg.name, arg.description
                ))
                .into_owned(),
            });
        }
    }

    /// Adds `file` to the build context at `path` (inside it) and returns the path.
    fn context_file(&mut self, path: String, file: ContextFile) -> String {
        self.context_files.insert(path.clone(), file);
        self.context_inputs.push(path.clone());
        path
    }

    /// A `COPY` of each `.repo` file the distro lists.
    fn copy_repositories(&mut self, spec: &Spec, distro: &Distro) {
        for repo_name in &distro.repositories {
            let repo = &spec.repositories[repo_name];
            let dest = repo.dest.as_deref().unwrap_or(repo_name);
            let source = self.context_file(
                format!("repos/{repo_name}"),
                ContextFile::Repo(repo.clone()),
            );
            self.instructions.push(Instruction::Copy {
                sources: vec![source],
                dest: format!("{REPO_DIR}/{dest}"),
            });
        }
    }

    /// Each tool's script, copied and run with its variables.
    fn install_tools(&mut self, spec: &Spec, distro: &Distro) {
        for tool_name in distro.tools.iter().flatten() {
            let tool = &spec.tools[tool_name];
            let source = self.context_file(
                format!("scripts/{}", tool.script),
                ContextFile::Script {
                    name: tool.script.clone(),
                },
            );
            self.instructions.push(Instruction::Tool {
                name: tool_name.clone(),
                source,
                env: tool.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
                dir: format!("{SCRIPT_DIR}/"),
                script: format!("{SCRIPT_DIR}/{}", tool.script),
            });
        }
    }

    /// The dependency assertion, last.
    fn assert_dependencies(&mut self, spec: &Spec, distro: &Distro) {
        let source = self.context_file(
            format!("scripts/{ASSERT_SCRIPT}"),
            ContextFile::Script {
                name: ASSERT_SCRIPT.to_owned(),
            },
        );
        let python = distro.assert_python.as_deref().unwrap_or_default();
        self.instructions.push(Instruction::Assert {
            source,
            dir: format!("{SCRIPT_DIR}/"),
            script: format!("{SCRIPT_DIR}/{ASSERT_SCRIPT}"),
            args: assert_args(&checks_of(spec, distro), python),
        });
    }
}

/// BuildKit cache mounts of the family's download directories, one cache per distro, directory
/// and target architecture (distros never share one: their repositories differ; platforms never
/// share one: their packages differ, and a shared lock would make their steps take turns),
/// locked so that two builds of one distro and architecture take turns. The Dockerfile declares
/// `ARG TARGETARCH`, which BuildKit and buildah set for each platform they build.
fn cache_mounts(distro: &str, family: Family) -> Vec<String> {
    family
        .download_dirs()
        .iter()
        .map(|dir| {
            format!(
                "--mount=type=cache,id=tcgen-{distro}{}-${{TARGETARCH}},target={dir},sharing=locked",
                dir.replace('/', "-")
            )
        })
        .collect()
}

/// The instruction of a validated step.
fn step_instruction(step: &Step, cache_mounts: &[String]) -> Instruction {
    match step {
        Step::Install(step) => install(&step.packages, &step.options, cache_mounts),
        Step::AddRepo(repo) => Instruction::AddRepo {
            url: format!("\"{}\"", repo.url),
            alias: repo.alias.clone(),
            cache_mounts: cache_mounts.to_vec(),
        },
        Step::Run(command) => Instruction::Run {
            command: command.to_owned(),
        },
    }
}

fn install(packages: &[String], options: &[String], cache_mounts: &[String]) -> Instruction {
    Instruction::Install {
        packages: packages
            .iter()
            .map(|p| shell_words::quote(p).into_owned())
            .collect(),
        options: options.to_vec(),
        cache_mounts: cache_mounts.to_vec(),
    }
}

/// Whether an image reference names a tag or a digest.
fn is_pinned(image: &str) -> bool {
    reference::parse(image).is_ok_and(|r| r.is_pinned())
}
