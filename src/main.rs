//! The `journeydoc` binary: parses arguments, runs the library, maps the
//! outcome to exit codes (0 ok, 1 content errors, 2 usage or I/O errors).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use journeydoc::cli::{CheckArgs, Cli, Command, Format};
use journeydoc::diagnostic::{self, counts};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Check(args) => check(&cli, args),
    }
}

/// Colour only on a terminal, and never with `NO_COLOR` set (no-color.org).
fn color_on_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn check(cli: &Cli, args: &CheckArgs) -> ExitCode {
    let options = journeydoc::Options {
        drafts: args.drafts,
    };
    let run = match journeydoc::load(&cli.root, &options) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(help) = e.help() {
                eprintln!("  = help: {help}");
            }
            return ExitCode::from(2);
        }
    };
    let diags = &run.diagnostics;
    let out = match args.format {
        Format::Text => {
            eprint!(
                "{}",
                diagnostic::render_text(diags, &run.sources, color_on_stderr())
            );
            None
        }
        Format::Json => Some(diagnostic::render_json(diags, &run.sources)),
        Format::Github => Some(diagnostic::render_github(diags, &run.sources)),
    };
    if let Some(out) = out {
        let mut stdout = std::io::stdout().lock();
        if stdout
            .write_all(out.as_bytes())
            .and_then(|_| stdout.flush())
            .is_err()
        {
            return ExitCode::from(2);
        }
    }
    let (errors, warnings) = counts(diags);
    let deny = args.deny_warnings || run.handbook.config.deny_warnings;
    if !cli.quiet {
        let h = &run.handbook;
        eprintln!(
            "checked {} files ({} personas, {} touchpoints, {} journeys, {} pages): {} {}, {} {}{}",
            run.files,
            h.personas.len(),
            h.touchpoints.len(),
            h.journeys.len(),
            h.pages.len() + usize::from(h.home.is_some()),
            errors,
            plural(errors, "error"),
            warnings,
            plural(warnings, "warning"),
            if deny && warnings > 0 {
                " (warnings denied)"
            } else {
                ""
            }
        );
    }
    if errors > 0 || (deny && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
