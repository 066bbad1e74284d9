//! `journeydoc serve`: build in memory, serve over HTTP, watch the sources,
//! rebuild, and reload every open tab once the new pages are ready.
//!
//! * The site is served from memory (the output folder is not touched); a
//!   rebuild replaces it in one swap, so a request sees the old site or the
//!   new one, never half of each.
//! * While the content has errors the last good site keeps being served,
//!   the diagnostics are printed as `check` prints them, and every open tab
//!   shows them in an overlay until the content is fixed.
//! * Only paths of the built site are served: `..`, encoded or doubled
//!   slashes, backslashes and NUL are refused (400) before any lookup, and
//!   there is no file system behind the server to escape to.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::config::Config;
use crate::diagnostic::{self, Diagnostic, Severity, Sources};
use crate::render::{self, Site};
use crate::theme::Theme;

/// Where the live-reload events are (absolute: it works under any sub-path).
const EVENTS: &str = "/__journeydoc/events";
/// The live-reload script, served as a file: the pages' Content-Security-Policy
/// allows scripts from the same origin only, not inline ones.
const LIVE: &str = "/__journeydoc/live.js";

/// The script added to every HTML page served (not to built files).
const LIVE_SCRIPT: &str = include_str!("../themes/default/live.js");

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub address: Option<String>,
    pub port: Option<u16>,
    pub drafts: bool,
    pub open: bool,
    pub quiet: bool,
    pub color: bool,
}

/// What every open tab is told.
#[derive(Debug, Clone)]
enum Note {
    /// New pages are ready: the build's number and the site paths whose
    /// bytes changed (`None`: too many to list, every tab reloads).
    Reload(u64, Option<Vec<String>>),
    /// The content is broken: the diagnostics, as JSON.
    Problem(String),
    /// The content is fixed (a reload follows if pages changed).
    Fixed,
}

/// The site as served: cloning it (a request holds it while a rebuild
/// swaps pages in) copies no page.
type Served = BTreeMap<String, bytes::Bytes>;

fn served(site: Site) -> Served {
    site.into_iter().map(|(k, v)| (k, v.into())).collect()
}

struct Shared {
    site: RwLock<Arc<Served>>,
    /// The model and theme of the last good build.
    good: Mutex<Option<Good>>,
    /// After a partial rebuild the search index and journeys.json are
    /// behind: rebuilt from `good` the first time one of them is asked for.
    stale_data: Mutex<bool>,
    /// Changes seen by the watcher, counted; and the pages the hot path put
    /// in, with the number of the change they show. A rebuild that started
    /// before that change does not put its older bytes over them.
    changes: AtomicU64,
    hot: Mutex<BTreeMap<String, u64>>,
    problem: RwLock<Option<String>>,
    version: std::sync::atomic::AtomicU64,
    /// The path prefix of `base-url` (`/handbook/`), also served at `/`.
    prefix: String,
    notes: broadcast::Sender<Note>,
}

/// Why `serve` could not start (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Load(#[from] crate::Error),
    #[error("the address {addr} is already in use")]
    InUse { addr: String },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot watch `{path}`: {message}")]
    Watch { path: PathBuf, message: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ServeError {
    pub fn help(&self) -> Option<&'static str> {
        match self {
            ServeError::InUse { .. } => Some(
                "stop the other server, or pick another port with `--port N` (`--port 0` picks a free one)",
            ),
            ServeError::Load(e) => e.help(),
            _ => None,
        }
    }
}

/// What stops a build: the diagnostics and the texts they point into.
type Broken = (Vec<Diagnostic>, Sources);

/// The last good build's model and theme: what a change is compared with
/// (to work out which pages it touches), and what the hot path renders with.
struct Good {
    run: crate::Run,
    theme: Theme,
}

/// What the dev server keeps between rebuilds: the parsed files.
struct Builder {
    root: PathBuf,
    drafts: bool,
    cache: crate::FileCache,
}

/// What a (re)build gave.
enum Built {
    /// The whole site.
    Full(Site),
    /// The pages that may have changed (the search index and journeys.json
    /// are rebuilt when first asked for).
    Partial(Site),
    /// The content has errors.
    Broken(Broken),
}

/// Locks a mutex, also after a panic elsewhere (the data is still whole:
/// nothing here panics half-way through a change).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Builder {
    fn new(root: &Path, drafts: bool) -> Builder {
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
    fn build(
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
            _ => (None, None),
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
            Some(pages) => {
                let wanted = |p: &str| pages.contains(p) || p.starts_with("systems/");
                render::render_pages(&run.handbook, &theme, &wanted).map(Built::Partial)
            }
            None => render::render(&run.handbook, &theme, &|_| {}).map(Built::Full),
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

/// The pages a change from `old` to `new` can touch, when only journeys
/// changed (same ids, same everything else); `None` when something else did
/// (then every page is rebuilt). The dependency set of a changed journey:
/// its page and its neighbours' (previous/next labels), the pages of its
/// persona, every page of its lens, its touchpoints (old and new; a journey
/// moved to another lens or persona rebuilds everything), journeys that link to it as
/// `next`, every system page, and the indexes and overviews that summarise
/// all journeys.
fn affected(
    old: &crate::resolve::Handbook,
    new: &crate::resolve::Handbook,
) -> Option<BTreeSet<String>> {
    use crate::routes::{journey_url, lens_page_urls, persona_url, touchpoint_url};
    fn same_text(a: &crate::model::Meta, b: &crate::model::Meta) -> bool {
        Arc::ptr_eq(&a.source, &b.source) || a.source == b.source
    }
    fn same<T>(
        a: &BTreeMap<String, T>,
        b: &BTreeMap<String, T>,
        meta: impl Fn(&T) -> &crate::model::Meta,
    ) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|((ka, va), (kb, vb))| ka == kb && same_text(meta(va), meta(vb)))
    }
    if format!("{:?}", old.config) != format!("{:?}", new.config)
        || !same(&old.personas, &new.personas, |p| &p.meta)
        || !same(&old.touchpoints, &new.touchpoints, |t| &t.meta)
        || !same(&old.pages, &new.pages, |p| &p.meta)
        || old.home.as_ref().map(|p| &p.meta.source) != new.home.as_ref().map(|p| &p.meta.source)
        || !old.journeys.keys().eq(new.journeys.keys())
    {
        return None;
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
        a.lens.value != b.lens.value || a.persona.value != b.persona.value
    }) {
        return None;
    }
    let mut pages = BTreeSet::new();
    if changed.is_empty() {
        return Some(pages);
    }
    for page in [
        "index.html",
        "insights.html",
        "journeys/index.html",
        "lenses/index.html",
        "touchpoints/index.html",
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
            // the persona order and ids, unchanged here; see below).
            let on_lens = h
                .journeys
                .values()
                .filter(|o| o.lens.value == j.lens.value)
                .count();
            pages.extend(lens_page_urls(&j.lens.value, on_lens));
            for (_, step) in j.steps() {
                for t in &step.touchpoints {
                    pages.insert(touchpoint_url(&t.value));
                }
            }
            if let Some(i) = order.iter().position(|o| o == *id) {
                for k in [i.wrapping_sub(1), i + 1] {
                    if let Some(n) = order.get(k) {
                        pages.insert(journey_url(n));
                    }
                }
            }
        }
        for (id, j) in &h.journeys {
            if j.next.iter().any(|n| changed.contains(&&n.value)) {
                pages.insert(journey_url(id));
                pages.insert(persona_url(&j.persona.value));
            }
        }
    }
    Some(pages)
}

/// The diagnostics as the overlay shows them.
fn problem_json(diags: &[Diagnostic], sources: &Sources) -> String {
    let items: Vec<serde_json::Value> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let (line, column, source) = match (&d.file, &d.span) {
                (Some(f), Some(span)) => match sources.get(f) {
                    Some(text) => {
                        let (p, _) = diagnostic::locate(text, span);
                        let src = text
                            .split('\n')
                            .nth(p.line - 1)
                            .unwrap_or("")
                            .trim_end_matches('\r');
                        (Some(p.line), Some(p.column), Some(src.to_owned()))
                    }
                    None => (None, None, None),
                },
                _ => (None, None, None),
            };
            serde_json::json!({
                "file": d.file, "line": line, "column": column, "message": d.message,
                "help": d.help, "source": source, "code": d.code,
            })
        })
        .collect();
    serde_json::to_string(&items).expect("diagnostics serialise")
}

/// Runs the server until Ctrl-C.
pub fn serve(opts: Options) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(opts))
}

async fn run(opts: Options) -> Result<(), ServeError> {
    let started = Instant::now();
    // The configuration decides the address, port and watched folders.
    let mut builder = Builder::new(&opts.root, opts.drafts);
    let good = Mutex::new(None);
    let (config, first) = builder.build(true, &good)?;
    let (site, problem) = match first {
        Built::Full(site) | Built::Partial(site) => (site, None),
        Built::Broken((diags, sources)) => {
            eprint!("{}", diagnostic::render_text(&diags, &sources, opts.color));
            (
                error_site(&config.title),
                Some(problem_json(&diags, &sources)),
            )
        }
    };
    let prefix = url_path(&config.base_url);
    let (notes, _) = broadcast::channel(64);
    let shared = Arc::new(Shared {
        site: RwLock::new(Arc::new(served(site))),
        good,
        stale_data: Mutex::new(false),
        changes: AtomicU64::new(0),
        hot: Mutex::new(BTreeMap::new()),
        problem: RwLock::new(problem),
        version: std::sync::atomic::AtomicU64::new(1),
        prefix,
        notes,
    });

    let address = opts.address.clone().unwrap_or(config.address.clone());
    let port = opts.port.unwrap_or(config.port);
    let addr_text = format!("{address}:{port}");
    let addr: SocketAddr = tokio::net::lookup_host(&addr_text)
        .await
        .map_err(|source| ServeError::Listen {
            addr: addr_text.clone(),
            source,
        })?
        .next()
        .ok_or_else(|| ServeError::Listen {
            addr: addr_text.clone(),
            source: std::io::Error::other("no such address"),
        })?;
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return Err(ServeError::InUse { addr: addr_text });
        }
        Err(source) => {
            return Err(ServeError::Listen {
                addr: addr_text,
                source,
            });
        }
    };
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() {
        eprintln!(
            "warning: serving on {}: the handbook is visible to other machines on the network",
            local.ip()
        );
    }
    let url = format!("http://{local}{}", shared.prefix);
    println!("serving {} at {url} (Ctrl-C to stop)", config.title);
    if !opts.quiet {
        eprintln!("built in {} ms", started.elapsed().as_millis());
    }
    if opts.open {
        let _ = std::process::Command::new(if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        })
        .arg(&url)
        .spawn();
    }

    let watcher = watch(
        &opts,
        &config.content_dir,
        &config.output_dir,
        builder,
        shared.clone(),
    )?;
    let app = Router::new()
        .route(EVENTS, get(events))
        .route(
            LIVE,
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "no-cache"),
                    ],
                    LIVE_SCRIPT,
                )
            }),
        )
        .fallback(get(page))
        .with_state(shared.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    drop(watcher);
    if !opts.quiet {
        eprintln!("stopped");
    }
    Ok(())
}

/// The path part of `base-url`, with slashes at both ends.
fn url_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| {
        rest.find('/').map_or("/", |i| &rest[i..])
    });
    let trimmed = after_scheme.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    }
}

/// A stand-in site while the very first build is broken.
fn error_site(title: &str) -> Site {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body><h1>{}</h1><p>The handbook has errors; fix them and this page reloads.</p></body></html>",
        render::escape(title),
        render::escape(title)
    );
    let mut site = Site::new();
    site.insert("index.html".to_owned(), html.clone().into_bytes());
    site.insert("404.html".to_owned(), html.into_bytes());
    site
}

type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// What keeps the watcher alive: dropping it stops watching.
type Watching = Arc<std::sync::Mutex<Debouncer>>;

/// Watches `content/`, `themes/` and `book.toml`; rebuilds on a change.
///
/// The content folder may be deleted and created again (a branch switch, a
/// restore from a backup): its watch goes with it, so when it comes back a
/// helper thread watches it anew and rebuilds once more, for the files that
/// arrived before the watch was back.
fn watch(
    opts: &Options,
    content_dir: &str,
    output_dir: &str,
    builder: Builder,
    shared: Arc<Shared>,
) -> Result<Watching, ServeError> {
    use notify::RecursiveMode;
    use std::sync::atomic::AtomicBool;
    let root = opts.root.canonicalize()?;
    let output = root.join(output_dir);
    let content = root.join(content_dir);
    let themes = root.join("themes");
    let book = root.join(crate::config::FILE);
    let o = opts.clone();
    let handler_root = root.clone();
    let book_path = book.clone();
    let (w_content, w_themes) = (content.clone(), themes.clone());
    let content_watched = Arc::new(AtomicBool::new(false));
    let (rewatch, rewatch_rx) = std::sync::mpsc::channel::<()>();
    let (h_shared, h_watched) = (shared.clone(), content_watched.clone());
    // Rebuilds run on their own thread, so the watcher goes on serving the
    // hot path while one is under way; changes that arrive meanwhile are
    // taken together by the next rebuild.
    let (rebuilds, rebuild_rx) = std::sync::mpsc::channel::<Change>();
    let (w_shared, w_opts) = (shared.clone(), opts.clone());
    std::thread::spawn(move || {
        let mut builder = builder;
        while let Ok(mut change) = rebuild_rx.recv() {
            while let Ok(more) = rebuild_rx.try_recv() {
                change.paths.extend(more.paths);
                change.full |= more.full;
            }
            builder
                .cache
                .forget(change.paths.iter().map(String::as_str));
            rebuild(&mut builder, change.full, &w_opts, &w_shared);
        }
    });
    let h_rebuilds = rebuilds.clone();
    let drafts = opts.drafts;
    let mut debouncer = notify_debouncer_full::new_debouncer(
        Duration::from_millis(30),
        None,
        move |result: notify_debouncer_full::DebounceEventResult| {
            let Ok(events) = result else { return };
            // Reads (our own rebuild opens every file) are not changes.
            let relevant: Vec<&PathBuf> = events
                .iter()
                .filter(|e| !matches!(e.kind, notify::EventKind::Access(_)))
                .flat_map(|e| e.paths.iter())
                .filter(|p| {
                    !p.starts_with(&output)
                        && (p.starts_with(&w_content) || p.starts_with(&w_themes) || *p == &book)
                })
                .collect();
            if relevant.is_empty() {
                return;
            }
            if relevant.iter().any(|p| **p == w_content) {
                let back = w_content.is_dir();
                if !back {
                    h_watched.store(false, Ordering::SeqCst);
                } else if !h_watched.load(Ordering::SeqCst) {
                    let _ = rewatch.send(());
                }
            }
            // Whatever the file stamps say, these are read again. Once each:
            // an editor's rename-over-the-file save names the file in two
            // events.
            let rel: Vec<String> = relevant
                .iter()
                .filter_map(|p| p.strip_prefix(&handler_root).ok())
                .map(crate::source::slash_path)
                .collect::<BTreeSet<String>>()
                .into_iter()
                .collect();
            // The configuration or the theme: every page.
            let full = relevant
                .iter()
                .any(|p| p.starts_with(&w_themes) || *p == &book_path);
            let number = h_shared.changes.fetch_add(1, Ordering::SeqCst) + 1;
            if !full {
                hot(&handler_root, drafts, &rel, number, &o, &h_shared);
            }
            let _ = h_rebuilds.send(Change { paths: rel, full });
        },
    )
    .map_err(|e| ServeError::Watch {
        path: root.clone(),
        message: e.to_string(),
    })?;
    let watch_one = |d: &mut Debouncer, path: &Path, mode: RecursiveMode| {
        d.watch(path, mode).map_err(|e| ServeError::Watch {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    };
    // The root itself for book.toml (editors replace it by renaming) and for
    // the content folder coming and going.
    watch_one(&mut debouncer, &root, RecursiveMode::NonRecursive)?;
    if content.is_dir() {
        watch_one(&mut debouncer, &content, RecursiveMode::Recursive)?;
        content_watched.store(true, Ordering::SeqCst);
    }
    if themes.is_dir() {
        watch_one(&mut debouncer, &themes, RecursiveMode::Recursive)?;
    }
    let watching = Arc::new(std::sync::Mutex::new(debouncer));
    // Holds the watcher weakly: it ends when the watcher is dropped (which
    // drops the sender the event handler owns).
    let weak = Arc::downgrade(&watching);
    std::thread::spawn(move || {
        while rewatch_rx.recv().is_ok() {
            let Some(watching) = weak.upgrade() else {
                return;
            };
            if content_watched.load(Ordering::SeqCst) || !content.is_dir() {
                continue;
            }
            let ok = watching
                .lock()
                .is_ok_and(|mut d| d.watch(&content, RecursiveMode::Recursive).is_ok());
            drop(watching);
            if ok {
                content_watched.store(true, Ordering::SeqCst);
                shared.changes.fetch_add(1, Ordering::SeqCst);
                let _ = rebuilds.send(Change {
                    paths: Vec::new(),
                    full: false,
                });
            }
        }
    });
    Ok(watching)
}

/// What the watcher saw: paths that changed (relative to the root), and
/// whether every page must be rebuilt.
struct Change {
    paths: Vec<String>,
    full: bool,
}

/// The hot path, taken before the rebuild when a change only edits journey
/// files the last good build has (same ids, no errors, no new system):
/// their pages alone are rendered against the last good model with the new
/// journeys swapped in, put in the served site and announced at once. The
/// pages the edit also touches (persona, lens, touchpoints, overviews)
/// follow with the rebuild. `paths` name each file once (the journeys are
/// swapped in and back out one for one).
fn hot(root: &Path, drafts: bool, paths: &[String], number: u64, opts: &Options, shared: &Shared) {
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
        match crate::read_journey(root, path, rel) {
            Some(j) if j.meta.id.value == id && (drafts || !j.meta.draft) => edited.push(j),
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
    // Swapped in for the render, and back: the rebuild compares the new
    // files with the last good build to find the other pages they touch.
    let swap = |h: &mut crate::resolve::Handbook,
                js: &mut Vec<crate::model::Journey>,
                hs: &mut Vec<Vec<crate::insights::Handoff>>| {
        for (j, list) in js.iter_mut().zip(hs.iter_mut()) {
            let id = j.meta.id.value.clone();
            if let (Some(old), Some(old_list)) = (h.journeys.get_mut(&id), h.handoffs.get_mut(&id))
            {
                std::mem::swap(old, j);
                std::mem::swap(old_list, list);
            }
        }
    };
    phases.mark("hot: resolve");
    swap(h, &mut edited, &mut handoffs);
    let ids: Vec<String> = h
        .journeys
        .iter()
        .filter(|(_, j)| paths.contains(&j.meta.file))
        .map(|(id, _)| id.clone())
        .collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let pages = render::render_journeys(h, theme, &id_refs);
    phases.mark("hot: render");
    swap(h, &mut edited, &mut handoffs);
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

/// A read lock that survives a panic elsewhere.
fn lock_read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Tells every tab that these paths changed (nothing when none did).
fn announce(shared: &Shared, changed: Vec<String>) {
    if changed.is_empty() {
        return;
    }
    let v = shared.version.fetch_add(1, Ordering::SeqCst) + 1;
    // A long list is sent as "everything": every tab reloads.
    let pages = (changed.len() <= 200).then_some(changed);
    let _ = shared.notes.send(Note::Reload(v, pages));
}

/// Rebuilds, swaps the new pages in, and tells every tab.
fn rebuild(builder: &mut Builder, full: bool, opts: &Options, shared: &Shared) {
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
fn merge(shared: &Shared, updates: Site, whole: bool, seen: Option<u64>) -> Vec<String> {
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
fn refresh_data(shared: &Shared) {
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

/// Server-sent events: first the current state, then every note.
async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let version = shared.version.load(std::sync::atomic::Ordering::SeqCst);
    let mut first = vec![Ok::<Event, std::convert::Infallible>(
        Event::default().event("hello").data(version.to_string()),
    )];
    if let Some(p) = shared.problem.read().ok().and_then(|p| p.clone()) {
        first.push(Ok(Event::default().event("problem").data(p)));
    }
    let prefix = shared.prefix.clone();
    let notes = BroadcastStream::new(shared.notes.subscribe()).filter_map(move |n| {
        n.ok().map(|n| {
            Ok(match n {
                Note::Reload(v, pages) => Event::default().event("reload").data(
                    serde_json::json!({ "version": v, "prefix": prefix, "pages": pages })
                        .to_string(),
                ),
                Note::Problem(p) => Event::default().event("problem").data(p),
                Note::Fixed => Event::default().event("fixed").data("ok"),
            })
        })
    });
    Sse::new(tokio_stream::iter(first).chain(notes)).keep_alive(KeepAlive::default())
}

/// Why a request path cannot name a file of the site, if it cannot.
pub fn check_path(raw: &str) -> Result<String, &'static str> {
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || raw.contains('\\') {
        return Err("encoded slash or backslash");
    }
    if raw.contains("//") {
        return Err("doubled slash");
    }
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| "not UTF-8")?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err("NUL or backslash");
    }
    if decoded.split('/').any(|s| s == ".." || s == ".") {
        return Err("dot segment");
    }
    Ok(decoded.into_owned())
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// A file of the site, under the `base-url` path or at `/`.
async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let path = match check_path(uri.path()) {
        Ok(p) => p,
        Err(why) => {
            return (StatusCode::BAD_REQUEST, format!("bad request: {why}\n")).into_response();
        }
    };
    let rel = path
        .strip_prefix(shared.prefix.as_str())
        .or_else(|| path.strip_prefix('/'))
        .unwrap_or(&path);
    if render::is_data_file(rel) {
        let s = shared.clone();
        let _ = tokio::task::spawn_blocking(move || refresh_data(&s)).await;
    }
    let site = shared.site.read().map(|s| s.clone()).unwrap_or_default();
    let mut key = rel.to_owned();
    if key.is_empty() || key.ends_with('/') {
        key.push_str("index.html");
    }
    let found = site.get(&key).map(|b| (key.clone(), b)).or_else(|| {
        let dir = format!("{key}/index.html");
        site.get(&dir).map(|b| (dir, b))
    });
    let (status, key, bytes) = match found {
        Some((k, b)) => (StatusCode::OK, k, b.clone()),
        None => match site.get("404.html") {
            Some(b) => (StatusCode::NOT_FOUND, "404.html".to_owned(), b.clone()),
            None => (
                StatusCode::NOT_FOUND,
                "404.txt".to_owned(),
                bytes::Bytes::from_static(b"not found\n"),
            ),
        },
    };
    let body = if key.ends_with(".html") {
        with_live_script(&bytes)
    } else {
        bytes
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&key)),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, must-revalidate"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn with_live_script(html: &[u8]) -> bytes::Bytes {
    let script = format!("<script src=\"{LIVE}\"></script>");
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out.into()
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_paths_are_refused() {
        for bad in [
            "/../book.toml",
            "/%2e%2e/book.toml",
            "/a/%2E%2E/%2e%2e/x",
            "//etc/passwd",
            "/static/..%2f..%2fbook.toml",
            "/a\\b",
            "/x%00.html",
            "/./index.html",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_path("/journeys/carla/activity.html").unwrap(),
            "/journeys/carla/activity.html"
        );
        assert_eq!(check_path("/se%C3%B1al.html").unwrap(), "/señal.html");
    }

    #[test]
    fn base_url_paths() {
        assert_eq!(url_path("/"), "/");
        assert_eq!(url_path("https://cx.example.org/handbook/"), "/handbook/");
        assert_eq!(url_path("/docs/cx"), "/docs/cx/");
        assert_eq!(url_path("https://cx.example.org"), "/");
    }
}
