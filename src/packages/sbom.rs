//! An inventory as a CycloneDX 1.5 JSON document: the image is the subject
//! (`metadata.component`, of type `container`), each installed package a `library` component with
//! its package URL (`pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&distro=debian-12`,
//! `pkg:rpm/rocky/glibc@2.34-60.el9?arch=x86_64&distro=rocky-9.3&epoch=1`), and the image
//! depends on every package.
//!
//! The document has no serial number and no timestamp, so one image gives the same bytes every
//! time: the image's ID in the subject's version says which image it describes.

use cyclonedx_bom::models::bom::{Bom, SpecVersion};
use cyclonedx_bom::models::component::{Classification, Component, Components};
use cyclonedx_bom::models::dependency::{Dependencies, Dependency};
use cyclonedx_bom::models::metadata::Metadata;
use cyclonedx_bom::models::tool::Tools;
use cyclonedx_bom::prelude::{Purl, Validate};
use purl::GenericPurlBuilder;

use super::{Format, Inventory, Os, Package};

/// The CycloneDX JSON document of `inventory`; `image_id` (`sha256:…`) is the subject's version
/// when the engine reported one. `Err` says what could not be expressed.
pub fn cyclonedx(inventory: &Inventory, image_id: Option<&str>) -> Result<String, String> {
    let components = inventory
        .packages
        .iter()
        .map(|package| component(inventory.format, inventory.os.as_ref(), package))
        .collect::<Result<Vec<_>, _>>()?;
    let subject_ref = format!("image:{}", inventory.image);
    let mut subject = Component::new(
        Classification::Container,
        &inventory.image,
        image_id.unwrap_or(""),
        Some(subject_ref.clone()),
    );
    if image_id.is_none() {
        subject.version = None;
    }
    let dependencies = Dependency {
        dependency_ref: subject_ref,
        dependencies: components
            .iter()
            .filter_map(|c| c.bom_ref.clone())
            .collect(),
    };
    let bom = Bom {
        serial_number: None,
        spec_version: SpecVersion::V1_5,
        metadata: Some(Metadata {
            tools: Some(Tools::Object {
                services: None,
                components: Some(Components(vec![tool()])),
            }),
            component: Some(subject),
            ..Metadata::default()
        }),
        components: Some(Components(components)),
        dependencies: Some(Dependencies(vec![dependencies])),
        ..Bom::default()
    };
    let validation = bom.validate_version(SpecVersion::V1_5);
    if !validation.passed() {
        return Err(format!("the SBOM does not validate: {validation:?}"));
    }
    let mut bytes = Vec::new();
    bom.output_as_json_v1_5(&mut bytes)
        .map_err(|e| format!("cannot write the SBOM: {e}"))?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// tcgen itself, as the tool that wrote the document.
fn tool() -> Component {
    Component::new(
        Classification::Application,
        "tcgen",
        env!("CARGO_PKG_VERSION"),
        None,
    )
}

/// One package as a `library` component, known by its package URL.
fn component(format: Format, os: Option<&Os>, package: &Package) -> Result<Component, String> {
    let purl = package_url(format, os, package)?;
    let mut component = Component::new(
        Classification::Library,
        &package.name,
        &package.version,
        Some(purl.clone()),
    );
    component.purl = Some(purl.parse::<Purl>().map_err(|()| purl.clone())?);
    Ok(component)
}

/// The package URL of one package: type `deb` or `rpm`, the distribution's `ID` as namespace,
/// `arch` and `distro` qualifiers, and for rpm the epoch as a qualifier, as the purl
/// specification has it (dpkg versions keep theirs).
pub fn package_url(format: Format, os: Option<&Os>, package: &Package) -> Result<String, String> {
    let (version, epoch) = match format {
        Format::Rpm => match package.version.split_once(':') {
            Some((epoch, version)) => (version, Some(epoch)),
            None => (package.version.as_str(), None),
        },
        Format::Deb => (package.version.as_str(), None),
    };
    let mut builder = GenericPurlBuilder::new(format.name().to_owned(), package.name.as_str())
        .with_version(version);
    let mut qualifiers = vec![("arch", package.arch.clone())];
    if let Some(os) = os {
        builder = builder.with_namespace(os.id.as_str());
        let distro = match os.version_id.as_str() {
            "" => os.id.clone(),
            version_id => format!("{}-{version_id}", os.id),
        };
        qualifiers.push(("distro", distro));
    }
    if let Some(epoch) = epoch {
        qualifiers.push(("epoch", epoch.to_owned()));
    }
    for (key, value) in qualifiers {
        builder = builder
            .with_qualifier(key, value)
            .map_err(|e| format!("{}: {e}", package.name))?;
    }
    builder
        .build()
        .map(|purl| purl.to_string())
        .map_err(|e| format!("no package URL for {}: {e}", package.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The package URL of `name` at `version` on `arch`, in `os` (`ID VERSION_ID`) if given.
    fn url(format: Format, os: Option<(&str, &str)>, package: [&str; 3]) -> String {
        let os = os.map(|(id, version_id)| Os {
            id: id.into(),
            version_id: version_id.into(),
        });
        let [name, version, arch] = package.map(String::from);
        package_url(
            format,
            os.as_ref(),
            &Package {
                name,
                version,
                arch,
            },
        )
        .unwrap()
    }

    #[test]
    fn rpm_epochs_become_a_qualifier_and_deb_versions_keep_theirs() {
        assert_eq!(
            url(
                Format::Rpm,
                Some(("rocky", "9.3")),
                ["perl-Time-HiRes", "4:1.9764-462.el9", "x86_64"]
            ),
            "pkg:rpm/rocky/perl-Time-HiRes@1.9764-462.el9?arch=x86_64&distro=rocky-9.3&epoch=4"
        );
        assert_eq!(
            url(
                Format::Deb,
                Some(("debian", "12")),
                ["git", "1:2.39.5-0+deb12u2", "amd64"]
            ),
            "pkg:deb/debian/git@1:2.39.5-0+deb12u2?arch=amd64&distro=debian-12"
        );
        assert_eq!(
            url(Format::Deb, None, ["bash", "5.2", "amd64"]),
            "pkg:deb/bash@5.2?arch=amd64"
        );
        assert_eq!(
            url(
                Format::Rpm,
                Some(("opensuse-tumbleweed", "")),
                ["zypper", "1.14-1", "x86_64"]
            ),
            "pkg:rpm/opensuse-tumbleweed/zypper@1.14-1?arch=x86_64&distro=opensuse-tumbleweed"
        );
    }
}
