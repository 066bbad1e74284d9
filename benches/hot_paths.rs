//! Criterion benches for the hot paths, so a regression shows up in numbers
//! (`cargo bench`; results in target/criterion). The whole-tool comparison
//! with Hugo and mdBook is `benches/compare.sh`; figures in BENCHMARKS.md.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use journeydoc::render::svg;

fn example() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A generated corpus of `n` journeys in a temporary folder.
fn corpus(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    journeydoc::corpus::write_corpus(dir.path(), n, 7).expect("corpus");
    dir
}

fn parse_one_journey(c: &mut Criterion) {
    let rel = "journeys/carla/activity.md";
    let file = journeydoc::source::read(example(), &format!("content/{rel}"), rel)
        .unwrap_or_else(|_| panic!("{rel} is readable"));
    c.bench_function("parse one journey (front matter + model)", |b| {
        b.iter(|| {
            let mut diags = Vec::new();
            journeydoc::parse::parse_file(&file, &mut diags)
        })
    });
}

fn load_10k(c: &mut Criterion) {
    let dir = corpus(10_000);
    let root = dir.path().join("journeydoc");
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function("read, parse and resolve 10k journeys", |b| {
        b.iter(|| journeydoc::load(&root, &journeydoc::Options::default()).expect("loads"))
    });
    group.finish();
}

fn render_one_journey_page(c: &mut Criterion) {
    let run = journeydoc::load(example(), &journeydoc::Options::default()).expect("loads");
    let theme = journeydoc::theme::Theme::load(example(), "default").expect("theme");
    let page = "journeys/carla/activity.html";
    c.bench_function("render one journey page", |b| {
        b.iter(|| {
            let site = journeydoc::render::render_pages(&run.handbook, &theme, &|p| p == page)
                .expect("renders");
            assert_eq!(site.len(), 1);
            site
        })
    });
}

fn draw_one_curve(c: &mut Criterion) {
    let labels: Vec<String> = (0..20).map(|i| format!("Step {i}")).collect();
    let points: Vec<svg::Point> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| svg::Point {
            score: (i % 7 != 3).then_some((i % 5) as i8 - 2),
            label: l,
            word: "happy",
            before: None,
        })
        .collect();
    c.bench_function("draw one 20-step emotion curve", |b| {
        b.iter(|| {
            svg::curve(
                &points,
                "Emotion curve",
                ["angry", "frustrated", "neutral", "happy", "delighted"],
            )
        })
    });
}

criterion_group!(
    benches,
    parse_one_journey,
    render_one_journey_page,
    draw_one_curve,
    load_10k
);
criterion_main!(benches);
