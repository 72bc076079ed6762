//! The allocator's settings (`sopc::memory`), in a process of their own:
//! they are global, and the other tests' checks take the guard too.

/// mimalloc's `mi_option_purge_delay` (see src/memory.rs).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn purge_delay() -> std::os::raw::c_long {
    // SAFETY: reads a plain integer option.
    unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
}

/// Overlapping guards (checks on two threads) keep the long delay while
/// either lives, and the last to go restores the binary's short one,
/// whichever was taken first.
#[test]
fn overlapping_guards_restore_the_delay_the_first_found() {
    sopc::memory::return_freed_memory_soon();
    assert_eq!(purge_delay(), 10);
    let first = sopc::memory::keep_freed_memory();
    assert_eq!(purge_delay(), 1000);
    let second = sopc::memory::keep_freed_memory();
    drop(first);
    assert_eq!(purge_delay(), 1000, "the second guard still lives");
    drop(second);
    assert_eq!(purge_delay(), 10);
}
