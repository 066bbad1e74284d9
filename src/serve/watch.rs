//! Watching the sources: `content/`, `themes/`, `book.toml` and the data
//! folder (`data/*.csv`). Each change takes the hot path (journey edits)
//! and is queued for the rebuild thread; a data file changes every page
//! that shows a measurement, so it rebuilds them all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::rebuild::{Builder, hot, rebuild};
use super::state::*;
use super::{Options, ServeError};

pub(super) type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// What keeps the watcher alive: dropping it stops watching.
pub(super) type Watching = Arc<std::sync::Mutex<Debouncer>>;

/// Watches `content/`, `themes/` and `book.toml`; rebuilds on a change.
///
/// The content folder may be deleted and created again (a branch switch, a
/// restore from a backup): its watch goes with it, so when it comes back a
/// helper thread watches it anew and rebuilds once more, for the files that
/// arrived before the watch was back.
pub(super) fn watch(
    opts: &Options,
    content_dir: &str,
    data_dir: &str,
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
    let data = root.join(data_dir);
    let book = root.join(crate::config::FILE);
    let o = opts.clone();
    let handler_root = root.clone();
    let book_path = book.clone();
    let (w_content, w_themes, w_data) = (content.clone(), themes.clone(), data.clone());
    let content_watched = Arc::new(AtomicBool::new(false));
    let data_watched = Arc::new(AtomicBool::new(false));
    let (rewatch, rewatch_rx) = std::sync::mpsc::channel::<()>();
    let (h_shared, h_watched) = (shared.clone(), content_watched.clone());
    let h_data_watched = data_watched.clone();
    // Rebuilds run on their own thread, so the watcher goes on serving the
    // hot path while one is under way; changes that arrive meanwhile are
    // taken together by the next rebuild.
    let (rebuilds, rebuild_rx) = std::sync::mpsc::channel::<Change>();
    let (w_shared, w_opts) = (shared.clone(), opts.clone());
    let (w_root, w_data_dir) = (root.clone(), data_dir.to_owned());
    std::thread::spawn(move || {
        // The data files' lines, for the hot path of their first edit.
        w_shared.data_lines.remember(&w_root, &w_data_dir);
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
    let h_data_dir = data_dir.to_owned();
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
                    // In the data folder only `*.csv` files are read (an
                    // editor's temporary file there changes nothing).
                    let data = p.starts_with(&w_data)
                        && (*p == &w_data
                            || p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")));
                    !p.starts_with(&output)
                        && (p.starts_with(&w_content)
                            || p.starts_with(&w_themes)
                            || data
                            || *p == &book)
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
            // The data folder, made (or made again) while serving.
            if relevant.iter().any(|p| **p == w_data) {
                if !w_data.is_dir() {
                    h_data_watched.store(false, Ordering::SeqCst);
                } else if !h_data_watched.load(Ordering::SeqCst) {
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
            // The configuration or the theme: every page, the theme loaded
            // again. (A data file changes every page too, but the reload
            // finds that out by comparing the measurements.)
            let full = relevant
                .iter()
                .any(|p| p.starts_with(&w_themes) || *p == &book_path);
            let number = h_shared.changes.fetch_add(1, Ordering::SeqCst) + 1;
            if !full {
                hot(
                    &handler_root,
                    drafts,
                    &h_data_dir,
                    &rel,
                    number,
                    &o,
                    &h_shared,
                );
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
    // Only `*.csv` directly under it are read: not recursive.
    if data.is_dir() && !data.starts_with(&content) {
        watch_one(&mut debouncer, &data, RecursiveMode::NonRecursive)?;
        data_watched.store(true, Ordering::SeqCst);
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
            if !data_watched.load(Ordering::SeqCst)
                && data.is_dir()
                && watching
                    .lock()
                    .is_ok_and(|mut d| d.watch(&data, RecursiveMode::NonRecursive).is_ok())
            {
                data_watched.store(true, Ordering::SeqCst);
                shared.changes.fetch_add(1, Ordering::SeqCst);
                let _ = rebuilds.send(Change {
                    paths: Vec::new(),
                    full: true,
                });
            }
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
pub(super) struct Change {
    paths: Vec<String>,
    full: bool,
}
