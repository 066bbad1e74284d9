//! The command line (clap definitions only; `main.rs` acts on them).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "journeydoc",
    version,
    about = "Markdown customer journeys → a static CX handbook",
    long_about = "journeydoc turns a folder of Markdown customer journeys (personas, touchpoints, \
                  journeys through lenses) into a cross-linked customer-experience handbook.\n\
                  Exit codes: 0 success, 1 content errors (or warnings with --deny-warnings), \
                  2 usage or I/O errors."
)]
pub struct Cli {
    /// The handbook folder (the one with book.toml).
    #[arg(
        short = 'r',
        long,
        global = true,
        default_value = ".",
        value_name = "DIR"
    )]
    pub root: PathBuf,
    /// Print only diagnostics: no summary line.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validates the handbook without writing anything: the CI gate.
    Check(CheckArgs),
    /// Builds the handbook into the output folder (`[build] output-dir`, default `public/`).
    Build(BuildArgs),
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Where to write the handbook (default: `[build] output-dir` under the handbook root).
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Include files marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Refuse to build when there are warnings too. Also set by `[check] deny-warnings`.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// How to print diagnostics: text (people), json (tools), github (Actions annotations).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Fail (exit 1) on warnings too. Also set by `[check] deny-warnings`.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Include files marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Github,
}
