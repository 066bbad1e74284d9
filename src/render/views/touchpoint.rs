//! The touchpoints index and each touchpoint's page: every step through
//! it, its pains and its opportunities.

use serde::Serialize;
use serde_json::Value;

use super::shared::*;
use super::{PageJob, Views};
use crate::insights::effective_owner;
use crate::routes::*;

use super::html;

/// A row of a touchpoint page's tables and lists. Its journey's URL is
/// written out from the id where it is shown (600,000 rows at 10,000
/// journeys: one string each was 3 % of a build).
pub(super) struct StepRow<'a> {
    pub(super) journey: &'a str,
    pub(super) journey_id: &'a str,
    pub(super) stage: &'a str,
    pub(super) action: &'a str,
    pub(super) emotion: Option<EmotionView>,
    /// The effective owner's display name (`[departments]`).
    pub(super) owner: Option<&'a str>,
    pub(super) pain: Option<&'a str>,
    pub(super) opportunity: Option<&'a str>,
    /// The step itself (not shown: the page's average is worked out from
    /// its rows instead of finding them again).
    pub(super) step: &'a crate::model::Step,
}

impl Serialize for StepRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("StepRow", 8)?;
        m.serialize_field("journey", self.journey)?;
        m.serialize_field("journey_url", &journey_url(self.journey_id))?;
        m.serialize_field("stage", self.stage)?;
        m.serialize_field("action", self.action)?;
        m.serialize_field("emotion", &self.emotion)?;
        m.serialize_field("owner", &self.owner)?;
        m.serialize_field("pain", &self.pain)?;
        m.serialize_field("opportunity", &self.opportunity)?;
        m.end()
    }
}

impl<'h> Views<'h> {
    /// A step of the touchpoint index as its page shows it.
    pub(super) fn step_row(&self, hit: &Hit<'h>) -> StepRow<'h> {
        StepRow {
            journey: &hit.journey.title,
            journey_id: &hit.journey.meta.id.value,
            stage: &hit.stage.name.value,
            action: &hit.step.action,
            emotion: hit.step.emotion.map(|e| emotion_view(e, self.lang)),
            owner: effective_owner(hit.step, &self.h.touchpoints)
                .map(|o| self.h.department_name(o)),
            pain: hit.step.pain.as_deref(),
            opportunity: hit.step.opportunity.as_deref(),
            step: hit.step,
        }
    }

    pub(super) fn touchpoints<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        let ids: Vec<&'h String> = h.touchpoints.keys().collect();
        jobs.push(PageJob {
            path: "touchpoints/index.html".to_owned(),
            template: "touchpoints.html",
            title: t.touchpoints.to_owned(),
            section: "touchpoints",
            data: Box::new(move || tv(&self.touchpoints_index())),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for (i, id) in ids.iter().enumerate() {
            let id: &'h String = id;
            let (prev, next) = pager(&ids, i, |tid| {
                (h.touchpoints[*tid].name.clone(), touchpoint_url(tid))
            });
            jobs.push(PageJob {
                path: touchpoint_url(id),
                template: "touchpoint.html",
                title: h.touchpoints[id].name.clone(),
                section: "touchpoints",
                data: Box::new(move || {
                    let rows = self.touchpoint_rows(id);
                    tv(&self.touchpoint(id, &rows))
                }),
                breadcrumbs: self.crumbs(Some((t.touchpoints, "touchpoints/index.html"))),
                prev,
                next,
            });
        }
    }

    /// The touchpoints index's view.
    pub(super) fn touchpoints_index(&self) -> TouchpointsView<'h> {
        TouchpointsView {
            touchpoints: self
                .h
                .touchpoints
                .iter()
                .map(|(id, tp)| TouchpointRow {
                    name: &tp.name,
                    url: touchpoint_url(id),
                    channel: tp.channel.as_deref(),
                    owner: tp.owner.as_ref().map(|o| self.dept(&o.value)),
                    average: self.touchpoint_average(id),
                    uses: self.touchpoint_ix().get(id).map_or(0, Vec::len),
                })
                .collect(),
        }
    }

    /// Every step through touchpoint `id`, in journey order.
    pub(super) fn touchpoint_rows(&self, id: &str) -> Vec<StepRow<'h>> {
        self.touchpoint_hits(id)
            .iter()
            .map(|hit| self.step_row(hit))
            .collect()
    }

    /// A touchpoint's page view, with its `rows`.
    pub(super) fn touchpoint<'r>(&self, id: &'h str, rows: &'r [StepRow<'h>]) -> TouchpointView<'r>
    where
        'h: 'r,
    {
        let tp = &self.h.touchpoints[id];
        let mut journeys: Vec<&str> = rows.iter().map(|r| r.journey_id).collect();
        journeys.dedup();
        let path = touchpoint_url(id);
        let lists = html::touchpoint_lists(rows, &root_of(&path));
        let own = self.own_templates.contains("touchpoint.html");
        let having =
            |has: fn(&StepRow) -> bool| own.then(|| rows.iter().filter(|r| has(r)).collect());
        TouchpointView {
            id,
            metrics: self.readings(
                &crate::metrics::Scope::Touchpoint(id.into()),
                &crate::model::Metrics::NONE,
                &tp.targets,
                "../",
            ),
            name: &tp.name,
            channel: tp.channel.as_deref(),
            owner: tp.owner.as_ref().map(|o| self.dept(&o.value)),
            systems: tp
                .systems
                .iter()
                .map(|s| self.system_ref(&s.value))
                .collect(),
            body: self.md(tp.meta.body(), &tp.meta.file, &path),
            // The same steps as `touchpoint_average(id)`'s.
            average: super::shared::average_of(rows.iter().map(|r| r.step)),
            journeys: journeys.len(),
            extra: &tp.meta.extra,
            uses_rows: lists.uses,
            pain_items: lists.pains,
            opportunity_items: lists.opportunities,
            uses: own.then(|| rows.iter().collect()),
            pains: having(|r| r.pain.is_some()),
            opportunities: having(|r| r.opportunity.is_some()),
        }
    }
}

/// The touchpoints index.
#[derive(Serialize)]
pub(super) struct TouchpointsView<'a> {
    pub(super) touchpoints: Vec<TouchpointRow<'a>>,
}

#[derive(Serialize)]
pub(super) struct TouchpointRow<'a> {
    pub(super) name: &'a str,
    pub(super) url: String,
    pub(super) channel: Option<&'a str>,
    pub(super) owner: Option<String>,
    pub(super) average: Option<Average>,
    pub(super) uses: usize,
}

/// A touchpoint's page. Its long lists are HTML ([`html::touchpoint_lists`]);
/// a theme's own `touchpoint.html` also gets them as values (`uses`,
/// `pains`, `opportunities`).
#[derive(Serialize)]
pub(super) struct TouchpointView<'a> {
    pub(super) id: &'a str,
    /// Its measurements (`touchpoint` rows of `data/*.csv`) and targets.
    pub(super) metrics: Vec<super::metrics::MetricView>,
    pub(super) name: &'a str,
    pub(super) channel: Option<&'a str>,
    pub(super) owner: Option<String>,
    pub(super) systems: Vec<NameLink<'a>>,
    pub(super) body: String,
    pub(super) average: Option<Average>,
    pub(super) journeys: usize,
    pub(super) extra: &'a Value,
    pub(super) uses_rows: String,
    pub(super) pain_items: String,
    pub(super) opportunity_items: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) uses: Option<Vec<&'a StepRow<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) pains: Option<Vec<&'a StepRow<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) opportunities: Option<Vec<&'a StepRow<'a>>>,
}
