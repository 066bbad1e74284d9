//! The model for other tools: `export --format json|csv|mermaid` and
//! `import mermaid`.
//!
//! Mermaid `journey` diagrams: emotion −2..2 ↔ score 1..5; a step's owner
//! (display name) is the actor; a step without an emotion is exported as 3.
//! Characters Mermaid's journey grammar cannot hold are replaced by
//! look-alikes (`:` → `∶`, `#` → `＃`, `;` → `,`, line breaks → spaces), and
//! a task that would start with a keyword (`title`, `section`…) gets a `‣ `
//! in front, so every export parses and export → import → export is stable.

use std::collections::BTreeMap;

use crate::insights::effective_owner;
use crate::metrics::Scope;
use crate::model::{Emotion, Journey, State};
use crate::resolve::Handbook;
use crate::text::fold;
use crate::text::yaml_str;

/// `journeys.json`, restricted to one journey when `only` is given.
pub fn json(h: &Handbook, only: Option<&str>) -> Vec<u8> {
    match only {
        None => journeys_json(h, true),
        Some(id) => {
            let mut one = h.clone();
            one.journeys.retain(|k, _| k == id);
            one.handoffs.retain(|k, _| k == id);
            one.journey_gaps.retain(|g| g.from == id || g.to == id);
            journeys_json(&one, true)
        }
    }
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "persona",
    "lens",
    "journey",
    "stage",
    "step",
    "action",
    "touchpoints",
    "emotion",
    "owner",
    "pain",
    "opportunity",
    "backstage",
    "thinking",
    "step_id",
    "systems",
    "transaction",
    "dropoff",
    "frontstage",
    "support",
    "state",
    "redesigns",
    "evidence",
    "metrics",
    "journey_metrics",
    "opportunities",
];

/// A list cell: the values joined with `; `.
fn joined<T: AsRef<str>>(v: &[crate::fields::Spanned<T>]) -> String {
    v.iter()
        .map(|s| s.value.as_ref())
        .collect::<Vec<_>>()
        .join("; ")
}

/// One row per step (RFC 4180 quoting). `step` counts from 1 in each
/// journey; `emotion` is the score −2..2 (empty when unrated); `owner` is
/// the step's effective owner id; lists are joined with `; `; `metrics` and
/// `journey_metrics` are the step's and the journey's latest values
/// (`nps=31; ces=4.2`: the newest measurement, else the typed value);
/// `opportunities` the ids the step names with their status
/// (`link-guest-orders=planned`).
pub fn csv(h: &Handbook, journeys: &[&String]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for id in journeys {
        let j = &h.journeys[*id];
        let journey_latest = latest(
            h,
            &Scope::Journey(id.as_str().into()),
            Some(&j.metrics),
            &j.targets,
        );
        for (n, (si, step)) in j.steps().enumerate() {
            w.write_record([
                j.persona.value.as_str(),
                j.lens.value.as_str(),
                id.as_str(),
                j.stages[si].name.value.as_str(),
                &(n + 1).to_string(),
                &step.action,
                &joined(&step.touchpoints),
                &step
                    .emotion
                    .map(|e| e.score().to_string())
                    .unwrap_or_default(),
                effective_owner(step, &h.touchpoints).unwrap_or_default(),
                step.pain.as_deref().unwrap_or_default(),
                step.opportunity.as_deref().unwrap_or_default(),
                step.backstage.as_deref().unwrap_or_default(),
                step.thinking.as_deref().unwrap_or_default(),
                step.id.as_ref().map_or("", |i| i.value.as_str()),
                &joined(&step.systems),
                if step.transaction { "true" } else { "false" },
                if step.dropoff { "true" } else { "false" },
                step.frontstage.as_deref().unwrap_or_default(),
                step.support.as_deref().unwrap_or_default(),
                state_word(j.state.value),
                j.redesigns.as_ref().map_or("", |r| r.value.as_str()),
                &joined(&step.evidence),
                &latest(
                    h,
                    &step_scope(id, step),
                    step.metrics.as_deref(),
                    &step.targets,
                ),
                &journey_latest,
                &opportunities(h, step),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A step's opportunities with their status, `link-guest-orders=planned`.
fn opportunities(h: &Handbook, step: &crate::model::Step) -> String {
    step.opportunities
        .iter()
        .map(|o| match h.opportunities.get(&o.value) {
            Some(op) => format!("{}={}", o.value, op.status.name()),
            None => o.value.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A step's scope (a step without an `id` is never measured).
fn step_scope(journey: &str, step: &crate::model::Step) -> Scope {
    Scope::Step(
        journey.into(),
        step.id.as_ref().map_or("", |i| i.value.as_str()).into(),
    )
}

/// A scope's latest values, `nps=31; fcr=76` (measured, else typed).
fn latest(
    h: &Handbook,
    scope: &Scope,
    typed: Option<&crate::model::Metrics>,
    targets: &[crate::model::Target],
) -> String {
    h.measurements
        .readings(
            scope,
            typed.unwrap_or(&crate::model::Metrics::NONE),
            targets,
        )
        .iter()
        .filter_map(|r| {
            let (v, _) = r.latest?;
            Some(format!("{}={}", r.metric.id, crate::text::number(v)))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `current` or `future`, as journeys.json, CSV and Mermaid write it.
pub fn state_word(s: State) -> &'static str {
    match s {
        State::Current => "current",
        State::Future => "future",
    }
}

/// Text Mermaid's journey grammar can hold (`[^#:\n;]`).
fn mermaid_text(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| match c {
            ':' => '∶',
            '#' => '＃',
            ';' => ',',
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = t.to_lowercase();
    let keyword = ["title", "section", "journey", "acctitle", "accdescr", "%"]
        .iter()
        .any(|k| lower.starts_with(k));
    if keyword { format!("‣ {t}") } else { t }
}

/// An actor: Mermaid text without `,` (it separates actors).
fn mermaid_actor(name: &str) -> String {
    mermaid_text(&name.replace(',', " "))
}

/// The Mermaid score of an emotion: −2..2 → 1..5 (unrated → 3).
pub fn score(e: Option<Emotion>) -> i8 {
    e.map_or(0, Emotion::score) + 3
}

/// One `journey` diagram.
pub fn mermaid(h: &Handbook, j: &Journey) -> String {
    let mut out = format!("journey\n    title {}\n", mermaid_text(&j.title));
    // A future state says so, and what it redesigns, in comments Mermaid
    // ignores and `import mermaid` reads back.
    if j.is_future() {
        out.push_str("    %% state: future\n");
        if let Some(r) = &j.redesigns {
            out.push_str(&format!("    %% redesigns: {}\n", mermaid_text(&r.value)));
        }
    }
    for stage in &j.stages {
        out.push_str(&format!(
            "    section {}\n",
            mermaid_text(&stage.name.value)
        ));
        for step in &stage.steps {
            out.push_str(&format!(
                "      {}: {}",
                mermaid_text(&step.action),
                score(step.emotion)
            ));
            if let Some(owner) = effective_owner(step, &h.touchpoints) {
                let name = h
                    .config
                    .departments
                    .get(owner)
                    .map_or(owner, String::as_str);
                out.push_str(&format!(": {}", mermaid_text(name).replace(',', " ")));
            }
            out.push('\n');
            for (lane, text) in [
                ("frontstage", &step.frontstage),
                ("backstage", &step.backstage),
                ("support", &step.support),
            ] {
                if let Some(t) = text {
                    out.push_str(&format!("      %% {lane}: {}\n", mermaid_text(t)));
                }
            }
        }
    }
    out
}

/// Every journey's diagram, each after a `%% journey: <id>` line.
pub fn mermaid_all(h: &Handbook, journeys: &[&String]) -> String {
    let mut out = String::new();
    for (i, id) in journeys.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("%% journey: {id}\n"));
        out.push_str(&mermaid(h, &h.journeys[*id]));
    }
    out
}

/// A task of a Mermaid journey: text, score 1..5, actors, and the
/// blueprint lanes written as `%% lane: text` comments after it.
pub type Task = (String, i8, Vec<String>, Vec<(&'static str, String)>);

/// The step fields a Mermaid diagram carries as `%% lane: text` comments
/// (Mermaid has no lanes; it ignores comments, `import mermaid` reads them).
pub const MERMAID_LANES: &[&str] = &["frontstage", "backstage", "support"];

/// The lane a `%% lane: text` comment names, with its text.
fn lane_comment(line: &str) -> Option<(&'static str, String)> {
    let rest = line.strip_prefix("%%")?.trim_start();
    let (key, text) = rest.split_once(':')?;
    let lane = MERMAID_LANES.iter().find(|l| **l == key.trim())?;
    let text = text.trim();
    (!text.is_empty()).then(|| (*lane, text.to_owned()))
}

/// A Mermaid journey diagram, as read back.
#[derive(Debug, Default, PartialEq)]
pub struct Diagram {
    pub title: Option<String>,
    /// `%% state: future` and `%% redesigns: ID` before the first section.
    pub state: Option<String>,
    pub redesigns: Option<String>,
    /// Sections with their tasks.
    pub sections: Vec<(String, Vec<Task>)>,
}

/// Parses a Mermaid `journey` diagram. Errors name the line.
pub fn parse_mermaid(text: &str) -> Result<Diagram, (usize, String)> {
    let mut d = Diagram::default();
    let mut seen_journey = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let no = n + 1;
        if let Some(lane) = lane_comment(line) {
            if let Some(task) = d.sections.last_mut().and_then(|s| s.1.last_mut()) {
                task.3.push(lane);
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("%%")
            && d.sections.is_empty()
            && let Some((key, value)) = rest.split_once(':')
        {
            let value = value.trim();
            match key.trim() {
                "state" if !value.is_empty() => d.state = Some(value.to_owned()),
                "redesigns" if !value.is_empty() => d.redesigns = Some(value.to_owned()),
                _ => {}
            }
            continue;
        }
        if line.is_empty() || line.starts_with("%%") {
            continue;
        }
        if !seen_journey {
            if line == "journey" {
                seen_journey = true;
                continue;
            }
            return Err((no, format!("expected `journey`, found `{line}`")));
        }
        if let Some(t) = line.strip_prefix("title ") {
            d.title = Some(t.trim().to_owned());
        } else if let Some(s) = line.strip_prefix("section ") {
            d.sections.push((s.trim().to_owned(), Vec::new()));
        } else if line.starts_with("accTitle") || line.starts_with("accDescr") {
            continue;
        } else {
            let mut parts = line.splitn(3, ':');
            let task = parts.next().unwrap_or("").trim().to_owned();
            let score = parts
                .next()
                .and_then(|s| s.trim().parse::<i8>().ok())
                .filter(|s| (1..=5).contains(s))
                .ok_or((no, format!("`{line}` is not `task: score (1-5): actors`")))?;
            let actors = parts
                .next()
                .map(|a| {
                    a.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            if d.sections.is_empty() {
                d.sections.push(("Journey".to_owned(), Vec::new()));
            }
            if let Some(last) = d.sections.last_mut() {
                last.1.push((task, score, actors, Vec::new()));
            }
        }
    }
    if !seen_journey {
        return Err((1, "no `journey` diagram in the file".to_owned()));
    }
    Ok(d)
}

/// A journey file (YAML front matter) from a diagram. Actors become the
/// step's owner when they name a department (by id or display name), or
/// freely when the handbook has no `[departments]`. Returns the text and
/// the actors that could not be kept.
pub fn journey_from_diagram(
    h: &Handbook,
    d: &Diagram,
    persona: &str,
    lens: &str,
    fallback_title: &str,
) -> (String, Vec<String>) {
    let deps = &h.config.departments;
    let by_name: BTreeMap<String, &String> = deps
        .iter()
        .flat_map(|(id, name)| {
            [
                (fold(id), id),
                (fold(name), id),
                (fold(&mermaid_actor(name)), id),
            ]
        })
        .collect();
    let lang = h.config.language;
    let mut dropped = Vec::new();
    let title = d.title.clone().unwrap_or_else(|| fallback_title.to_owned());
    let mut out = format!(
        "---\ntitle: {}\npersona: {persona}\nlens: {lens}\n",
        yaml_str(&title)
    );
    if let Some(state) = &d.state {
        out.push_str(&format!("state: {}\n", yaml_str(state)));
    }
    if let Some(r) = &d.redesigns {
        out.push_str(&format!("redesigns: {}\n", yaml_str(r)));
    }
    out.push_str("stages:\n");
    for (section, tasks) in &d.sections {
        out.push_str(&format!("  - name: {}\n    steps:\n", yaml_str(section)));
        for (task, score, actors, lanes) in tasks {
            let emotion = Emotion::from_score(i64::from(*score) - 3).unwrap_or(Emotion::Neutral);
            out.push_str(&format!(
                "      - action: {}\n        emotion: {}\n",
                yaml_str(task),
                emotion.word(lang)
            ));
            let mut owner = None;
            for a in actors {
                let id = if deps.is_empty() {
                    Some(a)
                } else {
                    by_name.get(&fold(a)).copied()
                };
                match (owner.is_none(), id) {
                    (true, Some(id)) => owner = Some(id.clone()),
                    _ => dropped.push(a.clone()),
                }
            }
            if let Some(o) = owner {
                out.push_str(&format!("        owner: {}\n", yaml_str(&o)));
            }
            let mut seen = Vec::new();
            for (lane, text) in lanes {
                // One value per field: a repeated comment keeps the first.
                if !seen.contains(lane) {
                    seen.push(lane);
                    out.push_str(&format!("        {lane}: {}\n", yaml_str(text)));
                }
            }
        }
    }
    out.push_str("---\n");
    (out, dropped)
}

/// The whole resolved model (`journeys.json`, also `export --format json`).
/// Its shape is documented in `docs/journeys-json.md`. Pretty for export
/// (people read it), compact in the site (a reader downloads it).
pub fn journeys_json(h: &Handbook, pretty: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 16);
    write_journeys_json(h, pretty, &mut out).expect("writing to memory does not fail");
    out
}

/// [`journeys_json`] into a writer.
pub fn write_journeys_json(
    h: &Handbook,
    pretty: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Book<'a> {
        authors: &'a [String],
        description: &'a Option<String>,
        language: crate::config::Language,
        title: &'a str,
    }
    // Top-level keys in alphabetical order, as version 1 always had them.
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        book: Book<'a>,
        departments: &'a BTreeMap<String, String>,
        handoffs: &'a BTreeMap<String, Vec<crate::insights::Handoff>>,
        journey_gaps: &'a [crate::insights::JourneyGap],
        journeys: &'a crate::model::Journeys,
        lenses: &'a BTreeMap<String, crate::model::Lens>,
        metrics: crate::metrics::Export<'a>,
        opportunities: &'a BTreeMap<String, crate::model::Opportunity>,
        personas: &'a BTreeMap<String, crate::model::Persona>,
        research: &'a BTreeMap<String, crate::model::Research>,
        systems: &'a BTreeMap<String, String>,
        touchpoints: &'a BTreeMap<String, crate::model::Touchpoint>,
        version: u32,
    }
    let doc = Doc {
        book: Book {
            authors: &h.config.authors,
            description: &h.config.description,
            language: h.config.language,
            title: &h.config.title,
        },
        departments: &h.config.departments,
        handoffs: &h.handoffs,
        journey_gaps: &h.journey_gaps,
        journeys: &h.journeys,
        lenses: &h.lenses,
        metrics: crate::metrics::Export {
            measurements: &h.measurements,
            journeys: &h.journeys,
            touchpoints: &h.touchpoints,
        },
        opportunities: &h.opportunities,
        personas: &h.personas,
        research: &h.research,
        systems: &h.systems,
        touchpoints: &h.touchpoints,
        version: 1,
    };
    // The serialiser's many small writes gather in a buffer of a concrete
    // type (inlined), reaching `out` through its dynamic call per 64 KB.
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(64 << 10, out);
    if pretty {
        serde_json::to_writer_pretty(&mut out, &doc)?;
    } else {
        serde_json::to_writer(&mut out, &doc)?;
    }
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzzer: a title with DEL in it was written as a JSON
    /// string, which YAML refuses.
    #[test]
    fn imported_text_with_control_characters_reads_back() {
        for text in [
            "a\u{7f}b",
            "\u{85}x",
            "\u{feff}t",
            "tab\there",
            "q\"uote\\",
            "l\u{2028}s",
        ] {
            let yaml = format!("---\ntitle: {}\n---\n", crate::text::yaml_str(text));
            let node = crate::node::parse_yaml(&yaml[4..yaml.len() - 4], 4).unwrap();
            let crate::node::Value::Map(map) = &node.value else {
                panic!("{yaml}");
            };
            assert!(
                map.iter().any(|(k, v)| k.name == "title"
                    && matches!(&v.value, crate::node::Value::Str(s) if s == text)),
                "{yaml}"
            );
        }
    }

    #[test]
    fn text_is_made_safe_for_mermaid_and_stays_stable() {
        assert_eq!(
            mermaid_text("Waits: 20 min; #1\nqueue"),
            "Waits∶ 20 min, ＃1 queue"
        );
        assert_eq!(mermaid_text("title page"), "‣ title page");
        let once = mermaid_text("Section A: x");
        assert_eq!(mermaid_text(&once), once);
    }

    #[test]
    fn parses_a_diagram() {
        let d = parse_mermaid(
            "%% c\njourney\n    title My day\n    section Go to work\n      Make tea: 5: Me\n      Go upstairs: 3: Me, Cat\n      %% frontstage: Cat waits\n      %% note: not a lane\n      Rest: 1\n",
        )
        .unwrap();
        assert_eq!(d.title.as_deref(), Some("My day"));
        assert_eq!(d.sections[0].0, "Go to work");
        assert_eq!(
            d.sections[0].1[1],
            (
                "Go upstairs".to_owned(),
                3,
                vec!["Me".to_owned(), "Cat".to_owned()],
                vec![("frontstage", "Cat waits".to_owned())]
            )
        );
        assert!(d.sections[0].1[0].3.is_empty());
        assert_eq!(d.sections[0].1[2].2, Vec::<String>::new());
        assert_eq!(
            parse_mermaid("journey\n  Make tea: 9: Me\n").unwrap_err().0,
            2
        );
        assert!(parse_mermaid("graph TD\n").is_err());
    }
}
