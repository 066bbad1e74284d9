//! A format-neutral tree of front-matter values, each with the byte span it
//! came from in its file.
//!
//! YAML (serde-saphyr) and TOML (toml) both parse into [`Node`], so the model
//! parser reads one shape, reports unknown keys itself and can collect every
//! problem of a file instead of stopping at serde's first error. This module
//! knows nothing about personas or journeys.

mod simple;
pub mod unclosed;

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// One value of the front matter and where it is in the file (byte offsets
/// into the whole file, so a diagnostic can point at it).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

/// A map key, with its own span so an unknown key can be pointed at.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: Name,
    pub span: Range<usize>,
}

/// A key's text, kept inline when short (every field name is): a handbook of
/// 10,000 journeys has over a million keys, read and dropped again while
/// parsing, and none of them then costs an allocation.
#[derive(Clone, PartialEq, Eq)]
pub struct Name(Repr);

/// Private, so the inline bytes are only ever those `Name::new` copied.
#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Inline { len: u8, bytes: [u8; Name::INLINE] },
    Heap(Box<str>),
}

impl Name {
    const INLINE: usize = 22;

    pub fn new(s: &str) -> Name {
        if s.len() <= Self::INLINE {
            let mut bytes = [0; Self::INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Name(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            Name(Repr::Heap(s.into()))
        }
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        match &self.0 {
            // SAFETY: the first `len` bytes are a whole `&str` copied in
            // `Name::new`, the only place a `Repr::Inline` is made, and
            // never written after. (Checking them again was 6 % of
            // `check`: keys are compared on every field lookup.)
            Repr::Inline { len, bytes } => unsafe {
                std::str::from_utf8_unchecked(&bytes[..usize::from(*len)])
            },
            Repr::Heap(s) => s,
        }
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        if s.len() <= Self::INLINE {
            Name::new(&s)
        } else {
            Name(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in source order (duplicates are rejected by the parsers).
    Map(Vec<(Key, Node)>),
}

impl Value {
    /// What a user would call this kind of value, for "expected a list, found …".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "a number",
            Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// A parse failure: message and (when the parser knows it) where.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Option<Range<usize>>,
}

/// How a child node learns its span: each format wraps values its own way.
trait SpanSource<'de>: Sized {
    fn into_node(self) -> Node;
}

/// The value part of a node, generic over how children carry spans.
struct RawValue<C>(Value, std::marker::PhantomData<C>);

struct RawVisitor<C>(std::marker::PhantomData<C>);

impl<'de, C> Visitor<'de> for RawVisitor<C>
where
    C: Deserialize<'de> + SpanSource<'de>,
{
    type Value = RawValue<C>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(raw(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(raw(Value::Int(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(|v| raw(Value::Int(v)))
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(|v| raw(Value::Int(v)))
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(|v| raw(Value::Int(v)))
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(raw(Value::Float(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(raw(Value::Str(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(raw(Value::Str(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(raw(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(raw(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<C>()? {
            items.push(item.into_node());
        }
        Ok(raw(Value::Seq(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        while let Some(key) = map.next_key::<C>()? {
            let key = key.into_node();
            let name = match key.value {
                Value::Str(s) => s,
                Value::Int(i) => i.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Null => "null".to_owned(),
                Value::Seq(_) | Value::Map(_) => {
                    return Err(de::Error::custom("a map key must be plain text"));
                }
            };
            let value = map.next_value::<C>()?.into_node();
            if entries.iter().any(|(k, _)| *k.name == *name) {
                return Err(de::Error::custom(format!("duplicate key `{name}`")));
            }
            entries.push((
                Key {
                    name: name.into(),
                    span: key.span,
                },
                value,
            ));
        }
        Ok(raw(Value::Map(entries)))
    }
}

fn raw<C>(v: Value) -> RawValue<C> {
    RawValue(v, std::marker::PhantomData)
}

impl<'de, C> Deserialize<'de> for RawValue<C>
where
    C: Deserialize<'de> + SpanSource<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor(std::marker::PhantomData))
    }
}

/// A YAML child: serde-saphyr's `Spanned` gives its byte offset and length.
struct YamlChild(Node);

impl<'de> Deserialize<'de> for YamlChild {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<RawValue<YamlChild>>::deserialize(d)?;
        let span = s.referenced.span();
        let start = span.byte_offset().unwrap_or(0) as usize;
        let len = span.byte_len().unwrap_or(0) as usize;
        Ok(YamlChild(Node {
            value: s.value.0,
            span: start..start + len,
        }))
    }
}

impl SpanSource<'_> for YamlChild {
    fn into_node(self) -> Node {
        self.0
    }
}

/// A TOML child: `toml::Spanned` gives its byte range.
struct TomlChild(Node);

impl<'de> Deserialize<'de> for TomlChild {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = toml::Spanned::<RawValue<TomlChild>>::deserialize(d)?;
        let span = s.span();
        Ok(TomlChild(Node {
            value: s.into_inner().0,
            span,
        }))
    }
}

impl SpanSource<'_> for TomlChild {
    fn into_node(self) -> Node {
        self.0
    }
}

/// Limits that keep hostile YAML (alias bombs, deep nesting) cheap to reject.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_depth = 64;
    budget.max_nodes = 250_000;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// Parses YAML text that starts at byte `offset` of its file: the fast
/// reader for the plain YAML front matter almost always is, the full parser
/// for the rest (and for every error).
pub fn parse_yaml(text: &str, offset: usize) -> Result<Node, SyntaxError> {
    match simple::parse(text) {
        Some(mut node) => {
            shift(&mut node, offset);
            Ok(node)
        }
        None => parse_yaml_full(text, offset),
    }
}

/// Parses YAML with serde-saphyr (budgets against bombs, all of YAML).
pub fn parse_yaml_full(text: &str, offset: usize) -> Result<Node, SyntaxError> {
    if text.trim().is_empty() {
        return Ok(Node {
            value: Value::Map(Vec::new()),
            span: offset..offset,
        });
    }
    match serde_saphyr::from_str_with_options::<YamlChild>(text, yaml_options()) {
        Ok(YamlChild(mut node)) => {
            shift(&mut node, offset);
            Ok(node)
        }
        Err(e) => {
            let span = e.location().and_then(|loc| {
                let s = loc.span();
                match s.byte_offset() {
                    Some(b) => {
                        let start = b as usize + offset;
                        Some(start..start + s.byte_len().unwrap_or(0) as usize)
                    }
                    None => byte_at(text, loc.line() as usize, loc.column() as usize)
                        .map(|b| b + offset..b + offset),
                }
            });
            Err(SyntaxError {
                message: yaml_message(&e),
                span,
            })
        }
    }
}

/// The first line of serde-saphyr's message, without its own location suffix
/// (we print locations ourselves, relative to the whole file).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let full = e.to_string();
    if full.contains("recursion limit") || full.contains("Depth") {
        return "values are nested too deeply".to_owned();
    }
    if full.contains("budget breached") {
        return "the front matter expands to too many values (an alias bomb?)".to_owned();
    }
    let mut msg = full.lines().next().unwrap_or("invalid YAML").trim();
    msg = msg.strip_prefix("error:").unwrap_or(msg).trim_start();
    if let Some(rest) = msg.strip_prefix("line ") {
        // "line 2 column 2: message"
        if let Some(i) = rest.find(": ") {
            msg = &rest[i + 2..];
        }
    }
    let msg = msg.find(" at line ").map_or(msg, |i| &msg[..i]);
    let msg = msg
        .find(", set DuplicateKeyPolicy")
        .map_or(msg, |i| &msg[..i]);
    msg.trim_end_matches(':').to_owned()
}

/// The byte offset of a 1-based line and character column in `text`.
fn byte_at(text: &str, line: usize, column: usize) -> Option<usize> {
    let (start, l) = line_starts(text).nth(line.checked_sub(1)?)?;
    let col = l
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(l.trim_end_matches('\n').len(), |(i, _)| i);
    Some(start + col)
}

/// Nesting deeper than this is rejected before the TOML parser sees it.
const MAX_TOML_DEPTH: usize = 64;

/// Parses TOML text that starts at byte `offset` of its file.
pub fn parse_toml(text: &str, offset: usize) -> Result<Node, SyntaxError> {
    if let Some(at) = too_deep_toml(text) {
        return Err(SyntaxError {
            message: format!("values are nested too deeply (more than {MAX_TOML_DEPTH} levels)"),
            span: Some(offset + at..offset + at + 1),
        });
    }
    match toml::from_str::<TomlChild>(text) {
        Ok(TomlChild(mut node)) => {
            shift(&mut node, offset);
            Ok(node)
        }
        Err(e) => Err(SyntaxError {
            message: e.message().trim().to_owned(),
            span: e.span().map(|s| s.start + offset..s.end + offset),
        }),
    }
}

/// Finds the first bracket that opens a level deeper than [`MAX_TOML_DEPTH`]
/// (inline arrays/tables, or dotted table headers), ignoring strings loosely.
fn too_deep_toml(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (in_str, c) {
            (Some(q), c) if c == q => in_str = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => in_str = Some(c),
            (None, '[') | (None, '{') => {
                depth += 1;
                if depth > MAX_TOML_DEPTH {
                    return Some(i);
                }
            }
            (None, ']') | (None, '}') => depth = depth.saturating_sub(1),
            (None, '\n') => {}
            _ => {}
        }
    }
    for (i, line) in line_starts(text) {
        let l = line.trim_start();
        if l.starts_with('[') && l.matches('.').count() > MAX_TOML_DEPTH {
            return Some(i);
        }
    }
    None
}

fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |l| {
        let s = start;
        start += l.len();
        (s, l)
    })
}

fn shift(node: &mut Node, offset: usize) {
    node.span = node.span.start + offset..node.span.end + offset;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, offset)),
        Value::Map(entries) => {
            for (k, v) in entries {
                k.span = k.span.start + offset..k.span.end + offset;
                shift(v, offset);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_short_and_long_read_back_the_same() {
        let long = "a-key-longer-than-twenty-two-bytes";
        for text in ["", "touchpoints", "opportunity", "ñandú", long] {
            let name = Name::new(text);
            assert_eq!(&*name, text);
            assert!(name == text);
            assert_eq!(name.to_string(), text);
            assert_eq!(Name::from(text.to_owned()), name);
        }
        assert!(matches!(Name::new("touchpoints").0, Repr::Inline { .. }));
        assert!(matches!(Name::new(long).0, Repr::Heap(_)));
    }

    fn get<'a>(n: &'a Node, key: &str) -> (&'a Key, &'a Node) {
        match &n.value {
            Value::Map(e) => e
                .iter()
                .find(|(k, _)| k.name == key)
                .map(|(k, v)| (k, v))
                .unwrap(),
            _ => panic!("not a map"),
        }
    }

    #[test]
    fn yaml_spans_point_at_keys_and_values() {
        let text = "name: Carla\nlist:\n  - a\n  - bb\n";
        let n = parse_yaml(text, 10).unwrap();
        let (k, v) = get(&n, "name");
        assert_eq!(k.span.start, 10);
        assert_eq!(&text[v.span.start - 10..v.span.end - 10], "Carla");
        let (_, l) = get(&n, "list");
        let Value::Seq(items) = &l.value else {
            panic!()
        };
        assert_eq!(
            &text[items[1].span.start - 10..items[1].span.end - 10],
            "bb"
        );
    }

    #[test]
    fn toml_spans_point_at_keys_and_values() {
        let text = "name = \"Carla\"\nlist = [\"a\", \"bb\"]\n";
        let n = parse_toml(text, 0).unwrap();
        let (k, v) = get(&n, "name");
        assert_eq!(&text[k.span.clone()], "name");
        assert_eq!(&text[v.span.clone()], "\"Carla\"");
        let (_, l) = get(&n, "list");
        let Value::Seq(items) = &l.value else {
            panic!()
        };
        assert_eq!(&text[items[1].span.clone()], "\"bb\"");
    }

    #[test]
    fn yaml_errors_have_a_location() {
        let e = parse_yaml("a: [1, 2\nb: 3\n", 0).unwrap_err();
        assert!(e.span.is_some(), "{e:?}");
        let e = parse_yaml("a: 1\na: 2\n", 0).unwrap_err();
        assert!(e.message.contains("duplicate"), "{e:?}");
    }

    #[test]
    fn alias_bomb_is_rejected() {
        let mut y = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            y.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let start = std::time::Instant::now();
        assert!(parse_yaml(&y, 0).is_err());
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let y = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_yaml(&y, 0).is_err());
        let t = format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_toml(&t, 0).is_err());
    }
}
