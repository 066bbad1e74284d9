//! `export` (json, csv, mermaid) and `import mermaid`: the model for other
//! tools, and another tool's diagram turned into a journey file.

use super::{Failure, Outcome, emit, load, load_clean, print_written, unknown};
use crate::cli::{Cli, ExportArgs, ExportFormat, ImportCommand};
use crate::interchange;

pub(super) fn export(cli: &Cli, args: &ExportArgs) -> Outcome {
    let run = load_clean(cli, args.drafts)?;
    let h = &run.handbook;
    let ids: Vec<&String> = match &args.journey {
        Some(id) => match h.journeys.get_key_value(id) {
            Some((k, _)) => vec![k],
            None => {
                return Err(unknown(
                    "journey",
                    id,
                    h.journeys.keys().map(String::as_str),
                ));
            }
        },
        None => h.journeys.keys().collect(),
    };
    let bytes = match args.format {
        ExportFormat::Json => interchange::json(h, args.journey.as_deref()),
        ExportFormat::Csv => interchange::csv(h, &ids)
            .map_err(|e| Failure::usage(format!("cannot write CSV: {e}")))?,
        ExportFormat::Mermaid => match &args.journey {
            Some(_) => interchange::mermaid(h, &h.journeys[ids[0]]).into_bytes(),
            None => interchange::mermaid_all(h, &ids).into_bytes(),
        },
    };
    emit(&args.output, &bytes)
}

pub(super) fn import(cli: &Cli, command: &ImportCommand) -> Outcome {
    let ImportCommand::Mermaid {
        file,
        persona,
        lens,
        output,
    } = command;
    let run = load(cli, true)?;
    let h = &run.handbook;
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::usage(format!("cannot read `{}`: {e}", file.display())))?;
    let diagram = interchange::parse_mermaid(&text).map_err(|(line, msg)| {
        // Located like a diagnostic, so editors and CI can jump to it.
        eprintln!("{}:{line}:1: error: {msg}", file.display());
        Failure::content(None)
    })?;
    let persona = match persona {
        Some(p) => p.clone(),
        None if h.personas.len() == 1 => h.personas.keys().next().cloned().unwrap_or_default(),
        None => {
            return Err(
                Failure::usage("which persona is this journey for?").help(format!(
                    "pass `--persona ID` (one of: {})",
                    h.personas.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            );
        }
    };
    if !h.personas.contains_key(&persona) {
        return Err(unknown(
            "persona",
            &persona,
            h.personas.keys().map(String::as_str),
        ));
    }
    if !h.lenses.contains_key(lens) {
        return Err(unknown("lens", lens, h.lenses.keys().map(String::as_str)));
    }
    let stem = file
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let (journey, dropped) = interchange::journey_from_diagram(h, &diagram, &persona, lens, &stem);
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
        return Err(Failure::usage(format!(
            "`{}` already exists; journeydoc never overwrites a file",
            target.display()
        ))
        .help("pass `-o FILE` to write somewhere else"));
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::usage(format!("cannot create `{}`: {e}", parent.display())))?;
    }
    // `create_new`: a file that appeared since the check above is not
    // overwritten either.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .and_then(|mut f| std::io::Write::write_all(&mut f, journey.as_bytes()))
        .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", target.display())))?;
    print_written(cli, &[target]);
    Ok(())
}
