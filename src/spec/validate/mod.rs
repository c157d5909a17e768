//! Checks the meaning of a parsed [`Spec`]: names, references between entries, and every value
//! that ends up in a shell command, so that nothing can break or inject into a `RUN` line.

mod entries;
mod values;

use std::collections::BTreeSet;

use crate::spec::Spec;
use values::{FILE_CHARS, NAME_CHARS, PROGRAM_CHARS};

/// One thing wrong with the spec, at a path such as `distros.redhat9.packages[3]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the document, as a dotted path.
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// A spec that passed [`validate`]. Only validation makes one, so whatever takes it (the model)
/// can rely on every name the spec refers to being defined and every value being safe.
#[derive(Debug, Clone)]
pub struct ValidSpec(Spec);

impl std::ops::Deref for ValidSpec {
    type Target = Spec;

    fn deref(&self) -> &Spec {
        &self.0
    }
}

/// The spec, once it is valid; else every problem found in it, in document order of the
/// checks. `known_scripts` are the tool scripts tcgen ships.
pub fn validate(spec: Spec, known_scripts: &[&str]) -> Result<ValidSpec, Vec<Problem>> {
    let problems = problems(&spec, known_scripts);
    if problems.is_empty() {
        Ok(ValidSpec(spec))
    } else {
        Err(problems)
    }
}

fn problems(spec: &Spec, known_scripts: &[&str]) -> Vec<Problem> {
    let mut v = Validator::default();
    v.check_word(
        "image_prefix",
        &spec.image_prefix,
        NAME_CHARS,
        "an image name prefix",
    );
    if spec.image_prefix.chars().any(|c| c.is_ascii_uppercase()) {
        v.problem("image_prefix", "image names must be lowercase");
    }
    v.check_url("source", &spec.source);
    for (name, arg) in &spec.gated_args {
        let path = format!("gated_args.{name}");
        v.check_variable_name(&path, name);
        v.check_line(&format!("{path}.description"), &arg.description);
    }
    v.check_repositories(spec);
    for (name, tool) in &spec.tools {
        v.check_tool(&format!("tools.{name}"), name, tool, known_scripts);
    }
    v.check_platforms("defaults.platforms", &spec.defaults.platforms);
    v.check_tool_names(spec, "defaults.tools", &spec.defaults.tools);
    v.check_checks("defaults.checks", &spec.defaults.checks);
    v.check_word(
        "defaults.assert_python",
        &spec.defaults.assert_python,
        PROGRAM_CHARS,
        "a Python interpreter (a program name or path)",
    );
    v.non_empty("distros", spec.distros.is_empty(), "the spec");
    for (name, distro) in &spec.distros {
        v.check_distro(spec, name, distro);
    }
    v.problems
}
#[derive(Default)]
struct Validator {
    problems: Vec<Problem>,
}

impl Validator {
    fn problem(&mut self, path: &str, message: &str) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.to_owned(),
        });
    }

    fn non_empty(&mut self, path: &str, is_empty: bool, what: &str) {
        if is_empty {
            self.problem(
                path,
                &format!("{path} is empty; {what} needs at least one entry"),
            );
        }
    }

    /// The top-level `.repo` files: names, destinations, keys and sections.
    fn check_repositories(&mut self, spec: &Spec) {
        for (name, repo) in &spec.repositories {
            let path = format!("repositories.{name}");
            self.check_word(&path, name, FILE_CHARS, "a repository file name");
            if let Some(dest) = &repo.dest {
                self.check_word(
                    &format!("{path}.dest"),
                    dest,
                    FILE_CHARS,
                    "a repository file name",
                );
            }
            if let Some(key) = &repo.gpgkey {
                self.check_repo_url(&format!("{path}.gpgkey"), key);
            }
            self.non_empty(
                &format!("{path}.sections"),
                repo.sections.is_empty(),
                "a repository file",
            );
            let mut ids = BTreeSet::new();
            for (i, section) in repo.sections.iter().enumerate() {
                let at = format!("{path}.sections[{i}]");
                self.check_word(
                    &format!("{at}.id"),
                    &section.id,
                    NAME_CHARS,
                    "a repository id",
                );
                if !ids.insert(&section.id) {
                    self.problem(&format!("{at}.id"), &format!("repository id '{}' appears twice in this file; give each section its own id", section.id));
                }
                self.check_line(&format!("{at}.name"), &section.name);
                self.check_repo_url(&format!("{at}.baseurl"), &section.baseurl);
                if let Some(key) = &section.gpgkey {
                    self.check_repo_url(&format!("{at}.gpgkey"), key);
                }
            }
        }
    }
}
