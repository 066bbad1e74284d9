//! A future state beside the journey it redesigns: which step is which
//! (by [`crate::matching`], the rule `journeydoc diff` uses) and what
//! changes for the customer, stage by stage — emotions, pains removed and
//! added, handoff gaps closed and opened, steps added and removed, owners
//! changed (SPEC 3 and 6, "Current and future state").
//!
//! Pure: the resolved model in, positions out; the pages word it. Also the
//! rules of `state`, `redesigns` and `realises` that resolve checks.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::insights::{Handoff, StepRef, effective_owner};
use crate::matching::{Key, match_steps};
use crate::model::{Emotion, Journey, Journeys, Touchpoint};
use crate::resolve::unknown;
use crate::text::closest;

/// One change a redesign makes for the customer. `current` and `future`
/// are steps of the current and the future journey.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A matched step feels different.
    Emotion {
        current: StepRef,
        future: StepRef,
        from: Option<Emotion>,
        to: Option<Emotion>,
    },
    /// A pain the current step has and the future one (if any) has not.
    PainRemoved {
        current: StepRef,
        future: Option<StepRef>,
    },
    /// A pain the future step has and its current step (if any) had not.
    PainAdded {
        current: Option<StepRef>,
        future: StepRef,
    },
    /// A handoff gap into the current step that the future one has not.
    GapClosed {
        current: StepRef,
        handoff: usize,
    },
    /// A handoff gap into the future step that the current one had not.
    GapOpened {
        future: StepRef,
        handoff: usize,
    },
    StepAdded {
        future: StepRef,
    },
    StepRemoved {
        current: StepRef,
    },
    /// A matched step's service-blueprint lane says something else (what
    /// employees do in view, backstage, support).
    Blueprint {
        current: StepRef,
        future: StepRef,
        lane: Lane,
    },
    /// A matched step has another owner (effective owners, as the grid
    /// shows them).
    OwnerChanged {
        current: StepRef,
        future: StepRef,
        from: Option<String>,
        to: Option<String>,
    },
}

/// The service-blueprint lanes below the line of interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Frontstage,
    Backstage,
    Support,
}

impl Lane {
    pub const ALL: [Lane; 3] = [Lane::Frontstage, Lane::Backstage, Lane::Support];

    /// The lane's text on a step.
    pub fn of(self, s: &crate::model::Step) -> Option<&str> {
        match self {
            Lane::Frontstage => s.frontstage.as_deref(),
            Lane::Backstage => s.backstage.as_deref(),
            Lane::Support => s.support.as_deref(),
        }
    }
}

/// The changes of one stage, named as the future journey names it (or, for
/// a stage the redesign drops, as the current one did).
#[derive(Debug, Clone, PartialEq)]
pub struct StageChanges {
    pub name: String,
    /// The stage's index in the future journey (`None`: dropped).
    pub future: Option<usize>,
    /// The stage of the same name in the current journey, if any.
    pub current: Option<usize>,
    pub changes: Vec<Change>,
}

/// A future state compared with the journey it redesigns.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Matched steps (current, future): every future step in order, then
    /// the current steps the redesign removes.
    pub pairs: Vec<(Option<StepRef>, Option<StepRef>)>,
    /// Every future stage in order, then dropped stages that lost steps.
    pub stages: Vec<StageChanges>,
}

impl Comparison {
    /// How many changes of a kind (`f` says which) there are.
    pub fn count(&self, f: impl Fn(&Change) -> bool) -> usize {
        self.stages
            .iter()
            .flat_map(|s| &s.changes)
            .filter(|c| f(c))
            .count()
    }

    pub fn gaps_closed(&self) -> usize {
        self.count(|c| matches!(c, Change::GapClosed { .. }))
    }

    pub fn gaps_opened(&self) -> usize {
        self.count(|c| matches!(c, Change::GapOpened { .. }))
    }

    /// The current step each future step stands for (`None`: added).
    pub fn current_of(&self, future: StepRef) -> Option<StepRef> {
        self.pairs
            .iter()
            .find(|(_, f)| *f == Some(future))
            .and_then(|(c, _)| *c)
    }
}

/// Future state `id` compared with the current journey it redesigns (as
/// resolved: its handoffs, the touchpoints' owners), with that journey's
/// id; `None` for a current journey or one whose `redesigns` names none.
pub fn of<'h>(h: &'h crate::resolve::Handbook, id: &str) -> Option<(&'h String, Comparison)> {
    let current = h.routes.redesigned(&h.journeys, id)?;
    let handoffs = |j: &str| h.handoffs.get(j).map_or(&[][..], Vec::as_slice);
    let c = compare(
        (&h.journeys[current], handoffs(current)),
        (h.journeys.get(id)?, handoffs(id)),
        &h.touchpoints,
    );
    Some((current, c))
}

/// The positions of a journey's steps, in order.
fn refs(j: &Journey) -> Vec<StepRef> {
    j.stages
        .iter()
        .enumerate()
        .flat_map(|(stage, s)| (0..s.steps.len()).map(move |step| StepRef { stage, step }))
        .collect()
}

/// What the matcher knows of a journey's steps.
pub fn keys(j: &Journey) -> Vec<Key<'_>> {
    j.stages
        .iter()
        .flat_map(|s| {
            s.steps.iter().enumerate().map(|(index, st)| Key {
                stage: &s.name.value,
                index,
                id: st.id.as_ref().map(|i| i.value.as_str()),
                action: &st.action,
            })
        })
        .collect()
}

fn step(j: &Journey, r: StepRef) -> &crate::model::Step {
    &j.stages[r.stage].steps[r.step]
}

/// The one journey's handoff gaps by the step they lead into.
fn gaps_into(handoffs: &[Handoff]) -> BTreeMap<StepRef, usize> {
    handoffs
        .iter()
        .enumerate()
        .filter(|(_, h)| h.gap.is_some())
        .map(|(i, h)| (h.to, i))
        .collect()
}

/// Compares `future` with the `current` journey it redesigns (each with
/// its handoffs, as resolved).
pub fn compare(
    current: (&Journey, &[Handoff]),
    future: (&Journey, &[Handoff]),
    touchpoints: &BTreeMap<String, Touchpoint>,
) -> Comparison {
    let (cj, ch) = current;
    let (fj, fh) = future;
    let (cr, fr) = (refs(cj), refs(fj));
    let pairs: Vec<(Option<StepRef>, Option<StepRef>)> = match_steps(&keys(cj), &keys(fj))
        .into_iter()
        .map(|(c, f)| (c.map(|i| cr[i]), f.map(|i| fr[i])))
        .collect();
    let (cgaps, fgaps) = (gaps_into(ch), gaps_into(fh));
    // The same gap: the same two owners into the matched step.
    let owners = |h: &Handoff| (h.from_owner.clone(), h.to_owner.clone());
    let mut stages: Vec<StageChanges> = fj
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| StageChanges {
            name: s.name.value.clone(),
            future: Some(i),
            current: cj.stages.iter().position(|c| c.name.value == s.name.value),
            changes: Vec::new(),
        })
        .collect();
    // A removed step goes to the future stage of its stage's name, else to
    // its own (dropped) stage, appended.
    let stage_of_current = |stages: &mut Vec<StageChanges>, r: StepRef| -> usize {
        if let Some(i) = stages.iter().position(|s| s.current == Some(r.stage)) {
            return i;
        }
        stages.push(StageChanges {
            name: cj.stages[r.stage].name.value.clone(),
            future: None,
            current: Some(r.stage),
            changes: Vec::new(),
        });
        stages.len() - 1
    };
    for &(c, f) in &pairs {
        let at = match (c, f) {
            (_, Some(f)) => f.stage,
            (Some(c), None) => stage_of_current(&mut stages, c),
            (None, None) => continue,
        };
        let changes = &mut stages[at].changes;
        match (c, f) {
            (Some(c), Some(f)) => {
                let (cs, fs) = (step(cj, c), step(fj, f));
                if cs.emotion != fs.emotion {
                    changes.push(Change::Emotion {
                        current: c,
                        future: f,
                        from: cs.emotion,
                        to: fs.emotion,
                    });
                }
                if cs.pain != fs.pain {
                    if cs.pain.is_some() {
                        changes.push(Change::PainRemoved {
                            current: c,
                            future: Some(f),
                        });
                    }
                    if fs.pain.is_some() {
                        changes.push(Change::PainAdded {
                            current: Some(c),
                            future: f,
                        });
                    }
                }
                for lane in Lane::ALL {
                    if lane.of(cs) != lane.of(fs) {
                        changes.push(Change::Blueprint {
                            current: c,
                            future: f,
                            lane,
                        });
                    }
                }
                let (co, fo) = (
                    effective_owner(cs, touchpoints),
                    effective_owner(fs, touchpoints),
                );
                if co != fo {
                    changes.push(Change::OwnerChanged {
                        current: c,
                        future: f,
                        from: co.map(str::to_owned),
                        to: fo.map(str::to_owned),
                    });
                }
                let (cg, fg) = (cgaps.get(&c), fgaps.get(&f));
                let same =
                    matches!((cg, fg), (Some(&a), Some(&b)) if owners(&ch[a]) == owners(&fh[b]));
                if !same {
                    if let Some(&handoff) = cg {
                        changes.push(Change::GapClosed {
                            current: c,
                            handoff,
                        });
                    }
                    if let Some(&handoff) = fg {
                        changes.push(Change::GapOpened { future: f, handoff });
                    }
                }
            }
            (None, Some(f)) => {
                changes.push(Change::StepAdded { future: f });
                if step(fj, f).pain.is_some() {
                    changes.push(Change::PainAdded {
                        current: None,
                        future: f,
                    });
                }
                if let Some(&handoff) = fgaps.get(&f) {
                    changes.push(Change::GapOpened { future: f, handoff });
                }
            }
            (Some(c), None) => {
                changes.push(Change::StepRemoved { current: c });
                if step(cj, c).pain.is_some() {
                    changes.push(Change::PainRemoved {
                        current: c,
                        future: None,
                    });
                }
                if let Some(&handoff) = cgaps.get(&c) {
                    changes.push(Change::GapClosed {
                        current: c,
                        handoff,
                    });
                }
            }
            (None, None) => {}
        }
    }
    Comparison { pairs, stages }
}

/// The rules of `state`, `redesigns` and `realises` (SPEC 3, "Current and
/// future state"): a future state names the current journey of its own
/// persona and lens that it redesigns; nothing else names one. So a chain of
/// redesigns is one step long, and a loop cannot be written.
pub fn check(journeys: &Journeys, known: &BTreeSet<String>, diags: &mut Vec<Diagnostic>) {
    // The current journeys of the same persona and lens (what a redesign
    // may name), else every current one.
    // The current journeys of `j`'s persona and lens: what it may redesign.
    let same_map = |j: &Journey| -> Vec<&str> {
        journeys
            .iter()
            .filter(|(_, c)| {
                !c.is_future() && c.persona.value == j.persona.value && c.lens.value == j.lens.value
            })
            .map(|(id, _)| id.as_str())
            .collect()
    };
    // Those, else every current journey (for a suggestion).
    let currents = |j: &Journey| -> Vec<&str> {
        let same = same_map(j);
        if !same.is_empty() {
            return same;
        }
        journeys
            .iter()
            .filter(|(_, c)| !c.is_future())
            .map(|(id, _)| id.as_str())
            .collect()
    };
    for (id, j) in journeys {
        let file = j.meta.file.as_str();
        if !j.is_future() {
            if let Some(r) = &j.redesigns {
                diags.push(
                    Diagnostic::error(
                        "redesigns-on-current",
                        format!("`redesigns` on a current-state journey (`{id}`)"),
                    )
                    .at(file, r.span.clone())
                    .help("add `state: future` to make this journey a redesign of that one, or remove `redesigns`"),
                );
            }
            if let Some(r) = j.realises.first() {
                diags.push(
                    Diagnostic::error(
                        "realises-on-current",
                        "`realises` on a current-state journey",
                    )
                    .at(file, r.span.clone())
                    .help("only a future state (`state: future`) puts opportunities into effect; remove `realises`, or mark the journey `state: future`"),
                );
            }
            continue;
        }
        let Some(r) = &j.redesigns else {
            let help = match currents(j).first() {
                Some(c) => {
                    format!("add `redesigns: {c}` (the current-state journey this one improves)")
                }
                None => "add `redesigns: ID` naming the current-state journey this one improves"
                    .to_owned(),
            };
            diags.push(
                Diagnostic::error(
                    "missing-redesigns",
                    "a future-state journey must name the journey it redesigns",
                )
                .at(file, j.state.span.clone())
                .help(help),
            );
            continue;
        };
        let Some(target) = journeys.get(&r.value) else {
            if !known.contains(&r.value) {
                diags.push(unknown("unknown-journey", "journey", file, r, currents(j)));
            }
            continue;
        };
        if target.is_future() {
            let help = match &target.redesigns {
                Some(t) if t.value != *id => format!(
                    "`{}` is itself a redesign of `{}`: name that one",
                    r.value, t.value
                ),
                _ => match currents(j).first() {
                    Some(c) => format!("name a current-state journey, such as `{c}`"),
                    None => "name a current-state journey".to_owned(),
                },
            };
            diags.push(
                Diagnostic::error(
                    "redesigns-future",
                    format!(
                        "`{}` is a future state; a redesign redesigns a current-state journey",
                        r.value
                    ),
                )
                .at(file, r.span.clone())
                .help(help),
            );
            continue;
        }
        if target.persona.value != j.persona.value || target.lens.value != j.lens.value {
            let same = same_map(j);
            let help = match closest(&r.value, same.iter().copied())
                .or_else(|| same.first().map(|c| (*c).to_owned()))
            {
                Some(c) => format!(
                    "a redesign keeps its journey's persona and lens: name a journey of {} × {}, such as `{c}`",
                    j.persona.value, j.lens.value
                ),
                None => format!(
                    "a redesign keeps its journey's persona and lens: set `persona: {}` and `lens: {}` to redesign `{}`",
                    target.persona.value, target.lens.value, r.value
                ),
            };
            diags.push(
                Diagnostic::error(
                    "redesigns-other-map",
                    format!(
                        "`{}` maps {} × {}, this journey {} × {}",
                        r.value,
                        target.persona.value,
                        target.lens.value,
                        j.persona.value,
                        j.lens.value
                    ),
                )
                .at(file, r.span.clone())
                .help(help),
            );
        }
    }
}
