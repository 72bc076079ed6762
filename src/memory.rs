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

#[cfg(test)]
mod tests {
    use super::MI_OPTION_PURGE_DELAY;

    /// The index names the purge delay: no other option of mimalloc 3
    /// defaults to 1000 (ms). Fails if an upgrade renumbers the options.
    #[test]
    fn the_option_set_at_start_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads a plain integer option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
