//! What the dependency assertion at the end of every image checks, and its arguments.

use crate::spec::{Checks, Distro, Spec};

/// Everything the dependency assertion checks in the image of `distro` (with its defaults
/// merged in: [`Spec::with_defaults`]): its checks, those of each tool it installs, and
/// `lsb_release` when required.
pub fn checks_of(spec: &Spec, distro: &Distro) -> Checks {
    let mut checks = distro.checks.clone().unwrap_or_default();
    for tool_name in distro.tools.iter().flatten() {
        merge_checks(&mut checks, &spec.tools[tool_name].checks);
    }
    if distro.lsb_release.unwrap_or_default() {
        merge_checks(
            &mut checks,
            &Checks {
                programs: vec!["lsb_release".to_owned()],
                ..Checks::default()
            },
        );
    }
    checks
}

/// Adds the checks of `extra` to `into`, keeping the first of any repeated entry.
fn merge_checks(into: &mut Checks, extra: &Checks) {
    fn add<T: Clone + PartialEq>(into: &mut Vec<T>, extra: &[T]) {
        for item in extra {
            if !into.contains(item) {
                into.push(item.clone());
            }
        }
    }
    add(&mut into.libraries, &extra.libraries);
    add(&mut into.programs, &extra.programs);
    add(&mut into.commands, &extra.commands);
    into.python_headers |= extra.python_headers;
}

/// The assertion script's arguments: one `--option value` per item, shell-quoted; `python` is
/// the interpreter asked where `Python.h` is.
pub(super) fn assert_args(checks: &Checks, python: &str) -> Vec<String> {
    let q = |s: &str| shell_words::quote(s).into_owned();
    let mut args: Vec<String> = Vec::new();
    args.extend(
        checks
            .libraries
            .iter()
            .map(|l| format!("--library {}", q(l))),
    );
    args.extend(
        checks
            .programs
            .iter()
            .map(|p| format!("--program {}", q(p))),
    );
    if checks.python_headers {
        args.push(format!("--python-headers {}", q(python)));
    }
    for command in &checks.commands {
        let mut arg = format!("--command {}", q(&command.run));
        if !command.expect.is_empty() {
            arg.push_str(&format!(" --expect {}", q(&command.expect.join("|"))));
        }
        args.push(arg);
    }
    args
}
