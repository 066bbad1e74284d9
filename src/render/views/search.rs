//! What the search finds: every page with its words.

use super::Views;
use crate::routes::*;
use rayon::prelude::*;

use crate::render::markdown;
use crate::render::search::Doc;

impl<'h> Views<'h> {
    /// What the search finds: every page with its words.
    pub fn search_docs(&self) -> Vec<Doc> {
        let h = self.h;
        let t = self.t;
        let mut docs = Vec::new();
        for id in self.personas_sorted {
            let p = &h.personas[id];
            let mut text = vec![
                p.role.clone().unwrap_or_default(),
                p.quote.clone().unwrap_or_default(),
            ];
            text.extend(
                p.goals
                    .iter()
                    .chain(&p.needs)
                    .chain(&p.frustrations)
                    .cloned(),
            );
            text.push(markdown::plain_text(p.meta.body()));
            docs.push(Doc::new(
                &p.name,
                &persona_url(id),
                t.persona,
                &text.join(" "),
            ));
        }
        // Journeys are most of the documents: folded in parallel, kept in order.
        let journeys: Vec<Doc> = self
            .journeys_sorted()
            .par_iter()
            .map(|id| {
                let j = &h.journeys[*id];
                let body = markdown::plain_text(j.meta.body());
                let mut text: Vec<&str> = vec![j.scenario.as_deref().unwrap_or_default()];
                for (_, s) in j.steps() {
                    text.push(&s.action);
                    text.extend(
                        s.pain
                            .iter()
                            .chain(&s.opportunity)
                            .chain(&s.thinking)
                            .map(|t| &**t),
                    );
                    text.extend(s.touchpoints.iter().map(|tp| {
                        h.touchpoints
                            .get(&*tp.value)
                            .map_or(&*tp.value, |x| x.name.as_str())
                    }));
                }
                text.push(&body);
                Doc::new(&j.title, &journey_url(id), t.journey, &text.join(" "))
            })
            .collect();
        docs.extend(journeys);
        for (id, tp) in &h.touchpoints {
            let text = format!(
                "{} {}",
                tp.channel.clone().unwrap_or_default(),
                markdown::plain_text(tp.meta.body())
            );
            docs.push(Doc::new(&tp.name, &touchpoint_url(id), t.touchpoint, &text));
        }
        for (id, l) in &h.lenses {
            let text = format!(
                "{} {}",
                l.description.clone().unwrap_or_default(),
                l.stages.join(" ")
            );
            docs.push(Doc::new(&l.title, &lens_url(id), t.lens, &text));
        }
        for (id, name) in &h.systems {
            let text: Vec<&str> = self
                .steps_ix()
                .by_system
                .get(id)
                .into_iter()
                .flatten()
                .flat_map(|r| {
                    [
                        r.step.action.as_str(),
                        r.pain().unwrap_or_default(),
                        r.backstage().unwrap_or_default(),
                    ]
                })
                .collect();
            docs.push(Doc::new(name, &system_url(id), t.system, &text.join(" ")));
        }
        for (id, r) in &h.research {
            docs.push(Doc::new(
                &r.title,
                &research_url(id),
                t.study,
                &markdown::plain_text(r.meta.body()),
            ));
        }
        for (id, o) in &h.opportunities {
            let status = crate::render::i18n::status(o.status, self.lang);
            docs.push(Doc::new(
                &o.title,
                &opportunity_url(id),
                t.opportunity,
                &format!("{status} {}", markdown::plain_text(o.meta.body())),
            ));
        }
        // Each metric's page, by its title and what it measures.
        let catalog = &h.measurements.catalog;
        for &i in self.shown_metrics() {
            let m = &catalog.metrics[i];
            docs.push(Doc::new(
                &m.title,
                &super::metrics::metric_url(&m.id),
                t.metric,
                &format!("{} {}", m.id, t.measurements),
            ));
        }
        for id in self.pages_sorted {
            let p = &h.pages[id];
            docs.push(Doc::new(
                &page_title(p),
                &page_url(p),
                t.guide,
                &markdown::plain_text(p.meta.body()),
            ));
        }
        docs
    }
}
