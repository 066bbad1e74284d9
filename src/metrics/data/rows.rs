//! One data file's rows: the header's columns found by name, each row's
//! cells read and checked against the handbook (metric, date, value,
//! scope) into a [`Row`], every problem noted by line and cell for
//! [`super`] to turn into diagnostics.

use super::*;

/// A row as read: its point, and where it came from (a file index and the
/// row's byte offset). Only the point is kept; where it came from is looked
/// for again when two rows measure the same thing on the same date.
#[derive(Clone, Copy)]
pub(super) struct Row {
    value: f64,
    pub(super) date: u32,
    n: u32,
    pub(super) at: u32,
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

pub(super) fn read_rows<'a>(input: impl std::io::Read, known: &Known<'a>) -> FileRows<'a> {
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
pub(super) fn each_row<'a>(
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
