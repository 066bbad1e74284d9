//! The opportunity portfolio's impact × effort matrix: an inline SVG drawn at
//! build time (SPEC 6). Effort runs left to right (1..5), impact bottom to
//! top (1..5); the four quadrants ([`Quadrant`]) are tinted and named, and
//! each opportunity is a numbered marker with its title, a link to its page.
//! Opportunities on one cell are stacked in it, one line each, so every one
//! stays readable; a row grows to hold its fullest cell.
//!
//! Pure: items in, markup out. The page lists the same opportunities, with
//! the same numbers, as the matrix's text alternative.

use std::fmt::Write as _;

use super::escape;
use crate::opportunities::Quadrant;

/// One opportunity on the matrix.
pub struct Item<'a> {
    /// Its number in the page's list.
    pub number: usize,
    pub title: &'a str,
    /// Relative to the page.
    pub url: String,
    pub impact: u8,
    pub effort: u8,
    /// The status, for the marker's class (`idea`, `in-progress`…) and words.
    pub status: &'static str,
    pub status_word: &'a str,
}

/// The words the matrix prints, in the handbook's language.
pub struct Labels<'a> {
    pub title: &'a str,
    pub impact: &'a str,
    pub effort: &'a str,
    /// Quick wins, big bets, fill-ins, reconsider ([`Quadrant::ALL`]'s order).
    pub quadrants: [&'a str; 4],
}

const LEFT: u32 = 64;
const TOP: u32 = 8;
const CELL_W: u32 = 212;
const LINE: u32 = 22;
const PAD: u32 = 10;
const MIN_ROW: u32 = 56;
/// The strip at the top of a quadrant that holds its name.
const NAME: u32 = 22;
/// Characters of a title that fit beside its marker.
const TITLE_CHARS: usize = 22;

fn class(q: Quadrant) -> &'static str {
    match q {
        Quadrant::QuickWin => "quick-win",
        Quadrant::BigBet => "big-bet",
        Quadrant::FillIn => "fill-in",
        Quadrant::Reconsider => "reconsider",
    }
}

/// `title` cut to what fits beside a marker, with an ellipsis.
fn short(title: &str) -> String {
    if title.chars().count() <= TITLE_CHARS {
        return title.to_owned();
    }
    let cut: String = title.chars().take(TITLE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The matrix of `items` (each impact and effort 1..5).
pub fn matrix(items: &[Item], labels: &Labels) -> String {
    // cells[impact-1][effort-1]: the items there, in the order given.
    let mut cells: [[Vec<&Item>; 5]; 5] = Default::default();
    for it in items {
        let (i, e) = (it.impact.clamp(1, 5), it.effort.clamp(1, 5));
        cells[usize::from(i - 1)][usize::from(e - 1)].push(it);
    }
    // Rows from impact 5 (top) to 1; the first row of each half holds the
    // quadrant names.
    let mut rows: Vec<(u8, u32, u32)> = Vec::new(); // (impact, y, height)
    let mut y = TOP;
    for impact in (1..=5u8).rev() {
        let fullest = cells[usize::from(impact - 1)]
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0) as u32;
        let named = if impact == 5 || impact == 3 { NAME } else { 0 };
        let h = (PAD * 2 + fullest * LINE).max(MIN_ROW) + named;
        rows.push((impact, y, h));
        y += h;
    }
    let grid_bottom = y;
    let width = LEFT + CELL_W * 5 + 8;
    let height = grid_bottom + 48;
    let row = |impact: u8| rows[usize::from(5 - impact)];
    let col_x = |effort: u8| LEFT + CELL_W * u32::from(effort - 1);

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="matrix" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="group" aria-label="{}">"#,
        escape(labels.title)
    );
    let _ = write!(s, "<title>{}</title>", escape(labels.title));
    // The quadrants: effort 1–3 | 4–5, impact 4–5 over 1–3.
    for q in Quadrant::ALL {
        let (top_impact, bottom_impact) = match q {
            Quadrant::QuickWin | Quadrant::BigBet => (5, 4),
            _ => (3, 1),
        };
        let (first_effort, last_effort) = match q {
            Quadrant::QuickWin | Quadrant::FillIn => (1, 3),
            _ => (4, 5),
        };
        let (_, y0, _) = row(top_impact);
        let (_, yb, hb) = row(bottom_impact);
        let x0 = col_x(first_effort);
        let w = CELL_W * u32::from(last_effort - first_effort + 1);
        let name = labels.quadrants[q as usize];
        let _ = write!(
            s,
            r#"<g class="quadrant {c}"><rect x="{x0}" y="{y0}" width="{w}" height="{h}"/><text class="quadrant-name" x="{tx}" y="{ty}">{n}</text></g>"#,
            c = class(q),
            h = yb + hb - y0,
            tx = x0 + PAD,
            ty = y0 + 16,
            n = escape(name),
        );
    }
    // Cell lines, then the two lines that divide the quadrants.
    for (_, ry, _) in rows.iter().skip(1) {
        let _ = write!(
            s,
            r#"<line class="cell-line" x1="{LEFT}" y1="{ry}" x2="{x2}" y2="{ry}"/>"#,
            x2 = LEFT + CELL_W * 5
        );
    }
    for e in 2..=5u8 {
        let x = col_x(e);
        let _ = write!(
            s,
            r#"<line class="cell-line{d}" x1="{x}" y1="{TOP}" x2="{x}" y2="{grid_bottom}"/>"#,
            d = if e == 4 { " divide" } else { "" }
        );
    }
    let (_, mid, _) = row(3);
    let _ = write!(
        s,
        r#"<line class="cell-line divide" x1="{LEFT}" y1="{mid}" x2="{x2}" y2="{mid}"/>"#,
        x2 = LEFT + CELL_W * 5
    );
    // Axes: the scores beside each row and under each column, and the names.
    for &(impact, ry, rh) in &rows {
        let _ = write!(
            s,
            r#"<text class="axis-score" x="{x}" y="{y}" text-anchor="end">{impact}</text>"#,
            x = LEFT - 10,
            y = ry + rh / 2 + 4
        );
    }
    for e in 1..=5u8 {
        let _ = write!(
            s,
            r#"<text class="axis-score" x="{x}" y="{y}" text-anchor="middle">{e}</text>"#,
            x = col_x(e) + CELL_W / 2,
            y = grid_bottom + 18
        );
    }
    let _ = write!(
        s,
        r#"<text class="axis-name" x="{x}" y="{y}" text-anchor="middle">{} →</text>"#,
        escape(labels.effort),
        x = LEFT + CELL_W * 5 / 2,
        y = grid_bottom + 40
    );
    let _ = write!(
        s,
        r#"<text class="axis-name" transform="translate(18 {y}) rotate(-90)" text-anchor="middle">{} →</text>"#,
        escape(labels.impact),
        y = TOP + (grid_bottom - TOP) / 2
    );
    // The opportunities.
    for (impact_row, cols) in cells.iter().enumerate() {
        let impact = impact_row as u8 + 1;
        let (_, ry, _) = row(impact);
        let named = if impact == 5 || impact == 3 { NAME } else { 0 };
        for (effort_col, list) in cols.iter().enumerate() {
            let x = col_x(effort_col as u8 + 1) + PAD;
            for (k, it) in list.iter().enumerate() {
                let cy = ry + named + PAD + LINE * k as u32 + LINE / 2;
                let q = Quadrant::of(it.impact, it.effort);
                let _ = write!(
                    s,
                    r#"<a class="opportunity-mark {st}" href="{url}" data-impact="{i}" data-effort="{e}" data-quadrant="{qc}"><title>{n}. {title} — {sw} · {im} {i} · {ef} {e} · {qn}</title><circle cx="{cx}" cy="{cy}" r="10"/><text class="mark-number{two}" x="{cx}" y="{ny}" text-anchor="middle">{n}</text><text class="mark-title" x="{tx}" y="{ny}">{short}</text></a>"#,
                    st = it.status,
                    url = escape(&it.url),
                    i = it.impact,
                    e = it.effort,
                    qc = class(q),
                    n = it.number,
                    title = escape(it.title),
                    sw = escape(it.status_word),
                    im = escape(labels.impact),
                    ef = escape(labels.effort),
                    qn = escape(labels.quadrants[q as usize]),
                    two = if it.number >= 10 { " two" } else { "" },
                    cx = x + 10,
                    ny = cy + 4,
                    tx = x + 26,
                    short = escape(&short(it.title)),
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(number: usize, impact: u8, effort: u8) -> Item<'static> {
        Item {
            number,
            title: "Link guest orders to rewards accounts",
            url: format!("o{number}.html"),
            impact,
            effort,
            status: "planned",
            status_word: "Planned",
        }
    }

    const LABELS: Labels = Labels {
        title: "Impact × effort",
        impact: "Impact",
        effort: "Effort",
        quadrants: ["Quick wins", "Big bets", "Fill-ins", "Reconsider"],
    };

    #[test]
    fn two_on_one_cell_are_stacked_not_drawn_over_each_other() {
        let svg = matrix(&[item(1, 4, 2), item(2, 4, 2)], &LABELS);
        let ys: Vec<&str> = svg
            .split("<circle ")
            .skip(1)
            .map(|c| c.split("cy=\"").nth(1).unwrap().split('"').next().unwrap())
            .collect();
        assert_eq!(ys.len(), 2);
        assert_ne!(ys[0], ys[1]);
        assert!(svg.contains("data-quadrant=\"quick-win\""));
        assert!(svg.contains("<text class=\"mark-title\""));
        assert!(svg.contains("Link guest orders to…"), "{svg}");
    }

    #[test]
    fn every_quadrant_is_named_and_titles_are_escaped() {
        let mut it = item(1, 1, 5);
        it.title = "<Fix> & \"check\"";
        let svg = matrix(&[it], &LABELS);
        for name in LABELS.quadrants {
            assert!(svg.contains(&format!(">{name}</text>")), "{name}");
        }
        assert!(svg.contains("&lt;Fix&gt; &amp; &quot;check&quot;"));
        assert!(svg.contains("data-quadrant=\"reconsider\""));
    }
}
