//! How the binary tunes its allocator (mimalloc, `src/main.rs`), shared with
//! the stages example so that its memory figures are the binary's.

/// mimalloc's `mi_option_purge_delay`: its place in `mi_option_e`
/// (mimalloc.h); the crate names only some options.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Has mimalloc give freed memory back to the system after 10 ms (mimalloc
/// 2's default) rather than 1 s: lowering frees the syntax tree while it
/// builds the graph, and with the longer delay both stay resident (on a
/// 1M-step policy, 120 MB of peak memory). Call it first thing in `main`;
/// it does nothing useful unless mimalloc is the global allocator.
pub fn return_freed_memory_soon() {
    // SAFETY: sets a plain integer option.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
}

/// mimalloc's own purge delay (ms), which [`keep_freed_memory`] restores.
const MIMALLOC_PURGE_DELAY: std::os::raw::c_long = 1000;

/// While a guard lives, freed memory stays with mimalloc for its default
/// second: the checks run after lowering, below the peak that the short
/// delay of [`return_freed_memory_soon`] keeps down, and the state space
/// they build grows by copies whose freed blocks are soon taken again.
/// Given back at once, each is faulted in again: on the typed 1M-step
/// check, 0.95 of the time (docs/performance.md). Guards may overlap (the
/// service checks on several threads): the last one to go restores the
/// delay the first one found.
pub fn keep_freed_memory() -> FreedMemoryKept {
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if kept.guards == 0 {
        // SAFETY: reads and sets a plain integer option.
        kept.found = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, MIMALLOC_PURGE_DELAY) };
    }
    kept.guards += 1;
    FreedMemoryKept(())
}

/// The guards of [`keep_freed_memory`] alive, and the delay the first
/// one found.
struct Kept {
    guards: usize,
    found: std::os::raw::c_long,
}

static KEPT: std::sync::Mutex<Kept> = std::sync::Mutex::new(Kept {
    guards: 0,
    found: 0,
});

/// See [`keep_freed_memory`].
pub struct FreedMemoryKept(());

impl Drop for FreedMemoryKept {
    fn drop(&mut self) {
        let mut kept = KEPT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.guards -= 1;
        if kept.guards == 0 {
            // SAFETY: sets a plain integer option.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, kept.found) };
        }
    }
}

/// The size of an input from which the rest of the run goes without
/// transparent huge pages (64 MiB, a policy of about 400,000 steps): past
/// it they cost more time in the kernel than they save, below it they
/// save about a tenth of a check's time (docs/performance.md, "Without
/// transparent huge pages").
pub const WITHOUT_HUGE_PAGES_FROM: u64 = 64 << 20;

/// Call before reading an input of `bytes`: a large one turns transparent
/// huge pages off for the rest of the run ([`without_huge_pages`]).
pub fn before_reading(bytes: u64) {
    if bytes >= WITHOUT_HUGE_PAGES_FROM {
        without_huge_pages();
    }
}

/// Turns transparent huge pages off for the process (Linux; nothing
/// elsewhere). mimalloc asks for them on its large regions, and the kernel
/// then clears 2 MiB at each first touch of fresh memory: on a 1M-step
/// check that was a fifth of the run's CPU time in the kernel
/// (`clear_page_erms`), and it held memory a sparse touch did not need
/// (docs/performance.md, "Without transparent huge pages"); on a smaller
/// one they save time. mimalloc's own option (`allow_thp`) is read before
/// `main`, so this goes through the kernel, which applies it to every
/// later page fault.
pub fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `PR_SET_THP_DISABLE` takes plain integers and changes only
    // how this process's memory is paged; a kernel without it returns an
    // error, which leaves things as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Resident memory now and its peak so far, in KiB (`VmRSS` and `VmHWM`
/// of `/proc/self/status`; 0 where there is none), for the examples that
/// measure the stages.
pub fn resident_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
            .unwrap_or(0)
    };
    (kib("VmRSS:"), kib("VmHWM:"))
}

#[cfg(test)]
mod tests {
    use super::MI_OPTION_PURGE_DELAY;

    /// The kernel reports huge pages off for the process once asked.
    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_once_asked() {
        super::without_huge_pages();
        // SAFETY: `PR_GET_THP_DISABLE` takes plain integers and only reads.
        let off = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(off, 1);
    }

    /// The index names the purge delay: no other option of mimalloc 3
    /// defaults to 1000 (ms). Fails if an upgrade renumbers the options.
    #[test]
    fn the_option_set_at_start_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads a plain integer option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, super::MIMALLOC_PURGE_DELAY);
    }
}
