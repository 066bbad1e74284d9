//! Shared helpers for the integration tests: fixture handbooks copied into
//! temporary folders, and the real `journeydoc` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The repository root: our example handbook.
pub fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies `from` into `to`, merging folders and replacing files.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("inside fixture");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create dir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy file");
        }
    }
}

/// A temporary copy of the Spanish fixture with the overlay
/// `tests/fixtures/faults/<case>` laid over it.
pub fn faulty(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixture("es"), dir.path());
    let overlay = fixture("faults").join(case);
    assert!(overlay.is_dir(), "no overlay {}", overlay.display());
    copy_tree(&overlay, dir.path());
    dir
}

/// `journeydoc --root <root> <args…>` with colour off.
pub fn journeydoc(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("journeydoc").expect("binary");
    cmd.env("NO_COLOR", "1").arg("--root").arg(root).args(args);
    cmd
}

/// Runs and returns (exit code, stdout, stderr).
pub fn run(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = journeydoc(root, args).output().expect("run journeydoc");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// Every file of a folder, by relative path, with its bytes.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// `npm ci` in `tests/browser` (playwright-core and mermaid, from its lock
/// file) unless both are already installed. Never downloads a browser.
pub fn install_browser_deps() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let modules = dir.join("node_modules");
    if modules.join("playwright-core").is_dir() && modules.join("mermaid").is_dir() {
        return;
    }
    let out = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run npm (apt-get install npm): {e}"));
    assert!(
        out.status.success(),
        "npm ci in {} failed ({}):\n{}\n{}",
        dir.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Rewrites the file `file` (relative to `root`) with `f`.
#[allow(dead_code)]
pub fn edit(root: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, f(text)).unwrap();
}

/// A built page, parsed (`out/<path>`).
pub fn page(out: &Path, path: &str) -> scraper::Html {
    let text = std::fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    scraper::Html::parse_document(&text)
}

/// The elements of `doc` that `css` selects.
pub fn select<'a>(doc: &'a scraper::Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&scraper::Selector::parse(css).unwrap())
        .collect()
}

/// The elements inside `e` that `css` selects.
pub fn select_in<'a>(e: &scraper::ElementRef<'a>, css: &str) -> Vec<scraper::ElementRef<'a>> {
    e.select(&scraper::Selector::parse(css).unwrap()).collect()
}

/// An element's text as a reader sees it: whitespace runs as one space.
pub fn text(e: &scraper::ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
