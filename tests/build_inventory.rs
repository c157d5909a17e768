//! `tcgen build --inventory`: which image and platform each inventory is read from and which
//! file it goes to (dry-run snapshots), and the contract with the engine: the file is what the
//! image's query printed, and an image that cannot be read fails the run without keeping the
//! fleet from being published.

mod common;
#[path = "common/fake_engine.rs"]
mod fake_engine;

use std::fs;
use std::path::Path;

use assert_cmd::prelude::*;
use common::tcgen;

const REGISTRY: &str = "reg.example.com/ns";

fn repo() -> tempfile::TempDir {
    let dir = common::scratch_with("fleet.yaml");
    tcgen(dir.path()).arg("render").assert().success();
    dir
}

#[test]
fn dry_runs_say_which_image_and_platform_each_inventory_reads_into_which_file() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "inventory_podman_local",
            &["--engine", "podman", "debian12", "rocky9"],
        ),
        (
            "inventory_multi",
            &["--registry", REGISTRY, "--multi", "debian12"],
        ),
        (
            "inventory_one_platform",
            &[
                "--registry",
                REGISTRY,
                "--platform",
                "linux/arm64",
                "--no-publish",
                "debian12",
            ],
        ),
    ];
    let dir = repo();
    for (snapshot, args) in cases {
        let output = tcgen(dir.path())
            .args(["build", "--dry-run", "--inventory"])
            .args(args)
            .output()
            .unwrap();
        common::assert_succeeded(&output);
        let stdout = String::from_utf8_lossy(&output.stdout)
            .replace(&dir.path().display().to_string(), "<repo>");
        let inventories: String = stdout
            .lines()
            .skip_while(|line| !line.starts_with("# each built image's packages"))
            .take_while(|line| !line.starts_with("# once every target"))
            .map(|line| format!("{line}\n"))
            .collect();
        assert!(!inventories.is_empty(), "{snapshot}: {stdout}");
        insta::assert_snapshot!(snapshot, inventories);
    }
}

fn query_output(dir: &Path) -> String {
    let file = dir.join("query.txt");
    fs::write(
        &file,
        "format deb\nos\tdebian\t12\nii \tbash\t5.2.15-2+b2\tamd64\nii \tpatch\t2.7.6-7\tamd64\nrc \tgone\t1.0\tamd64\n",
    )
    .unwrap();
    file.display().to_string()
}

#[test]
fn each_built_image_s_inventory_is_written_next_to_its_log() {
    let dir = repo();
    let output_file = query_output(dir.path());
    let (output, log) = fake_engine::with_fake_engine(
        dir.path(),
        &["build", "--registry", REGISTRY, "--inventory", "debian12"],
        &[("FAKE_RUN_OUTPUT", output_file.as_str())],
    );
    common::assert_succeeded(&output);
    let written = fs::read_to_string(dir.path().join("build_docker/logs/debian12.inventory.json"))
        .expect("the inventory is next to the log");
    let inventory: serde_json::Value = serde_json::from_str(&written).unwrap();
    let pushed = fake_engine::registry_digest(&log, &format!("{REGISTRY}/test-toolchain-debian12"));
    assert!(pushed.is_some(), "the name tag moved");
    let image = inventory["image"].as_str().unwrap();
    assert!(
        image.starts_with(&format!("{REGISTRY}/test-toolchain-debian12:")),
        "read from the pushed digest tag: {image}"
    );
    assert_eq!(
        common::each(&inventory["packages"], "name"),
        ["bash", "patch"]
    );
    let calls = fs::read_to_string(&log).unwrap();
    assert!(
        calls.contains(&format!("args=run --rm --entrypoint sh {image} -c ")),
        "{calls}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("debian12: 2 packages in build_docker/logs/debian12.inventory.json"),
        "{stderr}"
    );
}

#[test]
fn an_image_that_cannot_be_read_fails_the_run_and_the_fleet_is_still_published() {
    let dir = repo();
    let (output, log) = fake_engine::with_fake_engine(
        dir.path(),
        &["build", "--registry", REGISTRY, "--inventory", "debian12"],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("debian12: no inventory:"), "{stderr}");
    assert!(
        !dir.path()
            .join("build_docker/logs/debian12.inventory.json")
            .exists()
    );
    assert!(
        fake_engine::registry_digest(&log, &format!("{REGISTRY}/test-toolchain-debian12"))
            .is_some(),
        "an inventory is a report: the built fleet is published all the same"
    );
}

#[test]
fn a_distro_whose_image_is_not_here_says_how_to_get_it() {
    let dir = repo();
    let (output, _) = fake_engine::with_fake_engine(dir.path(), &["inventory", "rocky9"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (reason, hint) = stderr.split_once('\n').unwrap();
    assert!(
        reason.starts_with("error: cannot read the packages of test-toolchain-rocky9: ")
            && reason.ends_with(
                "fake-docker cannot run it: Error: test-toolchain-rocky9: image not known"
            ),
        "the engine's own reason, without the query's command line: {reason}"
    );
    assert_eq!(
        hint,
        "  hint: `tcgen build rocky9` builds test-toolchain-rocky9 here; `tcgen inventory REGISTRY/test-toolchain-rocky9` reads a published one\n"
    );
}

#[test]
fn packages_of_different_formats_are_not_compared() {
    let dir = repo();
    let rpm = dir.path().join("rocky.json");
    fs::write(
        &rpm,
        r#"{"image": "rocky", "format": "rpm", "packages": [{"name": "bash", "version": "5.1.8-6.el9_1", "arch": "x86_64"}]}"#,
    )
    .unwrap();
    let deb = common::fixture("inventory/old.json");
    let output = common::run(
        dir.path(),
        &["diff", deb.to_str().unwrap(), rpm.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::text(&output)
            .contains("has deb packages and rocky has rpm packages: they cannot be compared"),
        "{}",
        common::text(&output)
    );
}
