//! JSON Schema of the front matter of personas, touchpoints and journeys,
//! for editors (the YAML language server) and other tools.
//!
//! The shapes below exist only to describe the front matter; the parser in
//! `parse.rs` reads files by hand (to collect every problem). A unit test
//! checks that both accept exactly the same keys, so they cannot drift.

#![allow(dead_code)] // the fields are read by schemars, not by code

use schemars::{JsonSchema, Schema, schema_for};
use serde::Deserialize;

use crate::model::Lifecycle;

/// A persona: `content/personas/<id>.md`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Display name.
    name: String,
    role: Option<String>,
    segment: Option<String>,
    /// What they would say, in their words.
    quote: Option<String>,
    goals: Option<Texts>,
    needs: Option<Texts>,
    frustrations: Option<Texts>,
    /// Channels they use (free text).
    channels: Option<Texts>,
    #[serde(flatten)]
    common: Common,
}

/// A touchpoint: `content/touchpoints/<id>.md`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Touchpoint {
    name: String,
    channel: Option<Channel>,
    /// A department id from `[departments]`.
    owner: Option<String>,
    systems: Option<Texts>,
    /// The value each metric should reach here (`{ nps: 40 }`): nps, ces,
    /// csat or a metric declared in book.toml under [metrics.<id>].
    targets: Option<Targets>,
    #[serde(flatten)]
    common: Common,
}

/// A journey: `content/journeys/<persona>/<lens>.md`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Journey {
    title: String,
    /// A persona id.
    persona: String,
    /// A lens id: functional, target, engagement, activity, goal, or one of `[lenses]`.
    lens: String,
    scenario: Option<String>,
    owner: Option<String>,
    stakeholders: Option<Texts>,
    research: Option<Texts>,
    duration: Option<String>,
    metrics: Option<Metrics>,
    /// The value each metric should reach here (`{ nps: 40 }`): nps, ces,
    /// csat or a metric declared in book.toml under [metrics.<id>].
    targets: Option<Targets>,
    lifecycle: Option<Lifecycle>,
    /// Journey ids that follow this one in the customer's life.
    next: Option<Texts>,
    /// `current` (the default): the experience as it is; `future`: a
    /// redesign of the journey named in `redesigns`.
    state: Option<StateWord>,
    /// On a future state: the id of the current-state journey (same persona
    /// and lens) it redesigns.
    redesigns: Option<String>,
    /// On a future state: the opportunity ids it puts into effect.
    realises: Option<Texts>,
    stages: Option<Vec<Stage>>,
    #[serde(flatten)]
    common: Common,
}

/// The words `state` accepts (English and Spanish; as-is / to-be too).
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
pub enum StateWord {
    #[serde(rename = "current")]
    Current,
    #[serde(rename = "future")]
    Future,
    #[serde(rename = "actual")]
    Actual,
    #[serde(rename = "futuro")]
    Futuro,
    #[serde(rename = "futura")]
    Futura,
    #[serde(rename = "as-is")]
    AsIs,
    #[serde(rename = "to-be")]
    ToBe,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// For a strict lens, one of its stage names, in its order.
    name: String,
    description: Option<String>,
    metrics: Option<Metrics>,
    /// The value each metric should reach here (`{ nps: 40 }`): nps, ces,
    /// csat or a metric declared in book.toml under [metrics.<id>].
    targets: Option<Targets>,
    steps: Option<Vec<Step>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What the customer does.
    action: String,
    /// Touchpoint ids.
    touchpoints: Option<Texts>,
    emotion: Option<EmotionValue>,
    thinking: Option<String>,
    pain: Option<String>,
    opportunity: Option<String>,
    /// What happens out of the customer's view (service blueprint).
    backstage: Option<String>,
    /// What employees do in the customer's view (service blueprint).
    frontstage: Option<String>,
    /// Processes and partners that hold the service up (service blueprint).
    support: Option<String>,
    owner: Option<String>,
    metrics: Option<Metrics>,
    /// The value each metric should reach here (`{ nps: 40 }`): nps, ces,
    /// csat or a metric declared in book.toml under [metrics.<id>].
    targets: Option<Targets>,
    /// Unique within the journey; pins the step across edits.
    id: Option<String>,
    systems: Option<Texts>,
    transaction: Option<bool>,
    dropoff: Option<bool>,
    /// The research that backs this step: ids (or titles) of files in
    /// research/.
    evidence: Option<Texts>,
    /// The opportunities that would improve this step: ids of files in
    /// opportunities/.
    opportunities: Option<Texts>,
}

/// An opportunity: `content/opportunities/<id>.md`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Opportunity {
    title: String,
    /// idea (the default), planned, in-progress, done or dropped (Spanish
    /// words accepted: planificada, en curso, hecha, descartada).
    status: Option<String>,
    /// A department id from `[departments]`.
    owner: Option<String>,
    /// How much it would improve the experience, 1..5.
    #[schemars(range(min = 1, max = 5))]
    impact: Option<u8>,
    /// How much work it is, 1..5.
    #[schemars(range(min = 1, max = 5))]
    effort: Option<u8>,
    /// The work item (a web address).
    link: Option<String>,
    #[serde(flatten)]
    common: Common,
}

/// A study: `content/research/<id>.md`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Research {
    title: String,
    /// interview, survey, observation, usability-test, analytics, logs,
    /// workshop or other (Spanish words accepted: entrevista, encuesta…).
    method: Option<String>,
    /// When the study ended, YYYY-MM-DD.
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    date: Option<String>,
    /// People, calls or records behind it.
    #[schemars(range(min = 0))]
    participants: Option<u64>,
    /// A department id from `[departments]`.
    owner: Option<String>,
    /// Where the raw material lives (a web address).
    link: Option<String>,
    #[serde(flatten)]
    common: Common,
}

/// Keys every kind of file may carry.
#[derive(Deserialize, JsonSchema)]
pub struct Common {
    id: Option<String>,
    draft: Option<bool>,
    weight: Option<i64>,
    /// Anything, handed to templates.
    extra: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    #[schemars(range(min = -100, max = 100))]
    nps: Option<f64>,
    #[schemars(range(min = 1, max = 7))]
    ces: Option<f64>,
    #[schemars(range(min = 0, max = 100))]
    csat: Option<f64>,
}

/// Metric ids and the values they should reach.
pub type Targets = std::collections::BTreeMap<String, f64>;

/// A list of texts, or a single text.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Texts {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Web,
    App,
    Email,
    Phone,
    Chat,
    Store,
    Social,
    Ads,
    Mail,
    Other,
}

/// The five-point scale: a word (English or Spanish), an emoticon, or −2..2.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EmotionValue {
    Word(EmotionWord),
    Score(#[schemars(range(min = -2, max = 2))] i8),
}

#[derive(Deserialize, JsonSchema)]
pub enum EmotionWord {
    #[serde(rename = "delighted")]
    Delighted,
    #[serde(rename = "happy")]
    Happy,
    #[serde(rename = "neutral")]
    Neutral,
    #[serde(rename = "frustrated")]
    Frustrated,
    #[serde(rename = "angry")]
    Angry,
    #[serde(rename = "encantado")]
    Encantado,
    #[serde(rename = "feliz")]
    Feliz,
    #[serde(rename = "neutro")]
    Neutro,
    #[serde(rename = "frustrado")]
    Frustrado,
    #[serde(rename = "enojado")]
    Enojado,
    #[serde(rename = ":D")]
    BigSmile,
    #[serde(rename = ":)")]
    Smile,
    #[serde(rename = ":I")]
    Flat,
    #[serde(rename = ":|")]
    Flat2,
    #[serde(rename = ":(")]
    Frown,
    #[serde(rename = ">:(")]
    Angry2,
}

/// The kinds `journeydoc schema` knows.
pub const KINDS: &[&str] = &[
    "persona",
    "touchpoint",
    "journey",
    "research",
    "opportunity",
];

/// The schema of one kind of front matter.
pub fn schema(kind: &str) -> Option<Schema> {
    let mut s = match kind {
        "persona" => schema_for!(Persona),
        "touchpoint" => schema_for!(Touchpoint),
        "journey" => schema_for!(Journey),
        "research" => schema_for!(Research),
        "opportunity" => schema_for!(Opportunity),
        _ => return None,
    };
    s.insert(
        "$id".to_owned(),
        format!("https://journeydoc.invalid/schema/{kind}.json").into(),
    );
    Some(s)
}

/// One schema accepting any of the kinds, each under `$defs`.
pub fn all_text() -> String {
    let defs: serde_json::Map<String, serde_json::Value> = KINDS
        .iter()
        .filter_map(|k| schema(k).map(|s| ((*k).to_owned(), s.to_value())))
        .collect();
    let refs: Vec<serde_json::Value> = KINDS
        .iter()
        .map(|k| serde_json::json!({ "$ref": format!("#/$defs/{k}") }))
        .collect();
    let doc = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "journeydoc front matter",
        "anyOf": refs,
        "$defs": defs,
    });
    let mut t = serde_json::to_string_pretty(&doc).expect("a schema serialises");
    t.push('\n');
    t
}

/// Pretty JSON text of a schema.
pub fn to_text(s: &Schema) -> String {
    let mut t = serde_json::to_string_pretty(s).expect("a schema serialises");
    t.push('\n');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &serde_json::Value) -> Vec<String> {
        let mut k: Vec<String> = s["properties"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    }

    fn sorted(lists: &[&[&str]]) -> Vec<String> {
        let mut v: Vec<String> = lists.concat().iter().map(|s| (*s).to_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn schema_keys_are_the_parser_keys() {
        use crate::parse::keys as k;
        let p = schema("persona").unwrap().to_value();
        assert_eq!(keys(&p), sorted(&[k::COMMON, k::PERSONA]));
        let t = schema("touchpoint").unwrap().to_value();
        assert_eq!(keys(&t), sorted(&[k::COMMON, k::TOUCHPOINT]));
        let j = schema("journey").unwrap().to_value();
        assert_eq!(keys(&j), sorted(&[k::COMMON, k::JOURNEY]));
        assert_eq!(keys(&j["$defs"]["Stage"]), sorted(&[k::STAGE]));
        assert_eq!(keys(&j["$defs"]["Step"]), sorted(&[k::STEP]));
        assert_eq!(keys(&j["$defs"]["Metrics"]), sorted(&[k::METRICS]));
        let r = schema("research").unwrap().to_value();
        assert_eq!(keys(&r), sorted(&[k::COMMON, k::RESEARCH]));
        let o = schema("opportunity").unwrap().to_value();
        assert_eq!(keys(&o), sorted(&[k::COMMON, k::OPPORTUNITY]));
    }
}
