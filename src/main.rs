//! The `sopc` binary: parse the arguments and hand over to the CLI.

mod cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    sopc::memory::return_freed_memory_soon();
    std::process::exit(cli::main());
}
