//! View models: the resolved handbook turned into what each page shows, with
//! URLs, display names, averages and handoff marks worked out once.
//!
//! Every index (touchpoint → steps, owner → pains, lens → journeys) is built
//! in one pass over the journeys, so no page costs work that grows with the
//! number of pages.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use super::i18n::{self, Strings};
use super::markdown::{self, Ctx, LinkMap};
use super::search::Doc;
use super::svg;
use super::{PageJob, root_of};
use crate::config::Language;
use crate::diagnostic::Diagnostic;
use crate::insights::effective_owner;
use crate::model::{Emotion, Journey, Metrics, Page, Stage, Step};
use crate::resolve::Handbook;

mod html;

/// How many handoff gaps the home page shows.
const HOME_GAPS: usize = 10;
/// Rows of the home page's coverage matrix; the personas index lists all.
const HOME_PERSONAS: usize = 100;
/// Items per list on the insights page (worst first); journeys.json has all.
const INSIGHT_ITEMS: usize = 100;
/// Pains per touchpoint on the insights page; its own page lists all.
const TOUCHPOINT_PAINS: usize = 10;

/// A map for the templates built straight from Rust values, without a
/// `serde_json::Value` in between (twice the work on large pages).
macro_rules! tmap {
    ($($k:literal => $v:expr),* $(,)?) => {
        tera::Value::from(tfields! { $($k => $v),* })
    };
}

/// The fields of a [`tmap!`], to add values that are already template
/// values.
macro_rules! tfields {
    ($($k:literal => $v:expr),* $(,)?) => {{
        let mut m: BTreeMap<&'static str, tera::Value> = BTreeMap::new();
        $( m.insert($k, tera::Value::from_serializable(&$v)); )*
        m
    }};
}

/// A JSON object from values moved in (`json!` copies every value it is
/// given, which for the insights page's heatmaps was 15 MB at 10k).
fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A view model as the templates see it.
fn tv<T: serde::Serialize>(v: &T) -> tera::Value {
    tera::Value::from_serializable(v)
}

pub fn persona_url(id: &str) -> String {
    format!("personas/{id}.html")
}
/// A touchpoint page's URL (`html.rs` writes the same without a string).
pub fn touchpoint_url(id: &str) -> String {
    format!("touchpoints/{id}.html")
}
/// A journey page's URL (`html.rs` writes the same without a string).
pub fn journey_url(id: &str) -> String {
    format!("journeys/{id}.html")
}
pub fn system_url(id: &str) -> String {
    format!("systems/{id}.html")
}
pub fn lens_url(id: &str) -> String {
    format!("lenses/{id}.html")
}

/// Journeys shown on one lens page; a lens with more continues on
/// `lenses/ID/2.html`, `lenses/ID/3.html`… (at 10,000 journeys a lens holds
/// ~1,700: one page would be 7 MB of HTML).
pub const LENS_PAGE_SIZE: usize = 50;

/// Page `n` (from 1) of a lens.
pub fn lens_page_url(id: &str, n: usize) -> String {
    if n <= 1 {
        lens_url(id)
    } else {
        format!("lenses/{id}/{n}.html")
    }
}

/// How many pages a lens holding `journeys` journeys has (one even when
/// empty).
pub fn lens_page_count(journeys: usize) -> usize {
    journeys.div_ceil(LENS_PAGE_SIZE).max(1)
}

/// Every page of a lens holding `journeys` journeys.
pub fn lens_page_urls(id: &str, journeys: usize) -> Vec<String> {
    (1..=lens_page_count(journeys))
        .map(|n| lens_page_url(id, n))
        .collect()
}
/// Free pages keep their path under the content folder; a folder's
/// `_index.md` (id = the folder) becomes that folder's `index.html`.
pub fn page_url(page: &Page) -> String {
    if page.meta.file.ends_with("/_index.md") {
        format!("{}/index.html", page.meta.id.value)
    } else {
        format!("{}.html", page.meta.id.value)
    }
}

/// One step somewhere in the handbook, for the cross-cutting indexes: three
/// references into the model, the effective owner and the journey's shared
/// URL (there is one per step and touchpoint, 400,000 at 10,000 journeys, so
/// it is kept small: the fields a template sees are read when serialised).
#[derive(Clone)]
struct StepRef<'h> {
    journey: &'h Journey,
    stage: &'h Stage,
    step: &'h Step,
    journey_url: Arc<str>,
    /// The effective owner's id, and its display name (`[departments]`).
    owner: Option<&'h str>,
    owner_name: Option<&'h str>,
    lang: Language,
    /// For a system page: the touchpoints through which the step uses it
    /// (empty when the step names the system itself).
    via: Vec<&'h str>,
}

impl<'h> StepRef<'h> {
    fn emotion(&self) -> Option<EmotionView> {
        self.step.emotion.map(|e| emotion_view(e, self.lang))
    }

    fn pain(&self) -> Option<&'h str> {
        self.step.pain.as_deref()
    }

    fn opportunity(&self) -> Option<&'h str> {
        self.step.opportunity.as_deref()
    }

    fn backstage(&self) -> Option<&'h str> {
        self.step.backstage.as_deref()
    }
}

impl Serialize for StepRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("StepRef", 12)?;
        m.serialize_field("journey", &self.journey.title)?;
        m.serialize_field("journey_url", &*self.journey_url)?;
        m.serialize_field("persona", &self.journey.persona.value)?;
        m.serialize_field("lens", &self.journey.lens.value)?;
        m.serialize_field("stage", &self.stage.name.value)?;
        m.serialize_field("action", &self.step.action)?;
        m.serialize_field("emotion", &self.emotion())?;
        m.serialize_field("pain", &self.pain())?;
        m.serialize_field("opportunity", &self.opportunity())?;
        m.serialize_field("owner", &self.owner_name)?;
        m.serialize_field("backstage", &self.backstage())?;
        m.serialize_field("via", &self.via)?;
        m.end()
    }
}

/// A row of a touchpoint page's tables and lists. Its journey's URL is
/// written out from the id where it is shown (600,000 rows at 10,000
/// journeys: one string each was 3 % of a build).
struct StepRow<'a> {
    journey: &'a str,
    journey_id: &'a str,
    stage: &'a str,
    action: &'a str,
    emotion: Option<EmotionView>,
    /// The effective owner's display name (`[departments]`).
    owner: Option<&'a str>,
    pain: Option<&'a str>,
    opportunity: Option<&'a str>,
}

impl Serialize for StepRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("StepRow", 8)?;
        m.serialize_field("journey", self.journey)?;
        m.serialize_field("journey_url", &journey_url(self.journey_id))?;
        m.serialize_field("stage", self.stage)?;
        m.serialize_field("action", self.action)?;
        m.serialize_field("emotion", &self.emotion)?;
        m.serialize_field("owner", &self.owner)?;
        m.serialize_field("pain", &self.pain)?;
        m.serialize_field("opportunity", &self.opportunity)?;
        m.end()
    }
}

#[derive(Clone, Serialize)]
pub struct EmotionView {
    score: i8,
    word: &'static str,
    class: &'static str,
}

fn emotion_view(e: Emotion, lang: Language) -> EmotionView {
    EmotionView {
        score: e.score(),
        word: e.word(lang),
        class: svg::score_class(e.score()),
    }
}

/// An average on the -2..2 scale, as shown: value, one decimal, and the
/// class of the nearest emotion (for colour).
#[derive(Serialize)]
struct Average {
    value: f64,
    text: String,
    class: &'static str,
    count: usize,
}

/// The average of `scores`, if there are any.
fn average_view(scores: &[i8]) -> Option<Average> {
    if scores.is_empty() {
        return None;
    }
    let avg = scores.iter().map(|&s| f64::from(s)).sum::<f64>() / scores.len() as f64;
    let mut rounded = (avg * 10.0).round() / 10.0;
    if rounded == 0.0 {
        rounded = 0.0; // no "-0.0"
    }
    Some(Average {
        value: rounded,
        text: if rounded == 0.0 {
            "0.0".to_owned()
        } else {
            format!("{rounded:+.1}")
        },
        class: svg::score_class(avg.round() as i8),
        count: scores.len(),
    })
}

/// [`average_view`] as a JSON value (null when there are no scores).
fn average(scores: &[i8]) -> Value {
    average_view(scores).map_or(Value::Null, |a| json!(a))
}

/// A metric as shown: NPS, CES or CSAT, its value and its scale.
#[derive(Serialize)]
struct MetricView {
    name: &'static str,
    value: Number,
    scale: &'static str,
}

/// A metric's value: 31, not 31.0; 4.2 stays 4.2.
#[derive(Clone, Copy, Serialize)]
#[serde(untagged)]
enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn of(v: f64) -> Number {
        if v.fract() == 0.0 {
            Number::Int(v as i64)
        } else {
            Number::Float(v)
        }
    }
}

impl std::fmt::Display for Number {
    /// As the templates print numbers (a float in Rust's `Debug` form).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Number::Int(v) => write!(f, "{v}"),
            Number::Float(v) => write!(f, "{v:?}"),
        }
    }
}

/// Which optional lanes of the journey grid have anything to show.
#[derive(Serialize)]
struct Lanes {
    thinking: bool,
    pain: bool,
    opportunity: bool,
    backstage: bool,
    systems: bool,
    metrics: bool,
}

/// The journey page.
#[derive(Serialize)]
struct JourneyView<'a> {
    id: &'a str,
    title: &'a str,
    scenario: Option<&'a str>,
    persona: Option<Value>,
    lens: Option<Value>,
    owner: Option<String>,
    stakeholders: &'a [String],
    research: &'a [String],
    duration: Option<&'a str>,
    lifecycle: Option<&'static str>,
    next: Vec<Value>,
    metrics: Vec<MetricView>,
    average: Value,
    stages: Vec<StageView<'a>>,
    /// The grid and the curve's table, as HTML ([`html::journey_map`]).
    map: String,
    /// Each step column, for a theme's own `journey.html` only (the
    /// built-in one shows them through `map`).
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<Vec<StepView<'a>>>,
    columns: usize,
    column_width: u32,
    curve: String,
    lanes: Lanes,
    intro: String,
    source: String,
    extra: &'a Value,
}

/// A department's display name (`[departments]`), or its id without one.
fn department_name<'a>(h: &'a Handbook, id: &'a str) -> &'a str {
    h.config.departments.get(id).map_or(id, String::as_str)
}

/// Personas in reading order: weight, name, id.
pub fn persona_order(h: &Handbook) -> Vec<String> {
    let mut ids: Vec<String> = h.personas.keys().cloned().collect();
    ids.sort_by_key(|id| {
        let p = &h.personas[id];
        (p.meta.weight.unwrap_or(0), p.name.clone(), id.clone())
    });
    ids
}

/// Journeys in reading order: by persona order, weight, then id.
pub fn journey_order<'h>(h: &'h Handbook, personas: &[String]) -> Vec<&'h String> {
    let rank: std::collections::HashMap<&str, usize> = personas
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    // Ids are unique and already in order: a stable sort on (persona rank,
    // weight) keeps id order among equals.
    let mut ids: Vec<((usize, i64), &String)> = h
        .journeys
        .iter()
        .map(|(id, j)| {
            let rank = rank.get(j.persona.value.as_str()).copied();
            ((rank.unwrap_or(usize::MAX), j.meta.weight.unwrap_or(0)), id)
        })
        .collect();
    ids.sort_by_key(|(key, _)| *key);
    ids.into_iter().map(|(_, id)| id).collect()
}

/// A journey's row on a lens page.
#[derive(Serialize)]
struct LensRow<'a> {
    title: &'a str,
    url: String,
    persona: Option<NameLink<'a>>,
    average: Option<Average>,
    cells: Vec<Option<LensCell<'a>>>,
}

#[derive(Serialize)]
struct LensCell<'a> {
    steps: Vec<LensStep<'a>>,
}

#[derive(Serialize)]
struct LensStep<'a> {
    action: &'a str,
    emotion: Option<EmotionView>,
    pain: Option<&'a str>,
}

/// A stage column of the journey grid.
#[derive(Serialize)]
struct StageView<'a> {
    name: &'a str,
    span: usize,
    description: Option<&'a str>,
    metrics: Vec<MetricView>,
    narrative: Option<String>,
    unmapped: bool,
    average: Option<Average>,
}

/// A step column of the journey grid (or an empty stage's placeholder).
#[derive(Serialize, Default)]
struct StepView<'a> {
    empty: bool,
    anchor: String,
    first: bool,
    stage: &'a str,
    id: Option<&'a str>,
    action: &'a str,
    touchpoints: Vec<TouchpointRef<'a>>,
    thinking: Option<&'a str>,
    emotion: Option<EmotionView>,
    pain: Option<&'a str>,
    opportunity: Option<&'a str>,
    owner: Option<&'a str>,
    owner_set: bool,
    handoff: Option<HandoffView<'a>>,
    backstage: Option<&'a str>,
    systems: Vec<NameLink<'a>>,
    metrics: Vec<MetricView>,
    transaction: bool,
    dropoff: bool,
}

#[derive(Serialize)]
struct HandoffView<'a> {
    from: &'a str,
    gap: bool,
}

/// A touchpoint as a step names it: its name and, when it has a page, its
/// id (the URL is written out where it is shown: 60 strings a journey).
struct TouchpointRef<'a> {
    name: &'a str,
    id: Option<&'a str>,
}

impl Serialize for TouchpointRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("TouchpointRef", 2)?;
        m.serialize_field("name", self.name)?;
        m.serialize_field("url", &self.id.map(touchpoint_url))?;
        m.end()
    }
}

/// A name and, when it has a page, its URL.
#[derive(Serialize)]
struct NameLink<'a> {
    name: &'a str,
    url: Option<String>,
}

/// A page link: label and URL.
type Link = (String, String);

/// The previous and next of item `i` in a section's reading order.
fn pager<T>(items: &[T], i: usize, link: impl Fn(&T) -> Link) -> (Option<Link>, Option<Link>) {
    let prev = i.checked_sub(1).and_then(|k| items.get(k)).map(&link);
    (prev, items.get(i + 1).map(link))
}

/// The average emotion of the rated steps among `steps`.
fn average_of<'a>(steps: impl Iterator<Item = &'a Step>) -> Value {
    let scores: Vec<i8> = steps
        .filter_map(|s| s.emotion.map(Emotion::score))
        .collect();
    average(&scores)
}

/// A step as the touchpoint index keeps it: three pointers (400,000 of them
/// at 10,000 journeys). Turned into a [`StepRef`] only for the rows shown.
#[derive(Clone, Copy)]
struct Hit<'h> {
    journey: &'h Journey,
    stage: &'h Stage,
    step: &'h Step,
}

pub struct Common<'a> {
    pub site: Value,
    pub strings: &'a Strings,
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
    /// Where links between content files go (built on first use).
    links: std::sync::OnceLock<LinkMap>,
    personas_sorted: Vec<String>,
    pages_sorted: Vec<String>,
    /// The cross-indexes, built the first time a page needs one (a journey
    /// page alone, as the dev server renders first after an edit, does not).
    index: std::sync::OnceLock<Index<'h>>,
    /// The templates the theme replaces. A theme's own `journey.html` gets
    /// every step as a value (`data.steps`), its own `touchpoint.html` every
    /// row (`data.uses`…) and its own `lens.html` every row (`data.rows`);
    /// the built-in ones need only the HTML of those lists ([`html`]), and
    /// making 20 values of 19 fields for each of 10,000 journey pages was a
    /// fifth of a build.
    own_templates: BTreeSet<&'static str>,
}

/// Who uses what, across all journeys.
struct Index<'h> {
    /// Touchpoint id → every step through it.
    by_touchpoint: BTreeMap<String, Vec<Hit<'h>>>,
    /// Lens id → (persona id → journey ids).
    by_lens: BTreeMap<String, BTreeMap<String, Vec<&'h String>>>,
    /// System id → every step using it, directly or through a touchpoint.
    by_system: BTreeMap<String, Vec<StepRef<'h>>>,
    /// System id → the touchpoints that declare it.
    system_touchpoints: BTreeMap<String, Vec<String>>,
    /// Persona id → its journey ids, in id order.
    by_persona: BTreeMap<&'h str, Vec<&'h String>>,
    /// Every handoff gap, for the home and insights pages (built once).
    gaps: Vec<(&'h String, &'h crate::insights::Handoff)>,
}

impl<'h> Views<'h> {
    pub fn new(h: &'h Handbook) -> Self {
        let lang = h.config.language;
        let personas_sorted = persona_order(h);
        let mut pages_sorted: Vec<String> = h.pages.keys().cloned().collect();
        pages_sorted.sort_by_key(|id| {
            let p = &h.pages[id];
            (p.meta.weight.unwrap_or(0), page_title(p), id.clone())
        });
        Views {
            h,
            lang,
            t: i18n::strings(lang),
            links: std::sync::OnceLock::new(),
            personas_sorted,
            pages_sorted,
            index: std::sync::OnceLock::new(),
            own_templates: BTreeSet::new(),
        }
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

    /// Where links between content files go (built on first use).
    fn links(&self) -> &LinkMap {
        self.links.get_or_init(|| {
            let h = self.h;
            let mut links = LinkMap::default();
            let mut add = |kind: &str, id: &str, file: &str, url: String| {
                links.files.insert(
                    file.split_once('/').map_or(file, |x| x.1).to_owned(),
                    url.clone(),
                );
                links.ids.insert((kind.to_owned(), id.to_owned()), url);
            };
            if let Some(home) = &h.home {
                add("page", "_index", &home.meta.file, "index.html".to_owned());
            }
            for (id, p) in &h.personas {
                add("persona", id, &p.meta.file, persona_url(id));
            }
            for (id, t) in &h.touchpoints {
                add("touchpoint", id, &t.meta.file, touchpoint_url(id));
            }
            for (id, j) in &h.journeys {
                add("journey", id, &j.meta.file, journey_url(id));
            }
            for (id, p) in &h.pages {
                add("page", id, &p.meta.file, page_url(p));
            }
            for id in h.lenses.keys() {
                links
                    .ids
                    .insert(("lens".to_owned(), id.clone()), lens_url(id));
            }
            links
        })
    }

    /// A step of the touchpoint index as templates see it.
    fn step_ref(&self, hit: &Hit<'h>) -> StepRef<'h> {
        let owner = effective_owner(hit.step, &self.h.touchpoints);
        StepRef {
            journey: hit.journey,
            stage: hit.stage,
            step: hit.step,
            journey_url: journey_url(&hit.journey.meta.id.value).into(),
            owner,
            owner_name: owner.map(|o| department_name(self.h, o)),
            lang: self.lang,
            via: Vec::new(),
        }
    }

    /// A step of the touchpoint index as its page shows it.
    fn step_row(&self, hit: &Hit<'h>) -> StepRow<'h> {
        StepRow {
            journey: &hit.journey.title,
            journey_id: &hit.journey.meta.id.value,
            stage: &hit.stage.name.value,
            action: &hit.step.action,
            emotion: hit.step.emotion.map(|e| emotion_view(e, self.lang)),
            owner: effective_owner(hit.step, &self.h.touchpoints)
                .map(|o| department_name(self.h, o)),
            pain: hit.step.pain.as_deref(),
            opportunity: hit.step.opportunity.as_deref(),
        }
    }

    /// The cross-indexes (built on first use).
    fn ix(&self) -> &Index<'h> {
        self.index
            .get_or_init(|| Self::build_index(self.h, self.lang))
    }

    fn build_index(h: &'h Handbook, lang: Language) -> Index<'h> {
        let mut by_touchpoint: BTreeMap<String, Vec<Hit<'h>>> = BTreeMap::new();
        let mut by_lens: BTreeMap<String, BTreeMap<String, Vec<&'h String>>> = BTreeMap::new();
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
        for (id, j) in &h.journeys {
            by_lens
                .entry(j.lens.value.clone())
                .or_default()
                .entry(j.persona.value.clone())
                .or_default()
                .push(id);
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
                        owner_name: owner.map(|o| department_name(h, o)),
                        lang,
                        via: Vec::new(),
                    };
                    let hit = Hit {
                        journey: j,
                        stage,
                        step,
                    };
                    for t in &step.touchpoints {
                        match by_touchpoint.get_mut(&*t.value) {
                            Some(list) => list.push(hit),
                            None => {
                                by_touchpoint.insert(t.value.to_string(), vec![hit]);
                            }
                        }
                    }
                    // Systems of the step, then those behind its touchpoints.
                    let mut uses: BTreeMap<String, Vec<&str>> = BTreeMap::new();
                    for sys in &step.systems {
                        if let Some(sid) = h.system_id(&sys.value) {
                            uses.entry(sid).or_default();
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
        let mut by_persona: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
        for (id, j) in &h.journeys {
            by_persona
                .entry(j.persona.value.as_str())
                .or_default()
                .push(id);
        }
        let mut ph = crate::timings::Phases::start();
        let gaps = Self::handoff_gaps(h);
        ph.mark("  gaps");
        Index {
            by_persona,
            by_touchpoint,
            by_lens,
            by_system,
            system_touchpoints,
            gaps,
        }
    }

    pub fn common(&self) -> Common<'static> {
        Common {
            site: json!({
                "title": self.h.config.title,
                "description": self.h.config.description,
                "lang": self.lang.code(),
                "authors": self.h.config.authors,
            }),
            strings: self.t,
        }
    }

    /// The top navigation, with the current section marked.
    pub fn nav(&self, section: &str) -> Value {
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
        if let Some(first) = self.pages_sorted.first() {
            items.push(("pages", t.pages, page_url(&self.h.pages[first])));
        }
        Value::Array(
            items
                .into_iter()
                .map(|(id, label, url)| json!({ "id": id, "label": label, "url": url, "active": id == section }))
                .collect(),
        )
    }

    fn dept(&self, id: &str) -> String {
        department_name(self.h, id).to_owned()
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
                self.links()
            } else {
                &NO_LINKS
            },
            allow_html: self.h.config.allow_html,
        }
    }

    /// A system by the name written in content: its display name and page.
    fn system_link(&self, name: &str) -> Value {
        json!(self.system_ref(name))
    }

    fn system_ref<'a>(&'a self, name: &'a str) -> NameLink<'a> {
        match self
            .h
            .system_id(name)
            .filter(|id| self.h.systems.contains_key(id))
        {
            Some(id) => NameLink {
                name: &self.h.systems[&id],
                url: Some(system_url(&id)),
            },
            None => NameLink { name, url: None },
        }
    }

    fn system_average(&self, id: &str) -> Value {
        average_of(
            self.ix()
                .by_system
                .get(id)
                .into_iter()
                .flatten()
                .map(|r| r.step),
        )
    }

    /// The systems index (worst average emotion first) and a page per system.
    fn systems<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        let mut ids: Vec<&String> = h.systems.keys().collect();
        let avg = |id: &str| self.system_average(id).get("value").and_then(Value::as_f64);
        ids.sort_by(|a, b| match (avg(a), avg(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y).then(a.cmp(b)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.cmp(b),
        });
        let owners_of = |id: &str| -> Vec<String> {
            let mut o: Vec<String> = self
                .ix()
                .by_system
                .get(id)
                .into_iter()
                .flatten()
                .filter_map(|r| r.owner.map(|o| self.dept(o)))
                .collect();
            o.sort();
            o.dedup();
            o
        };
        let list: Vec<Value> = ids
            .iter()
            .map(|id| {
                let steps = self.ix().by_system.get(*id).map_or(0, Vec::len);
                let pains = self
                    .ix()
                    .by_system
                    .get(*id)
                    .map_or(0, |v| v.iter().filter(|r| r.pain().is_some()).count());
                json!({
                    "name": h.systems[*id],
                    "url": system_url(id),
                    "average": self.system_average(id),
                    "steps": steps,
                    "pains": pains,
                    "touchpoints": self.ix().system_touchpoints.get(*id).map_or(0, Vec::len),
                    "owners": owners_of(id),
                })
            })
            .collect();
        jobs.push(PageJob {
            path: "systems/index.html".to_owned(),
            template: "systems.html",
            title: t.systems.to_owned(),
            section: "systems",
            data: json!({ "systems": list }),
            lazy: None,
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for (i, id) in ids.iter().enumerate() {
            let id: &'s String = id;
            let (prev, next) = pager(&ids, i, |sid| (h.systems[*sid].clone(), system_url(sid)));
            let make = move || {
                let uses: &[StepRef] = self.ix().by_system.get(id).map_or(&[], Vec::as_slice);
                let touchpoints: Vec<Value> = self.ix().system_touchpoints
                .get(id)
                .into_iter()
                .flatten()
                .map(|tid| {
                    let link = self.touchpoint_link(tid);
                    json!({ "name": link["name"], "url": link["url"], "average": self.touchpoint_average(tid) })
                })
                .collect();
                tmap! {
                    "id" => id,
                    "name" => h.systems[id],
                    "average" => self.system_average(id),
                    "touchpoints" => touchpoints,
                    "uses" => uses,
                    "owners" => owners_of(id),
                    "pains" => uses.iter().filter(|r| r.pain().is_some()).collect::<Vec<_>>(),
                    "backstage" => uses.iter().filter(|r| r.backstage().is_some()).collect::<Vec<_>>(),
                }
            };
            jobs.push(PageJob {
                path: system_url(id),
                template: "system.html",
                title: h.systems[id].clone(),
                section: "systems",
                data: Value::Null,
                lazy: Some(Box::new(make)),
                breadcrumbs: self.crumbs(Some((t.systems, "systems/index.html"))),
                prev,
                next,
            });
        }
    }

    fn touchpoint_link(&self, id: &str) -> Value {
        match self.h.touchpoints.get(id) {
            Some(t) => json!({ "name": t.name, "url": touchpoint_url(id) }),
            None => json!({ "name": id, "url": null }),
        }
    }

    fn touchpoint_ref<'a>(&'a self, id: &'a str) -> TouchpointRef<'a> {
        match self.h.touchpoints.get(id) {
            Some(t) => TouchpointRef {
                name: &t.name,
                id: Some(id),
            },
            None => TouchpointRef { name: id, id: None },
        }
    }

    fn touchpoint_average(&self, id: &str) -> Value {
        average_of(
            self.ix()
                .by_touchpoint
                .get(id)
                .into_iter()
                .flatten()
                .map(|r| r.step),
        )
    }

    fn metrics(&self, m: &Metrics) -> Vec<MetricView> {
        let t = self.t;
        [
            ("NPS", m.nps, t.nps_scale),
            ("CES", m.ces, t.ces_scale),
            ("CSAT", m.csat, t.csat_scale),
        ]
        .into_iter()
        .filter_map(|(name, v, scale)| {
            v.map(|v| MetricView {
                name,
                value: Number::of(v),
                scale,
            })
        })
        .collect()
    }

    fn journey_average(&self, j: &Journey) -> Value {
        self.journey_average_view(j)
            .map_or(Value::Null, |a| json!(a))
    }

    fn journey_average_view(&self, j: &Journey) -> Option<Average> {
        let scores: Vec<i8> = j
            .steps()
            .filter_map(|(_, s)| s.emotion.map(Emotion::score))
            .collect();
        average_view(&scores)
    }

    /// Every handoff gap in the handbook, worst first: the largest emotion
    /// drop, then those with a pain (a stable sort keeps journey order among
    /// equals). Only references: views are built for the few shown.
    fn handoff_gaps(h: &'h Handbook) -> Vec<(&'h String, &'h crate::insights::Handoff)> {
        let mut out = Vec::new();
        for (id, list) in &h.handoffs {
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
    fn worst_gaps(&self, n: usize) -> Vec<Value> {
        self.ix().gaps
            .iter()
            .take(n)
            .filter_map(|(id, ho)| {
                let gap = ho.gap.as_ref()?;
                let j = &self.h.journeys[*id];
                let step = &j.stages[ho.to.stage].steps[ho.to.step];
                Some(json!({
                    "journey": j.title,
                    "url": journey_url(id),
                    "persona": self.h.personas.get(&j.persona.value).map_or(j.persona.value.as_str(), |p| p.name.as_str()),
                    "from": self.dept(&ho.from_owner),
                    "to": self.dept(&ho.to_owner),
                    "stage": j.stages[ho.to.stage].name.value,
                    "action": step.action,
                    "drop": gap.drop.map(|(a, b)| json!({
                        "from": emotion_view(a, self.lang),
                        "to": emotion_view(b, self.lang),
                        "size": a.score() - b.score(),
                    })),
                    "pain": gap.pain,
                    "anchor": format!("step-{}-{}", ho.to.stage + 1, ho.to.step + 1),
                }))
            })
            .collect()
    }

    /// Every page to render; a free page whose path another page already
    /// takes is an error.
    pub fn jobs(&self) -> (Vec<PageJob<'_>>, Vec<Diagnostic>) {
        let mut jobs = Vec::new();
        let mut ph = crate::timings::Phases::start();
        self.home(&mut jobs);
        ph.mark("  home");
        self.personas(&mut jobs);
        ph.mark("  personas");
        self.journeys(&mut jobs);
        ph.mark("  journeys");
        self.lenses(&mut jobs);
        ph.mark("  lenses");
        self.touchpoints(&mut jobs);
        ph.mark("  touchpoints");
        self.systems(&mut jobs);
        ph.mark("  systems");
        self.insights(&mut jobs);
        ph.mark("  insights");
        // Page paths compared as a case-insensitive file system would.
        let mut taken: BTreeSet<String> = jobs
            .iter()
            .map(|j| crate::resolve::id_key(&j.path))
            .collect();
        taken.insert("404.html".to_owned());
        let mut diags = Vec::new();
        self.pages(&mut jobs, &mut taken, &mut diags);
        jobs.push(PageJob {
            path: "404.html".to_owned(),
            template: "404.html",
            title: self.t.not_found.to_owned(),
            section: "",
            data: Value::Null,
            lazy: None,
            breadcrumbs: vec![],
            prev: None,
            next: None,
        });
        (jobs, diags)
    }

    fn crumbs(&self, section: Option<(&str, &str)>) -> Vec<(String, String)> {
        let mut c = vec![(self.t.home.to_owned(), "index.html".to_owned())];
        if let Some((label, url)) = section {
            c.push((label.to_owned(), url.to_owned()));
        }
        c
    }

    fn home<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
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
            data: Value::Null,
            lazy: Some(Box::new(move || tv(&self.home_page()))),
            breadcrumbs: vec![],
            prev: None,
            next: None,
        });
    }

    fn home_page(&self) -> Value {
        let h = self.h;
        let body = h
            .home
            .as_ref()
            .map(|p| self.md(p.meta.body(), &p.meta.file, "index.html"))
            .unwrap_or_default();
        let lenses: Vec<&String> = h.lenses.keys().collect();
        let rows: Vec<Value> = self
            .personas_sorted
            .iter()
            .take(HOME_PERSONAS)
            .map(|pid| {
                let cells: Vec<Value> = lenses
                    .iter()
                    .map(|lid| {
                        let ids = self.ix().by_lens
                            .get(*lid)
                            .and_then(|m| m.get(pid))
                            .cloned()
                            .unwrap_or_default();
                        let journeys: Vec<Value> = ids
                            .iter()
                            .map(|jid| {
                                let j = &h.journeys[*jid];
                                json!({ "title": j.title, "url": journey_url(jid), "average": self.journey_average(j) })
                            })
                            .collect();
                        json!({ "lens": h.lenses[*lid].title, "journeys": journeys })
                    })
                    .collect();
                json!({ "persona": h.personas[pid].name, "url": persona_url(pid), "cells": cells })
            })
            .collect();
        let mut worst: Vec<(f64, &String)> = h
            .touchpoints
            .keys()
            .filter_map(|id| {
                self.touchpoint_average(id)
                    .get("value")
                    .and_then(Value::as_f64)
                    .map(|v| (v, id))
            })
            .collect();
        worst.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let worst: Vec<Value> = worst
            .iter()
            .take(5)
            .map(|(_, id)| {
                let tp = &h.touchpoints[*id];
                json!({
                    "name": tp.name,
                    "url": touchpoint_url(id),
                    "average": self.touchpoint_average(id),
                    "owner": tp.owner.as_ref().map(|o| self.dept(&o.value)),
                })
            })
            .collect();
        // The home page shows the worst gaps (largest drop first, then those
        // with a pain); the insights page lists them all.
        let worst_gaps = self.worst_gaps(HOME_GAPS);
        let gap_count = self.ix().gaps.len();
        json!({
                "body": body,
                "lenses": lenses.iter().map(|l| json!({ "title": h.lenses[*l].title, "url": lens_url(l) })).collect::<Vec<_>>(),
                "coverage": rows,
                "coverage_total": h.personas.len(),
                "worst": worst,
                "gaps": worst_gaps,
                "gap_count": gap_count,
                "counts": {
                    "personas": h.personas.len(),
                    "journeys": h.journeys.len(),
                    "touchpoints": h.touchpoints.len(),
                    "steps": h.journeys.values().map(|j| j.steps().count()).sum::<usize>(),
                },
        })
    }

    fn personas<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        let list: Vec<Value> = self
            .personas_sorted
            .iter()
            .map(|id| {
                let p = &h.personas[id];
                json!({ "name": p.name, "url": persona_url(id), "role": p.role, "quote": p.quote, "segment": p.segment })
            })
            .collect();
        jobs.push(PageJob {
            path: "personas/index.html".to_owned(),
            template: "personas.html",
            title: t.personas.to_owned(),
            section: "personas",
            data: json!({ "personas": list }),
            lazy: None,
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for (i, id) in self.personas_sorted.iter().enumerate() {
            let p = &h.personas[id];
            let (prev, next) = pager(&self.personas_sorted, i, |pid| {
                (h.personas[pid].name.clone(), persona_url(pid))
            });
            let make = move || {
                let path = persona_url(id);
                let mut lenses = Vec::new();
                for (lid, lens) in &h.lenses {
                    let Some(ids) = self.ix().by_lens.get(lid).and_then(|m| m.get(id)) else {
                        continue;
                    };
                    let journeys: Vec<Value> = ids
                    .iter()
                    .map(|jid| {
                        let j = &h.journeys[*jid];
                        json!({
                            "title": j.title,
                            "url": journey_url(jid),
                            "scenario": j.scenario,
                            "average": self.journey_average(j),
                            "steps": j.steps().count(),
                            "lifecycle": j.lifecycle.map(|l| i18n::lifecycle(l, self.lang)),
                            "next": j.next.iter().filter_map(|n| h.journeys.get(&n.value).map(|nj| json!({ "title": nj.title, "url": journey_url(&n.value) }))).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                    lenses.push(
                        json!({ "title": lens.title, "url": lens_url(lid), "journeys": journeys }),
                    );
                }
                json!({
                    "name": p.name,
                    "role": p.role,
                    "segment": p.segment,
                    "quote": p.quote,
                    "goals": p.goals,
                    "needs": p.needs,
                    "frustrations": p.frustrations,
                    "channels": p.channels,
                    "body": self.md(p.meta.body(), &p.meta.file, &path),
                    "lenses": lenses,
                    "life": self.customer_life(id),
                    "extra": p.meta.extra,
                })
            };
            jobs.push(PageJob {
                path: persona_url(id),
                template: "persona.html",
                title: p.name.clone(),
                section: "personas",
                data: Value::Null,
                lazy: Some(Box::new(move || tv(&make()))),
                breadcrumbs: self.crumbs(Some((t.personas, "personas/index.html"))),
                prev,
                next,
            });
        }
    }

    /// A persona's journeys as a chain: grouped by lifecycle (prospect →
    /// churn, then those without one), each with its `next` journeys and the
    /// journey gap on the way, if any.
    fn customer_life(&self, persona: &str) -> Vec<Value> {
        use crate::model::Lifecycle as L;
        let h = self.h;
        let order = [
            Some(L::Prospect),
            Some(L::Buyer),
            Some(L::Customer),
            Some(L::User),
            Some(L::Churn),
            None,
        ];
        let mine: Vec<(&String, &Journey)> = self
            .ix()
            .by_persona
            .get(persona)
            .into_iter()
            .flatten()
            .map(|id| (*id, &h.journeys[*id]))
            .collect();
        order
            .iter()
            .filter_map(|stage| {
                let journeys: Vec<Value> = mine
                    .iter()
                    .filter(|(_, j)| j.lifecycle == *stage)
                    .map(|(id, j)| {
                        let next: Vec<Value> = j
                            .next
                            .iter()
                            .filter_map(|n| {
                                let nj = h.journeys.get(&n.value)?;
                                let gap = h.journey_gaps.iter().find(|g| &g.from == *id && g.to == n.value);
                                Some(json!({
                                    "title": nj.title,
                                    "url": journey_url(&n.value),
                                    "gap": gap.map(|g| json!({
                                        "from": self.dept(&g.from_owner),
                                        "to": self.dept(&g.to_owner),
                                        "drop": g.gap.drop.map(|(a, b)| json!({ "from": emotion_view(a, self.lang), "to": emotion_view(b, self.lang) })),
                                        "pain": g.gap.pain,
                                    })),
                                }))
                            })
                            .collect();
                        json!({
                            "title": j.title,
                            "url": journey_url(id),
                            "lens": h.lenses.get(&j.lens.value).map(|l| l.title.clone()),
                            "average": self.journey_average(j),
                            "next": next,
                        })
                    })
                    .collect();
                (!journeys.is_empty()).then(|| {
                    json!({
                        "stage": stage.map_or(self.t.no_lifecycle, |l| i18n::lifecycle(l, self.lang)),
                        "journeys": journeys,
                    })
                })
            })
            .collect()
    }

    /// Journeys in reading order: by persona order, then lens id.
    fn journeys_sorted(&self) -> Vec<&'h String> {
        journey_order(self.h, &self.personas_sorted)
    }

    fn journeys<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        let sorted = self.journeys_sorted();
        // Built when rendered (10,000 rows at 10,000 journeys are not held
        // for the whole render).
        let order = sorted.clone();
        // Straight into template values: through `json!` first, the 10,000
        // rows existed twice at the build's memory peak (19 + 13 MB).
        #[derive(Serialize)]
        struct Row<'a> {
            title: &'a str,
            url: String,
            persona: Option<&'a str>,
            lens: Option<&'a str>,
            average: Value,
            steps: usize,
        }
        #[derive(Serialize)]
        struct List<'a> {
            journeys: Vec<Row<'a>>,
        }
        let list = move || {
            let journeys = order
                .iter()
                .map(|id| {
                    let j = &h.journeys[*id];
                    Row {
                        title: &j.title,
                        url: journey_url(id),
                        persona: h.personas.get(&j.persona.value).map(|p| p.name.as_str()),
                        lens: h.lenses.get(&j.lens.value).map(|l| l.title.as_str()),
                        average: self.journey_average(j),
                        steps: j.steps().count(),
                    }
                })
                .collect();
            tv(&List { journeys })
        };
        jobs.push(PageJob {
            path: "journeys/index.html".to_owned(),
            template: "journeys.html",
            title: t.journeys.to_owned(),
            section: "journeys",
            data: Value::Null,
            lazy: Some(Box::new(list)),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for i in 0..sorted.len() {
            jobs.push(self.journey_job(&sorted, i));
        }
    }

    /// The page of the `i`th journey of `sorted` (reading order).
    fn journey_job<'s>(&'s self, sorted: &[&'h String], i: usize) -> PageJob<'s> {
        let h = self.h;
        let id: &'h str = sorted[i];
        let (prev, next) = pager(sorted, i, |jid| {
            (h.journeys[*jid].title.clone(), journey_url(jid))
        });
        PageJob {
            path: journey_url(id),
            template: "journey.html",
            title: h.journeys[id].title.clone(),
            section: "journeys",
            // Built when the page is rendered, not all up front.
            data: Value::Null,
            lazy: Some(Box::new(move || self.journey(id))),
            breadcrumbs: self.crumbs(Some((self.t.journeys, "journeys/index.html"))),
            prev,
            next,
        }
    }

    /// The pages of these journeys alone (ids not in the handbook are
    /// skipped): what the dev server renders first after an edit.
    pub fn journey_jobs(&self, ids: &[&str]) -> Vec<PageJob<'_>> {
        let sorted = self.journeys_sorted();
        sorted
            .iter()
            .enumerate()
            .filter(|(_, id)| ids.contains(&id.as_str()))
            .map(|(i, _)| self.journey_job(&sorted, i))
            .collect()
    }

    /// The journey page: the grid, the curve, the narratives, the source.
    fn journey(&self, id: &str) -> tera::Value {
        let h = self.h;
        let j = &h.journeys[id];
        let root = root_of(&journey_url(id));
        let lang = self.lang;
        let handoffs: BTreeMap<(usize, usize), &crate::insights::Handoff> = h
            .handoffs
            .get(id)
            .into_iter()
            .flatten()
            .map(|ho| ((ho.to.stage, ho.to.step), ho))
            .collect();
        let folded: Vec<String> = j
            .stages
            .iter()
            .map(|s| crate::diagnostic::fold(&s.name.value))
            .collect();
        let body = j.meta.body();
        let ctx = self.md_ctx(body, &j.meta.file, &root);
        let (intro, mut narratives) = markdown::journey_body(body, &ctx, |heading| {
            let heading = crate::diagnostic::fold(heading);
            folded.iter().position(|f| *f == heading)
        });
        let mut stages = Vec::new();
        let mut steps = Vec::new();
        let mut points: Vec<svg::Point> = Vec::new();
        for (si, stage) in j.stages.iter().enumerate() {
            let span = stage.steps.len().max(1);
            let touched = stage.steps.iter().any(|s| !s.touchpoints.is_empty());
            stages.push(StageView {
                name: &stage.name.value,
                span,
                description: stage.description.as_deref(),
                metrics: self.metrics(&stage.metrics),
                narrative: narratives.remove(&si),
                unmapped: !touched,
                average: average_view(
                    &stage
                        .steps
                        .iter()
                        .filter_map(|s| s.emotion.map(Emotion::score))
                        .collect::<Vec<_>>(),
                ),
            });
            if stage.steps.is_empty() {
                steps.push(StepView {
                    empty: true,
                    first: true,
                    stage: &stage.name.value,
                    ..StepView::default()
                });
                points.push(svg::Point {
                    score: None,
                    label: "",
                    word: "",
                });
                continue;
            }
            for (k, step) in stage.steps.iter().enumerate() {
                let owner = effective_owner(step, &h.touchpoints);
                let handoff = handoffs.get(&(si, k)).map(|ho| HandoffView {
                    from: department_name(h, &ho.from_owner),
                    gap: ho.gap.is_some(),
                });
                let emotion = step.emotion.map(|e| emotion_view(e, lang));
                points.push(svg::Point {
                    score: step.emotion.map(Emotion::score),
                    label: &step.action,
                    word: step.emotion.map_or("", |e| e.word(lang)),
                });
                steps.push(StepView {
                    empty: false,
                    anchor: format!("step-{}-{}", si + 1, k + 1),
                    first: k == 0,
                    stage: &stage.name.value,
                    id: step.id.as_ref().map(|i| i.value.as_str()),
                    action: &step.action,
                    touchpoints: step
                        .touchpoints
                        .iter()
                        .map(|t| self.touchpoint_ref(&t.value))
                        .collect(),
                    thinking: step.thinking.as_deref(),
                    emotion,
                    pain: step.pain.as_deref(),
                    opportunity: step.opportunity.as_deref(),
                    owner: owner.map(|o| department_name(h, o)),
                    owner_set: step.owner.is_some(),
                    handoff,
                    backstage: step.backstage.as_deref(),
                    systems: step
                        .systems
                        .iter()
                        .map(|s| self.system_ref(&s.value))
                        .collect(),
                    metrics: self.metrics(step.metrics.as_deref().unwrap_or(&Metrics::NONE)),
                    transaction: step.transaction,
                    dropoff: step.dropoff,
                });
            }
        }
        let words: Vec<&str> = Emotion::ALL.iter().map(|e| e.word(lang)).collect();
        let curve = svg::curve(
            &points,
            &format!("{} — {}", self.t.emotion_curve, j.title),
            [words[0], words[1], words[2], words[3], words[4]],
        );
        let columns = steps.len();
        let has = |f: &dyn Fn(&crate::model::Step) -> bool| j.steps().any(|(_, s)| f(s));
        let lanes = Lanes {
            thinking: has(&|s| s.thinking.is_some()),
            pain: has(&|s| s.pain.is_some()),
            opportunity: has(&|s| s.opportunity.is_some()),
            backstage: has(&|s| s.backstage.is_some()),
            systems: has(&|s| !s.systems.is_empty()),
            metrics: has(&|s| s.metrics.is_some()),
        };
        let mut map = String::with_capacity(16 * 1024);
        html::journey_map(
            &mut map,
            &html::Map {
                stages: &stages,
                steps: &steps,
                lanes: &lanes,
                curve: &curve,
                t: self.t,
                root: &root,
            },
        );
        let persona = h.personas.get(&j.persona.value);
        let lens = h.lenses.get(&j.lens.value);
        tv(&JourneyView {
            id,
            title: &j.title,
            scenario: j.scenario.as_deref(),
            persona: persona
                .map(|p| json!({ "name": p.name, "url": persona_url(&j.persona.value) })),
            lens: lens.map(|l| json!({ "title": l.title, "url": lens_url(&j.lens.value) })),
            owner: j.owner.as_ref().map(|o| self.dept(&o.value)),
            stakeholders: &j.stakeholders,
            research: &j.research,
            duration: j.duration.as_deref(),
            lifecycle: j.lifecycle.map(|l| i18n::lifecycle(l, lang)),
            next: j
                .next
                .iter()
                .filter_map(|n| {
                    h.journeys
                        .get(&n.value)
                        .map(|nj| json!({ "title": nj.title, "url": journey_url(&n.value) }))
                })
                .collect(),
            metrics: self.metrics(&j.metrics),
            average: self.journey_average(j),
            stages,
            map,
            steps: self.own_templates.contains("journey.html").then_some(steps),
            columns,
            column_width: svg::COLUMN,
            curve,
            lanes,
            intro,
            source: highlighted_source(&j.meta.source),
            extra: &j.meta.extra,
        })
    }

    fn lenses<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        let ids: Vec<&String> = h.lenses.keys().collect();
        let list: Vec<Value> = ids
            .iter()
            .map(|id| {
                let l = &h.lenses[*id];
                json!({ "title": l.title, "url": lens_url(id), "description": l.description, "stages": l.stages, "free": l.free, "journeys": self.lens_journeys(id) })
            })
            .collect();
        jobs.push(PageJob {
            path: "lenses/index.html".to_owned(),
            template: "lenses.html",
            title: t.lenses.to_owned(),
            section: "lenses",
            data: json!({ "lenses": list }),
            lazy: None,
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for (i, id) in ids.iter().enumerate() {
            let l = &h.lenses[*id];
            let (prev, next) = pager(&ids, i, |lid| (h.lenses[*lid].title.clone(), lens_url(lid)));
            let id: &'s str = id;
            let pages = lens_page_count(self.lens_journeys(id));
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
                    data: Value::Null,
                    lazy: Some(Box::new(move || {
                        self.lens_page(id, n, members.get_or_init(|| self.lens_members(id)))
                    })),
                    breadcrumbs: crumbs,
                    prev: prev.clone(),
                    next: next.clone(),
                });
            }
        }
    }

    /// How many journeys go through a lens.
    fn lens_journeys(&self, id: &str) -> usize {
        self.ix()
            .by_lens
            .get(id)
            .map_or(0, |m| m.values().map(Vec::len).sum())
    }

    /// A lens's journeys in page order (personas in order, then journey
    /// ids) and its columns: the lens's stages, or for a free lens every
    /// stage name its journeys use, in order of first appearance.
    fn lens_members(&self, id: &str) -> (Vec<&'h String>, Vec<String>) {
        let h = self.h;
        let mut columns: Vec<String> = h.lenses[id].stages.clone();
        let journey_ids: Vec<&'h String> = self
            .personas_sorted
            .iter()
            .filter_map(|pid| self.ix().by_lens.get(id).and_then(|m| m.get(pid)))
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

    /// Page `page` (from 1) of a lens: its journeys side by side, at most
    /// [`LENS_PAGE_SIZE`] of them.
    fn lens_page(
        &self,
        id: &str,
        page: usize,
        (journey_ids, columns): &(Vec<&'h String>, Vec<String>),
    ) -> tera::Value {
        let h = self.h;
        let l = &h.lenses[id];
        let pages = lens_page_urls(id, journey_ids.len());
        let shown = journey_ids
            .iter()
            .skip((page - 1) * LENS_PAGE_SIZE)
            .take(LENS_PAGE_SIZE);
        let rows: Vec<LensRow> = shown
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
                    average: self.journey_average_view(j),
                    cells,
                }
            })
            .collect();
        let rows_html = html::lens_rows(&rows, &root_of(&lens_page_url(id, page)));
        let mut fields = tfields! {
            "id" => id,
            "title" => l.title,
            "description" => l.description,
            "stages" => l.stages,
            "free" => l.free,
            "columns" => columns,
            "rows_html" => rows_html,
            "journeys" => journey_ids.len(),
            "page" => page,
            "pages" => pages
                .iter()
                .enumerate()
                .map(|(i, url)| json!({ "number": i + 1, "url": url, "current": i + 1 == page }))
                .collect::<Vec<_>>(),
        };
        if self.own_templates.contains("lens.html") {
            fields.insert("rows", tv(&rows));
        }
        tera::Value::from(fields)
    }

    fn touchpoints<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        let ids: Vec<&String> = h.touchpoints.keys().collect();
        let list: Vec<Value> = ids
            .iter()
            .map(|id| {
                let tp = &h.touchpoints[*id];
                json!({
                    "name": tp.name,
                    "url": touchpoint_url(id),
                    "channel": tp.channel,
                    "owner": tp.owner.as_ref().map(|o| self.dept(&o.value)),
                    "average": self.touchpoint_average(id),
                    "uses": self.ix().by_touchpoint.get(*id).map_or(0, Vec::len),
                })
            })
            .collect();
        jobs.push(PageJob {
            path: "touchpoints/index.html".to_owned(),
            template: "touchpoints.html",
            title: t.touchpoints.to_owned(),
            section: "touchpoints",
            data: json!({ "touchpoints": list }),
            lazy: None,
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for (i, id) in ids.iter().enumerate() {
            let id: &'s String = id;
            let tp = &h.touchpoints[id];
            let path = touchpoint_url(id);
            let (prev, next) = pager(&ids, i, |tid| {
                (h.touchpoints[*tid].name.clone(), touchpoint_url(tid))
            });
            let make = move || {
                let rows: Vec<StepRow> = self
                    .ix()
                    .by_touchpoint
                    .get(id)
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .map(|hit| self.step_row(hit))
                    .collect();
                let mut journeys: Vec<&str> = rows.iter().map(|r| r.journey_id).collect();
                journeys.dedup();
                let path = touchpoint_url(id);
                let lists = html::touchpoint_lists(&rows, &root_of(&path));
                let mut page = tfields! {
                    "id" => id,
                    "name" => tp.name,
                    "channel" => tp.channel,
                    "owner" => tp.owner.as_ref().map(|o| self.dept(&o.value)),
                    "systems" => tp.systems.iter().map(|s| self.system_link(&s.value)).collect::<Vec<_>>(),
                    "body" => self.md(tp.meta.body(), &tp.meta.file, &path),
                    "average" => self.touchpoint_average(id),
                    "journeys" => journeys.len(),
                    "extra" => tp.meta.extra,
                    "uses_rows" => lists.uses,
                    "pain_items" => lists.pains,
                    "opportunity_items" => lists.opportunities,
                };
                if self.own_templates.contains("touchpoint.html") {
                    // Each row is made a template value once; the pain and
                    // opportunity lists share those values (a clone is a
                    // reference count) instead of converting the rows again.
                    let values: Vec<tera::Value> = rows.iter().map(tv).collect();
                    let having = |has: fn(&StepRow) -> bool| -> Vec<tera::Value> {
                        rows.iter()
                            .zip(&values)
                            .filter(|(r, _)| has(r))
                            .map(|(_, v)| v.clone())
                            .collect()
                    };
                    page.insert("pains", tera::Value::from(having(|r| r.pain.is_some())));
                    page.insert(
                        "opportunities",
                        tera::Value::from(having(|r| r.opportunity.is_some())),
                    );
                    page.insert("uses", tera::Value::from(values));
                }
                tera::Value::from(page)
            };
            jobs.push(PageJob {
                path,
                template: "touchpoint.html",
                title: tp.name.clone(),
                section: "touchpoints",
                data: Value::Null,
                lazy: Some(Box::new(make)),
                breadcrumbs: self.crumbs(Some((t.touchpoints, "touchpoints/index.html"))),
                prev,
                next,
            });
        }
    }

    fn insights<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        jobs.push(PageJob {
            path: "insights.html".to_owned(),
            template: "insights.html",
            title: self.t.insights.to_owned(),
            section: "insights",
            data: Value::Null,
            lazy: Some(Box::new(move || self.insights_page())),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
    }

    /// The insights page. Each list shows its worst [`INSIGHT_ITEMS`]
    /// entries and its total, so the page stays readable at 10,000 journeys.
    fn insights_page(&self) -> tera::Value {
        let h = self.h;
        // Steps are collected by reference; views are built only for the
        // items shown.
        type At<'a> = (&'a String, usize, usize);
        let mut by_owner_id: std::collections::HashMap<Option<&str>, Vec<At>> =
            std::collections::HashMap::new();
        let mut unmapped = Vec::new();
        let mut moments: Vec<(i8, At)> = Vec::new();
        for id in self.journeys_sorted() {
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
        let order: BTreeMap<&String, usize> = self
            .journeys_sorted()
            .into_iter()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        for items in by_owner.values_mut() {
            items.sort_by_key(|(id, si, k)| (order[id], *si, *k));
        }
        let item = |&(id, si, k): &At| {
            let j = &h.journeys[id];
            let stage = &j.stages[si];
            let step = &stage.steps[k];
            json!({
                "journey": j.title,
                "url": journey_url(id),
                "anchor": format!("step-{}-{}", si + 1, k + 1),
                "stage": stage.name.value,
                "action": step.action,
                "pain": step.pain,
                "emotion": step.emotion.map(|e| emotion_view(e, self.lang)),
                "transaction": step.transaction,
                "dropoff": step.dropoff,
            })
        };
        let step_of = |&(id, si, k): &At| &h.journeys[id].stages[si].steps[k];
        let unmapped: Vec<Value> = unmapped
            .iter()
            .take(INSIGHT_ITEMS)
            .map(|&(id, si)| {
                let j = &h.journeys[id];
                let stage = &j.stages[si];
                json!({
                    "journey": j.title,
                    "url": journey_url(id),
                    "stage": stage.name.value,
                    "steps": stage.steps.iter().map(|s| s.action.clone()).collect::<Vec<_>>(),
                })
            })
            .collect();
        // Worst moments first (a stable sort keeps reading order among equals).
        moments.sort_by_key(|(score, _)| *score);
        // Every touchpoint with pains is counted; the first shown are made.
        let mut by_touchpoint_total = 0;
        let by_touchpoint: Vec<Value> = h
            .touchpoints
            .iter()
            .filter_map(|(id, tp)| {
                let pains: Vec<&Hit> = self.ix().by_touchpoint
                    .get(id)?
                    .iter()
                    .filter(|r| r.step.pain.is_some())
                    .collect();
                if pains.is_empty() {
                    return None;
                }
                by_touchpoint_total += 1;
                // The touchpoint's own page lists every pain; here the first few.
                (by_touchpoint_total <= INSIGHT_ITEMS).then(|| {
                    let shown: Vec<StepRef> = pains.iter().take(TOUCHPOINT_PAINS).map(|hit| self.step_ref(hit)).collect();
                    json!({ "name": tp.name, "url": touchpoint_url(id), "average": self.touchpoint_average(id), "total": pains.len(), "pains": shown })
                })
            })
            .collect();
        let journey_gaps: Vec<Value> = h
            .journey_gaps
            .iter()
            .map(|g| {
                json!({
                    "from": { "title": h.journeys[&g.from].title, "url": journey_url(&g.from) },
                    "to": { "title": h.journeys[&g.to].title, "url": journey_url(&g.to) },
                    "from_owner": self.dept(&g.from_owner),
                    "to_owner": self.dept(&g.to_owner),
                    "drop": g.gap.drop.map(|(a, b)| json!({ "from": emotion_view(a, self.lang), "to": emotion_view(b, self.lang) })),
                    "pain": g.gap.pain,
                })
            })
            .collect();
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
        let unmapped_total = self
            .h
            .journeys
            .values()
            .flat_map(|j| &j.stages)
            .filter(|st| !st.steps.is_empty() && st.steps.iter().all(|s| s.touchpoints.is_empty()))
            .count();
        let first_items = |v: &[&At]| {
            v.iter()
                .take(INSIGHT_ITEMS)
                .map(|at| item(at))
                .collect::<Vec<_>>()
        };
        let totals = json!({
            "gaps": self.ix().gaps.len(),
            "journey_gaps": journey_gaps.len(),
            "by_touchpoint": by_touchpoint_total,
            "unmapped": unmapped_total,
            "dropoffs": dropoffs.len(),
            "transactions": transactions.len(),
        });
        let first = |v: &[Value]| Value::Array(v[..v.len().min(INSIGHT_ITEMS)].to_vec());
        // Each part made a template value on its own (its JSON dropped at
        // once), so the page's values never exist twice.
        let mut page = tfields! {
            "gaps" => Value::Array(self.worst_gaps(INSIGHT_ITEMS)),
            "journey_gaps" => first(&journey_gaps),
            "by_owner" => by_owner.into_iter().map(|(owner, items)| json!({ "owner": owner, "total": items.len(), "items": items.iter().take(INSIGHT_ITEMS).map(item).collect::<Vec<_>>() })).collect::<Vec<_>>(),
            "by_touchpoint" => by_touchpoint,
            "unmapped" => unmapped,
            "dropoffs" => first_items(&dropoffs),
            "transactions" => first_items(&transactions),
            "totals" => totals,
        };
        page.insert("heatmaps", tera::Value::from(self.heatmaps()));
        tera::Value::from(page)
    }

    /// Average emotion per touchpoint × stage, one table per lens (each made
    /// a template value as soon as it is built).
    fn heatmaps(&self) -> Vec<tera::Value> {
        let h = self.h;
        let mut out = Vec::new();
        for (lid, lens) in &h.lenses {
            let Some(by_persona) = self.ix().by_lens.get(lid) else {
                continue;
            };
            let mut columns: Vec<String> = lens.stages.clone();
            // (touchpoint, column) -> scores; borrowed keys, hashed while
            // counting (400,000 entries at 10k journeys), sorted once below.
            let mut cells: std::collections::HashMap<(&str, usize), Vec<i8>> =
                std::collections::HashMap::new();
            for jid in by_persona.values().flatten() {
                for stage in &h.journeys[*jid].stages {
                    let col = match columns.iter().position(|c| c == &stage.name.value) {
                        Some(c) => c,
                        None => {
                            columns.push(stage.name.value.clone());
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
            let mut rows: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
            for (tp, _) in cells.keys() {
                rows.entry(tp)
                    .or_insert_with(|| vec![Value::Null; columns.len()]);
            }
            for ((tp, col), scores) in &cells {
                if let Some(row) = rows.get_mut(tp) {
                    row[*col] = json!({ "average": average(scores), "count": scores.len() });
                }
            }
            let rows: Vec<Value> = rows
                .into_iter()
                .map(|(tp, cells)| {
                    let mut link = self.touchpoint_link(tp);
                    obj([
                        ("name", link["name"].take()),
                        ("url", link["url"].take()),
                        ("cells", Value::Array(cells)),
                    ])
                })
                .collect();
            out.push(tv(&obj([
                ("lens", Value::String(lens.title.clone())),
                ("url", Value::String(lens_url(lid))),
                ("columns", json!(columns)),
                ("rows", Value::Array(rows)),
            ])));
        }
        out
    }

    fn pages(
        &self,
        jobs: &mut Vec<PageJob>,
        taken: &mut BTreeSet<String>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let h = self.h;
        for (i, id) in self.pages_sorted.iter().enumerate() {
            let p = &h.pages[id];
            let path = page_url(p);
            if !taken.insert(crate::resolve::id_key(&path)) {
                diags.push(
                    Diagnostic::error(
                        "page-collision",
                        format!("this page would be written to `{path}`, which another page of the handbook already uses"),
                    )
                    .at(&p.meta.file, p.meta.id.span.clone())
                    .help("rename the file or give it another `id:`"),
                );
                continue;
            }
            let (prev, next) = pager(&self.pages_sorted, i, |pid| {
                (page_title(&h.pages[pid]), page_url(&h.pages[pid]))
            });
            jobs.push(PageJob {
                path: path.clone(),
                template: "page.html",
                title: page_title(p),
                section: "pages",
                data: json!({
                    "title": page_title(p),
                    "description": p.description,
                    "body": self.md(p.meta.body(), &p.meta.file, &path),
                    "extra": p.meta.extra,
                }),
                lazy: None,
                breadcrumbs: self.crumbs(None),
                prev,
                next,
            });
        }
    }

    /// What the search finds: every page with its words.
    pub fn search_docs(&self) -> Vec<Doc> {
        let h = self.h;
        let t = self.t;
        let mut docs = Vec::new();
        for id in &self.personas_sorted {
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
                .ix()
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
        for id in &self.pages_sorted {
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

/// A free page's title: `title`, else its first heading, else its id.
pub fn page_title(p: &Page) -> String {
    p.title
        .clone()
        .or_else(|| markdown::first_heading(p.meta.body()))
        .unwrap_or_else(|| p.meta.id.value.clone())
}

/// The journey file as written, highlighted: front matter as YAML or TOML,
/// headings of the body marked.
fn highlighted_source(full: &str) -> String {
    match crate::source::split(full) {
        Ok(parts) => {
            let lang = match parts.format {
                crate::source::Format::Yaml => "yaml",
                crate::source::Format::Toml => "toml",
            };
            super::highlight::source(full, lang, parts.front.end)
        }
        Err(_) => super::escape(full),
    }
}
