//! Checks of the spec's entries: tools, checks, steps and distros, and the references between
//! them.

use super::Validator;
use std::collections::BTreeSet;

use super::values::{FILE_CHARS, LIBRARY_CHARS, NAME_CHARS, PROGRAM_CHARS, URL_CHARS};
use crate::reference;
use crate::spec::{AddRepo, Checks, Distro, InstallStep, Spec, Step, Tool};
use crate::suggest::did_you_mean;

impl Validator {
    pub(super) fn check_tool(
        &mut self,
        path: &str,
        name: &str,
        tool: &Tool,
        known_scripts: &[&str],
    ) {
        self.check_word(path, name, NAME_CHARS, "a tool name");
        if !known_scripts.contains(&tool.script.as_str()) {
            self.problem(
                &format!("{path}.script"),
                &format!(
                    "'{}' is not one of tcgen's scripts; use one of: {}",
                    tool.script.escape_debug(),
                    known_scripts.join(", ")
                ),
            );
        }
        for (key, value) in &tool.env {
            let at = format!("{path}.env.{key}");
            self.check_variable_name(&at, key);
            self.check_word(&at, value, URL_CHARS, "a script variable");
        }
        self.check_checks(&format!("{path}.checks"), &tool.checks);
    }

    pub(super) fn check_tool_names(&mut self, spec: &Spec, path: &str, tools: &[String]) {
        let mut seen = BTreeSet::new();
        for (i, tool) in tools.iter().enumerate() {
            let at = format!("{path}[{i}]");
            if !spec.tools.contains_key(tool) {
                self.problem(&at, &format!("tool '{}' is not defined{}; define it under the top-level tools or remove it", tool.escape_debug(), did_you_mean(tool, spec.tools.keys().map(String::as_str))));
            } else if !seen.insert(tool) {
                self.problem(&at, &format!("tool '{tool}' is listed twice; remove one"));
            }
        }
    }

    pub(super) fn check_checks(&mut self, path: &str, checks: &Checks) {
        for (i, library) in checks.libraries.iter().enumerate() {
            self.check_word(
                &format!("{path}.libraries[{i}]"),
                library,
                LIBRARY_CHARS,
                "a library pattern",
            );
        }
        for (i, program) in checks.programs.iter().enumerate() {
            let at = format!("{path}.programs[{i}]");
            if program.split('|').any(str::is_empty) {
                self.problem(
                    &at,
                    "write programs as NAME or NAME|OTHER, with no empty name",
                );
            } else {
                self.check_word(
                    &at,
                    program,
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+|",
                    "a program name",
                );
            }
        }
        for (i, command) in checks.commands.iter().enumerate() {
            let at = format!("{path}.commands[{i}]");
            self.check_command(&format!("{at}.run"), &command.run);
            for (j, expected) in command.expect.iter().enumerate() {
                self.check_line(&format!("{at}.expect[{j}]"), expected);
                if expected.contains('|') {
                    self.problem(
                        &format!("{at}.expect[{j}]"),
                        "'|' is not allowed here; list each accepted string as its own item",
                    );
                }
            }
        }
    }

    pub(super) fn check_steps(&mut self, path: &str, distro: &Distro, steps: &[Step]) {
        for (i, step) in steps.iter().enumerate() {
            let at = format!("{path}[{i}]");
            match step {
                Step::Run(command) => {
                    self.check_command(&format!("{at}.run"), command);
                    self.check_braced_args(&format!("{at}.run"), command, &distro.gated_args);
                }
                Step::Install(InstallStep { packages, options }) => {
                    self.check_packages(&format!("{at}.install.packages"), packages);
                    self.check_options(&format!("{at}.install.options"), options);
                }
                Step::AddRepo(AddRepo { url, alias }) => {
                    if !distro.family.adds_repos_by_url() {
                        self.problem(&at, &format!("add_repo works only in the zypper family, and this distro is {}: {}", distro.family.name(), distro.family.repository_advice()));
                    }
                    self.check_url_with_args(
                        &format!("{at}.add_repo.url"),
                        url,
                        &distro.gated_args,
                    );
                    if let Some(alias) = alias {
                        self.check_word(
                            &format!("{at}.add_repo.alias"),
                            alias,
                            FILE_CHARS,
                            "a repository alias",
                        );
                    }
                }
            }
        }
    }

    pub(super) fn check_distro(&mut self, spec: &Spec, name: &str, distro: &Distro) {
        let path = format!("distros.{name}");
        if self.check_word(&path, name, NAME_CHARS, "a distro name")
            && name.chars().any(|c| c.is_ascii_uppercase())
        {
            self.problem(
                &path,
                &format!(
                    "distro name '{name}' must be lowercase: it becomes part of an image name"
                ),
            );
        }
        if let Err(error) = reference::parse(&distro.base_image) {
            self.problem(
                &format!("{path}.base_image"),
                &format!("'{}' is not a valid image reference ({error}); write it as [REGISTRY/]NAME[:TAG][@DIGEST]", distro.base_image.escape_debug()),
            );
        }
        self.check_word(
            &format!("{path}.label"),
            &distro.label,
            FILE_CHARS,
            "a build target label",
        );
        if let Some(platforms) = &distro.platforms {
            self.check_platforms(&format!("{path}.platforms"), platforms);
        }
        self.check_distro_references(spec, &path, distro);
        self.check_steps(
            &format!("{path}.before_install"),
            distro,
            &distro.before_install,
        );
        self.check_packages(&format!("{path}.packages"), &distro.packages);
        self.check_options(&format!("{path}.install_options"), &distro.install_options);
        self.check_steps(
            &format!("{path}.after_install"),
            distro,
            &distro.after_install,
        );
        if let Some(tools) = &distro.tools {
            self.check_tool_names(spec, &format!("{path}.tools"), tools);
        }
        if let Some(checks) = &distro.checks {
            self.check_checks(&format!("{path}.checks"), checks);
        }
        if let Some(python) = &distro.assert_python {
            self.check_word(
                &format!("{path}.assert_python"),
                python,
                PROGRAM_CHARS,
                "a Python interpreter (a program name or path)",
            );
        }
    }

    /// A distro's references to the top-level `repositories` and `gated_args`, and whether its
    /// family uses `.repo` files at all.
    fn check_distro_references(&mut self, spec: &Spec, path: &str, distro: &Distro) {
        for (i, repo) in distro.repositories.iter().enumerate() {
            let at = format!("{path}.repositories[{i}]");
            if !spec.repositories.contains_key(repo) {
                self.problem(&at, &format!("repository file '{}' is not defined{}; define it under the top-level repositories", repo.escape_debug(), did_you_mean(repo, spec.repositories.keys().map(String::as_str))));
            }
            if !distro.family.uses_repo_files() {
                self.problem(
                    &at,
                    &format!(
                        "the {} family does not use .repo files: {}",
                        distro.family.name(),
                        distro.family.repository_advice()
                    ),
                );
            }
        }
        for (i, arg) in distro.gated_args.iter().enumerate() {
            if !spec.gated_args.contains_key(arg) {
                self.problem(&format!("{path}.gated_args[{i}]"), &format!("gated argument '{}' is not declared{}; declare it under the top-level gated_args with a description", arg.escape_debug(), did_you_mean(arg, spec.gated_args.keys().map(String::as_str))));
            }
        }
    }
}
