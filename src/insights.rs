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
    // Kept for the whole run: without the room a growing vector keeps.
    out.shrink_to_fit();
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
    // As for handoffs: the closest steps that have an owner (the last of
    // `a` that has one, the first of `b`).
    let (last, from_owner) = a
        .stages
        .iter()
        .rev()
        .flat_map(|st| st.steps.iter().rev())
        .find_map(|s| effective_owner(s, touchpoints).map(|o| (s, o)))?;
    let (first, to_owner) = b
        .steps()
        .find_map(|(_, s)| effective_owner(s, touchpoints).map(|o| (s, o)))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::Spanned;

    fn handbook() -> crate::resolve::Handbook {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/es");
        crate::load(&root, &crate::Options::default())
            .expect("the fixture loads")
            .handbook
    }

    fn owned(step: &mut Step, owner: &str, emotion: Emotion) {
        step.owner = Some(Spanned {
            value: owner.into(),
            span: 0..0,
        });
        step.emotion = Some(emotion);
    }

    #[test]
    fn a_journey_gap_looks_past_a_last_step_without_an_owner() {
        let h = handbook();
        let mut a = Journey::clone(&h.journeys["lucia/actividad"]);
        let mut b = Journey::clone(&h.journeys["lucia/b2b"]);
        let last = a
            .stages
            .iter_mut()
            .rev()
            .find(|s| !s.steps.is_empty())
            .unwrap();
        owned(last.steps.last_mut().unwrap(), "ventas", Emotion::Happy);
        let first = b.stages.iter_mut().find(|s| !s.steps.is_empty()).unwrap();
        owned(&mut first.steps[0], "reparto", Emotion::Angry);
        let gap =
            journey_gap(&a, &b, &BTreeMap::new()).expect("a gap: the owner changes and it hurts");
        assert_eq!((&*gap.from_owner, &*gap.to_owner), ("ventas", "reparto"));

        // A closing step nobody owns (a thank-you screen): the gap is still
        // between the last step with an owner and the next journey.
        let mut closing = last_step(&a).clone();
        closing.owner = None;
        closing.touchpoints = Box::default();
        closing.emotion = None;
        let stage = a
            .stages
            .iter_mut()
            .rev()
            .find(|s| !s.steps.is_empty())
            .unwrap();
        stage.steps.push(closing);
        let again = journey_gap(&a, &b, &BTreeMap::new()).expect("the same gap");
        assert_eq!(again, gap);
    }

    fn last_step(j: &Journey) -> &Step {
        j.steps().last().unwrap().1
    }
}
