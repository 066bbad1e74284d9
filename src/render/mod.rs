//! Handbook + theme → Site: every page of SPEC 6 as bytes, in memory.
//!
//! Pure: no disk access (the theme was loaded before). The Rust side builds
//! view models with every URL, label and number worked out (so templates only
//! lay things out), the SVG curve is drawn here, and pages render in parallel.
//! Output order is a `BTreeMap`, so the same input gives the same bytes.

pub mod highlight;
pub mod i18n;
pub mod markdown;
pub mod search;
pub mod svg;
mod views;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::diagnostic::Diagnostic;
use crate::resolve::Handbook;
use crate::theme::Theme;

/// Rendering progress, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// This many pages will be rendered.
    Start(usize),
    /// One more page is done.
    Page,
}

/// Output path (relative, `/`-separated) → bytes.
pub type Site = BTreeMap<String, Vec<u8>>;

/// HTML-escapes text.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One page to render: output path, template, and its own data.
pub struct PageJob<'a> {
    pub path: String,
    pub template: &'static str,
    pub title: String,
    pub section: &'static str,
    pub data: Value,
    /// Data worked out only when the page is rendered (journey pages: there
    /// are many, and their view models are large).
    #[allow(clippy::type_complexity)]
    pub lazy: Option<Box<dyn Fn() -> Value + Send + Sync + 'a>>,
    pub breadcrumbs: Vec<(String, String)>,
    pub prev: Option<(String, String)>,
    pub next: Option<(String, String)>,
}

/// From `path` back to the site root: `""`, `"../"`, `"../../"`…
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Renders the whole site. `progress` is called with the number of pages
/// to render, then once per page rendered (from any thread).
pub fn render(
    handbook: &Handbook,
    theme: &Theme,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Site, Vec<Diagnostic>> {
    let mut tera = tera::Tera::new();
    let mut errors = Vec::new();
    // All at once, so templates can extend each other in any order.
    if let Err(e) = tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str())),
    ) {
        return Err(vec![template_error("(theme)", &e)]);
    }
    let views = views::Views::new(handbook);
    let (jobs, collisions) = views.jobs();
    if !collisions.is_empty() {
        return Err(collisions);
    }
    let common = views.common();
    progress(Progress::Start(jobs.len()));
    // The 404 page is served at any depth: its links start from `base-url`.
    let base = if handbook.config.base_url.ends_with('/') {
        handbook.config.base_url.clone()
    } else {
        format!("{}/", handbook.config.base_url)
    };
    let rendered: Vec<Result<(String, Vec<u8>), Diagnostic>> = jobs
        .par_iter()
        .map(|job| {
            let mut ctx = tera::Context::new();
            let root = if job.path == "404.html" {
                base.clone()
            } else {
                root_of(&job.path)
            };
            ctx.insert("site", &common.site);
            ctx.insert("t", common.strings);
            ctx.insert("nav", &views.nav(job.section));
            ctx.insert("root", &root);
            ctx.insert("title", &job.title);
            ctx.insert("section", job.section);
            ctx.insert("path", &job.path);
            ctx.insert(
                "breadcrumbs",
                &job.breadcrumbs
                    .iter()
                    .map(|(label, url)| json!({ "label": label, "url": url }))
                    .collect::<Vec<_>>(),
            );
            let link = |l: &Option<(String, String)>| {
                l.as_ref()
                    .map(|(label, url)| json!({ "label": label, "url": url }))
            };
            ctx.insert("prev", &link(&job.prev));
            ctx.insert("next", &link(&job.next));
            match &job.lazy {
                Some(make) => ctx.insert("data", &make()),
                None => ctx.insert("data", &job.data),
            }
            let page = tera
                .render(job.template, &ctx)
                .map(|html| (job.path.clone(), html.into_bytes()))
                .map_err(|e| template_error(job.template, &e));
            progress(Progress::Page);
            page
        })
        .collect();
    let mut site = Site::new();
    for r in rendered {
        match r {
            Ok((path, bytes)) => {
                site.insert(path, bytes);
            }
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        errors.dedup();
        return Err(errors);
    }
    for (path, bytes) in &theme.statics {
        site.insert(path.clone(), bytes.clone());
    }
    site.insert(
        "static/highlight.css".to_owned(),
        highlight::css().into_bytes(),
    );
    site.insert(
        "search-index.js".to_owned(),
        search::index_js(&views.search_docs()).into_bytes(),
    );
    site.insert("journeys.json".to_owned(), journeys_json(handbook));
    for kind in crate::schema::KINDS {
        if let Some(schema) = crate::schema::schema(kind) {
            site.insert(
                format!("schema/{kind}.json"),
                crate::schema::to_text(&schema).into_bytes(),
            );
        }
    }
    site.insert(
        "sitemap.xml".to_owned(),
        sitemap(&handbook.config.base_url, &site).into_bytes(),
    );
    Ok(site)
}

fn template_error(name: &str, e: &tera::Error) -> Diagnostic {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    Diagnostic::error("template", format!("template `{name}`: {msg}"))
        .help("fix the template in themes/<theme>/templates/, or remove it to use the built-in one")
}

/// The whole resolved model (`journeys.json`, also `export --format json`).
/// Its shape is documented in `docs/journeys-json.md`.
pub fn journeys_json(h: &Handbook) -> Vec<u8> {
    let doc = json!({
        "version": 1,
        "book": {
            "title": h.config.title,
            "description": h.config.description,
            "language": h.config.language,
            "authors": h.config.authors,
        },
        "departments": h.config.departments,
        "lenses": h.lenses,
        "personas": h.personas,
        "touchpoints": h.touchpoints,
        "journeys": h.journeys,
        "handoffs": h.handoffs,
        "journey_gaps": h.journey_gaps,
        "systems": h.systems,
    });
    let mut out = serde_json::to_vec_pretty(&doc).expect("the model serialises");
    out.push(b'\n');
    out
}

/// `sitemap.xml`: every HTML page but the 404, under `base-url`.
fn sitemap(base_url: &str, site: &Site) -> String {
    let base = if base_url.ends_with('/') {
        base_url.to_owned()
    } else {
        format!("{base_url}/")
    };
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in site.keys() {
        if path.ends_with(".html") && path != "404.html" {
            out.push_str(&format!(
                "  <url><loc>{}{}</loc></url>\n",
                escape(&base),
                escape(path)
            ));
        }
    }
    out.push_str("</urlset>\n");
    out
}
