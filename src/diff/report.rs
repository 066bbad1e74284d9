//! The diff as a reader sees it: a one-line summary, plain text for the
//! terminal and Markdown for a pull-request comment, each from the JSON
//! [`super::diff`] gives.

use serde_json::Value;

use super::{TEXT_FIELDS, portfolio, text};

/// "of journey `x`" from a series' `scope` in journeys.json.
fn scope_words(s: &Value) -> String {
    let j = s["journey"].as_str();
    match (
        j,
        s["stage"].as_str(),
        s["step"].as_str(),
        s["touchpoint"].as_str(),
    ) {
        (Some(j), Some(st), _, _) => format!("of stage `{st}` of journey `{j}`"),
        (Some(j), _, Some(st), _) => format!("of step `{st}` of journey `{j}`"),
        (Some(j), ..) => format!("of journey `{j}`"),
        (_, _, _, Some(t)) => format!("of touchpoint `{t}`"),
        _ => "of the whole handbook".to_owned(),
    }
}

/// `22 (2026-06)`, or `—` when there is none.
fn reading_words(v: &Value) -> String {
    match v["value"].as_f64() {
        Some(x) => format!("{} ({})", crate::text::number(x), text(&v["date"])),
        None => "—".to_owned(),
    }
}

fn num(v: &Value) -> String {
    match v.as_f64() {
        None => "—".to_owned(),
        Some(x) if x.abs() < 0.005 => "0.00".to_owned(),
        Some(x) => format!("{x:+.2}"),
    }
}

/// The one-line summary both text and markdown start with.
pub fn summary_line(d: &Value) -> String {
    if d["changed"] == false {
        return "No change for the customer.".to_owned();
    }
    let s = &d["summary"];
    format!(
        "{} journeys changed, {} gaps opened, {} closed, average emotion {} → {}",
        s["journeys_changed"],
        s["gaps_opened"],
        s["gaps_closed"],
        num(&s["average_emotion"]["from"]),
        num(&s["average_emotion"]["to"])
    )
}

/// `evidence added: a, b; removed: c` for a list field's change.
fn added_removed(field: &str, c: &Value) -> String {
    let ids = |v: &Value| -> String {
        v.as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (added, removed) = (ids(&c["added"]), ids(&c["removed"]));
    match (added.is_empty(), removed.is_empty()) {
        (false, true) => format!("{field} added: {added}"),
        (true, false) => format!("{field} removed: {removed}"),
        _ => format!("{field} added: {added}; removed: {removed}"),
    }
}

/// Lines describing one journey's changes.
fn journey_lines(j: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match text(&j["status"]) {
        "added" => out.push(format!("added (average emotion {})", num(&j["average"]))),
        "removed" => out.push("removed".to_owned()),
        "renamed" => out.push(format!("renamed from `{}`", text(&j["renamed_from"]))),
        _ => {}
    }
    if !j["state"].is_null() {
        out.push(format!(
            "state: {} → {}",
            text(&j["state"]["from"]),
            text(&j["state"]["to"])
        ));
    }
    if !j["redesigns"].is_null() {
        let id = |v: &Value| v.as_str().map_or("—".to_owned(), |s| format!("`{s}`"));
        out.push(format!(
            "redesigns: {} → {}",
            id(&j["redesigns"]["from"]),
            id(&j["redesigns"]["to"])
        ));
    }
    for s in j["stages_added"].as_array().into_iter().flatten() {
        out.push(format!("stage added: {}", text(s)));
    }
    for s in j["stages_removed"].as_array().into_iter().flatten() {
        out.push(format!("stage removed: {}", text(s)));
    }
    for st in j["steps"].as_array().into_iter().flatten() {
        let head = format!("{}: \"{}\"", text(&st["stage"]), text(&st["step"]));
        match text(&st["change"]) {
            "added" => out.push(format!("{head} added")),
            "removed" => out.push(format!("{head} removed")),
            _ => {
                let mut parts = Vec::new();
                if let Some(a) = st.get("action") {
                    parts.push(format!("reworded from \"{}\"", text(&a["from"])));
                }
                if let Some(e) = st.get("emotion") {
                    parts.push(format!(
                        "{} → {}",
                        text(&e["from_word"]),
                        text(&e["to_word"])
                    ));
                }
                if let Some(p) = st.get("pain") {
                    parts.push(match text(&p["kind"]) {
                        "added" => format!("pain added: {}", text(&p["to"])),
                        "resolved" => format!("pain resolved: {}", text(&p["from"])),
                        _ => format!("pain changed: {} → {}", text(&p["from"]), text(&p["to"])),
                    });
                }
                for field in ["touchpoints", "evidence", "opportunities"] {
                    if let Some(c) = st.get(field) {
                        parts.push(added_removed(field, c));
                    }
                }
                for f in TEXT_FIELDS {
                    if let Some(c) = st.get(f) {
                        parts.push(format!("{f}: {} → {}", c["from"], c["to"]));
                    }
                }
                out.push(format!("{head}: {}", parts.join("; ")));
            }
        }
    }
    if let Some(a) = j.get("average")
        && a.get("from").is_some()
        && a["from"] != a["to"]
    {
        out.push(format!(
            "average emotion {} → {}",
            num(&a["from"]),
            num(&a["to"])
        ));
    }
    for state in ["opened", "closed"] {
        for g in j["handoff_gaps"][state].as_array().into_iter().flatten() {
            out.push(format!(
                "handoff gap {state}: {} → {} at \"{}\"",
                text(&g["from_owner"]),
                text(&g["to_owner"]),
                text(&g["step"])
            ));
        }
    }
    if !j["metrics"].is_null() {
        out.push(format!(
            "metrics {} → {}",
            j["metrics"]["from"], j["metrics"]["to"]
        ));
    }
    out
}

fn handbook_lines(d: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for state in ["opened", "closed"] {
        for g in d["journey_gaps"][state].as_array().into_iter().flatten() {
            out.push(format!(
                "journey gap {state}: {} → {}",
                text(&g["from"]),
                text(&g["to"])
            ));
        }
    }
    for t in d["touchpoints"].as_array().into_iter().flatten() {
        out.push(format!(
            "touchpoint {}: average emotion {} → {} ({} steps)",
            text(&t["name"]),
            num(&t["from"]),
            num(&t["to"]),
            t["steps"]
        ));
    }
    for (label, v) in [
        ("persona", &d["personas"]),
        ("touchpoint", &d["touchpoints_added_removed"]),
        ("study", &d["research"]),
    ] {
        for x in v["added"].as_array().into_iter().flatten() {
            out.push(format!("{label} added: {}", text(x)));
        }
        for x in v["removed"].as_array().into_iter().flatten() {
            out.push(format!("{label} removed: {}", text(x)));
        }
    }
    out.extend(portfolio::lines(&d["opportunities"]));
    for m in d["measurements"].as_array().into_iter().flatten() {
        let mut line = format!(
            "{} {}: {} → {}",
            text(&m["title"]),
            scope_words(&m["scope"]),
            reading_words(&m["from"]),
            reading_words(&m["to"])
        );
        if let Some(d) = m["direction"].as_str() {
            line.push_str(", ");
            line.push_str(d);
        }
        out.push(line);
    }
    for c in d["coverage"]["filled"].as_array().into_iter().flatten() {
        out.push(format!(
            "coverage filled: {} × {}",
            text(&c["persona"]),
            text(&c["lens"])
        ));
    }
    for c in d["coverage"]["emptied"].as_array().into_iter().flatten() {
        out.push(format!(
            "coverage emptied: {} × {}",
            text(&c["persona"]),
            text(&c["lens"])
        ));
    }
    out
}

/// For a terminal.
pub fn render_text(d: &Value) -> String {
    let mut out = summary_line(d);
    out.push('\n');
    for j in d["journeys"].as_array().into_iter().flatten() {
        out.push_str(&format!("\n{} ({})\n", text(&j["title"]), text(&j["id"])));
        for l in journey_lines(j) {
            out.push_str(&format!("  {l}\n"));
        }
    }
    let h = handbook_lines(d);
    if !h.is_empty() {
        out.push_str("\nAcross the handbook\n");
        for l in h {
            out.push_str(&format!("  {l}\n"));
        }
    }
    for r in d["regressions"].as_array().into_iter().flatten() {
        out.push_str(&format!("regression: {}\n", text(r)));
    }
    out
}

/// Markdown for a pull-request comment, cut at 60 KB.
pub fn render_markdown(d: &Value) -> String {
    const LIMIT: usize = 60 * 1024;
    let mut out = format!("**{}**\n", summary_line(d));
    let regressions: Vec<&str> = d["regressions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    if !regressions.is_empty() {
        out.push_str("\n**Regressions**\n\n");
        for r in &regressions {
            out.push_str(&format!("- {r}\n"));
        }
    }
    for j in d["journeys"].as_array().into_iter().flatten() {
        let mut section = format!(
            "\n<details><summary><b>{}</b> (<code>{}</code>)</summary>\n\n",
            escape_md(text(&j["title"])),
            text(&j["id"])
        );
        for l in journey_lines(j) {
            section.push_str(&format!("- {}\n", escape_md(&l)));
        }
        section.push_str("\n</details>\n");
        if out.len() + section.len() > LIMIT - 200 {
            out.push_str("\n_The rest of the diff is cut to keep this comment under 60 KB; run `journeydoc diff` locally for all of it._\n");
            return out;
        }
        out.push_str(&section);
    }
    let h = handbook_lines(d);
    if !h.is_empty() {
        out.push_str("\n**Across the handbook**\n\n");
        for l in h {
            out.push_str(&format!("- {}\n", escape_md(&l)));
        }
    }
    out
}

fn escape_md(s: &str) -> String {
    s.replace('<', "&lt;").replace('>', "&gt;")
}
