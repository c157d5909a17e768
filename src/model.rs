//! Turns a validated [`Spec`] into a [`Model`]: every decision the templates and the runner need,
//! made once. Templates only print what is here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::lock::Lock;
use crate::reference;
use crate::spec::{Checks, Distro, Family, RepoFile, Spec, Step};
use crate::validate::ValidSpec;

/// Where tool and assertion scripts are copied inside the images.
pub const SCRIPT_DIR: &str = "/usr/local/lib/tcgen";
/// Where `.repo` files go inside yum/dnf images.
const REPO_DIR: &str = "/etc/yum.repos.d";
/// The script that runs the dependency assertion at the end of every image.
pub const ASSERT_SCRIPT: &str = "assert-dependencies.sh";

/// Everything that is rendered, decided.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// Prefix of every image name.
    pub image_prefix: String,
    /// Repository URL for the OCI source label.
    pub source: String,
    /// Gated arguments that at least one distro uses, by name.
    pub gated_args: Vec<GatedArg>,
    /// The images, sorted by name.
    pub distros: Vec<DistroModel>,
    /// Names of the distros of the default set that need no gated argument: always in the
    /// default build.
    pub always_default: Vec<String>,
    /// Base images that neither name a digest nor have one in the lock file, sorted.
    pub unpinned_bases: Vec<String>,
    /// Files of the build context, by path inside it.
    pub context_files: BTreeMap<String, ContextFile>,
}

impl Model {
    /// The image of the distro `name`, or a usage error that lists the distros there are.
    pub fn distro(&self, name: &str) -> crate::error::Result<&DistroModel> {
        self.distros.iter().find(|d| d.name == name).ok_or_else(|| {
            crate::error::Error::unknown_distro(name, self.distros.iter().map(|d| d.name.as_str()))
        })
    }
}

/// A gated build argument with the text shown when it is missing.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GatedArg {
    /// Variable name (`SLES_MIRROR`).
    pub name: String,
    /// What to set it to.
    pub description: String,
}

/// A file of the build context and where its content comes from.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContextFile {
    /// One of tcgen's shared scripts, by file name.
    Script {
        /// File name under `templates/scripts/`.
        name: String,
    },
    /// A `.repo` file rendered from the spec, as the spec writes it.
    Repo(RepoFile),
}

/// One image, decided.
#[derive(Debug, Clone, Serialize)]
pub struct DistroModel {
    /// Distro name, also the bake target name.
    pub name: String,
    /// Image name without registry: `image_prefix` + `name`.
    pub image: String,
    /// The `FROM` image.
    pub base_image: String,
    /// Whether the `FROM` image names a tag or digest; an untagged one means `latest`.
    pub base_image_pinned: bool,
    /// The digest the lock file pins the base image to (`sha256:...`), if any.
    pub base_digest: Option<String>,
    /// Package-manager family name (`apt`, `yum`, `dnf`, `zypper`).
    pub family: String,
    /// BUILD_TARGET_LABEL for the toolchain build.
    pub label: String,
    /// OCI platforms built with MULTI=true.
    pub platforms: Vec<String>,
    /// Gated arguments the image needs.
    pub gated_args: Vec<GatedArg>,
    /// Whether the image is in the default set (built and used when no distro is named).
    pub in_default_set: bool,
    /// The Dockerfile body after `FROM`, in order.
    pub instructions: Vec<Instruction>,
    /// Paths inside the build context that the Dockerfile copies, sorted.
    pub context_inputs: Vec<String>,
}

/// One step of a Dockerfile. Shell words are already quoted where they need it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Instruction {
    /// `ARG NAME` and a check that fails the build when it is empty.
    RequireArg {
        /// Variable name.
        name: String,
        /// The message printed when it is empty, shell-quoted.
        message: String,
    },
    /// `COPY` of context files.
    Copy {
        /// Paths inside the build context.
        sources: Vec<String>,
        /// Destination in the image.
        dest: String,
    },
    /// Install packages with the family's package manager.
    Install {
        /// Shell-quoted package words.
        packages: Vec<String>,
        /// Options for the install command.
        options: Vec<String>,
        /// `--mount=type=cache,...` flags for the package manager's download directories, so
        /// that downloads are shared by the image's install steps and its rebuilds and never
        /// enter a layer.
        cache_mounts: Vec<String>,
    },
    /// Add a zypper repository.
    AddRepo {
        /// Double-quoted URL (a gated argument inside expands).
        url: String,
        /// Alias, if any.
        alias: Option<String>,
        /// The same cache mounts as the install steps: `--check` downloads the metadata.
        cache_mounts: Vec<String>,
    },
    /// A shell command as the spec wrote it.
    Run {
        /// The command.
        command: String,
    },
    /// Copy a tool script into the image and run it with its variables.
    Tool {
        /// Tool name, for the comment above it.
        name: String,
        /// The script's path inside the build context.
        source: String,
        /// `NAME=value` words.
        env: Vec<String>,
        /// Directory the script is copied to in the image.
        dir: String,
        /// Path of the script in the image.
        script: String,
    },
    /// Copy the dependency assertion into the image and run it.
    Assert {
        /// The script's path inside the build context.
        source: String,
        /// Directory the script is copied to in the image.
        dir: String,
        /// Path of the script in the image.
        script: String,
        /// Its arguments, shell-quoted, one option with its value per item.
        args: Vec<String>,
    },
}

/// Compares names as people read them: runs of digits by their value, so that redhat9 comes
/// before redhat10.
pub fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(text: &str) -> Vec<(bool, &str)> {
        let mut runs = Vec::new();
        let mut start = 0;
        for (i, c) in text.char_indices().skip(1) {
            let previous = text[..i]
                .chars()
                .next_back()
                .is_some_and(|p| p.is_ascii_digit());
            if previous != c.is_ascii_digit() {
                runs.push((previous, &text[start..i]));
                start = i;
            }
        }
        if !text.is_empty() {
            let digits = text[start..].starts_with(|c: char| c.is_ascii_digit());
            runs.push((digits, &text[start..]));
        }
        runs
    }
    let key = |run: &(bool, &str)| match run {
        (true, digits) => {
            let trimmed = digits.trim_start_matches('0');
            (0, trimmed.len(), trimmed.to_owned())
        }
        (false, text) => (1, 0, (*text).to_owned()),
    };
    let (a_runs, b_runs) = (runs(a), runs(b));
    a_runs
        .iter()
        .map(key)
        .cmp(b_runs.iter().map(key))
        .then_with(|| a.cmp(b))
}

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
        .map(|(name, distro)| decide_distro(spec, name, distro, &mut context_files))
        .collect();
    for distro in &mut distros {
        distro.base_digest = lock.and_then(|l| l.digests.get(&distro.base_image).cloned());
    }
    distros.sort_by(|a, b| natural_order(&a.name, &b.name));
    let unpinned_bases = lockable_bases(spec)
        .into_iter()
        .filter(|image| lock.is_none_or(|l| !l.digests.contains_key(image)))
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
        context_files,
    }
}

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
    for arg in &gated_args {
        body.instructions.push(Instruction::RequireArg {
            name: arg.name.clone(),
            message: shell_words::quote(&format!("{} must be set: {}", arg.name, arg.description))
                .into_owned(),
        });
    }
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
        platforms: distro
            .platforms
            .clone()
            .unwrap_or_else(|| spec.defaults.platforms.clone()),
        gated_args,
        in_default_set: distro
            .in_default_set
            .unwrap_or(spec.defaults.in_default_set),
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
        for tool_name in tools_of(spec, distro) {
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
        let python = distro
            .assert_python
            .as_deref()
            .unwrap_or(&spec.defaults.assert_python);
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

/// The tools a distro installs, in order: its own list or the defaults'.
pub fn tools_of<'a>(spec: &'a Spec, distro: &'a Distro) -> &'a [String] {
    distro.tools.as_deref().unwrap_or(&spec.defaults.tools)
}

/// Everything the dependency assertion checks in a distro's image: its checks (or the
/// defaults'), those of each tool it installs, and `lsb_release` when required.
pub fn checks_of(spec: &Spec, distro: &Distro) -> Checks {
    let mut checks = distro
        .checks
        .clone()
        .unwrap_or_else(|| spec.defaults.checks.clone());
    for tool_name in tools_of(spec, distro) {
        merge_checks(&mut checks, &spec.tools[tool_name].checks);
    }
    if distro.lsb_release.unwrap_or(spec.defaults.lsb_release) {
        merge_checks(
            &mut checks,
            &Checks {
                programs: vec!["lsb_release".to_owned()],
                ..Checks::default()
            },
        );
    }
    checks
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

/// Adds the checks of `extra` to `into`, keeping the first of any repeated entry.
fn merge_checks(into: &mut Checks, extra: &Checks) {
    fn add<T: Clone + PartialEq>(into: &mut Vec<T>, extra: &[T]) {
        for item in extra {
            if !into.contains(item) {
                into.push(item.clone());
            }
        }
    }
    add(&mut into.libraries, &extra.libraries);
    add(&mut into.programs, &extra.programs);
    add(&mut into.commands, &extra.commands);
    into.python_headers |= extra.python_headers;
}

/// The assertion script's arguments: one `--option value` per item, shell-quoted; `python` is
/// the interpreter asked where `Python.h` is.
fn assert_args(checks: &Checks, python: &str) -> Vec<String> {
    let q = |s: &str| shell_words::quote(s).into_owned();
    let mut args: Vec<String> = Vec::new();
    args.extend(
        checks
            .libraries
            .iter()
            .map(|l| format!("--library {}", q(l))),
    );
    args.extend(
        checks
            .programs
            .iter()
            .map(|p| format!("--program {}", q(p))),
    );
    if checks.python_headers {
        args.push(format!("--python-headers {}", q(python)));
    }
    for command in &checks.commands {
        let mut arg = format!("--command {}", q(&command.run));
        if !command.expect.is_empty() {
            arg.push_str(&format!(" --expect {}", q(&command.expect.join("|"))));
        }
        args.push(arg);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_as_people_read_them() {
        let mut names = vec![
            "redhat10",
            "ubuntu2004",
            "redhat9",
            "redhat7",
            "sles15",
            "redhat8",
            "a01",
            "a1",
        ];
        names.sort_by(|a, b| natural_order(a, b));
        assert_eq!(
            names,
            [
                "a01",
                "a1",
                "redhat7",
                "redhat8",
                "redhat9",
                "redhat10",
                "sles15",
                "ubuntu2004"
            ]
        );
    }
}
