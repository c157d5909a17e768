//! The runner's commands as data (`--dry-run` snapshots) and its contract with the engine, checked
//! with a fake `docker` that records what it is asked: directory, arguments, environment, exit
//! codes passed on, cleanup after failure.

use std::fs;
use std::path::Path;

use assert_cmd::prelude::*;

mod common;
#[path = "common/fake_engine.rs"]
mod fake_engine;
use common::{summary_row, tcgen};
use fake_engine::{digest_tag, interrupted, retags, verbs, with_fake_engine};

/// A scratch repository with the fleet fixture rendered into it as its distros.yaml.
fn repo() -> tempfile::TempDir {
    let dir = common::scratch_with("fleet.yaml");
    tcgen(dir.path()).arg("render").assert().success();
    dir
}

/// Runs tcgen in `dir`, checks that it fails as a usage error (exit 2), and returns stderr.
fn usage_error(dir: &Path, args: &[&str]) -> String {
    let output = tcgen(dir).args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "tcgen {args:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// stdout with the scratch directory's path replaced, for snapshots.
fn stable(output: &[u8], dir: &Path) -> String {
    String::from_utf8_lossy(output).replace(&dir.display().to_string(), "<repo>")
}

#[test]
fn build_dry_run_prints_each_bake_command_and_skips_gated_distros() {
    let dir = repo();
    let output = tcgen(dir.path())
        .args(["build", "--dry-run"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: skipping suse15: SUSE_MIRROR is not set"),
        "{stderr}"
    );
    let stdout = stable(&output.stdout, dir.path());
    assert!(
        !stdout.contains("centos7"),
        "a distro out of the default set is built only when named:\n{stdout}"
    );
    insta::assert_snapshot!("build_default_dry_run", stdout);
}

#[test]
fn a_distro_out_of_the_default_set_builds_when_named() {
    let dir = repo();
    let output = tcgen(dir.path())
        .args(["build", "--dry-run", "centos7"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).lines().next(),
        Some(
            "docker buildx bake -f generated/bake.hcl --load --metadata-file build_docker/logs/centos7.metadata centos7"
        )
    );
}

#[test]
fn print_tags_gives_scripts_only_the_tags_that_built() {
    let dir = repo();
    let (output, _) = with_fake_engine(
        dir.path(),
        &["build", "--print-tags", "debian12", "rocky9", "centos7"],
        &[("FAKE_FAIL_TARGET", "rocky9")],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "test-toolchain-debian12\ntest-toolchain-centos7\n"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(summary_row(&stderr, "rocky9")[1], "FAILED", "{stderr}");
}

/// Dry runs whose commands are snapshots: the build options reaching bake (a gated value by
/// name only), and podman's tags, labels and gated arguments.
#[test]
fn dry_runs_print_the_commands_with_gated_values_by_name() {
    let cases: [(&str, &[&str], &str); 2] = [
        (
            "build_options_dry_run",
            &[
                "build",
                "--dry-run",
                "--registry",
                "reg.example.com/ns",
                "--multi",
                "--builder",
                "multi",
                "--set",
                "*.cache-to=type=inline",
                "--progress",
                "plain",
                "suse15",
                "debian12",
            ],
            "https://user:secret@mirror.example.com",
        ),
        (
            "build_podman_dry_run",
            &[
                "build",
                "--dry-run",
                "--engine",
                "podman",
                "--registry",
                "reg.example.com/ns",
                "suse15",
                "rocky9",
            ],
            "https://mirror.example.com",
        ),
    ];
    let dir = repo();
    for (snapshot, args, mirror) in cases {
        let output = tcgen(dir.path())
            .args(args)
            .env("SUSE_MIRROR", mirror)
            .output()
            .unwrap();
        common::assert_succeeded(&output);
        let stdout = stable(&output.stdout, dir.path());
        assert!(
            !stdout.contains("secret"),
            "a gated value must not be printed: {stdout}"
        );
        insta::assert_snapshot!(snapshot, stdout);
    }
}

/// Mistakes in a build or in-docker request: exit code 2, and a message that names them.
#[test]
fn usage_errors_name_what_is_wrong() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["build", "--dry-run", "suse15"],
            "suse15 needs SUSE_MIRROR: set it",
        ),
        (
            &[
                "in-docker",
                "--dry-run",
                "--build-dir",
                "build:x",
                "test-toolchain-rocky9",
                "--",
                "true",
            ],
            "contains ':'",
        ),
        (&["build", "--dry-run", "--skip-existing"], "--registry"),
    ];
    let dir = repo();
    for (args, message) in cases {
        let stderr = usage_error(dir.path(), args);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// A missing engine stops build and in-docker with exit code 1 and says what to install.
#[test]
fn a_missing_engine_is_a_clear_error() {
    let dir = repo();
    for args in [
        &["in-docker", "test-toolchain-debian12", "--", "true"][..],
        &["build", "debian12"],
    ] {
        let output = tcgen(dir.path())
            .args(args)
            .env("TCGEN_DOCKER", "/nonexistent/docker")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("cannot run /nonexistent/docker: it is not installed or not on PATH"),
            "{args:?}"
        );
        assert!(
            !stderr.contains("building"),
            "{args:?}: nothing starts: {stderr}"
        );
    }
}

#[test]
fn build_refuses_stale_generated_files_unless_allowed() {
    let dir = repo();
    fs::write(
        dir.path().join("generated/debian12.Dockerfile"),
        "FROM scratch\n",
    )
    .unwrap();
    let stderr = usage_error(dir.path(), &["build", "--dry-run", "debian12"]);
    assert!(stderr.contains("is stale (1 changed"), "{stderr}");
    tcgen(dir.path())
        .args(["build", "--dry-run", "--allow-stale", "debian12"])
        .assert()
        .success();
}

#[test]
fn in_docker_dry_run_shows_mounts_user_and_variables_by_name() {
    let dir = repo();
    let output = tcgen(dir.path())
        .args([
            "in-docker",
            "--dry-run",
            "--docker-args",
            "--network host -e 'X=a b'",
        ])
        .args([
            "reg.example.com:5000/test-toolchain-rocky9:v1",
            "--",
            "./buildall.sh",
            "--fast",
        ])
        .env("AWS_SECRET_ACCESS_KEY", "s3cr3t")
        .env("TOOLCHAIN_BUILD_ID", "42")
        .env_remove("USE_CCACHE")
        .env_remove("CCACHE_DIR")
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    let stdout = stable(&output.stdout, dir.path());
    assert!(
        !stdout.contains("s3cr3t"),
        "secret values go by name only: {stdout}"
    );
    let uid = unsafe { libc::getuid() };
    let gid = unsafe { libc::getgid() };
    let stdout = stdout.replace(&format!("-u {uid}:{gid}"), "-u <uid>:<gid>");
    insta::assert_snapshot!("in_docker_dry_run", stdout);
}

#[test]
fn a_failing_bake_target_is_named_with_its_log_and_exit_code_1() {
    let dir = repo();
    let (output, log) = with_fake_engine(
        dir.path(),
        &[
            "build",
            "--registry",
            "reg.example.com/ns",
            "debian12",
            "rocky9",
        ],
        &[("FAKE_EXIT", "7")],
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let row = summary_row(&stdout, "rocky9");
    assert_eq!(
        (row[1].as_str(), row[3].as_str()),
        ("FAILED", "exit code 7: see build_docker/logs/rocky9.log"),
        "{stdout}"
    );
    assert!(
        summary_row(&stdout, "debian12")[1] == "FAILED",
        "both targets run and are reported: {stdout}"
    );
    let calls = fs::read_to_string(log).unwrap();
    let root = dir.path().canonicalize().unwrap();
    assert!(
        calls.contains(&format!(
            "cwd={} args=buildx bake -f generated/bake.hcl --set rocky9.tags=reg.example.com/ns/test-toolchain-rocky9:",
            root.display()
        )),
        "bake runs from the repository root: {calls}"
    );
    assert!(
        calls.contains("REGISTRY=reg.example.com/ns/ MULTI="),
        "{calls}"
    );
}

#[test]
fn in_docker_passes_the_exit_code_on_and_always_removes_the_container() {
    let dir = repo();
    let (output, log) = with_fake_engine(
        dir.path(),
        &["in-docker", "test-toolchain-debian12", "--", "false"],
        &[("FAKE_EXIT", "5")],
    );
    assert_eq!(output.status.code(), Some(5));
    let calls = fs::read_to_string(&log).unwrap();
    assert_eq!(verbs(&log), ["create", "image", "start", "rm"], "{calls}");
    assert!(calls.contains("args=start --attach --interactive c0ffee"));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(
            "in-docker: running in test-toolchain-debian12 (id sha256:5ca1ab1e digests [\"reg.example.com/test-toolchain-debian12@sha256:0b5e55ed\"])"
        ),
        "the image the run used: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(calls.contains("args=rm --force c0ffee"));
    assert!(
        dir.path()
            .join("build_docker/test-toolchain-debian12/build")
            .is_dir(),
        "directories exist before mounting"
    );
}

#[test]
fn skip_existing_skips_only_the_targets_whose_digest_tag_the_registry_has() {
    let dir = repo();
    let existing = format!("reg.example.com/ns/{}", digest_tag(dir.path(), "rocky9"));
    let (output, log) = with_fake_engine(
        dir.path(),
        &[
            "build",
            "--registry",
            "reg.example.com/ns",
            "--skip-existing",
            "rocky9",
            "debian12",
        ],
        &[("FAKE_EXISTING", &existing)],
    );
    common::assert_succeeded(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        summary_row(&stdout, "rocky9")
            == [
                "rocky9",
                "skipped",
                "-",
                &format!("{existing} is in the registry")
            ],
        "{stdout}"
    );
    assert!(
        summary_row(&stdout, "debian12")[3] == "reg.example.com/ns/test-toolchain-debian12",
        "{stdout}"
    );
    let calls = fs::read_to_string(log).unwrap();
    let bakes: Vec<&str> = calls
        .lines()
        .filter(|l| l.contains("args=buildx bake"))
        .collect();
    assert_eq!(bakes.len(), 1, "{calls}");
    assert!(
        bakes[0].ends_with(" debian12 REGISTRY=reg.example.com/ns/ MULTI="),
        "{calls}"
    );
}

#[test]
fn cache_registry_and_skip_existing_in_dry_runs() {
    let dir = repo();
    let mut outputs = Vec::new();
    for engine in ["docker", "podman"] {
        let output = tcgen(dir.path())
            .args(["build", "--dry-run", "--engine", engine, "--skip-existing"])
            .args(["--registry", "reg.example.com/ns", "debian12"])
            .env("CACHE_REGISTRY", "cache.example.com/toolchain/")
            .output()
            .unwrap();
        common::assert_succeeded(&output);
        outputs.push(stable(&output.stdout, dir.path()));
    }
    insta::assert_snapshot!("build_cache_and_skip_existing_dry_run", outputs.join("\n"));
}

#[test]
fn an_unreachable_daemon_fails_every_target_with_the_reason_and_a_hint() {
    let dir = repo();
    let (output, _) = with_fake_engine(
        dir.path(),
        &["build", "debian12", "rocky9"],
        &[("FAKE_DAEMON_DOWN", "1")],
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for target in ["debian12", "rocky9"] {
        assert_eq!(summary_row(&stdout, target)[1], "FAILED", "{stdout}");
    }
    assert!(
        stderr.contains("error: rocky9 failed; the end of build_docker/logs/rocky9.log:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  Cannot connect to the Docker daemon"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: the engine cannot reach its daemon"),
        "{stderr}"
    );
}

#[test]
fn one_failing_target_does_not_hide_the_others() {
    let dir = repo();
    let (output, _) = with_fake_engine(
        dir.path(),
        &["build", "debian12", "rocky9", "centos7"],
        &[("FAKE_FAIL_TARGET", "rocky9")],
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let results: Vec<String> = ["debian12", "rocky9", "centos7"]
        .iter()
        .map(|t| summary_row(&stdout, t)[1].clone())
        .collect();
    assert_eq!(results, ["built", "FAILED", "built"], "{stdout}");
}

#[test]
fn sigint_and_sigterm_during_a_build_stop_it_and_report_every_target() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let dir = repo();
        let (engine, _) = fake_engine::fake_engine(dir.path());
        let (code, stdout, stderr) = interrupted(
            dir.path(),
            &["build", "debian12", "rocky9"],
            &[
                ("TCGEN_DOCKER", engine.to_str().unwrap()),
                ("FAKE_SLEEP_buildx", "60"),
            ],
            signal,
            "buildx",
        );
        assert_eq!(code, Some(128 + signal), "{stdout}\n{stderr}");
        assert!(
            !dir.path().join("engine.log.slept-buildx").exists(),
            "tcgen waited for the build instead of stopping it"
        );
        for target in ["debian12", "rocky9"] {
            let row = summary_row(&stdout, target);
            assert_eq!(row[1], "interrupted", "{stdout}");
            assert!(
                row[2].ends_with('s') && row[2] != "-",
                "the time it ran: {stdout}"
            );
            assert_eq!(
                row[3],
                format!("stopped: see build_docker/logs/{target}.log")
            );
        }
        assert!(stderr.contains("interrupted"), "{stderr}");
    }
    // With one build at a time, the target that never started says so.
    let dir = repo();
    let (engine, _) = fake_engine::fake_engine(dir.path());
    let (_, stdout, _) = interrupted(
        dir.path(),
        &["build", "--jobs", "1", "debian12", "rocky9"],
        &[
            ("TCGEN_DOCKER", engine.to_str().unwrap()),
            ("FAKE_SLEEP_buildx", "60"),
        ],
        libc::SIGTERM,
        "buildx",
    );
    assert_eq!(
        summary_row(&stdout, "debian12")[1],
        "interrupted",
        "{stdout}"
    );
    assert_eq!(
        summary_row(&stdout, "rocky9")[1..],
        ["not run", "-", "not started: the run was interrupted first"],
        "{stdout}"
    );
}

#[test]
fn a_signal_at_each_stage_of_in_docker_leaves_no_container() {
    // The signal comes while `create` sleeps (it finishes; tcgen then removes the container
    // without starting it), or while `start` runs (tcgen stops waiting and removes it).
    let stages: [(&str, &str, &str, &[&str]); 2] = [
        (
            "FAKE_SLEEP_create",
            "2",
            "create",
            &["create", "image", "rm"],
        ),
        (
            "FAKE_SLEEP_start",
            "60",
            "start",
            &["create", "image", "start", "rm"],
        ),
    ];
    for (sleep, seconds, verb, expected) in stages {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            let dir = repo();
            let (engine, log) = fake_engine::fake_engine(dir.path());
            let (code, stdout, stderr) = interrupted(
                dir.path(),
                &["in-docker", "test-toolchain-debian12", "--", "true"],
                &[("TCGEN_DOCKER", engine.to_str().unwrap()), (sleep, seconds)],
                signal,
                verb,
            );
            assert_eq!(code, Some(128 + signal), "{sleep}: {stdout}\n{stderr}");
            assert_eq!(verbs(&log), expected, "{sleep}, signal {signal}");
        }
    }
}

#[test]
fn secret_values_appear_in_no_output_and_no_argument() {
    let dir = repo();
    let secret = "s3cr3t-Value-42";
    let (output, log) = with_fake_engine(
        dir.path(),
        &["in-docker", "test-toolchain-debian12", "--", "true"],
        &[
            ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_SESSION_TOKEN", secret),
        ],
    );
    assert!(output.status.success());
    let calls = fs::read_to_string(&log).unwrap();
    for (what, text) in [
        (
            "stdout",
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr",
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
        ("the engine's arguments", calls.clone()),
    ] {
        assert!(!text.contains(secret), "{what} shows the secret: {text}");
    }
    assert!(
        calls.contains("-e AWS_SECRET_ACCESS_KEY "),
        "passed by name: {calls}"
    );
}

#[test]
fn targets_build_at_once_each_in_its_own_bake() {
    let dir = repo();
    // Each bake waits until three have started: run one after another, the first would wait
    // in vain and fail.
    let (output, log) = with_fake_engine(
        dir.path(),
        &["build", "debian12", "rocky9", "centos7"],
        &[("FAKE_BARRIER", "3")],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bakes: Vec<String> = verbs(&log).into_iter().filter(|v| v == "buildx").collect();
    assert_eq!(bakes.len(), 3);
    for target in ["debian12", "rocky9", "centos7"] {
        assert_eq!(summary_row(&stdout, target)[1], "built", "{stdout}");
    }
}

#[test]
fn jobs_1_builds_one_target_at_a_time() {
    let dir = repo();
    let (output, _) = with_fake_engine(
        dir.path(),
        &["build", "--jobs", "1", "debian12", "rocky9", "centos7"],
        &[("FAKE_SOLO", "1")],
    );
    assert_eq!(output.status.code(), Some(0));
    let bakes = std::fs::read_to_string(dir.path().join("engine.log.bakes")).unwrap_or_default();
    assert_eq!(bakes.lines().count(), 3, "every target baked");
    assert!(
        !dir.path().join("engine.log.overlap").exists(),
        "two bakes ran at once"
    );
}

#[test]
fn a_target_named_twice_is_built_once() {
    let dir = repo();
    let (output, log) = with_fake_engine(dir.path(), &["build", "rocky9", "rocky9"], &[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(verbs(&log), ["buildx"]);
}

#[test]
fn name_tags_move_only_when_every_target_built_and_after_all_of_them() {
    let registry = ["--registry", "reg.example.com/ns"];
    let dir = repo();
    let (output, log) = with_fake_engine(
        dir.path(),
        &[
            &["build"][..],
            &registry,
            &["debian12", "rocky9", "centos7"],
        ]
        .concat(),
        &[("FAKE_FAIL_TARGET", "rocky9")],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(retags(&log).is_empty(), "a failed run moved a name tag");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not published: every name tag stays where it was"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        summary_row(&stdout, "debian12")[3]
            .starts_with("reg.example.com/ns/test-toolchain-debian12:"),
        "an image that built is shown at its digest tag: {stdout}"
    );

    let dir = repo();
    let (output, log) = with_fake_engine(
        dir.path(),
        &[
            &["build"][..],
            &registry,
            &["debian12", "rocky9", "centos7"],
        ]
        .concat(),
        &[],
    );
    assert_eq!(output.status.code(), Some(0));
    let mut moved = retags(&log);
    moved.sort();
    assert_eq!(
        moved,
        [
            "reg.example.com/ns/test-toolchain-centos7",
            "reg.example.com/ns/test-toolchain-debian12",
            "reg.example.com/ns/test-toolchain-rocky9"
        ]
    );
    let calls = verbs(&log);
    let last_bake = calls.iter().rposition(|v| v == "buildx").unwrap();
    let text = fs::read_to_string(&log).unwrap();
    let first_retag = text
        .lines()
        .position(|l| l.contains("imagetools create"))
        .unwrap();
    let bakes_before: usize = text
        .lines()
        .take(first_retag)
        .filter(|l| l.contains("buildx bake"))
        .count();
    assert_eq!(
        bakes_before, 3,
        "every bake ends before a name tag moves ({last_bake})"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("published: every name tag (3) now points at this build"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_name_tag_that_cannot_move_fails_the_run() {
    let dir = repo();
    let (output, _) = with_fake_engine(
        dir.path(),
        &["build", "--registry", "reg.example.com/ns", "debian12"],
        &[("FAKE_RETAG_EXIT", "5")],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("failed (exit code 5)"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn podman_multi_platform_builds_a_manifest_list_and_pushes_all_of_it() {
    let dir = repo();
    let output = tcgen(dir.path())
        .args([
            "build",
            "--dry-run",
            "--engine",
            "podman",
            "--multi",
            "--registry",
            "reg.example.com/ns",
            "debian12",
        ])
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    insta::assert_snapshot!(
        "build_podman_multi_dry_run",
        stable(&output.stdout, dir.path())
    );
}

#[test]
fn a_registry_prefix_gives_the_same_tags_with_or_without_its_slash_and_bad_ones_are_refused() {
    let dir = repo();
    let dry_run = |registry: &str| {
        let output = tcgen(dir.path())
            .args([
                "build",
                "--dry-run",
                "--engine",
                "podman",
                "--registry",
                registry,
                "debian12",
            ])
            .env("CACHE_REGISTRY", "cache.example.com/team/")
            .output()
            .unwrap();
        assert!(output.status.success(), "{registry}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let plain = dry_run("reg.example.com:5000/ns");
    assert_eq!(plain, dry_run("reg.example.com:5000/ns/"));
    assert!(
        plain.contains("-t reg.example.com:5000/ns/test-toolchain-debian12 "),
        "{plain}"
    );
    assert!(!plain.contains("ns//"), "{plain}");
    for bad in [
        "HTTPS://R.example.com/ns",
        "reg.example.com/Team",
        "reg example.com",
    ] {
        let stderr = usage_error(dir.path(), &["build", "--dry-run", "--registry", bad]);
        assert!(
            stderr.contains("write it as HOST[:PORT][/PATH]"),
            "{bad}: {stderr}"
        );
    }
    let output = tcgen(dir.path())
        .args(["build", "--dry-run", "debian12"])
        .env("CACHE_REGISTRY", "https://cache.example.com")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("CACHE_REGISTRY: 'https://cache.example.com' has a scheme"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// How many times the fake engine was asked to bake `target`.
fn bakes_of(log: &Path, target: &str) -> usize {
    fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("args=buildx bake") && l.contains(&format!(" {target} REGISTRY=")))
        .count()
}

#[test]
fn retry_builds_a_failed_target_again_and_the_name_tags_still_move_once() {
    let args = [
        "build",
        "--registry",
        "reg.example.com/ns",
        "debian12",
        "rocky9",
    ];
    let fail_once = [("FAKE_FAIL_ONCE", "rocky9")];

    let dir = repo();
    let (output, log) = with_fake_engine(dir.path(), &args, &fail_once);
    assert_eq!(output.status.code(), Some(1), "--retry 0 fails as before");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(summary_row(&stdout, "rocky9")[1], "FAILED", "{stdout}");
    assert_eq!(bakes_of(&log, "rocky9"), 1);
    assert!(retags(&log).is_empty(), "a failed run moved a name tag");

    let dir = repo();
    let (output, log) = with_fake_engine(
        dir.path(),
        &[&args[..], &["--retry", "1"]].concat(),
        &fail_once,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(
        summary_row(&stdout, "rocky9")[1],
        "built (2nd attempt)",
        "{stdout}"
    );
    assert_eq!(summary_row(&stdout, "debian12")[1], "built", "{stdout}");
    assert_eq!(
        (bakes_of(&log, "rocky9"), bakes_of(&log, "debian12")),
        (2, 1)
    );
    assert!(
        stderr.contains("rocky9: failed (exit code 100), building again: 2nd attempt"),
        "{stderr}"
    );
    let mut moved = retags(&log);
    moved.sort();
    assert_eq!(
        moved,
        [
            "reg.example.com/ns/test-toolchain-debian12",
            "reg.example.com/ns/test-toolchain-rocky9"
        ],
        "each name tag moves once"
    );
    let target_log = fs::read_to_string(dir.path().join("build_docker/logs/rocky9.log")).unwrap();
    assert!(
        target_log.contains("Temporary failure resolving")
            && target_log
                .contains("tcgen: attempt 1 failed (exit code 100); attempt 2 of 2 starts"),
        "the log keeps every attempt: {target_log}"
    );
}

#[test]
fn retry_is_bounded_and_counts_the_attempts_of_a_target_that_keeps_failing() {
    let dir = repo();
    let (output, log) = with_fake_engine(
        dir.path(),
        &["build", "--retry", "2", "debian12", "rocky9"],
        &[("FAKE_FAIL_TARGET", "rocky9")],
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        summary_row(&stdout, "rocky9")[1],
        "FAILED (3 attempts)",
        "{stdout}"
    );
    let bakes = fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter(|l| l.contains("args=buildx bake") && l.ends_with(" rocky9 REGISTRY= MULTI="))
        .count();
    assert_eq!(bakes, 3);
    let stderr = usage_error(dir.path(), &["build", "--retry", "11", "debian12"]);
    assert!(stderr.contains("--retry"), "{stderr}");
}

#[test]
fn one_platform_per_runner_pushes_its_per_platform_tag_and_moves_no_name_tag() {
    let dir = repo();
    let mut outputs = Vec::new();
    for engine in ["docker", "podman"] {
        let output = tcgen(dir.path())
            .args([
                "build",
                "--dry-run",
                "--engine",
                engine,
                "--platform",
                "linux/arm64",
            ])
            .args([
                "--registry",
                "reg.example.com/ns",
                "--no-publish",
                "debian12",
            ])
            .output()
            .unwrap();
        common::assert_succeeded(&output);
        let stdout = stable(&output.stdout, dir.path());
        assert!(!stdout.contains("name tags move"), "{stdout}");
        outputs.push(stdout);
    }
    insta::assert_snapshot!("build_one_platform_dry_run", outputs.join("\n"));
    let stderr = usage_error(
        dir.path(),
        &["build", "--dry-run", "--platform", "linux/arm64", "rocky9"],
    );
    assert!(
        stderr.contains("rocky9 is not built for linux/arm64: its platforms are linux/amd64"),
        "{stderr}"
    );
    let stderr = usage_error(dir.path(), &["build", "--no-publish", "debian12"]);
    assert!(stderr.contains("--registry"), "{stderr}");
}

#[test]
fn in_docker_needs_no_spec_when_the_label_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "in-docker",
        "--dry-run",
        "reg.example.com/other-image:v1",
        "--",
        "true",
    ];
    let output = tcgen(dir.path())
        .args(args)
        .env("BUILD_TARGET_LABEL", "ec2-package-ubuntu-22-04")
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(" -e BUILD_TARGET_LABEL "),
        "passed by name: {stdout}"
    );
    let without = tcgen(dir.path()).args(args).output().unwrap();
    assert_eq!(
        without.status.code(),
        Some(2),
        "without the label, the spec gives it"
    );
    assert!(String::from_utf8_lossy(&without.stderr).contains("distros.yaml"));
}

#[test]
fn in_docker_with_an_image_that_cannot_be_had_leaves_no_folder_behind() {
    let dir = repo();
    let (output, _) = with_fake_engine(
        dir.path(),
        &["in-docker", "test-toolchain-nope", "--", "true"],
        &[("FAKE_CREATE_EXIT", "125")],
    );
    assert_eq!(output.status.code(), Some(1), "{}", common::text(&output));
    assert!(
        !dir.path().join("build_docker/test-toolchain-nope").exists(),
        "an empty per-image folder was left behind"
    );
}

#[test]
fn in_docker_runs_as_the_user_given() {
    let dir = repo();
    let output = tcgen(dir.path())
        .args([
            "in-docker",
            "--dry-run",
            "--user",
            "4321:99",
            "test-toolchain-debian12",
            "--",
            "true",
        ])
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    assert!(String::from_utf8_lossy(&output.stdout).contains(" -u 4321:99 "));
    let stderr = usage_error(
        dir.path(),
        &[
            "in-docker",
            "--user",
            "builder",
            "test-toolchain-debian12",
            "--",
            "true",
        ],
    );
    assert!(stderr.contains("is not UID:GID"), "{stderr}");
}
