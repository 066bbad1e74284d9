//! The search index: a small JavaScript file that defines one global, loaded
//! lazily by `static/search.js` the first time a reader uses the search box.
//!
//! A `<script>` (not `fetch()`) so it also works from `file://`. Text is
//! folded (lower case, no accents) at build time so the browser only splits
//! and compares. Each document keeps a title, URL, kind and its words once.

use serde::Serialize;

use crate::diagnostic::fold;

/// One searchable page.
#[derive(Debug, Serialize)]
pub struct Doc {
    /// Title as shown.
    pub t: String,
    /// URL relative to the site root.
    pub u: String,
    /// Kind of page, as shown ("Journey").
    pub k: String,
    /// Folded, de-duplicated words of the page (title included).
    pub w: String,
}

impl Doc {
    pub fn new(title: &str, url: &str, kind: &str, text: &str) -> Doc {
        let mut words: Vec<String> = fold(&format!("{title} {text}"))
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() > 1)
            .map(str::to_owned)
            .collect();
        // Keep first-seen order but each word once: smaller, same matches.
        let mut seen = std::collections::BTreeSet::new();
        words.retain(|w| seen.insert(w.clone()));
        Doc {
            t: title.to_owned(),
            u: url.to_owned(),
            k: kind.to_owned(),
            w: words.join(" "),
        }
    }
}

/// `search-index.js`.
pub fn index_js(docs: &[Doc]) -> String {
    let json = serde_json::to_string(docs).expect("documents serialise");
    format!("window.JOURNEYDOC_INDEX = {json};\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_unique() {
        let d = Doc::new(
            "Llamada al centro",
            "x.html",
            "Journey",
            "Espera, espera: llamada-larga a",
        );
        assert_eq!(d.w, "llamada al centro espera larga");
        assert!(index_js(&[d]).starts_with("window.JOURNEYDOC_INDEX = [{\"t\":"));
    }
}
