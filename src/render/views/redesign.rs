//! Future states on the pages: the mark and link beside the journey a
//! redesign improves (coverage cell, lens row, persona page, journeys
//! index), a redesign's net change (the current map's list, the insights
//! page's "Planned redesigns"), and the future map's "What changes",
//! stage by stage, worded from [`crate::redesign`]'s comparison.

use serde::Serialize;

use super::Views;
use super::insights::step_anchor;
use super::shared::*;
use crate::insights::StepRef;
use crate::model::{Emotion, Journey};
use crate::redesign::{Change, Comparison, Lane};
use crate::routes::*;

/// A future state as a mark beside its current journey.
#[derive(Serialize)]
pub(super) struct FutureLink<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) average: Option<Average>,
}

/// What a redesign promises, in numbers.
#[derive(Serialize)]
pub(super) struct NetChange<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) current: TitleLink<'a>,
    pub(super) persona: Option<&'a str>,
    pub(super) before: Option<Average>,
    pub(super) after: Option<Average>,
    /// After less before, signed, one decimal (`+1.2`); `None` when either
    /// side has no rated step.
    pub(super) delta: Option<String>,
    /// `better`, `worse` or `same`.
    pub(super) trend: &'static str,
    pub(super) gaps_closed: usize,
    pub(super) gaps_opened: usize,
    pub(super) pains_removed: usize,
    pub(super) pains_added: usize,
    pub(super) realises: Vec<super::opportunities::OpportunityLink<'a>>,
    #[serde(skip)]
    delta_value: f64,
}

/// One stage of "What changes".
#[derive(Serialize)]
pub(super) struct StageChangeView<'a> {
    pub(super) name: &'a str,
    /// The stage's average emotion in the current journey and in this one.
    pub(super) before: Option<Average>,
    pub(super) after: Option<Average>,
    /// The redesign drops this stage.
    pub(super) dropped: bool,
    /// The changes, step by step (in the future journey's order, then the
    /// steps it removes).
    pub(super) steps: Vec<StepChanges<'a>>,
}

/// The changes at one step.
#[derive(Serialize)]
pub(super) struct StepChanges<'a> {
    /// The future step's action, or the removed current step's.
    pub(super) step: &'a str,
    /// The future step's anchor on this page (`None`: a removed step).
    pub(super) anchor: Option<String>,
    pub(super) items: Vec<ChangeView<'a>>,
}

/// One change, as a row of "What changes".
#[derive(Serialize)]
pub(super) struct ChangeView<'a> {
    /// For the stylesheet: `emotion`, `pain-removed`, `pain-added`,
    /// `gap-closed`, `gap-opened`, `step-added`, `step-removed`, `owner`,
    /// `blueprint`.
    pub(super) kind: &'static str,
    pub(super) label: &'static str,
    /// The step it happens at (the future step's action, or the removed
    /// current step's).
    pub(super) step: &'a str,
    /// The future step's anchor on this page, when there is one.
    pub(super) anchor: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    /// Emotion classes, for colour (the words say it too).
    pub(super) from_class: Option<&'static str>,
    pub(super) to_class: Option<&'static str>,
    /// Good for the customer (a pain or gap gone, an emotion up), bad, or
    /// neither (`None`).
    pub(super) good: Option<bool>,
}

/// A future map's comparison with its current journey.
#[derive(Serialize)]
pub(super) struct RedesignView<'a> {
    pub(super) net: NetChange<'a>,
    pub(super) stages: Vec<StageChangeView<'a>>,
}

impl<'h> Views<'h> {
    /// The future states that redesign journey `id`, as marks.
    pub(super) fn futures_of(&self, id: &str) -> Vec<FutureLink<'h>> {
        let h = self.h;
        h.routes
            .redesigns
            .get(id)
            .into_iter()
            .flatten()
            .map(|fid| {
                let (fid, j) = h.journeys.get_key_value(fid).expect("a redesign exists");
                FutureLink {
                    title: &j.title,
                    url: journey_url(fid),
                    average: self.journey_average(j),
                }
            })
            .collect()
    }

    /// The current journey future state `id` redesigns, and the comparison.
    pub(super) fn comparison(&self, id: &str) -> Option<(&'h String, Comparison)> {
        crate::redesign::of(self.h, id)
    }

    /// A redesign's net change, from its comparison.
    pub(super) fn net_change(
        &self,
        id: &'h str,
        current: &'h str,
        c: &Comparison,
    ) -> NetChange<'h> {
        let h = self.h;
        let (fj, cj) = (&h.journeys[id], &h.journeys[current]);
        let (before, after) = (self.journey_average(cj), self.journey_average(fj));
        let delta_value = match (&before, &after) {
            (Some(b), Some(a)) => a.value - b.value,
            _ => 0.0,
        };
        let delta = match (&before, &after) {
            (Some(_), Some(_)) if delta_value.abs() < 0.05 => Some("0.0".to_owned()),
            (Some(_), Some(_)) => Some(format!("{delta_value:+.1}")),
            _ => None,
        };
        NetChange {
            title: &fj.title,
            url: journey_url(id),
            current: TitleLink {
                title: &cj.title,
                url: journey_url(current),
            },
            persona: h.personas.get(&fj.persona.value).map(|p| p.name.as_str()),
            trend: if delta.is_none() || delta_value.abs() < 0.05 {
                "same"
            } else if delta_value > 0.0 {
                "better"
            } else {
                "worse"
            },
            before,
            after,
            delta,
            gaps_closed: c.gaps_closed(),
            gaps_opened: c.gaps_opened(),
            pains_removed: c.count(|x| matches!(x, Change::PainRemoved { .. })),
            pains_added: c.count(|x| matches!(x, Change::PainAdded { .. })),
            realises: fj
                .realises
                .iter()
                .map(|r| self.opportunity_link(&r.value))
                .collect(),
            delta_value,
        }
    }

    /// The net change of every redesign of journey `id`.
    pub(super) fn redesigns_of(&self, id: &'h str) -> Vec<NetChange<'h>> {
        let h = self.h;
        h.routes
            .redesigns
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|fid| {
                let fid = h.journeys.get_key_value(fid)?.0;
                let (current, c) = self.comparison(fid)?;
                Some(self.net_change(fid, current, &c))
            })
            .collect()
    }

    /// Every redesign in the handbook, best first: the largest rise in
    /// average emotion, then the most gaps closed, then reading order.
    pub(super) fn planned_redesigns(&self) -> Vec<NetChange<'h>> {
        let mut all: Vec<NetChange<'h>> = self
            .journeys_sorted()
            .into_iter()
            .filter(|id| !self.h.journeys[*id].is_future())
            .flat_map(|id| self.redesigns_of(id))
            .collect();
        all.sort_by(|a, b| {
            b.delta_value
                .total_cmp(&a.delta_value)
                .then(b.gaps_closed.cmp(&a.gaps_closed))
        });
        all
    }

    /// How many redesigns the handbook holds.
    pub(super) fn redesign_count(&self) -> usize {
        self.h.routes.redesigns.values().map(Vec::len).sum()
    }

    /// A future map's "What changes".
    pub(super) fn what_changes(
        &self,
        id: &'h str,
        cur_id: &'h str,
        c: &Comparison,
    ) -> RedesignView<'h> {
        let h = self.h;
        let (cj, fj) = (&h.journeys[cur_id], &h.journeys[id]);
        let t = self.t;
        let lang = self.lang;
        let word = |e: Option<Emotion>| e.map_or(t.no_emotion, |e| e.word(lang));
        let class = |e: Option<Emotion>| e.map(|e| crate::render::svg::score_class(e.score()));
        let action =
            |j: &'h Journey, r: StepRef| -> &'h str { &j.stages[r.stage].steps[r.step].action };
        let pain = |j: &'h Journey, r: StepRef| -> Option<String> {
            j.stages[r.stage].steps[r.step]
                .pain
                .as_deref()
                .map(str::to_owned)
        };
        let owner =
            |o: &Option<String>| o.as_deref().map_or(t.no_owner.to_owned(), |o| self.dept(o));
        let handoff = |j: &str, i: usize| -> Option<String> {
            let ho = h.handoffs.get(j)?.get(i)?;
            Some(format!(
                "{} → {}",
                self.dept(&ho.from_owner),
                self.dept(&ho.to_owner)
            ))
        };
        let row = |kind, label, step, anchor: Option<StepRef>, good| ChangeView {
            kind,
            label,
            step,
            anchor: anchor.map(|r| step_anchor(r.stage, r.step)),
            from: None,
            to: None,
            from_class: None,
            to_class: None,
            good,
        };
        let stages = c
            .stages
            .iter()
            .map(|s| {
                let items: Vec<ChangeView> = s
                    .changes
                    .iter()
                    .map(|change| match change {
                        Change::Emotion {
                            future, from, to, ..
                        } => ChangeView {
                            from: Some(word(*from).to_owned()),
                            to: Some(word(*to).to_owned()),
                            from_class: class(*from),
                            to_class: class(*to),
                            ..row(
                                "emotion",
                                t.change_emotion,
                                action(fj, *future),
                                Some(*future),
                                match (from, to) {
                                    (Some(a), Some(b)) => Some(b > a),
                                    _ => None,
                                },
                            )
                        },
                        Change::PainRemoved { current, future } => ChangeView {
                            from: pain(cj, *current),
                            ..row(
                                "pain-removed",
                                t.pain_removed,
                                future.map_or(action(cj, *current), |f| action(fj, f)),
                                *future,
                                Some(true),
                            )
                        },
                        Change::PainAdded { future, .. } => ChangeView {
                            to: pain(fj, *future),
                            ..row(
                                "pain-added",
                                t.pain_added,
                                action(fj, *future),
                                Some(*future),
                                Some(false),
                            )
                        },
                        Change::GapClosed {
                            current,
                            handoff: i,
                        } => ChangeView {
                            from: handoff(cur_id, *i),
                            ..{
                                // At the future step that stands for it, if
                                // the redesign keeps one.
                                let f = c
                                    .pairs
                                    .iter()
                                    .find(|(a, _)| *a == Some(*current))
                                    .and_then(|(_, f)| *f);
                                row(
                                    "gap-closed",
                                    t.gap_closed,
                                    f.map_or(action(cj, *current), |f| action(fj, f)),
                                    f,
                                    Some(true),
                                )
                            }
                        },
                        Change::GapOpened { future, handoff: i } => ChangeView {
                            to: handoff(id, *i),
                            ..row(
                                "gap-opened",
                                t.gap_opened,
                                action(fj, *future),
                                Some(*future),
                                Some(false),
                            )
                        },
                        Change::StepAdded { future } => row(
                            "step-added",
                            t.step_added,
                            action(fj, *future),
                            Some(*future),
                            None,
                        ),
                        Change::StepRemoved { current } => row(
                            "step-removed",
                            t.step_removed,
                            action(cj, *current),
                            None,
                            None,
                        ),
                        Change::Blueprint {
                            current,
                            future,
                            lane,
                        } => {
                            let (cs, fs) = (
                                &cj.stages[current.stage].steps[current.step],
                                &fj.stages[future.stage].steps[future.step],
                            );
                            let label = match lane {
                                Lane::Frontstage => t.frontstage,
                                Lane::Backstage => t.backstage,
                                Lane::Support => t.support,
                            };
                            ChangeView {
                                from: lane.of(cs).map(str::to_owned),
                                to: lane.of(fs).map(str::to_owned),
                                ..row("blueprint", label, action(fj, *future), Some(*future), None)
                            }
                        }
                        Change::OwnerChanged {
                            future, from, to, ..
                        } => ChangeView {
                            from: Some(owner(from)),
                            to: Some(owner(to)),
                            ..row(
                                "owner",
                                t.owner_changed,
                                action(fj, *future),
                                Some(*future),
                                None,
                            )
                        },
                    })
                    .collect();
                let mut steps: Vec<StepChanges> = Vec::new();
                for item in items {
                    match steps.last_mut() {
                        Some(last) if last.step == item.step && last.anchor == item.anchor => {
                            last.items.push(item)
                        }
                        _ => steps.push(StepChanges {
                            step: item.step,
                            anchor: item.anchor.clone(),
                            items: vec![item],
                        }),
                    }
                }
                StageChangeView {
                    name: match s.future {
                        Some(i) => &fj.stages[i].name.value,
                        None => &cj.stages[s.current.unwrap_or(0)].name.value,
                    },
                    before: s.current.and_then(|i| average_of(&cj.stages[i].steps)),
                    after: s.future.and_then(|i| average_of(&fj.stages[i].steps)),
                    dropped: s.future.is_none(),
                    steps,
                }
            })
            .collect();
        RedesignView {
            net: self.net_change(id, cur_id, c),
            stages,
        }
    }
}
