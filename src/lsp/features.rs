//! What the editor asks of a handbook, answered from its last whole load
//! and the text of the open document: completion items, hover text, where
//! an id is defined, every place that names it, and the edits of a
//! rename. Protocol-free: positions are byte offsets, files are paths
//! relative to the root (`mod.rs` converts).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use super::context::{self, Context, Place};
use crate::config::Language;
use crate::model::{Emotion, Lifecycle, Meta, Method, State, Status};
use crate::parse::keys;
use crate::resolve::Handbook;
use crate::source::Kind;

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Of {
    Persona,
    Touchpoint,
    Journey,
    Lens,
    Research,
    Opportunity,
    Page,
    Department,
    System,
}

impl Of {
    /// The kind of id a field holds.
    pub fn of_field(key: &str) -> Option<Of> {
        Some(match key {
            "touchpoints" => Of::Touchpoint,
            "persona" => Of::Persona,
            "lens" => Of::Lens,
            "next" | "redesigns" => Of::Journey,
            "research" | "evidence" => Of::Research,
            "opportunities" | "realises" => Of::Opportunity,
            "owner" => Of::Department,
            "systems" => Of::System,
            _ => return None,
        })
    }

    /// The kind an `@kind/` link names.
    pub fn of_link(kind: &str) -> Option<Of> {
        Some(match kind {
            "persona" => Of::Persona,
            "touchpoint" => Of::Touchpoint,
            "journey" => Of::Journey,
            "lens" => Of::Lens,
            "research" => Of::Research,
            "opportunity" => Of::Opportunity,
            "page" => Of::Page,
            _ => return None,
        })
    }

    fn link_word(self) -> Option<&'static str> {
        Some(match self {
            Of::Persona => "persona",
            Of::Touchpoint => "touchpoint",
            Of::Journey => "journey",
            Of::Lens => "lens",
            Of::Research => "research",
            Of::Opportunity => "opportunity",
            Of::Page => "page",
            Of::Department | Of::System => return None,
        })
    }

    fn of_kind(kind: Kind) -> Option<Of> {
        Some(match kind {
            Kind::Persona => Of::Persona,
            Kind::Touchpoint => Of::Touchpoint,
            Kind::Journey => Of::Journey,
            Kind::Research => Of::Research,
            Kind::Opportunity => Of::Opportunity,
            Kind::Page => Of::Page,
            Kind::Home => return None,
        })
    }

    fn word(self, lang: Language) -> &'static str {
        let (en, es) = match self {
            Of::Persona => ("persona", "persona"),
            Of::Touchpoint => ("touchpoint", "punto de contacto"),
            Of::Journey => ("journey", "recorrido"),
            Of::Lens => ("lens", "lente"),
            Of::Research => ("study", "estudio"),
            Of::Opportunity => ("opportunity", "oportunidad"),
            Of::Page => ("page", "página"),
            Of::Department => ("department", "departamento"),
            Of::System => ("system", "sistema"),
        };
        if lang == Language::Es { es } else { en }
    }
}

/// An id and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub of: Of,
    pub id: String,
}

/// The document being asked about.
pub struct Doc<'a> {
    /// Relative to the root.
    pub file: &'a str,
    /// Its kind (`None` outside the content folder).
    pub kind: Option<Kind>,
    pub text: &'a str,
}

/// One completion item: what is inserted, a label, a detail (a display
/// name), and its rank (items are shown in this order).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub label: String,
    pub insert: String,
    pub detail: Option<String>,
    pub field: bool,
    pub replace: Range<usize>,
}

/// Ids of one kind, each with its display name, in id order.
pub fn ids(h: &Handbook, of: Of) -> Vec<(String, String)> {
    fn named<T>(m: &BTreeMap<String, T>, f: impl Fn(&T) -> String) -> Vec<(String, String)> {
        m.iter().map(|(id, v)| (id.clone(), f(v))).collect()
    }
    match of {
        Of::Persona => named(&h.personas, |p| p.name.clone()),
        Of::Touchpoint => named(&h.touchpoints, |t| t.name.clone()),
        Of::Journey => named(&h.journeys, |j| j.title.clone()),
        Of::Lens => named(&h.lenses, |l| l.title.clone()),
        Of::Research => named(&h.research, |r| r.title.clone()),
        Of::Opportunity => named(&h.opportunities, |o| o.title.clone()),
        Of::Page => named(&h.pages, |p| p.title.clone().unwrap_or_default()),
        Of::Department => named(&h.config.departments, Clone::clone),
        Of::System => named(&h.systems, Clone::clone),
    }
}

/// The file that defines an id (`None` for lenses, departments and
/// systems, which `book.toml` or their users define).
pub fn meta<'h>(h: &'h Handbook, t: &Target) -> Option<&'h Meta> {
    let id = t.id.as_str();
    match t.of {
        Of::Persona => h.personas.get(id).map(|p| &p.meta),
        Of::Touchpoint => h.touchpoints.get(id).map(|p| &p.meta),
        Of::Journey => h.journeys.get(id).map(|p| &p.meta),
        Of::Research => h.research.get(id).map(|p| &p.meta),
        Of::Opportunity => h.opportunities.get(id).map(|p| &p.meta),
        Of::Page => h.pages.get(id).map(|p| &p.meta),
        Of::Lens | Of::Department | Of::System => None,
    }
}

/// The `id:` value of a file that writes its id, as a span of its source.
pub fn explicit_id(m: &Meta) -> Option<Range<usize>> {
    let span = m.id.span.clone();
    let written = m.source.get(span.clone())?;
    let inner = written.trim_matches(['"', '\'']);
    (inner == m.id.value).then(|| {
        let lead = written.find(inner).unwrap_or(0);
        span.start + lead..span.start + lead + inner.len()
    })
}

/// The id under the cursor: a reference field's value, an `@kind/id`
/// link, or else the document's own id (anywhere in a persona,
/// touchpoint, journey, study or opportunity file that is not on another
/// reference).
pub fn target(h: &Handbook, doc: &Doc, ctx: &Context) -> Option<(Target, Range<usize>)> {
    let token = &doc.text[ctx.token.clone()];
    match &ctx.place {
        Place::Value { key, .. } if !token.is_empty() => {
            if let Some(of) = Of::of_field(key) {
                return Some((
                    Target {
                        of,
                        id: token.to_owned(),
                    },
                    ctx.token.clone(),
                ));
            }
        }
        Place::Link => {
            let (kind, id) = token.split_once('/')?;
            let id = id.split('#').next().unwrap_or(id);
            let start = ctx.token.start + kind.len() + 1;
            return Some((
                Target {
                    of: Of::of_link(kind)?,
                    id: id.to_owned(),
                },
                start..start + id.len(),
            ));
        }
        _ => {}
    }
    let of = Of::of_kind(doc.kind?)?;
    let m = metas(h).find(|m| m.file == doc.file)?;
    let id = &m.id.value;
    // Pages are named in links only: their own file names no reference.
    if of == Of::Page || meta(h, &Target { of, id: id.clone() }).is_none() {
        return None;
    }
    let range = explicit_id(m).unwrap_or(ctx.token.clone());
    Some((Target { of, id: id.clone() }, range))
}

/// A place in a file: relative path, the file's text, a byte span of it.
pub type Spot = (String, Arc<str>, Range<usize>);

/// Every place that names `t`: the fields of journeys and steps, and the
/// `@kind/id` links of every body; in file order.
pub fn references(h: &Handbook, t: &Target) -> Vec<Spot> {
    let mut out: Vec<Spot> = Vec::new();
    let id = t.id.as_str();
    for j in h.journeys.values() {
        // The journey's fields and its steps' that hold ids of `t`'s kind.
        let spans: Vec<&Range<usize>> = match t.of {
            Of::Persona => named(std::iter::once(&j.persona), id),
            Of::Journey => named(j.next.iter().chain(&j.redesigns), id),
            Of::Research => named(
                j.research
                    .iter()
                    .chain(j.steps().flat_map(|(_, s)| &s.evidence)),
                id,
            ),
            Of::Opportunity => named(
                j.realises
                    .iter()
                    .chain(j.steps().flat_map(|(_, s)| &s.opportunities)),
                id,
            ),
            Of::Touchpoint => j
                .steps()
                .flat_map(|(_, s)| &s.touchpoints)
                .filter(|tp| &*tp.value == id)
                .map(|tp| &tp.span)
                .collect(),
            _ => Vec::new(),
        };
        for span in spans {
            out.push((j.meta.file.clone(), j.meta.source.clone(), span.clone()));
        }
    }
    if let Some(word) = t.of.link_word() {
        let dest = format!("@{word}/{id}");
        for m in metas(h) {
            if !m.body().contains(&dest) {
                continue;
            }
            for l in crate::links::links(m.body(), m.body_offset) {
                if l.dest.split('#').next() == Some(dest.as_str()) {
                    let start = l.span.start + word.len() + 2;
                    out.push((m.file.clone(), m.source.clone(), start..start + id.len()));
                }
            }
        }
    }
    for (_, text, span) in &mut out {
        *span = unquoted(text, span.clone());
    }
    out.sort_by(|a, b| (&a.0, a.2.start).cmp(&(&b.0, b.2.start)));
    out.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2);
    out
}

/// A value's span without the quotes around it, if it has them.
fn unquoted(text: &str, span: Range<usize>) -> Range<usize> {
    match text.get(span.clone()) {
        Some(s)
            if s.len() >= 2
                && (s.starts_with('"') && s.ends_with('"')
                    || s.starts_with('\'') && s.ends_with('\'')) =>
        {
            span.start + 1..span.end - 1
        }
        _ => span,
    }
}

/// The spans of the values equal to `id`.
fn named<'a>(
    values: impl Iterator<Item = &'a crate::fields::Spanned<String>>,
    id: &str,
) -> Vec<&'a Range<usize>> {
    values.filter(|v| v.value == id).map(|v| &v.span).collect()
}

/// Every file's front matter and body.
fn metas(h: &Handbook) -> impl Iterator<Item = &Meta> {
    h.home
        .iter()
        .map(|p| &p.meta)
        .chain(h.personas.values().map(|p| &p.meta))
        .chain(h.touchpoints.values().map(|p| &p.meta))
        .chain(h.journeys.values().map(|p| &p.meta))
        .chain(h.research.values().map(|p| &p.meta))
        .chain(h.opportunities.values().map(|p| &p.meta))
        .chain(h.pages.values().map(|p| &p.meta))
}

/// A file's text and the edits to it: spans and what replaces each.
pub type FileEdits = (Arc<str>, Vec<(Range<usize>, String)>);

/// The edits of renaming `t` to `new`: every reference, the `id:` of its
/// file when it writes one, or else the file itself moved to the new name
/// (or, for an editor that cannot rename files, an `id:` line added to it:
/// the file keeps its name, the id changes all the same).
pub struct Rename {
    /// By file: its text and the edits (a span and what replaces it).
    pub edits: BTreeMap<String, FileEdits>,
    /// The file renamed: from, to (relative to the root).
    pub moved: Option<(String, String)>,
}

pub fn rename(h: &Handbook, t: &Target, new: &str, can_move: bool) -> Result<Rename, String> {
    let lang = h.config.language;
    let Some(m) = meta(h, t).filter(|_| t.of != Of::Page) else {
        return Err(format!(
            "a {} is renamed where it is defined (book.toml): rename it there",
            t.of.word(lang)
        ));
    };
    if let Some(why) = crate::resolve::unsafe_id(new) {
        return Err(format!("`{new}` cannot be an id: it {why}"));
    }
    if t.of != Of::Journey && new.contains('/') {
        return Err(format!("`{new}` cannot be an id here: it has a `/`"));
    }
    if ids(h, t.of).iter().any(|(i, _)| i == new) {
        return Err(format!("there is already a {} `{new}`", t.of.word(lang)));
    }
    let mut edits: BTreeMap<String, FileEdits> = BTreeMap::new();
    for (file, text, span) in references(h, t) {
        edits
            .entry(file)
            .or_insert_with(|| (text, Vec::new()))
            .1
            .push((span, new.to_owned()));
    }
    let mut own = |span: Range<usize>, text: String| {
        edits
            .entry(m.file.clone())
            .or_insert_with(|| (m.source.clone(), Vec::new()))
            .1
            .push((span, text));
    };
    let moved = match explicit_id(m) {
        Some(span) => {
            own(span, new.to_owned());
            None
        }
        None if !can_move => {
            // After the opening `---` or `+++` line.
            let at = m.source.find('\n').map_or(0, |i| i + 1);
            let line = if m.source.starts_with("+++") {
                format!("id = \"{new}\"\n")
            } else {
                format!("id: {}\n", crate::text::yaml_str(new))
            };
            own(at..at, line);
            None
        }
        None => {
            let to = match t.of {
                Of::Journey => {
                    let content = m
                        .file
                        .strip_suffix(&format!("journeys/{}.md", t.id))
                        .ok_or("the journey's file is not where its id says")?;
                    format!("{content}journeys/{new}.md")
                }
                _ => {
                    let dir = m.file.rsplit_once('/').map_or("", |(d, _)| d);
                    format!("{dir}/{new}.md")
                }
            };
            Some((m.file.clone(), to))
        }
    };
    Ok(Rename { edits, moved })
}

/// Hover text (Markdown) for the id or emotion under the cursor.
pub fn hover(h: &Handbook, doc: &Doc, ctx: &Context) -> Option<(String, Range<usize>)> {
    let lang = h.config.language;
    let token = doc.text[ctx.token.clone()].trim();
    if let Place::Value { key, path } = &ctx.place {
        if key == "emotion" {
            let e = Emotion::parse(token)?;
            let scale = if lang == Language::Es {
                "de −2 a 2"
            } else {
                "on −2..2"
            };
            return Some((
                format!("**{}**: {:+} ({scale})", e.word(lang), e.score()),
                ctx.token.clone(),
            ));
        }
        if key == "name" && path.last().is_some_and(|p| p == "stages") {
            let lens = h.lenses.get(&context::top_value(doc.text, "lens")?)?;
            let i = lens.stage_index(token)?;
            let list: Vec<String> = lens
                .stages
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    if k == i {
                        format!("**{s}**")
                    } else {
                        s.clone()
                    }
                })
                .collect();
            let head = if lang == Language::Es {
                format!(
                    "Etapa {} de {} de la lente *{}*",
                    i + 1,
                    lens.stages.len(),
                    lens.title
                )
            } else {
                format!(
                    "Stage {} of {} of the *{}* lens",
                    i + 1,
                    lens.stages.len(),
                    lens.title
                )
            };
            return Some((format!("{head}\n\n{}", list.join(" → ")), ctx.token.clone()));
        }
    }
    let (t, range) = target(h, doc, ctx)?;
    let es = lang == Language::Es;
    let what = t.of.word(lang);
    let text = match t.of {
        Of::Touchpoint => {
            let tp = h.touchpoints.get(&t.id)?;
            let mut lines = vec![format!("**{}** — {what} `{}`", tp.name, t.id)];
            if let Some(c) = &tp.channel {
                lines.push(format!("{}: {c}", if es { "Canal" } else { "Channel" }));
            }
            if let Some(o) = &tp.owner {
                lines.push(format!(
                    "{}: {}",
                    if es { "Responsable" } else { "Owner" },
                    h.department_name(&o.value)
                ));
            }
            lines.join("\n\n")
        }
        Of::Persona => {
            let p = h.personas.get(&t.id)?;
            let role = p
                .role
                .as_deref()
                .map(|r| format!("\n\n{r}"))
                .unwrap_or_default();
            format!("**{}** — {what} `{}`{role}", p.name, t.id)
        }
        Of::Lens => {
            let l = h.lenses.get(&t.id)?;
            let stages = if l.stages.is_empty() {
                String::new()
            } else {
                format!("\n\n{}", l.stages.join(" → "))
            };
            format!("**{}** — {what} `{}`{stages}", l.title, t.id)
        }
        Of::Journey => {
            let j = h.journeys.get(&t.id)?;
            format!("**{}** — {what} `{}` ({})", j.title, t.id, j.persona.value)
        }
        Of::Research => {
            let r = h.research.get(&t.id)?;
            let method = r
                .method
                .map(|m| format!(" · {}", m.name()))
                .unwrap_or_default();
            format!("**{}** — {what} `{}`{method}", r.title, t.id)
        }
        Of::Opportunity => {
            let o = h.opportunities.get(&t.id)?;
            format!("**{}** — {what} `{}` · {}", o.title, t.id, o.status.name())
        }
        Of::Page => {
            let p = h.pages.get(&t.id)?;
            format!("**{}** — {what}", p.title.as_deref().unwrap_or(&t.id))
        }
        Of::Department => format!("**{}** — {what}", h.config.departments.get(&t.id)?),
        Of::System => {
            let id = h.system_id(&t.id)?;
            format!("**{}** — {what}", h.systems.get(&id)?)
        }
    };
    Some((text, range))
}

/// Completion items at the cursor.
pub fn complete(h: &Handbook, doc: &Doc, ctx: &Context, offset: usize) -> Vec<Item> {
    let mut offset = offset.clamp(ctx.token.start, doc.text.len().max(ctx.token.start));
    while !doc.text.is_char_boundary(offset) {
        offset -= 1;
    }
    let replace = ctx.token.start..ctx.token.end.max(offset);
    let item = |label: String, detail: Option<String>| Item {
        insert: label.clone(),
        label,
        detail,
        field: false,
        replace: replace.clone(),
    };
    let lang = h.config.language;
    match &ctx.place {
        Place::Key { path } => {
            let toml = context::front_matter(doc.text)
                .is_some_and(|(f, _)| f == crate::source::Format::Toml);
            fields(doc.kind, path)
                .iter()
                .map(|k| Item {
                    label: (*k).to_owned(),
                    insert: if toml {
                        format!("{k} = ")
                    } else {
                        format!("{k}: ")
                    },
                    detail: None,
                    field: true,
                    replace: replace.clone(),
                })
                .collect()
        }
        Place::Value { key, path } => {
            if let Some(of) = Of::of_field(key) {
                return ids(h, of)
                    .into_iter()
                    .map(|(id, name)| item(id, Some(name)))
                    .collect();
            }
            let words: Vec<(String, Option<String>)> = match key.as_str() {
                "emotion" => Emotion::ALL
                    .into_iter()
                    .rev()
                    .flat_map(|e| {
                        let score = Some(format!("{:+}", e.score()));
                        std::iter::once((e.word(lang).to_owned(), score.clone())).chain(
                            e.aliases()
                                .iter()
                                .filter(|a| !a.chars().any(char::is_alphabetic) || **a == ":d")
                                .map(move |a| (a.to_uppercase(), score.clone())),
                        )
                    })
                    .collect(),
                "name" if path.last().is_some_and(|p| p == "stages") => {
                    let Some(lens) =
                        context::top_value(doc.text, "lens").and_then(|l| h.lenses.get(&l))
                    else {
                        return Vec::new();
                    };
                    if lens.is_strict() {
                        let n = lens.stages.len();
                        lens.stages
                            .iter()
                            .enumerate()
                            .map(|(i, s)| {
                                (s.clone(), Some(format!("{} / {n} · {}", i + 1, lens.title)))
                            })
                            .collect()
                    } else {
                        // A free lens: the names its journeys use, first
                        // seen first.
                        let mut used: Vec<(String, Option<String>)> = Vec::new();
                        for j in h.journeys.values().filter(|j| j.lens.value == lens.id) {
                            for s in &j.stages {
                                if !used.iter().any(|(u, _)| *u == s.name.value) {
                                    used.push((s.name.value.clone(), Some(lens.title.clone())));
                                }
                            }
                        }
                        used
                    }
                }
                "channel" => plain(crate::model::CHANNELS),
                "status" => plain(if lang == Language::Es {
                    Status::SPANISH
                } else {
                    Status::NAMES
                }),
                "state" => plain(State::NAMES),
                "method" => plain(Method::NAMES),
                "lifecycle" => plain(Lifecycle::NAMES),
                _ => Vec::new(),
            };
            words.into_iter().map(|(w, d)| item(w, d)).collect()
        }
        Place::Link => {
            let token = &doc.text[ctx.token.start..offset.max(ctx.token.start)];
            match token.split_once('/') {
                None => crate::links::KINDS
                    .iter()
                    .map(|k| Item {
                        label: format!("{k}/"),
                        insert: format!("{k}/"),
                        detail: None,
                        field: false,
                        replace: replace.clone(),
                    })
                    .collect(),
                Some((kind, _)) => {
                    let Some(of) = Of::of_link(kind) else {
                        return Vec::new();
                    };
                    ids(h, of)
                        .into_iter()
                        .map(|(id, name)| Item {
                            label: id.clone(),
                            insert: format!("{kind}/{id}"),
                            detail: Some(name),
                            field: false,
                            replace: replace.clone(),
                        })
                        .collect()
                }
            }
        }
        Place::Nothing => Vec::new(),
    }
}

fn plain(words: &[&str]) -> Vec<(String, Option<String>)> {
    words.iter().map(|w| ((*w).to_owned(), None)).collect()
}

/// The field names valid in the mapping `path` of a file of `kind`: the
/// table `check`'s unknown-field rule uses.
pub fn fields(kind: Option<Kind>, path: &[String]) -> Vec<&'static str> {
    let Some(kind) = kind else {
        return Vec::new();
    };
    match path.last().map(String::as_str) {
        None => {
            let own: &[&str] = match kind {
                Kind::Persona => keys::PERSONA,
                Kind::Touchpoint => keys::TOUCHPOINT,
                Kind::Journey => keys::JOURNEY,
                Kind::Research => keys::RESEARCH,
                Kind::Opportunity => keys::OPPORTUNITY,
                Kind::Home | Kind::Page => keys::PAGE,
            };
            own.iter().chain(keys::COMMON).copied().collect()
        }
        Some("stages") if kind == Kind::Journey && path.len() == 1 => keys::STAGE.to_vec(),
        Some("steps") if kind == Kind::Journey => keys::STEP.to_vec(),
        Some("metrics") => keys::METRICS.to_vec(),
        _ => Vec::new(),
    }
}
