//! What an edit of a data file changed, found without parsing the file
//! again: a fingerprint of each of its lines ([`Fingerprints`], 4 bytes a
//! line) kept from the last time it was read, the lines the edit replaced
//! ([`changed`]), and the rows that mention given ids ([`rows_mentioning`]),
//! so the dev server re-reads one journey's rows instead of 900,000.
//!
//! Line-based, so a quoted cell spanning lines comes out as rows that do
//! not parse: the caller then leaves the edit to the whole reload. Pure.

use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

/// How many lines apart [`Fingerprints::read`] notes where a line starts.
const EVERY: usize = 256;

/// A file larger than this is read in two halves at once.
pub(crate) const HALVED: u64 = 4 << 20;

/// A fingerprint of each line of a file (the last line may be empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fingerprints(Vec<u32>);

/// Where some of a file's lines start (line, byte offset; at least every
/// [`EVERY`]th), to find a line again without reading the file up to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checkpoints(Vec<(usize, u64)>);

impl Fingerprints {
    pub fn of(bytes: &[u8]) -> Fingerprints {
        // Reading from memory cannot fail.
        Fingerprints::read(bytes)
            .map(|(f, _)| f)
            .unwrap_or_default()
    }

    /// The fingerprints of a file read in pieces, never held whole, and
    /// where its lines start.
    pub fn read(reader: impl Read) -> std::io::Result<(Fingerprints, Checkpoints)> {
        stretch(reader, 0, true)
    }

    /// [`Fingerprints::read`] of the file at `path`, a large one in two
    /// halves on two threads (35 MB of rows in ~8 ms).
    pub fn read_file(path: &Path) -> std::io::Result<(Fingerprints, Checkpoints)> {
        let halves = halves(path)?;
        let read = |&(at, len): &(u64, Option<u64>)| -> std::io::Result<_> {
            stretch(open_stretch(path, at, len)?, at, len.is_none())
        };
        let parts: Vec<std::io::Result<_>> = halves.par_iter().map(read).collect();
        let (mut lines, mut starts) = (Vec::new(), Vec::new());
        for part in parts {
            let (l, s) = part?;
            let n = lines.len();
            lines.extend(l.0);
            starts.extend(s.0.into_iter().map(|(line, at)| (line + n, at)));
        }
        Ok((Fingerprints(lines), Checkpoints(starts)))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Calls `f` with the bytes of `reader` in pieces that end at a line break
/// (the last one at the end of the file), through one small buffer.
fn pieces(mut reader: impl Read, mut f: impl FnMut(&[u8])) -> std::io::Result<()> {
    let mut buf = vec![0u8; 1 << 18];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            // A line longer than the buffer.
            buf.resize(buf.len() * 2, 0);
        }
        let n = match reader.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            if filled > 0 {
                f(&buf[..filled]);
            }
            return Ok(());
        }
        filled += n;
        if let Some(last) = memchr::memrchr(b'\n', &buf[..filled]) {
            f(&buf[..=last]);
            buf.copy_within(last + 1..filled, 0);
            filled -= last + 1;
        }
    }
}

/// The fingerprints of the lines of one stretch of a file that starts at
/// a line's start (byte `at`), and where every [`EVERY`]th of them starts.
/// `last`: the stretch ends the file (a file ending in a line break has an
/// empty last line).
fn stretch(reader: impl Read, at: u64, last: bool) -> std::io::Result<(Fingerprints, Checkpoints)> {
    let mut lines = Vec::new();
    let mut starts = vec![(0, at)];
    let mut pos = at;
    let mut ended = true;
    pieces(reader, |piece| {
        let mut from = 0;
        for end in memchr::memchr_iter(b'\n', piece) {
            lines.push(line_hash(&piece[from..end]));
            from = end + 1;
            if lines.len() % EVERY == 0 {
                starts.push((lines.len(), pos + from as u64));
            }
        }
        ended = from == piece.len();
        if !ended {
            lines.push(line_hash(&piece[from..]));
        }
        pos += piece.len() as u64;
    })?;
    if last && ended {
        lines.push(line_hash(b""));
    }
    Ok((Fingerprints(lines), Checkpoints(starts)))
}

/// The file at `path` from byte `at`, `len` bytes of it (`None`: to the
/// end): one of its [`halves`].
pub(crate) fn open_stretch(
    path: &Path,
    at: u64,
    len: Option<u64>,
) -> std::io::Result<std::io::Take<std::fs::File>> {
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(at))?;
    Ok(f.take(len.unwrap_or(u64::MAX)))
}

/// A file as one stretch, or (when large) two that meet at a line's
/// start: each a start and a length (`None`: to the end).
pub(crate) fn halves(path: &Path) -> std::io::Result<Vec<(u64, Option<u64>)>> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len < HALVED {
        return Ok(vec![(0, None)]);
    }
    f.seek(SeekFrom::Start(len / 2))?;
    let mut window = Vec::new();
    f.take(1 << 16).read_to_end(&mut window)?;
    Ok(match memchr::memchr(b'\n', &window) {
        Some(i) => {
            let mid = len / 2 + i as u64 + 1;
            vec![(0, Some(mid)), (mid, None)]
        }
        // A line longer than 64 KB: one stretch.
        None => vec![(0, None)],
    })
}

/// A fast hash of one line, eight bytes at a time; not for anything but
/// telling lines apart.
fn line_hash(line: &[u8]) -> u32 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = K ^ line.len() as u64;
    let mut mix = |word: u64| h = (h ^ word).wrapping_mul(K).rotate_left(31);
    let mut chunks = line.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        mix(u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    let mut w = [0u8; 8];
    w[..rest.len()].copy_from_slice(rest);
    mix(u64::from_le_bytes(w));
    (h ^ (h >> 32)) as u32
}

/// What an edit did to a file's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The new file's lines that are not in the old one (between the lines
    /// both begin with and the lines both end with).
    pub added: Range<usize>,
    /// How many of the old file's lines they replaced.
    pub removed: usize,
}

/// The lines `new` has in place of `old`'s; `None` when they are the same.
pub fn changed(old: &Fingerprints, new: &Fingerprints) -> Option<Change> {
    let (a, b) = (&old.0, &new.0);
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if head == a.len() && head == b.len() {
        return None;
    }
    let most = a.len().min(b.len()) - head;
    let tail = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(most)
        .take_while(|(x, y)| x == y)
        .count();
    Some(Change {
        added: head..b.len() - tail,
        removed: a.len() - tail - head,
    })
}

/// The bytes of lines `lines` of a file (each with its line break), found
/// from the `starts` [`Fingerprints::read`] gave for it: only the lines
/// from the checkpoint before them are read.
pub fn read_lines(
    mut file: impl Read + Seek,
    starts: &Checkpoints,
    lines: Range<usize>,
) -> std::io::Result<Vec<u8>> {
    use std::io::BufRead;
    let k = starts.0.partition_point(|(l, _)| *l <= lines.start);
    let (first, at) = starts.0.get(k.saturating_sub(1)).copied().unwrap_or((0, 0));
    file.seek(SeekFrom::Start(at))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let (mut line, mut out, mut buf) = (first, Vec::new(), Vec::new());
    while line < lines.end {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        if line >= lines.start {
            out.extend_from_slice(&buf);
        }
        line += 1;
    }
    Ok(out)
}

/// The first line of a file (the header) and every later line that
/// contains one of `needles`, in file order, read in pieces: a data file
/// with every row of the file about those ids (and perhaps a few more,
/// whose ids contain them: the caller keeps the scopes it asked for).
pub fn rows_mentioning(reader: impl Read, needles: &[&str]) -> std::io::Result<Vec<u8>> {
    mentioning(reader, needles, true)
}

/// [`rows_mentioning`] of the file at `path`, a large one in two halves on
/// two threads.
pub fn rows_mentioning_in(path: &Path, needles: &[&str]) -> std::io::Result<Vec<u8>> {
    let halves = halves(path)?;
    let parts: Vec<std::io::Result<Vec<u8>>> = halves
        .par_iter()
        .map(|&(at, len)| mentioning(open_stretch(path, at, len)?, needles, at == 0))
        .collect();
    let mut out = Vec::new();
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// The lines of `reader` that contain one of `needles`, after its first
/// line when `header` (kept whatever it holds).
fn mentioning(reader: impl Read, needles: &[&str], header: bool) -> std::io::Result<Vec<u8>> {
    let finders: Vec<memchr::memmem::Finder> = needles
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| memchr::memmem::Finder::new(n.as_bytes()))
        .collect();
    let mut out = Vec::new();
    let mut header = header;
    pieces(reader, |piece| {
        let mut body = piece;
        if header {
            header = false;
            let end = memchr::memchr(b'\n', piece).map_or(piece.len(), |i| i + 1);
            push_line(&mut out, &piece[..end]);
            body = &piece[end..];
        }
        let mut starts: Vec<usize> = Vec::new();
        for finder in &finders {
            let mut after = 0;
            for at in finder.find_iter(body) {
                if at < after {
                    continue;
                }
                let start = memchr::memrchr(b'\n', &body[..at]).map_or(0, |i| i + 1);
                after = memchr::memchr(b'\n', &body[at..]).map_or(body.len(), |i| at + i + 1);
                starts.push(start);
            }
        }
        starts.sort_unstable();
        starts.dedup();
        for start in starts {
            let end = memchr::memchr(b'\n', &body[start..]).map_or(body.len(), |i| start + i + 1);
            push_line(&mut out, &body[start..end]);
        }
    })?;
    Ok(out)
}

/// Adds a line, with a line break when it has none (the file's last).
fn push_line(out: &mut Vec<u8>, line: &[u8]) {
    out.extend_from_slice(line);
    if !line.is_empty() && out.last() != Some(&b'\n') {
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "date,metric,value,journey\n\
        2025-01,nps,10,a/b\n\
        2025-01,nps,20,a/bc\n\
        2025-01,nps,30,x/y\n\
        2025-02,nps,40,a/b\n";

    fn lines_of(text: &str, lines: Range<usize>) -> String {
        let (_, starts) = Fingerprints::read(text.as_bytes()).expect("read");
        let bytes = read_lines(std::io::Cursor::new(text), &starts, lines).expect("read");
        String::from_utf8(bytes).expect("text")
    }

    #[test]
    fn an_edited_value_is_one_line_replaced() {
        let old = Fingerprints::of(FILE.as_bytes());
        let edited = FILE.replace("2025-01,nps,20,a/bc", "2025-01,nps,25,a/bc");
        let new = Fingerprints::of(edited.as_bytes());
        let change = changed(&old, &new).expect("a change");
        assert_eq!(
            change,
            Change {
                added: 2..3,
                removed: 1
            }
        );
        assert_eq!(lines_of(&edited, change.added), "2025-01,nps,25,a/bc\n");
        assert_eq!(lines_of(&edited, 0..1), "date,metric,value,journey\n");
        assert_eq!(changed(&old, &old), None);
    }

    #[test]
    fn an_appended_row_and_a_deleted_one() {
        let old = Fingerprints::of(FILE.as_bytes());
        let appended = format!("{FILE}2025-03,nps,50,x/y\n");
        let change = changed(&old, &Fingerprints::of(appended.as_bytes())).expect("a change");
        assert_eq!(
            change,
            Change {
                added: 5..6,
                removed: 0
            }
        );
        assert_eq!(lines_of(&appended, change.added), "2025-03,nps,50,x/y\n");
        // Without a line break at the end.
        let unended = format!("{FILE}2025-03,nps,50,x/y");
        let change = changed(&old, &Fingerprints::of(unended.as_bytes())).expect("a change");
        assert_eq!(lines_of(&unended, change.added), "2025-03,nps,50,x/y");
        let deleted = FILE.replace("2025-01,nps,30,x/y\n", "");
        let change = changed(&old, &Fingerprints::of(deleted.as_bytes())).expect("a change");
        assert_eq!(
            change,
            Change {
                added: 3..3,
                removed: 1
            }
        );
        // The same line twice: the beginning and the end never overlap.
        let twice = Fingerprints::of(b"h\nr\nr\n");
        let thrice = Fingerprints::of(b"h\nr\nr\nr\n");
        assert_eq!(
            changed(&twice, &thrice),
            Some(Change {
                added: 3..4,
                removed: 0
            })
        );
    }

    /// Far into a file read in many pieces: the checkpoints find the line,
    /// and reading in pieces fingerprints as reading it whole would.
    #[test]
    fn a_line_far_into_a_large_file() {
        let rows: String = (0..100_000)
            .map(|i| format!("2025-01,nps,{},j{i}\n", i % 10))
            .collect();
        let text = format!("date,metric,value,journey\n{rows}");
        let edited = text.replace("\n2025-01,nps,7,j77777\n", "\n2025-01,nps,8,j77777\n");
        let (old, _) = Fingerprints::read(text.as_bytes()).expect("read");
        let (new, _) = Fingerprints::read(edited.as_bytes()).expect("read");
        assert_eq!(old.len(), 100_002);
        let change = changed(&old, &new).expect("a change");
        assert_eq!(
            change,
            Change {
                added: 77_778..77_779,
                removed: 1
            }
        );
        assert_eq!(lines_of(&edited, change.added), "2025-01,nps,8,j77777\n");
        let whole: Vec<u32> = edited
            .split('\n')
            .map(|l| line_hash(l.as_bytes()))
            .collect();
        assert_eq!(new.0, whole);
    }

    /// A file read in two halves gives what reading it whole gives: the
    /// same fingerprints, lines found again past the middle, the same rows.
    #[test]
    fn a_large_file_read_in_halves() {
        let rows: String = (0..300_000)
            .map(|i| format!("2025-01,nps,{},journey-{i}\n", i % 10))
            .collect();
        let dir = tempfile::tempdir().expect("a folder");
        for text in [
            format!("date,metric,value,journey\n{rows}"),
            format!("h\n{rows}x"),
        ] {
            assert!(text.len() as u64 > HALVED);
            let path = dir.path().join("big.csv");
            std::fs::write(&path, &text).expect("written");
            let (whole, _) = Fingerprints::read(text.as_bytes()).expect("read");
            let (halved, starts) = Fingerprints::read_file(&path).expect("read");
            assert_eq!(halved, whole);
            let at = 250_001;
            let line = read_lines(
                std::fs::File::open(&path).expect("open"),
                &starts,
                at..at + 1,
            )
            .expect("read");
            assert_eq!(line, b"2025-01,nps,0,journey-250000\n");
            let needles = ["journey-2999", "journey-7"];
            assert_eq!(
                rows_mentioning_in(&path, &needles).expect("read"),
                rows_mentioning(text.as_bytes(), &needles).expect("read")
            );
        }
    }

    #[test]
    fn rows_mentioning_an_id_keep_the_header_and_file_order() {
        let text = |needles: &[&str]| {
            let rows = rows_mentioning(FILE.as_bytes(), needles).expect("read");
            String::from_utf8(rows).expect("text")
        };
        assert_eq!(
            text(&["a/b"]),
            "date,metric,value,journey\n2025-01,nps,10,a/b\n2025-01,nps,20,a/bc\n2025-02,nps,40,a/b\n"
        );
        assert_eq!(
            text(&["x/y", "a/bc"]),
            "date,metric,value,journey\n2025-01,nps,20,a/bc\n2025-01,nps,30,x/y\n"
        );
        // The header is never a row, however it reads.
        assert_eq!(text(&["metric"]), "date,metric,value,journey\n");
        // No line break at the end, no rows at all.
        assert_eq!(
            rows_mentioning(&b"h\nr,a/b"[..], &["a/b"]).expect("read"),
            b"h\nr,a/b\n"
        );
        assert_eq!(rows_mentioning(&b"h"[..], &["a/b"]).expect("read"), b"h\n");
    }
}
