//! Finds where a value sits in a YAML file, so that errors found after parsing (by validation)
//! can name a line and column. Paths look like `distros.redhat9.packages[3]`.

use std::collections::{HashMap, HashSet};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Line and column (both 1-based) of every key and sequence item of a YAML document, by path.
#[derive(Debug, Default)]
pub struct Locations {
    by_path: HashMap<String, (usize, usize)>,
    /// Keys that appear twice in one mapping: their path and the position of the second.
    pub duplicates: Vec<(String, (usize, usize))>,
}

impl Locations {
    /// Indexes `text`. A document the scanner cannot read gives an empty index: the caller
    /// then reports the error without a location rather than failing twice.
    pub fn index(text: &str) -> Self {
        let mut indexer = Indexer::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut indexer, false).is_err() {
            return Self::default();
        }
        Locations {
            by_path: indexer.by_path,
            duplicates: indexer.duplicates,
        }
    }

    /// The line and column of `path`, or of its nearest ancestor that was found.
    pub fn find(&self, path: &str) -> Option<(usize, usize)> {
        let mut candidate = path;
        loop {
            if let Some(found) = self.by_path.get(candidate) {
                return Some(*found);
            }
            let cut = candidate.rfind(['.', '['])?;
            candidate = &candidate[..cut];
        }
    }
}

/// A container being walked: a mapping waiting for a key or a value, or a sequence counting items.
enum Frame {
    Mapping {
        key: Option<String>,
        seen: HashSet<String>,
    },
    Sequence {
        next: usize,
    },
}

#[derive(Default)]
struct Indexer {
    stack: Vec<Frame>,
    /// Path of each open container, parallel to `stack`.
    paths: Vec<String>,
    by_path: HashMap<String, (usize, usize)>,
    duplicates: Vec<(String, (usize, usize))>,
}

impl Indexer {
    /// The path of the node that starts now, or `None` when it is a mapping key.
    fn enter_node(&mut self, mark: Marker) -> Option<String> {
        let parent = self.paths.last().cloned().unwrap_or_default();
        let path = match self.stack.last_mut() {
            None => return Some(String::new()),
            Some(Frame::Sequence { next }) => {
                let path = format!("{parent}[{next}]");
                *next += 1;
                path
            }
            Some(Frame::Mapping { key, .. }) => {
                let key = key.take()?;
                join(&parent, &key)
            }
        };
        self.by_path
            .entry(path.clone())
            .or_insert((mark.line(), mark.col() + 1));
        Some(path)
    }

    fn scalar(&mut self, value: String, mark: Marker) {
        if let Some(Frame::Mapping {
            key: key @ None,
            seen,
        }) = self.stack.last_mut()
        {
            let parent = self.paths.last().cloned().unwrap_or_default();
            let path = join(&parent, &value);
            if !seen.insert(value.clone()) {
                self.duplicates
                    .push((path.clone(), (mark.line(), mark.col() + 1)));
            }
            self.by_path
                .entry(path)
                .or_insert((mark.line(), mark.col() + 1));
            *key = Some(value);
            return;
        }
        self.enter_node(mark);
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl MarkedEventReceiver for Indexer {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => self.scalar(value, mark),
            Event::Alias(_) => self.scalar(String::from("*alias"), mark),
            Event::SequenceStart(..) => {
                let path = self.enter_node(mark).unwrap_or_default();
                self.stack.push(Frame::Sequence { next: 0 });
                self.paths.push(path);
            }
            Event::MappingStart(..) => {
                let path = self.enter_node(mark).unwrap_or_default();
                self.stack.push(Frame::Mapping {
                    key: None,
                    seen: HashSet::new(),
                });
                self.paths.push(path);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
                self.paths.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "a:\n  b: 1\n  list:\n    - x\n    - y: 2\n";

    #[test]
    fn keys_and_items_have_their_lines() {
        let locations = Locations::index(DOC);
        assert_eq!(locations.find("a.b"), Some((2, 3)));
        assert_eq!(locations.find("a.list[0]"), Some((4, 7)));
        assert_eq!(locations.find("a.list[1].y"), Some((5, 7)));
    }

    #[test]
    fn duplicate_keys_are_reported_where_they_repeat() {
        let locations = Locations::index("a: 1\nb:\n  c: 1\n  c: 2\n");
        assert_eq!(locations.duplicates, vec![("b.c".to_owned(), (4, 3))]);
    }

    #[test]
    fn unknown_paths_fall_back_to_the_nearest_ancestor() {
        let locations = Locations::index(DOC);
        assert_eq!(locations.find("a.list[7]"), Some((3, 3)));
        assert_eq!(locations.find("nothing"), None);
    }
}
