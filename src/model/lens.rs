//! Lenses: the five built in (SPEC 3) and those `book.toml` adds or changes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{Config, Language};
use crate::text::fold;

/// A way of cutting a journey into stages.
#[derive(Debug, Clone, Serialize)]
pub struct Lens {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// Stage names in order, in the handbook's language. Empty when free.
    pub stages: Vec<String>,
    /// Other accepted names for each stage (the built-in lens's names in the
    /// other language), same order as `stages`.
    #[serde(skip)]
    pub aliases: Vec<Vec<String>>,
    /// A free lens lets each journey name its own stages.
    pub free: bool,
    pub builtin: bool,
}

impl Lens {
    pub fn is_strict(&self) -> bool {
        !self.free
    }

    /// The index of a stage name (any case, accents optional, either language).
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        let f = stage_key(name);
        self.stages.iter().enumerate().find_map(|(i, s)| {
            let alias = self.aliases.get(i).into_iter().flatten();
            (stage_key(s) == f || alias.into_iter().any(|a| stage_key(a) == f)).then_some(i)
        })
    }
}

/// A stage name for matching: folded, and without spaces or punctuation
/// (`Post compra` = `Post-compra` = `postcompra`).
fn stage_key(name: &str) -> String {
    fold(name).chars().filter(|c| c.is_alphanumeric()).collect()
}

struct Builtin {
    id: &'static str,
    title: (&'static str, &'static str),
    description: (&'static str, &'static str),
    stages: &'static [(&'static str, &'static str)],
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        id: "functional",
        title: ("Functional", "Funcional"),
        description: (
            "The journey as the company's departments see it: who is in charge at each moment.",
            "El recorrido según los departamentos de la empresa: quién está a cargo en cada momento.",
        ),
        stages: &[
            ("Marketing", "Marketing"),
            ("Sales", "Ventas"),
            ("Service", "Servicio"),
        ],
    },
    Builtin {
        id: "target",
        title: ("Target", "Objetivo"),
        description: (
            "The journey as the company's goals for the customer: win, convert, keep.",
            "El recorrido según los objetivos de la empresa con el cliente: captar, convertir, retener.",
        ),
        stages: &[
            ("Acquisition", "Adquisición"),
            ("Conversion", "Conversión"),
            ("Retention", "Retención"),
        ],
    },
    Builtin {
        id: "engagement",
        title: ("Engagement", "Compromiso"),
        description: (
            "The journey as the customer's growing involvement with the brand, from first awareness to buying again.",
            "El recorrido según la implicación creciente del cliente con la marca, desde que la conoce hasta que vuelve a comprar.",
        ),
        stages: &[
            ("Awareness", "Awareness"),
            ("Interest", "Interés"),
            ("Consideration", "Consideración"),
            ("Purchase", "Compra"),
            ("Post-purchase", "Post-compra"),
            ("Repurchase", "Recompra"),
        ],
    },
    Builtin {
        id: "activity",
        title: ("Activity", "Actividad"),
        description: (
            "The journey as what the customer actually does; each map names its own stages.",
            "El recorrido según lo que el cliente hace; cada mapa nombra sus propias etapas.",
        ),
        stages: &[],
    },
    Builtin {
        id: "goal",
        title: ("Goal", "Meta"),
        description: (
            "The journey as the customer's decision: framing it, making it, carrying it out and judging it.",
            "El recorrido según la decisión del cliente: plantearla, tomarla, ejecutarla y evaluarla.",
        ),
        stages: &[
            ("Decision frame", "Marco de decisión"),
            ("Decision making", "Toma de decisiones"),
            ("Transaction", "Transacción"),
            ("Evaluation", "Evaluación"),
        ],
    },
];

/// The built-in lenses in the handbook's language, with `[lenses.*]` applied.
pub fn lenses(config: &Config) -> BTreeMap<String, Lens> {
    let lang = config.language;
    let pick = |pair: (&'static str, &'static str)| match lang {
        Language::En => pair.0.to_owned(),
        Language::Es => pair.1.to_owned(),
    };
    let other = |pair: (&'static str, &'static str)| match lang {
        Language::En => pair.1.to_owned(),
        Language::Es => pair.0.to_owned(),
    };
    let mut out: BTreeMap<String, Lens> = BUILTINS
        .iter()
        .map(|b| {
            let lens = Lens {
                id: b.id.to_owned(),
                title: pick(b.title),
                description: Some(pick(b.description)),
                stages: b.stages.iter().map(|&s| pick(s)).collect(),
                aliases: b.stages.iter().map(|&s| vec![other(s)]).collect(),
                free: b.stages.is_empty(),
                builtin: true,
            };
            (b.id.to_owned(), lens)
        })
        .collect();
    for (id, lc) in &config.lenses {
        let lens = out.entry(id.clone()).or_insert_with(|| Lens {
            id: id.clone(),
            title: id.clone(),
            description: None,
            stages: Vec::new(),
            aliases: Vec::new(),
            free: true,
            builtin: false,
        });
        if let Some(t) = &lc.title {
            lens.title = t.clone();
        }
        if let Some(d) = &lc.description {
            lens.description = Some(d.clone());
        }
        if let Some(stages) = &lc.stages {
            lens.stages = stages.clone();
            lens.aliases = Vec::new();
            lens.free = stages.is_empty();
        }
        if let Some(free) = lc.free {
            lens.free = free;
            if free {
                lens.stages.clear();
                lens.aliases.clear();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LensConfig;

    #[test]
    fn spanish_names_and_overrides() {
        let mut cfg = Config {
            language: Language::Es,
            ..Config::default()
        };
        cfg.lenses.insert(
            "b2b".into(),
            LensConfig {
                stages: Some(vec!["Trigger".into(), "Loyalty".into()]),
                ..LensConfig::default()
            },
        );
        let l = lenses(&cfg);
        let target = &l["target"];
        assert_eq!(target.stages[0], "Adquisición");
        assert_eq!(target.stage_index("adquisicion"), Some(0));
        assert_eq!(target.stage_index("Retention"), Some(2));
        assert_eq!(l["engagement"].stage_index("Post compra"), Some(4));
        assert!(l["activity"].free);
        assert_eq!(l["b2b"].stage_index("loyalty"), Some(1));
        assert!(l["b2b"].is_strict());
    }
}
