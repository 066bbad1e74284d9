//! The `journeydoc` binary: parses arguments, runs the library, maps the
//! outcome to exit codes (0 ok, 1 content errors, 2 usage or I/O errors).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use journeydoc::cli::{BuildArgs, CheckArgs, Cli, Command, Format};
use journeydoc::diagnostic::{self, Diagnostic, counts};
use journeydoc::{Run, output, render, theme};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Check(args) => check(&cli, args),
        Command::Build(args) => build(&cli, args),
    }
}

/// Colour only on a terminal, and never with `NO_COLOR` set (no-color.org).
fn color_on_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Loads the handbook, or reports why it cannot be (exit 2).
fn load(cli: &Cli, drafts: bool) -> Result<Run, ExitCode> {
    journeydoc::load(&cli.root, &journeydoc::Options { drafts }).map_err(|e| {
        eprintln!("error: {e}");
        if let Some(help) = e.help() {
            eprintln!("  = help: {help}");
        }
        ExitCode::from(2)
    })
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
        "{verb} {} files ({} personas, {} touchpoints, {} journeys, {} pages): {} {}, {} {}{}",
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
    )
}

/// Does the run fail the gate?
fn fails(run: &Run, deny: bool) -> bool {
    let (errors, warnings) = counts(&run.diagnostics);
    errors > 0 || (deny && warnings > 0)
}

fn check(cli: &Cli, args: &CheckArgs) -> ExitCode {
    let run = match load(cli, args.drafts) {
        Ok(run) => run,
        Err(code) => return code,
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
    let deny = args.deny_warnings || run.handbook.config.deny_warnings;
    if !cli.quiet {
        eprintln!("{}", summary(&run, "checked", deny));
    }
    if fails(&run, deny) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn build(cli: &Cli, args: &BuildArgs) -> ExitCode {
    let started = Instant::now();
    let run = match load(cli, args.drafts) {
        Ok(run) => run,
        Err(code) => return code,
    };
    let color = color_on_stderr();
    // `--quiet` keeps errors but not warnings (`check` is where they are read).
    let shown: Vec<Diagnostic> = run
        .diagnostics
        .iter()
        .filter(|d| !cli.quiet || d.severity == diagnostic::Severity::Error)
        .cloned()
        .collect();
    eprint!("{}", diagnostic::render_text(&shown, &run.sources, color));
    let config = &run.handbook.config;
    let deny = args.deny_warnings || config.deny_warnings;
    if fails(&run, deny) {
        eprintln!("{}", summary(&run, "checked", deny));
        eprintln!(
            "error: the build failed; nothing was written (the previous output is untouched)"
        );
        return ExitCode::from(1);
    }
    let out_dir = match &args.output {
        Some(dir) => dir.clone(),
        None => cli.root.join(&config.output_dir),
    };
    let out_dir =
        match output::check_target(&cli.root, &cli.root.join(&config.content_dir), &out_dir) {
            Ok(dir) => dir,
            Err(e) => {
                eprintln!("error: {e}\n  = help: {}", e.help());
                return ExitCode::from(2);
            }
        };
    let theme = match load_theme(cli, &config.theme) {
        Ok(t) => t,
        Err(code) => return code,
    };
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
    let rendered = render::render(&run.handbook, &theme, &progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let site = match rendered {
        Ok(site) => site,
        Err(diags) => {
            eprint!("{}", diagnostic::render_text(&diags, &run.sources, color));
            eprintln!(
                "error: the build failed; nothing was written (the previous output is untouched)"
            );
            return ExitCode::from(1);
        }
    };
    let written = match output::write(&out_dir, &site) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}\n  = help: {}", e.help());
            return ExitCode::from(2);
        }
    };
    if !cli.quiet {
        let pages = site.keys().filter(|p| p.ends_with(".html")).count();
        eprintln!(
            "built {pages} pages ({} files, {} KB) in {} ms → {}",
            written.files,
            written.bytes.div_ceil(1024),
            started.elapsed().as_millis(),
            out_dir.display()
        );
        eprintln!("open {}", out_dir.join("index.html").display());
    }
    ExitCode::SUCCESS
}

fn load_theme(cli: &Cli, name: &str) -> Result<theme::Theme, ExitCode> {
    let dir = cli.root.join("themes").join(name);
    if name != "default" && !dir.is_dir() {
        let d = Diagnostic::error("unknown-theme", format!("theme `{name}` not found"))
            .in_file(journeydoc::config::FILE)
            .help(format!(
                "create {}/templates/, or use the built-in `default`",
                dir.display()
            ));
        eprint!(
            "{}",
            diagnostic::render_text(&[d], &Default::default(), color_on_stderr())
        );
        return Err(ExitCode::from(1));
    }
    theme::Theme::load(&cli.root, name).map_err(|e| {
        eprintln!("error: cannot read the theme `{}`: {e}", dir.display());
        ExitCode::from(2)
    })
}
