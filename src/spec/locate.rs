//! Finds where a value sits in a YAML file, so that errors found after parsing (by validation)
//! can name a line and column. Paths look like `distros.redhat9.packages[3]`.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Line and column (both 1-based) of every key and sequence item of a YAML document, by path.
#[derive(Debug, Default)]
pub struct Locations {
    by_path: HashMap<String, (usize, usize)>,
}

/// A key that appears twice in one mapping: its path and the line and column of the second.
pub type Duplicate = (String, (usize, usize), usize);

/// The keys of `text` that repeat within their mapping. Cheaper than [`Locations::index`], as
/// it records no paths: every load runs it, while the full index is made only to place errors.
pub fn duplicates(text: &str) -> Vec<Duplicate> {
    walk(text, false).duplicates
}

fn walk(text: &str, record: bool) -> Indexer {
    let mut indexer = Indexer {
        record,
        ..Indexer::default()
    };
    let mut parser = Parser::new_from_str(text);
    if parser.load(&mut indexer, false).is_err() {
        // The scanner cannot read the document: the caller reports serde_yaml's error, with its
        // position, rather than failing twice.
        return Indexer::default();
    }
    indexer
}

impl Locations {
    /// Indexes `text`. A document the scanner cannot read gives an empty index.
    pub fn index(text: &str) -> Self {
        Locations {
            by_path: walk(text, true).by_path,
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

/// Nesting beyond which paths are not recorded; a spec nests at most seven deep.
const MAX_DEPTH: usize = 32;

/// A container being walked: a mapping waiting for a key or a value, or a sequence counting items.
enum Frame {
    Mapping {
        key: Option<String>,
        seen: HashMap<String, usize>,
    },
    Sequence {
        next: usize,
    },
}

#[derive(Default)]
struct Indexer {
    /// Whether to record the position of every path, or only to find duplicates.
    record: bool,
    stack: Vec<Frame>,
    /// Path of each open container, parallel to `stack`.
    paths: Vec<String>,
    by_path: HashMap<String, (usize, usize)>,
    duplicates: Vec<Duplicate>,
}

impl Indexer {
    /// The path of the node that starts now; `None` when it is a mapping key, or a scalar whose
    /// path nobody needs.
    fn enter_node(&mut self, mark: Marker, container: bool) -> Option<String> {
        let parent = self.paths.last().map(String::as_str).unwrap_or_default();
        // Past the deepest a spec goes, paths are not built: each would copy its parent's, and
        // a hostile document nested 50,000 deep would cost gigabytes of copying.
        let wanted = (self.record || container) && self.stack.len() <= MAX_DEPTH;
        let path = match self.stack.last_mut() {
            None => return Some(String::new()),
            Some(Frame::Sequence { next }) => {
                let index = *next;
                *next += 1;
                wanted.then(|| format!("{parent}[{index}]"))?
            }
            Some(Frame::Mapping { key, .. }) => {
                let key = key.take()?;
                wanted.then(|| join(parent, &key))?
            }
        };
        if self.record {
            self.by_path
                .entry(path.clone())
                .or_insert((mark.line(), mark.col() + 1));
        }
        Some(path)
    }

    fn scalar(&mut self, value: String, mark: Marker) {
        let record = self.record && self.stack.len() <= MAX_DEPTH;
        if let Some(Frame::Mapping {
            key: key @ None,
            seen,
        }) = self.stack.last_mut()
        {
            let parent = self.paths.last().map(String::as_str).unwrap_or_default();
            let position = (mark.line(), mark.col() + 1);
            match seen.get(&value) {
                Some(first) => self
                    .duplicates
                    .push((join(parent, &value), position, *first)),
                None => {
                    seen.insert(value.clone(), position.0);
                }
            }
            if record {
                self.by_path.entry(join(parent, &value)).or_insert(position);
            }
            *key = Some(value);
            return;
        }
        self.enter_node(mark, false);
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
                let path = self.enter_node(mark, true).unwrap_or_default();
                self.stack.push(Frame::Sequence { next: 0 });
                self.paths.push(path);
            }
            Event::MappingStart(..) => {
                let path = self.enter_node(mark, true).unwrap_or_default();
                self.stack.push(Frame::Mapping {
                    key: None,
                    seen: HashMap::new(),
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
    fn duplicate_keys_are_reported_where_they_repeat_and_first_stand() {
        let found = duplicates("a: 1\nb:\n  c: 1\n  c: 2\nd: [{e: 1, e: 2}]\n");
        assert_eq!(
            found,
            vec![
                ("b.c".to_owned(), (4, 3), 3),
                ("d[0].e".to_owned(), (5, 12), 5)
            ]
        );
    }

    #[test]
    fn unknown_paths_fall_back_to_the_nearest_ancestor() {
        let locations = Locations::index(DOC);
        assert_eq!(locations.find("a.list[7]"), Some((3, 3)));
        assert_eq!(locations.find("nothing"), None);
    }
}
