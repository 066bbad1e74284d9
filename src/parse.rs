//! Front matter → the model as written ([`crate::model`]).
//!
//! Pure: takes a file's text, returns a typed value and pushes every problem
//! it finds (syntax, types, unknown or missing fields, bad emotions) to the
//! diagnostics. References between files are checked later, by `resolve`.

use crate::diagnostic::Diagnostic;
use crate::fields::{Ctx, Fields, Spanned, to_json};
use std::sync::Arc;

use crate::model::{
    CHANNEL_ALIASES, CHANNELS, Date, Emotion, Journey, Lifecycle, Meta, Method, Metrics,
    Opportunity, Page, Persona, Research, Stage, State, Status, Step, Target, Targets, Touchpoint,
};
use crate::node::{self, Node, Value};
use crate::source::{Format, Kind, SourceFile, Split, split};
use crate::text::{did_you_mean, fold};

/// The keys each kind of front matter accepts (the schema is checked against these).
pub mod keys {
    /// Keys every kind of file may carry.
    pub const COMMON: &[&str] = &["id", "draft", "weight", "extra"];
    pub const PERSONA: &[&str] = &[
        "name",
        "role",
        "segment",
        "quote",
        "goals",
        "needs",
        "frustrations",
        "channels",
    ];
    pub const TOUCHPOINT: &[&str] = &["name", "channel", "owner", "systems", "targets"];
    pub const JOURNEY: &[&str] = &[
        "title",
        "persona",
        "lens",
        "scenario",
        "owner",
        "stakeholders",
        "research",
        "duration",
        "metrics",
        "targets",
        "lifecycle",
        "next",
        "state",
        "redesigns",
        "realises",
        "stages",
    ];
    pub const STAGE: &[&str] = &["name", "description", "metrics", "targets", "steps"];
    pub const STEP: &[&str] = &[
        "action",
        "touchpoints",
        "emotion",
        "thinking",
        "pain",
        "opportunity",
        "backstage",
        "frontstage",
        "support",
        "owner",
        "metrics",
        "targets",
        "id",
        "systems",
        "transaction",
        "dropoff",
        "evidence",
        "opportunities",
    ];
    pub const RESEARCH: &[&str] = &["title", "method", "date", "participants", "owner", "link"];
    pub const OPPORTUNITY: &[&str] = &["title", "status", "owner", "impact", "effort", "link"];
    pub const PAGE: &[&str] = &["title", "description"];
    pub const METRICS: &[&str] = &["nps", "ces", "csat"];
}
use keys::*;

/// A parsed content file.
#[derive(Clone)]
/// The kinds other than journeys are boxed: a parsed file is kept by the
/// dev server's file cache, and the enum is as large as its largest kind
/// (11,000 journeys each held ~330 bytes they did not use).
pub enum Parsed {
    Home(Box<Page>),
    Persona(Box<Persona>),
    Touchpoint(Box<Touchpoint>),
    /// Shared: the dev server's file cache and the model hold one copy.
    Journey(Arc<Journey>),
    Research(Box<Research>),
    Opportunity(Box<Opportunity>),
    Page(Box<Page>),
}

/// Parses one file. Returns `None` when its front matter could not be read
/// at all (the reason is in `diags`); otherwise returns what could be read,
/// even if some fields were bad, so that later checks still run.
pub fn parse_file(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Parsed> {
    let text = &*file.text;
    let parts = match split(text) {
        Ok(s) => s,
        // Free pages and the home text may be plain Markdown, as in mdBook.
        Err(d) if d.code == "no-front-matter" && matches!(file.kind, Kind::Home | Kind::Page) => {
            Split {
                format: Format::Yaml,
                front: 0..0,
                body: 0..text.len(),
            }
        }
        Err(d) => {
            diags.push(d.at(&file.path, 0..text.find('\n').unwrap_or(text.len())));
            return None;
        }
    };
    let front = &text[parts.front.clone()];
    let parsed = match parts.format {
        Format::Yaml => node::parse_yaml(&unquoted_angry_emoticons(front), parts.front.start),
        Format::Toml => node::parse_toml(front, parts.front.start),
    };
    let mut root = match parsed {
        Ok(n) => n,
        Err(e) => {
            let lang = match parts.format {
                Format::Yaml => "YAML",
                Format::Toml => "TOML",
            };
            let span = e.span.unwrap_or(parts.front.start..parts.front.start);
            diags.push(
                unclosed(file, &parts, &span, &e.message).unwrap_or_else(|| {
                    Diagnostic::error("syntax", format!("invalid {lang}: {}", e.message))
                        .at(&file.path, span)
                        .help_opt(syntax_help(parts.format, &e.message))
                }),
            );
            return None;
        }
    };
    // Whole-file problems (a missing field, an unused persona) point at the
    // opening `---`/`+++` line.
    root.span = 0..3;
    let mut ctx = Ctx {
        file: &file.path,
        diags,
    };
    let what = match file.kind {
        Kind::Home => "home page front matter",
        Kind::Persona => "persona front matter",
        Kind::Touchpoint => "touchpoint front matter",
        Kind::Journey => "journey front matter",
        Kind::Research => "research front matter",
        Kind::Opportunity => "opportunity front matter",
        Kind::Page => "page front matter",
    };
    let mut f = Fields::new(&mut ctx, &root, what)?;
    let meta = meta(&mut ctx, &mut f, file, &root, parts.body.start);
    let parsed = match file.kind {
        Kind::Home | Kind::Page => {
            let page = Page {
                meta,
                title: f.string(&mut ctx, "title").map(|s| s.value),
                description: f.string(&mut ctx, "description").map(|s| s.value),
            };
            f.finish(&mut ctx, &[COMMON, PAGE].concat());
            if file.kind == Kind::Home {
                Parsed::Home(Box::new(page))
            } else {
                Parsed::Page(Box::new(page))
            }
        }
        Kind::Persona => {
            let name = f.required(&mut ctx, "name");
            let mut list = |k| texts(f.strings(&mut ctx, k));
            let goals = list("goals");
            let needs = list("needs");
            let frustrations = list("frustrations");
            let channels = list("channels");
            let persona = Persona {
                name: name.map_or_else(|| meta.id.value.clone(), |n| n.value),
                role: f.string(&mut ctx, "role").map(|s| s.value),
                segment: f.string(&mut ctx, "segment").map(|s| s.value),
                quote: f.string(&mut ctx, "quote").map(|s| s.value),
                goals,
                needs,
                frustrations,
                channels,
                meta,
            };
            f.finish(&mut ctx, &[COMMON, PERSONA].concat());
            Parsed::Persona(Box::new(persona))
        }
        Kind::Touchpoint => {
            let name = f.required(&mut ctx, "name");
            let channel = f
                .string(&mut ctx, "channel")
                .and_then(|c| channel(&mut ctx, c));
            let tp = Touchpoint {
                name: name.map_or_else(|| meta.id.value.clone(), |n| n.value),
                channel,
                owner: f.string(&mut ctx, "owner"),
                systems: f.strings(&mut ctx, "systems"),
                targets: targets(&mut ctx, &mut f),
                meta,
            };
            f.finish(&mut ctx, &[COMMON, TOUCHPOINT].concat());
            Parsed::Touchpoint(Box::new(tp))
        }
        Kind::Journey => Parsed::Journey(Arc::new(journey(&mut ctx, f, meta))),
        Kind::Research => Parsed::Research(Box::new(research(&mut ctx, f, meta))),
        Kind::Opportunity => Parsed::Opportunity(Box::new(opportunity(&mut ctx, f, meta))),
    };
    Some(parsed)
}

/// `emotion: >:(` is what authors write, but in YAML a leading `>` starts a
/// folded block, so it cannot parse. Such a value can never be valid YAML, so
/// it is read as the score it means: `>:(` becomes `-2 `, the same length,
/// keeping every byte offset (and so every diagnostic position) right.
fn unquoted_angry_emoticons(front: &str) -> std::borrow::Cow<'_, str> {
    if !front.contains(">:(") {
        return std::borrow::Cow::Borrowed(front);
    }
    let mut out = String::with_capacity(front.len());
    for line in front.split_inclusive('\n') {
        let content = line.trim_end();
        let key = content.trim_start().trim_start_matches("- ").trim_start();
        if let Some(value) = key.strip_prefix("emotion:")
            && value.trim() == ">:("
        {
            out.push_str(&line.replacen(">:(", "-2 ", 1));
        } else {
            out.push_str(line);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A YAML error caused by a `[`, `{` or quote that is never closed: pointed
/// at where it was opened (the parser notices only later, often on the next
/// line), with where the parser stopped in the help.
fn unclosed(
    file: &SourceFile,
    parts: &Split,
    noticed: &std::ops::Range<usize>,
    message: &str,
) -> Option<Diagnostic> {
    // Limits (nesting, aliases) are their own error, whatever is open.
    if parts.format != Format::Yaml || message.contains("too deeply") || message.contains("expands")
    {
        return None;
    }
    let front = &file.text[parts.front.clone()];
    let stop = noticed.start.checked_sub(parts.front.start)?;
    let (at, close) = node::unclosed::unclosed_at(front, stop)?;
    let opener = front[at..].chars().next()?;
    let start = parts.front.start + at;
    let (where_, _) = crate::diagnostic::locate(&file.text, noticed);
    let what = if close == opener { "quote" } else { "bracket" };
    Some(
        Diagnostic::error("syntax", format!("invalid YAML: this `{opener}` is never closed"))
            .at(&file.path, start..start + opener.len_utf8())
            .help(format!(
                "close the {what} with `{close}` (the YAML parser stopped at line {}, column {}: {message})",
                where_.line, where_.column
            )),
    )
}

fn syntax_help(format: Format, message: &str) -> Option<String> {
    match format {
        _ if message.contains("too deeply") => {
            Some("front matter may nest at most 64 levels of lists and maps".to_owned())
        }
        Format::Yaml if message.contains("expands") => Some(
            "write the values out instead of repeating anchors (`&x`) and aliases (`*x`)".to_owned(),
        ),
        Format::Yaml if message.contains("mapping values") || message.contains("':'") => Some(
            "a value that contains `: ` or starts with a symbol must be quoted: `pain: \"Wait: 20 min\"`"
                .to_owned(),
        ),
        Format::Yaml if message.contains("unclosed quote") => Some(
            "close the quote on the same line (a text may not run on into the next key): `quote: \"Hot pizza, please\"`"
                .to_owned(),
        ),
        Format::Yaml => Some("check the indentation and quoting on this line".to_owned()),
        Format::Toml if message.contains("quoted") => {
            Some("text values must be quoted in TOML: `name = \"Carla\"`".to_owned())
        }
        Format::Toml => None,
    }
}

fn texts(v: Vec<Spanned<String>>) -> Vec<String> {
    v.into_iter().map(|s| s.value).collect()
}

fn meta(ctx: &mut Ctx, f: &mut Fields, file: &SourceFile, root: &Node, body_offset: usize) -> Meta {
    let default_id = default_id(file);
    let id = f
        .string(ctx, "id")
        .unwrap_or_else(|| Spanned::new(default_id, root.span.clone()));
    let draft = f.bool(ctx, "draft").unwrap_or(false);
    let weight = f.int(ctx, "weight").map(|w| w.value);
    let extra = match f.take("extra") {
        Some(n) if matches!(n.value, Value::Map(_)) => to_json(n),
        Some(n) => {
            ctx.error(
                "wrong-type",
                n.span.clone(),
                format!("`extra` must be a map, found {}", n.value.kind()),
                Some("write `extra: { key: value }`".to_owned()),
            );
            serde_json::Value::Null
        }
        None => serde_json::Value::Null,
    };
    Meta {
        file: file.path.clone(),
        id,
        draft,
        weight,
        extra,
        body_offset,
        source: file.text.clone(),
    }
}

/// The id a file gets from its path: its stem, or for a journey its path
/// under `journeys/`; a folder's `_index.md` is the folder.
pub fn default_id(file: &SourceFile) -> String {
    let rel = file.rel.strip_suffix(".md").unwrap_or(&file.rel);
    match file.kind {
        Kind::Home => "_index".to_owned(),
        Kind::Persona | Kind::Touchpoint | Kind::Research | Kind::Opportunity => {
            rel.rsplit('/').next().unwrap_or(rel).to_owned()
        }
        Kind::Journey => rel.strip_prefix("journeys/").unwrap_or(rel).to_owned(),
        Kind::Page => rel.strip_suffix("/_index").unwrap_or(rel).to_owned(),
    }
}

fn channel(ctx: &mut Ctx, c: Spanned<String>) -> Option<String> {
    let key = fold(&c.value).replace([' ', '_'], "-");
    if let Some(ch) = CHANNELS.iter().find(|&&ch| ch == key) {
        return Some((*ch).to_owned());
    }
    if let Some((_, ch)) = CHANNEL_ALIASES.iter().find(|(alias, _)| *alias == key) {
        return Some((*ch).to_owned());
    }
    let help = did_you_mean(&c.value, CHANNELS.iter().copied())
        .unwrap_or_else(|| format!("use one of: {}", CHANNELS.join(", ")));
    ctx.error(
        "bad-channel",
        c.span,
        format!("unknown channel `{}`", c.value),
        Some(help),
    );
    None
}

fn journey(ctx: &mut Ctx, mut f: Fields, meta: Meta) -> Journey {
    let title = f.required(ctx, "title");
    let persona = f.required(ctx, "persona");
    let lens = f.required(ctx, "lens");
    let empty = |f: &Fields| Spanned::new(String::new(), f.span().start..f.span().start);
    let lifecycle = f.string(ctx, "lifecycle").and_then(|l| {
        known_word(
            ctx,
            l,
            Lifecycle::parse,
            (Lifecycle::NAMES, &[]),
            "bad-lifecycle",
            "lifecycle",
        )
    });
    let redesigns = f.string(ctx, "redesigns");
    let state = match f.string(ctx, "state") {
        None => Spanned::new(State::Current, f.span().start..f.span().start),
        Some(s) => {
            let parsed = State::parse(&s.value);
            if parsed.is_none() {
                let help = did_you_mean(&s.value, State::NAMES.iter().copied())
                    .unwrap_or_else(|| format!("use one of: {}", State::NAMES.join(", ")));
                ctx.error(
                    "bad-state",
                    s.span.clone(),
                    format!("unknown state `{}`", s.value),
                    Some(help),
                );
            }
            // A misspelt state on a journey that names what it redesigns
            // is a future state (no second error about `redesigns`).
            let guess = if redesigns.is_some() {
                State::Future
            } else {
                State::Current
            };
            Spanned::new(parsed.unwrap_or(guess), s.span)
        }
    };
    let stages = f.list(ctx, "stages");
    let stages = crate::fields::exact(
        stages.len(),
        stages.into_iter().filter_map(|n| stage(ctx, n)),
    );
    let j = Journey {
        title: title.map_or_else(|| meta.id.value.clone(), |t| t.value),
        persona: persona.unwrap_or_else(|| empty(&f)),
        lens: lens.unwrap_or_else(|| empty(&f)),
        scenario: f.string(ctx, "scenario").map(|s| s.value),
        owner: f.string(ctx, "owner"),
        stakeholders: texts(f.strings(ctx, "stakeholders")),
        research: f.strings(ctx, "research"),
        duration: f.string(ctx, "duration").map(|s| s.value),
        metrics: metrics(ctx, &mut f),
        targets: targets(ctx, &mut f),
        lifecycle,
        next: f.strings(ctx, "next"),
        state,
        redesigns,
        realises: f.strings(ctx, "realises"),
        stages,
        meta,
    };
    f.finish(ctx, &[COMMON, JOURNEY].concat());
    j
}

/// A value that must be one of a few words (`status`, `method`,
/// `lifecycle`): parsed, else `code` at the value with the closest word
/// among `names` and `also` (the Spanish ones).
fn known_word<T>(
    ctx: &mut Ctx,
    v: Spanned<String>,
    parse: fn(&str) -> Option<T>,
    (names, also): (&[&str], &[&str]),
    code: &'static str,
    what: &str,
) -> Option<T> {
    let parsed = parse(&v.value);
    if parsed.is_none() {
        let help = did_you_mean(&v.value, names.iter().chain(also).copied())
            .unwrap_or_else(|| format!("use one of: {}", names.join(", ")));
        ctx.error(
            code,
            v.span,
            format!("unknown {what} `{}`", v.value),
            Some(help),
        );
    }
    parsed
}

/// A study (SPEC 3, "Research and evidence").
fn research(ctx: &mut Ctx, mut f: Fields, meta: Meta) -> Research {
    let title = f.required(ctx, "title");
    let method = f.string(ctx, "method").and_then(|m| {
        known_word(
            ctx,
            m,
            Method::parse,
            (Method::NAMES, Method::SPANISH),
            "bad-method",
            "research method",
        )
    });
    let date = f.string(ctx, "date").and_then(|d| match Date::parse(&d.value) {
        Some(date) => Some(Spanned::new(date, d.span)),
        None => {
            ctx.error(
                "bad-date",
                d.span,
                format!("`{}` is not a date", d.value),
                Some("write the day the study ended as YYYY-MM-DD, a day that exists (2026-03-31)".to_owned()),
            );
            None
        }
    });
    let participants = f
        .int(ctx, "participants")
        .and_then(|n| match u64::try_from(n.value) {
            Ok(v) => Some(v),
            Err(_) => {
                ctx.error(
                    "bad-value",
                    n.span,
                    format!(
                        "`participants` must be a whole number of 0 or more, not {}",
                        n.value
                    ),
                    Some("count the people, calls or records behind the study".to_owned()),
                );
                None
            }
        });
    let link = web_link(
        ctx,
        &mut f,
        "give the address where the raw material lives, starting with https://",
    );
    let r = Research {
        title: title.map_or_else(|| meta.id.value.clone(), |t| t.value),
        method,
        date,
        participants,
        owner: f.string(ctx, "owner"),
        link,
        meta,
    };
    f.finish(ctx, &[COMMON, RESEARCH].concat());
    r
}

/// `link`: an `http(s)://` address without spaces, else `bad-link`.
fn web_link(ctx: &mut Ctx, f: &mut Fields, help: &str) -> Option<String> {
    f.string(ctx, "link").and_then(|l| {
        let ok = ["http://", "https://"]
            .iter()
            .any(|p| l.value.len() > p.len() && l.value.starts_with(p))
            && !l.value.contains(char::is_whitespace);
        if !ok {
            ctx.error(
                "bad-link",
                l.span,
                format!("`{}` is not a web address", l.value),
                Some(help.to_owned()),
            );
        }
        ok.then_some(l.value)
    })
}

/// An opportunity (SPEC 3, "Opportunities").
fn opportunity(ctx: &mut Ctx, mut f: Fields, meta: Meta) -> Opportunity {
    let title = f.required(ctx, "title");
    let status = f.string(ctx, "status").and_then(|s| {
        known_word(
            ctx,
            s,
            Status::parse,
            (Status::NAMES, Status::SPANISH),
            "bad-status",
            "status",
        )
    });
    let mut score = |key: &str, what: &str| {
        let n = f.int(ctx, key)?;
        match u8::try_from(n.value) {
            Ok(v @ 1..=5) => Some(v),
            _ => {
                ctx.error(
                    "bad-value",
                    n.span,
                    format!(
                        "`{key}` must be a whole number from 1 to 5, not {}",
                        n.value
                    ),
                    Some(format!("score {what} from 1 (a little) to 5 (a lot)")),
                );
                None
            }
        }
    };
    let impact = score("impact", "how much it would improve the experience");
    let effort = score("effort", "how much work it is");
    let o = Opportunity {
        title: title.map_or_else(|| meta.id.value.clone(), |t| t.value),
        status: status.unwrap_or_default(),
        owner: f.string(ctx, "owner"),
        impact,
        effort,
        link: web_link(
            ctx,
            &mut f,
            "give the address of the work item (a ticket, an epic), starting with https://",
        ),
        meta,
    };
    f.finish(ctx, &[COMMON, OPPORTUNITY].concat());
    o
}

fn stage(ctx: &mut Ctx, node: &Node) -> Option<Stage> {
    let mut f = Fields::new(ctx, node, "stage")?;
    let name = f.required(ctx, "name");
    let steps = f.list(ctx, "steps");
    let steps = crate::fields::exact(steps.len(), steps.into_iter().filter_map(|n| step(ctx, n)));
    let stage = Stage {
        name: name.unwrap_or_else(|| Spanned::new(String::new(), node.span.clone())),
        description: f.string(ctx, "description").map(|s| s.value),
        metrics: metrics(ctx, &mut f),
        targets: targets(ctx, &mut f),
        steps,
        span: node.span.clone(),
    };
    f.finish(ctx, STAGE);
    Some(stage)
}

fn step(ctx: &mut Ctx, node: &Node) -> Option<Step> {
    let mut f = Fields::new(ctx, node, "step")?;
    let action = f.required(ctx, "action");
    let action_span = action.as_ref().map(|a| a.span.clone());
    let step = Step {
        id: f.string(ctx, "id").map(Box::new),
        action: action.map(|a| a.value).unwrap_or_default(),
        touchpoints: f.ids(ctx, "touchpoints").into(),
        emotion: f.take("emotion").and_then(|n| emotion(ctx, n)),
        thinking: f.string(ctx, "thinking").map(|s| s.value.into()),
        pain: f.string(ctx, "pain").map(|s| s.value.into()),
        opportunity: f.string(ctx, "opportunity").map(|s| s.value.into()),
        backstage: f.string(ctx, "backstage").map(|s| s.value.into()),
        frontstage: f.string(ctx, "frontstage").map(|s| s.value.into()),
        support: f.string(ctx, "support").map(|s| s.value.into()),
        owner: f.id(ctx, "owner"),
        metrics: Some(metrics(ctx, &mut f))
            .filter(|m| !m.is_empty())
            .map(Box::new),
        targets: targets(ctx, &mut f),
        systems: f.strings(ctx, "systems").into(),
        evidence: f.strings(ctx, "evidence").into(),
        opportunities: f.strings(ctx, "opportunities").into(),
        transaction: f.bool(ctx, "transaction").unwrap_or(false),
        dropoff: f.bool(ctx, "dropoff").unwrap_or(false),
        span: action_span.unwrap_or_else(|| node.span.clone()),
    };
    f.finish(ctx, STEP);
    Some(step)
}

/// An emotion: a word (en/es), an emoticon, or a score -2..2.
fn emotion(ctx: &mut Ctx, node: &Node) -> Option<Emotion> {
    let parsed = match &node.value {
        Value::Int(i) => Emotion::from_score(*i),
        Value::Str(s) => Emotion::parse(s),
        _ => None,
    };
    if parsed.is_none() {
        let shown = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            other => other.kind().to_owned(),
        };
        let scale = "use a word (delighted, happy, neutral, frustrated, angry; or in Spanish), \
                     an emoticon (:D :) :| :( >:( ) or a score from -2 to 2";
        let help = match &node.value {
            Value::Str(s) => did_you_mean(s, Emotion::spellings()),
            _ => None,
        }
        .unwrap_or_else(|| scale.to_owned());
        ctx.error(
            "bad-emotion",
            node.span.clone(),
            format!("`{shown}` is not an emotion on the five-point scale"),
            Some(help),
        );
    }
    parsed
}

fn metrics(ctx: &mut Ctx, parent: &mut Fields) -> Metrics {
    let Some(node) = parent.take("metrics") else {
        return Metrics::default();
    };
    let Some(mut f) = Fields::new(ctx, node, "metrics") else {
        return Metrics::default();
    };
    let mut read = |key: &str, lo: f64, hi: f64, name: &str| {
        let v = f.number(ctx, key)?;
        if v.value < lo || v.value > hi {
            ctx.error(
                "bad-metric",
                v.span,
                format!("{name} {} is out of range", v.value),
                Some(format!("`{key}` goes from {lo} to {hi}")),
            );
            return None;
        }
        Some(v.value)
    };
    let m = Metrics {
        nps: read("nps", -100.0, 100.0, "NPS"),
        ces: read("ces", 1.0, 7.0, "CES"),
        csat: read("csat", 0.0, 100.0, "CSAT"),
        span: node.span.clone(),
    };
    f.finish(ctx, METRICS);
    m
}

/// `targets: { nps: 40, fcr: 80 }`: any metric's id and a number. Which ids
/// exist and their ranges are `book.toml`'s, checked by resolve
/// (`crate::metrics::check_targets`).
fn targets(ctx: &mut Ctx, parent: &mut Fields) -> Targets {
    let Some(node) = parent.take("targets") else {
        return Targets::default();
    };
    let crate::node::Value::Map(entries) = &node.value else {
        ctx.error(
            "wrong-type",
            node.span.clone(),
            format!(
                "`targets` must be a map of metrics and numbers, found {}",
                node.value.kind()
            ),
            Some("write `targets: { nps: 40 }`".to_owned()),
        );
        return Targets::default();
    };
    let mut out = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        let value = match &v.value {
            crate::node::Value::Int(i) => *i as f64,
            crate::node::Value::Float(f) if f.is_finite() => *f,
            other => {
                ctx.error(
                    "wrong-type",
                    v.span.clone(),
                    format!(
                        "the target for `{}` must be a number, found {}",
                        k.name,
                        other.kind()
                    ),
                    None,
                );
                continue;
            }
        };
        out.push(Target {
            metric: Spanned::new(k.name.to_string(), k.span.clone()),
            value: Spanned::new(value, v.span.clone()),
        });
    }
    out.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unquoted_angry_emoticon_is_read_as_its_score() {
        let front = "steps:\n  - emotion: >:(\n    action: x\n  - emotion: \">:(\"\n";
        let fixed = unquoted_angry_emoticons(front);
        assert_eq!(fixed.len(), front.len());
        assert_eq!(
            fixed,
            "steps:\n  - emotion: -2 \n    action: x\n  - emotion: \">:(\"\n"
        );
    }

    #[test]
    fn ids_named_again_share_one_copy() {
        let text = "---\ntitle: T\npersona: p\nlens: activity\nstages:\n  - name: S\n    steps:\n      - action: a\n        touchpoints: [web, app]\n        owner: sales\n      - action: b\n        touchpoints: web\n        owner: sales\n---\n";
        let file = SourceFile {
            path: "content/journeys/p/t.md".into(),
            rel: "journeys/p/t.md".into(),
            kind: crate::source::Kind::Journey,
            text: text.into(),
        };
        let mut diags = Vec::new();
        let Some(Parsed::Journey(j)) = parse_file(&file, &mut diags) else {
            panic!("not a journey: {diags:?}");
        };
        let steps = &j.stages[0].steps;
        let (a, b) = (&steps[0], &steps[1]);
        assert_eq!(&*b.touchpoints[0].value, "web");
        assert!(std::sync::Arc::ptr_eq(
            &a.touchpoints[0].value,
            &b.touchpoints[0].value
        ));
        let (oa, ob) = (a.owner.as_ref().unwrap(), b.owner.as_ref().unwrap());
        assert!(std::sync::Arc::ptr_eq(&oa.value, &ob.value));
        let at = text.rfind("touchpoints: web").unwrap() + "touchpoints: ".len();
        assert_eq!(
            b.touchpoints[0].span,
            at..at + 3,
            "each reference keeps its own place"
        );
    }
}
