//! The emotion curve: an inline SVG drawn at build time, one point per step
//! on the -2..2 scale, aligned with the journey grid's step columns.
//!
//! It needs no JavaScript and carries its own accessible name; the page also
//! prints the same data as a table for screen readers.

use std::fmt::Write as _;

use super::escape;

/// Width of one step column in the grid, in CSS pixels (the stylesheet uses
/// the same number).
pub const COLUMN: u32 = 200;
const HEIGHT: u32 = 120;
const PAD: u32 = 16;

/// One point: the score (None when the step has no emotion) and a label.
pub struct Point<'a> {
    pub score: Option<i8>,
    pub label: &'a str,
    pub word: &'a str,
}

fn y(score: i8) -> u32 {
    // +2 at the top, -2 at the bottom.
    let span = HEIGHT - 2 * PAD;
    PAD + (2 - i32::from(score)) as u32 * span / 4
}

/// The SVG for `points`, titled `title` (e.g. "Emotion curve of …").
pub fn curve(points: &[Point], title: &str, scale_labels: [&str; 5]) -> String {
    let width = COLUMN * points.len().max(1) as u32;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"curve\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {HEIGHT}\" width=\"{width}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        escape(title),
        escape(title)
    );
    // Grid lines for the five levels, labelled at the left.
    for (i, score) in (-2i8..=2).rev().enumerate() {
        let yy = y(score);
        let class = if score == 0 { "axis zero" } else { "axis" };
        let _ = write!(
            s,
            "<line class=\"{class}\" x1=\"0\" y1=\"{yy}\" x2=\"{width}\" y2=\"{yy}\"/><text class=\"level\" x=\"4\" y=\"{}\">{}</text>",
            yy.saturating_sub(3),
            escape(scale_labels[4 - i])
        );
    }
    // The line: broken where a step has no emotion.
    let mut segment: Vec<String> = Vec::new();
    let flush = |segment: &mut Vec<String>, s: &mut String| {
        if segment.len() > 1 {
            let _ = write!(
                s,
                "<polyline class=\"line\" points=\"{}\"/>",
                segment.join(" ")
            );
        }
        segment.clear();
    };
    for (i, p) in points.iter().enumerate() {
        let x = COLUMN * i as u32 + COLUMN / 2;
        match p.score {
            Some(score) => segment.push(format!("{x},{}", y(score))),
            None => flush(&mut segment, &mut s),
        }
    }
    flush(&mut segment, &mut s);
    for (i, p) in points.iter().enumerate() {
        let Some(score) = p.score else { continue };
        let x = COLUMN * i as u32 + COLUMN / 2;
        let _ = write!(
            s,
            "<circle class=\"point e{}\" cx=\"{x}\" cy=\"{}\" r=\"6\" data-score=\"{score}\"><title>{}: {}</title></circle>",
            score_class(score),
            y(score),
            escape(p.label),
            escape(p.word)
        );
    }
    s.push_str("</svg>");
    s
}

/// A CSS-friendly name for a score: `m2`, `m1`, `0`, `p1`, `p2`.
pub fn score_class(score: i8) -> &'static str {
    match score {
        i8::MIN..=-2 => "m2",
        -1 => "m1",
        0 => "0",
        1 => "p1",
        _ => "p2",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_point_per_rated_step_on_the_scale() {
        let pts = [
            Point {
                score: Some(2),
                label: "a",
                word: "delighted",
            },
            Point {
                score: None,
                label: "b",
                word: "",
            },
            Point {
                score: Some(-2),
                label: "c",
                word: "angry",
            },
            Point {
                score: Some(0),
                label: "d & e",
                word: "neutral",
            },
        ];
        let svg = curve(&pts, "Emotion of <Carla>", ["-2", "-1", "0", "+1", "+2"]);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("cx=\"100\" cy=\"16\""), "{svg}"); // +2 at the top
        assert!(svg.contains("cx=\"500\" cy=\"104\""), "{svg}"); // -2 at the bottom
        assert!(svg.contains("cx=\"700\" cy=\"60\""), "{svg}");
        // The line breaks at the unrated step: one polyline, c → d.
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.contains("points=\"500,104 700,60\""));
        assert!(svg.contains("aria-label=\"Emotion of &lt;Carla&gt;\""));
        assert!(svg.contains("<title>d &amp; e: neutral</title>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
