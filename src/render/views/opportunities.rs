//! The opportunity portfolio (`opportunities/index.html`: the impact ×
//! effort matrix, then every opportunity by status with the pain it
//! addresses) and each opportunity's page (the steps and pains it
//! addresses, the future states that realise it, and the "done, but still
//! hurting" note), SPEC 6. Also the opportunity links on every map and the
//! figures the insights and home pages show.
//!
//! What an opportunity addresses is read from the current-state maps only
//! (SPEC 3: the current experience); a future state's own steps are the
//! redesign, shown under "realised by".

use std::collections::BTreeMap;

use serde::Serialize;

use super::insights::{At, INSIGHT_ITEMS, MomentView, step_anchor};
use super::shared::*;
use super::{PageJob, Views};
use crate::model::{Emotion, Opportunity, Status, Step};
use crate::opportunities::Quadrant;
use crate::render::{i18n, matrix};
use crate::routes::*;

pub(super) const INDEX: &str = "opportunities/index.html";

/// The pains shown on a portfolio row; the opportunity's page has them all.
const ROW_PAINS: usize = 3;

/// An opportunity named on a map: a link to its page and its status.
#[derive(Serialize)]
pub(super) struct OpportunityLink<'a> {
    pub(super) title: &'a str,
    /// `None` for an id no file has (only while the content has errors).
    pub(super) url: Option<String>,
    /// `idea`, `in-progress`…: the status's class.
    pub(super) status: &'static str,
    pub(super) status_word: &'static str,
}

/// A step's pain, or an opportunity against it: does the step have one?
pub(super) fn has_opportunity(s: &Step) -> bool {
    s.opportunity.is_some() || !s.opportunities.is_empty()
}

/// A pain and how many of an opportunity's steps have it.
#[derive(Serialize)]
pub(super) struct PainCount<'a> {
    pub(super) text: &'a str,
    pub(super) count: usize,
}

/// A row of the portfolio's list.
#[derive(Serialize)]
pub(super) struct OpportunityRow<'a> {
    pub(super) number: usize,
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) status: &'static str,
    pub(super) status_word: &'static str,
    pub(super) owner: Option<String>,
    pub(super) impact: Option<u8>,
    pub(super) effort: Option<u8>,
    pub(super) quadrant: Option<&'static str>,
    /// Current-state steps that name it.
    pub(super) steps: usize,
    pub(super) journeys: usize,
    pub(super) average: Option<Average>,
    pub(super) pains: Vec<PainCount<'a>>,
    /// Pains not shown on the row.
    pub(super) more_pains: usize,
    pub(super) still_hurting: bool,
}

/// The opportunities of one status.
#[derive(Serialize)]
pub(super) struct StatusGroup<'a> {
    pub(super) status: &'static str,
    pub(super) status_word: &'static str,
    pub(super) rows: Vec<OpportunityRow<'a>>,
}

/// The portfolio page.
#[derive(Serialize)]
pub(super) struct PortfolioView<'a> {
    pub(super) matrix: String,
    /// How many are on the matrix (impact and effort both given).
    pub(super) placed: usize,
    pub(super) unplaced: Vec<TitleLink<'a>>,
    pub(super) groups: Vec<StatusGroup<'a>>,
    pub(super) total: usize,
    pub(super) open: usize,
}

/// An opportunity's page.
#[derive(Serialize)]
pub(super) struct OpportunityView<'a> {
    pub(super) row: OpportunityRow<'a>,
    pub(super) link: Option<&'a str>,
    pub(super) body: String,
    /// The steps it improves, by journey (reading order).
    pub(super) journeys: Vec<super::research::StudyJourney<'a>>,
    /// Every pain of those steps, most frequent first.
    pub(super) pains: Vec<PainCount<'a>>,
    /// Future states whose `realises` names it.
    pub(super) futures: Vec<TitleLink<'a>>,
}

/// The insights page's opportunity sections.
#[derive(Serialize)]
pub(super) struct OpportunityInsights<'a> {
    /// Pains that no opportunity addresses, worst emotion first.
    pub(super) pains: Vec<MomentView<'a>>,
    pub(super) pains_total: usize,
    /// Every status with opportunities, with the first of them.
    pub(super) by_status: Vec<StatusCount<'a>>,
}

#[derive(Serialize)]
pub(super) struct StatusCount<'a> {
    pub(super) status: &'static str,
    pub(super) status_word: &'static str,
    pub(super) count: usize,
    pub(super) items: Vec<TitleLink<'a>>,
}

impl<'h> Views<'h> {
    /// Opportunity id → the current-state steps naming it, in reading order
    /// (built once).
    fn opportunity_steps(&self) -> &BTreeMap<&'h str, Vec<At<'h>>> {
        self.opportunity_steps.get_or_init(|| {
            let mut out: BTreeMap<&'h str, Vec<At<'h>>> = BTreeMap::new();
            if self.h.opportunities.is_empty() {
                return out;
            }
            self.each_naming(|o, at| {
                let list = out.entry(o).or_default();
                // A step naming it twice counts once.
                if list.last() != Some(&at) {
                    list.push(at);
                }
            });
            out
        })
    }

    /// Each opportunity id named by a current-state step, with the step, in
    /// reading order.
    fn each_naming(&self, mut f: impl FnMut(&'h str, At<'h>)) {
        for id in self.current_sorted() {
            for (si, stage) in self.h.journeys[id].stages.iter().enumerate() {
                for (k, step) in stage.steps.iter().enumerate() {
                    for o in &step.opportunities {
                        f(o.value.as_str(), (id, si, k));
                    }
                }
            }
        }
    }

    /// The future states whose `realises` names opportunity `id`, in
    /// reading order. From an index built once (each of 2,000 opportunity
    /// pages scanning 110,000 journeys was most of a 100,000-journey
    /// build; building it costs one such scan, so the dev server's single
    /// page uses it too).
    fn realising(&self, id: &str) -> &[&'h String] {
        let index = self.opportunity_futures.get_or_init(|| {
            let mut out: BTreeMap<&'h str, Vec<&'h String>> = BTreeMap::new();
            for fid in self.journeys_sorted() {
                let f = &self.h.journeys[fid];
                if !f.is_future() {
                    continue;
                }
                for r in &f.realises {
                    let list = out.entry(r.value.as_str()).or_default();
                    // A future naming it twice is listed once.
                    if list.last() != Some(&fid) {
                        list.push(fid);
                    }
                }
            }
            out
        });
        index.get(id).map_or(&[], Vec::as_slice)
    }

    fn step_at(&self, &(id, si, k): &At<'h>) -> &'h Step {
        &self.h.journeys[id].stages[si].steps[k]
    }

    /// A step's `opportunity` note, unless it only repeats the title of an
    /// opportunity the step names (the link says it already).
    pub(super) fn opportunity_note(&self, s: &'h Step) -> Option<&'h str> {
        let note = s.opportunity.as_deref()?;
        let repeated = s.opportunities.iter().any(|o| {
            self.h
                .opportunities
                .get(&o.value)
                .is_some_and(|op| crate::text::fold(&op.title) == crate::text::fold(note))
        });
        (!repeated).then_some(note)
    }

    /// An opportunity a step names, as the map links it.
    pub(super) fn opportunity_link(&self, id: &'h str) -> OpportunityLink<'h> {
        match self.h.opportunities.get(id) {
            Some(o) => OpportunityLink {
                title: &o.title,
                url: Some(opportunity_url(id)),
                status: o.status.name(),
                status_word: i18n::status(o.status, self.lang),
            },
            None => OpportunityLink {
                title: id,
                url: None,
                status: Status::Idea.name(),
                status_word: i18n::status(Status::Idea, self.lang),
            },
        }
    }

    /// The portfolio's order: by status (as work moves), then quick wins
    /// before big bets, fill-ins, those to reconsider and the unscored;
    /// higher impact, then lower effort, then title.
    fn portfolio_order(&self) -> Vec<&'h String> {
        let mut ids: Vec<&String> = self.h.opportunities.keys().collect();
        let key = |o: &'h Opportunity| {
            (
                o.status,
                Quadrant::of_opportunity(o).map_or(4, |q| q as u8),
                std::cmp::Reverse(o.impact.unwrap_or(0)),
                o.effort.unwrap_or(6),
                o.title.as_str(),
            )
        };
        ids.sort_by(|a, b| {
            let (oa, ob) = (&self.h.opportunities[*a], &self.h.opportunities[*b]);
            key(oa).cmp(&key(ob)).then_with(|| a.cmp(b))
        });
        ids
    }

    /// How many opportunities are still to be done.
    pub(super) fn open_opportunities(&self) -> usize {
        self.h
            .opportunities
            .values()
            .filter(|o| o.status.is_open())
            .count()
    }

    pub(super) fn opportunity_pages<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        if h.opportunities.is_empty() {
            return;
        }
        let t = self.t;
        jobs.push(PageJob {
            path: INDEX.to_owned(),
            template: "opportunities.html",
            title: t.portfolio.to_owned(),
            section: "opportunities",
            data: Box::new(move || tv(&self.portfolio())),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        let ids = self.portfolio_order();
        for (i, id) in ids.iter().enumerate() {
            let id: &'h String = id;
            let (prev, next) = pager(&ids, i, |oid| {
                (h.opportunities[*oid].title.clone(), opportunity_url(oid))
            });
            jobs.push(PageJob {
                path: opportunity_url(id),
                template: "opportunity.html",
                title: h.opportunities[id].title.clone(),
                section: "opportunities",
                data: Box::new(move || tv(&self.opportunity(id, i + 1))),
                breadcrumbs: self.crumbs(Some((t.portfolio, INDEX))),
                prev,
                next,
            });
        }
    }

    /// The pains of `steps`, most frequent first (then first seen).
    fn pains_of(&self, steps: &[At<'h>]) -> Vec<PainCount<'h>> {
        let mut pains: Vec<PainCount> = Vec::new();
        for at in steps {
            if let Some(p) = self.step_at(at).pain.as_deref() {
                match pains.iter_mut().find(|c| c.text == p) {
                    Some(c) => c.count += 1,
                    None => pains.push(PainCount { text: p, count: 1 }),
                }
            }
        }
        // Stable: equal counts keep reading order.
        pains.sort_by_key(|c| std::cmp::Reverse(c.count));
        pains
    }

    /// The current-state steps naming opportunity `id`, in reading order:
    /// from the index, or found directly when only a few pages are
    /// rendered (the dev server's answer to an edit of one opportunity).
    fn steps_naming(&self, id: &str) -> std::borrow::Cow<'_, [At<'h>]> {
        if !self.direct(&self.opportunity_steps) {
            return std::borrow::Cow::Borrowed(
                self.opportunity_steps()
                    .get(id)
                    .map_or(&[][..], Vec::as_slice),
            );
        }
        let mut out: Vec<At<'h>> = Vec::new();
        self.each_naming(|o, at| {
            if o == id && out.last() != Some(&at) {
                out.push(at);
            }
        });
        std::borrow::Cow::Owned(out)
    }

    fn opportunity_row(&self, id: &'h str, number: usize) -> OpportunityRow<'h> {
        self.row_of(id, number, &self.steps_naming(id))
    }

    /// A portfolio row of opportunity `id`, named by `steps`.
    fn row_of(&self, id: &'h str, number: usize, steps: &[At<'h>]) -> OpportunityRow<'h> {
        let o = &self.h.opportunities[id];
        let mut pains = self.pains_of(steps);
        let more_pains = pains.len().saturating_sub(ROW_PAINS);
        let hurting = !pains.is_empty();
        pains.truncate(ROW_PAINS);
        let mut journeys: Vec<&String> = steps.iter().map(|(j, _, _)| *j).collect();
        journeys.dedup();
        OpportunityRow {
            number,
            title: &o.title,
            url: opportunity_url(id),
            status: o.status.name(),
            status_word: i18n::status(o.status, self.lang),
            owner: o.owner.as_ref().map(|d| self.dept(&d.value)),
            impact: o.impact,
            effort: o.effort,
            quadrant: Quadrant::of_opportunity(o).map(|q| i18n::quadrant(q, self.t)),
            steps: steps.len(),
            journeys: journeys.len(),
            average: Average::of(
                steps
                    .iter()
                    .filter_map(|at| self.step_at(at).emotion.map(Emotion::score)),
            ),
            pains,
            more_pains,
            still_hurting: o.status == Status::Done && hurting,
        }
    }

    pub(super) fn portfolio(&self) -> PortfolioView<'h> {
        let h = self.h;
        let t = self.t;
        let order = self.portfolio_order();
        let rows: Vec<OpportunityRow> = order
            .iter()
            .enumerate()
            .map(|(i, id)| self.opportunity_row(id, i + 1))
            .collect();
        let mut items = Vec::new();
        let mut unplaced = Vec::new();
        for (i, id) in order.iter().enumerate() {
            let o = &h.opportunities[*id];
            match (o.impact, o.effort) {
                (Some(impact), Some(effort)) => items.push(matrix::Item {
                    number: i + 1,
                    title: &o.title,
                    // The page is one folder down, as are the opportunities.
                    url: format!("{id}.html"),
                    impact,
                    effort,
                    status: o.status.name(),
                    status_word: i18n::status(o.status, self.lang),
                }),
                _ => unplaced.push(TitleLink {
                    title: &o.title,
                    url: opportunity_url(id),
                }),
            }
        }
        let svg = matrix::matrix(
            &items,
            &matrix::Labels {
                title: t.matrix_label,
                impact: t.impact,
                effort: t.effort,
                quadrants: Quadrant::ALL.map(|q| i18n::quadrant(q, t)),
            },
        );
        let mut groups: Vec<StatusGroup> = Vec::new();
        for row in rows {
            match groups.last_mut() {
                Some(g) if g.status == row.status => g.rows.push(row),
                _ => groups.push(StatusGroup {
                    status: row.status,
                    status_word: row.status_word,
                    rows: vec![row],
                }),
            }
        }
        PortfolioView {
            matrix: svg,
            placed: items.len(),
            unplaced,
            groups,
            total: h.opportunities.len(),
            open: self.open_opportunities(),
        }
    }

    pub(super) fn opportunity(&self, id: &'h str, number: usize) -> OpportunityView<'h> {
        let h = self.h;
        let o = &h.opportunities[id];
        let steps = self.steps_naming(id);
        let steps: &[At] = &steps;
        let mut journeys: Vec<super::research::StudyJourney> = Vec::new();
        for at @ &(jid, si, k) in steps {
            let j = &h.journeys[jid];
            let stage = &j.stages[si];
            let s = self.step_at(at);
            let step = super::research::StudyStep {
                stage: &stage.name.value,
                action: &s.action,
                anchor: step_anchor(si, k),
                emotion: s.emotion.map(|e| emotion_view(e, self.lang)),
                pain: s.pain.as_deref(),
            };
            match journeys.last_mut() {
                Some(last) if last.url == journey_url(jid) => last.steps.push(step),
                _ => journeys.push(super::research::StudyJourney {
                    title: &j.title,
                    url: journey_url(jid),
                    persona: h.personas.get(&j.persona.value).map(|p| p.name.as_str()),
                    background: false,
                    steps: vec![step],
                }),
            }
        }
        let futures = self
            .realising(id)
            .iter()
            .map(|fid| TitleLink {
                title: &h.journeys[*fid].title,
                url: journey_url(fid),
            })
            .collect();
        OpportunityView {
            row: self.row_of(id, number, steps),
            link: o.link.as_deref(),
            body: self.md(o.meta.body(), &o.meta.file, &opportunity_url(id)),
            journeys,
            pains: self.pains_of(steps),
            futures,
        }
    }

    /// Pains with no opportunity (worst emotion first, then reading order)
    /// and the opportunities by status; `None` without opportunity files
    /// and without such pains.
    pub(super) fn opportunity_insights(
        &self,
        sorted: &[&'h String],
    ) -> Option<OpportunityInsights<'h>> {
        let h = self.h;
        let mut pains: Vec<(i8, At)> = Vec::new();
        for &id in sorted {
            for (si, stage) in h.journeys[id].stages.iter().enumerate() {
                for (k, s) in stage.steps.iter().enumerate() {
                    if s.pain.is_some() && !has_opportunity(s) {
                        pains.push((s.emotion.map_or(0, Emotion::score), (id, si, k)));
                    }
                }
            }
        }
        if h.opportunities.is_empty() && pains.is_empty() {
            return None;
        }
        pains.sort_by_key(|(score, _)| *score);
        let mut by_status: Vec<StatusCount> = Vec::new();
        for id in self.portfolio_order() {
            let o = &h.opportunities[id];
            let link = TitleLink {
                title: &o.title,
                url: opportunity_url(id),
            };
            match by_status.last_mut() {
                Some(g) if g.status == o.status.name() => {
                    g.count += 1;
                    if g.items.len() < INSIGHT_ITEMS {
                        g.items.push(link);
                    }
                }
                _ => by_status.push(StatusCount {
                    status: o.status.name(),
                    status_word: i18n::status(o.status, self.lang),
                    count: 1,
                    items: vec![link],
                }),
            }
        }
        Some(OpportunityInsights {
            pains_total: pains.len(),
            pains: self.first_moments(&pains),
            by_status,
        })
    }
}
