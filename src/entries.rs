//! `entry NAME "…" -> STEP`: more than one way into a policy (a caller who
//! comes back with a case number, after a `wait`).
//!
//! A policy with entries begins at a step `entry` that matches a host fact
//! `entry`: `new` goes to the policy's start, each entry's name to its
//! step. So each entry is checked like the start (every check sees the
//! paths from every entry), `sopc paths` lists each entry's paths (they
//! begin `entry = returning`), and the engine and the service take the
//! entry in the call's context (`{"entry": "returning"}`), as any host fact.
//! Written into the tree before resolution: nothing after it knows entries.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{
    AnswerDef, Arm, Branch, Dest, Exit, FactDecl, FactSource, FactType, Name, Policy, StartDecl,
    Step, Text,
};

/// The fact and first step of a policy with entries.
pub const ENTRY: &str = "entry";
/// The answer of `entry` that begins at the policy's start.
pub const NEW: &str = "new";

fn text(raw: &'static str, span: crate::span::Span) -> Text<'static> {
    Text {
        raw,
        refs: Default::default(),
        span,
    }
}

/// Adds the `entry` fact and step to a policy with entries, and starts it
/// there.
pub fn desugar<'a>(p: &mut Policy<'a>, diags: &mut Vec<Diagnostic>) {
    let Some(first_entry) = p.entries.first() else {
        return;
    };
    let span = first_entry.span;
    let clash = p
        .steps
        .iter()
        .map(|s| &s.name)
        .chain(p.facts.iter().map(|f| &f.name))
        .find(|n| n.text() == ENTRY);
    if let Some(n) = clash {
        diags.push(
            Diagnostic::new(
                Code::DuplicateName,
                "`entry` names where a policy with entries begins",
            )
            .at(n.span, "also named `entry`")
            .with_label(span, "the policy has entries")
            .with_help("give this another name"),
        );
        return;
    }
    let start = match (p.starts.first(), p.steps.first()) {
        (Some(s), _) => s.step.clone(),
        (None, Some(s)) => s.name.clone(),
        (None, None) => return,
    };
    let name = Name::new(ENTRY, span);
    let mut answers = vec![AnswerDef {
        name: Name::new(NEW, start.span),
        label: Some(Box::new(text("\"A new call\"", span))),
        after: None,
    }];
    let mut branches = vec![Branch {
        arm: Arm::Answer(Name::new(NEW, start.span)),
        dest: Dest::Step(start.clone()),
        bound: None,
        span: start.span,
    }];
    for e in &p.entries {
        answers.push(AnswerDef {
            name: e.name.clone(),
            label: Some(Box::new(e.label.clone())),
            after: None,
        });
        branches.push(Branch {
            arm: Arm::Answer(e.name.clone()),
            dest: Dest::Step(e.step.clone()),
            bound: None,
            span: e.span,
        });
    }
    p.facts.push(FactDecl {
        name: name.clone(),
        label: Some(text("\"How the call begins\"", span)),
        ty: FactType::Choice(answers),
        source: FactSource::Host,
        span,
    });
    p.steps.insert(
        0,
        Box::new(Step {
            name: name.clone(),
            text: Some(text("\"Begin where the call comes in\"", span)),
            role: None,
            lints: Box::default(),
            actions: Vec::new(),
            exit: Some(Box::new(Exit::Match {
                fact: name.clone(),
                branches: branches.into(),
                span,
            })),
            span,
        }),
    );
    let begin = StartDecl { step: name, span };
    match p.starts.first_mut() {
        Some(s) => *s = begin,
        None => p.starts.push(begin),
    }
}

/// The `entry` fact of a policy with entries, and the index of `new`.
fn entry_fact(g: &crate::graph::Graph) -> Option<(usize, u32)> {
    g.facts.iter().enumerate().find_map(|(i, f)| {
        let new = f.answers.iter().position(|a| a == NEW)?;
        (f.name == ENTRY && f.source == crate::graph::FactSource::Host).then_some((i, new as u32))
    })
}

/// A call whose context does not say which entry it came in by is a new
/// call: `entry = new` is added to such a context (of a policy with
/// entries).
pub fn default_entry(g: &crate::graph::Graph, context: &mut Vec<(String, String)>) {
    if entry_fact(g).is_some() && !context.iter().any(|(n, _)| n == ENTRY) {
        context.push((ENTRY.to_string(), NEW.to_string()));
    }
}

/// [`default_entry`] for answers by fact index (a scenario's).
pub fn default_entry_round(g: &crate::graph::Graph, rounds: &mut [Vec<u32>]) {
    if let Some((f, new)) = entry_fact(g) {
        if rounds[f].is_empty() {
            rounds[f].push(new);
        }
    }
}
