//! Building while serving: the first build, each rebuild after a change
//! (only the pages the change touches when only journeys changed), the hot
//! path that answers a journey edit first, and merging new pages into the
//! served site.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::Options;
use super::affected::{Affected, affected};
use super::http::problem_json;
use super::state::*;
use crate::config::Config;
use crate::diagnostic;
use crate::insights::Handoff;
use crate::model::Journey;
use crate::render::{self, Site};
use crate::resolve::Handbook;
use crate::theme::Theme;

/// What the dev server keeps between rebuilds: the parsed files.
pub(super) struct Builder {
    root: PathBuf,
    drafts: bool,
    pub(super) cache: crate::FileCache,
}

/// What a (re)build gave.
pub(super) enum Built {
    /// The whole site.
    Full(Site),
    /// The pages that may have changed (the search index and journeys.json
    /// are rebuilt when first asked for).
    Partial(Site),
    /// The content has errors.
    Broken(Broken),
}

impl Builder {
    pub(super) fn new(root: &Path, drafts: bool) -> Builder {
        Builder {
            root: root.to_path_buf(),
            drafts,
            cache: crate::FileCache::default(),
        }
    }

    /// Loads the handbook (reading only files that changed since the last
    /// time) and renders what the change touches; `full` forces every page
    /// (book.toml, a template or a static file changed). A good build
    /// becomes `good`.
    pub(super) fn build(
        &mut self,
        full: bool,
        good: &Mutex<Option<Good>>,
    ) -> Result<(Config, Built), crate::Error> {
        let run = crate::load_cached(
            &self.root,
            &crate::Options {
                drafts: self.drafts,
            },
            &self.cache,
        )?;
        let config = run.handbook.config.clone();
        if run.has_errors() {
            return Ok((config, Built::Broken((run.diagnostics, run.sources))));
        }
        let (theme, touched) = match (&*lock(good), full) {
            (Some(g), false) => (
                Some(g.theme.clone()),
                affected(&g.run.handbook, &run.handbook),
            ),
            _ => (None, Affected::Everything),
        };
        let theme = match theme {
            Some(theme) => theme,
            None => match Theme::load(&self.root, &config.theme) {
                Ok(theme) => theme,
                Err(e) => match e.diagnostic() {
                    Some(d) => return Ok((config, Built::Broken((vec![d], run.sources)))),
                    None => {
                        return Err(crate::Error::Io {
                            path: self.root.join("themes"),
                            source: std::io::Error::other(e),
                        });
                    }
                },
            },
        };
        let built = match touched {
            Affected::Pages(pages) => {
                let wanted = |p: &str| pages.contains(p) || p.starts_with("systems/");
                render::render_pages(&run.handbook, &theme, &wanted).map(Built::Partial)
            }
            Affected::Everything => render::render(&run.handbook, &theme, &|_| {}).map(Built::Full),
        };
        match built {
            Ok(built) => {
                // The old model is freed after the lock is let go (at 10,000
                // journeys that takes a while).
                let old = lock(good).replace(Good { run, theme });
                drop(old);
                Ok((config, built))
            }
            Err(d) => Ok((config, Built::Broken((d, run.sources)))),
        }
    }
}

/// The hot path, taken before the rebuild when a change only edits journey
/// files the last good build has (same ids, no errors, no new system):
/// their pages alone are rendered against the last good model with the new
/// journeys swapped in, put in the served site and announced at once. The
/// pages the edit also touches (persona, lens, touchpoints, overviews)
/// follow with the rebuild. `paths` name each file once (the journeys are
/// swapped in and back out one for one).
pub(super) fn hot(
    root: &Path,
    drafts: bool,
    paths: &[String],
    number: u64,
    opts: &Options,
    shared: &Shared,
) {
    let started = Instant::now();
    if paths.is_empty() || paths.len() > 8 || lock_read(&shared.problem).is_some() {
        return;
    }
    let mut phases = crate::timings::Phases::start();
    let mut good = lock(&shared.good);
    let Some(Good { run, theme }) = good.as_mut() else {
        return;
    };
    let h = &mut run.handbook;
    let content_dir = format!("{}/", h.config.content_dir.trim_end_matches('/'));
    let mut edited = Vec::new();
    for path in paths {
        let Some(id) = h
            .journeys
            .iter()
            .find(|(_, j)| j.meta.file == *path)
            .map(|(id, _)| id.clone())
        else {
            return;
        };
        let Some(rel) = path.strip_prefix(&content_dir) else {
            return;
        };
        // Else the rebuild alone renders it.
        match crate::read_journey(root, path, rel) {
            Some(j) if j.same_place_as(&h.journeys[&id]) && (drafts || !j.meta.draft) => {
                edited.push(j)
            }
            _ => return,
        }
    }
    phases.mark("hot: read and parse");
    let mut diags = Vec::new();
    let mut handoffs = Vec::new();
    for j in &mut edited {
        match crate::resolve::resolve_journey(h, j, &mut diags) {
            Some(list) => handoffs.push(list),
            None => return,
        }
    }
    if diagnostic::counts(&diags).0 > 0 {
        return;
    }
    phases.mark("hot: resolve");
    // Swapped in for the render only: the rebuild compares the new files
    // with the last good build to find the other pages they touch.
    let pages = with_edits(h, edited, handoffs, |h| {
        let ids: Vec<&str> = h
            .journeys
            .iter()
            .filter(|(_, j)| paths.contains(&j.meta.file))
            .map(|(id, _)| id.as_str())
            .collect();
        render::render_journeys(h, theme, &ids)
    });
    phases.mark("hot: render");
    drop(good);
    let Ok(pages) = pages else {
        return; // a template error: the rebuild reports it
    };
    {
        let mut hot = lock(&shared.hot);
        for path in pages.keys() {
            hot.insert(path.clone(), number);
        }
    }
    let changed = merge(shared, pages, false, None);
    announce(shared, changed.clone());
    if !opts.quiet {
        eprintln!(
            "updated {} in {} ms (the rest follows)",
            changed.join(", "),
            started.elapsed().as_millis()
        );
    }
}

/// Runs `f` on `h` with the `journeys` (and their `handoffs`) in place of
/// its own of the same ids. Whatever `f` does, `h` is its own again after:
/// the swap back happens when the guard is dropped, also on an early return
/// or while a panic unwinds, so the last good model never keeps an edit.
fn with_edits<R>(
    h: &mut Handbook,
    journeys: Vec<Journey>,
    handoffs: Vec<Vec<Handoff>>,
    f: impl FnOnce(&Handbook) -> R,
) -> R {
    struct Swapped<'a> {
        h: &'a mut Handbook,
        journeys: Vec<Journey>,
        handoffs: Vec<Vec<Handoff>>,
    }
    impl Swapped<'_> {
        fn swap(&mut self) {
            for (j, list) in self.journeys.iter_mut().zip(self.handoffs.iter_mut()) {
                let id = &j.meta.id.value;
                if let (Some(old), Some(old_list)) =
                    (self.h.journeys.get_mut(id), self.h.handoffs.get_mut(id))
                {
                    std::mem::swap(old, j);
                    std::mem::swap(old_list, list);
                }
            }
        }
    }
    impl Drop for Swapped<'_> {
        fn drop(&mut self) {
            self.swap();
        }
    }
    let mut guard = Swapped {
        h,
        journeys,
        handoffs,
    };
    guard.swap();
    f(guard.h)
}

/// Tells every tab that these paths changed (nothing when none did).
pub(super) fn announce(shared: &Shared, changed: Vec<String>) {
    if changed.is_empty() {
        return;
    }
    let v = shared.version.fetch_add(1, Ordering::SeqCst) + 1;
    // A long list is sent as "everything": every tab reloads.
    let pages = (changed.len() <= 200).then_some(changed);
    let _ = shared.notes.send(Note::Reload(v, pages));
}

/// Rebuilds, swaps the new pages in, and tells every tab.
pub(super) fn rebuild(builder: &mut Builder, full: bool, opts: &Options, shared: &Shared) {
    let started = Instant::now();
    // Hot pages of later changes are newer than what this rebuild reads.
    let number = shared.changes.load(Ordering::SeqCst);
    let (updates, stale, whole) = match builder.build(full, &shared.good) {
        Ok((_, Built::Full(site))) => (site, false, true),
        Ok((_, Built::Partial(files))) => (files, true, false),
        Ok((_, Built::Broken((diags, sources)))) => {
            eprint!("{}", diagnostic::render_text(&diags, &sources, opts.color));
            eprintln!("the content has errors: still serving the last good build");
            let json = problem_json(&diags, &sources);
            if let Ok(mut p) = shared.problem.write() {
                *p = Some(json.clone());
            }
            let _ = shared.notes.send(Note::Problem(json));
            return;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return;
        }
    };
    let rendered = updates.len();
    // A full site carries its own data files; a partial one leaves them to
    // be rebuilt when asked for.
    *lock(&shared.stale_data) = stale;
    let changed = merge(shared, updates, whole, Some(number));
    let was_broken = shared
        .problem
        .write()
        .map(|mut p| p.take().is_some())
        .unwrap_or(false);
    if was_broken {
        let _ = shared.notes.send(Note::Fixed);
    }
    let pages = changed.iter().filter(|p| p.ends_with(".html")).count();
    let files = changed.len();
    announce(shared, changed);
    if !opts.quiet {
        eprintln!(
            "rebuilt {pages} {} ({files} files changed, {rendered} rendered{}) in {} ms",
            if pages == 1 { "page" } else { "pages" },
            if whole { ", full" } else { "" },
            started.elapsed().as_millis()
        );
    }
}

/// Puts new files into the served site; with `whole`, files the new site
/// lacks are removed, and with data files, search shards no longer written
/// are. A rebuild passes the number of the last change it saw: pages the
/// hot path put in for a later change are left as they are. Returns the
/// paths whose bytes changed.
pub(super) fn merge(shared: &Shared, updates: Site, whole: bool, seen: Option<u64>) -> Vec<String> {
    let newer: BTreeSet<String> = match seen {
        Some(seen) => {
            let mut hot = lock(&shared.hot);
            hot.retain(|_, n| *n > seen);
            hot.keys().cloned().collect()
        }
        None => BTreeSet::new(),
    };
    let Ok(mut current) = shared.site.write() else {
        return Vec::new();
    };
    let site = Arc::make_mut(&mut current);
    let data = updates.keys().any(|k| render::is_data_file(k));
    let gone: Vec<String> = site
        .keys()
        .filter(|k| {
            !updates.contains_key(*k)
                && !newer.contains(*k)
                && (whole || (data && k.starts_with("search/")))
        })
        .cloned()
        .collect();
    let mut changed = gone.clone();
    for k in gone {
        site.remove(&k);
    }
    for (path, bytes) in updates {
        if !newer.contains(&path) && site.get(&path).map(|b| &b[..]) != Some(&bytes[..]) {
            changed.push(path.clone());
            site.insert(path, bytes.into());
        }
    }
    changed
}

/// Rebuilds the search index and journeys.json if a partial rebuild left
/// them stale (at most once per rebuild; other readers wait for it).
pub(super) fn refresh_data(shared: &Shared) {
    let mut stale = lock(&shared.stale_data);
    if *stale {
        let files: Option<Site> = lock(&shared.good)
            .as_ref()
            .map(|g| render::data_files(&g.run.handbook).into_iter().collect());
        if let Some(files) = files {
            merge(shared, files, false, None);
        }
        *stale = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_swapped_in_for_a_render_never_stays_in_the_model() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/es");
        let mut h = crate::load(&root, &crate::Options::default())
            .expect("the fixture loads")
            .handbook;
        let id = h.journeys.keys().next().expect("a journey").clone();
        let before = h.journeys[&id].title.clone();
        let handoffs = h.handoffs[&id].len();
        let edit = |h: &Handbook| {
            let mut j = h.journeys[&id].clone();
            j.title = "Editado".to_owned();
            (vec![j], vec![Vec::new()])
        };
        let (js, hs) = edit(&h);
        let seen = with_edits(&mut h, js, hs, |h| h.journeys[&id].title.clone());
        assert_eq!(seen, "Editado");
        assert_eq!(h.journeys[&id].title, before);
        assert_eq!(h.handoffs[&id].len(), handoffs);

        // A render that panics half-way leaves the model as it was.
        let (js, hs) = edit(&h);
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            with_edits(&mut h, js, hs, |h| {
                assert_eq!(h.journeys[&id].title, "Editado");
                panic!("a template engine bug");
            })
        }));
        assert!(unwound.is_err());
        assert_eq!(h.journeys[&id].title, before);
        assert_eq!(h.handoffs[&id].len(), handoffs);
    }
}
