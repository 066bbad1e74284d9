//! The search index, sharded by the first letters of each word and loaded
//! lazily by `static/search.js` as a reader types (see [`index_files`]).
//!
//! `<script>` files (not `fetch()`) so it also works from `file://`. Text is
//! folded (lower case, no accents) at build time so the browser only splits
//! and compares. Each document keeps a title, URL, kind and its words once.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::fold;

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
        let folded = fold(&format!("{title} {text}"));
        // Words of two characters or more, each once, in first-seen order:
        // smaller, same matches.
        let mut seen = std::collections::HashSet::new();
        let mut w = String::with_capacity(folded.len() / 2);
        for word in folded.split(|c: char| !c.is_alphanumeric()) {
            if word.chars().nth(1).is_some() && seen.insert(word) {
                if !w.is_empty() {
                    w.push(' ');
                }
                w.push_str(word);
            }
        }
        // Held until the index is written: without the guessed room.
        w.shrink_to_fit();
        Doc {
            t: title.to_owned(),
            u: url.to_owned(),
            k: kind.to_owned(),
            w,
        }
    }
}

/// Documents per chunk of the document table.
pub const CHUNK: usize = 100;

/// The shard a folded term lives in: its first two characters, spelled so
/// any of them makes a portable file name (`static/search.js` mirrors it).
pub fn shard_key(term: &str) -> String {
    term.chars()
        .take(2)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c.to_string()
            } else {
                format!("_{:x}", c as u32)
            }
        })
        .collect()
}

/// The search index as files under `search/`, each a small script (not
/// JSON for `fetch()`, so it also works from `file://`):
///
/// * `search/index.js`: how many documents, and which term shards exist;
/// * `search/t-<key>.js`: every term starting with `<key>` and the
///   documents that hold it (ids delta-encoded in base 36, the lowest bit
///   saying the term is in the title);
/// * `search/d-<n>.js`: title, URL and kind of documents `n*CHUNK..`.
///
/// A query loads the index, one shard per word and the chunks of the
/// results it shows: a few tens of kilobytes however large the handbook.
pub fn index_files(docs: &[Doc]) -> Vec<(String, String)> {
    // Hashed while collecting (3 million words at 10,000 journeys), sorted
    // once at the end: the same order a sorted map gives. Postings as u32
    // (half the memory).
    let mut terms: std::collections::HashMap<&str, Vec<u32>> = std::collections::HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        let id = u32::try_from(i).unwrap_or(u32::MAX / 2);
        let title = fold(&d.t);
        let in_title: Vec<&str> = title
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() > 1)
            .collect();
        for w in d.w.split(' ').filter(|w| !w.is_empty()) {
            let flag = u32::from(in_title.contains(&w));
            terms.entry(w).or_default().push(id * 2 + flag);
        }
    }
    let mut terms: Vec<(&str, Vec<u32>)> = terms.into_iter().collect();
    terms.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut shards: BTreeMap<String, Vec<(&str, String)>> = BTreeMap::new();
    for (term, ids) in terms {
        let mut last = 0;
        let mut enc = String::new();
        for id in ids {
            if !enc.is_empty() {
                enc.push(',');
            }
            enc.push_str(&base36((id - last) as usize));
            last = id;
        }
        shards.entry(shard_key(term)).or_default().push((term, enc));
    }
    let mut files = Vec::new();
    let keys: Vec<&String> = shards.keys().collect();
    files.push((
        "search/index.js".to_owned(),
        format!(
            "JOURNEYDOC_SEARCH.add(\"index\", {});\n",
            serde_json::json!({ "docs": docs.len(), "chunk": CHUNK, "shards": keys })
        ),
    ));
    for (key, list) in &shards {
        // A JSON object, terms in order (as a sorted map prints them).
        let mut text = format!("JOURNEYDOC_SEARCH.add(\"t-{key}\", {{");
        for (n, (term, enc)) in list.iter().enumerate() {
            if n > 0 {
                text.push(',');
            }
            text.push_str(&serde_json::to_string(term).expect("strings serialise"));
            text.push(':');
            text.push_str(&serde_json::to_string(enc).expect("strings serialise"));
        }
        text.push_str("});\n");
        files.push((format!("search/t-{key}.js"), text));
    }
    for (n, chunk) in docs.chunks(CHUNK).enumerate() {
        let rows: Vec<[&str; 3]> = chunk
            .iter()
            .map(|d| [d.t.as_str(), d.u.as_str(), d.k.as_str()])
            .collect();
        files.push((
            format!("search/d-{n}.js"),
            format!(
                "JOURNEYDOC_SEARCH.add(\"d-{n}\", {});\n",
                serde_json::to_string(&rows).expect("strings serialise")
            ),
        ));
    }
    files
}

fn base36(mut n: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
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
        let files = index_files(&[d]);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "search/index.js",
                "search/t-al.js",
                "search/t-ce.js",
                "search/t-es.js",
                "search/t-la.js",
                "search/t-ll.js",
                "search/d-0.js"
            ]
        );
        // "llamada" is in the title (id 0, flag 1); "espera" is not.
        assert!(files[5].1.contains("\"llamada\":\"1\""), "{}", files[5].1);
        assert!(files[3].1.contains("\"espera\":\"0\""), "{}", files[3].1);
        assert!(
            files[0]
                .1
                .contains("\"shards\":[\"al\",\"ce\",\"es\",\"la\",\"ll\"]")
        );
    }

    #[test]
    fn postings_are_delta_encoded_and_keys_are_portable() {
        let docs: Vec<Doc> = (0..40)
            .map(|i| Doc::new(&format!("Doc {i}"), "x.html", "Page", "común señal"))
            .collect();
        let files = index_files(&docs);
        let shard = files.iter().find(|(n, _)| n == "search/t-co.js").unwrap();
        // Docs 0..40, none with the word in the title: 0,2,4… as deltas 0,2,2…
        assert!(shard.1.contains("\"comun\":\"0,2,2,"), "{}", shard.1);
        assert_eq!(shard_key("ñu"), "_f1u");
        assert_eq!(base36(71), "1z");
    }
}
