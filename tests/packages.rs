//! Package inventories and diffs from fixtures, without an engine: what rpm and dpkg print is
//! read as the query prints it, and `tcgen diff` of two saved inventories in text, JSON and
//! Markdown (snapshots), including nothing changed.

use std::fs;

use tcgen::packages::report::inventory_text;
use tcgen::packages::{Format, parse};

mod common;

fn inventory_fixture(name: &str) -> String {
    common::fixture(&format!("inventory/{name}"))
        .to_string_lossy()
        .into_owned()
}

#[test]
fn recorded_rpm_queries_of_redhat_and_suse_read_with_epochs_and_both_architectures() {
    for (file, count) in [("rocky9-rpm-qa.txt", 6), ("sles15-rpm-qa.txt", 4)] {
        let output = fs::read_to_string(inventory_fixture(file)).unwrap();
        let inventory = parse(file, &output).unwrap();
        assert_eq!(inventory.format, Format::Rpm);
        assert_eq!(
            inventory.packages.len(),
            count,
            "{file}: gpg-pubkey is no package"
        );
        insta::assert_snapshot!(file, inventory_text(&inventory));
    }
}

/// `tcgen diff OLD NEW` in text, JSON and Markdown, each a snapshot named `<prefix>_<form>`.
fn snapshot_each_form(dir: &std::path::Path, old: &str, new: &str, prefix: &str) {
    for (name, form) in [
        ("text", None),
        ("json", Some("--json")),
        ("markdown", Some("--markdown")),
    ] {
        let mut args = vec!["diff", old, new];
        args.extend(form);
        let output = common::run(dir, &args);
        common::assert_succeeded(&output);
        insta::assert_snapshot!(
            format!("{prefix}_{name}"),
            String::from_utf8(output.stdout).unwrap()
        );
    }
}

#[test]
fn diffs_of_saved_inventories_in_each_form() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (inventory_fixture("old.json"), inventory_fixture("new.json"));
    snapshot_each_form(dir.path(), &old, &new, "diff");
    let same = common::run(dir.path(), &["diff", &old, &old]);
    common::assert_succeeded(&same);
    assert!(String::from_utf8_lossy(&same.stdout).contains("no package changed"));
    let json = common::run(dir.path(), &["diff", &old, &new, "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let names = |key: &str| common::each(&value[key], "name");
    assert_eq!(names("added"), ["bzip2", "libbz2-1.0"]);
    assert_eq!(names("removed"), ["telnet"]);
    assert_eq!(names("changed"), ["libssl3", "openssl"]);
}

#[test]
fn a_file_that_is_no_inventory_or_is_not_there_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    fs::write(&bad, "{\"image\": 1}").unwrap();
    let output = common::run(
        dir.path(),
        &[
            "diff",
            bad.to_str().unwrap(),
            &inventory_fixture("new.json"),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::text(&output).contains("is not an inventory that `tcgen inventory --json` wrote")
    );
    let output = common::run(
        dir.path(),
        &["diff", "gone.json", &inventory_fixture("new.json")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::text(&output).contains("gone.json: no such file"),
        "{}",
        common::text(&output)
    );
}

#[test]
fn nothing_changed_in_each_form() {
    let dir = tempfile::tempdir().unwrap();
    let old = inventory_fixture("old.json");
    snapshot_each_form(dir.path(), &old, &old, "same");
}

#[test]
fn a_long_markdown_diff_is_folded_and_a_short_one_is_not() {
    use tcgen::packages::report::diff_markdown;
    use tcgen::packages::{Inventory, Package, diff};
    let inventory = |count: usize, version: &str| Inventory {
        image: format!("img:{version}"),
        format: Format::Deb,
        os: None,
        packages: (0..count)
            .map(|i| Package {
                name: format!("lib{i:02}"),
                version: version.to_owned(),
                arch: "amd64".to_owned(),
            })
            .collect(),
    };
    let long = diff(&inventory(21, "1.0"), &inventory(21, "1.1"));
    let folded = diff_markdown("img:1.0", "img:1.1", &long);
    assert!(
        folded.contains("<details><summary>21 packages</summary>")
            && folded.ends_with("</details>\n"),
        "{folded}"
    );
    let short = diff(&inventory(20, "1.0"), &inventory(20, "1.1"));
    assert!(!diff_markdown("img:1.0", "img:1.1", &short).contains("<details>"));
}
