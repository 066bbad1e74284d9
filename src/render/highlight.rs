//! Code highlighting at build time with syntect (pure-Rust regex), using CSS
//! classes so one stylesheet serves the light and the dark scheme.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Classes are prefixed so they never clash with the theme's own.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The syntaxes: syntect's defaults plus bat's extras (TOML, TypeScript…).
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Highlighted HTML for `code` (the inside of a `<pre><code>`), or escaped
/// plain text when the language is unknown.
pub fn highlight(code: &str, lang: &str) -> String {
    let set = syntaxes();
    let token = lang.split([',', ' ']).next().unwrap_or("").trim();
    let syntax = match token.to_ascii_lowercase().as_str() {
        "" | "text" | "plain" | "txt" => None,
        "sh" | "shell" | "console" => set.find_syntax_by_token("bash"),
        "yml" => set.find_syntax_by_token("yaml"),
        t => set.find_syntax_by_token(t),
    };
    let Some(syntax) = syntax else {
        return super::escape(code);
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return super::escape(code);
        }
    }
    generator.finalize()
}

/// CSS for the highlighting classes: a light theme, and a dark one inside
/// `prefers-color-scheme: dark`.
pub fn css() -> String {
    let themes = two_face::theme::extra();
    let light = themes.get(two_face::theme::EmbeddedThemeName::InspiredGithub);
    let dark = themes.get(two_face::theme::EmbeddedThemeName::Base16OceanDark);
    let light = css_for_theme_with_class_style(light, CLASS_STYLE).unwrap_or_default();
    let dark = css_for_theme_with_class_style(dark, CLASS_STYLE).unwrap_or_default();
    format!(
        "/* Code highlighting (syntect). */\n{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_toml_and_unknown_languages() {
        let y = highlight("title: Carla\n", "yaml");
        assert!(y.contains("hl-"), "{y}");
        let t = highlight("[book]\ntitle = \"x\"\n", "toml");
        assert!(t.contains("hl-"), "{t}");
        assert_eq!(highlight("<b>", "nope"), "&lt;b&gt;");
        assert!(css().contains("prefers-color-scheme: dark"));
    }
}
