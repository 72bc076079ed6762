//! `fact NAME "…" role from host`: the host says which role takes the call
//! (an agent's tier, a desk), instead of the first role declared.
//!
//! The fact becomes a choice among the declared roles, and the policy
//! begins at a step `NAME` that matches it: each role goes to a step
//! `NAME>ROLE` whose one action is a transfer to that role (handing over
//! nothing), then to the policy's start. So the role that holds the call
//! is part of every path from its first step, `role-violation` shows the
//! path where the host gave another role, a `match` on the fact routes by
//! it, and the engine takes it in the call's context
//! (`{"agent": "tier2"}`) as any host fact. Written into the tree before
//! resolution: nothing after it knows the fact was a role.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{
    Action, AnswerDef, Arm, Branch, Dest, Exit, FactSource, FactType, Name, Policy, StartDecl,
    Step, Text, Transfer,
};
use bumpalo::Bump;

fn text(raw: &'static str, span: crate::span::Span) -> Text<'static> {
    Text {
        raw,
        refs: Default::default(),
        span,
    }
}

/// Turns a `role` fact into a choice among the roles and starts the
/// policy at the step that hands the call to the role the host gives.
pub fn desugar<'a>(p: &mut Policy<'a>, bump: &'a Bump, diags: &mut Vec<Diagnostic>) {
    let roles: Vec<AnswerDef<'a>> = p
        .roles
        .iter()
        .map(|r| AnswerDef {
            name: r.name.clone(),
            label: Some(Box::new(r.title.clone())),
            after: None,
        })
        .collect();
    let mut holder: Option<Name<'a>> = None;
    for f in &mut p.facts {
        let FactType::Role(span) = f.ty else {
            continue;
        };
        f.ty = FactType::Choice(roles.clone());
        if roles.is_empty() {
            diags.push(
                Diagnostic::new(Code::WrongType, "a `role` fact needs roles to choose from")
                    .at(span, "no `role` is declared")
                    .with_help(
                        "declare the roles that may take the call: `role tier1 \"Tier 1 agent\"`",
                    ),
            );
            continue;
        }
        if f.source != FactSource::Host {
            diags.push(
                Diagnostic::new(
                    Code::WrongType,
                    format!(
                        "the role that takes the call (`{}`) is given by the host",
                        f.name.text()
                    ),
                )
                .at(span, "a `role` fact is given when the call starts")
                .with_help("write `from host`: the console says who took the call"),
            );
            continue;
        }
        if let Some(first) = &holder {
            diags.push(
                Diagnostic::new(
                    Code::WrongType,
                    format!(
                        "one role takes the call, and `{}` already says which",
                        first.text()
                    ),
                )
                .at(span, "a second `role` fact")
                .with_label(first.span, "the role that takes the call")
                .with_help("keep one `role` fact; route by it with `match`"),
            );
            continue;
        }
        holder = Some(f.name.clone());
    }
    let Some(fact) = holder else {
        return;
    };
    let span = fact.span;
    if let Some(n) = p
        .steps
        .iter()
        .map(|s| &s.name)
        .find(|n| n.text() == fact.text())
    {
        diags.push(
            Diagnostic::new(
                Code::DuplicateName,
                format!("`{}` names where the call begins: the step that hands it to the role the host gives", fact.text()),
            )
            .at(n.span, format!("also named `{}`", fact.text()))
            .with_label(span, "the role that takes the call")
            .with_help("give the step or the fact another name"),
        );
        return;
    }
    let start = match (p.starts.first(), p.steps.first()) {
        (Some(s), _) => s.step.clone(),
        (None, Some(s)) => s.name.clone(),
        (None, None) => return,
    };
    let mut branches = Vec::with_capacity(p.roles.len());
    let mut hand_overs = Vec::with_capacity(p.roles.len());
    for r in &p.roles {
        let piece = Name::new(
            bump.alloc_str(&format!("{}>{}", fact.text(), r.name.text())),
            span,
        );
        branches.push(Branch {
            arm: Arm::Answer(r.name.clone()),
            dest: Dest::Step(piece.clone()),
            bound: None,
            span,
        });
        hand_overs.push(Step {
            name: piece,
            text: Some(r.title.clone()),
            role: None,
            lints: Box::default(),
            actions: vec![Action::Transfer(Box::new(Transfer {
                role: r.name.clone(),
                requires: Vec::new(),
                reason: Some(text("\"The console says this role takes the call\"", span)),
                span,
            }))],
            exit: Some(Box::new(Exit::Goto {
                dest: Dest::Step(start.clone()),
                bound: None,
                span,
            })),
            span,
        });
    }
    let begin = Step {
        name: fact.clone(),
        text: Some(text("\"The call goes to the role the host gives\"", span)),
        role: None,
        lints: Box::default(),
        actions: Vec::new(),
        exit: Some(Box::new(Exit::Match {
            fact: fact.clone(),
            branches: branches.into(),
            span,
        })),
        span,
    };
    p.steps
        .splice(0..0, std::iter::once(begin).chain(hand_overs).map(Box::new));
    let begin = StartDecl { step: fact, span };
    match p.starts.first_mut() {
        Some(s) => *s = begin,
        None => p.starts.push(begin),
    }
}

/// The `role` fact of a compiled policy: the host fact its first step
/// matches, whose answers are the roles.
pub fn holder_fact(g: &crate::graph::Graph) -> Option<&crate::graph::Fact> {
    let crate::graph::Exit::Match { fact, .. } = &g.step(g.start).exit else {
        return None;
    };
    let f = g.facts.get(fact.index())?;
    let roles = g.roles.iter().map(|r| r.name.as_str());
    (f.source == crate::graph::FactSource::Host
        && f.answers
            .iter()
            .map(crate::graph::CompactString::as_str)
            .eq(roles))
    .then_some(f)
}

/// Whether `s` is a step where the role a `role` fact names takes the
/// call (`FACT>ROLE`): its transfer is the host's word, not a hand-over.
pub fn takes_the_call(g: &crate::graph::Graph, s: &crate::graph::Step) -> bool {
    holder_fact(g).is_some_and(|f| {
        s.name
            .strip_prefix(f.name.as_str())
            .and_then(|rest| rest.strip_prefix('>'))
            .is_some_and(|role| g.roles.iter().any(|r| r.name == role))
    })
}
