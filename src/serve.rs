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
use std::sync::{Arc, RwLock};
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
    /// New pages are ready (the build's number).
    Reload(u64),
    /// The content is broken: the diagnostics, as JSON.
    Problem(String),
    /// The content is fixed (a reload follows if pages changed).
    Fixed,
}

struct Shared {
    site: RwLock<Arc<Site>>,
    /// After a partial rebuild: the model the search index and journeys.json
    /// are to be rebuilt from, the first time one of them is asked for.
    stale_data: std::sync::Mutex<Option<Arc<crate::Run>>>,
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

/// What the dev server keeps between rebuilds: the parsed files, and the
/// last good model and theme (to work out which pages a change touches).
struct Builder {
    root: PathBuf,
    drafts: bool,
    cache: crate::FileCache,
    last: Option<(Arc<crate::Run>, Theme)>,
}

/// What a (re)build gave.
enum Built {
    /// The whole site.
    Full(Site),
    /// The pages that may have changed. The search index and
    /// journeys.json are rebuilt from `data` when first asked for.
    Partial { files: Site, data: Arc<crate::Run> },
    /// The content has errors.
    Broken(Broken),
}

impl Builder {
    fn new(root: &Path, drafts: bool) -> Builder {
        Builder {
            root: root.to_path_buf(),
            drafts,
            cache: crate::FileCache::default(),
            last: None,
        }
    }

    /// Loads the handbook (reading only files that changed since the last
    /// time) and renders what the change touches; `full` forces every page
    /// (book.toml, a template or a static file changed).
    fn build(&mut self, full: bool) -> Result<(Config, Built), crate::Error> {
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
        let theme = match (&self.last, full) {
            (Some((_, theme)), false) => theme.clone(),
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
        let touched = match (&self.last, full) {
            (Some((last, _)), false) => affected(&last.handbook, &run.handbook),
            _ => None,
        };
        let run = Arc::new(run);
        let built = match touched {
            Some(pages) => {
                let wanted = |p: &str| pages.contains(p) || p.starts_with("systems/");
                render::render_pages(&run.handbook, &theme, &wanted).map(|files| Built::Partial {
                    files,
                    data: run.clone(),
                })
            }
            None => render::render(&run.handbook, &theme, &|_| {}).map(Built::Full),
        };
        match built {
            Ok(built) => {
                self.last = Some((run, theme));
                Ok((config, built))
            }
            Err(d) => Ok((config, Built::Broken((d, run.sources.clone())))),
        }
    }
}

/// The pages a change from `old` to `new` can touch, when only journeys
/// changed (same ids, same everything else); `None` when something else did
/// (then every page is rebuilt). The dependency set of a changed journey:
/// its page and its neighbours' (previous/next labels), the pages of its
/// persona, lens and touchpoints (old and new), journeys that link to it as
/// `next`, every system page, and the indexes and overviews that summarise
/// all journeys.
fn affected(
    old: &crate::resolve::Handbook,
    new: &crate::resolve::Handbook,
) -> Option<BTreeSet<String>> {
    use crate::render::views::{
        journey_order, journey_url, lens_url, persona_order, persona_url, touchpoint_url,
    };
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
        let order = journey_order(h, &persona_order(h));
        for id in &changed {
            let j = &h.journeys[*id];
            pages.insert(journey_url(id));
            pages.insert(persona_url(&j.persona.value));
            pages.insert(lens_url(&j.lens.value));
            for (_, step) in j.steps() {
                for t in &step.touchpoints {
                    pages.insert(touchpoint_url(&t.value));
                }
            }
            if let Some(i) = order.iter().position(|o| o == id) {
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
    let (config, first) = builder.build(true)?;
    let (site, problem) = match first {
        Built::Full(site) | Built::Partial { files: site, .. } => (site, None),
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
        site: RwLock::new(Arc::new(site)),
        stale_data: std::sync::Mutex::new(None),
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
    use std::sync::atomic::{AtomicBool, Ordering};
    let root = opts.root.canonicalize()?;
    let output = root.join(output_dir);
    let content = root.join(content_dir);
    let themes = root.join("themes");
    let book = root.join(crate::config::FILE);
    let o = opts.clone();
    let handler_root = root.clone();
    let book_path = book.clone();
    let (w_content, w_themes) = (content.clone(), themes.clone());
    let builder = Arc::new(std::sync::Mutex::new(builder));
    let content_watched = Arc::new(AtomicBool::new(false));
    let (rewatch, rewatch_rx) = std::sync::mpsc::channel::<()>();
    let (h_builder, h_shared, h_watched) =
        (builder.clone(), shared.clone(), content_watched.clone());
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
            // Whatever the file stamps say, these are read again.
            let rel: Vec<String> = relevant
                .iter()
                .filter_map(|p| p.strip_prefix(&handler_root).ok())
                .map(crate::source::slash_path)
                .collect();
            let Ok(mut builder) = h_builder.lock() else {
                return;
            };
            builder.cache.forget(rel.iter().map(String::as_str));
            // The configuration or the theme: every page.
            let full = relevant
                .iter()
                .any(|p| p.starts_with(&w_themes) || *p == &book_path);
            rebuild(&mut builder, full, &o, &h_shared);
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
    let o = opts.clone();
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
                if let Ok(mut builder) = builder.lock() {
                    rebuild(&mut builder, false, &o, &shared);
                }
            }
        }
    });
    Ok(watching)
}

/// Rebuilds, swaps the new pages in, and tells every tab.
fn rebuild(builder: &mut Builder, full: bool, opts: &Options, shared: &Shared) {
    let started = Instant::now();
    let (updates, data, whole) = match builder.build(full) {
        Ok((_, Built::Full(site))) => (site, None, true),
        Ok((_, Built::Partial { files, data })) => (files, Some(data), false),
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
    if let Ok(mut stale) = shared.stale_data.lock() {
        *stale = data;
    }
    let changed = merge(shared, updates, whole);
    let was_broken = shared
        .problem
        .write()
        .map(|mut p| p.take().is_some())
        .unwrap_or(false);
    if was_broken {
        let _ = shared.notes.send(Note::Fixed);
    }
    if !changed.is_empty() {
        let v = shared
            .version
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        let _ = shared.notes.send(Note::Reload(v));
    }
    if !opts.quiet {
        let pages = changed.iter().filter(|p| p.ends_with(".html")).count();
        eprintln!(
            "rebuilt {pages} {} ({} files changed, {rendered} rendered{}) in {} ms",
            if pages == 1 { "page" } else { "pages" },
            changed.len(),
            if whole { ", full" } else { "" },
            started.elapsed().as_millis()
        );
    }
}

/// Puts new files into the served site; with `whole`, files the new site
/// lacks are removed, and with data files, search shards no longer written
/// are. Returns the paths whose bytes changed.
fn merge(shared: &Shared, updates: Site, whole: bool) -> Vec<String> {
    let Ok(mut current) = shared.site.write() else {
        return Vec::new();
    };
    let site = Arc::make_mut(&mut current);
    let data = updates.keys().any(|k| render::is_data_file(k));
    let gone: Vec<String> = site
        .keys()
        .filter(|k| !updates.contains_key(*k) && (whole || (data && k.starts_with("search/"))))
        .cloned()
        .collect();
    let mut changed = gone.clone();
    for k in gone {
        site.remove(&k);
    }
    for (path, bytes) in updates {
        if site.get(&path) != Some(&bytes) {
            changed.push(path.clone());
            site.insert(path, bytes);
        }
    }
    changed
}

/// Rebuilds the search index and journeys.json if a partial rebuild left
/// them stale (at most once per rebuild; other readers wait for it).
fn refresh_data(shared: &Shared) {
    let Ok(mut stale) = shared.stale_data.lock() else {
        return;
    };
    if let Some(run) = stale.take() {
        let files: Site = render::data_files(&run.handbook).into_iter().collect();
        merge(shared, files, false);
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
    let notes = BroadcastStream::new(shared.notes.subscribe()).filter_map(|n| {
        n.ok().map(|n| {
            Ok(match n {
                Note::Reload(v) => Event::default().event("reload").data(v.to_string()),
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
                b"not found\n".to_vec(),
            ),
        },
    };
    let body = if key.ends_with(".html") {
        with_live_script(bytes)
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

fn with_live_script(mut html: Vec<u8>) -> Vec<u8> {
    let script = format!("<script src=\"{LIVE}\"></script>");
    let at = find_last(&html, b"</body>").unwrap_or(html.len());
    html.splice(at..at, script.into_bytes());
    html
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
