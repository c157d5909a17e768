//! `tcgen publish` on real podman, skopeo and a local registry: name tags are carbon copies of
//! their digest tags; a publish killed with SIGKILL halfway through is finished by the next
//! one; a publish for an older commit leaves a newer fleet alone; a commit that reverts to
//! earlier images publishes them.
//!
//! Needs podman, the Debian base image and the local registry (`.ci/setup-podman`).

use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

mod common;
#[path = "common/registry.rs"]
mod registry;
use common::git;
use registry::raw_digest;

const TARGETS: [&str; 4] = ["one", "two", "three", "four"];

/// `tcgen ARGS` with podman in `dir`, its own skopeo replaced by `skopeo` when given.
fn tcgen(dir: &Path, args: &[&str], skopeo: Option<&Path>) -> Output {
    let mut command = common::tcgen(dir);
    command.args(args);
    if let Some(skopeo) = skopeo {
        command.env("TCGEN_SKOPEO", skopeo);
    }
    command.output().unwrap()
}

/// The digest tag of each target, under `namespace`.
fn digest_tags(dir: &Path, namespace: &str) -> Vec<String> {
    let list = tcgen(dir, &["list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    TARGETS
        .iter()
        .map(|t| {
            let entry = list
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["name"] == *t)
                .unwrap();
            format!("{namespace}/{}", entry["digest_tag"].as_str().unwrap())
        })
        .collect()
}

/// What each target's name tag and digest tag point at in the registry.
fn name_and_digest_tags(dir: &Path, namespace: &str) -> Vec<(Option<String>, Option<String>)> {
    TARGETS
        .iter()
        .zip(digest_tags(dir, namespace))
        .map(|(t, d)| {
            (
                raw_digest(&format!("{namespace}/fleet-{t}")),
                raw_digest(&d),
            )
        })
        .collect()
}

/// A skopeo that moves tags slowly, marking each copy it finishes in `marks`.
fn slow_skopeo(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("slow-skopeo");
    let marks = dir.join("copies");
    common::write_executable(
        &path,
        &format!(
            "#!/bin/sh\nif [ \"$1\" = copy ]; then sleep 1; skopeo \"$@\" || exit; echo done >> {}; exit 0; fi\nexec skopeo \"$@\"\n",
            marks.display()
        ),
    );
    path
}

/// `tcgen build` of the fleet at the current commit into `namespace`, with `skopeo` as its
/// skopeo when given.
fn build_fleet(dir: &Path, namespace: &str, skopeo: Option<&Path>) -> Output {
    let build = [&common::PODMAN_BUILD[..], &["--registry", namespace]].concat();
    tcgen(dir, &build, skopeo)
}

/// Builds the fleet at the current commit and pushes its digest tags, moving no name tag (a
/// skopeo that fails stops the publish at its check).
fn build_unpublished(dir: &Path, namespace: &str) {
    let output = build_fleet(dir, namespace, Some(Path::new("/bin/false")));
    assert_eq!(output.status.code(), Some(1), "{}", common::text(&output));
    for digest_tag in digest_tags(dir, namespace) {
        assert!(
            raw_digest(&digest_tag).is_some(),
            "{digest_tag} was not pushed"
        );
    }
}

#[test]
#[ignore = "needs podman, a Debian base image and the local registry: sudo .ci/setup-podman"]
fn publish_copies_exactly_finishes_after_sigkill_and_never_moves_a_fleet_back() {
    common::require_podman();
    registry::require_registry();
    let (scratch, namespace) = registry::scratch_namespace("tcgen-publish-");
    let dir = scratch.path();
    fs::copy(common::fixture("e2e-fleet.yaml"), dir.join("distros.yaml")).unwrap();
    common::assert_succeeded(&tcgen(dir, &["render"], None));
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "first fleet"]);
    let publish = ["publish", "--engine", "podman", "--registry", &namespace];

    // 1. Build and publish: every name tag is a byte-for-byte copy of its digest tag.
    let output = build_fleet(dir, &namespace, None);
    common::assert_succeeded(&output);
    let first = name_and_digest_tags(dir, &namespace);
    for (target, (name, digest)) in TARGETS.iter().zip(&first) {
        assert!(
            name.is_some() && name == digest,
            "{target}: {name:?} != {digest:?}"
        );
        let row = common::summary_row(&String::from_utf8_lossy(&output.stdout), target);
        assert_eq!(
            Some(&row[4]),
            name.as_ref(),
            "the summary shows the registry's digest"
        );
    }
    let again = tcgen(dir, &publish, None);
    common::assert_succeeded(&again);
    assert!(
        common::text(&again).contains("nothing to move"),
        "{}",
        common::text(&again)
    );

    // 2. A second fleet, built; its publish is killed outright after two of four moves.
    let spec = fs::read_to_string(dir.join("distros.yaml")).unwrap();
    fs::write(
        dir.join("distros.yaml"),
        spec.replace("programs: [sh]", "programs: [sh, ls]"),
    )
    .unwrap();
    common::assert_succeeded(&tcgen(dir, &["render"], None));
    git(dir, &["commit", "-qam", "second fleet"]);
    build_unpublished(dir, &namespace);
    let skopeo = slow_skopeo(dir);
    let mut child = common::tcgen(dir)
        .args(publish)
        .env("TCGEN_SKOPEO", &skopeo)
        .spawn()
        .unwrap();
    let copies = dir.join("copies");
    let give_up = Instant::now() + Duration::from_secs(120);
    while fs::read_to_string(&copies)
        .unwrap_or_default()
        .lines()
        .count()
        < 2
    {
        assert!(Instant::now() < give_up, "the publish never moved two tags");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let halfway = name_and_digest_tags(dir, &namespace);
    let moved = halfway
        .iter()
        .filter(|(name, digest)| name == digest)
        .count();
    assert!(moved < TARGETS.len(), "the kill came too late: {halfway:?}");
    let finish = tcgen(dir, &publish, None);
    common::assert_succeeded(&finish);
    let second = name_and_digest_tags(dir, &namespace);
    for (target, (name, digest)) in TARGETS.iter().zip(&second) {
        assert!(
            name.is_some() && name == digest,
            "{target} not finished: {second:?}"
        );
    }

    // 3. A late publish from the first commit refuses and leaves the second fleet.
    git(dir, &["checkout", "-q", "HEAD~1"]);
    let late = tcgen(dir, &publish, None);
    assert_eq!(late.status.code(), Some(1), "{}", common::text(&late));
    assert!(
        common::text(&late).contains("built from commits this one does not contain"),
        "{}",
        common::text(&late)
    );
    let still: Vec<_> = name_and_digest_tags(dir, &namespace)
        .into_iter()
        .map(|t| t.0)
        .collect();
    let second_names: Vec<_> = second.iter().map(|t| t.0.clone()).collect();
    assert_eq!(still, second_names, "a late publish moved the fleet back");

    // 4. A commit after the second that reverts the change publishes the first images again.
    git(dir, &["checkout", "-q", "-"]);
    fs::write(dir.join("distros.yaml"), spec).unwrap();
    common::assert_succeeded(&tcgen(dir, &["render"], None));
    git(dir, &["commit", "-qam", "revert to the first fleet"]);
    common::assert_succeeded(&tcgen(dir, &publish, None));
    let reverted: Vec<_> = name_and_digest_tags(dir, &namespace)
        .into_iter()
        .map(|t| t.0)
        .collect();
    let first_names: Vec<_> = first.iter().map(|t| t.0.clone()).collect();
    assert_eq!(
        reverted, first_names,
        "the revert's publish did not move forward to them"
    );
}

/// The `include` list of `tcgen plan --matrix --registry NAMESPACE` with podman in `dir`, as
/// `distro platform` pairs.
fn missing(dir: &Path, namespace: &str) -> Vec<String> {
    let output = tcgen(
        dir,
        &[
            "plan",
            "--matrix",
            "--engine",
            "podman",
            "--registry",
            namespace,
        ],
        None,
    );
    common::assert_succeeded(&output);
    let matrix: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    matrix["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["distro"].as_str().unwrap(),
                e["platform"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
#[ignore = "needs podman, QEMU arm64 emulation, a two-platform base and the local registry: sudo .ci/setup-podman && sudo .ci/setup-multiarch"]
fn two_runners_build_one_platform_each_and_publish_merges_them() {
    common::require_podman();
    registry::require_registry();
    registry::require_multiarch();
    let (scratch, namespace) = registry::scratch_namespace("tcgen-split-");
    let dir = scratch.path();
    fs::copy(common::fixture("e2e-multi.yaml"), dir.join("distros.yaml")).unwrap();
    common::assert_succeeded(&tcgen(dir, &["render"], None));
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "fleet"]);
    let name = format!("{namespace}/multi-debian12");
    let publish = ["publish", "--engine", "podman", "--registry", &namespace];
    let build_one = |platform: &str| {
        let output = tcgen(
            dir,
            &[
                &common::PODMAN_BUILD[..],
                &[
                    "--platform",
                    platform,
                    "--registry",
                    &namespace,
                    "--no-publish",
                ],
            ]
            .concat(),
            None,
        );
        common::assert_succeeded(&output);
    };
    assert_eq!(
        missing(dir, &namespace),
        ["debian12 linux/amd64", "debian12 linux/arm64"]
    );

    // The amd64 runner is done, the arm64 one is not: nothing may be published yet.
    build_one("linux/amd64");
    assert_eq!(raw_digest(&name), None, "--no-publish moved the name tag");
    assert_eq!(missing(dir, &namespace), ["debian12 linux/arm64"]);
    let early = tcgen(dir, &publish, None);
    assert_eq!(early.status.code(), Some(1), "{}", common::text(&early));
    assert!(
        common::text(&early).contains("-arm64"),
        "{}",
        common::text(&early)
    );
    assert_eq!(
        raw_digest(&name),
        None,
        "a publish between the runs changed the name tag"
    );

    // The arm64 runner (emulated here) is done: publish merges the two and moves the name tag.
    build_one("linux/arm64");
    common::assert_succeeded(&tcgen(dir, &publish, None));
    let list = tcgen(dir, &["list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let digest_tag = format!("{namespace}/{}", list[0]["digest_tag"].as_str().unwrap());
    assert!(raw_digest(&name).is_some());
    assert_eq!(
        raw_digest(&name),
        raw_digest(&digest_tag),
        "not a carbon copy"
    );
    assert_eq!(
        registry::list_platforms(&name),
        ["linux/amd64", "linux/arm64"]
    );
    assert_eq!(registry::machine_in(&name, "linux/arm64"), "aarch64");
    assert!(
        missing(dir, &namespace).is_empty(),
        "the registry has everything now"
    );
}
