//! One handbook as the language server holds it: its root, the last whole
//! load (with the editor's unsaved buffers in place of their files), the
//! files it has published diagnostics for, and the quick check of one
//! edited journey against that load (serve's hot path: parse one file,
//! [`crate::resolve::resolve_journey`]) that answers a keystroke before the
//! whole load catches up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Url,
};

use super::position::LineIndex;
use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::Parsed;
use crate::{FileCache, Overlay, Run};

/// The folder holding `book.toml` at or above `file`.
pub fn root_of(file: &Path) -> Option<PathBuf> {
    file.ancestors()
        .skip(1)
        .find(|d| d.join(crate::config::FILE).is_file())
        .map(Path::to_path_buf)
}

/// Options of every load: drafts are checked too (their authors are the
/// ones typing).
pub fn options() -> crate::Options {
    crate::Options { drafts: true }
}

pub struct Book {
    pub root: PathBuf,
    pub cache: Arc<FileCache>,
    /// The last whole load; `None` before the first or when `book.toml`
    /// could not be read.
    pub run: Option<Run>,
    /// Why the last load failed, when it did.
    pub failure: Option<String>,
    /// What was last published for each file (relative to the root) that
    /// has diagnostics: the text they point into, and the diagnostics.
    pub published: BTreeMap<String, (Arc<str>, Vec<Diagnostic>)>,
    /// Bumped by every change; a load started at an older one is stale.
    pub generation: u64,
    /// A load is running.
    pub loading: bool,
}

impl Book {
    pub fn new(root: PathBuf) -> Book {
        Book {
            root,
            cache: Arc::new(FileCache::default()),
            run: None,
            failure: None,
            published: BTreeMap::new(),
            generation: 0,
            loading: false,
        }
    }

    /// `path` relative to the root, `/`-separated, if it is under it.
    pub fn rel(&self, path: &Path) -> Option<String> {
        path.strip_prefix(&self.root)
            .ok()
            .map(crate::source::slash_path)
    }

    pub fn uri(&self, rel: &str) -> Option<Url> {
        Url::from_file_path(self.root.join(rel)).ok()
    }

    /// The content folder, `/`-terminated, relative to the root.
    pub fn content_prefix(&self) -> String {
        let dir = self
            .run
            .as_ref()
            .map_or("content", |r| r.handbook.config.content_dir.as_str());
        format!("{}/", dir.trim_end_matches('/'))
    }

    /// Records `diags` as published for `file` (whose text is `text`);
    /// `false` when that is what was published last (nothing to send).
    pub fn record(&mut self, file: &str, text: &Arc<str>, diags: &[Diagnostic]) -> bool {
        match self.published.get(file) {
            Some((t, d)) if (Arc::ptr_eq(t, text) || **t == **text) && d == diags => false,
            None if diags.is_empty() => false,
            _ => {
                if diags.is_empty() {
                    self.published.remove(file);
                } else {
                    self.published
                        .insert(file.to_owned(), (text.clone(), diags.to_vec()));
                }
                true
            }
        }
    }

    /// The diagnostics of the last load that differ from what was
    /// published, by file, with the text they point into (an empty list
    /// clears a file), recorded as published. At 10,000 journeys with a
    /// warning each, an edit republishes one file, not 10,000.
    pub fn changed_diagnostics(&mut self) -> Vec<(String, Arc<str>, Vec<Diagnostic>)> {
        let Some(run) = &self.run else {
            return Vec::new();
        };
        // Grouped by file without copying (diagnostics are sorted by file),
        // compared with what was published; only what changed is copied.
        let mut by_file: BTreeMap<&str, &[Diagnostic]> = BTreeMap::new();
        let all = &run.diagnostics;
        let mut i = 0;
        while i < all.len() {
            let file = all[i].file.as_deref();
            let n = all[i..]
                .iter()
                .take_while(|d| d.file.as_deref() == file)
                .count();
            if let Some(f) = file {
                by_file.insert(f, &all[i..i + n]);
            }
            i += n;
        }
        let empty = Arc::<str>::from("");
        let mut out = Vec::new();
        for (file, ds) in &by_file {
            let text = run.sources.get(*file).unwrap_or(&empty);
            let same = self
                .published
                .get(*file)
                .is_some_and(|(t, d)| (Arc::ptr_eq(t, text) || **t == **text) && d[..] == **ds);
            if !same {
                out.push(((*file).to_owned(), text.clone(), ds.to_vec()));
            }
        }
        for gone in self.published.keys() {
            if !by_file.contains_key(gone.as_str()) {
                out.push((gone.clone(), empty.clone(), Vec::new()));
            }
        }
        for (file, text, ds) in &out {
            self.record(file, text, ds);
        }
        out
    }
}

/// journeydoc's diagnostics as the protocol's, on `file` whose text is
/// `text`. The help line goes in the message and, pointing at the same
/// place, as related information.
pub fn convert<'a>(
    book: &Book,
    file: &str,
    text: &str,
    diags: impl IntoIterator<Item = &'a Diagnostic>,
) -> Vec<LspDiagnostic> {
    let index = LineIndex::new(text);
    let uri = book.uri(file);
    diags
        .into_iter()
        .map(|d| {
            let range = d
                .span
                .as_ref()
                .map_or_else(Default::default, |s| index.range(s));
            let message = match &d.help {
                Some(h) => format!("{}\nhelp: {h}", d.message),
                None => d.message.clone(),
            };
            let related = match (&d.help, &uri) {
                (Some(h), Some(uri)) => Some(vec![DiagnosticRelatedInformation {
                    location: Location::new(uri.clone(), range),
                    message: format!("help: {h}"),
                }]),
                _ => None,
            };
            LspDiagnostic {
                range,
                severity: Some(match d.severity {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.code.to_owned())),
                source: Some("journeydoc".to_owned()),
                message,
                related_information: related,
                ..Default::default()
            }
        })
        .collect()
}

/// Loads the whole handbook with `overlay` in place of the files on disk
/// (run on a worker thread).
pub fn load(root: &Path, cache: &FileCache, overlay: &Overlay) -> Result<Run, String> {
    crate::load_overlay(root, &options(), cache, overlay).map_err(|e| {
        let help = e.help().map(|h| format!(" ({h})")).unwrap_or_default();
        format!("{e}{help}")
    })
}

/// The quick check of one edited journey (`rel` relative to the root, its
/// new `text`) against the last load: the diagnostics a whole load would
/// give that file, when the edit keeps the journey's id, weight, state
/// and systems (else `None`: wait for the whole load).
pub fn quick(book: &Book, rel: &str, text: &Arc<str>) -> Option<Vec<Diagnostic>> {
    let run = book.run.as_ref()?;
    let h = &run.handbook;
    let old = h.journeys.values().find(|j| j.meta.file == rel)?;
    let content_rel = rel.strip_prefix(&book.content_prefix())?;
    let file = crate::source::from_text(rel, content_rel, text.clone()).ok()?;
    let mut diags = Vec::new();
    let Some(Parsed::Journey(mut j)) = crate::parse::parse_file(&file, &mut diags) else {
        return None;
    };
    if !j.same_place_as(old) {
        return None;
    }
    crate::resolve::resolve_journey(h, &mut j, &mut diags)?;
    diags.retain(|d| d.file.as_deref() == Some(rel));
    crate::diagnostic::sort(&mut diags);
    Some(diags)
}
