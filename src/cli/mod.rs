//! The command line: a thin dispatcher. One file per subcommand, each with an
//! `Args` struct and a `run` function returning the exit code. To add a
//! subcommand: a file here, a variant in `Command`, a line in `main`'s match,
//! and a row in README.md's command table.
//!
//! Exit codes: 0 clean, 1 policy errors (or warnings under `--deny
//! warnings`), 2 usage or I/O error, or an internal error caught by the
//! panic hook.

mod check;
mod compile;
mod diff;
mod doc;
mod eval;
mod explain;
mod fmt;
mod graph;
mod input;
mod load;
mod lsp;
mod paths;
mod records;
mod report;
mod run;
mod serve;
mod test;

use clap::{Parser, Subcommand};

/// sopc: check, compile and run help-desk Standard Operating Procedures.
#[derive(Parser, Debug)]
#[command(name = "sopc", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check policies: syntax, names, and every graph check (default: policies/)
    Check(check::Args),
    /// List or count every caller path of a policy
    Paths(paths::Args),
    /// Compile a policy into its checked JSON artifact
    Compile(compile::Args),
    /// Evaluate one call from known answers (JSON in, JSON out)
    Eval(eval::Args),
    /// Walk an analyst through a call, question by question
    Run(run::Args),
    /// Explain a check code (what it means, an example, the fix)
    Explain(explain::Args),
    /// Run the scenarios written in policies, with step and branch coverage
    Test(test::Args),
    /// Rewrite policies in the canonical layout (`--check`: only report)
    Fmt(fmt::Args),
    /// Draw the decision graph (Mermaid, Graphviz DOT, SVG)
    Graph(graph::Args),
    /// Write the SOP document (Markdown or HTML) in the seed's table form
    Doc(doc::Args),
    /// Which caller paths end differently between two versions
    Diff(diff::Args),
    /// The language server for editors, over standard input and output
    Lsp(lsp::Args),
    /// The decision service: policies, evaluation and recorded calls over HTTP
    Serve(serve::Args),
    /// Read the service's call records (`export`: JSON lines)
    Records(records::RecordsArgs),
    /// Outcomes, where calls end and branches never taken, from the call records
    Report(records::ReportArgs),
}

/// Process exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Clean = 0,
    PolicyErrors = 1,
    Usage = 2,
}

pub fn main() -> i32 {
    install_panic_hook();
    restore_sigpipe();
    // Lets the tests see the panic hook at work; nothing else sets it.
    if std::env::var_os("SOPC_TEST_PANIC").is_some() {
        panic!("SOPC_TEST_PANIC is set");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage as i32
            } else {
                0
            };
            let _ = e.print();
            return code;
        }
    };
    let exit = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Paths(a) => paths::run(a),
        Command::Compile(a) => compile::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Run(a) => run::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Test(a) => test::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Graph(a) => graph::run(a),
        Command::Doc(a) => doc::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Lsp(a) => lsp::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Records(a) => records::records(a),
        Command::Report(a) => records::report(a),
    };
    exit as i32
}

/// Like other command-line tools, stop quietly when the reader of standard
/// output goes away (`sopc paths big.sop | head`) instead of failing to print.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting the default disposition of SIGPIPE before any thread
    // starts has no other effect on the process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// A panic is a bug in sopc: say so in two lines instead of a backtrace, and
/// exit 2 (sopc could not do what was asked) rather than Rust's 101.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info.payload();
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown panic");
        eprintln!("sopc: internal error{location}: {what}");
        eprintln!("This is a bug in sopc. Please report it with the command and the policy file.");
        std::process::exit(Exit::Usage as i32);
    }));
}

/// Prints a one-line usage or I/O error and returns exit code 2.
pub fn usage_error(message: impl std::fmt::Display) -> Exit {
    eprintln!("error: {message}");
    Exit::Usage
}
