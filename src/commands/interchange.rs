//! `export` (json, csv, mermaid) and `import mermaid`: the model for other
//! tools, and another tool's diagram turned into a journey file.

use std::io::IsTerminal;

use super::{Failure, Outcome, emit, load, load_clean, print_written, unknown};
use crate::cli::{Cli, ExportArgs, ExportFormat, ImportCommand};
use crate::interchange;
use crate::picture;
use crate::resolve::Handbook;

pub(super) fn export(cli: &Cli, args: &ExportArgs) -> Outcome {
    let picture = match args.format {
        ExportFormat::Svg => Some(picture::Format::Svg),
        ExportFormat::Png => Some(picture::Format::Png),
        ExportFormat::Pdf => Some(picture::Format::Pdf),
        _ => None,
    };
    if picture.is_some() && args.journey.is_none() && args.output.is_none() {
        return Err(Failure::usage("which journey? pictures are one file per journey")
            .help("name one (`export --format png carla/activity -o map.png`), or pass `-o DIR` for every journey"));
    }
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
    if let Some(format) = picture {
        return export_pictures(h, &ids, format, args);
    }
    let bytes = match args.format {
        ExportFormat::Svg | ExportFormat::Png | ExportFormat::Pdf => unreachable!("handled above"),
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

/// Pictures: one journey to `-o FILE` (or standard output, never a
/// terminal for PNG and PDF), or every journey into `-o DIR` as
/// `DIR/<persona>/<lens>.<ext>`. Each file is written whole or not at all.
fn export_pictures(
    h: &Handbook,
    ids: &[&String],
    format: picture::Format,
    args: &ExportArgs,
) -> Outcome {
    let draw = |id: &str| {
        picture::journey(h, id, format)
            .map_err(|e| Failure::usage(format!("cannot draw `{id}`: {e}")))
    };
    if args.journey.is_some() {
        let bytes = draw(ids[0])?;
        return match &args.output {
            Some(path) => write_whole(path, &bytes),
            None if format != picture::Format::Svg && std::io::stdout().is_terminal() => {
                Err(Failure::usage(format!(
                    "a {} picture is not for a terminal",
                    format.extension().to_uppercase()
                ))
                .help(format!(
                    "write it to a file: `-o map.{}`",
                    format.extension()
                )))
            }
            None => emit(&None, &bytes),
        };
    }
    let dir = args.output.as_ref().expect("checked by export");
    if dir.is_file() {
        return Err(Failure::usage(format!(
            "`{}` is a file; every journey's picture needs a folder",
            dir.display()
        ))
        .help("pass a folder to `-o`, or name one journey"));
    }
    for id in ids {
        let bytes = draw(id)?;
        let path = dir.join(format!("{id}.{}", format.extension()));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Failure::usage(format!("cannot create `{}`: {e}", parent.display()))
            })?;
        }
        write_whole(&path, &bytes)?;
    }
    eprintln!(
        "wrote {} {} picture(s) to {}",
        ids.len(),
        format.extension(),
        dir.display()
    );
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it, renamed
/// into place: a failure leaves no half-written file.
fn write_whole(path: &std::path::Path, bytes: &[u8]) -> Outcome {
    let fail =
        |e: std::io::Error| Failure::usage(format!("cannot write `{}`: {e}", path.display()));
    let name = path
        .file_name()
        .ok_or_else(|| Failure::usage(format!("`{}` is not a file name", path.display())))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".journeydoc-tmp");
    let tmp = path.with_file_name(tmp_name);
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
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
