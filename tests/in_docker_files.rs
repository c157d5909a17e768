//! What `tcgen in-docker` does to the files around the container, as upstream's in-docker.py
//! does: it copies the tracked files of `source/` with their working-tree content, and it makes
//! every mount point in the repository itself, so that a rootful engine does not leave
//! root-owned folders in the checkout.

use std::fs;
use std::path::Path;

use tcgen::copy_sources;

mod common;
use common::git;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn tracked_sources_arrive_with_their_working_tree_content_and_untracked_ones_do_not() {
    let repo = tempfile::tempdir().unwrap();
    let repo = repo.path();
    git(repo, &["init", "-q"]);
    write(&repo.join("source/zlib/build.sh"), "committed\n");
    write(&repo.join("source/zlib/patches/fix.patch"), "patch\n");
    write(&repo.join("source/gone/build.sh"), "committed\n");
    write(&repo.join("source/name with space/build.sh"), "spaced\n");
    write(&repo.join("other/file"), "not under source\n");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", "sources"]);
    write(
        &repo.join("source/zlib/build.sh"),
        "edited, not committed\n",
    );
    write(&repo.join("source/zlib/new.sh"), "untracked\n");
    fs::remove_dir_all(repo.join("source/gone")).unwrap();

    let image_dir = tempfile::tempdir().unwrap();
    let programs = copy_sources(repo, image_dir.path()).unwrap();

    let copied = image_dir.path().join("source");
    assert_eq!(
        fs::read_to_string(copied.join("zlib/build.sh")).unwrap(),
        "edited, not committed\n"
    );
    assert_eq!(
        fs::read_to_string(copied.join("zlib/patches/fix.patch")).unwrap(),
        "patch\n"
    );
    assert_eq!(
        fs::read_to_string(copied.join("name with space/build.sh")).unwrap(),
        "spaced\n"
    );
    assert!(
        !copied.join("zlib/new.sh").exists(),
        "untracked files stay out"
    );
    assert!(!copied.join("gone").exists(), "deleted files stay out");
    assert!(!image_dir.path().join("other").exists());
    assert_eq!(programs, ["name with space", "zlib"]);
}

#[test]
fn a_repository_without_sources_copies_nothing() {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    write(&repo.path().join("README"), "x\n");
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-qm", "no sources"]);
    let image_dir = tempfile::tempdir().unwrap();
    assert!(
        copy_sources(repo.path(), image_dir.path())
            .unwrap()
            .is_empty()
    );
    assert!(!image_dir.path().join("source").exists());
}

#[test]
fn every_mount_point_inside_the_repository_is_made_before_the_container() {
    let repo = common::scratch_with("minimal.yaml");
    let repo = repo.path();
    // An engine that fails the test's way if a mount point is missing when it is asked to
    // create the container: it records which of them exist at that moment.
    let engine = repo.join("fake-docker");
    common::write_executable(
        &engine,
        "#!/bin/sh\nif [ \"$1\" = create ]; then for d in build check source ccache; do [ -d \"$d\" ] && echo \"$d\" >> seen; done; echo c0ffee; fi\n",
    );
    let output = common::tcgen(repo)
        .env("TCGEN_DOCKER", &engine)
        .args(["in-docker", "test-toolchain-debian12", "--", "true"])
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    assert_eq!(
        fs::read_to_string(repo.join("seen")).unwrap(),
        "build\ncheck\nsource\nccache\n"
    );
}
