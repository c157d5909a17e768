//! Replays the committed fuzz corpus (fuzz/corpus/spec, minimized from more than a million
//! fuzzing runs) and every input that once broke tcgen (fuzz/regressions) through the fuzz
//! target's property, so `cargo test` keeps what the fuzzer found.

use std::fs;
use std::path::Path;

#[path = "common/spec_property.rs"]
mod spec_property;

/// Replays every input of `dir`; returns how many there were and how many were accepted.
fn replay(dir: &str) -> (usize, usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let (mut count, mut accepted) = (0, 0);
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "README.md") {
            continue;
        }
        let bytes = fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| spec_property::check_spec(&bytes));
        match outcome {
            Ok(true) => accepted += 1,
            Ok(false) => {}
            Err(_) => panic!("{} breaks the property", path.display()),
        }
        count += 1;
    }
    (count, accepted)
}

#[test]
fn the_fuzz_corpus_keeps_its_property() {
    let (count, accepted) = replay("fuzz/corpus/spec");
    assert!(count >= 100, "the corpus has {count} inputs");
    // A loader that refused everything would keep the property too: the corpus holds specs
    // that are accepted and rendered.
    assert!(
        accepted >= 10,
        "only {accepted} of {count} inputs were accepted"
    );
}

#[test]
fn inputs_that_once_broke_tcgen_stay_fixed() {
    assert!(replay("fuzz/regressions").0 >= 1);
}
