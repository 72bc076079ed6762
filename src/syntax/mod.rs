//! Source text to AST: the pest grammar, error recovery, the tree builder and
//! the translation of pest's expectations into words.

pub mod ast;
mod build;
mod expected;
mod grammar;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use grammar::{Rule, SopParser};
use pest::Parser;

/// Words that start a declaration, an action or a way out of a step: they
/// cannot be names (resolution reports a name that is one).
pub const KEYWORDS: &[&str] = &[
    "sop", "role", "target", "data", "outcome", "never", "require", "start", "step", "scenario",
    "do", "say", "warn", "note", "collect", "ticket", "lint", "ask", "match", "goto", "end",
    "else",
];

/// The largest policy file sopc reads. Spans are 32-bit and the checks are
/// linear, so this is about memory and patience, not correctness.
pub const MAX_SOURCE_BYTES: usize = 256 * 1024 * 1024;

/// The result of parsing: a tree when the text follows the grammar, and every
/// diagnostic found. Parsing never panics and never stops at the first error:
/// after a broken declaration it resumes at the next line that starts one.
#[derive(Debug)]
pub struct Parsed {
    pub policy: Option<ast::Policy>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn parse(text: &str) -> Parsed {
    if text.len() > MAX_SOURCE_BYTES {
        let d = Diagnostic::new(
            Code::TooLarge,
            format!(
                "the policy is {} bytes; sopc reads at most {} bytes",
                text.len(),
                MAX_SOURCE_BYTES
            ),
        )
        .with_help("split the procedure into several policies");
        return Parsed {
            policy: None,
            diagnostics: vec![d],
        };
    }
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        let d = Diagnostic::new(Code::Syntax, "the policy file is empty")
            .at(Span::new(0, 0), "nothing here")
            .with_help(
                "a policy starts with a header: sop \"TS-CCC-010\" \"Title\" { owner \"...\" }",
            );
        return Parsed {
            policy: None,
            diagnostics: vec![d],
        };
    }
    let mut diagnostics = Vec::new();
    let mut shape_ok = true;
    let (mut policy, mut at) = match SopParser::parse(Rule::head, text) {
        Ok(mut head) => match head.next().map(|h| build::policy(h, 0, &mut diagnostics)) {
            Some(Ok(p)) => {
                let end = p.header.span.end as usize;
                (Some(p), Some(end))
            }
            _ => {
                shape_ok = false;
                (None, None)
            }
        },
        Err(e) => {
            diagnostics.push(expected::diagnostic(text, 0, &e));
            // Look for declarations after the broken header anyway.
            (
                None,
                next_declaration_line(text, expected::error_offset(&e)),
            )
        }
    };
    // Up to 8 declarations (the grammar's `chunk`) per pest run. After an
    // error the tree is gone (a policy with syntax errors has none) and
    // parsing goes on only to report, from the next line that starts a
    // declaration.
    while let Some(start) = at {
        match SopParser::parse(Rule::chunk, &text[start..]) {
            Ok(mut pairs) => {
                let Some(chunk) = pairs.next() else {
                    shape_ok = false;
                    break;
                };
                let mut end = start;
                let mut finished = false;
                for decl in chunk.into_inner() {
                    if decl.as_rule() == Rule::EOI {
                        finished = true;
                        break;
                    }
                    end = start + decl.as_span().end();
                    if let Some(p) = policy.as_mut() {
                        if build::declaration(decl, start, p, &mut diagnostics).is_err() {
                            shape_ok = false;
                            policy = None;
                        }
                    }
                }
                // A chunk without the end holds 8 declarations.
                at = (!finished).then_some(end).filter(|&e| e > start);
            }
            Err(e) => {
                diagnostics.push(expected::diagnostic(text, start, &e));
                policy = None;
                let resume = next_declaration_line(text, start + expected::error_offset(&e));
                at = resume.filter(|&r| r > start);
            }
        }
    }
    if !shape_ok {
        diagnostics.push(internal_shape_error());
    }
    Parsed {
        policy,
        diagnostics,
    }
}

/// The start of the first line at or after `from` (at column 0) that begins
/// with a declaration keyword.
fn next_declaration_line(text: &str, from: usize) -> Option<usize> {
    const STARTERS: &[&str] = &[
        "role ",
        "target ",
        "data ",
        "outcome ",
        "never ",
        "require ",
        "start ",
        "step ",
        "scenario ",
    ];
    let mut line_start = crate::span::floor_char_boundary(text, from.min(text.len()));
    // Back up to the start of the line holding `from`, unless `from` is there.
    if let Some(nl) = text[..line_start].rfind('\n') {
        if nl + 1 != line_start {
            line_start = text[line_start..].find('\n').map(|i| line_start + i + 1)?;
        }
    } else if line_start != 0 {
        line_start = text[line_start..].find('\n').map(|i| line_start + i + 1)?;
    }
    let mut at = line_start;
    while at < text.len() {
        let line = &text[at..];
        if STARTERS.iter().any(|s| line.starts_with(s)) {
            return Some(at);
        }
        at += line.find('\n')? + 1;
    }
    None
}

fn internal_shape_error() -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        "internal error: the parse tree did not have the expected shape",
    )
    .with_help("this is a bug in sopc; please report it with the policy file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resumes_at_the_next_declaration_line() {
        let text = "sop \"X\" \"Y\" {}\nstep a { goto }\nstep b { goto }\n";
        let parsed = parse(text);
        assert!(parsed.policy.is_none());
        assert_eq!(parsed.diagnostics.len(), 2, "{:#?}", parsed.diagnostics);
    }

    /// Texts take any character but a quote, a backslash or a line end
    /// (written as character ranges in the grammar), plus four escapes.
    #[test]
    fn texts_take_every_character_but_quote_backslash_and_line_ends() {
        let policy = |t: &str| {
            format!("sop \"X\" \"{t}\" {{}}\nstep a \"A\" {{ end done }}\noutcome done\n")
        };
        for ok in [
            "tab\there",
            "caf\u{e9} \u{5d0}\u{5b8} \u{1F600}",
            "\\\" \\\\ \\n \\t",
            "ctl \u{1}\u{b}\u{c}\u{e}\u{7f}",
            "!#[]{}~ \u{10FFFF}",
        ] {
            let parsed = parse(&policy(ok));
            assert!(
                parsed.diagnostics.is_empty(),
                "{ok:?}: {:#?}",
                parsed.diagnostics
            );
        }
        for bad in ["line\nend", "cr\rhere", "back\\x", "a\"b"] {
            assert!(
                parse(&policy(bad)).policy.is_none(),
                "{bad:?} should not parse"
            );
        }
    }

    #[test]
    fn a_minimal_policy_parses() {
        let text = "sop \"X\" \"Y\" {}\nstart a\nstep a \"A\" { end done }\noutcome done\n";
        let parsed = parse(text);
        assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
        let policy = parsed.policy.expect("a tree");
        assert_eq!(policy.steps.len(), 1);
        assert_eq!(policy.steps[0].name.text, "a");
    }
}
