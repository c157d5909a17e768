//! tcgen compiles one `distros.yaml` into the Dockerfiles, `docker buildx bake` file and Makefile
//! of a fleet of toolchain build images, and drives their builds.
//!
//! The pipeline: [`spec::load`] (read and validate a [`spec::Spec`]) → [`model::decide`] (decide
//! everything) → [`render::render`] (tera templates to an [`output::FileSet`]) → write or check
//! the output folder. [`pipeline::compile`] runs it in memory; [`cli::main`] is the program.
//!
//! The public API is what the binary, the tests and the benches use; every other module is
//! private, so that code nothing uses shows up as dead.

pub mod cli;
pub mod error;
pub mod model;
pub mod output;
pub mod packages;
pub mod pipeline;
pub mod render;
pub mod spec;

mod arch;
mod family;
mod git;
mod hash;
mod lock;
mod outdir;
mod plan;
mod process;
mod reference;
mod runner;
mod style;
mod suggest;
mod table;
mod words;

pub use runner::in_docker::{PASSTHROUGH, copy_sources};
