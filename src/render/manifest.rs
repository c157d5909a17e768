//! The manifest of an output directory: every file tcgen wrote there, with its sha256, so that a
//! later render removes or replaces only files it can prove it wrote, and leaves the rest alone.
//!
//! A manifest rather than banners alone: JSON has no comments, a banner copied along with a file
//! proves nothing about where it belongs, and the hashes let a render keep an orphan that someone
//! edited after tcgen wrote it. The manifest is a generated file like the others (committed with
//! them, reviewed in pull requests, checked by `render --check`), in `sha256sum` format so that
//! `sha256sum -c .tcgen-manifest` checks the directory by hand.

use std::collections::BTreeMap;

use crate::hash::{is_sha256_hex, sha256_hex};
use crate::output::FileSet;

/// The manifest's file name inside the output directory.
pub const MANIFEST_FILE: &str = ".tcgen-manifest";

/// The line that says which tcgen wrote the files, before its version.
const VERSION_LINE: &str = "# Written by tcgen ";

/// The version of tcgen a manifest says wrote the files, if it says.
pub fn written_by(bytes: &[u8]) -> Option<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .find_map(|line| line.strip_prefix(VERSION_LINE).map(str::to_owned))
}

/// The manifest of `files` (which must not hold the manifest itself): the banner, a comment,
/// then one `<sha256>  <path>` line per file, sorted by path.
pub fn render(files: &FileSet, banner: &str) -> Vec<u8> {
    let mut text = format!(
        "{banner}\n# The files tcgen wrote here and their sha256: it removes or replaces only these, and\n# leaves anything else in this directory alone.\n{VERSION_LINE}{}\n",
        env!("CARGO_PKG_VERSION")
    );
    for (path, bytes) in files {
        text.push_str(&sha256_hex(bytes));
        text.push_str("  ");
        text.push_str(path);
        text.push('\n');
    }
    text.into_bytes()
}

/// The files a manifest lists, by path, with their sha256. Lines that are not of the manifest's
/// form are passed over: a damaged manifest claims fewer files, never more.
pub fn parse(bytes: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|line| {
            let (hash, path) = line.split_once("  ")?;
            (is_sha256_hex(hash, false) && !path.is_empty() && path != MANIFEST_FILE)
                .then(|| (path.to_owned(), hash.to_ascii_lowercase()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_lists_what_it_was_made_from() {
        let mut files = FileSet::new();
        files.insert("a.Dockerfile".into(), b"FROM x\n".to_vec());
        files.insert("context/s.sh".into(), b"echo\n".to_vec());
        let parsed = parse(&render(&files, "# banner"));
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed["a.Dockerfile"], sha256_hex(b"FROM x\n"));
    }

    #[test]
    fn damaged_lines_claim_nothing() {
        let parsed = parse(b"zz  a\nabc  b\n\n  c\n");
        assert!(parsed.is_empty(), "{parsed:?}");
        let hash = sha256_hex(b"");
        let text = format!("{hash}  .tcgen-manifest\n{hash}  ok\n");
        assert_eq!(parse(text.as_bytes()).keys().collect::<Vec<_>>(), ["ok"]);
    }
}
