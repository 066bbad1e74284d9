//! `journeydoc serve` over real sockets on 127.0.0.1: live reload after
//! edits, error overlay, traversal attempts, concurrent readers.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{copy_tree, fixture};

struct Server {
    child: Child,
    /// The server's stderr, line by line (drained so it never blocks).
    log: mpsc::Receiver<String>,
    port: u16,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_with(edit: impl FnOnce(&Path)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    std::fs::create_dir(&root).unwrap();
    copy_tree(&fixture("es"), &root);
    edit(&root);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("journeydoc"))
        .args(["--root", root.to_str().unwrap(), "serve", "--port", "0"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let (tx, log) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(stderr).lines() {
            let Ok(l) = l else { return };
            if tx.send(l).is_err() {
                return;
            }
        }
    });
    let port: u16 = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    Server {
        child,
        log,
        port,
        root,
        _dir: dir,
    }
}

fn start() -> Server {
    start_with(|_| {})
}

/// Sends a GET on a new connection and reads the whole response.
fn request(port: u16, path: &str, timeout: Duration) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(timeout))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    Ok(raw)
}

/// Polls `done` every 20 ms until it holds, failing with `what` after `secs`.
fn eventually(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A raw HTTP/1.1 GET: (status, head, body).
fn get(port: u16, path: &str) -> (u16, String, String) {
    let raw = request(port, path, Duration::from_secs(10)).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// Subscribes to the live-reload events; each `event: name` + data arrives on the channel.
fn events(port: u16) -> mpsc::Receiver<(String, String)> {
    events_on(port).0
}

/// [`events`], with the connection (to close it).
fn events_on(port: u16) -> (mpsc::Receiver<(String, String)>, TcpStream) {
    let (tx, rx) = mpsc::channel();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let kept = s.try_clone().unwrap();
    write!(
        s,
        "GET /__journeydoc/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    std::thread::spawn(move || {
        let reader = BufReader::new(s);
        let mut event = String::new();
        for line in reader.lines() {
            let Ok(line) = line else { return };
            // Chunked framing lines (sizes) are skipped: only SSE fields matter.
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_owned();
            } else if let Some(d) = line.strip_prefix("data: ").or(line.strip_prefix("data:")) {
                if tx.send((event.clone(), d.to_owned())).is_err() {
                    return;
                }
            }
        }
    });
    (rx, kept)
}

fn wait_for(rx: &mpsc::Receiver<(String, String)>, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((e, data)) if e == name => return data,
            Ok(_) => continue,
            Err(_) => panic!("no `{name}` event within 10 s"),
        }
    }
}

/// The next `reload` event: the build's number and the site paths it
/// changed (`None`: every page).
fn next_reload(rx: &mpsc::Receiver<(String, String)>) -> (u64, Option<Vec<String>>) {
    let data: serde_json::Value = serde_json::from_str(&wait_for(rx, "reload")).unwrap();
    let version = data["version"].as_u64().expect("a version");
    let pages = data["pages"].as_array().map(|list| {
        list.iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect()
    });
    (version, pages)
}

/// Waits for the `reload` event that tells a tab on `page` (a URL path)
/// to reload.
fn reload_of(rx: &mpsc::Receiver<(String, String)>, page: &str) -> u64 {
    let site_path = page.trim_start_matches('/');
    loop {
        match next_reload(rx) {
            (v, None) => return v,
            (v, Some(pages)) if pages.iter().any(|p| p == site_path) => return v,
            _ => continue,
        }
    }
}

const JOURNEY: &str = "content/journeys/lucia/actividad.md";
const PAGE: &str = "/journeys/lucia/actividad.html";

fn edit(root: &Path, from: &str, to: &str) {
    let path = root.join(JOURNEY);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn an_edit_is_served_after_the_reload_event() {
    let s = start();
    let (status, head, body) = get(s.port, PAGE);
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase()
            .contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.to_lowercase().contains("cache-control: no-cache"),
        "{head}"
    );
    assert!(
        body.contains("<script src=\"/__journeydoc/live.js\"></script></body>"),
        "the live-reload script is added"
    );
    let (status, head, live) = get(s.port, "/__journeydoc/live.js");
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("text/javascript"));
    assert!(live.contains("/__journeydoc/events"));
    let rx = events(s.port);
    wait_for(&rx, "hello");
    let written = Instant::now();
    edit(&s.root, "Espera 50 minutos", "Espera una hora");
    reload_of(&rx, PAGE);
    let (_, _, body) = get(s.port, PAGE);
    let latency = written.elapsed();
    assert!(body.contains("Espera una hora"), "new text served");
    eprintln!("edit → reload event → new page: {} ms", latency.as_millis());
    // An atomic save: write a temporary file, rename it over the journey.
    let path = s.root.join(JOURNEY);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Espera una hora", "Espera dos horas");
    let tmp = s.root.join("content/journeys/lucia/.actividad.md.swp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    reload_of(&rx, PAGE);
    assert!(get(s.port, PAGE).2.contains("Espera dos horas"));
}

/// An edit to one journey: its page is rendered alone and announced first
/// (the hot path), the other pages it touches follow; a tab is told to
/// reload only when its own page changed (a lens page the journey is not
/// on is served but not announced).
#[test]
fn the_edited_page_comes_first_and_only_changed_pages_reload() {
    let s = start();
    let rx = events(s.port);
    wait_for(&rx, "hello");
    // Tabs show these pages (pages no reader has are rendered when asked
    // for, and not announced).
    for page in [
        PAGE,
        "/personas/lucia.html",
        "/lenses/activity.html",
        "/lenses/b2b.html",
        "/index.html",
    ] {
        assert_eq!(get(s.port, page).0, 200, "{page}");
    }
    edit(
        &s.root,
        "title: Lucía pide una pizza",
        "title: Lucía pide dos pizzas",
    );
    let (_, first) = next_reload(&rx);
    assert_eq!(
        first,
        Some(vec!["journeys/lucia/actividad.html".to_owned()]),
        "the edited page alone, first"
    );
    assert!(get(s.port, PAGE).2.contains("Lucía pide dos pizzas"));
    let (_, rest) = next_reload(&rx);
    let rest = rest.expect("a short list");
    for page in ["personas/lucia.html", "lenses/activity.html", "index.html"] {
        assert!(rest.iter().any(|p| p == page), "{page} in {rest:?}");
    }
    assert!(
        !rest
            .iter()
            .any(|p| p == "journeys/lucia/actividad.html" || p == "lenses/b2b.html"),
        "the edited page is not announced twice, an untouched lens page not at all: {rest:?}"
    );
    assert!(
        get(s.port, "/personas/lucia.html")
            .2
            .contains("Lucía pide dos pizzas")
    );
    let log = log_lines(&s, 500);
    assert!(
        log.iter()
            .any(|l| l.starts_with("updated journeys/lucia/actividad.html in ")),
        "{log:?}"
    );
}

/// An editor's save by rename (a temporary file written beside the journey,
/// then renamed over it) reaches every page the journey touches, not only
/// its own: the watcher names the file twice for such a save, and the hot
/// path once swapped the edited journey into the last good model twice and
/// back once, so the rebuild that follows saw nothing to do.
#[test]
fn a_save_by_rename_updates_the_pages_the_journey_touches() {
    let s = start();
    let rx = events(s.port);
    wait_for(&rx, "hello");
    let path = s.root.join(JOURNEY);
    for (i, title) in ["Lucía pide dos pizzas", "Lucía pide tres pizzas"]
        .iter()
        .enumerate()
    {
        let text = std::fs::read_to_string(&path).unwrap();
        let old = text.lines().find(|l| l.starts_with("title: ")).unwrap();
        let text = text.replace(old, &format!("title: {title}"));
        let tmp = s
            .root
            .join(format!("content/journeys/lucia/actividad.md.tmp{i}~"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        for page in [PAGE, "/personas/lucia.html", "/lenses/activity.html"] {
            eventually(10, &format!("{title} on {page}"), || {
                get(s.port, page).2.contains(title)
            });
        }
    }
}

#[test]
fn a_deleted_journey_disappears_and_comes_back() {
    let s = start_with(|root| {
        // Only the generated pages link to the b2b journey then.
        let path = root.join(JOURNEY);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("next: [lucia/b2b]\n", "")).unwrap();
    });
    let rx = events(s.port);
    wait_for(&rx, "hello");
    let path = s.root.join("content/journeys/lucia/b2b.md");
    let saved = std::fs::read(&path).unwrap();
    assert_eq!(get(s.port, "/journeys/lucia/b2b.html").0, 200);
    std::fs::remove_file(&path).unwrap();
    reload_of(&rx, "/journeys/lucia/b2b.html");
    let (status, _, body) = get(s.port, "/journeys/lucia/b2b.html");
    assert_eq!(status, 404);
    assert!(body.contains("<html"), "the handbook's own 404 page");
    assert!(
        !get(s.port, "/").2.contains("journeys/lucia/b2b.html"),
        "no page links it any more"
    );
    std::fs::write(&path, saved).unwrap();
    reload_of(&rx, "/journeys/lucia/b2b.html");
    assert_eq!(get(s.port, "/journeys/lucia/b2b.html").0, 200);
}

#[test]
fn broken_content_keeps_the_last_good_page_and_shows_the_overlay() {
    let s = start();
    let rx = events(s.port);
    wait_for(&rx, "hello");
    edit(&s.root, "persona: lucia", "persona: lucai");
    let problem = wait_for(&rx, "problem");
    let diags: serde_json::Value = serde_json::from_str(&problem).unwrap();
    assert_eq!(diags[0]["file"], JOURNEY);
    assert_eq!(diags[0]["line"], 3);
    assert_eq!(diags[0]["message"], "unknown persona `lucai`");
    assert_eq!(diags[0]["source"], "persona: lucai");
    let (status, _, body) = get(s.port, PAGE);
    assert_eq!(status, 200);
    assert!(body.contains("Espera 50 minutos"), "the last good page");
    // A tab opened now gets the problem straight away.
    let late = events(s.port);
    wait_for(&late, "problem");
    edit(&s.root, "persona: lucai", "persona: lucia");
    wait_for(&rx, "fixed");
}

#[test]
fn nothing_outside_the_site_is_served() {
    let s = start();
    for path in [
        "/../book.toml",
        "/%2e%2e/book.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/static/..%2f..%2fbook.toml",
        "/static/%5c..%5cbook.toml",
        "/book.toml",
        "/content/personas/lucia.md",
        "/static/",
    ] {
        let (status, _, body) = get(s.port, path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(
            !body.contains("[book]") && !body.contains("name: Lucía"),
            "{path}: leaked"
        );
    }
}

#[test]
fn two_hundred_readers_during_a_burst_of_edits_get_whole_pages() {
    let s = start();
    let port = s.port;
    let readers: Vec<_> = (0..200)
        .map(|i| {
            std::thread::spawn(move || {
                let path = if i % 2 == 0 { PAGE } else { "/index.html" };
                get(port, path)
            })
        })
        .collect();
    for n in 0..10 {
        edit(&s.root, "Espera 5", &format!("Espera {n}5"));
        edit(&s.root, &format!("Espera {n}5"), "Espera 5");
        std::thread::sleep(Duration::from_millis(15));
    }
    // Every page read is, byte for byte, that page of a full build of one
    // of the versions the edits went through (the live-reload script aside).
    let versions = tempfile::tempdir().unwrap();
    let copy = versions.path().join("book");
    std::fs::create_dir(&copy).unwrap();
    copy_tree(&fixture("es"), &copy);
    let mut whole: Vec<String> = Vec::new();
    for n in std::iter::once(None).chain((0..10).map(Some)) {
        if let Some(n) = n {
            edit(&copy, "Espera 5", &format!("Espera {n}5"));
        }
        let out = versions.path().join(format!("out-{n:?}"));
        let built = std::process::Command::new(assert_cmd::cargo::cargo_bin("journeydoc"))
            .args([
                "--root",
                copy.to_str().unwrap(),
                "--quiet",
                "build",
                "--output",
            ])
            .arg(&out)
            .status()
            .unwrap();
        assert!(built.success());
        for page in [PAGE, "/index.html"] {
            whole.push(std::fs::read_to_string(out.join(&page[1..])).unwrap());
        }
        if let Some(n) = n {
            edit(&copy, &format!("Espera {n}5"), "Espera 5");
        }
    }
    let script = "<script src=\"/__journeydoc/live.js\"></script>";
    for r in readers {
        let (status, _, body) = r.join().unwrap();
        assert_eq!(status, 200);
        let page = body.replacen(script, "", 1);
        assert!(
            whole.contains(&page),
            "not the bytes of any full build: {}",
            &page[..page.len().min(300)]
        );
    }
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("journeydoc"))
        .args([
            "--root",
            fixture("es").to_str().unwrap(),
            "serve",
            "--port",
            &port,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already in use") && stderr.contains("--port"),
        "{stderr}"
    );
}

#[test]
fn the_site_is_also_served_under_the_base_url_path() {
    let s = start_with(|root| {
        let book = root.join("book.toml");
        let text = std::fs::read_to_string(&book).unwrap();
        std::fs::write(
            &book,
            format!("{text}\n[build]\nbase-url = \"https://cx.example.org/manual/\"\n"),
        )
        .unwrap();
    });
    assert_eq!(get(s.port, "/manual/").0, 200);
    assert_eq!(get(s.port, "/manual/journeys/lucia/actividad.html").0, 200);
    assert_eq!(get(s.port, "/index.html").0, 200);
}

/// After a journey edit (title, an emotion, a touchpoint) the server renders
/// only the pages the change touches; every page it serves is then
/// byte-identical to a full `build` of the edited handbook (but for the
/// live-reload script).
#[test]
fn a_partial_rebuild_serves_what_a_full_build_writes() {
    let s = start();
    let rx = events(s.port);
    wait_for(&rx, "hello");
    let path = s.root.join(JOURNEY);
    let text = std::fs::read_to_string(&path).unwrap();
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("title: "))
        .unwrap()
        .to_owned();
    let edited = text
        .replacen(
            &format!("title: {title}"),
            "title: Lucía cambia de tarifa",
            1,
        )
        .replacen("Espera 50 minutos", "Espera una hora", 1);
    std::fs::write(&path, edited).unwrap();
    wait_for(&rx, "reload");
    // The rebuild says what it did, and it was not a full one.
    let line = loop {
        match s.log.recv_timeout(Duration::from_secs(10)) {
            Ok(l) if l.starts_with("rebuilt") => break l,
            Ok(_) => continue,
            Err(_) => panic!("no `rebuilt` line within 10 s"),
        }
    };
    assert!(
        line.starts_with("rebuilt") && line.contains(" ms"),
        "{line}"
    );
    assert!(
        !line.contains("full"),
        "a journey edit is a partial rebuild: {line}"
    );

    let out = tempfile::tempdir().unwrap();
    let built = std::process::Command::new(assert_cmd::cargo::cargo_bin("journeydoc"))
        .args([
            "--root",
            s.root.to_str().unwrap(),
            "--quiet",
            "build",
            "--output",
        ])
        .arg(out.path().join("o"))
        .status()
        .unwrap();
    assert!(built.success());
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(out.path().join("o")) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(out.path().join("o"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !(rel.ends_with(".html") || rel.ends_with(".js") || rel.ends_with(".json"))
            || rel == "404.html"
        {
            continue;
        }
        let want = std::fs::read_to_string(entry.path()).unwrap();
        let (status, _, body) = get(s.port, &format!("/{rel}"));
        assert_eq!(status, 200, "{rel}");
        let body = body.replace("<script src=\"/__journeydoc/live.js\"></script>", "");
        assert!(body == want, "{rel} differs from a full build");
        pages += 1;
    }
    assert!(pages > 40, "{pages} files compared");
    assert!(get(s.port, PAGE).2.contains("Lucía cambia de tarifa"));
}

/// Open file descriptors of a process (sockets, files, watches).
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

/// Resident memory of a process, in KB.
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A GET whose response must be complete: status 200 and exactly the
/// bytes its Content-Length announces.
fn get_whole(port: u16, path: &str) -> Result<(), String> {
    let raw = request(port, path, Duration::from_secs(20)).map_err(|e| format!("{path}: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(format!("{path}: no head"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let body = &raw[split + 4..];
    if !head.starts_with("http/1.1 200") {
        return Err(format!("{path}: {head}"));
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or(format!("{path}: no content-length"))?;
    if body.len() != length {
        return Err(format!("{path}: {} of {length} bytes", body.len()));
    }
    Ok(())
}

#[test]
fn two_hundred_clients_hold_on_while_a_hundred_edits_land() {
    let s = start();
    let (port, pid) = (s.port, s.child.id());
    for path in [PAGE, "/index.html", "/search/index.js", "/journeys.json"] {
        get_whole(port, path).unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    let (fds_before, rss_before) = (open_fds(pid), rss_kb(pid));

    // Two slow clients: one never finishes its request, one asks for pages
    // over and over and never reads the answers.
    let mut stalled = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stalled, "GET /index.html HTTP/1.1\r\nHo").unwrap();
    let mut greedy = TcpStream::connect(("127.0.0.1", port)).unwrap();
    for _ in 0..300 {
        write!(
            greedy,
            "GET /journeys.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        .unwrap();
    }

    let listeners: Vec<_> = (0..200).map(|_| events_on(port)).collect();
    for (rx, _) in &listeners {
        wait_for(rx, "hello");
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..16)
        .map(|i| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let paths = [
                    PAGE,
                    "/index.html",
                    "/search/index.js",
                    "/journeys.json",
                    "/personas/lucia.html",
                ];
                let mut served = 0;
                let mut k = i;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    get_whole(port, paths[k % paths.len()])?;
                    served += 1;
                    k += 1;
                }
                Ok::<usize, String>(served)
            })
        })
        .collect();

    // A hundred saves, every tenth one broken and fixed by the next.
    let path = s.root.join(JOURNEY);
    let original = std::fs::read_to_string(&path).unwrap();
    for n in 0..100 {
        let text = if n % 10 == 9 {
            original.replace("persona: lucia", "persona: [lucia")
        } else {
            original.replace("Espera 50 minutos", &format!("Espera {n} minutos"))
        };
        std::fs::write(&path, text).unwrap();
        std::thread::sleep(Duration::from_millis(25));
    }
    std::fs::write(
        &path,
        original.replace("Espera 50 minutos", "Espera la última vez"),
    )
    .unwrap();
    eventually(20, "the last edit was never served", || {
        get(port, PAGE).2.contains("Espera la última vez")
    });
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut served = 0;
    for r in readers {
        served += r
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("a reader failed: {e}"));
    }

    // No stuck reloads: every tab hears of the build now being served.
    let (late, late_conn) = events_on(port);
    let current: u64 = wait_for(&late, "hello").parse().unwrap();
    late_conn.shutdown(std::net::Shutdown::Both).unwrap();
    for (rx, _) in &listeners {
        while next_reload(rx).0 < current {}
    }
    // The slow clients held nobody up; the server still answers.
    get_whole(port, PAGE).unwrap();
    eprintln!("{served} complete responses to 16 readers during 101 edits, 200 tabs reloaded");

    for (_, conn) in &listeners {
        conn.shutdown(std::net::Shutdown::Both).unwrap();
    }
    drop(listeners);
    drop(stalled);
    drop(greedy);
    // Connections closed by the clients are let go, and memory returns.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (fds, rss) = (open_fds(pid), rss_kb(pid));
        if fds <= fds_before && rss <= rss_before + 16 * 1024 {
            eprintln!("fds {fds_before} → {fds}, RSS {rss_before} → {rss} KB");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after the load: {fds} fds (was {fds_before}), RSS {rss} KB (was {rss_before} KB)"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_content_folder_deleted_and_recreated_is_watched_again() {
    let mut s = start();
    let rx = events(s.port);
    wait_for(&rx, "hello");
    // A tab shows the journey (only pages readers have are announced).
    assert_eq!(get(s.port, PAGE).0, 200);
    let content = s.root.join("content");
    let aside = s.root.join("../content-aside");
    copy_tree(&content, &aside);
    std::fs::remove_dir_all(&content).unwrap();
    wait_for(&rx, "reload");
    assert_eq!(get(s.port, PAGE).0, 404, "an empty handbook now");
    copy_tree(&aside, &content);
    let port = s.port;
    eventually(10, "the content never came back", || {
        get(port, PAGE).0 == 200
    });
    // And edits inside the new folder are seen.
    edit(&s.root, "Espera 50 minutos", "Espera en la carpeta nueva");
    eventually(10, "the edit was not seen", || {
        get(port, PAGE).2.contains("Espera en la carpeta nueva")
    });
    assert!(s.child.try_wait().unwrap().is_none(), "the server exited");
}

/// A data file edited while serving reaches the open pages like a journey
/// edit does: the reload event, then the new latest value; a data folder
/// made while serving is watched from then on; a bad row shows the overlay
/// and keeps the last good page.
#[test]
fn a_csv_edit_reaches_the_pages_that_show_the_measurement() {
    let s = start_with(|root| {
        std::fs::create_dir(root.join("data")).unwrap();
        std::fs::write(
            root.join("data/nps.csv"),
            "date,metric,value,journey\n2026-01,nps,10,lucia/actividad\n",
        )
        .unwrap();
    });
    let rx = events(s.port);
    wait_for(&rx, "hello");
    assert!(
        get(s.port, PAGE)
            .2
            .contains("<b class=\"reading-value\">10</b>")
    );
    std::fs::write(
        s.root.join("data/nps.csv"),
        "date,metric,value,journey\n2026-01,nps,10,lucia/actividad\n2026-02,nps,17,lucia/actividad\n",
    )
    .unwrap();
    reload_of(&rx, PAGE);
    let body = get(s.port, PAGE).2;
    assert!(
        body.contains("<b class=\"reading-value\">17</b>"),
        "the new latest value"
    );
    assert!(
        body.contains("sube 7 desde 2026-01, mejor"),
        "and its change"
    );
    // The journey's page comes first (the hot path); the metric's page
    // with the reload that follows.
    let port = s.port;
    eventually(10, "the metric page never showed the new value", || {
        let (status, _, metric) = get(port, "/metrics/nps.html");
        status == 200 && metric.contains("17")
    });
    // A bad row: the overlay names the cell, the page stays.
    std::fs::write(
        s.root.join("data/nps.csv"),
        "date,metric,value,journey\n2026-01,nps,10,lucia/actividad\n2026-02,nps,170,lucia/actividad\n",
    )
    .unwrap();
    let problem = wait_for(&rx, "problem");
    assert!(problem.contains("data/nps.csv"), "{problem}");
    assert!(
        get(s.port, PAGE)
            .2
            .contains("<b class=\"reading-value\">17</b>")
    );
    // The data folder removed and made again: watched again.
    std::fs::remove_dir_all(s.root.join("data")).unwrap();
    let port = s.port;
    eventually(10, "the measurement never went", || {
        !get(port, PAGE).2.contains("reading-value")
    });
    std::fs::create_dir(s.root.join("data")).unwrap();
    std::fs::write(
        s.root.join("data/nps.csv"),
        "date,metric,value,journey\n2026-03,nps,21,lucia/actividad\n",
    )
    .unwrap();
    eventually(10, "the new data folder was not read", || {
        get(port, PAGE)
            .2
            .contains("<b class=\"reading-value\">21</b>")
    });
    std::fs::write(
        s.root.join("data/nps.csv"),
        "date,metric,value,journey\n2026-03,nps,23,lucia/actividad\n",
    )
    .unwrap();
    eventually(
        10,
        "an edit inside the new data folder was not seen",
        || {
            get(port, PAGE)
                .2
                .contains("<b class=\"reading-value\">23</b>")
        },
    );
}

/// The server's lines until it is quiet for `ms` milliseconds.
fn log_lines(s: &Server, ms: u64) -> Vec<String> {
    let mut log = Vec::new();
    while let Ok(l) = s.log.recv_timeout(Duration::from_millis(ms)) {
        log.push(l);
    }
    log
}

/// A data file saved as editors do (written beside, renamed over it).
fn save(path: &Path, text: &str) {
    let tmp = path.with_extension("csv.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// A changed row reaches the page of the journey it measures first, before
/// the reload that brings the metric's page; the other journey measured in
/// the same file keeps its value; a row only removed is left to the reload.
#[test]
fn a_data_row_edit_reaches_its_journey_page_first() {
    const B2B: &str = "/journeys/lucia/b2b.html";
    let rows = |actividad: u32| {
        format!(
            "date,metric,value,journey\n2026-01,nps,10,lucia/actividad\n2026-01,nps,30,lucia/b2b\n2026-02,nps,{actividad},lucia/actividad\n2026-02,nps,31,lucia/b2b\n"
        )
    };
    let s = start_with(|root| {
        std::fs::create_dir(root.join("data")).unwrap();
        std::fs::write(root.join("data/nps.csv"), rows(12)).unwrap();
        // Another file measuring the same journey: its rows are read again
        // with the edited file's.
        std::fs::write(
            root.join("data/csat.csv"),
            "date,metric,value,journey\n2026-01,csat,81,lucia/actividad\n",
        )
        .unwrap();
    });
    let rx = events(s.port);
    wait_for(&rx, "hello");
    for page in [PAGE, B2B, "/metrics/nps.html"] {
        assert_eq!(get(s.port, page).0, 200, "{page}");
    }
    assert!(
        get(s.port, PAGE)
            .2
            .contains("<b class=\"reading-value\">12</b>")
    );
    save(&s.root.join("data/nps.csv"), &rows(19));
    let (_, first) = next_reload(&rx);
    assert_eq!(
        first,
        Some(vec!["journeys/lucia/actividad.html".to_owned()]),
        "the measured journey's page alone, first"
    );
    let body = get(s.port, PAGE).2;
    assert!(
        body.contains("<b class=\"reading-value\">19</b>"),
        "the new value"
    );
    assert!(
        body.contains("sube 9 desde 2026-01, mejor"),
        "and its change"
    );
    assert!(
        body.contains("<b class=\"reading-value\">81 %</b>"),
        "the other file's measurement"
    );
    let (_, rest) = next_reload(&rx);
    let rest = rest.expect("a short list");
    assert!(rest.iter().any(|p| p == "metrics/nps.html"), "{rest:?}");
    assert!(get(s.port, "/metrics/nps.html").2.contains("19"));
    assert!(
        get(s.port, B2B)
            .2
            .contains("<b class=\"reading-value\">31</b>")
    );
    let log = log_lines(&s, 500);
    assert!(
        log.iter()
            .any(|l| l.starts_with("updated journeys/lucia/actividad.html in ")),
        "{log:?}"
    );
    // The b2b rows of February removed: the reload alone shows it.
    save(
        &s.root.join("data/nps.csv"),
        &rows(19).replace("2026-02,nps,31,lucia/b2b\n", ""),
    );
    let port = s.port;
    eventually(10, "the removed row was still shown", || {
        get(port, B2B)
            .2
            .contains("<b class=\"reading-value\">30</b>")
    });
    let log = log_lines(&s, 300);
    assert!(!log.iter().any(|l| l.starts_with("updated ")), "{log:?}");
}

/// An opportunity's status edit reaches its page and the map that names
/// it; a journey naming it one more time reaches its page (the partial
/// rebuild renders the opportunity pages a journey names).
#[test]
fn an_opportunity_edit_reaches_its_page_and_the_maps_that_name_it() {
    let s = start_with(|root| {
        std::fs::create_dir_all(root.join("content/opportunities")).unwrap();
        std::fs::write(
            root.join("content/opportunities/avisar.md"),
            "---\ntitle: Avisar de los retrasos\nstatus: idea\nimpact: 4\neffort: 2\n---\n",
        )
        .unwrap();
        let j = root.join("content/journeys/lucia/actividad.md");
        let t = std::fs::read_to_string(&j).unwrap().replace(
            "        pain: El pedido llega tarde\n",
            "        pain: El pedido llega tarde\n        opportunities: [avisar]\n",
        );
        std::fs::write(j, t).unwrap();
    });
    let rx = events(s.port);
    wait_for(&rx, "hello");
    let (status, _, body) = get(s.port, "/opportunities/avisar.html");
    assert_eq!(status, 200);
    assert!(
        body.contains("<b class=\"status s-idea\">Idea</b>"),
        "{body}"
    );
    let edit_file = |rel: &str, from: &str, to: &str| {
        let path = s.root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    edit_file(
        "content/opportunities/avisar.md",
        "status: idea",
        "status: en curso",
    );
    reload_of(&rx, "/opportunities/avisar.html");
    assert!(
        get(s.port, "/opportunities/avisar.html")
            .2
            .contains("<b class=\"status s-in-progress\">En curso</b>")
    );
    // The opportunity's own page comes first; the map follows.
    let port = s.port;
    eventually(10, "the map never showed the new status", || {
        get(port, PAGE)
            .2
            .contains("<span class=\"status s-in-progress\">En curso</span>")
    });
    // The other journey names it too: its page lists both maps.
    edit_file(
        "content/journeys/lucia/b2b.md",
        "touchpoints = [\"app\"]\n",
        "touchpoints = [\"app\"]\nopportunities = [\"avisar\"]\n",
    );
    eventually(
        10,
        "the opportunity page never listed the second map",
        || {
            get(port, "/opportunities/avisar.html")
                .2
                .contains("Lucía organiza un evento")
        },
    );
}

/// In the real browser: the tab on the edited journey reloads by itself at
/// the same scroll position, a tab on a page the edit does not touch does
/// not, a broken file shows the overlay and the fix clears it.
#[test]
fn live_reload_in_chromium() {
    common::install_browser_deps();
    let s = start();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/live.mjs");
    let out = std::process::Command::new("node")
        .arg(script)
        .arg(format!("http://127.0.0.1:{}/", s.port))
        .arg("journeys/lucia/actividad.html")
        .arg("lenses/b2b.html")
        .arg(s.root.join(JOURNEY))
        .arg("Espera 50 minutos")
        .arg("Espera una hora y media")
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    eprintln!("{stdout}");
}
