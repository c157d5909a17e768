//! The types of `distros.yaml`, read with serde. Unknown keys are rejected; meaning is checked
//! afterwards by [`crate::spec::validate`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::family::Family;

/// The whole spec file: every image of the fleet and what they share.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Prefix of every image name; the distro's name follows it (`impala-toolchain-` gives
    /// `impala-toolchain-redhat9`).
    pub image_prefix: String,
    /// URL of the repository the images are built from; becomes the OCI `source` label.
    pub source: String,
    /// Build arguments that gate a distro: its image builds only when the argument is set.
    #[serde(default, deserialize_with = "unique_keys")]
    pub gated_args: BTreeMap<String, GatedArg>,
    /// Yum/dnf repository files that distros may install, keyed by their file name.
    #[serde(default, deserialize_with = "unique_keys")]
    pub repositories: BTreeMap<String, RepoFile>,
    /// Tools installed after the packages by a shared script, keyed by a name distros select.
    #[serde(default, deserialize_with = "unique_keys")]
    pub tools: BTreeMap<String, Tool>,
    /// Values every distro gets unless it sets its own.
    pub defaults: Defaults,
    /// The images, keyed by distro name.
    #[serde(deserialize_with = "unique_keys")]
    pub distros: BTreeMap<String, Distro>,
}

/// A build argument that must be set for the distros that declare it to build.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatedArg {
    /// What the argument is and what to set it to; shown when it is missing.
    pub description: String,
}

/// A `.repo` file copied into `/etc/yum.repos.d/`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RepoFile {
    /// File name inside `/etc/yum.repos.d/`; defaults to the key.
    #[serde(default)]
    pub dest: Option<String>,
    /// GPG key URL used by every section that does not name its own.
    #[serde(default)]
    pub gpgkey: Option<String>,
    /// Whether packages are signature-checked (default true).
    #[serde(default = "yes")]
    pub gpgcheck: bool,
    /// The repositories of the file, in order.
    pub sections: Vec<RepoSection>,
}

/// One `[id]` section of a `.repo` file.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RepoSection {
    /// The repository id (`baseos`, `crb`, ...).
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Base URL; yum variables such as `$basearch` are kept as they are.
    pub baseurl: String,
    /// Whether the repository is enabled (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// GPG key URL for this section, overriding the file's.
    #[serde(default)]
    pub gpgkey: Option<String>,
}

/// A tool installed by one of tcgen's shared scripts, with the checks that prove it works.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// File name of the script under `templates/scripts/`.
    pub script: String,
    /// Variables the script reads (versions, URLs, checksums).
    #[serde(default, deserialize_with = "unique_keys")]
    pub env: BTreeMap<String, String>,
    /// What the dependency assertion checks once the tool is installed.
    #[serde(default)]
    pub checks: Checks,
}

/// What the dependency assertion at the end of each image checks.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// Shell patterns of shared libraries that `ldconfig -p` must list (`libz.so`, `libdb*.so`).
    #[serde(default)]
    pub libraries: Vec<String>,
    /// Programs that must be on PATH; `mawk|gawk` accepts either.
    #[serde(default)]
    pub programs: Vec<String>,
    /// Whether `Python.h` must exist where the assertion's interpreter (`assert_python`) says
    /// its headers are (sysconfig's `INCLUDEPY`).
    #[serde(default)]
    pub python_headers: bool,
    /// Commands that must succeed, optionally printing one of the expected strings.
    #[serde(default)]
    pub commands: Vec<CommandCheck>,
}

/// A command the assertion runs.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandCheck {
    /// The command line, run by `sh -c`.
    pub run: String,
    /// When not empty, the output must contain one of these strings.
    #[serde(default)]
    pub expect: Vec<String>,
}

/// Values shared by every distro unless it sets its own.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// OCI platforms built with MULTI=true.
    pub platforms: Vec<String>,
    /// Tools installed, in order, by name from the top-level `tools`.
    #[serde(default)]
    pub tools: Vec<String>,
    /// The dependency assertion's checks, beside those each tool brings.
    #[serde(default)]
    pub checks: Checks,
    /// Whether the assertion requires `lsb_release`.
    #[serde(default = "yes")]
    pub lsb_release: bool,
    /// The Python interpreter the `python_headers` check asks where `Python.h` is (upstream
    /// runs its assertion under `python3`; default `python3`).
    #[serde(default = "python3")]
    pub assert_python: String,
    /// Whether a distro is in the default set unless it says otherwise (default true).
    #[serde(default = "yes")]
    pub in_default_set: bool,
}

/// One image of the fleet.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Distro {
    /// The `FROM` image.
    pub base_image: String,
    /// The package manager of the base image.
    pub family: Family,
    /// The BUILD_TARGET_LABEL the toolchain build uses inside this image.
    pub label: String,
    /// OCI platforms built with MULTI=true; defaults to `defaults.platforms`.
    #[serde(default)]
    pub platforms: Option<Vec<String>>,
    /// Names of entries of the top-level `repositories` copied into the image, in order.
    #[serde(default)]
    pub repositories: Vec<String>,
    /// Names of top-level `gated_args` this image needs.
    #[serde(default)]
    pub gated_args: Vec<String>,
    /// Steps run before the main package install.
    #[serde(default, with = "serde_yaml::with::singleton_map_recursive")]
    #[schemars(with = "Vec<Step>")]
    pub before_install: Vec<Step>,
    /// The main package list.
    pub packages: Vec<String>,
    /// Options given to the main install command (`--allow-downgrade`).
    #[serde(default)]
    pub install_options: Vec<String>,
    /// Steps run after the main package install.
    #[serde(default, with = "serde_yaml::with::singleton_map_recursive")]
    #[schemars(with = "Vec<Step>")]
    pub after_install: Vec<Step>,
    /// Tools installed after the packages; defaults to `defaults.tools`.
    #[serde(default)]
    pub tools: Option<Vec<String>>,
    /// Checks of the dependency assertion; replaces `defaults.checks` when set.
    #[serde(default)]
    pub checks: Option<Checks>,
    /// Whether the assertion requires `lsb_release`; defaults to `defaults.lsb_release`.
    #[serde(default)]
    pub lsb_release: Option<bool>,
    /// The interpreter the `python_headers` check asks; defaults to `defaults.assert_python`.
    #[serde(default)]
    pub assert_python: Option<String>,
    /// Whether the distro is in the default set: bake's `default` group, `tcgen build` without
    /// names and the Makefile's `DISTROS`; defaults to `defaults.in_default_set`. A distro out of
    /// it is still rendered and built when named.
    #[serde(default)]
    pub in_default_set: Option<bool>,
}

/// A step before or after the main install, written as a mapping with exactly one key that
/// names what it does (`install:`, `add_repo:` or `run:`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Install packages with the distro's package manager.
    Install(InstallStep),
    /// Add a zypper repository by URL.
    AddRepo(AddRepo),
    /// Run a shell command as written.
    Run(String),
}

/// Packages installed by a step of their own.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallStep {
    /// Package names, or URLs of package files.
    pub packages: Vec<String>,
    /// Options for the install command (`--oldpackage`).
    #[serde(default)]
    pub options: Vec<String>,
}

/// A zypper repository added with `zypper ar`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRepo {
    /// Repository URL; may use `${ARG}` for a gated argument of the distro.
    pub url: String,
    /// Alias of the repository; omitted for `.repo` URLs that name their own.
    #[serde(default)]
    pub alias: Option<String>,
}

impl Spec {
    /// `distro` with every default it does not set for itself filled in from `defaults`: the
    /// one place defaults apply, for the model and for `tcgen show`.
    pub fn with_defaults(&self, distro: &Distro) -> Distro {
        let defaults = &self.defaults;
        Distro {
            platforms: Some(
                distro
                    .platforms
                    .clone()
                    .unwrap_or_else(|| defaults.platforms.clone()),
            ),
            tools: Some(
                distro
                    .tools
                    .clone()
                    .unwrap_or_else(|| defaults.tools.clone()),
            ),
            checks: Some(
                distro
                    .checks
                    .clone()
                    .unwrap_or_else(|| defaults.checks.clone()),
            ),
            lsb_release: Some(distro.lsb_release.unwrap_or(defaults.lsb_release)),
            assert_python: Some(
                distro
                    .assert_python
                    .clone()
                    .unwrap_or_else(|| defaults.assert_python.clone()),
            ),
            in_default_set: Some(distro.in_default_set.unwrap_or(defaults.in_default_set)),
            ..distro.clone()
        }
    }
}

fn yes() -> bool {
    true
}

fn python3() -> String {
    "python3".to_owned()
}

/// Reads a mapping, refusing a key that appears twice (a plain map would keep the last one
/// silently). With serde's own refusal of repeated struct fields, a spec that deserializes has
/// no repeated key anywhere, so only a failed load needs the slower search that places one.
fn unique_keys<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct UniqueKeys<V>(std::marker::PhantomData<V>);

    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for UniqueKeys<V> {
        type Value = BTreeMap<String, V>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a mapping")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut entries = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if entries.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!(
                        "duplicate entry with key \"{key}\""
                    )));
                }
                let value = map.next_value()?;
                entries.insert(key, value);
            }
            Ok(entries)
        }
    }

    deserializer.deserialize_map(UniqueKeys(std::marker::PhantomData))
}
