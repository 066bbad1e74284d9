//! The theme: templates and static files. The default theme is embedded in
//! the binary; a handbook's `themes/<name>/templates/<file>.html` replaces
//! one template by name, and `themes/<name>/static/**` is copied to the
//! output (over the built-in static files of the same name).

use std::collections::BTreeMap;
use std::path::Path;

use walkdir::WalkDir;

/// Built-in templates, by file name.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../themes/default/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../themes/default/templates/index.html"),
    ),
    (
        "persona.html",
        include_str!("../themes/default/templates/persona.html"),
    ),
    (
        "personas.html",
        include_str!("../themes/default/templates/personas.html"),
    ),
    (
        "touchpoint.html",
        include_str!("../themes/default/templates/touchpoint.html"),
    ),
    (
        "touchpoints.html",
        include_str!("../themes/default/templates/touchpoints.html"),
    ),
    (
        "journey.html",
        include_str!("../themes/default/templates/journey.html"),
    ),
    (
        "journeys.html",
        include_str!("../themes/default/templates/journeys.html"),
    ),
    (
        "lens.html",
        include_str!("../themes/default/templates/lens.html"),
    ),
    (
        "lenses.html",
        include_str!("../themes/default/templates/lenses.html"),
    ),
    (
        "insights.html",
        include_str!("../themes/default/templates/insights.html"),
    ),
    (
        "system.html",
        include_str!("../themes/default/templates/system.html"),
    ),
    (
        "systems.html",
        include_str!("../themes/default/templates/systems.html"),
    ),
    (
        "study.html",
        include_str!("../themes/default/templates/study.html"),
    ),
    (
        "studies.html",
        include_str!("../themes/default/templates/studies.html"),
    ),
    (
        "opportunities.html",
        include_str!("../themes/default/templates/opportunities.html"),
    ),
    (
        "opportunity.html",
        include_str!("../themes/default/templates/opportunity.html"),
    ),
    (
        "metric.html",
        include_str!("../themes/default/templates/metric.html"),
    ),
    (
        "metrics.html",
        include_str!("../themes/default/templates/metrics.html"),
    ),
    (
        "page.html",
        include_str!("../themes/default/templates/page.html"),
    ),
    (
        "404.html",
        include_str!("../themes/default/templates/404.html"),
    ),
];

/// Built-in static files, by output path.
pub const STATIC: &[(&str, &str)] = &[
    (
        "static/style.css",
        include_str!("../themes/default/static/style.css"),
    ),
    (
        "static/search.js",
        include_str!("../themes/default/static/search.js"),
    ),
    (
        "static/favicon.svg",
        include_str!("../themes/default/static/favicon.svg"),
    ),
];

/// Why a theme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// `[build] theme` names a folder that does not exist (a content error).
    #[error("theme `{name}` not found")]
    Unknown {
        name: String,
        dir: std::path::PathBuf,
    },
    #[error("cannot read the theme `{}`: {source}", dir.display())]
    Io {
        dir: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ThemeError {
    /// The diagnostic for an unknown theme, pointing at `book.toml`.
    pub fn diagnostic(&self) -> Option<crate::diagnostic::Diagnostic> {
        match self {
            ThemeError::Unknown { name, dir } => Some(
                crate::diagnostic::Diagnostic::error(
                    "unknown-theme",
                    format!("theme `{name}` not found"),
                )
                .in_file(crate::config::FILE)
                .help(format!(
                    "create {}/templates/, or use the built-in `default`",
                    dir.display()
                )),
            ),
            ThemeError::Io { .. } => None,
        }
    }
}

/// Templates and static files for one build.
#[derive(Debug, Clone)]
pub struct Theme {
    pub templates: BTreeMap<String, String>,
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The built-in theme with the handbook's overrides from
    /// `root/themes/<name>/`. The folder may be missing only for `default`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, ThemeError> {
        let dir = root.join("themes").join(name);
        if name != "default" && !dir.is_dir() {
            return Err(ThemeError::Unknown {
                name: name.to_owned(),
                dir,
            });
        }
        Theme::load_overrides(&dir).map_err(|source| ThemeError::Io { dir, source })
    }

    fn load_overrides(dir: &Path) -> std::io::Result<Theme> {
        let mut theme = Theme::builtin();
        let templates = dir.join("templates");
        if templates.is_dir() {
            for entry in std::fs::read_dir(&templates)? {
                let entry = entry?;
                let file = entry.file_name().to_string_lossy().into_owned();
                if file.ends_with(".html") && entry.file_type()?.is_file() {
                    theme
                        .templates
                        .insert(file, std::fs::read_to_string(entry.path())?);
                }
            }
        }
        let statics = dir.join("static");
        if statics.is_dir() {
            for entry in WalkDir::new(&statics)
                .follow_links(false)
                .sort_by_file_name()
            {
                let entry = entry.map_err(std::io::Error::other)?;
                if entry.file_type().is_file() {
                    let rel = entry.path().strip_prefix(&statics).unwrap_or(entry.path());
                    theme.statics.insert(
                        format!("static/{}", crate::source::slash_path(rel)),
                        std::fs::read(entry.path())?,
                    );
                }
            }
        }
        Ok(theme)
    }

    /// Whether the template `name` is the built-in one (not replaced, or
    /// replaced by the same text).
    pub fn is_builtin(&self, name: &str) -> bool {
        let builtin = TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        self.templates.get(name).map(String::as_str) == builtin
    }

    pub fn builtin() -> Theme {
        Theme {
            templates: TEMPLATES
                .iter()
                .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
                .collect(),
            statics: STATIC
                .iter()
                .map(|(n, t)| ((*n).to_owned(), t.as_bytes().to_vec()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's themes/default doubles as an override when building
    /// the example handbook, which would hide a template missing from the
    /// binary: compare the two.
    #[test]
    fn every_theme_file_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let on_disk: Vec<String> = std::fs::read_dir(dir.join("templates"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let builtin = Theme::builtin();
        for name in &on_disk {
            assert!(
                builtin.templates.contains_key(name),
                "{name} is not embedded"
            );
        }
        assert_eq!(on_disk.len(), builtin.templates.len());
        for entry in std::fs::read_dir(dir.join("static")).unwrap() {
            let name = format!("static/{}", entry.unwrap().file_name().to_string_lossy());
            assert!(
                builtin.statics.contains_key(&name),
                "{name} is not embedded"
            );
        }
    }
}
