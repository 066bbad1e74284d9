//! The opportunity rules (SPEC 3, "Opportunities"): what a step's
//! `opportunities` and a future state's `realises` may name, and the
//! `unaddressed-opportunity` warning. Called by [`crate::resolve`]; the
//! portfolio itself (quadrants, what each opportunity addresses) is
//! [`Quadrant`] here and the views' work.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::diagnostic::Diagnostic;
use crate::fields::Spanned;
use crate::model::{Journeys, Opportunity, Status};
use crate::resolve::unknown;
use crate::text::closest;

/// What `opportunities` and `realises` entries may name.
pub(crate) struct Known<'a> {
    pub(crate) opportunities: &'a BTreeMap<String, Opportunity>,
    /// Ids of opportunity files that could not be read (not reported again).
    pub(crate) unreadable: BTreeSet<String>,
}

impl Known<'_> {
    /// Reports `name` when no opportunity has that id.
    pub(crate) fn check(&self, file: &str, name: &Spanned<String>, diags: &mut Vec<Diagnostic>) {
        if self.opportunities.contains_key(&name.value) || self.unreadable.contains(&name.value) {
            return;
        }
        let ids = || self.opportunities.keys().map(String::as_str);
        let help = match closest(&name.value, ids()) {
            Some(c) => format!(
                "did you mean `{c}`? (an opportunity's id: the name of its file in opportunities/)"
            ),
            None if self.opportunities.is_empty() => format!(
                "create it: journeydoc new opportunity {}",
                crate::text::slug(&name.value)
            ),
            None => format!(
                "name one of the opportunities in opportunities/: {}",
                ids().collect::<Vec<_>>().join(", ")
            ),
        };
        diags.push(
            unknown(
                "unknown-opportunity",
                "opportunity",
                file,
                name,
                std::iter::empty(),
            )
            .help(help),
        );
    }
}

/// `unaddressed-opportunity`: a warning on each opportunity no step of any
/// journey names (a dropped one is history and is left alone).
pub(crate) fn unaddressed(
    opportunities: &BTreeMap<String, Opportunity>,
    journeys: &Journeys,
    diags: &mut Vec<Diagnostic>,
) {
    if opportunities.is_empty() {
        return;
    }
    let named: HashSet<&str> = journeys
        .values()
        .flat_map(|j| j.steps())
        .flat_map(|(_, s)| s.opportunities.iter().map(|o| o.value.as_str()))
        .collect();
    for (id, o) in opportunities {
        if o.status == Status::Dropped || named.contains(id.as_str()) {
            continue;
        }
        diags.push(
            Diagnostic::warning(
                "unaddressed-opportunity",
                format!("no step names opportunity `{id}`"),
            )
            .at(&o.meta.file, o.meta.id.span.clone())
            .help(format!(
                "add `opportunities: [{id}]` to the steps it would improve, so the portfolio shows the pain it addresses (or set `status: dropped`)"
            )),
        );
    }
}

/// A cell group of the impact × effort matrix. "High" is 4 or 5 on the
/// 1..5 scale, so a middling 3 counts as low impact and low effort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Quadrant {
    /// High impact, low effort.
    QuickWin,
    /// High impact, high effort.
    BigBet,
    /// Low impact, low effort.
    FillIn,
    /// Low impact, high effort.
    Reconsider,
}

impl Quadrant {
    pub const ALL: [Quadrant; 4] = [
        Quadrant::QuickWin,
        Quadrant::BigBet,
        Quadrant::FillIn,
        Quadrant::Reconsider,
    ];

    pub fn high(score: u8) -> bool {
        score >= 4
    }

    /// Where an opportunity with both scores sits.
    pub fn of(impact: u8, effort: u8) -> Quadrant {
        match (Quadrant::high(impact), Quadrant::high(effort)) {
            (true, false) => Quadrant::QuickWin,
            (true, true) => Quadrant::BigBet,
            (false, false) => Quadrant::FillIn,
            (false, true) => Quadrant::Reconsider,
        }
    }

    pub fn of_opportunity(o: &Opportunity) -> Option<Quadrant> {
        Some(Quadrant::of(o.impact?, o.effort?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_or_five_is_high_on_both_axes() {
        assert_eq!(Quadrant::of(5, 1), Quadrant::QuickWin);
        assert_eq!(Quadrant::of(4, 3), Quadrant::QuickWin);
        assert_eq!(Quadrant::of(4, 4), Quadrant::BigBet);
        assert_eq!(Quadrant::of(3, 3), Quadrant::FillIn);
        assert_eq!(Quadrant::of(1, 5), Quadrant::Reconsider);
    }

    #[test]
    fn status_words_in_english_and_spanish() {
        assert_eq!(Status::parse("In progress"), Some(Status::InProgress));
        assert_eq!(Status::parse("en curso"), Some(Status::InProgress));
        assert_eq!(Status::parse("Planificada"), Some(Status::Planned));
        assert_eq!(Status::parse("descartada"), Some(Status::Dropped));
        assert_eq!(Status::parse("hecho"), Some(Status::Done));
        assert_eq!(Status::parse("maybe"), None);
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(s.name(), Status::NAMES[i]);
            assert_eq!(Status::parse(Status::SPANISH[i]), Some(*s));
        }
    }
}
