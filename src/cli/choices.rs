//! The values some options choose from (`--engine`, `--color`), and the plain values they
//! become below the command line.

use clap::ValueEnum;

use crate::runner::Engine;
use crate::style::ColorChoice;

/// The container engine, as `--engine` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    /// `docker` (with the buildx plugin for `tcgen build`).
    Docker,
    /// `podman`.
    Podman,
}

impl From<EngineArg> for Engine {
    fn from(engine: EngineArg) -> Engine {
        match engine {
            EngineArg::Docker => Engine::Docker,
            EngineArg::Podman => Engine::Podman,
        }
    }
}

/// When to colour output, as `--color` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when the stream is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl From<ColorWhen> for ColorChoice {
    fn from(when: ColorWhen) -> ColorChoice {
        match when {
            ColorWhen::Auto => ColorChoice::Auto,
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
        }
    }
}
