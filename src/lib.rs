//! journeydoc: Markdown customer journeys → a static CX handbook.
//!
//! The pipeline (see `docs/architecture.md`): [`load`] reads `book.toml` and
//! the content files (the only I/O of `check`), [`parse`] turns front matter
//! into the model, [`resolve`] checks references and lens rules and computes
//! handoffs. Every stage pushes [`diagnostic::Diagnostic`]s instead of
//! stopping, so one run reports every problem.

pub mod authoring;
pub mod cli;
pub mod commands;
pub mod config;
#[doc(hidden)]
pub mod corpus;
pub mod diagnostic;
pub mod diff;
pub mod evidence;
pub mod fields;
pub mod insights;
pub mod interchange;
pub mod links;
pub mod lsp;
pub mod matching;
pub mod metrics;
pub mod model;
pub mod node;
pub mod opportunities;
pub mod output;
pub mod parse;
pub mod perf;
pub mod picture;
pub mod redesign;
pub mod render;
pub mod resolve;
pub mod routes;
pub mod schema;
pub mod serve;
pub mod source;
pub mod systems;
pub mod text;
pub mod theme;
pub mod timings;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Sources};
use crate::model::Content;
use crate::parse::Parsed;
use crate::resolve::Handbook;

/// Problems that stop a run before content can be checked (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no book.toml in `{0}`")]
    NoBook(PathBuf),
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// What the user can do about it.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            Error::NoBook(_) => Some(
                "run journeydoc in a handbook folder, pass `--root DIR`, or create one with `journeydoc init`",
            ),
            Error::Io { .. } => None,
        }
    }
}

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Include files marked `draft: true`.
    pub drafts: bool,
}

/// The result of loading and resolving a handbook.
pub struct Run {
    pub handbook: Handbook,
    /// Sorted: by file, then position.
    pub diagnostics: Vec<Diagnostic>,
    /// The text of every file a diagnostic may point into.
    pub sources: Sources,
    /// How many content files were read.
    pub files: usize,
}

impl Run {
    pub fn has_errors(&self) -> bool {
        diagnostic::counts(&self.diagnostics).0 > 0
    }
}

/// Loads, parses and resolves the handbook at `root`: what `check` does.
pub fn load(root: &Path, options: &Options) -> Result<Run, Error> {
    load_with(root, options, None)
}

/// Content files read and parsed by an earlier load (the dev server keeps
/// one): a file whose size and modification time have not changed is taken
/// from here instead of being read and parsed again.
#[derive(Default)]
pub struct FileCache {
    /// Shared, so a load copies an entry after letting the lock go (12,900
    /// copies under one lock took both cores' turns one at a time).
    entries: std::sync::Mutex<std::collections::HashMap<String, (Stamp, Arc<Loaded>)>>,
    /// The last measurements read, with what they were read against.
    measurements: std::sync::Mutex<Option<MeasuredOnce>>,
}

/// `data/*.csv` as read by the last load: reused while no data file
/// changed and the journeys, stages, step ids, touchpoints and metrics the
/// rows are checked against are the same (a reload after a persona or a
/// journey's text edit does not read 900,000 rows again).
struct MeasuredOnce {
    against: MeasuredAgainst,
    measurements: Arc<metrics::Measurements>,
    diagnostics: Vec<Diagnostic>,
    sources: Sources,
}

/// What the rows of the data files depend on.
#[derive(PartialEq)]
struct MeasuredAgainst {
    files: Vec<(String, Option<Stamp>)>,
    catalog: metrics::Catalog,
    /// A hash of every journey id with its stage names and step ids, and
    /// of every touchpoint id.
    shape: u64,
}

impl MeasuredAgainst {
    fn of(root: &Path, handbook: &Handbook, catalog: &metrics::Catalog) -> MeasuredAgainst {
        use std::hash::{Hash, Hasher};
        let files = metrics::data::files(root, &handbook.config.data_dir)
            .into_iter()
            .map(|f| {
                let s = stamp(&root.join(&f));
                (f, s)
            })
            .collect();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (id, j) in &handbook.journeys {
            id.hash(&mut h);
            for stage in &j.stages {
                1u8.hash(&mut h);
                stage.name.value.hash(&mut h);
                for step in &stage.steps {
                    2u8.hash(&mut h);
                    step.id.as_ref().map(|i| i.value.as_str()).hash(&mut h);
                }
            }
            3u8.hash(&mut h);
        }
        for id in handbook.touchpoints.keys() {
            id.hash(&mut h);
        }
        MeasuredAgainst {
            files,
            catalog: catalog.clone(),
            shape: h.finish(),
        }
    }
}

/// What tells a file changed without reading it.
type Stamp = (Option<std::time::SystemTime>, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::symlink_metadata(path).ok()?;
    Some((m.modified().ok(), m.len()))
}

impl FileCache {
    /// Forgets these files (paths relative to the root, `/`-separated), so
    /// the next load reads them whatever their stamps say.
    pub fn forget<'a>(&self, paths: impl IntoIterator<Item = &'a str>) {
        if let Ok(mut e) = self.entries.lock() {
            for p in paths {
                e.remove(p);
                // A data file named: the measurements are read again too.
                if p.to_ascii_lowercase().ends_with(".csv")
                    && let Ok(mut m) = self.measurements.lock()
                {
                    *m = None;
                }
            }
        }
    }
}

/// [`load`], reusing the files of `cache` that did not change (and keeping
/// the new ones in it).
pub fn load_cached(root: &Path, options: &Options, cache: &FileCache) -> Result<Run, Error> {
    load_with(root, options, Some(cache))
}

/// Texts that stand in for files on disk (an editor's unsaved buffers),
/// by path relative to the root, `/`-separated. A path under the content
/// folder that is not on disk yet is a new file.
pub type Overlay = std::collections::BTreeMap<String, Arc<str>>;

/// [`load_cached`] with the files of `overlay` read from memory instead of
/// the disk (the language server's view of a handbook being edited).
pub fn load_overlay(
    root: &Path,
    options: &Options,
    cache: &FileCache,
    overlay: &Overlay,
) -> Result<Run, Error> {
    load_with_overlay(root, options, Some(cache), Some(overlay))
}

fn load_with(root: &Path, options: &Options, cache: Option<&FileCache>) -> Result<Run, Error> {
    load_with_overlay(root, options, cache, None)
}

fn load_with_overlay(
    root: &Path,
    options: &Options,
    cache: Option<&FileCache>,
    overlay: Option<&Overlay>,
) -> Result<Run, Error> {
    let mut phases = timings::Phases::start();
    let book = root.join(config::FILE);
    let bytes = match std::fs::read(&book) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NoBook(root.to_path_buf()));
        }
        Err(source) => return Err(Error::Io { path: book, source }),
    };
    let mut diags = Vec::new();
    let mut sources = Sources::new();
    let config = match source::decode(config::FILE, bytes) {
        Ok(text) => {
            sources.insert(config::FILE.to_owned(), text.clone());
            config::parse(&text, &mut diags)
        }
        Err(problem) => {
            if let Some(t) = problem.text {
                sources.insert(config::FILE.to_owned(), t);
            }
            diags.push(problem.diagnostic);
            Config::default()
        }
    };

    let mut config = config;
    // An absolute content folder inside the handbook is the same folder as
    // its relative spelling (paths in diagnostics and kinds by folder are
    // relative to the root).
    if Path::new(&config.content_dir).is_absolute() {
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let (abs, top) = (canonical(Path::new(&config.content_dir)), canonical(root));
        if let Ok(rel) = abs.strip_prefix(&top) {
            config.content_dir = config::normalize_dir(&source::slash_path(rel));
        }
    }
    let content_dir = root.join(&config.content_dir);
    let paths = if content_dir.is_dir() {
        source::walk(root, &content_dir, &mut diags).map_err(|source| Error::Io {
            path: content_dir.clone(),
            source,
        })?
    } else {
        diags.push(
            Diagnostic::warning(
                "no-content",
                format!("the content folder `{}` does not exist", config.content_dir),
            )
            .in_file(config::FILE)
            .help("create it, or set `content-dir` under [build]"),
        );
        Vec::new()
    };

    let mut paths = paths;
    if let Some(overlay) = overlay {
        let prefix = format!("{}/", config.content_dir.trim_end_matches('/'));
        let on_disk: std::collections::HashSet<String> =
            paths.iter().map(|p| source::slash_path(p)).collect();
        let new: Vec<PathBuf> = overlay
            .keys()
            .filter(|k| k.starts_with(&prefix) && k.ends_with(".md") && !on_disk.contains(*k))
            .map(PathBuf::from)
            .collect();
        if !new.is_empty() {
            paths.extend(new);
            paths.sort();
        }
    }
    // Reading and parsing are independent per file: do them in parallel,
    // then merge in path order so the output stays deterministic.
    let content_prefix = Path::new(&config.content_dir);
    let loaded: Vec<Loaded> = paths
        .par_iter()
        .map(|path| {
            let rel = path.strip_prefix(content_prefix).unwrap_or(path);
            let key = source::slash_path(path);
            if let Some(text) = overlay.and_then(|o| o.get(&key)) {
                return load_text(&key, &source::slash_path(rel), text.clone());
            }
            let Some(cache) = cache else {
                return load_file(root, &key, &source::slash_path(rel));
            };
            let now = stamp(&root.join(path));
            let kept = now.and_then(|now| {
                let entries = cache.entries.lock().ok()?;
                let (was, file) = entries.get(&key)?;
                (*was == now).then(|| file.clone())
            });
            if let Some(file) = kept {
                return Loaded::clone(&file);
            }
            let file = load_file(root, &key, &source::slash_path(rel));
            if let (Some(now), Ok(mut entries)) = (now, cache.entries.lock()) {
                entries.insert(key, (now, Arc::new(file.clone())));
            }
            file
        })
        .collect();
    if let Some(cache) = cache
        && let Ok(mut entries) = cache.entries.lock()
    {
        // Files that are gone are forgotten.
        let live: std::collections::HashSet<String> =
            paths.iter().map(|p| source::slash_path(p)).collect();
        entries.retain(|k, _| live.contains(k));
    }
    phases.mark("read and parse");
    let mut content = Content::default();
    for file in loaded {
        diags.extend(file.diagnostics);
        if let Some(text) = file.text {
            sources.insert(file.path, text);
        }
        match file.parsed {
            Ok(parsed) => add(&mut content, parsed, options.drafts),
            Err(Some(unreadable)) => content.unreadable.push(unreadable),
            Err(None) => {}
        }
    }
    let mut handbook = resolve::resolve(config, content, &mut diags);
    phases.mark("resolve");
    read_measurements(root, &mut handbook, &mut diags, &mut sources, cache);
    diagnostic::sort(&mut diags);
    perf::release_freed_memory();
    phases.mark("measurements");
    Ok(Run {
        handbook,
        diagnostics: diags,
        sources,
        files: paths.len(),
    })
}

/// Reads `data/*.csv` against the resolved handbook and checks the
/// front-matter targets and typed values against it (SPEC 3,
/// "Measurements over time").
/// With a `cache`, the last load's measurements are taken again when
/// nothing they depend on changed ([`MeasuredOnce`]).
fn read_measurements(
    root: &Path,
    handbook: &mut Handbook,
    diags: &mut Vec<Diagnostic>,
    sources: &mut Sources,
    cache: Option<&FileCache>,
) {
    let catalog = metrics::Catalog::new(&handbook.config);
    let against = cache.map(|_| MeasuredAgainst::of(root, handbook, &catalog));
    let kept = cache
        .and_then(|c| c.measurements.lock().ok())
        .and_then(|last| {
            last.as_ref()
                .filter(|last| Some(&last.against) == against.as_ref())
                .map(|last| {
                    (
                        last.measurements.clone(),
                        last.diagnostics.clone(),
                        last.sources.clone(),
                    )
                })
        });
    let (m, read_diags, read_sources) = kept.unwrap_or_else(|| {
        let known = metrics::data::Known {
            catalog: &catalog,
            journeys: &handbook.journeys,
            touchpoints: &handbook.touchpoints,
        };
        let (mut d, mut s) = (Vec::new(), Sources::new());
        let m = Arc::new(metrics::data::read(
            root,
            &handbook.config.data_dir,
            &known,
            &mut d,
            &mut s,
        ));
        if let (Some(cache), Some(against)) = (cache, against)
            && let Ok(mut last) = cache.measurements.lock()
        {
            *last = Some(MeasuredOnce {
                against,
                measurements: m.clone(),
                diagnostics: d.clone(),
                sources: s.clone(),
            });
        }
        (m, d, s)
    });
    diags.extend(read_diags);
    sources.extend(read_sources);
    metrics::check(&m, &handbook.journeys, &handbook.touchpoints, diags);
    handbook.measurements = m;
}

/// One content file after reading and parsing.
#[derive(Clone)]
struct Loaded {
    path: String,
    text: Option<Arc<str>>,
    diagnostics: Vec<Diagnostic>,
    /// The parsed file; or, when its front matter could not be read, the
    /// kind, id and path it would have had (`None` if it could not even be read).
    parsed: Result<Parsed, Option<(source::Kind, String, String)>>,
}

fn load_file(root: &Path, path: &str, rel: &str) -> Loaded {
    loaded(path, source::read(root, path, rel))
}

fn load_text(path: &str, rel: &str, text: Arc<str>) -> Loaded {
    loaded(path, source::from_text(path, rel, text))
}

fn loaded(path: &str, read: Result<source::SourceFile, Box<source::LoadProblem>>) -> Loaded {
    let mut diagnostics = Vec::new();
    let file = match read {
        Ok(f) => f,
        Err(problem) => {
            diagnostics.push(problem.diagnostic);
            return Loaded {
                path: path.to_owned(),
                text: problem.text,
                diagnostics,
                parsed: Err(None),
            };
        }
    };
    // A file whose front matter cannot be read is reported once; references
    // to it are not reported again.
    let parsed = parse::parse_file(&file, &mut diagnostics)
        .ok_or_else(|| Some((file.kind, parse::default_id(&file), file.rel.clone())));
    Loaded {
        path: path.to_owned(),
        text: Some(file.text),
        diagnostics,
        parsed,
    }
}

/// Reads and parses one content file as a load does (`path` relative to
/// the root, `rel` to the content folder); `None` if it has errors (a whole
/// load reports them).
pub(crate) fn read_parsed(root: &Path, path: &str, rel: &str) -> Option<Parsed> {
    let file = load_file(root, path, rel);
    if diagnostic::counts(&file.diagnostics).0 > 0 {
        return None;
    }
    file.parsed.ok()
}

fn add(content: &mut Content, parsed: Parsed, drafts: bool) {
    let draft = match &parsed {
        Parsed::Home(p) | Parsed::Page(p) => p.meta.draft,
        Parsed::Persona(p) => p.meta.draft,
        Parsed::Touchpoint(t) => t.meta.draft,
        Parsed::Journey(j) => j.meta.draft,
        Parsed::Research(r) => r.meta.draft,
        Parsed::Opportunity(o) => o.meta.draft,
    };
    if draft && !drafts {
        return;
    }
    match parsed {
        Parsed::Home(p) => content.home = Some(*p),
        Parsed::Page(p) => content.pages.push(*p),
        Parsed::Persona(p) => content.personas.push(*p),
        Parsed::Touchpoint(t) => content.touchpoints.push(*t),
        Parsed::Journey(j) => content.journeys.push(j),
        Parsed::Research(r) => content.research.push(*r),
        Parsed::Opportunity(o) => content.opportunities.push(*o),
    }
}

/// Cases for a property test: `PROPTEST_CASES` when set (long fuzz runs),
/// else `default`.
#[cfg(test)]
pub(crate) fn test_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A journey resolve leaves as written is the file cache's own copy in
    /// every model loaded from the cache; one whose owner is spelled by the
    /// department's name is rewritten in a copy of its own, and the cache
    /// keeps the file as written.
    #[test]
    fn journeys_are_shared_with_the_file_cache_unless_rewritten() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
            std::fs::write(path, text).expect("a file");
        };
        write(
            "book.toml",
            "[book]\ntitle = \"T\"\n\n[departments]\nventas = \"Ventas\"\n",
        );
        write("content/personas/p.md", "---\nname: P\n---\n");
        let journey = |owner: &str| {
            format!(
                "---\ntitle: J\npersona: p\nstages:\n  - name: S\n    steps:\n      - action: A\n        emotion: happy\n        owner: {owner}\n---\n"
            )
        };
        write("content/journeys/as-written.md", &journey("ventas"));
        write("content/journeys/by-name.md", &journey("Ventas"));
        let cache = FileCache::default();
        let options = Options::default();
        let first = load_cached(root, &options, &cache).expect("loads").handbook;
        let second = load_cached(root, &options, &cache).expect("loads").handbook;
        let owner = |h: &Handbook, id: &str| {
            h.journeys[id].stages[0].steps[0]
                .owner
                .as_ref()
                .map(|o| o.value.to_string())
        };
        assert!(Arc::ptr_eq(
            &first.journeys["as-written"],
            &second.journeys["as-written"]
        ));
        assert!(!Arc::ptr_eq(
            &first.journeys["by-name"],
            &second.journeys["by-name"]
        ));
        assert_eq!(owner(&second, "by-name").as_deref(), Some("ventas"));
        let entries = cache.entries.lock().expect("the cache");
        let (_, cached) = &entries["content/journeys/by-name.md"];
        let Ok(Parsed::Journey(j)) = &cached.parsed else {
            panic!("the cached file is a journey");
        };
        assert_eq!(
            j.stages[0].steps[0].owner.as_ref().map(|o| &*o.value),
            Some("Ventas")
        );
    }
}
