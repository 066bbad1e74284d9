//! `init` and `new`: files for authors to start from. Never overwrites: every
//! target is checked before anything is written.

use std::path::{Path, PathBuf};

use crate::config::Language;
use crate::resolve::{Handbook, unsafe_id};
use crate::text::{closest, yaml_str};

/// Problems of `init`/`new`: all are usage or I/O errors (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum AuthoringError {
    #[error("`{0}` already exists; journeydoc never overwrites a file")]
    Exists(PathBuf),
    #[error("{message}")]
    Usage {
        message: String,
        help: Option<String>,
    },
    #[error("cannot write `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl AuthoringError {
    pub fn help(&self) -> Option<String> {
        match self {
            AuthoringError::Exists(_) => {
                Some("move the file away, or choose another folder or id".to_owned())
            }
            AuthoringError::Usage { help, .. } => help.clone(),
            AuthoringError::Io { .. } => None,
        }
    }
}

macro_rules! scaffold {
    ($lang:literal: $($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../scaffold/", $lang, "/", $path)))),*]
    };
}

/// The example handbook `init` writes, per language.
const SCAFFOLD_EN: &[(&str, &str)] = scaffold!("en":
    "book.toml",
    "content/_index.md",
    "content/personas/maya.md",
    "content/personas/leo.md",
    "content/touchpoints/website.md",
    "content/touchpoints/store.md",
    "content/touchpoints/workshop.md",
    "content/touchpoints/email.md",
    "content/journeys/maya/activity.md",
    "content/journeys/maya/functional.md",
    "content/journeys/leo/goal.md",
);
const SCAFFOLD_ES: &[(&str, &str)] = scaffold!("es":
    "book.toml",
    "content/_index.md",
    "content/personas/maya.md",
    "content/personas/leo.md",
    "content/touchpoints/web.md",
    "content/touchpoints/tienda.md",
    "content/touchpoints/taller.md",
    "content/touchpoints/correo.md",
    "content/journeys/maya/activity.md",
    "content/journeys/maya/functional.md",
    "content/journeys/leo/goal.md",
);

pub fn scaffold(lang: Language) -> &'static [(&'static str, &'static str)] {
    match lang {
        Language::En => SCAFFOLD_EN,
        Language::Es => SCAFFOLD_ES,
    }
}

/// Writes `files` under `dir`, refusing if any of them exists.
fn write_all(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, AuthoringError> {
    for (path, _) in files {
        let target = dir.join(path);
        if target.exists() || target.is_symlink() {
            return Err(AuthoringError::Exists(target));
        }
    }
    let mut written = Vec::new();
    for (path, text) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| AuthoringError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        // create_new: even a file that appeared since the check is not overwritten.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => AuthoringError::Exists(target.clone()),
                _ => AuthoringError::Io {
                    path: target.clone(),
                    source: e,
                },
            })?;
        written.push(target);
    }
    Ok(written)
}

/// Where `init` writes the CI workflow, beside `book.toml`.
pub const WORKFLOW: &str = ".github/workflows/handbook.yml";

/// The CI workflow `init` writes: it installs this version of journeydoc
/// (a release binary, else `cargo install` from crates.io), never a build
/// of journeydoc's own source.
pub fn workflow() -> String {
    include_str!("../scaffold/ci/handbook.yml").replace("{{VERSION}}", env!("CARGO_PKG_VERSION"))
}

/// What `init` did.
pub struct Initialised {
    pub written: Vec<PathBuf>,
    /// A workflow already there, left as it was.
    pub kept: Option<PathBuf>,
}

/// `journeydoc init DIR`: a new handbook that checks clean and builds, and
/// its CI workflow unless one is there already (never overwritten).
pub fn init(dir: &Path, lang: Language) -> Result<Initialised, AuthoringError> {
    let files: Vec<(String, String)> = scaffold(lang)
        .iter()
        .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
        .collect();
    let mut written = write_all(dir, &files)?;
    let target = dir.join(WORKFLOW);
    if target.exists() || target.is_symlink() {
        return Ok(Initialised {
            written,
            kept: Some(target),
        });
    }
    written.extend(write_all(dir, &[(WORKFLOW.to_owned(), workflow())])?);
    Ok(Initialised {
        written,
        kept: None,
    })
}

fn check_id(id: &str, what: &str) -> Result<(), AuthoringError> {
    match unsafe_id(id) {
        Some(problem) => Err(AuthoringError::Usage {
            message: format!("{what} id `{id}` {problem}"),
            help: Some("use letters, digits, `-` and `_`, e.g. `call-centre`".to_owned()),
        }),
        None if id.contains('/') => Err(AuthoringError::Usage {
            message: format!("{what} id `{id}` has a `/`"),
            help: Some("a persona or touchpoint id is a file name".to_owned()),
        }),
        None => Ok(()),
    }
}

/// A display name from an id: `call-centre` → `Call centre`.
fn name_of(id: &str) -> String {
    let spaced = id.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `journeydoc new persona ID`.
pub fn new_persona(h: &Handbook, root: &Path, id: &str) -> Result<Vec<PathBuf>, AuthoringError> {
    check_id(id, "persona")?;
    let name = name_of(id);
    let text = match h.config.language {
        Language::En => format!(
            "---\nname: {}\nrole: Who they are, in a few words\nsegment: Which customers they stand for\nquote: \"What they would say about us, in their words\"\ngoals: [What they want to achieve]\nneeds: [What they need from us]\nfrustrations: [What gets in their way]\nchannels: [web, email]\n---\nWho {name} is, and what research says about them.\n",
            yaml_str(&name)
        ),
        Language::Es => format!(
            "---\nname: {}\nrole: Quién es, en pocas palabras\nsegment: A qué clientes representa\nquote: \"Lo que diría de nosotros, con sus palabras\"\ngoals: [Lo que quiere conseguir]\nneeds: [Lo que necesita de nosotros]\nfrustrations: [Lo que se lo impide]\nchannels: [web, correo]\n---\nQuién es {name} y qué dice la investigación sobre esta persona.\n",
            yaml_str(&name)
        ),
    };
    let path = format!("{}/personas/{id}.md", h.config.content_dir);
    write_all(root, &[(path, text)])
}

/// `owner: <the first department>` and a line break, or nothing without
/// `[departments]`: what a new touchpoint or study starts with.
fn first_owner_line(h: &Handbook) -> String {
    h.config
        .departments
        .keys()
        .next()
        .map(|o| format!("owner: {o}\n"))
        .unwrap_or_default()
}

/// `journeydoc new touchpoint ID`.
pub fn new_touchpoint(h: &Handbook, root: &Path, id: &str) -> Result<Vec<PathBuf>, AuthoringError> {
    check_id(id, "touchpoint")?;
    let owner = first_owner_line(h);
    let body = match h.config.language {
        Language::En => "What this touchpoint is, and who runs it.",
        Language::Es => "Qué es este punto de contacto y quién lo gestiona.",
    };
    let text = format!(
        "---\nname: {}\nchannel: web\n{owner}systems: []\n---\n{body}\n",
        yaml_str(&name_of(id))
    );
    let path = format!("{}/touchpoints/{id}.md", h.config.content_dir);
    write_all(root, &[(path, text)])
}

/// `journeydoc new research ID`: a study dated today, for steps to cite in
/// `evidence`.
pub fn new_research(h: &Handbook, root: &Path, id: &str) -> Result<Vec<PathBuf>, AuthoringError> {
    check_id(id, "study")?;
    let owner = first_owner_line(h);
    let today = crate::model::Date::today();
    let (method, body) = match h.config.language {
        Language::En => (
            "interview",
            "What we found, and how: who took part, what we asked or watched.\n\nCite it from the steps it shows with `evidence: [ID]`.",
        ),
        Language::Es => (
            "entrevista",
            "Qué encontramos y cómo: quién participó, qué preguntamos u observamos.\n\nCítalo en los pasos que muestra con `evidence: [ID]`.",
        ),
    };
    let text = format!(
        "---\ntitle: {}\nmethod: {method}\ndate: {today}\nparticipants: 0\n{owner}# link: https://…  (where the raw material lives)\n---\n{}\n",
        yaml_str(&name_of(id)),
        body.replace("ID", id)
    );
    let path = format!("{}/research/{id}.md", h.config.content_dir);
    write_all(root, &[(path, text)])
}

/// `journeydoc new opportunity ID`: an idea, scored in the middle, with
/// the line that names it on a step.
pub fn new_opportunity(
    h: &Handbook,
    root: &Path,
    id: &str,
) -> Result<Vec<PathBuf>, AuthoringError> {
    check_id(id, "opportunity")?;
    let owner = first_owner_line(h);
    let (status, body) = match h.config.language {
        Language::En => (
            "idea",
            "Why it matters to the customer, and what done looks like.\n\nName it on the steps it would improve with `opportunities: [ID]`.",
        ),
        Language::Es => (
            "idea",
            "Por qué le importa al cliente y cómo sabremos que está hecha.\n\nNómbrala en los pasos que mejoraría con `opportunities: [ID]`.",
        ),
    };
    let text = format!(
        "---\ntitle: {}\nstatus: {status}\n{owner}impact: 3\neffort: 3\n# link: https://…  (the work item)\n---\n{}\n",
        yaml_str(&name_of(id)),
        body.replace("ID", id)
    );
    let path = format!("{}/opportunities/{id}.md", h.config.content_dir);
    write_all(root, &[(path, text)])
}

/// `journeydoc new journey --persona P --lens L [--title T]`: the lens's
/// stages (in the handbook's language), one example step each.
pub fn new_journey(
    h: &Handbook,
    root: &Path,
    persona: &str,
    lens: &str,
    title: Option<&str>,
) -> Result<Vec<PathBuf>, AuthoringError> {
    let unknown = |what: &str, value: &str, ids: Vec<&str>| {
        let help = match closest(value, ids.iter().copied()) {
            Some(c) => format!("did you mean `{c}`?"),
            None if ids.is_empty() => format!("there is no {what} yet"),
            None => format!("known: {}", ids.join(", ")),
        };
        AuthoringError::Usage {
            message: format!("unknown {what} `{value}`"),
            help: Some(help),
        }
    };
    let Some(p) = h.personas.get(persona) else {
        return Err(unknown(
            "persona",
            persona,
            h.personas.keys().map(String::as_str).collect(),
        ));
    };
    let Some(l) = h.lenses.get(lens) else {
        return Err(unknown(
            "lens",
            lens,
            h.lenses.keys().map(String::as_str).collect(),
        ));
    };
    let es = h.config.language == Language::Es;
    let stages: Vec<String> = if l.free {
        let names: &[&str] = if es {
            &["Descubrir", "Decidir", "Usar"]
        } else {
            &["Discover", "Decide", "Use"]
        };
        names.iter().map(|s| (*s).to_owned()).collect()
    } else {
        l.stages.clone()
    };
    let title = title.map_or_else(|| format!("{} — {}", p.name, l.title), str::to_owned);
    let (scenario, action, emotion, intro, lanes) = if es {
        (
            "Qué quiere conseguir el cliente, y por qué mapeamos este recorrido",
            "Lo que hace el cliente en esta etapa",
            "neutro",
            "Introducción: el alcance de este mapa y la investigación en que se basa.",
            [
                "lo que hace el personal a la vista del cliente",
                "lo que pasa fuera de su vista",
                "los procesos y socios que sostienen el servicio",
            ],
        )
    } else {
        (
            "What the customer wants to get done, and why we map it",
            "What the customer does in this stage",
            "neutral",
            "Introduction: the scope of this map and the research behind it.",
            [
                "what employees do in the customer's view",
                "what happens out of the customer's view",
                "the processes and partners that hold the service up",
            ],
        )
    };
    let mut text = format!(
        "---\ntitle: {}\npersona: {persona}\nlens: {lens}\nscenario: {}\nstages:\n",
        yaml_str(&title),
        yaml_str(scenario)
    );
    for (i, stage) in stages.iter().enumerate() {
        text.push_str(&format!(
            "  - name: {}\n    steps:\n      - action: {}\n        emotion: {emotion}\n",
            yaml_str(stage),
            yaml_str(action)
        ));
        if i == 0 {
            // The service blueprint lanes, shown but left for the author.
            for (field, hint) in ["frontstage", "backstage", "support"].iter().zip(lanes) {
                text.push_str(&format!("        # {field}: {hint}\n"));
            }
        }
    }
    text.push_str(&format!("---\n{intro}\n"));
    let path = format!("{}/journeys/{persona}/{lens}.md", h.config.content_dir);
    write_all(root, &[(path, text)])
}

/// `journeydoc new journey --future-of ID [--title T]`: a copy of current
/// journey `ID`'s file beside it (`<lens>-future.md`, or `-future-2.md`…),
/// marked `state: future` and `redesigns: ID`, its title saying so. Measured
/// metrics and an explicit `id` are not copied (a redesign is not measured
/// yet, and two files cannot share an id); everything else is, for the
/// author to change what the redesign changes.
pub fn new_future_state(
    h: &Handbook,
    root: &Path,
    id: &str,
    title: Option<&str>,
) -> Result<Vec<PathBuf>, AuthoringError> {
    let Some(j) = h.journeys.get(id) else {
        let current: Vec<&str> = h
            .journeys
            .iter()
            .filter(|(_, j)| !j.is_future())
            .map(|(id, _)| id.as_str())
            .collect();
        return Err(AuthoringError::Usage {
            message: format!("unknown journey `{id}`"),
            help: closest(id, current.iter().copied()).map(|c| format!("did you mean `{c}`?")),
        });
    };
    if j.is_future() {
        return Err(AuthoringError::Usage {
            message: format!("`{id}` is a future state itself"),
            help: j.redesigns.as_ref().map(|r| {
                format!(
                    "write another future state of `{}`: --future-of {}",
                    r.value, r.value
                )
            }),
        });
    }
    let es = h.config.language == Language::Es;
    let title = title.map_or_else(
        || {
            if es {
                format!("{} (estado futuro)", j.title)
            } else {
                format!("{} (future state)", j.title)
            }
        },
        str::to_owned,
    );
    let text = future_copy(&j.meta.source, id, &title).ok_or_else(|| AuthoringError::Usage {
        message: format!("cannot read the front matter of `{}`", j.meta.file),
        help: Some("run `journeydoc check` and fix it first".to_owned()),
    })?;
    let stem = j.meta.file.strip_suffix(".md").unwrap_or(&j.meta.file);
    let path = (1..)
        .map(|n| match n {
            1 => format!("{stem}-future.md"),
            n => format!("{stem}-future-{n}.md"),
        })
        .find(|p| {
            let t = root.join(p);
            !t.exists() && !t.is_symlink()
        })
        .expect("a free name");
    write_all(root, &[(path, text)])
}

/// The text of a journey file as a future state of journey `id`: the
/// top-level `title`, `state`, `redesigns`, `id` and `metrics` lines of the
/// front matter replaced (YAML or TOML, as written), the rest kept.
fn future_copy(source: &str, id: &str, title: &str) -> Option<String> {
    let parts = crate::source::split(source).ok()?;
    let toml = parts.format == crate::source::Format::Toml;
    let front = &source[parts.front.clone()];
    let key = |line: &str| -> Option<String> {
        // A top-level key starts the line; TOML tables end the top level.
        let sep = if toml { '=' } else { ':' };
        let (k, _) = line.split_once(sep)?;
        (!line.starts_with([' ', '\t', '-', '#', '['])).then(|| k.trim().to_owned())
    };
    let value = |v: &str| {
        let plain = !v.is_empty()
            && v.chars().all(|c| c.is_alphanumeric() || "-_/".contains(c))
            && !matches!(v, "true" | "false" | "null" | "yes" | "no" | "on" | "off");
        if toml {
            // A JSON string is a TOML basic string.
            serde_json::Value::String(v.to_owned()).to_string()
        } else if plain {
            v.to_owned()
        } else {
            yaml_str(v)
        }
    };
    let assign = |k: &str, v: &str| {
        if toml {
            format!("{k} = {}\n", value(v))
        } else {
            format!("{k}: {}\n", value(v))
        }
    };
    let mut out = String::with_capacity(source.len() + 64);
    out.push_str(&source[..parts.front.start]);
    out.push_str(&assign("title", title));
    out.push_str(&assign("state", "future"));
    out.push_str(&assign("redesigns", id));
    let mut top = true;
    let mut skipping = false;
    for line in front.split_inclusive('\n') {
        if toml && line.starts_with('[') {
            top = false;
        }
        if top {
            if let Some(k) = key(line) {
                skipping = matches!(
                    k.as_str(),
                    "title" | "state" | "redesigns" | "id" | "metrics" | "realises"
                );
                if skipping {
                    continue;
                }
            } else if skipping && (line.starts_with([' ', '\t']) || line.trim().is_empty()) {
                // The rest of a skipped value (a folded title, a metrics map).
                continue;
            } else {
                skipping = false;
            }
        }
        out.push_str(line);
    }
    out.push_str(&source[parts.front.end..]);
    Some(out)
}
