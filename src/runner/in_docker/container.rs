//! The container's life around the command: the folders it mounts, its creation, and the exit
//! code a shell would give when the engine could not start the command.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::process::{self, Invocation, Outcome};
use crate::runner::Engine;

/// Creates `directories` before they are mounted; those it creates belong to `user` (the
/// caller, or whom `--user` names), so that the command can write there. Existing ones are left
/// as they are.
pub(super) fn make_directories(directories: &[PathBuf], user: (u32, u32)) -> Result<()> {
    // SAFETY: getuid and getgid cannot fail and have no preconditions.
    let caller = unsafe { (libc::getuid(), libc::getgid()) };
    for dir in directories {
        let new = !dir.exists();
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        if new && user != caller {
            std::os::unix::fs::chown(dir, Some(user.0), Some(user.1)).map_err(|e| {
                Error::io(
                    format!("cannot give {} to {}:{}", dir.display(), user.0, user.1),
                    e,
                )
            })?;
        }
    }
    Ok(())
}

/// Creates the container and returns its id. When that fails, the per-image folder this run
/// `made` (with the sources it copied there) is removed: without a container it serves nothing.
pub(super) fn create(engine: Engine, create: &Invocation, made: Option<&Path>) -> Result<String> {
    match process::capture(create) {
        Ok(id) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
        failed => {
            if let Some(folder) = made {
                let _ = std::fs::remove_dir_all(folder);
            }
            Err(failed.err().unwrap_or_else(|| {
                Error::Command(format!(
                    "{} create printed no container id",
                    engine.program()
                ))
            }))
        }
    }
}

/// The command's outcome as the shell would give it: an engine that could not start the command
/// exits 125, where a shell (and `docker run`) says 127 for a command that is not there and 126
/// for one that cannot run; `engine_stderr` says which.
pub(super) fn command_outcome(outcome: Outcome, engine_stderr: &str) -> Outcome {
    let text = engine_stderr.to_ascii_lowercase();
    let exec_failed = |why: &str| text.contains("exec") && text.contains(why);
    match outcome {
        Outcome::Exited(125)
            if exec_failed("executable file not found") || exec_failed("no such file") =>
        {
            Outcome::Exited(127)
        }
        Outcome::Exited(125) if exec_failed("permission denied") => Outcome::Exited(126),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_the_engine_could_not_start_exits_as_a_shell_says() {
        let podman = "Error: unable to start container 0e: runc: runc create failed: unable to start container process: exec: \"nope\": executable file not found in $PATH";
        assert_eq!(
            command_outcome(Outcome::Exited(125), podman),
            Outcome::Exited(127)
        );
        let docker = "OCI runtime exec failed: exec failed: unable to start container process: exec: \"/x\": permission denied";
        assert_eq!(
            command_outcome(Outcome::Exited(125), docker),
            Outcome::Exited(126)
        );
        // The command's own 125, and what it printed, stay as they are.
        assert_eq!(
            command_outcome(
                Outcome::Exited(125),
                "cp: cannot stat 'x': No such file or directory"
            ),
            Outcome::Exited(125)
        );
        assert_eq!(
            command_outcome(Outcome::Exited(3), podman),
            Outcome::Exited(3)
        );
    }
}
