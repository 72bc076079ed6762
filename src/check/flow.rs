//! Must-analyses over the state space: `missing-data`, `missing-ticket`,
//! `order-violation`, `role-violation`, `uncollected-field`, and
//! `unknown-fact`.
//!
//! One forward pass in topological order computes, for every state, the set
//! of facts true on *every* caller path into it (data collected, tickets
//! filed, required steps visited): intersection at joins. A requirement that
//! is not in that set fails, and walking back through predecessors that also
//! lack it yields a real caller path as the counter-example.

use super::counter_example;
use crate::analysis::lists::Lists;
use crate::analysis::states::{Next, StateId, StateSpace};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::{
    Action, DataId, Exit, Graph, RoleId, StepId, TargetId, TargetKind, Terminal, Ticket,
};
use crate::span::Span;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// What one bit of the analysis stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Item {
    Data(DataId),
    Visited(StepId),
    Ticket(TargetId),
    /// This role holds the call: the first role declared from the start,
    /// another after a `transfer` to it.
    Actor(RoleId),
}

/// A requirement checked at one step: the item must hold on entry (plus the
/// step's own earlier actions).
struct Need {
    bit: usize,
    /// For an `end` on a branch of `ask` or `match`: the answer that takes
    /// it. A branch is blamed only in states that take that branch: another
    /// branch may end in the same terminal on paths this one never sees.
    answer: Option<u32>,
    /// For an `end`: the terminal. The need holds only in states that can
    /// take it (a bounded branch's `then` is not taken while the bound lasts).
    ends: Option<Terminal>,
    /// For an `end` that a spent loop bound leads to: it holds only on the
    /// transitions the bound sent on (and the step's own `end`s only on
    /// the others), each blamed on its own line.
    spent: bool,
    /// Bits the step itself sets before the requirement is checked.
    local: Vec<usize>,
    report: Report,
}

#[derive(Clone, Copy)]
enum Report {
    /// Data a ticket (or, `referral`, a `refer`) needs, not collected.
    Data {
        data: DataId,
        target: TargetId,
        span: Span,
        referral: bool,
    },
    Order {
        first: StepId,
        then: StepId,
        span: Span,
    },
    Ticket {
        terminal: Terminal,
        span: Span,
    },
    /// A field a ticket names that its target does not require (those are
    /// `missing-data`'s).
    Uncollected {
        data: DataId,
        target: TargetId,
        span: Span,
    },
    /// A step `by ROLE` reached while another role holds the call.
    Role {
        role: RoleId,
    },
    /// Data a `transfer` hands over, not collected.
    Handover {
        data: DataId,
        role: RoleId,
        span: Span,
    },
    /// Data a `handoff` hands over, not collected (`policy` indexes the
    /// policies named, in the order met).
    Handoff {
        data: DataId,
        policy: usize,
        span: Span,
    },
}

impl Need {
    /// The span a report of this need points at.
    fn span(&self) -> Span {
        match self.report {
            Report::Data { span, .. }
            | Report::Order { span, .. }
            | Report::Ticket { span, .. }
            | Report::Uncollected { span, .. }
            | Report::Handover { span, .. }
            | Report::Handoff { span, .. } => span,
            Report::Role { .. } => Span::default(),
        }
    }

    /// Whether the need holds in state `s`, for a need on no branch (a
    /// branch's need is looked up by its answer, see [`must_analysis`]).
    fn applies(&self, space: &StateSpace, s: StateId) -> bool {
        let Some(terminal) = self.ends else {
            return true;
        };
        space
            .transition_ids(s)
            .any(|t| self.takes(space, t, terminal))
    }

    /// Whether transition `t`, which ends in `terminal`, is this need's
    /// way to it.
    fn takes(&self, space: &StateSpace, t: u32, terminal: Terminal) -> bool {
        space.next(&space.trans[t as usize]) == Next::End(terminal)
            && self.ends == Some(terminal)
            && space.is_spent(t) == self.spent
    }
}

struct Bits {
    index: HashMap<Item, usize>,
}

impl Bits {
    fn get(&mut self, item: Item) -> usize {
        let n = self.index.len();
        *self.index.entry(item).or_insert(n)
    }

    /// A need for each of `data` to have been collected before the action,
    /// reported as `report` says for the field missing.
    fn data_needs(
        &mut self,
        data: impl IntoIterator<Item = DataId>,
        local: &[usize],
        report: impl Fn(DataId) -> Report,
    ) -> Vec<Need> {
        data.into_iter()
            .map(|d| Need {
                bit: self.get(Item::Data(d)),
                local: local.to_vec(),
                answer: None,
                ends: None,
                spent: false,
                report: report(d),
            })
            .collect()
    }
}

pub fn must_analysis(g: &Graph, space: &StateSpace, diags: &mut Vec<Diagnostic>) {
    let mut bits = Bits {
        index: HashMap::new(),
    };
    // Per step, in step order: the bits it sets, the bits it clears (the
    // other roles, after a transfer), and what it needs.
    let mut gen: Lists<usize> = Lists::new();
    let mut kill: Lists<usize> = Lists::new();
    let mut needs: Lists<Need> = Lists::new();
    let roles_matter = !g.roles.is_empty()
        && g.steps.iter().any(|s| {
            s.role.is_some()
                || s.actions
                    .iter()
                    .any(|a| matches!(a, Action::Transfer { .. }))
        });
    let first_actor = roles_matter.then(|| bits.get(Item::Actor(RoleId(0))));
    let mut policies: Vec<&str> = Vec::new();
    // Data handed over at the start are collected before the first step.
    let received: Vec<usize> = g
        .receives
        .iter()
        .map(|&d| bits.get(Item::Data(d)))
        .collect();
    let firsts: HashSet<StepId> = g.requires.iter().map(|r| r.first).collect();
    let mut orders: HashMap<StepId, Vec<&crate::graph::Order>> = HashMap::new();
    for r in &g.requires {
        orders.entry(r.then).or_default().push(r);
    }
    let data_ids: HashMap<&str, DataId> = g
        .data
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), DataId::new(i)))
        .collect();
    for (s, step) in g.steps.iter().enumerate() {
        let mut local: Vec<usize> = Vec::new();
        let mut cleared: Vec<usize> = Vec::new();
        let mut step_needs: Vec<Need> = Vec::new();
        if firsts.contains(&StepId::new(s)) {
            local.push(bits.get(Item::Visited(StepId::new(s))));
        }
        if let (true, Some(role)) = (roles_matter, step.role) {
            step_needs.push(Need {
                bit: bits.get(Item::Actor(role)),
                local: vec![],
                answer: None,
                ends: None,
                spent: false,
                report: Report::Role { role },
            });
        }
        for action in &step.actions {
            match action {
                Action::Transfer {
                    role,
                    requires,
                    span,
                    ..
                } => {
                    step_needs.extend(bits.data_needs(requires.iter().copied(), &local, |d| {
                        Report::Handover {
                            data: d,
                            role: *role,
                            span: *span,
                        }
                    }));
                    let others: Vec<usize> = (0..g.roles.len())
                        .map(|r| bits.get(Item::Actor(RoleId::new(r))))
                        .collect();
                    local.retain(|b| !others.contains(b));
                    cleared = others;
                    local.push(bits.get(Item::Actor(*role)));
                }
                Action::Collect { data, .. } => {
                    for &d in data {
                        local.push(bits.get(Item::Data(d)));
                    }
                }
                Action::Handoff {
                    policy,
                    requires,
                    span,
                } => {
                    let policy_index = policies.len();
                    step_needs.extend(bits.data_needs(requires.iter().copied(), &local, |d| {
                        Report::Handoff {
                            data: d,
                            policy: policy_index,
                            span: *span,
                        }
                    }));
                    policies.push(policy.as_str());
                }
                Action::Refer { target, span } => {
                    let requires = g.target(*target).requires.iter().copied();
                    step_needs.extend(bits.data_needs(requires, &local, |d| Report::Data {
                        data: d,
                        target: *target,
                        span: *span,
                        referral: true,
                    }));
                }
                Action::Ticket(t) => {
                    let requires = &g.target(t.target).requires;
                    step_needs.extend(bits.data_needs(requires.iter().copied(), &local, |d| {
                        Report::Data {
                            data: d,
                            target: t.target,
                            span: t.span,
                            referral: false,
                        }
                    }));
                    let named = ticket_fields(g, &data_ids, t)
                        .into_iter()
                        .filter(|d| !requires.contains(d));
                    step_needs.extend(bits.data_needs(named, &local, |d| Report::Uncollected {
                        data: d,
                        target: t.target,
                        span: t.span,
                    }));
                    local.push(bits.get(Item::Ticket(t.target)));
                }
                _ => {}
            }
        }
        let own = step.terminals().into_iter().map(|t| (t, false));
        let spent = g
            .loop_terminals_of(StepId::new(s))
            .into_iter()
            .map(|t| (t, true));
        for ((terminal, span, answer), spent) in own.chain(spent) {
            let answer = answer.map(|a| a as u32);
            if let Some(target) = terminal.target {
                if g.target(target).kind == TargetKind::Ticket {
                    let bit = bits.get(Item::Ticket(target));
                    step_needs.push(Need {
                        bit,
                        local: local.clone(),
                        answer,
                        ends: Some(terminal),
                        spent,
                        report: Report::Ticket { terminal, span },
                    });
                }
            }
        }
        for r in orders.get(&StepId::new(s)).into_iter().flatten() {
            step_needs.push(Need {
                bit: bits.get(Item::Visited(r.first)),
                local: vec![],
                answer: None,
                ends: None,
                spent: false,
                report: Report::Order {
                    first: r.first,
                    then: r.then,
                    span: r.span,
                },
            });
        }
        // A branch's needs, sorted by answer after the others, are looked
        // up from the transitions that take the branch: a question with
        // many answers has as many needs, and checking each in every state
        // of its step would be quadratic.
        step_needs.sort_by_key(|n| n.answer);
        gen.push(local);
        kill.push(cleared);
        needs.push(step_needs);
    }
    if needs.all_empty() {
        return;
    }
    let on_branch: Vec<u32> = (0..g.steps.len())
        .map(|s| needs.get(s).partition_point(|n| n.answer.is_none()) as u32)
        .collect();
    // Data collected after a requirement is of no use to it; `local` lists
    // only what came before. Items never generated still need a bit.
    let words = bits.index.len().div_ceil(64).max(1);
    let n = space.len();
    let mut inb = vec![u64::MAX; n * words];
    inb[..words].fill(0);
    if let Some(first) = first_actor {
        inb[first / 64] |= 1 << (first % 64);
    }
    for &b in &received {
        inb[b / 64] |= 1 << (b % 64);
    }
    let has = |set: &[u64], bit: usize| set[bit / 64] & (1 << (bit % 64)) != 0;
    // State, need index, bit.
    let mut failures: Vec<(StateId, usize, usize)> = Vec::new();
    // One report per written requirement: an `else` is one branch per
    // answer, all with the `else`'s span.
    let mut seen_need: HashSet<(StepId, usize, Span)> = HashSet::new();
    let mut out = vec![0u64; words];
    for &s in &space.topo {
        let step = space.step[s as usize];
        let base = s as usize * words;
        out.copy_from_slice(&inb[base..base + words]);
        let list = needs.get(step.index());
        let first_on_branch = on_branch[step.index()] as usize;
        let mut fails = |k: usize| {
            let need = &list[k];
            if !has(&out, need.bit)
                && !need.local.contains(&need.bit)
                && seen_need.insert((step, need.bit, need.span()))
            {
                failures.push((s, k, need.bit));
            }
        };
        for (k, need) in list[..first_on_branch].iter().enumerate() {
            if need.applies(space, s) {
                fails(k);
            }
        }
        if first_on_branch < list.len() {
            for id in space.transition_ids(s) {
                let t = space.trans[id as usize];
                let (Some(a), Next::End(terminal)) = (t.answer(), space.next(&t)) else {
                    continue;
                };
                let from = first_on_branch
                    + list[first_on_branch..].partition_point(|n| n.answer < Some(a));
                let taking = list[from..]
                    .iter()
                    .take_while(|n| n.answer == Some(a))
                    .enumerate();
                for (i, need) in taking {
                    if need.takes(space, id, terminal) {
                        fails(from + i);
                    }
                }
            }
        }
        for &b in kill.get(step.index()) {
            out[b / 64] &= !(1 << (b % 64));
        }
        for &b in gen.get(step.index()) {
            out[b / 64] |= 1 << (b % 64);
        }
        for t in space.transitions(s) {
            if let Some(to) = t.to() {
                let tb = to as usize * words;
                for w in 0..words {
                    inb[tb + w] &= out[w];
                }
            }
        }
    }
    if failures.is_empty() {
        return;
    }
    let preds = predecessors(space);
    for (s, k, bit) in failures {
        let path = walk_back(space, &preds, &inb, words, &gen, &kill, s, bit);
        let mut ce = counter_example(g, space, &path, Some(s));
        let need = &needs.get(space.step[s as usize].index())[k];
        // A `match`'s answer is already on the path; a question's is the
        // caller's last word.
        if let (Some(a), Some(fact)) = (need.answer, space.obtains(g, s)) {
            let f = g.fact(fact);
            ce.answers
                .push((f.name.to_string(), f.answers[a as usize].to_string()));
        }
        diags.push(describe(g, need.report, space.step[s as usize], &policies).with_path(ce));
    }
}

/// The data fields a ticket names, once each: its sections and the `{field}`
/// references of its title and fields.
fn ticket_fields(g: &Graph, data_ids: &HashMap<&str, DataId>, t: &Ticket) -> Vec<DataId> {
    let texts = t.title.iter().chain(t.fields.iter().map(|f| &f.value));
    let refs = texts
        .flat_map(|text| crate::analysis::said::text_refs(text))
        .filter_map(|name| data_ids.get(name).copied());
    let mut fields: Vec<DataId> = Vec::new();
    for d in t.body.iter().chain(&t.assignee).copied().chain(refs) {
        if d.index() < g.data.len() && !fields.contains(&d) {
            fields.push(d);
        }
    }
    fields
}

fn describe(g: &Graph, r: Report, step: StepId, policies: &[&str]) -> Diagnostic {
    let step_name = &g.step(step).name;
    match r {
        Report::Data {
            data,
            target,
            span,
            referral,
        } => {
            let d = g.data(data);
            let t = g.target(target);
            let (what, done) = if referral {
                ("referral", "made")
            } else {
                ("ticket", "filed")
            };
            Diagnostic::new(
                Code::MissingData,
                format!(
                    "the {what} to `{}` in step `{step_name}` can be {done} without `{}`",
                    t.name, d.name
                ),
            )
            .at(
                span,
                format!("`{}` may not have been collected here", d.name),
            )
            .with_label(t.span, format!("`{}` requires `{}`", t.name, d.name))
            .with_help(format!(
                "collect it first on every path: `collect {}`",
                d.name
            ))
        }
        Report::Uncollected { data, target, span } => {
            let d = g.data(data);
            let t = g.target(target);
            Diagnostic::new(
                Code::UncollectedField,
                format!(
                    "the ticket to `{}` in step `{step_name}` names `{}`, which some caller path has not collected",
                    t.name, d.name
                ),
            )
            .at(
                span,
                format!("`{}` may not have been collected here", d.name),
            )
            .with_help(format!(
                "collect it before the ticket on every path (`collect {}`), or take it out of the ticket",
                d.name
            ))
        }
        Report::Role { role } => {
            let r = g.role(role);
            let first = g.role(RoleId(0));
            Diagnostic::new(
                Code::RoleViolation,
                format!(
                    "a caller path reaches step `{step_name}`, which is for the {} (`{}`), while someone else holds the call",
                    r.title, r.name
                ),
            )
            .at(g.step(step).span, format!("by {} only", r.name))
            .with_help(if let Some(holder) = crate::holder::holder_fact(g) {
                format!(
                    "the host says who takes the call (`{}`): route by it (`match {} {{ {} -> … }}`), or transfer the call on every path into `{step_name}`: `transfer {} requires …`",
                    holder.name, holder.name, r.name, r.name
                )
            } else if role == RoleId(0) {
                format!("the call starts with the {} (`{}`); transfer it back, or send this path elsewhere", first.title, first.name)
            } else {
                format!(
                    "transfer the call on every path into `{step_name}`: `transfer {} requires …`",
                    r.name
                )
            })
        }
        Report::Handover { data, role, span } => {
            let d = g.data(data);
            Diagnostic::new(
                Code::MissingData,
                format!(
                    "the transfer to `{}` in step `{step_name}` can hand over the call without `{}`",
                    g.role(role).name,
                    d.name
                ),
            )
            .at(span, format!("`{}` may not have been collected here", d.name))
            .with_help(format!("collect it first on every path: `collect {}`", d.name))
        }
        Report::Handoff { data, policy, span } => {
            let d = g.data(data);
            Diagnostic::new(
                Code::MissingData,
                format!(
                    "the handoff to {:?} in step `{step_name}` can hand over the call without `{}`",
                    policies.get(policy).copied().unwrap_or_default(),
                    d.name
                ),
            )
            .at(
                span,
                format!("`{}` may not have been collected here", d.name),
            )
            .with_help(format!(
                "collect it first on every path: `collect {}`",
                d.name
            ))
        }
        Report::Order { first, then, span } => {
            let f = &g.step(first).name;
            let t = &g.step(then).name;
            Diagnostic::new(
                Code::OrderViolation,
                format!("a caller can reach `{t}` without going through `{f}`"),
            )
            .at(g.step(then).span, format!("reached without `{f}`"))
            .with_label(span, "the rule")
            .with_help(format!("route every path into `{t}` through `{f}` first"))
        }
        Report::Ticket { terminal, span } => {
            let t = g.target(terminal.target.unwrap_or(TargetId(0)));
            Diagnostic::new(
                Code::MissingTicket,
                format!(
                    "step `{step_name}` ends in `{}` without a ticket to `{}`",
                    g.terminal_text(terminal),
                    t.name
                ),
            )
            .at(span, "no ticket filed on this path")
            .with_help(format!(
                "file one before ending: ticket {} {{ body ... }}",
                t.name
            ))
        }
    }
}

/// For each state, the (predecessor, transition) pairs that lead into it.
fn predecessors(space: &StateSpace) -> Vec<Vec<(StateId, u32)>> {
    let mut preds = vec![Vec::new(); space.len()];
    for s in 0..space.len() as StateId {
        for t in space.transition_ids(s) {
            if let Some(to) = space.trans[t as usize].to() {
                preds[to as usize].push((s, t));
            }
        }
    }
    preds
}

/// A path from the start state to `s` on which `bit` never holds.
#[allow(clippy::too_many_arguments)]
fn walk_back(
    space: &StateSpace,
    preds: &[Vec<(StateId, u32)>],
    inb: &[u64],
    words: usize,
    gen: &Lists<usize>,
    kill: &Lists<usize>,
    s: StateId,
    bit: usize,
) -> Vec<(StateId, u32)> {
    let lacks = |p: StateId| {
        let base = p as usize * words;
        let step = space.step[p as usize].index();
        (inb[base + bit / 64] & (1 << (bit % 64)) == 0 || kill.get(step).contains(&bit))
            && !gen.get(step).contains(&bit)
    };
    let mut path = Vec::new();
    let mut cur = s;
    while let Some(&(p, t)) = preds[cur as usize].iter().find(|(p, _)| lacks(*p)) {
        path.push((p, t));
        cur = p;
        if path.len() > space.len() {
            break;
        }
    }
    path.reverse();
    // Where the bit was lost (a transfer away from a role), any path from
    // the start to there leads on to the failure.
    if let Some(&(first, _)) = path.first() {
        let mut to_first = space.path_to(first);
        to_first.extend(path);
        return to_first;
    }
    path
}

pub fn unknown_facts(g: &Graph, space: &StateSpace, diags: &mut Vec<Diagnostic>) {
    let mut reported: HashSet<StepId> = HashSet::new();
    for &s in &space.unknown_fact_at {
        let step_id = space.step[s as usize];
        if !reported.insert(step_id) {
            continue;
        }
        let step = g.step(step_id);
        let Exit::Match { fact, .. } = step.exit else {
            continue;
        };
        let f = g.fact(fact);
        let Some(asker) = f.asked_by() else { continue };
        let path = space.path_to(s);
        diags.push(
            Diagnostic::new(
                Code::UnknownFact,
                format!(
                    "step `{}` matches on `{}`, which some caller path has not asked yet",
                    step.name, f.name
                ),
            )
            .at(step.span, format!("`{}` may be unknown here", f.name))
            .with_label(
                f.span,
                format!("asked only in step `{}`", g.step(asker).name),
            )
            .with_help(format!(
                "make every path into `{}` pass through `{}`, or ask the question here",
                step.name,
                g.step(asker).name
            ))
            .with_path(counter_example(g, space, &path, Some(s))),
        );
    }
}
