//! Markdown links between content files: by relative path
//! (`../personas/carla.md`) or by id (`@persona/carla`, `@touchpoint/…`,
//! `@journey/…`, `@lens/…`, `@page/…`). A link that points nowhere is an error.
//!
//! Links to anything else (web addresses, `#anchors`, images and other
//! non-Markdown files) are left alone.

use pulldown_cmark::{Event, Parser, Tag};

pub use crate::text::markdown_options;

use crate::diagnostic::Diagnostic;
use crate::routes::LinkMap;
use crate::text::{closest, did_you_mean};

/// The kinds an `@kind/id` link may name.
pub const KINDS: &[&str] = &[
    "persona",
    "touchpoint",
    "journey",
    "lens",
    "research",
    "opportunity",
    "page",
];

/// A link found in a body: destination and its byte span in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    pub span: std::ops::Range<usize>,
}

/// Every link and image in `body`, whose first byte is at `offset` in the file.
pub fn links(body: &str, offset: usize) -> Vec<Link> {
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        let dest = match event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        // Point at the destination inside `[text](dest)` when it is written there.
        let src = &body[range.clone()];
        let span = match src.rfind(dest.as_ref()) {
            Some(i) if !dest.is_empty() => {
                range.start + i + offset..range.start + i + dest.len() + offset
            }
            _ => range.start + offset..range.end + offset,
        };
        out.push(Link {
            dest: dest.into_string(),
            span,
        });
    }
    out
}

/// Checks the links of one file (`rel` is its path under the content folder).
pub fn check(
    file: &str,
    rel: &str,
    body: &str,
    offset: usize,
    targets: &LinkMap,
    diags: &mut Vec<Diagnostic>,
) {
    for link in links(body, offset) {
        if let Some(problem) = problem(rel, &link.dest, targets) {
            diags.push(
                Diagnostic::error("broken-link", problem.0)
                    .at(file, link.span)
                    .help_opt(problem.1),
            );
        }
    }
}

/// Why `dest` points nowhere, with a suggestion; `None` if it is fine or
/// not ours to check.
fn problem(rel: &str, dest: &str, targets: &LinkMap) -> Option<(String, Option<String>)> {
    let path = dest.split(['#', '?']).next().unwrap_or("");
    if let Some(rest) = path.strip_prefix('@') {
        let Some((kind, id)) = rest.split_once('/') else {
            return Some((
                format!("link `{dest}` does not name a kind and an id"),
                Some("write `@persona/<id>`, `@touchpoint/<id>`, `@journey/<id>`, `@lens/<id>`, `@research/<id>` or `@page/<id>`".to_owned()),
            ));
        };
        if !KINDS.contains(&kind) {
            let help =
                closest(kind, KINDS.iter().copied()).map(|k| format!("did you mean `@{k}`?"));
            return Some((format!("link `{dest}`: unknown kind `@{kind}`"), help));
        }
        if targets.ids.contains_key(&(kind.to_owned(), id.to_owned())) {
            return None;
        }
        let same_kind = targets
            .ids
            .keys()
            .filter(|(k, _)| k == kind)
            .map(|(_, i)| i.as_str());
        let help = closest(id, same_kind).map(|c| format!("did you mean `@{kind}/{c}`?"));
        return Some((
            format!("link `{dest}` points to no {kind} with id `{id}`"),
            help,
        ));
    }
    if path.is_empty() || path.contains(':') || path.starts_with("//") {
        return None; // an anchor, a web address, mailto:, …
    }
    if !path.ends_with(".md") {
        return None;
    }
    let target = resolve_path(rel, path)?;
    if targets.files.contains_key(&target) {
        return None;
    }
    let help = did_you_mean(&target, targets.files.keys().map(String::as_str))
        .map(|s| format!("{s} (paths are relative to this file's folder)"));
    Some((
        format!("link `{dest}` points to `{target}`, which is not a content file"),
        help,
    ))
}

/// The content-relative path a relative link from `from` names; a path
/// starting with `/` is relative to the content folder. `None` if it climbs
/// out of the content folder.
pub fn resolve_path(from: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        let mut p: Vec<&str> = from.split('/').collect();
        p.pop();
        p
    };
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_with_spans() {
        let body = "See [Carla](../personas/carla.md) and ![x](a.png).\n";
        let l = links(body, 100);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].dest, "../personas/carla.md");
        assert_eq!(
            &body[l[0].span.start - 100..l[0].span.end - 100],
            "../personas/carla.md"
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            resolve_path("guide/how.md", "../personas/carla.md").as_deref(),
            Some("personas/carla.md")
        );
        assert_eq!(resolve_path("a.md", "../../x.md"), None);
        assert_eq!(
            resolve_path("guide/how.md", "/glossary.md").as_deref(),
            Some("glossary.md")
        );
    }

    #[test]
    fn problems() {
        let mut t = LinkMap::default();
        t.files
            .insert("personas/carla.md".into(), "personas/carla.html".into());
        t.ids.insert(
            ("persona".into(), "carla".into()),
            "personas/carla.html".into(),
        );
        assert!(problem("guide/a.md", "../personas/carla.md#goals", &t).is_none());
        assert!(problem("guide/a.md", "https://example.org/x.md", &t).is_none());
        assert!(problem("guide/a.md", "@persona/carla", &t).is_none());
        let (msg, help) = problem("guide/a.md", "@persona/karla", &t).unwrap();
        assert!(msg.contains("no persona with id `karla`"), "{msg}");
        assert_eq!(help.as_deref(), Some("did you mean `@persona/carla`?"));
        let (_, help) = problem("guide/a.md", "@persno/carla", &t).unwrap();
        assert_eq!(help.as_deref(), Some("did you mean `@persona`?"));
        assert!(problem("guide/a.md", "../personas/karla.md", &t).is_some());
    }
}
