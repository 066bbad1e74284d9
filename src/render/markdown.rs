//! Markdown → HTML for the handbook: links between content files rewritten
//! to page URLs, headings given anchors, fenced code highlighted, raw HTML
//! shown as text unless `[build] allow-html` (a stray `<script>` must not run).

use std::collections::{BTreeMap, BTreeSet};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};

use crate::links::{markdown_options, resolve_path};

/// Where links point: content files and `(kind, id)` pairs → site URLs
/// (relative to the site root, e.g. `personas/carla.html`).
#[derive(Debug, Default)]
pub struct LinkMap {
    pub files: BTreeMap<String, String>,
    pub ids: BTreeMap<(String, String), String>,
}

impl LinkMap {
    /// The site URL a link destination names, with its `#fragment`, if it is
    /// one of ours.
    pub fn url(&self, from_rel: &str, dest: &str) -> Option<String> {
        let (path, frag) = match dest.find('#') {
            Some(i) => (&dest[..i], &dest[i..]),
            None => (dest, ""),
        };
        let target = if let Some(rest) = path.strip_prefix('@') {
            let (kind, id) = rest.split_once('/')?;
            self.ids.get(&(kind.to_owned(), id.to_owned()))?
        } else if path.ends_with(".md") && !path.contains(':') {
            self.files.get(&resolve_path(from_rel, path)?)?
        } else {
            return None;
        };
        Some(format!("{target}{frag}"))
    }
}

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
    let mut events: Vec<Event> = Parser::new_ext(markdown, markdown_options()).collect();
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
                        "<pre class=\"code\"><code{class}>{}</code></pre>\n",
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
            Event::Html(h) | Event::InlineHtml(h) if !ctx.allow_html => out.push(Event::Text(h)),
            e => out.push(e),
        }
    }
    let mut html_out = String::with_capacity(markdown.len() * 3 / 2);
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

/// A URL-safe slug: lower case, letters and digits (accents kept off), dashes.
pub fn slug(text: &str) -> String {
    let folded = crate::diagnostic::fold(text);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A body cut at its level-2 headings: the text before the first one, then
/// each `## Heading` with the text under it (heading line excluded).
pub struct Sections<'a> {
    pub intro: String,
    pub sections: Vec<(String, &'a str)>,
}

pub fn sections(markdown: &str) -> Sections<'_> {
    let mut heads: Vec<(usize, usize, String)> = Vec::new(); // start, body start, text
    let mut current: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => current = Some((range.start, String::new())),
            Event::Text(t) | Event::Code(t) if current.is_some() => {
                if let Some((_, text)) = &mut current {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((start, text)) = current.take() {
                    heads.push((start, range.end, text));
                }
            }
            _ => {}
        }
    }
    let intro_end = heads.first().map_or(markdown.len(), |h| h.0);
    let mut sections = Vec::new();
    for (i, (_, body_start, text)) in heads.iter().enumerate() {
        let end = heads.get(i + 1).map_or(markdown.len(), |h| h.0);
        sections.push((text.trim().to_owned(), &markdown[*body_start..end]));
    }
    Sections {
        intro: markdown[..intro_end].to_owned(),
        sections,
    }
}

/// The text of the first `# heading`, for pages without a `title`.
pub fn first_heading(markdown: &str) -> Option<String> {
    let mut inside = false;
    let mut text = String::new();
    for event in Parser::new_ext(markdown, markdown_options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => inside = true,
            Event::Text(t) | Event::Code(t) if inside => text.push_str(&t),
            Event::End(TagEnd::Heading(_)) => return Some(text.trim().to_owned()),
            _ => {}
        }
    }
    None
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
            html.contains("<pre class=\"code\"><code class=\"language-yaml\"><span class=\"hl-"),
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
    fn sections_by_level_two_headings() {
        let s = sections("Intro.\n\n## Buy\nBought.\n\n### Detail\nx\n## Receive\nGot it.\n");
        assert_eq!(s.intro, "Intro.\n\n");
        assert_eq!(s.sections.len(), 2);
        assert_eq!(s.sections[0].0, "Buy");
        assert_eq!(s.sections[0].1, "Bought.\n\n### Detail\nx\n");
        assert_eq!(s.sections[1], ("Receive".to_owned(), "Got it.\n"));
        assert_eq!(
            first_heading("text\n# Guía *x*\n").as_deref(),
            Some("Guía x")
        );
        assert_eq!(plain_text("# A\n\nb *c*\n- d"), "A b c d");
    }
}
