//! What the server threads share: the rendered files, the way to the
//! worker that owns the last good model, the change counter and the notes
//! to open tabs; and the lock protocol.
//!
//! Locks are taken one at a time, in this order when two are needed:
//! `hot`, then `cache`. Every lock survives a panic elsewhere: nothing
//! panics half-way through a change, so the data behind a poisoned lock is
//! still whole.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, RwLock};

use tokio::sync::broadcast;

use crate::diagnostic::{Diagnostic, Sources};
use crate::render::Site;
use crate::theme::Theme;

/// What every open tab is told.
#[derive(Debug, Clone)]
pub(super) enum Note {
    /// New pages are ready: the build's number and the site paths whose
    /// bytes changed (`None`: too many to list, every tab reloads).
    Reload(u64, Option<Vec<String>>),
    /// The content is broken: the diagnostics, as JSON.
    Problem(String),
    /// The content is fixed (a reload follows if pages changed).
    Fixed,
}

pub(super) struct Shared {
    /// Files rendered for the last good model.
    pub(super) cache: Mutex<super::pages::Cache>,
    /// To the worker that owns the last good model and renders.
    pub(super) asks: Mutex<std::sync::mpsc::Sender<super::pages::Ask>>,
    /// Served while there is no good model (the first build was broken).
    pub(super) fallback: Site,
    /// Changes seen by the watcher, counted; and the pages the hot path put
    /// in, with the number of the change they show. A rebuild that started
    /// before that change leaves them as they are.
    pub(super) changes: AtomicU64,
    pub(super) hot: Mutex<BTreeMap<String, u64>>,
    /// The data files' lines as last read (the hot path of a data edit).
    pub(super) data_lines: super::hot_data::DataLines,
    pub(super) problem: RwLock<Option<String>>,
    pub(super) version: std::sync::atomic::AtomicU64,
    /// The path prefix of `base-url` (`/handbook/`), also served at `/`.
    pub(super) prefix: String,
    pub(super) notes: broadcast::Sender<Note>,
}

/// What stops a build: the diagnostics and the texts they point into.
pub(super) type Broken = (Vec<Diagnostic>, Sources);

/// The last good build's model and theme: what a change is compared with
/// (to work out which pages it touches), and what the hot path renders with.
pub(super) struct Good {
    pub(super) run: crate::Run,
    pub(super) theme: Theme,
}

/// Locks a mutex, also after a panic elsewhere (the data is still whole:
/// nothing here panics half-way through a change).
pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A read lock that survives a panic elsewhere.
pub(super) fn lock_read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}
