//! The research index (newest first, with the methods used) and each
//! study's page: what it is, and every journey and step that rests on it,
//! grouped by journey (SPEC 6). Also the evidence figures the maps, the
//! insights page and the home page show.

use std::collections::BTreeMap;

use serde::Serialize;

use super::insights::step_anchor;
use super::shared::*;
use super::{PageJob, Views};
use crate::model::{Journey, Research};
use crate::render::i18n;
use crate::routes::*;

/// The research index.
#[derive(Serialize)]
pub(super) struct StudiesView<'a> {
    pub(super) studies: Vec<StudyRow<'a>>,
    /// Each method used, with how many studies.
    pub(super) methods: Vec<MethodCount>,
}

#[derive(Serialize)]
pub(super) struct MethodCount {
    pub(super) name: &'static str,
    pub(super) count: usize,
}

#[derive(Serialize)]
pub(super) struct StudyRow<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) method: Option<&'static str>,
    pub(super) date: Option<String>,
    pub(super) participants: Option<String>,
    pub(super) owner: Option<String>,
    /// Journeys that rest on it (cite it on a step or list it as research).
    pub(super) journeys: usize,
    /// Steps that cite it as evidence.
    pub(super) steps: usize,
}

/// A study's page.
#[derive(Serialize)]
pub(super) struct StudyView<'a> {
    pub(super) title: &'a str,
    pub(super) method: Option<&'static str>,
    pub(super) date: Option<String>,
    pub(super) participants: Option<String>,
    pub(super) owner: Option<String>,
    pub(super) link: Option<&'a str>,
    pub(super) body: String,
    pub(super) journeys: Vec<StudyJourney<'a>>,
    pub(super) steps: usize,
}

/// A journey that rests on a study: the steps citing it.
#[derive(Serialize)]
pub(super) struct StudyJourney<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) persona: Option<&'a str>,
    /// The study is in the journey's `research` (its background).
    pub(super) background: bool,
    pub(super) steps: Vec<StudyStep<'a>>,
}

#[derive(Serialize)]
pub(super) struct StudyStep<'a> {
    pub(super) stage: &'a str,
    pub(super) action: &'a str,
    pub(super) anchor: String,
    pub(super) emotion: Option<EmotionView>,
    pub(super) pain: Option<&'a str>,
}

/// A map's evidence: steps and pains that cite a study, of all.
#[derive(Serialize, Clone, Copy, PartialEq)]
pub(super) struct EvidenceShare {
    pub(super) steps: usize,
    pub(super) of_steps: usize,
    pub(super) pains: usize,
    pub(super) of_pains: usize,
}

impl EvidenceShare {
    pub(super) fn of(j: &Journey) -> EvidenceShare {
        let mut e = EvidenceShare {
            steps: 0,
            of_steps: 0,
            pains: 0,
            of_pains: 0,
        };
        for (_, s) in j.steps() {
            let cited = !s.evidence.is_empty();
            e.of_steps += 1;
            e.steps += usize::from(cited);
            if s.pain.is_some() {
                e.of_pains += 1;
                e.pains += usize::from(cited);
            }
        }
        e
    }

    /// The share of steps evidenced, 0..1 (1 for no steps).
    pub(super) fn share(&self) -> f64 {
        if self.of_steps == 0 {
            1.0
        } else {
            self.steps as f64 / self.of_steps as f64
        }
    }
}

impl<'h> Views<'h> {
    /// Studies newest first (undated last), then by title.
    pub(super) fn studies_sorted(&self) -> Vec<&'h String> {
        let h = self.h;
        let mut ids: Vec<&String> = h.research.keys().collect();
        ids.sort_by(|a, b| {
            let (ra, rb) = (&h.research[*a], &h.research[*b]);
            let date = |r: &Research| r.date.as_ref().map(|d| d.value);
            date(rb)
                .cmp(&date(ra))
                .then_with(|| ra.title.cmp(&rb.title))
                .then_with(|| a.cmp(b))
        });
        ids
    }

    pub(super) fn research_pages<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        if h.research.is_empty() {
            return;
        }
        let t = self.t;
        jobs.push(PageJob {
            path: "research/index.html".to_owned(),
            template: "studies.html",
            title: t.studies.to_owned(),
            section: "research",
            data: Box::new(move || tv(&self.studies_index())),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        let ids = self.studies_sorted();
        for (i, id) in ids.iter().enumerate() {
            let id: &'h String = id;
            let (prev, next) = pager(&ids, i, |sid| {
                (h.research[*sid].title.clone(), research_url(sid))
            });
            jobs.push(PageJob {
                path: research_url(id),
                template: "study.html",
                title: h.research[id].title.clone(),
                section: "research",
                data: Box::new(move || tv(&self.study(id))),
                breadcrumbs: self.crumbs(Some((t.studies, "research/index.html"))),
                prev,
                next,
            });
        }
    }

    fn study_facts(
        &self,
        r: &'h Research,
    ) -> (Option<&'static str>, Option<String>, Option<String>) {
        (
            r.method.map(|m| i18n::method(m, self.lang)),
            r.date.as_ref().map(|d| d.value.to_string()),
            r.owner.as_ref().map(|o| self.dept(&o.value)),
        )
    }

    /// Every study's citations, found in one pass over the journeys in
    /// reading order.
    fn citations(&self) -> &Citations<'h> {
        self.study_citations
            .get_or_init(|| self.find_citations(None))
    }

    /// The citations of every study, or of `only` one.
    fn find_citations(&self, only: Option<&str>) -> Citations<'h> {
        let h = self.h;
        let mut out: Citations<'h> = BTreeMap::new();
        // One study's: the other ids are passed over before anything is
        // gathered for them.
        let wanted = |id: &str| only.is_none_or(|o| o == id);
        for jid in self.journeys_sorted() {
            let j = &h.journeys[jid];
            let mut here: BTreeMap<&'h str, (bool, Vec<At>)> = BTreeMap::new();
            for r in j.research.iter().filter(|r| wanted(&r.value)) {
                here.entry(r.value.as_str()).or_default().0 = true;
            }
            for (si, stage) in j.stages.iter().enumerate() {
                for (k, s) in stage.steps.iter().enumerate() {
                    let mut seen: Vec<&str> = Vec::new();
                    for e in s.evidence.iter().filter(|e| wanted(&e.value)) {
                        if !seen.contains(&e.value.as_str()) {
                            seen.push(&e.value);
                            here.entry(e.value.as_str()).or_default().1.push((si, k));
                        }
                    }
                }
            }
            for (id, (background, steps)) in here {
                out.entry(id).or_default().push((jid, background, steps));
            }
        }
        out
    }

    /// The citations of study `id`: from the index, or found directly
    /// when only a few pages are rendered.
    fn citations_of(&self, id: &str) -> std::borrow::Cow<'_, [(&'h String, bool, Vec<At>)]> {
        if self.direct(&self.study_citations) {
            let mut one = self.find_citations(Some(id));
            return std::borrow::Cow::Owned(one.remove(id).unwrap_or_default());
        }
        std::borrow::Cow::Borrowed(self.citations().get(id).map_or(&[][..], Vec::as_slice))
    }

    /// How many journeys rest on study `id`, and how many of their steps
    /// cite it (the studies list counts them without building the rows).
    fn resting_count(&self, id: &str) -> (usize, usize) {
        let cited = self.citations_of(id);
        (cited.len(), cited.iter().map(|(_, _, at)| at.len()).sum())
    }

    /// Journeys (reading order) that rest on study `id`, each with the
    /// steps citing it.
    fn resting_on(&self, id: &str) -> Vec<StudyJourney<'h>> {
        let h = self.h;
        self.citations_of(id)
            .iter()
            .map(|(jid, background, at)| {
                let j = &h.journeys[*jid];
                let steps = at
                    .iter()
                    .map(|&(si, k)| {
                        let stage = &j.stages[si];
                        let s = &stage.steps[k];
                        StudyStep {
                            stage: &stage.name.value,
                            action: &s.action,
                            anchor: step_anchor(si, k),
                            emotion: s.emotion.map(|e| emotion_view(e, self.lang)),
                            pain: s.pain.as_deref(),
                        }
                    })
                    .collect();
                StudyJourney {
                    title: &j.title,
                    url: journey_url(jid),
                    persona: h.personas.get(&j.persona.value).map(|p| p.name.as_str()),
                    background: *background,
                    steps,
                }
            })
            .collect()
    }

    pub(super) fn studies_index(&self) -> StudiesView<'h> {
        let h = self.h;
        let studies: Vec<StudyRow> = self
            .studies_sorted()
            .into_iter()
            .map(|id| {
                let r = &h.research[id];
                let (journeys, steps) = self.resting_count(id);
                let (method, date, owner) = self.study_facts(r);
                StudyRow {
                    title: &r.title,
                    url: research_url(id),
                    method,
                    date,
                    participants: r.participants.map(|n| n.to_string()),
                    owner,
                    journeys,
                    steps,
                }
            })
            .collect();
        let mut methods: Vec<MethodCount> = Vec::new();
        let mut used: Vec<crate::model::Method> =
            h.research.values().filter_map(|r| r.method).collect();
        used.sort();
        for m in used {
            let name = i18n::method(m, self.lang);
            match methods.last_mut() {
                Some(last) if last.name == name => last.count += 1,
                _ => methods.push(MethodCount { name, count: 1 }),
            }
        }
        StudiesView { studies, methods }
    }

    pub(super) fn study(&self, id: &'h str) -> StudyView<'h> {
        let r = &self.h.research[id];
        let journeys = self.resting_on(id);
        let (method, date, owner) = self.study_facts(r);
        StudyView {
            title: &r.title,
            method,
            date,
            participants: r.participants.map(|n| n.to_string()),
            owner,
            link: r.link.as_deref(),
            body: self.md(r.meta.body(), &r.meta.file, &research_url(id)),
            steps: journeys.iter().map(|j| j.steps.len()).sum(),
            journeys,
        }
    }
}

/// Study id → (journey id, cited as background, (stage, step) indices), in
/// reading order.
pub(super) type Citations<'h> = BTreeMap<&'h str, Vec<(&'h String, bool, Vec<At>)>>;

/// A step's place: (stage index, step index).
type At = (usize, usize);
