//! `tcgen render` replaces and removes only files it wrote: a user's files in the output folder,
//! and the repository around it, survive byte for byte; an output folder that holds the spec or
//! a `.git` is refused before anything is touched.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::text;

fn fixture() -> PathBuf {
    common::fixture("minimal.yaml")
}

/// A scratch repository with the minimal fixture as its distros.yaml.
fn scratch() -> tempfile::TempDir {
    common::scratch_with("minimal.yaml")
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.clone(), fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn an_output_folder_holding_the_spec_and_a_git_repository_is_refused_untouched() {
    let dir = scratch();
    fs::write(dir.path().join("README.md"), "# my toolchain\n").unwrap();
    fs::create_dir_all(dir.path().join(".git/objects")).unwrap();
    fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    fs::write(dir.path().join(".git/objects/pack"), [0u8, 1, 2, 255]).unwrap();
    let before = snapshot(dir.path());
    let output = common::run(dir.path(), &["render", "--out", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains(". holds the spec") && text(&output).contains("--out generated"),
        "{}",
        text(&output)
    );
    assert_eq!(snapshot(dir.path()), before, "a byte changed");
}

#[test]
fn a_folder_above_the_spec_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("toolchain")).unwrap();
    fs::copy(fixture(), dir.path().join("toolchain/distros.yaml")).unwrap();
    let before = snapshot(dir.path());
    let output = common::run(
        &dir.path().join("toolchain"),
        &["render", "--out", dir.path().to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("holds the spec"),
        "{}",
        text(&output)
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn an_output_folder_with_a_git_directory_is_refused() {
    let dir = scratch();
    let out = dir.path().join("elsewhere");
    fs::create_dir_all(out.join(".git")).unwrap();
    fs::write(out.join(".git/config"), "[core]\n").unwrap();
    let before = snapshot(dir.path());
    let output = common::run(dir.path(), &["render", "--out", "elsewhere"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("has a .git"), "{}", text(&output));
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_users_files_in_the_output_folder_survive_and_check_names_them() {
    let dir = scratch();
    let out = dir.path().join("out");
    fs::create_dir_all(out.join("notes")).unwrap();
    fs::write(out.join("notes.txt"), "mine\n").unwrap();
    fs::write(out.join("notes/deep.bin"), [0u8, 159, 146, 150]).unwrap();
    let output = common::run(dir.path(), &["render", "--out", "out"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("that tcgen did not write (or that were edited since), left alone"),
        "{}",
        text(&output)
    );
    // A README a maintainer adds next to the generated files.
    fs::write(out.join("README.md"), "These files are generated.\n").unwrap();
    let output = common::run(dir.path(), &["render", "--out", "out"]);
    assert!(output.status.success(), "{}", text(&output));
    let output = common::run(dir.path(), &["render", "--check", "--out", "out"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    for name in ["notes.txt", "notes/deep.bin", "README.md"] {
        assert!(
            text(&output).contains(&format!("out/{name}")),
            "--check names {name}: {}",
            text(&output)
        );
    }
    assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine\n");
    assert_eq!(
        fs::read(out.join("notes/deep.bin")).unwrap(),
        [0u8, 159, 146, 150]
    );
    assert_eq!(
        fs::read(out.join("README.md")).unwrap(),
        b"These files are generated.\n"
    );
}

#[test]
fn a_file_at_a_generated_path_that_tcgen_did_not_write_stops_the_render() {
    let dir = scratch();
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("Makefile"), "all:\n\techo mine\n").unwrap();
    let before = snapshot(dir.path());
    let output = common::run(dir.path(), &["render", "--out", "out"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("out/Makefile: tcgen would replace what it did not write"),
        "{}",
        text(&output)
    );
    assert_eq!(snapshot(dir.path()), before, "nothing is written");
}

#[test]
fn a_removed_distros_files_go_but_an_edited_orphan_stays() {
    let dir = scratch();
    let spec = dir.path().join("distros.yaml");
    let two = fs::read_to_string(&spec).unwrap()
        + "  debian13:\n    base_image: debian:13\n    family: apt\n    label: test-debian-13\n    packages: [gcc, python3]\n  debian14:\n    base_image: debian:14\n    family: apt\n    label: test-debian-14\n    packages: [gcc, python3]\n";
    fs::write(&spec, &two).unwrap();
    assert!(common::run(dir.path(), &["render"]).status.success());
    let generated = dir.path().join("generated");
    // Someone edits debian14's generated Dockerfile; then both distros leave the spec.
    let edited = generated.join("debian14.Dockerfile");
    fs::write(&edited, "# my own notes\nFROM debian:14\n").unwrap();
    fs::copy(fixture(), &spec).unwrap();

    let output = common::run(dir.path(), &["render", "--check"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("orphaned: generated/debian13.Dockerfile"),
        "{}",
        text(&output)
    );
    let output = common::run(dir.path(), &["render"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(!generated.join("debian13.Dockerfile").exists());
    assert_eq!(
        fs::read_to_string(&edited).unwrap(),
        "# my own notes\nFROM debian:14\n",
        "an orphan edited since tcgen wrote it is kept"
    );
    assert!(
        text(&output).contains("generated/debian14.Dockerfile"),
        "{}",
        text(&output)
    );
    let output = common::run(dir.path(), &["render", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

#[test]
fn a_folder_rendered_before_the_manifest_is_taken_over_by_its_banners() {
    let dir = scratch();
    assert!(common::run(dir.path(), &["render"]).status.success());
    let generated = dir.path().join("generated");
    // As an older tcgen left it: no manifest, a banner on every file, one of them an orphan.
    fs::remove_file(generated.join(".tcgen-manifest")).unwrap();
    let old = fs::read(generated.join("debian12.Dockerfile")).unwrap();
    fs::write(generated.join("debian11.Dockerfile"), &old).unwrap();
    fs::write(generated.join("README.md"), "mine\n").unwrap();
    let output = common::run(dir.path(), &["render"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("1 added, 1 removed"),
        "{}",
        text(&output)
    );
    assert!(!generated.join("debian11.Dockerfile").exists());
    assert_eq!(fs::read(generated.join("README.md")).unwrap(), b"mine\n");
    assert!(generated.join(".tcgen-manifest").is_file());
}
