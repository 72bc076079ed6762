//! Source text to AST: the pest grammar, error recovery, the tree builder and
//! the translation of pest's expectations into words.

pub mod ast;
mod build;
mod expected;
mod grammar;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use grammar::fast::{self, FastParser};
use grammar::reference::{self, SopParser};
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
pub struct Parsed<'a> {
    pub policy: Option<ast::Policy<'a>>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn parse(text: &str) -> Parsed<'_> {
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
    let parts = crate::parallel::cores().min(text.len() / PART_MIN_BYTES);
    if let Some(parsed) = parse_in_parts(text, parts) {
        return parsed;
    }
    parse_in_one_pass(text)
}

/// The whole text in one pass on this thread: what [`parse`] does for a
/// small text, and what [`parse_in_parts`] is held to in the tests.
#[doc(hidden)]
pub fn parse_in_one_pass(text: &str) -> Parsed<'_> {
    parse_whole(text, step_lines(text))
}

/// How many lines start with `step `: about the number of steps, so that
/// the list of steps is allocated once, at its size (a policy's largest
/// list; growing it copies it, and briefly holds it twice).
fn step_lines(text: &str) -> usize {
    usize::from(text.starts_with("step "))
        + memchr::memmem::find_iter(text.as_bytes(), "\nstep ").count()
}

/// A text at least twice this long is parsed in parts, one per core, each of
/// at least this size. Below it, starting a thread costs more than it saves.
const PART_MIN_BYTES: usize = 256 * 1024;

/// Parses the text in about `parts` parts, one thread each, cut at lines
/// that start a declaration (`None` when there is only one part to make).
///
/// The parts give the same tree as one pass: a cut line starts with a
/// declaration keyword at column 0, and no declaration can go on past such
/// a line (its optional tails start with other words, a list goes on only
/// after a comma), so a first part that parses cleanly ends exactly where
/// the whole text's declaration did. A cut inside a quoted text or a
/// brace block leaves an unclosed part, which fails. When any part has a
/// diagnostic, the whole text is parsed again in one pass, so that error
/// recovery and wording are those of a single parse.
#[doc(hidden)]
pub fn parse_in_parts<'a>(text: &'a str, parts: usize) -> Option<Parsed<'a>> {
    if parts < 2 {
        return None;
    }
    let mut cuts: Vec<usize> = Vec::with_capacity(parts + 1);
    cuts.push(0);
    for k in 1..parts {
        match next_declaration_line(text, k * text.len() / parts) {
            Some(cut) if cut > *cuts.last()? => cuts.push(cut),
            _ => {}
        }
    }
    cuts.push(text.len());
    if cuts.len() < 3 {
        return None;
    }
    let (first, rest) = std::thread::scope(|scope| {
        let spawned: Vec<_> = cuts
            .windows(2)
            .skip(1)
            .map(|w| {
                let (start, end) = (w[0], w[1]);
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || declarations(&text[..end], start))
            })
            .collect();
        let first = parse_whole(&text[..cuts[1]], step_lines(text));
        let rest: Vec<_> = spawned
            .into_iter()
            .map(|h| {
                h.ok()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            })
            .collect();
        (first, rest)
    });
    // A part's tree, if it has one and no diagnostic.
    let clean = |p: Parsed<'a>| p.policy.filter(|_| p.diagnostics.is_empty());
    let mut policy = clean(first);
    for part in rest {
        match (policy.as_mut(), part.and_then(clean)) {
            (Some(p), Some(part)) => p.append(part),
            _ => policy = None,
        }
    }
    Some(match policy {
        Some(policy) => Parsed {
            policy: Some(policy),
            diagnostics: Vec::new(),
        },
        None => parse_in_one_pass(text),
    })
}

/// The declarations of `text[start..]`, in a policy with an empty header,
/// and the diagnostics; no tree after an error (there is no recovery here:
/// [`parse_in_parts`] parses again in one pass).
fn declarations(text: &str, start: usize) -> Parsed<'_> {
    let mut diagnostics = Vec::new();
    let mut policy = ast::Policy::without_header();
    policy.steps.reserve_exact(step_lines(&text[start..]));
    let mut at = Some(start);
    while let Some(from) = at {
        match chunk(text, from, Some(&mut policy), &mut diagnostics) {
            Ok(next) => at = next,
            Err(_) => {
                return Parsed {
                    policy: None,
                    diagnostics,
                }
            }
        }
    }
    Parsed {
        policy: Some(policy),
        diagnostics,
    }
}

/// The whole text in one pass, resuming after errors, with room for
/// `steps` steps.
fn parse_whole(text: &str, steps: usize) -> Parsed<'_> {
    let mut diagnostics = Vec::new();
    let (mut policy, mut at) = match head(text, &mut diagnostics) {
        Ok(mut p) => {
            p.steps.reserve_exact(steps);
            let end = p.header.span.end as usize;
            (Some(p), Some(end))
        }
        Err(error_at) => {
            // Look for declarations after the broken header anyway.
            (None, error_at.and_then(|e| next_declaration_line(text, e)))
        }
    };
    // Up to 8 declarations (the grammar's `chunk`) per pest run. After an
    // error the tree is gone (a policy with syntax errors has none) and
    // parsing goes on only to report, from the next line that starts a
    // declaration.
    while let Some(start) = at {
        match chunk(text, start, policy.as_mut(), &mut diagnostics) {
            Ok(next) => at = next,
            Err(error_at) => {
                policy = None;
                at = error_at
                    .and_then(|e| next_declaration_line(text, e))
                    .filter(|&r| r > start);
            }
        }
    }
    Parsed {
        policy,
        diagnostics,
    }
}

/// The header, by the fast grammar. On failure the reference grammar words
/// why; the error is where it failed in the file, `None` when the reference
/// accepts what the fast path refused (a bug in sopc, reported as one).
fn head<'a>(text: &'a str, diags: &mut Vec<Diagnostic>) -> Result<ast::Policy<'a>, Option<usize>> {
    let before = diags.len();
    let built = FastParser::parse(fast::Rule::head, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .and_then(|h| build::policy(h, 0, diags).ok());
    match built {
        Some(p) => Ok(p),
        None => {
            diags.truncate(before);
            Err(reference_error(text, 0, reference::Rule::head, diags))
        }
    }
}

/// Up to 8 declarations from `text[start..]` into the policy (when there
/// still is one). `Ok(Some(end))` when more may follow, `Ok(None)` at the
/// end of the file. Errors as for [`head`]; the piece's other diagnostics
/// are dropped with its tree.
fn chunk<'a>(
    text: &'a str,
    start: usize,
    mut policy: Option<&mut ast::Policy<'a>>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<usize>, Option<usize>> {
    let piece = &text[start..];
    let before = diags.len();
    let built: Result<Option<usize>, ()> = (|| {
        let chunk = FastParser::parse(fast::Rule::chunk, piece)
            .map_err(drop)?
            .next()
            .ok_or(())?;
        let mut end = start;
        for decl in chunk.into_inner() {
            if decl.as_rule() == fast::Rule::EOI {
                return Ok(None);
            }
            end = start + decl.as_span().end();
            if let Some(p) = policy.as_deref_mut() {
                build::declaration(decl, start, p, diags).map_err(drop)?;
            }
        }
        // A chunk without the end holds 8 declarations.
        Ok(Some(end).filter(|&e| e > start))
    })();
    built.map_err(|()| {
        diags.truncate(before);
        reference_error(text, start, reference::Rule::chunk, diags)
    })
}

/// The reference grammar's verdict on a piece the fast path refused: its
/// diagnostic and the error's offset; if it accepts the piece, the
/// disagreement is reported and the result is `None`.
fn reference_error(
    text: &str,
    start: usize,
    rule: reference::Rule,
    diags: &mut Vec<Diagnostic>,
) -> Option<usize> {
    match SopParser::parse(rule, &text[start..]) {
        Err(e) => {
            diags.push(expected::diagnostic(text, start, &e));
            Some(start + expected::error_offset(&e))
        }
        Ok(_) => {
            diags.push(grammars_disagree(text, start));
            None
        }
    }
}

/// Whether the reference grammar alone accepts the whole text, read the way
/// [`parse`] reads it (header, then chunks of declarations). A policy has a
/// tree exactly when this holds: the tests and fuzz targets hold the fast
/// grammar to it.
#[doc(hidden)]
pub fn reference_accepts(text: &str) -> bool {
    let Ok(mut head) = SopParser::parse(reference::Rule::head, text) else {
        return false;
    };
    let Some(header) = head.next() else {
        return false;
    };
    let mut at = header.as_span().end();
    loop {
        let Ok(mut pairs) = SopParser::parse(reference::Rule::chunk, &text[at..]) else {
            return false;
        };
        let Some(chunk) = pairs.next() else {
            return false;
        };
        let mut end = at;
        for decl in chunk.into_inner() {
            if decl.as_rule() == reference::Rule::EOI {
                return true;
            }
            end = at + decl.as_span().end();
        }
        if end <= at {
            return false;
        }
        at = end;
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

/// The fast path refused a piece the reference grammar accepts: a bug in
/// sopc, reported at the piece rather than as a wrong tree.
fn grammars_disagree(text: &str, start: usize) -> Diagnostic {
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    Diagnostic::new(
        Code::Syntax,
        "internal error: sopc's two parsers disagree about this text",
    )
    .at(Span::new(start, end), "from here")
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
            let text = policy(ok);
            let parsed = parse(&text);
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
