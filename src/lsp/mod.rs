//! `journeydoc lsp`: the Language Server Protocol over stdin/stdout (a
//! front end, like `serve`: it uses the pipeline and nothing uses it).
//!
//! This module owns the protocol: the message loop (reading is
//! [`framing`]'s: our own reader, so that a malformed message gets an error
//! response instead of ending the session), the open documents, and converting between
//! the protocol's positions and journeydoc's byte spans. What a handbook
//! answers is in [`features`]; the loaded handbooks in `book`; the
//! cursor's context in [`context`]. Messages are `lsp-server`'s types (the
//! crate rust-analyzer is built on: synchronous, no async runtime), the
//! payloads `lsp-types`'.
//!
//! Every change is answered twice: at once for an edited journey, by the
//! quick check against the last whole load; and ~100 ms after the typing
//! stops, by a whole load on a worker thread (unchanged files come from a
//! cache), whose diagnostics are exactly `check`'s and cover every file.

mod book;
pub mod context;
pub mod features;
mod framing;
pub mod position;
mod requests;

pub use framing::{Frame, MAX_MESSAGE, read_frame};

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lt;
use lsp_types::Url;
use serde_json::{Value, json};

use book::Book;

use position::LineIndex;

/// How long after the last change the whole load starts.
const SETTLE: Duration = Duration::from_millis(100);

/// Runs the server on stdin/stdout until `exit`; the process's exit code
/// (0 after `shutdown`, else 1, as the protocol says).
pub fn run() -> u8 {
    let (tx, rx) = mpsc::channel();
    let reader_tx = tx.clone();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        loop {
            let frame = read_frame(&mut input);
            let end = matches!(frame, Frame::End);
            if reader_tx.send(Event::Frame(frame)).is_err() || end {
                break;
            }
        }
    });
    let mut server = Server::new(std::io::stdout(), tx);
    server.serve(rx)
}

enum Event {
    Frame(Frame),
    Loaded {
        root: PathBuf,
        generation: u64,
        run: Result<Box<crate::Run>, String>,
    },
}

/// An open document.
struct Open {
    path: PathBuf,
    /// The handbook it is in (found once, when it is opened).
    root: Option<PathBuf>,
    text: Arc<str>,
    version: i32,
}

/// What the client can do with a workspace edit.
#[derive(Default)]
struct Client {
    document_changes: bool,
    rename_files: bool,
    watch_files: bool,
}

struct Server<W: Write> {
    out: W,
    events: Sender<Event>,
    docs: BTreeMap<Url, Open>,
    books: BTreeMap<PathBuf, Book>,
    /// When each handbook's next whole load starts.
    due: BTreeMap<PathBuf, Instant>,
    client: Client,
    initialized: bool,
    shutdown: bool,
    next_id: i32,
}

/// A request's answer: a result, or an error code and message.
type Answer = Result<Value, (ErrorCode, String)>;

impl<W: Write> Server<W> {
    fn new(out: W, events: Sender<Event>) -> Server<W> {
        Server {
            out,
            events,
            docs: BTreeMap::new(),
            books: BTreeMap::new(),
            due: BTreeMap::new(),
            client: Client::default(),
            initialized: false,
            shutdown: false,
            next_id: 0,
        }
    }

    fn serve(&mut self, rx: Receiver<Event>) -> u8 {
        loop {
            let now = Instant::now();
            let wait = self
                .due
                .values()
                .min()
                .map_or(Duration::from_secs(3600), |d| {
                    d.saturating_duration_since(now)
                });
            match rx.recv_timeout(wait) {
                Ok(Event::Frame(Frame::End)) | Err(RecvTimeoutError::Disconnected) => {
                    return if self.shutdown { 0 } else { 1 };
                }
                Ok(Event::Frame(Frame::Message(m))) => {
                    if let Some(code) = self.message(m) {
                        return code;
                    }
                }
                Ok(Event::Frame(Frame::Invalid(code, message, id))) => {
                    self.send(json!({
                        "jsonrpc": "2.0",
                        "id": id.unwrap_or(Value::Null),
                        "error": {"code": code as i32, "message": message},
                    }));
                }
                Ok(Event::Loaded {
                    root,
                    generation,
                    run,
                }) => self.loaded(root, generation, run),
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.start_loads();
        }
    }

    fn send(&mut self, v: Value) {
        let text = v.to_string();
        let _ = write!(self.out, "Content-Length: {}\r\n\r\n{text}", text.len());
        let _ = self.out.flush();
    }

    fn send_message(&mut self, m: Message) {
        if let Ok(mut v) = serde_json::to_value(&m) {
            v["jsonrpc"] = json!("2.0");
            self.send(v);
        }
    }

    fn notify(&mut self, method: &str, params: impl serde::Serialize) {
        let params = serde_json::to_value(params).unwrap_or(Value::Null);
        self.send_message(Message::Notification(Notification::new(
            method.to_owned(),
            params,
        )));
    }

    /// Handles one message; `Some(code)` to exit.
    fn message(&mut self, m: Message) -> Option<u8> {
        match m {
            Message::Request(r) => {
                let id = r.id.clone();
                let answer = self.request(r);
                let response = match answer {
                    Ok(v) => Response::new_ok(id, v),
                    Err((code, message)) => Response::new_err(id, code as i32, message),
                };
                self.send_message(Message::Response(response));
                None
            }
            Message::Notification(n) => self.notification(n),
            Message::Response(_) => None, // answers to our registrations
        }
    }

    fn request(&mut self, r: Request) -> Answer {
        if r.method == "initialize" {
            return self.initialize(r.params);
        }
        if !self.initialized {
            return Err((
                ErrorCode::ServerNotInitialized,
                "the first request must be `initialize`".into(),
            ));
        }
        if self.shutdown {
            return Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down: only `exit` now".into(),
            ));
        }
        match r.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            "textDocument/completion" => self.with(r.params, Self::completion),
            "textDocument/hover" => self.with(r.params, Self::hover),
            "textDocument/definition" => self.with(r.params, Self::definition),
            "textDocument/references" => self.with(r.params, Self::references),
            "textDocument/rename" => self.with(r.params, Self::rename),
            "textDocument/documentSymbol" => self.with(r.params, Self::symbols),
            other => Err((
                ErrorCode::MethodNotFound,
                format!(
                    "journeydoc's language server does not answer `{}`",
                    framing::cut(other)
                ),
            )),
        }
    }

    /// Calls `f` with the request's params read as `P`.
    fn with<P: serde::de::DeserializeOwned>(
        &mut self,
        params: Value,
        f: impl FnOnce(&mut Self, P) -> Answer,
    ) -> Answer {
        match serde_json::from_value::<P>(params) {
            Ok(p) => f(self, p),
            Err(e) => Err((ErrorCode::InvalidParams, format!("bad params: {e}"))),
        }
    }

    fn initialize(&mut self, params: Value) -> Answer {
        if self.initialized {
            return Err((ErrorCode::InvalidRequest, "already initialized".into()));
        }
        let p: lt::InitializeParams = serde_json::from_value(params)
            .map_err(|e| (ErrorCode::InvalidParams, format!("bad params: {e}")))?;
        let caps = &p.capabilities;
        let edit = caps
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref());
        self.client = Client {
            document_changes: edit.and_then(|e| e.document_changes).unwrap_or(false),
            rename_files: edit
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&lt::ResourceOperationKind::Rename)),
            watch_files: caps
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
        };
        self.initialized = true;
        // A workspace that is a handbook (or inside one) is loaded at once:
        // its diagnostics show before any file is opened.
        #[allow(deprecated)]
        let folders: Vec<Url> = match (&p.workspace_folders, &p.root_uri) {
            (Some(f), _) if !f.is_empty() => f.iter().map(|f| f.uri.clone()).collect(),
            (_, Some(u)) => vec![u.clone()],
            _ => Vec::new(),
        };
        for f in folders {
            if let Ok(dir) = f.to_file_path() {
                let root = if dir.join(crate::config::FILE).is_file() {
                    Some(dir)
                } else {
                    book::root_of(&dir.join("_"))
                };
                if let Some(root) = root {
                    self.book_for(&root);
                }
            }
        }
        let triggers = [":", " ", "[", ",", "@", "/", "-"];
        let result = lt::InitializeResult {
            capabilities: lt::ServerCapabilities {
                text_document_sync: Some(lt::TextDocumentSyncCapability::Options(
                    lt::TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(lt::TextDocumentSyncKind::INCREMENTAL),
                        save: Some(lt::TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                completion_provider: Some(lt::CompletionOptions {
                    trigger_characters: Some(triggers.iter().map(|s| s.to_string()).collect()),
                    ..Default::default()
                }),
                hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
                definition_provider: Some(lt::OneOf::Left(true)),
                references_provider: Some(lt::OneOf::Left(true)),
                rename_provider: Some(lt::OneOf::Left(true)),
                document_symbol_provider: Some(lt::OneOf::Left(true)),
                ..Default::default()
            },
            server_info: Some(lt::ServerInfo {
                name: "journeydoc".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        serde_json::to_value(result).map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    fn notification(&mut self, n: Notification) -> Option<u8> {
        if n.method == "exit" {
            return Some(if self.shutdown { 0 } else { 1 });
        }
        if !self.initialized {
            return None;
        }
        match n.method.as_str() {
            "initialized" if self.client.watch_files => {
                self.next_id += 1;
                let watchers = ["**/*.md", "**/book.toml", "**/*.csv"]
                    .iter()
                    .map(|g| lt::FileSystemWatcher {
                        glob_pattern: lt::GlobPattern::String((*g).into()),
                        kind: None,
                    })
                    .collect();
                let options = lt::DidChangeWatchedFilesRegistrationOptions { watchers };
                let params = lt::RegistrationParams {
                    registrations: vec![lt::Registration {
                        id: "journeydoc-files".into(),
                        method: "workspace/didChangeWatchedFiles".into(),
                        register_options: serde_json::to_value(options).ok(),
                    }],
                };
                let id = RequestId::from(self.next_id);
                let params = serde_json::to_value(params).unwrap_or(Value::Null);
                self.send_message(Message::Request(Request::new(
                    id,
                    "client/registerCapability".into(),
                    params,
                )));
            }
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<lt::DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    self.changed(d.uri, Arc::from(d.text), d.version);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<lt::DidChangeTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    let open = self.docs.get(&uri)?;
                    let text = apply(&open.text, p.content_changes);
                    self.changed(uri, text, p.text_document.version);
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<lt::DidCloseTextDocumentParams>(n.params) {
                    if let Some(open) = self.docs.remove(&p.text_document.uri) {
                        self.touch(&open.path);
                    }
                }
            }
            "textDocument/didSave" => {
                if let Ok(p) = serde_json::from_value::<lt::DidSaveTextDocumentParams>(n.params) {
                    if let Ok(path) = p.text_document.uri.to_file_path() {
                        self.touch(&path);
                    }
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Ok(p) = serde_json::from_value::<lt::DidChangeWatchedFilesParams>(n.params) {
                    for c in p.changes {
                        if let Ok(path) = c.uri.to_file_path() {
                            self.touch(&path);
                        }
                    }
                }
            }
            _ => {} // `$/cancelRequest`, `$/setTrace`…: nothing to do
        }
        None
    }

    /// The book at `root`, loaded for the first time if it is new.
    fn book_for(&mut self, root: &Path) -> &mut Book {
        if !self.books.contains_key(root) {
            self.books
                .insert(root.to_path_buf(), Book::new(root.to_path_buf()));
            self.due.insert(root.to_path_buf(), Instant::now());
        }
        self.books.get_mut(root).expect("just inserted")
    }

    /// A file of some handbook changed on disk (or was closed): a whole
    /// load follows.
    fn touch(&mut self, path: &Path) {
        let roots: Vec<PathBuf> = self
            .books
            .keys()
            .filter(|r| path.starts_with(r))
            .cloned()
            .collect();
        for root in roots {
            if let Some(b) = self.books.get_mut(&root) {
                b.generation += 1;
            }
            self.due.insert(root, Instant::now() + SETTLE);
        }
    }

    /// An opened or edited document: kept, answered by the quick check
    /// when it is a journey the last load knows, and loaded whole soon.
    fn changed(&mut self, uri: Url, text: Arc<str>, version: i32) {
        let Ok(path) = uri.to_file_path() else {
            return;
        };
        let root = match self.docs.get(&uri) {
            Some(open) if open.path == path && open.root.is_some() => open.root.clone(),
            _ => book::root_of(&path),
        };
        self.docs.insert(
            uri.clone(),
            Open {
                path: path.clone(),
                root: root.clone(),
                text: text.clone(),
                version,
            },
        );
        let Some(root) = root else {
            return; // a file outside any handbook: nothing to say
        };
        let started = Instant::now();
        let book = self.book_for(&root);
        book.generation += 1;
        let quick = book
            .rel(&path)
            .and_then(|rel| book::quick(book, &rel, &text).map(|d| (rel, d)));
        if let Some((rel, diags)) = quick {
            let changed = book.record(&rel, &text, &diags);
            let converted = book::convert(book, &rel, &text, &diags);
            if crate::timings::enabled() {
                eprintln!(
                    "journeydoc lsp: quick check of {rel} in {:.1} ms",
                    started.elapsed().as_secs_f64() * 1000.0
                );
            }
            if changed {
                self.publish(uri, converted, Some(version));
            }
        }
        self.due.insert(root, Instant::now() + SETTLE);
    }

    fn publish(&mut self, uri: Url, diagnostics: Vec<lt::Diagnostic>, version: Option<i32>) {
        self.notify(
            "textDocument/publishDiagnostics",
            lt::PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
    }

    /// Starts the whole loads that are due, one per handbook at a time.
    fn start_loads(&mut self) {
        let now = Instant::now();
        let ready: Vec<PathBuf> = self
            .due
            .iter()
            .filter(|(root, at)| **at <= now && self.books.get(*root).is_some_and(|b| !b.loading))
            .map(|(r, _)| r.clone())
            .collect();
        for root in ready {
            self.due.remove(&root);
            let overlay = self.overlay(&root);
            let Some(book) = self.books.get_mut(&root) else {
                continue;
            };
            book.loading = true;
            let generation = book.generation;
            let cache = book.cache.clone();
            let events = self.events.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                let run = book::load(&root, &cache, &overlay).map(Box::new);
                if crate::timings::enabled() {
                    eprintln!(
                        "journeydoc lsp: whole load of {} in {} ms",
                        root.display(),
                        started.elapsed().as_millis()
                    );
                }
                let _ = events.send(Event::Loaded {
                    root,
                    generation,
                    run,
                });
            });
        }
    }

    /// The open documents of the handbook at `root`, by relative path.
    fn overlay(&self, root: &Path) -> crate::Overlay {
        self.docs
            .values()
            .filter_map(|d| {
                let rel = d.path.strip_prefix(root).ok()?;
                Some((crate::source::slash_path(rel), d.text.clone()))
            })
            .collect()
    }

    /// A whole load finished: kept if nothing changed since it started,
    /// and its diagnostics published (cleared for files that have none
    /// any more).
    fn loaded(&mut self, root: PathBuf, generation: u64, run: Result<Box<crate::Run>, String>) {
        let Some(book) = self.books.get_mut(&root) else {
            return;
        };
        book.loading = false;
        if generation != book.generation {
            self.due.entry(root).or_insert_with(Instant::now);
            return; // stale: the next load has the newer text
        }
        let failure = match run {
            Ok(run) => {
                // The old model is freed on another thread (at 10,000
                // journeys that takes a while).
                let old = book.run.replace(*run);
                std::thread::spawn(move || drop(old));
                book.failure = None;
                None
            }
            Err(e) => {
                let first = book.failure.is_none();
                book.failure = Some(e.clone());
                first.then_some(e)
            }
        };
        if let Some(message) = failure {
            self.notify(
                "window/showMessage",
                lt::ShowMessageParams {
                    typ: lt::MessageType::ERROR,
                    message: format!("journeydoc: {message}"),
                },
            );
        }
        let Some(book) = self.books.get_mut(&root) else {
            return;
        };
        let changed = book.changed_diagnostics();
        let out: Vec<(Option<Url>, Vec<lt::Diagnostic>)> = changed
            .iter()
            .map(|(file, text, diags)| (book.uri(file), book::convert(book, file, text, diags)))
            .collect();
        for (uri, diags) in out {
            if let Some(uri) = uri {
                let version = self.docs.get(&uri).map(|d| d.version);
                self.publish(uri, diags, version);
            }
        }
    }
}

fn to_value(v: impl serde::Serialize) -> Answer {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

/// A document's text after the editor's changes (whole texts or ranges).
fn apply(text: &str, changes: Vec<lt::TextDocumentContentChangeEvent>) -> Arc<str> {
    let mut text = text.to_owned();
    for c in changes {
        match c.range {
            None => text = c.text,
            Some(r) => {
                let index = LineIndex::new(&text);
                let (a, b) = (index.offset(r.start), index.offset(r.end));
                let (a, b) = (a.min(b), a.max(b));
                text.replace_range(a..b, &c.text);
            }
        }
    }
    Arc::from(text)
}
