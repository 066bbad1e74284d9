//! Where a data file's problems are: a problem noted while streaming (a
//! row's byte offset and a cell index) becomes a diagnostic at the cell's
//! line and column, by reading the file once more (only a file with a
//! problem is). RFC 4180 cells: quoted ones may hold commas, doubled
//! quotes and line breaks.

use std::ops::Range;

use crate::diagnostic::{Diagnostic, Sources};

/// A problem found while streaming: where (the row's byte offset in the
/// file, cell index) and what.
pub(super) struct Pending {
    pub(super) at: u64,
    /// A duplicate's first row (file index, byte offset): named in the help.
    pub(super) first: Option<(u32, u64)>,
    pub(super) cell: usize,
    pub(super) code: &'static str,
    pub(super) message: String,
    pub(super) help: Option<String>,
}

/// A data file's text as read again for its diagnostics: the raw bytes'
/// offsets (the reader's, counting a BOM) and the text shown (without it).
struct Reread {
    text: std::sync::Arc<str>,
    bom: usize,
}

fn reread(bytes: &[u8]) -> Reread {
    let bom = if bytes.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let text = match std::str::from_utf8(&bytes[bom..]) {
        Ok(t) => std::sync::Arc::from(t),
        Err(_) => std::sync::Arc::from(String::from_utf8_lossy(&bytes[bom..]).as_ref()),
    };
    Reread { text, bom }
}

impl Reread {
    /// The reader's byte offset in the text shown. (A lossy text of a file
    /// that is not UTF-8 keeps offsets up to its first bad byte.)
    /// A record starts after the line break that ends the one before (the
    /// reader may count from inside a CRLF).
    fn offset(&self, at: u64) -> usize {
        let b = self.text.as_bytes();
        let mut i = usize::try_from(at)
            .unwrap_or(usize::MAX)
            .saturating_sub(self.bom)
            .min(b.len());
        while i < b.len() && matches!(b[i], b'\r' | b'\n') {
            i += 1;
        }
        i
    }

    fn line_of(&self, at: u64) -> usize {
        let end = self.offset(at);
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }
}

/// Turns a file's pending problems into diagnostics at their cells: reads
/// the file once more (only files with problems are), keeps its text in
/// `sources`.
pub(super) fn locate(
    files: &[String],
    i: usize,
    mut list: Vec<Pending>,
    bytes: &dyn Fn(&str) -> Vec<u8>,
    diags: &mut Vec<Diagnostic>,
    sources: &mut Sources,
) {
    let file = &files[i];
    let here = reread(&bytes(file));
    list.sort_by_key(|p| (p.at, p.cell));
    for p in list {
        let start = here.offset(p.at);
        let span = if p.cell == usize::MAX {
            start..start
        } else {
            cell_span(&here.text, start, p.cell)
        };
        let help = match p.first {
            Some((f, at)) => {
                let line = if f as usize == i {
                    here.line_of(at)
                } else {
                    reread(&bytes(&files[f as usize])).line_of(at)
                };
                Some(format!(
                    "`{}` line {line} measures it first; keep one row",
                    files[f as usize]
                ))
            }
            None => p.help,
        };
        diags.push(
            Diagnostic::error(p.code, p.message)
                .at(file, span)
                .help_opt(help),
        );
    }
    sources.insert(file.to_owned(), here.text);
}

/// The span of cell `k` of the record starting at `start` (RFC 4180: a
/// quoted cell runs to its closing quote, `""` inside it is a quote, and
/// may hold commas and line breaks). A cell past the end is the empty span
/// at the record's end.
pub fn cell_span(text: &str, start: usize, k: usize) -> Range<usize> {
    let b = text.as_bytes();
    let mut i = start.min(b.len());
    let mut cell = 0;
    loop {
        let from = i;
        if i < b.len() && b[i] == b'"' {
            i += 1;
            while i < b.len() {
                if b[i] == b'"' {
                    if b.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < b.len() && !matches!(b[i], b',' | b'\n' | b'\r') {
            i += 1;
        }
        if cell == k {
            return from..i;
        }
        if i >= b.len() || b[i] != b',' {
            return i..i;
        }
        i += 1;
        cell += 1;
    }
}
