//! Markdown → HTML for the handbook: links between content files rewritten
//! to page URLs, headings given anchors, fenced code highlighted, raw HTML
//! shown as text unless `[build] allow-html` (a stray `<script>` must not run).

use std::collections::{BTreeMap, BTreeSet};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};

use crate::links::markdown_options;
use crate::routes::LinkMap;
use crate::text::slug;

/// How to render one Markdown text.
pub struct Ctx<'a> {
    /// The file's path under the content folder (relative links start there).
    pub from_rel: &'a str,
    /// From the page being written back to the site root (`""`, `"../"`…).
    pub root: &'a str,
    pub links: &'a LinkMap,
    /// `[build] allow-html`: raw HTML passes through instead of being shown
    /// as text.
    pub allow_html: bool,
}

/// Renders Markdown to HTML.
pub fn to_html(markdown: &str, ctx: &Ctx) -> String {
    render(
        Parser::new_ext(markdown, markdown_options()).collect(),
        markdown.len(),
        ctx,
    )
}

/// A journey's body as its page shows it, parsed once: the text before the
/// first `## heading` and every section whose heading is not a stage
/// (`intro`), and each stage's section without its heading (`narratives`,
/// by the stage index `stage` gives for a heading's text; a later section
/// of the same stage replaces an earlier one). Only top-level headings
/// split (not one inside a list or quote).
pub fn journey_body(
    markdown: &str,
    ctx: &Ctx,
    stage: impl Fn(&str) -> Option<usize>,
) -> (String, BTreeMap<usize, String>) {
    let events: Vec<Event> = Parser::new_ext(markdown, markdown_options()).collect();
    // Where each top-level level-two heading starts, its text, and where its
    // section's body starts.
    let mut heads: Vec<(usize, String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) if depth == 0 => {
                let mut text = String::new();
                let mut k = i + 1;
                while k < events.len() {
                    match &events[k] {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                    k += 1;
                }
                heads.push((i, text.trim().to_owned(), k + 1));
                i = k + 1;
                continue;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    let first = heads.first().map_or(events.len(), |h| h.0);
    let mut intro: Vec<Event> = Vec::with_capacity(events.len());
    let mut narratives: BTreeMap<usize, Vec<Event>> = BTreeMap::new();
    let mut events = events.into_iter();
    intro.extend(events.by_ref().take(first));
    for (n, (start, text, body)) in heads.iter().enumerate() {
        let end = heads.get(n + 1).map_or(usize::MAX, |h| h.0);
        let section = events.by_ref().take(end - start);
        match stage(text) {
            Some(si) => {
                narratives.insert(si, section.skip(body - start).collect());
            }
            None => intro.extend(section),
        }
    }
    let narratives = narratives
        .into_iter()
        .map(|(si, events)| {
            let size = events.len() * 24;
            (si, render(events, size, ctx))
        })
        .collect();
    (render(intro, markdown.len(), ctx), narratives)
}

/// Renders parsed Markdown (`size`: about how long its text was).
fn render(mut events: Vec<Event>, size: usize, ctx: &Ctx) -> String {
    add_heading_ids(&mut events);
    let mut out = Vec::with_capacity(events.len());
    let mut code: Option<(String, String)> = None;
    for event in events {
        if let Some((lang, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let class = if lang.is_empty() {
                        String::new()
                    } else {
                        format!(" class=\"language-{}\"", super::escape(lang))
                    };
                    out.push(Event::Html(CowStr::from(format!(
                        "<pre class=\"code\" tabindex=\"0\"><code{class}>{}</code></pre>\n",
                        super::highlight::highlight(text, lang)
                    ))));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = match ctx.links.url(ctx.from_rel, &dest_url) {
                    Some(url) => CowStr::from(format!("{}{url}", ctx.root)),
                    None => dest_url,
                };
                out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            // A wide table scrolls in its own box, not the page (reflow
            // at 320 CSS px).
            Event::Start(Tag::Table(align)) => {
                out.push(Event::Html(CowStr::Borrowed("<div class=\"scroll\">")));
                out.push(Event::Start(Tag::Table(align)));
            }
            Event::End(TagEnd::Table) => {
                out.push(Event::End(TagEnd::Table));
                out.push(Event::Html(CowStr::Borrowed("</div>\n")));
            }
            Event::Html(h) | Event::InlineHtml(h) if !ctx.allow_html => out.push(Event::Text(h)),
            e => out.push(e),
        }
    }
    let mut html_out = String::with_capacity(size * 3 / 2);
    html::push_html(&mut html_out, out.into_iter());
    html_out
}

/// Gives every heading without an explicit `{#id}` a slug id, unique in the text.
fn add_heading_ids(events: &mut [Event]) {
    let mut used = BTreeSet::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            for e in &events[i + 1..] {
                match e {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let base = slug(&text);
            let mut id = if base.is_empty() {
                "section".to_owned()
            } else {
                base.clone()
            };
            let mut n = 1;
            while !used.insert(id.clone()) {
                n += 1;
                id = format!("{}-{n}", if base.is_empty() { "section" } else { &base });
            }
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                *slot = Some(CowStr::from(id));
            }
        }
        i += 1;
    }
}

/// The words of a Markdown text, for the search index.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, markdown_options()) {
        match event {
            Event::Text(t) | Event::Code(t) => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(t.trim());
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !out.ends_with(' ') => {
                out.push(' ');
            }
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> LinkMap {
        let mut l = LinkMap::default();
        l.files
            .insert("personas/carla.md".into(), "personas/carla.html".into());
        l.ids.insert(
            ("journey".into(), "carla/activity".into()),
            "journeys/carla/activity.html".into(),
        );
        l
    }

    #[test]
    fn links_are_rewritten_relative_to_the_page() {
        let l = links();
        let ctx = Ctx {
            from_rel: "guide/how.md",
            root: "../",
            links: &l,
            allow_html: false,
        };
        let html = to_html(
            "[C](../personas/carla.md#goals) [J](@journey/carla/activity) [W](https://x.org)",
            &ctx,
        );
        assert!(
            html.contains("href=\"../personas/carla.html#goals\""),
            "{html}"
        );
        assert!(
            html.contains("href=\"../journeys/carla/activity.html\""),
            "{html}"
        );
        assert!(html.contains("href=\"https://x.org\""), "{html}");
    }

    #[test]
    fn headings_code_and_raw_html() {
        let l = LinkMap::default();
        let ctx = Ctx {
            from_rel: "a.md",
            root: "",
            links: &l,
            allow_html: false,
        };
        let html = to_html(
            "## Señal de compra\n## Señal de compra\n\n```yaml\na: 1\n```\n\n<script>alert(1)</script>\n",
            &ctx,
        );
        assert!(html.contains("<h2 id=\"senal-de-compra\">"), "{html}");
        assert!(html.contains("<h2 id=\"senal-de-compra-2\">"), "{html}");
        assert!(
            html.contains(
                "<pre class=\"code\" tabindex=\"0\"><code class=\"language-yaml\"><span class=\"hl-"
            ),
            "{html}"
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");

        let allowed = to_html(
            "<details><summary>Más</summary>\n\nTexto <kbd>Ctrl</kbd>\n\n</details>\n",
            &Ctx {
                allow_html: true,
                ..ctx
            },
        );
        assert!(
            allowed.contains("<details><summary>Más</summary>"),
            "{allowed}"
        );
        assert!(allowed.contains("<kbd>Ctrl</kbd>"), "{allowed}");
    }

    #[test]
    fn a_journey_body_splits_at_top_level_two_headings() {
        let md = "Intro with [carla](../../personas/carla.md).\n\n## Buy\nBought.\n\n### Detail\nx\n\
                  ## Notes {#n}\nSee *this*.\n\n- ## Not a section\n\n## Receive\nGot it.\n\n## buy\nAgain.\n";
        let links = links();
        let ctx = Ctx {
            from_rel: "journeys/carla/activity.md",
            root: "../../",
            links: &links,
            allow_html: false,
        };
        let stages = ["Buy", "Receive"];
        let (intro, narratives) = journey_body(md, &ctx, |h| {
            stages.iter().position(|s| s.eq_ignore_ascii_case(h))
        });
        // The intro: the text before the first section, links resolved, and
        // the sections that are no stage, headings kept (with their ids).
        assert!(
            intro.starts_with("<p>Intro with <a href=\"../../personas/carla.html\">carla</a>.</p>"),
            "{intro}"
        );
        assert!(
            intro.contains("<h2 id=\"n\">Notes</h2>\n<p>See <em>this</em>.</p>"),
            "{intro}"
        );
        assert!(
            intro.contains("Not a section"),
            "a heading in a list stays: {intro}"
        );
        assert!(
            !intro.contains("Bought") && !intro.contains("Got it"),
            "{intro}"
        );
        // A stage's section without its heading; the later one of a stage wins.
        assert_eq!(narratives.len(), 2);
        assert_eq!(narratives[&0], "<p>Again.</p>\n");
        assert_eq!(narratives[&1], "<p>Got it.</p>\n");
        let (only, none) = journey_body("Just text.\n", &ctx, |_| Some(0));
        assert_eq!(only, "<p>Just text.</p>\n");
        assert!(none.is_empty());
        assert_eq!(plain_text("# A\n\nb *c*\n- d"), "A b c d");
    }
}
