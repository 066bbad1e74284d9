//! Phase timings for profiling: set `JOURNEYDOC_TIMINGS=1` (or pass
//! `--verbose`) and each phase of a run prints `timing: <phase> <ms> ms` to
//! stderr (see BENCHMARKS.md); `JOURNEYDOC_TIMINGS=heap` adds the
//! allocator's bytes in use and held.

use std::sync::OnceLock;
use std::time::Instant;

/// Set by `--verbose`.
static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--verbose`: report every phase, as `JOURNEYDOC_TIMINGS=1` does.
pub fn set_verbose() {
    VERBOSE.store(true, std::sync::atomic::Ordering::Relaxed);
}

pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    VERBOSE.load(std::sync::atomic::Ordering::Relaxed)
        || *ON.get_or_init(|| std::env::var_os("JOURNEYDOC_TIMINGS").is_some_and(|v| !v.is_empty()))
}

/// Measures phases one after another.
pub struct Phases(Instant, f64);

impl Phases {
    pub fn start() -> Phases {
        Phases(Instant::now(), cpu_ms())
    }

    /// Reports the time since the last mark under `name` (wall clock, and
    /// CPU over all threads: CPU below 2× wall on two cores means a core sat
    /// idle), and restarts.
    pub fn mark(&mut self, name: &str) {
        let cpu = cpu_ms();
        if enabled() {
            eprintln!(
                "timing: {name} {:.1} ms, CPU {:.0} ms (RSS {} MB, peak {} MB{})",
                self.0.elapsed().as_secs_f64() * 1e3,
                cpu - self.1,
                memory("VmRSS:"),
                memory("VmHWM:"),
                heap()
            );
        }
        *self = Phases(Instant::now(), cpu);
    }
}

/// The allocator's view, on glibc, with `JOURNEYDOC_TIMINGS=heap`: the
/// bytes in use and those it holds (in use plus free but kept), to tell
/// live data from fragmentation.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn heap() -> String {
    // Walking every arena's free lists takes milliseconds on a large heap
    // and holds the other threads' allocations meanwhile: on request only.
    static ON: OnceLock<bool> = OnceLock::new();
    if !*ON.get_or_init(|| std::env::var_os("JOURNEYDOC_TIMINGS").is_some_and(|v| v == "heap")) {
        return String::new();
    }
    // SAFETY: mallinfo2 only reads the allocator's counters.
    let m = unsafe { libc::mallinfo2() };
    let held = m.arena + m.hblkhd;
    format!(
        ", heap {} MB in use of {} MB held",
        (m.uordblks + m.hblkhd) >> 20,
        held >> 20
    )
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn heap() -> String {
    String::new()
}

/// CPU time (user and system) of the whole process so far, in ms (0 off
/// Unix).
#[cfg(unix)]
fn cpu_ms() -> f64 {
    if !enabled() {
        return 0.0;
    }
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return 0.0;
    }
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(u.ru_utime) + ms(u.ru_stime)
}

#[cfg(not(unix))]
fn cpu_ms() -> f64 {
    0.0
}

/// CPU time per page template, summed over the threads that render.
#[derive(Default)]
pub struct PerTemplate(
    std::sync::Mutex<std::collections::BTreeMap<&'static str, (usize, f64, f64)>>,
);

impl PerTemplate {
    /// Adds one page: time to build its data, time to render it.
    pub fn add(
        &self,
        template: &'static str,
        data: std::time::Duration,
        render: std::time::Duration,
    ) {
        if let Ok(mut m) = self.0.lock() {
            let e = m.entry(template).or_default();
            e.0 += 1;
            e.1 += data.as_secs_f64() * 1e3;
            e.2 += render.as_secs_f64() * 1e3;
        }
    }

    pub fn report(&self) {
        if !enabled() {
            return;
        }
        if let Ok(m) = self.0.lock() {
            for (t, (n, data, render)) in m.iter() {
                eprintln!(
                    "timing:   {t}: {n} pages, data {data:.1} ms, render {render:.1} ms (CPU, all threads)"
                );
            }
        }
    }
}

/// A memory figure of this process from `/proc/self/status`, in MB (0
/// where there is no such file).
fn memory(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
