//! Prints the figures of BENCHMARKS.md: `cargo bench --bench figures` (add `-- --quick` for a
//! short run that only shows that every measurement works).
//!
//! 1. `tcgen render --check` of the shipped spec as a whole process: median of many runs.
//! 2. render and `render --check` of generated specs with 100, 1,000 and 10,000 distros: median
//!    time and peak memory (the child's maximum resident set size), and how they grow.
//! 3. The in-docker source copy of a git tree with 10,000 committed files, side by side in one
//!    run: upstream's `git ls-tree | xargs cp --parents`, `git archive | tar -x`, and tcgen's.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_yaml::{Mapping, Value};

/// Run counts and sizes, full or quick.
struct Settings {
    shipped_runs: usize,
    scales: &'static [usize],
    scale_runs: usize,
    source_files: usize,
    copy_runs: usize,
    disk_runs: usize,
}

const FULL: Settings = Settings {
    shipped_runs: 200,
    scales: &[100, 1_000, 10_000],
    scale_runs: 5,
    source_files: 10_000,
    copy_runs: 5,
    disk_runs: 3,
};

const QUICK: Settings = Settings {
    shipped_runs: 20,
    scales: &[100, 1_000],
    scale_runs: 2,
    source_files: 1_000,
    copy_runs: 2,
    disk_runs: 1,
};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let settings = if quick { &QUICK } else { &FULL };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!(
        "tcgen figures ({} run)\n",
        if quick { "quick" } else { "full" }
    );
    shipped_check(root, settings);
    scaled_specs(root, settings);
    scaled_render_on_disk(root, settings);
    for place in places() {
        source_copy(settings, &place);
    }
}

/// Where the scratch files of a measurement live.
struct Place {
    /// "tmpfs" or "disk".
    name: &'static str,
    /// A directory there.
    dir: std::path::PathBuf,
}

/// Memory (tmpfs, when /dev/shm is one), where a figure is the program's own, and the disk,
/// where creating files is part of it: on some machines the larger part by far.
fn places() -> Vec<Place> {
    let mut places = Vec::new();
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        places.push(Place {
            name: "tmpfs",
            dir: shm.to_path_buf(),
        });
    }
    places.push(Place {
        name: "disk",
        dir: std::env::temp_dir(),
    });
    places
}

fn scratch(place: &Place) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("tcgen-bench-")
        .tempdir_in(&place.dir)
        .unwrap()
}

/// Writes `files` (path, bytes) under a fresh `dir`: the least any program that produces them
/// must do.
fn create_files(dir: &Path, files: &[(std::path::PathBuf, Vec<u8>)]) {
    for (path, bytes) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

/// Every file under `dir`, relative, with its bytes.
fn read_tree(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                let relative = entry.path().strip_prefix(dir).unwrap().to_path_buf();
                found.push((relative, fs::read(entry.path()).unwrap()));
            }
        }
    }
    found
}

/// One finished process: wall time and peak resident memory.
struct Sample {
    time: Duration,
    peak_kib: u64,
}

/// Runs `command` to completion, checking its exit code, and measures it.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also reports its peak memory"
)]
fn measure(command: &mut Command, expect: i32) -> Sample {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the command starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes into it and into status,
    // both owned here; pid is our own child, which std has not reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let time = start.elapsed();
    assert_eq!(reaped, pid, "wait4 failed");
    assert!(libc::WIFEXITED(status), "{command:?} was killed");
    assert_eq!(libc::WEXITSTATUS(status), expect, "{command:?}");
    Sample {
        time,
        peak_kib: usage.ru_maxrss as u64,
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn tcgen(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcgen"));
    command.current_dir(dir).args(args);
    command
}

fn shipped_check(root: &Path, settings: &Settings) {
    let samples: Vec<Sample> = (0..settings.shipped_runs)
        .map(|_| measure(&mut tcgen(root, &["render", "--check"]), 0))
        .collect();
    let times: Vec<Duration> = samples.iter().map(|s| s.time).collect();
    let mut sorted = times.clone();
    sorted.sort();
    println!("## render --check of the shipped spec (whole process)\n");
    println!("| runs | median | p90 | min | peak memory |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.1} MB |\n",
        times.len(),
        ms(median(times)),
        ms(sorted[sorted.len() * 9 / 10]),
        ms(sorted[0]),
        samples.iter().map(|s| s.peak_kib).max().unwrap() as f64 / 1024.0
    );
}

/// The shipped spec with its distros repeated, renamed, until there are `count`.
fn scaled_spec(root: &Path, count: usize) -> String {
    let text = fs::read_to_string(root.join("distros.yaml")).unwrap();
    let mut spec: Mapping = serde_yaml::from_str(&text).unwrap();
    let distros = spec["distros"].as_mapping().unwrap().clone();
    let originals: Vec<(&Value, &Value)> = distros.iter().collect();
    let mut scaled = Mapping::new();
    for i in 0..count {
        let (name, distro) = originals[i % originals.len()];
        let name = format!("{}-{i:05}", name.as_str().unwrap());
        scaled.insert(Value::String(name), distro.clone());
    }
    spec.insert(Value::from("distros"), Value::Mapping(scaled));
    serde_yaml::to_string(&spec).unwrap()
}

fn scaled_specs(root: &Path, settings: &Settings) {
    let place = places().remove(0);
    println!(
        "## generated specs: render (into an empty directory) and render --check, on {}\n",
        place.name
    );
    println!(
        "| distros | spec size | render median | check median | peak memory | time ×, vs 10× fewer |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut previous: Option<Duration> = None;
    for &count in settings.scales {
        let dir = scratch(&place);
        let spec = scaled_spec(root, count);
        fs::write(dir.path().join("distros.yaml"), &spec).unwrap();
        let mut render = Vec::new();
        let mut check = Vec::new();
        let mut peak = 0;
        for _ in 0..settings.scale_runs {
            let _ = fs::remove_dir_all(dir.path().join("generated"));
            let written = measure(&mut tcgen(dir.path(), &["render"]), 0);
            let checked = measure(&mut tcgen(dir.path(), &["render", "--check"]), 0);
            peak = peak.max(written.peak_kib).max(checked.peak_kib);
            render.push(written.time);
            check.push(checked.time);
        }
        let render = median(render);
        let growth = previous
            .map(|p| format!("{:.1}×", render.as_secs_f64() / p.as_secs_f64()))
            .unwrap_or_else(|| "-".to_owned());
        println!(
            "| {count} | {:.1} MB | {:.0} ms | {:.0} ms | {:.0} MB | {growth} |",
            spec.len() as f64 / 1e6,
            ms(render),
            ms(median(check)),
            peak as f64 / 1024.0
        );
        previous = Some(render);
    }
    println!();
}

/// The largest generated spec rendered on the disk, side by side with the floor: writing the
/// same files with nothing else to do.
fn scaled_render_on_disk(root: &Path, settings: &Settings) {
    let count = *settings.scales.last().unwrap();
    let place = places().pop().unwrap();
    let dir = scratch(&place);
    fs::write(dir.path().join("distros.yaml"), scaled_spec(root, count)).unwrap();
    measure(&mut tcgen(dir.path(), &["render"]), 0);
    let files = read_tree(&dir.path().join("generated"));
    let mut render = Vec::new();
    let mut floor = Vec::new();
    for run in 0..settings.disk_runs {
        let _ = fs::remove_dir_all(dir.path().join("generated"));
        render.push(measure(&mut tcgen(dir.path(), &["render"]), 0).time);
        let bare = dir.path().join(format!("bare{run}"));
        let start = Instant::now();
        create_files(&bare, &files);
        floor.push(start.elapsed());
        fs::remove_dir_all(bare).unwrap();
    }
    println!(
        "## {count} distros rendered on the {}, {} runs each, interleaved\n",
        place.name, settings.disk_runs
    );
    println!("| what | median |");
    println!("| --- | ---: |");
    println!(
        "| tcgen render into an empty directory | {:.0} ms |",
        ms(median(render))
    );
    println!(
        "| floor: write the same {} files, nothing else | {:.0} ms |\n",
        files.len(),
        ms(median(floor))
    );
}

/// A git repository with `files` committed files under `source/`, 100 to a folder.
fn source_tree(files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..files {
        let folder = dir.path().join(format!("source/program{:03}/src", i / 100));
        fs::create_dir_all(&folder).unwrap();
        fs::write(
            folder.join(format!("file{i:05}.c")),
            format!("int f{i}(void) {{ return {i}; }}\n"),
        )
        .unwrap();
    }
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .current_dir(dir.path())
            .args(["-c", "user.name=b", "-c", "user.email=b@example.com"])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    };
    git(&["init", "-q"]);
    git(&["add", "source"]);
    git(&["commit", "-q", "-m", "sources"]);
    dir
}

fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            if e.file_type().unwrap().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// Runs a shell command line in `dir` and checks that it succeeds.
fn shell(dir: &Path, script: &str) {
    let status = Command::new("sh")
        .current_dir(dir)
        .args(["-c", script])
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
}

/// A way to copy `source/` of the test repository into a destination, and its name.
type CopyMethod<'a> = (&'a str, &'a dyn Fn(&Path));

fn source_copy(settings: &Settings, place: &Place) {
    let repo = source_tree(settings.source_files);
    let scratch = scratch(place);
    let files = read_tree(&repo.path().join("source"));
    let runs = if place.name == "disk" {
        settings.disk_runs
    } else {
        settings.copy_runs
    };
    let methods: [CopyMethod; 4] = [
        (
            "upstream: git ls-tree | xargs -I{} cp --parents",
            &|dest: &Path| {
                shell(
                    repo.path(),
                    &format!(
                        "git ls-tree --full-tree -r --name-only HEAD source/ | xargs -I{{}} cp --parents {{}} '{}'",
                        dest.display()
                    ),
                )
            },
        ),
        ("git archive HEAD source/ | tar -x", &|dest: &Path| {
            shell(
                repo.path(),
                &format!("git archive HEAD source/ | tar -x -C '{}'", dest.display()),
            )
        }),
        ("tcgen (in-docker's copy_sources)", &|dest: &Path| {
            tcgen::copy_sources(repo.path(), dest).unwrap();
        }),
        (
            "floor: write the same files, nothing else",
            &|dest: &Path| {
                create_files(&dest.join("source"), &files);
            },
        ),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); methods.len()];
    for run in 0..runs {
        for (index, (_, copy)) in methods.iter().enumerate() {
            let dest = scratch.path().join(format!("run{run}-method{index}"));
            fs::create_dir_all(&dest).unwrap();
            let start = Instant::now();
            copy(&dest);
            times[index].push(start.elapsed());
            assert_eq!(
                count_files(&dest),
                settings.source_files,
                "every file copied"
            );
            fs::remove_dir_all(&dest).unwrap();
        }
    }
    let medians: Vec<Duration> = times.into_iter().map(median).collect();
    let tcgen = medians[2].as_secs_f64();
    println!(
        "## in-docker source copy on {}: {} committed files, {runs} runs each, interleaved\n",
        place.name, settings.source_files
    );
    println!("| method | median | relative to tcgen |");
    println!("| --- | ---: | ---: |");
    for ((name, _), time) in methods.iter().zip(&medians) {
        println!(
            "| {name} | {:.1} ms | {:.2}× |",
            ms(*time),
            time.as_secs_f64() / tcgen
        );
    }
    println!(
        "\ntcgen is {:.0}× faster than upstream's method and takes {:.2}× the time of git archive | tar.\n",
        medians[0].as_secs_f64() / tcgen,
        tcgen / medians[1].as_secs_f64()
    );
}
