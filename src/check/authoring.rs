//! Help for authors: `unused-declaration` (a data field, ticket or referral
//! target, outcome or declared fact nothing uses), `single-answer` (a
//! question with one answer), `useless-bound` (a bound on a branch in no
//! loop, whose `then` can never be taken), `duplicate-step` (two steps
//! that do the same things: a procedure to write once).

use crate::analysis::said::text_refs;
use crate::analysis::scc;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::{Action, Dest, Exit, FactKind, FactSource, Graph, OutcomeKind, TargetKind};
use crate::levels::Levels;

pub fn unused_declarations(g: &Graph, levels: &Levels, diags: &mut Vec<Diagnostic>) {
    let mut data = vec![false; g.data.len()];
    let mut targets = vec![false; g.targets.len()];
    let mut outcomes = vec![false; g.outcomes.len()];
    let mut facts = vec![false; g.facts.len()];
    let by_name = |name: &str| g.data.iter().position(|d| d.name == name);
    let mention = |text: &str, data: &mut Vec<bool>| {
        for name in text_refs(text) {
            if let Some(d) = by_name(name) {
                data[d] = true;
            }
        }
    };
    for t in &g.targets {
        for &d in &t.requires {
            data[d.index()] = true;
        }
    }
    for o in &g.outcomes {
        for &t in &o.targets {
            targets[t.index()] = true;
        }
    }
    for &d in g
        .never_disclose
        .iter()
        .chain(g.scoped_disclose.iter().flat_map(|s| &s.data))
    {
        data[d.index()] = true;
    }
    for f in &g.facts {
        if let FactKind::Verify(check) = &f.kind {
            for &d in &check.items {
                data[d.index()] = true;
            }
        }
        mention(&f.prompt, &mut data);
    }
    for s in &g.scenarios {
        if let Some(t) = s.expect {
            outcomes[t.outcome.index()] = true;
        }
    }
    for step in &g.steps {
        mention(&step.text, &mut data);
        for a in &step.actions {
            match a {
                Action::Do { text, .. }
                | Action::Say { text, .. }
                | Action::Warn { text, .. }
                | Action::Note { text, .. }
                | Action::Gap { note: text, .. } => mention(text, &mut data),
                Action::Collect { data: fields, .. } => {
                    for &d in fields {
                        data[d.index()] = true;
                    }
                }
                Action::Ticket(t) => {
                    targets[t.target.index()] = true;
                    for &d in t.body.iter().chain(&t.assignee) {
                        data[d.index()] = true;
                    }
                    for text in t.title.iter().chain(t.fields.iter().map(|f| &f.value)) {
                        mention(text, &mut data);
                    }
                }
                Action::Transfer {
                    requires, reason, ..
                } => {
                    for &d in requires {
                        data[d.index()] = true;
                    }
                    mention(reason, &mut data);
                }
                Action::Refer { target, .. } => targets[target.index()] = true,
                Action::Handoff { requires, .. } => {
                    for &d in requires {
                        data[d.index()] = true;
                    }
                }
            }
        }
        if let Exit::Ask { fact, .. } | Exit::Match { fact, .. } = step.exit {
            facts[fact.index()] = true;
        }
        let ends = step
            .exit
            .edges()
            .flat_map(|(_, e)| [Some(e.to), e.bound.map(|b| b.then)].into_iter().flatten());
        let end = match step.exit {
            Exit::End { terminal, .. } => Some(Dest::End(terminal)),
            _ => None,
        };
        let spent = step.loop_bound().map(|l| l.then);
        for d in ends.chain(end).chain(spent) {
            if let Dest::End(t) = d {
                outcomes[t.outcome.index()] = true;
                if let Some(x) = t.target {
                    targets[x.index()] = true;
                }
            }
        }
    }
    let mut report = |kind: &str, name: &str, span, help: &str| {
        if levels.allows(Code::UnusedDeclaration, span) {
            return;
        }
        diags.push(
            Diagnostic::new(
                Code::UnusedDeclaration,
                format!("the {kind} `{name}` is declared but nothing uses it"),
            )
            .at(span, "unused")
            .with_help(help.to_string()),
        );
    };
    for (i, d) in g.data.iter().enumerate().filter(|(i, _)| !data[*i]) {
        let _ = i;
        report(
            "data field",
            &d.name,
            d.span,
            "collect it where the source asks for it, or remove the declaration",
        );
    }
    // A contact is listed in the document's escalation contacts: that is
    // its use.
    for t in g
        .targets
        .iter()
        .enumerate()
        .filter(|(i, t)| !targets[*i] && t.kind != TargetKind::Contact)
        .map(|(_, t)| t)
    {
        let help = match t.kind {
            TargetKind::Ticket => "file a ticket to it, or remove the declaration",
            _ => {
                "refer the caller to it (`refer`, or an outcome `to` it), or remove the declaration"
            }
        };
        report("target", &t.name, t.span, help);
    }
    for o in g
        .outcomes
        .iter()
        .enumerate()
        .filter(|(i, o)| !outcomes[*i] && o.kind != OutcomeKind::Gap)
        .map(|(_, o)| o)
    {
        report(
            "outcome",
            &o.name,
            o.span,
            "end some path in it (`end NAME`), or remove the declaration",
        );
    }
    // A question asked in a procedure never called is the procedure's
    // report, not its own.
    let in_procedure = |span: crate::span::Span| {
        g.procedures
            .iter()
            .any(|p| p.body_span.start <= span.start && span.end <= p.body_span.end)
    };
    for f in g
        .facts
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            !facts[*i] && !matches!(f.source, FactSource::Step { .. }) && !in_procedure(f.span)
        })
        .map(|(_, f)| f)
    {
        report(
            "fact",
            &f.name,
            f.span,
            "branch on it with `match`, or remove the declaration",
        );
    }
    for p in g.procedures.iter().filter(|p| p.calls.is_empty()) {
        report(
            "procedure",
            &p.name,
            p.span,
            "run it from a step with `call`, or remove the declaration",
        );
    }
}

/// A question with one answer asks nothing.
pub fn single_answers(g: &Graph, levels: &Levels, diags: &mut Vec<Diagnostic>) {
    for step in &g.steps {
        let Exit::Ask { fact, .. } = step.exit else {
            continue;
        };
        let f = g.fact(fact);
        if f.answers.len() != 1
            || !matches!(f.kind, FactKind::Choice)
            || levels.allows(Code::SingleAnswer, f.span)
        {
            continue;
        }
        diags.push(
            Diagnostic::new(
                Code::SingleAnswer,
                format!(
                    "the question `{}` has one answer, `{}`: it decides nothing",
                    f.name, f.answers[0]
                ),
            )
            .at(f.span, "one answer")
            .with_help(
                "add the answers the caller can give, or make it a `do` or `say` and a `goto`",
            ),
        );
    }
}

/// A bound on a branch that no loop passes through: the branch is taken at
/// most once per call, so its `then` is never taken.
pub fn useless_bounds(g: &Graph, levels: &Levels, diags: &mut Vec<Diagnostic>) {
    let comps = scc::of_graph(g);
    // An `else` is one edge per answer it covers, all with its span: one
    // report for the line.
    let mut reported = std::collections::HashSet::new();
    for (s, step) in g.steps.iter().enumerate() {
        for (_, e) in step.exit.edges() {
            let Some(bound) = e.bound else { continue };
            if bound.times == 0
                || levels.allows(Code::UselessBound, e.span)
                || reported.contains(&e.span)
            {
                continue;
            }
            let in_loop = match e.to {
                Dest::Step(t) => {
                    let c = comps.comp[s];
                    comps.comp[t.index()] == c && comps.cyclic[c as usize]
                }
                _ => false,
            };
            if in_loop {
                continue;
            }
            reported.insert(e.span);
            diags.push(
                Diagnostic::new(
                    Code::UselessBound,
                    format!(
                        "the bound in step `{}` is on a branch that no loop passes through",
                        step.name
                    ),
                )
                .at(e.span, "taken at most once per call")
                .with_help(
                    "a call takes this branch once at most, so its `then` is never used: remove `at most …, then …`, or bound a branch of the loop it was meant for",
                ),
            );
        }
    }
}

/// A `loop` bound on a step that no loop passes through: the call never
/// comes back to it, so its `then` is never taken.
pub fn useless_loop_bounds(g: &Graph, levels: &Levels, diags: &mut Vec<Diagnostic>) {
    if g.steps.iter().all(|s| s.loop_bound.is_none()) {
        return;
    }
    let comps = scc::of_graph(g);
    for (s, step) in g.steps.iter().enumerate() {
        let Some(l) = step.loop_bound() else { continue };
        if comps.cyclic[comps.comp[s] as usize] || levels.allows(Code::UselessBound, l.span) {
            continue;
        }
        diags.push(
            Diagnostic::new(
                Code::UselessBound,
                format!(
                    "the loop bound on step `{}` bounds no loop: no step leads back to it",
                    step.name
                ),
            )
            .at(l.span, "never counts a return")
            .with_label(step.span, "in no loop")
            .with_help(
                "a call comes here at most once, so the bound's `then` is never used: remove the `loop` line, or name the step the call comes back to",
            ),
        );
    }
}

/// The fewest actions two steps must share for `duplicate-step`: one
/// repeated line (a `collect`, a `say`) is ordinary.
const DUPLICATE_MIN_ACTIONS: usize = 2;

/// An action as an author wrote it, without its place: two steps with the
/// same list of these do the same things.
fn action_key(g: &Graph, a: &Action) -> String {
    let names = |ids: &[crate::graph::DataId]| {
        ids.iter()
            .map(|&d| g.data(d).name.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    match a {
        Action::Do { text, .. } => format!("do {text}"),
        Action::Say { text, .. } => format!("say {text}"),
        Action::Warn { text, .. } => format!("warn {text}"),
        Action::Note { text, .. } => format!("note {text}"),
        Action::Gap { note, .. } => format!("gap {note}"),
        Action::Collect { data, .. } => format!("collect {}", names(data)),
        Action::Ticket(t) => format!(
            "ticket {} {:?} {:?} {} {}",
            g.target(t.target).name,
            t.title,
            t.fields
                .iter()
                .map(|f| (&f.name, &f.value))
                .collect::<Vec<_>>(),
            names(&t.body),
            names(&t.assignee)
        ),
        Action::Transfer {
            role,
            requires,
            reason,
            ..
        } => format!(
            "transfer {} {} {reason}",
            g.role(*role).name,
            names(requires)
        ),
        Action::Refer { target, .. } => format!("refer {}", g.target(*target).name),
        Action::Handoff {
            policy, requires, ..
        } => format!("handoff {policy} {}", names(requires)),
    }
}

/// Two steps of the policy (not copies of a procedure's, nor pieces of one
/// written step), held by the same role, whose actions are the same, in
/// the same order: reported at the later one, naming the first.
pub fn duplicate_steps(g: &Graph, levels: &Levels, diags: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<Vec<String>, usize> = Default::default();
    for (i, step) in g.steps.iter().enumerate() {
        if step.actions.len() < DUPLICATE_MIN_ACTIONS
            || g.copy_of(crate::graph::StepId::new(i)).is_some()
        {
            continue;
        }
        // Steps held by different roles are different people's work.
        let role = step.role.map_or(String::new(), |r| g.role(r).name.clone());
        let key: Vec<String> = std::iter::once(role)
            .chain(step.actions.iter().map(|a| action_key(g, a)))
            .collect();
        match first.entry(key) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let earlier = &g.steps[*o.get()];
                // Pieces of one written step (a `for each` item's, a
                // `repeat` round's) share its span and do the same things
                // by design.
                if earlier.span == step.span || levels.allows(Code::DuplicateStep, step.span) {
                    continue;
                }
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateStep,
                        format!(
                            "step `{}` does the same {} things as step `{}`",
                            step.name,
                            step.actions.len(),
                            earlier.name
                        ),
                    )
                    .at(step.span, "the same actions again")
                    .with_label(earlier.span, "first written here")
                    .with_help(
                        "write them once as a `procedure` and `call` it from both steps, so a change to one cannot miss the other",
                    ),
                );
            }
        }
    }
}
