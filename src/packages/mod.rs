//! What is installed in an image: its packages (name, version with epoch and release,
//! architecture), read from the family's own database query, and what changes between two
//! images. Pure: the runner runs the query, this reads and compares what it printed.

mod diff;
pub mod report;
pub mod sbom;

use serde::{Deserialize, Serialize};

pub use diff::{Change, Diff, diff};

/// The package format of an image's database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// dpkg (Debian, Ubuntu).
    Deb,
    /// rpm (RedHat, SUSE).
    Rpm,
}

impl Format {
    /// The format of a family's package database.
    pub fn of_family(family: crate::family::Family) -> Format {
        if family.installs_debs() {
            Format::Deb
        } else {
            Format::Rpm
        }
    }

    /// The lowercase name, as JSON and messages spell it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Deb => "deb",
            Format::Rpm => "rpm",
        }
    }
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Package {
    /// Its name.
    pub name: String,
    /// Its version, with the epoch (`1:`) and release where the format has them.
    pub version: String,
    /// Its architecture (`amd64`, `x86_64`, `all`, `noarch`).
    pub arch: String,
}

/// The installed packages of an image, sorted by name and architecture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// The image, as it was named.
    pub image: String,
    /// Its package format.
    pub format: Format,
    /// The distribution its `/etc/os-release` names, when it has one. Not part of the saved
    /// JSON form, whose keys are fixed; the SBOM's package URLs use it.
    #[serde(skip)]
    pub os: Option<Os>,
    /// Its installed packages, sorted.
    pub packages: Vec<Package>,
}

/// A distribution as `/etc/os-release` names it (`ID`, `VERSION_ID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Os {
    /// Its `ID`: `debian`, `ubuntu`, `rocky`, `sles`.
    pub id: String,
    /// Its `VERSION_ID`: `12`, `22.04`, `9.3`, `15.6`; empty on rolling releases.
    pub version_id: String,
}

/// The shell script that prints an image's installed packages: a first line `format deb` or
/// `format rpm` (`format none` when neither database is there), a line `os\tID\tVERSION_ID`
/// from `/etc/os-release` when it is there, then one tab-separated line per package. `prefer`
/// picks the query when both are there (a distro's family says which).
pub fn query_script(prefer: Option<Format>) -> String {
    let deb = (
        "echo format deb",
        "dpkg-query -W -f='${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\n'",
    );
    let rpm = (
        "echo format rpm",
        "rpm -qa --queryformat '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\n'",
    );
    let (first, first_tool, second, second_tool) = match prefer {
        Some(Format::Rpm) => (rpm, "rpm", deb, "dpkg-query"),
        _ => (deb, "dpkg-query", rpm, "rpm"),
    };
    let os =
        r#"(. /etc/os-release 2>/dev/null && printf 'os\t%s\t%s\n' "${ID:-}" "${VERSION_ID:-}")"#;
    format!(
        "if command -v {first_tool} >/dev/null 2>&1; then {first_header}; {os}; {first}; elif command -v {second_tool} >/dev/null 2>&1; then {second_header}; {os}; {second}; else echo format none; fi",
        first_header = first.0,
        first = first.1,
        second_header = second.0,
        second = second.1,
    )
}

/// Reads what [`query_script`] printed in `image`. `Err` says why it cannot be read.
pub fn parse(image: &str, output: &str) -> Result<Inventory, String> {
    let mut lines = output.lines();
    let format = match lines.next().map(str::trim) {
        Some("format deb") => Format::Deb,
        Some("format rpm") => Format::Rpm,
        _ => {
            return Err(format!(
                "{image} has neither dpkg nor rpm: tcgen reads installed packages from one of them"
            ));
        }
    };
    let mut lines = lines.peekable();
    let os = lines
        .next_if(|line| line.starts_with("os\t"))
        .and_then(os_line);
    let mut packages: Vec<Package> = lines
        .filter_map(|line| match format {
            Format::Deb => deb_line(line),
            Format::Rpm => rpm_line(line),
        })
        .collect();
    packages.sort();
    packages.dedup();
    Ok(Inventory {
        image: image.to_owned(),
        format,
        os,
        packages,
    })
}

/// The `os\tID\tVERSION_ID` line; none when `ID` is empty.
fn os_line(line: &str) -> Option<Os> {
    let mut fields = line.split('\t').skip(1);
    let id = fields.next().filter(|id| !id.is_empty())?;
    Some(Os {
        id: id.to_owned(),
        version_id: fields.next().unwrap_or("").trim().to_owned(),
    })
}

/// A dpkg line (`ii \tname\tversion\tarch`): only packages whose files are installed (`?i?`:
/// wanted, held or to be removed), never half-installed, config-only or not-installed ones.
fn deb_line(line: &str) -> Option<Package> {
    let mut fields = line.split('\t');
    let status = fields.next()?;
    if status.as_bytes().get(1) != Some(&b'i') {
        return None;
    }
    package(fields)
}

/// An rpm line (`name\t[epoch:]version-release\tarch`); rpm's `gpg-pubkey` entries are keys,
/// not packages.
fn rpm_line(line: &str) -> Option<Package> {
    let package = package(line.split('\t'))?;
    (package.name != "gpg-pubkey").then_some(package)
}

fn package<'a>(mut fields: impl Iterator<Item = &'a str>) -> Option<Package> {
    let (name, version, arch) = (fields.next()?, fields.next()?, fields.next()?);
    (!name.is_empty()).then(|| Package {
        name: name.to_owned(),
        version: version.to_owned(),
        arch: arch.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_lists_installed_and_held_packages_only() {
        let output = "format deb\nii \tbash\t5.2.15-2+b2\tamd64\nhi \tlibc6\t2.36-9\tamd64\nrc \told\t1.0\tamd64\niU \thalf\t1.0\tamd64\nun \tgone\t\t\nii \ttzdata\t2024a-0+deb12u1\tall\n";
        let inventory = parse("img", output).unwrap();
        let names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(inventory.format, Format::Deb);
        assert_eq!(names, ["bash", "libc6", "tzdata"]);
    }

    #[test]
    fn rpm_keeps_epochs_and_both_architectures_and_leaves_keys_out() {
        let output = "format rpm\nglibc\t2.34-60.el9\tx86_64\nglibc\t2.34-60.el9\ti686\nperl-Time-HiRes\t4:1.9764-462.el9\tx86_64\ngpg-pubkey\t3228467c-613798eb\t(none)\n";
        let inventory = parse("img", output).unwrap();
        assert_eq!(inventory.format, Format::Rpm);
        assert_eq!(inventory.packages.len(), 3);
        assert_eq!(inventory.packages[0].arch, "i686");
        assert_eq!(inventory.packages[2].version, "4:1.9764-462.el9");
    }

    #[test]
    fn an_image_with_neither_database_is_named() {
        let error = parse("scratch-image", "format none\n").unwrap_err();
        assert!(
            error.contains("scratch-image has neither dpkg nor rpm"),
            "{error}"
        );
    }
}
