//! The personas index and each persona's page, with the persona's journeys
//! by lens and as a customer life (by lifecycle, with the journey gaps).

use serde::Serialize;
use serde_json::Value;

use super::shared::*;
use super::{PageJob, Views};
use crate::model::{Journey, Lifecycle};
use crate::render::i18n;
use crate::routes::*;

/// The personas index.
#[derive(Serialize)]
pub(super) struct PersonasView<'a> {
    pub(super) personas: Vec<PersonaRow<'a>>,
}

#[derive(Serialize)]
pub(super) struct PersonaRow<'a> {
    pub(super) name: &'a str,
    pub(super) url: String,
    pub(super) role: Option<&'a str>,
    pub(super) quote: Option<&'a str>,
    pub(super) segment: Option<&'a str>,
}

/// A persona's page.
#[derive(Serialize)]
pub(super) struct PersonaView<'a> {
    pub(super) name: &'a str,
    pub(super) role: Option<&'a str>,
    pub(super) segment: Option<&'a str>,
    pub(super) quote: Option<&'a str>,
    pub(super) goals: &'a [String],
    pub(super) needs: &'a [String],
    pub(super) frustrations: &'a [String],
    pub(super) channels: &'a [String],
    pub(super) body: String,
    /// Its journeys, by lens.
    pub(super) lenses: Vec<PersonaLens<'a>>,
    /// Its journeys, by lifecycle.
    pub(super) life: Vec<LifeStage<'a>>,
    pub(super) extra: &'a Value,
}

#[derive(Serialize)]
pub(super) struct PersonaLens<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) journeys: Vec<PersonaJourney<'a>>,
}

#[derive(Serialize)]
pub(super) struct PersonaJourney<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) scenario: Option<&'a str>,
    pub(super) average: Option<Average>,
    pub(super) steps: usize,
    pub(super) lifecycle: Option<&'static str>,
    pub(super) next: Vec<TitleLink<'a>>,
    /// The future states that redesign this journey.
    pub(super) futures: Vec<super::redesign::FutureLink<'a>>,
}

/// One lifecycle stage of a persona's customer life.
#[derive(Serialize)]
pub(super) struct LifeStage<'a> {
    pub(super) stage: &'static str,
    pub(super) journeys: Vec<LifeJourney<'a>>,
}

#[derive(Serialize)]
pub(super) struct LifeJourney<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) lens: Option<&'a str>,
    pub(super) average: Option<Average>,
    pub(super) next: Vec<LifeNext<'a>>,
}

/// A journey that follows, and the gap on the way there, if any.
#[derive(Serialize)]
pub(super) struct LifeNext<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) gap: Option<LifeGap<'a>>,
}

#[derive(Serialize)]
pub(super) struct LifeGap<'a> {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) drop: Option<DropView>,
    pub(super) pain: Option<&'a str>,
}

impl<'h> Views<'h> {
    pub(super) fn personas<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        jobs.push(PageJob {
            path: "personas/index.html".to_owned(),
            template: "personas.html",
            title: t.personas.to_owned(),
            section: "personas",
            data: Box::new(move || tv(&self.personas_index())),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for (i, id) in self.personas_sorted.iter().enumerate() {
            let (prev, next) = pager(self.personas_sorted, i, |pid| {
                (h.personas[pid].name.clone(), persona_url(pid))
            });
            jobs.push(PageJob {
                path: persona_url(id),
                template: "persona.html",
                title: h.personas[id].name.clone(),
                section: "personas",
                data: Box::new(move || tv(&self.persona(id))),
                breadcrumbs: self.crumbs(Some((t.personas, "personas/index.html"))),
                prev,
                next,
            });
        }
    }

    /// The personas index's view.
    pub(super) fn personas_index(&self) -> PersonasView<'h> {
        PersonasView {
            personas: self
                .personas_sorted
                .iter()
                .map(|id| {
                    let p = &self.h.personas[id];
                    PersonaRow {
                        name: &p.name,
                        url: persona_url(id),
                        role: p.role.as_deref(),
                        quote: p.quote.as_deref(),
                        segment: p.segment.as_deref(),
                    }
                })
                .collect(),
        }
    }

    /// A persona's page view.
    pub(super) fn persona(&self, id: &'h str) -> PersonaView<'h> {
        let h = self.h;
        let p = &h.personas[id];
        let lenses = h
            .lenses
            .iter()
            .filter_map(|(lid, lens)| {
                let ids = self.people_ix().by_lens.get(lid).and_then(|m| m.get(id))?;
                Some(PersonaLens {
                    title: &lens.title,
                    url: lens_url(lid),
                    journeys: ids
                        .iter()
                        .map(|jid| {
                            let j = &h.journeys[*jid];
                            PersonaJourney {
                                title: &j.title,
                                url: journey_url(jid),
                                scenario: j.scenario.as_deref(),
                                average: self.journey_average(j),
                                steps: j.steps().count(),
                                lifecycle: j.lifecycle.map(|l| i18n::lifecycle(l, self.lang)),
                                next: self.next_journeys(j),
                                futures: self.futures_of(jid),
                            }
                        })
                        .collect(),
                })
            })
            .collect();
        PersonaView {
            name: &p.name,
            role: p.role.as_deref(),
            segment: p.segment.as_deref(),
            quote: p.quote.as_deref(),
            goals: &p.goals,
            needs: &p.needs,
            frustrations: &p.frustrations,
            channels: &p.channels,
            body: self.md(p.meta.body(), &p.meta.file, &persona_url(id)),
            lenses,
            life: self.customer_life(id),
            extra: &p.meta.extra,
        }
    }

    /// A persona's journeys as a chain: grouped by lifecycle (prospect →
    /// churn, then those without one), each with its `next` journeys and the
    /// journey gap on the way, if any.
    pub(super) fn customer_life(&self, persona: &str) -> Vec<LifeStage<'h>> {
        use Lifecycle as L;
        let h = self.h;
        let order = [
            Some(L::Prospect),
            Some(L::Buyer),
            Some(L::Customer),
            Some(L::User),
            Some(L::Churn),
            None,
        ];
        let mine: Vec<(&'h String, &'h Journey)> = self
            .people_ix()
            .by_persona
            .get(persona)
            .into_iter()
            .flatten()
            .map(|id| (*id, &*h.journeys[*id]))
            .collect();
        let next = |id: &String, j: &'h Journey| -> Vec<LifeNext<'h>> {
            j.next
                .iter()
                .filter_map(|n| {
                    let nj = h.journeys.get(&n.value)?;
                    let gap = h
                        .journey_gaps
                        .iter()
                        .find(|g| &g.from == id && g.to == n.value);
                    Some(LifeNext {
                        title: &nj.title,
                        url: journey_url(&n.value),
                        gap: gap.map(|g| LifeGap {
                            from: self.dept(&g.from_owner),
                            to: self.dept(&g.to_owner),
                            drop: g.gap.drop.map(|d| DropView::new(d, self.lang, false)),
                            pain: g.gap.pain.as_deref(),
                        }),
                    })
                })
                .collect()
        };
        order
            .iter()
            .filter_map(|stage| {
                let journeys: Vec<LifeJourney> = mine
                    .iter()
                    .filter(|(_, j)| j.lifecycle == *stage)
                    .map(|(id, j)| LifeJourney {
                        title: &j.title,
                        url: journey_url(id),
                        lens: h.lenses.get(&j.lens.value).map(|l| l.title.as_str()),
                        average: self.journey_average(j),
                        next: next(id, j),
                    })
                    .collect();
                (!journeys.is_empty()).then(|| LifeStage {
                    stage: stage.map_or(self.t.no_lifecycle, |l| i18n::lifecycle(l, self.lang)),
                    journeys,
                })
            })
            .collect()
    }
}
