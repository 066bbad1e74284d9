//! Fuzzing on stable with proptest: whatever the content, journeydoc ends
//! with diagnostics, never a panic, and what it produces keeps its promises.
//!
//! Targets: the front-matter splitter, the YAML/TOML model reader (one file),
//! Markdown link rewriting, the Mermaid importer, the data-file (CSV)
//! reader, the language server's message reader and its cursor context
//! (with completion and hover on it), and the whole `check`
//! pipeline on the Spanish fixture (arbitrary bytes, token mutations) and on
//! mutated copies of the example handbook.
//!
//! The short run here is part of `cargo test` (48 cases per target); a long
//! one is `PROPTEST_CASES=1000000 cargo test --release --test never_panics`
//! (`benches/fuzz.sh` runs every target that way and prints the counts).

mod common;

use std::path::Path;
use std::sync::Arc;

use journeydoc::diagnostic::{Diagnostic, render_github, render_json, render_text};
use journeydoc::interchange::{journey_from_diagram, parse_mermaid};
use journeydoc::lsp::{Frame, context, features, position::LineIndex, read_frame};
use journeydoc::parse::{Parsed, parse_file};
use journeydoc::render::markdown::{Ctx, to_html};
use journeydoc::routes::LinkMap;
use journeydoc::source::{Kind, SourceFile, split};
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
    "@touchpoint/",
    "touchpoints: [",
    "- name: ",
    "lens: b2b\n",
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
    "date: ",
    "2026-02-29",
    "method: ",
    "participants: ",
    "link: ",
    "state: ",
    "redesigns: ",
    "evidence: ",
];

/// Runs the whole pipeline in-process and prints its diagnostics every way.
fn check_does_not_panic(root: &Path) {
    check_cached(root, None);
}

/// The same, reusing unchanged files' parses from `cache` as `serve` does.
fn check_cached(root: &Path, cache: Option<&journeydoc::FileCache>) {
    let options = journeydoc::Options::default();
    let run = match cache {
        Some(cache) => journeydoc::load_cached(root, &options, cache),
        None => journeydoc::load(root, &options),
    };
    match run {
        Ok(run) => {
            render_text(&run.diagnostics, &run.sources, true);
            render_json(&run.diagnostics, &run.sources);
            render_github(&run.diagnostics, &run.sources);
            // A handbook that checks clean is rendered too (to memory), as
            // `build` and `serve` would: every page, journeys.json, search.
            if !run.has_errors()
                && let Ok(theme) = journeydoc::theme::Theme::load(root, &run.handbook.config.theme)
            {
                let _ = journeydoc::render::render(&run.handbook, &theme, &|_| {});
            }
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
    // 48 cases in `cargo test`; `PROPTEST_CASES` for long runs (an explicit
    // `cases` would override the variable).
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

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
        let text = mutate(&std::fs::read_to_string(&path).unwrap(), &edits);
        std::fs::write(&path, text).unwrap();
        check_does_not_panic(dir.path());
    }

    #[test]
    fn front_matter_splitter(text in text_like()) {
        if let Ok(s) = split(&text) {
            prop_assert!(s.front.start <= s.front.end && s.front.end <= s.body.start);
            prop_assert!(s.body.end == text.len());
            for at in [s.front.start, s.front.end, s.body.start] {
                prop_assert!(text.is_char_boundary(at));
            }
        }
    }

    #[test]
    fn lsp_message_reader(bytes in lsp_stream()) {
        let mut r = std::io::Cursor::new(bytes.clone());
        // Each read takes a message, refuses one, or ends; it never stalls.
        let mut reads = 0;
        while !matches!(read_frame(&mut r), Frame::End) {
            reads += 1;
            prop_assert!(reads <= bytes.len() + 1, "a read consumed nothing");
        }
    }

    #[test]
    fn lsp_cursor_context(kind in 0..7usize, text in text_like(), at in any::<prop::sample::Index>()) {
        let kind = [Kind::Home, Kind::Persona, Kind::Touchpoint, Kind::Journey, Kind::Research, Kind::Opportunity, Kind::Page][kind];
        let offset = at.index(text.len() + 1);
        let ctx = context::at(&text, offset);
        let ok = |r: &std::ops::Range<usize>| r.start <= r.end && r.end <= text.len()
            && text.is_char_boundary(r.start) && text.is_char_boundary(r.end);
        prop_assert!(ok(&ctx.token), "{:?}", ctx);
        let doc = features::Doc { file: "content/x/y.md", kind: Some(kind), text: &text };
        let h = handbook();
        for item in features::complete(h, &doc, &ctx, offset) {
            prop_assert!(ok(&item.replace), "{:?}", item);
        }
        if let Some((_, r)) = features::hover(h, &doc, &ctx) {
            prop_assert!(ok(&r));
        }
        let index = LineIndex::new(&text);
        let mut o = offset;
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        if !text.contains('\r') {
            prop_assert_eq!(index.offset(index.position(o)), o);
        }
    }

    #[test]
    fn model_reader(kind in 0..7usize, text in text_like()) {
        let kind = [Kind::Home, Kind::Persona, Kind::Touchpoint, Kind::Journey, Kind::Research, Kind::Opportunity, Kind::Page][kind];
        let file = SourceFile {
            path: "content/x/y.md".to_owned(),
            rel: "x/y.md".to_owned(),
            kind,
            text: Arc::from(text.as_str()),
        };
        let mut diags = Vec::new();
        let parsed = parse_file(&file, &mut diags);
        // Every diagnostic points inside the file, on character boundaries,
        // where the printers will cut the source line out.
        assert_spans_inside(&diags, &text);
        if parsed.is_none() {
            prop_assert!(!diags.is_empty(), "nothing read and nothing said");
        }
    }

    #[test]
    fn link_rewriting(markdown in markdown_with_links(), allow_html in any::<bool>()) {
        let links = link_map();
        let html = to_html(&markdown, &Ctx { from_rel: "journeys/lucia/x.md", root: "../../", links: &links, allow_html });
        if !allow_html {
            prop_assert!(!html.contains("<script"), "raw HTML got through: {html}");
        }
        for link in journeydoc::links::links(&markdown, 0) {
            if let Some(p) = journeydoc::links::resolve_path("journeys/lucia/x.md", &link.dest) {
                prop_assert!(!p.split('/').any(|s| s == ".." || s == "."), "{p}");
            }
        }
    }

    /// A study's `date`: any text is read or refused without a panic; every
    /// day from the year 1148 to 7445 is written and read back the same,
    /// and no day is a negative number of months before a later one.
    #[test]
    fn research_dates(text in "[0-9-]{0,12}|.{0,12}", days in -300_000i64..2_000_000, later in 0i64..100_000) {
        if let Some(d) = journeydoc::model::Date::parse(&text) {
            prop_assert_eq!(d.to_string(), text.trim());
        }
        let d = journeydoc::model::Date::from_days(days);
        prop_assert_eq!(journeydoc::model::Date::parse(&d.to_string()), Some(d));
        let l = journeydoc::model::Date::from_days(days + later);
        prop_assert!(d.months_until(l) >= 0);
    }

    /// A data file (`data/*.csv`): any bytes, and CSV-like text made of the
    /// Spanish fixture's ids and the format's pieces, end in measurements
    /// and diagnostics whose spans sit inside the text shown; nothing
    /// measured is out of its metric's range; the diagnostics render.
    #[test]
    fn data_file_reader(bytes in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        csv_like().prop_map(String::into_bytes),
    ]) {
        let h = handbook();
        let catalog = journeydoc::metrics::Catalog::new(&h.config);
        let known = journeydoc::metrics::data::Known {
            catalog: &catalog,
            journeys: &h.journeys,
            touchpoints: &h.touchpoints,
        };
        let mut diags = Vec::new();
        let mut sources = journeydoc::diagnostic::Sources::new();
        let m = journeydoc::metrics::data::read_bytes("data/x.csv", &bytes, &known, &mut diags, &mut sources);
        if let Some(text) = sources.get("data/x.csv") {
            assert_spans_inside(&diags, text);
        }
        for ((metric, _), points) in &m.series {
            let def = &m.catalog.metrics[*metric];
            prop_assert!(points.iter().all(|p| def.in_range(p.value)));
            prop_assert!(points.windows(2).all(|w| w[0].date < w[1].date));
        }
        let _ = render_text(&diags, &sources, false);
    }

    /// The dev server's reading of a data-file edit (`metrics::edit`): any
    /// old and new bytes give the lines between what both begin and end
    /// with, which are the new file's lines there; the rows picked by an
    /// id are the header and whole lines of the file, each naming it.
    #[test]
    fn data_file_edit_reader(
        old in prop_oneof![proptest::collection::vec(any::<u8>(), 0..300), csv_like().prop_map(String::into_bytes)],
        new in prop_oneof![proptest::collection::vec(any::<u8>(), 0..300), csv_like().prop_map(String::into_bytes)],
        needle in "[a-z/]{0,6}",
    ) {
        use journeydoc::metrics::edit::{Fingerprints, changed, read_lines, rows_mentioning};
        let (a, _) = Fingerprints::read(&old[..]).expect("memory");
        let (b, starts) = Fingerprints::read(&new[..]).expect("memory");
        let lines: Vec<&[u8]> = new.split(|c| *c == b'\n').collect();
        prop_assert_eq!(b.len(), lines.len());
        match changed(&a, &b) {
            None => prop_assert_eq!(&a, &b),
            Some(c) => {
                prop_assert!(c.added.end <= b.len() && c.removed <= a.len());
                let got = read_lines(std::io::Cursor::new(&new), &starts, c.added.clone()).expect("memory");
                // Line k starts after the k-th line break.
                let breaks: Vec<usize> = new.iter().enumerate().filter(|(_, c)| **c == b'\n').map(|(i, _)| i + 1).collect();
                let at = |k: usize| if k == 0 { 0 } else { breaks.get(k - 1).copied().unwrap_or(new.len()) };
                prop_assert_eq!(&got[..], &new[at(c.added.start)..at(c.added.end)]);
            }
        }
        let picked = rows_mentioning(&new[..], &[needle.as_str()]).expect("memory");
        let mut rows = picked.split(|c| *c == b'\n');
        let header = rows.next().unwrap_or_default();
        prop_assert!(new.starts_with(header));
        for row in rows.filter(|r| !r.is_empty()) {
            prop_assert!(!needle.is_empty());
            prop_assert!(lines[1..].contains(&row));
            prop_assert!(row.windows(needle.len()).any(|w| w == needle.as_bytes()));
        }
    }

    #[test]
    fn picture_text_wrapping(text in text_like(), size in 1.0f32..60.0, width in 1.0f32..600.0) {
        // Any text (the picture draws what authors wrote) wraps without a
        // panic, loses no character but spaces, and a line is wider than
        // the box only when it is a single character.
        let m = journeydoc::picture::font::regular();
        let lines = journeydoc::picture::font::wrap(m, &text, size, width);
        let kept: String = lines.concat().chars().filter(|c| !c.is_whitespace()).collect();
        let given: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        prop_assert_eq!(kept, given);
        for l in &lines {
            prop_assert!(m.width(l, size) <= width || l.chars().count() == 1, "{l:?}");
        }
    }

    #[test]
    fn mermaid_importer(text in mermaid_like()) {
        let Ok(diagram) = parse_mermaid(&text) else { return Ok(()) };
        let (journey, _) = journey_from_diagram(handbook(), &diagram, "lucia", "activity", "Importado");
        // What the importer writes is a journey file that reads back with
        // the same stages and steps.
        let file = SourceFile {
            path: "content/journeys/lucia/importado.md".to_owned(),
            rel: "journeys/lucia/importado.md".to_owned(),
            kind: Kind::Journey,
            text: Arc::from(journey.as_str()),
        };
        let mut diags = Vec::new();
        let parsed = parse_file(&file, &mut diags);
        let syntax: Vec<_> = diags.iter().filter(|d| d.code == "syntax").collect();
        prop_assert!(syntax.is_empty(), "{journey}\n{syntax:?}");
        let Some(Parsed::Journey(j)) = parsed else {
            return Err(TestCaseError::fail(format!("not a journey: {journey}\n{diags:?}")));
        };
        prop_assert_eq!(j.stages.len(), diagram.sections.len());
        for (stage, (_, tasks)) in j.stages.iter().zip(&diagram.sections) {
            let actions: Vec<&str> = stage.steps.iter().map(|s| s.action.as_str()).collect();
            let written: Vec<&str> = tasks.iter().map(|t| t.0.as_str()).collect();
            prop_assert_eq!(actions, written);
        }
    }

    #[test]
    fn check_on_the_example_handbook(
        file in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..TOKENS.len(), 0..3u8), 1..8),
    ) {
        EXAMPLE.with(|(dir, files, cache)| {
            let rel = file.get(files);
            let path = dir.path().join(rel);
            let original = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, mutate(&original, &edits)).unwrap();
            cache.forget([rel.as_str()]);
            check_cached(dir.path(), Some(cache));
            std::fs::write(&path, original).unwrap();
            cache.forget([rel.as_str()]);
        });
    }
}

/// Applies token edits (insert, delete, replace the rest of the line) at
/// pseudo-random places.
fn mutate(text: &str, edits: &[(prop::sample::Index, usize, u8)]) -> String {
    let mut text = text.to_owned();
    for (at, token, op) in edits {
        let mut i = at.index(text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        let token = TOKENS[*token];
        match op {
            0 => text.insert_str(i, token),
            1 => {
                let mut end = (i + token.len()).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.replace_range(i..end, "");
            }
            _ => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                text.replace_range(i..end, token);
            }
        }
    }
    text
}

/// Text made of the tokens that matter, some plain words, and arbitrary
/// characters.
/// Streams an editor could send, or worse: framed JSON (messages or not),
/// bad headers, lengths past the end, raw bytes.
fn lsp_stream() -> impl Strategy<Value = Vec<u8>> {
    let frame = prop_oneof![
        Just(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#
                .to_owned()
        ),
        Just(r#"{"jsonrpc":"2.0","method":"exit"}"#.to_owned()),
        "\\{\"id\":[0-9a-z\"]{0,4},\"method\":\"[a-z/]{0,12}\"(,\"params\":[0-9\\[\\]{}]{0,4})?\\}",
        ".{0,40}",
    ]
    .prop_map(|body| format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
    let part = prop_oneof![
        4 => frame,
        1 => "Content-Length: [0-9]{0,12}\r\n(Content-Type: x\r\n)?\r\n.{0,30}".prop_map(String::into_bytes),
        1 => "[A-Za-z:\r\n -]{0,40}".prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 0..80),
    ];
    proptest::collection::vec(part, 0..6).prop_map(|parts| parts.concat())
}

fn text_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => (0..TOKENS.len()).prop_map(|i| TOKENS[i].to_owned()),
        2 => "[a-z]{1,8}",
        1 => any::<char>().prop_map(String::from),
        1 => Just("title: T\npersona: lucia\nlens: activity\nstages:\n  - name: A\n    steps:\n      - action: B\n".to_owned()),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn markdown_with_links() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => (0..TOKENS.len()).prop_map(|i| TOKENS[i].to_owned()),
        3 => proptest::sample::select(vec![
            "[a](", ")", "![i](", "<", ">", "<script>", "</script>", "<a href=\"", "`", "```\n",
            "../", "./", "/", "%2e%2e/", ".md", "#x", "?q", "javascript:", "http://h/", "@page/",
            "@touchpoint/app", "@lens/activity", "personas/lucia.md", "[r]: ", "\\", "*", "_", "| a |\n|---|\n",
        ]).prop_map(str::to_owned),
        2 => "[a-z ]{1,8}",
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn mermaid_like() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("journey".to_owned()),
        "title [^\n]{0,20}",
        "section [^\n]{0,20}",
        "[^\n:]{0,20}: [0-9]{1,2}: [^\n]{0,20}",
        "[^\n:]{0,12}: [1-5]",
        "%%[^\n]{0,10}",
        "[^\n]{0,20}",
    ];
    proptest::collection::vec(line, 0..12).prop_map(|lines| {
        let mut t = String::from("journey\n");
        for l in lines {
            t.push_str(&l);
            t.push('\n');
        }
        t
    })
}

/// Text that looks like a data file: headers, ids, dates, numbers,
/// quotes, commas and line breaks in any order.
fn csv_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(
        journeydoc::metrics::data::COLUMNS
            .iter()
            .copied()
            .chain([
                "nps",
                "ces",
                "csat",
                "lucia/actividad",
                "lucia/b2b",
                "app",
                "repartidor",
                "Elegir",
                "Esperar",
                "2026-01",
                "2026-02-30",
                "2026-13",
                "31",
                "-4.5",
                "1e400",
                "NaN",
                "\"",
                "\"\"",
                ",",
                ",,",
                "\n",
                "\r\n",
                "\u{feff}",
                "é",
                " ",
            ])
            .collect::<Vec<_>>(),
    );
    (
        Just("date,metric,value,journey,stage,step,touchpoint,n\n"),
        proptest::collection::vec(pieces, 0..60),
        any::<bool>(),
    )
        .prop_map(|(header, parts, with_header)| {
            let body: String = parts.concat();
            if with_header {
                format!("{header}{body}")
            } else {
                body
            }
        })
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

fn assert_spans_inside(diags: &[Diagnostic], text: &str) {
    for d in diags {
        if let Some(span) = &d.span {
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{d:?} in {text:?}"
            );
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{d:?}"
            );
        }
    }
}

fn link_map() -> LinkMap {
    let mut l = LinkMap::default();
    for (rel, url) in [
        ("personas/lucia.md", "personas/lucia.html"),
        ("touchpoints/app.md", "touchpoints/app.html"),
        (
            "journeys/lucia/actividad.md",
            "journeys/lucia/actividad.html",
        ),
    ] {
        l.files.insert(rel.to_owned(), url.to_owned());
    }
    l.ids.insert(
        ("touchpoint".to_owned(), "app".to_owned()),
        "touchpoints/app.html".to_owned(),
    );
    l.ids.insert(
        ("lens".to_owned(), "activity".to_owned()),
        "lenses/activity.html".to_owned(),
    );
    l
}

/// The Spanish fixture, loaded once (the importer reads its departments).
fn handbook() -> &'static journeydoc::resolve::Handbook {
    static RUN: std::sync::OnceLock<journeydoc::Run> = std::sync::OnceLock::new();
    &RUN.get_or_init(|| {
        journeydoc::load(&common::fixture("es"), &journeydoc::Options::default()).unwrap()
    })
    .handbook
}

thread_local! {
    /// A copy of the example handbook per test thread, with its content
    /// files and the parses of the unchanged ones; each case mutates one
    /// file and puts it back.
    static EXAMPLE: (tempfile::TempDir, Vec<String>, journeydoc::FileCache) = {
        let dir = tempfile::tempdir().expect("tempdir");
        common::copy_tree(&common::example().join("content"), &dir.path().join("content"));
        std::fs::copy(common::example().join("book.toml"), dir.path().join("book.toml")).expect("book.toml");
        let files = walkdir::WalkDir::new(dir.path().join("content"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .map(|e| e.path().strip_prefix(dir.path()).unwrap().to_string_lossy().into_owned())
            .chain(["book.toml".to_owned()])
            .collect();
        (dir, files, journeydoc::FileCache::default())
    };
}
