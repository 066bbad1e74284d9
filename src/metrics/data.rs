//! Reading `data/*.csv` (SPEC 3, "Measurements over time"): every `*.csv`
//! directly under the data folder, RFC 4180 (the `csv` crate), UTF-8 with
//! or without a BOM, columns by header name in any order. Each row is
//! checked against the handbook (its metric, date, value and scope) and
//! kept as a small [`Point`]; every problem is a diagnostic at the cell's own
//! line and column.
//!
//! Files are streamed, never held whole: a row's problem is noted by line
//! and cell, and only a file with problems is read again at the end to turn
//! those into spans (and kept in `Sources` to show the line).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::cells::{Pending, locate};
use super::{Catalog, Measurements, Point, Scope};

/// A row as read: its point, and where it came from (a file index and the
/// row's byte offset). Only the point is kept; where it came from is looked
/// for again when two rows measure the same thing on the same date.
#[derive(Clone, Copy)]
struct Row {
    value: f64,
    date: u32,
    n: u32,
    at: u32,
}

impl Row {
    fn point(self) -> Point {
        Point {
            value: self.value,
            date: self.date,
            n: self.n,
        }
    }
}
use crate::diagnostic::{Diagnostic, Sources};
use crate::model::{Date, Journeys, Touchpoint};
use crate::text::did_you_mean;

/// The columns a data file may have.
pub const COLUMNS: &[&str] = &[
    "date",
    "metric",
    "value",
    "journey",
    "stage",
    "step",
    "touchpoint",
    "n",
];
const REQUIRED: &[&str] = &["date", "metric", "value"];
// Their places in `COLUMNS`.
const DATE: usize = 0;
const METRIC: usize = 1;
const VALUE: usize = 2;
const JOURNEY: usize = 3;
const STAGE: usize = 4;
const STEP: usize = 5;
const TOUCHPOINT: usize = 6;
const N: usize = 7;

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

/// Column positions by name.
#[derive(Default)]
struct Header {
    at: [Option<usize>; 8],
}

impl Header {
    fn col(&self, name: &str) -> Option<usize> {
        COLUMNS
            .iter()
            .position(|c| *c == name)
            .and_then(|i| self.at[i])
    }
}

fn read_rows<'a>(input: impl std::io::Read, known: &Known<'a>) -> FileRows<'a> {
    let mut series: FxMap<(usize, Key<'a>), Vec<Point>> = Default::default();
    let mut out = each_row(input, known, &mut |key, row| {
        let v = series.entry(key).or_default();
        // Grown by an eighth (at least 4): a million points keep little
        // room to spare.
        if v.len() == v.capacity() {
            v.reserve_exact((v.len() / 8).max(4));
        }
        v.push(row.point());
    });
    out.series = series;
    out
}

/// Reads a file's rows, handing each good one to `row`; the problems in
/// the result's `pending`.
fn each_row<'a>(
    input: impl std::io::Read,
    known: &Known<'a>,
    row: &mut dyn FnMut((usize, Key<'a>), Row),
) -> FileRows<'a> {
    let mut out = FileRows::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut header = Header::default();
    let mut width = 0;
    let mut first = true;
    // Rows of one journey usually come together: the last one found.
    let mut last = None;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                out.pending.push(Pending {
                    at: e.position().map_or(0, |p| p.byte()),
                    first: None,
                    cell: 0,
                    code: "bad-csv",
                    message: format!("the file cannot be read as CSV: {e}"),
                    help: Some("save it as comma-separated values (RFC 4180), UTF-8".to_owned()),
                });
                break;
            }
        }
        let at = record.position().map_or(0, |p| p.byte());
        if first {
            first = false;
            width = record.len();
            if !read_header(&record, at, &mut header, &mut out.pending) {
                return out;
            }
            continue;
        }
        if record.len() != width {
            // A lone empty cell is an empty line with spaces: skip it.
            if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            out.pending.push(Pending {
                at,
                first: None,
                cell: record.len().min(width).saturating_sub(1),
                code: "bad-csv",
                message: format!("this row has {} cells, the header {width}", record.len()),
                help: Some(
                    "every row needs one cell per column (an empty cell is `,,`)".to_owned(),
                ),
            });
            continue;
        }
        if let Some((key, r)) = read_row(&record, at, &header, known, &mut last, &mut out.pending) {
            row(key, r);
        }
    }
    out
}

/// Maps the header's names to columns; `false` when a required one is
/// missing (the rows cannot be read).
fn read_header(
    record: &csv::ByteRecord,
    at: u64,
    header: &mut Header,
    pending: &mut Vec<Pending>,
) -> bool {
    let mut ok = true;
    for (i, cell) in record.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(cell) else {
            pending.push(not_utf8(at, i));
            ok = false;
            continue;
        };
        let name = name
            .trim_start_matches('\u{feff}')
            .trim()
            .to_ascii_lowercase();
        match COLUMNS.iter().position(|c| *c == name) {
            Some(c) if header.at[c].is_some() => pending.push(Pending {
                at,
                first: None,
                cell: i,
                code: "duplicate-column",
                message: format!("the column `{name}` is there twice"),
                help: Some("keep one".to_owned()),
            }),
            Some(c) => header.at[c] = Some(i),
            None => pending.push(Pending {
                at,
                first: None,
                cell: i,
                code: "unknown-column",
                message: format!("`{name}` is not a column of a data file"),
                help: Some(
                    did_you_mean(&name, COLUMNS.iter().copied())
                        .unwrap_or_else(|| format!("the columns are {}", COLUMNS.join(", "))),
                ),
            }),
        }
    }
    for name in REQUIRED {
        if header.col(name).is_none() {
            pending.push(Pending {
                at,
                first: None,
                cell: 0,
                code: "missing-column",
                message: format!("the data file has no `{name}` column"),
                help: Some("the header needs `date`, `metric` and `value`".to_owned()),
            });
            ok = false;
        }
    }
    ok
}

fn not_utf8(at: u64, cell: usize) -> Pending {
    Pending {
        at,
        first: None,
        cell,
        code: "not-utf8",
        message: "this cell is not valid UTF-8 text".to_owned(),
        help: Some("export the file as UTF-8 (most tools: \"CSV UTF-8\")".to_owned()),
    }
}

/// One row: its series and point, or `None` with its problems noted.
fn read_row<'a>(
    record: &csv::ByteRecord,
    at: u64,
    header: &Header,
    known: &Known<'a>,
    last: &mut Option<LastJourney<'a>>,
    pending: &mut Vec<Pending>,
) -> Option<((usize, Key<'a>), Row)> {
    let errors = pending.len();
    let mut problem = |cell: usize, code, message: String, help: Option<String>| {
        pending.push(Pending {
            at,
            first: None,
            cell,
            code,
            message,
            help,
        });
    };
    // Each cell by column name: `None` when the column is absent or the cell
    // empty; not-UTF-8 cells reported once.
    let mut bad_text = Vec::new();
    let cell = |k: usize, bad: &mut Vec<usize>| cell(record, header.at[k], bad);
    let date = cell(DATE, &mut bad_text);
    let metric = cell(METRIC, &mut bad_text);
    let value = cell(VALUE, &mut bad_text);
    let journey = cell(JOURNEY, &mut bad_text);
    let stage = cell(STAGE, &mut bad_text);
    let step = cell(STEP, &mut bad_text);
    let touchpoint = cell(TOUCHPOINT, &mut bad_text);
    let n = cell(N, &mut bad_text);
    bad_text.sort_unstable();
    bad_text.dedup();
    for i in &bad_text {
        let p = not_utf8(at, *i);
        problem(p.cell, p.code, p.message, p.help);
    }
    let required =
        |name: &str,
         found: Option<(usize, &str)>,
         problem: &mut dyn FnMut(usize, &'static str, String, Option<String>)| {
            if found.is_none() {
                let i = header.col(name).unwrap_or(0);
                if !bad_text.contains(&i) {
                    problem(
                        i,
                        "missing-value",
                        format!("the `{name}` cell is empty"),
                        None,
                    );
                }
            }
        };
    required("date", date, &mut problem);
    required("metric", metric, &mut problem);
    required("value", value, &mut problem);

    let date = date.and_then(|(i, s)| {
        let d = Date::parse_period(s);
        if d.is_none() {
            problem(
                i,
                "bad-date",
                format!("`{s}` is not a date"),
                Some(
                    "write `YYYY-MM-DD` for a day or `YYYY-MM` for a month, such as `2026-03`"
                        .to_owned(),
                ),
            );
        }
        d
    });
    let catalog = known.catalog;
    let metric = metric.and_then(|(i, s)| {
        let m = catalog
            .index(s)
            .or_else(|| catalog.index(&s.to_ascii_lowercase()));
        if m.is_none() {
            problem(
                i,
                "unknown-metric",
                format!("`{s}` is not a metric of this handbook"),
                Some(did_you_mean(s, catalog.ids()).unwrap_or_else(|| {
                    "use nps, ces, csat, or declare it in book.toml under [metrics.<id>]".to_owned()
                })),
            );
        }
        m
    });
    let value = value.and_then(|(i, s)| {
        let v = s.parse::<f64>().ok().filter(|v| v.is_finite());
        let Some(v) = v else {
            problem(
                i,
                "bad-value",
                format!("`{s}` is not a number"),
                Some("write the value with a point for decimals, such as `4.2`".to_owned()),
            );
            return None;
        };
        if let Some(m) = metric.map(|m| &catalog.metrics[m])
            && !m.in_range(v)
        {
            problem(
                i,
                "bad-metric",
                format!("{} {s} is out of range", m.title),
                Some(m.range_words()),
            );
            return None;
        }
        Some(v)
    });
    let n = match n {
        None => Some(u32::MAX),
        Some((i, s)) => {
            let v = s.parse::<u32>().ok().filter(|v| *v != u32::MAX);
            if v.is_none() {
                problem(
                    i,
                    "bad-value",
                    format!("the sample size `{s}` is not a whole number"),
                    Some("`n` is how many answers the value comes from, such as `120`".to_owned()),
                );
            }
            v
        }
    };
    let scope = scope(journey, stage, step, touchpoint, known, last, &mut problem);
    if pending.len() > errors {
        return None;
    }
    Some((
        (metric?, scope?),
        Row {
            value: value?,
            date: date?.pack(),
            n: n?,
            at: u32::try_from(at).unwrap_or(u32::MAX),
        },
    ))
}

type Cell<'a> = Option<(usize, &'a str)>;

/// A row's cell in column `i`: `None` when the column is absent or the
/// cell empty; a cell that is not UTF-8 is noted in `bad`.
fn cell<'r>(record: &'r csv::ByteRecord, i: Option<usize>, bad: &mut Vec<usize>) -> Cell<'r> {
    let i = i?;
    match std::str::from_utf8(record.get(i)?) {
        Ok(s) => Some((i, s.trim())).filter(|(_, s)| !s.is_empty()),
        Err(_) => {
            bad.push(i);
            None
        }
    }
}

/// A `stage` or `step` cell on a row with no journey: a `missing-journey`
/// problem at the first, with the message and help `words` gives for it.
fn without_journey(
    stage: Cell,
    step: Cell,
    problem: &mut dyn FnMut(usize, &'static str, String, Option<String>),
    words: impl Fn(&str) -> (String, String),
) -> bool {
    let found = [(stage, "stage"), (step, "step")]
        .into_iter()
        .find_map(|(cell, what)| cell.map(|(c, _)| (c, what)));
    if let Some((c, what)) = found {
        let (message, help) = words(what);
        problem(c, "missing-journey", message, Some(help));
    }
    found.is_some()
}

/// The journey a row named last: its id and the journey.
type LastJourney<'a> = (&'a str, &'a crate::model::Journey);

/// The row's scope from its `journey`, `stage`, `step` and `touchpoint`
/// cells (`last`: the journey the row before named, if any).
fn scope<'a>(
    journey: Cell,
    stage: Cell,
    step: Cell,
    touchpoint: Cell,
    known: &Known<'a>,
    last: &mut Option<LastJourney<'a>>,
    problem: &mut dyn FnMut(usize, &'static str, String, Option<String>),
) -> Option<Key<'a>> {
    if let Some((i, t)) = touchpoint {
        if let Some((j, _)) = journey {
            problem(
                i.max(j),
                "two-scopes",
                "a row measures a journey or a touchpoint, not both".to_owned(),
                Some("leave `journey` or `touchpoint` empty, or split the row in two".to_owned()),
            );
            return None;
        }
        let Some((tid, _)) = known.touchpoints.get_key_value(t) else {
            problem(
                i,
                "unknown-touchpoint",
                format!("no touchpoint has the id `{t}`"),
                did_you_mean(t, known.touchpoints.keys().map(String::as_str)),
            );
            return None;
        };
        if without_journey(stage, step, problem, |what| {
            (
                format!("a `{what}` belongs to a journey, not to a touchpoint"),
                format!("leave `{what}` empty on touchpoint rows"),
            )
        }) {
            return None;
        }
        return Some(Key::Touchpoint(tid));
    }
    let Some((ji, jid)) = journey else {
        if without_journey(stage, step, problem, |what| {
            (
                format!("a `{what}` without a `journey`"),
                format!("fill in the `journey` the {what} is part of"),
            )
        }) {
            return None;
        }
        return Some(Key::Handbook);
    };
    let found = match *last {
        Some((id, j)) if id == jid => Some((id, j)),
        _ => known
            .journeys
            .get_key_value(jid)
            .map(|(id, j)| (id.as_str(), &**j)),
    };
    let Some((jkey, j)) = found else {
        problem(
            ji,
            "unknown-journey",
            format!("no journey has the id `{jid}`"),
            did_you_mean(jid, known.journeys.keys().map(String::as_str)),
        );
        return None;
    };
    *last = Some((jkey, j));
    let stage_name = match stage {
        None => None,
        Some((i, s)) => {
            let found = j.stages.iter().find(|st| st.name.value == s).or_else(|| {
                let f = crate::text::fold(s);
                j.stages
                    .iter()
                    .find(|st| crate::text::fold(&st.name.value) == f)
            });
            match found {
                Some(st) => Some((i, st)),
                None => {
                    problem(
                        i,
                        "unknown-stage",
                        format!("journey `{jid}` has no stage `{s}`"),
                        Some(
                            did_you_mean(s, j.stages.iter().map(|s| s.name.value.as_str()))
                                .unwrap_or_else(|| {
                                    let names: Vec<&str> =
                                        j.stages.iter().map(|s| s.name.value.as_str()).collect();
                                    format!("its stages are {}", names.join(", "))
                                }),
                        ),
                    );
                    return None;
                }
            }
        }
    };
    if let Some((i, sid)) = step {
        let ids = || {
            j.steps()
                .filter_map(|(_, s)| s.id.as_ref())
                .map(|id| id.value.as_str())
        };
        let found = j
            .steps()
            .find(|(_, s)| s.id.as_ref().is_some_and(|id| id.value == sid));
        let Some((stage_index, _)) = found else {
            let help = did_you_mean(sid, ids()).or_else(|| {
                Some(if ids().next().is_none() {
                    format!("give the step an `id` in `{}` to measure it", j.meta.file)
                } else {
                    format!("its step ids are {}", ids().collect::<Vec<_>>().join(", "))
                })
            });
            problem(
                i,
                "unknown-step",
                format!("journey `{jid}` has no step with the id `{sid}`"),
                help,
            );
            return None;
        };
        if let Some((si, st)) = stage_name
            && !std::ptr::eq(st, &j.stages[stage_index])
        {
            problem(
                si,
                "unknown-step",
                format!(
                    "step `{sid}` is in stage `{}`, not `{}`",
                    j.stages[stage_index].name.value, st.name.value
                ),
                Some("leave `stage` empty on step rows, or fix it".to_owned()),
            );
            return None;
        }
        let id = found.and_then(|(_, s)| s.id.as_ref())?;
        return Some(Key::Step(jkey, &id.value));
    }
    Some(match stage_name {
        Some((_, st)) => Key::Stage(jkey, &st.name.value),
        None => Key::Journey(jkey),
    })
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
