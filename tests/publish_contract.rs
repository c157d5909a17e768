//! `tcgen publish` against a fake `docker` with a registry in a file: it checks every digest
//! tag before moving anything, moves only what differs (so a second run has nothing to do),
//! puts back what it moved when a move fails, holds signals until the moves end, and never moves
//! a name tag away from an image built from a commit the current one does not contain.

use std::path::Path;

use assert_cmd::prelude::*;

mod common;
#[path = "common/fake_engine.rs"]
mod fake_engine;
use common::{git, tcgen};
use fake_engine::{digest_tag, interrupted, push, registry_digest, retags};

const REGISTRY: &str = "reg.example.com/ns";
const TARGETS: [&str; 3] = ["debian12", "rocky9", "centos7"];

/// A git repository with the fleet fixture rendered and committed, a fake engine, and each
/// target's digest tag pushed (from this commit); returns it with the engine's log.
fn published_repo() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = common::scratch_with("fleet.yaml");
    tcgen(dir.path()).arg("render").assert().success();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "fleet"]);
    let head = head(dir.path());
    let (_, log) = fake_engine::fake_engine(dir.path());
    for target in TARGETS {
        let tag = registered(dir.path(), target);
        push(&log, &tag, &digest_of(&tag), &head);
    }
    (dir, log, head)
}

fn head(dir: &Path) -> String {
    let output = std::process::Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A target's digest tag under the registry.
fn registered(dir: &Path, target: &str) -> String {
    format!("{REGISTRY}/{}", digest_tag(dir, target))
}

/// A name tag under the registry.
fn name_tag(target: &str) -> String {
    format!("{REGISTRY}/test-toolchain-{target}")
}

/// A made-up digest named by `seed`.
fn digest_of(seed: &str) -> String {
    use std::fmt::Write as _;
    let mut hex = String::new();
    for byte in seed.bytes().cycle().take(32) {
        let _ = write!(hex, "{byte:02x}");
    }
    format!("sha256:{hex}")
}

/// `tcgen publish --registry REGISTRY ARGS...` against the fake engine in `dir`.
fn publish(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    tcgen(dir)
        .args(["publish", "--registry", REGISTRY])
        .args(args)
        .env("TCGEN_DOCKER", dir.join("fake-docker"))
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn every_name_tag_moves_to_a_carbon_copy_and_a_second_run_has_nothing_to_do() {
    let (dir, log, _) = published_repo();
    let output = publish(dir.path(), &TARGETS, &[]);
    common::assert_succeeded(&output);
    for target in TARGETS {
        assert_eq!(
            registry_digest(&log, &name_tag(target)),
            registry_digest(&log, &registered(dir.path(), target)),
            "{target}"
        );
    }
    assert_eq!(retags(&log).len(), 3);
    let again = publish(dir.path(), &TARGETS, &[]);
    common::assert_succeeded(&again);
    assert!(
        common::text(&again).contains("nothing to move: every name tag (3) already points"),
        "{}",
        common::text(&again)
    );
    assert_eq!(
        retags(&log).len(),
        3,
        "a run with nothing to do moved a tag"
    );
}

#[test]
fn a_missing_digest_tag_stops_everything_before_the_first_move() {
    let (dir, log, _) = published_repo();
    let output = publish(
        dir.path(),
        &[&TARGETS[..], &["suse15"]].concat(),
        &[("SUSE_MIRROR", "x")],
    );
    assert_eq!(output.status.code(), Some(1));
    let said = common::text(&output);
    assert!(
        said.contains("not published, nothing changed: not in the registry")
            && said.contains(&format!(
                "{0} (nor {0}-amd64)",
                registered(dir.path(), "suse15")
            )),
        "{said}"
    );
    assert!(retags(&log).is_empty(), "a tag moved before the check");
}

#[test]
fn a_move_that_fails_on_the_third_tag_puts_the_first_two_back() {
    let (dir, log, head) = published_repo();
    for target in TARGETS {
        push(&log, &name_tag(target), &digest_of(target), &head);
    }
    let output = publish(
        dir.path(),
        &TARGETS,
        &[("FAKE_FAIL_MOVE", &name_tag("centos7"))],
    );
    assert_eq!(output.status.code(), Some(1));
    let said = common::text(&output);
    for target in TARGETS {
        assert_eq!(
            registry_digest(&log, &name_tag(target)),
            Some(digest_of(target)),
            "{target} is not where it was: {said}"
        );
    }
    for target in ["debian12", "rocky9"] {
        assert!(
            said.contains(&format!(
                "restored: {} points at {}",
                name_tag(target),
                digest_of(target)
            )),
            "{said}"
        );
    }
    assert!(
        said.contains("moving reg.example.com/ns/test-toolchain-centos7"),
        "{said}"
    );
}

#[test]
fn a_tag_that_did_not_exist_is_named_as_not_restored() {
    let (dir, log, _) = published_repo();
    let output = publish(
        dir.path(),
        &TARGETS,
        &[("FAKE_FAIL_MOVE", &name_tag("rocky9"))],
    );
    assert_eq!(output.status.code(), Some(1));
    let said = common::text(&output);
    assert!(
        said.contains(&format!(
            "not restored: {} did not exist before this run",
            name_tag("debian12")
        )),
        "{said}"
    );
    assert_eq!(registry_digest(&log, &name_tag("centos7")), None, "{said}");
}

#[test]
fn a_signal_during_the_moves_waits_for_them_to_end() {
    let (dir, log, _) = published_repo();
    let engine = dir.path().join("fake-docker");
    let engine = engine.to_str().unwrap();
    let (code, _, stderr) = interrupted(
        dir.path(),
        &[&["publish", "--registry", REGISTRY][..], &TARGETS].concat(),
        &[("TCGEN_DOCKER", engine), ("FAKE_SLEEP_MOVE", "1")],
        libc::SIGTERM,
        "move",
    );
    assert_eq!(code, Some(128 + libc::SIGTERM), "{stderr}");
    for target in TARGETS {
        assert_eq!(
            registry_digest(&log, &name_tag(target)),
            registry_digest(&log, &registered(dir.path(), target)),
            "{target} was left behind: {stderr}"
        );
    }
}

#[test]
fn a_name_tag_at_a_newer_fleet_is_not_moved_back_unless_forced() {
    let (dir, log, head) = published_repo();
    // A run for a later commit (one this checkout does not have) published debian12.
    let newer = "0123456789abcdef0123456789abcdef01234567";
    push(&log, &name_tag("debian12"), &digest_of("newer"), newer);
    // rocky9's name tag is at an image of this very commit: moving it is forward.
    push(&log, &name_tag("rocky9"), &digest_of("older"), &head);
    let output = publish(dir.path(), &TARGETS, &[]);
    assert_eq!(output.status.code(), Some(1));
    let said = common::text(&output);
    assert!(
        said.contains(&format!("{} (built from {newer})", name_tag("debian12")))
            && !said.contains(&format!("{} (built", name_tag("rocky9"))),
        "{said}"
    );
    assert!(retags(&log).is_empty(), "a tag moved: {said}");

    let forced = publish(dir.path(), &[&TARGETS[..], &["--force"]].concat(), &[]);
    common::assert_succeeded(&forced);
    assert_eq!(
        registry_digest(&log, &name_tag("debian12")),
        registry_digest(&log, &registered(dir.path(), "debian12"))
    );
}

#[test]
fn a_commit_that_returns_to_an_earlier_image_publishes_forward() {
    let (dir, log, first) = published_repo();
    // A later commit built a changed debian12 and published it.
    git(
        dir.path(),
        &["commit", "-q", "--allow-empty", "-m", "change"],
    );
    let second = head(dir.path());
    push(&log, &name_tag("debian12"), &digest_of("changed"), &second);
    // A third commit reverts the change: its debian12 is the first commit's image again.
    git(
        dir.path(),
        &["commit", "-q", "--allow-empty", "-m", "revert"],
    );
    let output = publish(dir.path(), &["debian12"], &[]);
    common::assert_succeeded(&output);
    assert_eq!(
        registry_digest(&log, &name_tag("debian12")),
        registry_digest(&log, &registered(dir.path(), "debian12")),
        "built from {first}"
    );
}

#[test]
fn a_digest_tag_split_over_machines_is_assembled_from_every_platform_or_nothing_changes() {
    let (dir, log, head) = published_repo();
    // debian12 lists linux/amd64 and linux/arm64: two runners pushed one platform each.
    let digest_tag = registered(dir.path(), "debian12");
    let (amd64, arm64) = (format!("{digest_tag}-amd64"), format!("{digest_tag}-arm64"));
    // Its digest tag is not in the registry yet (the fixture pushed it: take it back out).
    let text = std::fs::read_to_string(log.with_extension("log.registry")).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with(&format!("{digest_tag} ")))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(log.with_extension("log.registry"), kept).unwrap();
    push(&log, &amd64, &digest_of("amd64"), &head);

    let early = publish(dir.path(), &TARGETS, &[]);
    assert_eq!(early.status.code(), Some(1));
    assert!(
        common::text(&early).contains(&format!("{digest_tag} (nor {arm64})")),
        "{}",
        common::text(&early)
    );
    assert!(
        retags(&log).is_empty(),
        "a publish between the two runs changed something"
    );
    assert_eq!(registry_digest(&log, &digest_tag), None);

    push(&log, &arm64, &digest_of("arm64"), &head);
    let output = publish(dir.path(), &TARGETS, &[]);
    common::assert_succeeded(&output);
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls.contains(&format!(
            "args=buildx imagetools create -t {digest_tag} {amd64} {arm64}"
        )),
        "{calls}"
    );
    assert!(registry_digest(&log, &digest_tag).is_some());
    assert_eq!(
        registry_digest(&log, &name_tag("debian12")),
        registry_digest(&log, &digest_tag)
    );
}
