//! The emotion curve: an inline SVG drawn at build time, one point per step
//! on the -2..2 scale, aligned with the journey grid's step columns.
//!
//! It needs no JavaScript and carries its own accessible name; the page also
//! prints the same data as a table for screen readers.

use std::fmt::Write as _;

use super::escape;

/// The narrowest a step column of the grid gets, in CSS pixels (the grid's
/// `--column`): at 1440 pixels twelve steps fit the window. The columns
/// share the window's width; the curve follows them because its x
/// coordinates are percentages of its cell, which spans every column.
pub const COLUMN: u32 = 100;
/// A journey longer than [`FITS`] steps scrolls inside its box anyway, so
/// its columns are this wide: text wraps less and the rows stay short.
pub const WIDE_COLUMN: u32 = 136;
/// The most steps a 1440-pixel window shows without sideways scrolling.
pub const FITS: usize = 12;

/// The narrowest step column for a journey of `steps` steps.
pub fn column_for(steps: usize) -> u32 {
    if steps > FITS { WIDE_COLUMN } else { COLUMN }
}
const HEIGHT: u32 = 120;
const PAD: u32 = 16;

/// One point: the score (None when the step has no emotion) and a label.
pub struct Point<'a> {
    pub score: Option<i8>,
    pub label: &'a str,
    pub word: &'a str,
    /// On a future state's map: the score of the current state's matching
    /// step, drawn as a second, dashed curve (with its word).
    pub before: Option<(i8, &'a str)>,
}

fn y(score: i8) -> u32 {
    // +2 at the top, -2 at the bottom.
    let span = HEIGHT - 2 * PAD;
    PAD + (2 - i32::from(score)) as u32 * span / 4
}

/// The SVG for `points`, titled `title` (e.g. "Emotion curve of …").
pub fn curve(points: &[Point], title: &str, scale_labels: [&str; 5]) -> String {
    let n = points.len().max(1);
    // The centre of column i, as a percentage of the curve's width.
    let x = |i: usize| {
        let per_mille = (2 * i + 1) * 1000 / (2 * n);
        format!("{}.{}%", per_mille / 10, per_mille % 10)
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"curve\" xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        escape(title),
        escape(title)
    );
    // Grid lines for the five levels, labelled at the left.
    for (i, score) in (-2i8..=2).rev().enumerate() {
        let yy = y(score);
        let class = if score == 0 { "axis zero" } else { "axis" };
        let _ = write!(
            s,
            "<line class=\"{class}\" x1=\"0\" y1=\"{yy}\" x2=\"100%\" y2=\"{yy}\"/><text class=\"level\" x=\"4\" y=\"{}\">{}</text>",
            yy.saturating_sub(3),
            escape(scale_labels[4 - i])
        );
    }
    // The current state's curve under a future state's: dashed, hollow
    // points, drawn first so the future curve stays on top.
    series(
        &mut s,
        points,
        &x,
        |p| p.before,
        "line before",
        |_| "point before".to_owned(),
        4,
    );
    series(
        &mut s,
        points,
        &x,
        |p| p.score.map(|score| (score, p.word)),
        "line",
        |score| format!("point e{}", score_class(score)),
        6,
    );
    s.push_str("</svg>");
    s
}

/// One curve onto `s`: a segment between each two neighbouring steps that
/// `of` rates (so broken where a step has none; segments, not a polyline,
/// because only they take percentages), then a titled point at each.
fn series<'p>(
    s: &mut String,
    points: &'p [Point<'p>],
    x: &dyn Fn(usize) -> String,
    of: impl Fn(&'p Point<'p>) -> Option<(i8, &'p str)>,
    line: &str,
    point: impl Fn(i8) -> String,
    radius: u32,
) {
    for (i, pair) in points.windows(2).enumerate() {
        if let (Some((a, _)), Some((b, _))) = (of(&pair[0]), of(&pair[1])) {
            let _ = write!(
                s,
                "<line class=\"{line}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
                x(i),
                y(a),
                x(i + 1),
                y(b)
            );
        }
    }
    for (i, p) in points.iter().enumerate() {
        let Some((score, word)) = of(p) else { continue };
        let _ = write!(
            s,
            "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{radius}\" data-score=\"{score}\"><title>{}: {}</title></circle>",
            point(score),
            x(i),
            y(score),
            escape(p.label),
            escape(word)
        );
    }
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

/// A measured series as a small trend line (SPEC 6: "a trend line, inline
/// SVG"): `points` are (day number, value) in date order; the y axis spans
/// the values and the target (dashed) with a little room; the latest point
/// is a dot. No JavaScript: the `<title>` says every value, for screen
/// readers and on hover.
pub fn trend(points: &[(i64, f64)], target: Option<f64>, title: &str) -> String {
    use std::fmt::Write;
    const W: f64 = 96.0;
    const H: f64 = 24.0;
    const M: f64 = 3.0;
    let mut out = String::with_capacity(256 + points.len() * 16);
    out.push_str("<svg class=\"trend\" viewBox=\"0 0 96 24\" width=\"96\" height=\"24\" role=\"img\"><title>");
    crate::render::escape_into(&mut out, title);
    out.push_str("</title>");
    let Some((first, last)) = points.first().zip(points.last()) else {
        out.push_str("</svg>");
        return out;
    };
    let values = points.iter().map(|p| p.1).chain(target);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let spread = if hi > lo { hi - lo } else { 1.0 };
    let days = (last.0 - first.0).max(1) as f64;
    let x = |d: i64| {
        if points.len() == 1 {
            W / 2.0
        } else {
            M + (d - first.0) as f64 / days * (W - 2.0 * M)
        }
    };
    let y = |v: f64| {
        if hi > lo {
            H - M - (v - lo) / spread * (H - 2.0 * M)
        } else {
            H / 2.0
        }
    };
    if let Some(t) = target {
        let _ = write!(
            out,
            "<line class=\"trend-target\" x1=\"0\" x2=\"96\" y1=\"{0:.1}\" y2=\"{0:.1}\"/>",
            y(t)
        );
    }
    out.push_str("<polyline class=\"trend-line\" points=\"");
    for (i, (d, v)) in points.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{:.1},{:.1}", x(*d), y(*v));
    }
    let _ = write!(
        out,
        "\"/><circle class=\"trend-last\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\"/></svg>",
        x(last.0),
        y(last.1)
    );
    out
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
                before: None,
            },
            Point {
                score: None,
                label: "b",
                word: "",
                before: None,
            },
            Point {
                score: Some(-2),
                label: "c",
                word: "angry",
                before: None,
            },
            Point {
                score: Some(0),
                label: "d & e",
                word: "neutral",
                before: None,
            },
        ];
        let svg = curve(&pts, "Emotion of <Carla>", ["-2", "-1", "0", "+1", "+2"]);
        assert_eq!(svg.matches("<circle").count(), 3);
        // Four columns: centres at 12.5 %, 37.5 %, 62.5 %, 87.5 %.
        assert!(svg.contains("cx=\"12.5%\" cy=\"16\""), "{svg}"); // +2 at the top
        assert!(svg.contains("cx=\"62.5%\" cy=\"104\""), "{svg}"); // -2 at the bottom
        assert!(svg.contains("cx=\"87.5%\" cy=\"60\""), "{svg}");
        // The line breaks at the unrated step: one segment, c → d.
        assert_eq!(svg.matches("class=\"line\"").count(), 1);
        assert!(svg.contains("x1=\"62.5%\" y1=\"104\" x2=\"87.5%\" y2=\"60\""));
        assert!(svg.contains("aria-label=\"Emotion of &lt;Carla&gt;\""));
        assert!(svg.contains("<title>d &amp; e: neutral</title>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            !svg.contains("before"),
            "no second curve without a current state"
        );
    }

    #[test]
    fn a_future_state_draws_the_current_curve_dashed_beneath() {
        let p = |score, before| Point {
            score: Some(score),
            label: "x",
            word: "w",
            before,
        };
        let pts = [
            p(1, Some((-1, "sad"))),
            p(2, Some((-2, "angry"))),
            p(0, None),
        ];
        let svg = curve(&pts, "t", ["-2", "-1", "0", "+1", "+2"]);
        // One dashed segment (the third column has no current step), two
        // hollow points, under the future's two segments and three points.
        assert_eq!(svg.matches("class=\"line before\"").count(), 1);
        assert_eq!(svg.matches("class=\"point before\"").count(), 2);
        assert_eq!(svg.matches("class=\"line\"").count(), 2);
        assert!(svg.find("line before") < svg.find("class=\"line\""));
        assert!(svg.contains("<title>x: angry</title>"));
    }

    #[test]
    fn a_trend_goes_left_to_right_in_date_order_with_the_target_dashed() {
        let svg = trend(
            &[(0, 20.0), (31, 30.0), (59, 25.0)],
            Some(40.0),
            "NPS: 2026-01 20",
        );
        let pts = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let xs: Vec<f64> = pts
            .split(' ')
            .map(|p| p.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(xs.len(), 3);
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
        assert!(svg.contains("class=\"trend-target\""));
        assert!(svg.contains("<title>NPS: 2026-01 20</title>"));
        // The target (40) is above every value: its line is the top one.
        let y = |v: &str| -> f64 { v.parse().unwrap() };
        let target_y = y(svg
            .split("y1=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap());
        assert!(
            pts.split(' ')
                .all(|p| y(p.split(',').nth(1).unwrap()) > target_y)
        );
    }
}
