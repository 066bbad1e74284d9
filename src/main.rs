//! The `journeydoc` binary: parses arguments, runs the library, maps the
//! outcome to exit codes (0 ok, 1 content errors, 2 usage or I/O errors).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use journeydoc::cli::{
    BuildArgs, CheckArgs, Cli, Command, DiffArgs, DiffFormat, ExportArgs, ExportFormat, Format,
    ImportCommand, InitArgs, Lang, NewCommand, SchemaArgs, ServeArgs,
};
use journeydoc::diagnostic::{self, Diagnostic, counts};
use journeydoc::{Run, output, render, theme};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Check(args) => check(&cli, args),
        Command::Build(args) => build(&cli, args),
        Command::Init(args) => init(&cli, args),
        Command::New(command) => new(&cli, command),
        Command::Export(args) => export(&cli, args),
        Command::Import(command) => import(&cli, command),
        Command::Schema(args) => schema(args),
        Command::Serve(args) => serve(&cli, args),
        Command::Diff(args) => diff(&cli, args),
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
    let mut phases = journeydoc::timings::Phases::start();
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
    phases.mark("print");
    let deny = args.deny_warnings || run.handbook.config.deny_warnings;
    if !cli.quiet {
        eprintln!("{}", summary(&run, "checked", deny));
    }
    let code = if fails(&run, deny) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    leak(run);
    code
}

/// The process is about to exit: the operating system frees a large model
/// faster than dropping it piece by piece (a tenth of `check` at 10,000
/// journeys).
fn leak<T>(value: T) {
    std::mem::forget(value);
}

fn build(cli: &Cli, args: &BuildArgs) -> ExitCode {
    let started = Instant::now();
    let run = match load(cli, args.drafts) {
        Ok(run) => run,
        Err(code) => return code,
    };
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
        eprintln!(
            "error: the build failed; nothing was written (the previous output is untouched)"
        );
        return ExitCode::from(1);
    }
    let config = &run.handbook.config;
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
    let failed = "error: the build failed; nothing was written (the previous output is untouched)";
    match rendered {
        Ok(()) => {}
        Err(render::RenderError::Templates(diags)) => {
            eprint!("{}", diagnostic::render_text(&diags, &run.sources, color));
            eprintln!("{failed}");
            return ExitCode::from(1);
        }
        Err(render::RenderError::Sink(e)) => {
            eprintln!("error: {e}\n  = help: {}", e.help());
            eprintln!("{failed}");
            return ExitCode::from(2);
        }
    }
    let mut phases = journeydoc::timings::Phases::start();
    let written = match sink.staging.map(output::Staging::commit) {
        Some(Ok(w)) => w,
        Some(Err(e)) => {
            eprintln!("error: {e}\n  = help: {}", e.help());
            return ExitCode::from(2);
        }
        None => return ExitCode::from(2),
    };
    phases.mark("write");
    if !cli.quiet {
        let pages = written.pages;
        eprintln!(
            "built {pages} pages ({} files, {} KB) in {} ms → {}",
            written.files,
            written.bytes.div_ceil(1024),
            started.elapsed().as_millis(),
            out_dir.display()
        );
        eprintln!("open {}", out_dir.join("index.html").display());
    }
    leak(run);
    ExitCode::SUCCESS
}

fn load_theme(cli: &Cli, name: &str) -> Result<theme::Theme, ExitCode> {
    theme::Theme::load(&cli.root, name).map_err(|e| match e.diagnostic() {
        Some(d) => {
            eprint!(
                "{}",
                diagnostic::render_text(&[d], &Default::default(), color_on_stderr())
            );
            ExitCode::from(1)
        }
        None => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    })
}

/// Prints a usage or I/O problem of an authoring command (exit 2).
fn authoring_error(e: &journeydoc::authoring::AuthoringError) -> ExitCode {
    eprintln!("error: {e}");
    if let Some(help) = e.help() {
        eprintln!("  = help: {help}");
    }
    ExitCode::from(2)
}

fn print_written(cli: &Cli, paths: &[std::path::PathBuf]) {
    if !cli.quiet {
        for p in paths {
            println!("wrote {}", p.display());
        }
    }
}

fn init(cli: &Cli, args: &InitArgs) -> ExitCode {
    let lang = match args.language {
        Lang::En => journeydoc::config::Language::En,
        Lang::Es => journeydoc::config::Language::Es,
    };
    match journeydoc::authoring::init(&args.dir, lang) {
        Ok(paths) => {
            print_written(cli, &paths);
            if !cli.quiet {
                eprintln!(
                    "a new handbook in {}: try `journeydoc --root {} build`",
                    args.dir.display(),
                    args.dir.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => authoring_error(&e),
    }
}

fn new(cli: &Cli, command: &NewCommand) -> ExitCode {
    let run = match load(cli, true) {
        Ok(run) => run,
        Err(code) => return code,
    };
    let h = &run.handbook;
    let result = match command {
        NewCommand::Persona { id } => journeydoc::authoring::new_persona(h, &cli.root, id),
        NewCommand::Touchpoint { id } => journeydoc::authoring::new_touchpoint(h, &cli.root, id),
        NewCommand::Journey {
            persona,
            lens,
            title,
        } => journeydoc::authoring::new_journey(h, &cli.root, persona, lens, title.as_deref()),
    };
    match result {
        Ok(paths) => {
            print_written(cli, &paths);
            ExitCode::SUCCESS
        }
        Err(e) => authoring_error(&e),
    }
}

/// Prints only the errors of a run (for commands that need a clean handbook).
fn print_errors(run: &Run) {
    let errors: Vec<Diagnostic> = run
        .diagnostics
        .iter()
        .filter(|d| d.severity == diagnostic::Severity::Error)
        .cloned()
        .collect();
    eprint!(
        "{}",
        diagnostic::render_text(&errors, &run.sources, color_on_stderr())
    );
}

/// Loads a handbook that must have no errors (export, import).
fn load_clean(cli: &Cli, drafts: bool) -> Result<Run, ExitCode> {
    let run = load(cli, drafts)?;
    if run.has_errors() {
        print_errors(&run);
        eprintln!("error: the handbook has content errors; fix them first (`journeydoc check`)");
        return Err(ExitCode::from(1));
    }
    Ok(run)
}

fn emit(output: &Option<std::path::PathBuf>, bytes: &[u8]) -> ExitCode {
    let result = match output {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|_| out.flush())
                .map_err(|e| format!("cannot write to standard output: {e}"))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn export(cli: &Cli, args: &ExportArgs) -> ExitCode {
    let run = match load_clean(cli, args.drafts) {
        Ok(run) => run,
        Err(code) => return code,
    };
    let h = &run.handbook;
    let ids: Vec<&String> = match &args.journey {
        Some(id) => match h.journeys.get_key_value(id) {
            Some((k, _)) => vec![k],
            None => {
                eprintln!("error: unknown journey `{id}`");
                if let Some(c) =
                    journeydoc::text::closest(id, h.journeys.keys().map(String::as_str))
                {
                    eprintln!("  = help: did you mean `{c}`?");
                }
                return ExitCode::from(2);
            }
        },
        None => h.journeys.keys().collect(),
    };
    let bytes = match args.format {
        ExportFormat::Json => journeydoc::interchange::json(h, args.journey.as_deref()),
        ExportFormat::Csv => match journeydoc::interchange::csv(h, &ids) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot write CSV: {e}");
                return ExitCode::from(2);
            }
        },
        ExportFormat::Mermaid => match &args.journey {
            Some(_) => journeydoc::interchange::mermaid(h, &h.journeys[ids[0]]).into_bytes(),
            None => journeydoc::interchange::mermaid_all(h, &ids).into_bytes(),
        },
    };
    emit(&args.output, &bytes)
}

fn import(cli: &Cli, command: &ImportCommand) -> ExitCode {
    let ImportCommand::Mermaid {
        file,
        persona,
        lens,
        output,
    } = command;
    let run = match load(cli, true) {
        Ok(run) => run,
        Err(code) => return code,
    };
    let h = &run.handbook;
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let diagram = match journeydoc::interchange::parse_mermaid(&text) {
        Ok(d) => d,
        Err((line, msg)) => {
            eprintln!("{}:{line}:1: error: {msg}", file.display());
            return ExitCode::from(1);
        }
    };
    let persona = match persona {
        Some(p) => p.clone(),
        None if h.personas.len() == 1 => h.personas.keys().next().cloned().unwrap_or_default(),
        None => {
            eprintln!("error: which persona is this journey for?");
            eprintln!(
                "  = help: pass `--persona ID` (one of: {})",
                h.personas.keys().cloned().collect::<Vec<_>>().join(", ")
            );
            return ExitCode::from(2);
        }
    };
    for (what, value, known) in [
        ("persona", &persona, h.personas.keys().collect::<Vec<_>>()),
        ("lens", lens, h.lenses.keys().collect::<Vec<_>>()),
    ] {
        if !known.contains(&value) {
            eprintln!("error: unknown {what} `{value}`");
            if let Some(c) = journeydoc::text::closest(value, known.iter().map(|s| s.as_str())) {
                eprintln!("  = help: did you mean `{c}`?");
            }
            return ExitCode::from(2);
        }
    }
    let stem = file
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let (journey, dropped) =
        journeydoc::interchange::journey_from_diagram(h, &diagram, &persona, lens, &stem);
    for actor in dropped {
        eprintln!("note: actor `{actor}` is not a department and was left out");
    }
    let target = match output {
        Some(o) => o.clone(),
        None => cli
            .root
            .join(&h.config.content_dir)
            .join("journeys")
            .join(&persona)
            .join(format!("{lens}.md")),
    };
    if target.exists() {
        eprintln!(
            "error: `{}` already exists; journeydoc never overwrites a file",
            target.display()
        );
        eprintln!("  = help: pass `-o FILE` to write somewhere else");
        return ExitCode::from(2);
    }
    if let Some(parent) = target.parent()
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        eprintln!("error: cannot create `{}`: {e}", parent.display());
        return ExitCode::from(2);
    }
    match std::fs::write(&target, journey) {
        Ok(()) => {
            print_written(cli, &[target]);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", target.display());
            ExitCode::from(2)
        }
    }
}

fn schema(args: &SchemaArgs) -> ExitCode {
    use journeydoc::schema;
    let text = match &args.kind {
        Some(kind) => match schema::schema(kind) {
            Some(s) => schema::to_text(&s),
            None => {
                eprintln!("error: unknown kind `{kind}`");
                eprintln!("  = help: use one of: {}", schema::KINDS.join(", "));
                return ExitCode::from(2);
            }
        },
        None => schema::all_text(),
    };
    emit(&None, text.as_bytes())
}

fn serve(cli: &Cli, args: &ServeArgs) -> ExitCode {
    let options = journeydoc::serve::Options {
        root: cli.root.clone(),
        address: args.address.clone(),
        port: args.port,
        drafts: args.drafts,
        open: args.open,
        quiet: cli.quiet,
        color: color_on_stderr(),
    };
    match journeydoc::serve::serve(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(help) = e.help() {
                eprintln!("  = help: {help}");
            }
            ExitCode::from(2)
        }
    }
}

/// A temporary folder removed when dropped (also on errors).
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Why one side of a diff could not be read.
enum SideError {
    /// Usage or I/O (exit 2).
    Usage(String, Option<String>),
    /// Content errors (exit 1), already printed.
    Content,
}

fn git(root: &std::path::Path, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// The model of one side: `git:REV`, a journeys.json file, or a folder.
fn diff_side(cli: &Cli, spec: &str) -> Result<serde_json::Value, SideError> {
    if let Some(rev) = spec.strip_prefix("git:") {
        let top = git(&cli.root, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            SideError::Usage(
                format!("`{}` is not inside a git repository", cli.root.display()),
                Some("`git:REV` reads the handbook from git history; compare folders or journeys.json files instead".to_owned()),
            )
        })?;
        let commit = git(
            &cli.root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| {
            SideError::Usage(
                format!("unknown git revision `{rev}`"),
                Some("use a branch, tag or commit: `git:main`, `git:HEAD~1`".to_owned()),
            )
        })?;
        let prefix = git(&cli.root, &["rev-parse", "--show-prefix"]).unwrap_or_default();
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let tmp = TempDir(std::env::temp_dir().join(format!(
            "journeydoc-diff-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        )));
        std::fs::create_dir_all(&tmp.0).map_err(|e| {
            SideError::Usage(format!("cannot create a temporary folder: {e}"), None)
        })?;
        // From the top of the repository: `git archive` in a subfolder would
        // archive only that subfolder.
        let archive = std::process::Command::new("git")
            .arg("-C")
            .arg(&top)
            .args(["archive", "--format=tar", &commit])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| SideError::Usage(format!("cannot run git: {e}"), None))?;
        let ok = std::process::Command::new("tar")
            .args(["-x", "-C"])
            .arg(&tmp.0)
            .stdin(archive.stdout.expect("piped"))
            .status()
            .map_err(|e| SideError::Usage(format!("cannot run tar: {e}"), None))?;
        if !ok.success() {
            return Err(SideError::Usage(
                format!("cannot read revision `{rev}` from git"),
                None,
            ));
        }
        return folder_side(&tmp.0.join(prefix), &format!("git:{rev}"));
    }
    let path = std::path::Path::new(spec);
    if path.is_file() {
        let bytes = std::fs::read(path)
            .map_err(|e| SideError::Usage(format!("cannot read `{spec}`: {e}"), None))?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            SideError::Usage(format!("`{spec}` is not a journeys.json: {e}"), Some("pass a handbook folder, a journeys.json written by build or export, or git:REV".to_owned()))
        })?;
        if v["version"] != 1 {
            return Err(SideError::Usage(
                format!("`{spec}` is not a version 1 journeys.json"),
                None,
            ));
        }
        return Ok(v);
    }
    folder_side(path, spec)
}

fn folder_side(root: &std::path::Path, label: &str) -> Result<serde_json::Value, SideError> {
    let run = journeydoc::load(root, &journeydoc::Options::default())
        .map_err(|e| SideError::Usage(format!("{label}: {e}"), e.help().map(str::to_owned)))?;
    if run.has_errors() {
        eprintln!("error: {label} has content errors:");
        print_errors(&run);
        return Err(SideError::Content);
    }
    serde_json::from_slice(&render::journeys_json(&run.handbook, false))
        .map_err(|e| SideError::Usage(format!("{label}: {e}"), None))
}

fn diff(cli: &Cli, args: &DiffArgs) -> ExitCode {
    let new_spec = args
        .new
        .clone()
        .unwrap_or_else(|| cli.root.display().to_string());
    let mut sides = Vec::new();
    for spec in [&args.old, &new_spec] {
        match diff_side(cli, spec) {
            Ok(v) => sides.push(v),
            Err(SideError::Content) => return ExitCode::from(1),
            Err(SideError::Usage(msg, help)) => {
                eprintln!("error: {msg}");
                if let Some(h) = help {
                    eprintln!("  = help: {h}");
                }
                return ExitCode::from(2);
            }
        }
    }
    let d = journeydoc::diff::diff(&sides[0], &sides[1]);
    let text = match args.format {
        DiffFormat::Text => journeydoc::diff::render_text(&d),
        DiffFormat::Markdown => journeydoc::diff::render_markdown(&d),
        DiffFormat::Json => {
            let mut t = serde_json::to_string_pretty(&d).expect("the diff serialises");
            t.push('\n');
            t
        }
    };
    let code = emit(&args.output, text.as_bytes());
    if code != ExitCode::SUCCESS {
        return code;
    }
    let regressions = d["regressions"].as_array().map_or(0, Vec::len);
    if args.fail_on_regression && regressions > 0 {
        eprintln!("{regressions} regressions (--fail-on-regression)");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
