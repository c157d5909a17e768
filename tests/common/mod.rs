//! Helpers shared by the test binaries: the one tcgen launcher, git, fixtures and scratch
//! folders, and `tcgen build` output.
#![allow(dead_code)] // each test binary uses only some of them

/// The string `field` of each object in the JSON array `list`, in order: the names of a
/// plan's changed images, of a diff's added packages, the package URLs of an SBOM.
pub fn each<'a>(list: &'a serde_json::Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|item| {
            item[field]
                .as_str()
                .unwrap_or_else(|| panic!("no string {field} in {item}"))
        })
        .collect()
}

/// The tcgen binary under test.
pub const TCGEN: &str = env!("CARGO_BIN_EXE_tcgen");

/// `tcgen build` as the end-to-end tests run it: with podman, and a second attempt so that a
/// mirror's hiccup on a cold machine costs an attempt, not the run.
pub const PODMAN_BUILD: [&str; 5] = ["build", "--engine", "podman", "--retry", "1"];

/// Variables of the caller's environment that change what tcgen does: unset for every run, so
/// that a developer's shell cannot change a test's outcome. A test sets what it needs.
const CLEARED: &[&str] = &[
    "SLES_MIRROR",
    "CACHE_REGISTRY",
    "TCGEN_DOCKER",
    "TCGEN_PODMAN",
    "TCGEN_SKOPEO",
    "BUILD_TARGET_LABEL",
    "BUILD_DIR",
    "SUSE_MIRROR",
    "USE_CCACHE",
    "CCACHE_DIR",
    "AWS_SECRET_ACCESS_KEY",
    "NO_COLOR",
];

/// `tcgen` run in `dir`, with [`CLEARED`] unset. `.assert()` comes with
/// `assert_cmd::prelude::*`.
pub fn tcgen(dir: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(TCGEN);
    command.current_dir(dir);
    for name in CLEARED {
        command.env_remove(name);
    }
    command
}

/// Runs `tcgen ARGS` in `dir` (see [`tcgen`]) and returns what it did.
pub fn run(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    tcgen(dir).args(args).output().unwrap()
}

/// Runs `tcgen ARGS` in `dir` and returns its exit code, standard output and standard error.
pub fn outcome(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let output = run(dir, args);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The summary-table row of `target` in `tcgen build`'s output, with its cells split on runs
/// of spaces: target, result, time, detail. Panics, showing the output, when there is none.
pub fn summary_row(stdout: &str, target: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|line| line.split_whitespace().next() == Some(target))
        .unwrap_or_else(|| panic!("no summary row for {target} in:\n{stdout}"));
    line.split("  ")
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A fixture under tests/fixtures, by file name.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A scratch folder holding a copy of the fixture `name` as its distros.yaml, as a repository
/// of the toolchain would.
pub fn scratch_with(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture(name), dir.path().join("distros.yaml")).unwrap();
    dir
}

/// The files the fixture `name` renders to (as distros.yaml, into `generated`), in memory.
pub fn render_fixture(name: &str) -> tcgen::output::FileSet {
    let dir = scratch_with(name);
    tcgen::pipeline::compile(
        &dir.path().join("distros.yaml"),
        std::path::Path::new("generated"),
    )
    .unwrap_or_else(|e| panic!("{name} renders: {e}"))
    .rendered
    .files
}

/// Writes an executable script (a stand-in for a program) at `path`.
pub fn write_executable(path: &std::path::Path, body: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, body).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs git in `dir` with a test identity, and fails the test when it fails.
pub fn git(dir: &std::path::Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .status()
        .expect("git must be installed for these tests");
    assert!(status.success(), "git {args:?}");
}

/// A command's standard output and standard error, as one text for messages and searches.
pub fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Fails the test, showing standard output and standard error (where tcgen build prints the
/// end of a failed target's log), unless the command succeeded.
pub fn assert_succeeded(output: &std::process::Output) {
    assert!(output.status.success(), "{}", text(output));
}

/// Fails the test, saying how to get them, without podman and the base image of the
/// end-to-end tests.
pub fn require_podman() {
    let ready = std::process::Command::new("podman")
        .args(["image", "exists", "localhost/debian12-base"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ready,
        "end-to-end tests need podman and localhost/debian12-base: run `sudo .ci/setup-podman`"
    );
}
