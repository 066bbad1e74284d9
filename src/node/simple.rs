//! A fast reader for the plain YAML that front matter almost always is:
//! block mappings and sequences, one-line scalars (plain, single- or
//! double-quoted), one-line flow lists and maps of scalars, comments.
//!
//! It gives exactly the tree (values and spans) that the full parser gives,
//! or `None` as soon as it meets anything else (anchors, tags, block
//! scalars, multi-line scalars, odd keys, words YAML 1.1 reads as booleans,
//! numbers in unusual notations, tabs, CRLF, errors): the caller then uses
//! the full parser, which also reports the errors. A differential test
//! (tests in this module and `tests/never_panics.rs`) holds the two to the
//! same answers. Profiling showed the full parser's `Spanned` path took
//! three quarters of `check`; this path is about ten times faster.

use super::{Key, Name, Node, Value};

/// Deeper than this is left to the full parser (which rejects it).
const MAX_DEPTH: usize = 60;

/// One line: where its content starts and what it holds (without the
/// line break).
#[derive(Clone, Copy)]
struct Line<'a> {
    /// Byte offset of the line's first character in the text.
    start: usize,
    indent: usize,
    text: &'a str,
}

struct Parser<'a> {
    lines: Vec<Line<'a>>,
    at: usize,
}

/// Parses `text` (front matter, without the `---` lines) when it is in the
/// simple subset; spans are byte offsets into `text`.
pub fn parse(text: &str) -> Option<Node> {
    if has_awkward_chars(text) {
        return None;
    }
    let mut lines = Vec::new();
    let mut start = 0;
    for raw in text.split('\n') {
        let trimmed = raw.trim_start_matches(' ');
        let indent = raw.len() - trimmed.len();
        // Blank and comment-only lines carry nothing.
        if !(trimmed.is_empty() || trimmed.starts_with('#')) {
            if trimmed.starts_with("---") || trimmed.starts_with("...") || trimmed.starts_with('%')
            {
                return None;
            }
            lines.push(Line {
                start,
                indent,
                text: trimmed,
            });
        }
        start += raw.len() + 1;
    }
    let mut p = Parser { lines, at: 0 };
    let first = *p.lines.first()?;
    if first.indent != 0 {
        return None;
    }
    let node = p.block(0, 0)?;
    if !matches!(node.value, Value::Map(_)) || p.at != p.lines.len() {
        return None;
    }
    Some(node)
}

/// Whether `text` holds a character this reader leaves to the full YAML
/// parser: a control character other than a newline (tab and carriage
/// return included), a byte-order mark, or a Unicode line separator. Read
/// byte by byte: the same as testing each `char`, several times faster.
fn has_awkward_chars(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'\n' => false,
        0..=0x1f | 0x7f => true,
        // U+0080..U+009F (C1 controls, U+0085 among them).
        0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
        // U+2028, U+2029.
        0xe2 => b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xa8 | 0xa9)),
        // U+FEFF.
        0xef => b.get(i + 1) == Some(&0xbb) && b.get(i + 2) == Some(&0xbf),
        _ => false,
    })
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<Line<'a>> {
        self.lines.get(self.at).copied()
    }

    /// A block mapping or sequence whose first line is the next line, at
    /// `indent`.
    fn block(&mut self, indent: usize, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let line = self.peek()?;
        if line.indent != indent {
            return None;
        }
        if is_item(line.text) {
            self.sequence(indent, depth)
        } else {
            self.mapping(indent, None, depth)
        }
    }

    fn sequence(&mut self, indent: usize, depth: usize) -> Option<Node> {
        let first = self.peek()?;
        let pos = first.start + first.indent;
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < indent || (line.indent == indent && !is_item(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let rest = &line.text[1..];
            let after = rest.trim_start_matches(' ');
            let col = line.indent + 1 + (rest.len() - after.len());
            if after.is_empty() {
                // `-` alone: the item is the block below, or nothing.
                self.at += 1;
                match self.peek() {
                    Some(next) if next.indent > indent => {
                        items.push(self.block(next.indent, depth + 1)?)
                    }
                    _ => return None,
                }
            } else if key_of(after).is_some() {
                // `- key: value`: a mapping whose keys line up with `key`.
                items.push(self.mapping(col, Some(line), depth + 1)?);
            } else if is_item(after) {
                return None;
            } else {
                self.at += 1;
                items.push(inline_value(after, line.start + col)?);
            }
        }
        Some(Node {
            value: Value::Seq(items),
            span: pos..pos,
        })
    }

    /// A block mapping at `indent`; `first` is a `- key: value` line whose
    /// mapping starts inside it.
    fn mapping(&mut self, indent: usize, first: Option<Line<'a>>, depth: usize) -> Option<Node> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut pos = None;
        let mut pending = first.map(|l| (l, indent));
        loop {
            // The entry's text and its column.
            let (line, col) = match pending.take() {
                Some(p) => p,
                None => match self.peek() {
                    Some(l) if l.indent == indent && !is_item(l.text) => (l, indent),
                    Some(l) if l.indent > indent => return None,
                    _ => break,
                },
            };
            let text = &line.text[col - line.indent..];
            let key_start = line.start + col;
            pos.get_or_insert(key_start);
            let (name, rest) = key_of(text)?;
            if entries.iter().any(|(k, _)| k.name == name) {
                return None;
            }
            let key = Key {
                name: Name::new(name),
                span: key_start..key_start + name.len(),
            };
            let colon = key_start + name.len();
            self.at += 1;
            let after = rest.trim_start_matches(' ');
            let value = if after.is_empty() || after.starts_with('#') {
                if after.starts_with('#') && rest.len() == after.len() {
                    return None;
                }
                match self.peek() {
                    Some(next) if next.indent > indent => self.block(next.indent, depth + 1)?,
                    // `key:` then `- item` at the key's own indent: valid, but
                    // the full parser places that list's span differently.
                    Some(next) if next.indent == indent && is_item(next.text) => return None,
                    _ => Node {
                        value: Value::Null,
                        span: colon..colon,
                    },
                }
            } else {
                let at = colon + 1 + (rest.len() - after.len());
                inline_value(after, at)?
            };
            entries.push((key, value));
        }
        let pos = pos?;
        Some(Node {
            value: Value::Map(entries),
            span: pos..pos,
        })
    }
}

/// `- ` or a lone `-`: a sequence item.
fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// `key:` at the start of `text`, followed by a space or the end: the key
/// and what follows the colon. Only plain identifiers that no YAML version
/// reads as anything but text.
fn key_of(text: &str) -> Option<(&str, &str)> {
    let end = text
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map_or(text.len(), |(i, _)| i);
    let name = &text[..end];
    let rest = text[end..].strip_prefix(':')?;
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let first = name.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') || special_word(name) {
        return None;
    }
    Some((name, rest))
}

/// Words YAML 1.1 (and so the full parser) reads as booleans or null.
fn special_word(s: &str) -> bool {
    s.len() <= 5
        && [
            "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
        ]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(s))
}

/// The value after `key: ` or `- `, starting at byte `at`; it must end the
/// line (a comment may follow).
fn inline_value(text: &str, at: usize) -> Option<Node> {
    let (node, used) = match text.as_bytes()[0] {
        b'[' => flow(text, at, b']')?,
        b'{' => flow(text, at, b'}')?,
        b'"' | b'\'' => quoted(text, at)?,
        _ => {
            let (value, len) = plain(text, false)?;
            (
                Node {
                    value,
                    span: at..at + len,
                },
                len,
            )
        }
    };
    let tail = text[used..].trim_start_matches(' ');
    if !(tail.is_empty() || (tail.starts_with('#') && tail.len() < text.len() - used)) {
        return None;
    }
    Some(node)
}

/// A plain scalar: its value and its length in `text` (trailing spaces and
/// comment excluded). In a flow collection it also ends at `,` `]` `}`.
fn plain(text: &str, in_flow: bool) -> Option<(Value, usize)> {
    let first = text.chars().next()?;
    if "-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !(first == '-' && text[1..].starts_with(|c: char| c.is_ascii_digit()))
    {
        return None;
    }
    let mut end = text.len();
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && i > 0 && bytes[i - 1] == b' ' {
            end = i;
            break;
        }
        if b == b':'
            && (i + 1 == bytes.len()
                || bytes[i + 1] == b' '
                || (in_flow && matches!(bytes[i + 1], b',' | b']' | b'}')))
        {
            return None;
        }
        if in_flow && matches!(b, b',' | b']' | b'}' | b'[' | b'{') {
            if matches!(b, b'[' | b'{') {
                return None;
            }
            end = i;
            break;
        }
    }
    let s = text[..end].trim_end_matches(' ');
    if s.is_empty() {
        return None;
    }
    Some((resolve(s)?, s.len()))
}

/// What a plain scalar means, as the full parser reads it; `None` for any
/// form this reader leaves to it.
fn resolve(s: &str) -> Option<Value> {
    match s {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        "null" | "~" => return Some(Value::Null),
        _ if special_word(s) => return None,
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Some(Value::Str(s.to_owned()));
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    let int_part = |d: &str| {
        !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) && (d == "0" || !d.starts_with('0'))
    };
    match digits.split_once('.') {
        None if int_part(digits) => s.parse().ok().map(Value::Int),
        Some((i, f)) if int_part(i) && !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok().map(Value::Float)
        }
        // `5 weeks`: text. `1e3`, `0x1F`, `+1`, `007`, `1_000`: the full parser.
        _ if s.contains(' ') && first.is_ascii_digit() && !s.contains(':') => {
            Some(Value::Str(s.to_owned()))
        }
        _ => None,
    }
}

/// A quoted scalar on one line: its node and the bytes it used.
fn quoted(text: &str, at: usize) -> Option<(Node, usize)> {
    let q = text.as_bytes()[0];
    let mut out = String::new();
    let mut chars = text[1..].char_indices();
    // The closing quote at `i`: the node spans both quotes.
    let done = |out: String, i: usize| {
        let used = i + 2;
        Some((
            Node {
                value: Value::Str(out),
                span: at..at + used,
            },
            used,
        ))
    };
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if q == b'\'' => {
                if text[1 + i + 1..].starts_with('\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return done(out, i);
                }
            }
            '"' if q == b'"' => return done(out, i),
            '\\' if q == b'"' => match chars.next()?.1 {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '/' => out.push('/'),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    None
}

/// A one-line flow list (`[a, "b"]`) or map (`{ nps: 31 }`) of scalars.
fn flow(text: &str, at: usize, close: u8) -> Option<(Node, usize)> {
    let bytes = text.as_bytes();
    let mut i = 1;
    let mut items = Vec::new();
    let mut entries: Vec<(Key, Node)> = Vec::new();
    let skip = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i] == b' ' {
            *i += 1;
        }
    };
    loop {
        skip(&mut i);
        if i >= bytes.len() {
            return None;
        }
        if bytes[i] == close {
            i += 1;
            break;
        }
        let key = if close == b'}' {
            let (name, rest) = key_of(&text[i..])?;
            if entries.iter().any(|(k, _)| k.name == name) {
                return None;
            }
            let k = Key {
                name: Name::new(name),
                span: at + i..at + i + name.len(),
            };
            i = text.len() - rest.len();
            skip(&mut i);
            Some(k)
        } else {
            None
        };
        let node = match bytes.get(i)? {
            b'"' | b'\'' => {
                let (n, used) = quoted(&text[i..], at + i)?;
                i += used;
                n
            }
            _ => {
                let (value, len) = plain(&text[i..], true)?;
                let n = Node {
                    value,
                    span: at + i..at + i + len,
                };
                i += len;
                n
            }
        };
        match key {
            Some(k) => entries.push((k, node)),
            None => items.push(node),
        }
        skip(&mut i);
        match bytes.get(i)? {
            b',' => i += 1,
            &b if b == close => {
                i += 1;
                break;
            }
            _ => return None,
        }
    }
    let value = if close == b'}' {
        Value::Map(entries)
    } else {
        Value::Seq(items)
    };
    Some((
        Node {
            value,
            span: at..at + 1,
        },
        i,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast reader agrees with the full parser wherever it answers.
    fn same(text: &str) -> bool {
        let fast = parse(text);
        if let Some(f) = &fast {
            let full = super::super::parse_yaml_full(text, 0);
            assert_eq!(Ok(f.clone()), full, "differs on:\n{text}");
        }
        fast.is_some()
    }

    #[test]
    fn agrees_with_the_full_parser() {
        let doc = "title: Carla buys   # comment\npersona: carla\nn1: 31\nf: 4.2\nneg: -1\nb: true\nnul:\ntilde: ~\nq: \"quoted \\\"x\\\" here\"\ns: 'single ''q'''\ne: \":)\"\nlist: [a, b , \"c d\"]\nempty: []\nmap: { nps: 31, ces: 4.2 }\nstages:\n  - name: Discover\n    steps:\n      - action: Reads a review\n        touchpoints: [review-site, website]\n        emotion: happy\n      - action: Leaves\n  - name: Buy\n    steps: []\ntail:\n  - x\n  -   y2\nd: 5 weeks\nurl: http://x.com/a#b\nc: C# rocks";
        assert!(same(doc));
    }

    /// Every YAML front matter in the repository (example, scaffolds, test
    /// fixtures, fault cases): the same tree, and most take the fast path.
    #[test]
    fn agrees_on_every_front_matter_in_the_repository() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut fast, mut all) = (0, 0);
        for dir in ["content", "scaffold", "tests/fixtures"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                let Ok(split) = crate::source::split(&text) else {
                    continue;
                };
                if split.format != crate::source::Format::Yaml {
                    continue;
                }
                all += 1;
                fast += usize::from(same(&text[split.front]));
            }
        }
        assert!(all > 50, "{all} files");
        assert!(
            fast * 10 >= all * 7,
            "only {fast} of {all} took the fast path"
        );
    }

    #[test]
    fn leaves_the_unusual_to_the_full_parser() {
        for doc in [
            "a: &x 1\nb: *x\n",
            "a: |\n  text\n",
            "a: >\n  text\n",
            "a: !!str 1\n",
            "n: 1\n",
            "a: yes\n",
            "a: 1e3\n",
            "a: 007\n",
            "a: +1\n",
            "a: plain\n  continued\n",
            "a: \"open\n  quote\"\n",
            "a: [1,\n  2]\n",
            "a: 1\na: 2\n",
            "a:\tb\n",
            "a: 1\r\n",
            "my key: v\n",
            "a: b: c\n",
            "- a\n",
            "a: [[1]]\n",
            "a: \"\\x41\"\n",
            "seq:\n- a\n- b\n",
        ] {
            assert!(!same(doc), "should be left to the full parser: {doc:?}");
        }
    }

    use proptest::prelude::*;

    /// Scalars as written: ordinary text and every near-miss we know of.
    /// The first [`ORDINARY`] are what front matter usually holds.
    const SCALARS: &[&str] = &[
        "Carla",
        "buys a backpack",
        "5 weeks",
        "31",
        "-1",
        "0",
        "-0",
        "4.2",
        "true",
        "false",
        "null",
        "~",
        "\":)\"",
        "'it''s'",
        "a:b",
        "http://x/a#b",
        "[a, b]",
        "[]",
        "{ nps: 31 }",
        "señal",
        "10.",
        ".5",
        "1e3",
        "007",
        "+1",
        "0x1F",
        "1_000",
        "True",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "n",
        "Null",
        "':('",
        "\"a \\\"q\\\" b\"",
        "a: b",
        "http://x/a#b",
        "C# rocks",
        "x #comment",
        "#",
        "-",
        "- x",
        "?",
        ":",
        "&a x",
        "*a",
        "!!str 1",
        "|",
        ">",
        "[a, b]",
        "[]",
        "{ nps: 31 }",
        "{}",
        "[a, [b]]",
        "[a,",
        "\"open",
        "'open",
        "señal",
        "12:30",
        "2024-01-01",
        "@x",
        "`x`",
        "%x",
        "a,b",
        "a]",
        "\"\\u00e9\"",
        "\"\\t\"",
        "[x, 'y', 3, true]",
        "{a: 1, a: 2}",
        "[a , b ]",
    ];
    const ORDINARY: usize = 20;
    const KEYS: &[&str] = &[
        "title", "name", "steps", "a-b", "_x", "key2", "k", "n", "y", "on", "my key", "1a",
    ];
    const ORDINARY_KEYS: usize = 7;

    fn scalar() -> impl Strategy<Value = usize> {
        prop_oneof![6 => 0..ORDINARY, 1 => 0..SCALARS.len()]
    }

    fn key() -> impl Strategy<Value = usize> {
        prop_oneof![8 => 0..ORDINARY_KEYS, 1 => 0..KEYS.len()]
    }

    #[derive(Debug, Clone)]
    enum Tree {
        Scalar(usize),
        Map(Vec<(usize, Tree)>),
        Seq(Vec<Tree>),
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let leaf = scalar().prop_map(Tree::Scalar);
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec((key(), inner.clone()), 0..4).prop_map(Tree::Map),
                prop::collection::vec(inner, 0..4).prop_map(Tree::Seq),
            ]
        })
    }

    fn write(t: &Tree, indent: usize, out: &mut String, style: &mut impl Iterator<Item = u8>) {
        let pad = " ".repeat(indent);
        match t {
            Tree::Scalar(i) => {
                out.push(' ');
                out.push_str(SCALARS[*i]);
                if style.next().unwrap_or(0) % 5 == 0 {
                    out.push_str("  # note");
                }
                out.push('\n');
            }
            Tree::Map(entries) => {
                out.push('\n');
                for (k, v) in entries {
                    let extra = usize::from(style.next().unwrap_or(0) % 29 == 0);
                    out.push_str(&pad);
                    out.push_str(&" ".repeat(extra));
                    out.push_str(KEYS[*k]);
                    out.push(':');
                    write(v, indent + 2, out, style);
                    if style.next().unwrap_or(0) % 6 == 0 {
                        out.push_str("\n# comment\n");
                    }
                }
            }
            Tree::Seq(items) => {
                out.push('\n');
                for v in items {
                    out.push_str(&pad);
                    out.push('-');
                    write(v, indent + 2, out, style);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        /// Generated documents: wherever the fast reader answers, the full
        /// parser gives the same tree.
        #[test]
        fn agrees_on_generated_documents(entries in prop::collection::vec((key(), tree()), 1..6), style in prop::collection::vec(any::<u8>(), 64)) {
            let mut doc = String::new();
            let mut style = style.into_iter().cycle();
            for (k, v) in &entries {
                doc.push_str(KEYS[*k]);
                doc.push(':');
                write(v, 2, &mut doc, &mut style);
            }
            same(&doc);
        }
    }

    #[test]
    fn awkward_characters_are_found_byte_by_byte_as_char_by_char() {
        let by_char = |t: &str| {
            t.chars().any(|c| {
                matches!(
                    c,
                    '\r' | '\t' | '\u{feff}' | '\u{85}' | '\u{2028}' | '\u{2029}'
                ) || (c.is_control() && c != '\n')
            })
        };
        let samples = [
            "a: b\n",
            "a:\tb",
            "a\r\n",
            "\u{feff}a: b",
            "x\u{85}",
            "x\u{2028}y",
            "x\u{2029}",
            "x\u{7f}",
            "x\u{9f}",
            "x\u{a0}",
            "ñandú: «sí»\n",
            "x\u{2027}\u{202a}",
            "\u{fefe}",
            "x\u{1b}",
            "\u{c0}\u{e0}\u{ef}\u{2000}",
        ];
        for t in samples {
            assert_eq!(has_awkward_chars(t), by_char(t), "{t:?}");
        }
        // Every character from U+0000 to U+3000, alone and after text.
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            let t = format!("k: {c}");
            assert_eq!(has_awkward_chars(&t), by_char(&t), "U+{:04X}", c as u32);
        }
        assert!(has_awkward_chars("\u{feff}"));
    }
}
