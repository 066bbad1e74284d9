//! The content model as written by authors: personas, touchpoints, journeys
//! with their stages and steps, free pages. Values that references point at
//! keep their spans, so the resolver can say where a bad one is.
//!
//! Nothing here knows about HTML or the disk.

mod emotion;
mod lens;

pub use emotion::{Emotion, mean, shown};
pub use lens::{Lens, lenses};

use serde::Serialize;
use std::sync::Arc;

use crate::fields::Spanned;

/// What every content file carries besides its own fields.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Path relative to the handbook root (`content/personas/carla.md`).
    pub file: String,
    pub id: Spanned<String>,
    pub draft: bool,
    pub weight: Option<i64>,
    pub extra: serde_json::Value,
    /// Byte offset of the body (the Markdown after the front matter) in the
    /// file.
    pub body_offset: usize,
    /// The whole file as written (shown, highlighted, on journey pages).
    pub source: std::sync::Arc<str>,
}

impl Meta {
    /// The Markdown after the front matter (a part of `source`, not a copy:
    /// 20 MB less at 10,000 journeys).
    pub fn body(&self) -> &str {
        self.source.get(self.body_offset..).unwrap_or_default()
    }
}

/// As the model is exported: the body as text, no offsets.
impl Serialize for Meta {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Meta", 6)?;
        m.serialize_field("file", &self.file)?;
        m.serialize_field("id", &self.id)?;
        m.serialize_field("draft", &self.draft)?;
        m.serialize_field("weight", &self.weight)?;
        m.serialize_field("extra", &self.extra)?;
        m.serialize_field("body", self.body())?;
        m.end()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Persona {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    pub role: Option<String>,
    pub segment: Option<String>,
    pub quote: Option<String>,
    pub goals: Vec<String>,
    pub needs: Vec<String>,
    pub frustrations: Vec<String>,
    pub channels: Vec<String>,
}

/// The channels SPEC 3 names for a touchpoint.
pub const CHANNELS: &[&str] = &[
    "web", "app", "email", "phone", "chat", "store", "social", "ads", "mail", "other",
];

/// Spanish words accepted for the channels, in `CHANNELS` order of meaning.
pub const CHANNEL_ALIASES: &[(&str, &str)] = &[
    ("correo", "email"),
    ("correo-electronico", "email"),
    ("telefono", "phone"),
    ("tienda", "store"),
    ("redes", "social"),
    ("redes-sociales", "social"),
    ("anuncios", "ads"),
    ("publicidad", "ads"),
    ("correo-postal", "mail"),
    ("otro", "other"),
    ("otros", "other"),
    ("aplicacion", "app"),
    ("llamada", "phone"),
    ("presencial", "store"),
    ("tienda-fisica", "store"),
    ("anuncio", "ads"),
    ("carta", "mail"),
];

#[derive(Debug, Clone, Serialize)]
pub struct Touchpoint {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    pub channel: Option<String>,
    pub owner: Option<Spanned<String>>,
    pub systems: Vec<Spanned<String>>,
    #[serde(
        skip_serializing_if = "<[Target]>::is_empty",
        serialize_with = "serialize_targets"
    )]
    pub targets: Targets,
}

/// NPS (-100..100), CES (1..7), CSAT (0..100), each optional: the values
/// typed by hand in front matter (`data/*.csv` measures them over time).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ces: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csat: Option<f64>,
    /// The `metrics` map in the file (for `metric-twice`).
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

impl Metrics {
    /// No metric given.
    pub const NONE: Metrics = Metrics {
        nps: None,
        ces: None,
        csat: None,
        span: 0..0,
    };

    /// The value typed for a built-in metric (`nps`, `ces`, `csat`).
    pub fn get(&self, metric: &str) -> Option<f64> {
        match metric {
            "nps" => self.nps,
            "ces" => self.ces,
            "csat" => self.csat,
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.nps.is_none() && self.ces.is_none() && self.csat.is_none()
    }
}

/// A front-matter `targets` entry (`targets: { nps: 40 }`): the value a
/// metric should reach at this journey, stage, step or touchpoint. The
/// metric is checked against the handbook's metrics by resolve.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub metric: Spanned<String>,
    pub value: Spanned<f64>,
}

/// A scope's targets, in file order (no allocation when there are none).
pub type Targets = Box<[Target]>;

/// Targets are written as the map they were read from.
pub fn serialize_targets<S: serde::Serializer>(t: &Targets, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(t.len()))?;
    for target in t.iter() {
        m.serialize_entry(&target.metric.value, &target.value.value)?;
    }
    m.end()
}

/// The target a scope sets for `metric`, if any.
pub fn target_of(t: &[Target], metric: &str) -> Option<f64> {
    t.iter()
        .find(|x| x.metric.value == metric)
        .map(|x| x.value.value)
}

/// Where in the customer's life a journey sits (SPEC 3).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    Prospect,
    Buyer,
    Customer,
    User,
    Churn,
}

impl Lifecycle {
    pub const NAMES: &[&str] = &["prospect", "buyer", "customer", "user", "churn"];

    pub fn parse(s: &str) -> Option<Lifecycle> {
        // The SPEC's words, and the Spanish ones a Spanish handbook may use.
        Some(match crate::text::fold(s).as_str() {
            "prospect" | "prospecto" => Lifecycle::Prospect,
            "buyer" | "comprador" | "compradora" => Lifecycle::Buyer,
            "customer" | "cliente" => Lifecycle::Customer,
            "user" | "usuario" | "usuaria" => Lifecycle::User,
            "churn" | "baja" | "abandono" => Lifecycle::Churn,
            _ => return None,
        })
    }
}

/// Whether a journey maps the experience as it is or as a redesign would
/// make it (SPEC 3, "Current and future state").
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum State {
    #[default]
    Current,
    Future,
}

impl State {
    pub const NAMES: &[&str] = &["current", "future"];

    pub fn parse(s: &str) -> Option<State> {
        // The SPEC's words, and the Spanish ones (and the as-is / to-be of
        // journey-mapping tools).
        Some(match crate::text::fold(s).as_str() {
            "current" | "actual" | "as-is" => State::Current,
            "future" | "futuro" | "futura" | "to-be" => State::Future,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Journey {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    pub persona: Spanned<String>,
    pub lens: Spanned<String>,
    pub scenario: Option<String>,
    pub owner: Option<Spanned<String>>,
    pub stakeholders: Vec<String>,
    /// The research behind the map (study ids or titles; free names while
    /// the handbook has no research files). Set to the ids by resolve.
    pub research: Vec<Spanned<String>>,
    pub duration: Option<String>,
    pub metrics: Metrics,
    #[serde(
        skip_serializing_if = "<[Target]>::is_empty",
        serialize_with = "serialize_targets"
    )]
    pub targets: Targets,
    pub lifecycle: Option<Lifecycle>,
    pub next: Vec<Spanned<String>>,
    /// `current` unless written otherwise; the span is the value's (or the
    /// journey's front matter when `state` is left out).
    pub state: Spanned<State>,
    /// On a future state: the current-state journey it redesigns.
    pub redesigns: Option<Spanned<String>>,
    /// On a future state: the opportunities it puts into effect.
    pub realises: Vec<Spanned<String>>,
    pub stages: Vec<Stage>,
}

impl Journey {
    /// A future state (a redesign of another journey).
    pub fn is_future(&self) -> bool {
        self.state.value == State::Future
    }

    /// Whether an edited version of this journey can be checked (and
    /// rendered) against the rest of the last whole load on its own: the
    /// same id, the same place in the reading order (a new weight moves its
    /// neighbours) and the same `state` and `redesigns` (else the redesign
    /// rules and the reading order need the whole resolve). The dev
    /// server's hot path and the language server's quick check ask this.
    pub fn same_place_as(&self, old: &Journey) -> bool {
        self.meta.id.value == old.meta.id.value
            && self.meta.weight == old.meta.weight
            && self.state.value == old.state.value
            && self.redesigns.as_ref().map(|r| &r.value) == old.redesigns.as_ref().map(|r| &r.value)
    }

    /// Every step in order, with its stage index.
    pub fn steps(&self) -> impl Iterator<Item = (usize, &Step)> {
        self.stages
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.steps.iter().map(move |st| (i, st)))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub metrics: Metrics,
    #[serde(
        skip_serializing_if = "<[Target]>::is_empty",
        serialize_with = "serialize_targets"
    )]
    pub targets: Targets,
    pub steps: Vec<Step>,
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

/// One step of a journey. The most numerous thing in a handbook (200,000
/// at 10,000 generated journeys), so fields most steps leave out take a
/// pointer's room (boxed), and ids that repeat are shared.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub id: Option<Box<Spanned<String>>>,
    pub action: String,
    /// Shared with the other mentions of the same touchpoint read on the
    /// same thread (`fields::shared_id`: 400,000 mentions at 10,000
    /// generated journeys, 500 touchpoints).
    pub touchpoints: Box<[Spanned<Arc<str>>]>,
    pub emotion: Option<Emotion>,
    pub thinking: Option<Box<str>>,
    pub pain: Option<Box<str>>,
    pub opportunity: Option<Box<str>>,
    pub backstage: Option<Box<str>>,
    /// Service blueprint: what employees do in the customer's view.
    pub frontstage: Option<Box<str>>,
    /// Service blueprint: the processes and partners holding the service up.
    pub support: Option<Box<str>>,
    /// Shared like `touchpoints`; set to the department's id by resolve.
    pub owner: Option<Spanned<Arc<str>>>,
    /// `None` when the step has no metrics (written as `{}` all the same).
    #[serde(serialize_with = "metrics_or_empty")]
    pub metrics: Option<Box<Metrics>>,
    #[serde(
        skip_serializing_if = "<[Target]>::is_empty",
        serialize_with = "serialize_targets"
    )]
    pub targets: Targets,
    pub systems: Box<[Spanned<String>]>,
    /// The research that backs this step (ids or titles; set to the ids by
    /// resolve).
    pub evidence: Box<[Spanned<String>]>,
    /// The opportunities (ids of files in `opportunities/`) that would
    /// improve this step.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub opportunities: Box<[Spanned<String>]>,
    pub transaction: bool,
    pub dropoff: bool,
    /// Where the step is in the file: its `action` (or its map when that is
    /// missing), for "this step …" diagnostics.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

fn metrics_or_empty<S: serde::Serializer>(
    m: &Option<Box<Metrics>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    m.as_deref().unwrap_or(&Metrics::NONE).serialize(s)
}

/// How a study was made (SPEC 3, "Research and evidence").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    Interview,
    Survey,
    Observation,
    UsabilityTest,
    Analytics,
    Logs,
    Workshop,
    Other,
}

impl Method {
    pub const NAMES: &[&str] = &[
        "interview",
        "survey",
        "observation",
        "usability-test",
        "analytics",
        "logs",
        "workshop",
        "other",
    ];

    /// The Spanish words accepted besides [`Method::NAMES`] (for "did you
    /// mean" in a Spanish handbook).
    pub const SPANISH: &[&str] = &[
        "entrevista",
        "encuesta",
        "observacion",
        "prueba-de-usabilidad",
        "analitica",
        "registros",
        "taller",
        "otro",
    ];

    /// The SPEC's words, and Spanish ones, ignoring case, accents, spaces
    /// and underscores (as channels are read).
    pub fn parse(s: &str) -> Option<Method> {
        let key = crate::text::fold(s).replace([' ', '_'], "-");
        Some(match key.as_str() {
            "interview" | "interviews" | "entrevista" | "entrevistas" => Method::Interview,
            "survey" | "surveys" | "encuesta" | "encuestas" => Method::Survey,
            "observation" | "field-study" | "observacion" | "estudio-de-campo" => {
                Method::Observation
            }
            "usability-test"
            | "usability"
            | "prueba-de-usabilidad"
            | "usabilidad"
            | "pruebas-de-usabilidad" => Method::UsabilityTest,
            "analytics" | "analitica" | "analisis" | "analisis-de-datos" => Method::Analytics,
            "logs" | "registros" | "registro" => Method::Logs,
            "workshop" | "taller" => Method::Workshop,
            "other" | "otro" | "otra" => Method::Other,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Method::NAMES[self as usize]
    }
}

/// A calendar day (`date: 2026-03-31`), checked to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// `YYYY-MM-DD`, a real day of the Gregorian calendar.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y) && digits(m) && digits(d)) {
            return None;
        }
        let (year, month, day) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        (1..=12).contains(&month).then_some(())?;
        (1..=Date::days_in(year, month))
            .contains(&day)
            .then_some(())?;
        Some(Date { year, month, day })
    }

    fn days_in(year: i32, month: u8) -> u8 {
        match month {
            4 | 6 | 9 | 11 => 30,
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            _ => 31,
        }
    }

    /// The day `days` days after 1970-01-01 (civil-from-days, H. Hinnant).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Today (UTC), from the system clock: only `[check] max-research-age`
    /// uses it; nothing built depends on it.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((secs / 86_400) as i64)
    }

    /// Whole months from `self` to `later` (a month is complete on the same
    /// day of the month).
    pub fn months_until(self, later: Date) -> i64 {
        let months =
            i64::from(later.year - self.year) * 12 + i64::from(later.month) - i64::from(self.month);
        if later.day < self.day {
            months - 1
        } else {
            months
        }
    }
}

impl Date {
    /// A measurement's date (SPEC 3, "Measurements over time"): a day
    /// `YYYY-MM-DD`, or a whole month `YYYY-MM` (kept as day 0, so a month
    /// sorts before its days).
    pub fn parse_period(s: &str) -> Option<Date> {
        let t = s.trim();
        if let [y0, y1, y2, y3, b'-', m0, m1] = *t.as_bytes() {
            let digits = [y0, y1, y2, y3, m0, m1];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let n = |b: &[u8]| b.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
            let month = n(&[m0, m1]) as u8;
            return (1..=12).contains(&month).then_some(Date {
                year: n(&[y0, y1, y2, y3]) as i32,
                month,
                day: 0,
            });
        }
        Date::parse(t)
    }

    /// Days since 1970-01-01 (a month counts as its first day); the inverse
    /// of [`Date::from_days`] (days-from-civil, H. Hinnant).
    pub fn days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day.max(1)));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Four bytes that sort like the date (for compact measurement rows).
    pub fn pack(self) -> u32 {
        ((self.year.clamp(0, 9999) as u32) << 9)
            | (u32::from(self.month) << 5)
            | u32::from(self.day)
    }

    pub fn unpack(p: u32) -> Date {
        Date {
            year: (p >> 9) as i32,
            month: ((p >> 5) & 0xf) as u8,
            day: (p & 0x1f) as u8,
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if self.day == 0 {
            return write!(f, "{:04}-{:02}", self.year, self.month);
        }
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A study: `content/research/<id>.md`.
#[derive(Debug, Clone, Serialize)]
pub struct Research {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    pub method: Option<Method>,
    /// When the study ended; the span is the value's, for `stale-research`.
    pub date: Option<Spanned<Date>>,
    pub participants: Option<u64>,
    pub owner: Option<Spanned<String>>,
    pub link: Option<String>,
}

/// Where an opportunity is (SPEC 3, "Opportunities").
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    Idea,
    Planned,
    InProgress,
    Done,
    Dropped,
}

impl Status {
    /// In the order work moves through them (the portfolio's groups).
    pub const ALL: [Status; 5] = [
        Status::Idea,
        Status::Planned,
        Status::InProgress,
        Status::Done,
        Status::Dropped,
    ];
    pub const NAMES: &[&str] = &["idea", "planned", "in-progress", "done", "dropped"];
    /// The Spanish words accepted besides [`Status::NAMES`].
    pub const SPANISH: &[&str] = &["idea", "planificada", "en-curso", "hecha", "descartada"];

    /// The SPEC's words and Spanish ones, ignoring case, accents, spaces and
    /// underscores.
    pub fn parse(s: &str) -> Option<Status> {
        let key = crate::text::fold(s).replace([' ', '_'], "-");
        Some(match key.as_str() {
            "idea" | "ideas" | "new" | "nueva" => Status::Idea,
            "planned" | "planificada" | "planificado" | "planeada" | "planeado" | "prevista"
            | "previsto" => Status::Planned,
            "in-progress" | "inprogress" | "doing" | "en-curso" | "en-progreso" | "en-marcha" => {
                Status::InProgress
            }
            "done" | "hecha" | "hecho" | "terminada" | "terminado" | "completada"
            | "completado" => Status::Done,
            "dropped" | "descartada" | "descartado" | "abandonada" | "abandonado" => {
                Status::Dropped
            }
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Status::NAMES[self as usize]
    }

    /// Still to be done: an idea, planned or in progress.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Idea | Status::Planned | Status::InProgress)
    }
}

/// An improvement the team could make: `content/opportunities/<id>.md`.
#[derive(Debug, Clone, Serialize)]
pub struct Opportunity {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    pub status: Status,
    pub owner: Option<Spanned<String>>,
    /// 1..5: how much it would improve the experience.
    pub impact: Option<u8>,
    /// 1..5: how much work it is.
    pub effort: Option<u8>,
    pub link: Option<String>,
}

/// A free-form handbook page (guides, glossary) or the home text.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: Option<String>,
    pub description: Option<String>,
}

/// Journeys by id, each shared with the file cache that parsed it.
pub type Journeys = std::collections::BTreeMap<String, Arc<Journey>>;

/// Everything the content folder holds, as written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Content {
    pub home: Option<Page>,
    pub personas: Vec<Persona>,
    pub touchpoints: Vec<Touchpoint>,
    /// Shared with the file that parsed them (copied only when resolve
    /// rewrites an id).
    pub journeys: Vec<Arc<Journey>>,
    pub research: Vec<Research>,
    pub opportunities: Vec<Opportunity>,
    pub pages: Vec<Page>,
    /// Files whose front matter could not be read (already reported): kind,
    /// the id they would have, and their content-relative path. References
    /// to them are not reported again.
    #[serde(skip)]
    pub unreadable: Vec<(crate::source::Kind, String, String)>,
}
