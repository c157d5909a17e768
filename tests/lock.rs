//! `tcgen lock` and the lock file, against a fake `docker` whose registry answers from a file
//! the test edits: the lock pins FROM lines, a moved base shows in `lock --check` and in
//! `plan --changed-since` as the reason `base image` of exactly its images, and a bad lock file is
//! refused with its line.

use std::fs;
use std::path::Path;
use std::process::Output;

mod common;
use common::{git, text};

const OLD: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const NEW: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const OTHER: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

/// A git repository holding the fleet fixture (debian12 on debian:12, the others on their own
/// bases; rocky9 and a new distro are put on one shared base here) and a fake docker whose
/// `buildx imagetools inspect IMAGE` prints the digest listed for IMAGE in `registry`, or fails
/// as an unreachable registry does.
fn repository() -> tempfile::TempDir {
    let dir = common::scratch_with("fleet.yaml");
    let spec = dir.path().join("distros.yaml");
    let text = fs::read_to_string(&spec).unwrap().replace(
        "  suse15:",
        "  rocky9b:\n    base_image: rockylinux:9.2\n    family: dnf\n    label: test-rocky-9-b\n    packages: [gcc]\n\n  suse15:",
    );
    fs::write(&spec, text).unwrap();
    common::write_executable(
        &dir.path().join("fake-docker"),
        "#!/bin/sh\n[ \"$1 $2 $3\" = 'buildx imagetools inspect' ] || exit 9\ndigest=$(awk -v i=\"$4\" '$1 == i { print $2 }' \"$(dirname \"$0\")/registry\")\n[ -n \"$digest\" ] || { echo \"ERROR: failed to do request: dial tcp: lookup registry: no such host\" >&2; exit 1; }\nprintf 'Name:      %s\\nMediaType: application/vnd.oci.image.index.v1+json\\nDigest:    %s\\n' \"$4\" \"$digest\"\n",
    );
    registry(dir.path(), OLD);
    git(dir.path(), &["init", "-q"]);
    dir
}

/// The fake registry: every base at `digest`, but for debian:12, always at OTHER.
fn registry(dir: &Path, digest: &str) {
    let bases = [
        "centos:7.4.1708",
        "rockylinux:9.2",
        "registry.suse.com/suse/sle15:15.4",
    ];
    let mut text = format!("debian:12 {OTHER}\n");
    for base in bases {
        text.push_str(&format!("{base} {digest}\n"));
    }
    fs::write(dir.join("registry"), text).unwrap();
}

#[test]
fn lock_pins_every_base_once_and_render_writes_the_digests() {
    let repo = repository();
    let dir = repo.path();
    let output = tcgen(dir, &["render"]);
    assert!(
        text(&output).contains("note: 4 base images not pinned"),
        "{}",
        text(&output)
    );
    let output = tcgen(dir, &["lock"]);
    assert!(output.status.success(), "{}", text(&output));
    let lock = fs::read_to_string(dir.join("distros.lock")).unwrap();
    let lines: Vec<&str> = lock.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            format!("centos:7.4.1708  {OLD}"),
            format!("debian:12  {OTHER}"),
            format!("registry.suse.com/suse/sle15:15.4  {OLD}"),
            format!("rockylinux:9.2  {OLD}"),
        ],
        "sorted, one line per base, shared bases once"
    );
    let output = tcgen(dir, &["render"]);
    assert!(output.status.success());
    assert!(!text(&output).contains("not pinned"), "{}", text(&output));
    let dockerfile = fs::read_to_string(dir.join("generated/rocky9b.Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(&format!("\nFROM rockylinux:9.2@{OLD}\n")),
        "{dockerfile}"
    );
    // A second lock changes nothing, and says where to look for moved bases.
    let output = tcgen(dir, &["lock"]);
    assert!(
        text(&output).contains("every base is locked already; `tcgen lock --check` compares them"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_moved_base_is_found_and_rebuilds_exactly_its_images() {
    let repo = repository();
    let dir = repo.path();
    assert!(tcgen(dir, &["lock"]).status.success());
    assert!(tcgen(dir, &["render"]).status.success());
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "locked"]);
    let output = tcgen(dir, &["lock", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    registry(dir, NEW);
    let output = tcgen(dir, &["lock", "--check"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains(&format!("rockylinux:9.2: moved {OLD} -> {NEW}")),
        "{}",
        text(&output)
    );
    assert!(text(&output).contains("debian:12: unchanged"));

    let output = tcgen(dir, &["lock", "--update", "rocky9"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(tcgen(dir, &["render"]).status.success());
    let output = tcgen(dir, &["plan", "--changed-since", "HEAD", "--json"]);
    assert!(output.status.success(), "{}", text(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let changed: Vec<(String, serde_json::Value)> = plan["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_owned(), c["reasons"].clone()))
        .collect();
    let names: Vec<&str> = changed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["rocky9", "rocky9b"],
        "exactly the images on that base"
    );
    for (_, reasons) in &changed {
        assert_eq!(
            reasons,
            &serde_json::json!([{
                "kind": "base_image",
                "old": format!("rockylinux:9.2@{OLD}"),
                "new": format!("rockylinux:9.2@{NEW}"),
            }])
        );
    }
    // --update named only rocky9's base: the others stay at OLD though the registry moved.
    let lock = fs::read_to_string(dir.join("distros.lock")).unwrap();
    assert!(lock.contains(&format!("centos:7.4.1708  {OLD}")), "{lock}");
}

#[test]
fn an_unreachable_registry_is_an_error_naming_the_image_and_changes_nothing() {
    let repo = repository();
    let dir = repo.path();
    assert!(tcgen(dir, &["lock"]).status.success());
    let before = fs::read(dir.join("distros.lock")).unwrap();
    fs::write(dir.join("registry"), "").unwrap();
    for args in [&["lock", "--check"][..], &["lock", "--update"]] {
        let output = tcgen(dir, args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            text(&output).contains("cannot resolve centos:7.4.1708: its registry did not answer"),
            "{}",
            text(&output)
        );
        assert_eq!(fs::read(dir.join("distros.lock")).unwrap(), before);
    }
}

#[test]
fn a_bad_lock_file_is_refused_with_its_line_and_nothing_is_written() {
    let cases = [
        ("debian:12\n", 2, "is not '<image>  sha256:<digest>'"),
        ("debian:12  md5:0123\n", 2, "is not a sha256 digest"),
        (
            "busybox:1  sha256:1111111111111111111111111111111111111111111111111111111111111111\n",
            2,
            "busybox:1 is the base of no distro; run `tcgen lock` to drop its line",
        ),
    ];
    for (body, line, message) in cases {
        let repo = repository();
        let dir = repo.path();
        fs::write(dir.join("distros.lock"), format!("# a lock\n{body}")).unwrap();
        let output = tcgen(dir, &["render"]);
        assert_eq!(output.status.code(), Some(2), "{body}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("distros.lock:{line}: ")) && stderr.contains(message),
            "{stderr}"
        );
        assert!(
            !dir.join("generated").exists(),
            "{body}: something was written"
        );
    }
}

/// `tcgen ARGS` in `dir`, with the fake docker of `dir` as the engine.
fn tcgen(dir: &Path, args: &[&str]) -> Output {
    common::tcgen(dir)
        .env("TCGEN_DOCKER", dir.join("fake-docker"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn what_can_be_locked_is_locked_and_what_cannot_is_named() {
    let repo = repository();
    let dir = repo.path();
    // The registry knows every base but rockylinux:9.2.
    let registry = fs::read_to_string(dir.join("registry")).unwrap();
    let without: String = registry
        .lines()
        .filter(|l| !l.starts_with("rockylinux:9.2 "))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(dir.join("registry"), without).unwrap();
    let output = tcgen(dir, &["lock"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("not locked: cannot resolve rockylinux:9.2"),
        "{}",
        text(&output)
    );
    let lock = fs::read_to_string(dir.join("distros.lock")).unwrap();
    assert!(lock.contains(&format!("debian:12  {OTHER}")), "{lock}");
    assert!(!lock.contains("rockylinux:9.2  sha256:"), "{lock}");
    assert!(lock.contains("# unresolved: rockylinux:9.2  "), "{lock}");
    // A render then does not advise `tcgen lock` for it, and says why it is not pinned.
    let render = tcgen(dir, &["render"]);
    let said = text(&render);
    assert!(
        said.contains("note: 1 base image not pinned: `tcgen lock` found no registry that has it: rockylinux:9.2")
            && !said.contains("rockylinux:9.2; run `tcgen lock`"),
        "{said}"
    );
}

#[test]
fn updating_one_distro_names_the_others_on_its_base() {
    let repo = repository();
    let dir = repo.path();
    assert!(tcgen(dir, &["lock"]).status.success());
    let output = tcgen(dir, &["lock", "--update", "rocky9"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("note: rockylinux:9.2 is also the base of rocky9b"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_missing_skopeo_is_named_not_blamed_on_the_registry() {
    let repo = repository();
    let output = common::tcgen(repo.path())
        .env("TCGEN_SKOPEO", "/nonexistent/skopeo")
        .args(["lock", "--engine", "podman"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output);
    assert!(
        said.contains("cannot run /nonexistent/skopeo: it is not installed or not on PATH")
            && !said.contains("registry did not answer"),
        "{said}"
    );
}
