//! Content as written → the resolved [`Handbook`], with every diagnostic
//! about references, lens rules and the warnings a CX team wants to see.
//!
//! Pure: no I/O. Checks ids are unique per kind; persona, lens, touchpoint,
//! owner, system and `next` references exist; stages of strict lenses are
//! known and in order; Markdown links point somewhere. Stage names of strict
//! lenses are rewritten to the lens's own spelling (so `adquisicion` in a
//! Spanish book becomes `Adquisición`).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::evidence::Studies;
use crate::insights::{self, Handoff, JourneyGap};
use crate::links;
use crate::model::{
    Content, Journey, Journeys, Lens, Meta, Opportunity, Page, Persona, Research, Touchpoint,
    lenses,
};
use crate::routes::{LinkMap, Routes};
use crate::source::Kind;
use crate::text::id_key;

mod refs;

use refs::Refs;
pub(crate) use refs::{check_owner, unknown};

/// The resolved handbook: what `build` renders and `export` writes.
#[derive(Debug, Clone, Serialize)]
pub struct Handbook {
    pub config: Config,
    pub lenses: BTreeMap<String, Lens>,
    pub home: Option<Page>,
    pub personas: BTreeMap<String, Persona>,
    pub touchpoints: BTreeMap<String, Touchpoint>,
    pub journeys: BTreeMap<String, Arc<Journey>>,
    /// Studies (`content/research/`), by id.
    pub research: BTreeMap<String, Research>,
    /// The opportunity portfolio (`content/opportunities/`), by id.
    pub opportunities: BTreeMap<String, Opportunity>,
    pub pages: BTreeMap<String, Page>,
    /// Handoffs of each journey, by journey id.
    pub handoffs: BTreeMap<String, Vec<Handoff>>,
    pub journey_gaps: Vec<JourneyGap>,
    /// System id → display name: `[systems]` when set, else every name used
    /// on touchpoints and steps under the id of its slug (names with the
    /// same slug are one system).
    pub systems: BTreeMap<String, String>,
    /// Every page's path, the reading orders and the link table (not
    /// exported: worked out again from the rest).
    #[serde(skip)]
    pub routes: Routes,
    /// `data/*.csv` (read by `crate::metrics::data`, after resolve) and
    /// the handbook's metrics.
    #[serde(skip)]
    pub measurements: Arc<crate::metrics::Measurements>,
}

impl Handbook {
    /// An owner's display name (`[departments]`), else the id as written.
    pub fn department_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.config.departments.get(id).map_or(id, String::as_str)
    }

    /// The system id a `systems` entry names, if any.
    pub fn system_id(&self, name: &str) -> Option<String> {
        match &self.config.systems {
            Some(table) => table
                .iter()
                .find(|(id, display)| *id == name || *display == name)
                .map(|(id, _)| id.clone()),
            None => Some(crate::text::slug(name)).filter(|s| !s.is_empty()),
        }
    }
}

/// Resolves `content` (drafts already left out) under `config`.
pub fn resolve(config: Config, content: Content, diags: &mut Vec<Diagnostic>) -> Handbook {
    let mut phases = crate::timings::Phases::start();
    let lenses = lenses(&config);
    let personas = unique(content.personas, "persona", |p| &p.meta, diags);
    let mut touchpoints = unique(content.touchpoints, "touchpoint", |t| &t.meta, diags);
    for tp in touchpoints.values_mut() {
        if let Some(o) = &mut tp.owner {
            check_owner(&config, &tp.meta.file, o, diags);
        }
    }
    let mut journeys = unique(content.journeys, "journey", |j| &j.meta, diags);
    let mut research = unique(content.research, "study", |r| &r.meta, diags);
    for r in research.values_mut() {
        if let Some(o) = &mut r.owner {
            check_owner(&config, &r.meta.file, o, diags);
        }
    }
    let mut opportunities = unique(content.opportunities, "opportunity", |o| &o.meta, diags);
    for o in opportunities.values_mut() {
        if let Some(owner) = &mut o.owner {
            check_owner(&config, &o.meta.file, owner, diags);
        }
    }
    let pages = unique(content.pages, "page", |p| &p.meta, diags);

    let unreadable = |kind: Kind| -> BTreeSet<String> {
        content
            .unreadable
            .iter()
            .filter(|(k, _, _)| *k == kind)
            .map(|(_, id, _)| id.clone())
            .collect()
    };
    let refs = Refs {
        unreadable_personas: unreadable(Kind::Persona),
        unreadable_touchpoints: unreadable(Kind::Touchpoint),
        config: &config,
        lenses: &lenses,
        personas: &personas,
        touchpoints: &touchpoints,
        touchpoint_ids: touchpoints.keys().map(String::as_str).collect(),
        journey_ids: journeys
            .keys()
            .cloned()
            .chain(unreadable(Kind::Journey))
            .collect(),
        studies: Studies::new(&research, unreadable(Kind::Research)),
        opportunities: crate::opportunities::Known {
            opportunities: &opportunities,
            unreadable: unreadable(Kind::Opportunity),
        },
    };
    for tp in touchpoints.values() {
        for s in &tp.systems {
            refs.system(&tp.meta.file, s, diags);
        }
    }
    // Each journey is checked on its own: in parallel, diagnostics merged in
    // journey order.
    phases.mark("  resolve: ids");
    let found: Vec<Vec<Diagnostic>> = journeys
        .par_iter_mut()
        .map(|(_, j)| {
            let mut d = Vec::new();
            refs.journey(j, &mut d);
            d
        })
        .collect();
    diags.extend(found.into_iter().flatten());
    crate::redesign::check(&journeys, &refs.journey_ids, diags);
    if let Some(months) = config.max_research_age {
        crate::evidence::stale_research(
            &research,
            &journeys,
            months,
            crate::model::Date::today(),
            diags,
        );
    }
    phases.mark("  resolve: references");

    let found: Vec<(Vec<Handoff>, Option<Diagnostic>)> = journeys
        .par_iter()
        .map(|(id, j)| handoff_warning(id, j, &touchpoints, &config))
        .collect();
    let mut handoffs = BTreeMap::new();
    for ((id, _), (list, warning)) in journeys.iter().zip(found) {
        diags.extend(warning);
        handoffs.insert(id.clone(), list);
    }
    phases.mark("  resolve: handoffs");
    let mut journey_gaps = Vec::new();
    // Between current-state journeys: the customer's life as it is.
    for j in journeys.values().filter(|j| !j.is_future()) {
        for n in &j.next {
            if let Some(next) = journeys.get(&n.value).filter(|n| !n.is_future())
                && let Some(g) = insights::journey_gap(j, next, &touchpoints)
            {
                journey_gaps.push(g);
            }
        }
    }

    phases.mark("  resolve: journey gaps");
    warn_unused(&personas, &touchpoints, &journeys, diags);
    crate::opportunities::unaddressed(&opportunities, &journeys, diags);
    phases.mark("  resolve: unused");
    let systems = crate::systems::systems(&config, &touchpoints, &journeys);
    phases.mark("  resolve: systems");
    let system_origin = |id: &str| crate::systems::origin(&config, &touchpoints, &journeys, id);
    let routes = Routes::new(
        &crate::routes::Parts {
            home: content.home.as_ref(),
            personas: &personas,
            touchpoints: &touchpoints,
            journeys: &journeys,
            research: &research,
            opportunities: &opportunities,
            pages: &pages,
            lenses: &lenses,
            systems: &systems,
            system_origin: &system_origin,
            unreadable: &content.unreadable,
        },
        diags,
    );
    phases.mark("  resolve: routes");
    check_links(
        &routes.links,
        &metas(
            &content.home,
            &personas,
            &touchpoints,
            &journeys,
            &research,
            &opportunities,
            &pages,
        ),
        diags,
    );
    phases.mark("  resolve: links");
    let measurements = Arc::new(crate::metrics::Measurements {
        catalog: crate::metrics::Catalog::new(&config),
        ..Default::default()
    });
    Handbook {
        measurements,
        routes,
        systems,
        config,
        lenses,
        home: content.home,
        personas,
        touchpoints,
        journeys,
        research,
        opportunities,
        pages,
        handoffs,
        journey_gaps,
    }
}

/// A journey's handoffs, and the one warning that lists its gaps.
fn handoff_warning(
    id: &str,
    j: &Journey,
    touchpoints: &BTreeMap<String, Touchpoint>,
    config: &Config,
) -> (Vec<Handoff>, Option<Diagnostic>) {
    let list = insights::handoffs(j, touchpoints);
    let gaps: Vec<String> = list
        .iter()
        .filter_map(|h| {
            let gap = h.gap.as_ref()?;
            let step = &j.stages[h.to.stage].steps[h.to.step];
            let why = match &gap.drop {
                Some((a, b)) => format!(
                    "emotion drops from {} to {}",
                    a.word(config.language),
                    b.word(config.language)
                ),
                None => format!("pain: {}", gap.pain.as_deref().unwrap_or_default()),
            };
            Some(format!(
                "{} → {} at \"{}\" ({why})",
                h.from_owner, h.to_owner, step.action
            ))
        })
        .collect();
    if let Some(first) = list.iter().find(|h| h.gap.is_some()) {
        let step = &j.stages[first.to.stage].steps[first.to.step];
        let count = match gaps.len() {
            1 => "a handoff gap".to_owned(),
            n => format!("{n} handoff gaps"),
        };
        return (
            list,
            Some(Diagnostic::warning(
                "handoff-gap",
                format!("journey `{id}` has {count}: {}", gaps.join("; ")),
            )
            .at(&j.meta.file, step.span.clone())
            .help("experiences break where one department hands the customer to another: close the gap, or keep it mapped as a known problem")),
        );
    }
    (list, None)
}

/// Keys items by id; a second item with the same id is an error.
fn unique<T>(
    items: Vec<T>,
    kind: &str,
    meta: impl Fn(&T) -> &Meta,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, T> {
    let mut out: BTreeMap<String, T> = BTreeMap::new();
    // Folded id -> the id that has it: two ids that differ only in case or
    // accents would be one file on macOS and Windows, and one to a reader.
    let mut folded: BTreeMap<String, String> = BTreeMap::new();
    for item in items {
        let m = meta(&item);
        if let Some(problem) = unsafe_id(&m.id.value) {
            let slug =
                m.id.value
                    .split('/')
                    .map(crate::text::slug)
                    .collect::<Vec<_>>()
                    .join("/");
            let help = if slug.is_empty() || slug == m.id.value || unsafe_id(&slug).is_some() {
                "ids become page paths: use letters, digits, `-`, `_` and `/` between parts"
                    .to_owned()
            } else {
                format!(
                    "ids become page paths: rename it `{slug}` (letters, digits, `-`, `_` and `/` between parts)"
                )
            };
            diags.push(
                Diagnostic::error("bad-id", format!("{kind} id `{}` {problem}", m.id.value))
                    .at(&m.file, m.id.span.clone())
                    .help(help),
            );
            continue;
        }
        let key = id_key(&m.id.value);
        if let Some(other) = folded.get(&key).filter(|o| **o != m.id.value) {
            let first = &meta(&out[other]).file;
            diags.push(
                Diagnostic::error(
                    "id-collision",
                    format!(
                        "{kind} id `{}` differs from `{other}` only in case or accents",
                        m.id.value
                    ),
                )
                .at(&m.file, m.id.span.clone())
                .help(format!(
                    "their pages would overwrite each other on macOS and Windows, and readers cannot tell them apart: rename this file or `{first}`"
                )),
            );
            // Both stay in the model, so references to either still resolve
            // and only this error is reported.
        } else {
            folded.insert(key, m.id.value.clone());
        }
        if let Some(first) = out.get(&m.id.value) {
            diags.push(
                Diagnostic::error(
                    "duplicate-id",
                    format!("duplicate {kind} id `{}`", m.id.value),
                )
                .at(&m.file, m.id.span.clone())
                .help(format!(
                    "`{}` already has this id; give one of them another `id:` or file name",
                    meta(first).file
                )),
            );
            continue;
        }
        out.insert(m.id.value.clone(), item);
    }
    out
}

/// Why an id cannot name a page, if it cannot.
pub fn unsafe_id(id: &str) -> Option<&'static str> {
    if id.trim().is_empty() {
        Some("is empty")
    } else if id.starts_with('/') || id.ends_with('/') || id.contains("//") {
        Some("has a `/` at the start or end, or twice in a row")
    } else if id.split('/').any(|part| part == "." || part == "..") {
        Some("has a `.` or `..` part")
    } else if id
        .chars()
        .any(|c| c.is_control() || matches!(c, '\\' | '?' | '#' | '%' | '"' | '<' | '>'))
    {
        Some("has a character that cannot be in a page path")
    } else if id.chars().any(char::is_whitespace) {
        Some("has a space")
    } else if id.split('/').any(|part| part.len() > 200) {
        Some("has a part longer than 200 bytes (file names are limited to 255)")
    } else {
        None
    }
}

fn warn_unused(
    personas: &BTreeMap<String, Persona>,
    touchpoints: &BTreeMap<String, Touchpoint>,
    journeys: &Journeys,
    diags: &mut Vec<Diagnostic>,
) {
    // Membership only (never iterated), so hash sets: output order stays
    // that of the BTreeMaps below.
    let used_personas: HashSet<&str> = journeys
        .values()
        .map(|j| j.persona.value.as_str())
        .collect();
    // 400,000 references at 10,000 journeys: gathered in parallel.
    let used_touchpoints: HashSet<&str> = journeys
        .par_iter()
        .fold(HashSet::new, |mut used, (_, j)| {
            for (_, s) in j.steps() {
                used.extend(s.touchpoints.iter().map(|t| &*t.value));
            }
            used
        })
        .reduce(HashSet::new, |a, b| {
            let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
            big.extend(small);
            big
        });
    for (id, p) in personas {
        if !used_personas.contains(id.as_str()) {
            diags.push(
                Diagnostic::warning("unused-persona", format!("persona `{id}` has no journey"))
                    .at(&p.meta.file, p.meta.id.span.clone())
                    .help(format!(
                        "map one: journeydoc new journey --persona {id} --lens activity"
                    )),
            );
        }
    }
    for (id, t) in touchpoints {
        if !used_touchpoints.contains(id.as_str()) {
            diags.push(
                Diagnostic::warning(
                    "unused-touchpoint",
                    format!("no journey passes through touchpoint `{id}`"),
                )
                .at(&t.meta.file, t.meta.id.span.clone())
                .help("add it to a step's `touchpoints`, or remove the file"),
            );
        }
    }
}

/// Every file of the handbook with its kind, for link targets.
fn metas<'a>(
    home: &'a Option<Page>,
    personas: &'a BTreeMap<String, Persona>,
    touchpoints: &'a BTreeMap<String, Touchpoint>,
    journeys: &'a Journeys,
    research: &'a BTreeMap<String, Research>,
    opportunities: &'a BTreeMap<String, Opportunity>,
    pages: &'a BTreeMap<String, Page>,
) -> Vec<(&'static str, &'a Meta)> {
    home.iter()
        .map(|p| ("home", &p.meta))
        .chain(personas.values().map(|p| ("persona", &p.meta)))
        .chain(touchpoints.values().map(|t| ("touchpoint", &t.meta)))
        .chain(journeys.values().map(|j| ("journey", &j.meta)))
        .chain(research.values().map(|r| ("research", &r.meta)))
        .chain(opportunities.values().map(|o| ("opportunity", &o.meta)))
        .chain(pages.values().map(|p| ("page", &p.meta)))
        .collect()
}

/// The links of one file's body.
pub(crate) fn check_body_links(m: &Meta, links: &LinkMap, diags: &mut Vec<Diagnostic>) {
    // A body without `[` has no links to check.
    if m.body().contains('[') {
        links::check(
            &m.file,
            crate::routes::content_rel(&m.file),
            m.body(),
            m.body_offset,
            links,
            diags,
        );
    }
}

/// The links of every file, each file's Markdown parsed on its own, in
/// parallel.
fn check_links(links: &LinkMap, metas: &[(&str, &Meta)], diags: &mut Vec<Diagnostic>) {
    let found: Vec<Vec<Diagnostic>> = metas
        .par_iter()
        .map(|(_, m)| {
            let mut d = Vec::new();
            check_body_links(m, links, &mut d);
            d
        })
        .collect();
    diags.extend(found.into_iter().flatten());
}

/// One journey checked and resolved against the rest of `h`, as [`resolve`]
/// does it (references, stage rules, owners, the links of its body), and its
/// handoffs: the dev server's first step after an edit to one journey file.
/// Its id must be one of `h`'s. `None` when the journey names a system `h`
/// does not list (the system pages change: only a whole resolve will do).
pub fn resolve_journey(
    h: &Handbook,
    j: &mut Arc<Journey>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Handoff>> {
    let refs = Refs {
        unreadable_personas: BTreeSet::new(),
        unreadable_touchpoints: BTreeSet::new(),
        config: &h.config,
        lenses: &h.lenses,
        personas: &h.personas,
        touchpoints: &h.touchpoints,
        touchpoint_ids: h.touchpoints.keys().map(String::as_str).collect(),
        journey_ids: h.journeys.keys().cloned().collect(),
        studies: Studies::new(&h.research, BTreeSet::new()),
        opportunities: crate::opportunities::Known {
            opportunities: &h.opportunities,
            unreadable: BTreeSet::new(),
        },
    };
    refs.journey(j, diags);
    let systems_known = j.steps().flat_map(|(_, s)| &s.systems).all(|s| {
        h.system_id(&s.value)
            .is_some_and(|id| h.systems.contains_key(&id))
    });
    if !systems_known {
        return None;
    }
    let (list, warning) = handoff_warning(&j.meta.id.value, j, &h.touchpoints, &h.config);
    diags.extend(warning);
    check_body_links(&j.meta, &h.routes.links, diags);
    Some(list)
}
