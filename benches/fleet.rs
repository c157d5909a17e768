//! Fleet build wall time on a real podman, serial against parallel, from a cold cache:
//! `cargo bench --bench fleet` (needs `sudo .ci/setup-podman`; `-- --rounds N`, default 3).
//!
//! Builds the four images of tests/fixtures/e2e-fleet.yaml (their `sleep` steps removed, so
//! only real work is timed) with `tcgen build --engine podman --jobs 1` and with the default
//! (every target at once), alternating, and prints each run, the medians and their ratio.
//! Every run is cold: a step of its own before the package install makes every layer new, and
//! the fleet's package caches are removed first.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TARGETS: [&str; 4] = ["one", "two", "three", "four"];

fn main() {
    let rounds = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tcgen = root.join("target/release/tcgen");
    assert!(
        Command::new("cargo")
            .args(["build", "--release", "--quiet"])
            .current_dir(root)
            .status()
            .unwrap()
            .success()
    );
    let dir = tempfile::tempdir().unwrap();
    let spec = fs::read_to_string(root.join("tests/fixtures/e2e-fleet.yaml"))
        .unwrap()
        .replace("    after_install:\n      - run: sleep 2\n", "");

    let mut serial = Vec::new();
    let mut parallel = Vec::new();
    for round in 1..=rounds {
        for (name, jobs, times) in [
            ("serial (--jobs 1)", Some("1"), &mut serial),
            ("parallel (default)", None, &mut parallel),
        ] {
            make_cold();
            let nonce = format!("echo cold-{round}-{}", jobs.unwrap_or("all"));
            let cold = spec.replace(
                "    family: apt\n",
                &format!("    family: apt\n    before_install:\n      - run: {nonce}\n"),
            );
            fs::write(dir.path().join("distros.yaml"), cold).unwrap();
            assert!(run(&tcgen, dir.path(), &["render"]).1);
            let mut args = vec!["build", "--engine", "podman"];
            if let Some(jobs) = jobs {
                args.extend(["--jobs", jobs]);
            }
            let (elapsed, ok) = run(&tcgen, dir.path(), &args);
            assert!(ok, "{name} failed: see {}", dir.path().display());
            println!("round {round}: {name:20} {:6.1} s", elapsed.as_secs_f64());
            times.push(elapsed);
        }
    }
    let serial = median(serial);
    let parallel = median(parallel);
    println!(
        "\nfour images, cold cache, {rounds} rounds, medians: serial {:.1} s, parallel {:.1} s, parallel/serial {:.2}",
        serial.as_secs_f64(),
        parallel.as_secs_f64(),
        parallel.as_secs_f64() / serial.as_secs_f64()
    );
}

/// Runs tcgen in `dir` and returns its wall time and whether it succeeded.
fn run(tcgen: &Path, dir: &Path, args: &[&str]) -> (Duration, bool) {
    let started = Instant::now();
    let status = Command::new(tcgen)
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    (started.elapsed(), status.success())
}

/// Removes the fleet's images and their package caches.
fn make_cold() {
    for target in TARGETS {
        let _ = Command::new("podman")
            .args(["rmi", "--force", "--ignore"])
            .arg(format!("fleet-{target}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        for entry in fs::read_dir("/var/tmp/buildah-cache").into_iter().flatten() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(&format!("tcgen-{target}-")) {
                let _ = fs::remove_dir_all(&path);
            }
        }
    }
    let _ = Command::new("podman")
        .args(["image", "prune", "--force"])
        .stdout(Stdio::null())
        .status();
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}
