//! The two pest parsers: the fast one builds trees, the reference one words
//! syntax errors (see grammar/fast.pest for how they relate).

/// grammar/fast.pest: accepts the language, builds the tree.
pub mod fast {
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/fast.pest"]
    pub struct FastParser;
}

/// grammar/sop.pest: the language's reference, one rule per token.
pub mod reference {
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/sop.pest"]
    pub struct SopParser;
}
