//! The two threads a large policy's stages use: how many cores there are,
//! and running two pieces of work side by side. Starting a thread can fail;
//! the work then runs on this thread, one piece after the other, and a
//! panic in the second thread is passed on as it is.

/// The cores this process may use (1 when unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs `first` here and `second` on another thread, and returns both
/// results; `second` runs here after `first` when no thread can be
/// started. `second` is borrowed, not moved, so that it is still here then.
pub fn both<A, B: Send>(first: impl FnOnce() -> A, second: impl Fn() -> B + Sync) -> (A, B) {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().spawn_scoped(scope, &second);
        let a = first();
        let b = match thread {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => second(),
        };
        (a, b)
    })
}
