//! The handbook's routes: every page's path and URL, the reading order of
//! each section (previous/next), lens pagination, and the one link table
//! that Markdown links (`../personas/carla.md`) and `@kind/id` resolve
//! against.
//!
//! [`Routes`] is filled once, while resolving, so `check` sees exactly the
//! pages `build` will write: two pages that would be written to one path
//! (a free page `insights.md` and the insights page, a persona `index` and
//! the personas index) are a `page-collision` error at the file that causes
//! it. Pure: the model in, paths out.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::links::resolve_path;
use crate::model::{Journeys, Lens, Opportunity, Page, Persona, Research, Touchpoint};
use crate::source::Kind;
use crate::text::id_key;

/// The pages every handbook has, whatever its content (the section indexes,
/// the insights page, the 404 page).
pub const FIXED_PAGES: [&str; 10] = [
    "index.html",
    "personas/index.html",
    "journeys/index.html",
    "lenses/index.html",
    "touchpoints/index.html",
    "systems/index.html",
    "insights.html",
    "404.html",
    "research/index.html",
    "opportunities/index.html",
];

pub fn persona_url(id: &str) -> String {
    format!("personas/{id}.html")
}
/// A touchpoint page's URL (the views' HTML writers write the same without
/// a string).
pub fn touchpoint_url(id: &str) -> String {
    format!("touchpoints/{id}.html")
}
/// A journey page's URL (the views' HTML writers write the same without a
/// string).
pub fn journey_url(id: &str) -> String {
    format!("journeys/{id}.html")
}
pub fn research_url(id: &str) -> String {
    format!("research/{id}.html")
}
pub fn opportunity_url(id: &str) -> String {
    format!("opportunities/{id}.html")
}
pub fn system_url(id: &str) -> String {
    format!("systems/{id}.html")
}
pub fn lens_url(id: &str) -> String {
    format!("lenses/{id}.html")
}

/// Journeys shown on one lens page; a lens with more continues on
/// `lenses/ID/2.html`, `lenses/ID/3.html`… (at 10,000 journeys a lens holds
/// ~1,700: one page would be 7 MB of HTML).
pub const LENS_PAGE_SIZE: usize = 50;

/// Page `n` (from 1) of a lens.
pub fn lens_page_url(id: &str, n: usize) -> String {
    if n <= 1 {
        lens_url(id)
    } else {
        format!("lenses/{id}/{n}.html")
    }
}

/// How many pages a lens holding `journeys` journeys has (one even when
/// empty).
pub fn lens_page_count(journeys: usize) -> usize {
    journeys.div_ceil(LENS_PAGE_SIZE).max(1)
}

/// Every page of a lens holding `journeys` journeys.
pub fn lens_page_urls(id: &str, journeys: usize) -> Vec<String> {
    (1..=lens_page_count(journeys))
        .map(|n| lens_page_url(id, n))
        .collect()
}

/// Free pages keep their path under the content folder; a folder's
/// `_index.md` (id = the folder) becomes that folder's `index.html`.
pub fn page_url(page: &Page) -> String {
    if page.meta.file.ends_with("/_index.md") {
        format!("{}/index.html", page.meta.id.value)
    } else {
        format!("{}.html", page.meta.id.value)
    }
}

/// A free page's title: `title`, else its first heading, else its id.
pub fn page_title(p: &Page) -> String {
    p.title
        .clone()
        .or_else(|| crate::text::first_heading(p.meta.body()))
        .unwrap_or_else(|| p.meta.id.value.clone())
}

/// From `path` back to the site root: `""`, `"../"`, `"../../"`…
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Personas in reading order: weight, name, id.
pub fn persona_order(personas: &BTreeMap<String, Persona>) -> Vec<String> {
    let mut ids: Vec<String> = personas.keys().cloned().collect();
    ids.sort_by_key(|id| {
        let p = &personas[id];
        (p.meta.weight.unwrap_or(0), p.name.clone(), id.clone())
    });
    ids
}

/// Current-state journey id → its future states (SPEC 3): the future
/// states whose `redesigns` names a current journey.
pub fn redesigns(journeys: &Journeys) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, j) in journeys.iter().filter(|(_, j)| j.is_future()) {
        if let Some(r) = &j.redesigns
            && journeys.get(&r.value).is_some_and(|c| !c.is_future())
        {
            out.entry(r.value.clone()).or_default().push(id.clone());
        }
    }
    out
}

/// Journeys in reading order: by persona order, weight, then id; each
/// current journey followed by its future states.
pub fn journey_order(
    journeys: &Journeys,
    personas: &[String],
    redesigns: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let rank: HashMap<&str, usize> = personas
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    // Ids are unique and already in order: a stable sort on (persona rank,
    // weight) keeps id order among equals.
    let mut ids: Vec<((usize, i64), &String)> = journeys
        .iter()
        .map(|(id, j)| {
            let rank = rank.get(j.persona.value.as_str()).copied();
            ((rank.unwrap_or(usize::MAX), j.meta.weight.unwrap_or(0)), id)
        })
        .collect();
    ids.sort_by_key(|(key, _)| *key);
    let placed: std::collections::HashSet<&String> = redesigns.values().flatten().collect();
    let mut out = Vec::with_capacity(ids.len());
    for (_, id) in ids {
        if placed.contains(id) {
            continue;
        }
        out.push(id.clone());
        out.extend(redesigns.get(id).into_iter().flatten().cloned());
    }
    out
}

/// Free pages in reading order: weight, title, id.
pub fn page_order(pages: &BTreeMap<String, Page>) -> Vec<String> {
    let mut ids: Vec<String> = pages.keys().cloned().collect();
    // A title may take a Markdown parse (its first heading): once per page,
    // not once per comparison.
    ids.sort_by_cached_key(|id| {
        let p = &pages[id];
        (p.meta.weight.unwrap_or(0), page_title(p), id.clone())
    });
    ids
}

/// Where links point: content files (by path under the content folder) and
/// `(kind, id)` pairs → site URLs (relative to the site root, e.g.
/// `personas/carla.html`).
#[derive(Debug, Default, Clone)]
pub struct LinkMap {
    pub files: BTreeMap<String, String>,
    pub ids: BTreeMap<(String, String), String>,
}

impl LinkMap {
    /// The site URL a link destination names, with its `#fragment`, if it is
    /// one of ours.
    pub fn url(&self, from_rel: &str, dest: &str) -> Option<String> {
        let (path, frag) = match dest.find('#') {
            Some(i) => (&dest[..i], &dest[i..]),
            None => (dest, ""),
        };
        let target = if let Some(rest) = path.strip_prefix('@') {
            let (kind, id) = rest.split_once('/')?;
            self.ids.get(&(kind.to_owned(), id.to_owned()))?
        } else if path.ends_with(".md") && !path.contains(':') {
            self.files.get(&resolve_path(from_rel, path)?)?
        } else {
            return None;
        };
        Some(format!("{target}{frag}"))
    }

    fn add(&mut self, kind: &str, id: &str, file: &str, url: String) {
        self.files.insert(content_rel(file).to_owned(), url.clone());
        self.ids.insert((kind.to_owned(), id.to_owned()), url);
    }
}

/// A root-relative content path made relative to the content folder.
pub fn content_rel(file: &str) -> &str {
    file.split_once('/').map_or(file, |(_, rest)| rest)
}

/// Where something is written: a file and a span in it.
pub type At = (String, Range<usize>);

/// What the routes are worked out from: the resolved model's collections.
pub struct Parts<'a> {
    pub home: Option<&'a Page>,
    pub personas: &'a BTreeMap<String, Persona>,
    pub touchpoints: &'a BTreeMap<String, Touchpoint>,
    pub journeys: &'a Journeys,
    pub research: &'a BTreeMap<String, Research>,
    pub opportunities: &'a BTreeMap<String, Opportunity>,
    pub pages: &'a BTreeMap<String, Page>,
    pub lenses: &'a BTreeMap<String, Lens>,
    /// System id → display name.
    pub systems: &'a BTreeMap<String, String>,
    /// Where each system is first named (file, span), for a collision.
    pub system_origin: &'a dyn Fn(&str) -> Option<At>,
    /// Files whose front matter could not be read: kind, the id and the
    /// content-relative path they would have had (links to them are not
    /// reported again).
    pub unreadable: &'a [(Kind, String, String)],
}

/// Every page's place in the handbook.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    /// Personas in reading order.
    pub personas: Vec<String>,
    /// Journeys in reading order.
    pub journeys: Vec<String>,
    /// Free pages in reading order.
    pub pages: Vec<String>,
    /// Current-state journeys per lens (what the lens pages list).
    pub lens_journeys: BTreeMap<String, usize>,
    /// Current-state journey id → the future states that redesign it, in
    /// id order (only redesigns that name a current journey).
    pub redesigns: BTreeMap<String, Vec<String>>,
    /// Where Markdown links and `@kind/id` go.
    pub links: LinkMap,
}

impl Routes {
    /// Works out every route; a page whose path another page already takes
    /// is an error at the file that causes it.
    pub fn new(parts: &Parts, diags: &mut Vec<Diagnostic>) -> Routes {
        let personas = persona_order(parts.personas);
        let redesigns = redesigns(parts.journeys);
        let journeys = journey_order(parts.journeys, &personas, &redesigns);
        let pages = page_order(parts.pages);
        let mut lens_journeys: BTreeMap<String, usize> =
            parts.lenses.keys().map(|id| (id.clone(), 0)).collect();
        for j in parts.journeys.values().filter(|j| !j.is_future()) {
            *lens_journeys.entry(j.lens.value.clone()).or_default() += 1;
        }

        let mut links = LinkMap::default();
        if let Some(home) = parts.home {
            links.add("page", "_index", &home.meta.file, "index.html".to_owned());
        }
        for (id, p) in parts.personas {
            links.add("persona", id, &p.meta.file, persona_url(id));
        }
        for (id, t) in parts.touchpoints {
            links.add("touchpoint", id, &t.meta.file, touchpoint_url(id));
        }
        for (id, j) in parts.journeys {
            links.add("journey", id, &j.meta.file, journey_url(id));
        }
        for (id, r) in parts.research {
            links.add("research", id, &r.meta.file, research_url(id));
        }
        for (id, o) in parts.opportunities {
            links.add("opportunity", id, &o.meta.file, opportunity_url(id));
        }
        for (id, p) in parts.pages {
            links.add("page", id, &p.meta.file, page_url(p));
        }
        for id in parts.lenses.keys() {
            links
                .ids
                .insert(("lens".to_owned(), id.clone()), lens_url(id));
        }
        for (kind, id, rel) in parts.unreadable {
            let (kind, url) = match kind {
                Kind::Persona => ("persona", persona_url(id)),
                Kind::Touchpoint => ("touchpoint", touchpoint_url(id)),
                Kind::Journey => ("journey", journey_url(id)),
                Kind::Research => ("research", research_url(id)),
                Kind::Opportunity => ("opportunity", opportunity_url(id)),
                Kind::Page | Kind::Home => ("page", format!("{id}.html")),
            };
            links
                .files
                .entry(rel.clone())
                .or_insert_with(|| url.clone());
            links
                .ids
                .entry((kind.to_owned(), id.clone()))
                .or_insert(url);
        }

        collisions(parts, &lens_journeys, &pages, diags);
        Routes {
            personas,
            journeys,
            pages,
            lens_journeys,
            redesigns,
            links,
        }
    }

    /// The current journey a future state redesigns (when it names one).
    pub fn redesigned<'j>(&self, journeys: &'j Journeys, id: &str) -> Option<&'j String> {
        let target = journeys.get(id)?.redesigns.as_ref()?;
        let (key, _) = journeys.get_key_value(&target.value)?;
        self.redesigns
            .get(key)
            .is_some_and(|list| list.iter().any(|f| f == id))
            .then_some(key)
    }

    /// How many journeys go through the lens `id`.
    pub fn lens_journey_count(&self, id: &str) -> usize {
        self.lens_journeys.get(id).copied().unwrap_or(0)
    }

    /// Every page of the lens `id`.
    pub fn lens_pages(&self, id: &str) -> Vec<String> {
        lens_page_urls(id, self.lens_journey_count(id))
    }
}

/// Page paths compared as a case-insensitive file system would: the fixed
/// pages first, then each kind's pages in turn; the page that comes second
/// to a path is the error.
fn collisions(
    parts: &Parts,
    lens_journeys: &BTreeMap<String, usize>,
    pages: &[String],
    diags: &mut Vec<Diagnostic>,
) {
    let mut taken: BTreeMap<String, (String, &str)> = FIXED_PAGES
        .iter()
        .map(|p| (id_key(p), ((*p).to_owned(), "")))
        .collect();
    let mut claim = |path: String, what: &'static str, at: Option<At>| {
        let key = id_key(&path);
        if let Some((other, kind)) = taken.get(&key) {
            if *kind == what && *other != path {
                // Two ids of one kind that differ in case or accents: an
                // `id-collision` already says so.
                return;
            }
            let this = if what == "page" {
                "this page".to_owned()
            } else {
                format!("this {what}'s page")
            };
            let message = if *other == path {
                format!(
                    "{this} would be written to `{path}`, which another page of the handbook already uses"
                )
            } else {
                format!(
                    "{this} would be written to `{path}`, which is `{other}` on a case-insensitive file system"
                )
            };
            let mut d = Diagnostic::error("page-collision", message)
                .help("rename the file or give it another `id:` (the built-in pages are index.html, insights.html, 404.html and each section's index.html)");
            if let Some((file, span)) = at {
                d = d.at(&file, span);
            }
            diags.push(d);
        } else {
            taken.insert(key, (path, what));
        }
    };
    let at = |m: &crate::model::Meta| Some((m.file.clone(), m.id.span.clone()));
    for (id, p) in parts.personas {
        claim(persona_url(id), "persona", at(&p.meta));
    }
    for (id, j) in parts.journeys {
        claim(journey_url(id), "journey", at(&j.meta));
    }
    for (id, count) in lens_journeys {
        for url in lens_page_urls(id, *count) {
            claim(url, "lens", None);
        }
    }
    for (id, t) in parts.touchpoints {
        claim(touchpoint_url(id), "touchpoint", at(&t.meta));
    }
    for id in parts.systems.keys() {
        claim(system_url(id), "system", (parts.system_origin)(id));
    }
    for (id, r) in parts.research {
        claim(research_url(id), "study", at(&r.meta));
    }
    for (id, o) in parts.opportunities {
        claim(opportunity_url(id), "opportunity", at(&o.meta));
    }
    for id in pages {
        let p = &parts.pages[id];
        claim(page_url(p), "page", at(&p.meta));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lens_pages_continue_in_a_folder_of_the_lens() {
        assert_eq!(lens_page_count(0), 1);
        assert_eq!(lens_page_count(50), 1);
        assert_eq!(lens_page_count(51), 2);
        assert_eq!(
            lens_page_urls("activity", 101),
            [
                "lenses/activity.html",
                "lenses/activity/2.html",
                "lenses/activity/3.html"
            ]
        );
    }

    #[test]
    fn roots_climb_one_folder_per_slash() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("journeys/carla/activity.html"), "../../");
    }

    #[test]
    fn link_urls_keep_their_fragment_and_ignore_other_links() {
        let mut l = LinkMap::default();
        l.add(
            "persona",
            "carla",
            "content/personas/carla.md",
            persona_url("carla"),
        );
        assert_eq!(
            l.url("guide/how.md", "../personas/carla.md#goals")
                .as_deref(),
            Some("personas/carla.html#goals")
        );
        assert_eq!(
            l.url("x.md", "@persona/carla").as_deref(),
            Some("personas/carla.html")
        );
        assert_eq!(l.url("x.md", "@persona/nadie"), None);
        assert_eq!(l.url("x.md", "https://example.org/a.md"), None);
    }
}
