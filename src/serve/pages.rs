//! The served files: rendered when first asked for by one worker thread
//! that owns the last good model, kept in a cache bounded by bytes, and
//! dropped from it by each change that touches them.
//!
//! Nothing is rendered up front: the server is ready once the handbook is
//! loaded, and its memory is the model plus the pages readers have looked
//! at recently ([`BUDGET`]). A page asked for twice at once is rendered
//! once (the worker looks in the cache before it renders).

use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::state::{Good, Shared, lock};
use crate::render;

/// How many bytes of rendered files the cache keeps (the least recently
/// asked for go first). At 10,000 journeys a journey page is ~70 KB: about
/// 900 pages.
pub(super) const BUDGET: usize = 64 << 20;

/// A file larger than this is rendered each time it is asked for and not
/// kept (`journeys.json` is ~100 MB at 10,000 journeys).
const LARGEST_KEPT: usize = BUDGET / 8;

/// What the worker answers for a file.
pub(super) enum Got {
    File(bytes::Bytes),
    /// The site has no such file.
    Missing,
    /// A template error, as text.
    Failed(String),
    /// There is no good model yet (the first build was broken).
    NoModel,
}

/// Something to do with the model, run on the worker (so no page is being
/// rendered meanwhile). The rebuild swaps a new model in; the hot path
/// swaps an edit in for a render and back out.
pub(super) type ModelFn = Box<dyn FnOnce(&mut Option<Good>) + Send>;

pub(super) enum Ask {
    File(String, oneshot::Sender<Got>),
    /// Files rendered again after a change, to compare with what was
    /// served: `None` for each file the site no longer has.
    Again(Vec<String>, oneshot::Sender<Vec<Option<bytes::Bytes>>>),
    Model(ModelFn),
}

struct Entry {
    bytes: bytes::Bytes,
    used: u64,
}

/// Rendered files of the current model.
#[derive(Default)]
pub(super) struct Cache {
    files: HashMap<String, Entry>,
    bytes: usize,
    tick: u64,
    /// Every HTML page served since it last changed, cached or not: the
    /// pages a tab may be showing.
    served: BTreeSet<String>,
}

impl Cache {
    pub(super) fn get(&mut self, path: &str) -> Option<bytes::Bytes> {
        self.tick += 1;
        let tick = self.tick;
        self.files.get_mut(path).map(|e| {
            e.used = tick;
            e.bytes.clone()
        })
    }

    /// Keeps a file of the current model, dropping the least recently used
    /// ones past the budget.
    pub(super) fn put(&mut self, path: &str, bytes: bytes::Bytes) {
        if bytes.len() > LARGEST_KEPT {
            return;
        }
        self.tick += 1;
        self.bytes += bytes.len();
        let entry = Entry {
            bytes,
            used: self.tick,
        };
        if let Some(old) = self.files.insert(path.to_owned(), entry) {
            self.bytes -= old.bytes.len();
        }
        if self.bytes > BUDGET {
            let mut by_age: Vec<(u64, String)> = self
                .files
                .iter()
                .map(|(p, e)| (e.used, p.clone()))
                .collect();
            by_age.sort_unstable();
            for (_, p) in by_age {
                if self.bytes <= BUDGET / 4 * 3 {
                    break;
                }
                if let Some(e) = self.files.remove(&p) {
                    self.bytes -= e.bytes.len();
                }
            }
        }
    }

    pub(super) fn served(&mut self, path: &str) {
        if path.ends_with(".html") && !self.served.contains(path) {
            self.served.insert(path.to_owned());
        }
    }

    /// A new model is in: drops the files it may have changed and says
    /// which: the cached ones with the bytes served (to render again and
    /// compare), and the pages served but no longer cached (a tab may show
    /// them: they are announced as they are). `touched` is `None` for
    /// every file; the search index, `journeys.json` and the sitemap
    /// always go. Files in `keep` (put in by the hot path for a change the
    /// new model has not seen) stay.
    pub(super) fn invalidate(
        &mut self,
        touched: Option<&dyn Fn(&str) -> bool>,
        keep: &BTreeSet<String>,
    ) -> (Vec<(String, bytes::Bytes)>, Vec<String>) {
        let hit = |p: &str| {
            !keep.contains(p)
                && (touched.is_none_or(|t| t(p)) || render::is_data_file(p) || p == "sitemap.xml")
        };
        let gone: Vec<String> = self.files.keys().filter(|p| hit(p)).cloned().collect();
        let mut again = Vec::new();
        for p in gone {
            if let Some(e) = self.files.remove(&p) {
                self.bytes -= e.bytes.len();
                again.push((p, e.bytes));
            }
        }
        again.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let unseen = self
            .served
            .iter()
            .filter(|p| hit(p) && !self.files.contains_key(*p))
            .filter(|p| again.binary_search_by(|(a, _)| a.as_str().cmp(p)).is_err())
            .cloned()
            .collect();
        (again, unseen)
    }
}

/// Starts the worker; it ends when every sender is gone.
pub(super) fn start(shared: std::sync::Weak<Shared>) -> mpsc::Sender<Ask> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("journeydoc-render".to_owned())
        .spawn(move || work(&rx, &shared))
        .expect("a thread starts");
    tx
}

fn work(rx: &mpsc::Receiver<Ask>, shared: &std::sync::Weak<Shared>) {
    let mut good: Option<Good> = None;
    let mut next: Option<Ask> = None;
    loop {
        let Some(ask) = next.take().or_else(|| rx.recv().ok()) else {
            return;
        };
        let ask = match ask {
            Ask::Model(f) => {
                f(&mut good);
                continue;
            }
            other => other,
        };
        let Some(g) = &good else {
            match ask {
                Ask::File(_, reply) => {
                    let _ = reply.send(Got::NoModel);
                }
                Ask::Again(paths, reply) => {
                    let _ = reply.send(vec![None; paths.len()]);
                }
                Ask::Model(_) => unreachable!("taken above"),
            }
            continue;
        };
        // Requests are answered with this model's page list and templates
        // until the model is to change.
        let served = render::on_demand(&g.run.handbook, &g.theme, |pages| {
            let mut ask = ask;
            loop {
                match ask {
                    Ask::Model(f) => return Some(Ask::Model(f)),
                    Ask::File(path, reply) => {
                        let _ = reply.send(file(pages, shared, &path));
                    }
                    Ask::Again(paths, reply) => {
                        let files = pages
                            .files(&paths)
                            .into_iter()
                            .map(|f| f.and_then(Result::ok).map(bytes::Bytes::from))
                            .collect();
                        let _ = reply.send(files);
                    }
                }
                ask = rx.recv().ok()?;
            }
        });
        match served {
            Ok(Some(ask)) => next = Some(ask),
            Ok(None) => return,
            // The templates were checked before the model came in; if they
            // fail anyway, this request gets nothing (a 500) and the next
            // tries again.
            Err(_) => {}
        }
    }
}

/// A file from the cache, else rendered (and kept).
fn file(pages: &render::OnDemand, shared: &std::sync::Weak<Shared>, path: &str) -> Got {
    let Some(shared) = shared.upgrade() else {
        return Got::Missing;
    };
    if let Some(bytes) = lock(&shared.cache).get(path) {
        return Got::File(bytes);
    }
    match pages.file(path) {
        None => Got::Missing,
        Some(Err(d)) => Got::Failed(d.message),
        Some(Ok(bytes)) => {
            let bytes = bytes::Bytes::from(bytes);
            lock(&shared.cache).put(path, bytes.clone());
            Got::File(bytes)
        }
    }
}

/// Asks the worker and waits (from a thread that is not the runtime's).
pub(super) fn ask_blocking<T>(
    shared: &Shared,
    ask: impl FnOnce(oneshot::Sender<T>) -> Ask,
) -> Option<T> {
    let (tx, rx) = oneshot::channel();
    lock(&shared.asks).send(ask(tx)).ok()?;
    rx.blocking_recv().ok()
}

/// Runs `f` on the worker with the model and waits for its result.
pub(super) fn with_model<T: Send + 'static>(
    shared: &Shared,
    f: impl FnOnce(&mut Option<Good>) -> T + Send + 'static,
) -> Option<T> {
    ask_blocking(shared, |tx| {
        Ask::Model(Box::new(move |good| {
            let _ = tx.send(f(good));
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize) -> bytes::Bytes {
        bytes::Bytes::from(vec![b'x'; n])
    }

    #[test]
    fn the_cache_stays_within_its_budget_and_drops_the_least_recently_used() {
        let mut cache = Cache::default();
        let size = BUDGET / 10;
        for i in 0..10 {
            cache.put(&format!("p{i}.html"), page(size));
        }
        // p0 asked for again: it is the newest now.
        assert!(cache.get("p0.html").is_some());
        cache.put("p10.html", page(size));
        assert!(cache.bytes <= BUDGET, "{} bytes", cache.bytes);
        assert!(cache.get("p0.html").is_some(), "recently used, kept");
        assert!(
            cache.get("p1.html").is_none(),
            "least recently used, dropped"
        );
        assert!(cache.get("p10.html").is_some());
        cache.put("journeys.json", page(LARGEST_KEPT + 1));
        assert!(cache.get("journeys.json").is_none(), "too large to keep");
    }

    #[test]
    fn a_change_drops_what_it_touches_and_names_the_pages_tabs_may_show() {
        let mut cache = Cache::default();
        for p in ["a.html", "b.html", "search/t-1.js", "static/style.css"] {
            cache.put(p, page(10));
            cache.served(p);
        }
        cache.served("gone-from-cache.html");
        cache.served("untouched.html");
        let touched = |p: &str| p == "a.html" || p == "gone-from-cache.html";
        let (again, unseen) = cache.invalidate(Some(&touched), &BTreeSet::new());
        let again: Vec<&str> = again.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(again, ["a.html", "search/t-1.js"]);
        assert_eq!(unseen, ["gone-from-cache.html"]);
        assert!(cache.get("b.html").is_some() && cache.get("static/style.css").is_some());

        // Every file, but the one the hot path put in for a later change.
        let keep: BTreeSet<String> = ["b.html".to_owned()].into();
        let (again, unseen) = cache.invalidate(None, &keep);
        let again: Vec<&str> = again.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(again, ["static/style.css"]);
        assert_eq!(unseen, ["a.html", "gone-from-cache.html", "untouched.html"]);
        assert!(cache.get("b.html").is_some());
    }
}
