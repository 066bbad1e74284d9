//! View models: the resolved handbook turned into what each page shows, with
//! URLs, display names, averages and handoff marks worked out once. One
//! module per page kind; [`shared`] holds what they share and [`html`] the
//! long lists written as HTML in Rust.
//!
//! Every index (touchpoint → steps, system → steps, lens → journeys, study →
//! citations) is built in one pass over the journeys the first time a page
//! needs it, so no page costs work that grows with the number of pages.
//! Views made [`for_few_pages`](Views::for_few_pages) (the dev server's
//! answer to an edit) find the one entry a page needs directly instead.
//! The site is made of [`Part`]s, one per page kind, so the dev server can
//! make the page list of one part alone.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

mod home;
mod html;
mod insights;
mod journey;
mod lens;
mod metrics;
mod opportunities;
mod pages;
mod persona;
mod redesign;
mod research;
mod search;
mod shared;
mod system;
#[cfg(test)]
mod tests;
mod touchpoint;

use super::PageJob;
use super::i18n::{self, Strings};
use super::markdown::{self, Ctx};
use crate::config::Language;
use crate::insights::effective_owner;
use crate::resolve::Handbook;
use crate::routes::LinkMap;
use crate::routes::*;
use shared::*;

/// What every page shares: the book and the interface strings.
pub struct Common<'a> {
    pub site: Site<'a>,
    pub strings: &'static Strings,
}

/// The book as templates see it (`site`).
#[derive(serde::Serialize)]
pub struct Site<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub lang: &'static str,
    pub authors: &'a [String],
}

/// An entry of the top navigation (`nav`).
#[derive(serde::Serialize)]
pub struct NavItem {
    pub id: &'static str,
    pub label: &'static str,
    pub url: String,
    pub active: bool,
}

/// The link map of a text without links.
static NO_LINKS: LinkMap = LinkMap {
    files: BTreeMap::new(),
    ids: BTreeMap::new(),
};

pub struct Views<'h> {
    h: &'h Handbook,
    lang: Language,
    t: &'static Strings,
    /// Personas and free pages in reading order ([`crate::routes`]).
    personas_sorted: &'h [String],
    pages_sorted: &'h [String],
    /// The cross-indexes, built the first time a page needs one (a journey
    /// page alone, as the dev server renders first after an edit, does not).
    steps_index: std::sync::OnceLock<StepIndex<'h>>,
    people_index: std::sync::OnceLock<PeopleIndex<'h>>,
    /// Touchpoint id → every current-state step through it.
    touchpoint_index: std::sync::OnceLock<BTreeMap<String, Vec<Hit<'h>>>>,
    /// Only a few pages will be rendered (the dev server's answer to an
    /// edit): a page that needs one entry of a cross-index finds it
    /// directly instead of building the whole index.
    few: bool,
    /// Every handoff gap, for the home and insights pages.
    gaps: std::sync::OnceLock<Vec<(&'h String, &'h crate::insights::Handoff)>>,
    /// The templates the theme replaces. A theme's own `journey.html` gets
    /// every step as a value (`data.steps`), its own `touchpoint.html` every
    /// row (`data.uses`…) and its own `lens.html` every row (`data.rows`);
    /// the built-in ones need only the HTML of those lists ([`html`]), and
    /// making 20 values of 19 fields for each of 10,000 journey pages was a
    /// fifth of a build.
    own_templates: BTreeSet<&'static str>,
    /// The metrics with a page ([`metrics`]), found once.
    shown_metrics: std::sync::OnceLock<Vec<usize>>,
    /// Each metric's scopes, ranked ([`metrics`]), found once.
    ranked: std::sync::OnceLock<Vec<std::sync::OnceLock<Vec<metrics::Ranked<'h>>>>>,
    /// Opportunity id → the current-state steps naming it, found once.
    opportunity_steps: std::sync::OnceLock<BTreeMap<&'h str, Vec<insights::At<'h>>>>,
    /// Opportunity id → the future states realising it, found once.
    opportunity_futures: std::sync::OnceLock<BTreeMap<&'h str, Vec<&'h String>>>,
    /// Study id → the journeys citing it, in reading order: (journey id,
    /// cites it as background, the (stage, step) indices citing it). Found
    /// once: each study page scanning every step was half of a 10,000-journey
    /// build with 200 studies.
    study_citations: std::sync::OnceLock<research::Citations<'h>>,
}

/// Which systems every step of the current-state journeys uses (the
/// costliest index: 200,000 steps at 10,000 journeys; built only for the
/// pages that need it).
struct StepIndex<'h> {
    /// System id → every step using it, directly or through a touchpoint.
    by_system: BTreeMap<String, Vec<StepRef<'h>>>,
    /// System id → the touchpoints that declare it.
    system_touchpoints: BTreeMap<String, Vec<String>>,
}

/// Which current-state journeys each lens and persona has.
struct PeopleIndex<'h> {
    /// Lens id → (persona id → journey ids).
    by_lens: BTreeMap<String, BTreeMap<String, Vec<&'h String>>>,
    /// Persona id → its journey ids, in id order.
    by_persona: BTreeMap<&'h str, Vec<&'h String>>,
}

/// The parts of the site, each made by one page kind's view, in build
/// order (the discriminant is the index in [`Part::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Home,
    Personas,
    Journeys,
    Lenses,
    Touchpoints,
    Systems,
    Research,
    Metrics,
    Opportunities,
    Insights,
    Pages,
    NotFound,
}

impl Part {
    pub const ALL: [Part; 12] = [
        Part::Home,
        Part::Personas,
        Part::Journeys,
        Part::Lenses,
        Part::Touchpoints,
        Part::Systems,
        Part::Research,
        Part::Metrics,
        Part::Opportunities,
        Part::Insights,
        Part::Pages,
        Part::NotFound,
    ];

    /// The part a site path belongs to by its folder (a free page may
    /// still sit elsewhere: look in every part when it is not there).
    pub fn of(path: &str) -> Part {
        let folder = path.split_once('/').map_or("", |(f, _)| f);
        match (folder, path) {
            (_, "index.html") => Part::Home,
            (_, "insights.html") => Part::Insights,
            (_, "404.html") => Part::NotFound,
            ("personas", _) => Part::Personas,
            ("journeys", _) => Part::Journeys,
            ("lenses", _) => Part::Lenses,
            ("touchpoints", _) => Part::Touchpoints,
            ("systems", _) => Part::Systems,
            ("research", _) => Part::Research,
            ("metrics", _) => Part::Metrics,
            ("opportunities", _) => Part::Opportunities,
            _ => Part::Pages,
        }
    }
}

impl<'h> Views<'h> {
    pub fn new(h: &'h Handbook) -> Self {
        let lang = h.config.language;
        Views {
            h,
            lang,
            t: i18n::strings(lang),
            personas_sorted: &h.routes.personas,
            pages_sorted: &h.routes.pages,
            steps_index: std::sync::OnceLock::new(),
            people_index: std::sync::OnceLock::new(),
            touchpoint_index: std::sync::OnceLock::new(),
            few: false,
            gaps: std::sync::OnceLock::new(),
            own_templates: BTreeSet::new(),
            shown_metrics: std::sync::OnceLock::new(),
            ranked: std::sync::OnceLock::new(),
            opportunity_steps: std::sync::OnceLock::new(),
            opportunity_futures: std::sync::OnceLock::new(),
            study_citations: std::sync::OnceLock::new(),
        }
    }

    /// The handbook these are views of.
    pub fn handbook(&self) -> &'h Handbook {
        self.h
    }

    /// Views for a few pages (see `few`); the bytes are the same.
    pub fn for_few_pages(mut self) -> Self {
        self.few = true;
        self
    }

    /// Whether a page wanting one entry of `index` should find it directly.
    fn direct<T>(&self, index: &std::sync::OnceLock<T>) -> bool {
        self.few && index.get().is_none()
    }

    /// Views for pages rendered with `theme`'s templates (see `own_templates`).
    pub fn for_theme(mut self, theme: &crate::theme::Theme) -> Self {
        self.own_templates = crate::theme::TEMPLATES
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !theme.is_builtin(name))
            .collect();
        self
    }

    /// Who uses what, step by step (built on first use).
    fn steps_ix(&self) -> &StepIndex<'h> {
        self.steps_index
            .get_or_init(|| Self::build_step_index(self.h, self.lang))
    }

    /// The journeys of each lens and persona (built on first use).
    fn people_ix(&self) -> &PeopleIndex<'h> {
        self.people_index.get_or_init(|| {
            let h = self.h;
            let mut by_lens: BTreeMap<String, BTreeMap<String, Vec<&'h String>>> = BTreeMap::new();
            let mut by_persona: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
            // The current experience only: future states are shown beside
            // the journeys they redesign (SPEC 3), not counted with them.
            for (id, j) in h.journeys.iter().filter(|(_, j)| !j.is_future()) {
                by_lens
                    .entry(j.lens.value.clone())
                    .or_default()
                    .entry(j.persona.value.clone())
                    .or_default()
                    .push(id);
                by_persona
                    .entry(j.persona.value.as_str())
                    .or_default()
                    .push(id);
            }
            PeopleIndex {
                by_lens,
                by_persona,
            }
        })
    }

    /// Touchpoint id → every current-state step through it (built on
    /// first use).
    fn touchpoint_ix(&self) -> &BTreeMap<String, Vec<Hit<'h>>> {
        self.touchpoint_index.get_or_init(|| {
            let mut by_touchpoint: BTreeMap<String, Vec<Hit<'h>>> = BTreeMap::new();
            self.each_hit(|t, hit| match by_touchpoint.get_mut(t) {
                Some(list) => list.push(hit),
                None => {
                    by_touchpoint.insert(t.to_owned(), vec![hit]);
                }
            });
            by_touchpoint
        })
    }

    /// Every current-state step through touchpoint `id`, in journey order.
    fn touchpoint_hits(&self, id: &str) -> std::borrow::Cow<'_, [Hit<'h>]> {
        if self.direct(&self.touchpoint_index) {
            let mut hits = Vec::new();
            self.each_hit(|t, hit| {
                if t == id {
                    hits.push(hit);
                }
            });
            return std::borrow::Cow::Owned(hits);
        }
        std::borrow::Cow::Borrowed(self.touchpoint_ix().get(id).map_or(&[][..], Vec::as_slice))
    }

    /// Each touchpoint mention of every current-state step, in journey
    /// order.
    fn each_hit(&self, mut f: impl FnMut(&'h str, Hit<'h>)) {
        for j in self.h.journeys.values().filter(|j| !j.is_future()) {
            for stage in &j.stages {
                for step in &stage.steps {
                    let hit = Hit {
                        journey: j,
                        stage,
                        step,
                    };
                    for t in &step.touchpoints {
                        f(&t.value, hit);
                    }
                }
            }
        }
    }

    /// Every handoff gap (found on first use).
    fn gaps_ix(&self) -> &[(&'h String, &'h crate::insights::Handoff)] {
        self.gaps.get_or_init(|| Self::handoff_gaps(self.h))
    }

    fn build_step_index(h: &'h Handbook, lang: Language) -> StepIndex<'h> {
        let mut by_system: BTreeMap<String, Vec<StepRef<'h>>> = BTreeMap::new();
        let mut system_touchpoints: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (tid, tp) in &h.touchpoints {
            for sys in &tp.systems {
                if let Some(sid) = h.system_id(&sys.value) {
                    let list = system_touchpoints.entry(sid).or_default();
                    if !list.contains(tid) {
                        list.push(tid.clone());
                    }
                }
            }
        }
        // The current experience only: future states are shown beside the
        // journeys they redesign (SPEC 3), not counted with them.
        for (id, j) in h.journeys.iter().filter(|(_, j)| !j.is_future()) {
            let url: Arc<str> = journey_url(id).into();
            for stage in &j.stages {
                for step in &stage.steps {
                    let owner = effective_owner(step, &h.touchpoints);
                    let r = StepRef {
                        journey: j,
                        stage,
                        step,
                        journey_url: url.clone(),
                        owner,
                        owner_name: owner.map(|o| h.department_name(o)),
                        lang,
                        via: Vec::new(),
                    };
                    // Systems of the step, then those behind its touchpoints.
                    let mut uses: BTreeMap<String, Vec<&str>> = BTreeMap::new();
                    // A system the step names itself is used through the
                    // step's touchpoints (the "via" column shows them).
                    for sys in &step.systems {
                        if let Some(sid) = h.system_id(&sys.value) {
                            let via = uses.entry(sid).or_default();
                            for t in &step.touchpoints {
                                let name = h
                                    .touchpoints
                                    .get(&*t.value)
                                    .map_or(&*t.value, |tp| tp.name.as_str());
                                if !via.contains(&name) {
                                    via.push(name);
                                }
                            }
                        }
                    }
                    for t in &step.touchpoints {
                        let Some(tp) = h.touchpoints.get(&*t.value) else {
                            continue;
                        };
                        for sys in &tp.systems {
                            if let Some(sid) = h.system_id(&sys.value) {
                                let via = uses.entry(sid).or_default();
                                if !via.contains(&tp.name.as_str()) {
                                    via.push(&tp.name);
                                }
                            }
                        }
                    }
                    for (sid, via) in uses {
                        let mut r = r.clone();
                        r.via = via;
                        by_system.entry(sid).or_default().push(r);
                    }
                }
            }
        }
        StepIndex {
            by_system,
            system_touchpoints,
        }
    }

    pub fn common(&self) -> Common<'h> {
        let c = &self.h.config;
        Common {
            site: Site {
                title: &c.title,
                description: c.description.as_deref(),
                lang: self.lang.code(),
                authors: &c.authors,
            },
            strings: self.t,
        }
    }

    /// The top navigation, with the current section marked.
    pub fn nav(&self, section: &str) -> Vec<NavItem> {
        let t = self.t;
        let mut items = vec![
            ("home", t.home, "index.html".to_owned()),
            ("personas", t.personas, "personas/index.html".to_owned()),
            ("journeys", t.journeys, "journeys/index.html".to_owned()),
            ("lenses", t.lenses, "lenses/index.html".to_owned()),
            (
                "touchpoints",
                t.touchpoints,
                "touchpoints/index.html".to_owned(),
            ),
            ("systems", t.systems, "systems/index.html".to_owned()),
            ("insights", t.insights, "insights.html".to_owned()),
        ];
        if !self.h.research.is_empty() {
            items.insert(6, ("research", t.studies, "research/index.html".to_owned()));
        }
        if !self.h.opportunities.is_empty() {
            let at = items.len() - 1;
            items.insert(
                at,
                (
                    "opportunities",
                    t.opportunities,
                    opportunities::INDEX.to_owned(),
                ),
            );
        }
        if self.has_metric_pages() {
            let at = items.len() - 1;
            items.insert(at, ("metrics", t.metrics, metrics::INDEX.to_owned()));
        }
        if let Some(first) = self.pages_sorted.first() {
            items.push(("pages", t.pages, page_url(&self.h.pages[first])));
        }
        items
            .into_iter()
            .map(|(id, label, url)| NavItem {
                id,
                label,
                url,
                active: id == section,
            })
            .collect()
    }

    fn dept(&self, id: &str) -> String {
        self.h.department_name(id).to_owned()
    }

    fn md(&self, text: &str, file: &str, page_path: &str) -> String {
        markdown::to_html(text, &self.md_ctx(text, file, &root_of(page_path)))
    }

    /// How `text`, from content file `file`, renders on a page `root` away
    /// from the site root.
    fn md_ctx<'a>(&'a self, text: &str, file: &'a str, root: &'a str) -> Ctx<'a> {
        Ctx {
            from_rel: file.split_once('/').map_or(file, |x| x.1),
            root,
            // Only a link needs the map (every file's URL): a text without
            // `[` has none.
            links: if text.contains('[') {
                &self.h.routes.links
            } else {
                &NO_LINKS
            },
            allow_html: self.h.config.allow_html,
        }
    }

    /// Every page of the site, in build order: each [`Part`]'s pages in
    /// turn (their paths were checked for collisions while resolving:
    /// [`crate::routes`]).
    pub fn jobs(&self) -> Vec<PageJob<'_>> {
        Part::ALL.iter().flat_map(|&p| self.jobs_of(p)).collect()
    }

    /// The pages of one part of the site (the dev server makes only the
    /// part a requested page is in).
    pub fn jobs_of(&self, part: Part) -> Vec<PageJob<'_>> {
        let mut jobs = Vec::new();
        match part {
            Part::Home => self.home(&mut jobs),
            Part::Personas => self.personas(&mut jobs),
            Part::Journeys => self.journeys(&mut jobs),
            Part::Lenses => self.lenses(&mut jobs),
            Part::Touchpoints => self.touchpoints(&mut jobs),
            Part::Systems => self.systems(&mut jobs),
            Part::Research => self.research_pages(&mut jobs),
            Part::Metrics => self.metric_pages(&mut jobs),
            Part::Opportunities => self.opportunity_pages(&mut jobs),
            Part::Insights => self.insights(&mut jobs),
            Part::Pages => self.pages(&mut jobs),
            Part::NotFound => jobs.push(PageJob {
                path: "404.html".to_owned(),
                template: "404.html",
                title: self.t.not_found.to_owned(),
                section: "",
                data: Box::new(|| tv(&())),
                breadcrumbs: vec![],
                prev: None,
                next: None,
            }),
        }
        jobs
    }

    fn crumbs(&self, section: Option<(&str, &str)>) -> Vec<(String, String)> {
        let mut c = vec![(self.t.home.to_owned(), "index.html".to_owned())];
        if let Some((label, url)) = section {
            c.push((label.to_owned(), url.to_owned()));
        }
        c
    }
}
