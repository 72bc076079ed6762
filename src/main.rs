//! The `sopc` binary: parse the arguments and hand over to the CLI.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
