//! Every generated Dockerfile has the upstream image's base and installs every package of the
//! upstream file, read from the facts in tests/upstream/upstream-images.md (a copy of the team's
//! reference notes on the upstream images, kept here so that the test needs nothing outside the
//! repository; current era first, as the spec is).

use std::collections::BTreeMap;
use std::path::Path;

use tcgen::app::compile;

/// Per distro: base image and package list, current facts winning over older ones.
fn upstream_facts() -> BTreeMap<String, (String, Vec<String>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/upstream-images.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "this test needs the upstream facts at {}: {e}",
            path.display()
        )
    });
    let mut facts = BTreeMap::new();
    for era in text.split("## Era: ").skip(1) {
        for section in era.split("\n### ").skip(1) {
            let name = section.lines().next().unwrap().trim().to_owned();
            let base = section
                .lines()
                .find_map(|l| l.strip_prefix("FROM "))
                .unwrap()
                .trim()
                .to_owned();
            let packages = section
                .lines()
                .find_map(|l| l.strip_prefix("PACKAGES ("))
                .and_then(|l| l.split_once("): "))
                .map(|(_, list)| list.split_whitespace().map(str::to_owned).collect())
                .unwrap();
            facts.insert(name, (base, packages));
        }
    }
    facts
}

#[test]
fn generated_dockerfiles_match_upstream_bases_and_packages() {
    let facts = upstream_facts();
    assert_eq!(facts.len(), 12, "the reference describes twelve distros");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = compile(&root.join("distros.yaml"), Path::new("generated"))
        .unwrap()
        .rendered
        .files;
    for (distro, (base, packages)) in facts {
        let dockerfile = String::from_utf8(files[&format!("{distro}.Dockerfile")].clone()).unwrap();
        assert!(
            dockerfile.contains(&format!("\nFROM {base}\n")),
            "{distro}: base image is not {base}"
        );
        let words: Vec<String> = dockerfile
            .split_whitespace()
            .map(|w| w.trim_matches('\'').to_owned())
            .collect();
        for package in packages {
            assert!(
                words.contains(&package),
                "{distro}: package {package} is not installed"
            );
        }
    }
}
