//! Rendering one file at a time, when it is asked for (the dev server).
//!
//! The templates are compiled once per model and the page list of each part
//! of the site ([`Part`]) the first time one of its pages is asked for; a
//! page's own data, navigation and template run only when that page is
//! asked for. Every file comes out with the bytes a whole build writes for
//! it (the build and this share `render_job`, `fixed_files`, `sitemap`, the
//! search index and `journeys.json`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rayon::prelude::*;

use super::{PageJob, base_of, fixed_files, render_job, search, sitemap, template_error, views};
use crate::diagnostic::Diagnostic;
use crate::resolve::Handbook;
use crate::theme::Theme;
use views::Part;

/// A rendered file's bytes, or the template error that stopped it.
pub type File = Result<Vec<u8>, Diagnostic>;

/// A handbook ready to render any of its files on request.
pub struct OnDemand<'j, 'h> {
    handbook: &'h Handbook,
    views: &'j views::Views<'h>,
    /// Each part's pages, made the first time a page of it is asked for
    /// (at 10,000 journeys making every page's job takes 100 ms; a
    /// persona's part, 1,000 of them, a few).
    parts: Vec<OnceLock<Jobs<'j>>>,
    tera: tera::Tera,
    base: String,
    fixed: BTreeMap<String, Vec<u8>>,
    /// The search index's files, built the first time one is asked for.
    search: OnceLock<BTreeMap<String, Vec<u8>>>,
}

/// One part's pages, and where each path is among them.
struct Jobs<'j> {
    jobs: Vec<PageJob<'j>>,
    at: BTreeMap<String, usize>,
}

/// Gets `handbook` ready to render on request and hands it to `f` (the
/// page list borrows the views, so they live in this call). A theme whose
/// templates do not compile gives their errors instead.
pub fn on_demand<R>(
    handbook: &Handbook,
    theme: &Theme,
    f: impl FnOnce(&OnDemand) -> R,
) -> Result<R, Vec<Diagnostic>> {
    with_views(views::Views::new(handbook).for_theme(theme), theme, f)
}

/// These few files alone (the dev server's first answer to an edit): the
/// pages' cross-index entries are found directly, not by building every
/// index the whole site would need. The bytes are the same.
pub fn render_files(
    handbook: &Handbook,
    theme: &Theme,
    paths: &[String],
) -> Result<Vec<Option<File>>, Vec<Diagnostic>> {
    let views = views::Views::new(handbook).for_theme(theme).for_few_pages();
    with_views(views, theme, |pages| pages.files(paths))
}

fn with_views<'h, R>(
    views: views::Views<'h>,
    theme: &Theme,
    f: impl FnOnce(&OnDemand) -> R,
) -> Result<R, Vec<Diagnostic>> {
    let handbook = views.handbook();
    let (tera, _) = super::templates(theme, &views, &[])?;
    let on_demand = OnDemand {
        handbook,
        views: &views,
        parts: Part::ALL.iter().map(|_| OnceLock::new()).collect(),
        tera,
        base: base_of(handbook),
        fixed: fixed_files(theme).into_iter().collect(),
        search: OnceLock::new(),
    };
    Ok(f(&on_demand))
}

/// Whether the theme's templates compile (the dev server checks before it
/// serves a model, since it renders no page up front).
pub fn check_templates(handbook: &Handbook, theme: &Theme) -> Result<(), Vec<Diagnostic>> {
    let views = views::Views::new(handbook).for_theme(theme);
    super::templates(theme, &views, &[]).map(|_| ())
}

impl<'j> OnDemand<'j, '_> {
    fn part(&self, part: Part) -> &Jobs<'j> {
        self.parts[part as usize].get_or_init(|| {
            let jobs = self.views.jobs_of(part);
            let at = jobs
                .iter()
                .enumerate()
                .map(|(i, j)| (j.path.clone(), i))
                .collect();
            Jobs { jobs, at }
        })
    }

    /// The page at `path`: in the part its folder says, else in any.
    fn job(&self, path: &str) -> Option<&PageJob<'j>> {
        let find = |part| {
            let jobs = self.part(part);
            jobs.at.get(path).map(|&i| &jobs.jobs[i])
        };
        find(Part::of(path)).or_else(|| Part::ALL.iter().find_map(|&p| find(p)))
    }

    /// The file at a site path: `None` when the site has none there; a
    /// template error as a diagnostic.
    pub fn file(&self, path: &str) -> Option<File> {
        if let Some(bytes) = self.fixed.get(path) {
            return Some(Ok(bytes.clone()));
        }
        match path {
            "sitemap.xml" => {
                let pages: Vec<&str> = Part::ALL
                    .iter()
                    .flat_map(|&p| self.part(p).jobs.iter().map(|j| j.path.as_str()))
                    .collect();
                return Some(Ok(
                    sitemap(&self.handbook.config.base_url, &pages).into_bytes()
                ));
            }
            "journeys.json" => {
                return Some(Ok(crate::interchange::journeys_json(self.handbook, false)));
            }
            _ if path.starts_with("search/") => {
                return self
                    .search
                    .get_or_init(|| {
                        search::index_files(&self.views.search_docs())
                            .into_iter()
                            .map(|(p, t)| (p, t.into_bytes()))
                            .collect()
                    })
                    .get(path)
                    .map(|bytes| Ok(bytes.clone()));
            }
            _ => {}
        }
        let job = self.job(path)?;
        let timings = crate::timings::PerTemplate::default();
        let nav = tera::Value::from_serializable(&self.views.nav(job.section));
        let (page, html) = render_job(&self.tera, job, Some(&nav), &self.base, &timings, false);
        Some(match page {
            Ok(()) => Ok(html),
            Err(e) => Err(template_error(job.template, &e)),
        })
    }

    /// Several files at once, on every core (in the order asked).
    pub fn files(&self, paths: &[String]) -> Vec<Option<File>> {
        paths.par_iter().map(|p| self.file(p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file rendered on request has the bytes of the whole build.
    #[test]
    fn every_file_on_request_is_the_file_of_a_whole_build() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/es");
        let run = crate::load(&root, &crate::Options::default()).expect("the fixture loads");
        let theme = Theme::load(&root, &run.handbook.config.theme).expect("the theme loads");
        let site = super::super::render(&run.handbook, &theme, &|_| {}).expect("it renders");
        let compared = on_demand(&run.handbook, &theme, |pages| {
            for (path, bytes) in &site {
                let got = pages.file(path).unwrap_or_else(|| panic!("{path} missing"));
                assert!(got.expect("renders") == *bytes, "{path} differs");
            }
            assert!(pages.file("journeys/none.html").is_none());
            assert!(pages.file("search/none.js").is_none());
            site.len()
        })
        .expect("the templates compile");
        assert!(compared > 40, "{compared} files");
        // A few pages at a time, the cross-indexes' entries found directly.
        for (path, bytes) in &site {
            let few = render_files(&run.handbook, &theme, std::slice::from_ref(path))
                .expect("the templates compile");
            let got = few
                .into_iter()
                .next()
                .flatten()
                .expect("there")
                .expect("renders");
            assert!(got == *bytes, "{path} differs when rendered alone");
        }
    }
}
