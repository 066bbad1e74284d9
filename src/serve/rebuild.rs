//! Building while serving: the first load, each reload after a change,
//! and the hot path that answers a journey edit first.
//!
//! A reload swaps the new model in on the render worker and drops from the
//! cache the files the change touches (every file when more than journeys
//! changed); the ones a reader had are rendered again at once and
//! announced to the tabs when their bytes changed, the rest wait until
//! they are asked for.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::Options;
use super::affected::{Affected, affected};
use super::http::problem_json;
use super::pages::{Ask, ask_blocking, with_model};
use super::state::*;
use crate::config::Config;
use crate::diagnostic;
use crate::insights::Handoff;
use crate::model::Journey;
use crate::render::{self, Site};
use crate::resolve::Handbook;
use crate::theme::Theme;

/// What the dev server keeps between reloads: the parsed files and the
/// theme.
pub(super) struct Builder {
    root: PathBuf,
    drafts: bool,
    pub(super) cache: crate::FileCache,
    theme: Option<Theme>,
}

/// What a (re)load gave.
pub(super) enum Built {
    /// A model to serve (boxed: it is far larger than the error list).
    Good(Box<Good>),
    /// The content has errors.
    Broken(Broken),
}

impl Builder {
    pub(super) fn new(root: &Path, drafts: bool) -> Builder {
        Builder {
            root: root.to_path_buf(),
            drafts,
            cache: crate::FileCache::default(),
            theme: None,
        }
    }

    /// Loads the handbook (reading only files that changed since the last
    /// time); `full` loads the theme again too (book.toml, a template or a
    /// static file changed). Nothing is rendered here.
    pub(super) fn build(&mut self, full: bool) -> Result<(Config, Built), crate::Error> {
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
        let theme = match (&self.theme, full) {
            (Some(theme), false) => theme.clone(),
            _ => match Theme::load(&self.root, &config.theme) {
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
        if let Err(d) = render::check_templates(&run.handbook, &theme) {
            return Ok((config, Built::Broken((d, run.sources))));
        }
        self.theme = Some(theme.clone());
        Ok((config, Built::Good(Box::new(Good { run, theme }))))
    }
}

/// The hot path, taken before the reload when a change only edits journey
/// files the last good model has (same ids, no errors, no new system):
/// their pages alone are rendered against the last good model with the new
/// journeys swapped in, put in the cache and announced at once. The pages
/// the edit also touches (persona, lens, touchpoints, overviews) follow
/// with the reload. `paths` name each file once (the journeys are swapped
/// in and back out one for one).
pub(super) fn hot(
    root: &Path,
    drafts: bool,
    paths: &[String],
    number: u64,
    opts: &Options,
    shared: &Arc<Shared>,
) {
    let started = Instant::now();
    if paths.is_empty() || paths.len() > 8 || lock_read(&shared.problem).is_some() {
        return;
    }
    let (sh, root, list) = (shared.clone(), root.to_path_buf(), paths.to_vec());
    let changed = with_model(shared, move |model| {
        let Good { run, theme } = model.as_mut()?;
        let pages = hot_pages(&mut run.handbook, theme, &root, drafts, &list)?;
        // Marked as this change's: a reload that started before it leaves
        // them as they are.
        let mut hot = lock(&sh.hot);
        let mut cache = lock(&sh.cache);
        let mut changed = Vec::new();
        for (path, bytes) in pages {
            hot.insert(path.clone(), number);
            if cache.get(&path).as_deref() != Some(&bytes[..]) {
                changed.push(path.clone());
            }
            cache.put(&path, bytes.into());
        }
        Some(changed)
    })
    .flatten();
    let Some(changed) = changed else {
        return;
    };
    announce(shared, changed.clone());
    if !opts.quiet {
        eprintln!(
            "updated {} in {} ms (the rest follows)",
            changed.join(", "),
            started.elapsed().as_millis()
        );
    }
}

/// The hot path's pages, or `None` when the change is not one it takes.
fn hot_pages(
    h: &mut Handbook,
    theme: &Theme,
    root: &Path,
    drafts: bool,
    paths: &[String],
) -> Option<Site> {
    let mut phases = crate::timings::Phases::start();
    let content_dir = format!("{}/", h.config.content_dir.trim_end_matches('/'));
    let mut edited = Vec::new();
    for path in paths {
        let id = h
            .journeys
            .iter()
            .find(|(_, j)| j.meta.file == *path)
            .map(|(id, _)| id.clone())?;
        let rel = path.strip_prefix(&content_dir)?;
        // Else the reload alone renders it.
        match crate::read_journey(root, path, rel) {
            Some(j) if j.same_place_as(&h.journeys[&id]) && (drafts || !j.meta.draft) => {
                edited.push(j)
            }
            _ => return None,
        }
    }
    phases.mark("hot: read and parse");
    let mut diags = Vec::new();
    let mut handoffs = Vec::new();
    for j in &mut edited {
        handoffs.push(crate::resolve::resolve_journey(h, j, &mut diags)?);
    }
    if diagnostic::counts(&diags).0 > 0 {
        return None;
    }
    phases.mark("hot: resolve");
    // Swapped in for the render only: the reload compares the new files
    // with the last good model to find the other pages they touch.
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
    // A template error: the reload reports it.
    pages.ok()
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

/// Tells every tab to reload.
fn announce_all(shared: &Shared) {
    let v = shared.version.fetch_add(1, Ordering::SeqCst) + 1;
    let _ = shared.notes.send(Note::Reload(v, None));
}

/// Hands the first good model to the worker (without waiting: it runs
/// before any request is answered).
pub(super) fn first(shared: &Shared, good: Good) {
    let _ = lock(&shared.asks).send(Ask::Model(Box::new(move |model| *model = Some(good))));
}

/// Reloads, swaps the new model in, and tells every tab what changed.
pub(super) fn rebuild(builder: &mut Builder, full: bool, opts: &Options, shared: &Arc<Shared>) {
    let started = Instant::now();
    // Hot pages of later changes are newer than what this reload reads.
    let number = shared.changes.load(Ordering::SeqCst);
    let good = match builder.build(full) {
        Ok((_, Built::Good(good))) => *good,
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
    let sh = shared.clone();
    let swapped = with_model(shared, move |model| {
        let touched = match (&*model, full) {
            (Some(old), false) => affected(&old.run.handbook, &good.run.handbook),
            _ => Affected::Everything,
        };
        let was_empty = model.is_none();
        let old = model.replace(good);
        let keep: BTreeSet<String> = {
            let mut hot = lock(&sh.hot);
            hot.retain(|_, n| *n > number);
            hot.keys().cloned().collect()
        };
        let mut cache = lock(&sh.cache);
        let (again, unseen) = match &touched {
            // The system pages are rendered with a journey's whatever the
            // set says.
            Affected::Pages(pages) => cache.invalidate(
                Some(&|p: &str| pages.contains(p) || p.starts_with("systems/")),
                &keep,
            ),
            Affected::Everything => cache.invalidate(None, &keep),
        };
        (
            old,
            touched == Affected::Everything,
            was_empty,
            again,
            unseen,
        )
    });
    let Some((old, whole, was_empty, again, unseen)) = swapped else {
        return;
    };
    // The old model is freed here, not on the worker (at 10,000 journeys
    // that takes a while).
    drop(old);
    let was_broken = shared
        .problem
        .write()
        .map(|mut p| p.take().is_some())
        .unwrap_or(false);
    if was_broken {
        let _ = shared.notes.send(Note::Fixed);
    }
    // The files a reader had, rendered again and compared.
    let paths: Vec<String> = again.iter().map(|(p, _)| p.clone()).collect();
    let rendered = paths.len();
    let fresh = if paths.is_empty() {
        Vec::new()
    } else {
        ask_blocking(shared, |tx| Ask::Again(paths, tx)).unwrap_or_default()
    };
    let mut changed = unseen;
    {
        let hot = lock(&shared.hot);
        let mut cache = lock(&shared.cache);
        for ((path, before), now) in again.into_iter().zip(fresh) {
            if hot.get(&path).is_some_and(|n| *n > number) {
                continue;
            }
            match now {
                Some(now) => {
                    if now != before {
                        changed.push(path.clone());
                    }
                    cache.put(&path, now);
                }
                None => changed.push(path),
            }
        }
    }
    changed.sort_unstable();
    changed.dedup();
    let pages = changed.iter().filter(|p| p.ends_with(".html")).count();
    let files = changed.len();
    if was_empty {
        announce_all(shared);
    } else {
        announce(shared, changed);
    }
    if !opts.quiet {
        eprintln!(
            "rebuilt {pages} {} ({files} files changed, {rendered} rendered{}) in {} ms",
            if pages == 1 { "page" } else { "pages" },
            if whole { ", full" } else { "" },
            started.elapsed().as_millis()
        );
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
