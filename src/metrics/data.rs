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
        .filter(|n| !n.starts_with('.') && n.to_ascii_lowercase().ends_with(".csv"))
        .map(|n| if dir == "." { n } else { format!("{dir}/{n}") })
        .collect();
    out.sort();
    out
}

/// What rows are checked against.
pub struct Known<'a> {
    pub catalog: &'a Catalog,
    pub journeys: &'a Journeys,
    pub touchpoints: &'a BTreeMap<String, Touchpoint>,
}

/// A row's scope while reading: ids borrowed from the handbook, so a row
/// costs no allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Handbook,
    Journey(&'a str),
    Stage(&'a str, &'a str),
    Step(&'a str, &'a str),
    Touchpoint(&'a str),
}

/// One shared copy of each id the series name.
#[derive(Default)]
struct Names(std::collections::HashMap<String, std::sync::Arc<str>>);

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

impl Key<'_> {
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
    series: std::collections::HashMap<(usize, Key<'a>), Vec<Point>>,
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
    let files = files(root, data_dir);
    let read: Vec<FileRows<'_>> = files
        .par_iter()
        .map(|f| match std::fs::File::open(root.join(f)) {
            Ok(file) => read_rows(std::io::BufReader::with_capacity(64 * 1024, file), known),
            Err(e) => FileRows {
                failed: Some(Diagnostic::error(
                    "io",
                    format!("cannot read the data file: {e}"),
                )),
                ..FileRows::default()
            },
        })
        .collect();
    finish(files, read, known, diags, sources, |f| {
        std::fs::read(root.join(f)).unwrap_or_default()
    })
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
    let mut series: BTreeMap<(usize, Scope), Vec<Point>> = BTreeMap::new();
    let mut names = Names::default();
    let mut pending: Vec<Vec<Pending>> = Vec::with_capacity(files.len());
    for (i, rows) in read.into_iter().enumerate() {
        if let Some(d) = rows.failed {
            diags.push(d.in_file(&files[i]));
        }
        for ((metric, key), mut points) in rows.series {
            // Moved, not copied, when the series is new.
            match series.entry((metric, key.owned(&mut names))) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(points);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => {
                    o.get_mut().append(&mut points)
                }
            }
        }
        pending.push(rows.pending);
    }
    // Date order (stable: file order, then row order, where dates tie);
    // the same date, metric and scope twice is an error at the later row.
    let mut twice: std::collections::BTreeSet<(usize, Scope, u32)> = Default::default();
    for ((metric, scope), points) in &mut series {
        points.sort_by_key(|p| p.date);
        points.dedup_by(|later, first| {
            let same = later.date == first.date;
            if same {
                twice.insert((*metric, scope.clone(), later.date));
            }
            same
        });
    }
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
        series: series.into_iter().map(|(k, v)| (k, v.into())).collect(),
        files,
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
    let mut series: std::collections::HashMap<(usize, Key<'a>), Vec<Point>> = Default::default();
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
        if let Some((key, r)) = read_row(&record, at, &header, known, &mut out.pending) {
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
    let cell = |name: &str, bad: &mut Vec<usize>| cell(record, header, name, bad);
    let date = cell("date", &mut bad_text);
    let metric = cell("metric", &mut bad_text);
    let value = cell("value", &mut bad_text);
    let journey = cell("journey", &mut bad_text);
    let stage = cell("stage", &mut bad_text);
    let step = cell("step", &mut bad_text);
    let touchpoint = cell("touchpoint", &mut bad_text);
    let n = cell("n", &mut bad_text);
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
    let scope = scope(journey, stage, step, touchpoint, known, &mut problem);
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

/// A row's cell by column name: `None` when the column is absent or the
/// cell empty; a cell that is not UTF-8 is noted in `bad`.
fn cell<'r>(
    record: &'r csv::ByteRecord,
    header: &Header,
    name: &str,
    bad: &mut Vec<usize>,
) -> Cell<'r> {
    let i = header.col(name)?;
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

/// The row's scope from its `journey`, `stage`, `step` and `touchpoint`
/// cells.
fn scope<'a>(
    journey: Cell,
    stage: Cell,
    step: Cell,
    touchpoint: Cell,
    known: &Known<'a>,
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
    let Some((jkey, j)) = known.journeys.get_key_value(jid) else {
        problem(
            ji,
            "unknown-journey",
            format!("no journey has the id `{jid}`"),
            did_you_mean(jid, known.journeys.keys().map(String::as_str)),
        );
        return None;
    };
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
