//! Byte offsets ↔ LSP positions (line, UTF-16 code unit), the protocol's
//! default encoding. Pure.

use lsp_types::{Position, Range};

/// Where each line of a text starts, for converting back and forth.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, moved back to a
    /// character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col: usize = self.text[self.starts[line]..offset]
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(line as u32, col as u32)
    }

    pub fn range(&self, span: &std::ops::Range<usize>) -> Range {
        Range::new(
            self.position(span.start),
            self.position(span.end.max(span.start)),
        )
    }

    /// The byte offset of `pos`: a line past the end is the end of the
    /// text, a column past the end of its line is the line's end, a column
    /// inside a surrogate pair is the character's start.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let line = &self.text[start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units + c.len_utf16() > pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_round_trip() {
        let t = "ab\ncd\n";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(0), Position::new(0, 0));
        assert_eq!(ix.position(4), Position::new(1, 1));
        assert_eq!(ix.position(6), Position::new(2, 0));
        assert_eq!(ix.offset(Position::new(1, 1)), 4);
        assert_eq!(ix.offset(Position::new(9, 0)), 6);
        assert_eq!(ix.offset(Position::new(0, 99)), 2);
    }

    #[test]
    fn utf16_columns() {
        // `é` is 2 bytes and 1 UTF-16 unit; `😀` is 4 bytes and 2 units.
        let t = "é😀x\r\ny";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(2), Position::new(0, 1));
        assert_eq!(ix.position(6), Position::new(0, 3));
        assert_eq!(ix.position(3), Position::new(0, 1), "inside 😀: its start");
        assert_eq!(ix.offset(Position::new(0, 3)), 6);
        assert_eq!(
            ix.offset(Position::new(0, 2)),
            2,
            "inside the pair: its start"
        );
        assert_eq!(ix.offset(Position::new(0, 9)), 7, "before the \\r");
        assert_eq!(ix.offset(Position::new(1, 1)), 10);
    }
}
