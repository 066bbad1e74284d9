//! Typed reading of a front-matter or `book.toml` map, collecting problems.
//!
//! [`Fields`] hands out the keys a caller asks for, checks their types, and on
//! [`Fields::finish`] reports every key nobody asked for as unknown, with the
//! closest known key. This is what makes a misspelt `emotoin` an error rather
//! than silently dropped data. It never stops at the first problem.

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::node::{Key, Node, Value};
use crate::text::did_you_mean;

/// A value and the byte span it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Spanned { value, span }
    }
}

impl<T: serde::Serialize> serde::Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// Where diagnostics of the file being read go.
pub struct Ctx<'a> {
    pub file: &'a str,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub fn error(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        msg: String,
        help: Option<String>,
    ) {
        self.diags.push(
            Diagnostic::error(code, msg)
                .at(self.file, span)
                .help_opt(help),
        );
    }
}

/// The keys of one map, handed out once each.
pub struct Fields<'n> {
    /// What this map is, for messages ("step", "persona front matter").
    what: &'static str,
    span: Range<usize>,
    entries: Vec<(&'n Key, &'n Node, bool)>,
}

impl<'n> Fields<'n> {
    /// Reads `node` as a map; reports and returns `None` if it is not one.
    pub fn new(ctx: &mut Ctx, node: &'n Node, what: &'static str) -> Option<Self> {
        match &node.value {
            Value::Map(entries) => Some(Fields {
                what,
                span: node.span.clone(),
                entries: entries.iter().map(|(k, v)| (k, v, false)).collect(),
            }),
            Value::Null => Some(Fields {
                what,
                span: node.span.clone(),
                entries: Vec::new(),
            }),
            other => {
                ctx.error(
                    "wrong-type",
                    node.span.clone(),
                    format!(
                        "expected a map of fields for the {what}, found {}",
                        other.kind()
                    ),
                    None,
                );
                None
            }
        }
    }

    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The raw node of `key`, if present (a YAML `~`/null counts as absent).
    pub fn take(&mut self, key: &str) -> Option<&'n Node> {
        let e = self.entries.iter_mut().find(|(k, _, _)| k.name == key)?;
        e.2 = true;
        if e.1.value == Value::Null {
            None
        } else {
            Some(e.1)
        }
    }

    /// Is `key` present at all (even if unread so far)?
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _, _)| k.name == key)
    }

    pub fn string(&mut self, ctx: &mut Ctx, key: &str) -> Option<Spanned<String>> {
        let node = self.take(key)?;
        as_string(ctx, node, key)
    }

    /// A required text field: a missing one is reported at the map.
    pub fn required(&mut self, ctx: &mut Ctx, key: &str) -> Option<Spanned<String>> {
        let v = self.string(ctx, key);
        if v.is_none() && !self.has(key) {
            ctx.error(
                "missing-field",
                self.span.start..self.span.start,
                format!("missing required field `{key}` in the {}", self.what),
                Some(format!("add `{key}: …` to the {}", self.what)),
            );
        } else if let Some(s) = &v
            && s.value.trim().is_empty()
        {
            ctx.error(
                "missing-field",
                s.span.clone(),
                format!("required field `{key}` is empty"),
                None,
            );
            return None;
        }
        v
    }

    /// A list of ids (touchpoints), each shared with the same id in the
    /// other files this thread reads (see [`shared_id`]); a single id is
    /// taken as a list of one.
    pub fn ids(&mut self, ctx: &mut Ctx, key: &str) -> Vec<Spanned<Arc<str>>> {
        let Some(node) = self.take(key) else {
            return Vec::new();
        };
        match &node.value {
            Value::Seq(items) => {
                exact(items.len(), items.iter().filter_map(|n| as_id(ctx, n, key)))
            }
            _ => as_id(ctx, node, key).into_iter().collect(),
        }
    }

    /// One id (an owner), shared like those of [`Fields::ids`].
    pub fn id(&mut self, ctx: &mut Ctx, key: &str) -> Option<Spanned<Arc<str>>> {
        let node = self.take(key)?;
        as_id(ctx, node, key)
    }

    /// A list of texts; a single text is taken as a list of one.
    pub fn strings(&mut self, ctx: &mut Ctx, key: &str) -> Vec<Spanned<String>> {
        let Some(node) = self.take(key) else {
            return Vec::new();
        };
        match &node.value {
            Value::Seq(items) => exact(
                items.len(),
                items.iter().filter_map(|n| as_string(ctx, n, key)),
            ),
            _ => as_string(ctx, node, key).into_iter().collect(),
        }
    }

    pub fn bool(&mut self, ctx: &mut Ctx, key: &str) -> Option<bool> {
        self.typed(ctx, key, "true or false", |v| match v {
            Value::Bool(b) => Some(*b),
            _ => None,
        })
        .map(|b| b.value)
    }

    pub fn int(&mut self, ctx: &mut Ctx, key: &str) -> Option<Spanned<i64>> {
        self.typed(ctx, key, "a whole number", |v| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        })
    }

    pub fn number(&mut self, ctx: &mut Ctx, key: &str) -> Option<Spanned<f64>> {
        self.typed(ctx, key, "a number", |v| match v {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        })
    }

    /// A scalar `convert` accepts; anything else is a `wrong-type` error
    /// saying what was `expected`.
    fn typed<T>(
        &mut self,
        ctx: &mut Ctx,
        key: &str,
        expected: &str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let node = self.take(key)?;
        let value = convert(&node.value);
        if value.is_none() {
            ctx.error(
                "wrong-type",
                node.span.clone(),
                format!("`{key}` must be {expected}, found {}", node.value.kind()),
                None,
            );
        }
        value.map(|v| Spanned::new(v, node.span.clone()))
    }

    /// A nested list of maps (stages, steps).
    pub fn list(&mut self, ctx: &mut Ctx, key: &str) -> Vec<&'n Node> {
        let Some(node) = self.take(key) else {
            return Vec::new();
        };
        match &node.value {
            Value::Seq(items) => items.iter().collect(),
            other => {
                ctx.error(
                    "wrong-type",
                    node.span.clone(),
                    format!("`{key}` must be a list, found {}", other.kind()),
                    None,
                );
                Vec::new()
            }
        }
    }

    /// Reports every key not taken as unknown, suggesting the closest of `known`.
    pub fn finish(self, ctx: &mut Ctx, known: &[&str]) {
        for (key, _, used) in self.entries {
            if used {
                continue;
            }
            let help = did_you_mean(&key.name, known.iter().copied()).or_else(|| {
                Some(format!(
                    "known fields of a {}: {}",
                    self.what,
                    known.join(", ")
                ))
            });
            ctx.error(
                "unknown-field",
                key.span.clone(),
                format!("unknown field `{}` in the {}", key.name, self.what),
                help,
            );
        }
    }
}

/// Collects the values of a list of `n` items without the spare room a
/// growing vector keeps (a filtered iterator starts at room for 4 and
/// doubles: a stage of 5 steps held room for 8). The model keeps these
/// vectors for the whole run.
pub fn exact<T>(n: usize, items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::with_capacity(n);
    out.extend(items);
    // Fewer only when some items had errors.
    if out.len() < n {
        out.shrink_to_fit();
    }
    out
}

fn as_id(ctx: &mut Ctx, node: &Node, key: &str) -> Option<Spanned<Arc<str>>> {
    match &node.value {
        Value::Str(s) => Some(Spanned::new(shared_id(s), node.span.clone())),
        _ => as_string(ctx, node, key).map(|s| Spanned::new(shared_id(&s.value), s.span)),
    }
}

/// One copy per thread of each id read: 600,000 touchpoint and owner
/// references at 10,000 generated journeys name a few hundred ids. Each
/// reference allocating its own copy (and resolve then freeing it for a
/// shared one) left glibc's free lists so fragmented that every later
/// allocation slowed down: +1.5 s of CPU over the build at 10k.
pub fn shared_id(s: &str) -> Arc<str> {
    use std::cell::RefCell;
    use std::collections::HashSet;
    thread_local! {
        static IDS: RefCell<HashSet<Arc<str>>> = RefCell::new(HashSet::new());
    }
    IDS.with_borrow_mut(|ids| {
        if let Some(id) = ids.get(s) {
            return Arc::clone(id);
        }
        // Bounded for a long `serve`: ids come and go as files are edited.
        if ids.len() >= 1 << 16 {
            ids.clear();
        }
        let id: Arc<str> = s.into();
        ids.insert(Arc::clone(&id));
        id
    })
}

fn as_string(ctx: &mut Ctx, node: &Node, key: &str) -> Option<Spanned<String>> {
    let s = match &node.value {
        Value::Str(s) => s.clone(),
        // Numbers and booleans are fine as text (`duration: 5`).
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        other => {
            ctx.error(
                "wrong-type",
                node.span.clone(),
                format!("`{key}` must be text, found {}", other.kind()),
                None,
            );
            return None;
        }
    };
    Some(Spanned::new(s, node.span.clone()))
}

/// Any value as JSON, for `extra` (handed to templates as written).
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.to_string(), to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::exact;

    #[test]
    fn exact_keeps_the_order_and_no_spare_room() {
        let all = exact(5, (1..=5).map(|i| i * 10));
        assert_eq!(all, [10, 20, 30, 40, 50]);
        assert_eq!(all.capacity(), 5);
        // Items with errors are left out: the room shrinks to what is kept.
        let some = exact(5, (1..=5).filter(|i| i % 2 == 1));
        assert_eq!(some, [1, 3, 5]);
        assert_eq!(some.capacity(), 3);
        assert!(exact(0, std::iter::empty::<u8>()).is_empty());
    }
}
