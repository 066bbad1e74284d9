//! The lenses index and each lens's pages: its journeys side by side,
//! stage by stage, [`LENS_PAGE_SIZE`] to a page.

use std::sync::Arc;

use serde::Serialize;

use super::shared::*;
use super::{PageJob, Views};
use crate::routes::*;

use super::html;

/// A journey's row on a lens page.
#[derive(Serialize)]
pub(super) struct LensRow<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) persona: Option<NameLink<'a>>,
    pub(super) average: Option<Average>,
    pub(super) cells: Vec<Option<LensCell<'a>>>,
    /// The future states that redesign this journey.
    pub(super) futures: Vec<super::redesign::FutureLink<'a>>,
}

#[derive(Serialize)]
pub(super) struct LensCell<'a> {
    pub(super) steps: Vec<LensStep<'a>>,
}

#[derive(Serialize)]
pub(super) struct LensStep<'a> {
    pub(super) action: &'a str,
    pub(super) emotion: Option<EmotionView>,
    pub(super) pain: Option<&'a str>,
}

/// The lenses index.
#[derive(Serialize)]
pub(super) struct LensesView<'a> {
    pub(super) lenses: Vec<LensSummary<'a>>,
}

#[derive(Serialize)]
pub(super) struct LensSummary<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) description: Option<&'a str>,
    pub(super) stages: &'a [String],
    pub(super) free: bool,
    pub(super) journeys: usize,
}

/// One page of a lens. Its rows are HTML (`rows_html`); a theme's own
/// `lens.html` also gets them as values (`rows`).
#[derive(Serialize)]
pub(super) struct LensPageView<'a> {
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    pub(super) description: Option<&'a str>,
    pub(super) stages: &'a [String],
    pub(super) free: bool,
    pub(super) columns: &'a [String],
    pub(super) rows_html: String,
    pub(super) journeys: usize,
    pub(super) page: usize,
    pub(super) pages: Vec<PageNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) rows: Option<&'a [LensRow<'a>]>,
}

#[derive(Serialize)]
pub(super) struct PageNumber {
    pub(super) number: usize,
    pub(super) url: String,
    pub(super) current: bool,
}

impl<'h> Views<'h> {
    pub(super) fn lenses<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        let ids: Vec<&String> = h.lenses.keys().collect();
        jobs.push(PageJob {
            path: "lenses/index.html".to_owned(),
            template: "lenses.html",
            title: t.lenses.to_owned(),
            section: "lenses",
            data: Box::new(move || tv(&self.lenses_index())),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for (i, id) in ids.iter().enumerate() {
            let l = &h.lenses[*id];
            let (prev, next) = pager(&ids, i, |lid| (h.lenses[*lid].title.clone(), lens_url(lid)));
            let id: &'s str = id;
            let pages = lens_page_count(h.routes.lens_journey_count(id));
            // Worked out once for all the lens's pages.
            let members = Arc::new(std::sync::OnceLock::new());
            for n in 1..=pages {
                let members = members.clone();
                let mut crumbs = self.crumbs(Some((t.lenses, "lenses/index.html")));
                let title = if n == 1 {
                    l.title.clone()
                } else {
                    crumbs.push((l.title.clone(), lens_url(id)));
                    format!("{} ({} {n}/{pages})", l.title, t.page)
                };
                jobs.push(PageJob {
                    path: lens_page_url(id, n),
                    template: "lens.html",
                    title,
                    section: "lenses",
                    data: Box::new(move || {
                        let members = members.get_or_init(|| self.lens_members(id));
                        let rows = self.lens_rows(n, members);
                        tv(&self.lens_page(id, n, members, &rows))
                    }),
                    breadcrumbs: crumbs,
                    prev: prev.clone(),
                    next: next.clone(),
                });
            }
        }
    }

    /// The lenses index's view.
    pub(super) fn lenses_index(&self) -> LensesView<'h> {
        LensesView {
            lenses: self
                .h
                .lenses
                .iter()
                .map(|(id, l)| LensSummary {
                    title: &l.title,
                    url: lens_url(id),
                    description: l.description.as_deref(),
                    stages: &l.stages,
                    free: l.free,
                    journeys: self.h.routes.lens_journey_count(id),
                })
                .collect(),
        }
    }

    /// A lens's journeys in page order (personas in order, then journey
    /// ids) and its columns: the lens's stages, or for a free lens every
    /// stage name its journeys use, in order of first appearance.
    pub(super) fn lens_members(&self, id: &str) -> (Vec<&'h String>, Vec<String>) {
        let h = self.h;
        let mut columns: Vec<String> = h.lenses[id].stages.clone();
        let journey_ids: Vec<&'h String> = self
            .personas_sorted
            .iter()
            .filter_map(|pid| self.people_ix().by_lens.get(id).and_then(|m| m.get(pid)))
            .flatten()
            .copied()
            .collect();
        for jid in &journey_ids {
            for s in &h.journeys[*jid].stages {
                if !columns.iter().any(|c| c == &s.name.value) {
                    columns.push(s.name.value.clone());
                }
            }
        }
        (journey_ids, columns)
    }

    /// The rows of page `page` (from 1) of a lens: at most
    /// [`LENS_PAGE_SIZE`] journeys.
    pub(super) fn lens_rows<'m>(
        &self,
        page: usize,
        (journey_ids, columns): &'m (Vec<&'h String>, Vec<String>),
    ) -> Vec<LensRow<'m>>
    where
        'h: 'm,
    {
        let h = self.h;
        journey_ids
            .iter()
            .skip((page - 1) * LENS_PAGE_SIZE)
            .take(LENS_PAGE_SIZE)
            .map(|jid| {
                let j = &h.journeys[*jid];
                let cells = columns
                    .iter()
                    .map(|c| {
                        let stage = j.stages.iter().find(|s| &s.name.value == c)?;
                        Some(LensCell {
                            steps: stage
                                .steps
                                .iter()
                                .map(|st| LensStep {
                                    action: &st.action,
                                    emotion: st.emotion.map(|e| emotion_view(e, self.lang)),
                                    pain: st.pain.as_deref(),
                                })
                                .collect(),
                        })
                    })
                    .collect();
                LensRow {
                    title: &j.title,
                    url: journey_url(jid),
                    persona: h.personas.get(&j.persona.value).map(|p| NameLink {
                        name: &p.name,
                        url: Some(persona_url(&j.persona.value)),
                    }),
                    average: self.journey_average(j),
                    cells,
                    futures: self.futures_of(jid),
                }
            })
            .collect()
    }

    /// Page `page` (from 1) of a lens, showing `rows`.
    pub(super) fn lens_page<'m>(
        &self,
        id: &'m str,
        page: usize,
        (journey_ids, columns): &'m (Vec<&'h String>, Vec<String>),
        rows: &'m [LensRow<'m>],
    ) -> LensPageView<'m>
    where
        'h: 'm,
    {
        let l = &self.h.lenses[id];
        LensPageView {
            id,
            title: &l.title,
            description: l.description.as_deref(),
            stages: &l.stages,
            free: l.free,
            columns,
            rows_html: html::lens_rows(rows, &root_of(&lens_page_url(id, page)), self.t),
            journeys: journey_ids.len(),
            page,
            pages: lens_page_urls(id, journey_ids.len())
                .into_iter()
                .enumerate()
                .map(|(i, url)| PageNumber {
                    number: i + 1,
                    url,
                    current: i + 1 == page,
                })
                .collect(),
            rows: self.own_templates.contains("lens.html").then_some(rows),
        }
    }
}
