//! The example workflows' shell steps that carry package diffs to a pull request, run as GitHub
//! runs a `run:` step (`bash -eo pipefail`), with the real tcgen and git, a local repository as
//! `origin`, and a stand-in `gh` that records what it would post.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;

/// The `run:` script of the step named `step` of `job` in the example workflow `file`.
fn step_script(file: &str, job: &str, step: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/github-actions")
        .join(file);
    let workflow: Value = serde_yaml::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with(step)))
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("{file}: no step {step:?} in {job}"))
        .to_owned()
}

/// Runs `script` in `dir` as a GitHub step, with tcgen and `extra_path` first on PATH.
fn run_step(dir: &Path, script: &str, env: &[(&str, &str)], extra_path: &[&Path]) -> Output {
    let tcgen_dir = Path::new(common::TCGEN).parent().unwrap();
    let mut path: Vec<PathBuf> = extra_path.iter().map(|p| p.to_path_buf()).collect();
    path.push(tcgen_dir.to_path_buf());
    path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap()));
    Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", std::env::join_paths(path).unwrap())
        .env("GITHUB_SHA", "c0ffee")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn inventory_fixture(name: &str) -> String {
    fs::read_to_string(common::fixture(&format!("inventory/{name}"))).unwrap()
}

/// A repository whose `origin` has an `inventories` branch holding `files`.
fn checkout_with_published(files: &[(&str, String)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let origin = root.path().join("origin");
    fs::create_dir(&origin).unwrap();
    common::git(&origin, &["init", "-q", "-b", "main"]);
    fs::write(origin.join("distros.yaml"), "# the spec\n").unwrap();
    common::git(&origin, &["add", "."]);
    common::git(&origin, &["commit", "-qm", "main"]);
    if !files.is_empty() {
        common::git(&origin, &["checkout", "-q", "--orphan", "inventories"]);
        common::git(&origin, &["rm", "-q", "-rf", "."]);
        for (name, text) in files {
            fs::write(origin.join(name), text).unwrap();
        }
        common::git(&origin, &["add", "."]);
        common::git(&origin, &["commit", "-qm", "published"]);
        common::git(&origin, &["checkout", "-q", "main"]);
    }
    let work = root.path().join("work");
    let cloned = Command::new("git")
        .args(["clone", "-q"])
        .arg(&origin)
        .arg(&work)
        .status()
        .unwrap();
    assert!(cloned.success());
    fs::create_dir_all(work.join("build_docker/logs")).unwrap();
    root
}

#[test]
fn a_pull_request_build_diffs_its_image_against_the_published_inventory() {
    let root = checkout_with_published(&[(
        "debian12.amd64.inventory.json",
        inventory_fixture("old.json"),
    )]);
    let work = root.path().join("work");
    let built = work.join("build_docker/logs/debian12.inventory.json");
    fs::write(&built, inventory_fixture("new.json")).unwrap();
    let script = step_script("images.yml", "build-pr", "What changes inside");
    for arch in ["amd64", "arm64"] {
        let output = run_step(
            &work,
            &script,
            &[("DISTRO", "debian12"), ("ARCH", arch)],
            &[],
        );
        common::assert_succeeded(&output);
    }
    let compared = fs::read_to_string(work.join("comment/debian12.amd64.md")).unwrap();
    let expected = common::run(
        &work,
        &[
            "diff",
            common::fixture("inventory/old.json").to_str().unwrap(),
            built.to_str().unwrap(),
            "--markdown",
        ],
    );
    assert_eq!(
        compared,
        format!(
            "#### debian12 (amd64)\n{}",
            String::from_utf8_lossy(&expected.stdout)
        )
    );
    let first = fs::read_to_string(work.join("comment/debian12.arm64.md")).unwrap();
    assert_eq!(
        first,
        "#### debian12 (arm64)\nNew: no published inventory to compare with; reg.example.com/ns/test-toolchain-debian12:3333bbbb4444 (deb): 5 packages\n"
    );
    fs::remove_file(&built).unwrap();
    let script_env = [("DISTRO", "debian12"), ("ARCH", "amd64")];
    common::assert_succeeded(&run_step(&work, &script, &script_env, &[]));
    let failed = fs::read_to_string(work.join("comment/debian12.amd64.md")).unwrap();
    assert!(failed.contains("Not built"), "{failed}");
}

#[test]
fn main_keeps_what_it_published_on_the_inventories_branch() {
    let root = checkout_with_published(&[]);
    let work = root.path().join("work");
    let script = step_script("images.yml", "publish", "Keep the published images");
    let publish = |files: &[(&str, &str)]| {
        fs::create_dir_all(work.join("inventories")).unwrap();
        for (name, fixture) in files {
            fs::write(
                work.join("inventories").join(name),
                inventory_fixture(fixture),
            )
            .unwrap();
        }
        let output = run_step(&work, &script, &[], &[]);
        common::assert_succeeded(&output);
        let _ = fs::remove_dir_all(work.join("inventories"));
        let _ = Command::new("git")
            .args(["worktree", "remove", "--force", "published"])
            .current_dir(&work)
            .status();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let origin = root.path().join("origin");
    let on_branch = |name: &str| {
        let output = Command::new("git")
            .args(["show", &format!("inventories:{name}")])
            .current_dir(&origin)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    // The first publish makes the branch; a later one replaces only what it built.
    publish(&[
        ("debian12.amd64.inventory.json", "old.json"),
        ("rocky9.amd64.inventory.json", "old.json"),
    ]);
    assert_eq!(
        on_branch("debian12.amd64.inventory.json"),
        inventory_fixture("old.json")
    );
    publish(&[("debian12.amd64.inventory.json", "new.json")]);
    assert_eq!(
        on_branch("debian12.amd64.inventory.json"),
        inventory_fixture("new.json")
    );
    assert_eq!(
        on_branch("rocky9.amd64.inventory.json"),
        inventory_fixture("old.json")
    );
    let again = publish(&[("debian12.amd64.inventory.json", "new.json")]);
    assert!(again.contains("unchanged"), "{again}");
    let nothing = run_step(&work, &script, &[], &[]);
    common::assert_succeeded(&nothing);
    assert!(String::from_utf8_lossy(&nothing.stdout).contains("no image was built"));
}

/// A stand-in `gh`: `api repos/R/pulls/N` answers FAKE_HEAD, the comment list answers
/// FAKE_EXISTING's id, and a POST or PATCH records its method, path and body in `gh.log`.
fn fake_gh(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    common::write_executable(
        &bin.join("gh"),
        r#"#!/bin/sh
log="$(dirname "$0")/../gh.log"
[ "$1" = api ] || exit 2
shift
case "$*" in
  *"--method "*)
    method=$2; path=$3; body=${5#body=@}
    { echo "$method $path"; cat "$body"; } >> "$log" ;;
  *"/pulls/"*) echo "$FAKE_HEAD" ;;
  *"/comments"*) [ -n "${FAKE_EXISTING-}" ] && echo "$FAKE_EXISTING"; true ;;
esac
"#,
    );
    bin
}

/// Runs the comment step with the artifacts `files`; returns its output and what gh posted.
fn comment(files: &[(&str, &str)], env: &[(&str, &str)]) -> (Output, String) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("comment")).unwrap();
    for (name, text) in files {
        fs::write(dir.path().join("comment").join(name), text).unwrap();
    }
    let bin = fake_gh(dir.path());
    let mut all_env = vec![
        ("REPO", "org/toolchain"),
        ("HEAD_SHA", "abc123"),
        ("FAKE_HEAD", "abc123"),
        ("RUN_URL", "https://github.com/org/toolchain/actions/runs/7"),
        ("CONCLUSION", "success"),
    ];
    all_env.extend_from_slice(env);
    let script = step_script("pr-comment.yml", "comment", "Post or update the comment");
    let output = run_step(dir.path(), &script, &all_env, &[&bin]);
    let posted = fs::read_to_string(dir.path().join("gh.log")).unwrap_or_default();
    (output, posted)
}

const PLAN: &str =
    "```\n1 of 2 images changed since main (abc)\n  debian12  ...  Dockerfile\n```\n";

#[test]
fn the_comment_has_the_plan_then_each_image_s_diff() {
    let files = [
        ("pr-number", "42\n"),
        ("plan.md", PLAN),
        ("debian12.arm64.md", "#### debian12 (arm64)\nsecond\n"),
        ("debian12.amd64.md", "#### debian12 (amd64)\nfirst\n"),
    ];
    let (output, posted) = comment(&files, &[]);
    common::assert_succeeded(&output);
    insta::assert_snapshot!("pr_comment_posted", posted);
    let (output, posted) = comment(&files, &[("FAKE_EXISTING", "991")]);
    common::assert_succeeded(&output);
    assert!(
        posted.starts_with("PATCH repos/org/toolchain/issues/comments/991\n"),
        "one comment, kept up to date: {posted}"
    );
}

#[test]
fn the_comment_step_says_nothing_it_cannot_stand_behind() {
    // The pull request has moved on: the newer run comments.
    let (output, posted) = comment(
        &[("pr-number", "42"), ("plan.md", PLAN)],
        &[("FAKE_HEAD", "def456")],
    );
    common::assert_succeeded(&output);
    assert_eq!(posted, "");
    // An artifact is no place for a command.
    let (output, posted) = comment(&[("pr-number", "42; rm -rf /"), ("plan.md", PLAN)], &[]);
    assert!(!output.status.success());
    assert_eq!(posted, "");
    // Nothing changes and nothing was said before: no comment.
    let (output, posted) = comment(&[("pr-number", "42")], &[]);
    common::assert_succeeded(&output);
    assert_eq!(posted, "");
    // Nothing changes any more, after a comment that said otherwise: it is updated.
    let (output, posted) = comment(&[("pr-number", "42")], &[("FAKE_EXISTING", "991")]);
    common::assert_succeeded(&output);
    assert!(posted.contains("No image changes any more."), "{posted}");
}
