//! `tcgen in-docker IMAGE -- COMMAND`: run a command inside a built image.

use std::path::Path;

use crate::error::{EXIT_FAILURE, Error, Result};
use crate::process::Signals;
use crate::render::script_names;
use crate::runner::in_docker::{self, InDocker};
use crate::runner::{Environment, ProcessEnvironment};
use crate::spec::load::load_file;

/// `tcgen in-docker`: resolves the repository (the current directory), the build folder and the
/// caller's ids, then runs. Returns the command's exit code.
pub fn in_docker_command(spec: &Path, mut request: InDocker, dry_run: bool) -> Result<i32> {
    let spec = load_file(spec, &script_names())?;
    request.repo =
        std::env::current_dir().map_err(|e| Error::io("cannot find the current directory", e))?;
    if !request.build_dir.is_absolute() {
        request.build_dir = request.repo.join(&request.build_dir);
    }
    // SAFETY: getuid and getgid cannot fail and have no preconditions.
    request.user = unsafe { (libc::getuid(), libc::getgid()) };
    let signals = Signals::catch()?;
    let env: &dyn Environment = &ProcessEnvironment;
    in_docker::run(&request, &spec, env, &signals, dry_run)
        .map(|code| if code == 0 { 0 } else { code.max(EXIT_FAILURE) })
}
