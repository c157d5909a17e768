//! End-to-end tests on a real engine: podman builds the fixture images (dependency assertion
//! included), then `tcgen in-docker` and the generated Makefile run inside them. Builds that
//! must succeed run with `--retry 1`, as the example CI does, so that a mirror's hiccup on a
//! cold machine costs an attempt, not the run.
//!
//! They need podman and the local base image `localhost/debian12-base` (`.ci/setup-podman`
//! makes both), so they are marked ignored and `cargo test` counts them as such; run them with
//! `cargo test --test e2e_podman -- --include-ignored` (CI does). Run without what they need,
//! they fail and say how to get it.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod common;
#[path = "common/cyclonedx.rs"]
mod cyclonedx;
#[path = "common/registry.rs"]
mod registry;
use common::summary_row;

/// A git repository with the e2e fixture as its spec, rendered and built once for all tests.
fn built_repo() -> &'static Path {
    static REPO: OnceLock<PathBuf> = OnceLock::new();
    REPO.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("tcgen-e2e-")
            .tempdir()
            .unwrap()
            .keep();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e2e.yaml");
        // A check unique to this run, so the dependency assertion really runs instead of
        // coming from the engine's layer cache.
        let nonce = dir.file_name().unwrap().to_string_lossy().into_owned();
        let spec = fs::read_to_string(fixture).unwrap().replace(
            "programs: [file, \"mawk|gawk\"]",
            &format!("programs: [file, \"mawk|gawk\"]\n    commands: [{{run: \"echo {nonce}\", expect: [\"{nonce}\"]}}]"),
        );
        fs::write(dir.join("distros.yaml"), spec).unwrap();
        fs::create_dir_all(dir.join("source/zlib")).unwrap();
        fs::write(dir.join("source/zlib/build.sh"), "echo zlib\n").unwrap();
        fs::write(dir.join("untracked.txt"), "not committed\n").unwrap();
        let git = |args: &[&str]| common::git(&dir, args);
        git(&["init", "-q"]);
        git(&["add", "distros.yaml", "source"]);
        git(&["commit", "-qm", "fixture"]);
        // In-docker copies tracked files as they are in the working tree, never untracked ones.
        fs::write(dir.join("source/zlib/build.sh"), "echo zlib edited\n").unwrap();
        fs::write(dir.join("source/zlib/new.sh"), "untracked\n").unwrap();
        // The toolchain's functions.sh: a new build id on every call.
        fs::write(
            dir.join("functions.sh"),
            "generate_build_id() { echo \"run-$$-$(date +%N)\"; }\n",
        )
        .unwrap();
        let render = common::tcgen(&dir)
            .arg("render")
            .status()
            .unwrap();
        assert!(render.success());
        let output = common::tcgen(&dir)
            .args(common::PODMAN_BUILD)
            .args(["--inventory", "debian12", "debian12b"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let logs: String = ["debian12", "debian12b"]
            .iter()
            .map(|t| {
                fs::read_to_string(dir.join(format!("build_docker/logs/{t}.log")))
                    .unwrap_or_default()
            })
            .collect();
        assert!(
            output.status.success(),
            "build failed:\n{stdout}\n{}\n{logs}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            summary_row(&stdout, "debian12")[1] == "built"
                && summary_row(&stdout, "debian12")[3] == "test-toolchain-debian12",
            "{stdout}"
        );
        assert!(
            logs.contains("assert-dependencies: all 6 checks passed"),
            "the assertion did not run:\n{logs}"
        );
        dir
    })
}

fn in_docker(args: &[&str]) -> Command {
    let mut command = common::tcgen(built_repo());
    command
        .args(["in-docker", "--engine", "podman"])
        .args(args)
        .env_remove("BUILD_TARGET_LABEL");
    command
}

/// The containers, running or not, that carry the label `tcgen-e2e=<label>`: those of one test
/// (tests run at once, in the same images, and must not see each other's containers).
fn containers_of(label: &str) -> String {
    let output = Command::new("podman")
        .args(["ps", "-a", "--format", "{{.ID}} {{.Image}}"])
        .args(["--filter", &format!("label=tcgen-e2e={label}")])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The `--docker-args` that give a test's containers its label.
fn labelled(label: &str) -> String {
    format!("--docker-args=--label tcgen-e2e={label}")
}

#[test]
#[ignore = "needs podman and a Debian base image: sudo .ci/setup-podman"]
fn files_written_to_mnt_build_belong_to_the_caller_and_the_environment_arrives() {
    common::require_podman();
    let status = in_docker(&[
        "test-toolchain-debian12",
        "--",
        "sh",
        "-c",
        "echo \"$BUILD_TARGET_LABEL $TOOLCHAIN_BUILD_ID $ZLIB_VERSION $USE_CCACHE\" > /mnt/build/env; ls /mnt/source > /mnt/build/sources; ls /mnt/source/zlib > /mnt/build/zlib; cat /mnt/source/zlib/build.sh > /mnt/build/recipe",
    ])
    .env("TOOLCHAIN_BUILD_ID", "build-42")
    .env("ZLIB_VERSION", "1.3")
    .status()
    .unwrap();
    assert!(status.success());
    let dir = built_repo().join("build_docker/test-toolchain-debian12/build");
    let env = fs::read_to_string(dir.join("env")).unwrap();
    assert_eq!(env, "test-debian-12 build-42 1.3 1\n");
    assert_eq!(fs::read_to_string(dir.join("sources")).unwrap(), "zlib\n");
    assert_eq!(
        fs::read_to_string(dir.join("zlib")).unwrap(),
        "build.sh\n",
        "untracked source/ files are not copied"
    );
    assert_eq!(
        fs::read_to_string(dir.join("recipe")).unwrap(),
        "echo zlib edited\n",
        "tracked source/ files arrive with their working-tree content"
    );
    for mount_point in ["build", "check", "source", "ccache"] {
        let meta = fs::metadata(built_repo().join(mount_point)).unwrap();
        assert!(meta.is_dir(), "{mount_point} was made before the container");
    }
    let uid = unsafe { libc::getuid() };
    assert_eq!(fs::metadata(dir.join("env")).unwrap().uid(), uid);
}

#[test]
#[ignore = "needs podman and a Debian base image: sudo .ci/setup-podman"]
fn files_written_by_the_command_belong_to_the_user_it_runs_as() {
    // A user that is neither root nor the caller: under root CI, the caller's own ids could not
    // tell a file the container wrote from one root wrote.
    common::require_podman();
    let build_dir = tempfile::tempdir().unwrap();
    let output = in_docker(&[
        "--user",
        "4321:4321",
        "--build-dir",
        build_dir.path().to_str().unwrap(),
        "test-toolchain-debian12",
        "--",
        "sh",
        "-c",
        "id -u > /mnt/build/who",
    ])
    .env("USE_CCACHE", "0")
    .output()
    .unwrap();
    common::assert_succeeded(&output);
    let who = build_dir.path().join("test-toolchain-debian12/build/who");
    assert_eq!(fs::read_to_string(&who).unwrap(), "4321\n");
    assert_eq!(
        fs::metadata(&who).unwrap().uid(),
        4321,
        "written as the user it ran as"
    );
}

#[test]
#[ignore = "needs podman and a Debian base image: sudo .ci/setup-podman"]
fn stdin_reaches_the_command_and_exit_codes_come_back() {
    common::require_podman();
    let label = labelled("stdin");
    let mut child = in_docker(&[&label, "test-toolchain-debian12b", "--", "cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello from stdin\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "hello from stdin\n"
    );

    let status = in_docker(&[
        &label,
        "test-toolchain-debian12b",
        "--",
        "sh",
        "-c",
        "exit 3",
    ])
    .status()
    .unwrap();
    assert_eq!(status.code(), Some(3));
    let missing = in_docker(&[&label, "test-toolchain-debian12b", "--", "no-such-command"])
        .status()
        .unwrap();
    assert_eq!(
        missing.code(),
        Some(127),
        "a command that is not there, as a shell says"
    );
    assert_eq!(
        containers_of("stdin"),
        "",
        "containers are removed after each run"
    );
}

#[test]
#[ignore = "needs podman and a Debian base image: sudo .ci/setup-podman"]
fn sigint_during_a_long_command_leaves_no_container() {
    common::require_podman();
    let image = "test-toolchain-debian12";
    let label = labelled("sigint");
    let mut child = in_docker(&[&label, image, "--", "sleep", "300"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !containers_of("sigint").contains(image) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the container never appeared"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(1));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "SIGINT gives 128 + 2");
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(
        containers_of("sigint"),
        "",
        "no container may be left behind"
    );
}

#[test]
#[ignore = "needs podman and a Debian base image: sudo .ci/setup-podman"]
fn the_generated_makefile_builds_in_two_images_with_stamps() {
    common::require_podman();
    let repo = built_repo();
    let output = Command::new("make")
        .current_dir(repo)
        .args([
            "-f",
            "generated/Makefile",
            "-j2",
            "DISTROS=debian12 debian12b",
        ])
        .arg(format!("TCGEN={}", common::TCGEN))
        .arg("IN_DOCKER_ARGS=--engine podman")
        .arg("BUILD_COMMAND=sh -c 'echo built for $$BUILD_TARGET_LABEL as $$TOOLCHAIN_BUILD_ID'")
        .env_remove("TOOLCHAIN_BUILD_ID")
        .env_remove("BUILD_TARGET_LABEL")
        .env_remove("MAKEFLAGS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // One build id, made once by functions.sh, reached both containers and is printed last.
    let id = stdout
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("TOOLCHAIN_BUILD_ID is run-"))
        .unwrap_or_else(|| panic!("no build id printed last:\n{stdout}"));
    assert!(
        stdout.contains(&format!("debian12: built for test-debian-12 as run-{id}\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "debian12b: built for test-debian-12-b as run-{id}\n"
        )),
        "{stdout}"
    );
    for distro in ["debian12", "debian12b"] {
        assert!(
            repo.join("build_docker/stamp").join(distro).is_file(),
            "no stamp for {distro}"
        );
    }
}

#[test]
#[ignore = "needs podman and a Debian base image: sudo .ci/setup-podman"]
fn pushes_the_digest_tag_fills_the_cache_and_then_skips_what_the_registry_has() {
    common::require_podman();
    registry::require_registry();
    let dir = built_repo();
    let namespace = format!(
        "localhost:5055/{}",
        dir.file_name().unwrap().to_string_lossy().to_lowercase()
    );
    let build = || {
        common::tcgen(dir)
            .args(common::PODMAN_BUILD)
            .args(["--skip-existing", "--registry", &namespace, "debian12"])
            .env("CACHE_REGISTRY", format!("{namespace}-cache"))
            .output()
            .unwrap()
    };
    let first = build();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}\n{}\n{}",
        String::from_utf8_lossy(&first.stderr),
        fs::read_to_string(dir.join("build_docker/logs/debian12.log")).unwrap_or_default()
    );
    let row = summary_row(&stdout, "debian12");
    assert_eq!(row[1], "built", "{}", common::text(&first));
    assert_eq!(row[3], format!("{namespace}/test-toolchain-debian12"));
    assert!(row[4].starts_with("sha256:"), "{stdout}");
    let tags = |repository: &str| {
        let output = Command::new("podman")
            .args(["search", "--list-tags", repository])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let list = common::tcgen(dir)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let digest_tag = list[0]["digest_tag"].as_str().unwrap();
    let short = digest_tag.rsplit(':').next().unwrap();
    let pushed = tags(&format!("{namespace}/test-toolchain-debian12"));
    assert!(
        pushed.contains("latest") && pushed.contains(short),
        "both tags pushed: {pushed}"
    );
    let cache = tags(&format!(
        "{namespace}-cache/test-toolchain-debian12-buildcache"
    ));
    assert!(cache.lines().count() > 1, "cache layers pushed: {cache}");

    let second = build();
    common::assert_succeeded(&second);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert_eq!(
        summary_row(&stdout, "debian12"),
        [
            "debian12".to_owned(),
            "skipped".to_owned(),
            "-".to_owned(),
            format!("{namespace}/{digest_tag} is in the registry"),
        ]
    );
}

#[test]
#[ignore = "needs podman and a Debian base image: sudo .ci/setup-podman"]
fn package_downloads_stay_in_the_cache_mount_not_in_the_image() {
    common::require_podman();
    built_repo();
    let sizes = |image: &str| {
        let output = Command::new("podman")
            .args(["run", "--rm", image, "du", "-s", "--bytes"])
            .args(["/var/cache/apt", "/var/lib/apt/lists"])
            .output()
            .unwrap();
        common::assert_succeeded(&output);
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(
        sizes("localhost/debian12-base"),
        sizes("localhost/test-toolchain-debian12"),
        "the install steps left downloads in the image"
    );
}

/// When each target's log was first seen and when it first held its last line, watched from
/// another thread while the fleet builds.
fn watch_logs(
    logs: Vec<PathBuf>,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<Vec<(Option<Instant>, Option<Instant>)>> {
    std::thread::spawn(move || {
        let mut windows = vec![(None, None); logs.len()];
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            for (log, window) in logs.iter().zip(windows.iter_mut()) {
                let text = fs::read_to_string(log).ok();
                if text.is_some() && window.0.is_none() {
                    window.0 = Some(Instant::now());
                }
                // podman build ends its log with the image id after the COMMIT step.
                if text.is_some_and(|t| t.contains("COMMIT")) && window.1.is_none() {
                    window.1 = Some(Instant::now());
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        windows
    })
}

#[test]
#[ignore = "needs podman, skopeo, a Debian base image and a local registry: sudo .ci/setup-podman"]
fn a_fleet_builds_at_once_and_its_name_tags_move_together_or_not_at_all() {
    common::require_podman();
    registry::require_registry();
    let (dir, namespace) = registry::scratch_namespace("tcgen-fleet-");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e2e-fleet.yaml");
    let spec = fs::read_to_string(fixture).unwrap();
    let targets = ["one", "two", "three", "four"];
    let build = |spec: &str| {
        fs::write(dir.path().join("distros.yaml"), spec).unwrap();
        let render = common::tcgen(dir.path()).arg("render").output().unwrap();
        assert!(render.status.success());
        let logs: Vec<PathBuf> = targets
            .iter()
            .map(|t| dir.path().join(format!("build_docker/logs/{t}.log")))
            .collect();
        for log in &logs {
            let _ = fs::remove_file(log);
        }
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = watch_logs(logs, done.clone());
        let output = common::tcgen(dir.path())
            .args(common::PODMAN_BUILD)
            .args(["--registry", &namespace])
            .output()
            .unwrap();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        (output, watcher.join().unwrap())
    };
    let name_tags = || -> Vec<Option<String>> {
        targets
            .iter()
            .map(|t| registry::registry_digest(&format!("{namespace}/fleet-{t}")))
            .collect()
    };

    // 1. Every target builds, at once: each one's log starts before another's ends.
    let (output, windows) = build(&spec);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let starts: Vec<Instant> = windows.iter().map(|w| w.0.unwrap()).collect();
    let ends: Vec<Instant> = windows.iter().map(|w| w.1.unwrap()).collect();
    assert!(
        starts.iter().max() < ends.iter().min(),
        "the four builds did not overlap: {windows:?}"
    );
    let first = name_tags();
    assert!(first.iter().all(Option::is_some), "every name tag is there");

    // 2. Two targets change, one of them fails: nothing moves, and the others still built.
    let failing = spec.replacen("[file]", "[file, less]", 1).replacen(
        "      - run: sleep 2\n  three:",
        "      - run: exit 3\n  three:",
        1,
    );
    let (output, _) = build(&failing);
    let said = common::text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        summary_row(&stdout, "two")[1],
        "FAILED (2 attempts)",
        "{said}"
    );
    assert_eq!(summary_row(&stdout, "one")[1], "built", "{said}");
    assert_eq!(name_tags(), first, "a failed run moved a name tag");

    // 3. The failure is fixed: every name tag moves to this build's digest tag.
    let fixed = spec.replacen("[file]", "[file, less]", 1);
    let (output, _) = build(&fixed);
    common::assert_succeeded(&output);
    let after = name_tags();
    assert_ne!(after[0], first[0], "one changed, and its name tag moved");
    let list = common::tcgen(dir.path())
        .args(["list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    for entry in list.as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        let digest_tag = entry["digest_tag"].as_str().unwrap();
        assert_eq!(
            registry::registry_digest(&format!("{namespace}/fleet-{name}")),
            registry::registry_digest(&format!("{namespace}/{digest_tag}")),
            "{name}: the name tag points at the digest tag"
        );
    }
}

#[test]
#[ignore = "needs podman, QEMU arm64 emulation and a two-platform base: sudo .ci/setup-podman && sudo .ci/setup-multiarch"]
fn podman_multi_builds_and_pushes_a_two_platform_manifest_list_that_runs_on_arm64() {
    common::require_podman();
    registry::require_registry();
    registry::require_multiarch();
    let (dir, namespace) = registry::scratch_namespace("tcgen-multi-");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e2e-multi.yaml");
    fs::copy(fixture, dir.path().join("distros.yaml")).unwrap();
    let tcgen = |args: &[&str]| common::tcgen(dir.path()).args(args).output().unwrap();
    assert!(tcgen(&["render"]).status.success());
    let output = tcgen(
        &[
            &common::PODMAN_BUILD[..],
            &["--multi", "--registry", &namespace, "--inventory"],
        ]
        .concat(),
    );
    assert!(
        output.status.success(),
        "{}\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        fs::read_to_string(dir.path().join("build_docker/logs/debian12.log")).unwrap_or_default()
    );
    let image = format!("{namespace}/multi-debian12");
    let platforms = registry::list_platforms(&image);
    let list_json = tcgen(&["list", "--json"]);
    let list_json: serde_json::Value = serde_json::from_slice(&list_json.stdout).unwrap();
    let digest_tag = format!(
        "{namespace}/{}",
        list_json[0]["digest_tag"].as_str().unwrap()
    );
    assert_eq!(
        registry::raw_digest(&image),
        registry::raw_digest(&digest_tag),
        "the name tag is a byte-for-byte copy of the digest tag's manifest list"
    );
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"]);
    assert_eq!(registry::machine_in(&image, "linux/arm64"), "aarch64");
    // --inventory read each platform of the list: arm64's packages are arm64's, run under QEMU.
    let inventory = |name: &str| -> serde_json::Value {
        let path = dir.path().join("build_docker/logs").join(name);
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap()
    };
    let first = inventory("debian12.inventory.json");
    assert_eq!(first, inventory("debian12.amd64.inventory.json"));
    assert_eq!(first["image"], digest_tag.as_str());
    for (file, arch) in [
        ("debian12.amd64.inventory.json", "amd64"),
        ("debian12.arm64.inventory.json", "arm64"),
    ] {
        let packages = inventory(file)["packages"].as_array().unwrap().clone();
        let libc = packages.iter().find(|p| p["name"] == "libc6").unwrap();
        assert_eq!(libc["arch"], arch, "{file}");
        assert!(
            packages
                .iter()
                .all(|p| p["arch"] == arch || p["arch"] == "all"),
            "{file} holds only {arch} and architecture-independent packages"
        );
    }
    // Each platform's package downloads went to a cache of its own: the arm64 cache holds
    // arm64 packages and no amd64 one, and the other way round (a cache left by an earlier run
    // of one architecture only would not pass).
    for (arch, other) in [("amd64", "arm64"), ("arm64", "amd64")] {
        let archives = Path::new("/var/tmp/buildah-cache")
            .join(format!("tcgen-debian12-var-cache-apt-{arch}"))
            .join("archives");
        let debs: Vec<String> = fs::read_dir(&archives)
            .unwrap_or_else(|e| panic!("no cache for {arch}: {}: {e}", archives.display()))
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".deb"))
            .collect();
        assert!(
            debs.iter().any(|d| d.ends_with(&format!("_{arch}.deb"))),
            "no {arch} package in the {arch} cache: {debs:?}"
        );
        assert!(
            !debs.iter().any(|d| d.ends_with(&format!("_{other}.deb"))),
            "{other} packages in the {arch} cache: {debs:?}"
        );
    }
}

/// Runs a command and fails the test, with its output, unless it succeeds.
fn ok(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
#[ignore = "needs podman, skopeo, a Debian base image and a local registry: sudo .ci/setup-podman"]
fn a_base_that_moves_in_its_registry_rebuilds_exactly_its_images() {
    common::require_podman();
    registry::require_registry();
    let (dir, namespace) = registry::scratch_namespace("tcgen-lock-");
    let repo = dir.path();
    let (base, other) = (
        format!("{namespace}/base:1"),
        format!("{namespace}/other:1"),
    );
    for reference in [&base, &other] {
        ok(Command::new("podman")
            .args(["push", "localhost/debian12-base"])
            .arg(format!("docker://{reference}")));
    }
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e2e-lock.yaml");
    let spec = fs::read_to_string(fixture)
        .unwrap()
        .replace("BASE", &base)
        .replace("OTHER", &other);
    fs::write(repo.join("distros.yaml"), spec).unwrap();
    let tcgen = |args: &[&str]| {
        let mut command = common::tcgen(repo);
        command.args(args);
        command
    };
    let git = |args: &[&str]| {
        ok(Command::new("git")
            .current_dir(repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args))
    };
    ok(&mut tcgen(&["lock", "--engine", "podman"]));
    ok(&mut tcgen(&["render"]));
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "locked"]);
    let build = || {
        tcgen(
            &[
                &common::PODMAN_BUILD[..],
                &["--registry", &namespace, "--skip-existing"],
            ]
            .concat(),
        )
        .output()
        .unwrap()
    };
    let first = build();
    common::assert_succeeded(&first);
    assert_eq!(
        tcgen(&["lock", "--engine", "podman", "--check"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );

    // The publisher ships a fix under the same tag.
    let context = repo.join("newer");
    fs::create_dir_all(&context).unwrap();
    fs::write(
        context.join("Containerfile"),
        "FROM localhost/debian12-base\nRUN echo fixed > /fixed\n",
    )
    .unwrap();
    ok(Command::new("podman")
        .args(["build", "-q", "-t", "localhost/tcgen-newer-base"])
        .arg(&context));
    ok(Command::new("podman")
        .args(["push", "localhost/tcgen-newer-base"])
        .arg(format!("docker://{base}")));

    let check = tcgen(&["lock", "--engine", "podman", "--check"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("{base}: moved sha256:")),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("{other}: unchanged")), "{stdout}");

    ok(&mut tcgen(&["lock", "--engine", "podman", "--update"]));
    ok(&mut tcgen(&["render"]));
    let plan: serde_json::Value = serde_json::from_str(&ok(&mut tcgen(&[
        "plan",
        "--changed-since",
        "HEAD",
        "--json",
    ])))
    .unwrap();
    assert_eq!(common::each(&plan["changed"], "name"), ["a", "b"], "{plan}");
    for entry in plan["changed"].as_array().unwrap() {
        assert_eq!(entry["reasons"][0]["kind"], "base_image", "{plan}");
    }
    let second = build();
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(summary_row(&stdout, "a")[1], "built", "{stdout}");
    assert_eq!(summary_row(&stdout, "b")[1], "built", "{stdout}");
    assert_eq!(summary_row(&stdout, "c")[1], "skipped", "{stdout}");
}

/// What `dpkg-query` itself says is installed in `image`: `name version arch` lines, sorted.
fn dpkg_installed(image: &str) -> Vec<String> {
    let output = Command::new("podman")
        .args([
            "run",
            "--rm",
            image,
            "dpkg-query",
            "-W",
            "-f",
            "${db:Status-Abbrev} ${Package} ${Version} ${Architecture}\n",
        ])
        .output()
        .unwrap();
    let mut lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.as_bytes().get(1) == Some(&b'i'))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .collect();
    lines.sort();
    lines
}

#[test]
#[ignore = "needs podman and a Debian base image: sudo .ci/setup-podman"]
fn inventories_match_dpkg_and_diff_names_exactly_what_one_more_package_brings() {
    common::require_podman();
    let dir = built_repo();
    let tcgen = |args: &[&str]| {
        let output = common::tcgen(dir)
            .args(["--color", "never"])
            .args(args)
            .output()
            .unwrap();
        common::assert_succeeded(&output);
        String::from_utf8(output.stdout).unwrap()
    };
    // debian12b is debian12 with `patch` and `jq` more; jq brings libjq1 and libonig5.
    let mut json = Vec::new();
    for distro in ["debian12", "debian12b"] {
        let text = tcgen(&["inventory", "--engine", "podman", distro, "--json"]);
        let inventory: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(inventory["format"], "deb");
        let listed: Vec<String> = inventory["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap(),
                    p["arch"].as_str().unwrap()
                )
            })
            .collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            dpkg_installed(&format!("test-toolchain-{distro}")),
            "{distro}"
        );
        json.push(text);
    }
    let expected: Vec<String> = {
        let (a, b) = (
            dpkg_installed("test-toolchain-debian12"),
            dpkg_installed("test-toolchain-debian12b"),
        );
        b.into_iter()
            .filter(|line| !a.contains(line))
            .map(|l| l.split(' ').next().unwrap().to_owned())
            .collect()
    };
    for package in ["jq", "libjq1", "libonig5", "patch"] {
        assert!(expected.contains(&package.to_owned()), "{expected:?}");
    }
    let diff = tcgen(&[
        "diff",
        "--engine",
        "podman",
        "debian12",
        "debian12b",
        "--json",
    ]);
    let diff: serde_json::Value = serde_json::from_str(&diff).unwrap();
    assert_eq!(
        common::each(&diff["added"], "name"),
        expected,
        "the package and its dependencies, nothing else"
    );
    assert!(
        diff["removed"].as_array().unwrap().is_empty()
            && diff["changed"].as_array().unwrap().is_empty()
    );
    // `build --inventory` wrote the same inventories next to the logs, as `inventory --json`
    // prints them (under the digest tag the build made); from such a saved inventory, without
    // the old image, the diff is the same.
    for (distro, printed) in ["debian12", "debian12b"].iter().zip(&json) {
        let written = dir.join(format!("build_docker/logs/{distro}.inventory.json"));
        let written: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&written).unwrap()).unwrap();
        let printed: serde_json::Value = serde_json::from_str(printed).unwrap();
        assert_eq!(written["packages"], printed["packages"], "{distro}");
        let label = written["image"].as_str().unwrap();
        assert!(
            label.starts_with(&format!("test-toolchain-{distro}:")),
            "{label}"
        );
    }
    let saved = dir.join("build_docker/logs/debian12.inventory.json");
    let from_file = tcgen(&[
        "diff",
        "--engine",
        "podman",
        saved.to_str().unwrap(),
        "debian12b",
        "--json",
    ]);
    let from_file: serde_json::Value = serde_json::from_str(&from_file).unwrap();
    assert_eq!(from_file, diff);
    // The SBOM of the real image: schema-valid, one package URL per package, the image's ID.
    let sbom = tcgen(&["inventory", "--engine", "podman", "debian12", "--sbom"]);
    let sbom: serde_json::Value = serde_json::from_str(&sbom).unwrap();
    assert_eq!(cyclonedx::violations(&cyclonedx::validator(), &sbom), "");
    let purls = common::each(&sbom["components"], "purl");
    assert_eq!(purls.len(), dpkg_installed("test-toolchain-debian12").len());
    assert!(
        purls.iter().all(|purl| purl.starts_with("pkg:deb/debian/")),
        "every package URL names Debian"
    );
    let id = Command::new("podman")
        .args([
            "image",
            "inspect",
            "--format",
            "{{.Id}}",
            "test-toolchain-debian12",
        ])
        .output()
        .unwrap();
    let id = format!("sha256:{}", String::from_utf8_lossy(&id.stdout).trim());
    assert_eq!(sbom["metadata"]["component"]["version"], id.as_str());
}
