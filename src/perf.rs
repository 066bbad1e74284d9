//! Performance machinery in one place: what makes a build fast or small
//! without changing what it writes. Each item says what it does and why;
//! the measurements behind them are in BENCHMARKS.md.

/// The pages with the most template values (each a list over the whole
/// handbook): rendered after the search index, on its thread, in the memory
/// it has just freed, so they do not raise the build's memory peak beside
/// the other pages.
pub const HEAVY_PAGES: [&str; 2] = ["insights.html", "journeys/index.html"];

/// The process is about to exit: the operating system frees a large model
/// faster than dropping it piece by piece.
pub fn leak<T>(value: T) {
    std::mem::forget(value);
}

/// Hands memory freed by a finished phase back to the system (glibc keeps
/// freed blocks in its arenas, so the next phase would otherwise stack its
/// own peak on top of the last one's leftovers).
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Marks a folder as the top of a hierarchy (ext4's `FS_TOPDIR_FL`, `chattr
/// +T`), so the folders created in it are spread over the disk's block
/// groups. Without it, every page's inode is taken from the few groups of
/// the output folder, and after a previous build was deleted ext4 scans
/// past each of its recently freed inodes for every new one: a 10k-journey
/// build spent a third of its time there. Best effort: other file systems
/// refuse or ignore the flag.
#[cfg(target_os = "linux")]
pub(crate) fn spread(dir: &std::path::Path) {
    use std::os::fd::AsRawFd;
    const FS_TOPDIR_FL: libc::c_long = 0x0002_0000;
    let Ok(f) = std::fs::File::open(dir) else {
        return;
    };
    let mut flags: libc::c_long = 0;
    // SAFETY: the descriptor is open for the duration of both calls, and the
    // flag word is a valid, writable c_long as these ioctls expect.
    unsafe {
        if libc::ioctl(f.as_raw_fd(), libc::FS_IOC_GETFLAGS, &mut flags) != 0 {
            return;
        }
        if flags & FS_TOPDIR_FL == 0 {
            flags |= FS_TOPDIR_FL;
            libc::ioctl(f.as_raw_fd(), libc::FS_IOC_SETFLAGS, &flags);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn spread(_dir: &std::path::Path) {}
