//! Free pages: Markdown files outside the known folders, at their own path.

use serde::Serialize;
use serde_json::Value;

use super::shared::*;
use super::{PageJob, Views};
use crate::model::Page;
use crate::routes::*;

/// A free page.
#[derive(Serialize)]
pub(super) struct PageView<'a> {
    pub(super) title: String,
    pub(super) description: Option<&'a str>,
    pub(super) body: String,
    pub(super) extra: &'a Value,
}

impl<'h> Views<'h> {
    /// Each free page, in reading order.
    pub(super) fn pages<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        for (i, id) in self.pages_sorted.iter().enumerate() {
            let p = &h.pages[id];
            let path = page_url(p);
            let (prev, next) = pager(self.pages_sorted, i, |pid| {
                (page_title(&h.pages[pid]), page_url(&h.pages[pid]))
            });
            let at = path.clone();
            jobs.push(PageJob {
                path,
                template: "page.html",
                title: page_title(p),
                section: "pages",
                data: Box::new(move || tv(&self.page(p, &at))),
                breadcrumbs: self.crumbs(None),
                prev,
                next,
            });
        }
    }

    /// A free page's view, as it is shown at `path`.
    pub(super) fn page(&self, p: &'h Page, path: &str) -> PageView<'h> {
        PageView {
            title: page_title(p),
            description: p.description.as_deref(),
            body: self.md(p.meta.body(), &p.meta.file, path),
            extra: &p.meta.extra,
        }
    }
}
