//! Images that waste nothing, checked on the Dockerfiles rendered from the fleet fixture: no
//! download enters a layer, no step downloads what an earlier one has, shared steps come after
//! the distro-specific install, and the build context holds exactly what the images copy.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use tcgen::output::FileSet;
use tcgen::pipeline::compile;

mod common;

/// The fleet fixture, rendered in memory.
fn fleet() -> FileSet {
    common::render_fixture("fleet.yaml")
}

/// One Dockerfile instruction with its continuation lines joined: (keyword, rest).
fn instructions(dockerfile: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8(dockerfile.to_vec()).unwrap();
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if current.is_empty() && (line.trim().is_empty() || line.starts_with('#')) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    joined
        .into_iter()
        .map(|i| {
            let (keyword, rest) = i.split_once(' ').unwrap();
            (keyword.to_owned(), rest.to_owned())
        })
        .collect()
}

fn dockerfiles(files: &FileSet) -> BTreeMap<String, Vec<(String, String)>> {
    files
        .iter()
        .filter_map(|(path, bytes)| {
            path.strip_suffix(".Dockerfile")
                .map(|name| (name.to_owned(), instructions(bytes)))
        })
        .collect()
}

/// The download directories of the package manager a RUN calls, if it downloads anything.
fn downloads_into(run: &str) -> Option<&'static [&'static str]> {
    let words: Vec<&str> = run.split_whitespace().collect();
    let calls = |tool: &str, verbs: &[&str]| {
        words
            .iter()
            .enumerate()
            .any(|(i, w)| *w == tool && words[i + 1..].iter().any(|v| verbs.contains(v)))
    };
    if calls("apt-get", &["update", "install"]) {
        Some(&["/var/cache/apt", "/var/lib/apt/lists"])
    } else if calls("yum", &["install", "update", "makecache"]) {
        Some(&["/var/cache/yum"])
    } else if calls("dnf", &["install", "update", "makecache"]) {
        Some(&["/var/cache/dnf"])
    } else if calls("zypper", &["install", "refresh", "addrepo"]) {
        Some(&["/var/cache/zypp"])
    } else {
        None
    }
}

fn is_cache_mount(run: &str, dir: &str) -> bool {
    run.split_whitespace().any(|word| {
        word.starts_with("--mount=type=cache,")
            && word
                .split(',')
                .any(|field| field == format!("target={dir}"))
    })
}

#[test]
fn every_download_of_the_package_manager_goes_to_a_cache_mount_never_to_a_layer() {
    let files = fleet();
    let mut checked = 0;
    for (name, instructions) in dockerfiles(&files) {
        for (keyword, rest) in &instructions {
            let Some(dirs) = (keyword == "RUN").then(|| downloads_into(rest)).flatten() else {
                continue;
            };
            checked += 1;
            for dir in dirs {
                assert!(
                    is_cache_mount(rest, dir),
                    "{name}: this step downloads into {dir} without a cache mount:\n{rest}"
                );
                assert!(
                    !rest.contains(&format!("rm -rf {dir}")) && !rest.contains(" clean "),
                    "{name}: cleaning empties the cache mount:\n{rest}"
                );
            }
        }
    }
    assert!(
        checked >= files.keys().filter(|p| p.ends_with(".Dockerfile")).count(),
        "every image installs packages ({checked} steps found)"
    );
}

#[test]
fn cache_mounts_are_per_distro_and_locked() {
    let mut ids = BTreeMap::<String, String>::new();
    for (name, instructions) in dockerfiles(&fleet()) {
        for (_, rest) in instructions.iter().filter(|(k, _)| k == "RUN") {
            for mount in rest
                .split_whitespace()
                .filter(|w| w.starts_with("--mount=type=cache,"))
            {
                assert!(mount.contains(",sharing=locked"), "{name}: {mount}");
                let id = mount
                    .split(',')
                    .find_map(|f| f.strip_prefix("id="))
                    .unwrap_or_else(|| panic!("{name}: a cache mount without id: {mount}"));
                let owner = ids.entry(id.to_owned()).or_insert_with(|| name.clone());
                assert_eq!(owner, &name, "{id} is shared by two distros");
            }
        }
    }
}

/// Every URL the RUN steps of `instructions` download, in order, and those a later step
/// downloads again.
fn urls(instructions: &[(String, String)]) -> (Vec<String>, Vec<String>) {
    let mut seen = Vec::new();
    let mut again = Vec::new();
    for (_, rest) in instructions.iter().filter(|(k, _)| k == "RUN") {
        for url in rest
            .split(|c: char| c.is_whitespace() || c == '"' || c == '=')
            .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        {
            if seen.iter().any(|u| u == url) {
                again.push(url.to_owned());
            }
            seen.push(url.to_owned());
        }
    }
    (seen, again)
}

#[test]
fn no_step_downloads_a_url_an_earlier_step_has_downloaded() {
    let mut total = 0;
    for (name, instructions) in dockerfiles(&fleet()) {
        let (seen, again) = urls(&instructions);
        assert!(again.is_empty(), "{name}: fetched twice: {again:?}");
        total += seen.len();
    }
    assert!(
        total >= 4,
        "the fleet's images download {total} URLs: the check saw nothing"
    );
    // The check finds a URL that two steps download.
    let twice = [
        (
            "RUN".to_owned(),
            "curl -fO https://example.com/a.tar.gz".to_owned(),
        ),
        (
            "RUN".to_owned(),
            "A_URL=https://example.com/a.tar.gz sh x.sh".to_owned(),
        ),
    ];
    assert_eq!(urls(&twice).1, ["https://example.com/a.tar.gz"]);
}

#[test]
fn shared_steps_come_after_every_distro_specific_install() {
    for (name, instructions) in dockerfiles(&fleet()) {
        let last_install = instructions
            .iter()
            .rposition(|(k, rest)| k == "RUN" && downloads_into(rest).is_some())
            .unwrap_or_else(|| panic!("{name} installs nothing"));
        let first_shared = instructions
            .iter()
            .position(|(k, rest)| k == "COPY" && rest.starts_with("scripts/"))
            .unwrap_or_else(|| panic!("{name} copies no shared script"));
        assert!(
            last_install < first_shared,
            "{name}: a shared script is copied before the last install"
        );
    }
}

#[test]
fn changing_a_shared_tool_keeps_every_install_layer() {
    let spec = fs::read_to_string(common::fixture("fleet.yaml")).unwrap();
    let edited = spec.replacen("MAVEN_VERSION: 3.6.3", "MAVEN_VERSION: 3.9.9", 1);
    assert_ne!(spec, edited, "the fixture sets MAVEN_VERSION");
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("distros.yaml"), edited).unwrap();
    let after = compile(&dir.path().join("distros.yaml"), Path::new("generated"))
        .unwrap()
        .rendered
        .files;
    let before = dockerfiles(&fleet());
    for (name, after) in dockerfiles(&after) {
        let before = &before[&name];
        let first_difference = before
            .iter()
            .zip(&after)
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| panic!("{name} did not change"));
        let last_install = before
            .iter()
            .rposition(|(k, rest)| k == "RUN" && downloads_into(rest).is_some())
            .unwrap();
        assert!(
            first_difference > last_install,
            "{name}: the edit reaches instruction {first_difference}, at or before the install ({last_install})"
        );
    }
}

#[test]
fn the_build_context_holds_exactly_what_the_images_copy() {
    let files = fleet();
    let copied: BTreeSet<String> = dockerfiles(&files)
        .values()
        .flatten()
        .filter(|(k, _)| k == "COPY")
        .flat_map(|(_, rest)| {
            let words: Vec<&str> = rest.split_whitespace().collect();
            words[..words.len() - 1]
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let context: BTreeSet<String> = files
        .keys()
        .filter_map(|p| p.strip_prefix("context/").map(str::to_owned))
        .collect();
    assert_eq!(context, copied);
    let bytes: usize = files
        .iter()
        .filter(|(p, _)| p.starts_with("context/"))
        .map(|(_, b)| b.len())
        .sum();
    assert!(bytes < 64 * 1024, "the build context is {bytes} bytes");
}
