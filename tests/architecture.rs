//! The shape of the source: the top-level modules of `src/` import each other without a
//! circle, so that they stack in layers (the data every stage shares at the bottom, the command
//! line at the top), and clap's types appear only under `src/cli/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The code of a source file without its unit tests and comments.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a file of `src/` belongs to (`render` for `src/render/digest.rs`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// Which top-level modules each top-level module names through `crate::` (`use` lines and
/// paths alike), itself left out.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(src) {
        let module = module_of(src, &file);
        if module == "lib" || module == "main" {
            continue;
        }
        let code = code(&file);
        let used = graph.entry(module.clone()).or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let mut names: Vec<&str> = Vec::new();
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                names.extend(group.split(',').map(str::trim));
            } else {
                names.push(rest);
            }
            for name in names {
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    used.insert(name);
                }
            }
        }
    }
    graph
}

/// The layer of each module: 0 for one that imports none, else one above the highest it
/// imports. `None` when the imports go round in a circle.
fn layers(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<BTreeMap<String, usize>> {
    let mut layers: BTreeMap<String, usize> = BTreeMap::new();
    while layers.len() < graph.len() {
        let ready: Vec<(String, usize)> = graph
            .iter()
            .filter(|(module, _)| !layers.contains_key(*module))
            .filter_map(|(module, used)| {
                let below: Option<Vec<usize>> = used
                    .iter()
                    .filter(|u| graph.contains_key(*u))
                    .map(|u| layers.get(u).copied())
                    .collect();
                below.map(|below| {
                    (
                        module.clone(),
                        below.iter().map(|l| l + 1).max().unwrap_or(0),
                    )
                })
            })
            .collect();
        if ready.is_empty() {
            return None;
        }
        layers.extend(ready);
    }
    Some(layers)
}

#[test]
fn the_modules_import_each_other_without_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = imports(&src);
    assert!(graph.contains_key("render") && graph["render"].contains("model"));
    let layers = layers(&graph).unwrap_or_else(|| panic!("the imports go round: {graph:#?}"));
    for ground in ["output", "hash"] {
        assert_eq!(layers[ground], 0, "{ground} imports {:?}", graph[ground]);
    }
    assert!(layers["render"] < layers["outdir"], "{layers:?}");
    assert!(layers["runner"] < layers["cli"], "{layers:?}");
}

#[test]
fn clap_is_used_only_under_src_cli() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let outside: Vec<PathBuf> = sources(&src)
        .into_iter()
        .filter(|file| module_of(&src, file) != "cli" && !file.ends_with("main.rs"))
        .filter(|file| code(file).contains("clap"))
        .collect();
    assert!(outside.is_empty(), "clap outside src/cli: {outside:?}");
}

#[test]
fn a_circle_is_found() {
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
        ("c".to_owned(), BTreeSet::new()),
    ]);
    assert_eq!(layers(&graph), None);
    let line = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::new()),
    ]);
    assert_eq!(
        layers(&line),
        Some(BTreeMap::from([("a".into(), 1), ("b".into(), 0)]))
    );
}
