//! Property tests: whatever the content, `check` ends with diagnostics, never
//! a panic. Arbitrary bytes, and valid files of the Spanish fixture mutated
//! with the tokens that matter to YAML, TOML, front matter and links.
//!
//! The short run here is part of `cargo test`; raise `PROPTEST_CASES` for a
//! long one (`PROPTEST_CASES=100000 cargo test --release --test never_panics`).

mod common;

use std::path::Path;

use journeydoc::diagnostic::{render_github, render_json, render_text};
use proptest::prelude::*;

const FILES: &[&str] = &[
    "book.toml",
    "content/_index.md",
    "content/personas/lucia.md",
    "content/touchpoints/app.md",
    "content/touchpoints/repartidor.md",
    "content/journeys/lucia/actividad.md",
    "content/journeys/lucia/b2b.md",
];

const TOKENS: &[&str] = &[
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "\n",
    "\r\n",
    "\t",
    "  ",
    "---\n",
    "+++\n",
    "&a ",
    "*a",
    "\"",
    "'",
    "#",
    "@persona/",
    "@journey/x",
    "](../x.md)",
    "[l](",
    "é",
    "\u{feff}",
    "\0",
    "=",
    "[[stages]]\n",
    "emotion: ",
    "owner: ",
    "\u{1F600}",
    ">:(",
    "-3",
    "99999999999999999999",
];

/// Runs the whole pipeline in-process and prints its diagnostics every way.
fn check_does_not_panic(root: &Path) {
    match journeydoc::load(root, &journeydoc::Options::default()) {
        Ok(run) => {
            render_text(&run.diagnostics, &run.sources, true);
            render_json(&run.diagnostics, &run.sources);
            render_github(&run.diagnostics, &run.sources);
        }
        // Only I/O can fail outright; a mutated book.toml is still a file.
        Err(e) => panic!("unexpected I/O error: {e}"),
    }
}

fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::copy_tree(&common::fixture("es"), dir.path());
    dir
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_in_any_file(file in 0..FILES.len(), bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let dir = fixture_copy();
        std::fs::write(dir.path().join(FILES[file]), &bytes).unwrap();
        check_does_not_panic(dir.path());
    }

    #[test]
    fn mutated_valid_files(
        file in 0..FILES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..TOKENS.len(), 0..3u8), 1..8),
    ) {
        let dir = fixture_copy();
        let path = dir.path().join(FILES[file]);
        let mut text = std::fs::read_to_string(&path).unwrap();
        for (at, token, op) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            match op {
                0 => text.insert_str(i, TOKENS[token]),
                1 => {
                    let end = (i + TOKENS[token].len()).min(text.len());
                    let mut end = end;
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(i..end, "");
                }
                _ => {
                    let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                    text.replace_range(i..end, TOKENS[token]);
                }
            }
        }
        std::fs::write(&path, text).unwrap();
        check_does_not_panic(dir.path());
    }
}
