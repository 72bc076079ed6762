//! The `sopc` binary: parse the arguments and hand over to the CLI.

mod cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`,
/// mimalloc.h; the crate names only some options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // Give freed memory back to the system after 10 ms (mimalloc 2's
    // default) rather than 1 s: lowering frees the syntax tree while it
    // builds the graph, and with the longer delay both stay resident. On a
    // 1M-step policy this is 120 MB of peak memory.
    // SAFETY: sets a plain integer option, before any other thread runs.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    std::process::exit(cli::main());
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
