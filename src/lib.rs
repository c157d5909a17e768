//! tcgen compiles one `distros.yaml` into the Dockerfiles, `docker buildx bake` file and Makefile
//! of a fleet of toolchain build images, and drives their builds.
//!
//! The pipeline: [`load`] (read and validate a [`spec::Spec`]) → [`model::decide`] (decide
//! everything) → [`render::render`] (tera templates to a [`files::FileSet`]) → [`files::write`]
//! or [`files::check`].

pub mod arch;
pub mod cli;
pub mod digest;
pub mod dockerfile;
pub mod error;
pub mod family;
pub mod files;
pub mod git;
pub mod load;
pub mod locate;
pub mod lock;
pub mod manifest;
pub mod model;
pub mod pipeline;
pub mod plan;
pub mod process;
pub mod reference;
pub mod render;
pub mod runner;
pub mod schema;
pub mod shape;
pub mod spec;
pub mod style;
pub mod suggest;
pub mod table;
pub mod validate;
