//! The JSON Schema of `distros.yaml`, made from the spec types, so that editors complete keys
//! and flag mistakes as they are typed.

use crate::output::BANNER_MARK;
use crate::spec::Spec;

/// Where the schema is written, inside the output directory.
pub const SCHEMA_FILE: &str = "distros.schema.json";

/// The schema as pretty-printed JSON, ending with a newline. It says in `$comment` that it is
/// generated, as JSON has no comments.
pub fn schema_json() -> String {
    let mut schema = schemars::schema_for!(Spec);
    schema.insert(
        "$comment".to_owned(),
        format!("{BANNER_MARK} from its spec types. Do not edit: run `tcgen render`.").into(),
    );
    schema.insert("title".to_owned(), "tcgen distros.yaml".into());
    let mut text = serde_json::to_string_pretty(&schema)
        .unwrap_or_else(|e| unreachable!("a schema always serializes: {e}"));
    text.push('\n');
    text
}
