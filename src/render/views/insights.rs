//! The insights page: handoff gaps, journey gaps, pains by owner and by
//! touchpoint, unmapped stages, moments of truth and the heatmaps.

use std::collections::BTreeMap;

use std::collections::HashMap;

use serde::Serialize;

use super::shared::*;
use super::{PageJob, Views};
use crate::insights::effective_owner;
use crate::model::Emotion;
use crate::resolve::Handbook;
use crate::routes::*;

/// Items per list on the insights page (worst first); journeys.json has all.
pub(super) const INSIGHT_ITEMS: usize = 100;
/// Pains per touchpoint on the insights page; its own page lists all.
pub(super) const TOUCHPOINT_PAINS: usize = 10;

impl<'h> Views<'h> {
    /// Every handoff gap in the handbook, worst first: the largest emotion
    /// drop, then those with a pain (a stable sort keeps journey order among
    /// equals). Only references: views are built for the few shown.
    pub(super) fn handoff_gaps(h: &'h Handbook) -> Vec<(&'h String, &'h crate::insights::Handoff)> {
        let mut out = Vec::new();
        for (id, list) in &h.handoffs {
            if h.journeys.get(id).is_some_and(|j| j.is_future()) {
                continue;
            }
            for ho in list {
                if ho.gap.is_some() {
                    out.push((id, ho));
                }
            }
        }
        out.sort_by_key(|(_, ho)| {
            let gap = ho.gap.as_ref();
            let size = gap
                .and_then(|g| g.drop)
                .map_or(0, |(a, b)| i64::from(a.score() - b.score()));
            std::cmp::Reverse(size * 2 + i64::from(gap.is_some_and(|g| g.pain.is_some())))
        });
        out
    }

    /// The first `n` handoff gaps, worst first, as the templates show them.
    pub(super) fn worst_gaps(&self, n: usize) -> Vec<GapView<'h>> {
        let h = self.h;
        self.gaps_ix()
            .iter()
            .take(n)
            .filter_map(|(id, ho)| {
                let gap = ho.gap.as_ref()?;
                let j = &h.journeys[*id];
                let stage = &j.stages[ho.to.stage];
                Some(GapView {
                    journey: &j.title,
                    url: journey_url(id),
                    persona: h
                        .personas
                        .get(&j.persona.value)
                        .map_or(j.persona.value.as_str(), |p| p.name.as_str()),
                    from: self.dept(&ho.from_owner),
                    to: self.dept(&ho.to_owner),
                    stage: &stage.name.value,
                    action: &stage.steps[ho.to.step].action,
                    drop: gap.drop.map(|d| DropView::new(d, self.lang, true)),
                    pain: gap.pain.as_deref(),
                    anchor: step_anchor(ho.to.stage, ho.to.step),
                })
            })
            .collect()
    }

    pub(super) fn insights<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        jobs.push(PageJob {
            path: "insights.html".to_owned(),
            template: "insights.html",
            title: self.t.insights.to_owned(),
            section: "insights",
            data: Box::new(move || tv(&self.insights_page())),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
    }

    /// The insights page. Each list shows its worst [`INSIGHT_ITEMS`]
    /// entries and its total, so the page stays readable at 10,000 journeys.
    pub(super) fn insights_page(&self) -> InsightsView<'h> {
        let h = self.h;
        // Steps are collected by reference; views are built only for the
        // items shown.
        let mut by_owner_id: HashMap<Option<&str>, Vec<At>> = HashMap::new();
        let mut unmapped = Vec::new();
        let mut moments: Vec<(i8, At)> = Vec::new();
        let sorted = self.current_sorted();
        for &id in &sorted {
            let j = &h.journeys[id];
            for (si, stage) in j.stages.iter().enumerate() {
                if !stage.steps.is_empty() && stage.steps.iter().all(|s| s.touchpoints.is_empty()) {
                    unmapped.push((id, si));
                }
                for (k, step) in stage.steps.iter().enumerate() {
                    if step.pain.is_some() {
                        by_owner_id
                            .entry(effective_owner(step, &h.touchpoints))
                            .or_default()
                            .push((id, si, k));
                    }
                    if step.transaction || step.dropoff {
                        moments.push((step.emotion.map_or(0, Emotion::score), (id, si, k)));
                    }
                }
            }
        }
        // By display name; each list keeps reading order.
        let mut by_owner: BTreeMap<String, Vec<At>> = BTreeMap::new();
        for (owner, items) in by_owner_id {
            let name = owner.map_or_else(|| self.t.none.to_owned(), |o| self.dept(o));
            by_owner.entry(name).or_default().extend(items);
        }
        let order: HashMap<&String, usize> =
            sorted.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        for items in by_owner.values_mut() {
            items.sort_by_key(|(id, si, k)| (order[id], *si, *k));
        }
        let step_of = |&(id, si, k): &At| &h.journeys[id].stages[si].steps[k];
        // Worst moments first (a stable sort keeps reading order among equals).
        moments.sort_by_key(|(score, _)| *score);
        let dropoffs: Vec<&At> = moments
            .iter()
            .filter(|(_, at)| step_of(at).dropoff)
            .map(|(_, at)| at)
            .collect();
        let transactions: Vec<&At> = moments
            .iter()
            .filter(|(_, at)| step_of(at).transaction)
            .map(|(_, at)| at)
            .collect();
        // Every touchpoint with pains is counted; the first shown are made.
        let mut by_touchpoint_total = 0;
        let by_touchpoint: Vec<TouchpointPains> = h
            .touchpoints
            .iter()
            .filter_map(|(id, tp)| {
                let pains: Vec<&Hit> = self
                    .touchpoint_ix()
                    .get(id)?
                    .iter()
                    .filter(|r| r.step.pain.is_some())
                    .collect();
                if pains.is_empty() {
                    return None;
                }
                by_touchpoint_total += 1;
                // The touchpoint's own page lists every pain; here the first few.
                (by_touchpoint_total <= INSIGHT_ITEMS).then(|| TouchpointPains {
                    name: &tp.name,
                    url: touchpoint_url(id),
                    average: self.touchpoint_average(id),
                    total: pains.len(),
                    pains: pains
                        .iter()
                        .take(TOUCHPOINT_PAINS)
                        .map(|hit| self.step_ref(hit))
                        .collect(),
                })
            })
            .collect();
        let unmapped_total = unmapped.len();
        let journey_gaps: Vec<JourneyGapView> = h
            .journey_gaps
            .iter()
            .map(|g| JourneyGapView {
                from: TitleLink {
                    title: &h.journeys[&g.from].title,
                    url: journey_url(&g.from),
                },
                to: TitleLink {
                    title: &h.journeys[&g.to].title,
                    url: journey_url(&g.to),
                },
                from_owner: self.dept(&g.from_owner),
                to_owner: self.dept(&g.to_owner),
                drop: g.gap.drop.map(|d| DropView::new(d, self.lang, false)),
                pain: g.gap.pain.as_deref(),
            })
            .take(INSIGHT_ITEMS)
            .collect();
        let first_items = |v: &[&At<'h>]| -> Vec<MomentView<'h>> {
            v.iter()
                .take(INSIGHT_ITEMS)
                .map(|at| self.moment(at))
                .collect()
        };
        let (off_target, off_target_total, moves) = self.off_target_and_moves();
        InsightsView {
            off_target,
            off_target_total,
            moves,
            totals: Totals {
                gaps: self.gaps_ix().len(),
                journey_gaps: h.journey_gaps.len(),
                by_touchpoint: by_touchpoint_total,
                unmapped: unmapped_total,
                dropoffs: dropoffs.len(),
                transactions: transactions.len(),
                redesigns: self.redesign_count(),
            },
            redesigns: self
                .planned_redesigns()
                .into_iter()
                .take(INSIGHT_ITEMS)
                .collect(),
            evidence: self.evidence_insights(&sorted),
            opportunities: self.opportunity_insights(&sorted),
            gaps: self.worst_gaps(INSIGHT_ITEMS),
            journey_gaps,
            by_owner: by_owner
                .into_iter()
                .map(|(owner, items)| OwnerPains {
                    owner,
                    total: items.len(),
                    items: items
                        .iter()
                        .take(INSIGHT_ITEMS)
                        .map(|at| self.moment(at))
                        .collect(),
                })
                .collect(),
            by_touchpoint,
            unmapped: unmapped
                .iter()
                .take(INSIGHT_ITEMS)
                .map(|&(id, si)| {
                    let j = &h.journeys[id];
                    let stage = &j.stages[si];
                    UnmappedStage {
                        journey: &j.title,
                        url: journey_url(id),
                        stage: &stage.name.value,
                        steps: stage.steps.iter().map(|s| s.action.as_str()).collect(),
                    }
                })
                .collect(),
            dropoffs: first_items(&dropoffs),
            transactions: first_items(&transactions),
            heatmaps: self.heatmaps(),
        }
    }

    /// A step of the insights page's lists.
    pub(super) fn moment(&self, &(id, si, k): &At<'h>) -> MomentView<'h> {
        let j = &self.h.journeys[id];
        let stage = &j.stages[si];
        let step = &stage.steps[k];
        MomentView {
            journey: &j.title,
            url: journey_url(id),
            anchor: step_anchor(si, k),
            stage: &stage.name.value,
            action: &step.action,
            pain: step.pain.as_deref(),
            emotion: step.emotion.map(|e| emotion_view(e, self.lang)),
            transaction: step.transaction,
            dropoff: step.dropoff,
        }
    }

    /// Average emotion per touchpoint × stage, one table per lens.
    pub(super) fn heatmaps(&self) -> Vec<Heatmap<'h>> {
        let h = self.h;
        let mut out = Vec::new();
        for (lid, lens) in &h.lenses {
            let Some(by_persona) = self.people_ix().by_lens.get(lid) else {
                continue;
            };
            let mut columns: Vec<&'h str> = lens.stages.iter().map(String::as_str).collect();
            // (touchpoint, column) -> scores; borrowed keys, hashed while
            // counting (400,000 entries at 10k journeys), sorted once below.
            let mut cells: HashMap<(&str, usize), Vec<i8>> = HashMap::new();
            for jid in by_persona.values().flatten() {
                for stage in &h.journeys[*jid].stages {
                    let col = match columns.iter().position(|c| *c == stage.name.value) {
                        Some(c) => c,
                        None => {
                            columns.push(&stage.name.value);
                            columns.len() - 1
                        }
                    };
                    for step in &stage.steps {
                        for t in &step.touchpoints {
                            let entry = cells.entry((&*t.value, col)).or_default();
                            if let Some(e) = step.emotion {
                                entry.push(e.score());
                            }
                        }
                    }
                }
            }
            let cells: BTreeMap<(&str, usize), Vec<i8>> = cells.into_iter().collect();
            let mut rows: BTreeMap<&str, Vec<Option<HeatCell>>> = BTreeMap::new();
            for ((tp, col), scores) in cells {
                let row = rows.entry(tp).or_insert_with(|| {
                    std::iter::repeat_with(|| None)
                        .take(columns.len())
                        .collect()
                });
                row[col] = Some(HeatCell {
                    count: scores.len(),
                    average: Average::of(scores),
                });
            }
            out.push(Heatmap {
                lens: &lens.title,
                url: lens_url(lid),
                columns,
                rows: rows
                    .into_iter()
                    .map(|(tp, cells)| HeatRow {
                        link: self.touchpoint_link(tp),
                        cells,
                    })
                    .collect(),
            });
        }
        out
    }
}

/// A step somewhere in a journey: journey id, stage and step index.
pub(super) type At<'a> = (&'a String, usize, usize);

/// The anchor of a step's column on its journey page.
pub(super) fn step_anchor(stage: usize, step: usize) -> String {
    format!("step-{}-{}", stage + 1, step + 1)
}

impl<'h> Views<'h> {
    /// Evidence across the current-state journeys `sorted` (reading order).
    fn evidence_insights(&self, sorted: &[&'h String]) -> Option<EvidenceInsights<'h>> {
        let h = self.h;
        if h.research.is_empty() {
            return None;
        }
        let mut journeys: Vec<JourneyEvidence> = sorted
            .iter()
            .map(|id| {
                let j = &h.journeys[*id];
                let share = super::research::EvidenceShare::of(j);
                JourneyEvidence {
                    title: &j.title,
                    url: journey_url(id),
                    percent: (share.share() * 100.0).round() as u32,
                    share,
                }
            })
            .collect();
        // Least evidenced first (a stable sort keeps reading order).
        journeys.sort_by(|a, b| a.share.share().total_cmp(&b.share.share()));
        let mut pains: Vec<(i8, At<'h>)> = Vec::new();
        for &id in sorted {
            for (si, stage) in h.journeys[id].stages.iter().enumerate() {
                for (k, s) in stage.steps.iter().enumerate() {
                    if s.pain.is_some() && s.evidence.is_empty() {
                        pains.push((s.emotion.map_or(0, Emotion::score), (id, si, k)));
                    }
                }
            }
        }
        pains.sort_by_key(|(score, _)| *score);
        Some(EvidenceInsights {
            journeys: journeys.into_iter().take(INSIGHT_ITEMS).collect(),
            pains_total: pains.len(),
            pains: self.first_moments(&pains),
        })
    }

    /// The first [`INSIGHT_ITEMS`] of steps ranked worst first, as the
    /// insights page lists them.
    pub(super) fn first_moments(&self, ranked: &[(i8, At<'h>)]) -> Vec<MomentView<'h>> {
        ranked
            .iter()
            .take(INSIGHT_ITEMS)
            .map(|(_, at)| self.moment(at))
            .collect()
    }

    /// The share of current-state steps that cite research, in whole
    /// percent (`None` without research files).
    pub(super) fn evidenced_percent(&self) -> Option<u32> {
        let h = self.h;
        if h.research.is_empty() {
            return None;
        }
        let (mut cited, mut all) = (0usize, 0usize);
        for j in h.journeys.values().filter(|j| !j.is_future()) {
            let e = super::research::EvidenceShare::of(j);
            cited += e.steps;
            all += e.of_steps;
        }
        Some((cited * 100).checked_div(all).map_or(100, |p| p as u32))
    }
}

/// The insights page.
#[derive(Serialize)]
pub(super) struct InsightsView<'a> {
    pub(super) gaps: Vec<GapView<'a>>,
    pub(super) journey_gaps: Vec<JourneyGapView<'a>>,
    pub(super) by_owner: Vec<OwnerPains<'a>>,
    pub(super) by_touchpoint: Vec<TouchpointPains<'a>>,
    pub(super) unmapped: Vec<UnmappedStage<'a>>,
    pub(super) dropoffs: Vec<MomentView<'a>>,
    pub(super) transactions: Vec<MomentView<'a>>,
    pub(super) totals: Totals,
    pub(super) heatmaps: Vec<Heatmap<'a>>,
    /// Future states, best first.
    pub(super) redesigns: Vec<super::redesign::NetChange<'a>>,
    /// When the handbook has research: each journey's evidence, least
    /// evidenced first, and the pains no study backs, worst first.
    pub(super) evidence: Option<EvidenceInsights<'a>>,
    /// Readings that miss their target, furthest first.
    pub(super) off_target: Vec<super::metrics::ScopeRow>,
    pub(super) off_target_total: usize,
    /// The largest changes since the measurement before.
    pub(super) moves: Vec<super::metrics::ScopeRow>,
    /// Pains without an opportunity, and the opportunities by status.
    pub(super) opportunities: Option<super::opportunities::OpportunityInsights<'a>>,
}

#[derive(Serialize)]
pub(super) struct EvidenceInsights<'a> {
    pub(super) journeys: Vec<JourneyEvidence<'a>>,
    pub(super) pains: Vec<MomentView<'a>>,
    pub(super) pains_total: usize,
}

#[derive(Serialize)]
pub(super) struct JourneyEvidence<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) share: super::research::EvidenceShare,
    /// Steps evidenced, in whole percent.
    pub(super) percent: u32,
}

/// A handoff gap: where a step passes to another department and the
/// experience breaks.
#[derive(Serialize)]
pub(super) struct GapView<'a> {
    pub(super) journey: &'a str,
    pub(super) url: String,
    pub(super) persona: &'a str,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) stage: &'a str,
    pub(super) action: &'a str,
    pub(super) drop: Option<DropView>,
    pub(super) pain: Option<&'a str>,
    pub(super) anchor: String,
}

/// A gap between a journey and the one that follows it.
#[derive(Serialize)]
pub(super) struct JourneyGapView<'a> {
    pub(super) from: TitleLink<'a>,
    pub(super) to: TitleLink<'a>,
    pub(super) from_owner: String,
    pub(super) to_owner: String,
    pub(super) drop: Option<DropView>,
    pub(super) pain: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct OwnerPains<'a> {
    pub(super) owner: String,
    pub(super) total: usize,
    pub(super) items: Vec<MomentView<'a>>,
}

#[derive(Serialize)]
pub(super) struct TouchpointPains<'a> {
    pub(super) name: &'a str,
    pub(super) url: String,
    pub(super) average: Option<Average>,
    pub(super) total: usize,
    pub(super) pains: Vec<StepRef<'a>>,
}

/// A stage whose steps name no touchpoint.
#[derive(Serialize)]
pub(super) struct UnmappedStage<'a> {
    pub(super) journey: &'a str,
    pub(super) url: String,
    pub(super) stage: &'a str,
    pub(super) steps: Vec<&'a str>,
}

/// A step of a list: a pain, a drop-off, a moment of truth.
#[derive(Serialize)]
pub(super) struct MomentView<'a> {
    pub(super) journey: &'a str,
    pub(super) url: String,
    pub(super) anchor: String,
    pub(super) stage: &'a str,
    pub(super) action: &'a str,
    pub(super) pain: Option<&'a str>,
    pub(super) emotion: Option<EmotionView>,
    pub(super) transaction: bool,
    pub(super) dropoff: bool,
}

/// How many items each list has in all (the page shows the first).
#[derive(Serialize)]
pub(super) struct Totals {
    pub(super) gaps: usize,
    pub(super) journey_gaps: usize,
    pub(super) by_touchpoint: usize,
    pub(super) unmapped: usize,
    pub(super) dropoffs: usize,
    pub(super) transactions: usize,
    pub(super) redesigns: usize,
}

/// One lens's touchpoint × stage table.
#[derive(Serialize)]
pub(super) struct Heatmap<'a> {
    pub(super) lens: &'a str,
    pub(super) url: String,
    pub(super) columns: Vec<&'a str>,
    pub(super) rows: Vec<HeatRow<'a>>,
}

#[derive(Serialize)]
pub(super) struct HeatRow<'a> {
    #[serde(flatten)]
    pub(super) link: NameLink<'a>,
    pub(super) cells: Vec<Option<HeatCell>>,
}

#[derive(Serialize)]
pub(super) struct HeatCell {
    pub(super) average: Option<Average>,
    pub(super) count: usize,
}
