//! tcgen where people meet it: the JSON Schema editors read, shell completions, the man page,
//! the pre-commit hook, the example CI workflow, colour, and `tcgen show`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::prelude::*;
use serde_json::Value;

mod common;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The standard output of `tcgen ARGS`, a command that needs no spec, run in an empty folder.
fn stdout_of(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = common::run(dir.path(), args);
    assert!(
        output.status.success(),
        "tcgen {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn yaml_as_json(path: &Path) -> Value {
    serde_yaml::from_str(&fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// The schema `tcgen schema` prints (what `render` writes to `generated/`).
fn schema() -> jsonschema::Validator {
    jsonschema::validator_for(&serde_json::from_str(&stdout_of(&["schema"])).unwrap()).unwrap()
}

/// Fails the test, saying how to get it, when `program` is not on PATH. The tests that call it
/// are marked ignored with the same reason, so `cargo test` counts them; CI runs them all.
fn require(program: &str, install: &str) {
    let found = Process::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(found, "this test needs {program}: {install}");
}

#[test]
fn every_fixture_validates_against_the_schema() {
    let schema = schema();
    let specs: Vec<PathBuf> = fs::read_dir(root().join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert!(specs.len() >= 4);
    for spec in specs {
        let errors: Vec<String> = schema
            .iter_errors(&yaml_as_json(&spec))
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", spec.display());
    }
}

#[test]
fn specs_of_the_wrong_shape_do_not_validate() {
    let schema = schema();
    for bad in [
        "unknown-key.yaml",
        "wrong-type.yaml",
        "missing-field.yaml",
        "unknown-family.yaml",
        "step-with-two-keys.yaml",
    ] {
        let instance = yaml_as_json(&root().join("tests/bad").join(bad));
        assert!(!schema.is_valid(&instance), "{bad} validates");
    }
    let mut spec = yaml_as_json(&root().join("tests/fixtures/minimal.yaml"));
    spec["distros"]["debian12"]["packagse"] = serde_json::json!(["gcc"]);
    assert!(!schema.is_valid(&spec), "a misspelt key validates");
}

#[test]
fn bash_completion_loads_and_completes_subcommands() {
    let script = stdout_of(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tcgen.bash");
    fs::write(&file, script).unwrap();
    let output = Process::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p tcgen && COMP_WORDS=(tcgen re) COMP_CWORD=1 && _tcgen tcgen re tcgen && echo \"${{COMPREPLY[@]}}\"",
            file.display()
        ))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    common::assert_succeeded(&output);
    assert!(stdout.contains("render"), "{stdout}");
}

/// Checks that `shell` accepts tcgen's completion script for it, with `check` (a no-execute flag).
fn completion_is_a_valid_script(shell: &str, check: &str) {
    require(shell, &format!("apt-get install {shell}"));
    let script = stdout_of(&["completions", shell]);
    assert!(script.contains("render") && script.contains("in-docker"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("tcgen.{shell}"));
    fs::write(&file, script).unwrap();
    let output = Process::new(shell).arg(check).arg(&file).output().unwrap();
    assert!(
        output.status.success(),
        "{shell}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
#[ignore = "needs zsh: apt-get install zsh"]
fn zsh_completion_is_a_valid_script() {
    completion_is_a_valid_script("zsh", "-n");
}

#[test]
#[ignore = "needs fish: apt-get install fish"]
fn fish_completion_is_a_valid_script() {
    completion_is_a_valid_script("fish", "--no-execute");
}

#[test]
fn the_man_page_names_every_command() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH tcgen"), "{page}");
    let text = page.replace("\\-", "-");
    for command in [
        "render",
        "list",
        "show",
        "plan",
        "build",
        "in-docker",
        "schema",
        "completions",
    ] {
        assert!(text.contains(command), "the man page lacks {command}");
    }
}

#[test]
#[ignore = "needs groff: apt-get install groff-base"]
fn the_man_page_renders_without_groff_warnings() {
    require("groff", "apt-get install groff-base");
    let page = stdout_of(&["man"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tcgen.1");
    fs::write(&file, &page).unwrap();
    let output = Process::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "groff warns");
}

#[test]
fn the_pre_commit_hooks_run_render_check_on_the_spec_and_generated_files() {
    let hooks = yaml_as_json(&root().join(".pre-commit-hooks.yaml"));
    let hooks = hooks.as_array().expect("a list of hooks");
    assert!(!hooks.is_empty());
    for hook in hooks {
        for key in ["id", "name", "entry", "language", "files"] {
            assert!(hook[key].is_string(), "{hook} lacks {key}");
        }
        assert_eq!(hook["entry"], "tcgen render --check");
        assert_eq!(hook["pass_filenames"], false);
        let files = hook["files"].as_str().unwrap();
        assert_eq!(files, "^(distros\\.(yaml|lock)|generated/.*)$");
    }
    let languages: Vec<&str> = hooks
        .iter()
        .map(|h| h["language"].as_str().unwrap())
        .collect();
    assert_eq!(languages, ["rust", "system"]);
}

/// The steps of `job` in `workflow`.
fn steps<'a>(workflow: &'a Value, job: &str) -> &'a Vec<Value> {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no job {job}"))
}

/// The position of the first step of `job` whose `run` contains `command`.
fn step_running(workflow: &Value, job: &str, command: &str) -> Option<usize> {
    steps(workflow, job)
        .iter()
        .position(|s| s["run"].as_str().is_some_and(|r| r.contains(command)))
}

/// The position of the first step of `job` that uses the action `action`.
fn step_using(workflow: &Value, job: &str, action: &str) -> Option<usize> {
    steps(workflow, job).iter().position(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{action}@")))
    })
}

#[test]
fn the_example_workflow_plans_builds_per_platform_and_publishes_once() {
    let workflow = yaml_as_json(&root().join("examples/github-actions/images.yml"));
    let jobs = &workflow["jobs"];
    // The job graph: plan, then a matrix of builds (one job for pull requests, one for main),
    // then one publish after the builds, on main only.
    assert_eq!(jobs["build"]["needs"], "plan");
    assert_eq!(jobs["build-pr"]["needs"], "plan");
    assert_eq!(
        jobs["publish"]["needs"],
        serde_json::json!(["plan", "build"])
    );
    for (job, event) in [
        ("build", "push"),
        ("publish", "push"),
        ("build-pr", "pull_request"),
    ] {
        let condition = jobs[job]["if"].as_str().unwrap();
        assert!(
            condition.contains(&format!("github.event_name == '{event}'")),
            "{job}: {condition}"
        );
    }
    for job in ["build", "build-pr"] {
        assert_eq!(
            jobs[job]["strategy"]["matrix"],
            "${{ fromJSON(needs.plan.outputs.matrix) }}"
        );
        assert_eq!(jobs[job]["strategy"]["fail-fast"], false);
        let runner = jobs[job]["runs-on"].as_str().unwrap();
        assert!(runner.contains("matrix.arch == 'arm64'"), "{runner}");
    }
    // Least privilege: nothing by default, and only main's build and publish may write packages.
    assert_eq!(workflow["permissions"], serde_json::json!({}));
    for (job, writes) in [
        ("plan", false),
        ("build-pr", false),
        ("build", true),
        ("publish", true),
    ] {
        assert_eq!(
            jobs[job]["permissions"]["packages"] == "write",
            writes,
            "{job}: {}",
            jobs[job]["permissions"]
        );
    }
    // Runs on main publish one after another; only pull request runs are cancelled.
    assert_eq!(workflow["concurrency"]["group"], "images-${{ github.ref }}");
    assert_eq!(
        workflow["concurrency"]["cancel-in-progress"],
        "${{ github.event_name == 'pull_request' }}"
    );
    // What each job runs, and the login before any registry use.
    let plan = step_running(&workflow, "plan", "tcgen plan --matrix --registry").unwrap();
    assert!(step_running(&workflow, "plan", "tcgen render --check").unwrap() < plan);
    let build = step_running(&workflow, "build", "--no-publish --retry 2").unwrap();
    let publish = step_running(&workflow, "publish", "tcgen publish --registry").unwrap();
    let pr_build =
        step_running(&workflow, "build-pr", "--platform \"$PLATFORM\" --retry 2").unwrap();
    for (job, use_at) in [
        ("plan", plan),
        ("build", build),
        ("publish", publish),
        ("build-pr", pr_build),
    ] {
        let login = step_using(&workflow, job, "docker/login-action").unwrap();
        assert!(login < use_at, "{job}: log in before the registry is used");
    }
    let pr_step = &steps(&workflow, "build-pr")[pr_build];
    assert!(
        pr_step["env"]["CACHE_REGISTRY"].is_null(),
        "a pull request writes no cache"
    );
    assert!(
        !pr_step["run"].as_str().unwrap().contains("--registry"),
        "a pull request pushes nothing"
    );
    assert!(step_running(&workflow, "build", "--platform \"$PLATFORM\"").is_some());
    assert_eq!(
        steps(&workflow, "publish")[0]["with"]["fetch-depth"],
        0,
        "publish checks ancestry"
    );
    // Only publish writes the repository: the inventories branch, after the name tags moved.
    for job in ["plan", "build-pr", "build"] {
        assert_ne!(jobs[job]["permissions"]["contents"], "write", "{job}");
    }
    assert_eq!(jobs["publish"]["permissions"]["contents"], "write");
    let keep = step_running(
        &workflow,
        "publish",
        "git push --quiet origin HEAD:inventories",
    );
    assert!(keep.is_some_and(|keep| keep > publish));
    for job in ["build", "build-pr"] {
        assert!(
            step_running(&workflow, job, "--inventory").is_some(),
            "{job} writes inventories"
        );
    }
}

#[test]
fn the_comment_workflow_runs_after_images_with_the_least_it_needs_and_no_pull_request_code() {
    let workflow = yaml_as_json(&root().join("examples/github-actions/pr-comment.yml"));
    assert_eq!(
        workflow["on"]["workflow_run"]["workflows"],
        serde_json::json!(["images"])
    );
    assert_eq!(workflow["permissions"], serde_json::json!({}));
    let job = &workflow["jobs"]["comment"];
    assert_eq!(
        job["if"],
        "github.event.workflow_run.event == 'pull_request'"
    );
    assert_eq!(
        job["permissions"],
        serde_json::json!({"actions": "read", "pull-requests": "write"})
    );
    assert!(
        step_using(&workflow, "comment", "actions/checkout").is_none(),
        "no checkout: nothing of the pull request runs with the base repository's token"
    );
    let images = yaml_as_json(&root().join("examples/github-actions/images.yml"));
    assert_eq!(
        workflow["on"]["workflow_run"]["workflows"][0],
        images["name"]
    );
}

#[test]
fn the_example_workflows_pin_actions_by_commit_and_tcgen_by_revision() {
    for file in ["images.yml", "refresh-bases.yml", "pr-comment.yml"] {
        let workflow = yaml_as_json(&root().join("examples/github-actions").join(file));
        let mut strings = Vec::new();
        collect_strings(&workflow, &mut strings);
        for text in &strings {
            assert_eq!(
                text.matches("${{").count(),
                text.matches("}}").count(),
                "{file}: {text}"
            );
        }
        for job in workflow["jobs"].as_object().unwrap().values() {
            for step in job["steps"].as_array().unwrap() {
                if let Some(action) = step["uses"].as_str() {
                    let commit = action.split_once('@').map(|(_, at)| at).unwrap_or_default();
                    assert!(
                        commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
                        "{file}: {action} is not pinned to a commit"
                    );
                }
            }
        }
        if file == "pr-comment.yml" {
            continue; // it runs no tcgen
        }
        let rev = workflow["env"]["TCGEN_REV"].as_str().unwrap();
        assert!(
            rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()),
            "{file}: {rev}"
        );
        assert!(
            strings
                .iter()
                .any(|s| s
                    .contains("cargo install --locked --git \"$TCGEN_REPO\" --rev \"$TCGEN_REV\"")),
            "{file}: tcgen installed at the pinned revision"
        );
    }
}

#[test]
fn the_matrix_a_workflow_reads_has_every_field_its_jobs_use() {
    let dir = common::scratch_with("fleet.yaml");
    common::assert_succeeded(&common::run(dir.path(), &["render"]));
    let output = common::run(dir.path(), &["plan", "--matrix"]);
    common::assert_succeeded(&output);
    let matrix: Value = serde_json::from_slice(&output.stdout).unwrap();
    let entries = matrix["include"].as_array().unwrap();
    assert!(!entries.is_empty());
    let workflow = fs::read_to_string(root().join("examples/github-actions/images.yml")).unwrap();
    for field in ["distro", "platform", "arch", "digest_tag"] {
        assert!(
            workflow.contains(&format!("matrix.{field}")),
            "the workflow never reads {field}"
        );
        assert!(
            entries.iter().all(|e| e[field].is_string()),
            "{field}: {matrix}"
        );
    }
}

/// Every string in a JSON value, keys excepted.
fn collect_strings<'a>(value: &'a Value, into: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => into.push(text),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, into)),
        _ => {}
    }
}

/// A scratch copy of the minimal fixture, rendered and then made stale.
fn stale_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        root().join("tests/fixtures/minimal.yaml"),
        dir.path().join("distros.yaml"),
    )
    .unwrap();
    common::tcgen(dir.path()).arg("render").assert().success();
    let dockerfile: PathBuf = dir.path().join("generated/debian12.Dockerfile");
    fs::write(&dockerfile, "FROM scratch\n").unwrap();
    dir
}

#[test]
fn colour_follows_color_and_no_color() {
    let dir = stale_repo();
    let check = |args: &[&str], no_color: Option<&str>| {
        let mut command = common::tcgen(dir.path());
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let output = command
            .args(args)
            .args(["render", "--check"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stdout).unwrap()
    };
    let always = check(&["--color", "always"], None);
    assert!(
        always.contains("\x1b[32m+FROM debian:12\x1b[0m"),
        "{always}"
    );
    assert!(!check(&["--color", "never"], None).contains('\x1b'));
    assert!(
        !check(&[], None).contains('\x1b'),
        "auto, and stdout is a pipe"
    );
    assert!(!check(&["--color", "auto"], Some("1")).contains('\x1b'));
    assert!(
        check(&["--color", "always"], Some("1")).contains('\x1b'),
        "always wins"
    );
}

#[test]
fn show_prints_a_distro_with_defaults_merged() {
    let dir = common::scratch_with("fleet.yaml");
    let show = |name: &str| common::run(dir.path(), &["show", name]);
    let output = show("debian12");
    assert!(output.status.success());
    let shown = String::from_utf8(output.stdout).unwrap();
    let value: Value = serde_yaml::from_str(&shown).unwrap();
    assert_eq!(value["image"], "test-toolchain-debian12");
    assert_eq!(
        value["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64"])
    );
    assert_eq!(value["tools"], serde_json::json!(["python", "maven"]));
    assert_eq!(value["in_default_set"], true);
    insta::assert_snapshot!("show_debian12", shown);

    let output = show("debian99");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(
            "no distro named 'debian99' (did you mean 'debian12'?); the spec has: centos7, debian12, rocky9, suse15"
        )
    );
}

#[test]
fn the_weekly_workflow_refreshes_the_lock_renders_and_opens_a_pull_request() {
    let workflow = yaml_as_json(&root().join("examples/github-actions/refresh-bases.yml"));
    assert!(
        workflow["on"]["schedule"][0]["cron"]
            .as_str()
            .is_some_and(|c| c.split_whitespace().count() == 5),
        "{workflow}"
    );
    let steps = workflow["jobs"]["refresh"]["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let position = |command: &str| runs.iter().position(|r| r.trim() == command);
    let (lock, render) = (position("tcgen lock --update"), position("tcgen render"));
    assert!(
        lock.is_some() && render.is_some() && lock < render,
        "{runs:?}"
    );
    let pull_request = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("peter-evans/create-pull-request@"))
        })
        .expect("a pull request is opened");
    assert_eq!(
        pull_request["with"]["token"], "${{ steps.app-token.outputs.token }}",
        "a pull request opened with GITHUB_TOKEN starts no workflow"
    );
}

/// A scratch repository with the fleet fixture, and a PATH on which `tcgen` is this build.
fn completion_repo() -> (tempfile::TempDir, String) {
    let dir = common::scratch_with("fleet.yaml");
    let bin = Path::new(common::TCGEN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (dir, path)
}

#[test]
fn bash_completes_distro_names_from_the_spec_of_the_folder() {
    let (dir, path) = completion_repo();
    let script = dir.path().join("tcgen.bash");
    fs::write(&script, stdout_of(&["completions", "bash"])).unwrap();
    let complete = |words: &str| {
        let output = Process::new("bash")
            .current_dir(dir.path())
            .env("PATH", &path)
            .arg("-c")
            .arg(format!(
                "source {} && COMP_WORDS=({words}) && COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)) && _tcgen_with_distros tcgen && echo \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(complete("tcgen show deb").contains("debian12"));
    assert!(complete("tcgen build ro").contains("rocky9"));
    assert!(complete("tcgen lock --update su").contains("suse15"));
    assert!(
        !complete("tcgen render deb").contains("debian12"),
        "render takes no distro"
    );
    // Only distros after --update: no options or file names mixed in.
    fs::write(dir.path().join("debian-notes.txt"), "").unwrap();
    let update = complete("tcgen lock --update deb");
    assert_eq!(update.trim(), "debian12", "{update}");
    // --spec names the spec whose distros complete.
    fs::create_dir_all(dir.path().join("other")).unwrap();
    fs::write(
        dir.path().join("other/distros.yaml"),
        fs::read_to_string(dir.path().join("distros.yaml"))
            .unwrap()
            .replace("  debian12:", "  debian13:"),
    )
    .unwrap();
    let other = complete("tcgen --spec other/distros.yaml show deb");
    assert_eq!(other.trim(), "debian13", "{other}");
}

#[test]
#[ignore = "needs fish: apt-get install fish"]
fn fish_completes_distro_names_from_the_spec_of_the_folder() {
    require("fish", "apt-get install fish");
    let (dir, path) = completion_repo();
    let script = dir.path().join("tcgen.fish");
    fs::write(&script, stdout_of(&["completions", "fish"])).unwrap();
    let output = Process::new("fish")
        .current_dir(dir.path())
        .env("PATH", &path)
        .arg("-c")
        .arg(format!(
            "source {}; complete -C 'tcgen show deb'",
            script.display()
        ))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("debian12"), "{stdout}");
}

#[test]
fn zsh_completes_every_distro_argument_through_the_spec() {
    let script = stdout_of(&["completions", "zsh"]);
    assert!(script.contains("_tcgen_distros() {"));
    let uses = script.matches(":_tcgen_distros").count();
    assert_eq!(
        uses, 4,
        "show DISTRO, build DISTRO..., publish DISTRO..., lock --update DISTRO"
    );
}

#[test]
fn man_out_writes_a_page_for_every_command_the_main_page_names() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    for _ in 0..2 {
        common::assert_succeeded(&common::run(dir.path(), &["man", "--out", "man1"]));
    }
    let main = fs::read_to_string(pages.join("tcgen.1")).unwrap();
    let named: Vec<String> = main
        .split("tcgen\\-")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("(1)")
                .map(|(name, _)| name.replace("\\-", "-"))
        })
        .collect();
    assert!(named.len() >= 10, "{named:?}");
    for name in named {
        let page = pages.join(format!("tcgen-{name}.1"));
        assert!(
            page.is_file(),
            "tcgen.1 names {} and nothing wrote it",
            page.display()
        );
    }
    fs::write(pages.join("tcgen-build.1"), "my own notes\n").unwrap();
    let refused = common::run(dir.path(), &["man", "--out", "man1"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(common::text(&refused).contains("is not a man page tcgen wrote"));
    assert_eq!(
        fs::read_to_string(pages.join("tcgen-build.1")).unwrap(),
        "my own notes\n"
    );
}
