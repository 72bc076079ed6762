//! What each stage of a check holds on the heap, counted block by block:
//! `cargo run --release --example heap -- big.sop`. Where `stages` shows
//! resident memory (what the peak is made of), this shows the bytes each
//! structure holds (what to make smaller), and the graph's parts one by one.
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// mimalloc, counting the usable size of every live block.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static BLOCKS: AtomicUsize = AtomicUsize::new(0);
static MIMALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn usable(p: *mut u8) -> usize {
    // SAFETY: `p` is a live block of mimalloc's.
    unsafe { libmimalloc_sys::mi_usable_size(p as _) }
}

// SAFETY: every call goes to mimalloc as it came; the counts only read
// the blocks' sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = MIMALLOC.alloc(l);
        if !p.is_null() {
            LIVE.fetch_add(usable(p), Relaxed);
            BLOCKS.fetch_add(1, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(usable(p), Relaxed);
        BLOCKS.fetch_sub(1, Relaxed);
        MIMALLOC.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        let old = usable(p);
        let q = MIMALLOC.realloc(p, l, n);
        if !q.is_null() {
            LIVE.fetch_sub(old, Relaxed);
            LIVE.fetch_add(usable(q), Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Live heap bytes and blocks, and resident memory, in MiB (Linux).
fn report(stage: &str) {
    let (now, peak) = sopc::memory::resident_kib();
    eprintln!(
        "{stage}: live {} MiB in {} blocks; resident {} MiB, peak {} MiB",
        LIVE.load(Relaxed) >> 20,
        BLOCKS.load(Relaxed),
        now >> 10,
        peak >> 10
    );
}

fn main() {
    // As the binary does (see examples/stages.rs).
    sopc::memory::return_freed_memory_soon();
    let path = std::env::args().nth(1).expect("a policy file");
    if let Ok(m) = std::fs::metadata(&path) {
        sopc::memory::before_reading(m.len());
    }
    let text = std::fs::read_to_string(path).expect("readable UTF-8");
    report("text");
    let mut diags = Vec::new();
    let policy = sopc::syntax::parse(&text).policy;
    report("tree");
    // As the pipeline does (src/pipeline.rs, `lower_policy`).
    let bump = bumpalo::Bump::new();
    let mut pieces = sopc::foreach::Pieces::default();
    let policy = sopc::pipeline::desugar(policy, &bump, &mut diags, &mut pieces);
    let mut symbols = sopc::resolve::resolve(&policy, &mut diags);
    report("resolved");
    symbols.drop_names();
    report("names dropped");
    let Some(mut graph) = sopc::lower::lower(policy, &symbols, &mut diags) else {
        eprintln!("the policy has errors that leave no graph");
        return;
    };
    drop(symbols);
    report("lowered");
    drop(text);
    report("the graph alone");
    // The graph's parts, each freed in turn: the drop in live bytes is
    // what the part held.
    for s in graph.steps.iter_mut() {
        s.actions = Vec::new();
    }
    report("without the steps' actions");
    for s in graph.steps.iter_mut() {
        s.exit = sopc::graph::Exit::None;
    }
    report("without their ways out");
    graph.facts = Vec::new();
    report("without the facts");
    graph.steps = Vec::new();
    report("without the steps");
}
