//! Measurements over time (SPEC 3, "Measurements over time"): the metrics a
//! handbook knows (NPS, CES, CSAT and `[metrics.<id>]`), the series of
//! dated values `data/*.csv` gives each metric and scope (read by
//! [`data`]), and what a page shows of them: the latest value, the change
//! since the measurement before, the target and whether it is met.
//!
//! Also the front-matter rules about them: `targets` name a known metric
//! and sit in its range; a scope given a metric both by hand and by the
//! data gets `metric-twice`. Pure over the model; the disk is `data`'s.

pub mod cells;
pub mod data;
pub mod edit;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::{BUILT_IN_METRICS, Better, Config};
use crate::diagnostic::Diagnostic;
use crate::model::{Date, Journeys, Metrics, Target, Touchpoint};

/// A metric: built in or declared in `book.toml`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Metric {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    pub better: Better,
    /// The handbook-wide target: every scope's unless its front matter sets
    /// its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    #[serde(skip)]
    pub built_in: bool,
    /// Declared in `book.toml` (a page even before anything is measured).
    #[serde(skip)]
    pub declared: bool,
}

impl Metric {
    /// Whether `v` is inside the metric's range.
    pub fn in_range(&self, v: f64) -> bool {
        self.min.is_none_or(|lo| v >= lo) && self.max.is_none_or(|hi| v <= hi)
    }

    /// "from -100 to 100", for help lines.
    pub fn range_words(&self) -> String {
        match (self.min, self.max) {
            (Some(lo), Some(hi)) => format!("`{}` goes from {lo} to {hi}", self.id),
            (Some(lo), None) => format!("`{}` is at least {lo}", self.id),
            (None, Some(hi)) => format!("`{}` is at most {hi}", self.id),
            (None, None) => format!("`{}` takes any number", self.id),
        }
    }

    /// How far `v` is on the wrong side of `target`, as a share of the
    /// metric's range (so NPS and CES compare); 0 when the target is met.
    pub fn shortfall(&self, v: f64, target: f64) -> f64 {
        let gap = match self.better {
            Better::Higher => target - v,
            Better::Lower => v - target,
        };
        gap.max(0.0) / self.span()
    }

    /// The width of the range (1 when it is unbounded: the raw difference).
    pub fn span(&self) -> f64 {
        match (self.min, self.max) {
            (Some(lo), Some(hi)) if hi > lo => hi - lo,
            _ => 1.0,
        }
    }

    pub fn met(&self, v: f64, target: f64) -> bool {
        match self.better {
            Better::Higher => v >= target,
            Better::Lower => v <= target,
        }
    }

    /// Whether going from `before` to `after` is better, worse or neither.
    pub fn direction(&self, before: f64, after: f64) -> Direction {
        let d = after - before;
        if d.abs() < 1e-9 {
            return Direction::Same;
        }
        match (self.better, d > 0.0) {
            (Better::Higher, true) | (Better::Lower, false) => Direction::Better,
            _ => Direction::Worse,
        }
    }
}

/// Which way a value moved, for the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Better,
    Worse,
    Same,
}

/// Every metric of a handbook, by id: the built-ins first, then the
/// handbook's own in id order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    pub metrics: Vec<Metric>,
}

impl Catalog {
    pub fn new(config: &Config) -> Catalog {
        let built = |id: &str, title: &str, unit: Option<&str>, lo: f64, hi: f64, better| {
            let c = config.metrics.get(id);
            Metric {
                id: id.to_owned(),
                title: c
                    .and_then(|c| c.title.clone())
                    .unwrap_or_else(|| title.to_owned()),
                unit: unit.map(str::to_owned),
                min: Some(lo),
                max: Some(hi),
                better,
                target: c.and_then(|c| c.target),
                built_in: true,
                declared: c.is_some(),
            }
        };
        let mut metrics = vec![
            built("nps", "NPS", None, -100.0, 100.0, Better::Higher),
            built("ces", "CES", None, 1.0, 7.0, Better::Lower),
            built("csat", "CSAT", Some("%"), 0.0, 100.0, Better::Higher),
        ];
        for (id, c) in &config.metrics {
            if BUILT_IN_METRICS.contains(&id.as_str()) {
                continue;
            }
            metrics.push(Metric {
                id: id.clone(),
                title: c.title.clone().unwrap_or_else(|| id.clone()),
                unit: c.unit.clone(),
                min: c.min,
                max: c.max,
                better: c.better.unwrap_or(Better::Higher),
                target: c.target,
                built_in: false,
                declared: true,
            });
        }
        Catalog { metrics }
    }

    pub fn get(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id == id)
    }

    pub fn index(&self, id: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.metrics.iter().map(|m| m.id.as_str())
    }
}

/// What a row measures: the whole handbook, a journey, one of its stages
/// (by name) or steps (by `id`), or a touchpoint.
///
/// Ids are shared (`Arc<str>`): the 80,000 series of 10,000 measured
/// journeys name 10,000 journeys and a few dozen stage names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Handbook,
    Journey(Arc<str>),
    Stage(Arc<str>, Arc<str>),
    Step(Arc<str>, Arc<str>),
    Touchpoint(Arc<str>),
}

impl Scope {
    /// The journey the scope is part of, if any.
    pub fn journey(&self) -> Option<&str> {
        match self {
            Scope::Journey(j) | Scope::Stage(j, _) | Scope::Step(j, _) => Some(j),
            _ => None,
        }
    }
}

/// One measurement, kept small: 16 bytes (a million rows are 16 MB, less
/// than their text).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub value: f64,
    /// [`Date::pack`]ed.
    pub date: u32,
    /// The sample size; `u32::MAX` when not given.
    pub n: u32,
}

impl Point {
    pub fn date(&self) -> Date {
        Date::unpack(self.date)
    }

    pub fn sample(&self) -> Option<u32> {
        (self.n != u32::MAX).then_some(self.n)
    }
}

/// Every series of a handbook's data folder.
#[derive(Debug, Clone, Default)]
pub struct Measurements {
    pub catalog: Catalog,
    /// Per metric (the catalog's index) and scope: the points in date
    /// order (shared: the dev server copies the map to read one journey's
    /// rows again, 80,000 series at 10,000 journeys).
    pub series: BTreeMap<(usize, Scope), Arc<[Point]>>,
    /// The data files read, relative to the root (`data/nps.csv`), sorted.
    pub files: Vec<String>,
    /// The ids of the journeys and touchpoints each of `files` measures
    /// (same order): where the dev server looks for a scope's rows again.
    pub measured_in: Vec<std::collections::BTreeSet<Arc<str>>>,
}

/// The series of one journey's scopes ([`Measurements::of_journey`]).
#[derive(Debug, Default)]
pub struct JourneySeries<'a> {
    pub journey: Vec<(usize, &'a [Point])>,
    pub stages: Vec<(usize, &'a str, &'a [Point])>,
    pub steps: Vec<(usize, &'a str, &'a [Point])>,
}

impl<'a> JourneySeries<'a> {
    pub fn journey(&self, metric: usize) -> &'a [Point] {
        self.journey
            .iter()
            .find(|(m, _)| *m == metric)
            .map_or(&[], |(_, p)| p)
    }

    pub fn stage(&self, metric: usize, name: &str) -> &'a [Point] {
        self.stages
            .iter()
            .find(|(m, s, _)| *m == metric && *s == name)
            .map_or(&[], |(_, _, p)| p)
    }

    pub fn step(&self, metric: usize, id: &str) -> &'a [Point] {
        self.steps
            .iter()
            .find(|(m, s, _)| *m == metric && *s == id)
            .map_or(&[], |(_, _, p)| p)
    }
}

/// What one scope shows of one metric.
#[derive(Debug, Clone)]
pub struct Reading<'a> {
    pub metric: &'a Metric,
    /// The newest measurement's value and date, else the value typed in
    /// front matter (no date).
    pub latest: Option<(f64, Option<Date>)>,
    /// The measurement before the latest.
    pub previous: Option<(f64, Date)>,
    pub target: Option<f64>,
    /// Every measurement, oldest first (empty for a typed value).
    pub points: &'a [Point],
}

impl Reading<'_> {
    pub fn change(&self) -> Option<(f64, Direction)> {
        let (now, _) = self.latest?;
        let (before, _) = self.previous?;
        Some((now - before, self.metric.direction(before, now)))
    }

    /// `Some(true)` when the latest value meets the target.
    pub fn met(&self) -> Option<bool> {
        Some(self.metric.met(self.latest?.0, self.target?))
    }

    /// How far the latest value is from its target (0 when met).
    pub fn shortfall(&self) -> Option<f64> {
        Some(self.metric.shortfall(self.latest?.0, self.target?))
    }
}

impl Measurements {
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    pub fn series(&self, metric: usize, scope: &Scope) -> &[Point] {
        self.series
            .get(&(metric, scope.clone()))
            .map_or(&[], |p| &p[..])
    }

    /// The readings of a scope, in catalog order: every metric it has a
    /// measurement, a typed value or a target for.
    pub fn readings<'a>(
        &'a self,
        scope: &Scope,
        typed: &Metrics,
        targets: &[Target],
    ) -> Vec<Reading<'a>> {
        self.readings_from(|i| self.series(i, scope), typed, targets)
    }

    /// [`Measurements::readings`], the series given by `points` (metric →
    /// its points at the scope).
    pub fn readings_from<'a>(
        &'a self,
        points: impl Fn(usize) -> &'a [Point],
        typed: &Metrics,
        targets: &[Target],
    ) -> Vec<Reading<'a>> {
        (0..self.catalog.metrics.len())
            .filter_map(|i| {
                let p = if self.series.is_empty() {
                    &[][..]
                } else {
                    points(i)
                };
                self.reading_from(i, p, typed.get(&self.catalog.metrics[i].id), targets)
            })
            .collect()
    }

    /// Every series of a journey's scopes (itself, its stages, its steps),
    /// read in three ranges per metric: a journey page asks for its own
    /// and its 25 stages' and steps' in one go.
    pub fn of_journey<'a>(&'a self, journey: &str) -> JourneySeries<'a> {
        let mut out = JourneySeries::default();
        if self.series.is_empty() {
            return out;
        }
        for m in 0..self.catalog.metrics.len() {
            if let Some(points) = self.series.get(&(m, Scope::Journey(journey.into()))) {
                out.journey.push((m, points));
            }
            let from = (m, Scope::Stage(journey.into(), "".into()));
            for ((k, scope), points) in self.series.range(from..) {
                match scope {
                    Scope::Stage(j, s) if *k == m && **j == *journey => {
                        out.stages.push((m, s, points))
                    }
                    _ => break,
                }
            }
            let from = (m, Scope::Step(journey.into(), "".into()));
            for ((k, scope), points) in self.series.range(from..) {
                match scope {
                    Scope::Step(j, s) if *k == m && **j == *journey => {
                        out.steps.push((m, s, points))
                    }
                    _ => break,
                }
            }
        }
        out
    }

    /// One metric's reading at a scope, if there is anything to show.
    pub fn reading<'a>(
        &'a self,
        metric: usize,
        scope: &Scope,
        typed: Option<f64>,
        targets: &[Target],
    ) -> Option<Reading<'a>> {
        let points = if self.series.is_empty() {
            &[][..]
        } else {
            self.series(metric, scope)
        };
        self.reading_from(metric, points, typed, targets)
    }

    /// [`Measurements::reading`] from the scope's points.
    pub fn reading_from<'a>(
        &'a self,
        metric: usize,
        points: &'a [Point],
        typed: Option<f64>,
        targets: &[Target],
    ) -> Option<Reading<'a>> {
        let m = &self.catalog.metrics[metric];
        let own_target = crate::model::target_of(targets, &m.id);
        let latest = match points.last() {
            Some(p) => Some((p.value, Some(p.date()))),
            None => typed.map(|v| (v, None)),
        };
        if latest.is_none() && own_target.is_none() {
            return None;
        }
        let previous = points
            .len()
            .checked_sub(2)
            .map(|i| (points[i].value, points[i].date()));
        Some(Reading {
            metric: m,
            latest,
            previous,
            target: own_target.or(m.target),
            points,
        })
    }

    /// Every scope measured for `metric`, with its points.
    pub fn scopes(&self, metric: usize) -> impl Iterator<Item = (&Scope, &[Point])> {
        self.series
            .range((metric, Scope::Handbook)..)
            .take_while(move |((m, _), _)| *m == metric)
            .map(|((_, s), p)| (s, &p[..]))
    }
}

/// `journeys.json`'s `metrics` (docs/journeys-json.md): each metric
/// measured or declared, by id, with its definition and every scope's
/// series (`scope`, `latest`, `target`, `points`). Scopes of journeys not
/// in `journeys` are left out (a one-journey export).
pub struct Export<'a> {
    pub measurements: &'a Measurements,
    pub journeys: &'a Journeys,
    pub touchpoints: &'a BTreeMap<String, Touchpoint>,
}

impl serde::Serialize for Export<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let m = self.measurements;
        let mut map = s.serialize_map(None)?;
        for (i, metric) in m.catalog.metrics.iter().enumerate() {
            let series: Vec<SeriesOut> = m
                .scopes(i)
                .filter(|(scope, _)| {
                    scope
                        .journey()
                        .is_none_or(|j| self.journeys.contains_key(j))
                })
                .map(|(scope, points)| SeriesOut {
                    scope,
                    target: self.target(i, scope),
                    points,
                })
                .collect();
            if series.is_empty() && !metric.declared {
                continue;
            }
            map.serialize_entry(&metric.id, &MetricOut { metric, series })?;
        }
        map.end()
    }
}

impl Export<'_> {
    /// The target a scope's page compares with: its front matter's, else
    /// the handbook's.
    fn target(&self, i: usize, scope: &Scope) -> Option<f64> {
        let metric = &self.measurements.catalog.metrics[i];
        front_matter(scope, self.journeys, self.touchpoints)
            .and_then(|(_, t)| crate::model::target_of(t, &metric.id))
            .or(metric.target)
    }
}

/// What a scope's front matter says of its metrics: the values typed by
/// hand (`None` where the scope cannot type any: a step without them, a
/// touchpoint) and its `targets`. `None` for the whole handbook and for a
/// scope that names nothing.
pub fn front_matter<'a>(
    scope: &Scope,
    journeys: &'a Journeys,
    touchpoints: &'a BTreeMap<String, Touchpoint>,
) -> Option<(Option<&'a Metrics>, &'a [Target])> {
    match scope {
        Scope::Handbook => None,
        Scope::Journey(j) => journeys
            .get(&**j)
            .map(|j| (Some(&j.metrics), &j.targets[..])),
        Scope::Stage(j, st) => journeys
            .get(&**j)
            .and_then(|j| j.stages.iter().find(|s| *s.name.value == **st))
            .map(|s| (Some(&s.metrics), &s.targets[..])),
        Scope::Step(j, id) => journeys.get(&**j).and_then(|j| {
            j.steps()
                .map(|(_, s)| s)
                .find(|s| s.id.as_ref().is_some_and(|x| *x.value == **id))
                .map(|s| (s.metrics.as_deref(), &s.targets[..]))
        }),
        Scope::Touchpoint(t) => touchpoints.get(&**t).map(|t| (None, &t.targets[..])),
    }
}

#[derive(serde::Serialize)]
struct MetricOut<'a> {
    #[serde(flatten)]
    metric: &'a Metric,
    series: Vec<SeriesOut<'a>>,
}

struct SeriesOut<'a> {
    scope: &'a Scope,
    target: Option<f64>,
    points: &'a [Point],
}

impl serde::Serialize for SeriesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("scope", &ScopeOut(self.scope))?;
        if let Some(last) = self.points.last() {
            map.serialize_entry("latest", &PointOut(last))?;
        }
        if let Some(t) = self.target {
            map.serialize_entry("target", &t)?;
        }
        let points: Vec<PointOut> = self.points.iter().map(PointOut).collect();
        map.serialize_entry("points", &points)?;
        map.end()
    }
}

/// `{}` (the whole handbook), `{"journey": …}`, `{"journey": …, "stage":
/// …}`, `{"journey": …, "step": …}` or `{"touchpoint": …}`.
struct ScopeOut<'a>(&'a Scope);

impl serde::Serialize for ScopeOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        match self.0 {
            Scope::Handbook => {}
            Scope::Journey(j) => map.serialize_entry("journey", j)?,
            Scope::Stage(j, st) => {
                map.serialize_entry("journey", j)?;
                map.serialize_entry("stage", st)?;
            }
            Scope::Step(j, id) => {
                map.serialize_entry("journey", j)?;
                map.serialize_entry("step", id)?;
            }
            Scope::Touchpoint(t) => map.serialize_entry("touchpoint", t)?,
        }
        map.end()
    }
}

struct PointOut<'a>(&'a Point);

impl serde::Serialize for PointOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let p = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("date", &p.date())?;
        map.serialize_entry("value", &p.value)?;
        if let Some(n) = p.sample() {
            map.serialize_entry("n", &n)?;
        }
        map.end()
    }
}

/// The front-matter rules: every `targets` entry names a metric and sits
/// in its range; a metric typed by hand where the data measures it too is
/// `metric-twice` (the data's value is shown).
pub fn check(
    m: &Measurements,
    journeys: &Journeys,
    touchpoints: &BTreeMap<String, Touchpoint>,
    diags: &mut Vec<Diagnostic>,
) {
    let catalog = &m.catalog;
    let measured = !m.series.is_empty();
    for (id, j) in journeys {
        let file = &j.meta.file;
        check_targets(catalog, file, &j.targets, diags);
        if measured {
            twice(
                m,
                file,
                &j.metrics,
                &Scope::Journey(id.as_str().into()),
                diags,
            );
        }
        for stage in &j.stages {
            check_targets(catalog, file, &stage.targets, diags);
            if measured && !stage.metrics.is_empty() {
                let scope = Scope::Stage(id.as_str().into(), stage.name.value.as_str().into());
                twice(m, file, &stage.metrics, &scope, diags);
            }
            for step in &stage.steps {
                check_targets(catalog, file, &step.targets, diags);
                if let (true, Some(typed), Some(sid)) = (measured, &step.metrics, &step.id) {
                    let scope = Scope::Step(id.as_str().into(), sid.value.as_str().into());
                    twice(m, file, typed, &scope, diags);
                }
            }
        }
    }
    for t in touchpoints.values() {
        check_targets(catalog, &t.meta.file, &t.targets, diags);
    }
}

fn check_targets(catalog: &Catalog, file: &str, targets: &[Target], diags: &mut Vec<Diagnostic>) {
    for t in targets {
        let Some(metric) = catalog.get(&t.metric.value) else {
            diags.push(
                Diagnostic::error(
                    "unknown-metric",
                    format!("`{}` is not a metric of this handbook", t.metric.value),
                )
                .at(file, t.metric.span.clone())
                .help(
                    crate::text::did_you_mean(&t.metric.value, catalog.ids()).unwrap_or_else(
                        || {
                            "use nps, ces, csat, or declare it in book.toml under [metrics.<id>]"
                                .to_owned()
                        },
                    ),
                ),
            );
            continue;
        };
        if !metric.in_range(t.value.value) {
            diags.push(
                Diagnostic::error(
                    "bad-metric",
                    format!(
                        "the target {} for `{}` is out of range",
                        t.value.value, metric.id
                    ),
                )
                .at(file, t.value.span.clone())
                .help(metric.range_words()),
            );
        }
    }
}

fn twice(
    m: &Measurements,
    file: &str,
    typed: &Metrics,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) {
    if typed.is_empty() || m.series.is_empty() {
        return;
    }
    for (i, metric) in m.catalog.metrics.iter().enumerate() {
        if typed.get(&metric.id).is_none() {
            continue;
        }
        let Some(last) = m.series(i, scope).last() else {
            continue;
        };
        diags.push(
            Diagnostic::warning(
                "metric-twice",
                format!(
                    "{} is typed here and measured in the data files: the measurement ({} on {}) is shown",
                    metric.title,
                    crate::text::number(last.value),
                    last.date()
                ),
            )
            .at(file, typed.span.clone())
            .help(format!(
                "remove `{}` from `metrics` here, or its rows from {}",
                metric.id,
                m.files.join(", ")
            )),
        );
    }
}

#[cfg(test)]
mod tests;
