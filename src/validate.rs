//! Checks the meaning of a parsed [`Spec`]: names, references between entries, and every value
//! that ends up in a shell command, so that nothing can break or inject into a `RUN` line.

use std::collections::BTreeSet;

use crate::arch;
use crate::reference;
use crate::spec::{AddRepo, Checks, Distro, InstallStep, Spec, Step, Tool};
use crate::suggest::did_you_mean;

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
    for (name, repo) in &spec.repositories {
        let path = format!("repositories.{name}");
        v.check_word(&path, name, FILE_CHARS, "a repository file name");
        if let Some(dest) = &repo.dest {
            v.check_word(
                &format!("{path}.dest"),
                dest,
                FILE_CHARS,
                "a repository file name",
            );
        }
        if let Some(key) = &repo.gpgkey {
            v.check_repo_url(&format!("{path}.gpgkey"), key);
        }
        v.non_empty(
            &format!("{path}.sections"),
            repo.sections.is_empty(),
            "a repository file",
        );
        let mut ids = BTreeSet::new();
        for (i, section) in repo.sections.iter().enumerate() {
            let at = format!("{path}.sections[{i}]");
            v.check_word(
                &format!("{at}.id"),
                &section.id,
                NAME_CHARS,
                "a repository id",
            );
            if !ids.insert(&section.id) {
                v.problem(&format!("{at}.id"), &format!("repository id '{}' appears twice in this file; give each section its own id", section.id));
            }
            v.check_line(&format!("{at}.name"), &section.name);
            v.check_repo_url(&format!("{at}.baseurl"), &section.baseurl);
            if let Some(key) = &section.gpgkey {
                v.check_repo_url(&format!("{at}.gpgkey"), key);
            }
        }
    }
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

/// Characters of names: distros, tools, repository ids, image prefixes.
const NAME_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
/// Characters of file names.
const FILE_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
/// Characters of a program name or path (`python3`, `/usr/bin/python2.7`).
const PROGRAM_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./";
/// Characters of package names: `gcc-c++`, `perl(FindBin)`, `java-1.8.0-openjdk`, `libncurses6-5.9-40.124.x86_64`.
const PACKAGE_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+:()=~@";
/// Characters of URLs and of values handed to scripts: no quote, space, `;`, `&`, `|`, `$`,
/// backquote or backslash.
const URL_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~:/%+=,@";
/// Characters of library patterns for `ldconfig -p`.
const LIBRARY_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+*";

/// Whether `c` belongs to `allowed`, one of the character sets here (each includes every ASCII
/// letter and digit, tested first as the common case).
fn is_allowed(c: char, allowed: &str) -> bool {
    c.is_ascii_alphanumeric() || allowed.contains(c)
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

    /// A value made only of `allowed` characters; the message names the first one that is not.
    fn check_word(&mut self, path: &str, value: &str, allowed: &str, what: &str) -> bool {
        if value.is_empty() {
            self.problem(path, &format!("{what} must not be empty"));
            return false;
        }
        if let Some(bad) = value.chars().find(|c| !is_allowed(*c, allowed)) {
            self.problem(
                path,
                &format!(
                    "'{}' is not valid as {what}: {} is not allowed (it could break or inject into a RUN line); allowed are letters, digits and {}",
                    value.escape_debug(),
                    describe_char(bad),
                    allowed.trim_start_matches(char::is_alphanumeric)
                ),
            );
            return false;
        }
        true
    }

    /// A URL that ends up in a shell command: safe characters only.
    fn check_url(&mut self, path: &str, url: &str) {
        self.check_url_chars(path, url, url, URL_CHARS);
    }

    /// A URL in a `.repo` file, which is not shell: yum variables such as `$basearch` are kept.
    fn check_repo_url(&mut self, path: &str, url: &str) {
        self.check_url_chars(path, url, url, &format!("{URL_CHARS}$"));
    }

    /// A URL that may use `${ARG}` for the build arguments `args`, and is otherwise safe.
    fn check_url_with_args(&mut self, path: &str, url: &str, args: &[String]) {
        let Some(plain) = self.check_braced_args(path, url, args) else {
            return;
        };
        // A URL that starts with a gated argument takes its scheme from it.
        let plain = if url.starts_with("${") {
            format!("https://{plain}")
        } else {
            plain
        };
        self.check_url_chars(path, url, &plain, URL_CHARS);
    }

    /// `checked` (the URL with any placeholder taken out) has a scheme and only `allowed` characters.
    fn check_url_chars(&mut self, path: &str, url: &str, checked: &str, allowed: &str) {
        let has_scheme = ["https://", "http://", "file://"]
            .iter()
            .any(|s| checked.starts_with(s));
        if !has_scheme {
            self.problem(
                path,
                &format!(
                    "'{}' is not a URL; write it as https://...",
                    url.escape_debug()
                ),
            );
            return;
        }
        self.check_word(path, checked, allowed, "a URL");
    }

    /// A line of text: not empty, no line breaks or control characters.
    fn check_line(&mut self, path: &str, value: &str) {
        if value.trim().is_empty() {
            self.problem(path, "must not be empty");
        } else if let Some(bad) = value.chars().find(|c| c.is_control()) {
            self.problem(
                path,
                &format!(
                    "{} is not allowed; write it on one line",
                    describe_char(bad)
                ),
            );
        }
    }

    /// A shell command: one line whose quotes balance, so that the shell runs what was written
    /// instead of failing the build on a syntax error.
    fn check_command(&mut self, path: &str, command: &str) {
        let problems = self.problems.len();
        self.check_line(path, command);
        if self.problems.len() == problems && shell_words::split(command).is_err() {
            self.problem(
                path,
                &format!(
                    "the quotes in '{}' do not balance (or it ends in a lone backslash); the shell could not run it",
                    command.escape_debug()
                ),
            );
        }
    }

    /// Every `${NAME}` in `text` (a `run:` step, an `add_repo` URL) must be a gated argument
    /// of the distro: the only build arguments its Dockerfile declares. Returns `text` with
    /// them taken out, or `None` once a problem is reported.
    fn check_braced_args(&mut self, path: &str, text: &str, args: &[String]) -> Option<String> {
        let mut plain = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            plain.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('}') else {
                self.problem(
                    path,
                    "'${' is not closed; write ${NAME} for a gated argument",
                );
                return None;
            };
            let name = &rest[start + 2..start + len];
            if !args.iter().any(|a| a == name) {
                self.problem(path, &format!("'${{{name}}}' is not a gated argument of this distro{}; add '{name}' to its gated_args (declared under the top-level gated_args)", did_you_mean(name, args.iter().map(String::as_str))));
                return None;
            }
            rest = &rest[start + len + 1..];
        }
        plain.push_str(rest);
        Some(plain)
    }

    fn check_variable_name(&mut self, path: &str, name: &str) {
        let valid = name.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            self.problem(path, &format!("'{}' is not a valid variable name; use capitals, digits and '_', such as SLES_MIRROR", name.escape_debug()));
        }
    }

    fn check_platforms(&mut self, path: &str, platforms: &[String]) {
        self.non_empty(path, platforms.is_empty(), "a platform list");
        let mut seen = BTreeSet::new();
        for (i, platform) in platforms.iter().enumerate() {
            let at = format!("{path}[{i}]");
            if let Err(message) = arch::check_platform(platform) {
                self.problem(&at, &message);
            } else if !seen.insert(platform) {
                self.problem(
                    &at,
                    &format!("platform '{platform}' is listed twice; remove one"),
                );
            }
        }
    }

    fn check_packages(&mut self, path: &str, packages: &[String]) {
        self.non_empty(path, packages.is_empty(), "a package list");
        let mut seen = BTreeSet::new();
        for (i, package) in packages.iter().enumerate() {
            let plain = !package.is_empty()
                && package.chars().all(|c| is_allowed(c, PACKAGE_CHARS))
                && !package.starts_with(['-', '(', ')']);
            if plain && seen.insert(package) {
                // The common case, checked without building the item's path.
                continue;
            }
            let at = format!("{path}[{i}]");
            let valid = if package.contains("://") {
                self.check_url(&at, package);
                true
            } else {
                self.check_word(&at, package, PACKAGE_CHARS, "a package name")
            };
            if valid && package.starts_with(['-', '(', ')']) {
                self.problem(&at, &format!("'{package}' is not valid as a package name: it must start with a letter or digit"));
            } else if valid && !seen.insert(package) {
                self.problem(
                    &at,
                    &format!("package '{package}' is listed twice; remove one"),
                );
            }
        }
    }

    fn check_options(&mut self, path: &str, options: &[String]) {
        for (i, option) in options.iter().enumerate() {
            let at = format!("{path}[{i}]");
            if !option.starts_with('-') {
                self.problem(&at, &format!("'{}' is not an option; options start with '-' (packages go under packages)", option.escape_debug()));
            } else {
                self.check_word(&at, option, URL_CHARS, "an option");
            }
        }
    }

    fn check_tool(&mut self, path: &str, name: &str, tool: &Tool, known_scripts: &[&str]) {
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

    fn check_tool_names(&mut self, spec: &Spec, path: &str, tools: &[String]) {
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

    fn check_checks(&mut self, path: &str, checks: &Checks) {
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

    fn check_steps(&mut self, path: &str, distro: &Distro, steps: &[Step]) {
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
                        self.problem(&at, &format!("add_repo works only in the zypper family, and this distro is {}; yum and dnf distros list .repo files under repositories", distro.family.name()));
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

    fn check_distro(&mut self, spec: &Spec, name: &str, distro: &Distro) {
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
        for (i, repo) in distro.repositories.iter().enumerate() {
            let at = format!("{path}.repositories[{i}]");
            if !spec.repositories.contains_key(repo) {
                self.problem(&at, &format!("repository file '{}' is not defined{}; define it under the top-level repositories", repo.escape_debug(), did_you_mean(repo, spec.repositories.keys().map(String::as_str))));
            }
            if !distro.family.uses_repo_files() {
                self.problem(
                    &at,
                    &format!(
                        "the {} family does not use .repo files; use an add_repo step",
                        distro.family.name()
                    ),
                );
            }
        }
        for (i, arg) in distro.gated_args.iter().enumerate() {
            if !spec.gated_args.contains_key(arg) {
                self.problem(&format!("{path}.gated_args[{i}]"), &format!("gated argument '{}' is not declared{}; declare it under the top-level gated_args with a description", arg.escape_debug(), did_you_mean(arg, spec.gated_args.keys().map(String::as_str))));
            }
        }
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
}

/// A character named so that invisible ones can be seen in a message.
fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '\n' => "a line break".to_owned(),
        '\t' => "a tab".to_owned(),
        c if c.is_control() => format!("control character U+{:04X}", c as u32),
        c => format!("'{c}'"),
    }
}
