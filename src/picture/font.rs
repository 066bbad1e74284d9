//! The one bundled font (Noto Sans, regular and bold, subset to Latin; SIL
//! Open Font License, `themes/default/fonts/`): measuring text for the
//! picture's layout, and the same bytes handed to the rasteriser, the PDF
//! writer and (as a data URL) to the SVG, so a picture is drawn alike on
//! every machine.

use std::sync::OnceLock;

pub const REGULAR: &[u8] = include_bytes!("../../themes/default/fonts/NotoSans-Regular.ttf");
pub const BOLD: &[u8] = include_bytes!("../../themes/default/fonts/NotoSans-Bold.ttf");
/// The family name the SVG asks for (and the font's own name table holds).
pub const FAMILY: &str = "Noto Sans";

/// Advance widths of one face, in font units, by character.
pub struct Metrics {
    units_per_em: f32,
    face: ttf_parser::Face<'static>,
}

impl Metrics {
    fn of(data: &'static [u8]) -> Metrics {
        let face = ttf_parser::Face::parse(data, 0).expect("the bundled font parses");
        Metrics {
            units_per_em: f32::from(face.units_per_em()),
            face,
        }
    }

    /// The width of `text` at `size` pixels: the sum of the advances (no
    /// kerning, so never narrower than the shaped text), a character the
    /// font lacks counted as the widest letter.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(self.units_per_em, f32::from)
            })
            .sum();
        units * size / self.units_per_em
    }
}

pub fn regular() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| Metrics::of(REGULAR))
}

pub fn bold() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| Metrics::of(BOLD))
}

/// `text` broken into lines no wider than `width` at `size`: at spaces
/// where it can, inside a word too long for a line where it must.
pub fn wrap(m: &Metrics, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if m.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: broken by characters when it is too wide.
        for c in word.chars() {
            let mut next = line.clone();
            next.push(c);
            if !line.is_empty() && m.width(&next, size) > width {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Standard base64 (RFC 4648, with padding), for the SVG's font data URL.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_inside_a_word_too_long() {
        let m = regular();
        let lines = wrap(m, "La mochila llega en otro color", 16.0, 90.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| m.width(l, 16.0) <= 90.0), "{lines:?}");
        assert_eq!(lines.join(" "), "La mochila llega en otro color");
        let long = wrap(m, "Ausgangsüberprüfungsverfahren", 16.0, 60.0);
        assert!(long.len() > 2);
        assert!(long.iter().all(|l| m.width(l, 16.0) <= 60.0), "{long:?}");
        assert_eq!(long.concat(), "Ausgangsüberprüfungsverfahren");
        assert!(wrap(m, "   ", 16.0, 60.0).is_empty());
    }

    #[test]
    fn accents_are_measured_and_bold_is_wider() {
        let m = regular();
        assert!(m.width("ñ", 16.0) > 0.0 && m.width("ñ", 16.0) < 16.0);
        assert!(bold().width("Encantado", 16.0) > m.width("Encantado", 16.0));
        assert!((m.width("aa", 32.0) - 2.0 * m.width("a", 32.0)).abs() < 0.01);
    }

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
