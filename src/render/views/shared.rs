//! What the page kinds share: the view types of an emotion, an average, a
//! metric, a step somewhere in the handbook, a name with its link; and the
//! lookups every page makes (a department's name, a system's or a
//! touchpoint's link, an average).

use std::sync::Arc;

use serde::Serialize;

use super::Views;
use crate::config::Language;
use crate::insights::effective_owner;
use crate::model::{Emotion, Journey, Stage, Step};
use crate::render::svg;
use crate::routes::*;

/// A view model as the templates see it.
pub(super) fn tv<T: serde::Serialize>(v: &T) -> tera::Value {
    tera::Value::from_serializable(v)
}

/// One step somewhere in the handbook, for the cross-cutting indexes: three
/// references into the model, the effective owner and the journey's shared
/// URL (there is one per step and touchpoint, 400,000 at 10,000 journeys, so
/// it is kept small: the fields a template sees are read when serialised).
#[derive(Clone)]
pub(super) struct StepRef<'h> {
    pub(super) journey: &'h Journey,
    pub(super) stage: &'h Stage,
    pub(super) step: &'h Step,
    pub(super) journey_url: Arc<str>,
    /// The effective owner's id, and its display name (`[departments]`).
    pub(super) owner: Option<&'h str>,
    pub(super) owner_name: Option<&'h str>,
    pub(super) lang: Language,
    /// For a system page: the touchpoints through which the step uses it
    /// (the step's own touchpoints when the step names the system itself).
    pub(super) via: Vec<&'h str>,
}

impl<'h> StepRef<'h> {
    pub(super) fn emotion(&self) -> Option<EmotionView> {
        self.step.emotion.map(|e| emotion_view(e, self.lang))
    }

    pub(super) fn pain(&self) -> Option<&'h str> {
        self.step.pain.as_deref()
    }

    pub(super) fn opportunity(&self) -> Option<&'h str> {
        self.step.opportunity.as_deref()
    }

    pub(super) fn backstage(&self) -> Option<&'h str> {
        self.step.backstage.as_deref()
    }
}

impl Serialize for StepRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("StepRef", 12)?;
        m.serialize_field("journey", &self.journey.title)?;
        m.serialize_field("journey_url", &*self.journey_url)?;
        m.serialize_field("persona", &self.journey.persona.value)?;
        m.serialize_field("lens", &self.journey.lens.value)?;
        m.serialize_field("stage", &self.stage.name.value)?;
        m.serialize_field("action", &self.step.action)?;
        m.serialize_field("emotion", &self.emotion())?;
        m.serialize_field("pain", &self.pain())?;
        m.serialize_field("opportunity", &self.opportunity())?;
        m.serialize_field("owner", &self.owner_name)?;
        m.serialize_field("backstage", &self.backstage())?;
        m.serialize_field("via", &self.via)?;
        m.end()
    }
}

#[derive(Clone, Serialize)]
pub(super) struct EmotionView {
    pub(super) score: i8,
    pub(super) word: &'static str,
    pub(super) class: &'static str,
}

pub(super) fn emotion_view(e: Emotion, lang: Language) -> EmotionView {
    EmotionView {
        score: e.score(),
        word: e.word(lang),
        class: svg::score_class(e.score()),
    }
}

/// An average on the -2..2 scale, as shown: value, one decimal, and the
/// class of the nearest emotion (for colour).
#[derive(Serialize)]
pub(super) struct Average {
    pub(super) value: f64,
    pub(super) text: String,
    pub(super) class: &'static str,
    pub(super) count: usize,
}

impl Average {
    /// The one average helper: the mean of `scores` (on the -2..2 scale),
    /// if there are any.
    pub(super) fn of(scores: impl IntoIterator<Item = i8>) -> Option<Average> {
        let (avg, count) = crate::model::mean(scores)?;
        let (value, text) = crate::model::shown(avg);
        Some(Average {
            value,
            text,
            class: svg::score_class(avg.round() as i8),
            count,
        })
    }
}

/// The average emotion of the rated steps among `steps`.
pub(super) fn average_of<'a>(steps: impl IntoIterator<Item = &'a Step>) -> Option<Average> {
    Average::of(
        steps
            .into_iter()
            .filter_map(|s| s.emotion.map(Emotion::score)),
    )
}

/// The value of an average, for sorting (worst first).
pub(super) fn value_of(a: &Option<Average>) -> Option<f64> {
    a.as_ref().map(|a| a.value)
}

pub(super) use super::metrics::MetricView;

/// A touchpoint as a step names it: its name and, when it has a page, its
/// id (the URL is written out where it is shown: 60 strings a journey).
pub(super) struct TouchpointRef<'a> {
    pub(super) name: &'a str,
    pub(super) id: Option<&'a str>,
}

impl Serialize for TouchpointRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("TouchpointRef", 2)?;
        m.serialize_field("name", self.name)?;
        m.serialize_field("url", &self.id.map(touchpoint_url))?;
        m.end()
    }
}

/// A name and, when it has a page, its URL.
#[derive(Serialize)]
pub(super) struct NameLink<'a> {
    pub(super) name: &'a str,
    pub(super) url: Option<String>,
}

/// A page by its title and URL.
#[derive(Serialize)]
pub(super) struct TitleLink<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
}

/// A journey as lists show it: title, page and average emotion, and the
/// future states that redesign it.
#[derive(Serialize)]
pub(super) struct JourneyLink<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) average: Option<Average>,
    pub(super) futures: Vec<super::redesign::FutureLink<'a>>,
}

/// An emotion drop across a gap: before and after (and, where lists sort by
/// it, how far it fell).
#[derive(Serialize)]
pub(super) struct DropView {
    pub(super) from: EmotionView,
    pub(super) to: EmotionView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) size: Option<i8>,
}

impl DropView {
    pub(super) fn new((a, b): (Emotion, Emotion), lang: Language, sized: bool) -> DropView {
        DropView {
            from: emotion_view(a, lang),
            to: emotion_view(b, lang),
            size: sized.then(|| a.score() - b.score()),
        }
    }
}

/// A page link: label and URL.
pub(super) type Link = (String, String);

/// The previous and next of item `i` in a section's reading order.
pub(super) fn pager<T>(
    items: &[T],
    i: usize,
    link: impl Fn(&T) -> Link,
) -> (Option<Link>, Option<Link>) {
    let prev = i.checked_sub(1).and_then(|k| items.get(k)).map(&link);
    (prev, items.get(i + 1).map(link))
}

/// A step as the touchpoint index keeps it: three pointers (400,000 of them
/// at 10,000 journeys). Turned into a [`StepRef`] only for the rows shown.
#[derive(Clone, Copy)]
pub(super) struct Hit<'h> {
    pub(super) journey: &'h Journey,
    pub(super) stage: &'h Stage,
    pub(super) step: &'h Step,
}

impl<'h> Views<'h> {
    /// A step of the touchpoint index as templates see it.
    pub(super) fn step_ref(&self, hit: &Hit<'h>) -> StepRef<'h> {
        let owner = effective_owner(hit.step, &self.h.touchpoints);
        StepRef {
            journey: hit.journey,
            stage: hit.stage,
            step: hit.step,
            journey_url: journey_url(&hit.journey.meta.id.value).into(),
            owner,
            owner_name: owner.map(|o| self.h.department_name(o)),
            lang: self.lang,
            via: Vec::new(),
        }
    }

    /// A system by the name written in content: its display name and page.
    pub(super) fn system_ref<'a>(&self, name: &'a str) -> NameLink<'a>
    where
        'h: 'a,
    {
        match self
            .h
            .system_id(name)
            .filter(|id| self.h.systems.contains_key(id))
        {
            Some(id) => NameLink {
                name: &self.h.systems[&id],
                url: Some(system_url(&id)),
            },
            None => NameLink { name, url: None },
        }
    }

    /// A study as a `research`/`evidence` entry names it (an id once
    /// resolved): its title and page, or the free name without a page.
    pub(super) fn study_link<'a>(&self, name: &'a str) -> NameLink<'a>
    where
        'h: 'a,
    {
        match self.h.research.get_key_value(name) {
            Some((id, r)) => NameLink {
                name: &r.title,
                url: Some(research_url(id)),
            },
            None => NameLink { name, url: None },
        }
    }

    pub(super) fn system_average(&self, id: &str) -> Option<Average> {
        average_of(
            self.steps_ix()
                .by_system
                .get(id)
                .into_iter()
                .flatten()
                .map(|r| r.step),
        )
    }

    /// A touchpoint by id: its name and page (its id without a page).
    pub(super) fn touchpoint_link<'a>(&self, id: &'a str) -> NameLink<'a>
    where
        'h: 'a,
    {
        match self.h.touchpoints.get(id) {
            Some(t) => NameLink {
                name: &t.name,
                url: Some(touchpoint_url(id)),
            },
            None => NameLink {
                name: id,
                url: None,
            },
        }
    }

    pub(super) fn touchpoint_ref<'a>(&self, id: &'a str) -> TouchpointRef<'a>
    where
        'h: 'a,
    {
        match self.h.touchpoints.get(id) {
            Some(t) => TouchpointRef {
                name: &t.name,
                id: Some(id),
            },
            None => TouchpointRef { name: id, id: None },
        }
    }

    pub(super) fn touchpoint_average(&self, id: &str) -> Option<Average> {
        average_of(self.touchpoint_hits(id).iter().map(|r| r.step))
    }

    pub(super) fn journey_average(&self, j: &Journey) -> Option<Average> {
        average_of(j.steps().map(|(_, s)| s))
    }
}
