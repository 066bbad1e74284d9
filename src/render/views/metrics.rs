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
    #[serde(skip)]
    shortfall: f64,
    #[serde(skip)]
    moved: f64,
}

/// A metric's page.
#[derive(Serialize)]
pub(super) struct MetricPage {
    pub(super) title: String,
    pub(super) unit: Option<String>,
    pub(super) scale: String,
    pub(super) better: &'static str,
    pub(super) target: Option<String>,
    pub(super) rows: Vec<ScopeRow>,
    pub(super) measurements: usize,
}

/// The metrics index.
#[derive(Serialize)]
pub(super) struct MetricsIndex {
    pub(super) metrics: Vec<MetricSummary>,
}

#[derive(Serialize)]
pub(super) struct MetricSummary {
    pub(super) title: String,
    pub(super) url: String,
    pub(super) scale: String,
    pub(super) better: &'static str,
    pub(super) target: Option<String>,
    pub(super) scopes: usize,
    pub(super) off_target: usize,
    pub(super) measurements: usize,
    /// The whole handbook's reading, if measured.
    pub(super) handbook: Option<MetricView>,
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
pub(super) fn metric_view(r: &Reading, t: &Strings, root: &str) -> MetricView {
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
    v.html = chip(&v, t, root, false);
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
    /// site root.
    pub(super) fn readings(
        &self,
        scope: &Scope,
        typed: &Metrics,
        targets: &[Target],
        root: &str,
    ) -> Vec<MetricView> {
        self.h
            .measurements
            .readings(scope, typed, targets)
            .iter()
            .map(|r| metric_view(r, self.t, root))
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
                let found = h.journeys.get(j).and_then(|jj| {
                    jj.stages.iter().enumerate().find_map(|(si, st)| {
                        st.steps
                            .iter()
                            .position(|s| s.id.as_ref().is_some_and(|id| id.value == *sid))
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
                    .get(tp)
                    .map_or(tp.as_str(), |x| x.name.as_str())
                    .to_owned(),
                t.touchpoint,
                Some(touchpoint_url(tp)),
            ),
        }
    }

    /// The front matter's typed values and targets of a scope.
    fn scope_front(&self, scope: &Scope) -> (Metrics, &'h [Target]) {
        let h = self.h;
        let none = (Metrics::default(), &[][..]);
        match scope {
            Scope::Handbook => none,
            Scope::Journey(j) => h
                .journeys
                .get(j)
                .map_or(none, |j| (j.metrics.clone(), &j.targets[..])),
            Scope::Stage(j, s) => h
                .journeys
                .get(j)
                .and_then(|j| j.stages.iter().find(|st| st.name.value == *s))
                .map_or(none, |st| (st.metrics.clone(), &st.targets[..])),
            Scope::Step(j, sid) => h
                .journeys
                .get(j)
                .and_then(|j| {
                    j.steps()
                        .map(|(_, s)| s)
                        .find(|s| s.id.as_ref().is_some_and(|id| id.value == *sid))
                })
                .map_or(none, |s| {
                    (
                        s.metrics.as_deref().cloned().unwrap_or_default(),
                        &s.targets[..],
                    )
                }),
            Scope::Touchpoint(tp) => h
                .touchpoints
                .get(tp)
                .map_or(none, |t| (Metrics::default(), &t.targets[..])),
        }
    }

    /// Every scope of metric `i`: measured in the data, typed by hand on a
    /// current journey, or given a target.
    fn scope_rows(&self, i: usize, root: &str) -> Vec<ScopeRow> {
        let h = self.h;
        let m = &h.measurements;
        let id = &m.catalog.metrics[i].id;
        let mut scopes: std::collections::BTreeSet<Scope> =
            m.scopes(i).map(|(s, _)| s.clone()).collect();
        for (jid, j) in &h.journeys {
            if j.is_future() {
                continue;
            }
            let has = |typed: &Metrics, targets: &[Target]| {
                typed.get(id).is_some() || crate::model::target_of(targets, id).is_some()
            };
            if has(&j.metrics, &j.targets) {
                scopes.insert(Scope::Journey(jid.clone()));
            }
            for st in &j.stages {
                if has(&st.metrics, &st.targets) {
                    scopes.insert(Scope::Stage(jid.clone(), st.name.value.clone()));
                }
                for s in &st.steps {
                    if let Some(sid) = &s.id
                        && has(s.metrics.as_deref().unwrap_or(&Metrics::NONE), &s.targets)
                    {
                        scopes.insert(Scope::Step(jid.clone(), sid.value.clone()));
                    }
                }
            }
        }
        for (tid, tp) in &h.touchpoints {
            if crate::model::target_of(&tp.targets, id).is_some() {
                scopes.insert(Scope::Touchpoint(tid.clone()));
            }
        }
        let mut rows: Vec<ScopeRow> = scopes
            .into_iter()
            .filter_map(|scope| {
                let (typed, targets) = self.scope_front(&scope);
                let r = m.reading(i, &scope, typed.get(id), targets)?;
                let (label, kind, url) = self.scope_label(&scope);
                Some(ScopeRow {
                    label,
                    kind,
                    url,
                    measurements: r.points.len(),
                    shortfall: r.shortfall().unwrap_or(0.0),
                    moved: r.change().map_or(0.0, |(d, _)| d.abs() / r.metric.span()),
                    reading: metric_view(&r, self.t, root),
                })
            })
            .collect();
        // Worst against its target first; then by name.
        rows.sort_by(|a, b| {
            b.shortfall
                .total_cmp(&a.shortfall)
                .then_with(|| a.label.cmp(&b.label))
        });
        rows
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

    fn metric_page(&self, i: usize) -> MetricPage {
        let metric = &self.h.measurements.catalog.metrics[i];
        let rows = self.scope_rows(i, "../");
        MetricPage {
            title: metric.title.clone(),
            unit: metric.unit.clone(),
            scale: scale(metric, self.t),
            better: better_words(metric, self.t),
            target: metric.target.map(|v| with_unit(v, metric)),
            measurements: rows.iter().map(|r| r.measurements).sum(),
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
                    let rows = self.scope_rows(i, "../");
                    MetricSummary {
                        title: metric.title.clone(),
                        url: metric_url(&metric.id),
                        scale: scale(metric, self.t),
                        better: better_words(metric, self.t),
                        target: metric.target.map(|v| with_unit(v, metric)),
                        scopes: rows.len(),
                        off_target: rows.iter().filter(|r| r.shortfall > 0.0).count(),
                        measurements: rows.iter().map(|r| r.measurements).sum(),
                        handbook: m
                            .reading(i, &Scope::Handbook, None, &[])
                            .map(|r| metric_view(&r, self.t, "../")),
                    }
                })
                .collect(),
        }
    }

    /// The home page's handbook-wide readings.
    pub(super) fn handbook_readings(&self) -> Vec<MetricView> {
        self.readings(&Scope::Handbook, &Metrics::NONE, &[], "")
    }

    /// Insights: every reading off its target, furthest first; and the
    /// biggest moves since the measurement before, both ways.
    pub(super) fn off_target_and_moves(&self) -> (Vec<ScopeRow>, Vec<ScopeRow>) {
        let mut off = Vec::new();
        let mut moves = Vec::new();
        for &i in self.shown_metrics() {
            for row in self.scope_rows(i, "") {
                if row.shortfall > 0.0 {
                    off.push(row);
                } else if row.moved > 0.0 {
                    moves.push(row);
                }
            }
        }
        // A row off target that also moved is listed under both: the
        // second list is made again for those.
        for &i in self.shown_metrics() {
            for row in self.scope_rows(i, "") {
                if row.shortfall > 0.0 && row.moved > 0.0 {
                    moves.push(row);
                }
            }
        }
        off.sort_by(|a, b| {
            b.shortfall
                .total_cmp(&a.shortfall)
                .then_with(|| a.label.cmp(&b.label))
        });
        moves.sort_by(|a, b| {
            b.moved
                .total_cmp(&a.moved)
                .then_with(|| a.label.cmp(&b.label))
        });
        moves.truncate(12);
        (off, moves)
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
            jobs.push(PageJob {
                path: metric_url(&catalog.metrics[i].id),
                template: "metric.html",
                title: catalog.metrics[i].title.clone(),
                section: "metrics",
                data: Box::new(move || tv(&self.metric_page(i))),
                breadcrumbs: self.crumbs(Some((t.measurements, INDEX))),
                prev: neighbour(k.checked_sub(1)),
                next: neighbour(Some(k + 1)),
            });
        }
    }
}
