//! Every structural fault of a spec at once: when serde stops at the first one (an unknown key,
//! a wrong type), each section and each entry is read again on its own, so that the faults of
//! other distros, tools or repositories are reported too, not after the first is fixed.

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use crate::spec::{Defaults, Distro, GatedArg, RepoFile, Tool};

/// The top-level keys of a spec and whether each is required.
const KEYS: [(&str, bool); 7] = [
    ("image_prefix", true),
    ("source", true),
    ("gated_args", false),
    ("repositories", false),
    ("tools", false),
    ("defaults", true),
    ("distros", true),
];

/// Each structural fault of `text` as (dotted path of the faulty key itself, serde's message
/// without a path), in document order of the sections; empty when the text is no mapping
/// (serde's own message says more then).
pub fn faults(text: &str) -> Vec<(String, String)> {
    let Ok(Value::Mapping(top)) = serde_yaml::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut faults = Vec::new();
    for (key, value) in &top {
        let Some(key) = key.as_str() else { continue };
        match key {
            "image_prefix" | "source" => read::<String>(key.to_owned(), value, &mut faults),
            "defaults" => read::<Defaults>(key.to_owned(), value, &mut faults),
            "gated_args" => each::<GatedArg>(key, value, &mut faults),
            "repositories" => each::<RepoFile>(key, value, &mut faults),
            "tools" => each::<Tool>(key, value, &mut faults),
            "distros" => each::<Distro>(key, value, &mut faults),
            _ => faults.push((
                key.to_owned(),
                format!(
                    "unknown field `{key}`, expected one of {}",
                    KEYS.map(|(k, _)| format!("`{k}`")).join(", ")
                ),
            )),
        }
    }
    for (key, required) in KEYS {
        if required && !top.contains_key(key) {
            faults.push((String::new(), format!("missing field `{key}`")));
        }
    }
    faults
}

/// Reads `value` (at `path`) as a `T`; a fault is placed at the key it is about: serde names
/// the path inside the value, and for an unknown key the key itself.
fn read<T: DeserializeOwned>(path: String, value: &Value, faults: &mut Vec<(String, String)>) {
    // Read from text, not from the value: serde_yaml then names the path inside it.
    let Ok(text) = serde_yaml::to_string(value) else {
        return;
    };
    let Err(error) = serde_yaml::from_str::<T>(&text) else {
        return;
    };
    let message = error.to_string();
    let (inner, message) = match message.split_once(": ") {
        Some((inner, rest)) if !inner.is_empty() && !inner.contains(' ') => {
            (format!(".{inner}"), rest.to_owned())
        }
        _ => (String::new(), message),
    };
    let key = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .map(|key| format!(".{key}"))
        .unwrap_or_default();
    faults.push((format!("{path}{inner}{key}"), message));
}

fn each<T: DeserializeOwned>(section: &str, value: &Value, faults: &mut Vec<(String, String)>) {
    let Value::Mapping(entries) = value else {
        return read::<std::collections::BTreeMap<String, T>>(section.to_owned(), value, faults);
    };
    for (name, entry) in entries {
        let name = name
            .as_str()
            .map_or_else(|| format!("{name:?}"), str::to_owned);
        read::<T>(format!("{section}.{name}"), entry, faults);
    }
}
