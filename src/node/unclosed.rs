//! Where an unclosed `[`, `{` or quote of YAML front matter was opened.
//!
//! A YAML parser notices a missing `]` or closing quote only where the text
//! stops making sense, often a line later, and its message there ("illegal
//! placement of ':' indicator") points the author the wrong way. Like
//! rustc's "unclosed delimiter", this scan finds the opener that is still
//! open at that point, so the diagnostic can point at it.

/// What is still open at byte `stop` of `text`: the opener's byte offset and
/// the character that closes it. Flow collections and quoted scalars are
/// recognised where YAML starts a value: at the start of a line, or after
/// `: `, `- `, `[`, `{` or `,`; comments are skipped.
pub fn unclosed_at(text: &str, stop: usize) -> Option<(usize, char)> {
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut quote: Option<(usize, char)> = None;
    // The last character that was not a space on this line (None: none yet).
    let mut before: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if i >= stop {
            break;
        }
        if let Some((_, q)) = quote {
            match c {
                '\\' if q == '"' => {
                    chars.next();
                }
                '\'' if q == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') => {
                    chars.next();
                }
                _ if c == q => {
                    quote = None;
                    before = Some(c);
                }
                _ => {}
            }
            continue;
        }
        let starts_value = matches!(before, None | Some(':' | '-' | '[' | '{' | ','));
        match c {
            '\n' => {
                before = None;
                continue;
            }
            ' ' | '\t' | '\r' => continue,
            '#' if before.is_none() || text[..i].ends_with([' ', '\t']) => {
                // A comment, to the end of the line.
                while chars.peek().is_some_and(|(_, n)| *n != '\n') {
                    chars.next();
                }
                continue;
            }
            '"' | '\'' if starts_value => quote = Some((i, c)),
            '[' if starts_value || !open.is_empty() => open.push((i, ']')),
            '{' if starts_value || !open.is_empty() => open.push((i, '}')),
            ']' | '}' if open.last().is_some_and(|(_, close)| *close == c) => {
                open.pop();
            }
            _ => {}
        }
        before = Some(c);
    }
    quote.or_else(|| open.last().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_end(text: &str) -> Option<(usize, char)> {
        unclosed_at(text, text.len())
    }

    #[test]
    fn finds_the_innermost_opener_still_open() {
        let t = "name: Lucía\ngoals: [rápido, barato\nneeds: [x]\n";
        let open = t.find('[').unwrap();
        assert_eq!(unclosed_at(t, t.rfind(':').unwrap()), Some((open, ']')));
        assert_eq!(at_end("a: {b: [1, 2]"), Some((3, '}')));
        assert_eq!(at_end("a: \"open\nb: 1\n"), Some((3, '"')));
        assert_eq!(at_end("a: 'it''s\n"), Some((3, '\'')));
    }

    #[test]
    fn closed_and_plain_text_is_not_open() {
        for t in [
            "goals: [a, b]\nneeds: {x: 1}\n",
            "goals: [a,\n  b]\n",
            "pain: it's slow [sometimes]\n",
            "quote: \"she said \\\"no\\\"\"\n",
            "a: 'it''s'\n",
            "a: b # a comment with [ and \"\n",
            "- [a, b]\n- {c: d}\n",
        ] {
            assert_eq!(at_end(t), None, "{t}");
        }
    }
}
