//! The research rules (SPEC 3, "Research and evidence"): what a journey's
//! `research` and a step's `evidence` may name, `[check] evidence` and
//! `[check] max-research-age`. Called by [`crate::resolve`].

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::fields::Spanned;
use crate::model::{Journey, Journeys, Research};
use crate::resolve::unknown;
use crate::text::{closest, fold};

/// What `research` and `evidence` entries may name: a study's id or its
/// title (any case, accents optional). Empty when the handbook has no
/// research files: the entries are free names then.
pub(crate) struct Studies {
    ids: BTreeSet<String>,
    /// Folded title → id.
    titles: BTreeMap<String, String>,
    /// Ids of research files that could not be read (not reported again).
    unreadable: BTreeSet<String>,
}

impl Studies {
    pub(crate) fn new(
        research: &BTreeMap<String, Research>,
        unreadable: BTreeSet<String>,
    ) -> Studies {
        Studies {
            ids: research.keys().cloned().collect(),
            titles: research
                .iter()
                .map(|(id, r)| (fold(&r.title), id.clone()))
                .collect(),
            unreadable,
        }
    }

    fn none(&self) -> bool {
        self.ids.is_empty() && self.unreadable.is_empty()
    }

    /// The id of the study `name` names when it is written as a title
    /// (what resolve rewrites it to); reports it when it names no study.
    pub(crate) fn resolve(
        &self,
        file: &str,
        name: &Spanned<String>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<&String> {
        if self.none() || self.ids.contains(&name.value) || self.unreadable.contains(&name.value) {
            return None;
        }
        if let Some(id) = self.titles.get(&fold(&name.value)) {
            return Some(id);
        }
        diags.push(
            unknown(
                "unknown-research",
                "research",
                file,
                name,
                self.ids.iter().map(String::as_str),
            )
            .help_opt(Some(match closest(&name.value, self.ids.iter().map(String::as_str)) {
                Some(c) => format!("did you mean `{c}`? (a study's id, the name of its file in research/, or its title)"),
                None => format!(
                    "name one of the studies in research/ by its id or title: {}",
                    self.ids.iter().map(String::as_str).collect::<Vec<_>>().join(", ")
                ),
            })),
        );
        None
    }
}

/// `[check] evidence`: one warning per current-state journey listing the
/// steps (or pains) that cite no research, with their lines.
pub(crate) fn evidence_warning(j: &Journey, rule: crate::config::Evidence) -> Option<Diagnostic> {
    use crate::config::Evidence;
    if rule == Evidence::Off || j.is_future() {
        return None;
    }
    let pains = rule == Evidence::Pains;
    let missing: Vec<&crate::model::Step> = j
        .steps()
        .map(|(_, s)| s)
        .filter(|s| s.evidence.is_empty() && (!pains || s.pain.is_some()))
        .collect();
    let first = missing.first()?;
    let lines: Vec<String> = missing
        .iter()
        .map(|s| {
            let line = crate::diagnostic::locate(&j.meta.source, &s.span).0.line;
            format!("line {line} \"{}\"", s.action)
        })
        .collect();
    let (code, what) = if pains {
        (
            "unevidenced-pain",
            if missing.len() == 1 {
                "a pain"
            } else {
                "pains"
            },
        )
    } else {
        (
            "unevidenced-step",
            if missing.len() == 1 {
                "a step"
            } else {
                "steps"
            },
        )
    };
    let count = if missing.len() == 1 {
        what.to_owned()
    } else {
        format!("{} {what}", missing.len())
    };
    Some(
        Diagnostic::warning(
            code,
            format!(
                "journey `{}` has {count} without evidence: {}",
                j.meta.id.value,
                lines.join("; ")
            ),
        )
        .at(&j.meta.file, first.span.clone())
        .help("add `evidence: [study-id]` naming the research that shows it (a file in research/), or map it as an assumption and keep the warning"),
    )
}

/// `[check] max-research-age`: a warning on each study that ended more
/// than `months` months before `today`, with how many steps rest on it.
pub(crate) fn stale_research(
    research: &BTreeMap<String, Research>,
    journeys: &Journeys,
    months: u32,
    today: crate::model::Date,
    diags: &mut Vec<Diagnostic>,
) {
    for (id, r) in research {
        let Some(date) = &r.date else { continue };
        let age = date.value.months_until(today);
        if age <= i64::from(months) {
            continue;
        }
        let steps = journeys
            .values()
            .flat_map(|j| j.steps())
            .filter(|(_, s)| s.evidence.iter().any(|e| e.value == *id))
            .count();
        let resting = match steps {
            0 => "no step rests on it".to_owned(),
            1 => "1 step rests on it".to_owned(),
            n => format!("{n} steps rest on it"),
        };
        diags.push(
            Diagnostic::warning(
                "stale-research",
                format!(
                    "study `{id}` ended on {}, {age} months ago (more than max-research-age = {months}); {resting}",
                    date.value
                ),
            )
            .at(&r.meta.file, date.span.clone())
            .help("repeat or refresh the study and update its date, or raise [check] max-research-age"),
        );
    }
}
