//! Code actions: the fixes the diagnostics describe, as edits. Only fixes
//! whose edit follows from the diagnostic alone:
//!
//! - "did you mean `x`?": replace the name with the suggestion
//!   (`unknown-name`, an answer a question does not have);
//! - a lint: `lint allow CODE` on the step it is found in;
//! - `non-exhaustive`: a branch for each missing answer (or `else` for the
//!   values of a range), to a `gap` that says the case is not written yet,
//!   so the policy stays honest and `open-gap` keeps it in sight;
//! - "`collect x`" (`missing-data`, `uncollected-field`): collect it in the
//!   ticket's own step, just before the ticket, so every path has it;
//! - "move `x` from `body` to `assignee`" (`secret-leak`);
//! - `unbounded-loop`: the branch that closes the cycle bounded, `at most 2
//!   times`, then to a `gap` that says what comes after is not written yet
//!   (offered, not applied by `--fix`: the diagnostic leaves the `then` to
//!   the author).
//!
//! Each fix is checked by the tests: the fixed text no longer has the
//! diagnostic.

use crate::codes::Code;
use crate::span::Span;
use crate::syntax::ast::*;
use crate::Diagnostic;

/// One fix: a title and the edits (a span and its new text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<(Span, String)>,
    /// The fix the diagnostic itself names.
    pub preferred: bool,
}

/// The fixes for one diagnostic of `text`.
pub fn fixes(text: &str, p: &Policy, d: &Diagnostic) -> Vec<Fix> {
    let mut out = Vec::new();
    out.extend(suggestion(text, d));
    if d.code == Code::NonExhaustive {
        out.extend(missing_branches(text, p, d));
    }
    if d.code == Code::UnboundedLoop {
        out.extend(bound_loop(p, d));
    }
    out.extend(collect_first(text, p, d));
    out.extend(secret_to_assignee(text, p, d));
    if d.code.is_lint() {
        out.extend(allow_lint(text, p, d));
    }
    out
}

/// The ticket the diagnostic points at (its span, or a label's), with its
/// step.
fn ticket_at<'p, 'a>(p: &'p Policy<'a>, d: &Diagnostic) -> Option<&'p Ticket<'a>> {
    let spans: Vec<Span> = d
        .span
        .into_iter()
        .chain(d.labels.iter().map(|l| l.span))
        .collect();
    p.steps
        .iter()
        .flat_map(|s| &s.actions)
        .find_map(|a| match a {
            Action::Ticket(t)
                if spans
                    .iter()
                    .any(|s| t.span.start <= s.start && s.end <= t.span.end) =>
            {
                Some(&**t)
            }
            _ => None,
        })
}

/// "… `collect x` …": `collect x` on its own line just before the ticket.
fn collect_first(text: &str, p: &Policy, d: &Diagnostic) -> Option<Fix> {
    let help = d.help.as_deref()?;
    let (_, rest) = help.split_once("`collect ")?;
    let field = rest.split('`').next()?;
    if !super::navigate::is_name(field) {
        return None;
    }
    let ticket = ticket_at(p, d)?;
    let at = ticket.span.start as usize;
    let indent = indent_of(text, at);
    Some(Fix {
        title: format!(
            "Collect `{field}` just before the ticket to `{}`",
            ticket.target.text()
        ),
        edits: vec![(Span::new(at, at), format!("collect {field}\n{indent}"))],
        preferred: true,
    })
}

/// "move `x` from `body` to `assignee`": out of the body's list, into the
/// assignee's (a new `assignee` line when there is none).
fn secret_to_assignee(text: &str, p: &Policy, d: &Diagnostic) -> Option<Fix> {
    let help = d.help.as_deref()?;
    let field = help
        .strip_prefix("move `")?
        .strip_suffix("` from `body` to `assignee`")?;
    let ticket = ticket_at(p, d)?;
    let body = &ticket.body;
    let k = body.iter().position(|n| n.text() == field)?;
    let name = body[k].span;
    let remove = if body.len() == 1 {
        // The whole `body` section; its line too, if nothing else is on it.
        let before = text[..name.start as usize].trim_end();
        let start = before.strip_suffix("body")?.len();
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[name.end as usize..]
            .find('\n')
            .map_or(text.len(), |i| name.end as usize + i);
        let alone = text[line_start..start].trim().is_empty()
            && text[name.end as usize..line_end].trim().is_empty();
        if alone && line_end < text.len() {
            Span::new(line_start, line_end + 1)
        } else {
            Span::new(start, name.end as usize)
        }
    } else if k > 0 {
        Span::new(body[k - 1].span.end as usize, name.end as usize)
    } else {
        Span::new(name.start as usize, body[1].span.start as usize)
    };
    let add = match ticket.assignee.last() {
        Some(last) => (
            Span::new(last.span.end as usize, last.span.end as usize),
            format!(", {field}"),
        ),
        None => {
            let brace = ticket.target.span.end as usize
                + text[ticket.target.span.end as usize..].find('{')?;
            let indent = format!("{}  ", indent_of(text, ticket.span.start as usize));
            (
                Span::new(brace + 1, brace + 1),
                format!("\n{indent}assignee {field}"),
            )
        }
    };
    Some(Fix {
        title: format!("Move `{field}` from the ticket's body to its assignee section"),
        edits: vec![remove, add.0]
            .into_iter()
            .zip([String::new(), add.1])
            .collect(),
        preferred: true,
    })
}

/// The text with each diagnostic's preferred fix applied (`sopc check
/// --fix`), and how many were applied. A lint is never allowed this way:
/// only fixes that give the meaning the diagnostic names. A fix whose edits
/// overlap one taken already waits for the next round, on the text checked
/// again; at most ten rounds.
pub fn fix_all(
    name: &str,
    text: &str,
    opts: &crate::CheckOptions,
    files: &dyn crate::sources::Files,
) -> (String, usize) {
    let overlaps = |a: Span, b: Span| a.start < b.end && b.start < a.end || a.start == b.start;
    let mut text = text.to_string();
    let mut applied = 0;
    for _ in 0..10 {
        let checked = crate::check_file(name, &text, opts, files);
        let parsed = crate::syntax::parse(&text);
        let mut edits: Vec<(Span, String)> = Vec::new();
        // A finding in a library is fixed in the library.
        for d in checked.diagnostics.iter().filter(|d| d.file.is_none()) {
            let Some(fix) = fixes(&text, &parsed.policy, d)
                .into_iter()
                .find(|f| f.preferred)
            else {
                continue;
            };
            if fix
                .edits
                .iter()
                .any(|(s, _)| edits.iter().any(|(e, _)| overlaps(*s, *e)))
            {
                continue;
            }
            edits.extend(fix.edits);
            applied += 1;
        }
        if edits.is_empty() {
            break;
        }
        let next = apply(&text, &edits);
        if next == text {
            break;
        }
        text = next;
    }
    (text, applied)
}

/// Applies edits that do not overlap to `text`.
pub fn apply(text: &str, edits: &[(Span, String)]) -> String {
    let mut sorted: Vec<&(Span, String)> = edits.iter().collect();
    sorted.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut out = text.to_string();
    for (span, new) in sorted {
        if span.end as usize <= out.len() && span.start <= span.end {
            out.replace_range(span.range(), new);
        }
    }
    out
}

/// "did you mean `x`?": `x` in place of the name.
fn suggestion(text: &str, d: &Diagnostic) -> Option<Fix> {
    let span = d.span?;
    let help = d.help.as_deref()?;
    let name = help.strip_prefix("did you mean `")?.strip_suffix("`?")?;
    let old = text.get(span.range())?;
    if !super::navigate::is_name(name) && Code::from_name(name).is_none() {
        return None;
    }
    Some(Fix {
        title: format!("Replace `{old}` with `{name}`"),
        edits: vec![(span, name.to_string())],
        preferred: true,
    })
}

/// The step whose declaration holds `span`.
fn step_at<'p, 'a>(p: &'p Policy<'a>, span: Span) -> Option<&'p Step<'a>> {
    p.steps
        .iter()
        .find(|s| s.span.start <= span.start && span.end <= s.span.end)
        .map(|s| &**s)
}

/// `unbounded-loop`: bound the branch that closes the cycle the help names
/// (`the cycle: a -> b -> a`), from its last step back to its first.
fn bound_loop(p: &Policy, d: &Diagnostic) -> Option<Fix> {
    let help = d.help.as_deref()?;
    let cycle = help.strip_prefix("the cycle: ")?.lines().next()?;
    let names: Vec<&str> = cycle.split(" -> ").collect();
    let (first, last) = (*names.first()?, *names.get(names.len().checked_sub(2)?)?);
    let step = p.steps.iter().find(|s| s.name.text() == last)?;
    let to_first = |dest: &Dest, bound: Option<&Bound>| {
        bound.is_none() && matches!(dest, Dest::Step(n) if n.text() == first)
    };
    let dest_end = match step.exit.as_deref()? {
        Exit::Goto { dest, bound, .. } if to_first(dest, bound.as_ref()) => dest.span().end,
        Exit::Ask { branches, .. }
        | Exit::Match { branches, .. }
        | Exit::Verify { branches, .. } => {
            branches
                .iter()
                .find(|b| to_first(&b.dest, b.bound.as_deref()))?
                .dest
                .span()
                .end
        }
        _ => return None,
    };
    Some(Fix {
        title: format!("Bound the branch from `{last}` back to `{first}`: at most 2 times, then a gap"),
        edits: vec![(
            Span::new(dest_end as usize, dest_end as usize),
            format!(
                " at most 2 times, then gap \"The source does not say what follows after `{first}` is tried 3 times\""
            ),
        )],
        preferred: false,
    })
}

/// The white space that starts the line holding `offset`.
fn indent_of(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// `lint allow CODE` as the first line of the step the lint is found in.
fn allow_lint(text: &str, p: &Policy, d: &Diagnostic) -> Option<Fix> {
    let span = d.span?;
    let step = step_at(p, span)?;
    // The body's `{`: after the name, title and role, past comments.
    let head_end = [
        Some(step.name.span.end),
        step.text.as_ref().map(|t| t.span.end),
        step.role.as_ref().map(|r| r.span.end),
    ]
    .into_iter()
    .flatten()
    .max()? as usize;
    let mut at = head_end;
    let bytes = text.as_bytes();
    loop {
        match bytes.get(at)? {
            b' ' | b'\t' | b'\r' | b'\n' => at += 1,
            b'#' => at += text[at..].find('\n')?,
            b'{' => break,
            _ => return None,
        }
    }
    let inner = step
        .lints
        .first()
        .map(|l| l.span.start)
        .or_else(|| step.actions.first().map(|a| a.span().start))
        .or_else(|| step.exit.as_deref().map(|e| e.span().start))
        .map(|s| s as usize);
    let indent = match inner {
        Some(i) if text[at..i].contains('\n') => indent_of(text, i).to_string(),
        _ => format!("{}  ", indent_of(text, step.span.start as usize)),
    };
    let code = d.code.name();
    Some(Fix {
        title: format!("Allow `{code}` in step `{}`", step.name.text()),
        edits: vec![(
            Span::new(at + 1, at + 1),
            format!("\n{indent}lint allow {code}"),
        )],
        preferred: false,
    })
}

/// `ANSWER -> gap "…"` lines after the last branch of the way out the
/// diagnostic is about.
fn missing_branches(text: &str, p: &Policy, d: &Diagnostic) -> Option<Fix> {
    let span = d.span?;
    let step = step_at(p, span)?;
    let exit = step.exit.as_deref()?;
    let (fact, branches, missing) = match exit {
        // The question's own answers, less those with a branch.
        Exit::Ask {
            fact,
            answers,
            branches,
            ..
        } if fact.span == span => {
            if branches.iter().any(|b| matches!(b.arm, Arm::Else(_))) {
                return None;
            }
            let missing: Vec<&str> = answers
                .iter()
                .map(|a| a.name.text())
                .filter(|a| {
                    !branches
                        .iter()
                        .any(|b| matches!(&b.arm, Arm::Answer(n) if n.text() == *a))
                })
                .collect();
            (fact, branches, missing)
        }
        // The answer a caller path brings (the label names it), or `else`
        // for a value of a range.
        Exit::Match { fact, branches, .. } if step.name.span == span => {
            let value = d.label.as_deref()?.strip_prefix("no branch for ")?;
            let arm = if super::navigate::is_name(value) {
                value
            } else {
                "else"
            };
            (fact, branches, vec![arm])
        }
        _ => return None,
    };
    if missing.is_empty() {
        return None;
    }
    let after = branches
        .last()
        .map(|b| b.span.end as usize)
        .unwrap_or(exit.span().end as usize);
    let after = text[..after].trim_end().len();
    // Past a comment that ends the branch's line, so that it stays there.
    let line_end = text[after..].find('\n').map_or(text.len(), |i| after + i);
    let rest = text[after..line_end].trim();
    let after = if rest.is_empty() || rest.starts_with('#') {
        text[..line_end].trim_end_matches('\r').len()
    } else {
        after
    };
    let indent = match branches.last() {
        Some(b) => indent_of(text, b.span.start as usize).to_string(),
        None => indent_of(text, exit.span().start as usize).to_string(),
    };
    let mut lines = String::new();
    for a in &missing {
        let note = if *a == "else" {
            format!(
                "What to do for the other values of {} is not written yet",
                fact.text()
            )
        } else {
            format!("What to do when {} is {a} is not written yet", fact.text())
        };
        lines.push_str(&format!("\n{indent}{a} -> gap \"{note}\""));
    }
    let listed: Vec<String> = missing.iter().map(|a| format!("`{a}`")).collect();
    let title = match missing.as_slice() {
        ["else"] => "Add an `else` branch (to a gap)".to_string(),
        _ => format!("Add a branch for {} (to a gap)", listed.join(", ")),
    };
    Some(Fix {
        title,
        edits: vec![(Span::new(after, after), lines)],
        preferred: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"sop "T-1" "Test" { owner "o" }
target desk "Desk" ticket requires name
data name "Name" text
data pin "PIN" secret
outcome filed "Filed" escalation to desk
"#;

    /// The text after the fixes of the diagnostics with `code`, one by one.
    fn fixed(body: &str, code: Code) -> String {
        let mut text = format!("{HEAD}{body}");
        loop {
            let checked = crate::check_source(&text, &Default::default());
            let Some(d) = checked.diagnostics.iter().find(|d| d.code == code) else {
                return text[HEAD.len()..].to_string();
            };
            let parsed = crate::syntax::parse(&text);
            let fix = fixes(&text, &parsed.policy, d)
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("a fix for {}", d.message));
            text = apply(&text, &fix.edits);
        }
    }

    #[test]
    fn a_secret_moves_to_the_assignee_section() {
        let step = "step s \"S\" {\n  collect name, pin\n  ticket desk {\n    body name, pin\n  }\n  end filed(desk)\n}\n";
        assert_eq!(
            fixed(step, Code::SecretLeak),
            "step s \"S\" {\n  collect name, pin\n  ticket desk {\n    assignee pin\n    body name\n  }\n  end filed(desk)\n}\n"
        );
        let step = "step s \"S\" {\n  collect name, pin\n  ticket desk {\n    body pin, name\n    assignee name\n  }\n  end filed(desk)\n}\n";
        assert_eq!(
            fixed(step, Code::SecretLeak),
            "step s \"S\" {\n  collect name, pin\n  ticket desk {\n    body name\n    assignee name, pin\n  }\n  end filed(desk)\n}\n"
        );
        // The only field of the body: the section goes, line and all.
        let step = "step s \"S\" {\n  collect name, pin\n  ticket desk {\n    title \"T\"\n    body pin\n  }\n  end filed(desk)\n}\n";
        assert_eq!(
            fixed(step, Code::SecretLeak),
            "step s \"S\" {\n  collect name, pin\n  ticket desk {\n    assignee pin\n    title \"T\"\n  }\n  end filed(desk)\n}\n"
        );
    }

    #[test]
    fn missing_data_is_collected_just_before_the_ticket() {
        let step =
            "step s \"S\" {\n  say \"Hello\"\n  ticket desk { body name }\n  end filed(desk)\n}\n";
        assert_eq!(
            fixed(step, Code::MissingData),
            "step s \"S\" {\n  say \"Hello\"\n  collect name\n  ticket desk { body name }\n  end filed(desk)\n}\n"
        );
    }

    #[test]
    fn a_lint_is_allowed_on_its_step() {
        let step = "step s {\n  # why\n  collect name\n  ticket desk { body name }\n  end filed(desk)\n}\n";
        assert_eq!(
            fixed(step, Code::MissingText),
            "step s {\n  lint allow missing-text\n  # why\n  collect name\n  ticket desk { body name }\n  end filed(desk)\n}\n"
        );
    }

    #[test]
    fn missing_answers_go_to_a_gap() {
        let step = "step s \"S\" {\n  collect name\n  ask kind \"Who?\" { a b c }\n  a -> end filed(desk)  # the usual case\n}\n";
        assert_eq!(
            fixed(step, Code::NonExhaustive),
            "step s \"S\" {\n  collect name\n  ask kind \"Who?\" { a b c }\n  a -> end filed(desk)  # the usual case\n  b -> gap \"What to do when kind is b is not written yet\"\n  c -> gap \"What to do when kind is c is not written yet\"\n}\n"
        );
    }
}
