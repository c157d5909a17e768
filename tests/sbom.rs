//! `tcgen inventory --sbom`: CycloneDX 1.5 documents of fixture inventories, validated against
//! the format's published JSON schema, with package URLs that carry each package's namespace,
//! architecture, distro and rpm epoch.

use serde_json::Value;
use tcgen::packages::parse;
use tcgen::packages::sbom::cyclonedx;

mod common;
#[path = "common/cyclonedx.rs"]
mod cyclonedx;

const IMAGE_ID: &str = "sha256:acd60fb06a7831080d843a8de55b664cd98de2f3a5975ceffda03da76ac0d805";

fn recorded(file: &str) -> tcgen::packages::Inventory {
    let output = std::fs::read_to_string(common::fixture(&format!("inventory/{file}"))).unwrap();
    parse(&format!("registry.example.com/toolchain/{file}"), &output).unwrap()
}

fn purls(document: &Value) -> Vec<&str> {
    common::each(&document["components"], "purl")
}

#[test]
fn sboms_of_recorded_redhat_and_suse_queries_conform_to_the_cyclonedx_schema() {
    let validator = cyclonedx::validator();
    for file in ["rocky9-rpm-qa.txt", "sles15-rpm-qa.txt"] {
        let inventory = recorded(file);
        let text = cyclonedx(&inventory, Some(IMAGE_ID)).unwrap();
        let document: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(cyclonedx::violations(&validator, &document), "", "{file}");
        assert_eq!(purls(&document).len(), inventory.packages.len(), "{file}");
        insta::assert_snapshot!(format!("sbom_{file}"), text);
    }
}

#[test]
fn the_image_is_the_subject_and_depends_on_every_package() {
    let text = cyclonedx(&recorded("rocky9-rpm-qa.txt"), Some(IMAGE_ID)).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    let subject = &document["metadata"]["component"];
    assert_eq!(subject["type"], "container");
    assert_eq!(
        subject["name"],
        "registry.example.com/toolchain/rocky9-rpm-qa.txt"
    );
    assert_eq!(subject["version"], IMAGE_ID);
    let dependencies = &document["dependencies"][0];
    assert_eq!(dependencies["ref"], subject["bom-ref"]);
    assert_eq!(
        dependencies["dependsOn"].as_array().unwrap().len(),
        purls(&document).len()
    );
    let epoch = purls(&document)
        .into_iter()
        .find(|purl| purl.contains("perl-Time-HiRes"))
        .unwrap();
    assert_eq!(
        epoch,
        "pkg:rpm/rocky/perl-Time-HiRes@1.9764-462.el9?arch=x86_64&distro=rocky-9.2&epoch=4"
    );
}

#[test]
fn the_schema_check_refuses_what_is_not_cyclonedx() {
    let validator = cyclonedx::validator();
    let text = cyclonedx(&recorded("sles15-rpm-qa.txt"), None).unwrap();
    let mut document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(cyclonedx::violations(&validator, &document), "");
    document["components"][0]["type"] = "package".into();
    assert!(
        cyclonedx::violations(&validator, &document).contains("/components/0/type"),
        "a component type the schema does not have must be refused"
    );
}

#[test]
fn sbom_of_a_saved_inventory_from_the_command_line_conforms_and_is_the_same_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let saved = common::fixture("inventory/new.json");
    let saved = saved.to_str().unwrap();
    let first = common::run(dir.path(), &["inventory", saved, "--sbom"]);
    common::assert_succeeded(&first);
    let document: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(
        cyclonedx::violations(&cyclonedx::validator(), &document),
        ""
    );
    assert!(
        purls(&document).contains(&"pkg:deb/openssl@3.0.15-1~deb12u1?arch=amd64"),
        "{:?}",
        purls(&document)
    );
    let second = common::run(dir.path(), &["inventory", saved, "--sbom"]);
    assert_eq!(
        first.stdout, second.stdout,
        "the same inventory, the same bytes"
    );
}
