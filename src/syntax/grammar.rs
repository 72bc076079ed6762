//! The pest parser generated from grammar/sop.pest.

#[derive(pest_derive::Parser)]
#[grammar = "grammar/sop.pest"]
pub struct SopParser;
