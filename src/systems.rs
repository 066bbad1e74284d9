//! Systems: the configured `[systems]` table, or every name used on
//! touchpoints and steps keyed by its slug; and where a system is first
//! named (for a diagnostic about its page).

use std::collections::BTreeMap;

use crate::config::Config;
use crate::fields::Spanned;
use crate::model::{Journeys, Touchpoint};

/// Every system: the configured table, or the names used, keyed by slug
/// (the first name in sorted order wins the display).
pub fn systems(
    config: &Config,
    touchpoints: &BTreeMap<String, Touchpoint>,
    journeys: &Journeys,
) -> BTreeMap<String, String> {
    if let Some(table) = &config.systems {
        return table.clone();
    }
    let mut names: Vec<&str> = touchpoints
        .values()
        .flat_map(|t| t.systems.iter())
        .chain(
            journeys
                .values()
                .flat_map(|j| j.steps().flat_map(|(_, s)| s.systems.iter())),
        )
        .map(|s| s.value.as_str())
        .collect();
    names.sort_unstable();
    let mut out = BTreeMap::new();
    for name in names {
        let id = crate::text::slug(name);
        if !id.is_empty() {
            out.entry(id).or_insert_with(|| name.to_owned());
        }
    }
    out
}

/// Where system `id` is first named: `book.toml` when `[systems]` lists
/// it, else the first touchpoint or step whose system has that slug.
pub fn origin(
    config: &Config,
    touchpoints: &BTreeMap<String, Touchpoint>,
    journeys: &Journeys,
    id: &str,
) -> Option<crate::routes::At> {
    if config.systems.is_some() {
        return None;
    }
    let named = |s: &Spanned<String>| crate::text::slug(&s.value) == id;
    touchpoints
        .values()
        .find_map(|t| {
            t.systems
                .iter()
                .find(|s| named(s))
                .map(|s| (t.meta.file.clone(), s.span.clone()))
        })
        .or_else(|| {
            journeys.values().find_map(|j| {
                j.steps()
                    .flat_map(|(_, st)| &st.systems)
                    .find(|s| named(s))
                    .map(|s| (j.meta.file.clone(), s.span.clone()))
            })
        })
}
