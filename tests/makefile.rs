//! The generated Makefile, run by GNU make with a stand-in for tcgen that records what each
//! container would get: one TOOLCHAIN_BUILD_ID for a whole run, and the spec's default set.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

mod common;

/// A toolchain checkout with the fleet fixture rendered into generated/, a functions.sh whose
/// generate_build_id gives a new id on every call (as the toolchain's does), and a stand-in
/// tcgen that appends `<image> <TOOLCHAIN_BUILD_ID>` to calls.log.
fn checkout() -> tempfile::TempDir {
    let dir = common::scratch_with("fleet.yaml");
    common::assert_succeeded(&common::run(dir.path(), &["render"]));
    fs::write(
        dir.path().join("functions.sh"),
        "generate_build_id() {\n  n=$(cat .ids 2>/dev/null || echo 0); n=$((n + 1)); echo $n > .ids\n  echo \"id-$n-$$\"\n}\n",
    )
    .unwrap();
    let stand_in = dir.path().join("fake-tcgen");
    common::write_executable(
        &stand_in,
        "#!/bin/sh\n# in-docker --build-dir DIR IMAGE -- COMMAND\necho \"$4 ${TOOLCHAIN_BUILD_ID-unset}\" >> calls.log\necho \"in-docker: running in $4 (id sha256:feed digests [])\" >&2\necho building\n",
    );
    dir
}

fn make(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new("make")
        .current_dir(dir)
        .args(["-f", "generated/Makefile", "TCGEN=./fake-tcgen"])
        .args(args)
        .env_remove("TOOLCHAIN_BUILD_ID")
        .env_remove("SUSE_MIRROR")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// The calls.log rows as (image, build id), sorted by image.
fn calls(dir: &Path) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = fs::read_to_string(dir.join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(|line| {
            let (image, id) = line.split_once(' ').unwrap();
            (image.to_owned(), id.to_owned())
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn one_build_id_reaches_every_container_of_a_run_and_is_printed() {
    let dir = checkout();
    let output = make(dir.path(), &["-j2"], &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = calls(dir.path());
    let images: Vec<&str> = rows.iter().map(|(image, _)| image.as_str()).collect();
    assert_eq!(
        images,
        ["test-toolchain-debian12", "test-toolchain-rocky9"],
        "the default set, without the distro out of it and the gated one"
    );
    let id = &rows[0].1;
    assert!(id.starts_with("id-"), "{rows:?}");
    assert!(rows.iter().all(|(_, other)| other == id), "{rows:?}");
    assert_eq!(
        stdout.lines().last(),
        Some(format!("TOOLCHAIN_BUILD_ID is {id}").as_str())
    );
}

#[test]
fn a_build_id_set_by_the_caller_is_kept() {
    let dir = checkout();
    let output = make(
        dir.path(),
        &["DISTROS=debian12 centos7"],
        &[("TOOLCHAIN_BUILD_ID", "given-7")],
    );
    assert!(output.status.success());
    assert_eq!(
        calls(dir.path()),
        [
            ("test-toolchain-centos7".to_owned(), "given-7".to_owned()),
            ("test-toolchain-debian12".to_owned(), "given-7".to_owned())
        ]
    );
}

#[test]
fn a_gated_distro_of_the_default_set_joins_when_its_argument_is_set() {
    let dir = checkout();
    let output = make(
        dir.path(),
        &[],
        &[("SUSE_MIRROR", "https://mirror.example.com")],
    );
    assert!(output.status.success());
    let images: Vec<String> = calls(dir.path()).into_iter().map(|(i, _)| i).collect();
    assert_eq!(
        images,
        [
            "test-toolchain-debian12",
            "test-toolchain-rocky9",
            "test-toolchain-suse15"
        ]
    );
}

#[test]
fn no_build_id_stops_the_run_before_any_container_with_what_to_do() {
    let dir = checkout();
    fs::remove_file(dir.path().join("functions.sh")).unwrap();
    let output = make(dir.path(), &["DISTROS=debian12"], &[]);
    assert!(!output.status.success());
    assert!(calls(dir.path()).is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("TOOLCHAIN_BUILD_ID is empty: run make from the toolchain's root"),
        "{stderr}"
    );
}

#[test]
fn image_references_in_distros_are_used_as_given_and_named_by_the_distro_they_end_with() {
    let dir = checkout();
    let output = make(
        dir.path(),
        &[
            "DISTROS=reg.example.com:5000/ns/test-toolchain-rocky9:v1 localhost/team/test-toolchain-centos7@sha256:0123 debian12",
        ],
        &[("TOOLCHAIN_BUILD_ID", "7")],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        calls(dir.path()),
        [
            (
                "localhost/team/test-toolchain-centos7@sha256:0123".to_owned(),
                "7".to_owned()
            ),
            (
                "reg.example.com:5000/ns/test-toolchain-rocky9:v1".to_owned(),
                "7".to_owned()
            ),
            ("test-toolchain-debian12".to_owned(), "7".to_owned()),
        ]
    );
    for distro in ["rocky9", "centos7", "debian12"] {
        assert!(
            dir.path().join("build_docker/stamp").join(distro).is_file(),
            "{distro}"
        );
    }
}

#[test]
fn docker_registry_gives_the_same_images_with_or_without_its_trailing_slash() {
    for registry in ["r.example.com:5000/ns", "r.example.com:5000/ns/"] {
        let dir = checkout();
        let output = make(
            dir.path(),
            &["DISTROS=rocky9", &format!("DOCKER_REGISTRY={registry}")],
            &[("TOOLCHAIN_BUILD_ID", "7")],
        );
        assert!(output.status.success());
        assert_eq!(
            calls(dir.path())[0].0,
            "r.example.com:5000/ns/test-toolchain-rocky9",
            "{registry}"
        );
    }
}

#[test]
fn an_entry_that_names_no_distro_is_an_error_that_lists_them() {
    let dir = checkout();
    let output = make(
        dir.path(),
        &["DISTROS=reg.example.com/ns/other:v1"],
        &[("TOOLCHAIN_BUILD_ID", "7")],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("reg.example.com/ns/other:v1 is no distro of the spec")
            && stderr.contains("centos7 debian12 rocky9 suse15"),
        "{stderr}"
    );
    assert!(calls(dir.path()).is_empty());
}

#[test]
fn make_images_builds_the_default_set_as_tcgen_build_does_or_the_distros_given() {
    let dir = checkout();
    common::write_executable(
        &dir.path().join("fake-tcgen"),
        "#!/bin/sh\necho \"$*\" >> calls.log\n",
    );
    assert!(make(dir.path(), &["images"], &[]).status.success());
    assert!(
        make(
            dir.path(),
            &[
                "images",
                "DISTROS=rocky9 reg.example.com/ns/test-toolchain-centos7:v1"
            ],
            &[]
        )
        .status
        .success()
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("calls.log")).unwrap(),
        "build\nbuild rocky9 centos7\n",
        "no names: tcgen's default set (it gates what needs an argument); given: those distros"
    );
}

#[test]
fn help_lists_targets_and_variables_and_a_missing_tcgen_says_what_to_do() {
    let dir = checkout();
    let output = make(dir.path(), &["help"], &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    for word in [
        "images",
        "DISTROS",
        "DOCKER_REGISTRY",
        "BUILD_COMMAND",
        "TCGEN",
    ] {
        assert!(stdout.contains(word), "{word}: {stdout}");
    }
    let output = Command::new("make")
        .current_dir(dir.path())
        .args(["-f", "generated/Makefile", "TCGEN=", "DISTROS=rocky9"])
        .env("TOOLCHAIN_BUILD_ID", "7")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("set TCGEN=/path/to/tcgen"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn help_and_clean_need_no_build_id_and_a_run_with_nothing_to_do_prints_none() {
    let dir = checkout();
    fs::remove_file(dir.path().join("functions.sh")).unwrap();
    for target in ["help", "clean"] {
        let output = make(dir.path(), &[target], &[]);
        assert!(
            output.status.success(),
            "{target}: {}",
            common::text(&output)
        );
        assert!(
            !common::text(&output).contains("functions.sh"),
            "{}",
            common::text(&output)
        );
    }
    let dir = checkout();
    let first = make(dir.path(), &[], &[]);
    assert!(
        common::text(&first).contains("TOOLCHAIN_BUILD_ID is id-"),
        "{}",
        common::text(&first)
    );
    let again = make(dir.path(), &[], &[]);
    assert!(again.status.success());
    assert!(
        !common::text(&again).contains("TOOLCHAIN_BUILD_ID is"),
        "{}",
        common::text(&again)
    );
    assert_eq!(calls(dir.path()).len(), 2, "the second run built nothing");
    let cleaned = make(dir.path(), &["clean"], &[]);
    assert!(cleaned.status.success(), "{}", common::text(&cleaned));
    make(dir.path(), &[], &[]);
    assert_eq!(
        calls(dir.path()).len(),
        4,
        "after clean, every image builds again"
    );
}

#[test]
fn each_stamp_records_the_build_id_and_the_image_and_each_image_has_its_log() {
    let dir = checkout();
    let output = make(dir.path(), &["DISTROS=debian12"], &[]);
    assert!(output.status.success(), "{}", common::text(&output));
    let stamp = fs::read_to_string(dir.path().join("build_docker/stamp/debian12")).unwrap();
    assert!(stamp.starts_with("TOOLCHAIN_BUILD_ID=id-"), "{stamp}");
    assert!(
        stamp.contains("in-docker: running in test-toolchain-debian12 (id sha256:feed"),
        "{stamp}"
    );
    let log = fs::read_to_string(dir.path().join("build_docker/stamp/debian12.log")).unwrap();
    assert!(log.contains("debian12: building"), "{log}");
}
