//! The words of the language, by family: the one list that error messages,
//! reserved names and tools (completion, highlighting) read. A test holds it
//! to grammar/sop.pest: every word the grammar matches is here, and every
//! word here is in the grammar.

/// Words that start a declaration.
pub const DECLARATIONS: &[&str] = &[
    "use",
    "entry",
    "step",
    "target",
    "data",
    "fact",
    "outcome",
    "role",
    "never",
    "require",
    "start",
    "anytime",
    "receives",
    "procedure",
    "scenario",
    "loop",
];
/// Words that start an action inside a step.
pub const ACTIONS: &[&str] = &[
    "do", "say", "warn", "note", "collect", "ticket", "lint", "transfer", "refer", "for", "repeat",
];
/// Words that start a step's way out.
pub const WAYS_OUT: &[&str] = &[
    "ask", "wait", "match", "verify", "goto", "call", "end", "gap", "exit", "handoff",
];
/// Fields of the header (`review every`).
pub const HEADER_FIELDS: &[&str] = &[
    "owner",
    "approval",
    "implemented",
    "reviewed",
    "revision",
    "purpose",
    "source",
    "review",
    "budget",
];
/// Sections of a ticket.
pub const TICKET_ITEMS: &[&str] = &["title", "field", "body", "assignee"];
/// Lines of a scenario.
pub const SCENARIO_ITEMS: &[&str] = &["answers", "expect", "visits", "anytime", "at"];
pub const DATA_CLASSES: &[&str] = &[
    "text",
    "phone",
    "email",
    "id",
    "date",
    "number",
    "secret",
    "unrecorded",
];
/// Rules on a data field's value.
pub const VALUE_RULES: &[&str] = &["min", "max", "length", "pattern"];
/// Types of a fact (`yes/no` and `{ answers }` besides).
pub const FACT_TYPES: &[&str] = &[
    "number", "count", "money", "minutes", "hours", "days", "date", "time", "multiple",
];
/// Where a fact's value comes from.
pub const FACT_SOURCES: &[&str] = &["ask", "lookup", "from", "host", "in"];
/// Units written after a number in a range.
pub const VALUE_UNITS: &[&str] = &["minutes", "minute", "hours", "hour", "days", "day"];
/// Words of a range in a `match` branch.
pub const RANGES: &[&str] = &[
    "over", "under", "before", "after", "or", "more", "less", "later", "earlier",
];
/// Words of a `verify` way out.
pub const VERIFY: &[&str] = &["all", "any", "at", "least", "of", "these"];
pub const TARGET_KINDS: &[&str] = &["referral", "ticket", "contact"];
pub const OUTCOME_KINDS: &[&str] = &[
    "resolved",
    "referral",
    "escalation",
    "pending",
    "declined",
    "handoff",
    "transferred",
    "callback",
];
pub const PERIOD_UNITS: &[&str] = &["days", "day", "months", "month", "years", "year"];
pub const LINT_LEVELS: &[&str] = &["allow", "warn", "deny"];
/// Words that only continue a construct another word started.
pub const CONNECTIVES: &[&str] = &[
    "sop",
    "library",
    "via",
    "requires",
    "to",
    "disclose",
    "until",
    "within",
    "say",
    "do",
    "before",
    "by",
    "else",
    "at",
    "most",
    "times",
    "time",
    "then",
    "every",
    "questions",
    "question",
    "exits",
    "each",
    "up",
];

/// Words that cannot be names (of steps, facts, answers, targets, ...):
/// those that start a declaration, an action or a way out, the header's
/// `sop`, and `else`.
pub fn is_reserved(word: &str) -> bool {
    // `entry` names the fact and the first step of a policy with entries
    // (`src/entries.rs`): free as a name, for them.
    word != "entry"
        && (word == "sop"
            || word == "library"
            || word == "else"
            || DECLARATIONS.contains(&word)
            || ACTIONS.contains(&word)
            // `wait` came after policies had steps and facts called `wait`
            // (a queue wait); only `wait NAME "…" {` is the way out, so the
            // name stays free.
            || (WAYS_OUT.contains(&word) && word != "wait"))
}

/// Every word of the language, each once.
pub fn all() -> Vec<&'static str> {
    let mut words: Vec<&str> = [
        DECLARATIONS,
        ACTIONS,
        WAYS_OUT,
        HEADER_FIELDS,
        TICKET_ITEMS,
        SCENARIO_ITEMS,
        DATA_CLASSES,
        TARGET_KINDS,
        OUTCOME_KINDS,
        PERIOD_UNITS,
        LINT_LEVELS,
        VALUE_RULES,
        FACT_TYPES,
        FACT_SOURCES,
        VALUE_UNITS,
        RANGES,
        VERIFY,
        CONNECTIVES,
    ]
    .concat();
    words.sort_unstable();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    /// The words the grammar matches: its quoted literals made of letters.
    fn grammar_words() -> Vec<String> {
        let grammar = include_str!("../../grammar/sop.pest");
        let mut words = Vec::new();
        for line in grammar.lines() {
            let code = line.split("//").next().unwrap_or("");
            for (i, piece) in code.split('"').enumerate() {
                if i % 2 == 1 && !piece.is_empty() && piece.chars().all(|c| c.is_ascii_lowercase())
                {
                    words.push(piece.to_string());
                }
            }
        }
        words.sort();
        words.dedup();
        words
    }

    #[test]
    fn the_word_list_is_the_grammars() {
        let listed: Vec<String> = super::all().into_iter().map(String::from).collect();
        assert_eq!(grammar_words(), listed);
    }
}
