//! Safe, atomic writing of a rendered site (SPEC 7).
//!
//! * The site is written into a staging folder beside the output, then
//!   swapped into place: a build that fails, or is killed, leaves the
//!   previous output as it was.
//! * A marker file in the output lists every file journeydoc wrote. An
//!   output folder is replaced only if it holds nothing but those files: a
//!   file journeydoc did not write is never deleted or overwritten.
//! * Folders that must never be an output (the handbook root, the content
//!   folder, their ancestors, `/`, the home folder) are refused.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The marker: its presence says journeydoc made this folder; its lines are
/// the files it wrote there.
pub const MARKER: &str = ".journeydoc-output";

/// The marker's replacement while it is written (see [`Staging::commit`]).
const MARKER_NEXT: &str = ".journeydoc-output.next";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("refusing to write the handbook into `{dir}`: {reason}")]
    Refused { dir: PathBuf, reason: String },
    #[error("cannot write `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl OutputError {
    pub fn help(&self) -> &'static str {
        match self {
            OutputError::Refused { .. } => {
                "choose another folder with `--output DIR` or `[build] output-dir` in book.toml"
            }
            OutputError::Io { .. } => {
                "check that the folder exists, is writable and the disk is not full"
            }
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An absolute, `..`-free form of `path` (which need not exist): the longest
/// existing ancestor is canonicalised (resolving symbolic links), the rest is
/// appended.
pub fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut clean = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            c => clean.push(c),
        }
    }
    let mut existing = clean.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => break,
        }
        existing.pop();
    }
    let mut out = existing.canonicalize()?;
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    Ok(out)
}

/// Refuses output folders that would destroy or loop over the sources.
pub fn check_target(root: &Path, content: &Path, out: &Path) -> Result<PathBuf, OutputError> {
    let abs = |p: &Path| absolute(p).map_err(io(p));
    let (root, content, out) = (abs(root)?, abs(content)?, abs(out)?);
    let refuse = |reason: &str| OutputError::Refused {
        dir: out.clone(),
        reason: reason.to_owned(),
    };
    if out.parent().is_none() {
        return Err(refuse("it is the root of the file system"));
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && absolute(&home).is_ok_and(|h| h == out)
    {
        return Err(refuse("it is your home folder"));
    }
    if out == root || root.starts_with(&out) {
        return Err(refuse("it is the handbook folder or contains it"));
    }
    if out == content || content.starts_with(&out) {
        return Err(refuse("it is the content folder or contains it"));
    }
    if out.starts_with(&content) {
        return Err(refuse("it is inside the content folder"));
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(refuse("it is a file, not a folder"));
        }
        ours_only(&out)?;
    }
    Ok(out)
}

/// Ok if `dir` is empty, or holds only the files its marker lists.
fn ours_only(dir: &Path) -> Result<(), OutputError> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| io(dir)(std::io::Error::other(e)))?;
        if !entry.file_type().is_dir() {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            files.push(crate::source::slash_path(rel));
        }
    }
    if files.is_empty() {
        return Ok(());
    }
    let marker = match std::fs::read_to_string(dir.join(MARKER)) {
        Ok(m) => m,
        Err(_) => {
            return Err(OutputError::Refused {
                dir: dir.to_path_buf(),
                reason: format!(
                    "it is not empty and journeydoc did not create it (no `{MARKER}` file); it holds `{}`",
                    files[0]
                ),
            });
        }
    };
    let written = listed(&marker);
    if let Some(foreign) = files
        .iter()
        .find(|f| *f != MARKER && !written.contains(f.as_str()))
    {
        return Err(OutputError::Refused {
            dir: dir.to_path_buf(),
            reason: format!(
                "it holds `{foreign}`, which journeydoc did not write; move it away first (journeydoc never deletes files it did not write)"
            ),
        });
    }
    Ok(())
}

/// A sibling of `out` named for journeydoc: `.public.journeydoc-<what>`.
fn sibling(out: &Path, what: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "out".to_owned(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.journeydoc-{what}"))
}

/// Removes a leftover staging/old folder of an interrupted build: only if it
/// carries our marker (otherwise it is not ours and stays).
fn remove_leftover(dir: &Path) -> Result<(), OutputError> {
    if !dir.exists() {
        return Ok(());
    }
    // A build killed right after creating the folder, or at the end of a
    // removal, leaves only empty folders (the marker is the first file
    // written and the last removed): removing them loses nothing.
    if holds_no_files(dir) {
        return std::fs::remove_dir_all(dir).map_err(io(dir));
    }
    if dir.join(MARKER).is_file() && ours_only(dir).is_ok() {
        remove_ours(dir).map(drop)
    } else {
        Err(OutputError::Refused {
            dir: dir.to_path_buf(),
            reason:
                "a folder with journeydoc's staging name exists but journeydoc did not write it"
                    .to_owned(),
        })
    }
}

/// Swaps two folders in one step (Linux `renameat2(RENAME_EXCHANGE)`), so
/// there is no moment without an output folder.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; the call only reads them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// A build killed between the two renames of the fallback swap leaves the
/// previous output in `old` and no `out`: put it back.
fn recover(out: &Path, old: &Path) -> Result<(), OutputError> {
    if !out.exists() && old.join(MARKER).is_file() && ours_only(old).is_ok() {
        std::fs::rename(old, out).map_err(io(out))?;
    }
    Ok(())
}

fn holds_no_files(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .all(|e| e.is_ok_and(|e| e.file_type().is_dir()))
}

/// The files a marker lists (relative, `/`-separated).
fn listed(marker: &str) -> BTreeSet<&str> {
    marker
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
}

/// Removes the files of a folder journeydoc wrote: those its marker lists,
/// the marker last (so a removal interrupted half-way still leaves a folder
/// recognisably ours), then the folders left empty. Any other file (one
/// dropped in while a build ran) stays where it is; their paths, relative
/// to `dir`, are returned.
fn remove_ours(dir: &Path) -> Result<Vec<String>, OutputError> {
    let marker_path = dir.join(MARKER);
    let marker = std::fs::read_to_string(&marker_path).unwrap_or_default();
    let ours = listed(&marker);
    let mut kept = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| io(dir)(std::io::Error::other(e)))?;
        if entry.file_type().is_dir() || entry.file_name() == MARKER {
            continue;
        }
        let rel = crate::source::slash_path(entry.path().strip_prefix(dir).unwrap_or(entry.path()));
        if ours.contains(rel.as_str()) || rel == MARKER_NEXT {
            std::fs::remove_file(entry.path()).map_err(io(entry.path()))?;
        } else {
            kept.push(rel);
        }
    }
    if kept.is_empty() {
        return std::fs::remove_dir_all(dir).map_err(io(dir)).map(|()| kept);
    }
    std::fs::remove_file(&marker_path).map_err(io(&marker_path))?;
    // The folders left empty, deepest first.
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(&d); // fails, as it should, when not empty
    }
    Ok(kept)
}

/// After the swap, the previous output (in `old`) held files journeydoc did
/// not write (`kept`): each goes back into the output folder at its own
/// path when that path is free there; the rest stay in `old`, renamed to a
/// visible `<out>.journeydoc-kept` beside the output. Returns where each
/// one is now.
fn keep(out: &Path, old: &Path, kept: Vec<String>) -> Result<Vec<PathBuf>, OutputError> {
    let mut now = Vec::new();
    let mut left = false;
    for rel in kept {
        let (from, to) = (old.join(&rel), out.join(&rel));
        if to.exists() {
            left = true;
            now.push(from);
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::rename(&from, &to).map_err(io(&to))?;
        now.push(to);
    }
    if !left {
        let _ = std::fs::remove_dir_all(old); // only empty folders are left
        return Ok(now);
    }
    let name = out
        .file_name()
        .map_or_else(|| "out".to_owned(), |n| n.to_string_lossy().into_owned());
    let mut aside = out.with_file_name(format!("{name}.journeydoc-kept"));
    let mut n = 1;
    while aside.exists() {
        n += 1;
        aside = out.with_file_name(format!("{name}.journeydoc-kept-{n}"));
    }
    std::fs::rename(old, &aside).map_err(io(&aside))?;
    Ok(now
        .into_iter()
        .map(|p| match p.strip_prefix(old) {
            Ok(rel) => aside.join(rel),
            Err(_) => p,
        })
        .collect())
}

/// What a write did.
#[derive(Debug, Clone)]
pub struct Written {
    pub files: usize,
    /// HTML pages among the files.
    pub pages: usize,
    pub bytes: usize,
    /// Files journeydoc did not write that were in the output folder when
    /// it was swapped (added while the build ran): where they are now.
    pub kept: Vec<PathBuf>,
}

/// Files of a build, written as they are rendered.
pub struct StagingSink<'a> {
    pub out: &'a Path,
    pub staging: Option<Staging>,
}

impl crate::render::Sink for StagingSink<'_> {
    type Error = OutputError;
    fn begin(&mut self, paths: &[&str]) -> Result<(), OutputError> {
        self.staging = Some(Staging::begin(self.out, paths)?);
        Ok(())
    }
    fn announce(&self, paths: &[&str]) -> Result<(), OutputError> {
        match paths.first() {
            Some(first) => self.staging(first)?.announce(paths),
            None => Ok(()),
        }
    }
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), OutputError> {
        self.staging(path)?.hand_over(path, bytes)
    }
    fn put_with(&self, path: &str, write: crate::render::WriteFn) -> Result<(), OutputError> {
        self.staging(path)?.put_with(path, write)
    }
}

/// Threads that write files handed to them, so that the threads rendering
/// pages never wait on the file system (a core whose only worker waits on a
/// write sits idle). At most [`Writers::QUEUE`] files wait in memory.
struct Writers {
    queue: Option<std::sync::mpsc::SyncSender<(PathBuf, Vec<u8>)>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// The first write that failed.
    failed: Arc<Mutex<Option<OutputError>>>,
}

impl Writers {
    const THREADS: usize = 2;
    const QUEUE: usize = 32;

    fn start() -> Writers {
        let (queue, files) = std::sync::mpsc::sync_channel::<(PathBuf, Vec<u8>)>(Self::QUEUE);
        let files = Arc::new(Mutex::new(files));
        let failed = Arc::new(Mutex::new(None));
        let threads = (0..Self::THREADS)
            .filter_map(|i| {
                let (files, failed) = (Arc::clone(&files), Arc::clone(&failed));
                std::thread::Builder::new()
                    .name(format!("journeydoc-write-{i}"))
                    .spawn(move || {
                        loop {
                            // The lock is held only to take the next file.
                            let next = files.lock().ok().and_then(|f| f.recv().ok());
                            let Some((dest, bytes)) = next else { break };
                            if let Err(e) = std::fs::write(&dest, bytes)
                                && let Ok(mut f) = failed.lock()
                            {
                                f.get_or_insert(OutputError::Io {
                                    path: dest,
                                    source: e,
                                });
                            }
                        }
                    })
                    .ok()
            })
            .collect();
        Writers {
            queue: Some(queue),
            threads,
            failed,
        }
    }

    /// Queues a file; written at once when no writer thread could start.
    fn write(&self, dest: PathBuf, bytes: Vec<u8>) -> Result<(), OutputError> {
        match &self.queue {
            Some(queue) if !self.threads.is_empty() => match queue.send((dest, bytes)) {
                Ok(()) => Ok(()),
                Err(std::sync::mpsc::SendError((dest, bytes))) => {
                    std::fs::write(&dest, bytes).map_err(io(&dest))
                }
            },
            _ => std::fs::write(&dest, bytes).map_err(io(&dest)),
        }
    }

    /// Waits for every queued file; the first failure, if any.
    fn finish(&mut self) -> Result<(), OutputError> {
        self.queue = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        match self.failed.lock().ok().and_then(|mut f| f.take()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl StagingSink<'_> {
    fn staging(&self, path: &str) -> Result<&Staging, OutputError> {
        self.staging.as_ref().ok_or_else(|| OutputError::Io {
            path: self.out.join(path),
            source: std::io::Error::other("written before the staging folder was made"),
        })
    }
}

/// A build being written: files go into a staging folder beside the output
/// as they are rendered (from any thread), and [`Staging::commit`] swaps it
/// into place. Dropped without a commit, the staging folder is removed and
/// the previous output is untouched.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    files: AtomicUsize,
    pages: AtomicUsize,
    bytes: AtomicUsize,
    /// Folders already created (writers on other threads skip them).
    made: Mutex<BTreeSet<PathBuf>>,
    /// Whether paths were announced after [`Staging::begin`] (the marker
    /// is then rewritten in order at commit); the lock keeps appends whole.
    announced: Mutex<bool>,
    writers: Writers,
    committed: bool,
}

impl Staging {
    /// Clears what a killed build left, creates the staging folder and
    /// writes the marker listing `paths` (every file about to be written)
    /// first, so a half-written staging folder is always recognisably ours.
    pub fn begin(out: &Path, paths: &[&str]) -> Result<Staging, OutputError> {
        let dir = sibling(out, "staging");
        let old = sibling(out, "old");
        recover(out, &old)?;
        remove_leftover(&dir)?;
        remove_leftover(&old)?;
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::create_dir(&dir).map_err(io(&dir))?;
        crate::perf::spread(&dir);
        let staging = Staging {
            out: out.to_path_buf(),
            dir,
            files: AtomicUsize::new(0),
            pages: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
            made: Mutex::new(BTreeSet::new()),
            announced: Mutex::new(false),
            writers: Writers::start(),
            committed: false,
        };
        staging.write_marker(paths.iter().copied())?;
        Ok(staging)
    }

    /// Writes the marker: a header line, then `paths` sorted.
    fn write_marker<'p>(&self, paths: impl Iterator<Item = &'p str>) -> Result<(), OutputError> {
        self.write_marker_to(&self.dir.join(MARKER), paths)
    }

    fn write_marker_to<'p>(
        &self,
        marker_path: &Path,
        paths: impl Iterator<Item = &'p str>,
    ) -> Result<(), OutputError> {
        let mut marker = String::from(
            "# Files written by journeydoc. It replaces this folder only while it holds nothing else.\n",
        );
        let mut sorted: Vec<&str> = paths.collect();
        sorted.sort_unstable();
        for path in sorted {
            marker.push_str(path);
            marker.push('\n');
        }
        std::fs::write(marker_path, marker).map_err(io(marker_path))
    }

    /// Adds `paths` to the marker before they are written: files whose
    /// names are only known once the pages are being rendered (the search
    /// index shards). The staging folder holds only listed files at every
    /// moment; the marker is put back in order at commit, so the output is
    /// the same as if every path had been known at the start.
    pub fn announce(&self, paths: &[&str]) -> Result<(), OutputError> {
        use std::io::Write;
        let marker_path = self.dir.join(MARKER);
        let Ok(mut announced) = self.announced.lock() else {
            return Err(OutputError::Io {
                path: marker_path,
                source: std::io::Error::other("the marker's lock was poisoned"),
            });
        };
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&marker_path)
            .map_err(io(&marker_path))?;
        let mut lines = String::new();
        if !*announced {
            // The marker's replacement is written beside it at commit: listed
            // now, so a build killed while writing it leaves a folder that
            // is still recognisably ours.
            lines.push_str(MARKER_NEXT);
            lines.push('\n');
        }
        for path in paths {
            lines.push_str(path);
            lines.push('\n');
        }
        file.write_all(lines.as_bytes()).map_err(io(&marker_path))?;
        *announced = true;
        Ok(())
    }

    /// Writes one file (a `/`-separated path relative to the output).
    pub fn put(&self, path: &str, content: &[u8]) -> Result<(), OutputError> {
        self.put_with(path, &|w| w.write_all(content))
    }

    /// Hands one whole file to the writer threads (an error shows at
    /// [`Staging::commit`]).
    pub fn hand_over(&self, path: &str, bytes: Vec<u8>) -> Result<(), OutputError> {
        let dest = self.destination(path)?;
        self.count(path, bytes.len());
        self.writers.write(dest, bytes)
    }

    fn count(&self, path: &str, len: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        if path.ends_with(".html") {
            self.pages.fetch_add(1, Ordering::Relaxed);
        }
        self.bytes.fetch_add(len, Ordering::Relaxed);
    }

    /// Where `path` goes in the staging folder, its folder made.
    fn destination(&self, path: &str) -> Result<PathBuf, OutputError> {
        let dest = self.dir.join(path);
        if let Some(parent) = dest.parent() {
            let known = self
                .made
                .lock()
                .map(|m| m.contains(parent))
                .unwrap_or(false);
            if !known {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
                for dir in parent.ancestors().take_while(|d| d.starts_with(&self.dir)) {
                    crate::perf::spread(dir);
                }
                if let Ok(mut m) = self.made.lock() {
                    m.insert(parent.to_path_buf());
                }
            }
        }
        Ok(dest)
    }

    /// Writes one file as `write` produces it, through a buffer.
    pub fn put_with(&self, path: &str, write: crate::render::WriteFn) -> Result<(), OutputError> {
        use std::io::Write;
        let dest = self.destination(path)?;
        // Whole pages (larger than the buffer) go straight to the file;
        // serialisers' small writes are gathered.
        let mut out = std::io::BufWriter::with_capacity(
            8 << 10,
            std::fs::File::create(&dest).map_err(io(&dest))?,
        );
        let mut counted = Counted(&mut out, 0);
        write(&mut counted).map_err(io(&dest))?;
        let len = counted.1;
        out.flush().map_err(io(&dest))?;
        self.count(path, len);
        Ok(())
    }

    /// Swaps the staging folder into place of the output.
    pub fn commit(mut self) -> Result<Written, OutputError> {
        self.writers.finish()?;
        if self.announced.get_mut().is_ok_and(|a| *a) {
            // In order, as if every path had been known at the start; written
            // beside the marker and renamed over it, so the marker is whole
            // at every moment.
            let marker = self.dir.join(MARKER);
            let listed = std::fs::read_to_string(&marker).map_err(io(&marker))?;
            let next = self.dir.join(MARKER_NEXT);
            let paths = listed.lines().skip(1).filter(|l| *l != MARKER_NEXT);
            self.write_marker_to(&next, paths)?;
            std::fs::rename(&next, &marker).map_err(io(&marker))?;
        }
        let (out, staging) = (self.out.clone(), self.dir.clone());
        let old = sibling(&out, "old");
        let mut kept = Vec::new();
        if out.exists() {
            // The previous output ends up in `previous`: its files are
            // removed, but for any journeydoc did not write.
            let previous = if exchange(&staging, &out).is_ok() {
                staging
            } else {
                // No atomic exchange here: two renames, and a killed build in
                // between is repaired by the next one (see `recover`).
                std::fs::rename(&out, &old).map_err(io(&out))?;
                std::fs::rename(&staging, &out).map_err(io(&out))?;
                old
            };
            let foreign = remove_ours(&previous)?;
            if !foreign.is_empty() {
                kept = keep(&out, &previous, foreign)?;
            }
        } else {
            std::fs::rename(&staging, &out).map_err(io(&out))?;
        }
        self.committed = true;
        Ok(Written {
            files: self.files.load(Ordering::Relaxed),
            pages: self.pages.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            kept,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // No file may land in the folder after it is removed.
        let _ = self.writers.finish();
        if !self.committed && self.dir.exists() {
            // Best effort: the staging folder is ours and incomplete.
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A writer that counts the bytes it passes on.
struct Counted<'a>(&'a mut dyn std::io::Write, usize);

impl std::io::Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1 += n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests;
