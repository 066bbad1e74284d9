//! Reading `data/*.csv` (SPEC 3, "Measurements over time"): every `*.csv`
//! directly under the data folder, RFC 4180 (the `csv` crate), UTF-8 with
//! or without a BOM, columns by header name in any order. Each row is
//! checked against the handbook (its metric, date, value and scope) and
//! kept as a small [`Point`]; every problem is a diagnostic at the cell's own
//! line and column.
//!
//! Files are streamed, never held whole: a row's problem is noted by line
//! and cell, and only a file with problems is read again at the end to turn
//! those into spans (and kept in `Sources` to show the line). One file's
//! header and rows are read in `rows.rs`; this module finds the files, reads
//! them (a large one in two halves), merges their series and reports.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::cells::{Pending, locate};
use super::{Catalog, Measurements, Point, Scope};
use crate::diagnostic::{Diagnostic, Sources};
use crate::model::{Date, Journeys, Touchpoint};
use crate::text::did_you_mean;

mod rows;

pub use rows::COLUMNS;
use rows::{each_row, read_rows};

/// A fast hash for the series being gathered (a million rows hash their
/// scope's ids: SipHash was a twentieth of reading them).
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for b in chunks.remainder() {
            self.add(u64::from(*b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxBuild = std::hash::BuildHasherDefault<Fx>;
type FxMap<K, V> = std::collections::HashMap<K, V, FxBuild>;

/// The `*.csv` files directly under `dir` (relative to `root`), sorted;
/// hidden files left out. A missing folder has none.
pub fn files(root: &Path, dir: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| is_data_name(n))
        .map(|n| if dir == "." { n } else { format!("{dir}/{n}") })
        .collect();
    out.sort();
    out
}

/// Whether a file named `name` in the data folder is read: a `*.csv`
/// (any case), not hidden.
pub fn is_data_name(name: &str) -> bool {
    !name.starts_with('.') && name.to_ascii_lowercase().ends_with(".csv")
}

/// What rows are checked against.
pub struct Known<'a> {
    pub catalog: &'a Catalog,
    pub journeys: &'a Journeys,
    pub touchpoints: &'a BTreeMap<String, Touchpoint>,
}

/// A row's scope while reading: ids borrowed from the handbook, so a row
/// costs no allocation.
/// Ordered as [`Scope`] is (the merged series are sorted by key before
/// they become scopes).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key<'a> {
    Handbook,
    Journey(&'a str),
    Stage(&'a str, &'a str),
    Step(&'a str, &'a str),
    Touchpoint(&'a str),
}

/// One shared copy of each id the series name.
#[derive(Default)]
struct Names(FxMap<String, std::sync::Arc<str>>);

impl Names {
    fn get(&mut self, s: &str) -> std::sync::Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: std::sync::Arc<str> = s.into();
        self.0.insert(s.to_owned(), a.clone());
        a
    }
}

impl<'a> Key<'a> {
    /// The journey or touchpoint the scope is part of.
    fn id(&self) -> Option<&'a str> {
        match *self {
            Key::Handbook => None,
            Key::Journey(j) | Key::Stage(j, _) | Key::Step(j, _) => Some(j),
            Key::Touchpoint(t) => Some(t),
        }
    }

    fn owned(self, names: &mut Names) -> Scope {
        match self {
            Key::Handbook => Scope::Handbook,
            Key::Journey(j) => Scope::Journey(names.get(j)),
            Key::Stage(j, s) => Scope::Stage(names.get(j), names.get(s)),
            Key::Step(j, s) => Scope::Step(names.get(j), names.get(s)),
            Key::Touchpoint(t) => Scope::Touchpoint(names.get(t)),
        }
    }
}

/// One file's rows, before merging.
#[derive(Default)]
struct FileRows<'a> {
    series: FxMap<(usize, Key<'a>), Vec<Point>>,
    pending: Vec<Pending>,
    /// The file could not be opened or read (`None` when fine).
    failed: Option<Diagnostic>,
}

/// Reads every data file under `data_dir` and checks it against the
/// handbook: the measurements, and every problem in `diags` (the text of
/// each file with problems in `sources`).
pub fn read(
    root: &Path,
    data_dir: &str,
    known: &Known,
    diags: &mut Vec<Diagnostic>,
    sources: &mut Sources,
) -> Measurements {
    let mut phases = crate::timings::Phases::start();
    let files = files(root, data_dir);
    let read: Vec<FileRows<'_>> = files
        .par_iter()
        .map(|f| read_file(&root.join(f), known))
        .collect();
    phases.mark("  measurements: rows");
    let m = finish(files, read, known, diags, sources, |f| {
        std::fs::read(root.join(f)).unwrap_or_default()
    });
    phases.mark("  measurements: merged");
    m
}

/// One data file's rows; a large one read in two halves at once (see
/// [`read_halves`]).
fn read_file<'a>(path: &Path, known: &Known<'a>) -> FileRows<'a> {
    let halves = super::edit::halves(path).unwrap_or_default();
    if let [(_, Some(mid)), (_, None)] = halves[..]
        && let Some(rows) = read_halves(path, mid, known)
    {
        return rows;
    }
    match std::fs::File::open(path) {
        Ok(file) => read_rows(std::io::BufReader::with_capacity(64 * 1024, file), known),
        Err(e) => FileRows {
            failed: Some(Diagnostic::error(
                "io",
                format!("cannot read the data file: {e}"),
            )),
            ..FileRows::default()
        },
    }
}

/// A data file's rows read in two halves on two threads, the second after
/// the first's header; the same rows in the same order as one reading.
/// `None` (read it whole) when anything is off: a problem in a row (its
/// line and column are worked out from one reading), or an odd number of
/// quotes before the middle (the middle is inside a quoted cell).
fn read_halves<'a>(path: &Path, mid: u64, known: &Known<'a>) -> Option<FileRows<'a>> {
    use std::io::{BufRead, Read};
    let mut header = Vec::new();
    std::io::BufReader::new(std::fs::File::open(path).ok()?)
        .read_until(b'\n', &mut header)
        .ok()?;
    let stretch = |at, len| super::edit::open_stretch(path, at, len).ok();
    let (first, second) = rayon::join(
        || {
            let mut counted = Quotes {
                inner: stretch(0, Some(mid))?,
                count: 0,
            };
            let rows = read_rows(
                std::io::BufReader::with_capacity(64 * 1024, &mut counted),
                known,
            );
            Some((rows, counted.count))
        },
        || {
            let rest = std::io::Cursor::new(&header[..]).chain(stretch(mid, None)?);
            Some(read_rows(
                std::io::BufReader::with_capacity(64 * 1024, rest),
                known,
            ))
        },
    );
    let ((mut rows, quotes), more) = (first?, second?);
    let clean = |r: &FileRows| r.pending.is_empty() && r.failed.is_none();
    if quotes % 2 == 1 || !clean(&rows) || !clean(&more) {
        return None;
    }
    for (key, mut points) in more.series {
        rows.series.entry(key).or_default().append(&mut points);
    }
    Some(rows)
}

/// A reader that counts the quotes it reads.
struct Quotes<R> {
    inner: R,
    count: usize,
}

impl<R: std::io::Read> std::io::Read for Quotes<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += memchr::memchr_iter(b'"', &buf[..n]).count();
        Ok(n)
    }
}

/// One data file's bytes read and checked as [`read`] does (the fuzz
/// target's way in: no disk).
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    known: &Known,
    diags: &mut Vec<Diagnostic>,
    sources: &mut Sources,
) -> Measurements {
    read_texts(&[(name.to_owned(), bytes.to_vec())], known, diags, sources)
}

/// Data files given as names and bytes, read and checked together as
/// [`read`] reads a folder (the dev server's re-reading of some rows).
pub fn read_texts(
    texts: &[(String, Vec<u8>)],
    known: &Known,
    diags: &mut Vec<Diagnostic>,
    sources: &mut Sources,
) -> Measurements {
    let rows = texts
        .par_iter()
        .map(|(_, bytes)| read_rows(&bytes[..], known))
        .collect();
    let names = texts.iter().map(|(n, _)| n.clone()).collect();
    finish(names, rows, known, diags, sources, |f| {
        texts
            .iter()
            .find(|(n, _)| n == f)
            .map(|(_, b)| b.clone())
            .unwrap_or_default()
    })
}

/// Merges the files' rows: date order, duplicates found, every problem
/// placed at its cell (`bytes` gives a file's text again for that).
fn finish(
    files: Vec<String>,
    read: Vec<FileRows<'_>>,
    known: &Known,
    diags: &mut Vec<Diagnostic>,
    sources: &mut Sources,
    bytes: impl Fn(&str) -> Vec<u8>,
) -> Measurements {
    let mut merged: FxMap<(usize, Key<'_>), Vec<Point>> = FxMap::default();
    let mut pending: Vec<Vec<Pending>> = Vec::with_capacity(files.len());
    let mut ids: Vec<std::collections::HashSet<&str, FxBuild>> = Vec::with_capacity(files.len());
    for (i, rows) in read.into_iter().enumerate() {
        if let Some(d) = rows.failed {
            diags.push(d.in_file(&files[i]));
        }
        ids.push(rows.series.keys().filter_map(|(_, k)| k.id()).collect());
        for (key, mut points) in rows.series {
            // Moved, not copied, when the series is new.
            match merged.entry(key) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(points);
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    o.get_mut().append(&mut points)
                }
            }
        }
        pending.push(rows.pending);
    }
    // In key order, on both cores: date order in each series (stable: file
    // order, then row order, where dates tie); the same date, metric and
    // scope twice is an error at the later row.
    let mut sorted: Vec<((usize, Key<'_>), Vec<Point>)> = merged.into_iter().collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // Each series with the dates it had twice.
    type Done<'a> = ((usize, Key<'a>), Arc<[Point]>, Vec<u32>);
    let done: Vec<Done<'_>> = sorted
        .into_par_iter()
        .map(|(key, mut points)| {
            let mut dates = Vec::new();
            points.sort_by_key(|p| p.date);
            points.dedup_by(|later, first| {
                let same = later.date == first.date;
                if same {
                    dates.push(later.date);
                }
                same
            });
            (key, Arc::from(points), dates)
        })
        .collect();
    let mut names = Names::default();
    let mut twice: std::collections::BTreeSet<(usize, Scope, u32)> = Default::default();
    let series: BTreeMap<(usize, Scope), Arc<[Point]>> = done
        .into_iter()
        .map(|((metric, key), points, dates)| {
            let scope = key.owned(&mut names);
            for d in dates {
                twice.insert((metric, scope.clone(), d));
            }
            ((metric, scope), points)
        })
        .collect();
    let measured_in = ids
        .into_iter()
        .map(|set| set.into_iter().map(|id| names.get(id)).collect())
        .collect();
    drop(names);
    if !twice.is_empty() {
        duplicates(&files, known, &twice, &bytes, &mut pending);
    }
    for (i, list) in pending.into_iter().enumerate() {
        if !list.is_empty() {
            locate(&files, i, list, &bytes, diags, sources);
        }
    }
    Measurements {
        catalog: known.catalog.clone(),
        series,
        files,
        measured_in,
    }
}

/// Finds where the rows measuring the same thing on the same date are (a
/// second reading of the files, only when there are such rows) and notes
/// each one after the first, naming the first.
fn duplicates(
    files: &[String],
    known: &Known,
    twice: &std::collections::BTreeSet<(usize, Scope, u32)>,
    bytes: &dyn Fn(&str) -> Vec<u8>,
    pending: &mut [Vec<Pending>],
) {
    let mut seen: BTreeMap<&(usize, Scope, u32), (u32, u32)> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        let text = bytes(f);
        let mut found: Vec<(&(usize, Scope, u32), u32)> = Vec::new();
        let mut names = Names::default();
        each_row(&text[..], known, &mut |(metric, key), row| {
            let k = (metric, key.owned(&mut names), row.date);
            if let Some(k) = twice.get(&k) {
                found.push((k, row.at));
            }
        });
        for (k, at) in found {
            let Some(&(ffile, fat)) = seen.get(k) else {
                seen.insert(k, (i as u32, at));
                continue;
            };
            let (metric, scope, date) = k;
            pending[i].push(Pending {
                at: u64::from(at),
                first: Some((ffile, u64::from(fat))),
                cell: usize::MAX,
                code: "duplicate-measurement",
                message: format!(
                    "{} {} on {} is measured twice",
                    known.catalog.metrics[*metric].id,
                    scope_words(scope),
                    crate::model::Date::unpack(*date)
                ),
                // Completed with the first row's line by `locate`.
                help: None,
            });
        }
    }
}

/// "of journey `x`", for messages.
pub fn scope_words(scope: &Scope) -> String {
    match scope {
        Scope::Handbook => "of the whole handbook".to_owned(),
        Scope::Journey(j) => format!("of journey `{j}`"),
        Scope::Stage(j, s) => format!("of stage `{s}` of journey `{j}`"),
        Scope::Step(j, s) => format!("of step `{s}` of journey `{j}`"),
        Scope::Touchpoint(t) => format!("of touchpoint `{t}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Spanish fixture's handbook and its metrics.
    fn fixture() -> (crate::resolve::Handbook, super::super::Catalog) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/es");
        let h = crate::load(&root, &crate::Options::default())
            .expect("the fixture loads")
            .handbook;
        let catalog = super::super::Catalog::new(&h.config);
        (h, catalog)
    }

    fn known_of<'a>(
        h: &'a crate::resolve::Handbook,
        catalog: &'a super::super::Catalog,
    ) -> Known<'a> {
        Known {
            catalog,
            journeys: &h.journeys,
            touchpoints: &h.touchpoints,
        }
    }

    /// Which journeys and touchpoints each file measures, by file.
    #[test]
    fn each_file_says_what_it_measures() {
        let (h, catalog) = fixture();
        let known = known_of(&h, &catalog);
        let tp = h.touchpoints.keys().next().expect("a touchpoint").clone();
        let texts = [
            (
                "data/a.csv".to_owned(),
                b"date,metric,value,journey\n2026-01,nps,10,lucia/actividad\n2026-01,nps,20,\n"
                    .to_vec(),
            ),
            (
                "data/b.csv".to_owned(),
                format!("date,metric,value,touchpoint\n2026-01,csat,80,{tp}\n").into_bytes(),
            ),
        ];
        let (mut diags, mut sources) = (Vec::new(), Sources::new());
        let m = read_texts(&texts, &known, &mut diags, &mut sources);
        assert!(diags.is_empty(), "{diags:?}");
        let ids =
            |i: usize| -> Vec<String> { m.measured_in[i].iter().map(|s| s.to_string()).collect() };
        assert_eq!(ids(0), ["lucia/actividad"]);
        assert_eq!(ids(1), [tp]);
    }

    /// A file large enough to be read in halves gives what one reading of
    /// its bytes gives: the same series, and the same problems at the same
    /// lines (a bad row, a quoted cell with a line break at the middle).
    #[test]
    fn a_large_file_read_in_halves_reads_as_one() {
        let (h, catalog) = fixture();
        let known = known_of(&h, &catalog);
        let mut rows = String::from("date,metric,value,journey,n\n");
        for year in 1950..2100 {
            for month in 1..=12 {
                for day in 1..=28 {
                    for metric in ["nps", "csat", "ces"] {
                        rows.push_str(&format!(
                            "{year}-{month:02}-{day:02},{metric},{},lucia/actividad,{}\n",
                            day % 5 + 1,
                            year % 90
                        ));
                    }
                }
            }
        }
        let middle = rows.len() / 2;
        let quoted = {
            let at = middle + rows[middle..].find('\n').expect("a line") + 1;
            let mut r = rows.clone();
            r.insert_str(at, "2101-01-01,nps,5,\"lucia/\nactividad\",3\n");
            r
        };
        let bad = rows.replacen(",lucia/actividad,", ",lucia/nadie,", 1)
            + "2102-01-01,nps,500,lucia/actividad,3\n";
        let dir = tempfile::tempdir().expect("a folder");
        for text in [rows, quoted, bad] {
            assert!(text.len() as u64 > super::super::edit::HALVED);
            std::fs::create_dir_all(dir.path().join("data")).expect("a folder");
            std::fs::write(dir.path().join("data/big.csv"), &text).expect("written");
            let (mut d1, mut s1) = (Vec::new(), Sources::new());
            let halved = read(dir.path(), "data", &known, &mut d1, &mut s1);
            let (mut d2, mut s2) = (Vec::new(), Sources::new());
            let whole = read_bytes("data/big.csv", text.as_bytes(), &known, &mut d2, &mut s2);
            assert_eq!(halved.series, whole.series);
            assert_eq!(format!("{d1:?}"), format!("{d2:?}"));
        }
    }
}
