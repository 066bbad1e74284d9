//! Corpus generator for benchmarks: a valid journeydoc handbook of N journeys,
//! and beside it the same content as plain pages for Hugo and mdBook.
//!
//! ```text
//! cargo run --release --example gen -- --journeys 10000 --out /tmp/corpus [--seed 7] [--months 12] [--layer]
//! ```
//!
//! writes `OUT/journeydoc` (book.toml + content/), `OUT/hugo` (hugo.toml,
//! content/, a minimal layout) and `OUT/mdbook` (book.toml, src/SUMMARY.md).
//! The shape is described in `src/corpus.rs`.

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    journeys: usize,
    out: PathBuf,
    seed: u64,
    months: usize,
    layer: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut journeys = None;
    let mut out = None;
    let mut seed = 7;
    let mut months = 0;
    let mut layer = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--journeys" | "-n" => {
                journeys = Some(value()?.parse().map_err(|e| format!("--journeys: {e}"))?)
            }
            "--out" | "-o" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--months" => months = value()?.parse().map_err(|e| format!("--months: {e}"))?,
            "--layer" => layer = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        journeys: journeys.ok_or("--journeys N is required")?,
        out: out.ok_or("--out DIR is required")?,
        seed,
        months,
        layer,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "gen: {e}\nusage: gen --journeys N --out DIR [--seed S] [--months M] [--layer]"
            );
            return ExitCode::from(2);
        }
    };
    if args.out.exists()
        && fs::read_dir(&args.out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        eprintln!(
            "gen: {} exists and is not empty; give a new folder",
            args.out.display()
        );
        return ExitCode::from(2);
    }
    match journeydoc::corpus::write_corpus_layered(
        &args.out,
        args.journeys,
        args.seed,
        args.months,
        args.layer,
    ) {
        Ok(rows) => {
            println!(
                "wrote {} journeys, {} personas, {} touchpoints, {rows} measurements to {}",
                args.journeys,
                (args.journeys / 10).max(1),
                (args.journeys / 20).max(20),
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen: {}: {e}", args.out.display());
            ExitCode::from(2)
        }
    }
}
