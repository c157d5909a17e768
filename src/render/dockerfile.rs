//! Reading back the Dockerfiles tcgen renders: their RUN commands, and the check that each one
//! splits into shell words. Every render runs the check, so that no spec, however it slipped past
//! validation, can produce a RUN line the shell would read differently from what was meant.

use crate::error::{Error, Result};

/// Every RUN command of `dockerfile`, continuation lines joined, `--mount=` flags dropped.
pub fn run_commands(dockerfile: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut current: Option<String> = None;
    for line in dockerfile.lines() {
        let line = match current.take() {
            Some(mut open) => {
                open.push(' ');
                open.push_str(line.trim_start());
                open
            }
            None => match line.strip_prefix("RUN ") {
                Some(rest) => rest.to_owned(),
                None => continue,
            },
        };
        match line.strip_suffix('\\') {
            Some(head) => current = Some(head.to_owned()),
            None => commands.push(line),
        }
    }
    commands
        .into_iter()
        .map(|command| without_mounts(&command).to_owned())
        .collect()
}

/// `command` without the `--mount=` flags (and the spaces) it starts with.
fn without_mounts(command: &str) -> &str {
    let mut rest = command.trim_start_matches(' ');
    while rest.starts_with("--mount=") {
        let end = rest.find(' ').unwrap_or(rest.len());
        rest = rest[end..].trim_start_matches(' ');
    }
    rest
}

/// Fails when a RUN command of the Dockerfile `name` does not split into shell words.
pub fn check_run_commands(name: &str, dockerfile: &str) -> Result<()> {
    for command in run_commands(dockerfile) {
        if let Err(e) = shell_words::split(&command) {
            return Err(Error::Template(format!(
                "{name}: a RUN command does not split into shell words ({e}): {command}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_continuations_and_drops_mounts() {
        let dockerfile = "FROM x\nRUN --mount=type=cache,target=/a \\\n    apt-get update \\\n && apt-get install -y \\\n      gcc\nRUN echo 'a b'\n";
        assert_eq!(
            run_commands(dockerfile),
            ["apt-get update  && apt-get install -y  gcc", "echo 'a b'"]
        );
        assert!(check_run_commands("x", dockerfile).is_ok());
        assert!(check_run_commands("x", "RUN echo 'open\n").is_err());
    }
}
