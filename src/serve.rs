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

/// One full build in memory: the configuration it used, and the site or the
/// diagnostics that stop it.
fn build_site(root: &Path, drafts: bool) -> Result<(Config, Result<Site, Broken>), crate::Error> {
    let run = crate::load(root, &crate::Options { drafts })?;
    let config = run.handbook.config.clone();
    if run.has_errors() {
        return Ok((config, Err((run.diagnostics, run.sources))));
    }
    let theme = match Theme::load(root, &config.theme) {
        Ok(theme) => theme,
        Err(e) => match e.diagnostic() {
            Some(d) => return Ok((config, Err((vec![d], run.sources)))),
            None => {
                return Err(crate::Error::Io {
                    path: root.join("themes"),
                    source: std::io::Error::other(e),
                });
            }
        },
    };
    let site = render::render(&run.handbook, &theme, &|_| {}).map_err(|d| (d, run.sources));
    Ok((config, site))
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
    let (config, first) = build_site(&opts.root, opts.drafts)?;
    let (site, problem) = match first {
        Ok(site) => (site, None),
        Err((diags, sources)) => {
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

/// Watches `content/`, `themes/` and `book.toml`; rebuilds on a change.
fn watch(
    opts: &Options,
    content_dir: &str,
    output_dir: &str,
    shared: Arc<Shared>,
) -> Result<Debouncer, ServeError> {
    use notify::RecursiveMode;
    let root = opts.root.canonicalize()?;
    let output = root.join(output_dir);
    let content = root.join(content_dir);
    let themes = root.join("themes");
    let book = root.join(crate::config::FILE);
    let o = opts.clone();
    let handler_root = root.clone();
    let (w_content, w_themes) = (content.clone(), themes.clone());
    let mut debouncer = notify_debouncer_full::new_debouncer(
        Duration::from_millis(30),
        None,
        move |result: notify_debouncer_full::DebounceEventResult| {
            let Ok(events) = result else { return };
            // Reads (our own rebuild opens every file) are not changes.
            let relevant = events
                .iter()
                .filter(|e| !matches!(e.kind, notify::EventKind::Access(_)))
                .flat_map(|e| e.paths.iter())
                .any(|p| {
                    !p.starts_with(&output)
                        && (p.starts_with(&w_content) || p.starts_with(&w_themes) || p == &book)
                });
            if relevant {
                rebuild(&handler_root, &o, &shared);
            }
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
    // The root itself only for book.toml (editors replace it by renaming).
    watch_one(&mut debouncer, &root, RecursiveMode::NonRecursive)?;
    if content.is_dir() {
        watch_one(&mut debouncer, &content, RecursiveMode::Recursive)?;
    }
    if themes.is_dir() {
        watch_one(&mut debouncer, &themes, RecursiveMode::Recursive)?;
    }
    Ok(debouncer)
}

/// Rebuilds, swaps the site in, and tells every tab.
fn rebuild(root: &Path, opts: &Options, shared: &Shared) {
    let started = Instant::now();
    match build_site(root, opts.drafts) {
        Ok((_, Ok(site))) => {
            let old = shared.site.read().map(|s| s.clone()).unwrap_or_default();
            let changed = changed_paths(&old, &site);
            let was_broken = shared
                .problem
                .write()
                .map(|mut p| p.take().is_some())
                .unwrap_or(false);
            if was_broken {
                let _ = shared.notes.send(Note::Fixed);
            }
            if !changed.is_empty() {
                if let Ok(mut s) = shared.site.write() {
                    *s = Arc::new(site);
                }
                let v = shared
                    .version
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                    + 1;
                let _ = shared.notes.send(Note::Reload(v));
            }
            if !opts.quiet {
                let pages = changed.iter().filter(|p| p.ends_with(".html")).count();
                eprintln!(
                    "rebuilt {pages} {} ({} files changed) in {} ms",
                    if pages == 1 { "page" } else { "pages" },
                    changed.len(),
                    started.elapsed().as_millis()
                );
            }
        }
        Ok((_, Err((diags, sources)))) => {
            eprint!("{}", diagnostic::render_text(&diags, &sources, opts.color));
            eprintln!("the content has errors: still serving the last good build");
            let json = problem_json(&diags, &sources);
            if let Ok(mut p) = shared.problem.write() {
                *p = Some(json.clone());
            }
            let _ = shared.notes.send(Note::Problem(json));
        }
        Err(e) => eprintln!("error: {e}"),
    }
}

/// Output paths whose bytes differ (added, changed or removed).
fn changed_paths(old: &Site, new: &Site) -> Vec<String> {
    let mut out: Vec<String> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    out.extend(old.keys().filter(|k| !new.contains_key(*k)).cloned());
    out
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
    let site = shared.site.read().map(|s| s.clone()).unwrap_or_default();
    let rel = path
        .strip_prefix(shared.prefix.as_str())
        .or_else(|| path.strip_prefix('/'))
        .unwrap_or(&path);
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
