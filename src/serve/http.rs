//! The HTTP side: files of the served site (under the `base-url` path or
//! at `/`), the live-reload script and events (server-sent), and the
//! overlay's diagnostics.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::pages::{Ask, Got};
use super::state::*;
use crate::diagnostic::{self, Diagnostic, Severity, Sources};
use crate::render::{self, Site};

/// Where the live-reload events are (absolute: it works under any sub-path).
pub(super) const EVENTS: &str = "/__journeydoc/events";
/// The live-reload script, served as a file: the pages' Content-Security-Policy
/// allows scripts from the same origin only, not inline ones.
pub(super) const LIVE: &str = "/__journeydoc/live.js";

/// The script added to every HTML page served (not to built files).
pub(super) const LIVE_SCRIPT: &str = include_str!("../../themes/default/live.js");

/// The diagnostics as the overlay shows them.
pub(super) fn problem_json(diags: &[Diagnostic], sources: &Sources) -> String {
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

/// The path part of `base-url`, with slashes at both ends.
pub(super) fn url_path(base_url: &str) -> String {
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
pub(super) fn error_site(title: &str) -> Site {
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

/// Server-sent events: first the current state, then every note.
pub(super) async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
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

pub(super) fn content_type(path: &str) -> &'static str {
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

/// A file of the site, under the `base-url` path or at `/`: from the cache,
/// else rendered by the worker.
pub(super) async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
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
    let mut key = rel.to_owned();
    if key.is_empty() || key.ends_with('/') {
        key.push_str("index.html");
    }
    let mut found = fetch(&shared, &key).await;
    if matches!(found, Fetched::Missing) {
        let dir = format!("{key}/index.html");
        found = fetch(&shared, &dir).await;
        if matches!(found, Fetched::Found(_)) {
            key = dir;
        }
    }
    let (status, key, bytes) = match found {
        Fetched::Found(b) => {
            lock(&shared.cache).served(&key);
            (StatusCode::OK, key, b)
        }
        Fetched::Failed(why) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{key} could not be rendered: {why}\n"),
            )
                .into_response();
        }
        Fetched::Missing => match fetch(&shared, "404.html").await {
            Fetched::Found(b) => (StatusCode::NOT_FOUND, "404.html".to_owned(), b),
            _ => (
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

enum Fetched {
    Found(bytes::Bytes),
    Missing,
    Failed(String),
}

/// One file: cached, else asked of the worker.
async fn fetch(shared: &Shared, key: &str) -> Fetched {
    if let Some(bytes) = lock(&shared.cache).get(key) {
        return Fetched::Found(bytes);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    if lock(&shared.asks)
        .send(Ask::File(key.to_owned(), tx))
        .is_err()
    {
        return Fetched::Failed("the renderer has stopped".to_owned());
    }
    match rx.await {
        Ok(Got::File(bytes)) => Fetched::Found(bytes),
        Ok(Got::Missing) => Fetched::Missing,
        Ok(Got::Failed(why)) => Fetched::Failed(why),
        Ok(Got::NoModel) => match shared.fallback.get(key) {
            Some(bytes) => Fetched::Found(bytes::Bytes::from(bytes.clone())),
            None => Fetched::Missing,
        },
        Err(_) => Fetched::Failed("the theme's templates fail: see the terminal".to_owned()),
    }
}

pub(super) fn with_live_script(html: &[u8]) -> bytes::Bytes {
    let script = format!("<script src=\"{LIVE}\"></script>");
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out.into()
}

pub(super) fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
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
