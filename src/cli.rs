//! The command line (clap definitions only; `main.rs` acts on them).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "journeydoc",
    version,
    help_template = "{name} {version}\n{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}",
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
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Show what happens: each phase of the run (reading, checking, rendering, writing) with its time and memory, on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Colour in diagnostics: `auto` (on a terminal, unless `NO_COLOR` is set), `always` or `never`.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validates the handbook without writing anything: the CI gate.
    #[command(
        after_help = "Examples:\n  journeydoc check\n  journeydoc check --format github --deny-warnings   # in CI: annotations on the pull request"
    )]
    Check(CheckArgs),
    /// Builds the handbook into the output folder (`[build] output-dir`, default `public/`).
    #[command(
        after_help = "Examples:\n  journeydoc build\n  journeydoc build --output site --deny-warnings"
    )]
    Build(BuildArgs),
    /// Creates a new handbook: book.toml, personas, touchpoints and journeys that check clean.
    #[command(
        after_help = "Examples:\n  journeydoc init my-handbook\n  journeydoc init mi-manual --language es"
    )]
    Init(InitArgs),
    /// Creates a pre-filled persona, touchpoint or journey file.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  journeydoc new persona ana\n  journeydoc new journey --persona ana --lens activity\n  journeydoc new opportunity link-guest-orders"
    )]
    New(NewCommand),
    /// Writes the model for other tools: json (journeys.json), csv (a row per step) or mermaid.
    #[command(
        after_help = "Examples:\n  journeydoc export --format csv -o steps.csv\n  journeydoc export --format png carla/activity -o carla.png"
    )]
    Export(ExportArgs),
    /// Turns another format into a journey file.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  journeydoc import mermaid journey.mmd --persona ana --lens activity"
    )]
    Import(ImportCommand),
    /// Prints the JSON Schema of persona, touchpoint or journey front matter.
    #[command(after_help = "Examples:\n  journeydoc schema journey > journey.schema.json")]
    Schema(SchemaArgs),
    /// Builds in memory, serves on 127.0.0.1, rebuilds on every change and reloads the browser.
    #[command(after_help = "Examples:\n  journeydoc serve\n  journeydoc serve --port 8080 --open")]
    Serve(ServeArgs),
    /// What changed for the customer between two versions (a folder, a journeys.json, or git:REV).
    #[command(
        after_help = "Examples:\n  journeydoc diff git:main\n  journeydoc diff git:origin/main --format markdown -o diff.md --fail-on-regression"
    )]
    Diff(DiffArgs),
    /// Speaks the Language Server Protocol on stdin/stdout: check's diagnostics as you type, completion, hover, go to definition, references, rename.
    #[command(
        after_help = "Examples:\n  journeydoc lsp   # started by the editor; see docs/lsp.md for VS Code, Neovim and Helix"
    )]
    Lsp,
    /// Prints a shell completion script: `journeydoc completions bash > ~/.local/share/bash-completion/completions/journeydoc`.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Prints the manual page (roff): `journeydoc man > journeydoc.1 && man ./journeydoc.1`.
    Man,
}

/// When diagnostics are coloured (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: a handbook folder, a journeys.json, or `git:REV`.
    pub old: String,
    /// The new version (default: the handbook at `--root`).
    pub new: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 when a gap opens, a journey's average emotion drops, or a pain appears without an opportunity.
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port (default `[serve] port`, 3000); 0 picks a free one.
    #[arg(short, long)]
    pub port: Option<u16>,
    /// Address to listen on (default `[serve] address`, 127.0.0.1).
    #[arg(short, long)]
    pub address: Option<String>,
    /// Open the handbook in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Include files marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder (created if missing; may exist if nothing in it would be overwritten).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Language of the example content and of the handbook.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub language: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    En,
    Es,
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// content/personas/ID.md
    Persona { id: String },
    /// content/touchpoints/ID.md
    Touchpoint { id: String },
    /// content/research/ID.md: a study that steps cite as `evidence`
    Research { id: String },
    /// content/opportunities/ID.md: an improvement that steps name in
    /// `opportunities`
    Opportunity { id: String },
    /// content/journeys/P/L.md, with the lens's stages; or, with
    /// `--future-of ID`, a copy of that journey marked as its future state
    Journey {
        #[arg(long, required_unless_present = "future_of")]
        persona: Option<String>,
        #[arg(long, required_unless_present = "future_of")]
        lens: Option<String>,
        #[arg(long)]
        title: Option<String>,
        /// A current-state journey id: write a copy of it as a redesign
        /// (`state: future`, `redesigns: ID`) next to it
        #[arg(long, value_name = "ID", conflicts_with_all = ["persona", "lens"])]
        future_of: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// One journey id (`carla/activity`); all journeys when left out (for
    /// svg, png and pdf that needs `-o DIR`: one file per journey).
    pub journey: Option<String>,
    /// Write to this file instead of standard output (for svg, png and pdf
    /// of every journey: this folder).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Include files marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
    Mermaid,
    /// The map as one picture: SVG with the font embedded.
    Svg,
    /// The map as one picture: PNG at twice the SVG's size.
    Png,
    /// The map as one picture: a one-page PDF, text selectable.
    Pdf,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A Mermaid `journey` diagram → content/journeys/P/L.md
    Mermaid {
        file: PathBuf,
        /// The persona id (default: the handbook's only persona).
        #[arg(long)]
        persona: Option<String>,
        /// The lens id.
        #[arg(long, default_value = "activity")]
        lens: String,
        /// Write to this file instead of content/journeys/P/L.md.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// persona, touchpoint or journey; all three (as `$defs`) when left out.
    pub kind: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command's help ends with examples, and each example is a
    /// command line journeydoc accepts.
    #[test]
    fn every_command_has_examples_that_parse() {
        let cli = Cli::command();
        let skip = ["completions", "man", "help"];
        for sub in cli
            .get_subcommands()
            .filter(|c| !skip.contains(&c.get_name()))
        {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_else(|| panic!("`{}` has no examples", sub.get_name()));
            let examples: Vec<&str> = help
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("journeydoc "))
                .collect();
            assert!(!examples.is_empty(), "{}: {help}", sub.get_name());
            for line in examples {
                let words: Vec<&str> = line
                    .split(['#', '>', '|'])
                    .next()
                    .unwrap_or_default()
                    .split_whitespace()
                    .collect();
                if let Err(e) = Cli::try_parse_from(&words) {
                    panic!("`{line}`: {e}");
                }
            }
        }
    }
}
