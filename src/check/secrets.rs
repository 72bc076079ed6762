//! `secret-leak`: a secret field in a ticket's body, title or fields (secrets
//! belong in the assignee section only), or a secret or `never disclose`
//! field inside something said to the caller: a `say`, a `warn`, or a
//! question's prompt (read out as written).

use crate::analysis::said::{scoped_said, text_refs};
use crate::analysis::states::StateSpace;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::{Action, DataClass, DisclosureScope, Graph, ScopedDisclosure, StepId};

pub fn secret_leaks(g: &Graph, diags: &mut Vec<Diagnostic>) {
    // Secrets, and unrecorded values, which are also never said.
    let is_secret = |name: &str| {
        g.data
            .iter()
            .find(|d| d.name == name)
            .is_some_and(|d| matches!(d.class, DataClass::Secret | DataClass::Unrecorded))
    };
    let is_unrecorded = |name: &str| {
        g.data
            .iter()
            .find(|d| d.name == name)
            .is_some_and(|d| d.class == DataClass::Unrecorded)
    };
    let never: Vec<&str> = g
        .never_disclose
        .iter()
        .map(|&d| g.data(d).name.as_str())
        .collect();
    // Why a field must not be heard, if it must not.
    let unspeakable = |name: &str| {
        if never.contains(&name) {
            Some(format!("`{name}` must never be disclosed"))
        } else if is_unrecorded(name) {
            Some(format!("`{name}` is never recorded"))
        } else if is_secret(name) {
            Some(format!("`{name}` is a secret"))
        } else {
            None
        }
    };
    // `what` says who speaks it, `from` where to take it out.
    let spoken = |text: &str, span, what: &str, from: &str, diags: &mut Vec<Diagnostic>| {
        let mut seen: Vec<&str> = Vec::new();
        for name in text_refs(text) {
            let Some(why) = unspeakable(name) else {
                continue;
            };
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            diags.push(
                Diagnostic::new(Code::SecretLeak, format!("{why}, but {what}"))
                    .at(span, "said to the caller")
                    .with_help(format!("remove `{{{name}}}` from {from}")),
            );
        }
    };
    for fact in &g.facts {
        spoken(
            &fact.prompt,
            fact.span,
            &format!("the question `{}` reads it to the caller", fact.name),
            "the prompt",
            diags,
        );
    }
    for step in &g.steps {
        for action in &step.actions {
            match action {
                Action::Ticket(t) => {
                    let target = &g.target(t.target).name;
                    for &d in t.body.iter().chain(&t.assignee) {
                        let data = g.data(d);
                        if data.class == DataClass::Unrecorded {
                            diags.push(
                                Diagnostic::new(
                                    Code::SecretLeak,
                                    format!("`{}` is never recorded, but the ticket to `{target}` writes it down", data.name),
                                )
                                .at(t.span, "a ticket holds an unrecorded value")
                                .with_label(data.span, "declared unrecorded here")
                                .with_help(format!("remove `{}` from the ticket: an unrecorded value is checked on the call and never written", data.name)),
                            );
                        }
                    }
                    for &d in &t.body {
                        let data = g.data(d);
                        if data.class == DataClass::Secret {
                            diags.push(
                                Diagnostic::new(
                                    Code::SecretLeak,
                                    format!("the secret `{}` is in the body of the ticket to `{target}`", data.name),
                                )
                                .at(t.span, "ticket body holds a secret")
                                .with_label(data.span, "declared secret here")
                                .with_help(format!("move `{}` from `body` to `assignee`", data.name)),
                            );
                        }
                    }
                    let texts = t.title.iter().chain(t.fields.iter().map(|f| &f.value));
                    for text in texts {
                        for name in text_refs(text).filter(|n| is_secret(n)) {
                            diags.push(
                                Diagnostic::new(
                                    Code::SecretLeak,
                                    format!("the secret or unrecorded `{name}` is written into the ticket to `{target}`"),
                                )
                                .at(t.span, "the title or a field names a secret")
                                .with_help(format!("remove `{{{name}}}` and list `{name}` under `assignee`")),
                            );
                        }
                    }
                }
                Action::Say { text, span } | Action::Warn { text, span } => spoken(
                    text,
                    *span,
                    &format!("step `{}` says it to the caller", step.name),
                    "what is said",
                    diags,
                ),
                _ => {}
            }
        }
    }
}

/// `forbidden-phrase`: a `never say` or `never do` phrase inside a text the
/// policy has said, asked, warned, done, noted or written, as whole words
/// in any case.
pub fn forbidden_phrases(g: &Graph, diags: &mut Vec<Diagnostic>) {
    if g.never.is_empty() {
        return;
    }
    let phrases: Vec<(Vec<String>, &crate::graph::Never)> =
        g.never.iter().map(|n| (words(&n.phrase), n)).collect();
    let check = |text: &str, span, what: &str, diags: &mut Vec<Diagnostic>| {
        let text_words = words(text);
        for (phrase, never) in &phrases {
            if phrase.is_empty()
                || !text_words
                    .windows(phrase.len())
                    .any(|w| w == phrase.as_slice())
            {
                continue;
            }
            let kind = match never.kind {
                crate::graph::NeverKind::Say => "said",
                crate::graph::NeverKind::Do => "done",
            };
            diags.push(
                Diagnostic::new(
                    Code::ForbiddenPhrase,
                    format!(
                        "{what} contains \"{}\", which must never be {kind}",
                        never.phrase
                    ),
                )
                .at(span, "holds a forbidden phrase")
                .with_label(never.span, "forbidden here")
                .with_help("reword the text so that it does not hold the phrase"),
            );
        }
    };
    for fact in &g.facts {
        check(
            &fact.prompt,
            fact.span,
            &format!("the question `{}`", fact.name),
            diags,
        );
    }
    for step in &g.steps {
        check(
            &step.text,
            step.span,
            &format!("the title of step `{}`", step.name),
            diags,
        );
        for action in &step.actions {
            match action {
                Action::Do { text, span }
                | Action::Say { text, span }
                | Action::Warn { text, span }
                | Action::Note { text, span }
                | Action::Gap { note: text, span } => {
                    check(text, *span, &format!("step `{}`", step.name), diags)
                }
                Action::Ticket(t) => {
                    let what = format!("the ticket in step `{}`", step.name);
                    for text in t.title.iter().chain(t.fields.iter().map(|f| &f.value)) {
                        check(text, t.span, &what, diags);
                    }
                }
                Action::Transfer { reason, span, .. } => check(
                    reason,
                    *span,
                    &format!("the transfer in step `{}`", step.name),
                    diags,
                ),
                Action::Collect { .. } | Action::Refer { .. } | Action::Handoff { .. } => {}
            }
        }
    }
}

/// A text's words, lowercased: letters, digits and apostrophes.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `secret-leak` on `never disclose F until FACT ANSWER` (said where some
/// caller path has not established the answer) and `never disclose F to
/// FACT ANSWER` (said where some caller path has, or has not ruled it
/// out), with that path.
pub fn scoped_leaks(g: &Graph, space: &StateSpace, diags: &mut Vec<Diagnostic>) {
    let said = scoped_said(g);
    if said.iter().all(Vec::is_empty) {
        return;
    }
    let mut reported: Vec<(StepId, usize, String)> = Vec::new();
    for s in 0..space.len() as u32 {
        let step_id = space.step[s as usize];
        for (k, name) in &said[step_id.index()] {
            let d: &ScopedDisclosure = &g.scoped_disclose[*k];
            let known = space.value_of(s, d.fact);
            let allowed = match d.scope {
                DisclosureScope::Until => known == Some(d.answer),
                DisclosureScope::To => known.is_some_and(|a| a != d.answer),
            };
            if allowed
                || reported
                    .iter()
                    .any(|(st, j, n)| *st == step_id && j == k && n == name)
            {
                continue;
            }
            reported.push((step_id, *k, name.clone()));
            let f = g.fact(d.fact);
            let answer = &f.answers[d.answer as usize];
            let (why, help) = match (d.scope, known) {
                (DisclosureScope::Until, None) => (
                    format!("`{}` is not known yet", f.name),
                    format!("say `{{{name}}}` only after `{}` is {answer}", f.name),
                ),
                (DisclosureScope::Until, Some(a)) => (
                    format!("`{}` is {}", f.name, f.answers[a as usize]),
                    format!(
                        "say `{{{name}}}` only on the branch where `{}` is {answer}",
                        f.name
                    ),
                ),
                (DisclosureScope::To, None) => (
                    format!("`{}` is not known yet, so it may be {answer}", f.name),
                    format!(
                        "establish `{}` first, and say `{{{name}}}` only where it is not {answer}",
                        f.name
                    ),
                ),
                (DisclosureScope::To, Some(_)) => (
                    format!("`{}` is {answer}", f.name),
                    format!("say `{{{name}}}` only where `{}` is not {answer}", f.name),
                ),
            };
            let rule = match d.scope {
                DisclosureScope::Until => format!("until `{}` is {answer}", f.name),
                DisclosureScope::To => format!("to `{}` {answer}", f.name),
            };
            let step = g.step(step_id);
            diags.push(
                Diagnostic::new(
                    Code::SecretLeak,
                    format!(
                        "step `{}` says `{name}`, which is never disclosed {rule}, on a caller path where {why}",
                        step.name
                    ),
                )
                .at(step.span, "said here")
                .with_label(d.span, "the rule")
                .with_help(help)
                .with_path(super::counter_example(g, space, &space.path_to(s), Some(s))),
            );
        }
    }
}
