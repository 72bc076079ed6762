//! Outputs for people and tools. Only this layer (and the CLI) knows the
//! output formats.

pub mod check_json;
