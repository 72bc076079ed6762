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
    match SopParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let mut diagnostics = Vec::new();
            let policy = pairs
                .next()
                .and_then(|file| build::policy(file, &mut diagnostics).ok());
            if policy.is_none() {
                diagnostics.push(internal_shape_error());
            }
            Parsed {
                policy,
                diagnostics,
            }
        }
        Err(first) => Parsed {
            policy: None,
            diagnostics: recover(text, first),
        },
    }
}

/// Reports the first error, then resumes at each following line that starts
/// a declaration, so that one run shows every broken declaration.
fn recover(text: &str, first: pest::error::Error<Rule>) -> Vec<Diagnostic> {
    let mut diags = vec![expected::diagnostic(text, 0, &first)];
    let mut position = expected::error_offset(&first);
    let mut last_resume = 0;
    while let Some(resume) = next_declaration_line(text, position) {
        if resume <= last_resume {
            break;
        }
        last_resume = resume;
        match SopParser::parse(Rule::decls, &text[resume..]) {
            Ok(_) => break,
            Err(e) => {
                diags.push(expected::diagnostic(text, resume, &e));
                position = resume + expected::error_offset(&e);
            }
        }
    }
    diags
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
