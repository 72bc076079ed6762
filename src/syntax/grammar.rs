//! The pest parser of grammar/sop.pest, the language's one grammar.

#[derive(pest_derive::Parser)]
#[grammar = "grammar/sop.pest"]
pub struct SopParser;
