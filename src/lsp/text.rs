//! Positions. The protocol counts lines from 0 and columns in UTF-16 code
//! units, and ends a line at `\n`, `\r\n` or `\r`; sopc's spans are byte
//! offsets. Every conversion goes through [`Lines`].

use crate::span::{floor_char_boundary, Span};
use lsp_types::{Position, Range};

/// The lines of one text, to convert between byte offsets and positions.
pub struct Lines<'a> {
    text: &'a str,
    /// The offset of each line's first byte.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        Lines { text, starts }
    }

    /// The position of a byte offset (clamped to the text, and to the start
    /// of the character it falls in).
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(
            self.position(span.start as usize),
            self.position(span.end as usize),
        )
    }

    /// The byte offset of a position, or `None` for a line past the end of
    /// the text. A column past the end of its line means the line's end (as
    /// the protocol says); one inside a character, that character's start.
    pub fn offset(&self, pos: Position) -> Option<usize> {
        let line = pos.line as usize;
        let start = *self.starts.get(line)?;
        let content = &self.text[start..self.line_end(line)];
        let mut units = 0;
        for (i, c) in content.char_indices() {
            units += c.len_utf16();
            if units > pos.character as usize {
                return Some(start + i);
            }
        }
        Some(start + content.len())
    }

    /// The byte range of a protocol range (`None` when either end is past
    /// the last line), its ends in order.
    pub fn span(&self, range: Range) -> Option<Span> {
        let a = self.offset(range.start)?;
        let b = self.offset(range.end)?;
        Some(Span::new(a.min(b), a.max(b)))
    }

    /// Where line `line` ends, before its line break.
    fn line_end(&self, line: usize) -> usize {
        let next = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let content = &self.text[self.starts[line]..next];
        let kept = content
            .strip_suffix("\r\n")
            .or_else(|| content.strip_suffix('\n'))
            .or_else(|| content.strip_suffix('\r'))
            .unwrap_or(content);
        self.starts[line] + kept.len()
    }

    /// The position just past the text's last character.
    pub fn end(&self) -> Position {
        self.position(self.text.len())
    }

    /// The whole text as a range.
    pub fn whole(&self) -> Range {
        Range::new(Position::new(0, 0), self.end())
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The text of the line holding `offset`, up to `offset`.
    pub fn line_before(&self, offset: usize) -> &'a str {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        &self.text[self.starts[line]..offset]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `é` is one UTF-16 unit and two bytes; `𝄞` two units and four bytes.
    #[test]
    fn columns_count_utf16_units() {
        let text = "ab\n  say \"é𝄞x\" # é\nend";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(lines.position(x), Position::new(1, 10));
        assert_eq!(lines.offset(Position::new(1, 10)), Some(x));
        let clef = text.find('𝄞').unwrap();
        assert_eq!(lines.position(clef), Position::new(1, 8));
        // The middle of the surrogate pair is the character's start.
        assert_eq!(lines.offset(Position::new(1, 9)), Some(clef));
        assert_eq!(lines.position(text.len()), Position::new(2, 3));
        for offset in text.char_indices().map(|(i, _)| i) {
            assert_eq!(lines.offset(lines.position(offset)), Some(offset));
        }
    }

    #[test]
    fn past_the_end_of_a_line_or_the_text() {
        let text = "one\r\ntwo\rthree\n";
        let lines = Lines::new(text);
        assert_eq!(lines.line_count(), 4);
        // A column past the line's end is the end, before its `\r\n`.
        assert_eq!(lines.offset(Position::new(0, 99)), Some(3));
        assert_eq!(lines.offset(Position::new(1, 99)), Some(8));
        assert_eq!(lines.offset(Position::new(2, 2)), Some(11));
        assert_eq!(lines.offset(Position::new(3, 0)), Some(text.len()));
        assert_eq!(lines.offset(Position::new(4, 0)), None);
        assert_eq!(lines.position(999), Position::new(3, 0));
    }
}
