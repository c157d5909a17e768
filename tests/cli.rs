//! The command line as users meet it: render, render --check (clean, edited, missing, orphaned)
//! and list.

use std::fs;
use std::path::{Path, PathBuf};

mod common;

/// A scratch repository holding a copy of the minimal fixture as its distros.yaml.
fn scratch() -> tempfile::TempDir {
    common::scratch_with("minimal.yaml")
}

fn generated(dir: &Path, file: &str) -> PathBuf {
    dir.join("generated").join(file)
}

#[test]
fn render_writes_every_file_then_check_passes() {
    let dir = scratch();
    let (code, stdout, _) = common::outcome(dir.path(), &["render"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("0 changed, 7 added, 0 removed"), "{stdout}");
    for file in [
        "distros.schema.json",
        "debian12.Dockerfile",
        "bake.hcl",
        "Makefile",
        "context/scripts/setup-python.sh",
    ] {
        assert!(generated(dir.path(), file).is_file(), "{file} missing");
    }
    let (code, stdout, _) = common::outcome(dir.path(), &["render", "--check"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("up to date"));
}

#[test]
fn check_reports_an_edited_file_with_a_diff_and_the_fix() {
    let dir = scratch();
    common::outcome(dir.path(), &["render"]);
    let dockerfile = generated(dir.path(), "debian12.Dockerfile");
    let edited = fs::read_to_string(&dockerfile)
        .unwrap()
        .replace("      gcc \\\n", "      gcc-12 \\\n");
    fs::write(&dockerfile, &edited).unwrap();
    let (code, stdout, _) = common::outcome(dir.path(), &["render", "--check"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("--- a/debian12.Dockerfile\n+++ b/debian12.Dockerfile\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("-      gcc-12 \\\n+      gcc \\\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("changed:  generated/debian12.Dockerfile"),
        "{stdout}"
    );
    assert!(
        stdout.contains("run `tcgen render` and commit the result"),
        "{stdout}"
    );
    assert_eq!(
        fs::read_to_string(&dockerfile).unwrap(),
        edited,
        "--check must not write"
    );
}

#[test]
fn check_reports_missing_and_orphaned_files_and_render_repairs_them() {
    let dir = scratch();
    common::outcome(dir.path(), &["render"]);
    fs::remove_file(generated(dir.path(), "Makefile")).unwrap();
    // A distro renamed in the spec: its old Dockerfile is an orphan tcgen wrote.
    let spec = dir.path().join("distros.yaml");
    let renamed = fs::read_to_string(&spec)
        .unwrap()
        .replace("  debian12:", "  debian13:");
    fs::write(&spec, renamed).unwrap();
    let (code, stdout, _) = common::outcome(dir.path(), &["render", "--check"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("missing:  generated/Makefile"), "{stdout}");
    assert!(
        stdout.contains("orphaned: generated/debian12.Dockerfile (no longer generated)"),
        "{stdout}"
    );

    let (code, stdout, _) = common::outcome(dir.path(), &["render"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("2 changed, 2 added, 1 removed"), "{stdout}");
    assert!(!generated(dir.path(), "debian12.Dockerfile").exists());
    assert_eq!(common::outcome(dir.path(), &["render", "--check"]).0, 0);
}

#[test]
fn a_spec_edit_makes_check_fail_until_rendered() {
    let dir = scratch();
    common::outcome(dir.path(), &["render"]);
    let spec = dir.path().join("distros.yaml");
    let text = fs::read_to_string(&spec)
        .unwrap()
        .replace("[gcc, python3]", "[gcc, make, python3]");
    fs::write(&spec, text).unwrap();
    let (code, stdout, _) = common::outcome(dir.path(), &["render", "--check"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("+      make \\"), "{stdout}");
    assert!(
        stdout.contains("changed:  generated/bake.hcl"),
        "the input digest moves too: {stdout}"
    );
}

#[test]
fn an_invalid_spec_leaves_existing_output_untouched() {
    let dir = scratch();
    common::outcome(dir.path(), &["render"]);
    let before = fs::read(generated(dir.path(), "bake.hcl")).unwrap();
    let spec = dir.path().join("distros.yaml");
    let text = fs::read_to_string(&spec)
        .unwrap()
        .replace("[gcc, python3]", "[gcc, 'python3;id']");
    fs::write(&spec, text).unwrap();
    let (code, _, stderr) = common::outcome(dir.path(), &["render"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("distros.yaml:20:"), "{stderr}");
    assert_eq!(fs::read(generated(dir.path(), "bake.hcl")).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn render_refuses_to_write_through_a_symlinked_directory() {
    let dir = scratch();
    let outside = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("generated")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("generated/context")).unwrap();
    let (code, _, stderr) = common::outcome(dir.path(), &["render"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert_eq!(
        fs::read_dir(outside.path()).unwrap().count(),
        0,
        "nothing may be written outside"
    );
}

#[test]
fn list_prints_a_table_and_json() {
    let dir = scratch();
    let (code, stdout, _) = common::outcome(dir.path(), &["list"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("list_table", stdout);
    let (code, stdout, _) = common::outcome(dir.path(), &["list", "--json"]);
    assert_eq!(code, 0);
    let entries: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let entry = &entries[0];
    assert_eq!(entry["name"], "debian12");
    assert_eq!(entry["image"], "test-toolchain-debian12");
    assert_eq!(entry["platforms"], serde_json::json!(["linux/amd64"]));
    assert!(
        entry["input_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
}

#[test]
fn list_names_every_distro_and_the_gate() {
    let dir = common::scratch_with("fleet.yaml");
    let (code, stdout, _) = common::outcome(dir.path(), &["list"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.lines().count(),
        1 + 4,
        "a header and the fixture's four distros: {stdout}"
    );
    let gated = stdout.lines().find(|l| l.starts_with("suse15 ")).unwrap();
    let digest = gated.split_whitespace().last().unwrap();
    assert!(
        digest.len() == 12 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "the input digest column: {gated}"
    );
    assert!(
        gated.contains("test-suse-15") && gated.contains(" SUSE_MIRROR "),
        "{gated}"
    );
}

/// The `dev.tcgen.input-digest` label of each target of a bake file, by target.
fn bake_digests(bake: &str) -> Vec<(String, String)> {
    let mut digests = Vec::new();
    let mut target = String::new();
    for line in bake.lines() {
        if let Some(name) = line.strip_prefix("target \"") {
            target = name.trim_end_matches(" {").trim_end_matches('"').to_owned();
        }
        if let Some((_, value)) = line.split_once("\"dev.tcgen.input-digest\"") {
            let value = value
                .trim()
                .trim_start_matches('=')
                .trim()
                .trim_matches('"');
            digests.push((target.clone(), value.to_owned()));
        }
    }
    digests
}

#[test]
fn digests_do_not_change_with_the_spec_name_or_output_folder_and_every_command_agrees() {
    let dir = common::scratch_with("fleet.yaml");
    fs::copy(
        dir.path().join("distros.yaml"),
        dir.path().join("other.yaml"),
    )
    .unwrap();
    assert_eq!(common::outcome(dir.path(), &["render"]).0, 0);
    let (code, _, stderr) = common::outcome(
        dir.path(),
        &["--spec", "other.yaml", "render", "--out", "gen2"],
    );
    assert_eq!(code, 0, "{stderr}");
    let first = bake_digests(&fs::read_to_string(generated(dir.path(), "bake.hcl")).unwrap());
    let second = bake_digests(&fs::read_to_string(dir.path().join("gen2/bake.hcl")).unwrap());
    assert_eq!(first.len(), 4);
    assert_eq!(
        first, second,
        "renaming the spec or the output folder changed a digest"
    );
    assert!(
        fs::read_to_string(dir.path().join("gen2/debian12.Dockerfile"))
            .unwrap()
            .contains("tcgen render --spec other.yaml --out gen2"),
        "the banner still says how to regenerate"
    );
    let (code, stdout, _) =
        common::outcome(dir.path(), &["--spec", "other.yaml", "list", "--json"]);
    assert_eq!(code, 0);
    let listed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let listed: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_owned(),
                e["input_digest"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut bake_sorted = second.clone();
    bake_sorted.sort();
    let mut listed_sorted = listed;
    listed_sorted.sort();
    assert_eq!(listed_sorted, bake_sorted, "list and bake.hcl disagree");
}

#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    let dir = common::scratch_with("fleet.yaml");
    for args in [&["man"][..], &["show", "debian12"], &["schema"]] {
        let mut child = common::tcgen(dir.path())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(
            output.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn in_docker_without_the_separator_says_to_put_the_command_after_it() {
    let dir = common::scratch_with("fleet.yaml");
    let (code, _, stderr) = common::outcome(
        dir.path(),
        &["in-docker", "test-toolchain-debian12", "./buildall.sh"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("hint: put the command after `--`: tcgen in-docker IMAGE -- ./buildall.sh"),
        "{stderr}"
    );
}

#[test]
fn tcgen_finds_the_spec_in_a_folder_above_and_works_from_there() {
    let dir = common::scratch_with("fleet.yaml");
    let deep = dir.path().join("source/zlib");
    fs::create_dir_all(&deep).unwrap();
    let (code, stdout, stderr) = common::outcome(&deep, &["render"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("rendered 12 files into generated"),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "using {}",
            dir.path().join("distros.yaml").display()
        )),
        "{stderr}"
    );
    assert!(dir.path().join("generated/bake.hcl").is_file());
    assert!(!deep.join("generated").exists());
}

#[test]
fn every_command_help_ends_with_examples_and_show_has_json() {
    let dir = common::scratch_with("fleet.yaml");
    for command in [
        "render",
        "list",
        "show",
        "schema",
        "completions",
        "man",
        "plan",
        "lock",
        "build",
        "in-docker",
    ] {
        let (code, stdout, _) = common::outcome(dir.path(), &[command, "--help"]);
        assert_eq!(code, 0, "{command}");
        let examples = stdout.split("Examples:\n").nth(1).unwrap_or_default();
        assert!(
            examples
                .lines()
                .filter(|l| l.trim_start().starts_with("tcgen "))
                .count()
                >= 1,
            "{command}: {stdout}"
        );
    }
    let (code, stdout, _) = common::outcome(dir.path(), &["show", "debian12", "--json"]);
    assert_eq!(code, 0);
    let shown: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(shown["image"], "test-toolchain-debian12");
    assert!(
        shown["input_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
}

#[test]
fn hints_repeat_the_spec_and_output_folder_the_user_gave() {
    let dir = common::scratch_with("fleet.yaml");
    fs::rename(
        dir.path().join("distros.yaml"),
        dir.path().join("fleet.yaml"),
    )
    .unwrap();
    let (_, stdout, _) = common::outcome(
        dir.path(),
        &["--spec", "fleet.yaml", "render", "--out", "gen"],
    );
    assert!(
        stdout.contains("run `tcgen --spec fleet.yaml lock`"),
        "{stdout}"
    );
    fs::write(dir.path().join("gen/bake.hcl"), "# edited\n").unwrap();
    let (code, stdout, _) = common::outcome(
        dir.path(),
        &["--spec", "fleet.yaml", "render", "--check", "--out", "gen"],
    );
    assert_eq!(code, 1);
    assert!(
        stdout.contains("run `tcgen render --spec fleet.yaml --out gen`"),
        "{stdout}"
    );
    let (code, _, stderr) = common::outcome(
        dir.path(),
        &["--spec", "fleet.yaml", "build", "--dry-run", "--out", "gen"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("run `tcgen render --spec fleet.yaml --out gen` first"),
        "{stderr}"
    );
}

#[test]
fn spec_is_an_option_only_of_the_commands_that_read_it_before_or_after_the_command() {
    let dir = common::scratch_with("fleet.yaml");
    for (command, has) in [
        ("man", false),
        ("completions", false),
        ("schema", false),
        ("render", true),
        ("build", true),
    ] {
        let (_, stdout, _) = common::outcome(dir.path(), &[command, "--help"]);
        assert_eq!(stdout.contains("--spec <FILE>"), has, "{command}");
    }
    fs::rename(dir.path().join("distros.yaml"), dir.path().join("f.yaml")).unwrap();
    let before = common::outcome(dir.path(), &["--spec", "f.yaml", "list"]);
    let after = common::outcome(dir.path(), &["list", "--spec", "f.yaml"]);
    assert_eq!(before.0, 0);
    assert_eq!(before, after);
}

#[test]
fn check_names_the_tcgen_version_that_wrote_the_files_when_it_differs() {
    let dir = scratch();
    common::outcome(dir.path(), &["render"]);
    let manifest = generated(dir.path(), ".tcgen-manifest");
    let older = fs::read_to_string(&manifest).unwrap().replace(
        &format!("# Written by tcgen {}", env!("CARGO_PKG_VERSION")),
        "# Written by tcgen 9.9.9",
    );
    fs::write(&manifest, older).unwrap();
    let (code, stdout, _) = common::outcome(dir.path(), &["render", "--check"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(&format!(
            "was written by tcgen 9.9.9, and this is tcgen {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{stdout}"
    );
}

#[test]
fn counts_of_one_are_singular() {
    let dir = tempfile::tempdir().unwrap();
    let spec = fs::read_to_string(common::fixture("minimal.yaml")).unwrap();
    fs::write(dir.path().join("distros.yaml"), spec).unwrap();
    let (code, stdout, _) = common::outcome(dir.path(), &["render"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("note: 1 base image not pinned"), "{stdout}");
    fs::write(dir.path().join("generated/notes.txt"), "mine\n").unwrap();
    let (_, stdout, _) = common::outcome(dir.path(), &["render", "--check"]);
    assert!(
        stdout.contains("note: 1 file in generated that tcgen did not write"),
        "{stdout}"
    );
    let (_, stdout, _) = common::outcome(dir.path(), &["plan"]);
    assert!(
        stdout.starts_with("1 image (no --changed-since"),
        "{stdout}"
    );
}

#[test]
fn the_advice_for_a_repository_on_apt_is_a_step_that_renders() {
    let dir = tempfile::tempdir().unwrap();
    let refused = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad/repo-file-on-apt.yaml"),
    )
    .unwrap();
    fs::write(dir.path().join("distros.yaml"), &refused).unwrap();
    let (code, _, stderr) = common::outcome(dir.path(), &["render"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "a run step before the install that writes /etc/apt/sources.list.d/NAME.list"
        ),
        "{stderr}"
    );
    let advised = refused.replace(
        "    repositories: [vendor.repo]\n",
        "    before_install:\n      - run: echo 'deb [signed-by=/etc/apt/keyrings/vendor.gpg] https://example.com/repo stable main' > /etc/apt/sources.list.d/vendor.list\n",
    );
    fs::write(dir.path().join("distros.yaml"), advised).unwrap();
    let (code, _, stderr) = common::outcome(dir.path(), &["render"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_spec_in_another_folder_is_worked_on_from_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("toolchain");
    fs::create_dir_all(&sub).unwrap();
    fs::copy(common::fixture("minimal.yaml"), sub.join("distros.yaml")).unwrap();
    let spec = ["--spec", "toolchain/distros.yaml"];
    let (code, _, stderr) = common::outcome(dir.path(), &[&spec[..], &["render"]].concat());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("using toolchain/distros.yaml (paths are relative to toolchain)"),
        "{stderr}"
    );
    assert!(
        sub.join("generated/debian12.Dockerfile").is_file(),
        "generated/ beside the spec"
    );
    assert!(
        !dir.path().join("generated").exists(),
        "nothing in the folder tcgen ran from"
    );
    let (code, stdout, stderr) =
        common::outcome(dir.path(), &[&spec[..], &["render", "--check"]].concat());
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, _, stderr) = common::outcome(
        dir.path(),
        &[&spec[..], &["build", "--dry-run", "debian12"]].concat(),
    );
    assert_eq!(
        code, 0,
        "the generated files beside the spec are fresh: {stderr}"
    );
}
