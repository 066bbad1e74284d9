//! Building while serving: the first load, each reload after a change,
//! and the hot path that answers an edit with its own page first.
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
use crate::model::{Journey, Meta, Opportunity, Page, Persona, Research, Touchpoint};
use crate::parse::Parsed;
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
        // A good load's warnings, and the map of the texts they point into,
        // are not needed to serve (the texts themselves stay with the
        // model): 11,000 warnings at 10,000 generated journeys.
        let mut run = run;
        run.diagnostics = Vec::new();
        run.sources = crate::diagnostic::Sources::new();
        Ok((config, Built::Good(Box::new(Good { run, theme }))))
    }
}

/// The hot path, taken before the reload when a change only edits content
/// files the last good model has, in place (same kind, id and weight, no
/// errors; see [`Edit::of`]), or only adds or changes rows of data files
/// (see [`super::hot_data`]): their own pages alone are rendered against
/// the last good model with the edited files (or the re-read series)
/// swapped in, put in the cache and announced at once. The other pages the
/// edit touches (a journey's persona, lens and touchpoints; every page
/// that shows a persona's name or a measurement) follow with the reload.
/// `paths` name each file once (the files are swapped in and back out one
/// for one).
pub(super) fn hot(
    root: &Path,
    drafts: bool,
    data_dir: &str,
    paths: &[String],
    number: u64,
    opts: &Options,
    shared: &Arc<Shared>,
) {
    let started = Instant::now();
    if paths.is_empty() || paths.len() > 8 || lock_read(&shared.problem).is_some() {
        return;
    }
    let data = paths
        .iter()
        .all(|p| super::hot_data::is_data_file(p, data_dir));
    let data_edits = if data {
        match shared.data_lines.edit(root, paths) {
            Some(edits) => Some(edits),
            None => return,
        }
    } else {
        None
    };
    let (sh, root, list) = (shared.clone(), root.to_path_buf(), paths.to_vec());
    let changed = with_model(shared, move |model| {
        let Good { run, theme } = model.as_mut()?;
        let h = &mut run.handbook;
        let pages = match data_edits {
            Some(edits) => data_pages(h, theme, &root, &edits)?,
            None => hot_pages(h, theme, &root, drafts, &list)?,
        };
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
    let mut edits = Vec::new();
    // Only Markdown files are content (an editor's temporary file, written
    // and renamed over the file it saves, is not).
    for path in paths.iter().filter(|p| p.ends_with(".md")) {
        let rel = path.strip_prefix(&content_dir)?;
        // Else the reload alone renders it.
        let parsed = crate::read_parsed(root, path, rel)?;
        edits.push(Edit::of(h, parsed, path, drafts)?);
    }
    if edits.is_empty() {
        return None;
    }
    phases.mark("hot: read, parse and resolve");
    let urls: Vec<String> = edits.iter().map(|e| e.own_page(h)).collect::<Option<_>>()?;
    let journeys: Vec<String> = edits.iter().filter_map(Edit::journey).collect();
    let pages = render_own(h, theme, edits, None, &urls, &journeys);
    phases.mark("hot: render");
    pages
}

/// The hot path's pages of an edit of data files.
fn data_pages(
    h: &mut Handbook,
    theme: &Theme,
    root: &Path,
    edits: &[super::hot_data::DataEdit],
) -> Option<Site> {
    let mut phases = crate::timings::Phases::start();
    let (measurements, urls, journeys) = super::hot_data::measured_again(h, root, edits)?;
    phases.mark("hot: rows read again");
    let pages = render_own(h, theme, Vec::new(), Some(measurements), &urls, &journeys);
    phases.mark("hot: render");
    pages
}

/// Renders the pages `urls` with `edits` (and `measurements`) swapped into
/// `h`: for the render only, since the reload compares the new files with
/// the last good model to find the other pages they touch. `journeys`:
/// the journey ids of the pages, when every page is a journey's. A
/// template error gives `None` (the reload reports it).
fn render_own(
    h: &mut Handbook,
    theme: &Theme,
    edits: Vec<Edit>,
    measurements: Option<Arc<crate::metrics::Measurements>>,
    urls: &[String],
    journeys: &[String],
) -> Option<Site> {
    with_edits(h, edits, measurements, |h| {
        if journeys.len() == urls.len() {
            let ids: Vec<&str> = journeys.iter().map(String::as_str).collect();
            return render::render_journeys(h, theme, &ids).ok();
        }
        let files = render::render_files(h, theme, urls).ok()?;
        urls.iter()
            .zip(files)
            .map(|(url, file)| Some((url.clone(), file?.ok()?)))
            .collect::<Option<Site>>()
    })
}

/// One edited content file, parsed and checked against the last good
/// model, ready to stand in for the file of the same id in it.
enum Edit {
    Journey(Arc<Journey>, Vec<Handoff>),
    Persona(Persona),
    Touchpoint(Touchpoint),
    Research(Research),
    Opportunity(Opportunity),
    Page(Page),
    Home(Page),
}

impl Edit {
    /// The edit of the file at `path`, or `None` when only a reload can
    /// take it: a new file, a new id, kind, weight or draft state, a
    /// journey's new state or redesign, a touchpoint's new systems, or an
    /// error (the reload reports it).
    fn of(h: &Handbook, parsed: Parsed, path: &str, drafts: bool) -> Option<Edit> {
        fn old<'a, T>(
            map: &'a std::collections::BTreeMap<String, T>,
            meta: impl Fn(&T) -> &Meta,
            path: &str,
        ) -> Option<&'a T> {
            map.values().find(|v| meta(v).file == path)
        }
        let in_place =
            |new: &Meta, old: &Meta| new.id.value == old.id.value && new.weight == old.weight;
        let mut diags = Vec::new();
        let edit = match parsed {
            Parsed::Journey(mut j) => {
                let was = old(&h.journeys, |j| &j.meta, path)?;
                if !j.same_place_as(was) {
                    return None;
                }
                let handoffs = crate::resolve::resolve_journey(h, &mut j, &mut diags)?;
                Edit::Journey(j, handoffs)
            }
            Parsed::Persona(p) => {
                in_place(&p.meta, &old(&h.personas, |p| &p.meta, path)?.meta).then_some(())?;
                Edit::Persona(*p)
            }
            Parsed::Touchpoint(t) => {
                let was = old(&h.touchpoints, |t| &t.meta, path)?;
                let names = |t: &Touchpoint| {
                    t.systems
                        .iter()
                        .map(|s| s.value.clone())
                        .collect::<Vec<_>>()
                };
                (in_place(&t.meta, &was.meta) && names(&t) == names(was)).then_some(())?;
                Edit::Touchpoint(*t)
            }
            Parsed::Research(r) => {
                in_place(&r.meta, &old(&h.research, |r| &r.meta, path)?.meta).then_some(())?;
                Edit::Research(*r)
            }
            Parsed::Opportunity(o) => {
                in_place(&o.meta, &old(&h.opportunities, |o| &o.meta, path)?.meta).then_some(())?;
                Edit::Opportunity(*o)
            }
            Parsed::Page(p) => {
                in_place(&p.meta, &old(&h.pages, |p| &p.meta, path)?.meta).then_some(())?;
                Edit::Page(*p)
            }
            Parsed::Home(p) => {
                let was = h.home.as_ref().filter(|was| was.meta.file == path)?;
                in_place(&p.meta, &was.meta).then_some(())?;
                Edit::Home(*p)
            }
        };
        let mut edit = edit;
        // What the resolve does to a file of each kind: owners by their
        // department ids, the links of the body checked.
        let (meta, owner) = match &mut edit {
            Edit::Journey(j, _) => (&j.meta, None),
            Edit::Persona(p) => (&p.meta, None),
            Edit::Touchpoint(t) => (&t.meta, t.owner.as_mut()),
            Edit::Research(r) => (&r.meta, r.owner.as_mut()),
            Edit::Opportunity(o) => (&o.meta, o.owner.as_mut()),
            Edit::Page(p) | Edit::Home(p) => (&p.meta, None),
        };
        if meta.draft && !drafts {
            return None;
        }
        if let Some(owner) = owner {
            crate::resolve::check_owner(&h.config, &meta.file, owner, &mut diags);
        }
        if !matches!(edit, Edit::Journey(..)) {
            crate::resolve::check_body_links(edit.meta(), &h.routes.links, &mut diags);
        }
        (diagnostic::counts(&diags).0 == 0).then_some(edit)
    }

    fn meta(&self) -> &Meta {
        match self {
            Edit::Journey(j, _) => &j.meta,
            Edit::Persona(p) => &p.meta,
            Edit::Touchpoint(t) => &t.meta,
            Edit::Research(r) => &r.meta,
            Edit::Opportunity(o) => &o.meta,
            Edit::Page(p) | Edit::Home(p) => &p.meta,
        }
    }

    /// The journey's id, for a journey.
    fn journey(&self) -> Option<String> {
        matches!(self, Edit::Journey(..)).then(|| self.meta().id.value.clone())
    }

    /// The edited file's own page: where the model's routes put the file
    /// (an edit in place keeps its file and id, so its page).
    fn own_page(&self, h: &Handbook) -> Option<String> {
        let rel = crate::routes::content_rel(&self.meta().file);
        h.routes.links.files.get(rel).cloned()
    }

    /// Trades places with the file of the same id in `h` (twice: back).
    fn swap(&mut self, h: &mut Handbook) {
        fn trade<T>(map: &mut std::collections::BTreeMap<String, T>, id: &str, new: &mut T) {
            if let Some(old) = map.get_mut(id) {
                std::mem::swap(old, new);
            }
        }
        let id = self.meta().id.value.clone();
        match self {
            Edit::Journey(j, list) => {
                trade(&mut h.journeys, &id, j);
                trade(&mut h.handoffs, &id, list);
            }
            Edit::Persona(p) => trade(&mut h.personas, &id, p),
            Edit::Touchpoint(t) => trade(&mut h.touchpoints, &id, t),
            Edit::Research(r) => trade(&mut h.research, &id, r),
            Edit::Opportunity(o) => trade(&mut h.opportunities, &id, o),
            Edit::Page(p) => trade(&mut h.pages, &id, p),
            Edit::Home(p) => {
                if let Some(old) = &mut h.home {
                    std::mem::swap(old, p);
                }
            }
        }
    }
}

/// Runs `f` on `h` with the `edits` in place of its own files of the same
/// ids (and `measurements` in place of its own). Whatever `f` does, `h` is
/// its own again after: the swap back happens when the guard is dropped,
/// also on an early return or while a panic unwinds, so the last good
/// model never keeps an edit.
fn with_edits<R>(
    h: &mut Handbook,
    edits: Vec<Edit>,
    measurements: Option<Arc<crate::metrics::Measurements>>,
    f: impl FnOnce(&Handbook) -> R,
) -> R {
    struct Swapped<'a> {
        h: &'a mut Handbook,
        edits: Vec<Edit>,
        measurements: Option<Arc<crate::metrics::Measurements>>,
    }
    impl Swapped<'_> {
        fn swap(&mut self) {
            for e in &mut self.edits {
                e.swap(self.h);
            }
            if let Some(m) = &mut self.measurements {
                std::mem::swap(&mut self.h.measurements, m);
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
        edits,
        measurements,
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
    // that takes 100 ms), and the memory it held goes back to the system
    // (glibc would keep it for the next reload's peak to stack on). Before
    // the tabs are told, not after: freeing it while the author's next
    // edit takes the hot path slowed that edit's page by 40-80 ms.
    drop(old);
    crate::perf::release_freed_memory();
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
            "rebuilt {pages} {} ({files} {} changed, {rendered} rendered{}) in {} ms",
            if pages == 1 { "page" } else { "pages" },
            if files == 1 { "file" } else { "files" },
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
        let persona = h.personas.keys().next().expect("a persona").clone();
        let before = h.journeys[&id].title.clone();
        let name = h.personas[&persona].name.clone();
        let handoffs = h.handoffs[&id].len();
        let edits = |h: &Handbook| {
            let mut j = Journey::clone(&h.journeys[&id]);
            j.title = "Editado".to_owned();
            let mut p = h.personas[&persona].clone();
            p.name = "Otra".to_owned();
            vec![Edit::Journey(Arc::new(j), Vec::new()), Edit::Persona(p)]
        };
        let e = edits(&h);
        let seen = with_edits(&mut h, e, None, |h| {
            (
                h.journeys[&id].title.clone(),
                h.personas[&persona].name.clone(),
            )
        });
        assert_eq!(seen, ("Editado".to_owned(), "Otra".to_owned()));
        assert_eq!(h.journeys[&id].title, before);
        assert_eq!(h.personas[&persona].name, name);
        assert_eq!(h.handoffs[&id].len(), handoffs);

        // A render that panics half-way leaves the model as it was.
        let e = edits(&h);
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            with_edits(&mut h, e, None, |h| {
                assert_eq!(h.journeys[&id].title, "Editado");
                panic!("a template engine bug");
            })
        }));
        assert!(unwound.is_err());
        assert_eq!(h.journeys[&id].title, before);
        assert_eq!(h.personas[&persona].name, name);
        assert_eq!(h.handoffs[&id].len(), handoffs);
    }

    #[test]
    fn only_an_edit_in_place_takes_the_hot_path() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/es");
        let h = crate::load(&root, &crate::Options::default())
            .expect("the fixture loads")
            .handbook;
        let p = h.personas.values().next().expect("a persona").clone();
        let file = p.meta.file.clone();
        let mut renamed = p.clone();
        renamed.name = "Otra".to_owned();
        let edit =
            Edit::of(&h, Parsed::Persona(Box::new(renamed)), &file, false).expect("in place");
        assert_eq!(
            edit.own_page(&h),
            Some(crate::routes::persona_url(&p.meta.id.value))
        );
        // A new weight moves it in the lists: only a reload places it.
        let mut moved = p.clone();
        moved.meta.weight = Some(99);
        assert!(Edit::of(&h, Parsed::Persona(Box::new(moved)), &file, false).is_none());
        // A draft is left out of the site: the reload takes it out.
        let mut draft = p.clone();
        draft.meta.draft = true;
        assert!(Edit::of(&h, Parsed::Persona(Box::new(draft)), &file, false).is_none());
        // Another file's path: not this persona's edit.
        assert!(
            Edit::of(
                &h,
                Parsed::Persona(Box::new(p)),
                "content/personas/none.md",
                false
            )
            .is_none()
        );
    }
}
