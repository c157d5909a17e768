//! Turns a validated [`Spec`] into a [`Model`]: every decision the templates and the runner need,
//! made once. Templates only print what is here.

mod checks;
mod decide;
mod order;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::spec::RepoFile;

pub use checks::checks_of;
pub use decide::{decide, lockable_bases};
pub use order::natural_order;

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
    /// Those of them that `tcgen lock` could not resolve (the lock file says so), sorted.
    pub unresolved_bases: Vec<String>,
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
