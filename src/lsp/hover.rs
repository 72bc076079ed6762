//! Hover: what the name under the cursor is. A step's title, role and the
//! steps that lead to it; a question's prompt, answers and where it is
//! asked; an answer's words; a target's kind, system and required data; a
//! data field's class and value rules; an outcome's kind, label and
//! targets; a role's title; a `lint` line's check.

use super::index::{Index, Kind, Occurrence, Use};
use crate::span::Span;
use crate::syntax::ast::*;

/// The markdown to show for the name at `offset`, and the span it covers.
pub fn hover(text: &str, p: &Policy, index: &Index, offset: usize) -> Option<(Span, String)> {
    if let Some(o) = index.at(offset) {
        let body = match o.kind {
            Kind::Step => step(p, index, o),
            Kind::Fact => fact(p, index, o),
            Kind::Answer => answer(p, o),
            Kind::Target => target(text, p, o),
            Kind::Data => data(text, p, o),
            Kind::Outcome => outcome(p, o),
            Kind::Role => role(p, o),
            Kind::Procedure => procedure(p, index, o),
            Kind::Exit => exit(p, o),
        }?;
        return Some((o.span, body));
    }
    lint_code(p, offset).or_else(|| loop_keyword(p, offset))
}

/// The `loop` word of a loop bound: what it bounds.
fn loop_keyword(p: &Policy, offset: usize) -> Option<(Span, String)> {
    let offset = offset as u32;
    let l = p
        .loops
        .iter()
        .find(|l| l.span.start <= offset && offset <= l.span.start + "loop".len() as u32)?;
    let span = Span::new(l.span.start as usize, l.span.start as usize + "loop".len());
    Some((
        span,
        format!(
            "**loop bound** on the step `{}`\n\n{}",
            l.step.text(),
            loop_words(l)
        ),
    ))
}

/// What a loop bound does, in words.
fn loop_words(l: &LoopDecl) -> String {
    let then = match &*l.bound.then {
        Dest::Step(n) => format!("to `{}`", n.text()),
        Dest::End(t) => format!("to `end {}`", t.outcome.text()),
        Dest::Gap(_) => "to the open question (`gap`)".to_string(),
        Dest::Exit(n) => format!("by `exit {}`", n.text()),
    };
    format!(
        "the call comes back to `{}` at most {} {} in all, by whichever branch of its loop; the next time it goes {then}",
        l.step.text(),
        l.bound.times,
        if l.bound.times == 1 { "time" } else { "times" }
    )
}

fn quote(t: &Option<Text>) -> String {
    t.as_ref()
        .map(|t| format!(" — {}", t.value()))
        .unwrap_or_default()
}

fn code_list(names: &[Name]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.text())).collect();
    quoted.join(", ")
}

/// A procedure: its text, its exits, and the steps that call it.
fn procedure(p: &Policy, index: &Index, o: &Occurrence) -> Option<String> {
    let x = p.procedures.iter().find(|x| x.name.text() == o.name)?;
    let mut out = format!("**procedure `{}`**{}", x.name.text(), quote(&x.text));
    if !x.exits.is_empty() {
        out.push_str(&format!("\n\nexits: {}", code_list(&x.exits)));
    }
    let calls = index
        .references(o)
        .filter(|r| r.usage == Use::Reference)
        .count();
    out.push_str(&match calls {
        0 => "\n\nnever called".to_string(),
        1 => "\n\ncalled once".to_string(),
        n => format!("\n\ncalled {n} times"),
    });
    Some(out)
}

/// An exit of a procedure.
fn exit(p: &Policy, o: &Occurrence) -> Option<String> {
    let x = p
        .procedures
        .iter()
        .find(|x| Some(x.name.text()) == o.fact)?;
    Some(format!(
        "**exit `{}`** of the procedure `{}`{}",
        o.name,
        x.name.text(),
        quote(&x.text)
    ))
}

fn step(p: &Policy, index: &Index, o: &Occurrence) -> Option<String> {
    if let Some(proc) = o.fact {
        let x = p.procedures.iter().find(|x| x.name.text() == proc)?;
        let s = x.steps.iter().find(|s| s.name.text() == o.name)?;
        let first = x
            .steps
            .first()
            .is_some_and(|f| f.name.text() == s.name.text());
        let mut out = format!(
            "**step `{}`** of the procedure `{proc}`{}",
            s.name.text(),
            quote(&s.text)
        );
        if first {
            out.push_str("\n\nwhere each call of the procedure starts");
        }
        return Some(out);
    }
    let s = p.steps.iter().find(|s| s.name.text() == o.name)?;
    let mut out = format!("**step `{}`**{}", s.name.text(), quote(&s.text));
    if let Some(r) = &s.role {
        out.push_str(&format!("\n\ndone by `{}`", r.text()));
    }
    let first = match p.starts.first() {
        Some(start) => start.step.text() == s.name.text(),
        None => p
            .steps
            .first()
            .is_some_and(|f| f.name.text() == s.name.text()),
    };
    let mut from: Vec<String> = Vec::new();
    for r in index.references(o).filter(|r| r.usage == Use::Destination) {
        if let Some(name) = r.step.and_then(|i| p.steps.get(i)).map(|s| s.name.text()) {
            let name = format!("`{name}`");
            if !from.contains(&name) {
                from.push(name);
            }
        }
    }
    if let Some(l) = p.loops.iter().find(|l| l.step.text() == s.name.text()) {
        out.push_str(&format!("\n\n{}", loop_words(l)));
    }
    match (first, from.is_empty()) {
        (true, true) => out.push_str("\n\nthe first step of the call"),
        (true, false) => out.push_str(&format!(
            "\n\nthe first step of the call; also reached from {}",
            from.join(", ")
        )),
        (false, true) => out.push_str("\n\nno step leads here"),
        (false, false) => out.push_str(&format!("\n\nreached from {}", from.join(", "))),
    }
    Some(out)
}

fn answers_text(answers: &[AnswerDef]) -> String {
    let listed: Vec<String> = answers
        .iter()
        .map(|a| match &a.label {
            Some(l) => format!("`{}` ({})", a.name.text(), l.value()),
            None => format!("`{}`", a.name.text()),
        })
        .collect();
    listed.join(", ")
}

fn unit_name(u: Unit) -> &'static str {
    match u {
        Unit::Number => "a number",
        Unit::Count => "a count",
        Unit::Money => "an amount of money",
        Unit::Minutes => "a duration in minutes",
        Unit::Hours => "a duration in hours",
        Unit::Days => "a duration in days",
        Unit::Date => "a date",
        Unit::Time => "a time of day",
    }
}

fn fact(p: &Policy, index: &Index, o: &Occurrence) -> Option<String> {
    let mut out = String::new();
    if let Some(f) = p.facts.iter().find(|f| f.name.text() == o.name) {
        out.push_str(&format!(
            "**question `{}`**{}",
            f.name.text(),
            quote(&f.label)
        ));
        let ty = match &f.ty {
            FactType::YesNo(_) => "answers `yes`, `no`".to_string(),
            FactType::Choice(a) => format!("answers {}", answers_text(a)),
            FactType::Multiple(a) => format!(
                "any of {}; each item is a yes/no fact `{}_ITEM`",
                answers_text(a),
                f.name.text()
            ),
            FactType::Unit(u, _) => unit_name(*u).to_string(),
            FactType::Role(_) => format!(
                "the role that takes the call: {}",
                p.roles
                    .iter()
                    .map(|r| format!("`{}`", r.name.text()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let source = match &f.source {
            FactSource::Ask(words) => match words {
                Some(w) => format!("asked: \"{}\"", w.value()),
                None => "asked of the caller".to_string(),
            },
            FactSource::Lookup(system) => match system {
                Some(s) => format!("looked up in {}", s.value()),
                None => "looked up by the analyst".to_string(),
            },
            FactSource::Host => "given by the console when the call starts".to_string(),
        };
        out.push_str(&format!("\n\n{ty}; {source}"));
    } else {
        let (s, exit) = p.steps.iter().find_map(|s| match s.exit.as_deref() {
            Some(e @ (Exit::Ask { fact, .. } | Exit::Verify { fact, .. }))
                if fact.text() == o.name =>
            {
                Some((s, e))
            }
            _ => None,
        })?;
        match exit {
            Exit::Ask {
                prompt, answers, ..
            } => out.push_str(&format!(
                "**question `{}`**{}\n\nasked in step `{}`; answers {}",
                o.name,
                quote(prompt),
                s.name.text(),
                answers_text(answers)
            )),
            Exit::Verify {
                prompt, checklist, ..
            } => {
                let items = &checklist.items;
                let q = match checklist.quorum {
                    Quorum::All => "all of".to_string(),
                    Quorum::Any(k) => format!("any {k} of"),
                    Quorum::AtLeast(k) => format!("at least {k} of"),
                };
                out.push_str(&format!(
                    "**verification `{}`**{}\n\nin step `{}`: {q} {}; answers `passed`, `failed`",
                    o.name,
                    quote(prompt),
                    s.name.text(),
                    code_list(items)
                ));
            }
            _ => return None,
        }
    }
    let mut read_in: Vec<String> = Vec::new();
    for r in index.references(o).filter(|r| r.usage == Use::Reference) {
        if let Some(name) = r.step.and_then(|i| p.steps.get(i)).map(|s| s.name.text()) {
            let name = format!("`{name}`");
            if !read_in.contains(&name) {
                read_in.push(name);
            }
        }
    }
    if !read_in.is_empty() {
        out.push_str(&format!("\n\nread by `match` in {}", read_in.join(", ")));
    }
    Some(out)
}

fn answer(p: &Policy, o: &Occurrence) -> Option<String> {
    let fact = o.fact?;
    let declared = p
        .facts
        .iter()
        .filter(|f| f.name.text() == fact)
        .find_map(|f| match &f.ty {
            FactType::Choice(a) => Some(a.as_slice()),
            _ => None,
        })
        .or_else(|| {
            p.steps.iter().find_map(|s| match s.exit.as_deref() {
                Some(Exit::Ask {
                    fact: f, answers, ..
                }) if f.text() == fact => Some(&**answers),
                _ => None,
            })
        });
    let words = declared
        .and_then(|answers| answers.iter().find(|a| a.name.text() == o.name))
        .and_then(|a| a.label.as_ref())
        .map(|l| format!(" — {}", l.value()))
        .unwrap_or_default();
    Some(format!("**answer `{}`** to `{fact}`{words}", o.name))
}

fn target(text: &str, p: &Policy, o: &Occurrence) -> Option<String> {
    let t = p.targets.iter().find(|t| t.name.text() == o.name)?;
    let kind = match t.kind {
        TargetKind::Referral => "referral: the caller is told to go there",
        TargetKind::Ticket => "ticket: a ticket is filed to this queue or person",
        TargetKind::Contact => "contact: the analyst contacts them directly",
    };
    let mut out = format!(
        "**target `{}`** — {}\n\n{kind}",
        t.name.text(),
        t.title.value()
    );
    if let Some(via) = &t.via {
        out.push_str(&format!(" (via {})", via.value()));
    }
    if !t.requires.is_empty() {
        out.push_str(&format!(
            "\n\nevery ticket to it carries {}",
            code_list(&t.requires)
        ));
    }
    out.push_str(&format!("\n\n```sop\n{}\n```", &text[t.span.range()]));
    Some(out)
}

fn data(text: &str, p: &Policy, o: &Occurrence) -> Option<String> {
    let d = p.data.iter().find(|d| d.name.text() == o.name)?;
    let class = match d.class {
        DataClass::Text => "`text`",
        DataClass::Phone => "`phone`",
        DataClass::Email => "`email`",
        DataClass::Id => "`id`",
        DataClass::Date => "`date`",
        DataClass::Number => "`number`",
        DataClass::Secret => {
            "`secret`: only in a ticket's assignee section; never said, nor in a ticket's title, fields or body"
        }
        DataClass::Unrecorded => {
            "`unrecorded`: never written anywhere (no ticket, record or trace) and never said"
        }
    };
    let mut out = format!(
        "**data `{}`**{}\n\nclass {class}",
        d.name.text(),
        quote(&d.label)
    );
    if !d.rules.is_empty() {
        let rules: Vec<&str> = d.rules.iter().map(|r| &text[r.span.range()]).collect();
        out.push_str(&format!("\n\nvalue rules: `{}`", rules.join(" ")));
    }
    Some(out)
}

fn outcome(p: &Policy, o: &Occurrence) -> Option<String> {
    let d = p.outcomes.iter().find(|d| d.name.text() == o.name)?;
    // As the language says: without a kind, referral targets make a
    // referral, ticket or contact targets an escalation, none resolved.
    let kind = match d.kind {
        Some(k) => k.word().to_string(),
        None if d.targets.is_empty() => "resolved (no kind written, no targets)".to_string(),
        None => {
            let referral = d.targets.iter().all(|n| {
                p.targets
                    .iter()
                    .find(|t| t.name.text() == n.text())
                    .is_some_and(|t| t.kind == TargetKind::Referral)
            });
            let kind = if referral { "referral" } else { "escalation" };
            format!("{kind} (from its targets)")
        }
    };
    let mut out = format!(
        "**outcome `{}`**{}\n\nkind {kind}",
        d.name.text(),
        quote(&d.label)
    );
    if !d.targets.is_empty() {
        out.push_str(&format!("; names one of {}", code_list(&d.targets)));
    }
    Some(out)
}

fn role(p: &Policy, o: &Occurrence) -> Option<String> {
    let r = p.roles.iter().find(|r| r.name.text() == o.name)?;
    let first = p
        .roles
        .first()
        .is_some_and(|f| f.name.text() == r.name.text());
    let mut out = format!("**role `{}`** — {}", r.name.text(), r.title.value());
    if first {
        out.push_str("\n\nholds the call when it starts");
    }
    Some(out)
}

/// The check a step's `lint` line names.
fn lint_code(p: &Policy, offset: usize) -> Option<(Span, String)> {
    let offset = offset as u32;
    let line = p
        .steps
        .iter()
        .flat_map(|s| &s.lints)
        .find(|l| l.code.span.start <= offset && offset <= l.code.span.end)?;
    let code = crate::Code::from_name(line.code.text())?;
    Some((
        line.code.span,
        format!(
            "**check `{code}`** ({})\n\n{}",
            code.default_severity().as_str(),
            code.summary()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"sop "T-1" "Test" { owner "o" }
role analyst "Analyst"
role lead "Team lead"
target desk "Help desk" ticket via "iSupport" requires name
target campus "Campus" referral
data name "Caller name" text
data pin "Account PIN" secret min length 4
outcome done "Done" resolved
outcome sent "Sent on" to campus
outcome filed "Filed" to desk
fact amount "Wire amount" money ask "How much?"
step greet "Greet the caller" by analyst {
  lint allow missing-text
  collect name, pin
  ask kind "Who is calling?" { parent "A parent" student }
  parent  -> check
  student -> end sent(campus)
}
step check "Check the caller" {
  verify identity at least 1 of name, pin
  passed -> limit
  failed -> greet at most 1 times, then end done
}
step limit "Check the amount" {
  match amount { over 500.00 -> end filed(desk)  else -> end done }
}
loop check at most 2 times, then end done
"#;

    fn shown(at: &str, nth: usize) -> String {
        let parsed = crate::syntax::parse(POLICY);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let index = Index::new(&parsed.policy);
        let offset = POLICY.match_indices(at).nth(nth).expect("anchor").0;
        let (span, text) = hover(POLICY, &parsed.policy, &index, offset + 1).expect("a hover");
        assert!(span.start as usize <= offset + 1 && offset < span.end as usize);
        text
    }

    #[test]
    fn a_step_its_title_role_and_what_leads_to_it() {
        assert_eq!(
            shown("greet", 1),
            "**step `greet`** — Greet the caller\n\ndone by `analyst`\n\nthe first step of the call; also reached from `check`"
        );
        assert_eq!(
            shown("limit", 0),
            "**step `limit`** — Check the amount\n\nreached from `check`"
        );
    }

    #[test]
    fn a_loop_bound_at_its_step_and_on_its_keyword() {
        let said = "the call comes back to `check` at most 2 times in all, by whichever branch of its loop; the next time it goes to `end done`";
        assert_eq!(
            shown("check", 1),
            format!("**step `check`** — Check the caller\n\n{said}\n\nreached from `greet`")
        );
        assert_eq!(
            shown("loop", 0),
            format!("**loop bound** on the step `check`\n\n{said}")
        );
    }

    #[test]
    fn questions_and_answers() {
        assert_eq!(
            shown("kind", 0),
            "**question `kind`** — Who is calling?\n\nasked in step `greet`; answers `parent` (A parent), `student`"
        );
        assert_eq!(
            shown("parent  ->", 0),
            "**answer `parent`** to `kind` — A parent"
        );
        assert_eq!(
            shown("amount", 0),
            "**question `amount`** — Wire amount\n\nan amount of money; asked: \"How much?\"\n\nread by `match` in `limit`"
        );
        assert!(shown("identity", 0).starts_with(
            "**verification `identity`**\n\nin step `check`: at least 1 of `name`, `pin`"
        ));
    }

    #[test]
    fn targets_data_outcomes_roles_and_lints() {
        let desk = shown("desk", 0);
        assert!(desk.starts_with("**target `desk`** — Help desk\n\nticket: a ticket is filed to this queue or person (via iSupport)\n\nevery ticket to it carries `name`"), "{desk}");
        let pin = shown("pin", 0);
        assert!(
            pin.contains("class `secret`: only in a ticket's assignee section"),
            "{pin}"
        );
        assert!(pin.contains("value rules: `min length 4`"), "{pin}");
        assert_eq!(
            shown("sent", 1),
            "**outcome `sent`** — Sent on\n\nkind referral (from its targets); names one of `campus`"
        );
        assert!(shown("filed", 1).contains("kind escalation (from its targets)"));
        assert_eq!(
            shown("analyst", 1),
            "**role `analyst`** — Analyst\n\nholds the call when it starts"
        );
        assert!(shown("missing-text", 0).starts_with("**check `missing-text`** (warning)"));
    }
}
