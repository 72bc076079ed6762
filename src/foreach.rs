//! `for each FACT { … }` over a multi-select fact (`fact accounts "Which
//! accounts are affected?" multiple { email vpn wifi } ask`): the actions
//! inside are done once for each item that applies.
//!
//! Written into the tree before resolution, so that every check, the
//! paths, the engine and the service treat it with no code of their own:
//! - the fact becomes one yes/no fact per item, `accounts_email`, … (same
//!   source: asked, looked up or given by the host), the analyst asked
//!   "Which accounts are affected? Email" for each;
//! - a step whose actions hold `for each accounts { B }` is cut there: the
//!   step keeps the actions before it, then for each item a step
//!   `STEP>email` reads `accounts_email` and, on `yes`, a step
//!   `STEP>email>do` does `B` with `{accounts}` read as the item's words;
//!   a step `STEP>then` does the actions after it and takes the step's way
//!   out.
//!
//! So the analysis sees every subset of the items (a path per subset), and
//! data collected or tickets filed inside count only on the paths where an
//! item applies. A `match` on the multi-select fact itself is `wrong-type`:
//! each item is its own fact.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{
    Action, Arm, Branch, Dest, Exit, FactDecl, FactType, Name, Policy, Step, Text,
};
use bumpalo::Bump;
use std::collections::HashMap;

/// One multi-select fact: its items, as (name, the words read for it).
struct Multiple<'a> {
    items: Vec<(&'a str, String)>,
}

/// Rewrites every multi-select fact and `for each` of the policy (and of
/// its procedures) as the module says. The synthesized names and texts
/// live in `bump`.
pub fn desugar<'a>(
    mut p: Policy<'a>,
    bump: &'a Bump,
    diags: &mut Vec<Diagnostic>,
    pieces: &mut Pieces,
) -> Policy<'a> {
    let has_multiple = p
        .facts
        .iter()
        .any(|f| matches!(f.ty, FactType::Multiple(_)));
    let has_for_each = p
        .steps
        .iter()
        .chain(p.procedures.iter().flat_map(|pr| &pr.steps))
        .any(|s| s.actions.iter().any(is_repetition));
    if !has_multiple && !has_for_each {
        return p;
    }
    let counts: std::collections::HashSet<&'a str> = p
        .facts
        .iter()
        .filter(|f| matches!(f.ty, FactType::Unit(..)))
        .map(|f| f.name.text())
        .collect();
    let mut multiples: HashMap<&'a str, Multiple<'a>> = HashMap::new();
    let mut facts = Vec::with_capacity(p.facts.len());
    for f in std::mem::take(&mut p.facts) {
        let FactType::Multiple(answers) = &f.ty else {
            facts.push(f);
            continue;
        };
        let label = f
            .label
            .as_ref()
            .map_or_else(|| f.name.text().to_string(), |l| l.value().into_owned());
        let mut items = Vec::with_capacity(answers.len());
        for a in answers {
            let words = a
                .label
                .as_ref()
                .map_or_else(|| a.name.text().to_string(), |l| l.value().into_owned());
            let name = bump.alloc_str(&format!("{}_{}", f.name.text(), a.name.text()));
            facts.push(FactDecl {
                name: Name::new(name, a.name.span),
                label: Some(text(bump, &format!("{label} {words}"), a.name.span)),
                ty: FactType::YesNo(a.name.span),
                source: f.source.clone(),
                span: f.span,
            });
            items.push((a.name.text(), words));
        }
        pieces.multiples.push((
            f.name.text().to_string(),
            items
                .iter()
                .map(|(item, _)| (item.to_string(), format!("{}_{item}", f.name.text())))
                .collect(),
        ));
        multiples.insert(f.name.text(), Multiple { items });
    }
    p.facts = facts;
    // A `match` on a multi-select is reported here (`wrong-type`): its
    // name reads as a broken one after, not as unknown.
    p.broken
        .extend(multiples.keys().map(|name| crate::syntax::ast::BrokenName {
            kind: crate::syntax::ast::NameKind::Fact,
            name,
        }));
    let facts = Facts {
        multiples: &multiples,
        counts: &counts,
    };
    let steps = std::mem::take(&mut p.steps);
    p.steps = cut_steps(steps, &facts, bump, diags, pieces);
    for pr in &mut p.procedures {
        let steps = std::mem::take(&mut pr.steps);
        pr.steps = cut_steps(steps, &facts, bump, diags, pieces);
    }
    p
}

/// The facts a repetition may read.
struct Facts<'f, 'a> {
    multiples: &'f HashMap<&'a str, Multiple<'a>>,
    /// Facts of a number type: what `repeat` counts by.
    counts: &'f std::collections::HashSet<&'a str>,
}

/// The most rounds a `repeat` may have: each is two steps.
const MAX_ROUNDS: u32 = 100;

fn is_repetition(a: &Action) -> bool {
    matches!(a, Action::ForEach { .. } | Action::Repeat { .. })
}

/// What the rewriting leaves for after lowering: the steps a `for each`
/// wrote, by name, with the step the author wrote; and each multi-select
/// fact with its items and their facts.
#[derive(Default)]
pub struct Pieces {
    steps: HashMap<String, String>,
    /// (fact, [(item, the item's fact)]), in the order declared.
    multiples: Vec<(String, Vec<(String, String)>)>,
}

impl Pieces {
    /// The multi-select facts of a lowered graph, with their items' facts
    /// (an item whose fact did not lower is left out).
    pub fn multi_selects(&self, g: &crate::graph::Graph) -> Vec<crate::graph::MultiSelect> {
        if self.multiples.is_empty() {
            return Vec::new();
        }
        // One pass over the facts: a policy of many multi-selects and many
        // facts is not searched once per item.
        let index: HashMap<&str, usize> = g
            .facts
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.as_str(), i))
            .collect();
        self.multiples
            .iter()
            .map(|(name, items)| crate::graph::MultiSelect {
                name: name.clone(),
                items: items
                    .iter()
                    .filter_map(|(item, fact)| {
                        let at = *index.get(fact.as_str())?;
                        Some(crate::graph::MultiItem {
                            name: item.clone(),
                            fact: crate::graph::FactId::new(at),
                        })
                    })
                    .collect(),
            })
            .collect()
    }

    /// What the checks say of a piece is said of the step the author
    /// wrote: `` `notes>email>do` `` in a message reads `` `notes` ``.
    /// Caller paths keep the pieces: they show the way.
    pub fn name_written_steps(&self, diags: &mut [Diagnostic]) {
        if self.steps.is_empty() {
            return;
        }
        for d in diags {
            if !d.message.contains('>') {
                continue;
            }
            let parts: Vec<&str> = d.message.split('`').collect();
            let renamed: Vec<&str> = parts
                .iter()
                .enumerate()
                .map(|(k, part)| match self.steps.get(*part) {
                    Some(step) if k % 2 == 1 => step.as_str(),
                    _ => part,
                })
                .collect();
            d.message = renamed.join("`");
        }
    }
}

/// A text for `words`, quoted and escaped as a policy writes it.
fn text<'a>(bump: &'a Bump, words: &str, span: Span) -> Text<'a> {
    let escaped = words.replace('\\', "\\\\").replace('"', "\\\"");
    Text {
        raw: bump.alloc_str(&format!("\"{escaped}\"")),
        refs: Default::default(),
        span,
    }
}

/// `text` with `{fact}` read as the item's words.
fn for_item<'a>(bump: &'a Bump, t: &Text<'a>, fact: &str, words: &str) -> Text<'a> {
    let escaped = words.replace('\\', "\\\\").replace('"', "\\\"");
    let placeholder = format!("{{{fact}}}");
    if !t.raw.contains(&placeholder) {
        return t.clone();
    }
    Text {
        raw: bump.alloc_str(&t.raw.replace(&placeholder, &escaped)),
        refs: t
            .refs
            .iter()
            .filter(|r| r.text() != fact)
            .cloned()
            .collect(),
        span: t.span,
    }
}

fn action_for_item<'a>(bump: &'a Bump, a: &Action<'a>, fact: &str, words: &str) -> Action<'a> {
    match a {
        Action::Do(t) => Action::Do(for_item(bump, t, fact, words)),
        Action::Say(t) => Action::Say(for_item(bump, t, fact, words)),
        Action::Warn(t) => Action::Warn(for_item(bump, t, fact, words)),
        Action::Note(t) => Action::Note(for_item(bump, t, fact, words)),
        Action::Gap(t) => Action::Gap(for_item(bump, t, fact, words)),
        Action::Ticket(t) => {
            let mut t = t.clone();
            t.title = t.title.map(|x| for_item(bump, &x, fact, words));
            for (_, x) in &mut t.fields {
                *x = for_item(bump, x, fact, words);
            }
            Action::Ticket(t)
        }
        Action::Transfer(t) => {
            let mut t = t.clone();
            t.reason = t.reason.map(|x| for_item(bump, &x, fact, words));
            Action::Transfer(t)
        }
        other => other.clone(),
    }
}

/// Each step with a `for each` cut into the steps that do it, in place.
fn cut_steps<'a>(
    steps: Vec<Box<Step<'a>>>,
    facts: &Facts<'_, 'a>,
    bump: &'a Bump,
    diags: &mut Vec<Diagnostic>,
    pieces: &mut Pieces,
) -> Vec<Box<Step<'a>>> {
    let mut out = Vec::with_capacity(steps.len());
    let mut cut_out = Vec::new();
    for s in steps {
        if !s.actions.iter().any(is_repetition) {
            check_match(&s, facts.multiples, diags);
            out.push(s);
            continue;
        }
        let written = s.name.text().to_string();
        cut(*s, facts, bump, diags, &mut cut_out);
        // The first is the step itself; the rest are its pieces.
        for piece in cut_out.iter().skip(1) {
            pieces
                .steps
                .insert(piece.name.text().to_string(), written.clone());
        }
        out.extend(cut_out.drain(..).map(Box::new));
    }
    out
}

/// A `match` on a multi-select fact: each item is its own fact.
fn check_match(s: &Step, multiples: &HashMap<&str, Multiple>, diags: &mut Vec<Diagnostic>) {
    let Some(Exit::Match { fact, .. }) = s.exit.as_deref() else {
        return;
    };
    if let Some(m) = multiples.get(fact.text()) {
        let example = m
            .items
            .first()
            .map_or(String::new(), |(i, _)| format!("`{}_{i}`", fact.text()));
        diags.push(
            Diagnostic::new(
                Code::WrongType,
                format!("`{}` is a multi-select fact: a `match` reads one of its items", fact.text()),
            )
            .at(fact.span, "any of several answers")
            .with_help(format!(
                "match an item, a yes/no fact of its own ({example}), or do something for each item with `for each {}`",
                fact.text()
            )),
        );
    }
}

/// The rounds of a repetition, written as steps after `s`: round K a step
/// `STEP>SUFFIX` whose way out (`decide`, given the round's two
/// destinations) goes to `STEP>SUFFIX>do`, which does the round's actions,
/// or on to the next round; after the last, `STEP>then` does `after` and
/// takes `s`'s way out. `s` and the rounds are pushed; `STEP>then` is
/// returned (it may hold another repetition).
struct Rounds<'r, 'a> {
    suffixes: Vec<String>,
    decide: &'r dyn Fn(usize, &Name<'a>, &Name<'a>) -> Exit<'a>,
    actions: &'r dyn Fn(usize) -> Vec<Action<'a>>,
}

fn unroll<'a>(
    mut s: Step<'a>,
    rounds: Rounds<'_, 'a>,
    after: Vec<Action<'a>>,
    span: Span,
    bump: &'a Bump,
    out: &mut Vec<Step<'a>>,
) -> Step<'a> {
    let (base, name_span) = (s.name.text(), s.name.span);
    let name = |suffix: &str| -> Name<'a> {
        Name::new(bump.alloc_str(&format!("{base}>{suffix}")), name_span)
    };
    let piece = |name: Name<'a>, actions: Vec<Action<'a>>, exit: Option<Box<Exit<'a>>>| Step {
        name,
        text: s.text.clone(),
        role: s.role.clone(),
        lints: Box::default(),
        actions,
        exit,
        span: s.span,
    };
    let goto = |to: &Name<'a>| {
        Some(Box::new(Exit::Goto {
            dest: Dest::Step(to.clone()),
            bound: None,
            span,
        }))
    };
    let then = name("then");
    let firsts: Vec<Name<'a>> = rounds.suffixes.iter().map(|x| name(x)).collect();
    let mut pieces = Vec::with_capacity(2 * firsts.len());
    for (k, first) in firsts.iter().enumerate() {
        let next = firsts.get(k + 1).unwrap_or(&then);
        let doing = name(&format!("{}>do", rounds.suffixes[k]));
        let decide = (rounds.decide)(k, &doing, next);
        pieces.push(piece(first.clone(), Vec::new(), Some(Box::new(decide))));
        pieces.push(piece(doing, (rounds.actions)(k), goto(next)));
    }
    let rest = piece(then.clone(), after, s.exit.take());
    s.exit = goto(firsts.first().unwrap_or(&then));
    out.push(s);
    out.extend(pieces);
    rest
}

/// `repeat fact up to times { body }`: round K reads `fact`, `K or more`
/// doing the body with `{fact}` read as K.
#[allow(clippy::too_many_arguments)]
fn repeat<'a>(
    s: Step<'a>,
    fact: &Name<'a>,
    times: u32,
    body: &[Action<'a>],
    after: Vec<Action<'a>>,
    span: Span,
    bump: &'a Bump,
    out: &mut Vec<Step<'a>>,
) -> Step<'a> {
    use crate::syntax::ast::{Range, RangeOp, Value, ValueKind};
    let decide = |k: usize, doing: &Name<'a>, next: &Name<'a>| {
        let at_least = Range {
            op: RangeOp::OrMore,
            from: Value {
                kind: ValueKind::Number {
                    digits: bump.alloc_str(&(k + 1).to_string()),
                    unit: None,
                },
                span: fact.span,
            },
            to: None,
            unit: None,
            span: fact.span,
        };
        let branch = |arm, to: &Name<'a>| Branch {
            arm,
            dest: Dest::Step(to.clone()),
            bound: None,
            span,
        };
        Exit::Match {
            fact: fact.clone(),
            branches: vec![
                branch(Arm::Range(Box::new(at_least)), doing),
                branch(Arm::Else(span), next),
            ]
            .into(),
            span,
        }
    };
    let actions = |k: usize| {
        let words = (k + 1).to_string();
        body.iter()
            .map(|a| action_for_item(bump, a, fact.text(), &words))
            .collect()
    };
    let rounds = Rounds {
        suffixes: (1..=times).map(|k| format!("round{k}")).collect(),
        decide: &decide,
        actions: &actions,
    };
    unroll(s, rounds, after, span, bump, out)
}

/// Cuts `s` at its first `for each`, pushing the steps it becomes.
fn cut<'a>(
    mut s: Step<'a>,
    facts: &Facts<'_, 'a>,
    bump: &'a Bump,
    diags: &mut Vec<Diagnostic>,
    out: &mut Vec<Step<'a>>,
) {
    let multiples = facts.multiples;
    loop {
        let Some(at) = s.actions.iter().position(is_repetition) else {
            check_match(&s, multiples, diags);
            out.push(s);
            return;
        };
        let after: Vec<Action<'a>> = s.actions.split_off(at + 1);
        let (fact, body, span, rounds) = match s.actions.pop() {
            Some(Action::ForEach(e)) => (e.fact, e.actions, e.span, None),
            Some(Action::Repeat(r)) => (r.fact, r.actions, r.span, Some(r.times)),
            _ => unreachable!("the action at `at` repeats"),
        };
        if let Some(times) = rounds {
            let refused = if !facts.counts.contains(fact.text()) {
                Some(
                    Diagnostic::new(
                        Code::WrongType,
                        format!(
                            "`repeat` counts by a number fact, and `{}` is not one",
                            fact.text()
                        ),
                    )
                    .at(fact.span, "not a count")
                    .with_help("declare it `fact NAME \"…\" count ask` (or `from host`)"),
                )
            } else if times > MAX_ROUNDS {
                Some(
                    Diagnostic::new(
                        Code::TooLarge,
                        format!("`repeat … up to {times}` is more rounds than sopc takes ({MAX_ROUNDS})"),
                    )
                    .at(span, "too many rounds")
                    .with_help("a procedure repeated this often is a loop with a bound: `loop STEP at most N times, then …`"),
                )
            } else {
                None
            };
            if let Some(d) = refused {
                diags.push(d);
                s.actions.extend(
                    body.iter()
                        .map(|a| action_for_item(bump, a, fact.text(), fact.text())),
                );
                s.actions.extend(after);
                continue;
            }
            s = repeat(s, &fact, times, &body, after, span, bump, out);
            continue;
        }
        let Some(m) = multiples.get(fact.text()) else {
            diags.push(
                Diagnostic::new(
                    Code::WrongType,
                    format!(
                        "`for each` reads a multi-select fact, and `{}` is not one",
                        fact.text()
                    ),
                )
                .at(fact.span, "not `multiple { … }`")
                .with_help("declare it `fact NAME \"…\" multiple { a b c } ask`"),
            );
            // The actions go on as if written once (`{FACT}` as its name),
            // so that the rest of the step is still checked.
            s.actions.extend(
                body.iter()
                    .map(|a| action_for_item(bump, a, fact.text(), fact.text())),
            );
            s.actions.extend(after);
            continue;
        };
        let decide = |k: usize, doing: &Name<'a>, next: &Name<'a>| {
            let branch = |answer: &'static str, to: &Name<'a>| Branch {
                arm: Arm::Answer(Name::new(answer, span)),
                dest: Dest::Step(to.clone()),
                bound: None,
                span,
            };
            Exit::Match {
                fact: Name::new(
                    bump.alloc_str(&format!("{}_{}", fact.text(), m.items[k].0)),
                    fact.span,
                ),
                branches: Box::new([branch("yes", doing), branch("no", next)]),
                span,
            }
        };
        let actions = |k: usize| {
            body.iter()
                .map(|a| action_for_item(bump, a, fact.text(), &m.items[k].1))
                .collect()
        };
        let rounds = Rounds {
            suffixes: m.items.iter().map(|(item, _)| item.to_string()).collect(),
            decide: &decide,
            actions: &actions,
        };
        let rest = unroll(s, rounds, after, span, bump, out);
        // The rest may hold another repetition.
        s = rest;
    }
}
