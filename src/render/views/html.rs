//! The long lists of the most numerous pages as HTML, written in Rust: a
//! journey's grid (stages × lanes) with the table under its curve, a
//! touchpoint's rows (every step through it, its pains, its opportunities)
//! and a lens's journeys side by side. They are most of those pages' work,
//! built here the way the SVG curve is.
//! Escaped as templates escape (the same five characters), so a page reads
//! as if its template had written them; the theme's CSS styles them through
//! the same classes (`.grid`, `.lane-*`, `.stage`, `.handoff`, `.uses`…).

use std::fmt::Write;

use super::journey::{Lanes, StageView, StepView};
use super::lens::LensRow;
use super::redesign::FutureLink;
use super::shared::{Average, EmotionView, TitleLink};
use super::touchpoint::StepRow;
use crate::render::escape_into;
use crate::render::i18n::Strings;
use crate::render::svg;

/// What the grid is drawn from.
pub(super) struct Map<'m, 'a> {
    pub stages: &'m [StageView<'a>],
    pub steps: &'m [StepView<'a>],
    pub lanes: &'m Lanes,
    /// The SVG emotion curve, in the emotion lane.
    pub curve: &'m str,
    /// The print stylesheet's scale for one landscape page.
    pub print_zoom: f32,
    /// On a future state's map: the legend of its two curves.
    pub legend: Option<&'m Legend<'a>>,
    pub t: &'static Strings,
    /// From the page back to the site root.
    pub root: &'m str,
}

/// The legend of a future state's two curves, in words (not colour
/// alone): which line is which, and each one's average.
pub(super) struct Legend<'a> {
    pub current: TitleLink<'a>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// HTML onto the end of a string.
struct Html<'o>(&'o mut String);

impl Html<'_> {
    fn raw(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self
    }

    fn text(&mut self, s: &str) -> &mut Self {
        escape_into(self.0, s);
        self
    }

    fn num(&mut self, n: impl std::fmt::Display) -> &mut Self {
        // Writing to a String does not fail.
        let _ = write!(self.0, "{n}");
        self
    }

    /// `<a href="{root}{section}{id}.html">name</a>`: a link to a page
    /// whose URL is [`super::journey_url`] or [`super::touchpoint_url`].
    fn page_link(&mut self, root: &str, section: &str, id: &str, name: &str) -> &mut Self {
        self.raw("<a href=\"")
            .text(root)
            .raw(section)
            .text(id)
            .raw(".html\">")
            .text(name)
            .raw("</a>")
    }

    /// `<a href="{root}{url}">name</a>`, or the name alone without a URL.
    fn link(&mut self, root: &str, name: &str, url: Option<&str>) -> &mut Self {
        match url {
            Some(url) => self
                .raw("<a href=\"")
                .text(root)
                .text(url)
                .raw("\">")
                .text(name)
                .raw("</a>"),
            None => self.text(name),
        }
    }

    /// The marks of a journey's future states: each a link to its map.
    fn futures(&mut self, root: &str, futures: &[FutureLink], t: &Strings) -> &mut Self {
        for f in futures {
            self.raw(" <a class=\"future-mark\" href=\"")
                .text(root)
                .text(&f.url)
                .raw("\" title=\"")
                .text(f.title)
                .raw("\">")
                .text(t.future_state);
            self.average(&f.average);
            self.raw("</a>");
        }
        self
    }

    /// `<span class="{class}">text</span>`.
    fn span(&mut self, class: &str, text: &str) -> &mut Self {
        self.raw("<span class=\"")
            .raw(class)
            .raw("\">")
            .text(text)
            .raw("</span>")
    }

    /// A step's emotion word, coloured by its class (nothing without one).
    fn emotion(&mut self, e: &Option<EmotionView>) -> &mut Self {
        if let Some(e) = e {
            self.raw("<span class=\"emo e")
                .text(e.class)
                .raw("\">")
                .text(e.word)
                .raw("</span>");
        }
        self
    }

    /// ` <span class="avg e{class}">+1.5</span>`: an average, if any.
    fn average(&mut self, a: &Option<Average>) -> &mut Self {
        if let Some(a) = a {
            self.raw(" <span class=\"avg e")
                .text(a.class)
                .raw("\">")
                .text(&a.text)
                .raw("</span>");
        }
        self
    }

    /// A lane's row: its heading, then its [`cells`](Self::cells).
    /// A blueprint line (of interaction, of visibility) across the grid,
    /// named in the pinned lane-name column.
    fn line(&mut self, class: &str, name: &str, columns: usize) -> &mut Self {
        self.raw("\n<tr class=\"line ")
            .raw(class)
            .raw("\"><th scope=\"row\">")
            .text(name)
            .raw("</th><td colspan=\"")
            .num(columns)
            .raw("\"></td></tr>\n")
    }

    fn lane(
        &mut self,
        class: &str,
        heading: &str,
        steps: &[StepView],
        cell: impl FnMut(&mut Self, &StepView),
    ) -> &mut Self {
        self.raw("<tr class=\"")
            .raw(class)
            .raw("\"><th scope=\"row\">")
            .text(heading)
            .raw("</th>")
            .cells(steps, cell)
            .raw("</tr>")
    }

    /// One cell per step column, `<td class="first">` at a stage's first
    /// step and `<td class="">` elsewhere, filled by `cell`.
    fn cells(
        &mut self,
        steps: &[StepView],
        mut cell: impl FnMut(&mut Self, &StepView),
    ) -> &mut Self {
        for s in steps {
            self.raw(if s.first {
                "<td class=\"first\">"
            } else {
                "<td class=\"\">"
            });
            cell(self, s);
            self.raw("</td>");
        }
        self
    }
}

/// Whether a template's `{% if value %}` holds for optional text.
fn some(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// Writes the grid and the curve's table onto `out`.
pub(super) fn journey_map(out: &mut String, m: &Map) {
    let t = m.t;
    let mut h = Html(out);
    // Focusable: a keyboard scrolls the map sideways with the arrow keys.
    h.raw("<div class=\"map\" tabindex=\"0\" role=\"region\" aria-label=\"")
        .text(t.map_label)
        .raw("\" style=\"--columns: ")
        .num(m.steps.len())
        .raw("; --column: ")
        .num(svg::column_for(m.steps.len()))
        .raw("px; --print-zoom: ")
        .raw(&format!("{:.2}", m.print_zoom))
        .raw("\">\n<table class=\"grid\">\n<colgroup class=\"lanes\"></colgroup>");
    // One column group per stage, so that a stage heading
    // (`scope="colgroup"`) heads every cell of its steps.
    for s in m.stages {
        h.raw("<colgroup span=\"").num(s.span).raw("\"></colgroup>");
    }
    h.raw("\n<thead>\n<tr class=\"lane-stage\"><th scope=\"row\">")
        .text(t.stage)
        .raw("</th>");
    for s in m.stages {
        h.raw("<th scope=\"colgroup\" colspan=\"")
            .num(s.span)
            .raw(if s.unmapped {
                "\" class=\"stage unmapped\">"
            } else {
                "\" class=\"stage\">"
            })
            .raw("<span class=\"stage-name\">")
            .text(s.name)
            .raw("</span>");
        h.average(&s.average);
        if let Some(d) = some(s.description) {
            h.raw("<small>").text(d).raw("</small>");
        }
        for metric in &s.metrics {
            h.raw("<small class=\"metric\">")
                .raw(&metric.cell_html)
                .raw("</small>");
        }
        if s.unmapped {
            h.raw("<small class=\"tag unmapped\" title=\"")
                .text(t.unmapped_help)
                .raw("\">")
                .text(t.no_touchpoint)
                .raw("</small>");
        }
        h.raw("</th>");
    }
    h.raw("</tr>\n</thead>\n<tbody>\n<tr class=\"lane-action\"><th scope=\"row\">")
        .text(t.action)
        .raw("</th>");
    for s in m.steps {
        // A step's action is its column's header: a screen reader says
        // "Buy, Pays at the till, Emotion: delighted" in the lanes below.
        h.raw(if s.empty { "<td" } else { "<th scope=\"col\"" });
        if !s.anchor.is_empty() {
            h.raw(" id=\"").text(&s.anchor).raw("\"");
        }
        h.raw(" class=\"step")
            .raw(if s.first { " first" } else { "" })
            .raw(if s.empty { " empty\">" } else { "\">" });
        if !s.empty {
            h.text(s.action);
            if s.transaction {
                h.raw(" <span class=\"tag transaction\"><span aria-hidden=\"true\">◆</span> ")
                    .text(t.transaction)
                    .raw("</span>");
            }
            if s.dropoff {
                h.raw(" <span class=\"tag dropoff\"><span aria-hidden=\"true\">⤓</span> ")
                    .text(t.dropoff)
                    .raw("</span>");
            }
            // The studies behind the step: "Evidence" links to the first,
            // numbers to the others; each study's title on hover.
            for (i, e) in s.evidence.iter().enumerate() {
                h.raw(if i == 0 {
                    " <span class=\"evidence\">"
                } else {
                    " "
                });
                let open = |h: &mut Html| {
                    match &e.url {
                        Some(url) => h
                            .raw("<a class=\"tag evidence\" href=\"")
                            .text(m.root)
                            .text(url)
                            .raw("\""),
                        None => h.raw("<span class=\"tag evidence\""),
                    };
                    h.raw(" title=\"")
                        .text(t.evidence)
                        .raw(": ")
                        .text(e.name)
                        .raw("\">");
                };
                open(&mut h);
                if i == 0 {
                    h.raw("<span aria-hidden=\"true\">✓</span> ")
                        .text(t.evidence);
                } else {
                    h.num(i + 1);
                }
                h.raw("<span class=\"visually-hidden\">: ")
                    .text(e.name)
                    .raw("</span>");
                h.raw(if e.url.is_some() { "</a>" } else { "</span>" });
            }
            if !s.evidence.is_empty() {
                h.raw("</span>");
            }
        }
        h.raw(if s.empty { "</td>" } else { "</th>" });
    }
    h.raw("</tr>\n");
    h.lane("lane-touchpoints", t.touchpoints, m.steps, |h, s| {
        if !s.touchpoints.is_empty() {
            h.raw("<ul>");
            for tp in &s.touchpoints {
                h.raw("<li>");
                match tp.id {
                    Some(id) => h.page_link(m.root, "touchpoints/", id, tp.name),
                    None => h.text(tp.name),
                };
                h.raw("</li>");
            }
            h.raw("</ul>");
        }
    })
    .raw("\n");
    if m.lanes.thinking {
        h.lane("lane-thinking", t.thinking, m.steps, |h, s| {
            if let Some(x) = some(s.thinking) {
                h.raw("<q>").text(x).raw("</q>");
            }
        });
    }
    h.raw("\n<tr class=\"lane-emotion\"><th scope=\"row\">")
        .text(t.emotion)
        .raw("</th><td colspan=\"")
        .num(m.steps.len())
        .raw("\" class=\"curve-cell\">")
        .raw(m.curve);
    if let Some(l) = m.legend {
        let sample = |h: &mut Html, class: &str| {
            h.raw("<svg class=\"key ")
                .raw(class)
                .raw("\" width=\"28\" height=\"8\" aria-hidden=\"true\"><line x1=\"0\" y1=\"4\" x2=\"28\" y2=\"4\"/></svg> ");
        };
        h.raw("<p class=\"curve-legend\"><span>");
        sample(&mut h, "before");
        h.text(t.legend_current).raw(": ");
        h.link(m.root, l.current.title, Some(&l.current.url));
        if let Some(b) = &l.before {
            h.raw(" (").text(b).raw(")");
        }
        h.raw("</span> <span>");
        sample(&mut h, "after");
        h.text(t.legend_future);
        if let Some(a) = &l.after {
            h.raw(" (").text(a).raw(")");
        }
        h.raw("</span></p>");
    }
    h.raw("</td></tr>\n<tr class=\"lane-emotion-words\"><th scope=\"row\"><span class=\"visually-hidden\">")
        .text(t.emotion)
        .raw("</span></th>")
        .cells(m.steps, |h, s| {
            h.emotion(&s.emotion);
        })
        .raw("</tr>\n");
    if m.lanes.pain {
        h.lane("lane-pain", t.pains, m.steps, |h, s| {
            if let Some(x) = some(s.pain) {
                h.span("pain", x);
            }
        });
    }
    h.raw("\n");
    if m.lanes.opportunity {
        h.lane("lane-opportunity", t.opportunities, m.steps, |h, s| {
            if let Some(x) = some(s.opportunity) {
                h.span("opportunity", x);
            }
            if !s.opportunities.is_empty() {
                h.raw("<ul class=\"opportunity-links\">");
                for o in &s.opportunities {
                    h.raw("<li>");
                    h.link(m.root, o.title, o.url.as_deref());
                    h.raw(" <span class=\"status s-")
                        .raw(o.status)
                        .raw("\">")
                        .text(o.status_word)
                        .raw("</span></li>");
                }
                h.raw("</ul>");
            }
        });
    }
    // The service blueprint: frontstage under the line of interaction,
    // what the customer cannot see under the line of visibility.
    let l = m.lanes;
    if l.frontstage {
        h.line("line-interaction", t.line_interaction, m.steps.len());
        h.lane("lane-frontstage", t.frontstage, m.steps, |h, s| {
            if let Some(x) = some(s.frontstage) {
                h.text(x);
            }
        });
    }
    if l.backstage || l.support || l.systems {
        h.line("line-visibility", t.line_visibility, m.steps.len());
    }
    if m.lanes.backstage {
        h.lane("lane-backstage", t.backstage, m.steps, |h, s| {
            if let Some(x) = some(s.backstage) {
                h.text(x);
            }
        });
    }
    if m.lanes.support {
        h.lane("lane-support", t.support, m.steps, |h, s| {
            if let Some(x) = some(s.support) {
                h.text(x);
            }
        });
    }
    h.raw("\n");
    if m.lanes.systems {
        h.lane("lane-systems", t.systems, m.steps, |h, s| {
            for (i, sys) in s.systems.iter().enumerate() {
                if i > 0 {
                    h.raw(", ");
                }
                h.link(m.root, sys.name, some(sys.url.as_deref()));
            }
        });
    }
    h.raw("\n<tr class=\"lane-owner\"><th scope=\"row\">")
        .text(t.owners)
        .raw("</th>");
    for s in m.steps {
        h.raw(if s.first {
            "<td class=\"first"
        } else {
            "<td class=\""
        });
        if let Some(ho) = &s.handoff {
            h.raw(if ho.gap {
                " handoff handoff-gap"
            } else {
                " handoff"
            });
        }
        h.raw("\">");
        if let Some(ho) = &s.handoff {
            let label = if ho.gap { t.handoff_gap } else { t.handoff };
            h.raw("<span class=\"handoff-mark\" title=\"")
                .text(label)
                .raw(": ")
                .text(ho.from)
                .raw(" → ")
                .text(s.owner.unwrap_or(""))
                .raw(if ho.gap { "\">⚠ " } else { "\">⇄ " })
                .text(label)
                .raw("</span>");
        }
        if let Some(o) = some(s.owner) {
            h.span("owner", o);
        }
        h.raw("</td>");
    }
    h.raw("</tr>\n");
    h.raw("\n");
    if m.lanes.metrics {
        h.lane("lane-metrics", t.metrics, m.steps, |h, s| {
            for metric in &s.metrics {
                h.raw("<span class=\"metric\">")
                    .raw(&metric.cell_html)
                    .raw("</span> ");
            }
        });
    }
    h.raw("\n</tbody>\n</table>\n</div>\n\n<details class=\"curve-table\">\n<summary>")
        .text(t.emotion_table)
        .raw("</summary>\n<table class=\"list\">\n<thead><tr><th scope=\"col\">")
        .text(t.stage)
        .raw("</th><th scope=\"col\">")
        .text(t.step)
        .raw("</th><th scope=\"col\">")
        .text(t.emotion)
        .raw("</th>");
    if m.legend.is_some() {
        h.raw("<th scope=\"col\">")
            .text(t.current_state)
            .raw("</th>");
    }
    h.raw("</tr></thead>\n<tbody>");
    for s in m.steps.iter().filter(|s| !s.empty) {
        h.raw("<tr><td>")
            .text(s.stage)
            .raw("</td><td>")
            .text(s.action)
            .raw("</td><td>");
        match &s.emotion {
            Some(e) => {
                h.text(e.word).raw(" (").num(e.score).raw(")");
            }
            None => {
                h.raw("—");
            }
        }
        if m.legend.is_some() {
            h.raw("</td><td>");
            match &s.before {
                Some(e) => {
                    h.text(e.word).raw(" (").num(e.score).raw(")");
                }
                None => {
                    h.raw("—");
                }
            }
        }
        h.raw("</td></tr>");
    }
    h.raw("</tbody>\n</table>\n</details>");
}

/// A touchpoint's lists as HTML: the rows of its uses table (one `<tr>` per
/// step through it) and the items (`<li>`) of its pains and opportunities.
pub(super) struct TouchpointLists {
    pub uses: String,
    pub pains: String,
    pub opportunities: String,
}

/// The lists of a touchpoint page whose rows are `rows`.
pub(super) fn touchpoint_lists<'a>(rows: &[StepRow<'a>], root: &str) -> TouchpointLists {
    let mut uses = String::with_capacity(rows.len() * 200);
    let mut h = Html(&mut uses);
    for r in rows {
        h.raw("<tr><td>")
            .page_link(root, "journeys/", r.journey_id, r.journey)
            .raw("</td><td>")
            .text(r.stage)
            .raw("</td><td>")
            .text(r.action)
            .raw("</td><td>");
        h.emotion(&r.emotion);
        h.raw("</td><td>")
            .text(some(r.owner).unwrap_or(""))
            .raw("</td></tr>\n");
    }
    // A pain or an opportunity, and where it happens.
    let items = |class: &str, of: fn(&StepRow<'a>) -> Option<&'a str>| {
        let mut out = String::new();
        let mut h = Html(&mut out);
        for r in rows {
            if let Some(x) = of(r) {
                h.raw("<li><span class=\"")
                    .raw(class)
                    .raw("\">")
                    .text(x)
                    .raw("</span> <span class=\"muted\">— ")
                    .page_link(root, "journeys/", r.journey_id, r.journey)
                    .raw(", ")
                    .text(r.stage)
                    .raw("</span></li>");
            }
        }
        out
    };
    TouchpointLists {
        pains: items("pain", |r| r.pain),
        opportunities: items("opportunity", |r| r.opportunity),
        uses,
    }
}

/// The rows of a lens page's side-by-side table: a journey per row, a cell
/// per stage column with its steps (or a gap).
pub(super) fn lens_rows(rows: &[LensRow], root: &str, t: &Strings) -> String {
    let mut out = String::with_capacity(rows.len() * 2048);
    let mut h = Html(&mut out);
    for r in rows {
        h.raw("<tr><th scope=\"row\">")
            .link(root, r.title, Some(&r.url));
        if let Some(p) = &r.persona {
            h.raw("<br><a class=\"muted\" href=\"")
                .text(root)
                .text(p.url.as_deref().unwrap_or(""))
                .raw("\">")
                .text(p.name)
                .raw("</a>");
        }
        h.average(&r.average);
        h.futures(root, &r.futures, t);
        h.raw("</th>\n");
        for cell in &r.cells {
            let Some(cell) = cell else {
                h.raw("<td class=\"gap\"></td>");
                continue;
            };
            h.raw("<td><ul>");
            for s in &cell.steps {
                h.raw("<li>");
                if let Some(e) = &s.emotion {
                    h.raw("<span class=\"dot e")
                        .text(e.class)
                        .raw("\" title=\"")
                        .text(e.word)
                        .raw("\"></span>");
                }
                h.text(s.action);
                if let Some(p) = some(s.pain) {
                    h.raw(" ").span("pain", p);
                }
                h.raw("</li>");
            }
            h.raw("</ul></td>");
        }
        h.raw("</tr>\n");
    }
    out
}
