//! What each command does, once its arguments are parsed: load, check,
//! build, serve, author, export, import and diff, printing diagnostics and
//! progress to stderr and results to stdout. Every command ends in `Ok` or
//! in one [`Failure`], which carries its exit code (1 content errors, 2
//! usage or I/O) and what to print; `main.rs` only maps it to the process.

mod diff;
mod interchange;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use crate::cli::{
    BuildArgs, CheckArgs, Cli, Command, Format, InitArgs, Lang, NewCommand, SchemaArgs, ServeArgs,
};
use crate::diagnostic::{self, Diagnostic, counts};
use crate::{Run, output, render, theme};

/// Why a command did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The process's exit code: 1 for content errors (or denied warnings),
    /// 2 for usage and I/O errors.
    pub code: u8,
    /// `error: …`, when there is more to say than the diagnostics printed.
    pub message: Option<String>,
    /// `  = help: …`: what the user can do about it.
    pub help: Option<String>,
}

impl Failure {
    /// A usage or I/O error (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: Some(message.into()),
            help: None,
        }
    }

    /// Content errors (exit 1), with a last word or none (the diagnostics
    /// said it all).
    pub fn content(message: Option<String>) -> Failure {
        Failure {
            code: 1,
            message,
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Failure {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<impl Into<String>>) -> Failure {
        self.help = help.map(Into::into);
        self
    }

    /// As printed on stderr.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if let Some(m) = &self.message {
            out.push_str(&format!("error: {m}\n"));
        }
        if let Some(h) = &self.help {
            out.push_str(&format!("  = help: {h}\n"));
        }
        out
    }
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Failure {
        Failure::usage(e.to_string()).help_opt(e.help())
    }
}

impl From<crate::serve::ServeError> for Failure {
    fn from(e: crate::serve::ServeError) -> Failure {
        Failure::usage(e.to_string()).help_opt(e.help())
    }
}

impl From<crate::authoring::AuthoringError> for Failure {
    fn from(e: crate::authoring::AuthoringError) -> Failure {
        Failure::usage(e.to_string()).help_opt(e.help())
    }
}

impl From<output::OutputError> for Failure {
    fn from(e: output::OutputError) -> Failure {
        Failure::usage(e.to_string()).help(e.help())
    }
}

/// What a command gives: `Ok` (exit 0) or why not.
pub type Outcome = Result<(), Failure>;

/// Runs the command `cli` names.
pub fn run(cli: &Cli) -> Outcome {
    let _ = COLOR.set(cli.color);
    if cli.verbose {
        crate::timings::set_verbose();
    }
    match &cli.command {
        Command::Check(args) => check(cli, args),
        Command::Build(args) => build(cli, args),
        Command::Init(args) => init(cli, args),
        Command::New(command) => new(cli, command),
        Command::Export(args) => interchange::export(cli, args),
        Command::Import(command) => interchange::import(cli, command),
        Command::Schema(args) => schema(args),
        Command::Serve(args) => serve(cli, args),
        Command::Diff(args) => diff::diff(cli, args),
        Command::Lsp => match crate::lsp::run() {
            0 => Ok(()),
            code => Err(Failure {
                code,
                message: None,
                help: None,
            }),
        },
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "journeydoc", &mut out);
            print_all(&out)
        }
        Command::Man => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| Failure::usage(format!("cannot write the manual page: {e}")))?;
            print_all(&out)
        }
    }
}

/// Writes `bytes` to standard output; a reader that stops early (`| head`)
/// is no error.
fn print_all(bytes: &[u8]) -> Outcome {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::usage(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// `--color`, for the whole run.
static COLOR: std::sync::OnceLock<crate::cli::Color> = std::sync::OnceLock::new();

/// `--color always|never` as asked; by default colour only on a terminal,
/// and never with `NO_COLOR` set (no-color.org).
fn color_on_stderr() -> bool {
    match COLOR.get() {
        Some(crate::cli::Color::Always) => return true,
        Some(crate::cli::Color::Never) => return false,
        _ => {}
    }
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Loads the handbook at `--root`.
fn load(cli: &Cli, drafts: bool) -> Result<Run, Failure> {
    Ok(crate::load(&cli.root, &crate::Options { drafts })?)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

fn summary(run: &Run, verb: &str, deny: bool) -> String {
    let (errors, warnings) = counts(&run.diagnostics);
    let h = &run.handbook;
    format!(
        "{verb} {} files ({} personas, {} touchpoints, {} journeys, {}{}{} pages){}: {} {}, {} {}{}",
        run.files,
        h.personas.len(),
        h.touchpoints.len(),
        h.journeys.len(),
        match h.research.len() {
            0 => String::new(),
            1 => "1 study, ".to_owned(),
            n => format!("{n} studies, "),
        },
        match h.opportunities.len() {
            0 => String::new(),
            1 => "1 opportunity, ".to_owned(),
            n => format!("{n} opportunities, "),
        },
        h.pages.len() + usize::from(h.home.is_some()),
        match h.measurements.files.len() {
            0 => String::new(),
            n => {
                let rows: usize = h.measurements.series.values().map(|p| p.len()).sum();
                format!(
                    " and {n} data {} ({rows} {})",
                    plural(n, "file"),
                    plural(rows, "measurement")
                )
            }
        },
        errors,
        plural(errors, "error"),
        warnings,
        plural(warnings, "warning"),
        if deny && warnings > 0 {
            " (warnings denied)"
        } else {
            ""
        }
    )
}

/// Does the run fail the gate?
fn fails(run: &Run, deny: bool) -> bool {
    let (errors, warnings) = counts(&run.diagnostics);
    errors > 0 || (deny && warnings > 0)
}

/// Writes `bytes` to stdout.
fn print_out(bytes: &[u8]) -> Outcome {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| Failure::usage(format!("cannot write to standard output: {e}")))
}

fn check(cli: &Cli, args: &CheckArgs) -> Outcome {
    let run = load(cli, args.drafts)?;
    let diags = &run.diagnostics;
    let mut phases = crate::timings::Phases::start();
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
        print_out(out.as_bytes())?;
    }
    phases.mark("print");
    let deny = args.deny_warnings || run.handbook.config.deny_warnings;
    if !cli.quiet {
        eprintln!("{}", summary(&run, "checked", deny));
    }
    let failed = fails(&run, deny);
    crate::perf::leak(run);
    if failed {
        return Err(Failure::content(None));
    }
    Ok(())
}

/// What a failed build says last.
const NOTHING_WRITTEN: &str =
    "the build failed; nothing was written (the previous output is untouched)";

fn build(cli: &Cli, args: &BuildArgs) -> Outcome {
    let started = Instant::now();
    let run = load(cli, args.drafts)?;
    let color = color_on_stderr();
    // `--quiet` keeps errors but not warnings (`check` is where they are read).
    let shown: Vec<&Diagnostic> = run
        .diagnostics
        .iter()
        .filter(|d| !cli.quiet || d.severity == diagnostic::Severity::Error)
        .collect();
    eprint!("{}", diagnostic::render_text(&shown, &run.sources, color));
    let deny = args.deny_warnings || run.handbook.config.deny_warnings;
    if fails(&run, deny) {
        eprintln!("{}", summary(&run, "checked", deny));
        return Err(Failure::content(Some(NOTHING_WRITTEN.to_owned())));
    }
    let config = &run.handbook.config;
    let out_dir = match &args.output {
        Some(dir) => dir.clone(),
        None => cli.root.join(&config.output_dir),
    };
    let out_dir = output::check_target(&cli.root, &cli.root.join(&config.content_dir), &out_dir)?;
    let theme = load_theme(cli, &config.theme)?;
    let bar = (!cli.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("rendering {bar:30} {pos}/{len} pages")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |p: render::Progress| {
        if let Some(bar) = &bar {
            match p {
                render::Progress::Start(n) => bar.set_length(n as u64),
                render::Progress::Page => bar.inc(1),
            }
        }
    };
    // Pages go to the staging folder as they are rendered; the swap at the
    // end is what makes the build visible (SPEC 7: a failed build leaves
    // the previous output untouched).
    let mut sink = output::StagingSink {
        out: &out_dir,
        staging: None,
    };
    let rendered = render::render_into(&run.handbook, &theme, &progress, &mut sink);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match rendered {
        Ok(()) => {}
        Err(render::RenderError::Templates(diags)) => {
            eprint!("{}", diagnostic::render_text(&diags, &run.sources, color));
            return Err(Failure::content(Some(NOTHING_WRITTEN.to_owned())));
        }
        Err(render::RenderError::Sink(e)) => {
            return Err(Failure::usage(format!("{e}; {NOTHING_WRITTEN}")).help(e.help()));
        }
    }
    let mut phases = crate::timings::Phases::start();
    let Some(staging) = sink.staging else {
        return Err(Failure::usage("the build wrote nothing"));
    };
    let written = staging.commit()?;
    phases.mark("write");
    if !cli.quiet {
        for kept in &written.kept {
            eprintln!(
                "note: kept `{}`: journeydoc did not write it (it was added to the output folder during the build)",
                kept.display()
            );
        }
        eprintln!(
            "built {} pages ({} files, {} KB) in {} ms → {}",
            written.pages,
            written.files,
            written.bytes.div_ceil(1024),
            started.elapsed().as_millis(),
            out_dir.display()
        );
        eprintln!("open {}", out_dir.join("index.html").display());
    }
    crate::perf::leak(run);
    Ok(())
}

fn load_theme(cli: &Cli, name: &str) -> Result<theme::Theme, Failure> {
    theme::Theme::load(&cli.root, name).map_err(|e| match e.diagnostic() {
        Some(d) => {
            eprint!(
                "{}",
                diagnostic::render_text(&[d], &Default::default(), color_on_stderr())
            );
            Failure::content(None)
        }
        None => Failure::usage(e.to_string()),
    })
}

fn print_written(cli: &Cli, paths: &[PathBuf]) {
    if !cli.quiet {
        for p in paths {
            println!("wrote {}", p.display());
        }
    }
}

fn init(cli: &Cli, args: &InitArgs) -> Outcome {
    let lang = match args.language {
        Lang::En => crate::config::Language::En,
        Lang::Es => crate::config::Language::Es,
    };
    let done = crate::authoring::init(&args.dir, lang)?;
    print_written(cli, &done.written);
    if !cli.quiet {
        if let Some(kept) = &done.kept {
            eprintln!(
                "kept {} as it was (journeydoc never overwrites a file)",
                kept.display()
            );
        }
        let dir = args.dir.display();
        eprintln!(
            "a new handbook in {dir}: preview it with `journeydoc --root {dir} serve`; push it to GitHub and {} checks every pull request and publishes the handbook to Pages",
            crate::authoring::WORKFLOW
        );
    }
    Ok(())
}

fn new(cli: &Cli, command: &NewCommand) -> Outcome {
    let run = load(cli, true)?;
    let h = &run.handbook;
    let paths = match command {
        NewCommand::Persona { id } => crate::authoring::new_persona(h, &cli.root, id),
        NewCommand::Touchpoint { id } => crate::authoring::new_touchpoint(h, &cli.root, id),
        NewCommand::Research { id } => crate::authoring::new_research(h, &cli.root, id),
        NewCommand::Opportunity { id } => crate::authoring::new_opportunity(h, &cli.root, id),
        NewCommand::Journey {
            future_of: Some(id),
            title,
            ..
        } => crate::authoring::new_future_state(h, &cli.root, id, title.as_deref()),
        NewCommand::Journey {
            persona: Some(persona),
            lens: Some(lens),
            title,
            ..
        } => crate::authoring::new_journey(h, &cli.root, persona, lens, title.as_deref()),
        NewCommand::Journey { .. } => Err(crate::authoring::AuthoringError::Usage {
            message: "`new journey` needs `--persona` and `--lens`, or `--future-of ID`".to_owned(),
            help: None,
        }),
    }?;
    print_written(cli, &paths);
    Ok(())
}

/// Prints only the errors of a run (for commands that need a clean handbook).
fn print_errors(run: &Run) {
    let errors: Vec<&Diagnostic> = run
        .diagnostics
        .iter()
        .filter(|d| d.severity == diagnostic::Severity::Error)
        .collect();
    eprint!(
        "{}",
        diagnostic::render_text(&errors, &run.sources, color_on_stderr())
    );
}

/// Loads a handbook that must have no errors (export).
fn load_clean(cli: &Cli, drafts: bool) -> Result<Run, Failure> {
    let run = load(cli, drafts)?;
    if run.has_errors() {
        print_errors(&run);
        return Err(Failure::content(Some(
            "the handbook has content errors; fix them first (`journeydoc check`)".to_owned(),
        )));
    }
    Ok(run)
}

/// Writes `bytes` to `output`, or to stdout without one.
fn emit(output: &Option<PathBuf>, bytes: &[u8]) -> Outcome {
    match output {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", path.display()))),
        None => print_out(bytes),
    }
}

fn schema(args: &SchemaArgs) -> Outcome {
    use crate::schema;
    let text = match &args.kind {
        Some(kind) => match schema::schema(kind) {
            Some(s) => schema::to_text(&s),
            None => {
                return Err(Failure::usage(format!("unknown kind `{kind}`"))
                    .help(format!("use one of: {}", schema::KINDS.join(", "))));
            }
        },
        None => schema::all_text(),
    };
    emit(&None, text.as_bytes())
}

fn serve(cli: &Cli, args: &ServeArgs) -> Outcome {
    let options = crate::serve::Options {
        root: cli.root.clone(),
        address: args.address.clone(),
        port: args.port,
        drafts: args.drafts,
        open: args.open,
        quiet: cli.quiet,
        color: color_on_stderr(),
    };
    Ok(crate::serve::serve(options)?)
}

/// `error: unknown {what} `{value}``, with the closest of `known`.
fn unknown<'a>(what: &str, value: &str, known: impl IntoIterator<Item = &'a str>) -> Failure {
    Failure::usage(format!("unknown {what} `{value}`"))
        .help_opt(crate::text::closest(value, known).map(|c| format!("did you mean `{c}`?")))
}
