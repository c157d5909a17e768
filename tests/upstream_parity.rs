//! The shipped spec against the facts about the upstream images, read from
//! tests/upstream/upstream-images.md (a copy of the team's reference notes, kept here so that the
//! test needs nothing outside the repository). Each distro present in both is compared, so adding
//! a package or a distro to the spec leaves this green; the later upstream fixes at the end of the
//! notes win over the era sections, and the current era over the 2023 one.
//!
//! Compared: base images, packages, labels, platforms, tool versions, URLs and checksums, the
//! enabled repositories of every .repo file, the Python.h check, the Makefile's exported build id
//! and default set, and in-docker's passthrough list; and that the shipped spec points editors at
//! its schema and validates against it.

use std::collections::BTreeMap;
use std::path::Path;

use tcgen::pipeline::{Compiled, compile};

fn reference() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/upstream-images.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "this test needs the upstream facts at {}: {e}",
            path.display()
        )
    })
}

fn shipped() -> Compiled {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    compile(&root.join("distros.yaml"), Path::new("generated")).expect("the shipped spec renders")
}

fn file(compiled: &Compiled, path: &str) -> String {
    String::from_utf8(compiled.rendered.files[path].clone()).unwrap()
}

/// The section of `text` that starts at the line `heading` and ends at the next heading of the
/// same level or higher.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text
        .find(&format!("\n{heading}"))
        .unwrap_or_else(|| panic!("the reference has no section {heading}"));
    let level = heading.split(' ').next().unwrap();
    let body = &text[start + 1..];
    let end = body[1..]
        .match_indices("\n#")
        .map(|(i, _)| i + 2)
        .find(|&i| {
            let rest = &body[i..];
            let hashes = rest.chars().take_while(|c| *c == '#').count();
            hashes <= level.len() && rest[hashes..].starts_with(' ')
        })
        .unwrap_or(body.len());
    &body[..end]
}

/// What one era says of one distro.
#[derive(Clone, Debug)]
struct DistroFacts {
    base: String,
    label: String,
    packages: Vec<String>,
    multi_platform: bool,
}

/// Per distro, current era over 2023.
fn distro_facts(text: &str) -> BTreeMap<String, DistroFacts> {
    let mut facts = BTreeMap::new();
    for era in text.split("\n## Era: ").skip(1) {
        let era = era.split("\n## ").next().unwrap();
        let multi: Vec<String> = era
            .lines()
            .find_map(|l| {
                l.strip_prefix("Multi-platform (linux/amd64 + linux/arm64 with --multi): ")
            })
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .split(", ")
            .map(str::to_owned)
            .collect();
        for distro in era.split("\n### ").skip(1) {
            let name = distro.lines().next().unwrap().trim().to_owned();
            let line_after = |prefix: &str| {
                distro
                    .lines()
                    .find_map(|l| l.split_once(prefix).map(|(_, rest)| rest.trim().to_owned()))
                    .unwrap_or_else(|| panic!("{name}: no '{prefix}' in the reference"))
            };
            facts.insert(
                name.clone(),
                DistroFacts {
                    base: line_after("FROM "),
                    label: line_after("BUILD_TARGET_LABEL: "),
                    packages: line_after("): ")
                        .split_whitespace()
                        .map(str::to_owned)
                        .collect(),
                    multi_platform: multi.contains(&name),
                },
            );
        }
    }
    facts
}

/// The later fixes: the last state of the distros upstream dropped.
fn corrections(text: &str) -> &str {
    section(text, "## Corrections and later upstream fixes")
}

/// Words of a Dockerfile, quotes trimmed.
fn words(dockerfile: &str) -> Vec<String> {
    dockerfile
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '\'' || c == '"').to_owned())
        .collect()
}

#[test]
fn every_distro_in_both_has_upstreams_base_label_platforms_and_packages() {
    let text = reference();
    let mut facts = distro_facts(&text);
    assert_eq!(facts.len(), 12, "the reference describes twelve distros");
    // The later fixes to sles12, and the package both dropped distros gained.
    let fixes = corrections(&text);
    assert!(fixes.contains("sles12: `registry.suse.com/suse/sles12sp5`"));
    facts.get_mut("sles12").unwrap().base = "registry.suse.com/suse/sles12sp5".to_owned();
    for (distro, package) in [
        ("sles12", "net-tools"),
        ("sles12", "texinfo"),
        ("redhat7", "texinfo"),
    ] {
        facts
            .get_mut(distro)
            .unwrap()
            .packages
            .push(package.to_owned());
    }

    let compiled = shipped();
    let mut compared = 0;
    for model in &compiled.model.distros {
        let Some(fact) = facts.get(&model.name) else {
            continue;
        };
        compared += 1;
        let dockerfile = file(&compiled, &format!("{}.Dockerfile", model.name));
        assert!(
            dockerfile.contains(&format!("\nFROM {}\n", fact.base)),
            "{}: base image is not {}",
            model.name,
            fact.base
        );
        assert_eq!(model.label, fact.label, "{}: label", model.name);
        let expected_platforms: &[&str] = if fact.multi_platform {
            &["linux/amd64", "linux/arm64"]
        } else {
            &["linux/amd64"]
        };
        assert_eq!(model.platforms, expected_platforms, "{}", model.name);
        let words = words(&dockerfile);
        for package in &fact.packages {
            assert!(
                words.contains(package),
                "{}: package {package} is not installed",
                model.name
            );
        }
    }
    assert!(compared > 0, "no distro of the spec is in the reference");
}

#[test]
fn the_dropped_distros_are_at_upstreams_last_state() {
    let text = reference();
    let fixes = corrections(&text);
    let compiled = shipped();
    let has = |name: &str| compiled.model.distros.iter().any(|d| d.name == name);
    if has("redhat7") {
        let archive = "https://archives.fedoraproject.org/pub/archive/epel/7/x86_64/Packages/e/";
        assert!(fixes.contains(archive) && fixes.contains("`epel-release-7-14`"));
        let dockerfile = file(&compiled, "redhat7.Dockerfile");
        assert!(
            dockerfile.contains(&format!("{archive}epel-release-7-14.noarch.rpm")),
            "redhat7 installs EPEL 7 from the archive"
        );
        assert!(
            dockerfile.contains("https://archives.fedoraproject.org/pub/archive/epel/7/")
                && dockerfile.contains("/etc/yum.repos.d/epel.repo"),
            "redhat7 points epel.repo at the archive"
        );
    }
    if has("sles12") {
        assert!(fixes.contains("SP5 product paths") && fixes.contains("no ncurses version pins"));
        let dockerfile = file(&compiled, "sles12.Dockerfile");
        assert!(dockerfile.contains("/12-SP5/") && !dockerfile.contains("SP3"));
        assert!(words(&dockerfile).contains(&"--allow-downgrade".to_owned()));
        assert!(!dockerfile.contains("--oldpackage"), "no ncurses pins");
    }
    // Upstream dropped them: they are out of the default set.
    for dropped in ["redhat7", "sles12", "ubuntu1604", "ubuntu1804"] {
        if let Some(model) = compiled.model.distros.iter().find(|d| d.name == dropped) {
            assert!(!model.in_default_set, "{dropped} is in the default set");
        }
    }
}

#[test]
fn tools_have_upstreams_versions_urls_and_checksums() {
    let text = reference();
    let postinstall = section(&text, "## What the post-install script does");
    let fixes = corrections(&text);
    let compiled = shipped();
    let scripts: String = compiled
        .model
        .distros
        .iter()
        .map(|d| file(&compiled, &format!("{}.Dockerfile", d.name)))
        .collect();
    // Maven: version and checksum from the post-install facts, the URL from the later fix.
    let maven_sha = postinstall
        .split("Maven 3.6.3 from a tarball verified by sha256 ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    let maven_url = fixes
        .split('`')
        .find(|s| s.ends_with("apache-maven-3.6.3-bin.tar.gz"))
        .unwrap();
    for expected in [
        "MAVEN_VERSION=3.6.3".to_owned(),
        format!("MAVEN_SHA256={maven_sha}"),
        format!("MAVEN_URL={maven_url}"),
    ] {
        assert!(scripts.contains(&expected), "no {expected}");
    }
    // ccache: version and checksum.
    let ccache = postinstall
        .split("builds ccache ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>();
    let after_sha = ccache.iter().position(|w| *w == "sha256").unwrap() + 1;
    let (version, sha) = (ccache[0], ccache[after_sha]);
    for expected in [
        format!("CCACHE_VERSION={version}"),
        format!("CCACHE_SHA256={sha}"),
        format!("--expect {version}"),
    ] {
        assert!(scripts.contains(&expected), "no {expected}");
    }
    assert!(postinstall.contains("AWS CLI v2") && scripts.contains("install-awscli.sh"));
}

/// Every enabled repository of each upstream .repo file, by file name: (section count, base
/// URLs of the enabled sections).
fn repo_files(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for block in text
        .split("\n#### Repository files copied into redhat images")
        .skip(1)
    {
        let block = block.split("\n## ").next().unwrap();
        let mut current: Option<String> = None;
        let mut pending: Option<String> = None;
        let flush = |files: &mut BTreeMap<String, Vec<String>>,
                     current: &Option<String>,
                     pending: &mut Option<String>,
                     enabled: bool| {
            if let (Some(file), Some(url)) = (current, pending.take())
                && enabled
            {
                let urls = files.entry(file.clone()).or_default();
                if !urls.contains(&url) {
                    urls.push(url);
                }
            }
        };
        for line in block.lines() {
            if let Some(rest) = line.strip_prefix("- ") {
                flush(&mut files, &current, &mut pending, true);
                current = rest.split_once(": sections").map(|(f, _)| f.to_owned());
            } else if let Some(url) = line.trim().strip_prefix("- baseurl = ") {
                flush(&mut files, &current, &mut pending, true);
                pending = Some(url.to_owned());
            } else if line.trim() == "- enabled = 0" {
                flush(&mut files, &current, &mut pending, false);
            }
        }
        flush(&mut files, &current, &mut pending, true);
    }
    files
}

#[test]
fn every_enabled_upstream_repository_is_in_the_generated_repo_files() {
    let compiled = shipped();
    let files = repo_files(&reference());
    assert!(files.len() >= 8, "{files:?}");
    let mut compared = 0;
    for (name, urls) in files {
        let Some(bytes) = compiled
            .rendered
            .files
            .get(&format!("context/repos/{name}"))
        else {
            continue;
        };
        compared += 1;
        let generated = String::from_utf8(bytes.clone()).unwrap();
        for url in urls {
            let enabled = generated
                .split("\n[")
                .find(|s| s.contains(&format!("baseurl={url}\n")))
                .unwrap_or_else(|| panic!("{name}: no section with baseurl {url}"));
            assert!(enabled.contains("enabled=1"), "{name}: {url} is disabled");
        }
    }
    assert!(compared > 0);
}

#[test]
fn the_python_headers_check_asks_sysconfig_includepy() {
    let fixes = corrections(&reference()).to_owned();
    assert!(fixes.contains("sysconfig.get_config_var('INCLUDEPY')"));
    let compiled = shipped();
    let script = file(&compiled, "context/scripts/assert-dependencies.sh");
    assert!(script.contains("get_config_var(\"INCLUDEPY\")"));
    assert!(!script.contains("get_paths()"));
}

#[test]
fn the_makefile_exports_one_build_id_and_builds_upstreams_default_set() {
    let fixes = corrections(&reference()).to_owned();
    let compiled = shipped();
    let makefile = file(&compiled, "Makefile");
    assert!(fixes.contains("export TOOLCHAIN_BUILD_ID"));
    assert!(makefile.contains("\nexport TOOLCHAIN_BUILD_ID\n"));
    assert!(makefile.contains("source functions.sh && generate_build_id"));
    assert!(makefile.contains("@echo \"TOOLCHAIN_BUILD_ID is $(TOOLCHAIN_BUILD_ID)\""));
    let upstream: Vec<&str> = fixes
        .split("Its default\n  `DISTROS` is the eight current distros (")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    // Each distro in both: in the Makefile's default set exactly when upstream's has it.
    let text = reference();
    let known = distro_facts(&text);
    let ours: Vec<&str> = makefile
        .lines()
        .find_map(|l| l.strip_prefix("DEFAULT_DISTROS := "))
        .unwrap()
        .split_whitespace()
        .collect();
    for model in compiled
        .model
        .distros
        .iter()
        .filter(|m| known.contains_key(&m.name))
    {
        let name = model.name.as_str();
        assert_eq!(
            ours.contains(&name),
            upstream.contains(&name),
            "{name}: in upstream's default set: {}",
            upstream.contains(&name)
        );
    }
    for variable in ["DOCKER_REGISTRY", "UPLOAD_CCACHE", "BUILD_DIR", "STAMP_DIR"] {
        assert!(makefile.contains(&format!("\n{variable} ?=")), "{variable}");
    }
}

#[test]
fn in_docker_passes_upstreams_variables_through() {
    let text = reference();
    let list: Vec<&str> = text
        .lines()
        .find_map(|l| l.strip_prefix("- passes through, when set: "))
        .unwrap()
        .split(", and ")
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(tcgen::PASSTHROUGH, list.as_slice());
}

/// The shipped spec, read as it is on disk.
fn shipped_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("distros.yaml")).unwrap()
}

#[test]
fn the_shipped_spec_points_editors_at_the_schema() {
    assert_eq!(
        shipped_text().lines().next(),
        Some("# yaml-language-server: $schema=generated/distros.schema.json")
    );
}

#[test]
fn the_shipped_spec_validates_against_the_schema_it_renders() {
    let compiled = shipped();
    let schema: serde_json::Value =
        serde_json::from_str(&file(&compiled, "distros.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let spec: serde_json::Value = serde_yaml::from_str(&shipped_text()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&spec)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}
