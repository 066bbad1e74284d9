//! Measurements on pages (SPEC 6): a metric's reading — the latest value,
//! its date, the change since the measurement before (an arrow, the number
//! and the words, coloured better or worse), the target and whether it is
//! met, and a trend line — wherever a journey, stage, step, touchpoint or
//! the home page shows a metric; a page per metric (`metrics/<id>.html`,
//! every scope, furthest from its target first) and their index; the
//! insights' "off target" and "biggest moves" lists.

use std::fmt::Write;

use serde::Serialize;

use super::insights::step_anchor;
use super::{PageJob, Views, tv};
use crate::config::Better;
use crate::metrics::{Direction, Metric, Reading, Scope};
use crate::model::{Metrics, Target};
use crate::render::escape_into;
use crate::render::i18n::Strings;
use crate::render::svg;
use crate::routes::*;

pub(super) const INDEX: &str = "metrics/index.html";

pub(super) fn metric_url(id: &str) -> String {
    format!("metrics/{id}.html")
}

/// Rows on one page of a metric: a metric measured at 60,000 scopes (every
/// stage of 10,000 journeys) continues on `metrics/<id>/2.html`…
pub(super) const PER_PAGE: usize = 200;

/// How many off-target readings the insights page lists.
pub(super) const SHOWN: usize = 25;

pub(super) fn metric_page_url(id: &str, page: usize) -> String {
    if page <= 1 {
        metric_url(id)
    } else {
        format!("metrics/{id}/{page}.html")
    }
}

/// A scope of a metric, ranked, before its row's view is made (a metric
/// measured at 60,000 scopes keeps 60,000 of these: small, the scope
/// borrowed from the measurements when it is measured).
pub(super) struct Ranked<'h> {
    scope: ScopeRef<'h>,
    measurements: u32,
    shortfall: f32,
    moved: f32,
}

/// A ranked scope: the measurements' own key, or (typed by hand only) its
/// own. Ordered as the scope is.
enum ScopeRef<'h> {
    Measured(&'h Scope),
    Typed(Box<Scope>),
}

impl PartialEq for ScopeRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for ScopeRef<'_> {}

impl PartialOrd for ScopeRef<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ScopeRef<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl std::ops::Deref for ScopeRef<'_> {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        match self {
            ScopeRef::Measured(s) => s,
            ScopeRef::Typed(s) => s,
        }
    }
}

/// One metric at one scope, as shown.
#[derive(Serialize)]
pub(super) struct MetricView {
    pub(super) id: String,
    pub(super) name: String,
    /// The latest value with its unit (`72 %`), if any.
    pub(super) value: Option<String>,
    /// "NPS, −100 to 100".
    pub(super) scale: String,
    pub(super) date: Option<String>,
    pub(super) change: Option<ChangeView>,
    pub(super) target: Option<TargetView>,
    /// Inline SVG, with every value in its `<title>`.
    pub(super) trend: Option<String>,
    pub(super) url: String,
    /// The reading as the built-in theme shows it (a chip).
    pub(super) html: String,
    /// The same, shorter, for a column of the map: the target's words and
    /// "typed in front matter" for screen readers and on hover only.
    pub(super) cell_html: String,
}

#[derive(Serialize)]
pub(super) struct ChangeView {
    /// ▲, ▼ or =.
    pub(super) arrow: &'static str,
    /// `+4`, `-0.5`.
    pub(super) delta: String,
    /// `better`, `worse` or `same`.
    pub(super) class: &'static str,
    /// "up 4 since 2026-11, better".
    pub(super) words: String,
}

#[derive(Serialize)]
pub(super) struct TargetView {
    pub(super) value: String,
    pub(super) met: Option<bool>,
    /// "target 40, not met".
    pub(super) words: String,
}

/// A row of a metric's page, the insights' lists and the home's.
#[derive(Serialize)]
pub(super) struct ScopeRow {
    pub(super) label: String,
    /// What the scope is (journey, stage, step, touchpoint, handbook).
    pub(super) kind: &'static str,
    pub(super) url: Option<String>,
    pub(super) reading: MetricView,
    pub(super) measurements: usize,
}

/// A metric's page.
#[derive(Serialize)]
pub(super) struct MetricPage {
    #[serde(flatten)]
    pub(super) facts: Facts,
    pub(super) rows: Vec<ScopeRow>,
    pub(super) measurements: usize,
    /// How many scopes in all, on how many pages.
    pub(super) scopes: usize,
    /// Page links when there is more than one page.
    pub(super) pages: Vec<super::lens::PageNumber>,
}

/// The metrics index.
#[derive(Serialize)]
pub(super) struct MetricsIndex {
    pub(super) metrics: Vec<MetricSummary>,
}

#[derive(Serialize)]
pub(super) struct MetricSummary {
    #[serde(flatten)]
    pub(super) facts: Facts,
    pub(super) url: String,
    pub(super) scopes: usize,
    pub(super) off_target: usize,
    pub(super) measurements: usize,
    /// The whole handbook's reading, if measured.
    pub(super) handbook: Option<MetricView>,
}

/// What a metric is, as its page and the index say it.
#[derive(Serialize)]
pub(super) struct Facts {
    pub(super) title: String,
    pub(super) unit: Option<String>,
    /// "NPS, −100 to 100".
    pub(super) scale: String,
    /// "higher is better".
    pub(super) better: &'static str,
    /// The handbook-wide target, with its unit.
    pub(super) target: Option<String>,
}

impl Facts {
    fn of(m: &Metric, t: &Strings) -> Facts {
        Facts {
            title: m.title.clone(),
            unit: m.unit.clone(),
            scale: scale(m, t),
            better: better_words(m, t),
            target: m.target.map(|v| with_unit(v, m)),
        }
    }
}

/// A number with the metric's unit: `72 %`, `31`.
fn with_unit(v: f64, m: &Metric) -> String {
    let n = crate::text::number(v);
    match &m.unit {
        Some(u) if u == "%" => format!("{n} %"),
        Some(u) => format!("{n} {u}"),
        None => n,
    }
}

fn scale(m: &Metric, t: &Strings) -> String {
    let words = match (m.id.as_str(), m.min, m.max) {
        ("nps", ..) => return t.nps_scale.to_owned(),
        ("ces", ..) => return t.ces_scale.to_owned(),
        ("csat", ..) => return t.csat_scale.to_owned(),
        (_, Some(lo), Some(hi)) => {
            format!("{}–{}", crate::text::number(lo), crate::text::number(hi))
        }
        _ => String::new(),
    };
    if words.is_empty() {
        m.title.clone()
    } else {
        format!("{}, {words}", m.title)
    }
}

fn better_words(m: &Metric, t: &Strings) -> &'static str {
    match m.better {
        Better::Higher => t.higher_is_better,
        Better::Lower => t.lower_is_better,
    }
}

/// A reading as shown: the values, the words, the trend, the chip.
/// `full`: also the chip with the target in words (`html`); the map's
/// shorter one (`cell_html`) is always made.
pub(super) fn metric_view(r: &Reading, t: &Strings, root: &str, full: bool) -> MetricView {
    let m = r.metric;
    let value = r.latest.map(|(v, _)| with_unit(v, m));
    let date = r.latest.and_then(|(_, d)| d).map(|d| d.to_string());
    let change = r.change().map(|(delta, dir)| {
        let (arrow, class, word) = match dir {
            Direction::Better => (if delta > 0.0 { "▲" } else { "▼" }, "better", t.better),
            Direction::Worse => (if delta > 0.0 { "▲" } else { "▼" }, "worse", t.worse),
            Direction::Same => ("=", "same", t.unchanged),
        };
        let n = crate::text::number(delta.abs());
        let since = r.previous.map(|(_, d)| d.to_string()).unwrap_or_default();
        let words = match dir {
            Direction::Same => format!("{word} {} {since}", t.since),
            _ => format!(
                "{} {n} {} {since}, {word}",
                if delta > 0.0 { t.went_up } else { t.went_down },
                t.since
            ),
        };
        ChangeView {
            arrow,
            delta: match dir {
                Direction::Same => "0".to_owned(),
                _ => format!("{}{n}", if delta > 0.0 { "+" } else { "−" }),
            },
            class,
            words,
        }
    });
    let target = r.target.map(|tv| {
        let met = r.met();
        let state = match met {
            Some(true) => t.target_met,
            Some(false) => t.target_missed,
            None => t.not_measured,
        };
        TargetView {
            value: with_unit(tv, m),
            met,
            words: format!("{} {}, {state}", t.target.to_lowercase(), with_unit(tv, m)),
        }
    });
    let trend = (r.points.len() > 1).then(|| {
        let mut title = format!("{}:", m.title);
        for (i, p) in r.points.iter().enumerate() {
            let _ = write!(
                title,
                "{} {} {}",
                if i == 0 { "" } else { "," },
                p.date(),
                crate::text::number(p.value)
            );
        }
        let pts: Vec<(i64, f64)> = r
            .points
            .iter()
            .map(|p| (p.date().days(), p.value))
            .collect();
        svg::trend(&pts, r.target, &title)
    });
    let mut v = MetricView {
        id: m.id.clone(),
        name: m.title.clone(),
        value,
        scale: scale(m, t),
        date,
        change,
        target,
        trend,
        url: metric_url(&m.id),
        html: String::new(),
        cell_html: String::new(),
    };
    if full {
        v.html = chip(&v, t, root, false);
    }
    v.cell_html = chip(&v, t, root, true);
    v
}

/// The reading as one chip: name (a link to the metric's page), value,
/// change, trend, target, date. Said in words as well as colour.
fn chip(v: &MetricView, t: &Strings, root: &str, cell: bool) -> String {
    let mut h = String::with_capacity(256);
    let state = match v.target.as_ref().and_then(|t| t.met) {
        Some(true) => " met",
        Some(false) => " missed",
        None => "",
    };
    let _ = write!(
        h,
        "<span class=\"reading{state}\"><a class=\"reading-name\" href=\""
    );
    escape_into(&mut h, root);
    escape_into(&mut h, &v.url);
    h.push_str("\" title=\"");
    escape_into(&mut h, &v.scale);
    h.push_str("\">");
    escape_into(&mut h, &v.name);
    h.push_str("</a> ");
    match &v.value {
        Some(value) => {
            h.push_str("<b class=\"reading-value\">");
            escape_into(&mut h, value);
            h.push_str("</b>");
        }
        None => {
            h.push_str("<span class=\"muted\">");
            escape_into(&mut h, t.not_measured);
            h.push_str("</span>");
        }
    }
    if let Some(c) = &v.change {
        let _ = write!(h, " <span class=\"move {}\" title=\"", c.class);
        escape_into(&mut h, &c.words);
        h.push_str("\"><span aria-hidden=\"true\">");
        h.push_str(c.arrow);
        h.push(' ');
        escape_into(&mut h, &c.delta);
        h.push_str("</span><span class=\"visually-hidden\">");
        escape_into(&mut h, &c.words);
        h.push_str("</span></span>");
    }
    if let Some(svg) = &v.trend {
        h.push(' ');
        h.push_str(svg);
    }
    if let Some(tg) = &v.target {
        let class = match tg.met {
            Some(true) => "met",
            Some(false) => "missed",
            None => "unknown",
        };
        let _ = write!(h, " <span class=\"reading-target {class}\"");
        if cell {
            h.push_str(" title=\"");
            escape_into(&mut h, &tg.words);
            h.push_str("\"><span class=\"visually-hidden\">");
            escape_into(&mut h, &tg.words);
            h.push_str("</span><span aria-hidden=\"true\">");
            escape_into(&mut h, &tg.value);
            h.push_str("</span></span>");
        } else {
            h.push('>');
            escape_into(&mut h, &tg.words);
            h.push_str("</span>");
        }
    }
    match &v.date {
        Some(d) => {
            h.push_str(" <time class=\"reading-date\" datetime=\"");
            escape_into(&mut h, d);
            h.push_str("\">");
            escape_into(&mut h, d);
            h.push_str("</time>");
        }
        None if v.value.is_some() && !cell => {
            h.push_str(" <small class=\"reading-date\">");
            escape_into(&mut h, t.typed_by_hand);
            h.push_str("</small>");
        }
        None => {}
    }
    h.push_str("</span>");
    h
}

impl<'h> Views<'h> {
    /// The readings of a scope, as shown on a page `root` away from the
    /// site root (each with its full chip).
    pub(super) fn readings(
        &self,
        scope: &Scope,
        typed: &Metrics,
        targets: &[Target],
        root: &str,
    ) -> Vec<MetricView> {
        let m = &self.h.measurements;
        self.shown_readings(|i| m.series(i, scope), typed, targets, root, true)
    }

    /// [`Views::readings`] from a scope's series (`points`: metric → its
    /// points there), with the map's short chips only.
    pub(super) fn readings_from<'a>(
        &'a self,
        points: impl Fn(usize) -> &'a [crate::metrics::Point],
        typed: &Metrics,
        targets: &[Target],
        root: &str,
    ) -> Vec<MetricView> {
        self.shown_readings(points, typed, targets, root, false)
    }

    fn shown_readings<'a>(
        &'a self,
        points: impl Fn(usize) -> &'a [crate::metrics::Point],
        typed: &Metrics,
        targets: &[Target],
        root: &str,
        full: bool,
    ) -> Vec<MetricView> {
        self.h
            .measurements
            .readings_from(points, typed, targets)
            .iter()
            .map(|r| metric_view(r, self.t, root, full))
            .collect()
    }

    /// What a scope is called and where it is shown.
    fn scope_label(&self, scope: &Scope) -> (String, &'static str, Option<String>) {
        let h = self.h;
        let t = self.t;
        let title = |j: &str| h.journeys.get(j).map_or(j, |x| x.title.as_str()).to_owned();
        match scope {
            Scope::Handbook => (t.whole_handbook.to_owned(), "handbook", None),
            Scope::Journey(j) => (title(j), t.journey, Some(journey_url(j))),
            Scope::Stage(j, s) => (format!("{} › {s}", title(j)), t.stage, Some(journey_url(j))),
            Scope::Step(j, sid) => {
                let found = h.journeys.get(&**j).and_then(|jj| {
                    jj.stages.iter().enumerate().find_map(|(si, st)| {
                        st.steps
                            .iter()
                            .position(|s| s.id.as_ref().is_some_and(|id| *id.value == **sid))
                            .map(|k| (st.steps[k].action.clone(), step_anchor(si, k)))
                    })
                });
                match found {
                    Some((action, anchor)) => (
                        format!("{} › {action}", title(j)),
                        t.step,
                        Some(format!("{}#{anchor}", journey_url(j))),
                    ),
                    None => (
                        format!("{} › {sid}", title(j)),
                        t.step,
                        Some(journey_url(j)),
                    ),
                }
            }
            Scope::Touchpoint(tp) => (
                h.touchpoints
                    .get(&**tp)
                    .map_or(&**tp, |x| x.name.as_str())
                    .to_owned(),
                t.touchpoint,
                Some(touchpoint_url(tp)),
            ),
        }
    }

    /// The front matter's typed values and targets of a scope.
    fn scope_front(&self, scope: &Scope) -> (&'h Metrics, &'h [Target]) {
        let (typed, targets) =
            crate::metrics::front_matter(scope, &self.h.journeys, &self.h.touchpoints)
                .unwrap_or((None, &[]));
        (typed.unwrap_or(&Metrics::NONE), targets)
    }

    /// Every scope of metric `i` — measured in the data, typed by hand on a
    /// current journey, or given a target — ranked: worst against its
    /// target first, then by name. Worked out once per metric (the index,
    /// the metric's pages and the insights share it); a row's view is made
    /// only for the rows a page shows.
    fn ranked(&self, i: usize) -> &[Ranked<'h>] {
        let all = self.ranked.get_or_init(|| {
            let n = self.h.measurements.catalog.metrics.len();
            (0..n).map(|_| std::sync::OnceLock::new()).collect()
        });
        all[i].get_or_init(|| self.rank(i))
    }

    fn rank(&self, i: usize) -> Vec<Ranked<'h>> {
        use ScopeRef::{Measured, Typed};
        let h = self.h;
        let m = &h.measurements;
        let id = &m.catalog.metrics[i].id;
        let mut scopes: std::collections::BTreeSet<ScopeRef<'h>> =
            m.scopes(i).map(|(s, _)| Measured(s)).collect();
        let typed = |s: Scope, scopes: &mut std::collections::BTreeSet<ScopeRef<'h>>| {
            if m.series(i, &s).is_empty() {
                scopes.insert(Typed(Box::new(s)));
            }
        };
        for (jid, j) in &h.journeys {
            if j.is_future() {
                continue;
            }
            let has = |typed: &Metrics, targets: &[Target]| {
                typed.get(id).is_some() || crate::model::target_of(targets, id).is_some()
            };
            if has(&j.metrics, &j.targets) {
                typed(Scope::Journey(jid.as_str().into()), &mut scopes);
            }
            for st in &j.stages {
                if has(&st.metrics, &st.targets) {
                    typed(
                        Scope::Stage(jid.as_str().into(), st.name.value.as_str().into()),
                        &mut scopes,
                    );
                }
                for s in &st.steps {
                    if let Some(sid) = &s.id
                        && has(s.metrics.as_deref().unwrap_or(&Metrics::NONE), &s.targets)
                    {
                        typed(
                            Scope::Step(jid.as_str().into(), sid.value.as_str().into()),
                            &mut scopes,
                        );
                    }
                }
            }
        }
        for (tid, tp) in &h.touchpoints {
            if crate::model::target_of(&tp.targets, id).is_some() {
                typed(Scope::Touchpoint(tid.as_str().into()), &mut scopes);
            }
        }
        let mut rows: Vec<Ranked<'h>> = scopes
            .into_iter()
            .filter_map(|scope| {
                let (typed, targets) = self.scope_front(&scope);
                let r = m.reading(i, &scope, typed.get(id), targets)?;
                Some(Ranked {
                    measurements: u32::try_from(r.points.len()).unwrap_or(u32::MAX),
                    shortfall: r.shortfall().unwrap_or(0.0) as f32,
                    moved: r.change().map_or(0.0, |(d, _)| d.abs() / r.metric.span()) as f32,
                    scope,
                })
            })
            .collect();
        // Stable: scopes in id order (the whole handbook, journeys and
        // their stages and steps, touchpoints) where the shortfall ties.
        rows.sort_by(|a, b| b.shortfall.total_cmp(&a.shortfall));
        rows
    }

    /// A ranked scope's row, as shown on a page `root` away from the site
    /// root.
    fn row(&self, i: usize, r: &Ranked, root: &str) -> Option<ScopeRow> {
        let m = &self.h.measurements;
        let (typed, targets) = self.scope_front(&r.scope);
        let reading = m.reading(i, &r.scope, typed.get(&m.catalog.metrics[i].id), targets)?;
        let (label, kind, url) = self.scope_label(&r.scope);
        Some(ScopeRow {
            label,
            kind,
            url,
            measurements: r.measurements as usize,
            reading: metric_view(&reading, self.t, root, false),
        })
    }

    /// The metrics with a page: every metric measured, typed or given a
    /// target somewhere, and every one declared in `book.toml`.
    pub(super) fn shown_metrics(&self) -> &[usize] {
        self.shown_metrics.get_or_init(|| {
            let m = &self.h.measurements;
            (0..m.catalog.metrics.len())
                .filter(|&i| {
                    let metric = &m.catalog.metrics[i];
                    metric.declared
                        || m.scopes(i).next().is_some()
                        || self.typed_anywhere(&metric.id)
                })
                .collect()
        })
    }

    pub(super) fn has_metric_pages(&self) -> bool {
        !self.shown_metrics().is_empty()
    }

    fn typed_anywhere(&self, id: &str) -> bool {
        let h = self.h;
        h.journeys.values().filter(|j| !j.is_future()).any(|j| {
            j.metrics.get(id).is_some()
                || j.stages.iter().any(|st| {
                    st.metrics.get(id).is_some()
                        || st
                            .steps
                            .iter()
                            .any(|s| s.metrics.as_ref().is_some_and(|m| m.get(id).is_some()))
                })
        })
    }

    /// Page `page` (from 1) of metric `i`'s scopes.
    fn metric_page(&self, i: usize, page: usize) -> MetricPage {
        let metric = &self.h.measurements.catalog.metrics[i];
        let ranked = self.ranked(i);
        let pages = ranked.len().div_ceil(PER_PAGE).max(1);
        let root = if page == 1 { "../" } else { "../../" };
        let rows = ranked
            .iter()
            .skip((page - 1) * PER_PAGE)
            .take(PER_PAGE)
            .filter_map(|r| self.row(i, r, root))
            .collect();
        MetricPage {
            facts: Facts::of(metric, self.t),
            measurements: ranked.iter().map(|r| r.measurements as usize).sum(),
            scopes: ranked.len(),
            pages: if pages > 1 {
                (1..=pages)
                    .map(|k| super::lens::PageNumber {
                        number: k,
                        url: metric_page_url(&metric.id, k),
                        current: k == page,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            rows,
        }
    }

    fn metrics_index(&self) -> MetricsIndex {
        let m = &self.h.measurements;
        MetricsIndex {
            metrics: self
                .shown_metrics()
                .iter()
                .map(|&i| {
                    let metric = &m.catalog.metrics[i];
                    let ranked = self.ranked(i);
                    MetricSummary {
                        facts: Facts::of(metric, self.t),
                        url: metric_url(&metric.id),
                        scopes: ranked.len(),
                        off_target: ranked.iter().filter(|r| r.shortfall > 0.0).count(),
                        measurements: ranked.iter().map(|r| r.measurements as usize).sum(),
                        handbook: m
                            .reading(i, &Scope::Handbook, None, &[])
                            .map(|r| metric_view(&r, self.t, "../", true)),
                    }
                })
                .collect(),
        }
    }

    /// The home page's handbook-wide readings.
    pub(super) fn handbook_readings(&self) -> Vec<MetricView> {
        self.readings(&Scope::Handbook, &Metrics::NONE, &[], "")
    }

    /// Insights: the readings furthest off their target (the first
    /// [`SHOWN`], and how many there are), and the biggest moves since the
    /// measurement before, both ways (the first 12).
    pub(super) fn off_target_and_moves(&self) -> (Vec<ScopeRow>, usize, Vec<ScopeRow>) {
        let mut off: Vec<(usize, &Ranked)> = Vec::new();
        let mut moves: Vec<(usize, &Ranked)> = Vec::new();
        // Ties: in metric order, then scope order (both lists are sorted
        // stably from it).
        for &i in self.shown_metrics() {
            for r in self.ranked(i) {
                if r.shortfall > 0.0 {
                    off.push((i, r));
                }
                if r.moved > 0.0 {
                    moves.push((i, r));
                }
            }
        }
        off.sort_by(|a, b| b.1.shortfall.total_cmp(&a.1.shortfall));
        moves.sort_by(|a, b| b.1.moved.total_cmp(&a.1.moved));
        let total = off.len();
        let view = |list: Vec<(usize, &Ranked)>, n: usize| -> Vec<ScopeRow> {
            list.into_iter()
                .take(n)
                .filter_map(|(i, r)| self.row(i, r, ""))
                .collect()
        };
        (view(off, SHOWN), total, view(moves, 12))
    }

    pub(super) fn metric_pages<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let shown = self.shown_metrics();
        if shown.is_empty() {
            return;
        }
        let t = self.t;
        jobs.push(PageJob {
            path: INDEX.to_owned(),
            template: "metrics.html",
            title: t.measurements.to_owned(),
            section: "metrics",
            data: Box::new(move || tv(&self.metrics_index())),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        let catalog = &self.h.measurements.catalog;
        for (k, &i) in shown.iter().enumerate() {
            let neighbour = |k: Option<usize>| {
                k.and_then(|k| shown.get(k)).map(|&j| {
                    (
                        catalog.metrics[j].title.clone(),
                        metric_url(&catalog.metrics[j].id),
                    )
                })
            };
            let pages = self.ranked(i).len().div_ceil(PER_PAGE).max(1);
            for page in 1..=pages {
                let (prev, next) = if page == 1 {
                    (neighbour(k.checked_sub(1)), neighbour(Some(k + 1)))
                } else {
                    (None, None)
                };
                jobs.push(PageJob {
                    path: metric_page_url(&catalog.metrics[i].id, page),
                    template: "metric.html",
                    title: catalog.metrics[i].title.clone(),
                    section: "metrics",
                    data: Box::new(move || tv(&self.metric_page(i, page))),
                    breadcrumbs: self.crumbs(Some((t.measurements, INDEX))),
                    prev,
                    next,
                });
            }
        }
    }
}
