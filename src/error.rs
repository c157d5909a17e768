//! The one error type of tcgen, and the exit code each kind of failure maps to.

use std::fmt;
use std::path::PathBuf;

/// Exit code for drift found by `render --check`, or a build or run that failed.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for invalid input or usage.
pub const EXIT_USAGE: i32 = 2;

/// Where in an input file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// One problem in an input file, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Everything that can go wrong in tcgen, each variant with what the user should do about it.
#[derive(Debug)]
pub enum Error {
    /// The spec file is invalid: unreadable, not YAML of the expected shape, or failing
    /// validation. Every problem found is listed, in file order.
    Spec(Vec<Diagnostic>),
    /// The command line asks for something that cannot be done (unknown distro, missing variable).
    Usage(String),
    /// Reading or writing a file failed.
    Io {
        /// What tcgen was doing, with the path.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A template failed to render; this is a bug in tcgen's templates, not in the user's input.
    Template(String),
    /// An external command failed or could not be started.
    Command(String),
}

impl Error {
    /// The usage error for a distro name the spec does not have, listing those it has.
    pub fn unknown_distro<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Self {
        let known: Vec<&str> = known.collect();
        Error::Usage(format!(
            "no distro named '{name}'{}; the spec has: {}",
            crate::suggest::did_you_mean(name, known.iter().copied()),
            known.join(", ")
        ))
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Spec(_) | Error::Usage(_) => EXIT_USAGE,
            Error::Io { .. } | Error::Template(_) | Error::Command(_) => EXIT_FAILURE,
        }
    }

    /// Whether this is a write to standard output that found its reader gone (a closed pipe).
    pub fn is_closed_output(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// An I/O error with a description of what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// A failed write to standard output (a closed pipe among them: see
    /// [`Error::is_closed_output`]).
    pub fn stdout(source: std::io::Error) -> Self {
        Error::io("cannot write to standard output", source)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Spec(diagnostics) => {
                for (i, diagnostic) in diagnostics.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{}: {}", diagnostic.location, diagnostic.message)?;
                }
                Ok(())
            }
            Error::Usage(message) => write!(f, "{message}"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Template(message) => write!(f, "internal template error: {message}"),
            Error::Command(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for Error {}

/// Result type used throughout tcgen.
pub type Result<T> = std::result::Result<T, Error>;
