//! Rendering one file at a time, when it is asked for (the dev server).
//!
//! The page list, the compiled templates and each section's navigation are
//! worked out once per model; a page's own data and template run only when
//! that page is asked for. Every file comes out with the bytes a whole
//! build writes for it (the build and this share `render_job`,
//! `fixed_files`, `sitemap`, the search index and `journeys.json`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rayon::prelude::*;

use super::{PageJob, base_of, fixed_files, render_job, search, sitemap, template_error, views};
use crate::diagnostic::Diagnostic;
use crate::resolve::Handbook;
use crate::theme::Theme;

/// A handbook ready to render any of its files on request.
pub struct OnDemand<'j, 'h> {
    handbook: &'h Handbook,
    jobs: BTreeMap<&'j str, &'j PageJob<'j>>,
    views: &'j views::Views<'h>,
    tera: tera::Tera,
    navs: BTreeMap<&'static str, tera::Value>,
    base: String,
    fixed: BTreeMap<String, Vec<u8>>,
    /// The search index's files, built the first time one is asked for.
    search: OnceLock<BTreeMap<String, Vec<u8>>>,
}

/// Gets `handbook` ready to render on request and hands it to `f` (the
/// page list borrows the views, so they live in this call). A theme whose
/// templates do not compile gives their errors instead.
pub fn on_demand<R>(
    handbook: &Handbook,
    theme: &Theme,
    f: impl FnOnce(&OnDemand) -> R,
) -> Result<R, Vec<Diagnostic>> {
    let views = views::Views::new(handbook).for_theme(theme);
    let jobs = views.jobs();
    let (tera, navs) = super::templates(theme, &views, &jobs)?;
    let on_demand = OnDemand {
        handbook,
        jobs: jobs.iter().map(|j| (j.path.as_str(), j)).collect(),
        views: &views,
        tera,
        navs,
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

impl OnDemand<'_, '_> {
    /// The file at a site path: `None` when the site has none there; a
    /// template error as a diagnostic.
    pub fn file(&self, path: &str) -> Option<Result<Vec<u8>, Diagnostic>> {
        if let Some(job) = self.jobs.get(path) {
            let timings = crate::timings::PerTemplate::default();
            let (page, html) = render_job(&self.tera, job, &self.navs, &self.base, &timings, false);
            return Some(match page {
                Ok(()) => Ok(html),
                Err(e) => Err(template_error(job.template, &e)),
            });
        }
        if let Some(bytes) = self.fixed.get(path) {
            return Some(Ok(bytes.clone()));
        }
        match path {
            "sitemap.xml" => {
                let pages: Vec<&str> = self.jobs.keys().copied().collect();
                Some(Ok(
                    sitemap(&self.handbook.config.base_url, &pages).into_bytes()
                ))
            }
            "journeys.json" => Some(Ok(crate::interchange::journeys_json(self.handbook, false))),
            _ if path.starts_with("search/") => self
                .search
                .get_or_init(|| {
                    search::index_files(&self.views.search_docs())
                        .into_iter()
                        .map(|(p, t)| (p, t.into_bytes()))
                        .collect()
                })
                .get(path)
                .map(|bytes| Ok(bytes.clone())),
            _ => None,
        }
    }

    /// Several files at once, on every core (in the order asked).
    pub fn files(&self, paths: &[String]) -> Vec<Option<Result<Vec<u8>, Diagnostic>>> {
        paths.par_iter().map(|p| self.file(p)).collect()
    }

    /// How many pages the site has.
    pub fn pages(&self) -> usize {
        self.jobs.len()
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
    }
}
