//! One journey's map laid out as an SVG picture for a slide: the title
//! block, the stages as columns, the lanes in blueprint order with the
//! lines of interaction and visibility, and every text measured with the
//! bundled font and wrapped inside its card.
//!
//! Every box of text is a `<g class="card">` holding its `<rect>` and its
//! `<text>` lines (the browser test checks each text stays inside its card).
//! The size grows with the journey (a wider picture for more steps, never
//! smaller text).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::font::{self, Metrics};
use crate::insights::effective_owner;
use crate::model::Emotion;
use crate::render::escape;
use crate::render::i18n::Strings;
use crate::resolve::Handbook;

// Sizes in SVG pixels (the PNG doubles them).
const PAD: f32 = 48.0;
const LABEL_W: f32 = 190.0;
const COL_W: f32 = 236.0;
const GAP: f32 = 8.0;
const TEXT: f32 = 17.0;
const LINE: f32 = 23.0;
const INSET: f32 = 10.0;
const LANE_GAP: f32 = 8.0;
const CURVE_H: f32 = 150.0;

// The handbook's light theme.
const BG: &str = "#fbfaf7";
const FG: &str = "#1d2330";
const MUTED: &str = "#5d6675";
const LINE_C: &str = "#dfe2e7";
const CARD: &str = "#ffffff";
const ACCENT: &str = "#1f6f5c";
const ACCENT_SOFT: &str = "#e3f1ec";
const PAIN: &str = "#9b2c1f";
const PAIN_BG: &str = "#fbeae7";
const OPP: &str = "#1d5e8a";
const OPP_BG: &str = "#e6f0f8";
const GAP_BG: &str = "#f7d9d5";
const HANDOFF_BG: &str = "#eceff2";

/// The colour of an emotion's point and its pill.
fn emotion_colours(e: Emotion) -> (&'static str, &'static str) {
    match e.score() {
        i8::MIN..=-2 => ("#c0392b", "#f7d9d5"),
        -1 => ("#e67e22", "#fbe6cf"),
        0 => ("#95a0ad", "#eceff2"),
        1 => ("#5fae6e", "#dcefe0"),
        _ => ("#1e8c4e", "#c5e7d2"),
    }
}

/// One line of a card: its text, weight and colour.
struct Line {
    text: String,
    bold: bool,
    colour: &'static str,
}

/// A card's content before layout: paragraphs, wrapped to the column.
#[derive(Default)]
struct Cell {
    paragraphs: Vec<(String, bool, &'static str)>,
    fill: &'static str,
    stroke: &'static str,
}

impl Cell {
    fn new(fill: &'static str, stroke: &'static str) -> Cell {
        Cell {
            paragraphs: Vec::new(),
            fill,
            stroke,
        }
    }

    fn text(mut self, text: &str, bold: bool, colour: &'static str) -> Cell {
        if !text.trim().is_empty() {
            self.paragraphs.push((text.to_owned(), bold, colour));
        }
        self
    }

    fn lines(&self, width: f32) -> Vec<Line> {
        self.paragraphs
            .iter()
            .flat_map(|(text, bold, colour)| {
                let m: &Metrics = if *bold { font::bold() } else { font::regular() };
                font::wrap(m, text, TEXT, width)
                    .into_iter()
                    .map(move |text| Line {
                        text,
                        bold: *bold,
                        colour,
                    })
            })
            .collect()
    }
}

/// A lane: its name and one cell per step column (None: nothing there).
struct Lane {
    name: &'static str,
    cells: Vec<Option<Cell>>,
}

/// The SVG text: attributes escaped.
struct Svg {
    out: String,
}

impl Svg {
    /// A rounded box at `(x, y)` of `(w, h)`.
    fn rect(&mut self, (x, y, w, h): (f32, f32, f32, f32), fill: &str, stroke: &str, r: f32) {
        let _ = write!(
            self.out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"{r}\" fill=\"{fill}\" stroke=\"{stroke}\"/>"
        );
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, colour: &str, text: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\"{} fill=\"{colour}\">{}</text>",
            if bold { " font-weight=\"bold\"" } else { "" },
            escape(text)
        );
    }

    /// A card: a box and its lines, the box tall enough for them.
    fn card(&mut self, x: f32, y: f32, w: f32, h: f32, cell: &Cell, lines: &[Line]) {
        self.out.push_str("<g class=\"card\">");
        self.rect((x, y, w, h), cell.fill, cell.stroke, 6.0);
        for (i, l) in lines.iter().enumerate() {
            let baseline = y + INSET + TEXT + i as f32 * LINE - 4.0;
            self.text(x + INSET, baseline, TEXT, l.bold, l.colour, &l.text);
        }
        self.out.push_str("</g>");
    }
}

/// Height of a card holding `n` lines.
fn card_height(n: usize) -> f32 {
    2.0 * INSET + n as f32 * LINE
}

/// The picture of journey `id` as SVG, with the bundled font embedded.
pub fn journey_svg(h: &Handbook, id: &str, t: &Strings) -> String {
    let j = &h.journeys[id];
    let lang = h.config.language;
    let steps: Vec<(usize, usize)> = j
        .stages
        .iter()
        .enumerate()
        .flat_map(|(si, s)| (0..s.steps.len().max(1)).map(move |k| (si, k)))
        .collect();
    let step_at = |si: usize, k: usize| j.stages[si].steps.get(k);
    let n = steps.len().max(1);
    let width = 2.0 * PAD + LABEL_W + n as f32 * COL_W;
    let inner = COL_W - GAP - 2.0 * INSET;
    let dept = |o: &str| h.department_name(o).to_owned();
    let handoffs: BTreeMap<(usize, usize), bool> = h
        .handoffs
        .get(id)
        .into_iter()
        .flatten()
        .map(|ho| ((ho.to.stage, ho.to.step), ho.gap.is_some()))
        .collect();

    // The lanes, in blueprint order; a lane no step uses is left out.
    type CellOf<'c> = &'c dyn Fn(&crate::model::Step, (usize, usize)) -> Option<Cell>;
    let lane = |name: &'static str, cell: CellOf| Lane {
        name,
        cells: steps
            .iter()
            .map(|&(si, k)| step_at(si, k).and_then(|s| cell(s, (si, k))))
            .collect(),
    };
    let plain = |text: Option<&str>, fill: &'static str, colour: &'static str| {
        text.filter(|x| !x.trim().is_empty())
            .map(|x| Cell::new(fill, LINE_C).text(x, false, colour))
    };
    let customer = vec![
        lane(t.action, &|s, _| {
            let mut c = Cell::new(CARD, LINE_C).text(&s.action, true, FG);
            if s.transaction {
                c = c.text(t.transaction, true, ACCENT);
            }
            if s.dropoff {
                c = c.text(t.dropoff, true, PAIN);
                c.stroke = PAIN;
            }
            Some(c)
        }),
        lane(t.touchpoints, &|s, _| {
            let names: Vec<String> = s
                .touchpoints
                .iter()
                .map(|tp| {
                    h.touchpoints
                        .get(tp.value.as_ref())
                        .map_or(tp.value.to_string(), |x| x.name.clone())
                })
                .collect();
            (!names.is_empty()).then(|| {
                names
                    .iter()
                    .fold(Cell::new(CARD, LINE_C), |c, n| c.text(n, false, ACCENT))
            })
        }),
        lane(t.thinking, &|s, _| {
            plain(
                s.thinking.as_deref().map(|x| format!("“{x}”")).as_deref(),
                CARD,
                MUTED,
            )
        }),
    ];
    let after_curve = vec![
        lane(t.pains, &|s, _| plain(s.pain.as_deref(), PAIN_BG, PAIN)),
        lane(t.opportunities, &|s, _| {
            // The note, then each opportunity named, with its status.
            let mut c =
                Cell::new(OPP_BG, LINE_C).text(s.opportunity.as_deref().unwrap_or(""), false, OPP);
            for o in &s.opportunities {
                let line = match h.opportunities.get(&o.value) {
                    Some(op) => format!(
                        "{} ({})",
                        op.title,
                        crate::render::i18n::status(op.status, h.config.language)
                    ),
                    None => o.value.clone(),
                };
                c = c.text(&line, true, OPP);
            }
            (!c.paragraphs.is_empty()).then_some(c)
        }),
    ];
    let frontstage = vec![lane(t.frontstage, &|s, _| {
        plain(s.frontstage.as_deref(), CARD, FG)
    })];
    let backstage = vec![
        lane(t.backstage, &|s, _| {
            plain(s.backstage.as_deref(), CARD, MUTED)
        }),
        lane(t.support, &|s, _| plain(s.support.as_deref(), CARD, MUTED)),
        lane(t.systems, &|s, _| {
            let names: Vec<&str> = s.systems.iter().map(|x| x.value.as_str()).collect();
            plain(Some(&names.join(", ")), CARD, MUTED)
        }),
    ];
    let owners = vec![lane(t.owners, &|s, at| {
        let owner = effective_owner(s, &h.touchpoints)?;
        let mut c = Cell::new(CARD, LINE_C).text(&dept(owner), true, FG);
        if let Some(gap) = handoffs.get(&at) {
            let (label, fill) = if *gap {
                (t.handoff_gap, GAP_BG)
            } else {
                (t.handoff, HANDOFF_BG)
            };
            c = c.text(&format!("» {label}"), true, if *gap { PAIN } else { MUTED });
            c.fill = fill;
            if *gap {
                c.stroke = PAIN;
            }
        }
        Some(c)
    })];
    let used = |lanes: Vec<Lane>| -> Vec<Lane> {
        lanes
            .into_iter()
            .filter(|l| l.cells.iter().any(Option::is_some))
            .collect()
    };
    let (customer, after_curve, frontstage, backstage, owners) = (
        used(customer),
        used(after_curve),
        used(frontstage),
        used(backstage),
        used(owners),
    );

    let mut body = Svg { out: String::new() };
    let x_of = |i: usize| PAD + LABEL_W + i as f32 * COL_W;
    let mut y = PAD;

    // The title block.
    let title_m = font::bold();
    for line in font::wrap(title_m, &j.title, 40.0, width - 2.0 * PAD) {
        body.text(PAD, y + 40.0, 40.0, true, FG, &line);
        y += 52.0;
    }
    let persona = h.personas.get(&j.persona.value).map(|p| p.name.as_str());
    let lens = h.lenses.get(&j.lens.value).map(|l| l.title.as_str());
    let mut facts = Vec::new();
    if let Some(p) = persona {
        facts.push(format!("{}: {p}", t.persona));
    }
    if let Some(l) = lens {
        facts.push(format!("{}: {l}", t.lens));
    }
    // The average as the handbook shows it (`0.0`, never `-0.0`).
    let average = |j: &crate::model::Journey| {
        crate::model::mean(j.steps().filter_map(|(_, s)| s.emotion.map(Emotion::score)))
            .map(|(m, _)| crate::model::shown(m).1)
    };
    if let Some(avg) = average(j) {
        facts.push(format!("{}: {avg}", t.average_emotion));
    }
    // A future state: the journey it redesigns, whose curve is drawn dashed
    // under this one's at the steps that match.
    let compared = crate::redesign::of(h, id).map(|(c, cmp)| (&h.journeys[c], cmp));
    if let Some((c, _)) = &compared {
        let avg = average(c).map(|a| format!(" ({a})")).unwrap_or_default();
        facts.push(format!("{}: {}{avg}", t.legend_current, c.title));
    }
    for (name, value) in [
        ("NPS", j.metrics.nps),
        ("CES", j.metrics.ces),
        ("CSAT", j.metrics.csat),
    ] {
        if let Some(v) = value {
            facts.push(format!("{name} {v}"));
        }
    }
    for line in font::wrap(
        font::regular(),
        &facts.join("  ·  "),
        20.0,
        width - 2.0 * PAD,
    ) {
        body.text(PAD, y + 22.0, 20.0, false, MUTED, &line);
        y += 28.0;
    }
    if let Some(s) = &j.scenario {
        for line in font::wrap(font::regular(), s, 20.0, width - 2.0 * PAD) {
            body.text(PAD, y + 22.0, 20.0, false, FG, &line);
            y += 28.0;
        }
    }
    y += 20.0;

    // The stage row.
    let stage_h = {
        let tallest = j
            .stages
            .iter()
            .map(|stage| {
                let span = stage.steps.len().max(1) as f32;
                font::wrap(
                    font::bold(),
                    &stage.name.value,
                    TEXT,
                    span * COL_W - GAP - 2.0 * INSET,
                )
                .len()
            })
            .max()
            .unwrap_or(1)
            .max(1);
        card_height(tallest)
    };
    let mut col = 0;
    for stage in &j.stages {
        let span = stage.steps.len().max(1);
        let cell = Cell::new(ACCENT_SOFT, ACCENT_SOFT).text(&stage.name.value, true, ACCENT);
        let w = span as f32 * COL_W - GAP;
        let lines = cell.lines(w - 2.0 * INSET);
        body.card(x_of(col), y, w, stage_h, &cell, &lines);
        col += span;
    }
    label(&mut body, t.stage, y);
    y += stage_h + LANE_GAP;

    let draw_lanes = |body: &mut Svg, lanes: &[Lane], y: &mut f32| {
        for lane in lanes {
            let laid: Vec<Option<Vec<Line>>> = lane
                .cells
                .iter()
                .map(|c| c.as_ref().map(|c| c.lines(inner)))
                .collect();
            let tallest = laid
                .iter()
                .flatten()
                .map(Vec::len)
                .max()
                .unwrap_or(1)
                .max(1);
            let hgt = card_height(tallest);
            label(body, lane.name, *y);
            for (i, (cell, lines)) in lane.cells.iter().zip(&laid).enumerate() {
                if let (Some(cell), Some(lines)) = (cell, lines) {
                    body.card(x_of(i), *y, COL_W - GAP, hgt, cell, lines);
                }
            }
            *y += hgt + LANE_GAP;
        }
    };
    draw_lanes(&mut body, &customer, &mut y);

    // The emotion lane: the curve through the step columns, each word in
    // a pill under it.
    label(&mut body, t.emotion, y);
    let top = y + 14.0;
    let level = |score: i8| top + (2.0 - f32::from(score)) * 22.0;
    for score in -2i8..=2 {
        let _ = write!(
            body.out,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"1\"{}/>",
            x_of(0),
            level(score),
            x_of(n) - GAP,
            level(score),
            if score == 0 { MUTED } else { LINE_C },
            if score == 0 {
                " stroke-dasharray=\"5 5\""
            } else {
                ""
            }
        );
    }
    let centre = |i: usize| x_of(i) + (COL_W - GAP) / 2.0;
    let points: Vec<Option<Emotion>> = steps
        .iter()
        .map(|&(si, k)| step_at(si, k).and_then(|s| s.emotion))
        .collect();
    // The current state's curve, dashed, under a future state's.
    let before: Vec<Option<Emotion>> = steps
        .iter()
        .map(|&(si, k)| {
            let (c, cmp) = compared.as_ref()?;
            step_at(si, k)?;
            let r = cmp.current_of(crate::insights::StepRef { stage: si, step: k })?;
            c.stages[r.stage].steps[r.step].emotion
        })
        .collect();
    // A segment between each two neighbouring rated steps of a curve, with
    // `head` after `<line` and `tail` after the coordinates.
    let segments = |body: &mut Svg, curve: &[Option<Emotion>], head: &str, tail: &str| {
        for (i, pair) in curve.windows(2).enumerate() {
            if let (Some(a), Some(b)) = (pair[0], pair[1]) {
                let _ = write!(
                    body.out,
                    "<line{head} x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"{tail}/>",
                    centre(i),
                    level(a.score()),
                    centre(i + 1),
                    level(b.score())
                );
            }
        }
    };
    segments(
        &mut body,
        &before,
        " class=\"before\"",
        &format!(" stroke=\"{MUTED}\" stroke-width=\"3\" stroke-dasharray=\"9 7\""),
    );
    for (i, e) in before.iter().enumerate() {
        if let Some(e) = e {
            let _ = write!(
                body.out,
                "<circle class=\"before\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"{CARD}\" stroke=\"{MUTED}\" stroke-width=\"3\"/>",
                centre(i),
                level(e.score())
            );
        }
    }
    segments(
        &mut body,
        &points,
        "",
        &format!(" stroke=\"{ACCENT}\" stroke-width=\"4\" stroke-linecap=\"round\""),
    );
    let pill_y = top + 4.0 * 22.0 + 18.0;
    for (i, e) in points.iter().enumerate() {
        let Some(e) = e else { continue };
        let (dot, bg) = emotion_colours(*e);
        let _ = write!(
            body.out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"9\" fill=\"{dot}\" stroke=\"{CARD}\" stroke-width=\"3\"/>",
            centre(i),
            level(e.score())
        );
        let word = e.word(lang);
        let cell = Cell::new(bg, bg).text(word, true, FG);
        let lines = cell.lines(inner);
        let w = (font::bold().width(word, TEXT) + 2.0 * INSET).min(COL_W - GAP);
        body.card(
            centre(i) - w / 2.0,
            pill_y,
            w,
            card_height(lines.len()),
            &cell,
            &lines,
        );
    }
    y += CURVE_H.max(pill_y - y + card_height(1)) + LANE_GAP;

    draw_lanes(&mut body, &after_curve, &mut y);
    // A blueprint line: dashed across the picture, its name under it in
    // the lane-name column, the lanes below it starting after the name.
    let line_across = |body: &mut Svg, name: &str, y: &mut f32, colour: &str| {
        let _ = write!(
            body.out,
            "<line x1=\"{PAD:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"10 6\"/>",
            *y + 4.0,
            width - PAD,
            *y + 4.0
        );
        let lines = font::wrap(font::bold(), name, 14.0, LABEL_W - 12.0);
        for (k, l) in lines.iter().enumerate() {
            body.text(PAD, *y + 24.0 + k as f32 * 18.0, 14.0, true, colour, l);
        }
        *y += 16.0 + lines.len() as f32 * 18.0;
    };
    if !frontstage.is_empty() {
        line_across(&mut body, t.line_interaction, &mut y, ACCENT);
        draw_lanes(&mut body, &frontstage, &mut y);
    }
    if !backstage.is_empty() {
        line_across(&mut body, t.line_visibility, &mut y, MUTED);
        draw_lanes(&mut body, &backstage, &mut y);
    }
    draw_lanes(&mut body, &owners, &mut y);
    let height = y + PAD - LANE_GAP;

    let mut out = String::with_capacity(body.out.len() + 200_000);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"{}\" role=\"img\" aria-label=\"{}\">",
        font::FAMILY,
        escape(&j.title)
    );
    let _ = write!(
        out,
        "<title>{}</title><style>@font-face{{font-family:\"{f}\";font-weight:normal;src:url(data:font/ttf;base64,{})}}@font-face{{font-family:\"{f}\";font-weight:bold;src:url(data:font/ttf;base64,{})}}</style>",
        escape(&j.title),
        font::base64(font::REGULAR),
        font::base64(font::BOLD),
        f = font::FAMILY
    );
    let _ = write!(out, "<rect width=\"100%\" height=\"100%\" fill=\"{BG}\"/>");
    out.push_str(&body.out);
    out.push_str("</svg>\n");
    out
}

/// A lane's name in the left column, wrapped.
fn label(body: &mut Svg, name: &str, y: f32) {
    let upper = name.to_uppercase();
    for (k, l) in font::wrap(font::bold(), &upper, 14.0, LABEL_W - 16.0)
        .iter()
        .enumerate()
    {
        body.text(PAD, y + 22.0 + k as f32 * 18.0, 14.0, true, MUTED, l);
    }
}
