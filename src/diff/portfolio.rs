//! What changed in the opportunity portfolio between two versions
//! (`journeys.json`'s `opportunities`): opportunities added and removed,
//! and a status, owner, impact or effort that changed (`idea →
//! in-progress`). Which steps name an opportunity is compared step by step
//! with the rest of each journey (`opportunities added: …` on a step).
//! Information, never a regression.

use serde_json::{Value, json};

use super::text;

/// The fields of an opportunity whose change is reported.
const FIELDS: [&str; 4] = ["status", "owner", "impact", "effort"];

pub(super) fn opportunities(old: &Value, new: &Value) -> Value {
    let (o, n) = (&old["opportunities"], &new["opportunities"]);
    let empty = serde_json::Map::new();
    let (om, nm) = (
        o.as_object().unwrap_or(&empty),
        n.as_object().unwrap_or(&empty),
    );
    let added: Vec<Value> = nm
        .iter()
        .filter(|(id, _)| !om.contains_key(*id))
        .map(|(id, v)| json!({ "id": id, "title": v["title"], "status": v["status"] }))
        .collect();
    let removed: Vec<Value> = om
        .iter()
        .filter(|(id, _)| !nm.contains_key(*id))
        .map(|(id, v)| json!({ "id": id, "title": v["title"], "status": v["status"] }))
        .collect();
    let changed: Vec<Value> = nm
        .iter()
        .filter_map(|(id, nv)| {
            let ov = om.get(id)?;
            let mut c = serde_json::Map::new();
            for f in FIELDS {
                if ov[f] != nv[f] {
                    c.insert(f.into(), json!({ "from": ov[f], "to": nv[f] }));
                }
            }
            if ov["title"] != nv["title"] {
                c.insert(
                    "retitled".into(),
                    json!({ "from": ov["title"], "to": nv["title"] }),
                );
            }
            (!c.is_empty()).then(|| {
                c.insert("id".into(), id.as_str().into());
                c.insert("title".into(), nv["title"].clone());
                Value::Object(c)
            })
        })
        .collect();
    json!({ "added": added, "removed": removed, "changed": changed })
}

/// Nothing changed in the portfolio.
pub(super) fn is_empty(d: &Value) -> bool {
    ["added", "removed", "changed"]
        .iter()
        .all(|k| d[*k].as_array().is_none_or(Vec::is_empty))
}

/// `—` for a missing value, else the value as written.
fn shown(v: &Value) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The handbook-wide lines of the portfolio's changes.
pub(super) fn lines(d: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for a in d["added"].as_array().into_iter().flatten() {
        out.push(format!(
            "opportunity added: {} ({})",
            text(&a["title"]),
            text(&a["status"])
        ));
    }
    for r in d["removed"].as_array().into_iter().flatten() {
        out.push(format!("opportunity removed: {}", text(&r["title"])));
    }
    for c in d["changed"].as_array().into_iter().flatten() {
        let mut parts = Vec::new();
        if let Some(t) = c.get("retitled") {
            parts.push(format!("retitled from \"{}\"", text(&t["from"])));
        }
        for f in FIELDS {
            if let Some(ch) = c.get(f) {
                parts.push(format!("{f} {} → {}", shown(&ch["from"]), shown(&ch["to"])));
            }
        }
        out.push(format!(
            "opportunity {} (`{}`): {}",
            text(&c["title"]),
            text(&c["id"]),
            parts.join("; ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_change_is_one_line_with_both_words() {
        let old = json!({ "opportunities": {
            "a": { "title": "Link guest orders", "status": "idea", "impact": 4 },
            "b": { "title": "Gone", "status": "done" },
        }});
        let new = json!({ "opportunities": {
            "a": { "title": "Link guest orders", "status": "in-progress", "impact": 4 },
            "c": { "title": "New one", "status": "planned" },
        }});
        let d = opportunities(&old, &new);
        assert!(!is_empty(&d));
        assert_eq!(
            lines(&d),
            [
                "opportunity added: New one (planned)",
                "opportunity removed: Gone",
                "opportunity Link guest orders (`a`): status idea → in-progress",
            ]
        );
        assert!(is_empty(&opportunities(&new, &new)));
        // Versions without opportunities compare as an empty portfolio.
        assert!(is_empty(&opportunities(&json!({}), &json!({}))));
    }
}
