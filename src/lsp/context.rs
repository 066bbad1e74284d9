//! What the cursor is on, worked out from the text alone (a half-typed
//! document has no model): a field name being typed, the value of a field
//! (with the fields it is nested in), an `@kind/id` link in the body, or
//! nothing. YAML front matter is read by indentation and `- ` markers, TOML
//! by its `[table]` headers; both only as far as the editor needs. Pure.

use std::ops::Range;

use crate::source::{Format, split};

/// The cursor's place and the word (an id, a scalar value, a list item)
/// under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub place: Place,
    /// The whole word under the cursor (quotes not included); its part
    /// before the cursor is what completion filters on and replaces.
    pub token: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A field name, in the mapping that `path` names (`[]` at the top,
    /// `["stages", "steps"]` in a step).
    Key { path: Vec<String> },
    /// The value (or a list item) of the field `key`.
    Value { key: String, path: Vec<String> },
    /// An `@kind/id` link in the body; the token is what follows the `@`.
    Link,
    /// Somewhere nothing is offered (the body's prose, a comment).
    Nothing,
}

/// Where the front matter is: its format and its byte range (to the end of
/// the text while it is not closed yet).
pub fn front_matter(text: &str) -> Option<(Format, Range<usize>)> {
    front(text).map(|(f, r, _)| (f, r))
}

/// [`front_matter`], and whether it is closed.
fn front(text: &str) -> Option<(Format, Range<usize>, bool)> {
    match split(text) {
        Ok(s) => Some((s.format, s.front, true)),
        Err(_) => {
            let first_end = text.find('\n')?;
            let format = match text[..first_end].trim_end() {
                "---" => Format::Yaml,
                "+++" => Format::Toml,
                _ => return None,
            };
            Some((format, first_end + 1..text.len(), false))
        }
    }
}

/// The context at byte `offset` of `text`.
pub fn at(text: &str, offset: usize) -> Context {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let nothing = Context {
        place: Place::Nothing,
        token: offset..offset,
    };
    match front(text) {
        Some((format, range, closed))
            if offset >= range.start && (offset < range.end || !closed && offset == range.end) =>
        {
            let lines = Lines::new(text, range, closed);
            let found = match format {
                Format::Yaml => yaml(&lines, offset),
                Format::Toml => toml(&lines, offset),
            };
            found.unwrap_or(nothing)
        }
        _ => link(text, offset).unwrap_or(nothing),
    }
}

/// The value of a top-level field as written (`lens: activity` →
/// `activity`), for completions that depend on another field.
pub fn top_value(text: &str, key: &str) -> Option<String> {
    let (format, range, closed) = front(text)?;
    let sep = if format == Format::Yaml { ':' } else { '=' };
    let lines = Lines::new(text, range, closed);
    lines.all.iter().find_map(|l| {
        let s = &text[l.clone()];
        let rest = s.strip_prefix(key)?.trim_start().strip_prefix(sep)?;
        let v = unquote(rest.split(" #").next().unwrap_or("").trim());
        (!v.is_empty()).then(|| v.to_owned())
    })
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q) {
            return inner.strip_suffix(q).unwrap_or(inner);
        }
    }
    s
}

/// The front matter's lines, as byte ranges without their line ending.
struct Lines<'a> {
    text: &'a str,
    all: Vec<Range<usize>>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str, front: Range<usize>, closed: bool) -> Lines<'a> {
        let mut all = Vec::new();
        let mut pos = front.start;
        while (pos < front.end || !closed && pos == front.end) && pos <= text.len() {
            let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
            let line_end = if text[pos..end].ends_with('\r') {
                end - 1
            } else {
                end
            };
            all.push(pos..line_end);
            if end >= text.len() {
                break;
            }
            pos = end + 1;
        }
        Lines { text, all }
    }

    /// The index of the line holding `offset`.
    fn of(&self, offset: usize) -> Option<usize> {
        self.all
            .iter()
            .position(|l| offset >= l.start && offset <= l.end)
    }
}

/// A YAML line read for keys: the column its content starts at after any
/// `- ` markers, whether it had one, and its key if it has `key:`.
struct YamlLine {
    /// Byte offset (in the text) where the content after markers starts.
    content: usize,
    /// Its column in the line.
    col: usize,
    dash: bool,
    /// The key's range, and where the value starts (after `:`).
    key: Option<(Range<usize>, usize)>,
}

fn yaml_line(text: &str, line: &Range<usize>) -> Option<YamlLine> {
    let s = &text[line.clone()];
    let mut i = s.len() - s.trim_start_matches([' ', '\t']).len();
    if s[i..].is_empty() || s[i..].starts_with('#') {
        return None;
    }
    let mut dash = false;
    while s[i..].starts_with("- ") || &s[i..] == "-" {
        dash = true;
        i += 1;
        i += s[i..].len() - s[i..].trim_start_matches(' ').len();
    }
    let content = &s[i..];
    let key =
        key_colon(content).map(|k| (line.start + i..line.start + i + k, line.start + i + k + 1));
    Some(YamlLine {
        content: line.start + i,
        col: i,
        dash,
        key,
    })
}

/// Where the `:` of `key: …` is, if the content starts with a plain or
/// quoted key followed by `:` and a space or the end of the line.
fn key_colon(content: &str) -> Option<usize> {
    if content.starts_with(['[', '{', '"', '\'', '#']) {
        let q = content.chars().next()?;
        if q == '"' || q == '\'' {
            let close = content[1..].find(q)? + 1;
            let after = &content[close + 1..];
            return after
                .starts_with(':')
                .then_some(close + 1)
                .filter(|_| after.len() == 1 || after[1..].starts_with([' ', '\t']));
        }
        return None;
    }
    let bytes = content.as_bytes();
    (0..bytes.len()).find(|&i| {
        bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ' || bytes[i + 1] == b'\t')
    })
}

fn key_text<'t>(text: &'t str, key: &Range<usize>) -> &'t str {
    unquote(&text[key.clone()])
}

/// The keys of the mappings that hold a line whose content starts at
/// column `col`, innermost last, read from the lines above `index`.
fn yaml_path(text: &str, lines: &Lines, index: usize, col: usize) -> Vec<String> {
    let mut path = Vec::new();
    let mut threshold = col;
    for l in lines.all[..index].iter().rev() {
        if threshold == 0 {
            break;
        }
        let Some(y) = yaml_line(text, l) else {
            continue;
        };
        if let Some((key, value)) = &y.key
            && y.col < threshold
            && text[*value..l.end].trim().is_empty()
        {
            path.push(key_text(text, key).to_owned());
            threshold = y.col;
        } else if y.col < threshold && !y.dash {
            // A line less indented that opens no mapping: nothing above
            // holds this one.
            break;
        }
    }
    path.reverse();
    path
}

/// Fields whose values are lists of mappings: a `- ` item under them starts
/// a mapping (a field name), not a value.
const MAPPING_LISTS: &[&str] = &["stages", "steps"];

fn yaml(lines: &Lines, offset: usize) -> Option<Context> {
    let text = lines.text;
    let index = lines.of(offset)?;
    let line = &lines.all[index];
    let Some(y) = yaml_line(text, line) else {
        // A blank line: a new field at this indentation.
        let col = offset - line.start;
        if text[line.start..offset].trim().is_empty() {
            return Some(Context {
                place: Place::Key {
                    path: yaml_path(text, lines, index, col),
                },
                token: offset..offset,
            });
        }
        return None;
    };
    if offset < y.content {
        return None;
    }
    let path = yaml_path(text, lines, index, y.col);
    if let Some((key, value)) = y.key.clone() {
        if offset <= key.end {
            return Some(Context {
                place: Place::Key { path },
                token: key.start..key.end,
            });
        }
        let key = key_text(text, &key).to_owned();
        return Some(Context {
            token: value_token(text, value..line.end, offset)?,
            place: Place::Value { key, path },
        });
    }
    // No `key:` on the line: a list item of the field above, or a field
    // name being typed.
    let token = word(text, y.content..line.end, offset);
    match path.last() {
        Some(parent) if y.dash && !MAPPING_LISTS.contains(&parent.as_str()) => {
            let mut path = path;
            let key = path.pop().unwrap_or_default();
            Some(Context {
                place: Place::Value { key, path },
                token: value_token(text, y.content..line.end, offset)?,
            })
        }
        _ => Some(Context {
            place: Place::Key { path },
            token,
        }),
    }
}

/// The run of key characters around `offset` within `range`.
fn word(text: &str, range: Range<usize>, offset: usize) -> Range<usize> {
    let is = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let start = text[range.start..offset]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is(c))
        .last()
        .map_or(offset, |(i, _)| range.start + i);
    let end = text[offset..range.end]
        .char_indices()
        .find(|&(_, c)| !is(c))
        .map_or(range.end, |(i, _)| offset + i);
    start..end
}

/// The item under `offset` in a value: the whole scalar, or the element of
/// a `[a, b]` list; quotes and a trailing comment left out. `None` inside a
/// comment.
fn value_token(text: &str, value: Range<usize>, offset: usize) -> Option<Range<usize>> {
    let v = &text[value.clone()];
    // A comment starts at ` #` outside quotes.
    let mut end = value.end;
    let mut quote = None;
    for (i, c) in v.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if i == 0 || v[..i].ends_with([' ', '\t']) => {
                end = value.start + i;
                break;
            }
            _ => {}
        }
    }
    if offset > end {
        return None;
    }
    let region = value.start..end;
    let r = &text[region.clone()];
    let trimmed_start = region.start + (r.len() - r.trim_start().len());
    let (start, stop) = if text[trimmed_start..end].starts_with('[') {
        // The list item holding the cursor: between separators.
        let seps = |c: char| matches!(c, '[' | ',' | ']');
        let before = &text[trimmed_start..offset.max(trimmed_start)];
        let s = before
            .rfind(seps)
            .map_or(trimmed_start, |i| trimmed_start + i + 1);
        let after = &text[offset.max(s)..end];
        let e = after.find(seps).map_or(end, |i| offset.max(s) + i);
        (s, e)
    } else {
        (region.start, end)
    };
    // Trim spaces and quotes on both sides, never past the cursor.
    let mut s = start;
    let mut e = stop;
    while s < e && s < offset && text[s..].starts_with([' ', '\t', '"', '\'']) {
        s += 1;
    }
    while e > s && e > offset && text[..e].ends_with([' ', '\t', '"', '\'']) {
        e -= 1;
    }
    Some(s..e.max(s))
}

fn toml(lines: &Lines, offset: usize) -> Option<Context> {
    let text = lines.text;
    let index = lines.of(offset)?;
    let line = &lines.all[index];
    // The table the line is in: the last `[a.b]` or `[[a.b]]` header above.
    let path: Vec<String> = lines.all[..index]
        .iter()
        .rev()
        .find_map(|l| {
            let s = text[l.clone()].trim();
            let inner = s.strip_prefix('[')?.split(']').next()?;
            Some(
                inner
                    .trim_start_matches('[')
                    .split('.')
                    .map(|p| unquote(p).to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
            )
        })
        .unwrap_or_default();
    let s = &text[line.clone()];
    let lead = s.len() - s.trim_start().len();
    let content = line.start + lead;
    if s.trim_start().starts_with(['[', '#']) || offset < content {
        return None;
    }
    match s.find('=') {
        Some(eq) if offset > line.start + eq => {
            let key = unquote(s[lead..eq].trim()).to_owned();
            Some(Context {
                token: value_token(text, line.start + eq + 1..line.end, offset)?,
                place: Place::Value { key, path },
            })
        }
        _ => Some(Context {
            place: Place::Key { path },
            token: word(text, content..line.end, offset),
        }),
    }
}

/// `@kind/id` being typed or under the cursor in the body.
fn link(text: &str, offset: usize) -> Option<Context> {
    let is = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.');
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is(c))
        .last()
        .map_or(offset, |(i, _)| line_start + i);
    if !text[..start].ends_with('@') {
        return None;
    }
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !is(c))
        .map_or(text.len(), |(i, _)| offset + i);
    Some(Context {
        place: Place::Link,
        token: start..end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The context at the `|` in `marked` (the bar removed), and the token.
    fn ctx(marked: &str) -> (Place, String) {
        let offset = marked.find('|').unwrap();
        let text = marked.replacen('|', "", 1);
        let c = at(&text, offset);
        (c.place, text[c.token].to_owned())
    }

    fn key(path: &[&str]) -> Place {
        Place::Key {
            path: path.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn value(k: &str, path: &[&str]) -> Place {
        Place::Value {
            key: k.to_owned(),
            path: path.iter().map(|s| s.to_string()).collect(),
        }
    }

    const JOURNEY: &str = "---\ntitle: T\npersona: carla\nstages:\n  - name: Descubrir\n    steps:\n      - action: Busca\n        touchpoints: [web, ap|]\n---\nbody\n";

    #[test]
    fn flow_list_item_in_a_step() {
        assert_eq!(
            ctx(JOURNEY),
            (value("touchpoints", &["stages", "steps"]), "ap".into())
        );
    }

    #[test]
    fn scalar_values_and_keys() {
        assert_eq!(
            ctx("---\npersona: car|la\n---\n"),
            (value("persona", &[]), "carla".into())
        );
        assert_eq!(
            ctx("---\npersona: \"car|\"\n---\n"),
            (value("persona", &[]), "car".into())
        );
        assert_eq!(ctx("---\nper|\n---\n"), (key(&[]), "per".into()));
        assert_eq!(ctx("---\npers|ona: x\n---\n"), (key(&[]), "persona".into()));
        assert_eq!(
            ctx("---\nstages:\n  - name: Descubrir\n    emo|\n---\n"),
            (key(&["stages"]), "emo".into())
        );
        assert_eq!(
            ctx("---\nstages:\n- name: A\n  steps:\n  - act|\n---\n"),
            (key(&["stages", "steps"]), "act".into())
        );
        assert_eq!(
            ctx("---\nstages:\n  - name: Des|\n---\n"),
            (value("name", &["stages"]), "Des".into())
        );
        assert_eq!(
            ctx("---\nemotion: :|(\n---\n"),
            (value("emotion", &[]), ":(".into())
        );
        assert_eq!(
            ctx("---\npersona: carla # la clienta|\n---\n").0,
            Place::Nothing
        );
    }

    #[test]
    fn block_list_items() {
        assert_eq!(
            ctx(
                "---\nstages:\n  - name: A\n    steps:\n      - action: B\n        touchpoints:\n          - web\n          - ap|\n---\n"
            ),
            (value("touchpoints", &["stages", "steps"]), "ap".into())
        );
        assert_eq!(
            ctx("---\nresearch:\n- entre|\n---\n"),
            (value("research", &[]), "entre".into())
        );
    }

    #[test]
    fn toml_front_matter() {
        let t = "+++\ntitle = \"T\"\n[[stages]]\nname = \"A\"\n[[stages.steps]]\ntouchpoints = [\"web\", \"a|\"]\n+++\n";
        assert_eq!(
            ctx(t),
            (value("touchpoints", &["stages", "steps"]), "a".into())
        );
        assert_eq!(ctx("+++\nlen|\n+++\n"), (key(&[]), "len".into()));
    }

    #[test]
    fn links_in_the_body() {
        assert_eq!(
            ctx("---\na: b\n---\nSee [x](@touchpoint/we|b).\n"),
            (Place::Link, "touchpoint/web".into())
        );
        assert_eq!(ctx("---\na: b\n---\nplain te|xt\n").0, Place::Nothing);
    }

    #[test]
    fn unclosed_front_matter_is_still_read() {
        assert_eq!(
            ctx("---\ntitle: T\nlens: act|"),
            (value("lens", &[]), "act".into())
        );
        assert_eq!(
            top_value("---\nlens: activity # x\n---\n", "lens").as_deref(),
            Some("activity")
        );
        assert_eq!(
            top_value("+++\nlens = \"goal\"\n+++\n", "lens").as_deref(),
            Some("goal")
        );
    }
}
