//! `distros.yaml`: its types, and the loader that reads, checks and places every fault of it.
//! The only way to a [`ValidSpec`] is [`load::load_file`] or [`load::load_bytes`].

pub mod load;
mod locate;
mod shape;
mod types;
mod validate;

pub use types::*;
pub use validate::ValidSpec;
