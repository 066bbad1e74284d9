//! Finding and reading content files, and splitting off their front matter.
//!
//! This is the only part of `check` that touches the disk (with `book.toml`
//! in [`crate::load`]). Nothing is interpreted here: a file becomes its text,
//! its kind by folder, and the byte ranges of its front matter and body.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;

/// What a content file is, by where it sits under the content folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `_index.md` at the top: the home page text.
    Home,
    Persona,
    Touchpoint,
    Journey,
    /// `research/`: a study the map rests on.
    Research,
    /// `opportunities/`: an improvement the team could make.
    Opportunity,
    /// Any other Markdown file: a free handbook page.
    Page,
}

/// One content file, read but not parsed.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the handbook root, `/`-separated: how diagnostics name it.
    pub path: String,
    /// Relative to the content folder, `/`-separated: how links name it.
    pub rel: String,
    pub kind: Kind,
    pub text: Arc<str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// Where a file's front matter and body are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub format: Format,
    pub front: Range<usize>,
    pub body: Range<usize>,
}

/// Why a file could not be read as a content file.
pub struct LoadProblem {
    pub diagnostic: Diagnostic,
    /// Text to show under the diagnostic, if any could be read.
    pub text: Option<Arc<str>>,
}

/// Walks `content_dir` in a stable order and reads every Markdown file that
/// is not hidden (`.x`) or private (`_x`, except `_index.md`).
///
/// Symbolic links are not followed: content lives inside the handbook.
pub fn walk(
    root: &Path,
    content_dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let walker = WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = entry.map_err(std::io::Error::other)?;
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let shown = slash_path(rel);
        if entry.file_name().to_str().is_none() {
            diags.push(
                Diagnostic::error(
                    "bad-file-name",
                    format!("the name of `{shown}` is not valid UTF-8"),
                )
                .help("rename it: file names become ids and page paths"),
            );
            continue;
        }
        let markdown = entry.path().extension().is_some_and(|e| e == "md");
        if entry.path_is_symlink() {
            let to_folder = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            if markdown || to_folder {
                diags.push(
                    Diagnostic::warning("symlink-ignored", format!("`{shown}` is a symbolic link and is not followed"))
                        .help("content must live inside the content folder: copy the file instead of linking it"),
                );
            }
            continue;
        }
        if entry.file_type().is_file() && markdown {
            files.push(rel.to_path_buf());
        } else if markdown && !entry.file_type().is_dir() {
            diags.push(
                Diagnostic::warning(
                    "not-a-file",
                    format!("`{shown}` is not a regular file and is skipped"),
                )
                .help("a pipe, socket or device cannot be a content file"),
            );
        }
    }
    Ok(files)
}

/// Content files larger than this are refused without being read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

fn ignored(name: &str) -> bool {
    (name.starts_with('.') || name.starts_with('_')) && name != "_index.md"
}

/// `/`-separated form of a relative path, for messages and ids.
pub fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The kind of a file from its path relative to the content folder.
pub fn kind_of(rel: &str) -> Kind {
    match rel.split_once('/') {
        None if rel == "_index.md" => Kind::Home,
        Some(("personas", _)) => Kind::Persona,
        Some(("touchpoints", _)) => Kind::Touchpoint,
        Some(("journeys", _)) => Kind::Journey,
        Some(("research", _)) => Kind::Research,
        Some(("opportunities", _)) => Kind::Opportunity,
        _ => Kind::Page,
    }
}

/// Reads one file: it must be UTF-8 and not empty. A leading byte-order mark
/// is dropped.
pub fn read(root: &Path, path: &str, rel: &str) -> Result<SourceFile, Box<LoadProblem>> {
    if let Ok(meta) = std::fs::metadata(root.join(path))
        && meta.len() > MAX_FILE_BYTES
    {
        return Err(too_large(path, meta.len()));
    }
    let bytes = std::fs::read(root.join(path)).map_err(|e| {
        Box::new(LoadProblem {
            diagnostic: Diagnostic::error("io", format!("cannot read the file: {e}")).in_file(path),
            text: None,
        })
    })?;
    from_text(path, rel, decode(path, bytes)?)
}

fn too_large(path: &str, len: u64) -> Box<LoadProblem> {
    Box::new(LoadProblem {
        diagnostic: Diagnostic::error(
            "file-too-large",
            format!(
                "the file is {} MB; content files may be at most {} MB",
                len / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .in_file(path)
        .help("split it: one journey per persona and lens, long research in free pages"),
        text: None,
    })
}

/// One file from text already in memory (an editor's unsaved buffer, for
/// the language server), checked as [`read`] checks a file on disk.
pub fn from_text(path: &str, rel: &str, text: Arc<str>) -> Result<SourceFile, Box<LoadProblem>> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(path, text.len() as u64));
    }
    if text.trim().is_empty() {
        return Err(Box::new(LoadProblem {
            diagnostic: Diagnostic::error("empty-file", "the file is empty")
                .at(path, 0..0)
                .help("start it with front matter between `---` lines, or delete it"),
            text: Some(text),
        }));
    }
    Ok(SourceFile {
        path: path.to_owned(),
        rel: rel.to_owned(),
        kind: kind_of(rel),
        text,
    })
}

/// Bytes → text: it must be UTF-8 (the error points at the first bad byte);
/// a leading byte-order mark is dropped.
pub fn decode(path: &str, bytes: Vec<u8>) -> Result<Arc<str>, Box<LoadProblem>> {
    match String::from_utf8(bytes) {
        Ok(t) => Ok(Arc::from(t.strip_prefix('\u{feff}').unwrap_or(&t))),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(e.as_bytes()).as_ref());
            Err(Box::new(LoadProblem {
                diagnostic: Diagnostic::error("not-utf8", "the file is not valid UTF-8 text")
                    .at(path, at..at + 1)
                    .help(
                        "save the file with UTF-8 encoding (most editors: \"Save with encoding\")",
                    ),
                text: Some(lossy),
            }))
        }
    }
}

/// Splits front matter (`---` YAML or `+++` TOML, each on its own line) from
/// the body.
pub fn split(text: &str) -> Result<Split, Diagnostic> {
    let first_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_end].trim_end();
    let (format, delim) = match first {
        "---" => (Format::Yaml, "---"),
        "+++" => (Format::Toml, "+++"),
        _ => {
            return Err(Diagnostic::error(
                "no-front-matter",
                "the file does not start with front matter",
            )
            .help(
                "start the file with a `---` line, the fields (`title: …`), and another `---` line",
            ));
        }
    };
    let front_start = (first_end + 1).min(text.len());
    let mut pos = front_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if text[pos..end].trim_end() == delim {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                format,
                front: front_start..pos,
                body: body_start..text.len(),
            });
        }
        pos = end + 1;
    }
    Err(Diagnostic::error(
        "unterminated-front-matter",
        format!("the front matter is never closed: no `{delim}` line after the opening one"),
    )
    .help(format!(
        "add a line with only `{delim}` after the last field"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_yaml_and_toml() {
        let t = "---\na: 1\n---\nbody\n";
        let s = split(t).unwrap();
        assert_eq!(s.format, Format::Yaml);
        assert_eq!(&t[s.front.clone()], "a: 1\n");
        assert_eq!(&t[s.body.clone()], "body\n");
        let t = "+++\r\na = 1\r\n+++\r\n";
        let s = split(t).unwrap();
        assert_eq!(s.format, Format::Toml);
        assert_eq!(&t[s.front.clone()], "a = 1\r\n");
        assert_eq!(&t[s.body.clone()], "");
        let t = "---\n---";
        assert_eq!(split(t).unwrap().front, 4..4);
    }

    #[test]
    fn unterminated_and_missing() {
        assert_eq!(
            split("---\na: 1\n").unwrap_err().code,
            "unterminated-front-matter"
        );
        assert_eq!(split("# hi\n").unwrap_err().code, "no-front-matter");
        assert_eq!(
            split("---\na: 1\n+++\n").unwrap_err().code,
            "unterminated-front-matter"
        );
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of("_index.md"), Kind::Home);
        assert_eq!(kind_of("personas/carla.md"), Kind::Persona);
        assert_eq!(kind_of("journeys/carla/activity.md"), Kind::Journey);
        assert_eq!(kind_of("guide/_index.md"), Kind::Page);
        assert_eq!(kind_of("personas.md"), Kind::Page);
    }
}
