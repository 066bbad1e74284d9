//! The `journeydoc` binary: parses arguments, runs the command, maps the
//! outcome to an exit code (0 ok, 1 content errors, 2 usage or I/O errors).

use std::process::ExitCode;

use clap::Parser;

use journeydoc::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match journeydoc::commands::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprint!("{}", failure.text());
            ExitCode::from(failure.code)
        }
    }
}
