//! Properties over generated specs, hostile ones included: whatever validates renders RUN lines
//! that a shell-word parser splits into exactly the words the spec meant, each package one word;
//! whatever does not validate is refused with a located message, and nothing panics.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{Value, json};
use tcgen::error::Error;
use tcgen::model::decide;
use tcgen::render::dockerfile::run_commands;
use tcgen::render::{Provenance, render, script_names};
use tcgen::spec::load::load_bytes;

/// Characters safe in most values, the further ones package names may hold, and characters a
/// hostile spec would try.
const SAFE: &[char] = &['a', 'b', 'z', '0', '9', '-', '.', '+', '_'];
const PACKAGE: &[char] = &[
    'a', 'z', '0', '-', '.', '+', '_', ':', '(', ')', '~', '@', '=',
];
const HOSTILE: &[char] = &[
    ' ', '\'', '"', '$', ';', '&', '|', '`', '\\', '\n', '*', '?', '#', '{', '}', '[', ']', '<',
    '>', '!', 'é', '\t', '/',
];

/// Characters of library patterns and program names, narrower than package names.
const LIBRARY: &[char] = &['l', 'i', 'b', 'z', '0', '.', '*', '-', '_', '+'];
const PROGRAM: &[char] = &['a', 'w', 'k', '2', '-', '_', '.', '+'];

fn word() -> impl Strategy<Value = String> {
    word_of(SAFE)
}

fn word_of(chars: &'static [char]) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(chars), 1..10).prop_map(String::from_iter)
}

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![3 => prop::sample::select(SAFE), 1 => prop::sample::select(HOSTILE)],
        0..10,
    )
    .prop_map(String::from_iter)
}

/// Mostly plausible values, sometimes hostile ones.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![24 => word(), 1 => hostile()]
}

/// Package names (a letter, then package characters), sometimes hostile ones.
fn packages(n: usize) -> impl Strategy<Value = Vec<String>> {
    let package = word_of(PACKAGE).prop_map(|rest| format!("p{rest}"));
    prop::collection::vec(prop_oneof![24 => package, 1 => hostile()], 1..n)
}

/// Mostly names of `chars`, sometimes hostile ones.
fn names_of(chars: &'static [char], n: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop_oneof![24 => word_of(chars), 1 => hostile()], 1..n)
}

fn options() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(value().prop_map(|v| format!("--{v}")), 0..3)
}

/// A step; `add_repo` only where the family has it, as a spec would.
fn step(zypper: bool) -> BoxedStrategy<Value> {
    let install = (packages(4), options()).prop_map(
        |(packages, options)| json!({"install": {"packages": packages, "options": options}}),
    );
    let run = value().prop_map(|command| json!({"run": format!("echo {command}")}));
    let add_repo = (value(), value()).prop_map(|(url, alias)| {
        json!({"add_repo": {"url": format!("https://example.com/{url}"), "alias": alias}})
    });
    if zypper {
        prop_oneof![install, run, add_repo].boxed()
    } else {
        prop_oneof![install, run].boxed()
    }
}

fn spec() -> impl Strategy<Value = Value> {
    prop::sample::select(&["apt", "yum", "dnf", "zypper"][..])
        .prop_flat_map(|family| {
            (
                Just(family),
                packages(8),
                options(),
                prop::collection::vec(step(family == "zypper"), 0..3),
                (value(), value(), names_of(PROGRAM, 3), names_of(LIBRARY, 2)),
            )
        })
        .prop_map(|(family, packages, install_options, steps, (env, command, programs, libraries))| {
            json!({
                "image_prefix": "t-",
                "source": "https://example.com/toolchain",
                "tools": {"py": {
                    "script": "setup-python.sh",
                    "env": {"PY_VERSION": env},
                    "checks": {"programs": programs, "commands": [{"run": format!("py {command}"), "expect": [command]}]}
                }},
                "defaults": {
                    "platforms": ["linux/amd64"],
                    "tools": ["py"],
                    "lsb_release": false,
                    "checks": {"libraries": libraries}
                },
                "distros": {"d": {
                    "base_image": "debian:12",
                    "family": family,
                    "label": "l",
                    "packages": packages,
                    "install_options": install_options,
                    "before_install": steps,
                }}
            })
        })
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn valid_specs_render_run_lines_whose_words_are_the_specs(spec in spec()) {
        let yaml = serde_yaml::to_string(&spec).unwrap();
        let path = Path::new("generated.yaml");
        let loaded = match load_bytes(path, yaml.as_bytes(), &script_names()) {
            Ok(loaded) => loaded,
            Err(Error::Spec(diagnostics)) => {
                prop_assert!(!diagnostics.is_empty());
                for d in diagnostics {
                    prop_assert_eq!(d.location.file.as_path(), path);
                    prop_assert!(!d.message.is_empty());
                }
                return Ok(());
            }
            Err(other) => panic!("a spec error is the only refusal: {other}"),
        };
        let model = decide(&loaded, None);
        let provenance = Provenance {
            spec_name: "distros.yaml".into(),
            regenerate: "tcgen render".into(),
            context_dir: "generated/context".into(),
        };
        let rendered = render(&model, &provenance).unwrap();
        let dockerfile = String::from_utf8(rendered.files["d.Dockerfile"].clone()).unwrap();
        let split: Vec<Vec<String>> = run_commands(&dockerfile)
            .iter()
            .map(|command| shell_words::split(command)
                .unwrap_or_else(|e| panic!("RUN {command} does not parse: {e}")))
            .collect();
        let all_words: Vec<&String> = split.iter().flatten().collect();
        let distro = &spec["distros"]["d"];
        let mut packages = strings(&distro["packages"]);
        for step in distro["before_install"].as_array().unwrap() {
            packages.extend(strings(&step["install"]["packages"]));
        }
        for package in &packages {
            prop_assert!(all_words.contains(&package), "package {package:?} is not one word of any RUN line");
        }
        let env = spec["tools"]["py"]["env"]["PY_VERSION"].as_str().unwrap();
        let assignment = format!("PY_VERSION={env}");
        prop_assert!(all_words.contains(&&assignment), "{assignment:?} is not one word");
        for program in strings(&spec["tools"]["py"]["checks"]["programs"]) {
            let found = split.iter().any(|words| words.windows(2).any(|w| w[0] == "--program" && w[1] == program));
            prop_assert!(found, "--program {program:?} is not two words");
        }
        for step in distro["before_install"].as_array().unwrap() {
            if let Some(command) = step["run"].as_str() {
                prop_assert!(dockerfile.lines().any(|l| l == format!("RUN {command}")), "RUN {command:?} is not as written");
            }
        }
    }
}

/// The property above holds for a loader that refuses everything: most generated specs must be
/// accepted for it to say anything.
#[test]
fn most_generated_specs_are_accepted() {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let total = 200;
    let accepted = (0..total)
        .filter(|_| {
            let spec = spec().new_tree(&mut runner).unwrap().current();
            let yaml = serde_yaml::to_string(&spec).unwrap();
            load_bytes(
                Path::new("generated.yaml"),
                yaml.as_bytes(),
                &script_names(),
            )
            .is_ok()
        })
        .count();
    assert!(
        accepted * 2 >= total,
        "only {accepted} of {total} generated specs were accepted"
    );
}
