//! Everything tcgen knows about a package-manager family, in one place. Each method matches
//! every family, so a new one does not compile until each of them says what it does; the
//! install command itself is the template `templates/families/<name>.tera`, which the Dockerfile
//! template includes by name and refuses to do without.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The package manager a distro's base image uses; it decides how install steps are written.
#[derive(
    Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Debian and Ubuntu: `apt-get`.
    Apt,
    /// RedHat 7: `yum`.
    Yum,
    /// RedHat 8 and later: `dnf`.
    Dnf,
    /// SUSE: `zypper`.
    Zypper,
}

impl Family {
    /// The lowercase name used in the spec and the templates.
    pub fn name(self) -> &'static str {
        match self {
            Family::Apt => "apt",
            Family::Yum => "yum",
            Family::Dnf => "dnf",
            Family::Zypper => "zypper",
        }
    }

    /// Whether `.repo` files in `/etc/yum.repos.d/` configure this family's repositories.
    pub fn uses_repo_files(self) -> bool {
        match self {
            Family::Yum | Family::Dnf => true,
            Family::Apt | Family::Zypper => false,
        }
    }

    /// Whether the family's package database is dpkg's (`.deb` packages) rather than rpm's.
    pub fn installs_debs(self) -> bool {
        match self {
            Family::Apt => true,
            Family::Yum | Family::Dnf | Family::Zypper => false,
        }
    }

    /// Whether `add_repo` steps (a repository added by URL) work in this family.
    pub fn adds_repos_by_url(self) -> bool {
        match self {
            Family::Zypper => true,
            Family::Apt | Family::Yum | Family::Dnf => false,
        }
    }

    /// How a distro of this family adds a repository, for messages that refuse another way.
    pub fn repository_advice(self) -> &'static str {
        match self {
            Family::Apt => {
                "add the repository with a run step before the install that writes /etc/apt/sources.list.d/NAME.list with its key (signed-by), or with the distro's own tool"
            }
            Family::Yum | Family::Dnf => {
                "list .repo files under the top-level repositories and name them in the distro's repositories"
            }
            Family::Zypper => "add the repository by URL with an add_repo step",
        }
    }

    /// Where the package manager keeps what it downloads (repository metadata and package
    /// files): the folders an install step mounts as caches.
    pub fn download_dirs(self) -> &'static [&'static str] {
        match self {
            Family::Apt => &["/var/cache/apt", "/var/lib/apt/lists"],
            Family::Yum => &["/var/cache/yum"],
            Family::Dnf => &["/var/cache/dnf"],
            Family::Zypper => &["/var/cache/zypp"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zypper_adds_repositories_by_url_and_only_yum_and_dnf_use_repo_files() {
        for family in [Family::Apt, Family::Yum, Family::Dnf, Family::Zypper] {
            assert!(!(family.uses_repo_files() && family.adds_repos_by_url()));
            assert!(!family.download_dirs().is_empty());
        }
    }
}
