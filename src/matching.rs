//! Which step of one version of a journey is which step of another: the one
//! rule `journeydoc diff` and the handbook's "What changes" of a future state
//! both use (SPEC 3, "Current and future state").
//!
//! Steps are paired, in this order: by step `id` (both have one); then by
//! exactly the same action anywhere in the journey; then by the most similar
//! action in the stage of the same name (at least half the text in common);
//! then by position in that stage. What is left is added or removed.
//!
//! Pure: it sees only what [`Key`] says about a step, so the model's steps
//! and `journeys.json`'s steps are matched alike.

/// What the matcher knows about a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key<'a> {
    /// The name of the step's stage.
    pub stage: &'a str,
    /// The step's position in its stage.
    pub index: usize,
    pub id: Option<&'a str>,
    pub action: &'a str,
}

/// The least share of an action's text two steps of a stage must have in
/// common to be the same step reworded.
const SIMILAR: f64 = 0.5;

/// The pairs found so far.
struct Pairs {
    /// The old step of each new step.
    of_new: Vec<Option<usize>>,
    /// Old steps already taken.
    used: Vec<bool>,
}

impl Pairs {
    /// Gives each unpaired new step the first free old step `ok` accepts.
    fn pass(&mut self, old: &[Key], new: &[Key], ok: impl Fn(&Key, &Key) -> bool) {
        for (ni, n) in new.iter().enumerate() {
            if self.of_new[ni].is_some() {
                continue;
            }
            if let Some(oi) = (0..old.len()).find(|&oi| !self.used[oi] && ok(&old[oi], n)) {
                self.used[oi] = true;
                self.of_new[ni] = Some(oi);
            }
        }
    }
}

/// Pairs `old` and `new` steps: every new step in order, with its old step
/// if any, then every old step no new one took.
pub fn match_steps(old: &[Key], new: &[Key]) -> Vec<(Option<usize>, Option<usize>)> {
    let mut pairs = Pairs {
        of_new: vec![None; new.len()],
        used: vec![false; old.len()],
    };
    pairs.pass(old, new, |o, n| o.id.is_some() && o.id == n.id);
    pairs.pass(old, new, |o, n| o.action == n.action);
    // The most similar action in the same stage.
    for (ni, n) in new.iter().enumerate() {
        if pairs.of_new[ni].is_some() {
            continue;
        }
        let best = (0..old.len())
            .filter(|&oi| !pairs.used[oi] && old[oi].stage == n.stage)
            .map(|oi| (strsim::normalized_levenshtein(old[oi].action, n.action), oi))
            .filter(|(score, _)| *score >= SIMILAR)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, oi)) = best {
            pairs.used[oi] = true;
            pairs.of_new[ni] = Some(oi);
        }
    }
    pairs.pass(old, new, |o, n| o.stage == n.stage && o.index == n.index);
    let Pairs {
        of_new: pair_of_new,
        used,
    } = pairs;
    let mut out: Vec<(Option<usize>, Option<usize>)> = pair_of_new
        .iter()
        .enumerate()
        .map(|(ni, o)| (*o, Some(ni)))
        .collect();
    out.extend(
        used.iter()
            .enumerate()
            .filter(|(_, u)| !**u)
            .map(|(oi, _)| (Some(oi), None)),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(stage: &'a str, index: usize, id: Option<&'a str>, action: &'a str) -> Key<'a> {
        Key {
            stage,
            index,
            id,
            action,
        }
    }

    #[test]
    fn ids_then_actions_then_similar_then_position() {
        let old = [
            key("Buy", 0, Some("pay"), "Pays by card"),
            key("Buy", 1, None, "Waits for the parcel"),
            key("Buy", 2, None, "Calls the shop about the colour"),
            key("Use", 0, None, "Unpacks it"),
            key("Use", 1, None, "Something else entirely"),
        ];
        let new = [
            // Same id, reworded beyond recognition.
            key("Buy", 0, Some("pay"), "Pays with the saved wallet"),
            // Same action, another stage.
            key("Use", 0, None, "Waits for the parcel"),
            // Reworded a little.
            key("Buy", 1, None, "Calls the shop about the wrong colour"),
            // Nothing alike, but the same place as an old step.
            key("Use", 1, None, "Goes hiking"),
            // New.
            key("Use", 2, None, "Writes a review"),
        ];
        let m = match_steps(&old, &new);
        assert_eq!(
            m,
            vec![
                (Some(0), Some(0)),
                (Some(1), Some(1)),
                (Some(2), Some(2)),
                (Some(4), Some(3)),
                (None, Some(4)),
                (Some(3), None),
            ]
        );
    }

    #[test]
    fn empty_sides() {
        let one = [key("A", 0, None, "x")];
        assert_eq!(match_steps(&[], &one), vec![(None, Some(0))]);
        assert_eq!(match_steps(&one, &[]), vec![(Some(0), None)]);
        assert!(match_steps(&[], &[]).is_empty());
    }
}
