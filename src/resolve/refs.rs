//! Reference checks: what a journey names (persona, lens, stages,
//! touchpoints, owners, systems, studies, opportunities, `next`) against
//! what the handbook has, with "did you mean" help; owners rewritten to
//! their department ids, stages of strict lenses to the lens's spelling.
//! Used by the whole resolve and by the dev server's and the language
//! server's check of one edited file.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::evidence::Studies;
use crate::fields::Spanned;
use crate::model::{Journey, Lens, Persona, Touchpoint};
use crate::text::{closest, did_you_mean, fold};

/// Checks an `owner` against `[departments]` (free names when it is empty).
/// A department's display name, or its id in another case, is accepted and
/// rewritten to the id, so handoffs compare like with like.
pub(crate) fn check_owner(
    config: &Config,
    file: &str,
    owner: &mut Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(id) = department(config, file, owner, diags)
        && *id != owner.value
    {
        owner.value.clone_from(id);
    }
}

/// The department id an owner names: itself, or the id whose id or name it
/// matches ignoring case and accents. `None` when there are no departments
/// to check against, or when none matches (reported).
fn department<'c>(
    config: &'c Config,
    file: &str,
    owner: &Spanned<impl AsRef<str>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'c String> {
    let deps = &config.departments;
    if deps.is_empty() {
        return None;
    }
    if let Some((id, _)) = deps.get_key_value(owner.value.as_ref()) {
        return Some(id);
    }
    let wanted = fold(owner.value.as_ref());
    if let Some((id, _)) = deps
        .iter()
        .find(|(id, name)| fold(id) == wanted || fold(name) == wanted)
    {
        return Some(id);
    }
    let mut d = unknown(
        "unknown-owner",
        "owner",
        file,
        owner,
        deps.keys().map(String::as_str),
    );
    if d.help.is_none() {
        d.help = Some(format!(
            "add it to [departments] in book.toml, or use one of: {}",
            deps.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    diags.push(d);
    None
}
/// An id a journey spells another way, rewritten to its canonical form
/// (indexes: stage, step, entry).
enum Rewrite {
    Owner(String),
    StepOwner(usize, usize, Arc<str>),
    Evidence(usize, usize, usize, String),
    Research(usize, String),
    Stage(usize, String),
}

impl Rewrite {
    fn apply(self, j: &mut Journey) {
        match self {
            Rewrite::Owner(id) => {
                if let Some(o) = &mut j.owner {
                    o.value = id;
                }
            }
            Rewrite::StepOwner(s, p, id) => {
                if let Some(o) = &mut j.stages[s].steps[p].owner {
                    o.value = id;
                }
            }
            Rewrite::Evidence(s, p, k, id) => j.stages[s].steps[p].evidence[k].value = id,
            Rewrite::Research(k, id) => j.research[k].value = id,
            Rewrite::Stage(s, name) => j.stages[s].name.value = name,
        }
    }
}

/// What references are checked against.
pub(super) struct Refs<'a> {
    /// Ids of files that could not be read: references to them are not
    /// reported twice.
    pub(super) unreadable_personas: BTreeSet<String>,
    pub(super) unreadable_touchpoints: BTreeSet<String>,
    pub(super) config: &'a Config,
    pub(super) lenses: &'a BTreeMap<String, Lens>,
    pub(super) personas: &'a BTreeMap<String, Persona>,
    pub(super) touchpoints: &'a BTreeMap<String, Touchpoint>,
    /// The touchpoint ids again, hashed: 400,000 references at 10,000
    /// journeys are looked up (a map of strings compares ~9 of them each).
    pub(super) touchpoint_ids: HashSet<&'a str>,
    pub(super) journey_ids: BTreeSet<String>,
    pub(super) studies: Studies,
    pub(super) opportunities: crate::opportunities::Known<'a>,
}

pub(crate) fn unknown<'a>(
    code: &'static str,
    what: &str,
    file: &str,
    value: &Spanned<impl AsRef<str>>,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Diagnostic {
    let text = value.value.as_ref();
    let msg = if text.is_empty() {
        format!("empty {what} reference")
    } else {
        format!("unknown {what} `{text}`")
    };
    Diagnostic::error(code, msg)
        .at(file, value.span.clone())
        .help_opt(did_you_mean(text, candidates))
}

impl Refs<'_> {
    pub(super) fn system(&self, file: &str, system: &Spanned<String>, diags: &mut Vec<Diagnostic>) {
        let Some(systems) = &self.config.systems else {
            return;
        };
        let known = systems.contains_key(&system.value)
            || systems.values().any(|name| name == &system.value);
        if !known {
            let candidates = systems.keys().chain(systems.values()).map(String::as_str);
            let mut d = unknown("unknown-system", "system", file, system, candidates);
            if d.help.is_none() {
                d.help = Some("add it to [systems] in book.toml".to_owned());
            }
            diags.push(d);
        }
    }

    /// Checks a journey, and rewrites the ids it spells another way to
    /// their canonical form (an owner's department name, a study's title, a
    /// strict lens's stage in another spelling). The journey is shared with
    /// the file cache that parsed it: it is copied only when something is
    /// rewritten (at 10,000 journeys, not copying saves ~130 MB in `serve`).
    pub(super) fn journey(&self, shared: &mut Arc<Journey>, diags: &mut Vec<Diagnostic>) {
        let rewrites = self.journey_refs(shared, diags);
        if !rewrites.is_empty() {
            let j = Arc::make_mut(shared);
            for r in rewrites {
                r.apply(j);
            }
        }
        self.journey_steps(shared, diags);
    }

    /// The checks of what a journey names; returns the rewrites.
    fn journey_refs(&self, j: &Journey, diags: &mut Vec<Diagnostic>) -> Vec<Rewrite> {
        let mut rewrites = Vec::new();
        let file = j.meta.file.as_str();
        if !j.persona.value.is_empty()
            && !self.personas.contains_key(&j.persona.value)
            && !self.unreadable_personas.contains(&j.persona.value)
        {
            diags.push(unknown(
                "unknown-persona",
                "persona",
                file,
                &j.persona,
                self.personas.keys().map(String::as_str),
            ));
        }
        if let Some(o) = &j.owner
            && let Some(id) = department(self.config, file, o, diags)
            && *id != o.value
        {
            rewrites.push(Rewrite::Owner(id.clone()));
        }
        for (si, stage) in j.stages.iter().enumerate() {
            for (pi, step) in stage.steps.iter().enumerate() {
                if let Some(o) = &step.owner
                    && let Some(id) = department(self.config, file, o, diags)
                    && **id != *o.value
                {
                    rewrites.push(Rewrite::StepOwner(si, pi, crate::fields::shared_id(id)));
                }
                for (k, e) in step.evidence.iter().enumerate() {
                    if let Some(id) = self.studies.resolve(file, e, diags) {
                        rewrites.push(Rewrite::Evidence(si, pi, k, id.clone()));
                    }
                }
                for o in &step.opportunities {
                    self.opportunities.check(file, o, diags);
                }
            }
        }
        // On a current state `realises` is an error of its own
        // (`realises-on-current`): its ids are not reported as well.
        if j.is_future() {
            for o in &j.realises {
                self.opportunities.check(file, o, diags);
            }
        }
        for (k, r) in j.research.iter().enumerate() {
            if let Some(id) = self.studies.resolve(file, r, diags) {
                rewrites.push(Rewrite::Research(k, id.clone()));
            }
        }
        diags.extend(crate::evidence::evidence_warning(j, self.config.evidence));
        for n in &j.next {
            if !self.journey_ids.contains(&n.value) {
                diags.push(unknown(
                    "unknown-journey",
                    "journey",
                    file,
                    n,
                    self.journey_ids.iter().map(String::as_str),
                ));
            }
        }
        let lens = if j.lens.value.is_empty() {
            None
        } else {
            let l = self.lenses.get(&j.lens.value);
            if l.is_none() {
                let mut d = unknown(
                    "unknown-lens",
                    "lens",
                    file,
                    &j.lens,
                    self.lenses.keys().map(String::as_str),
                );
                if d.help.is_none() {
                    d.help = Some("add it under [lenses] in book.toml".to_owned());
                }
                diags.push(d);
            }
            l
        };
        self.stages(j, lens, diags, &mut rewrites);
        rewrites
    }

    /// The checks of a journey's stages and steps, after the rewrites.
    fn journey_steps(&self, j: &Journey, diags: &mut Vec<Diagnostic>) {
        let file = j.meta.file.as_str();
        let mut step_ids: BTreeMap<String, ()> = BTreeMap::new();
        let max = self.config.max_steps_per_stage;
        for stage in &j.stages {
            if stage.steps.len() > max {
                diags.push(
                    Diagnostic::warning(
                        "too-many-steps",
                        format!(
                            "stage `{}` has {} steps, more than {max}",
                            stage.name.value,
                            stage.steps.len()
                        ),
                    )
                    .at(file, stage.name.span.clone())
                    .help("split the stage or the journey: the literature keeps 4 to 12 steps per stage ([check] max-steps-per-stage)"),
                );
            }
            if stage.steps.is_empty() {
                diags.push(
                    Diagnostic::warning(
                        "empty-stage",
                        format!("stage `{}` has no steps", stage.name.value),
                    )
                    .at(file, stage.name.span.clone())
                    .help("add the customer's steps, or remove the stage"),
                );
            }
            for step in &stage.steps {
                if let Some(id) = &step.id
                    && step_ids.insert(id.value.clone(), ()).is_some()
                {
                    diags.push(
                        Diagnostic::error(
                            "duplicate-id",
                            format!("duplicate step id `{}` in this journey", id.value),
                        )
                        .at(file, id.span.clone())
                        .help("step ids must be unique within a journey"),
                    );
                }
                for t in &step.touchpoints {
                    if !self.touchpoint_ids.contains(&*t.value)
                        && !self.unreadable_touchpoints.contains(&*t.value)
                    {
                        let mut d = unknown(
                            "unknown-touchpoint",
                            "touchpoint",
                            file,
                            t,
                            self.touchpoints.keys().map(String::as_str),
                        );
                        if d.help.is_none() {
                            d.help = Some(format!(
                                "create content/touchpoints/{}.md, or use an existing touchpoint id",
                                t.value
                            ));
                        }
                        diags.push(d);
                    }
                }
                for s in &step.systems {
                    self.system(file, s, diags);
                }
                let mut warn = |code, message: String, help: &str| {
                    diags.push(
                        Diagnostic::warning(code, message)
                            .at(file, step.span.clone())
                            .help(help),
                    );
                };
                if step.emotion.is_none() {
                    warn(
                        "missing-emotion",
                        format!("step \"{}\" has no emotion", step.action),
                        "add `emotion:` (delighted, happy, neutral, frustrated, angry) so the emotion curve has no hole",
                    );
                }
                if step.dropoff && step.pain.is_none() {
                    warn(
                        "dropoff-without-pain",
                        format!(
                            "drop-off \"{}\" does not say why customers give up",
                            step.action
                        ),
                        "add `pain:` with the reason (a restocking fee, costly shipping…)",
                    );
                }
            }
        }
    }

    /// Stage rules: names unique; for a strict lens, names from its list and
    /// in its order (stages may be skipped).
    fn stages(
        &self,
        j: &Journey,
        lens: Option<&Lens>,
        diags: &mut Vec<Diagnostic>,
        rewrites: &mut Vec<Rewrite>,
    ) {
        let file = j.meta.file.as_str();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut last: Option<(usize, String)> = None;
        for (si, stage) in j.stages.iter().enumerate() {
            let name = &stage.name;
            if name.value.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(fold(&name.value), name.value.clone()) {
                diags.push(
                    Diagnostic::error(
                        "duplicate-stage",
                        format!("stage `{}` appears twice in this journey", name.value),
                    )
                    .at(file, name.span.clone())
                    .help(format!("merge its steps into the first `{first}` stage")),
                );
                continue;
            }
            let Some(lens) = lens.filter(|l| l.is_strict()) else {
                continue;
            };
            let Some(index) = lens.stage_index(&name.value) else {
                let help = match closest(&name.value, lens.stages.iter().map(String::as_str)) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!(
                        "the `{}` lens has the stages: {}",
                        lens.id,
                        lens.stages.join(", ")
                    ),
                };
                diags.push(
                    Diagnostic::error(
                        "unknown-stage",
                        format!("`{}` is not a stage of the `{}` lens", name.value, lens.id),
                    )
                    .at(file, name.span.clone())
                    .help(help),
                );
                continue;
            };
            let spelled = &lens.stages[index];
            if *spelled != name.value {
                rewrites.push(Rewrite::Stage(si, spelled.clone()));
            }
            if let Some((prev, prev_name)) = &last
                && index < *prev
            {
                diags.push(
                    Diagnostic::error(
                        "stage-order",
                        format!(
                            "stage `{}` is out of order: in the `{}` lens it comes before `{prev_name}`",
                            spelled, lens.id
                        ),
                    )
                    .at(file, name.span.clone())
                    .help(format!("order the stages as the lens does: {}", lens.stages.join(" → "))),
                );
                continue;
            }
            last = Some((index, spelled.clone()));
        }
    }
}
