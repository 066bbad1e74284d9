//! The journeys index and each journey's page: the grid, the emotion
//! curve, the stage narratives and the source as written.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::shared::*;
use super::{PageJob, Views};
use crate::insights::effective_owner;
use crate::model::{Emotion, Journey, Metrics, State};
use crate::render::{i18n, markdown, svg};
use crate::routes::*;

use super::html;
use super::redesign::{NetChange, RedesignView};
use super::research::EvidenceShare;

/// The journeys index: every journey in reading order.
#[derive(Serialize)]
pub(super) struct JourneysView<'a> {
    pub(super) journeys: Vec<JourneyRow<'a>>,
}

#[derive(Serialize)]
pub(super) struct JourneyRow<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) persona: Option<&'a str>,
    pub(super) lens: Option<&'a str>,
    pub(super) average: Option<Average>,
    pub(super) steps: usize,
    /// On a future state's row: the journey it redesigns.
    pub(super) future_of: Option<TitleLink<'a>>,
}

/// Which optional lanes of the journey grid have anything to show.
#[derive(Serialize)]
pub(super) struct Lanes {
    pub(super) thinking: bool,
    pub(super) pain: bool,
    pub(super) opportunity: bool,
    pub(super) frontstage: bool,
    pub(super) backstage: bool,
    pub(super) support: bool,
    pub(super) systems: bool,
    pub(super) metrics: bool,
}

/// The journey page.
#[derive(Serialize)]
pub(super) struct JourneyView<'a> {
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    pub(super) scenario: Option<&'a str>,
    pub(super) persona: Option<NameLink<'a>>,
    pub(super) lens: Option<TitleLink<'a>>,
    pub(super) owner: Option<String>,
    pub(super) stakeholders: &'a [String],
    pub(super) research: Vec<NameLink<'a>>,
    pub(super) duration: Option<&'a str>,
    pub(super) lifecycle: Option<&'static str>,
    pub(super) next: Vec<TitleLink<'a>>,
    pub(super) metrics: Vec<MetricView>,
    pub(super) average: Option<Average>,
    pub(super) stages: Vec<StageView<'a>>,
    /// The grid and the curve's table, as HTML ([`html::journey_map`]).
    pub(super) map: String,
    /// Each step column, for a theme's own `journey.html` only (the
    /// built-in one shows them through `map`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) steps: Option<Vec<StepView<'a>>>,
    pub(super) columns: usize,
    pub(super) column_width: u32,
    pub(super) curve: String,
    pub(super) lanes: Lanes,
    pub(super) intro: String,
    pub(super) source: String,
    pub(super) extra: &'a Value,
    /// `current` or `future`.
    pub(super) state: State,
    /// On a future state: the journey it redesigns and what changes.
    pub(super) future_of: Option<TitleLink<'a>>,
    pub(super) changes: Option<RedesignView<'a>>,
    /// On a current journey: its future states and what each promises.
    pub(super) redesigns: Vec<NetChange<'a>>,
    /// Steps and pains that cite research (when the handbook has any).
    pub(super) evidence: Option<EvidenceShare>,
}

/// A stage column of the journey grid.
#[derive(Serialize)]
pub(super) struct StageView<'a> {
    pub(super) name: &'a str,
    pub(super) span: usize,
    pub(super) description: Option<&'a str>,
    pub(super) metrics: Vec<MetricView>,
    pub(super) narrative: Option<String>,
    pub(super) unmapped: bool,
    pub(super) average: Option<Average>,
}

/// A step column of the journey grid (or an empty stage's placeholder).
#[derive(Serialize, Default)]
pub(super) struct StepView<'a> {
    pub(super) empty: bool,
    pub(super) anchor: String,
    pub(super) first: bool,
    pub(super) stage: &'a str,
    pub(super) id: Option<&'a str>,
    pub(super) action: &'a str,
    pub(super) touchpoints: Vec<TouchpointRef<'a>>,
    pub(super) thinking: Option<&'a str>,
    pub(super) emotion: Option<EmotionView>,
    pub(super) pain: Option<&'a str>,
    pub(super) opportunity: Option<&'a str>,
    pub(super) owner: Option<&'a str>,
    pub(super) owner_set: bool,
    pub(super) handoff: Option<HandoffView<'a>>,
    pub(super) frontstage: Option<&'a str>,
    pub(super) backstage: Option<&'a str>,
    pub(super) support: Option<&'a str>,
    pub(super) systems: Vec<NameLink<'a>>,
    pub(super) metrics: Vec<MetricView>,
    pub(super) transaction: bool,
    pub(super) dropoff: bool,
    /// On a future state's map: the emotion of the current journey's
    /// matching step (the dashed curve).
    pub(super) before: Option<EmotionView>,
    /// The studies the step cites.
    pub(super) evidence: Vec<NameLink<'a>>,
    /// The opportunities the step names.
    pub(super) opportunities: Vec<super::opportunities::OpportunityLink<'a>>,
}

#[derive(Serialize)]
pub(super) struct HandoffView<'a> {
    pub(super) from: &'a str,
    pub(super) gap: bool,
}

impl<'h> Views<'h> {
    /// Journeys in reading order: by persona order, then lens id.
    pub(super) fn journeys_sorted(&self) -> Vec<&'h String> {
        self.h.routes.journeys.iter().collect()
    }

    /// Current-state journeys in reading order (what the figures of the
    /// current experience count).
    pub(super) fn current_sorted(&self) -> Vec<&'h String> {
        self.h
            .routes
            .journeys
            .iter()
            .filter(|id| !self.h.journeys[*id].is_future())
            .collect()
    }

    pub(super) fn journeys<'s>(&'s self, jobs: &mut Vec<PageJob<'s>>) {
        let h = self.h;
        let t = self.t;
        let sorted = self.journeys_sorted();
        // Built when rendered (10,000 rows at 10,000 journeys are not held
        // for the whole render).
        let order = sorted.clone();
        let list = move || {
            let journeys = order
                .iter()
                .map(|id| {
                    let j = &h.journeys[*id];
                    JourneyRow {
                        title: &j.title,
                        url: journey_url(id),
                        persona: h.personas.get(&j.persona.value).map(|p| p.name.as_str()),
                        lens: h.lenses.get(&j.lens.value).map(|l| l.title.as_str()),
                        average: self.journey_average(j),
                        steps: j.steps().count(),
                        future_of: h.routes.redesigned(&h.journeys, id).map(|c| TitleLink {
                            title: &h.journeys[c].title,
                            url: journey_url(c),
                        }),
                    }
                })
                .collect();
            tv(&JourneysView { journeys })
        };
        jobs.push(PageJob {
            path: "journeys/index.html".to_owned(),
            template: "journeys.html",
            title: t.journeys.to_owned(),
            section: "journeys",
            data: Box::new(list),
            breadcrumbs: self.crumbs(None),
            prev: None,
            next: None,
        });
        for i in 0..sorted.len() {
            jobs.push(self.journey_job(&sorted, i));
        }
    }

    /// The page of the `i`th journey of `sorted` (reading order).
    pub(super) fn journey_job<'s>(&'s self, sorted: &[&'h String], i: usize) -> PageJob<'s> {
        let h = self.h;
        let id: &'h str = sorted[i];
        let (prev, next) = pager(sorted, i, |jid| {
            (h.journeys[*jid].title.clone(), journey_url(jid))
        });
        PageJob {
            path: journey_url(id),
            template: "journey.html",
            title: h.journeys[id].title.clone(),
            section: "journeys",
            // Built when the page is rendered, not all up front.
            data: Box::new(move || tv(&self.journey(id))),
            breadcrumbs: self.crumbs(Some((self.t.journeys, "journeys/index.html"))),
            prev,
            next,
        }
    }

    /// The pages of these journeys alone (ids not in the handbook are
    /// skipped): what the dev server renders first after an edit.
    pub fn journey_jobs(&self, ids: &[&str]) -> Vec<PageJob<'_>> {
        let sorted = self.journeys_sorted();
        sorted
            .iter()
            .enumerate()
            .filter(|(_, id)| ids.contains(&id.as_str()))
            .map(|(i, _)| self.journey_job(&sorted, i))
            .collect()
    }

    /// The journey page: the grid, the curve, the narratives, the source.
    pub(super) fn journey(&self, id: &'h str) -> JourneyView<'h> {
        let h = self.h;
        let j = &h.journeys[id];
        let root = root_of(&journey_url(id));
        let lang = self.lang;
        let handoffs: BTreeMap<(usize, usize), &crate::insights::Handoff> = h
            .handoffs
            .get(id)
            .into_iter()
            .flatten()
            .map(|ho| ((ho.to.stage, ho.to.step), ho))
            .collect();
        let folded: Vec<String> = j
            .stages
            .iter()
            .map(|s| crate::text::fold(&s.name.value))
            .collect();
        let body = j.meta.body();
        let ctx = self.md_ctx(body, &j.meta.file, &root);
        let (intro, mut narratives) = markdown::journey_body(body, &ctx, |heading| {
            let heading = crate::text::fold(heading);
            folded.iter().position(|f| *f == heading)
        });
        // A future state: the journey it redesigns and which step is which.
        let compared = self.comparison(id);
        let before_of = |si: usize, k: usize| -> Option<Emotion> {
            let (current, c) = compared.as_ref()?;
            let r = c.current_of(crate::insights::StepRef { stage: si, step: k })?;
            h.journeys[*current].stages[r.stage].steps[r.step].emotion
        };
        let series = h.measurements.of_journey(id);
        let mut stages = Vec::new();
        let mut steps = Vec::new();
        let mut points: Vec<svg::Point> = Vec::new();
        for (si, stage) in j.stages.iter().enumerate() {
            let span = stage.steps.len().max(1);
            let touched = stage.steps.iter().any(|s| !s.touchpoints.is_empty());
            stages.push(StageView {
                name: &stage.name.value,
                span,
                description: stage.description.as_deref(),
                metrics: self.readings_from(
                    |m| series.stage(m, &stage.name.value),
                    &stage.metrics,
                    &stage.targets,
                    &root,
                ),
                narrative: narratives.remove(&si),
                unmapped: !touched,
                average: average_of(&stage.steps),
            });
            if stage.steps.is_empty() {
                steps.push(StepView {
                    empty: true,
                    first: true,
                    stage: &stage.name.value,
                    ..StepView::default()
                });
                points.push(svg::Point {
                    score: None,
                    label: "",
                    word: "",
                    before: None,
                });
                continue;
            }
            for (k, step) in stage.steps.iter().enumerate() {
                let owner = effective_owner(step, &h.touchpoints);
                let handoff = handoffs.get(&(si, k)).map(|ho| HandoffView {
                    from: h.department_name(&ho.from_owner),
                    gap: ho.gap.is_some(),
                });
                let emotion = step.emotion.map(|e| emotion_view(e, lang));
                let before = before_of(si, k);
                points.push(svg::Point {
                    score: step.emotion.map(Emotion::score),
                    label: &step.action,
                    word: step.emotion.map_or("", |e| e.word(lang)),
                    before: before.map(|e| (e.score(), e.word(lang))),
                });
                steps.push(StepView {
                    empty: false,
                    anchor: format!("step-{}-{}", si + 1, k + 1),
                    first: k == 0,
                    stage: &stage.name.value,
                    id: step.id.as_ref().map(|i| i.value.as_str()),
                    action: &step.action,
                    touchpoints: step
                        .touchpoints
                        .iter()
                        .map(|t| self.touchpoint_ref(&t.value))
                        .collect(),
                    thinking: step.thinking.as_deref(),
                    emotion,
                    pain: step.pain.as_deref(),
                    opportunity: self.opportunity_note(step),
                    owner: owner.map(|o| h.department_name(o)),
                    owner_set: step.owner.is_some(),
                    handoff,
                    frontstage: step.frontstage.as_deref(),
                    backstage: step.backstage.as_deref(),
                    support: step.support.as_deref(),
                    systems: step
                        .systems
                        .iter()
                        .map(|s| self.system_ref(&s.value))
                        .collect(),
                    // Without an id, nothing is measured: the typed values.
                    metrics: self.readings_from(
                        |m| {
                            step.id
                                .as_ref()
                                .map_or(&[], |sid| series.step(m, &sid.value))
                        },
                        step.metrics.as_deref().unwrap_or(&Metrics::NONE),
                        &step.targets,
                        &root,
                    ),
                    transaction: step.transaction,
                    dropoff: step.dropoff,
                    before: before.map(|e| emotion_view(e, lang)),
                    evidence: step
                        .evidence
                        .iter()
                        .map(|e| self.study_link(&e.value))
                        .collect(),
                    opportunities: step
                        .opportunities
                        .iter()
                        .map(|o| self.opportunity_link(&o.value))
                        .collect(),
                });
            }
        }
        let words: Vec<&str> = Emotion::ALL.iter().map(|e| e.word(lang)).collect();
        let curve = svg::curve(
            &points,
            &format!("{} — {}", self.t.emotion_curve, j.title),
            [words[0], words[1], words[2], words[3], words[4]],
        );
        let columns = steps.len();
        let has = |f: &dyn Fn(&crate::model::Step) -> bool| j.steps().any(|(_, s)| f(s));
        let lanes = Lanes {
            thinking: has(&|s| s.thinking.is_some()),
            pain: has(&|s| s.pain.is_some()),
            opportunity: has(&super::opportunities::has_opportunity),
            frontstage: has(&|s| s.frontstage.is_some()),
            backstage: has(&|s| s.backstage.is_some()),
            support: has(&|s| s.support.is_some()),
            systems: has(&|s| !s.systems.is_empty()),
            metrics: steps.iter().any(|s| !s.metrics.is_empty()),
        };
        let changes = compared
            .as_ref()
            .map(|(current, c)| self.what_changes(id, current, c));
        let legend = changes.as_ref().map(|r| html::Legend {
            current: TitleLink {
                title: r.net.current.title,
                url: r.net.current.url.clone(),
            },
            before: r.net.before.as_ref().map(|a| a.text.clone()),
            after: r.net.after.as_ref().map(|a| a.text.clone()),
        });
        let mut map = String::with_capacity(16 * 1024);
        html::journey_map(
            &mut map,
            &html::Map {
                stages: &stages,
                steps: &steps,
                lanes: &lanes,
                curve: &curve,
                print_zoom: print_zoom(
                    &steps,
                    &lanes,
                    stages.iter().any(|s| !s.metrics.is_empty()),
                ),
                legend: legend.as_ref(),
                t: self.t,
                root: &root,
            },
        );
        let persona = h.personas.get(&j.persona.value);
        let lens = h.lenses.get(&j.lens.value);
        JourneyView {
            id,
            title: &j.title,
            scenario: j.scenario.as_deref(),
            persona: persona.map(|p| NameLink {
                name: &p.name,
                url: Some(persona_url(&j.persona.value)),
            }),
            lens: lens.map(|l| TitleLink {
                title: &l.title,
                url: lens_url(&j.lens.value),
            }),
            owner: j.owner.as_ref().map(|o| self.dept(&o.value)),
            stakeholders: &j.stakeholders,
            research: j
                .research
                .iter()
                .map(|r| self.study_link(&r.value))
                .collect(),
            duration: j.duration.as_deref(),
            lifecycle: j.lifecycle.map(|l| i18n::lifecycle(l, lang)),
            next: self.next_journeys(j),
            metrics: self.readings_from(|m| series.journey(m), &j.metrics, &j.targets, &root),
            average: self.journey_average(j),
            stages,
            map,
            steps: self.own_templates.contains("journey.html").then_some(steps),
            columns,
            column_width: svg::column_for(columns),
            curve,
            lanes,
            intro,
            source: highlighted_source(&j.meta.source),
            extra: &j.meta.extra,
            state: j.state.value,
            future_of: compared.as_ref().map(|(current, _)| TitleLink {
                title: &h.journeys[*current].title,
                url: journey_url(current),
            }),
            changes,
            redesigns: self.redesigns_of(id),
            evidence: (!h.research.is_empty()).then(|| EvidenceShare::of(j)),
        }
    }

    /// The journeys that follow `j` (`next`), by title and page.
    pub(super) fn next_journeys(&self, j: &'h Journey) -> Vec<TitleLink<'h>> {
        j.next
            .iter()
            .filter_map(|n| {
                self.h.journeys.get(&n.value).map(|nj| TitleLink {
                    title: &nj.title,
                    url: journey_url(&n.value),
                })
            })
            .collect()
    }
}

/// How much the printed map must shrink to fit one landscape A4 page
/// (`--print-zoom`, 0.35..1), from an estimate of the printed grid's height
/// (the longest text of each lane, at the print stylesheet's sizes).
pub(super) fn print_zoom(steps: &[StepView], lanes: &Lanes, stage_metrics: bool) -> f32 {
    // A4 landscape less 8 mm margins, in CSS pixels, less the header (two
    // lines of facts, a line of metrics and the scenario). Measured in Chromium, the example
    // journeys' grids are up to 15 % taller than estimated: a quarter more
    // is allowed for.
    const PAGE_H: f32 = 733.0 - 140.0;
    const MARGIN: f32 = 1.25;
    let grid = PrintGrid::of(steps, lanes, stage_metrics);
    // Zoomed out by `zoom`, the page holds 1/zoom more CSS pixels: columns
    // widen and text wraps less. The largest zoom whose grid fits, by
    // bisection (the height only grows with the zoom).
    let fits = |zoom: f32| grid.height(zoom) * MARGIN * zoom <= PAGE_H;
    if fits(1.0) {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.35f32, 1.0f32);
    if !fits(lo) {
        return lo;
    }
    for _ in 0..8 {
        let mid = (lo + hi) / 2.0;
        if fits(mid) { lo = mid } else { hi = mid }
    }
    (lo * 100.0).floor() / 100.0
}

/// The texts of the printed grid, lane by lane (each lane: its cells'
/// word lengths in characters), gathered once per journey.
struct PrintGrid {
    lanes: Vec<Vec<Vec<u16>>>,
    /// Fixed heights: stage row, curve, lines, metrics.
    fixed: f32,
    columns: f32,
}

const LINE_H: f32 = 11.7;
const CELL_PAD: f32 = 6.0;

/// The lengths of the words of `text`, in characters.
fn words_of(text: &str) -> Vec<u16> {
    text.split_whitespace()
        .map(|w| w.chars().count().min(usize::from(u16::MAX - 1)) as u16)
        .collect()
}

impl PrintGrid {
    fn of(steps: &[StepView], lanes: &Lanes, stage_metrics: bool) -> PrintGrid {
        let lane =
            |text: &dyn Fn(&StepView) -> Vec<u16>| steps.iter().map(text).collect::<Vec<_>>();
        let mut out = vec![
            lane(&|s| words_of(s.action)),
            lane(&|s| s.emotion.as_ref().map_or(Vec::new(), |e| words_of(e.word))),
            lane(&|s| words_of(s.owner.unwrap_or_default())),
        ];
        // Touchpoints: one line (at least) each.
        out.push(lane(&|s| {
            s.touchpoints
                .iter()
                .flat_map(|t| words_of(t.name).into_iter().chain([u16::MAX]))
                .collect()
        }));
        type Text = fn(&StepView) -> Vec<u16>;
        let optional: [(bool, Text); 6] = [
            (lanes.thinking, |s| words_of(s.thinking.unwrap_or_default())),
            (lanes.pain, |s| words_of(s.pain.unwrap_or_default())),
            (lanes.opportunity, |s| {
                let mut w = words_of(s.opportunity.unwrap_or_default());
                for o in &s.opportunities {
                    w.extend(words_of(o.title));
                    w.extend(words_of(o.status_word));
                }
                w
            }),
            (lanes.frontstage, |s| {
                words_of(s.frontstage.unwrap_or_default())
            }),
            (lanes.backstage, |s| {
                words_of(s.backstage.unwrap_or_default())
            }),
            (lanes.support, |s| words_of(s.support.unwrap_or_default())),
        ];
        for (shown, text) in optional {
            if shown {
                out.push(lane(&text));
            }
        }
        if lanes.systems {
            out.push(lane(&|s| {
                s.systems.iter().flat_map(|x| words_of(x.name)).collect()
            }));
        }
        let mut fixed = 40.0 + 120.0 + LINE_H;
        // A reading is its value and change, then its target: two lines.
        if lanes.metrics {
            fixed += 2.0 * LINE_H + CELL_PAD;
        }
        if stage_metrics {
            fixed += 2.0 * LINE_H;
        }
        if lanes.frontstage || lanes.backstage || lanes.support || lanes.systems {
            fixed += 2.0 * LINE_H;
        }
        PrintGrid {
            lanes: out,
            fixed,
            columns: steps.len().max(1) as f32,
        }
    }

    /// The estimated height in CSS pixels at `zoom`.
    fn height(&self, zoom: f32) -> f32 {
        const PAGE_W: f32 = 1062.0;
        const LANE_NAMES: f32 = 112.0;
        const CHAR_W: f32 = 4.9;
        let column = ((PAGE_W / zoom - LANE_NAMES) / self.columns - CELL_PAD).max(10.0);
        let per_line = (column / CHAR_W).floor().max(1.0);
        // Greedy wrapping of words of these lengths (u16::MAX: a forced
        // line break).
        let lines = |words: &[u16]| -> f32 {
            let (mut lines, mut used) = (1.0f32, 0.0f32);
            for &w in words {
                if w == u16::MAX {
                    lines += 1.0;
                    used = 0.0;
                    continue;
                }
                let w = f32::from(w);
                if used > 0.0 && used + 1.0 + w <= per_line {
                    used += 1.0 + w;
                } else {
                    if used > 0.0 {
                        lines += 1.0;
                    }
                    lines += (w / per_line).ceil().max(1.0) - 1.0;
                    used = w % per_line;
                }
            }
            lines
        };
        self.fixed
            + self
                .lanes
                .iter()
                .map(|cells| {
                    let tallest = cells.iter().map(|c| lines(c)).fold(1.0, f32::max);
                    tallest * LINE_H + CELL_PAD
                })
                .sum::<f32>()
    }
}

/// The journey file as written, highlighted: front matter as YAML or TOML,
/// headings of the body marked.
fn highlighted_source(full: &str) -> String {
    match crate::source::split(full) {
        Ok(parts) => {
            let lang = match parts.format {
                crate::source::Format::Yaml => "yaml",
                crate::source::Format::Toml => "toml",
            };
            crate::render::highlight::source(full, lang, parts.front.end)
        }
        Err(_) => crate::render::escape(full),
    }
}
