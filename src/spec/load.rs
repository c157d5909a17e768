//! Reads `distros.yaml`: bytes to text to [`Spec`], then validation, turning every failure into
//! diagnostics that name the file, line and column.

use std::path::Path;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::spec::Spec;
use crate::spec::locate::{Locations, duplicates};
use crate::spec::shape;
use crate::spec::validate::{ValidSpec, validate};
use crate::suggest::did_you_mean;

/// The largest spec tcgen reads: 3.5 times a 10,000-distro spec. Larger input is refused before
/// it is read, so a huge or endless file costs neither time nor memory.
pub const MAX_SPEC_BYTES: u64 = 32 * 1024 * 1024;

/// The deepest flow nesting (`[` and `{`) tcgen parses. A spec nests a few levels; the YAML
/// scanner's time grows with the square of the depth, so a hostile file nested 50,000 deep
/// would otherwise take seconds per thousand levels.
const MAX_FLOW_DEPTH: usize = 64;

/// Reads and validates the spec at `path`.
pub fn load_file(path: &Path, known_scripts: &[&str]) -> Result<ValidSpec> {
    let cannot_read = |e: std::io::Error| {
        single(
            path,
            None,
            format!("cannot read the spec: {e}; pass the right file with --spec"),
        )
    };
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let mut bytes = Vec::new();
    use std::io::Read as _;
    file.take(MAX_SPEC_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    load_bytes(path, &bytes, known_scripts)
}

/// Parses and validates spec `bytes` that came from `path` (used in messages only).
pub fn load_bytes(path: &Path, bytes: &[u8], known_scripts: &[&str]) -> Result<ValidSpec> {
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        return Err(single(
            path,
            None,
            format!(
                "the file is larger than {} MiB, more than any fleet needs; is it the right file?",
                MAX_SPEC_BYTES / 1024 / 1024
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        single(
            path,
            Some((line, None)),
            "the file is not valid UTF-8; save it as UTF-8".to_owned(),
        )
    })?;
    if text.trim().is_empty() {
        return Err(single(
            path,
            None,
            "the file is empty; it must describe at least one distro (see distros.yaml in the tcgen repository)".to_owned(),
        ));
    }
    if let Some(line) = too_deep(text) {
        return Err(single(
            path,
            Some((line, None)),
            format!("brackets nest deeper than {MAX_FLOW_DEPTH} levels here; a spec needs a few"),
        ));
    }
    let spec: Spec = serde_yaml::from_str(text).map_err(|e| structural_error(path, text, &e))?;
    let problems = match validate(spec, known_scripts) {
        Ok(valid) => return Ok(valid),
        Err(problems) => problems,
    };
    let locations = Locations::index(text);
    let mut diagnostics: Vec<Diagnostic> = problems
        .into_iter()
        .map(|problem| {
            let position = locations.find(&problem.path).map(|(l, c)| (l, Some(c)));
            Diagnostic {
                location: at(path, position),
                message: format!("{}: {}", problem.path, problem.message),
            }
        })
        .collect();
    diagnostics.sort_by_key(|d| (d.location.line, d.location.column));
    Err(Error::Spec(diagnostics))
}

/// The error for a spec serde could not read: a repeated key, a tab in indentation, or every
/// structural fault of the file where more than one can be found; else serde's own, placed.
fn structural_error(path: &Path, text: &str, e: &serde_yaml::Error) -> Error {
    // A repeated key is one cause of failure; the search that names it runs only now.
    if let Some((key, (line, column), first)) = duplicates(text).first() {
        return single(
            path,
            Some((*line, Some(*column))),
            format!(
                "{key} appears twice (first on line {first}); each key may appear once in its mapping, remove or rename one"
            ),
        );
    }
    let position = e.location().map(|l| (l.line(), Some(l.column())));
    // YAML indents with spaces only: a tab before the fault is the likeliest cause.
    let tab_line = text
        .lines()
        .enumerate()
        .take(position.map_or(0, |(line, _)| line))
        .filter(|(_, l)| l.trim_start_matches(' ').starts_with('\t'))
        .last()
        .map(|(index, _)| index + 1);
    if let Some(line) = tab_line {
        return single(
            path,
            Some((line, None)),
            "a tab indents this line; YAML indents with spaces only: replace the tab with spaces"
                .to_owned(),
        );
    }
    // Other entries may be broken too: read each on its own, and report them all.
    let faults = shape::faults(text);
    if faults.len() > 1 {
        let locations = Locations::index(text);
        let mut diagnostics: Vec<Diagnostic> = faults
            .iter()
            .map(|(fault_path, error)| {
                // A missing top-level key belongs to the document: its first line.
                let position = if fault_path.is_empty() {
                    Some((1, Some(1)))
                } else {
                    locations.find(fault_path).map(|(l, c)| (l, Some(c)))
                };
                let message = parse_message(error);
                Diagnostic {
                    location: at(path, position),
                    message: if fault_path.is_empty() {
                        message
                    } else {
                        format!("{fault_path}: {message}")
                    },
                }
            })
            .collect();
        diagnostics.sort_by_key(|d| (d.location.line, d.location.column));
        return Error::Spec(diagnostics);
    }
    single(path, position, parse_message(&e.to_string()))
}

/// The line where `[`/`{` nesting first goes past [`MAX_FLOW_DEPTH`], outside quotes and
/// comments, if it does.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (index, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(open), c) if c == open => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(index + 1);
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

/// serde_yaml's message without the position it appends (the location carries that), and with
/// a hint where the message alone does not say what to do.
fn parse_message(error: &str) -> String {
    let text = without_position(error);
    // serde names the unknown word and the expected ones in backquotes.
    let quoted: Vec<&str> = text.split('`').skip(1).step_by(2).collect();
    let suggestion = match quoted.split_first() {
        Some((unknown, expected)) => did_you_mean(unknown, expected.iter().copied()),
        None => String::new(),
    };
    if text.contains("unknown field `<<`") {
        "YAML merge keys (<<) are not supported: write the keys out in each entry, or move what distros share to defaults".to_owned()
    } else if text.contains("unknown field") {
        format!("{text}{suggestion}; check the spelling or remove the key")
    } else if text.contains("missing field") {
        format!("{text}; add it")
    } else if text.contains("unknown variant") {
        format!("{text}{suggestion}; use one of the listed values")
    } else if text.contains("expected map with a single key") {
        format!(
            "{}: a step is a mapping with exactly one key, install, add_repo or run; split it into one step per key",
            text.split(':').next().unwrap_or(&text)
        )
    } else if text.contains("duplicate entry") {
        format!("{text}; each name may appear once, remove or rename one")
    } else {
        text
    }
}

/// `text` without serde_yaml's " at line N column M", wherever it stands.
fn without_position(text: &str) -> String {
    let Some(start) = text.find(" at line ") else {
        return text.to_owned();
    };
    let rest = &text[start..];
    let end = rest
        .find(" column ")
        .map(|c| c + " column ".len())
        .map(|c| {
            c + rest[c..]
                .find(|ch: char| !ch.is_ascii_digit())
                .unwrap_or(rest.len() - c)
        })
        .unwrap_or(rest.len());
    format!("{}{}", &text[..start], &rest[end..])
}

fn at(path: &Path, position: Option<(usize, Option<usize>)>) -> Location {
    Location {
        file: path.to_path_buf(),
        line: position.map(|(line, _)| line),
        column: position.and_then(|(_, column)| column),
    }
}

fn single(path: &Path, position: Option<(usize, Option<usize>)>, message: String) -> Error {
    Error::Spec(vec![Diagnostic {
        location: at(path, position),
        message,
    }])
}
