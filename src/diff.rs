//! The semantic difference between two versions of a policy: which caller
//! paths now end differently, file different tickets, or take another route
//! (other steps, or questions asked in another order), which declarations
//! changed, and which texts a reader sees were reworded (kept apart: wording
//! is not behaviour). Not a text diff: reordering declarations or
//! reformatting changes nothing.
//!
//! The two state spaces are explored together (a product over the questions
//! both versions ask, matched by name): where both ask the same question the
//! caller's answer drives both; where only one asks, its answer is kept until
//! the other version asks it too. Shared situations are merged, so policies
//! with far more caller paths than could be listed are compared in time close
//! to the size of the two graphs; paths are counted exactly and a bounded
//! number of examples is listed per kind of change. Two bits per product
//! state remember whether the route or the tickets filed so far differ, so
//! tracking them costs at most a factor of four.

use crate::analysis::count::Count;
use crate::analysis::states::{Next, StateId, StateSpace};
use crate::domain;
use crate::graph::{Action, DataId, FactKind, Graph, OutcomeKind, StepId, TargetId, Terminal};
use std::collections::{BTreeSet, HashMap};

/// The most product states explored before giving up.
pub const MAX_PRODUCT_STATES: usize = 5_000_000;
/// The most answers one version may get ahead of the other.
const MAX_BUFFER: usize = 16;

/// Where one version stands on a caller path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Side {
    /// At a state that asks a question.
    Asking(StateId),
    Done(Terminal),
    /// The caller gave an answer this version does not have: the path does
    /// not exist in it.
    Missing,
}

/// A caller path whose ending differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedPath {
    /// `(question, answer)` in the order asked.
    pub answers: Vec<(String, String)>,
    /// The ending (for a route change, the steps and the ending; for a
    /// ticket change, the tickets filed). `None`: the path does not exist in
    /// that version.
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One kind of change with its exact count and some examples.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub count: Count,
    pub examples: Vec<ChangedPath>,
}

#[derive(Debug, Default)]
pub struct Diff {
    /// Paths in both versions whose outcome or target differ.
    pub changed: Changes,
    /// Paths that end the same but file different tickets (target, title,
    /// fields, body or assignee, in order).
    pub tickets: Changes,
    /// Paths that end the same with the same tickets but visit other steps
    /// or ask their questions in another order.
    pub route: Changes,
    /// Paths only the new version has.
    pub added: Changes,
    /// Paths only the old version has.
    pub removed: Changes,
    /// Declarations that differ, one line each.
    pub declarations: Vec<String>,
    /// Texts that differ (what is said and done, titles, prompts, labels,
    /// the header): wording, not behaviour, so not part of [`Diff::is_equal`].
    pub texts: Vec<TextChange>,
}

/// One text that differs between the two versions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TextChange {
    /// What the text belongs to: `sop` (the header), `role`, `target`,
    /// `data`, `outcome`, `question`, `step`, or `procedure` (a step of a
    /// procedure, reported once however many calls copy it).
    pub on: &'static str,
    /// Its name (the SOP number for the header).
    pub name: String,
    /// Which text: `title`, `owner`, ... for the header; `label` (and `via`
    /// for a target) for a declaration; `prompt` for a question; `title`,
    /// `do`, `say`, `warn` or `note` for a step.
    pub field: &'static str,
    /// `None`: the text is only in the other version.
    pub old: Option<String>,
    pub new: Option<String>,
}

impl std::fmt::Display for TextChange {
    /// `step `greet`: say "Hello" -> "Good morning"`, `... do added "..."`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`: {} ", self.on, self.name, self.field)?;
        match (&self.old, &self.new) {
            (Some(o), Some(n)) => write!(f, "{o:?} -> {n:?}"),
            (None, Some(n)) => write!(f, "added {n:?}"),
            (Some(o), None) => write!(f, "removed {o:?}"),
            (None, None) => Ok(()),
        }
    }
}

impl Diff {
    pub fn is_equal(&self) -> bool {
        self.changed.count.is_zero()
            && self.tickets.count.is_zero()
            && self.route.count.is_zero()
            && self.added.count.is_zero()
            && self.removed.count.is_zero()
            && self.declarations.is_empty()
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum DiffError {
    TooLarge,
}

struct Version<'a> {
    g: &'a Graph,
    space: &'a StateSpace,
    /// 0 for the old version, 1 for the new: its class in a [`Common`] cut.
    side: usize,
    common: &'a HashMap<String, Common>,
    /// The names of its facts: whether it asks one is looked up at every
    /// product state where only the other version asks.
    fact_names: std::collections::HashSet<&'a str>,
}

/// An ordered fact both versions have, cut by the points of both: each
/// group of values takes one class in the old version and one in the new,
/// so a moved boundary (500.00 to 600.00) shows the values between as a
/// path of their own.
struct Common {
    /// The label of each group (its intervals, in order) and its class in
    /// the old and the new version.
    groups: Vec<(String, [u32; 2])>,
}

/// The ordered facts of the same name and scale in both versions.
fn common_ordered(old: &Graph, new: &Graph) -> HashMap<String, Common> {
    let mut out = HashMap::new();
    // By name, once: a large policy has tens of thousands of questions.
    fn ordered(g: &Graph) -> HashMap<&str, &crate::graph::Fact> {
        g.facts
            .iter()
            .filter(|f| matches!(f.kind, FactKind::Ordered(_)))
            .map(|f| (f.name.as_str(), f))
            .collect()
    }
    let news = ordered(new);
    for f in ordered(old).into_values() {
        let Some(&n) = news.get(f.name.as_str()) else {
            continue;
        };
        let (FactKind::Ordered(was), FactKind::Ordered(now)) = (&f.kind, &n.kind) else {
            continue;
        };
        let (scale, co, ko) = (&was.scale, &was.cuts, &was.classes);
        let (sn, cn, kn) = (&now.scale, &now.cuts, &now.classes);
        if scale != sn {
            continue;
        }
        let mut cuts: Vec<i64> = co.iter().chain(cn).copied().collect();
        cuts.sort_unstable();
        cuts.dedup();
        let class = |own: &[i64], classes: &[u32], i: usize| {
            let at = domain::class_interval(*scale, &cuts, i).0;
            classes.get(domain::class_of(own, at)).copied().unwrap_or(0)
        };
        let keys: Vec<[u32; 2]> = (0..=cuts.len())
            .map(|i| [class(co, ko, i), class(cn, kn, i)])
            .collect();
        let mut groups: Vec<(String, [u32; 2])> = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            if groups.iter().any(|(_, k)| k == key) {
                continue;
            }
            let members: Vec<usize> = (i..keys.len()).filter(|&j| keys[j] == *key).collect();
            // A group that is a whole class of one version reads in that
            // version's words; otherwise by its ranges.
            // Members share the class, so the class has no other interval.
            let whole =
                |side: usize| keys.iter().filter(|k| k[side] == key[side]).count() == members.len();
            let label = match (whole(0), whole(1)) {
                (true, _) => f.answers.get(key[0] as usize).map(|a| a.to_string()),
                (_, true) => n.answers.get(key[1] as usize).map(|a| a.to_string()),
                _ => None,
            };
            let label = label.unwrap_or_else(|| {
                let mut ranges: Vec<String> = members
                    .iter()
                    .take(3)
                    .map(|&j| domain::class_label(*scale, domain::class_interval(*scale, &cuts, j)))
                    .collect();
                if members.len() > 3 {
                    ranges.push(format!("{} more", members.len() - 3));
                }
                ranges.join(", ")
            });
            groups.push((label, *key));
        }
        // Words two groups share get the group's number, as a class's do.
        let labels: Vec<String> = groups.iter().map(|(l, _)| l.clone()).collect();
        for (i, (label, _)) in groups.iter_mut().enumerate() {
            if labels.iter().filter(|l| *l == label).count() > 1 {
                *label = format!("{label} (#{})", i + 1);
            }
        }
        out.insert(f.name.to_string(), Common { groups });
    }
    out
}

impl Version<'_> {
    /// Follows the state's transitions that need no answer (a `match` on a
    /// value already known, a goto), recording each step entered. A
    /// `match` that reads a declared fact for the first time on the path
    /// chooses among its values as a question does.
    fn settle(&self, mut s: StateId, steps: &mut Vec<StepId>) -> Side {
        loop {
            steps.push(self.space.step[s as usize]);
            if self.space.obtains(self.g, s).is_some() {
                return Side::Asking(s);
            }
            match self
                .space
                .transitions(s)
                .first()
                .map(|t| self.space.next(t))
            {
                Some(Next::State(n)) => s = n,
                Some(Next::End(t)) => return Side::Done(t),
                None => return Side::Missing,
            }
        }
    }

    /// The fact whose value state `s` chooses: the question it asks, or
    /// the declared fact its `match` reads first.
    fn fact_name(&self, s: StateId) -> Option<&str> {
        let f = self.space.obtains(self.g, s)?;
        Some(self.g.fact(f).name.as_str())
    }

    /// The answers state `s` chooses among, as both versions name them.
    fn answers(&self, s: StateId) -> Vec<String> {
        let Some(f) = self.space.obtains(self.g, s).map(|f| self.g.fact(f)) else {
            return Vec::new();
        };
        match self.common.get(f.name.as_str()) {
            Some(c) => c.groups.iter().map(|(l, _)| l.clone()).collect(),
            None => f.answers.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// The side after answering `answer` at asking state `s`, recording the
    /// steps entered on the way.
    fn answer(&self, s: StateId, answer: &str, steps: &mut Vec<StepId>) -> Side {
        let Some(f) = self.space.obtains(self.g, s).map(|f| self.g.fact(f)) else {
            return Side::Missing;
        };
        let index = match self.common.get(f.name.as_str()) {
            Some(c) => c
                .groups
                .iter()
                .find(|(l, _)| l == answer)
                .map(|(_, k)| k[self.side] as usize),
            None => f.answers.iter().position(|a| a == answer),
        };
        let Some(i) = index else {
            return Side::Missing;
        };
        match self
            .space
            .transitions(s)
            .iter()
            .find(|t| t.answer() == Some(i as u32))
            .map(|t| self.space.next(t))
        {
            Some(Next::State(n)) => self.settle(n, steps),
            Some(Next::End(t)) => Side::Done(t),
            None => Side::Missing,
        }
    }

    /// The tickets the steps file, each as one line of text.
    fn tickets(&self, steps: &[StepId]) -> Vec<String> {
        let g = self.g;
        let data = |ids: &[DataId]| -> String {
            let names: Vec<&str> = ids.iter().map(|&d| g.data(d).name.as_str()).collect();
            names.join(", ")
        };
        let mut out = Vec::new();
        for &s in steps {
            for a in &g.step(s).actions {
                if let Action::Refer { target, .. } = a {
                    out.push(format!("refer {}", g.target(*target).name));
                    continue;
                }
                // What a handoff hands over is compared as a ticket's
                // sections are; where it goes is the path's ending.
                if let Action::Handoff {
                    policy, requires, ..
                } = a
                {
                    out.push(format!("handoff {policy:?} requires {}", data(requires)));
                    continue;
                }
                let Action::Ticket(t) = a else { continue };
                let mut text = format!("ticket {}", g.target(t.target).name);
                if let Some(title) = &t.title {
                    text.push_str(&format!(" title {title:?}"));
                }
                for f in &t.fields {
                    text.push_str(&format!(" field {} {:?}", f.name, f.value));
                }
                if !t.body.is_empty() {
                    text.push_str(&format!(" body {}", data(&t.body)));
                }
                if !t.assignee.is_empty() {
                    text.push_str(&format!(" assignee {}", data(&t.assignee)));
                }
                out.push(text);
            }
        }
        out
    }

    fn names(&self, steps: &[StepId]) -> Vec<&str> {
        steps
            .iter()
            .map(|&s| self.g.step(s).name.as_str())
            .collect()
    }

    /// Walks one caller path (answers by question, in the order given; a
    /// question asked again takes its next answer): the steps entered and
    /// The side after raising standing rule `rule` at asking state `s`
    /// (missing where this version cannot raise it there).
    fn raise(&self, s: StateId, rule: &str, steps: &mut Vec<StepId>) -> Side {
        let next = self
            .space
            .transitions(s)
            .iter()
            .find(|t| t.event().is_some_and(|r| self.g.rule(r).name == rule));
        match next.map(|t| self.space.next(t)) {
            Some(Next::State(n)) => self.settle(n, steps),
            Some(Next::End(t)) => Side::Done(t),
            None => Side::Missing,
        }
    }

    /// The standing rules raisable at asking state `s`, by name.
    fn raisable(&self, s: StateId) -> Vec<String> {
        self.space
            .transitions(s)
            .iter()
            .filter_map(|t| t.event().map(|r| self.g.rule(r).name.clone()))
            .collect()
    }

    /// where the path ends.
    fn replay(&self, answers: &[(String, String)]) -> (Vec<StepId>, Side) {
        let mut rounds: HashMap<&str, std::collections::VecDeque<&str>> = HashMap::new();
        for (f, a) in answers {
            rounds.entry(f.as_str()).or_default().push_back(a.as_str());
        }
        let mut steps = Vec::new();
        let mut side = self.settle(0, &mut steps);
        while let Side::Asking(s) = side {
            let next = self
                .fact_name(s)
                .and_then(|f| rounds.get_mut(f))
                .and_then(|r| r.pop_front());
            match next {
                Some(a) => side = self.answer(s, a, &mut steps),
                None => break,
            }
        }
        (steps, side)
    }

    fn asks(&self, fact: &str) -> bool {
        self.fact_names.contains(fact)
    }
}

/// A product state: both sides and the answers one side has been given that
/// the other has not asked yet (sorted, by question name).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Pair {
    old: Side,
    new: Side,
    buffer: Vec<(String, String)>,
    /// The steps entered (or questions asked) so far differ.
    route_differs: bool,
    /// The tickets filed so far differ (for good: a mismatch in order).
    tickets_differ: bool,
    /// Tickets (interned) one side has filed that the other has not filed
    /// yet; at most one of the two is non-empty.
    pending_old: Vec<u32>,
    pending_new: Vec<u32>,
}

/// The most tickets one version may file ahead of the other before the
/// difference is taken as final (it keeps the product small).
const MAX_PENDING: usize = 8;

/// A product transition: the answer given, if a question was asked.
struct Move {
    answer: Option<(String, String)>,
    to: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Leaf {
    Same,
    Changed,
    Tickets,
    Route,
    Added,
    Removed,
}

/// The kinds of leaf counted, in the order of their counters.
const KINDS: [Leaf; 5] = [
    Leaf::Changed,
    Leaf::Tickets,
    Leaf::Route,
    Leaf::Added,
    Leaf::Removed,
];

struct Product<'a> {
    old: Version<'a>,
    new: Version<'a>,
    ids: HashMap<Pair, usize>,
    pairs: Vec<Pair>,
    /// Ticket texts, interned for the pending lists.
    tickets: HashMap<String, u32>,
    moves: Vec<Vec<Move>>,
}

impl<'a> Product<'a> {
    fn id(&mut self, p: Pair, stack: &mut Vec<usize>) -> Result<usize, DiffError> {
        if let Some(&i) = self.ids.get(&p) {
            return Ok(i);
        }
        if self.pairs.len() >= MAX_PRODUCT_STATES {
            return Err(DiffError::TooLarge);
        }
        let i = self.pairs.len();
        self.ids.insert(p.clone(), i);
        self.pairs.push(p);
        self.moves.push(Vec::new());
        stack.push(i);
        Ok(i)
    }

    fn leaf(&self, i: usize) -> Option<Leaf> {
        let p = &self.pairs[i];
        match (p.old, p.new) {
            (Side::Missing, Side::Missing) => Some(Leaf::Same),
            (Side::Missing, _) => Some(Leaf::Added),
            (_, Side::Missing) => Some(Leaf::Removed),
            (Side::Done(a), Side::Done(b)) => Some(if !self.same_terminal(a, b) {
                Leaf::Changed
            } else if p.tickets_differ || !p.pending_old.is_empty() || !p.pending_new.is_empty() {
                Leaf::Tickets
            } else if p.route_differs {
                Leaf::Route
            } else {
                Leaf::Same
            }),
            _ => None,
        }
    }

    /// Both sides walked `old_steps` and `new_steps` on the same answer.
    /// The route is compared step by step: two versions in step ask the same
    /// questions in the same order.
    fn compare(&mut self, next: &mut Pair, old_steps: &[StepId], new_steps: &[StepId]) {
        // By name, without collecting the names: this runs on every move.
        next.route_differs |= old_steps.len() != new_steps.len()
            || old_steps
                .iter()
                .zip(new_steps)
                .any(|(&a, &b)| self.old.g.step(a).name != self.new.g.step(b).name);
        let (o, n) = (self.old.tickets(old_steps), self.new.tickets(new_steps));
        self.file(next, o, n);
    }

    /// One side moved without the other (a question only it asks here): the
    /// route differs; its tickets wait for the other side's.
    fn alone(&mut self, next: &mut Pair, old_side: bool, steps: &[StepId]) {
        next.route_differs = true;
        if old_side {
            let t = self.old.tickets(steps);
            self.file(next, t, Vec::new());
        } else {
            let t = self.new.tickets(steps);
            self.file(next, Vec::new(), t);
        }
    }

    /// Adds newly filed tickets and matches the two sequences as far as
    /// both go: the tickets differ when they disagree in order or content,
    /// or when one side is left with tickets the other never files.
    fn file(&mut self, next: &mut Pair, old: Vec<String>, new: Vec<String>) {
        if next.tickets_differ || (old.is_empty() && new.is_empty()) {
            return;
        }
        for (texts, pending) in [(old, &mut next.pending_old), (new, &mut next.pending_new)] {
            for t in texts {
                let k = self.tickets.len() as u32;
                pending.push(*self.tickets.entry(t).or_insert(k));
            }
        }
        let same = next
            .pending_old
            .iter()
            .zip(&next.pending_new)
            .take_while(|(a, b)| a == b)
            .count();
        let mismatch = same < next.pending_old.len().min(next.pending_new.len());
        next.pending_old.drain(..same);
        next.pending_new.drain(..same);
        if mismatch || next.pending_old.len().max(next.pending_new.len()) > MAX_PENDING {
            next.tickets_differ = true;
            next.pending_old.clear();
            next.pending_new.clear();
        }
    }

    fn same_terminal(&self, a: Terminal, b: Terminal) -> bool {
        terminal_name(self.old.g, a) == terminal_name(self.new.g, b)
    }

    /// The successors of a pair that is not a leaf.
    fn expand(&mut self, i: usize, stack: &mut Vec<usize>) -> Result<(), DiffError> {
        let p = self.pairs[i].clone();
        let mut moves = Vec::new();
        let fact_of = |v: &Version<'_>, s: Side| match s {
            Side::Asking(x) => v.fact_name(x).map(str::to_string),
            _ => None,
        };
        let fo = fact_of(&self.old, p.old);
        let fnew = fact_of(&self.new, p.new);
        // A side whose question was answered earlier (for the other side)
        // takes that answer without asking again.
        for (is_old, fact) in [(true, &fo), (false, &fnew)] {
            if let Some(f) = fact {
                if let Some(k) = p.buffer.iter().position(|(bf, _)| bf == f) {
                    let mut next = p.clone();
                    let (_, a) = next.buffer.remove(k);
                    let mut steps = Vec::new();
                    if is_old {
                        if let Side::Asking(s) = p.old {
                            next.old = self.old.answer(s, &a, &mut steps);
                        }
                        self.alone(&mut next, true, &steps);
                    } else if let Side::Asking(s) = p.new {
                        next.new = self.new.answer(s, &a, &mut steps);
                        self.alone(&mut next, false, &steps);
                    }
                    let to = self.id(next, stack)?;
                    moves.push(Move { answer: None, to });
                    self.moves[i] = moves;
                    return Ok(());
                }
            }
        }
        match (&fo, &fnew) {
            (Some(a), Some(b)) if a == b => {
                let (Side::Asking(so), Side::Asking(sn)) = (p.old, p.new) else {
                    return Ok(());
                };
                let mut answers: Vec<String> = self.old.answers(so);
                for x in self.new.answers(sn) {
                    if !answers.contains(&x) {
                        answers.push(x);
                    }
                }
                for ans in answers {
                    let (mut old_steps, mut new_steps) = (Vec::new(), Vec::new());
                    let mut next = Pair {
                        old: self.old.answer(so, &ans, &mut old_steps),
                        new: self.new.answer(sn, &ans, &mut new_steps),
                        ..p.clone()
                    };
                    self.compare(&mut next, &old_steps, &new_steps);
                    let to = self.id(next, stack)?;
                    moves.push(Move {
                        answer: Some((a.clone(), ans)),
                        to,
                    });
                }
                // A standing rule raised instead of the answer, in either
                // version: a path of its own, missing where a version
                // cannot raise it here.
                let mut rules = self.old.raisable(so);
                for r in self.new.raisable(sn) {
                    if !rules.contains(&r) {
                        rules.push(r);
                    }
                }
                for rule in rules {
                    let (mut old_steps, mut new_steps) = (Vec::new(), Vec::new());
                    let mut next = Pair {
                        old: self.old.raise(so, &rule, &mut old_steps),
                        new: self.new.raise(sn, &rule, &mut new_steps),
                        ..p.clone()
                    };
                    self.compare(&mut next, &old_steps, &new_steps);
                    let to = self.id(next, stack)?;
                    moves.push(Move {
                        answer: Some(("anytime".to_string(), rule)),
                        to,
                    });
                }
            }
            _ => {
                // Only one side asks now (or they ask different questions):
                // the old side moves first, then the new.
                let (asking_old, s, fact) = match (p.old, &fo, p.new, &fnew) {
                    (Side::Asking(s), Some(f), _, _) => (true, s, f.clone()),
                    (_, _, Side::Asking(s), Some(f)) => (false, s, f.clone()),
                    _ => return Ok(()),
                };
                let (this, other) = if asking_old {
                    (&self.old, &self.new)
                } else {
                    (&self.new, &self.old)
                };
                let keep = other.asks(&fact);
                let answers: Vec<String> = this.answers(s);
                for ans in answers {
                    let mut next = p.clone();
                    let mut steps = Vec::new();
                    let side = if asking_old { &self.old } else { &self.new };
                    let moved = side.answer(s, &ans, &mut steps);
                    self.alone(&mut next, asking_old, &steps);
                    if asking_old {
                        next.old = moved;
                    } else {
                        next.new = moved;
                    }
                    if keep {
                        if next.buffer.len() >= MAX_BUFFER {
                            return Err(DiffError::TooLarge);
                        }
                        let at = next.buffer.partition_point(|(f, _)| *f < fact);
                        next.buffer.insert(at, (fact.clone(), ans.clone()));
                    }
                    let to = self.id(next, stack)?;
                    moves.push(Move {
                        answer: Some((fact.clone(), ans)),
                        to,
                    });
                }
            }
        }
        self.moves[i] = moves;
        Ok(())
    }
}

/// A terminal as both versions can name it: an open question by its note,
/// since `gap_N` renumbers when a gap is added before it.
fn terminal_name(g: &Graph, t: Terminal) -> String {
    g.ending_text(t)
}

/// Compares two compiled versions of a policy, listing at most `examples`
/// paths per kind of change.
pub fn diff(old: &Graph, new: &Graph, examples: usize) -> Result<Diff, DiffError> {
    let so = StateSpace::build(old).map_err(|_| DiffError::TooLarge)?;
    let sn = StateSpace::build(new).map_err(|_| DiffError::TooLarge)?;
    let common = common_ordered(old, new);
    let mut product = Product {
        old: Version {
            g: old,
            space: &so,
            side: 0,
            common: &common,
            fact_names: old.facts.iter().map(|f| f.name.as_str()).collect(),
        },
        new: Version {
            g: new,
            space: &sn,
            side: 1,
            common: &common,
            fact_names: new.facts.iter().map(|f| f.name.as_str()).collect(),
        },
        ids: HashMap::new(),
        pairs: Vec::new(),
        tickets: HashMap::new(),
        moves: Vec::new(),
    };
    let (mut old_steps, mut new_steps) = (Vec::new(), Vec::new());
    let mut start = Pair {
        old: product.old.settle(0, &mut old_steps),
        new: product.new.settle(0, &mut new_steps),
        buffer: Vec::new(),
        route_differs: false,
        tickets_differ: false,
        pending_old: Vec::new(),
        pending_new: Vec::new(),
    };
    product.compare(&mut start, &old_steps, &new_steps);
    let mut stack = Vec::new();
    product.id(start, &mut stack)?;
    while let Some(i) = stack.pop() {
        if product.leaf(i).is_none() {
            product.expand(i, &mut stack)?;
        }
    }
    // Count, per pair, the paths below it that end in each kind of leaf.
    // The product is a DAG; a post-order over it visits children first.
    let n = product.pairs.len();
    let mut counts: Vec<[Count; KINDS.len()]> = vec![Default::default(); n];
    let order = post_order(&product.moves);
    for &i in &order {
        let mut c: [Count; KINDS.len()] = Default::default();
        match product.leaf(i) {
            Some(Leaf::Same) => {}
            Some(leaf) => {
                if let Some(k) = KINDS.iter().position(|&x| x == leaf) {
                    c[k] = Count::one();
                }
            }
            None => {
                for m in &product.moves[i] {
                    for (k, slot) in c.iter_mut().enumerate() {
                        slot.add(&counts[m.to][k]);
                    }
                }
            }
        }
        counts[i] = c;
    }
    let mut d = Diff::default();
    for (k, leaf) in KINDS.into_iter().enumerate() {
        let found = Changes {
            count: counts[0][k].clone(),
            examples: examples_of(&product, &counts, k, leaf, examples),
        };
        match leaf {
            Leaf::Changed => d.changed = found,
            Leaf::Tickets => d.tickets = found,
            Leaf::Route => d.route = found,
            Leaf::Added => d.added = found,
            _ => d.removed = found,
        }
    }
    d.declarations = declarations(old, new);
    d.texts = texts(old, new);
    Ok(d)
}

/// Children before parents (iterative).
fn post_order(moves: &[Vec<Move>]) -> Vec<usize> {
    let n = moves.len();
    let mut seen = vec![false; n];
    let mut out = Vec::with_capacity(n);
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        stack.push((root, 0));
        while let Some((v, k)) = stack.last_mut() {
            if let Some(m) = moves[*v].get(*k) {
                *k += 1;
                if !seen[m.to] {
                    seen[m.to] = true;
                    stack.push((m.to, 0));
                }
            } else {
                out.push(*v);
                stack.pop();
            }
        }
    }
    out
}

/// Up to `limit` example paths ending in `leaf`, following only moves that
/// lead to one.
fn examples_of(
    p: &Product<'_>,
    counts: &[[Count; KINDS.len()]],
    k: usize,
    leaf: Leaf,
    limit: usize,
) -> Vec<ChangedPath> {
    let mut out = Vec::new();
    let mut path: Vec<(String, String)> = Vec::new();
    // Frames: pair, next move, whether the frame pushed an answer.
    let mut stack: Vec<(usize, usize, bool)> = vec![(0, 0, false)];
    while let Some(&mut (i, ref mut next, _)) = stack.last_mut() {
        if out.len() >= limit {
            break;
        }
        if p.leaf(i) == Some(leaf) && *next == 0 {
            *next = usize::MAX;
            let pair = &p.pairs[i];
            let describe = |v: &Version<'_>, s: Side| -> Option<String> {
                let Side::Done(t) = s else { return None };
                let ending = terminal_name(v.g, t);
                Some(match leaf {
                    Leaf::Route => {
                        let (steps, _) = v.replay(&path);
                        format!("{} -> {ending}", v.names(&steps).join(" -> "))
                    }
                    Leaf::Tickets => {
                        let tickets = v.tickets(&v.replay(&path).0);
                        if tickets.is_empty() {
                            "no ticket".to_string()
                        } else {
                            tickets.join("; ")
                        }
                    }
                    _ => ending,
                })
            };
            out.push(ChangedPath {
                answers: path.clone(),
                old: describe(&p.old, pair.old),
                new: describe(&p.new, pair.new),
            });
        }
        let moves = &p.moves[i];
        let pick = (*next..moves.len()).find(|&j| !counts[moves[j].to][k].is_zero());
        match pick {
            Some(j) => {
                *next = j + 1;
                let m = &moves[j];
                if let Some(a) = &m.answer {
                    path.push(a.clone());
                }
                stack.push((m.to, 0, m.answer.is_some()));
            }
            None => {
                if let Some((_, _, pushed)) = stack.pop() {
                    if pushed {
                        path.pop();
                    }
                }
            }
        }
    }
    out
}

/// Declarations that differ, compared by name.
/// The declarations renamed from `old` to `new`: one only the old graph
/// names paired with one only the new names that is the same in all but its
/// name (each paired once, in order), as (old name, new name). A shared
/// declaration renamed in a library shows so, not as one removed and
/// another added.
fn renames<'a, T>(
    old: &'a [T],
    new: &'a [T],
    name: impl Fn(&T) -> &String,
    same: impl Fn(&T, &T) -> bool,
) -> Vec<(&'a str, &'a str)> {
    let (olds, news): (BTreeSet<&str>, BTreeSet<&str>) = (
        old.iter().map(|x| name(x).as_str()).collect(),
        new.iter().map(|x| name(x).as_str()).collect(),
    );
    let gone: Vec<&T> = old
        .iter()
        .filter(|x| !news.contains(name(x).as_str()))
        .collect();
    let mut fresh: Vec<&T> = new
        .iter()
        .filter(|x| !olds.contains(name(x).as_str()))
        .collect();
    let mut out = Vec::new();
    for g in gone {
        if let Some(k) = fresh.iter().position(|f| same(g, f)) {
            out.push((name(g).as_str(), name(fresh.remove(k)).as_str()));
        }
    }
    out
}

fn declarations(old: &Graph, new: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    // A step's `by ROLE` is a rule: who must hold the call there.
    let role = |g: &Graph, s: &crate::graph::Step| {
        s.role.map_or_else(
            || "anyone".to_string(),
            |r| format!("by {}", g.role(r).name),
        )
    };
    // A bound on a loop as a whole decides how often the call comes back.
    let bound = |g: &Graph, s: &crate::graph::Step| {
        s.loop_bound().map(|l| {
            let then = match l.then {
                crate::graph::Dest::Step(t) => g.step(t).name.to_string(),
                crate::graph::Dest::End(t) if g.outcome(t.outcome).kind == OutcomeKind::Gap => {
                    g.ending_text(t)
                }
                crate::graph::Dest::End(t) => format!("end {}", g.ending_text(t)),
                crate::graph::Dest::Unmatched => "nowhere".to_string(),
            };
            format!("loop at most {} times, then {then}", l.times)
        })
    };
    let new_steps = by_name(&new.steps, |s| &s.name);
    for s in &old.steps {
        if let Some(n) = new_steps.get(s.name.as_str()) {
            let (a, b) = (role(old, s), role(new, n));
            if a != b {
                out.push(format!("step `{}`: {a} -> {b}", s.name));
            }
            match (bound(old, s), bound(new, n)) {
                (Some(a), Some(b)) if a != b => out.push(format!("step `{}`: {a} -> {b}", s.name)),
                (Some(a), None) => out.push(format!("step `{}`: {a} removed", s.name)),
                (None, Some(b)) => out.push(format!("step `{}`: {b} added", s.name)),
                _ => {}
            }
        }
    }
    let data_names = |g: &Graph, ids: &[DataId]| {
        let mut v: Vec<String> = ids.iter().map(|&d| g.data(d).name.clone()).collect();
        v.sort();
        v
    };
    let (targets, old_targets) = (
        by_name(&new.targets, |t| &t.name),
        by_name(&old.targets, |t| &t.name),
    );
    // A target renamed along with the data it requires is still a rename.
    let data_renamed = renames(
        &old.data,
        &new.data,
        |d| &d.name,
        |a, b| a.label == b.label && a.class == b.class && a.rules == b.rules,
    );
    let same_target = |a: &crate::graph::Target, b: &crate::graph::Target| {
        let mut required: Vec<String> = data_names(old, &a.requires)
            .into_iter()
            .map(|n| {
                data_renamed
                    .iter()
                    .find(|(o, _)| *o == n)
                    .map_or(n.clone(), |(_, r)| r.to_string())
            })
            .collect();
        required.sort();
        a.title == b.title
            && a.kind == b.kind
            && a.via == b.via
            && required == data_names(new, &b.requires)
    };
    let renamed = renames(&old.targets, &new.targets, |t| &t.name, same_target);
    for t in &old.targets {
        match targets.get(t.name.as_str()) {
            None => match renamed.iter().find(|(a, _)| *a == t.name) {
                Some((a, b)) => out.push(format!("target `{a}` renamed to `{b}`")),
                None => out.push(format!("target `{}` removed", t.name)),
            },
            Some(n) => {
                if n.kind != t.kind {
                    out.push(
                        format!("target `{}`: kind {:?} -> {:?}", t.name, t.kind, n.kind)
                            .to_lowercase(),
                    );
                }
                if data_names(old, &t.requires) != data_names(new, &n.requires) {
                    out.push(format!(
                        "target `{}`: requires [{}] -> [{}]",
                        t.name,
                        data_names(old, &t.requires).join(", "),
                        data_names(new, &n.requires).join(", ")
                    ));
                }
            }
        }
    }
    for t in &new.targets {
        if !old_targets.contains_key(t.name.as_str()) && !renamed.iter().any(|(_, b)| *b == t.name)
        {
            out.push(format!("target `{}` added", t.name));
        }
    }
    let (data, old_data) = (
        by_name(&new.data, |d| &d.name),
        by_name(&old.data, |d| &d.name),
    );
    let renamed = data_renamed;
    for d in &old.data {
        match data.get(d.name.as_str()) {
            None => match renamed.iter().find(|(a, _)| *a == d.name) {
                Some((a, b)) => out.push(format!("data `{a}` renamed to `{b}`")),
                None => out.push(format!("data `{}` removed", d.name)),
            },
            Some(n) if n.class != d.class => out.push(
                format!("data `{}`: class {:?} -> {:?}", d.name, d.class, n.class).to_lowercase(),
            ),
            _ => {}
        }
    }
    for d in &new.data {
        if !old_data.contains_key(d.name.as_str()) && !renamed.iter().any(|(_, b)| *b == d.name) {
            out.push(format!("data `{}` added", d.name));
        }
    }
    let target_names = |g: &Graph, ids: &[TargetId]| {
        let mut v: Vec<&str> = ids.iter().map(|&t| g.target(t).name.as_str()).collect();
        v.sort_unstable();
        v.join(", ")
    };
    let (outcomes, old_outcomes) = (
        by_name(&new.outcomes, |o| &o.name),
        by_name(&old.outcomes, |o| &o.name),
    );
    // Open questions that end the call and those it goes on past alike.
    let notes = |g: &Graph| -> BTreeSet<String> {
        g.outcomes
            .iter()
            .filter(|o| o.kind == OutcomeKind::Gap)
            .map(|o| o.label.clone())
            .chain(g.gaps_gone_past().map(str::to_string))
            .collect()
    };
    let (old_notes, new_notes) = (notes(old), notes(new));
    for n in old_notes.difference(&new_notes) {
        out.push(format!("open question answered: {n:?}"));
    }
    for n in new_notes.difference(&old_notes) {
        out.push(format!("open question added: {n:?}"));
    }
    let renamed = renames(
        &old.outcomes,
        &new.outcomes,
        |o| &o.name,
        |a, b| a.kind != OutcomeKind::Gap && a.label == b.label && a.kind == b.kind,
    );
    for o in old.outcomes.iter().filter(|o| o.kind != OutcomeKind::Gap) {
        match outcomes.get(o.name.as_str()) {
            None => match renamed.iter().find(|(a, _)| *a == o.name) {
                Some((a, b)) => out.push(format!("outcome `{a}` renamed to `{b}`")),
                None => out.push(format!("outcome `{}` removed", o.name)),
            },
            Some(n) => {
                if n.kind != o.kind {
                    out.push(format!(
                        "outcome `{}`: kind {} -> {}",
                        o.name,
                        crate::paths::kind_name(o.kind),
                        crate::paths::kind_name(n.kind)
                    ));
                }
                let (a, b) = (target_names(old, &o.targets), target_names(new, &n.targets));
                if a != b {
                    out.push(format!("outcome `{}`: targets [{a}] -> [{b}]", o.name));
                }
                if n.within_minutes != o.within_minutes {
                    let within = |m: Option<i64>| {
                        m.map_or("no deadline".to_string(), |m| {
                            format!(
                                "within {}",
                                crate::domain::format(crate::domain::Scale::Minutes, m)
                            )
                        })
                    };
                    out.push(format!(
                        "outcome `{}`: {} -> {}",
                        o.name,
                        within(o.within_minutes),
                        within(n.within_minutes)
                    ));
                }
            }
        }
    }
    for o in new.outcomes.iter().filter(|o| o.kind != OutcomeKind::Gap) {
        if !old_outcomes.contains_key(o.name.as_str()) && !renamed.iter().any(|(_, b)| *b == o.name)
        {
            out.push(format!("outcome `{}` added", o.name));
        }
    }
    // A standing rule by name: its handler and scope decide paths.
    let scope = |g: &Graph, r: &crate::graph::StandingRule| {
        let within = match &r.within {
            None => "at every step".to_string(),
            Some(w) => {
                let names: Vec<&str> = w.iter().map(|&s| g.step(s).name.as_str()).collect();
                format!("within {}", names.join(", "))
            }
        };
        format!("to `{}` {within}", g.step(r.handler).name)
    };
    for r in &old.standing {
        match new.standing.iter().find(|n| n.name == r.name) {
            None => out.push(format!("standing rule `{}` removed", r.name)),
            Some(n) => {
                let (a, b) = (scope(old, r), scope(new, n));
                if a != b {
                    out.push(format!("standing rule `{}`: {a} -> {b}", r.name));
                }
            }
        }
    }
    for r in &new.standing {
        if !old.standing.iter().any(|o| o.name == r.name) {
            out.push(format!(
                "standing rule `{}` added {}",
                r.name,
                scope(new, r)
            ));
        }
    }
    if data_names(old, &old.never_disclose) != data_names(new, &new.never_disclose) {
        out.push(format!(
            "never disclose: [{}] -> [{}]",
            data_names(old, &old.never_disclose).join(", "),
            data_names(new, &new.never_disclose).join(", ")
        ));
    }
    let rules = |g: &Graph| {
        let mut v: Vec<String> = g
            .requires
            .iter()
            .map(|r| format!("{} before {}", g.step(r.first).name, g.step(r.then).name))
            .collect();
        v.sort();
        v
    };
    if rules(old) != rules(new) {
        out.push(format!(
            "require: [{}] -> [{}]",
            rules(old).join("; "),
            rules(new).join("; ")
        ));
    }
    out
}

/// Texts that differ, compared by the name of what holds them; what only one
/// version has is a declaration or route change, reported there.
fn texts(old: &Graph, new: &Graph) -> Vec<TextChange> {
    let mut out = Vec::new();
    let mut push = |on, name: &str, field, o: Option<&str>, n: Option<&str>| {
        if o != n {
            out.push(TextChange {
                on,
                name: name.to_string(),
                field,
                old: o.map(str::to_string),
                new: n.map(str::to_string),
            });
        }
    };
    let (ho, hn) = (&old.header, &new.header);
    let header = [
        ("number", Some(&ho.id), Some(&hn.id)),
        ("title", Some(&ho.title), Some(&hn.title)),
        ("owner", ho.owner.as_ref(), hn.owner.as_ref()),
        ("approval", ho.approval.as_ref(), hn.approval.as_ref()),
        ("revision", ho.revision.as_ref(), hn.revision.as_ref()),
        ("purpose", ho.purpose.as_ref(), hn.purpose.as_ref()),
        ("source", ho.source.as_ref(), hn.source.as_ref()),
        (
            "implemented",
            ho.implemented.as_ref(),
            hn.implemented.as_ref(),
        ),
        ("reviewed", ho.reviewed.as_ref(), hn.reviewed.as_ref()),
    ];
    for (field, o, n) in header {
        push(
            "sop",
            &hn.id,
            field,
            o.map(String::as_str),
            n.map(String::as_str),
        );
    }
    // Roles are wording only: one added or removed is a text change too.
    // Looked up by name through maps: a policy may have a million steps.
    let roles = by_name(&new.roles, |r| &r.name);
    let old_roles = by_name(&old.roles, |r| &r.name);
    for r in &old.roles {
        let n = roles.get(r.name.as_str());
        push(
            "role",
            &r.name,
            "label",
            Some(&r.title),
            n.map(|n| n.title.as_str()),
        );
    }
    for r in new
        .roles
        .iter()
        .filter(|r| !old_roles.contains_key(r.name.as_str()))
    {
        push("role", &r.name, "label", None, Some(&r.title));
    }
    let targets = by_name(&new.targets, |t| &t.name);
    for t in &old.targets {
        if let Some(n) = targets.get(t.name.as_str()) {
            push("target", &t.name, "label", Some(&t.title), Some(&n.title));
            push("target", &t.name, "via", t.via.as_deref(), n.via.as_deref());
        }
    }
    let data = by_name(&new.data, |d| &d.name);
    for d in &old.data {
        if let Some(n) = data.get(d.name.as_str()) {
            push("data", &d.name, "label", Some(&d.label), Some(&n.label));
        }
    }
    let outcomes = by_name(&new.outcomes, |o| &o.name);
    for o in old.outcomes.iter().filter(|o| o.kind != OutcomeKind::Gap) {
        if let Some(n) = outcomes.get(o.name.as_str()) {
            push("outcome", &o.name, "label", Some(&o.label), Some(&n.label));
        }
    }
    for r in &old.standing {
        if let Some(n) = new.standing.iter().find(|n| n.name == r.name) {
            push(
                "standing rule",
                &r.name,
                "label",
                Some(&r.label),
                Some(&n.label),
            );
        }
    }
    let facts = by_name(&new.facts, |f| &f.name);
    for f in &old.facts {
        if let Some(n) = facts.get(f.name.as_str()) {
            let prompt = &n.prompt;
            push(
                "question",
                &f.name,
                "prompt",
                written(&f.prompt),
                written(prompt),
            );
        }
    }
    // A procedure's step is copied at each call: its texts are the
    // procedure's, reported once, on the procedure.
    let mut procedure_of: HashMap<usize, &str> = HashMap::new();
    for p in &old.procedures {
        for call in &p.calls {
            procedure_of.extend(call.steps.iter().map(|s| (s.index(), p.name.as_str())));
        }
    }
    let steps = by_name(&new.steps, |s| &s.name);
    for (k, s) in old.steps.iter().enumerate() {
        let Some(n) = steps.get(s.name.as_str()) else {
            continue;
        };
        let (on, name) = match procedure_of.get(&k) {
            Some(p) => ("procedure", *p),
            None => ("step", s.name.as_str()),
        };
        push(on, name, "title", written(&s.text), written(&n.text));
        let (a, b) = (said(s), said(n));
        for (i, j) in reworded(&a, &b) {
            let field = match (i, j) {
                (Some(i), _) => a[i].0,
                (None, Some(j)) => b[j].0,
                (None, None) => continue,
            };
            push(on, name, field, i.map(|i| a[i].1), j.map(|j| b[j].1));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|c| c.on != "procedure" || seen.insert(c.clone()));
    out
}

/// Items by their name (the first of a name, as resolve keeps it).
fn by_name<'a, T>(items: &'a [T], name: impl Fn(&'a T) -> &'a str) -> HashMap<&'a str, &'a T> {
    let mut m = HashMap::with_capacity(items.len());
    for x in items {
        m.entry(name(x)).or_insert(x);
    }
    m
}

/// An optional text: empty when the author wrote none.
fn written(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// A step's `do`, `say`, `warn` and `note` texts, in order.
fn said(s: &crate::graph::Step) -> Vec<(&'static str, &str)> {
    s.actions
        .iter()
        .filter_map(|a| match a {
            Action::Do { text, .. } => Some(("do", text.as_str())),
            Action::Say { text, .. } => Some(("say", text.as_str())),
            Action::Warn { text, .. } => Some(("warn", text.as_str())),
            Action::Note { text, .. } => Some(("note", text.as_str())),
            _ => None,
        })
        .collect()
}

/// The largest middle aligned exactly (a longest common subsequence);
/// beyond it, texts are paired by position.
const MAX_ALIGNED: usize = 1 << 16;

/// Pairs the texts of two versions of one step: `(Some(i), Some(j))` a text
/// reworded in place (same kind), `(Some(i), None)` removed, `(None,
/// Some(j))` added. Unchanged texts are left out.
fn reworded(a: &[(&str, &str)], b: &[(&str, &str)]) -> Vec<(Option<usize>, Option<usize>)> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ra, rb) = (prefix..a.len() - suffix, prefix..b.len() - suffix);
    // Runs of removed and added texts between the texts kept.
    let mut runs: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    if ra.len().saturating_mul(rb.len()) <= MAX_ALIGNED {
        let (n, m) = (ra.len(), rb.len());
        // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if a[ra.start + i] == b[rb.start + j] {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        let mut run = (Vec::new(), Vec::new());
        while i < n || j < m {
            if i < n && j < m && a[ra.start + i] == b[rb.start + j] {
                runs.push(std::mem::take(&mut run));
                i += 1;
                j += 1;
            } else if j == m || (i < n && lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
                run.0.push(ra.start + i);
                i += 1;
            } else {
                run.1.push(rb.start + j);
                j += 1;
            }
        }
        runs.push(run);
    } else {
        runs.push((ra.collect(), rb.collect()));
    }
    let mut out = Vec::new();
    for (removed, added) in runs {
        for k in 0..removed.len().max(added.len()) {
            match (removed.get(k), added.get(k)) {
                (Some(&i), Some(&j)) if a[i].0 == b[j].0 => {
                    if a[i] != b[j] {
                        out.push((Some(i), Some(j)));
                    }
                }
                (i, j) => {
                    out.extend(i.map(|&i| (Some(i), None)));
                    out.extend(j.map(|&j| (None, Some(j))));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::reworded;

    fn texts(s: &str) -> Vec<(&'static str, &str)> {
        s.split(',')
            .filter(|t| !t.is_empty())
            .map(|t| (if t.starts_with('s') { "say" } else { "do" }, t))
            .collect()
    }

    #[test]
    fn texts_are_paired_around_the_ones_kept() {
        let pairs = |a: &str, b: &str| reworded(&texts(a), &texts(b));
        assert_eq!(pairs("d1,s1,d2", "d1,s1,d2"), vec![]);
        // One inserted between kept texts: nothing else is reported.
        assert_eq!(pairs("d1,d2,d3", "d1,dX,d2,d3"), vec![(None, Some(1))]);
        // Reworded in place, two apart.
        assert_eq!(
            pairs("d1,s1,d2,s2", "dA,s1,d2,sB"),
            vec![(Some(0), Some(0)), (Some(3), Some(3))]
        );
        // A `say` is not a reworded `do`.
        assert_eq!(
            pairs("d1,dA", "d1,sA"),
            vec![(Some(1), None), (None, Some(1))]
        );
        assert_eq!(pairs("d1", ""), vec![(Some(0), None)]);
    }

    #[test]
    fn long_steps_are_compared_by_position() {
        let a: Vec<String> = (0..1000).map(|i| format!("d{i}")).collect();
        let mut b = a.clone();
        b[500] = "dX".into();
        b[1] = "dY".into();
        let (a, b): (Vec<_>, Vec<_>) = (
            a.iter().map(|t| ("do", t.as_str())).collect(),
            b.iter().map(|t| ("do", t.as_str())).collect(),
        );
        assert_eq!(
            reworded(&a, &b),
            vec![(Some(1), Some(1)), (Some(500), Some(500))]
        );
    }
}
