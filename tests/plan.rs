//! `tcgen plan --changed-since` and the input digests behind it, in scratch git repositories:
//! exactly the images whose inputs changed are named, with the reason, and digests are stable.

use assert_cmd::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::Path;

mod common;
use common::{git, tcgen};

/// A repository whose one commit holds the plan fixture as distros.yaml and its render.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan.yaml");
    fs::copy(fixture, dir.path().join("distros.yaml")).unwrap();
    tcgen(dir.path()).arg("render").assert().success();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

/// Edits distros.yaml in place.
fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("distros.yaml");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "the fixture has {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn plan(dir: &Path) -> Value {
    let output = tcgen(dir)
        .args(["plan", "--changed-since", "HEAD", "--json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn changed(plan: &Value) -> Vec<&str> {
    common::each(&plan["changed"], "name")
}

fn reasons(plan: &Value, name: &str) -> Vec<Value> {
    plan["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()["reasons"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn nothing_changed_names_nothing() {
    let dir = repo();
    let plan = plan(dir.path());
    assert_eq!(changed(&plan), Vec::<String>::new());
    assert_eq!(
        plan["unchanged"],
        serde_json::json!(["alpha", "beta", "gamma"])
    );
}

#[test]
fn editing_one_distros_packages_names_exactly_that_distro() {
    let dir = repo();
    edit(
        dir.path(),
        "packages: [gcc, python3]\n  beta",
        "packages: [gcc, make, python3]\n  beta",
    );
    let plan = plan(dir.path());
    assert_eq!(changed(&plan), ["alpha"]);
    assert_eq!(
        reasons(&plan, "alpha"),
        [serde_json::json!({"kind": "dockerfile"})]
    );
    let change = &plan["changed"][0];
    assert_ne!(change["digest"], change["previous_digest"]);
    let short = &change["digest"].as_str().unwrap()["sha256:".len()..][..12];
    assert_eq!(
        change["digest_tag"],
        format!("test-toolchain-alpha:{short}")
    );
}

#[test]
fn a_changed_shared_script_names_every_image_that_copies_it_and_no_other() {
    // The base commit holds the script as an older tcgen rendered it: what was built then.
    let dir = repo();
    let script = dir.path().join("generated/context/scripts/setup-python.sh");
    let current = fs::read_to_string(&script).unwrap();
    fs::write(&script, format!("{current}# an older revision\n")).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "older script"]);
    tcgen(dir.path()).arg("render").assert().success();
    let plan = plan(dir.path());
    assert_eq!(
        changed(&plan),
        ["alpha", "beta"],
        "gamma does not copy the script"
    );
    assert_eq!(
        reasons(&plan, "beta"),
        [serde_json::json!({"kind": "context_file", "path": "scripts/setup-python.sh"})]
    );
}

#[test]
fn editing_a_comment_names_none() {
    let dir = repo();
    edit(
        dir.path(),
        "# Fixture for",
        "# An edited comment.\n# Fixture for",
    );
    edit(
        dir.path(),
        "    tools: []",
        "    tools: []  # no tools for gamma",
    );
    assert_eq!(changed(&plan(dir.path())), Vec::<String>::new());
}

#[test]
fn platforms_new_and_removed_images_are_told_apart() {
    let dir = repo();
    edit(
        dir.path(),
        "platforms: [linux/amd64]",
        "platforms: [linux/amd64, linux/arm64]",
    );
    let text = fs::read_to_string(dir.path().join("distros.yaml")).unwrap();
    let text = text.replace("  gamma:", "  delta:");
    fs::write(dir.path().join("distros.yaml"), text).unwrap();
    let plan = plan(dir.path());
    assert_eq!(changed(&plan), ["alpha", "beta", "delta"]);
    assert_eq!(
        reasons(&plan, "alpha"),
        [serde_json::json!({"kind": "platforms"})]
    );
    assert_eq!(
        reasons(&plan, "delta"),
        [serde_json::json!({"kind": "new"})]
    );
    assert_eq!(plan["removed"], serde_json::json!(["gamma"]));
}

#[test]
fn a_base_spec_that_does_not_load_plans_every_image_with_a_warning() {
    let dir = repo();
    fs::write(
        dir.path().join("distros.yaml"),
        "distros: [not, a, mapping]\n",
    )
    .unwrap();
    git(dir.path(), &["commit", "-q", "-am", "broken spec"]);
    git(
        dir.path(),
        &["checkout", "-q", "HEAD~1", "--", "distros.yaml"],
    );
    let output = tcgen(dir.path())
        .args(["plan", "--changed-since", "HEAD"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("3 of 3 images changed since HEAD"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the base spec does not load: HEAD:distros.yaml:1"),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("warning: the spec at HEAD does not load")
    );
}

#[test]
fn an_unknown_revision_or_no_repository_is_a_usage_error() {
    let dir = repo();
    let output = tcgen(dir.path())
        .args(["plan", "--changed-since", "no-such-branch"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("'no-such-branch' is not a commit"));

    let bare = tempfile::tempdir().unwrap();
    fs::copy(
        dir.path().join("distros.yaml"),
        bare.path().join("distros.yaml"),
    )
    .unwrap();
    let output = tcgen(bare.path())
        .args(["plan", "--changed-since", "HEAD"])
        .env("GIT_CEILING_DIRECTORIES", bare.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs a git repository"));
}

#[test]
fn digests_are_the_same_on_two_runs_and_two_checkouts() {
    let first = repo();
    let second = tempfile::tempdir().unwrap();
    let clone = second.path().join("elsewhere");
    git(
        second.path(),
        &[
            "clone",
            "-q",
            &first.path().display().to_string(),
            "elsewhere",
        ],
    );
    let digests = |dir: &Path| -> Vec<(String, String)> {
        let output = tcgen(dir).args(["list", "--json"]).output().unwrap();
        assert!(output.status.success());
        let list: Value = serde_json::from_slice(&output.stdout).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["input_digest"].as_str().unwrap().to_owned(),
                    d["digest_tag"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let once = digests(first.path());
    assert_eq!(once.len(), 3);
    assert_eq!(once, digests(first.path()), "two runs");
    assert_eq!(once, digests(&clone), "two checkouts");
    let bake = fs::read_to_string(clone.join("generated/bake.hcl")).unwrap();
    for (digest, tag) in &once {
        assert!(bake.contains(digest.as_str()), "bake.hcl labels {digest}");
        assert!(
            bake.contains(&format!("under(REGISTRY, \"{tag}\")")),
            "bake.hcl tags {tag}"
        );
    }
}

#[test]
fn build_changed_since_builds_only_the_changed_images() {
    let dir = repo();
    let output = tcgen(dir.path())
        .args(["build", "--dry-run", "--changed-since", "HEAD"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "nothing to build: no selected image changed since HEAD\n"
    );

    edit(
        dir.path(),
        "label: test-beta",
        "label: test-beta\n    install_options: [--no-install-recommends]",
    );
    tcgen(dir.path()).arg("render").assert().success();
    let output = tcgen(dir.path())
        .args(["build", "--dry-run", "--changed-since", "HEAD"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let targets: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("buildx bake"))
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(targets, ["beta"], "{stdout}");
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("unchanged since HEAD, not built: alpha, gamma")
    );
}

/// `tcgen plan --matrix ARGS` in `dir`: the single line it prints, checked to be JSON.
fn matrix(dir: &Path, args: &[&str]) -> String {
    let output = tcgen(dir)
        .args(["plan", "--matrix"])
        .args(args)
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "one line for a CI output: {text}");
    let _: Value = serde_json::from_str(&text).unwrap();
    text
}

#[test]
fn the_matrix_has_an_entry_per_image_and_platform_to_build() {
    let dir = common::scratch_with("fleet.yaml");
    tcgen(dir.path()).arg("render").assert().success();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    // The default set: debian12 on two platforms, rocky9 on one (centos7 is out of it, and
    // suse15 waits for SUSE_MIRROR).
    insta::assert_snapshot!("matrix_default_set", matrix(dir.path(), &[]));
    assert_eq!(
        matrix(dir.path(), &["--changed-since", "HEAD"]),
        "{\"include\":[]}\n",
        "nothing changed, nothing to build"
    );
    edit(
        dir.path(),
        "packages: [gcc, python3, python3-dev, zlib1g-dev]",
        "packages: [gcc, python3, python3-dev, zlib1g-dev, bzip2]",
    );
    tcgen(dir.path()).arg("render").assert().success();
    insta::assert_snapshot!(
        "matrix_changed_multi_platform",
        matrix(dir.path(), &["--changed-since", "HEAD"])
    );
}
