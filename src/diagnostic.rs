//! One diagnostic type for every problem journeydoc finds, and the three ways
//! it is printed: text for people (rustc style), JSON for tools, and GitHub
//! Actions workflow commands for pull requests.
//!
//! A diagnostic stores a byte span into its file; line and column are worked
//! out only when printing, from the file text kept in [`Sources`]. Columns are
//! 1-based and count characters, not bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A problem in the content or configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, kebab-case name for the kind of problem (`unknown-touchpoint`).
    pub code: &'static str,
    /// Path relative to the handbook root, with `/` separators.
    pub file: Option<String>,
    /// Byte range in the file; `None` points at the whole file.
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: None,
            span: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, file: &str, span: Range<usize>) -> Self {
        self.file = Some(file.to_owned());
        self.span = Some(span);
        self
    }

    pub fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_owned());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// The text of every file diagnostics may point into, by relative path.
pub type Sources = BTreeMap<String, Arc<str>>;

/// A 1-based position, in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The start and end positions of a span in `text`.
pub fn locate(text: &str, span: &Range<usize>) -> (Position, Position) {
    (
        position(text, span.start),
        position(text, span.end.max(span.start)),
    )
}

fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// The `line`-th line of `text` (1-based), without its line ending.
fn line_text(text: &str, line: usize) -> &str {
    text.split('\n')
        .nth(line - 1)
        .unwrap_or("")
        .trim_end_matches('\r')
}

/// Sorted for stable output: by file, then position, then message.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.span.as_ref().map(|s| s.start), &a.message).cmp(&(
            &b.file,
            b.span.as_ref().map(|s| s.start),
            &b.message,
        ))
    });
}

/// Counts of errors and warnings.
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diags.len() - errors)
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
}

/// Human-readable diagnostics, rustc style:
///
/// ```text
/// content/journeys/carla/activity.md:12:23: error: unknown touchpoint `call-center`
///    |
/// 12 |         touchpoints: [call-center]
///    |                       ^^^^^^^^^^^
///    = help: did you mean `call-centre`?
/// ```
pub fn render_text<D: std::borrow::Borrow<Diagnostic> + Sync>(
    diags: &[D],
    sources: &Sources,
    color: bool,
) -> String {
    use rayon::prelude::*;
    let style = Style { on: color };
    // Each on its own (11,000 warnings at 10,000 journeys: a tenth of
    // `check`), joined in order.
    let parts: Vec<String> = diags
        .par_iter()
        .with_min_len(64)
        .map(|d| render_one(d.borrow(), sources, &style))
        .collect();
    parts.concat()
}

/// One diagnostic as [`render_text`] writes it.
fn render_one(d: &Diagnostic, sources: &Sources, style: &Style) -> String {
    let mut out = String::new();
    let sev = match d.severity {
        Severity::Error => style.paint("1;31", "error"),
        Severity::Warning => style.paint("1;33", "warning"),
    };
    let text = d.file.as_ref().and_then(|f| sources.get(f));
    let at = match (&d.span, text) {
        (Some(span), Some(text)) => Some((text, locate(text, span))),
        _ => None,
    };
    let loc = match (&d.file, &at) {
        (Some(f), Some((_, (p, _)))) => format!("{f}:{}:{}: ", p.line, p.column),
        (Some(f), None) => format!("{f}: "),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{}{sev}: {} [{}]",
        style.paint("1", &loc),
        style.paint("1", &d.message),
        d.code
    );
    if let Some((text, (start, end))) = at {
        let line = line_text(text, start.line);
        let num = start.line.to_string();
        let pad = " ".repeat(num.len());
        let width = if end.line == start.line {
            end.column.saturating_sub(start.column).max(1)
        } else {
            line.chars().count().saturating_sub(start.column - 1).max(1)
        };
        let shown: String = line.replace('\t', " ");
        let _ = writeln!(out, "{pad} {}", style.paint("1;34", "|"));
        let _ = writeln!(out, "{num} {} {shown}", style.paint("1;34", "|"));
        let caret = format!("{}{}", " ".repeat(start.column - 1), "^".repeat(width));
        let caret_color = if d.severity == Severity::Error {
            "1;31"
        } else {
            "1;33"
        };
        let _ = writeln!(
            out,
            "{pad} {} {}",
            style.paint("1;34", "|"),
            style.paint(caret_color, &caret)
        );
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{pad} {} {help}", style.paint("1;34", "= help:"));
        }
    } else if let Some(help) = &d.help {
        let _ = writeln!(out, "  {} {help}", style.paint("1;34", "= help:"));
    }
    out.push('\n');
    out
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end: Option<Position>,
    severity: Severity,
    code: &'a str,
    message: &'a str,
    help: Option<&'a str>,
}

/// One JSON array of diagnostics; `line`/`column` are 1-based, `end` is the
/// position just after the bad value.
pub fn render_json(diags: &[Diagnostic], sources: &Sources) -> String {
    let items: Vec<JsonDiagnostic> = diags
        .iter()
        .map(|d| {
            let pos = match (&d.file, &d.span) {
                (Some(f), Some(span)) => sources.get(f).map(|t| locate(t, span)),
                _ => None,
            };
            JsonDiagnostic {
                file: d.file.as_deref(),
                line: pos.map(|p| p.0.line),
                column: pos.map(|p| p.0.column),
                end: pos.map(|p| p.1),
                severity: d.severity,
                code: d.code,
                message: &d.message,
                help: d.help.as_deref(),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).expect("diagnostics serialise");
    s.push('\n');
    s
}

/// GitHub Actions workflow commands, one line per diagnostic.
pub fn render_github(diags: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diags {
        let mut props = Vec::new();
        if let Some(f) = &d.file {
            props.push(format!("file={}", escape_property(f)));
            if let (Some(span), Some(text)) = (&d.span, sources.get(f)) {
                let (s, e) = locate(text, span);
                props.push(format!("line={}", s.line));
                props.push(format!("col={}", s.column));
                if e.line == s.line && e.column > s.column {
                    props.push(format!("endColumn={}", e.column));
                }
            }
        }
        props.push(format!("title={}", escape_property(d.code)));
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        let _ = writeln!(
            out,
            "::{} {}::{}",
            d.severity.as_str(),
            props.join(","),
            escape_data(&msg)
        );
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_lines() {
        let t = "ab\nñx: y\r\nz";
        assert_eq!(position(t, 0), Position { line: 1, column: 1 });
        let off = t.find('x').unwrap();
        assert_eq!(position(t, off), Position { line: 2, column: 2 });
        assert_eq!(position(t, t.len()), Position { line: 3, column: 2 });
        assert_eq!(line_text(t, 2), "ñx: y");
    }

    #[test]
    fn text_output_has_location_source_line_caret_and_help() {
        let mut sources = Sources::new();
        sources.insert("a.md".into(), Arc::from("---\nlens: actvity\n---\n"));
        let d = Diagnostic::error("unknown-lens", "unknown lens `actvity`")
            .at("a.md", 10..17)
            .help("did you mean `activity`?");
        let out = render_text(&[d], &sources, false);
        assert_eq!(
            out,
            "a.md:2:7: error: unknown lens `actvity` [unknown-lens]\n  |\n2 | lens: actvity\n  |       ^^^^^^^\n  = help: did you mean `activity`?\n\n"
        );
    }

    #[test]
    fn github_output_escapes() {
        let mut sources = Sources::new();
        sources.insert("a,b.md".into(), Arc::from("x"));
        let d = Diagnostic::warning("w", "50% done\nnext").at("a,b.md", 0..1);
        assert_eq!(
            render_github(&[d], &sources),
            "::warning file=a%2Cb.md,line=1,col=1,endColumn=2,title=w::50%25 done%0Anext\n"
        );
    }
}
