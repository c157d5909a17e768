//! Fuzzes the whole pipeline on arbitrary bytes: load (UTF-8, YAML, serde, duplicates,
//! validation), plan and render. Any input must either be refused with located diagnostics or
//! render Dockerfiles whose RUN commands split into shell words; nothing may panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/spec_property.rs"]
mod spec_property;

fuzz_target!(|data: &[u8]| {
    spec_property::check_spec(data);
});
