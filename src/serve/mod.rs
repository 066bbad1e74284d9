//! `journeydoc serve`: build in memory, serve over HTTP, watch the sources,
//! rebuild, and reload every open tab once the new pages are ready.
//!
//! * The site is served from memory (the output folder is not touched).
//!   Pages are rendered on request by one render thread that owns the last
//!   good model (`pages.rs`) and kept in a bounded cache; a rebuild swaps
//!   the model on that thread and drops what the change touches in the same
//!   step, so a request sees the old site or the new one, never half of each.
//! * While the content has errors the last good site keeps being served,
//!   the diagnostics are printed as `check` prints them, and every open tab
//!   shows them in an overlay until the content is fixed.
//! * Only paths of the built site are served: `..`, encoded or doubled
//!   slashes, backslashes and NUL are refused (400) before any lookup, and
//!   there is no file system behind the server to escape to.

mod affected;
mod hot_data;
mod http;
mod pages;
mod rebuild;
mod state;
mod watch;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use tokio::sync::broadcast;

use crate::diagnostic;
use http::{EVENTS, LIVE, LIVE_SCRIPT, error_site, events, page, problem_json, url_path};
use rebuild::{Builder, Built};
use state::*;

pub use http::check_path;

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
    let (good, problem) = match first {
        Built::Good(good) => (Some(*good), None),
        Built::Broken((diags, sources)) => {
            eprint!("{}", diagnostic::render_text(&diags, &sources, opts.color));
            (None, Some(problem_json(&diags, &sources)))
        }
    };
    let prefix = url_path(&config.base_url);
    let (notes, _) = broadcast::channel(64);
    let shared = Arc::new_cyclic(|weak| Shared {
        cache: Mutex::new(pages::Cache::default()),
        asks: Mutex::new(pages::start(weak.clone())),
        fallback: error_site(&config.title),
        changes: AtomicU64::new(0),
        hot: Mutex::new(BTreeMap::new()),
        data_lines: hot_data::DataLines::default(),
        problem: RwLock::new(problem),
        version: std::sync::atomic::AtomicU64::new(1),
        prefix,
        notes,
    });
    if let Some(good) = good {
        rebuild::first(&shared, good);
    }

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

    let watcher = watch::watch(
        &opts,
        &config.content_dir,
        &config.data_dir,
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
