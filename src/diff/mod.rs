//! `journeydoc diff`: what changed for the customer between two versions of
//! a handbook. Both sides are the resolved model as `journeys.json` (v1), so
//! a folder, a `journeys.json` file and a git revision compare alike.
//!
//! Steps are matched by [`crate::matching`] (step `id`, the same action,
//! the most similar action in the stage, position), the rule the
//! handbook's comparison of a future state uses too. Journeys are matched by id; an unmatched old and new journey of
//! the same persona and lens (or the same file) are a rename. This module
//! finds the changes (as JSON); `report` writes them for a reader,
//! `portfolio` finds and writes the opportunities'.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

mod portfolio;
mod report;

pub use report::{render_markdown, render_text, summary_line};

/// Step fields compared as plain text: a changed value is a change.
const TEXT_FIELDS: [&str; 6] = [
    "owner",
    "opportunity",
    "backstage",
    "frontstage",
    "support",
    "thinking",
];

/// The five-point scale's words, for messages.
fn word(score: &Value, lang: &str) -> String {
    let lang = if lang == "es" {
        crate::config::Language::Es
    } else {
        crate::config::Language::En
    };
    match score.as_i64().and_then(crate::model::Emotion::from_score) {
        Some(e) => e.word(lang).to_owned(),
        None if lang == crate::config::Language::Es => "sin emoción".to_owned(),
        None => "no emotion".to_owned(),
    }
}

struct Step<'a> {
    stage: &'a str,
    index: usize,
    v: &'a Value,
}

fn steps(j: &Value) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for stage in j["stages"].as_array().into_iter().flatten() {
        let name = stage["name"].as_str().unwrap_or("");
        for (index, v) in stage["steps"].as_array().into_iter().flatten().enumerate() {
            out.push(Step {
                stage: name,
                index,
                v,
            });
        }
    }
    out
}

/// The emotion scores of a journey's rated steps.
fn scores(j: &Value) -> impl Iterator<Item = f64> + '_ {
    steps(j).into_iter().filter_map(|s| s.v["emotion"].as_f64())
}

/// The mean, to two decimals; `None` for no scores.
fn mean(scores: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = scores.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| (sum / n as f64 * 100.0).round() / 100.0)
}

fn average(j: &Value) -> Option<f64> {
    mean(scores(j))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Pairs old and new steps ([`crate::matching`]).
fn match_steps(old: &[Step], new: &[Step]) -> Vec<(Option<usize>, Option<usize>)> {
    crate::matching::match_steps(&step_keys(old), &step_keys(new))
}

/// What the matcher needs of each step.
fn step_keys<'a>(steps: &[Step<'a>]) -> Vec<crate::matching::Key<'a>> {
    steps
        .iter()
        .map(|s| crate::matching::Key {
            stage: s.stage,
            index: s.index,
            id: s.v["id"].as_str(),
            action: text(&s.v["action"]),
        })
        .collect()
}

/// A step with neither an `opportunity` note nor `opportunities`.
fn unanswered(step: &Value) -> bool {
    step["opportunity"].is_null() && step["opportunities"].as_array().is_none_or(Vec::is_empty)
}

fn change(from: &Value, to: &Value) -> Option<Value> {
    (from != to).then(|| json!({ "from": from, "to": to }))
}

fn list_change(from: &Value, to: &Value) -> Option<Value> {
    let set = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect()
    };
    let (a, b) = (set(from), set(to));
    let added: Vec<&String> = b.difference(&a).collect();
    let removed: Vec<&String> = a.difference(&b).collect();
    (!added.is_empty() || !removed.is_empty())
        .then(|| json!({ "added": added, "removed": removed }))
}

/// Handoff gaps of a journey, as (from owner, to owner, step action).
fn gaps(model: &Value, id: &str) -> BTreeSet<(String, String, String)> {
    let j = &model["journeys"][id];
    model["handoffs"][id]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| !h["gap"].is_null())
        .map(|h| {
            let (si, st) = (
                h["to"]["stage"].as_u64().unwrap_or(0) as usize,
                h["to"]["step"].as_u64().unwrap_or(0) as usize,
            );
            let action = text(&j["stages"][si]["steps"][st]["action"]).to_owned();
            (
                text(&h["from_owner"]).to_owned(),
                text(&h["to_owner"]).to_owned(),
                action,
            )
        })
        .collect()
}

fn gap_json(g: &(String, String, String)) -> Value {
    json!({ "from_owner": g.0, "to_owner": g.1, "step": g.2 })
}

/// A future state (a redesign): `state` is `future`. Older models have no
/// `state`: every journey there is current.
fn is_future(j: &Value) -> bool {
    j["state"] == "future"
}

/// The current-state journeys of a model: what the handbook-wide figures
/// count (SPEC 3: future states are shown beside, not counted with, them).
fn current(model: &Value) -> impl Iterator<Item = &Value> {
    model["journeys"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .filter(|j| !is_future(j))
}

/// Average emotion per touchpoint over every step through it.
fn touchpoint_averages(model: &Value) -> BTreeMap<String, (f64, usize)> {
    let mut acc: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for j in current(model) {
        for s in steps(j) {
            let Some(e) = s.v["emotion"].as_f64() else {
                continue;
            };
            for t in s.v["touchpoints"].as_array().into_iter().flatten() {
                acc.entry(text(t).to_owned()).or_default().push(e);
            }
        }
    }
    acc.into_iter()
        .filter_map(|(k, v)| mean(v.iter().copied()).map(|m| (k, (m, v.len()))))
        .collect()
}

fn keys(model: &Value, field: &str) -> BTreeSet<String> {
    model[field]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn coverage(model: &Value) -> BTreeSet<(String, String)> {
    current(model)
        .map(|j| (text(&j["persona"]).to_owned(), text(&j["lens"]).to_owned()))
        .collect()
}

/// Compares two models; the result is the `--format json` document.
pub fn diff(old: &Value, new: &Value) -> Value {
    let lang = new["book"]["language"].as_str().unwrap_or("en").to_owned();
    let (old_ids, new_ids) = (keys(old, "journeys"), keys(new, "journeys"));
    let mut renamed: BTreeMap<String, String> = BTreeMap::new(); // new → old
    let only_old: Vec<&String> = old_ids.difference(&new_ids).collect();
    for n in new_ids.difference(&old_ids) {
        let nj = &new["journeys"][n];
        if let Some(o) = only_old.iter().find(|o| {
            let oj = &old["journeys"][o.as_str()];
            !renamed.values().any(|v| v == **o)
                && ((oj["persona"] == nj["persona"] && oj["lens"] == nj["lens"])
                    || oj["file"] == nj["file"])
        }) {
            renamed.insert(n.clone(), (*o).clone());
        }
    }
    let mut journeys = Vec::new();
    let mut regressions: Vec<String> = Vec::new();
    for id in old_ids.union(&new_ids) {
        let in_old = old_ids.contains(id);
        let in_new = new_ids.contains(id);
        if in_old && !in_new && renamed.values().any(|v| v == id) {
            continue;
        }
        if !in_new {
            journeys.push(
                json!({ "id": id, "title": old["journeys"][id]["title"], "status": "removed" }),
            );
            continue;
        }
        let old_id = if in_old {
            Some(id.clone())
        } else {
            renamed.get(id).cloned()
        };
        let nj = &new["journeys"][id];
        let Some(old_id) = old_id else {
            journeys.push(json!({ "id": id, "title": nj["title"], "status": "added", "average": average(nj) }));
            continue;
        };
        let oj = &old["journeys"][&old_id];
        let (os, ns) = (steps(oj), steps(nj));
        let mut step_changes = Vec::new();
        for (o, n) in match_steps(&os, &ns) {
            match (o, n) {
                (Some(o), Some(n)) => {
                    let (ov, nv) = (os[o].v, ns[n].v);
                    let mut c = serde_json::Map::new();
                    if ov["action"] != nv["action"] {
                        c.insert(
                            "action".into(),
                            json!({ "from": ov["action"], "to": nv["action"] }),
                        );
                    }
                    if ov["emotion"] != nv["emotion"] {
                        c.insert("emotion".into(), json!({
                            "from": ov["emotion"], "to": nv["emotion"],
                            "from_word": word(&ov["emotion"], &lang), "to_word": word(&nv["emotion"], &lang),
                        }));
                    }
                    if let Some(t) = list_change(&ov["touchpoints"], &nv["touchpoints"]) {
                        c.insert("touchpoints".into(), t);
                    }
                    if let Some(e) = list_change(&ov["evidence"], &nv["evidence"]) {
                        c.insert("evidence".into(), e);
                    }
                    if let Some(e) = list_change(&ov["opportunities"], &nv["opportunities"]) {
                        c.insert("opportunities".into(), e);
                    }
                    for f in TEXT_FIELDS {
                        if let Some(ch) = change(&ov[f], &nv[f]) {
                            c.insert(f.into(), ch);
                        }
                    }
                    if ov["pain"] != nv["pain"] {
                        let kind = match (ov["pain"].is_null(), nv["pain"].is_null()) {
                            (true, false) => "added",
                            (false, true) => "resolved",
                            _ => "changed",
                        };
                        c.insert(
                            "pain".into(),
                            json!({ "kind": kind, "from": ov["pain"], "to": nv["pain"] }),
                        );
                        if kind == "added" && unanswered(nv) {
                            regressions.push(format!(
                                "{id}: pain added without an opportunity at \"{}\"",
                                text(&nv["action"])
                            ));
                        }
                    }
                    if !c.is_empty() {
                        c.insert("change".into(), "changed".into());
                        c.insert("stage".into(), ns[n].stage.into());
                        c.insert("step".into(), nv["action"].clone());
                        step_changes.push(Value::Object(c));
                    }
                }
                (None, Some(n)) => {
                    let nv = ns[n].v;
                    step_changes.push(json!({ "change": "added", "stage": ns[n].stage, "step": nv["action"], "emotion": nv["emotion"], "pain": nv["pain"] }));
                    if !nv["pain"].is_null() && unanswered(nv) {
                        regressions.push(format!(
                            "{id}: pain added without an opportunity at \"{}\"",
                            text(&nv["action"])
                        ));
                    }
                }
                (Some(o), None) => step_changes.push(
                    json!({ "change": "removed", "stage": os[o].stage, "step": os[o].v["action"] }),
                ),
                (None, None) => {}
            }
        }
        let stage_names = |j: &Value| -> BTreeSet<String> {
            j["stages"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| text(&s["name"]).to_owned())
                .collect()
        };
        let (so, sn) = (stage_names(oj), stage_names(nj));
        let (go, gn) = (gaps(old, &old_id), gaps(new, id));
        let opened: Vec<Value> = gn.difference(&go).map(gap_json).collect();
        let closed: Vec<Value> = go.difference(&gn).map(gap_json).collect();
        for g in gn.difference(&go) {
            regressions.push(format!(
                "{id}: handoff gap opened {} → {} at \"{}\"",
                g.0, g.1, g.2
            ));
        }
        let (ao, an) = (average(oj), average(nj));
        if let (Some(a), Some(b)) = (ao, an)
            && b < a
        {
            regressions.push(format!(
                "{id}: average emotion dropped from {a:+.2} to {b:+.2}"
            ));
        }
        let metrics = change(&oj["metrics"], &nj["metrics"]);
        // Becoming a redesign (or no longer one), or redesigning another
        // journey, is a change of what the map is.
        let state_word = |j: &Value| if is_future(j) { "future" } else { "current" };
        let state = change(&json!(state_word(oj)), &json!(state_word(nj)));
        let redesigns = change(&oj["redesigns"], &nj["redesigns"]);
        let status = if old_id != *id { "renamed" } else { "changed" };
        let changed = status == "renamed"
            || !step_changes.is_empty()
            || so != sn
            || !opened.is_empty()
            || !closed.is_empty()
            || metrics.is_some()
            || state.is_some()
            || redesigns.is_some()
            || oj["title"] != nj["title"];
        if changed {
            journeys.push(json!({
                "id": id,
                "title": nj["title"],
                "status": status,
                "renamed_from": if status == "renamed" { json!(old_id) } else { Value::Null },
                "stages_added": sn.difference(&so).collect::<Vec<_>>(),
                "stages_removed": so.difference(&sn).collect::<Vec<_>>(),
                "steps": step_changes,
                "average": { "from": ao, "to": an },
                "handoff_gaps": { "opened": opened, "closed": closed },
                "metrics": metrics,
                "state": state,
                "redesigns": redesigns,
            }));
        }
    }
    // Across the handbook.
    let jg = |m: &Value| -> BTreeSet<(String, String)> {
        m["journey_gaps"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|g| (text(&g["from"]).to_owned(), text(&g["to"]).to_owned()))
            .collect()
    };
    let (jgo, jgn) = (jg(old), jg(new));
    for g in jgn.difference(&jgo) {
        regressions.push(format!("journey gap opened {} → {}", g.0, g.1));
    }
    let (tao, tan) = (touchpoint_averages(old), touchpoint_averages(new));
    let touchpoints: Vec<Value> = tan
        .iter()
        .filter_map(|(id, (avg, n))| {
            let before = tao.get(id).map(|x| x.0);
            (before != Some(*avg)).then(|| {
                json!({
                    "id": id,
                    "name": new["touchpoints"][id]["name"].as_str().unwrap_or(id),
                    "from": before, "to": avg, "steps": n,
                })
            })
        })
        .collect();
    let set_diff = |a: &BTreeSet<String>, b: &BTreeSet<String>| {
        json!({
            "added": b.difference(a).collect::<Vec<_>>(),
            "removed": a.difference(b).collect::<Vec<_>>(),
        })
    };
    let (co, cn) = (coverage(old), coverage(new));
    let pair = |p: &(String, String)| json!({ "persona": p.0, "lens": p.1 });
    let opened_gaps: usize = journeys
        .iter()
        .map(|j| j["handoff_gaps"]["opened"].as_array().map_or(0, Vec::len))
        .sum::<usize>()
        + jgn.difference(&jgo).count();
    let closed_gaps: usize = journeys
        .iter()
        .map(|j| j["handoff_gaps"]["closed"].as_array().map_or(0, Vec::len))
        .sum::<usize>()
        + jgo.difference(&jgn).count();
    let all_avg = |m: &Value| -> Option<f64> { mean(current(m).flat_map(scores)) };
    let personas = set_diff(&keys(old, "personas"), &keys(new, "personas"));
    let tps = set_diff(&keys(old, "touchpoints"), &keys(new, "touchpoints"));
    let studies = set_diff(&keys(old, "research"), &keys(new, "research"));
    let measured = measurements(old, new);
    let portfolio = portfolio::opportunities(old, new);
    let none = journeys.is_empty()
        && portfolio::is_empty(&portfolio)
        && measured.is_empty()
        && jgo == jgn
        && touchpoints.is_empty()
        && co == cn
        && personas["added"].as_array().is_some_and(Vec::is_empty)
        && personas["removed"].as_array().is_some_and(Vec::is_empty)
        && tps["added"].as_array().is_some_and(Vec::is_empty)
        && tps["removed"].as_array().is_some_and(Vec::is_empty)
        && studies["added"].as_array().is_some_and(Vec::is_empty)
        && studies["removed"].as_array().is_some_and(Vec::is_empty);
    json!({
        "version": 1,
        "changed": !none,
        "summary": {
            "journeys_changed": journeys.len(),
            "gaps_opened": opened_gaps,
            "gaps_closed": closed_gaps,
            "average_emotion": { "from": all_avg(old), "to": all_avg(new) },
        },
        "journeys": journeys,
        "journey_gaps": {
            "opened": jgn.difference(&jgo).map(|g| json!({ "from": g.0, "to": g.1 })).collect::<Vec<_>>(),
            "closed": jgo.difference(&jgn).map(|g| json!({ "from": g.0, "to": g.1 })).collect::<Vec<_>>(),
        },
        "touchpoints": touchpoints,
        "personas": personas,
        "touchpoints_added_removed": tps,
        "research": studies,
        "measurements": measured,
        "opportunities": portfolio,
        "coverage": {
            "filled": cn.difference(&co).map(pair).collect::<Vec<_>>(),
            "emptied": co.difference(&cn).map(pair).collect::<Vec<_>>(),
        },
        "regressions": regressions,
    })
}

/// Each scope's latest value that differs between the two versions
/// (`journeys.json`'s `metrics`): information on how the customer's
/// numbers moved, never a regression (`--fail-on-regression` is about the
/// design).
fn measurements(old: &Value, new: &Value) -> Vec<Value> {
    let latest = |model: &Value| -> BTreeMap<(String, String), (Value, Value)> {
        let mut out = BTreeMap::new();
        for (id, m) in model["metrics"].as_object().into_iter().flatten() {
            for s in m["series"].as_array().into_iter().flatten() {
                out.insert(
                    (id.clone(), s["scope"].to_string()),
                    (s["scope"].clone(), s["latest"].clone()),
                );
            }
        }
        out
    };
    let (o, n) = (latest(old), latest(new));
    let mut keys: BTreeSet<&(String, String)> = o.keys().collect();
    keys.extend(n.keys());
    let mut out = Vec::new();
    for k in keys {
        let from = o.get(k).map_or(&Value::Null, |x| &x.1);
        let to = n.get(k).map_or(&Value::Null, |x| &x.1);
        if from == to {
            continue;
        }
        let scope = n
            .get(k)
            .or_else(|| o.get(k))
            .map_or(Value::Null, |x| x.0.clone());
        let def = if new["metrics"][&k.0].is_null() {
            &old["metrics"][&k.0]
        } else {
            &new["metrics"][&k.0]
        };
        let direction = match (from["value"].as_f64(), to["value"].as_f64()) {
            (Some(a), Some(b)) if (b - a).abs() < 1e-9 => "same",
            (Some(a), Some(b)) if (b > a) == (def["better"] != "lower") => "better",
            (Some(_), Some(_)) => "worse",
            _ => "",
        };
        out.push(json!({
            "metric": k.0,
            "title": def["title"],
            "scope": scope,
            "from": from,
            "to": to,
            "direction": if direction.is_empty() { Value::Null } else { json!(direction) },
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The handbook's comparison of a future state ([`crate::redesign`])
    /// and `journeydoc diff` pair the same steps, for every redesign of the
    /// example handbook: one rule (SPEC 3).
    #[test]
    fn the_handbooks_comparison_matches_steps_as_diff_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let h = crate::load(root, &crate::Options::default())
            .expect("the example handbook loads")
            .handbook;
        let model: Value = serde_json::from_slice(&crate::interchange::journeys_json(&h, false))
            .expect("journeys.json is JSON");
        let mut compared = 0;
        for (current, futures) in &h.routes.redesigns {
            let cj = &h.journeys[current];
            for future in futures {
                let fj = &h.journeys[future];
                let c = crate::redesign::compare(
                    (cj, &h.handoffs[current]),
                    (fj, &h.handoffs[future]),
                    &h.touchpoints,
                );
                let action = |j: &crate::model::Journey, r: crate::insights::StepRef| {
                    j.stages[r.stage].steps[r.step].action.clone()
                };
                let ours: Vec<(Option<String>, Option<String>)> = c
                    .pairs
                    .iter()
                    .map(|(a, b)| (a.map(|r| action(cj, r)), b.map(|r| action(fj, r))))
                    .collect();
                let (os, ns) = (
                    steps(&model["journeys"][current.as_str()]),
                    steps(&model["journeys"][future.as_str()]),
                );
                let theirs: Vec<(Option<String>, Option<String>)> = match_steps(&os, &ns)
                    .into_iter()
                    .map(|(o, n)| {
                        (
                            o.map(|i| text(&os[i].v["action"]).to_owned()),
                            n.map(|i| text(&ns[i].v["action"]).to_owned()),
                        )
                    })
                    .collect();
                assert_eq!(ours, theirs, "{current} → {future}");
                assert!(ours.iter().any(|(a, b)| a.is_some() && b.is_some()));
                compared += 1;
            }
        }
        assert!(compared >= 2, "the example handbook has two redesigns");
    }
}
