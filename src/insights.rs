//! Derived views of the resolved model that the handbook and `check` share:
//! handoffs between owners and the gaps where experiences break.
//!
//! Rules (SPEC 3, made precise here and in the README):
//! * A step's *effective owner* is its `owner`, else the owner of its first
//!   touchpoint that has one.
//! * A *handoff* is a step whose effective owner differs from the effective
//!   owner of the closest earlier step that has one (steps without an owner
//!   neither make nor break a handoff). Handoffs cross stage boundaries.
//! * A *handoff gap* is a handoff where the emotion drops (both steps rated,
//!   the new one lower) or the new step has a `pain`.
//! * A *journey gap* is the same test between the last step of a journey and
//!   the first step of each journey in its `next`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{Emotion, Journey, Step, Touchpoint};

/// A place in a journey: stage index and step index within the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StepRef {
    pub stage: usize,
    pub step: usize,
}

/// One handoff between two owners inside a journey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handoff {
    pub from: StepRef,
    pub to: StepRef,
    /// Shared between the handoffs of a journey (a handful of departments
    /// across a hundred thousand handoffs at 10,000 journeys).
    pub from_owner: Arc<str>,
    pub to_owner: Arc<str>,
    /// Why this handoff is a gap, if it is one.
    pub gap: Option<Gap>,
}

/// What makes a handoff (or a move between journeys) a gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// Emotion before and after, when it drops.
    pub drop: Option<(Emotion, Emotion)>,
    /// The pain of the step after the handoff.
    pub pain: Option<String>,
}

/// The gap between two consecutive steps with different owners, if any.
pub fn gap_between(before: &Step, after: &Step) -> Option<Gap> {
    let drop = match (before.emotion, after.emotion) {
        (Some(a), Some(b)) if b < a => Some((a, b)),
        _ => None,
    };
    let pain = after.pain.as_deref().map(str::to_owned);
    (drop.is_some() || pain.is_some()).then_some(Gap { drop, pain })
}

/// The owner responsible for a step.
pub fn effective_owner<'a>(
    step: &'a Step,
    touchpoints: &'a BTreeMap<String, Touchpoint>,
) -> Option<&'a str> {
    if let Some(o) = &step.owner {
        return Some(&o.value);
    }
    step.touchpoints.iter().find_map(|t| {
        touchpoints
            .get(&*t.value)
            .and_then(|tp| tp.owner.as_ref())
            .map(|o| o.value.as_str())
    })
}

/// Every handoff in a journey, in order.
pub fn handoffs(journey: &Journey, touchpoints: &BTreeMap<String, Touchpoint>) -> Vec<Handoff> {
    let mut out = Vec::new();
    let mut owners: Vec<Arc<str>> = Vec::new();
    let mut shared = |name: &str| -> Arc<str> {
        match owners.iter().find(|o| &***o == name) {
            Some(o) => o.clone(),
            None => {
                let o: Arc<str> = name.into();
                owners.push(o.clone());
                o
            }
        }
    };
    let mut last: Option<(StepRef, &Step, &str)> = None;
    for (si, stage) in journey.stages.iter().enumerate() {
        for (i, step) in stage.steps.iter().enumerate() {
            let Some(owner) = effective_owner(step, touchpoints) else {
                continue;
            };
            let here = StepRef { stage: si, step: i };
            if let Some((from, prev, prev_owner)) = last
                && prev_owner != owner
            {
                out.push(Handoff {
                    from,
                    to: here,
                    from_owner: shared(prev_owner),
                    to_owner: shared(owner),
                    gap: gap_between(prev, step),
                });
            }
            last = Some((here, step, owner));
        }
    }
    out
}

/// The move from one journey to a journey in its `next`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyGap {
    pub from: String,
    pub to: String,
    pub from_owner: String,
    pub to_owner: String,
    pub gap: Gap,
}

/// The journey gap between `a` and `b` (`b` in `a.next`), if there is one.
pub fn journey_gap(
    a: &Journey,
    b: &Journey,
    touchpoints: &BTreeMap<String, Touchpoint>,
) -> Option<JourneyGap> {
    let last = a.steps().last()?.1;
    let first = b.steps().next()?.1;
    let from_owner = effective_owner(last, touchpoints)?;
    let to_owner = effective_owner(first, touchpoints)?;
    if from_owner == to_owner {
        return None;
    }
    Some(JourneyGap {
        from: a.meta.id.value.clone(),
        to: b.meta.id.value.clone(),
        from_owner: from_owner.to_owned(),
        to_owner: to_owner.to_owned(),
        gap: gap_between(last, first)?,
    })
}
