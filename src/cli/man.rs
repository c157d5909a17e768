//! `tcgen man [--out DIR]`: the man page on standard output, or with `--out` the pages of tcgen
//! and of each of its commands (`tcgen.1`, `tcgen-render.1`, ...), the ones `tcgen.1` names.

use std::io::Read as _;
use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::args::Cli;
use crate::error::{Error, Result};
use crate::words::count;

/// What every page clap_mangen writes for tcgen holds: proof that tcgen wrote a file there.
const PAGE_MARK: &str = ".TH tcgen";

/// Prints the page of tcgen, or writes every page into `out`.
pub fn man_command(out: Option<&Path>, stdout: &mut dyn Write) -> Result<()> {
    let Some(out) = out else {
        return clap_mangen::Man::new(Cli::command())
            .render(stdout)
            .map_err(Error::stdout);
    };
    let io = |what: &str, path: &Path, e| Error::io(format!("cannot {what} {}", path.display()), e);
    std::fs::create_dir_all(out).map_err(|e| io("create", out, e))?;
    let staging = tempfile_dir(out)?;
    let written = write_pages(&staging, out);
    let _ = std::fs::remove_dir_all(&staging);
    let names = written?;
    writeln!(
        stdout,
        "wrote {} into {}: {}",
        count(names.len(), "man page"),
        out.display(),
        names.join(", ")
    )
    .map_err(Error::stdout)
}

/// A new folder inside `out` for the pages while they are made.
fn tempfile_dir(out: &Path) -> Result<std::path::PathBuf> {
    let staging = out.join(format!(".tcgen-man-{}", std::process::id()));
    std::fs::create_dir(&staging)
        .map_err(|e| Error::io(format!("cannot create {}", staging.display()), e))?;
    Ok(staging)
}

/// Renders every page into `staging`, then moves them into `out`, refusing (before moving any)
/// to replace a file that is not a page tcgen wrote. Returns the file names, sorted.
fn write_pages(staging: &Path, out: &Path) -> Result<Vec<String>> {
    clap_mangen::generate_to(Cli::command(), staging).map_err(|e| {
        Error::io(
            format!("cannot write man pages into {}", staging.display()),
            e,
        )
    })?;
    let mut names: Vec<String> = std::fs::read_dir(staging)
        .map_err(|e| Error::io(format!("cannot list {}", staging.display()), e))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let target = out.join(name);
        if target.exists() && !is_our_page(&target) {
            return Err(Error::Usage(format!(
                "{} exists and is not a man page tcgen wrote: move it, or pass another --out",
                target.display()
            )));
        }
    }
    for name in &names {
        std::fs::rename(staging.join(name), out.join(name))
            .map_err(|e| Error::io(format!("cannot write {}", out.join(name).display()), e))?;
    }
    Ok(names)
}

/// Whether `path` is a page tcgen wrote (its title line names tcgen).
fn is_our_page(path: &Path) -> bool {
    let mut opening = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(4096).read_to_end(&mut opening))
        .is_ok()
        && String::from_utf8_lossy(&opening).contains(PAGE_MARK)
}
