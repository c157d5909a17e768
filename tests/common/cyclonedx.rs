//! The CycloneDX 1.5 JSON schema, as its maintainers publish it (committed under
//! `tests/fixtures/cyclonedx/`, with the SPDX and JSF schemas it refers to), for validating the
//! SBOMs tcgen writes.

use std::fmt::Write as _;

use jsonschema::{Retrieve, Uri};
use serde_json::Value;

/// Where the schema's own references point: `http://cyclonedx.org/schema/<file>`.
const SCHEMA_HOME: &str = "http://cyclonedx.org/schema/";

/// Answers the schema's references from the committed files, never from the network.
struct CommittedSchemas;

impl Retrieve for CommittedSchemas {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix(SCHEMA_HOME)
            .ok_or_else(|| format!("{uri} is not a CycloneDX schema"))?;
        Ok(schema_file(name))
    }
}

fn schema_file(name: &str) -> Value {
    let path = crate::common::fixture(&format!("cyclonedx/{name}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The validator of CycloneDX 1.5 JSON documents.
pub fn validator() -> jsonschema::Validator {
    jsonschema::options()
        .with_retriever(CommittedSchemas)
        .build(&schema_file("bom-1.5.schema.json"))
        .expect("the committed CycloneDX schema compiles")
}

/// Every way `document` breaks the schema, one per line; empty when it conforms.
pub fn violations(validator: &jsonschema::Validator, document: &Value) -> String {
    let mut text = String::new();
    for error in validator.iter_errors(document) {
        let _ = writeln!(text, "{}: {error}", error.instance_path());
    }
    text
}
