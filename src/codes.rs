//! The registry of diagnostic codes: one table maps every stable code to its
//! name, its default severity, whether a user may change its level, and a
//! one-line summary. docs/checks.md has one section per code (a test keeps
//! the two in step).

use serde::{Serialize, Serializer};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $severity:ident, $lint:literal, $summary:literal; )*) => {
        /// A stable diagnostic code. Its name (`unknown-name`) never changes once
        /// released; tools match on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in the order of docs/checks.md.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// A lint may be set to allow, warn or deny. The other codes make a
            /// policy unsound and are always errors.
            pub fn is_lint(self) -> bool {
                match self { $( Code::$variant => $lint, )* }
            }

            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }
        }
    };
}

codes! {
    Syntax = "syntax", Error, false, "the text does not follow the grammar of the language";
    TooLarge = "too-large", Error, false, "the input exceeds a limit that sopc enforces";
    UnknownName = "unknown-name", Error, false, "a reference to a step, target, data field, outcome, role, fact, procedure or exit that is not declared";
    DuplicateName = "duplicate-name", Error, false, "a name or a header field declared twice";
    NotALint = "not-a-lint", Error, false, "a step's `lint` line names a check that is always an error";
    NonExhaustive = "non-exhaustive", Error, false, "a question's branches miss an answer, repeat one, or name one it does not have";
    OverlappingBranches = "overlapping-branches", Error, false, "two branches of a `match` take the same value";
    WrongType = "wrong-type", Error, false, "a value, range or rule that does not fit the type of its fact or data field, or a `for each` or `match` that reads a fact the wrong way";
    CountMismatch = "count-mismatch", Error, false, "a `verify` whose stated count differs from its list, or that needs more items than it lists";
    DeadEnd = "dead-end", Error, false, "a step with no way out";
    DisallowedTerminal = "disallowed-terminal", Error, false, "an `end` names a target its outcome does not allow";
    UnmappedExit = "unmapped-exit", Error, false, "a `call` says nothing about one of its procedure's exits";
    RecursiveProcedure = "recursive-procedure", Error, false, "a procedure calls itself, directly or through other procedures";
    UnboundedLoop = "unbounded-loop", Error, false, "a cycle of steps that no `at most N times` bound, on a branch or a `loop`, breaks";
    MissingData = "missing-data", Error, false, "some caller path files a ticket without collecting the data its target requires";
    MissingTicket = "missing-ticket", Error, false, "some caller path ends escalated to a ticket target without filing a ticket to it";
    SecretLeak = "secret-leak", Error, false, "a secret field in a ticket body, an unrecorded field in any ticket, or a secret or `never disclose` field in what is said or asked";
    ForbiddenPhrase = "forbidden-phrase", Error, false, "a text said, asked, warned, done or written contains a `never say` or `never do` phrase";
    RoleViolation = "role-violation", Error, false, "some caller path reaches a step `by ROLE` while another role holds the call";
    OrderViolation = "order-violation", Error, false, "some caller path reaches the second step of a `require A before B` without the first";
    UnknownFact = "unknown-fact", Error, false, "a `match` on a fact that some caller path has not asked yet";
    UnreachableStep = "unreachable-step", Warning, true, "a step that no caller path reaches";
    InfeasibleBranch = "infeasible-branch", Warning, true, "a branch on a known fact that no caller path can take";
    UncollectedField = "uncollected-field", Warning, true, "a ticket names a data field that some caller path to it has not collected";
    ReviewOverdue = "review-overdue", Warning, true, "the last review is older than the policy's review period";
    OpenGap = "open-gap", Warning, true, "a caller path ends in or passes a `gap`: something the source leaves unsaid";
    LongPath = "long-path", Warning, true, "the longest caller path asks more questions than the policy's budget";
    MissingText = "missing-text", Warning, true, "a step without text, or a question without a prompt";
    UnusedDeclaration = "unused-declaration", Warning, true, "a data field, ticket or referral target, outcome, declared fact or procedure that nothing uses";
    SingleAnswer = "single-answer", Warning, true, "a question with one answer, which decides nothing";
    UselessBound = "useless-bound", Warning, true, "an `at most N times` bound on a branch, or a `loop` bound on a step, that no loop passes through";
    UnknownPolicy = "unknown-policy", Error, false, "a `handoff` names a policy that is not in the folder";
    BrokenHandoff = "broken-handoff", Error, false, "a `handoff` names a policy of the folder that has errors";
    HandoffData = "handoff-data", Error, false, "a `handoff` does not hand over data the policy it names `receives`";
    HandoffCycle = "handoff-cycle", Warning, true, "handoffs between the folder's policies lead around a circle";
    UnknownFile = "unknown-file", Error, false, "a `use` names a file that cannot be read or is not a library, or a library is run as a policy";
    PolicyOnly = "policy-only", Error, false, "a library holds a declaration only a policy may make: a step, a start, an entry, a standing rule, a `receives`, a `require` or a scenario";
    ShadowedName = "shadowed-name", Warning, true, "a policy declares a name that a library it uses also declares; the policy's own declaration is the one used";
    UnusedExit = "unused-exit", Warning, true, "a procedure's exit that none of its steps takes";
    DuplicateStep = "duplicate-step", Warning, true, "two steps that do the same things in the same order: a procedure to write once";
}

impl Code {
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The code named `name`, or a one-line reason with the closest name.
    pub fn lookup(name: &str) -> Result<Code, String> {
        Code::from_name(name).ok_or_else(|| {
            match crate::suggest::closest(name, Code::ALL.iter().map(|c| c.name())) {
                Some(s) => format!("there is no check `{name}`; did you mean `{s}`?"),
                None => format!("there is no check `{name}`; `sopc explain` lists them"),
            }
        })
    }

    /// The lint named `name`: errors cannot change level.
    pub fn lookup_lint(name: &str) -> Result<Code, String> {
        let code = Code::lookup(name)?;
        if code.is_lint() {
            Ok(code)
        } else {
            Err(format!(
                "`{name}` is always an error; only lints can change level"
            ))
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for code in Code::ALL {
            assert_eq!(Code::from_name(code.name()), Some(*code));
        }
        assert_eq!(Code::from_name("no-such-code"), None);
    }

    #[test]
    fn only_warnings_are_lints() {
        for code in Code::ALL {
            assert_eq!(
                code.is_lint(),
                code.default_severity() == Severity::Warning,
                "{code}"
            );
        }
    }
}
