//! The tcgen binary: everything is in the library's [`tcgen::cli`].

fn main() -> std::process::ExitCode {
    tcgen::cli::main()
}
