//! Handbook + theme → Site: every page of SPEC 6 as bytes, in memory.
//!
//! Pure: no disk access (the theme was loaded before). The Rust side builds
//! view models with every URL, label and number worked out (so templates only
//! lay things out), the SVG curve is drawn here, and pages render in parallel.
//! Output order is a `BTreeMap`, so the same input gives the same bytes.

pub mod highlight;
pub mod i18n;
pub mod markdown;
pub mod matrix;
mod on_demand;
pub mod search;
pub mod svg;
pub(crate) mod views;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::resolve::Handbook;
use crate::routes::root_of;
use crate::theme::Theme;

pub use on_demand::{OnDemand, check_templates, on_demand, render_files};

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
    escape_into(&mut out, s);
    out
}

/// [`escape`] onto the end of `out`: `&`, `<`, `>`, `"` and `'`, as the
/// templates escape. Most of a page is escaped text: pulldown-cmark's
/// escaper looks for the five 16 bytes at a time (SIMD), copying the runs
/// between them whole.
pub fn escape_into(out: &mut String, s: &str) {
    // Writing to a String does not fail.
    let _ = pulldown_cmark_escape::escape_html(out, s);
}

/// Makes a page's template data.
pub type DataFn<'a> = Box<dyn Fn() -> tera::Value + Send + Sync + 'a>;

/// One page to render: output path, template, and its own data.
pub struct PageJob<'a> {
    pub path: String,
    pub template: &'static str,
    pub title: String,
    pub section: &'static str,
    /// The page's data (`data` in its template), worked out only when the
    /// page is rendered, in parallel with the other pages, and dropped as
    /// soon as it is written.
    pub data: DataFn<'a>,
    pub breadcrumbs: Vec<(String, String)>,
    pub prev: Option<(String, String)>,
    pub next: Option<(String, String)>,
}

/// Where rendered files go: memory (serve, tests) or a staging folder (build).
pub trait Sink: Sync {
    type Error: Send;
    /// Called once, before the first file, with every path that will be put.
    fn begin(&mut self, paths: &[&str]) -> Result<(), Self::Error>;
    /// More paths that will be put, named once `begin` has run (before any
    /// of them is put).
    fn announce(&self, _paths: &[&str]) -> Result<(), Self::Error> {
        Ok(())
    }
    /// One file; called from any thread.
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Self::Error>;
    /// One file written by `write` as it is produced (a large file need not
    /// be held whole). By default collected in memory, then [`Sink::put`].
    fn put_with(&self, path: &str, write: WriteFn) -> Result<(), Self::Error> {
        let mut bytes = Vec::new();
        write(&mut bytes).expect("writing to memory does not fail");
        self.put(path, bytes)
    }
}

/// Writes a file's bytes to the writer it is given.
pub type WriteFn<'a> = &'a dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>;

/// Why a render stopped.
#[derive(Debug)]
pub enum RenderError<E> {
    /// Template errors (every page is tried, all errors are kept).
    Templates(Vec<Diagnostic>),
    /// The sink failed (a disk error).
    Sink(E),
}

/// Collects the site in memory.
struct Memory(std::sync::Mutex<Site>);

impl Sink for Memory {
    type Error = std::convert::Infallible;
    fn begin(&mut self, _: &[&str]) -> Result<(), Self::Error> {
        Ok(())
    }
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Self::Error> {
        if let Ok(mut site) = self.0.lock() {
            site.insert(path.to_owned(), bytes);
        }
        Ok(())
    }
}

/// Runs a render into memory.
fn in_memory(
    render: impl FnOnce(&mut Memory) -> Result<(), RenderError<std::convert::Infallible>>,
) -> Result<Site, Vec<Diagnostic>> {
    let mut memory = Memory(std::sync::Mutex::new(Site::new()));
    match render(&mut memory) {
        Ok(()) => Ok(memory.0.into_inner().unwrap_or_default()),
        Err(RenderError::Templates(d)) => Err(d),
        Err(RenderError::Sink(never)) => match never {},
    }
}

/// Renders the whole site into memory. `progress` is called with the number
/// of pages to render, then once per page rendered (from any thread).
pub fn render(
    handbook: &Handbook,
    theme: &Theme,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Site, Vec<Diagnostic>> {
    in_memory(|m| render_into(handbook, theme, progress, m))
}

/// Renders the whole site into `sink`, each page handed over as soon as it
/// is rendered (pages are never all in memory at once).
pub fn render_into<S: Sink>(
    handbook: &Handbook,
    theme: &Theme,
    progress: &(dyn Fn(Progress) + Sync),
    sink: &mut S,
) -> Result<(), RenderError<S::Error>> {
    render_impl(handbook, theme, progress, sink, None)
}

/// Which pages to render: all, or those whose output path is accepted.
pub type PageFilter<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// Renders only the HTML pages whose output path `wanted` accepts, and no
/// other file (the dev server's partial rebuild, benchmarks); the files that
/// hold the whole model come from [`data_files`].
pub fn render_pages(
    handbook: &Handbook,
    theme: &Theme,
    wanted: PageFilter,
) -> Result<Site, Vec<Diagnostic>> {
    in_memory(|m| render_impl(handbook, theme, &|_| {}, m, Some(wanted)))
}

/// The files that hold the whole model: `journeys.json` and the search
/// index (`search/…`).
pub fn data_files(handbook: &Handbook) -> Vec<(String, Vec<u8>)> {
    let views = views::Views::new(handbook);
    let mut files: Vec<(String, Vec<u8>)> = search::index_files(&views.search_docs())
        .into_iter()
        .map(|(p, t)| (p, t.into_bytes()))
        .collect();
    files.push((
        "journeys.json".to_owned(),
        crate::interchange::journeys_json(handbook, false),
    ));
    files
}

/// Whether a site path is one of [`data_files`].
pub fn is_data_file(path: &str) -> bool {
    path == "journeys.json" || path.starts_with("search/")
}

/// The files that depend on the theme alone: its static files, the code
/// highlighting's CSS and the JSON schemas.
fn fixed_files(theme: &Theme) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = theme
        .statics
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.clone()))
        .collect();
    files.push((
        "static/highlight.css".to_owned(),
        highlight::css().into_bytes(),
    ));
    for kind in crate::schema::KINDS {
        if let Some(schema) = crate::schema::schema(kind) {
            files.push((
                format!("schema/{kind}.json"),
                crate::schema::to_text(&schema).into_bytes(),
            ));
        }
    }
    files
}

fn render_impl<S: Sink>(
    handbook: &Handbook,
    theme: &Theme,
    progress: &(dyn Fn(Progress) + Sync),
    sink: &mut S,
    only: Option<PageFilter>,
) -> Result<(), RenderError<S::Error>> {
    let mut phases = crate::timings::Phases::start();
    let views = views::Views::new(handbook).for_theme(theme);
    phases.mark("views new");
    // The search documents are worked out beside the page list (mostly one
    // thread's work: the cross-indexes), so the other core is not idle.
    let (mut jobs, docs) = rayon::join(
        || views.jobs(),
        || only.is_none().then(|| views.search_docs()),
    );
    let (tera, navs) = templates(theme, &views, &jobs).map_err(RenderError::Templates)?;
    phases.mark("views and search documents");

    // Files that are not pages, worked out before the pages so the sink
    // knows their paths up front (all but the search index's).
    let mut extra: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(wanted) = only {
        jobs.retain(|j| wanted(&j.path));
        return render_jobs(&tera, &jobs, &navs, handbook, progress, &*sink);
    }
    extra.extend(fixed_files(theme));
    let pages: Vec<&str> = jobs.iter().map(|j| j.path.as_str()).collect();
    extra.push((
        "sitemap.xml".to_owned(),
        sitemap(&handbook.config.base_url, &pages).into_bytes(),
    ));
    let mut paths = pages.clone();
    paths.extend(extra.iter().map(|(p, _)| p.as_str()));
    paths.push("journeys.json");
    sink.begin(&paths).map_err(RenderError::Sink)?;
    for (path, bytes) in extra {
        sink.put(&path, bytes).map_err(RenderError::Sink)?;
    }
    // The two pages with the most template values (each a list over the
    // whole handbook: 15 and 13 MB at 10,000 journeys) are rendered after
    // the search index, on its thread, in the memory it has just freed:
    // beside the other pages they raised the build's memory peak.
    let (heavy, jobs): (Vec<PageJob>, Vec<PageJob>) = jobs
        .into_iter()
        .partition(|j| crate::perf::HEAVY_PAGES.contains(&j.path.as_str()));
    phases.mark("begin");
    // Three things at once: the search index (its shard names are known
    // only once it is built, so they are announced then), `journeys.json`
    // (99 MB at 10,000 journeys, written as it is serialised) and the pages.
    let sink = &*sink;
    let started = std::time::Instant::now();
    let done = |what: &str| {
        if crate::timings::enabled() {
            eprintln!(
                "timing:   {what} done after {:.1} ms",
                started.elapsed().as_secs_f64() * 1e3
            );
        }
    };
    let (search, (json, pages)) = rayon::join(
        || {
            let files = search::index_files(&docs.unwrap_or_default());
            let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
            sink.announce(&names).map_err(RenderError::Sink)?;
            for (path, text) in files {
                sink.put(&path, text.into_bytes())
                    .map_err(RenderError::Sink)?;
            }
            done("search index");
            render_jobs(&tera, &heavy, &navs, handbook, progress, sink)
        },
        || {
            rayon::join(
                || {
                    let written = sink.put_with("journeys.json", &|w| {
                        crate::interchange::write_journeys_json(handbook, false, w)
                    });
                    done("journeys.json");
                    written
                },
                || render_jobs(&tera, &jobs, &navs, handbook, progress, sink),
            )
        },
    );
    phases.mark("search index, journeys.json and pages");
    match (pages, search) {
        (Err(RenderError::Templates(mut a)), Err(RenderError::Templates(b))) => {
            a.extend(b);
            a.dedup();
            return Err(RenderError::Templates(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
        (Ok(()), Ok(())) => {}
    }
    json.map_err(RenderError::Sink)
}

/// The theme's templates, compiled, with what every page shares (site,
/// strings) converted once, and the navigation of each section of `jobs`.
fn templates(
    theme: &Theme,
    views: &views::Views,
    jobs: &[PageJob],
) -> Result<(tera::Tera, BTreeMap<&'static str, tera::Value>), Vec<Diagnostic>> {
    let mut tera = tera::Tera::new();
    // All at once, so templates can extend each other in any order.
    if let Err(e) = tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str())),
    ) {
        return Err(vec![template_error("(theme)", &e)]);
    }
    let common = views.common();
    tera.global_context().insert("site", &common.site);
    tera.global_context().insert("t", common.strings);
    let mut navs: BTreeMap<&'static str, tera::Value> = BTreeMap::new();
    for job in jobs {
        navs.entry(job.section)
            .or_insert_with(|| tera::Value::from_serializable(&views.nav(job.section)));
    }
    Ok((tera, navs))
}

/// Renders the pages of these journeys alone, into memory: the dev server's
/// first answer to an edit (the rest of what the edit touches follows). The
/// bytes are those a whole build gives for the same handbook.
pub fn render_journeys(
    handbook: &Handbook,
    theme: &Theme,
    ids: &[&str],
) -> Result<Site, Vec<Diagnostic>> {
    let mut phases = crate::timings::Phases::start();
    let views = views::Views::new(handbook).for_theme(theme);
    phases.mark("  views new");
    let jobs = views.journey_jobs(ids);
    phases.mark("  jobs");
    let (tera, navs) = templates(theme, &views, &jobs)?;
    phases.mark("  templates");
    in_memory(|m| render_jobs(&tera, &jobs, &navs, handbook, &|_| {}, m))
}

/// Renders `jobs` in parallel into `sink`.
fn render_jobs<S: Sink>(
    tera: &tera::Tera,
    jobs: &[PageJob],
    navs: &BTreeMap<&str, tera::Value>,
    handbook: &Handbook,
    progress: &(dyn Fn(Progress) + Sync),
    sink: &S,
) -> Result<(), RenderError<S::Error>> {
    let mut phases = crate::timings::Phases::start();

    progress(Progress::Start(jobs.len()));
    let base = base_of(handbook);
    let failed = std::sync::Mutex::new(None);
    let per_template = crate::timings::PerTemplate::default();
    let timed = crate::timings::enabled();
    let errors: Vec<Diagnostic> = jobs
        .par_iter()
        .filter_map(|job| {
            let nav = navs.get(job.section);
            let (page, html) = render_job(tera, job, nav, &base, &per_template, timed);
            progress(Progress::Page);
            match page {
                Ok(()) => {
                    if let Err(e) = sink.put(&job.path, html)
                        && let Ok(mut f) = failed.lock()
                    {
                        f.get_or_insert(e);
                    }
                    None
                }
                Err(e) => Some(template_error(job.template, &e)),
            }
        })
        .collect();
    phases.mark("render pages");
    per_template.report();
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(RenderError::Sink(e));
    }
    if !errors.is_empty() {
        let mut errors = errors;
        errors.dedup();
        return Err(RenderError::Templates(errors));
    }
    Ok(())
}

/// `base-url` with a slash at the end: the 404 page is served at any
/// depth, so its links start from there.
fn base_of(handbook: &Handbook) -> String {
    if handbook.config.base_url.ends_with('/') {
        handbook.config.base_url.clone()
    } else {
        format!("{}/", handbook.config.base_url)
    }
}

/// Renders one page: its data worked out, then its template.
fn render_job(
    tera: &tera::Tera,
    job: &PageJob,
    nav: Option<&tera::Value>,
    base: &str,
    per_template: &crate::timings::PerTemplate,
    timed: bool,
) -> (Result<(), tera::Error>, Vec<u8>) {
    let mut ctx = tera::Context::new();
    let root = if job.path == "404.html" {
        base.to_owned()
    } else {
        root_of(&job.path)
    };
    if let Some(nav) = nav {
        ctx.insert_value("nav", nav.clone());
    }
    ctx.insert("root", &root);
    ctx.insert("title", &job.title);
    ctx.insert("section", job.section);
    ctx.insert("path", &job.path);
    ctx.insert(
        "breadcrumbs",
        &job.breadcrumbs
            .iter()
            .map(|(label, url)| Link { label, url })
            .collect::<Vec<_>>(),
    );
    ctx.insert("prev", &link(&job.prev));
    ctx.insert("next", &link(&job.next));
    let started = timed.then(std::time::Instant::now);
    ctx.insert_value("data", (job.data)());
    let built = timed.then(std::time::Instant::now);
    let mut html = Vec::with_capacity(32 * 1024);
    let page = tera.render_to(job.template, &ctx, &mut html);
    drop(ctx);
    if let (Some(s), Some(b)) = (started, built) {
        per_template.add(job.template, b - s, b.elapsed());
    }
    (page, html)
}

#[derive(serde::Serialize)]
struct Link<'a> {
    label: &'a str,
    url: &'a str,
}

fn link(l: &Option<(String, String)>) -> Option<Link<'_>> {
    l.as_ref().map(|(label, url)| Link { label, url })
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

/// A site path as a URL path: each segment percent-encoded (UTF-8), the
/// slashes kept.
fn url_path(path: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'/');
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// `sitemap.xml`: every HTML page but the 404, under `base-url`, sorted.
fn sitemap(base_url: &str, pages: &[&str]) -> String {
    let base = if base_url.ends_with('/') {
        base_url.to_owned()
    } else {
        format!("{base_url}/")
    };
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut sorted: Vec<&&str> = pages
        .iter()
        .filter(|p| p.ends_with(".html") && **p != "404.html")
        .collect();
    sorted.sort_unstable();
    let base = escape(&base);
    for path in sorted {
        out.push_str("  <url><loc>");
        out.push_str(&base);
        // Percent-encoded as the pages' links are (a `<loc>` is a URL).
        out.push_str(&escape(&url_path(path)));
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_the_five_special_characters_and_keeps_the_rest() {
        assert_eq!(
            escape(r#"a<b>&"c"'d' ñ → <<"#),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39; ñ → &lt;&lt;"
        );
        assert_eq!(escape(""), "");
        assert_eq!(escape("&"), "&amp;");
        let mut out = String::from("kept ");
        escape_into(&mut out, "x & y");
        assert_eq!(out, "kept x &amp; y");
    }

    #[test]
    fn sitemap_locations_are_percent_encoded_urls() {
        let map = sitemap(
            "https://cx.example.org/handbook",
            &[
                "touchpoints/señal.html",
                "index.html",
                "404.html",
                "a&b.html",
            ],
        );
        assert!(
            map.contains("<loc>https://cx.example.org/handbook/touchpoints/se%C3%B1al.html</loc>"),
            "{map}"
        );
        assert!(
            map.contains("<loc>https://cx.example.org/handbook/a&amp;b.html</loc>"),
            "{map}"
        );
        assert!(!map.contains("404"), "{map}");
    }
}
