//! Crash safety and hostile input: a killed render leaves every file old or new; two renders at
//! once leave one of them whole; huge, deep, endless, binary or symlinked input is refused with
//! a clear error, in bounded time and memory, and nothing is written.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tcgen::pipeline::compile;

mod common;

/// The minimal fixture with `count` distros, all with `package` added: renders that differ in
/// every Dockerfile and in bake.hcl.
fn spec(count: usize, package: &str) -> String {
    let mut text = String::from(
        "image_prefix: test-toolchain-\nsource: https://example.com/toolchain\n\
         tools:\n  python:\n    script: setup-python.sh\n\
         defaults:\n  platforms: [linux/amd64]\n  tools: [python]\n  lsb_release: false\n\
         distros:\n",
    );
    for i in 0..count {
        text.push_str(&format!(
            "  d{i:04}:\n    base_image: debian:12\n    family: apt\n    label: l{i}\n    packages: [gcc, {package}]\n"
        ));
    }
    text
}

/// Writes `spec_text` to `dir/name` and returns what `tcgen --spec name render` writes for it,
/// computed in memory.
fn expected(dir: &Path, name: &str, spec_text: &str) -> BTreeMap<String, Vec<u8>> {
    let path = dir.join(name);
    fs::write(&path, spec_text).unwrap();
    let compiled = compile(&path, Path::new("generated")).unwrap();
    compiled.rendered.files
}

/// Every file under `dir`, relative, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                let relative = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string();
                found.insert(relative, fs::read(entry.path()).unwrap());
            }
        }
    }
    found
}

fn is_temporary(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap();
    name.starts_with('.') && name.contains(".tcgen-") && name.ends_with(".tmp")
}

fn render(dir: &Path, spec: &str) -> Command {
    let mut command = common::tcgen(dir);
    command
        .args(["--spec", spec, "render"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[test]
fn a_render_killed_at_any_moment_leaves_every_file_old_or_new() {
    let dir = tempfile::tempdir().unwrap();
    let versions = [
        expected(dir.path(), "a.yaml", &spec(200, "make")),
        expected(dir.path(), "b.yaml", &spec(200, "patch")),
    ];
    let out = dir.path().join("generated");
    assert!(render(dir.path(), "a.yaml").status().unwrap().success());

    // How long a whole render takes here, so that kills land all over it. However loaded the
    // machine, every round must find each file old or new, whether its kill came early, in the
    // middle or after the end: the property does not depend on when the kills land.
    let started = Instant::now();
    assert!(render(dir.path(), "b.yaml").status().unwrap().success());
    let span = started.elapsed().as_micros().max(1000) as u64;

    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..60 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let target = ["a.yaml", "b.yaml"][round % 2];
        let mut child = render(dir.path(), target).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(state % span));
        let _ = child.kill();
        child.wait().unwrap();
        for (path, bytes) in tree(&out) {
            if is_temporary(&path) {
                continue;
            }
            assert!(
                versions.iter().any(|v| v.get(&path) == Some(&bytes)),
                "round {round}: {path} is neither version"
            );
        }
    }
    assert!(render(dir.path(), "b.yaml").status().unwrap().success());
    let after = tree(&out);
    assert!(
        after.keys().all(|p| !is_temporary(p)),
        "the next render removes what a killed one left"
    );
    assert_eq!(after, versions[1]);
}

#[test]
fn two_renders_at_once_leave_one_of_them_whole() {
    let dir = tempfile::tempdir().unwrap();
    let versions = [
        expected(dir.path(), "a.yaml", &spec(100, "make")),
        expected(dir.path(), "b.yaml", &spec(100, "patch")),
    ];
    for round in 0..10 {
        let mut first = render(dir.path(), "a.yaml").spawn().unwrap();
        let mut second = render(dir.path(), "b.yaml").spawn().unwrap();
        assert!(first.wait().unwrap().success() && second.wait().unwrap().success());
        let after = tree(&dir.path().join("generated"));
        assert!(
            versions.contains(&after),
            "round {round}: the output is a mix of two renders"
        );
    }
}

/// CPU seconds and address space (bytes) a hostile spec may cost tcgen before the kernel stops
/// it: far beyond what a refusal takes, so only a hang or a blow-up reaches them, and then the
/// test fails by its exit, not by a measurement.
const CPU_SECONDS: libc::rlim_t = 30;
const ADDRESS_SPACE: libc::rlim_t = 4 << 30;

/// Runs tcgen to the end under [`CPU_SECONDS`] and [`ADDRESS_SPACE`], and returns its exit code
/// (-1 when a signal, such as the kernel's at a limit, ended it) and standard error.
fn bounded(dir: &Path, args: &[&str]) -> (i32, String) {
    use std::os::unix::process::CommandExt as _;
    let mut command = common::tcgen(dir);
    command.args(args).stdout(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe and touches only the child about to exec.
    unsafe {
        command.pre_exec(|| {
            for (resource, limit) in [
                (libc::RLIMIT_CPU, CPU_SECONDS),
                (libc::RLIMIT_AS, ADDRESS_SPACE),
            ] {
                let bound = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(resource, &bound) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Hostile specs: each is refused (exit 2) with a message naming the file and the fault, within
/// limits of CPU time and memory the kernel enforces (only a hang or a blow-up reaches them),
/// and nothing is written.
#[test]
fn hostile_specs_are_refused_quickly_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        fs::write(dir.path().join(name), bytes).unwrap();
        name.to_owned()
    };
    let nested_flow = format!("distros: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let nested_maps = format!("a: {}1{}\n", "{x: ".repeat(50_000), "}".repeat(50_000));
    let mut nested_blocks = String::from("image_prefix: a\nx:\n");
    for level in 1..2_000 {
        nested_blocks.push_str(&format!("{}k:\n", "  ".repeat(level)));
    }
    // A billion laughs: twelve levels of ten aliases each, defined inline where a list of
    // packages is expected. Typed reading refuses it at the first nested list, before anything
    // is expanded.
    let mut laughs = String::from("&a0 [x, x, x, x, x, x, x, x, x, x]");
    for level in 1..12 {
        let alias = format!("*a{}", level - 1);
        laughs = format!("&a{level} [{laughs}, {}]", [alias.as_str(); 9].join(", "));
    }
    let bomb = format!(
        "image_prefix: x-\nsource: https://example.com\ndefaults:\n  platforms: [linux/amd64]\n\
         distros:\n  d:\n    base_image: debian:12\n    family: apt\n    label: l\n    packages: {laughs}\n"
    );
    let huge = dir.path().join("huge.yaml");
    fs::File::create(&huge)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            write("nested-flow.yaml", nested_flow.as_bytes()),
            "nest deeper than 64 levels",
        ),
        (
            write("nested-maps.yaml", nested_maps.as_bytes()),
            "nest deeper than 64 levels",
        ),
        (
            write("nested-blocks.yaml", nested_blocks.as_bytes()),
            "unknown field `x`",
        ),
        (
            write("alias-bomb.yaml", bomb.as_bytes()),
            "invalid type: sequence, expected a string",
        ),
        (
            write("binary.yaml", b"distros:\n  \xff\xfe: {}\n"),
            "not valid UTF-8",
        ),
        ("huge.yaml".to_owned(), "larger than 32 MiB"),
        ("/dev/zero".to_owned(), "larger than 32 MiB"),
    ];
    for (spec, expected) in cases {
        let (code, stderr) = bounded(dir.path(), &["--spec", &spec, "render"]);
        assert_eq!(code, 2, "{spec}: {stderr}");
        assert!(stderr.contains(expected), "{spec}: {stderr}");
        assert!(
            stderr.contains(spec.as_str()),
            "{spec}: the message names the file: {stderr}"
        );
        assert!(
            !dir.path().join("generated").exists(),
            "{spec}: something was written"
        );
    }
}

/// A symbolic link anywhere in the output pointing outside it is refused, and what it points at
/// is untouched.
#[test]
fn symlinked_output_paths_are_refused() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal.yaml");
    for link in ["generated", "generated/context", "generated/bake.hcl"] {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::copy(&fixture, dir.path().join("distros.yaml")).unwrap();
        fs::create_dir_all(dir.path().join("generated")).unwrap();
        let target: PathBuf = if link.ends_with(".hcl") {
            let file = outside.path().join("precious.txt");
            fs::write(&file, "keep me\n").unwrap();
            file
        } else {
            outside.path().to_path_buf()
        };
        if link == "generated" {
            fs::remove_dir(dir.path().join("generated")).unwrap();
        }
        std::os::unix::fs::symlink(&target, dir.path().join(link)).unwrap();
        let (code, stderr) = bounded(dir.path(), &["render"]);
        assert_eq!(code, 2, "{link}: {stderr}");
        assert!(stderr.contains("is a symbolic link"), "{link}: {stderr}");
        if target.is_file() {
            assert_eq!(fs::read_to_string(&target).unwrap(), "keep me\n");
        } else {
            assert_eq!(
                fs::read_dir(&target).unwrap().count(),
                0,
                "{link}: wrote outside"
            );
        }
    }
}
