//! Structural checks on single steps: `dead-end`, `disallowed-terminal`,
//! `missing-text`, and a `refer` to a target that is not a referral
//! (`wrong-type`).

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::{Exit, Graph, OutcomeKind, TargetKind};
use crate::levels::Levels;

pub fn dead_ends(g: &Graph, diags: &mut Vec<Diagnostic>) {
    for step in &g.steps {
        if matches!(step.exit, Exit::None) {
            diags.push(
                Diagnostic::new(
                    Code::DeadEnd,
                    format!("the step `{}` has no way out", step.name),
                )
                .at(step.span, "a caller who reaches this step is stuck")
                .with_help("end the step with `ask`, `match`, `goto STEP` or `end OUTCOME`"),
            );
        }
    }
}

/// `refer TARGET` gives the caller a referral: its target must be one.
pub fn referrals(g: &Graph, diags: &mut Vec<Diagnostic>) {
    for step in &g.steps {
        for a in &step.actions {
            let crate::graph::Action::Refer { target, span } = a else {
                continue;
            };
            let t = g.target(*target);
            if t.kind == TargetKind::Referral {
                continue;
            }
            let kind = match t.kind {
                TargetKind::Ticket => "a ticket target: file a ticket to it",
                _ => {
                    "a contact: say how to reach it in a `do` line, or end the call escalated to it"
                }
            };
            diags.push(
                Diagnostic::new(
                    Code::WrongType,
                    format!(
                        "step `{}` refers the caller to `{}`, which is not a referral",
                        step.name, t.name
                    ),
                )
                .at(*span, "not a referral target")
                .with_label(t.span, "declared here")
                .with_help(format!("`{}` is {kind}", t.name)),
            );
        }
    }
}

pub fn terminals(g: &Graph, diags: &mut Vec<Diagnostic>) {
    for o in &g.outcomes {
        let wanted = match o.kind {
            OutcomeKind::Referral => Some((TargetKind::Referral, "a referral")),
            OutcomeKind::Escalation => None,
            _ => continue,
        };
        for &t in &o.targets {
            let target = g.target(t);
            let ok = match wanted {
                Some((kind, _)) => target.kind == kind,
                None => target.kind != TargetKind::Referral,
            };
            if !ok {
                let (what, help) = match wanted {
                    Some(_) => (
                        "a referral",
                        "a referral outcome names targets of kind `referral`",
                    ),
                    None => (
                        "an escalation",
                        "an escalation outcome names targets of kind `ticket` or `contact`",
                    ),
                };
                diags.push(
                    Diagnostic::new(
                        Code::DisallowedTerminal,
                        format!(
                            "the outcome `{}` is {what}, but `{}` is a {} target",
                            o.name,
                            target.name,
                            target_kind_name(target.kind)
                        ),
                    )
                    .at(o.span, format!("{what} outcome"))
                    .with_label(target.span, "declared here")
                    .with_help(help),
                );
            }
        }
    }
    for step in &g.steps {
        // A loop bound's `then` is checked once, on its `loop` line.
        let spent = step.loop_bound().and_then(|l| match l.then {
            crate::graph::Dest::End(t) => Some((t, l.span, None)),
            _ => None,
        });
        for (t, span, _) in step.terminals().into_iter().chain(spent) {
            let o = g.outcome(t.outcome);
            match t.target {
                Some(target) if !o.targets.contains(&target) => {
                    let tname = &g.target(target).name;
                    let allowed: Vec<&str> = o
                        .targets
                        .iter()
                        .map(|&x| g.target(x).name.as_str())
                        .collect();
                    let help = if allowed.is_empty() {
                        format!("`{}` names no targets; write `end {}`, or add `to {tname}` to the outcome", o.name, o.name)
                    } else {
                        format!(
                            "`{}` allows: {}; add `{tname}` to its `to` list if this is intended",
                            o.name,
                            allowed.join(", ")
                        )
                    };
                    diags.push(
                        Diagnostic::new(
                            Code::DisallowedTerminal,
                            format!(
                                "the outcome `{}` does not allow the target `{tname}`",
                                o.name
                            ),
                        )
                        .at(span, "not allowed")
                        .with_label(o.span, "outcome declared here")
                        .with_help(help),
                    );
                }
                None if !o.targets.is_empty() => {
                    let allowed: Vec<&str> = o
                        .targets
                        .iter()
                        .map(|&x| g.target(x).name.as_str())
                        .collect();
                    diags.push(
                        Diagnostic::new(
                            Code::DisallowedTerminal,
                            format!("the outcome `{}` must name its target", o.name),
                        )
                        .at(span, "which target?")
                        .with_label(o.span, "outcome declared here")
                        .with_help(format!(
                            "write `end {}({})`; it allows: {}",
                            o.name,
                            allowed[0],
                            allowed.join(", ")
                        )),
                    );
                }
                _ => {}
            }
        }
    }
}

pub fn missing_text(g: &Graph, levels: &Levels, diags: &mut Vec<Diagnostic>) {
    for step in &g.steps {
        if step.text.trim().is_empty() && !levels.allows(Code::MissingText, step.span) {
            diags.push(
                Diagnostic::new(
                    Code::MissingText,
                    format!("the step `{}` has no text", step.name),
                )
                .at(step.span, "what should the analyst do here?")
                .with_help(format!(
                    "add a short instruction after the name: step {} \"...\" {{",
                    step.name
                )),
            );
        }
        if let Exit::Ask { fact, .. } = step.exit {
            let f = g.fact(fact);
            if f.prompt.trim().is_empty() && !levels.allows(Code::MissingText, f.span) {
                diags.push(
                    Diagnostic::new(
                        Code::MissingText,
                        format!("the question `{}` has no prompt", f.name),
                    )
                    .at(f.span, "what does the analyst ask?")
                    .with_help(format!(
                        "add the question's words: ask {} \"...?\" {{ ... }}",
                        f.name
                    )),
                );
            }
        }
    }
}

fn target_kind_name(k: TargetKind) -> &'static str {
    match k {
        TargetKind::Referral => "referral",
        TargetKind::Ticket => "ticket",
        TargetKind::Contact => "contact",
    }
}
