//! What a change affects: the pages an edit can touch, worked out by
//! comparing the last good model with the new one. Pure; the dev server
//! renders just those pages when only journeys changed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::model::Meta;
use crate::resolve::Handbook;

/// What a change from the last good model to the new one touches.
#[derive(Debug, PartialEq, Eq)]
pub enum Affected {
    /// Something besides journeys changed (the configuration, a persona, a
    /// touchpoint, a study, an opportunity, a free page, the home page, which journeys exist, a
    /// journey's lens or persona): every page.
    Everything,
    /// Only journeys changed: these pages (empty when nothing did). The
    /// system pages are rendered with them whatever the set says.
    Pages(BTreeSet<String>),
}

/// The pages a change from `old` to `new` can touch. The dependency set of
/// a changed journey: its page and its neighbours' (previous/next labels),
/// the pages of its persona, every page of its lens, its touchpoints (old
/// and new), the studies it cites and the opportunities it names, journeys that link to it as `next` (and their personas), and
/// the indexes and overviews that summarise all journeys, and the journey
/// it redesigns or its redesigns.
pub fn affected(old: &Handbook, new: &Handbook) -> Affected {
    use crate::routes::{journey_url, opportunity_url, persona_url, research_url, touchpoint_url};
    fn same_text(a: &Meta, b: &Meta) -> bool {
        Arc::ptr_eq(&a.source, &b.source) || a.source == b.source
    }
    fn same<T>(
        a: &BTreeMap<String, T>,
        b: &BTreeMap<String, T>,
        meta: impl Fn(&T) -> &Meta,
    ) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|((ka, va), (kb, vb))| ka == kb && same_text(meta(va), meta(vb)))
    }
    if old.config != new.config
        || !(Arc::ptr_eq(&old.measurements, &new.measurements)
            || old.measurements.series == new.measurements.series)
        || !same(&old.personas, &new.personas, |p| &p.meta)
        || !same(&old.touchpoints, &new.touchpoints, |t| &t.meta)
        || !same(&old.pages, &new.pages, |p| &p.meta)
        || !same(&old.research, &new.research, |r| &r.meta)
        || !same(&old.opportunities, &new.opportunities, |o| &o.meta)
        || old.home.as_ref().map(|p| &p.meta.source) != new.home.as_ref().map(|p| &p.meta.source)
        || !old.journeys.keys().eq(new.journeys.keys())
    {
        return Affected::Everything;
    }
    let changed: Vec<&String> = new
        .journeys
        .iter()
        .filter(|(id, j)| !same_text(&old.journeys[*id].meta, &j.meta))
        .map(|(id, _)| id)
        .collect();
    // A journey moved to another lens or persona shifts the journeys of
    // paginated lens pages (one may appear or go): rebuild everything.
    if changed.iter().any(|id| {
        let (a, b) = (&old.journeys[*id], &new.journeys[*id]);
        a.lens.value != b.lens.value
            || a.persona.value != b.persona.value
            // A journey becoming (or no longer) a redesign moves between
            // the current experience's figures and the marks beside it.
            || a.state.value != b.state.value
            || a.redesigns.as_ref().map(|r| &r.value) != b.redesigns.as_ref().map(|r| &r.value)
    }) {
        return Affected::Everything;
    }
    let mut pages = BTreeSet::new();
    if changed.is_empty() {
        return Affected::Pages(pages);
    }
    for page in [
        "index.html",
        "insights.html",
        "journeys/index.html",
        "lenses/index.html",
        "touchpoints/index.html",
        "research/index.html",
        "opportunities/index.html",
    ] {
        pages.insert(page.to_owned());
    }
    for h in [old, new] {
        let order = &h.routes.journeys;
        for id in &changed {
            let j = &h.journeys[*id];
            pages.insert(journey_url(id));
            pages.insert(persona_url(&j.persona.value));
            // Every page of its lens (which page a journey is on depends on
            // the persona order and ids, unchanged here).
            pages.extend(h.routes.lens_pages(&j.lens.value));
            for (_, step) in j.steps() {
                for t in &step.touchpoints {
                    pages.insert(touchpoint_url(&t.value));
                }
                // The studies it cites and the opportunities it names list
                // its steps.
                for e in &step.evidence {
                    pages.insert(research_url(&e.value));
                }
                for o in &step.opportunities {
                    pages.insert(opportunity_url(&o.value));
                }
            }
            for r in &j.research {
                pages.insert(research_url(&r.value));
            }
            for o in &j.realises {
                pages.insert(opportunity_url(&o.value));
            }
            if let Some(i) = order.iter().position(|o| o == *id) {
                for k in [i.wrapping_sub(1), i + 1] {
                    if let Some(n) = order.get(k) {
                        pages.insert(journey_url(n));
                    }
                }
            }
        }
        // A future state's page compares it with its current journey: an
        // edit to either is an edit to both pages.
        for id in &changed {
            for f in h.routes.redesigns.get(*id).into_iter().flatten() {
                pages.insert(journey_url(f));
            }
            if let Some(c) = h.routes.redesigned(&h.journeys, id) {
                pages.insert(journey_url(c));
            }
        }
        for (id, j) in &h.journeys {
            if j.next.iter().any(|n| changed.contains(&&n.value)) {
                pages.insert(journey_url(id));
                pages.insert(persona_url(&j.persona.value));
            }
        }
    }
    Affected::Pages(pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::journey_url;

    fn example() -> Handbook {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/es");
        crate::load(&root, &crate::Options::default())
            .expect("the fixture loads")
            .handbook
    }

    /// `h` with journey `id`'s file text changed (as an edit that keeps its
    /// lens and persona).
    fn edited(h: &Handbook, id: &str) -> Handbook {
        let mut new = h.clone();
        let j = std::sync::Arc::make_mut(new.journeys.get_mut(id).expect("journey"));
        j.meta.source = format!("{}\n<!-- edited -->\n", j.meta.source).into();
        new
    }

    #[test]
    fn nothing_changed_touches_no_page() {
        let h = example();
        assert_eq!(affected(&h, &h.clone()), Affected::Pages(BTreeSet::new()));
    }

    #[test]
    fn a_journey_edit_touches_its_page_persona_lens_touchpoints_and_overviews() {
        let h = example();
        let id = h.journeys.keys().next().expect("a journey").clone();
        let j = &h.journeys[&id];
        let Affected::Pages(pages) = affected(&h, &edited(&h, &id)) else {
            panic!("only a journey changed");
        };
        let mut want = vec![
            crate::routes::journey_url(&id),
            crate::routes::persona_url(&j.persona.value),
            "index.html".to_owned(),
            "insights.html".to_owned(),
            "journeys/index.html".to_owned(),
        ];
        want.extend(h.routes.lens_pages(&j.lens.value));
        for (_, s) in j.steps() {
            for t in &s.touchpoints {
                want.push(crate::routes::touchpoint_url(&t.value));
            }
        }
        for page in &want {
            assert!(pages.contains(page), "{page} missing from {pages:?}");
        }
        // Other personas' pages are not touched.
        for (pid, _) in h.personas.iter().filter(|(p, _)| **p != j.persona.value) {
            let page = crate::routes::persona_url(pid);
            let linked = h
                .journeys
                .values()
                .any(|o| o.persona.value == *pid && o.next.iter().any(|n| n.value == id));
            assert!(linked || !pages.contains(&page), "{page} in {pages:?}");
        }
    }

    #[test]
    fn anything_but_journeys_touches_every_page() {
        let h = example();
        let mut config = h.clone();
        config.config.title.push_str(" (nuevo)");
        assert_eq!(affected(&h, &config), Affected::Everything);

        let mut persona = h.clone();
        let p = persona.personas.values_mut().next().expect("a persona");
        p.meta.source = format!("{}\n", p.meta.source).into();
        assert_eq!(affected(&h, &persona), Affected::Everything);

        let mut gone = h.clone();
        let first = gone.journeys.keys().next().expect("a journey").clone();
        gone.journeys.remove(&first);
        assert_eq!(affected(&h, &gone), Affected::Everything);

        let mut moved = edited(&h, &first);
        let other = h
            .lenses
            .keys()
            .find(|l| **l != h.journeys[&first].lens.value)
            .expect("another lens")
            .clone();
        std::sync::Arc::make_mut(moved.journeys.get_mut(&first).expect("journey"))
            .lens
            .value = other;
        assert_eq!(affected(&h, &moved), Affected::Everything);
    }

    /// A current journey and its future states are compared on the future
    /// map: an edit to either re-renders both; a journey becoming or no
    /// longer being a redesign re-renders everything.
    #[test]
    fn a_redesign_and_its_journey_are_rendered_together() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let h = crate::load(root, &crate::Options::default())
            .expect("the example handbook loads")
            .handbook;
        let (current, future) = ("carla/activity", "carla/activity-future");
        for (edit, other) in [(current, future), (future, current)] {
            let Affected::Pages(pages) = affected(&h, &edited(&h, edit)) else {
                panic!("only a journey changed");
            };
            assert!(pages.contains(&journey_url(other)), "{other} in {pages:?}");
        }
        let mut state = edited(&h, future);
        std::sync::Arc::make_mut(state.journeys.get_mut(future).expect("journey"))
            .state
            .value = crate::model::State::Current;
        assert_eq!(affected(&h, &state), Affected::Everything);
    }

    /// The studies a journey cites and the opportunities it names list its
    /// steps: an edit re-renders them; an opportunity's own edit is
    /// everything (the portfolio, the maps that name it).
    #[test]
    fn a_journey_edit_touches_its_studies_and_opportunities() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let h = crate::load(root, &crate::Options::default())
            .expect("the example handbook loads")
            .handbook;
        let Affected::Pages(pages) = affected(&h, &edited(&h, "carla/activity")) else {
            panic!("only a journey changed");
        };
        for page in [
            "opportunities/link-guest-orders.html",
            "opportunities/index.html",
            "research/returns-analysis.html",
            "research/index.html",
        ] {
            assert!(pages.contains(page), "{page} in {pages:?}");
        }
        let Affected::Pages(future) = affected(&h, &edited(&h, "priya/b2b-future")) else {
            panic!("only a journey changed");
        };
        assert!(future.contains("opportunities/onboarding-in-presales.html"));
        let mut opp = h.clone();
        let o = opp
            .opportunities
            .values_mut()
            .next()
            .expect("an opportunity");
        o.meta.source = format!("{}\n", o.meta.source).into();
        assert_eq!(affected(&h, &opp), Affected::Everything);
    }
}
