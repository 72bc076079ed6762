//! sopc: a compiler for help-desk Standard Operating Procedures.
//!
//! The pipeline, one module per stage (see [`pipeline`]):
//! 1. [`syntax`]: source text to AST with spans (pest), syntax diagnostics;
//! 2. [`resolve`]: names bound, "did you mean";
//! 3. [`lower`]: AST to the decision graph IR ([`graph`]);
//! 4. [`check`]: the graph checks, each with a stable [`Code`], built on the
//!    shared [`analysis`] (components, liveness, the state space);
//! 5. [`paths`], [`engine`], [`render`]: caller paths, run-time evaluation,
//!    outputs.
//!
//! Each stage runs on what the one before could read: a broken declaration
//! is left out, an unbound name leads nowhere, and one run shows every
//! independent mistake.

// pest's parser, built without its `std` feature (see Cargo.toml), names
// `alloc` from the crate root.
extern crate alloc;

pub mod analysis;
pub mod artifact;
pub mod check;
pub mod codes;
#[cfg(feature = "cli")]
pub mod config;
pub mod date;
pub mod diagnostic;
pub mod diff;
pub mod domain;
pub mod engine;
pub mod entries;
pub mod foreach;
pub mod graph;
#[cfg(feature = "human")]
#[doc(hidden)]
pub mod harness;
pub mod holder;
pub mod levels;
pub mod lower;
#[cfg(feature = "lsp")]
pub mod lsp;
#[cfg(feature = "cli")]
pub mod memory;
pub mod parallel;
pub mod paths;
pub mod pipeline;
pub mod render;
pub mod resolve;
pub mod scenarios;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sources;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod synth;
pub mod uses;

pub use codes::{Code, Severity};
pub use diagnostic::Diagnostic;
pub use engine::Engine;
pub use graph::Graph;
pub use pipeline::{
    check_file, check_source, compile, compile_file, format_source, CheckOptions, Checked,
};
pub use syntax::parse;
