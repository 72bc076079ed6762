//! Source text to AST: the pest grammar, error recovery, the tree builder and
//! the translation of pest's expectations into words.

pub mod ast;
mod build;
mod expected;
mod grammar;
pub mod keywords;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use expected::Attempts;
use grammar::{Rule, SopParser};
use pest::Parser;

/// The largest policy file sopc reads. Spans are 32-bit and the checks are
/// linear, so this is about memory and patience, not correctness.
pub const MAX_SOURCE_BYTES: usize = 256 * 1024 * 1024;

/// The result of parsing: the tree of what parsed, and every diagnostic
/// found. Parsing never panics and never stops at the first error: a broken
/// declaration is left out of the tree (its names are kept in
/// [`ast::Policy::broken`]) and parsing resumes at the next line that
/// starts a declaration, so the later stages see every other declaration.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub policy: ast::Policy<'a>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed<'_> {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
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
            policy: ast::Policy::without_header(),
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
            policy: ast::Policy::without_header(),
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
    parse_whole(text, 0, step_lines(text))
}

/// The file `text[start..]`, with spans counted from the start of `text`:
/// how a library a policy `use`s is read into the policy's span space
/// (`pipeline`), so that one span tells which file it is in.
pub fn parse_at(text: &str, start: usize) -> Parsed<'_> {
    parse_whole(text, start, step_lines(&text[start..]))
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
        let first = parse_whole(&text[..cuts[1]], 0, step_lines(text));
        let rest: Vec<_> = spawned
            .into_iter()
            .map(|h| {
                h.ok()
                    .and_then(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            })
            .collect();
        (first, rest)
    });
    let mut policy = (first.diagnostics.is_empty()).then_some(first.policy);
    for part in rest {
        match (policy.as_mut(), part) {
            (Some(p), Some(part)) => p.append(part),
            _ => policy = None,
        }
    }
    Some(match policy {
        Some(policy) => Parsed {
            policy,
            diagnostics: Vec::new(),
        },
        None => parse_in_one_pass(text),
    })
}

/// The declarations of `text[start..]`, in a policy with an empty header;
/// `None` at the first diagnostic (there is no recovery here:
/// [`parse_in_parts`] parses again in one pass).
fn declarations(text: &str, start: usize) -> Option<ast::Policy<'_>> {
    let mut diagnostics = Vec::new();
    let mut policy = ast::Policy::without_header();
    policy.steps.reserve_exact(step_lines(&text[start..]));
    let mut at = Some(start);
    while let Some(from) = at {
        at = chunk(text, from, &mut policy, &mut diagnostics).ok()?;
        if !diagnostics.is_empty() {
            return None;
        }
    }
    Some(policy)
}

/// The whole of `text[from..]` in one pass, resuming after errors, with
/// room for `steps` steps.
fn parse_whole(text: &str, from: usize, steps: usize) -> Parsed<'_> {
    let mut diagnostics = Vec::new();
    let (mut policy, mut at) = match head(text, from, &mut diagnostics) {
        Ok(p) => {
            let end = p.header.span.end as usize;
            (p, Some(end))
        }
        // Read the declarations after the broken header anyway.
        Err(error_at) => (
            ast::Policy::without_header(),
            next_declaration_line(text, error_at),
        ),
    };
    policy.steps.reserve_exact(steps);
    // Up to 8 declarations (the grammar's `chunk`) per pest run; where one
    // fails, they are read one at a time up to the broken one, which is
    // left out, and parsing resumes at the next line that starts a
    // declaration.
    while let Some(start) = at {
        at = match chunk(text, start, &mut policy, &mut diagnostics) {
            Ok(next) => next,
            Err(()) => one_at_a_time(text, start, &mut policy, &mut diagnostics),
        };
    }
    Parsed {
        policy,
        diagnostics,
    }
}

/// The header. On failure its error is worded and the result is where it
/// failed in the file.
fn head<'a>(
    text: &'a str,
    from: usize,
    diags: &mut Vec<Diagnostic>,
) -> Result<ast::Policy<'a>, usize> {
    let built = SopParser::parse(Rule::head, &text[from..])
        .ok()
        .and_then(|mut pairs| pairs.next())
        .map(|h| build::policy(h, from, diags));
    match built {
        Some(Ok(p)) => Ok(p),
        Some(Err(reject)) => Err(rejected(text, from, reject, diags)),
        None => Err(word_error(text, from, Rule::head, diags)),
    }
}

/// Up to 8 declarations from `text[start..]` into the policy, or none if
/// the grammar refuses any of them. `Ok(Some(end))` when more may follow,
/// `Ok(None)` at the end of the file.
fn chunk<'a>(
    text: &'a str,
    start: usize,
    policy: &mut ast::Policy<'a>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<usize>, ()> {
    let piece = &text[start..];
    let mut chunk = SopParser::parse(Rule::chunk, piece).map_err(drop)?;
    let chunk = chunk.next().ok_or(())?;
    let mut end = start;
    for decl in chunk.into_inner() {
        if decl.as_rule() == Rule::EOI {
            return Ok(None);
        }
        let decl_start = start + decl.as_span().start();
        end = start + decl.as_span().end();
        // A declaration the builder refuses (rare: a carriage return in a
        // text) is left out like one the grammar refuses.
        if let Err(reject) = build::declaration(decl, start, policy, diags) {
            rejected(text, decl_start, reject, diags);
            policy.broken.extend(broken_names(&text[decl_start..end]));
        }
    }
    // A chunk without the end holds 8 declarations.
    Ok(Some(end).filter(|&e| e > start))
}

/// Reads declarations one at a time from `start` (where a chunk failed):
/// those before the broken one go into the policy; the broken one is
/// worded, its names are kept as broken, and the result is where parsing
/// resumes.
fn one_at_a_time<'a>(
    text: &'a str,
    start: usize,
    policy: &mut ast::Policy<'a>,
    diags: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let mut at = start;
    loop {
        let parsed = SopParser::parse(Rule::one, &text[at..]);
        let Some(decl) = parsed.ok().and_then(|mut p| p.next()) else {
            let error_at = word_error(text, at, Rule::one, diags);
            return resume_after(text, at, error_at, policy);
        };
        let decl = decl.into_inner().next()?;
        if decl.as_rule() == Rule::EOI {
            return None;
        }
        let end = at + decl.as_span().end();
        if let Err(reject) = build::declaration(decl, at, policy, diags) {
            let error_at = rejected(text, at, reject, diags);
            resume_after(text, at, error_at, policy);
            // The grammar read the declaration to its end: go on there.
            return Some(end);
        }
        at = end;
    }
}

/// Notes the names a broken declaration starting at or after `from`
/// declared, and returns the next line after `error_at` that starts a
/// declaration.
fn resume_after<'a>(
    text: &'a str,
    from: usize,
    error_at: usize,
    policy: &mut ast::Policy<'a>,
) -> Option<usize> {
    let resume = next_declaration_line(text, error_at.max(from + 1)).filter(|&r| r > from);
    let region = &text[from..resume.unwrap_or(text.len())];
    policy.broken.extend(broken_names(region));
    resume
}

/// The names a declaration that did not parse declares, read word by word:
/// its own name (`step NAME`, `target NAME`, ...) and the questions it asks
/// (`ask NAME`).
fn broken_names(region: &str) -> Vec<ast::BrokenName<'_>> {
    use ast::NameKind;
    // Words outside quoted texts and comments: "Please ask the caller" asks
    // nothing.
    let mut code = String::with_capacity(region.len());
    let (mut quoted, mut escaped, mut comment) = (false, false, false);
    for c in region.chars() {
        match c {
            '\n' => (quoted, comment) = (false, false),
            '"' if !escaped && !comment => quoted = !quoted,
            '#' if !quoted => comment = true,
            _ => {}
        }
        escaped = quoted && c == '\\' && !escaped;
        if quoted || comment {
            // As many blanks as the character's bytes, to keep offsets.
            code.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            code.push(c);
        }
    }
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    // Names borrow from the region: each word sits at the same offset in
    // `code`, which differs only where it holds blanks.
    let at = |w: &str| {
        let start = w.as_ptr() as usize - code.as_ptr() as usize;
        &region[start..start + w.len()]
    };
    let mut words = words.into_iter().map(at);
    let mut out = Vec::new();
    let kind = match words.next() {
        Some("step") => Some(NameKind::Step),
        Some("target") => Some(NameKind::Target),
        Some("data") => Some(NameKind::Data),
        Some("outcome") => Some(NameKind::Outcome),
        Some("role") => Some(NameKind::Role),
        Some("fact") => Some(NameKind::Fact),
        Some("procedure") => Some(NameKind::Procedure),
        _ => None,
    };
    if let (Some(kind), Some(name)) = (kind, words.next()) {
        out.push(ast::BrokenName { kind, name });
    }
    if matches!(kind, Some(NameKind::Step | NameKind::Procedure)) {
        while let Some(w) = words.next() {
            if w == "ask" || w == "verify" {
                if let Some(name) = words.next() {
                    out.push(ast::BrokenName {
                        kind: NameKind::Fact,
                        name,
                    });
                }
            }
        }
    }
    out
}

/// The diagnostic for a declaration the builder refused; the result is
/// where the problem is.
fn rejected(text: &str, start: usize, reject: build::Reject, diags: &mut Vec<Diagnostic>) -> usize {
    match reject {
        build::Reject::CarriageReturn(at) => {
            diags.push(
                Diagnostic::new(Code::Syntax, "a text holds a carriage return")
                    .at(Span::new(at, at + 1), "a carriage return")
                    .with_help("a text stays on one line: remove the carriage return, or write `\\n` for a line break"),
            );
            at
        }
        build::Reject::Shape => {
            diags.push(internal_error(text, start));
            start
        }
        build::Reject::Reported => start,
    }
}

/// Guards pest's error detail, which is one switch for the whole process:
/// held while a failed piece is parsed again to learn what was expected
/// there. Parses on other threads meanwhile only collect more than they
/// need.
static ERROR_DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Parses `text[start..]` by `rule` again with pest's error detail, words
/// the error, and returns where it is in the file.
fn word_error(text: &str, start: usize, rule: Rule, diags: &mut Vec<Diagnostic>) -> usize {
    let result = {
        let _detail = ERROR_DETAIL.lock().unwrap_or_else(|e| e.into_inner());
        pest::set_error_detail(true);
        let result = SopParser::parse(rule, &text[start..]).map(drop);
        pest::set_error_detail(false);
        result
    };
    match result {
        Err(e) => {
            let attempts = Attempts::of(&e);
            diags.push(expected::diagnostic(text, start, &attempts));
            expected::error_offset(text, start, &attempts)
        }
        Ok(()) => {
            diags.push(internal_error(text, start));
            start
        }
    }
}

/// The start of the first line at or after `from` (at column 0) that begins
/// with a declaration keyword.
fn next_declaration_line(text: &str, from: usize) -> Option<usize> {
    let starts = |line: &str| {
        keywords::DECLARATIONS.iter().any(|k| {
            line.strip_prefix(k)
                .is_some_and(|rest| rest.starts_with(' '))
        })
    };
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
        if starts(line) {
            return Some(at);
        }
        at += line.find('\n')? + 1;
    }
    None
}

/// The grammar accepted a piece the builder cannot read: a bug in sopc,
/// reported at the piece rather than as a wrong tree.
fn internal_error(text: &str, start: usize) -> Diagnostic {
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    Diagnostic::new(
        Code::Syntax,
        "internal error: sopc could not read this declaration",
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
        assert_eq!(parsed.diagnostics.len(), 2, "{:#?}", parsed.diagnostics);
        assert!(parsed.policy.steps.is_empty());
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
            assert!(parse(&policy(bad)).has_errors(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn a_minimal_policy_parses() {
        let text = "sop \"X\" \"Y\" {}\nstart a\nstep a \"A\" { end done }\noutcome done\n";
        let parsed = parse(text);
        assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
        let policy = parsed.policy;
        assert_eq!(policy.steps.len(), 1);
        assert_eq!(policy.steps[0].name.text(), "a");
    }
}
