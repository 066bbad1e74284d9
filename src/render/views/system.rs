//! The systems index (worst average emotion first) and each system's page:
//! the steps that use it, directly or through a touchpoint.

use serde::Serialize;

use super::shared::*;
use super::{PageJob, Views};
use crate::routes::*;

/// The systems index.
#[derive(Serialize)]
pub(super) struct SystemsView<'a> {
    pub(super) systems: Vec<SystemRow<'a>>,
}

#[derive(Serialize)]
pub(super) struct SystemRow<'a> {
    pub(super) name: &'a str,
    pub(super) url: String,
    pub(super) average: Option<Average>,
    pub(super) steps: usize,
    pub(super) pains: usize,
    pub(super) touchpoints: usize,
    pub(super) owners: Vec<String>,
}

/// A system's page.
#[derive(Serialize)]
pub(super) struct SystemView<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) average: Option<Average>,
    /// The touchpoints that declare the system.
    pub(super) touchpoints: Vec<TouchpointAverage<'a>>,
    /// Every step that uses it, in journey order.
    pub(super) uses: &'a [StepRef<'a>],
    pub(super) owners: Vec<String>,
    pub(super) pains: Vec<&'a StepRef<'a>>,
    pub(super) backstage: Vec<&'a StepRef<'a>>,
}

#[derive(Serialize)]
pub(super) struct TouchpointAverage<'a> {
    #[serde(flatten)]
    pub(super) link: NameLink<'a>,
    pub(super) average: Option<Average>,
}

impl<'h> Views<'h> {
    /// The systems index (worst average emotion first) and a page per system.
    pub(super) fn systems<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        let ids = self.systems_sorted();
        jobs.push(PageJob {
            path: "systems/index.html".to_owned(),
            template: "systems.html",
            title: t.systems.to_owned(),
            section: "systems",
            data: Box::new(move || tv(&self.systems_index())),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for (i, id) in ids.iter().enumerate() {
            let id: &'h String = id;
            let (prev, next) = pager(&ids, i, |sid| (h.systems[*sid].clone(), system_url(sid)));
            jobs.push(PageJob {
                path: system_url(id),
                template: "system.html",
                title: h.systems[id].clone(),
                section: "systems",
                data: Box::new(move || tv(&self.system(id))),
                breadcrumbs: self.crumbs(Some((t.systems, "systems/index.html"))),
                prev,
                next,
            });
        }
    }

    /// System ids, worst average emotion first (those without one last).
    pub(super) fn systems_sorted(&self) -> Vec<&'h String> {
        let mut ids: Vec<&String> = self.h.systems.keys().collect();
        let avg = |id: &str| value_of(&self.system_average(id));
        ids.sort_by(|a, b| match (avg(a), avg(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y).then(a.cmp(b)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.cmp(b),
        });
        ids
    }

    fn system_uses(&self, id: &str) -> &[StepRef<'h>] {
        self.steps_ix().by_system.get(id).map_or(&[], Vec::as_slice)
    }

    /// The departments that own the steps using a system, by name.
    fn system_owners(&self, id: &str) -> Vec<String> {
        let mut o: Vec<String> = self
            .system_uses(id)
            .iter()
            .filter_map(|r| r.owner.map(|o| self.dept(o)))
            .collect();
        o.sort();
        o.dedup();
        o
    }

    /// The systems index's view.
    pub(super) fn systems_index(&self) -> SystemsView<'h> {
        let h = self.h;
        SystemsView {
            systems: self
                .systems_sorted()
                .into_iter()
                .map(|id| {
                    let uses = self.system_uses(id);
                    SystemRow {
                        name: &h.systems[id],
                        url: system_url(id),
                        average: self.system_average(id),
                        steps: uses.len(),
                        pains: uses.iter().filter(|r| r.pain().is_some()).count(),
                        touchpoints: self
                            .steps_ix()
                            .system_touchpoints
                            .get(id)
                            .map_or(0, Vec::len),
                        owners: self.system_owners(id),
                    }
                })
                .collect(),
        }
    }

    /// A system's page view.
    pub(super) fn system<'s>(&'s self, id: &'h str) -> SystemView<'s> {
        let uses = self.system_uses(id);
        SystemView {
            id,
            name: &self.h.systems[id],
            average: self.system_average(id),
            touchpoints: self
                .steps_ix()
                .system_touchpoints
                .get(id)
                .into_iter()
                .flatten()
                .map(|tid| TouchpointAverage {
                    link: self.touchpoint_link(tid),
                    average: self.touchpoint_average(tid),
                })
                .collect(),
            uses,
            owners: self.system_owners(id),
            pains: uses.iter().filter(|r| r.pain().is_some()).collect(),
            backstage: uses.iter().filter(|r| r.backstage().is_some()).collect(),
        }
    }
}
