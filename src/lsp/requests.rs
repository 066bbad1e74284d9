//! The requests that ask about a position (completion, hover, definition,
//! references, rename) and the outline: each turns the protocol's params
//! into a [`Cursor`], asks [`super::features`], and turns the answer back
//! into the protocol's types.

use std::path::Path;
use std::sync::Arc;

use lsp_server::ErrorCode;
use lsp_types as lt;
use lsp_types::Url;
use serde_json::Value;

use super::book::{self, Book};
use super::features::{self, Doc as FDoc, Target};
use super::position::LineIndex;
use super::{Answer, Server, context, to_value};

impl<W: std::io::Write> Server<W> {
    /// The cursor of a request: the open document, its handbook (loaded),
    /// its path in it, the byte offset and the context there. `None` when
    /// the file is not open, in no handbook, or the handbook is not loaded.
    fn cursor(&self, tp: &lt::TextDocumentPositionParams) -> Option<Cursor<'_>> {
        let open = self.docs.get(&tp.text_document.uri)?;
        let book = self.books.get(open.root.as_ref()?)?;
        let h = &book.run.as_ref()?.handbook;
        let rel = book.rel(&open.path)?;
        let offset = LineIndex::new(&open.text).offset(tp.position);
        Some(Cursor {
            book,
            h,
            rel,
            text: &open.text,
            offset,
            ctx: context::at(&open.text, offset),
        })
    }

    pub(super) fn completion(&mut self, p: lt::CompletionParams) -> Answer {
        let Some(c) = self.cursor(&p.text_document_position) else {
            return Ok(Value::Null);
        };
        let index = LineIndex::new(c.text);
        let items: Vec<lt::CompletionItem> = features::complete(c.h, &c.doc(), &c.ctx, c.offset)
            .into_iter()
            .enumerate()
            .map(|(i, it)| lt::CompletionItem {
                label: it.label.clone(),
                kind: Some(if it.field {
                    lt::CompletionItemKind::FIELD
                } else {
                    lt::CompletionItemKind::VALUE
                }),
                detail: it.detail,
                sort_text: Some(format!("{i:05}")),
                filter_text: Some(it.insert.clone()),
                text_edit: Some(lt::CompletionTextEdit::Edit(lt::TextEdit::new(
                    index.range(&it.replace),
                    it.insert,
                ))),
                ..Default::default()
            })
            .collect();
        to_value(lt::CompletionResponse::List(lt::CompletionList {
            is_incomplete: false,
            items,
        }))
    }

    pub(super) fn hover(&mut self, p: lt::HoverParams) -> Answer {
        let Some(c) = self.cursor(&p.text_document_position_params) else {
            return Ok(Value::Null);
        };
        let Some((text, range)) = features::hover(c.h, &c.doc(), &c.ctx) else {
            return Ok(Value::Null);
        };
        to_value(lt::Hover {
            contents: lt::HoverContents::Markup(lt::MarkupContent {
                kind: lt::MarkupKind::Markdown,
                value: text,
            }),
            range: Some(LineIndex::new(c.text).range(&range)),
        })
    }

    /// The id under the cursor of a request.
    fn target(&self, tp: &lt::TextDocumentPositionParams) -> Option<(&Book, Target)> {
        let c = self.cursor(tp)?;
        features::target(c.h, &c.doc(), &c.ctx).map(|(t, _)| (c.book, t))
    }

    pub(super) fn definition(&mut self, p: lt::GotoDefinitionParams) -> Answer {
        let Some((book, t)) = self.target(&p.text_document_position_params) else {
            return Ok(Value::Null);
        };
        match definition(book, &t) {
            Some(l) => to_value(lt::GotoDefinitionResponse::Scalar(l)),
            None => Ok(Value::Null),
        }
    }

    pub(super) fn references(&mut self, p: lt::ReferenceParams) -> Answer {
        self.fresh(&p.text_document_position.text_document.uri);
        let Some((book, t)) = self.target(&p.text_document_position) else {
            return Ok(Value::Null);
        };
        let h = &book.run.as_ref().expect("targeted").handbook;
        let mut out = Vec::new();
        if p.context.include_declaration {
            out.extend(definition(book, &t));
        }
        for (file, text, span) in features::references(h, &t) {
            if let Some(uri) = book.uri(&file) {
                let text = self.current(&uri).unwrap_or(text);
                out.push(lt::Location::new(uri, LineIndex::new(&text).range(&span)));
            }
        }
        to_value(out)
    }

    /// The text of an open document.
    fn current(&self, uri: &Url) -> Option<Arc<str>> {
        self.docs.get(uri).map(|d| d.text.clone())
    }

    pub(super) fn rename(&mut self, p: lt::RenameParams) -> Answer {
        let tp = p.text_document_position;
        self.fresh(&tp.text_document.uri);
        let Some((book, t)) = self.target(&tp) else {
            return Err((
                ErrorCode::InvalidParams,
                "nothing to rename here: put the cursor on an id".into(),
            ));
        };
        let h = &book.run.as_ref().expect("targeted").handbook;
        let can_move = self.client.document_changes && self.client.rename_files;
        let new = p.new_name.trim();
        let plan =
            features::rename(h, &t, new, can_move).map_err(|e| (ErrorCode::InvalidParams, e))?;
        let mut edits: Vec<(Url, Vec<lt::TextEdit>)> = Vec::new();
        for (file, (text, list)) in &plan.edits {
            let Some(uri) = book.uri(file) else { continue };
            let index = LineIndex::new(text);
            let list = list
                .iter()
                .map(|(s, t)| lt::TextEdit::new(index.range(s), t.clone()))
                .collect();
            edits.push((uri, list));
        }
        let edit = if self.client.document_changes {
            let mut ops: Vec<lt::DocumentChangeOperation> = edits
                .into_iter()
                .map(|(uri, list)| {
                    let version = self.docs.get(&uri).map(|d| d.version);
                    lt::DocumentChangeOperation::Edit(lt::TextDocumentEdit {
                        text_document: lt::OptionalVersionedTextDocumentIdentifier { uri, version },
                        edits: list.into_iter().map(lt::OneOf::Left).collect(),
                    })
                })
                .collect();
            if let Some((from, to)) = &plan.moved
                && let (Some(old_uri), Some(new_uri)) = (book.uri(from), book.uri(to))
            {
                ops.push(lt::DocumentChangeOperation::Op(lt::ResourceOp::Rename(
                    lt::RenameFile {
                        old_uri,
                        new_uri,
                        options: Some(lt::RenameFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(false),
                        }),
                        annotation_id: None,
                    },
                )));
            }
            lt::WorkspaceEdit {
                document_changes: Some(lt::DocumentChanges::Operations(ops)),
                ..Default::default()
            }
        } else {
            lt::WorkspaceEdit {
                changes: Some(edits.into_iter().collect()),
                ..Default::default()
            }
        };
        to_value(edit)
    }

    /// Makes sure the last load of the handbook of `uri` has the editor's
    /// current texts (references and renames give positions in them), loading
    /// it here and now if not.
    fn fresh(&mut self, uri: &Url) {
        let Some(root) = self.docs.get(uri).and_then(|d| d.root.clone()) else {
            return;
        };
        let fresh = self
            .books
            .get(&root)
            .is_some_and(|b| !b.loading && !self.due.contains_key(&root) && b.run.is_some());
        if !fresh {
            self.load_now(&root);
        }
    }

    fn load_now(&mut self, root: &Path) {
        let overlay = self.overlay(root);
        let Some(book) = self.books.get_mut(root) else {
            return;
        };
        if let Ok(run) = book::load(root, &book.cache, &overlay) {
            book.run = Some(run);
        }
    }

    pub(super) fn symbols(&mut self, p: lt::DocumentSymbolParams) -> Answer {
        let Some(open) = self.docs.get(&p.text_document.uri) else {
            return Ok(Value::Null);
        };
        let Some(book) = open.root.as_ref().and_then(|r| self.books.get(r)) else {
            return Ok(Value::Null);
        };
        let Some(rel) = book.rel(&open.path) else {
            return Ok(Value::Null);
        };
        let Some(content_rel) = rel.strip_prefix(&book.content_prefix()) else {
            return Ok(Value::Null);
        };
        let Ok(file) = crate::source::from_text(&rel, content_rel, open.text.clone()) else {
            return Ok(Value::Null);
        };
        let mut ignored = Vec::new();
        let Some(crate::parse::Parsed::Journey(j)) = crate::parse::parse_file(&file, &mut ignored)
        else {
            return to_value(Vec::<lt::DocumentSymbol>::new());
        };
        let index = LineIndex::new(&open.text);
        let symbol = |name: String,
                      detail: Option<String>,
                      kind,
                      span: &std::ops::Range<usize>,
                      select: &std::ops::Range<usize>,
                      children| {
            let range = index.range(span);
            let mut selection = index.range(select);
            if selection.start < range.start || selection.end > range.end {
                selection = range;
            }
            #[allow(deprecated)]
            lt::DocumentSymbol {
                name: if name.trim().is_empty() {
                    "·".into()
                } else {
                    name
                },
                detail,
                kind,
                tags: None,
                deprecated: None,
                range,
                selection_range: selection,
                children,
            }
        };
        let out: Vec<lt::DocumentSymbol> =
            j.stages
                .iter()
                .map(|stage| {
                    let steps = stage
                        .steps
                        .iter()
                        .map(|s| {
                            let detail =
                                s.emotion.map(|e| {
                                    e.word(book.run.as_ref().map_or_else(Default::default, |r| {
                                        r.handbook.config.language
                                    }))
                                    .to_owned()
                                });
                            symbol(
                                s.action.clone(),
                                detail,
                                lt::SymbolKind::EVENT,
                                &s.span,
                                &s.span,
                                None,
                            )
                        })
                        .collect();
                    symbol(
                        stage.name.value.clone(),
                        None,
                        lt::SymbolKind::NAMESPACE,
                        &stage.span,
                        &stage.name.span,
                        Some(steps),
                    )
                })
                .collect();
        to_value(out)
    }
}

/// Where a request's cursor is (see [`Server::cursor`]).
struct Cursor<'a> {
    book: &'a Book,
    h: &'a crate::resolve::Handbook,
    rel: String,
    text: &'a str,
    offset: usize,
    ctx: context::Context,
}

impl Cursor<'_> {
    fn doc(&self) -> FDoc<'_> {
        fdoc(self.book, &self.rel, self.text)
    }
}

fn fdoc<'a>(book: &Book, rel: &'a str, text: &'a str) -> FDoc<'a> {
    let kind = rel
        .strip_prefix(&book.content_prefix())
        .filter(|r| r.ends_with(".md"))
        .map(crate::source::kind_of);
    FDoc {
        file: rel,
        kind,
        text,
    }
}

/// Where `t` is defined: its file (at its `id:` when it writes one), or
/// for what `book.toml` defines, the line there.
fn definition(book: &Book, t: &Target) -> Option<lt::Location> {
    let h = &book.run.as_ref()?.handbook;
    if let Some(m) = features::meta(h, t) {
        let range = features::explicit_id(m)
            .map(|s| LineIndex::new(&m.source).range(&s))
            .unwrap_or_default();
        return Some(lt::Location::new(book.uri(&m.file)?, range));
    }
    let toml = std::fs::read_to_string(book.root.join(crate::config::FILE)).ok()?;
    let id = match t.of {
        features::Of::System => h.system_id(&t.id)?,
        _ => t.id.clone(),
    };
    let wanted = |line: &str| {
        let l = line.trim();
        match t.of {
            features::Of::Lens => l == format!("[lenses.{id}]"),
            _ => l
                .strip_prefix(id.as_str())
                .is_some_and(|r| r.trim_start().starts_with('=')),
        }
    };
    let (n, line) = toml.lines().enumerate().find(|(_, l)| wanted(l))?;
    let start = line.len() - line.trim_start().len();
    let range = lt::Range::new(
        lt::Position::new(n as u32, start as u32),
        lt::Position::new(n as u32, line.trim_end().len() as u32),
    );
    Some(lt::Location::new(book.uri(crate::config::FILE)?, range))
}
