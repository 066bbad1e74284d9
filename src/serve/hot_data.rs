//! The hot path of a data-file edit: the journeys and touchpoints the
//! edited rows measure get their own pages first, rendered against the
//! last good model with only their series read again; the reload follows
//! with every other page.
//!
//! The rows an edit added or changed are found by comparing each line's
//! fingerprint with the last reading of the file (kept here, 4 bytes a
//! line; [`crate::metrics::edit`]); the rows of the scopes they name are
//! picked out of every data file by their ids and read as a data folder
//! of their own. An edit that only removes rows, changes a header, makes
//! a new file or has an error is left to the reload.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::state::lock;
use crate::diagnostic::{self, Sources};
use crate::metrics::data::{Known, read_texts};
use crate::metrics::edit::{Fingerprints, changed, read_lines, rows_mentioning_in};
use crate::metrics::{Measurements, Scope};
use crate::resolve::Handbook;

/// The fingerprints of each data file's lines as last read, by path
/// relative to the root.
#[derive(Default)]
pub(super) struct DataLines(Mutex<HashMap<String, Fingerprints>>);

/// More scopes than this in one edit: the reload alone renders them.
const MOST_SCOPES: usize = 8;

impl DataLines {
    /// Takes the fingerprints of every data file, unless an edit already
    /// did (run once the server is up, off the way of the first page).
    pub(super) fn remember(&self, root: &Path, data_dir: &str) {
        for f in crate::metrics::data::files(root, data_dir) {
            let Ok((lines, _)) = Fingerprints::read_file(&root.join(&f)) else {
                continue;
            };
            lock(&self.0).entry(f).or_insert(lines);
        }
    }

    /// The rows an edit of these data files added or changed (`paths`
    /// relative to the root); `None` when the hot path does not take the
    /// edit. The files' new fingerprints are kept for the next edit either
    /// way. Each file is read in pieces, then only its changed lines again.
    pub(super) fn edit(&self, root: &Path, paths: &[String]) -> Option<Vec<DataEdit>> {
        let mut phases = crate::timings::Phases::start();
        let mut edits = Vec::new();
        let mut taken = true;
        for path in paths {
            let Ok((new, starts)) = Fingerprints::read_file(&root.join(path)) else {
                taken = false;
                continue;
            };
            phases.mark("hot: data file fingerprints");
            // Compared in place, then kept (no copy of 4 bytes a line).
            let change = {
                let mut last = lock(&self.0);
                let change = last.get(path).map(|old| changed(old, &new));
                last.insert(path.clone(), new);
                change
            };
            match change {
                Some(Some(c)) if c.added.start > 0 && !c.added.is_empty() => {
                    let rows = open(root, path).and_then(|mut f| {
                        let mut rows = read_lines(&mut f, &starts, 0..1)?;
                        rows.extend(read_lines(&mut f, &starts, c.added)?);
                        Ok(rows)
                    });
                    match rows {
                        Ok(rows) => edits.push(DataEdit {
                            path: path.clone(),
                            rows,
                        }),
                        Err(_) => taken = false,
                    }
                }
                // Saved without a change: nothing to show.
                Some(None) => {}
                // No earlier reading, only rows removed, or a new header.
                _ => taken = false,
            }
        }
        (taken && !edits.is_empty()).then_some(edits)
    }
}

fn open(root: &Path, path: &str) -> std::io::Result<std::fs::File> {
    std::fs::File::open(root.join(path))
}

/// One edited data file: its header and the rows the edit added or
/// changed.
pub(super) struct DataEdit {
    path: String,
    rows: Vec<u8>,
}

/// Whether `path` (relative to the root) is a data file: a `*.csv`
/// directly under the data folder, as [`crate::metrics::data::files`]
/// finds them.
pub(super) fn is_data_file(path: &str, data_dir: &str) -> bool {
    let name = if data_dir == "." {
        Some(path)
    } else {
        path.strip_prefix(data_dir.trim_end_matches('/'))
            .and_then(|p| p.strip_prefix('/'))
    };
    name.is_some_and(|n| !n.contains('/') && crate::metrics::data::is_data_name(n))
}

/// The measurements of `h` with the series of the scopes `edits` measure
/// read again, and those scopes' own pages; `None` when the rows have an
/// error, measure the whole handbook or too many scopes, or a page is not
/// there.
pub(super) fn measured_again(
    h: &Handbook,
    root: &Path,
    edits: &[DataEdit],
) -> Option<(Arc<Measurements>, Vec<String>, Vec<String>)> {
    let known = Known {
        catalog: &h.measurements.catalog,
        journeys: &h.journeys,
        touchpoints: &h.touchpoints,
    };
    let mut phases = crate::timings::Phases::start();
    let ok = |diags: &[crate::diagnostic::Diagnostic]| diagnostic::counts(diags).0 == 0;
    let (mut diags, mut sources) = (Vec::new(), Sources::new());
    let rows: Vec<(String, Vec<u8>)> = edits
        .iter()
        .map(|e| (e.path.clone(), e.rows.clone()))
        .collect();
    let named = read_texts(&rows, &known, &mut diags, &mut sources);
    if !ok(&diags) {
        return None;
    }
    let mut journeys: BTreeSet<Arc<str>> = BTreeSet::new();
    let mut touchpoints: BTreeSet<Arc<str>> = BTreeSet::new();
    for (_, scope) in named.series.keys() {
        match scope {
            Scope::Handbook => return None,
            Scope::Touchpoint(t) => touchpoints.insert(t.clone()),
            Scope::Journey(j) | Scope::Stage(j, _) | Scope::Step(j, _) => {
                journeys.insert(j.clone())
            }
        };
    }
    if journeys.is_empty() && touchpoints.is_empty()
        || journeys.len() + touchpoints.len() > MOST_SCOPES
    {
        return None;
    }
    let needles: Vec<&str> = journeys.iter().chain(&touchpoints).map(|s| &**s).collect();
    // The edited files, and the files whose rows named one of the scopes at
    // the last reading (every file when that is not known).
    let m = &h.measurements;
    let known_where = m.measured_in.len() == m.files.len();
    let mut files: BTreeSet<&str> = m
        .files
        .iter()
        .enumerate()
        .filter(|(i, _)| !known_where || needles.iter().any(|n| m.measured_in[*i].contains(*n)))
        .map(|(_, f)| f.as_str())
        .collect();
    files.extend(edits.iter().map(|e| e.path.as_str()));
    let texts: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|f| {
            let rows = rows_mentioning_in(&root.join(f), &needles);
            Some((f.to_owned(), rows.ok()?))
        })
        .collect::<Option<_>>()?;
    phases.mark("hot: rows picked");
    let again = read_texts(&texts, &known, &mut diags, &mut sources);
    phases.mark("hot: rows read");
    if !ok(&diags) {
        return None;
    }
    let is_named = |s: &Scope| match s {
        Scope::Touchpoint(t) => touchpoints.contains(t),
        _ => s.journey().is_some_and(|j| journeys.contains(j)),
    };
    let mut m = Measurements::clone(&h.measurements);
    m.series.retain(|(_, s), _| !is_named(s));
    m.series
        .extend(again.series.into_iter().filter(|((_, s), _)| is_named(s)));
    phases.mark("hot: measurements copied");
    let page = |file: &str| {
        h.routes
            .links
            .files
            .get(crate::routes::content_rel(file))
            .cloned()
    };
    let mut urls = Vec::new();
    for j in &journeys {
        urls.push(page(&h.journeys.get(&**j)?.meta.file)?);
    }
    for t in &touchpoints {
        urls.push(page(&h.touchpoints.get(&**t)?.meta.file)?);
    }
    let ids = if touchpoints.is_empty() {
        journeys.iter().map(|j| j.to_string()).collect()
    } else {
        Vec::new()
    };
    Some((Arc::new(m), urls, ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_are_csv_files_directly_under_the_data_folder() {
        assert!(is_data_file("data/nps.csv", "data"));
        assert!(is_data_file("data/NPS.CSV", "data/"));
        assert!(!is_data_file("data/old/nps.csv", "data"));
        assert!(!is_data_file("data/.nps.csv", "data"));
        assert!(!is_data_file("data/nps.csv~", "data"));
        assert!(!is_data_file("database/nps.csv", "data"));
        assert!(is_data_file("nps.csv", "."));
        assert!(!is_data_file("content/nps.csv", "."));
    }
}
