//! The built example handbook in a real browser: `tests/browser/check.mjs`
//! (playwright-core driving the system Chromium, never a downloaded one)
//! opens it from `file://` and from the sub-path `/handbook/` of a small
//! local HTTP server, and checks console errors, failed or foreign requests,
//! horizontal scrolling at phone width and the search box.
//!
//! Needs Node.js 20+ (with npm) and `/usr/bin/chromium` (`apt-get install chromium`);
//! runs `npm ci` in `tests/browser` when its `node_modules` is missing.
//! Screenshots go to `target/screenshots/{file,http}`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use common::{example, run};

const CHROMIUM: &str = "/usr/bin/chromium";
/// The only path prefix the test server answers under.
const PREFIX: &str = "/handbook/";

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn screenshot_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/screenshots")
        .join(name)
}

/// Fails, with how to install them, when node or Chromium is missing.
fn require_tools() {
    let mut missing = Vec::new();
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|out| out.status.success()) {
        missing.push("node");
    }
    if !Path::new(CHROMIUM).is_file() {
        missing.push(CHROMIUM);
    }
    if missing.is_empty() {
        return;
    }
    let missing = missing.join(" and ");
    if std::env::var_os("CI").is_some() {
        panic!(
            "the browser test needs {missing}, which CI must install before `cargo test`: \
             apt-get install -y chromium (and Node.js 20 or later with npm)"
        );
    }
    panic!(
        "the browser test needs {missing}; install them with: \
         apt-get install chromium, and Node.js 20 or later with npm (then run `cargo test --test browser` again)"
    );
}

/// `node tests/browser/check.mjs <base> <shots>`, which must succeed.
fn check(base: &str, shots: &Path) {
    let dir = browser_dir();
    let out = Command::new("node")
        .arg(dir.join("check.mjs"))
        .arg(base)
        .arg(shots)
        .current_dir(&dir)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser check against {base} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    println!("{base}: {}", stdout.trim());
    eprintln!("{}", stderr.trim());
}

/// `file:///abs/path/` for a folder, percent-encoding what a URL path can't hold.
fn file_url(dir: &Path) -> String {
    let path = dir.to_str().expect("UTF-8 path");
    let mut url = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// A static file server for `site` under [`PREFIX`] on 127.0.0.1, stopped on drop.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(site: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let site = site.to_path_buf();
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let site = site.clone();
                // One thread a connection: Chromium opens several at once,
                // some of them idle until it needs them.
                std::thread::spawn(move || serve(stream, &site));
            }
        });
        Server {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}{PREFIX}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one request and closes the connection.
fn serve(stream: TcpStream, site: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    // Skip the headers.
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => return,
            Ok(_) if header.trim_end().is_empty() => break,
            Ok(_) => {}
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, content_type, body) = if method != "GET" && method != "HEAD" {
        (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"method not allowed\n".to_vec(),
        )
    } else {
        respond(target, site)
    };
    let mut out = &stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = out.write_all(&body);
    }
    let _ = out.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

/// Status, content type and body for a request target.
fn respond(target: &str, site: &Path) -> (&'static str, &'static str, Vec<u8>) {
    const TEXT: &str = "text/plain; charset=utf-8";
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return ("404 Not Found", TEXT, b"not found\n".to_vec());
    };
    let mut file = site.to_path_buf();
    for segment in rest.split('/') {
        let Some(segment) = percent_decode(segment) else {
            return ("400 Bad Request", TEXT, b"bad escape\n".to_vec());
        };
        if segment == ".." || segment.contains(['/', '\\', '\0']) {
            return ("400 Bad Request", TEXT, b"bad path\n".to_vec());
        }
        if !segment.is_empty() && segment != "." {
            file.push(segment);
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    match std::fs::read(&file) {
        Ok(body) => ("200 OK", content_type(&file), body),
        Err(_) => ("404 Not Found", TEXT, b"not found\n".to_vec()),
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Status line and headers of a raw `GET target` to the server.
fn raw_get(port: u16, target: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(stream, "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").expect("send");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("read reply");
    let reply = String::from_utf8_lossy(&reply);
    reply.split("\r\n\r\n").next().unwrap_or("").to_owned()
}

/// The tools checked, the browser's npm packages installed, and the example
/// handbook built into a temporary folder (kept while the guard lives).
fn built_example_in_browser_setup() -> (tempfile::TempDir, PathBuf) {
    require_tools();
    common::install_browser_deps();
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    let (code, stdout, stderr) = run(
        &example(),
        &["build", "--output", site.to_str().expect("UTF-8 path")],
    );
    assert_eq!(code, 0, "build failed:\n{stdout}\n{stderr}");
    let site = site.canonicalize().expect("built site");
    (tmp, site)
}

#[test]
fn the_handbook_works_in_a_real_browser_from_file_and_from_a_sub_path() {
    let (_tmp, site) = built_example_in_browser_setup();
    assert!(
        site.join("index.html").is_file(),
        "no index.html in {}",
        site.display()
    );

    check(&file_url(&site), &screenshot_dir("file"));

    let server = Server::start(&site);
    let head = raw_get(server.port, "/handbook/index.html");
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8"),
        "{head}"
    );
    let head = raw_get(server.port, "/handbook/static/search.js");
    assert!(head.contains("Content-Type: text/javascript"), "{head}");
    for outside in ["/", "/index.html", "/handbook", "/handbookx/index.html"] {
        let head = raw_get(server.port, outside);
        assert!(head.starts_with("HTTP/1.1 404 "), "{outside}: {head}");
    }
    for escape in ["/handbook/../Cargo.toml", "/handbook/%2e%2e/Cargo.toml"] {
        let head = raw_get(server.port, escape);
        assert!(head.starts_with("HTTP/1.1 400 "), "{escape}: {head}");
    }

    check(&server.url(), &screenshot_dir("http"));
    drop(server);
}

/// The words of `text`, lower-cased (anything not a letter or digit separates).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty())
        .collect()
}

/// `pdftotext` of one page of `pdf` (1-based), or every page with `None`.
fn pdf_text(pdf: &Path, page: Option<u32>) -> String {
    let mut cmd = Command::new("pdftotext");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext (Debian's poppler-utils: apt-get install poppler-utils)");
    assert!(out.status.success(), "pdftotext {}: {out:?}", pdf.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_map_fits_the_window_keeps_its_lane_names_and_prints_on_one_page() {
    let (tmp, site) = built_example_in_browser_setup();
    let pdfs = tmp.path().join("pdf");
    let dir = browser_dir();
    let out = Command::new("node")
        .arg(dir.join("map.mjs"))
        .arg(&site)
        .arg(screenshot_dir("map"))
        .arg(&pdfs)
        .current_dir(&dir)
        .output()
        .expect("run node");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "map.mjs failed:\n{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("map.mjs prints JSON");
    let journeys = report.as_array().expect("a list of journeys");
    assert_eq!(journeys.len(), 14, "every example journey was checked");
    for j in journeys {
        let page = j["page"].as_str().unwrap();
        let pdf = Path::new(j["pdf"].as_str().unwrap());
        // Every word of every action is on the first printed page.
        // A word broken across two lines of a narrow cell ("requiremen" +
        // "ts", or "two-" + "night" without its hyphen) comes out of
        // pdftotext as two: neighbouring pairs count as words too.
        let tokens = words(&pdf_text(pdf, Some(1)));
        let first: std::collections::BTreeSet<String> = tokens
            .windows(2)
            .map(|p| format!("{}{}", p[0], p[1]))
            .chain(tokens.iter().cloned())
            .collect();
        for action in j["actions"].as_array().unwrap() {
            let action = action.as_str().unwrap();
            // ... and a hyphenated word may come out joined ("twonight").
            let w = words(action);
            let joined = |i: usize| {
                (i > 0 && first.contains(&format!("{}{}", w[i - 1], w[i])))
                    || (i + 1 < w.len() && first.contains(&format!("{}{}", w[i], w[i + 1])))
            };
            let missing: Vec<&String> = (0..w.len())
                .filter(|&i| !first.contains(&w[i]) && !joined(i))
                .map(|i| &w[i])
                .collect();
            assert!(
                missing.is_empty(),
                "{page}: printed, the action `{action}` is not all on page 1 (missing {missing:?})"
            );
        }
        // The narratives follow on the next pages.
        if page == "journeys/carla/activity.html" {
            // Both blueprint lines are named on the printed map.
            assert!(first.contains("interaction") && first.contains("visibility"));
            let rest = pdf_text(pdf, None);
            assert!(rest.contains("Stage by stage"), "narratives printed");
            let lanes: Vec<&str> = j["lanes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            assert_eq!(
                lanes,
                [
                    "Action",
                    "Touchpoints",
                    "Thinking",
                    "Emotion",
                    "Emotion",
                    "Pain points",
                    "Opportunities",
                    "Line of interaction",
                    "Frontstage",
                    "Line of visibility",
                    "Backstage",
                    "Support",
                    "Systems",
                    "Owners",
                ],
                "blueprint order"
            );
        }
    }
}

#[test]
fn the_exported_picture_keeps_every_text_inside_its_card_in_chromium() {
    require_tools();
    common::install_browser_deps();
    let shots = screenshot_dir("picture");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let tmp = tempfile::tempdir().expect("tempdir");
    for (id, name) in [
        ("carla/activity", "carla-activity"),
        ("priya/b2b", "priya-b2b"),
    ] {
        let svg = tmp.path().join(format!("{name}.svg"));
        let png = shots.join(format!("{name}.png"));
        for (format, out) in [("svg", &svg), ("png", &png)] {
            let (code, _, stderr) = run(
                &example(),
                &[
                    "export",
                    "--format",
                    format,
                    id,
                    "-o",
                    out.to_str().unwrap(),
                ],
            );
            assert_eq!(code, 0, "{format} {id}: {stderr}");
        }
        let dir = browser_dir();
        let out = Command::new("node")
            .arg(dir.join("picture.mjs"))
            .arg(&svg)
            .arg(shots.join(format!("{name}-in-chromium.png")))
            .current_dir(&dir)
            .output()
            .expect("run node");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{id}: {stderr}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert!(report["texts"].as_u64().unwrap() > 100, "{report}");
    }
}

/// One page of each kind of the example handbook (the guide has code
/// blocks; the 404 page is served from the site's root path).
const AXE_PAGES: &[&str] = &[
    "index.html",
    "personas/index.html",
    "personas/carla.html",
    "journeys/index.html",
    "journeys/carla/activity.html",
    "journeys/carla/activity-future.html",
    "lenses/index.html",
    "lenses/b2b.html",
    "touchpoints/index.html",
    "touchpoints/call-centre.html",
    "systems/index.html",
    "systems/analytics.html",
    "research/index.html",
    "research/call-centre-logs.html",
    "metrics/index.html",
    "metrics/csat.html",
    "opportunities/index.html",
    "opportunities/room-facts.html",
    "insights.html",
    "glossary.html",
    "guide/how-to-map-a-journey.html",
    "404.html",
];

/// `handbook` (a copy, with `base-url = "/handbook/"` so the 404 page's
/// absolute links resolve) built and served over HTTP; axe-core's WCAG
/// A/AA rules on `pages` (every page of the site when empty), light and
/// dark, desktop and phone: no serious or critical violation. Returns
/// axe.mjs's JSON (every violation, the moderate ones too).
fn axe(handbook: &Path, pages: &[&str]) -> serde_json::Value {
    require_tools();
    common::install_browser_deps();
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("book");
    // The handbook's own files (the example's folder is the repository).
    for part in ["book.toml", "content", "data"] {
        let from = handbook.join(part);
        if from.is_dir() {
            common::copy_tree(&from, &root.join(part));
        } else if from.is_file() {
            std::fs::create_dir_all(&root).unwrap();
            std::fs::copy(&from, root.join(part)).unwrap();
        }
    }
    let toml = std::fs::read_to_string(root.join("book.toml")).expect("book.toml");
    let toml = match toml.find("base-url") {
        Some(_) => toml.replace("base-url = \"/\"", "base-url = \"/handbook/\""),
        None => toml.replace("[book]", "[build]\nbase-url = \"/handbook/\"\n\n[book]"),
    };
    std::fs::write(root.join("book.toml"), toml).expect("book.toml");
    let site = tmp.path().join("site");
    let (code, _, stderr) = run(&root, &["build", "--output", site.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let all: Vec<String> = if pages.is_empty() {
        walkdir::WalkDir::new(&site)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
            .map(|e| {
                e.path()
                    .strip_prefix(&site)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    } else {
        pages.iter().map(|p| (*p).to_owned()).collect()
    };
    let server = Server::start(&site);
    let out = Command::new("node")
        .arg(browser_dir().join("axe.mjs"))
        .arg(server.url())
        .args(&all)
        .current_dir(browser_dir())
        .output()
        .expect("run node");
    drop(server);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "serious or critical accessibility violations:\n{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("axe.mjs prints JSON");
    assert_eq!(report["pages"], all.len());
    for v in report["violations"].as_array().into_iter().flatten() {
        // Moderate and minor ones are listed in the test's output.
        eprintln!(
            "{} {} on {} ({}, {}): {}",
            v["impact"], v["rule"], v["page"], v["scheme"], v["width"], v["help"]
        );
    }
    report
}

/// WCAG 2.2 A/AA in the real browser: one page of each kind of the example
/// handbook, and every page of the Spanish fixture.
#[test]
fn every_page_kind_passes_axe_in_light_and_dark_on_desktop_and_phone() {
    axe(&example(), AXE_PAGES);
    let es = axe(&common::fixture("es"), &[]);
    assert!(es["pages"].as_u64().unwrap() >= 10, "{es}");
}
