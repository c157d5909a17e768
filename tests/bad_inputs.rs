//! The bad-input corpus: every file under tests/bad/ must be refused with exit code 2, a message
//! that names the file and (where the parser knows it) line and column, and nothing written.

use std::path::Path;

mod common;

/// Each bad spec is refused with a located message, and nothing is written: one case per file
/// of tests/bad/ (insta's glob runs every file and reports every failure, so
/// the first bad message does not hide the rest).
#[test]
fn refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    insta::glob!("bad/*.yaml", |case| {
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("generated");
        let output = common::tcgen(root)
            .arg("--spec")
            .arg(case.strip_prefix(root).unwrap())
            .arg("render")
            .arg("--out")
            .arg(&target)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}: wrong exit code");
        assert!(!target.exists(), "{name}: something was written");
        assert!(output.stdout.is_empty(), "{name}: printed to stdout");
        let stderr = String::from_utf8(output.stderr).unwrap();
        // tcgen works beside the spec: it says so, then names the file from there.
        assert!(
            stderr.starts_with(&format!(
                "tcgen: using tests/bad/{name}.yaml (paths are relative to tests/bad)\nerror: {name}.yaml"
            )),
            "{name}: {stderr}"
        );
        if name != "empty-file" {
            assert!(
                stderr.contains(&format!("{name}.yaml:")),
                "{name}: no line in {stderr}"
            );
        }
        insta::assert_snapshot!(stderr);
    });
}

#[test]
fn a_missing_spec_file_is_a_usage_error() {
    let out = tempfile::tempdir().unwrap();
    let output = common::run(out.path(), &["--spec", "nope.yaml", "render"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("nope.yaml: cannot read the spec") && stderr.contains("--spec"),
        "{stderr}"
    );
    assert!(!out.path().join("generated").exists());
}
