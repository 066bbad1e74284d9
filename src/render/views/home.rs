//! The home page: the coverage matrix (personas × lenses), the worst
//! touchpoints and the worst handoff gaps.

use serde::Serialize;

use super::insights::GapView;
use super::shared::*;
use super::{PageJob, Views};
use crate::routes::*;

/// How many handoff gaps the home page shows.
pub(super) const HOME_GAPS: usize = 10;
/// Rows of the home page's coverage matrix; the personas index lists all.
pub(super) const HOME_PERSONAS: usize = 100;

/// The home page.
#[derive(Serialize)]
pub(super) struct HomeView<'a> {
    pub(super) body: String,
    pub(super) lenses: Vec<TitleLink<'a>>,
    pub(super) coverage: Vec<CoverageRow<'a>>,
    pub(super) coverage_total: usize,
    pub(super) worst: Vec<WorstTouchpoint<'a>>,
    pub(super) gaps: Vec<GapView<'a>>,
    pub(super) gap_count: usize,
    pub(super) counts: Counts,
    /// The figures a director asks for first, each a link to its list.
    pub(super) figures: Vec<Figure>,
    /// The whole handbook's measurements (rows of `data/*.csv` with no
    /// scope).
    pub(super) readings: Vec<super::metrics::MetricView>,
    pub(super) has_metrics: bool,
}

/// One figure of the dashboard: a number (or an average), what it counts,
/// where it is listed, and whether it is a warning (a gap, a loss).
#[derive(Serialize)]
pub(super) struct Figure {
    pub(super) value: String,
    pub(super) label: &'static str,
    pub(super) url: &'static str,
    /// `e…` colour class of an average, or `alert` for counts of problems.
    pub(super) class: String,
}

/// A persona's row of the coverage matrix: its journeys through each lens.
#[derive(Serialize)]
pub(super) struct CoverageRow<'a> {
    pub(super) persona: &'a str,
    pub(super) url: String,
    pub(super) cells: Vec<CoverageCell<'a>>,
}

#[derive(Serialize)]
pub(super) struct CoverageCell<'a> {
    pub(super) lens: &'a str,
    pub(super) journeys: Vec<JourneyLink<'a>>,
}

#[derive(Serialize)]
pub(super) struct WorstTouchpoint<'a> {
    pub(super) name: &'a str,
    pub(super) url: String,
    pub(super) average: Option<Average>,
    pub(super) owner: Option<String>,
}

#[derive(Serialize)]
pub(super) struct Counts {
    pub(super) personas: usize,
    pub(super) journeys: usize,
    pub(super) touchpoints: usize,
    pub(super) steps: usize,
}

impl<'h> Views<'h> {
    pub(super) fn home<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let title = h
            .home
            .as_ref()
            .and_then(|p| p.title.clone())
            .unwrap_or_else(|| h.config.title.clone());
        jobs.push(PageJob {
            path: "index.html".to_owned(),
            template: "index.html",
            title,
            section: "home",
            data: Box::new(move || tv(&self.home_page())),
            breadcrumbs: vec![],
            prev: None,
            next: None,
        });
    }

    /// The home page's view.
    pub(super) fn home_page(&self) -> HomeView<'h> {
        let h = self.h;
        let body = h
            .home
            .as_ref()
            .map(|p| self.md(p.meta.body(), &p.meta.file, "index.html"))
            .unwrap_or_default();
        let lenses: Vec<&'h String> = h.lenses.keys().collect();
        let coverage = self
            .personas_sorted
            .iter()
            .take(HOME_PERSONAS)
            .map(|pid| CoverageRow {
                persona: &h.personas[pid].name,
                url: persona_url(pid),
                cells: lenses
                    .iter()
                    .map(|lid| CoverageCell {
                        lens: &h.lenses[*lid].title,
                        journeys: self
                            .people_ix()
                            .by_lens
                            .get(*lid)
                            .and_then(|m| m.get(pid))
                            .into_iter()
                            .flatten()
                            .map(|jid| self.journey_link(jid))
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let mut worst: Vec<(f64, &String)> = h
            .touchpoints
            .keys()
            .filter_map(|id| value_of(&self.touchpoint_average(id)).map(|v| (v, id)))
            .collect();
        worst.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let worst = worst
            .iter()
            .take(5)
            .map(|(_, id)| {
                let tp = &h.touchpoints[*id];
                WorstTouchpoint {
                    name: &tp.name,
                    url: touchpoint_url(id),
                    average: self.touchpoint_average(id),
                    owner: tp.owner.as_ref().map(|o| self.dept(&o.value)),
                }
            })
            .collect();
        let t = self.t;
        // The current experience: future states are counted as redesigns.
        let current = || h.journeys.values().filter(|j| !j.is_future());
        let all_steps = || current().flat_map(|j| j.steps().map(|(_, s)| s));
        let average = average_of(all_steps());
        let count = |n: usize, label, url| Figure {
            value: n.to_string(),
            label,
            url,
            class: if n > 0 {
                "alert".to_owned()
            } else {
                String::new()
            },
        };
        let mut figures = vec![
            Figure {
                value: current().count().to_string(),
                label: t.journeys,
                url: "journeys/index.html",
                class: String::new(),
            },
            Figure {
                value: h.personas.len().to_string(),
                label: t.personas,
                url: "personas/index.html",
                class: String::new(),
            },
            Figure {
                value: average.as_ref().map_or("—".to_owned(), |a| a.text.clone()),
                label: t.average_emotion,
                url: "insights.html#heatmap",
                class: average
                    .as_ref()
                    .map_or(String::new(), |a| format!("e{}", a.class)),
            },
            count(
                self.gaps_ix().len(),
                t.handoff_gaps,
                "insights.html#handoff-gaps",
            ),
            count(
                h.journey_gaps.len(),
                t.journey_gaps,
                "insights.html#journey-gaps",
            ),
            count(
                all_steps().filter(|s| s.dropoff).count(),
                t.dropoffs,
                "insights.html#dropoffs",
            ),
            count(
                all_steps()
                    .filter(|s| s.pain.is_some() && !super::opportunities::has_opportunity(s))
                    .count(),
                t.pains_without_opportunity,
                "insights.html#pains-without-opportunity",
            ),
        ];
        if !h.opportunities.is_empty() {
            figures.push(Figure {
                value: self.open_opportunities().to_string(),
                label: t.open_opportunities,
                url: "opportunities/index.html",
                class: String::new(),
            });
        }
        if let Some(p) = self.evidenced_percent() {
            figures.push(Figure {
                value: format!("{p} %"),
                label: t.evidenced_share,
                url: "insights.html#evidence",
                class: String::new(),
            });
        }
        let redesigns = self.redesign_count();
        if redesigns > 0 {
            figures.push(Figure {
                value: redesigns.to_string(),
                label: t.planned_redesigns,
                url: "insights.html#redesigns",
                class: "future".to_owned(),
            });
        }
        HomeView {
            readings: self.handbook_readings(),
            has_metrics: self.has_metric_pages(),
            figures,
            body,
            lenses: lenses
                .iter()
                .map(|l| TitleLink {
                    title: &h.lenses[*l].title,
                    url: lens_url(l),
                })
                .collect(),
            coverage,
            coverage_total: h.personas.len(),
            worst,
            // The worst gaps (largest drop first, then those with a pain);
            // the insights page lists them all.
            gaps: self.worst_gaps(HOME_GAPS),
            gap_count: self.gaps_ix().len(),
            counts: Counts {
                personas: h.personas.len(),
                journeys: current().count(),
                touchpoints: h.touchpoints.len(),
                steps: all_steps().count(),
            },
        }
    }

    /// A journey by id as lists show it.
    pub(super) fn journey_link(&self, id: &'h str) -> JourneyLink<'h> {
        let j = &self.h.journeys[id];
        JourneyLink {
            title: &j.title,
            url: journey_url(id),
            average: self.journey_average(j),
            futures: self.futures_of(id),
        }
    }
}
