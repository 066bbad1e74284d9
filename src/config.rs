//! `book.toml`: every key of SPEC section 4, all optional, unknown keys are
//! errors that name the closest known key.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::fields::{Ctx, Fields};
use crate::node::{self, Node, Value};

/// The file name of the configuration, at the handbook root.
pub const FILE: &str = "book.toml";

/// Interface language: also picks the built-in lenses' stage names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    pub language: Language,
    pub authors: Vec<String>,
    pub content_dir: String,
    pub output_dir: String,
    pub theme: String,
    pub base_url: String,
    /// `[build] data-dir`: where `*.csv` measurements are read from.
    pub data_dir: String,
    /// `[build] allow-html`: raw HTML in Markdown bodies is written as it
    /// is instead of shown as text. Front-matter values are always escaped.
    pub allow_html: bool,
    pub address: String,
    pub port: u16,
    /// Department id -> display name. Empty means owners are free names.
    pub departments: BTreeMap<String, String>,
    pub lenses: BTreeMap<String, LensConfig>,
    /// System id -> display name, when `[systems]` is set.
    pub systems: Option<BTreeMap<String, String>>,
    /// `[metrics.<id>]` tables: the handbook's own metrics, and the
    /// built-ins' titles and targets.
    pub metrics: BTreeMap<String, MetricConfig>,
    pub max_steps_per_stage: usize,
    pub deny_warnings: bool,
    /// `[check] evidence`: which steps must cite research.
    pub evidence: Evidence,
    /// `[check] max-research-age`, in months.
    pub max_research_age: Option<u32>,
}

/// `[check] evidence` (SPEC 4): `off`, `pains` (every pain cites research)
/// or `all` (every step does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    #[default]
    Off,
    Pains,
    All,
}

/// Which way a metric improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

/// A `[metrics.<id>]` table. For `nps`, `ces` and `csat` only `title` and
/// `target` may be set (their ranges and direction are fixed).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct MetricConfig {
    pub title: Option<String>,
    pub unit: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub better: Option<Better>,
    pub target: Option<f64>,
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

/// The metrics every handbook has.
pub const BUILT_IN_METRICS: &[&str] = &["nps", "ces", "csat"];

/// A `[lenses.<id>]` table.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LensConfig {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `None` keeps a built-in lens's stages; an empty list makes it free.
    pub stages: Option<Vec<String>>,
    pub free: Option<bool>,
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "CX handbook".to_owned(),
            description: None,
            language: Language::En,
            authors: Vec::new(),
            content_dir: "content".to_owned(),
            output_dir: "public".to_owned(),
            theme: "default".to_owned(),
            base_url: "/".to_owned(),
            data_dir: "data".to_owned(),
            allow_html: false,
            address: "127.0.0.1".to_owned(),
            port: 3000,
            departments: BTreeMap::new(),
            lenses: BTreeMap::new(),
            systems: None,
            metrics: BTreeMap::new(),
            max_steps_per_stage: 12,
            deny_warnings: false,
            evidence: Evidence::Off,
            max_research_age: None,
        }
    }
}

const TABLES: &[&str] = &[
    "book",
    "build",
    "serve",
    "departments",
    "lenses",
    "systems",
    "metrics",
    "check",
];
const BOOK_KEYS: &[&str] = &["title", "description", "language", "authors"];
const BUILD_KEYS: &[&str] = &[
    "content-dir",
    "output-dir",
    "theme",
    "base-url",
    "data-dir",
    "allow-html",
];
const METRIC_KEYS: &[&str] = &["title", "unit", "min", "max", "better", "target"];
const SERVE_KEYS: &[&str] = &["address", "port"];
const LENS_KEYS: &[&str] = &["title", "description", "stages", "free"];
const CHECK_KEYS: &[&str] = &[
    "max-steps-per-stage",
    "deny-warnings",
    "evidence",
    "max-research-age",
];

/// Parses the text of `book.toml`; problems go to `diags`, and whatever could
/// be read is still returned so content checks can go on.
pub fn parse(text: &str, diags: &mut Vec<Diagnostic>) -> Config {
    let mut cfg = Config::default();
    let root = match node::parse_toml(text, 0) {
        Ok(n) => n,
        Err(e) => {
            let d = Diagnostic::error("syntax", format!("invalid TOML: {}", e.message));
            diags.push(match e.span {
                Some(s) => d.at(FILE, s),
                None => d.in_file(FILE),
            });
            return cfg;
        }
    };
    let mut ctx = Ctx { file: FILE, diags };
    let Some(mut top) = Fields::new(&mut ctx, &root, "book.toml") else {
        return cfg;
    };

    if let Some(mut t) = table(&mut ctx, &mut top, "book") {
        if let Some(v) = t.string(&mut ctx, "title") {
            cfg.title = v.value;
        }
        cfg.description = t.string(&mut ctx, "description").map(|s| s.value);
        if let Some(lang) = t.string(&mut ctx, "language") {
            match lang.value.to_ascii_lowercase().as_str() {
                "en" => cfg.language = Language::En,
                "es" => cfg.language = Language::Es,
                other => ctx.error(
                    "bad-value",
                    lang.span,
                    format!("unsupported language `{other}`"),
                    Some("journeydoc speaks `en` and `es`".to_owned()),
                ),
            }
        }
        cfg.authors = t
            .strings(&mut ctx, "authors")
            .into_iter()
            .map(|s| s.value)
            .collect();
        t.finish(&mut ctx, BOOK_KEYS);
    }
    if let Some(mut t) = table(&mut ctx, &mut top, "build") {
        let mut set = |key: &str, slot: &mut String, ctx: &mut Ctx| {
            if let Some(v) = t.string(ctx, key) {
                *slot = v.value;
            }
        };
        set("content-dir", &mut cfg.content_dir, &mut ctx);
        set("output-dir", &mut cfg.output_dir, &mut ctx);
        set("data-dir", &mut cfg.data_dir, &mut ctx);
        // `./content`, `content/` and `content` name one folder.
        cfg.content_dir = normalize_dir(&cfg.content_dir);
        cfg.output_dir = normalize_dir(&cfg.output_dir);
        cfg.data_dir = normalize_dir(&cfg.data_dir);
        set("theme", &mut cfg.theme, &mut ctx);
        set("base-url", &mut cfg.base_url, &mut ctx);
        if let Some(b) = t.bool(&mut ctx, "allow-html") {
            cfg.allow_html = b;
        }
        t.finish(&mut ctx, BUILD_KEYS);
    }
    if let Some(mut t) = table(&mut ctx, &mut top, "serve") {
        if let Some(v) = t.string(&mut ctx, "address") {
            cfg.address = v.value;
        }
        if let Some(p) = t.int(&mut ctx, "port") {
            match u16::try_from(p.value) {
                Ok(port) => cfg.port = port,
                Err(_) => ctx.error(
                    "bad-value",
                    p.span,
                    format!("port {} is out of range", p.value),
                    Some("use a port between 0 and 65535".to_owned()),
                ),
            }
        }
        t.finish(&mut ctx, SERVE_KEYS);
    }
    if let Some(node) = top.take("departments") {
        cfg.departments = name_table(&mut ctx, node, "departments");
    }
    if let Some(node) = top.take("systems") {
        cfg.systems = Some(name_table(&mut ctx, node, "systems"));
    }
    if let Some(node) = top.take("lenses")
        && Fields::new(&mut ctx, node, "[lenses] table").is_some()
    {
        for (key, value) in map_entries(node) {
            let Some(mut t) = Fields::new(&mut ctx, value, "lens table") else {
                continue;
            };
            let mut lens = LensConfig {
                span: key.span.clone(),
                ..LensConfig::default()
            };
            lens.title = t.string(&mut ctx, "title").map(|s| s.value);
            lens.description = t.string(&mut ctx, "description").map(|s| s.value);
            if t.has("stages") {
                lens.stages = Some(
                    t.strings(&mut ctx, "stages")
                        .into_iter()
                        .map(|s| s.value)
                        .collect(),
                );
            }
            lens.free = t.bool(&mut ctx, "free");
            t.finish(&mut ctx, LENS_KEYS);
            cfg.lenses.insert(key.name.to_string(), lens);
        }
    }
    if let Some(node) = top.take("metrics")
        && Fields::new(&mut ctx, node, "[metrics] table").is_some()
    {
        for (key, value) in map_entries(node) {
            let Some(mut t) = Fields::new(&mut ctx, value, "metric table") else {
                continue;
            };
            let id = key.name.to_string();
            let metric = metric_table(&mut ctx, &mut t, &id, key.span.clone());
            let built_in = BUILT_IN_METRICS.contains(&id.as_str());
            t.finish(
                &mut ctx,
                if built_in {
                    &["title", "target"]
                } else {
                    METRIC_KEYS
                },
            );
            cfg.metrics.insert(id, metric);
        }
    }
    if let Some(mut t) = table(&mut ctx, &mut top, "check") {
        if let Some(n) = t.int(&mut ctx, "max-steps-per-stage") {
            match usize::try_from(n.value) {
                Ok(v) if v > 0 => cfg.max_steps_per_stage = v,
                _ => ctx.error(
                    "bad-value",
                    n.span,
                    "`max-steps-per-stage` must be at least 1".to_owned(),
                    None,
                ),
            }
        }
        if let Some(b) = t.bool(&mut ctx, "deny-warnings") {
            cfg.deny_warnings = b;
        }
        if let Some(e) = t.string(&mut ctx, "evidence") {
            match e.value.as_str() {
                "off" => cfg.evidence = Evidence::Off,
                "pains" => cfg.evidence = Evidence::Pains,
                "all" => cfg.evidence = Evidence::All,
                other => ctx.error(
                    "bad-value",
                    e.span,
                    format!("`evidence` must be \"off\", \"pains\" or \"all\", not \"{other}\""),
                    crate::text::did_you_mean(other, ["off", "pains", "all"]),
                ),
            }
        }
        if let Some(n) = t.int(&mut ctx, "max-research-age") {
            match u32::try_from(n.value) {
                Ok(v) if v > 0 => cfg.max_research_age = Some(v),
                _ => ctx.error(
                    "bad-value",
                    n.span,
                    "`max-research-age` is a number of months, at least 1".to_owned(),
                    None,
                ),
            }
        }
        t.finish(&mut ctx, CHECK_KEYS);
    }
    top.finish(&mut ctx, TABLES);
    cfg
}

/// One `[metrics.<id>]` table: a metric of the handbook's own needs `min <
/// max` (a bound left out is no bound) and a target inside them.
fn metric_table(
    ctx: &mut Ctx,
    t: &mut Fields,
    id: &str,
    span: std::ops::Range<usize>,
) -> MetricConfig {
    let built_in = BUILT_IN_METRICS.contains(&id);
    let mut m = MetricConfig {
        span: span.clone(),
        title: t.string(ctx, "title").map(|s| s.value),
        ..MetricConfig::default()
    };
    if built_in {
        // Only `title` and `target`: the rest is reported as unknown keys,
        // with this help.
        for key in ["unit", "min", "max", "better"] {
            if let Some(n) = t.take(key) {
                ctx.error(
                    "bad-value",
                    n.span.clone(),
                    format!("the range and direction of `{id}` are fixed"),
                    Some(format!("`[metrics.{id}]` may set `title` and `target`; declare a metric of your own for another scale")),
                );
            }
        }
    } else {
        m.unit = t.string(ctx, "unit").map(|s| s.value);
        m.min = t.number(ctx, "min").map(|v| v.value);
        let max = t.number(ctx, "max");
        m.max = max.as_ref().map(|v| v.value);
        if let (Some(lo), Some(hi)) = (m.min, m.max)
            && lo >= hi
        {
            ctx.error(
                "bad-value",
                max.map_or(span.clone(), |v| v.span),
                format!("`max` ({hi}) of `{id}` must be greater than `min` ({lo})"),
                Some("swap them, or leave a bound out for a metric without one".to_owned()),
            );
            m.max = None;
        }
        if let Some(b) = t.string(ctx, "better") {
            match b.value.as_str() {
                "higher" => m.better = Some(Better::Higher),
                "lower" => m.better = Some(Better::Lower),
                other => ctx.error(
                    "bad-value",
                    b.span,
                    format!("`better` must be \"higher\" or \"lower\", not \"{other}\""),
                    crate::text::did_you_mean(other, ["higher", "lower"]).or_else(|| {
                        Some("\"higher\" when a larger value is a better experience, \"lower\" when a smaller one is (like CES)".to_owned())
                    }),
                ),
            }
        }
    }
    if let Some(v) = t.number(ctx, "target") {
        let (lo, hi) = match id {
            "nps" => (-100.0, 100.0),
            "ces" => (1.0, 7.0),
            "csat" => (0.0, 100.0),
            _ => (
                m.min.unwrap_or(f64::NEG_INFINITY),
                m.max.unwrap_or(f64::INFINITY),
            ),
        };
        if v.value < lo || v.value > hi {
            ctx.error(
                "bad-metric",
                v.span,
                format!("the target {} of `{id}` is out of range", v.value),
                Some(format!("`{id}` goes from {lo} to {hi}")),
            );
        } else {
            m.target = Some(v.value);
        }
    }
    m
}

fn table<'n>(ctx: &mut Ctx, top: &mut Fields<'n>, name: &'static str) -> Option<Fields<'n>> {
    let node = top.take(name)?;
    let what = match name {
        "book" => "[book] table",
        "build" => "[build] table",
        "serve" => "[serve] table",
        _ => "[check] table",
    };
    Fields::new(ctx, node, what)
}

fn map_entries(node: &Node) -> impl Iterator<Item = (&node::Key, &Node)> {
    match &node.value {
        Value::Map(entries) => entries.iter().map(|(k, v)| (k, v)).collect::<Vec<_>>(),
        _ => Vec::new(),
    }
    .into_iter()
}

/// An `id = "Display name"` table such as `[departments]` or `[systems]`.
fn name_table(ctx: &mut Ctx, node: &Node, table: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                match &v.value {
                    Value::Str(s) => {
                        out.insert(k.name.to_string(), s.clone());
                    }
                    other => ctx.error(
                        "wrong-type",
                        v.span.clone(),
                        format!(
                            "`[{table}] {}` must be a display name (text), found {}",
                            k.name,
                            other.kind()
                        ),
                        Some(format!("write `{} = \"{}\"`", k.name, k.name)),
                    ),
                }
            }
        }
        other => ctx.error(
            "wrong-type",
            node.span.clone(),
            format!(
                "`{table}` must be a table of ids and names, found {}",
                other.kind()
            ),
            None,
        ),
    }
    out
}

/// A folder path as written in `book.toml`, in one spelling: `.` parts and
/// trailing or doubled slashes dropped (`./content/` → `content`), `..`
/// kept; an absolute path stays absolute; the empty path is `.`.
pub fn normalize_dir(dir: &str) -> String {
    let absolute = dir.starts_with('/');
    let parts: Vec<&str> = dir
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    match (absolute, parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".to_owned(),
        (false, false) => parts.join("/"),
    }
}
