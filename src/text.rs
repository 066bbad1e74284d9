//! Text utilities every stage shares: folding case and accents, the
//! closest spelling for "did you mean", slugs, and a Markdown text's first
//! heading. Pure functions over strings; nothing here knows the model.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The closest candidate to `value`, if one is close enough to be a likely
/// typo. Comparison ignores case and accents.
pub fn closest<'a, I>(value: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let v = fold(value);
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let f = fold(c);
        let mut score = strsim::normalized_damerau_levenshtein(&v, &f);
        if !v.is_empty() && (f.starts_with(&v) || v.starts_with(&f)) {
            score = score.max(0.7);
        }
        if best.is_none_or(|(b, bc)| score > b || (score == b && c < bc)) {
            best = Some((score, c));
        }
    }
    best.filter(|(s, _)| *s >= 0.5).map(|(_, c)| c.to_owned())
}

/// "did you mean `x`?" for the closest candidate, if any.
pub fn did_you_mean<'a, I>(value: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(value, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Lower-cases and strips the accents of Spanish and other Latin letters,
/// so `Adquisición`, `adquisicion` and `ADQUISICIÓN` compare equal.
pub fn fold(s: &str) -> String {
    let s = s.trim();
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

/// A URL-safe slug: lower case, letters and digits (accents kept off), dashes.
pub fn slug(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The text of the first `# heading`, for pages without a `title`.
pub fn first_heading(markdown: &str) -> Option<String> {
    let mut inside = false;
    let mut text = String::new();
    for event in Parser::new_ext(markdown, markdown_options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => inside = true,
            Event::Text(t) | Event::Code(t) if inside => text.push_str(&t),
            Event::End(TagEnd::Heading(_)) => return Some(text.trim().to_owned()),
            _ => {}
        }
    }
    None
}

/// What two ids must not share: the id in lower case, without accents
/// (precomposed or combining), as a case-insensitive file system or a reader
/// would see it.
pub fn id_key(id: &str) -> String {
    fold(id)
        .chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .collect()
}

/// The Markdown options journeydoc renders with (tables, footnotes, …).
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Quotes a value as a YAML double-quoted scalar. Like a JSON string, but
/// also escaping what YAML does not allow unescaped (DEL, the C1 controls,
/// the byte-order mark, U+FFFE/U+FFFF, the line and paragraph separators):
/// a JSON string with those in it is not valid YAML.
pub fn yaml_str(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c < ' '
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A measured number as people write it: `31`, `4.2`, `-3.5`; rounded to
/// two decimals (a change of `0.30000000000000004` is `0.3`).
pub fn number(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 {
        return "0".to_owned();
    }
    if r.fract() == 0.0 && r.abs() < 1e15 {
        return format!("{}", r as i64);
    }
    format!("{r}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let c = ["call-centre", "website", "store"];
        assert_eq!(closest("call-center", c), Some("call-centre".into()));
        assert_eq!(closest("web-site", c), Some("website".into()));
        assert_eq!(closest("zzzzzzzz", c), None);
        assert_eq!(
            closest("emotoin", ["emotion", "action", "owner"]),
            Some("emotion".into())
        );
        assert_eq!(
            closest("adquisicion", ["Adquisición"]),
            Some("Adquisición".into())
        );
    }

    #[test]
    fn slugs_fold_accents_and_join_words_with_dashes() {
        assert_eq!(slug("Punto de Venta"), "punto-de-venta");
        assert_eq!(slug("  Señal: compra!  "), "senal-compra");
        assert_eq!(slug("CRM"), "crm");
        assert_eq!(slug("--"), "");
    }

    #[test]
    fn first_heading_is_the_text_of_the_first_heading() {
        assert_eq!(
            first_heading("intro\n\n# Glosario `CX`\n\n## b"),
            Some("Glosario CX".into())
        );
        assert_eq!(
            first_heading("text\n# Guía *x*\n").as_deref(),
            Some("Guía x")
        );
        assert_eq!(first_heading("no heading"), None);
    }
}
