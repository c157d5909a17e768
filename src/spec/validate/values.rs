//! Checks of single values: the characters a name, URL, package or command may hold, so that
//! nothing can break or inject into a `RUN` line.

use std::collections::BTreeSet;

use super::Validator;
use crate::arch;
use crate::suggest::did_you_mean;

/// Characters of names: distros, tools, repository ids, image prefixes.
pub(super) const NAME_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
/// Characters of file names.
pub(super) const FILE_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
/// Characters of a program name or path (`python3`, `/usr/bin/python2.7`).
pub(super) const PROGRAM_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./";
/// Characters of package names: `gcc-c++`, `perl(FindBin)`, `java-1.8.0-openjdk`, `libncurses6-5.9-40.124.x86_64`.
pub(super) const PACKAGE_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+:()=~@";
/// Characters of URLs and of values handed to scripts: no quote, space, `;`, `&`, `|`, `$`,
/// backquote or backslash.
pub(super) const URL_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~:/%+=,@";
/// Characters of library patterns for `ldconfig -p`.
pub(super) const LIBRARY_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+*";

/// Whether `c` belongs to `allowed`, one of the character sets here (each includes every ASCII
/// letter and digit, tested first as the common case).
fn is_allowed(c: char, allowed: &str) -> bool {
    c.is_ascii_alphanumeric() || allowed.contains(c)
}

impl Validator {
    /// A value made only of `allowed` characters; the message names the first one that is not.
    pub(super) fn check_word(
        &mut self,
        path: &str,
        value: &str,
        allowed: &str,
        what: &str,
    ) -> bool {
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
    pub(super) fn check_url(&mut self, path: &str, url: &str) {
        self.check_url_chars(path, url, url, URL_CHARS);
    }

    /// A URL in a `.repo` file, which is not shell: yum variables such as `$basearch` are kept.
    pub(super) fn check_repo_url(&mut self, path: &str, url: &str) {
        self.check_url_chars(path, url, url, &format!("{URL_CHARS}$"));
    }

    /// A URL that may use `${ARG}` for the build arguments `args`, and is otherwise safe.
    pub(super) fn check_url_with_args(&mut self, path: &str, url: &str, args: &[String]) {
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
    pub(super) fn check_url_chars(&mut self, path: &str, url: &str, checked: &str, allowed: &str) {
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
    pub(super) fn check_line(&mut self, path: &str, value: &str) {
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
    pub(super) fn check_command(&mut self, path: &str, command: &str) {
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
    pub(super) fn check_braced_args(
        &mut self,
        path: &str,
        text: &str,
        args: &[String],
    ) -> Option<String> {
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

    pub(super) fn check_variable_name(&mut self, path: &str, name: &str) {
        let valid = name.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            self.problem(path, &format!("'{}' is not a valid variable name; use capitals, digits and '_', such as SLES_MIRROR", name.escape_debug()));
        }
    }

    pub(super) fn check_platforms(&mut self, path: &str, platforms: &[String]) {
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

    pub(super) fn check_packages(&mut self, path: &str, packages: &[String]) {
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

    pub(super) fn check_options(&mut self, path: &str, options: &[String]) {
        for (i, option) in options.iter().enumerate() {
            let at = format!("{path}[{i}]");
            if !option.starts_with('-') {
                self.problem(&at, &format!("'{}' is not an option; options start with '-' (packages go under packages)", option.escape_debug()));
            } else {
                self.check_word(&at, option, URL_CHARS, "an option");
            }
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
