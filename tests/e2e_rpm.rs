//! The rpm side of `tcgen inventory` on a real engine. No RedHat or SUSE base can be pulled
//! here, so the stand-in is a Debian image with Debian's rpm and a real rpm database: packages
//! built there with rpmbuild and installed with rpm -i, one of them for two architectures, one
//! with an epoch (`tests/fixtures/rpm-standin/`). Its spec names it a distro of the dnf family,
//! so tcgen reads it exactly as it reads a RedHat or SUSE image: with rpm's query, although the
//! image has dpkg too.

use std::process::Command;

use serde_json::Value;

mod common;
#[path = "common/cyclonedx.rs"]
mod cyclonedx;

const IMAGE: &str = "rpm-standin-standin";

fn build_standin() {
    common::require_podman();
    let folder = common::fixture("rpm-standin");
    let output = Command::new("podman")
        .args(["build", "-q", "-t", IMAGE, "-f"])
        .arg(folder.join("Containerfile"))
        .arg(&folder)
        .output()
        .unwrap();
    common::assert_succeeded(&output);
}

/// What rpm itself lists, as `name [epoch:]version-release arch` lines, sorted.
fn rpm_installed() -> Vec<String> {
    let output = Command::new("podman")
        .args(["run", "--rm", IMAGE, "rpm", "-qa", "--queryformat"])
        .arg("%{NAME} %{EPOCH} %{VERSION}-%{RELEASE} %{ARCH}\n")
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    let mut lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let version = match fields[1] {
                "(none)" => fields[2].to_owned(),
                epoch => format!("{epoch}:{}", fields[2]),
            };
            format!("{} {version} {}", fields[0], fields[3])
        })
        .collect();
    lines.sort();
    lines
}

fn tcgen_stdout(args: &[&str]) -> String {
    let folder = common::fixture("rpm-standin");
    let output = common::tcgen(&folder)
        .args(["--spec", "distros.yaml"])
        .args(args)
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    String::from_utf8(output.stdout).unwrap()
}

#[test]
#[ignore = "needs podman and a Debian base image: sudo .ci/setup-podman"]
fn an_rpm_database_reads_as_rpm_itself_lists_it_with_epochs_and_both_architectures() {
    build_standin();
    let json = tcgen_stdout(&["inventory", "standin", "--engine", "podman", "--json"]);
    let inventory: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(inventory["format"], "rpm", "read as its dnf family says");
    let listed: Vec<String> = inventory["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {} {}", p["name"], p["version"], p["arch"]).replace('"', ""))
        .collect();
    assert_eq!(listed, rpm_installed());
    for expected in [
        "tcgen-twoarch 1.0-1 i686",
        "tcgen-twoarch 1.0-1 x86_64",
        "tcgen-epoch 3:2.5-7 noarch",
    ] {
        assert!(
            listed.contains(&expected.to_owned()),
            "{expected}: {listed:?}"
        );
    }
    let sbom: Value = serde_json::from_str(&tcgen_stdout(&[
        "inventory",
        "standin",
        "--engine",
        "podman",
        "--sbom",
    ]))
    .unwrap();
    assert_eq!(cyclonedx::violations(&cyclonedx::validator(), &sbom), "");
    let purls = common::each(&sbom["components"], "purl");
    assert!(
        purls.contains(&"pkg:rpm/debian/tcgen-epoch@2.5-7?arch=noarch&distro=debian-12&epoch=3"),
        "{purls:?}"
    );
}
