//! The property every spec input must have, as one function over tcgen's public API: the fuzz
//! target (fuzz/fuzz_targets/spec.rs) includes this file and calls it on arbitrary bytes, and
//! `tests/fuzz_corpus.rs` replays the committed corpus through it. It lives here, not in the
//! library, so that no build of tcgen carries fuzzing support.

use std::path::Path;

use tcgen::error::Error;
use tcgen::model::decide;
use tcgen::render::{Provenance, render, script_names};
use tcgen::spec::load::load_bytes;

/// Loads `bytes` as a spec: a refusal must be a non-empty list of diagnostics naming the file;
/// an accepted spec must render, which includes the check that every RUN command of every
/// Dockerfile splits into shell words. Panics otherwise. Returns whether the spec was accepted.
pub fn check_spec(bytes: &[u8]) -> bool {
    let path = Path::new("fuzz.yaml");
    let spec = match load_bytes(path, bytes, &script_names()) {
        Ok(spec) => spec,
        Err(Error::Spec(diagnostics)) => {
            assert!(!diagnostics.is_empty(), "a refusal without a message");
            for diagnostic in diagnostics {
                assert_eq!(diagnostic.location.file, path);
                assert!(!diagnostic.message.is_empty());
            }
            return false;
        }
        Err(other) => panic!("a spec is refused only with diagnostics, not: {other}"),
    };
    let model = decide(&spec, None);
    let provenance = Provenance {
        spec_name: "distros.yaml".into(),
        regenerate: "tcgen render".into(),
        context_dir: "generated/context".into(),
    };
    // render checks its own Dockerfiles: every RUN command must split into shell words.
    if let Err(e) = render(&model, &provenance) {
        panic!("a valid spec fails to render: {e}");
    }
    true
}
