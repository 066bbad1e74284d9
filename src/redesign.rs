//! A future state beside the journey it redesigns: which step is which
//! (by [`crate::matching`], the rule `journeydoc diff` uses) and what
//! changes for the customer, stage by stage — emotions, pains removed and
//! added, handoff gaps closed and opened, steps added and removed, owners
//! changed (SPEC 3 and 6, "Current and future state").
//!
//! Pure: the resolved model in, positions out; the pages word it.

use std::collections::BTreeMap;

use crate::insights::{Handoff, StepRef, effective_owner};
use crate::matching::{Key, match_steps};
use crate::model::{Emotion, Journey, Touchpoint};

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
