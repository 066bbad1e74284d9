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
}

/// NPS (-100..100), CES (1..7), CSAT (0..100), each optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ces: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csat: Option<f64>,
}

impl Metrics {
    /// No metric given.
    pub const NONE: Metrics = Metrics {
        nps: None,
        ces: None,
        csat: None,
    };
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
    pub research: Vec<String>,
    pub duration: Option<String>,
    pub metrics: Metrics,
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
    pub touchpoints: Vec<Spanned<Arc<str>>>,
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
    pub systems: Vec<Spanned<String>>,
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

/// A free-form handbook page (guides, glossary) or the home text.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: Option<String>,
    pub description: Option<String>,
}

/// Everything the content folder holds, as written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Content {
    pub home: Option<Page>,
    pub personas: Vec<Persona>,
    pub touchpoints: Vec<Touchpoint>,
    pub journeys: Vec<Journey>,
    pub pages: Vec<Page>,
    /// Files whose front matter could not be read (already reported): kind,
    /// the id they would have, and their content-relative path. References
    /// to them are not reported again.
    #[serde(skip)]
    pub unreadable: Vec<(crate::source::Kind, String, String)>,
}
