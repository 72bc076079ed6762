//! The state space of feasible caller situations.
//!
//! A state is a step together with what still matters for the rest of the
//! call: the answers of the facts that a later `match` reads (only the live
//! ones), how often each bounded retry in the step's loop has been taken,
//! and how often the call came back to each step whose loop as a whole is
//! bounded (`loop STEP at most N times`), one counter per such bound.
//! Each caller path of the policy is exactly one path through this space
//! from the start state to a terminal, so every path question can be decided
//! on it without enumerating paths. When no fact is matched and no retry is
//! bounded, there is exactly one state per reachable step.
//!
//! The space is a DAG whenever the policy has no unbounded loop: a bounded
//! edge raises its counter, as does a return to a step with a loop bound,
//! and a counter is kept as long as the call stays inside that edge's (or
//! that step's) loop. A cycle of states would raise no counter, so every
//! bound on it would send the call on to its `then`: a cycle of the graph
//! with those ways on, which `unbounded-loop` reports.

use super::liveness::live_facts;
use super::scc;
use crate::graph::{Dest, Edge, Exit, FactId, FactSource, Graph, StandingId, StepId, Terminal};
use foldhash::{HashMap, HashMapExt};
use std::sync::atomic::{AtomicBool, Ordering};

/// The memory the state space of a small policy may take before sopc
/// gives up with `too-large` (its vectors and tables, counted by
/// capacity). A budget in bytes rather than states: a state that keeps
/// twenty answers costs ten times one that keeps none, and a million-step
/// policy has a million of the cheap kind. The checks' own tables come on
/// top, so that a whole run on a small policy stays within about half a
/// gigabyte.
pub const MAX_SPACE_BYTES: usize = 256 << 20;

/// What each step adds to the budget: a large policy needs a large space
/// (a generated million-step policy about 170 bytes a step), and was read
/// in memory already.
pub const SPACE_BYTES_PER_STEP: usize = 256;

/// The budget of the state space of `g`.
pub fn budget(g: &Graph) -> usize {
    MAX_SPACE_BYTES + SPACE_BYTES_PER_STEP * g.steps.len()
}

/// The largest `at most N times` sopc analyses (the check `too-large`
/// refuses more). The state space counts each retry exactly, so a bound
/// multiplies its size; no procedure asks a caller the same thing ten
/// thousand times.
pub const MAX_BOUND: u32 = 10_000;

pub type StateId = u32;

/// Where a transition leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    State(StateId),
    End(Terminal),
}

/// One way out of a state: an answer taken, a standing rule raised
/// instead of answering, or neither (a `goto`), and where it leads. Two
/// words: a large policy's space holds millions of transitions (read
/// where it leads with [`StateSpace::next`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// `NO_LABEL`, an answer index, or `EVENT | rule`.
    label: u32,
    /// A state id, or `END | i` for the space's terminal `i`.
    next: u32,
}

const NO_LABEL: u32 = u32::MAX;
const EVENT: u32 = 1 << 31;
/// The top bit of [`Transition::next`]: the call ends. State ids stay
/// below it (the builder refuses more states as `too-large`).
const END: u32 = 1 << 31;

impl Transition {
    /// `next` is a state id, or `END | i` for terminal `i`.
    fn new(answer: Option<u32>, event: Option<StandingId>, next: u32) -> Self {
        // A transition answers or raises a rule, never both; an index with
        // the top bit set would read as the other kind.
        debug_assert!(answer.is_none() || event.is_none());
        debug_assert!(answer.is_none_or(|a| a & EVENT == 0));
        debug_assert!(event.is_none_or(|r| (r.index() as u32) < EVENT - 1));
        let label = match (answer, event) {
            (Some(a), _) => a,
            (None, Some(r)) => EVENT | r.index() as u32,
            (None, None) => NO_LABEL,
        };
        Transition { label, next }
    }

    /// The answer index for `ask` and `match`; `None` for `goto` and for a
    /// standing rule raised.
    pub fn answer(&self) -> Option<u32> {
        (self.label & EVENT == 0).then_some(self.label)
    }

    /// The standing rule raised instead of answering, if any.
    pub fn event(&self) -> Option<StandingId> {
        (self.label != NO_LABEL && self.label & EVENT != 0)
            .then(|| StandingId::new((self.label & !EVENT) as usize))
    }

    /// The state it leads to; `None` where the call ends.
    pub fn to(&self) -> Option<StateId> {
        (self.next & END == 0).then_some(self.next)
    }
}

/// A variable of the analysis state: a fact's latest answer, or a counter.
type Var = u32;
/// Values are whole answer indices and counts: a pair of `u32` is no
/// larger than one with a `u16` value, and a source of at most
/// [`MAX_SOURCE_BYTES`](crate::syntax::MAX_SOURCE_BYTES) cannot write 2^32
/// answers.
type Env = Vec<(Var, u32)>;

/// The environments of the states, each stored once, back to back, and
/// found again by a hash of its contents.
struct Envs {
    data: Vec<(Var, u32)>,
    /// Environment `e` is `data[start[e]..start[e + 1]]`; 0 is the empty one.
    start: Vec<u32>,
    /// The environments by their contents: bare ids, hashed from `data`
    /// (4 bytes and a control byte a slot).
    table: hashbrown::HashTable<u32>,
    seed: u64,
}

impl Envs {
    fn new() -> Self {
        use std::hash::BuildHasher;
        Envs {
            data: Vec::new(),
            start: vec![0, 0],
            table: hashbrown::HashTable::new(),
            // A seed per run: no policy can be written to make every
            // environment collide.
            seed: foldhash::fast::RandomState::default().hash_one(0u64),
        }
    }

    fn get(&self, e: u32) -> &[(Var, u32)] {
        slice(&self.data, &self.start, e)
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// The id of `env`, added if new.
    fn intern(&mut self, env: &[(Var, u32)]) -> Result<u32, SpaceError> {
        if env.is_empty() {
            return Ok(0);
        }
        let seed = self.seed;
        let h = hash(seed, env);
        let Envs {
            data, start, table, ..
        } = self;
        if let Some(&e) = table.find(h, |&e| slice(data, start, e) == env) {
            return Ok(e);
        }
        let id =
            u32::try_from(start.len() - 1).map_err(|_| SpaceError::TooLarge(Blowup::default()))?;
        data.extend_from_slice(env);
        let end = u32::try_from(data.len()).map_err(|_| SpaceError::TooLarge(Blowup::default()))?;
        start.push(end);
        table.insert_unique(h, id, |&e| hash(seed, slice(data, start, e)));
        Ok(id)
    }

    fn bytes(&self) -> usize {
        use std::mem::size_of;
        self.data.capacity() * size_of::<(Var, u32)>()
            + self.start.capacity() * size_of::<u32>()
            + table_bytes(self.table.capacity(), size_of::<u32>())
    }
}

/// Environment `e` of `data` and `start` (see [`Envs`]).
fn slice<'a>(data: &'a [(Var, u32)], start: &[u32], e: u32) -> &'a [(Var, u32)] {
    &data[start[e as usize] as usize..start[e as usize + 1] as usize]
}

fn hash(seed: u64, env: &[(Var, u32)]) -> u64 {
    let mut h = seed;
    for &(v, a) in env {
        h = (h.rotate_left(26) ^ (u64::from(v) << 32 | u64::from(a)))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h ^ (h >> 29)
}

/// Makes room for one more item in `list`, by half as many again when it is
/// full rather than by doubling: the state space's lists are its largest
/// part and counted against the budget by capacity, and a doubling just
/// past the middle of a large space was what sent it over.
fn grow_by_half<T>(list: &mut Vec<T>) {
    if list.len() == list.capacity() {
        list.reserve_exact(list.capacity() / 2 + 1);
    }
}

/// About what a hash table of `capacity` entries of `entry` bytes takes:
/// its entries and a control byte each, at the table's load factor of 7/8.
fn table_bytes(capacity: usize, entry: usize) -> usize {
    capacity * 8 / 7 * (entry + 1)
}

pub struct StateSpace {
    pub step: Vec<StepId>,
    env: Vec<u32>,
    envs: Envs,
    /// Transitions of state `s`: `trans[first[s]..first[s + 1]]`.
    first: Vec<u32>,
    pub trans: Vec<Transition>,
    /// The terminals the transitions end in, each once.
    terminals: Vec<Terminal>,
    /// The transition (an index into `trans`) that first discovered each
    /// state, `NONE` for the start: the shortest path tree. Its state is
    /// found from `first` (see [`StateSpace::parent`]): a word a state
    /// rather than three.
    parent: Vec<u32>,
    /// States in topological order, the start state first.
    pub topo: Vec<StateId>,
    /// States whose step matches on a fact no answer is known for.
    pub unknown_fact_at: Vec<StateId>,
    /// States whose `match` has no branch for an answer they can have,
    /// with that answer.
    pub unmatched_at: Vec<(StateId, u32)>,
    /// The transitions (indices into `trans`, ascending) that a spent loop
    /// bound sent to its `then`: an ending there is the `loop` line's.
    pub spent: Vec<u32>,
    n_facts: u32,
}

/// Why the space could not be built.
#[derive(Debug, PartialEq, Eq)]
pub enum SpaceError {
    TooLarge(Blowup),
    /// A cycle: only possible when the policy has an unbounded loop.
    Cyclic,
    /// Asked to stop (see [`StateSpace::build_unless`]).
    GivenUp,
}

/// What filled the space when it went over its budget.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Blowup {
    /// States built so far.
    pub states: usize,
    /// The facts whose answers the most states keep, most first: those
    /// kept by at least half as many states as the first. Every
    /// combination of their answers is a state of its own.
    pub facts: Vec<FactId>,
    /// As `facts`, for the retry counters: the steps of their bounded
    /// branches.
    pub retries: Vec<StepId>,
}

impl StateSpace {
    /// The memory the space takes (vectors and tables, by capacity).
    pub fn bytes(&self) -> usize {
        use std::mem::size_of;
        (self.step.capacity()
            + self.env.capacity()
            + self.first.capacity()
            + self.topo.capacity()
            + self.unknown_fact_at.capacity()
            + self.spent.capacity())
            * size_of::<u32>()
            + self.trans.capacity() * size_of::<Transition>()
            + self.parent.capacity() * size_of::<u32>()
            + self.envs.bytes()
    }

    pub fn len(&self) -> usize {
        self.step.len()
    }

    pub fn is_empty(&self) -> bool {
        self.step.is_empty()
    }

    /// Where transition `t` leads.
    pub fn next(&self, t: &Transition) -> Next {
        match t.to() {
            Some(s) => Next::State(s),
            None => Next::End(self.terminals[(t.next & !END) as usize]),
        }
    }

    pub fn transitions(&self, s: StateId) -> &[Transition] {
        &self.trans[self.first[s as usize] as usize..self.first[s as usize + 1] as usize]
    }

    /// The indices into `trans` of the transitions of state `s`.
    pub fn transition_ids(&self, s: StateId) -> std::ops::Range<u32> {
        self.first[s as usize]..self.first[s as usize + 1]
    }

    /// The fact whose value the transitions of state `s` choose: the fact
    /// its step asks, or a declared fact its `match` reads for the first
    /// time on this path (not yet known in the state).
    pub fn obtains(&self, g: &Graph, s: StateId) -> Option<FactId> {
        match g.step(self.step[s as usize]).exit {
            Exit::Ask { fact, .. } => Some(fact),
            Exit::Match { fact, .. } if g.fact(fact).asked_by().is_none() => {
                let env = self.envs.get(self.env[s as usize]);
                (!env.iter().any(|(v, _)| *v == fact.0)).then_some(fact)
            }
            _ => None,
        }
    }

    /// The answer of `fact` known in state `s`, if the analysis keeps it
    /// there (it keeps every fact a later step reads).
    pub fn value_of(&self, s: StateId, fact: FactId) -> Option<u32> {
        let env = self.envs.get(self.env[s as usize]);
        env.iter().find(|(v, _)| *v == fact.0).map(|(_, a)| *a)
    }

    /// Whether transition `t` (an index into `trans`) is a spent loop
    /// bound's way on.
    pub fn is_spent(&self, t: u32) -> bool {
        self.spent.binary_search(&t).is_ok()
    }

    /// The transition that discovered `s`, with the state it leaves; `None`
    /// for the start state.
    pub fn parent(&self, s: StateId) -> Option<(StateId, u32)> {
        let t = self.parent[s as usize];
        // The state whose transitions hold `t`: the last `p` with
        // `first[p] <= t` (a state with no transitions shares its `first`
        // with the next).
        (t != NONE).then(|| (self.first.partition_point(|&f| f <= t) as StateId - 1, t))
    }

    /// The transitions from the start state to `s` along the discovery tree.
    pub fn path_to(&self, s: StateId) -> Vec<(StateId, u32)> {
        let mut path = Vec::new();
        let mut cur = s;
        while let Some((p, t)) = self.parent(cur) {
            path.push((p, t));
            cur = p;
        }
        path.reverse();
        path
    }

    /// Builds the space by breadth-first search from the start step.
    pub fn build(g: &Graph) -> Result<StateSpace, SpaceError> {
        Self::build_unless(g, &AtomicBool::new(false))
    }

    /// As [`build`](Self::build), but stops with [`SpaceError::GivenUp`]
    /// soon after `give_up` is set: the checks build the space on another
    /// thread while they find out whether the graph is sound.
    pub fn build_unless(g: &Graph, give_up: &AtomicBool) -> Result<StateSpace, SpaceError> {
        // Each retry is a state: a bound past the limit is refused here, for
        // every caller, rather than explored for minutes.
        let over = |e: &crate::graph::Edge| e.bound.is_some_and(|b| b.times > MAX_BOUND);
        let loop_over =
            |s: &crate::graph::Step| s.loop_bound().is_some_and(|l| l.times > MAX_BOUND);
        if g.steps
            .iter()
            .any(|s| loop_over(s) || s.exit.edges().any(|(_, e)| over(e)))
        {
            return Err(SpaceError::TooLarge(Blowup::default()));
        }
        Builder::new(g).run(give_up)
    }
}

struct Builder<'g> {
    g: &'g Graph,
    live: super::lists::Lists<FactId>,
    comp: Vec<u32>,
    /// Counter variable of each bounded edge inside a loop, by (step, edge).
    counter_of: HashMap<(StepId, u32), Var>,
    /// Counter variable of each step with a loop bound, by step: the
    /// returns to it from inside its loop.
    loop_of: HashMap<StepId, Var>,
    /// The component of each counter's edge (or loop bound's step), and its
    /// step.
    counter_comp: Vec<u32>,
    counter_step: Vec<StepId>,
    /// The variable of standing rule `r` (raised or not) is `rule_base + r`.
    rule_base: Var,
    /// `rule_live[r][step]`: whether a step where rule `r` may be raised
    /// can still be reached from `step`; elsewhere its variable is dropped.
    rule_live: Vec<Vec<bool>>,
    plain: Vec<StateId>,
    /// The states with a non-empty environment, found by their step and
    /// environment. The table holds state ids alone and hashes them from
    /// the space's own lists: 5 bytes a slot, where a map from the pair to
    /// the id took 13.
    keyed: hashbrown::HashTable<StateId>,
    key_hasher: foldhash::fast::RandomState,
    space: StateSpace,
    /// The index of each terminal in `space.terminals`.
    terminal_ids: HashMap<Terminal, u32>,
    /// Scratch: the environment of the state being expanded, and of the
    /// state a transition leads to.
    env: Env,
    next_env: Env,
}

const NONE: StateId = StateId::MAX;

impl<'g> Builder<'g> {
    fn new(g: &'g Graph) -> Self {
        let comps = scc::of_graph(g);
        let mut counter_of = HashMap::new();
        let mut counter_comp = Vec::new();
        let mut counter_step = Vec::new();
        let n_facts = g.facts.len() as u32;
        for (s, step) in g.steps.iter().enumerate() {
            for (i, (_, e)) in step.exit.edges().enumerate() {
                if e.bound.is_none() {
                    continue;
                }
                if let Dest::Step(t) = e.to {
                    let c = comps.comp[s];
                    if comps.comp[t.index()] == c && comps.cyclic[c as usize] {
                        counter_of.insert(
                            (StepId::new(s), i as u32),
                            n_facts + counter_comp.len() as Var,
                        );
                        counter_comp.push(c);
                        counter_step.push(StepId::new(s));
                    }
                }
            }
        }
        let mut loop_of = HashMap::new();
        for (s, step) in g.steps.iter().enumerate() {
            let c = comps.comp[s];
            if step.loop_bound.is_some() && comps.cyclic[c as usize] {
                loop_of.insert(StepId::new(s), n_facts + counter_comp.len() as Var);
                counter_comp.push(c);
                counter_step.push(StepId::new(s));
            }
        }
        let rule_base = n_facts + counter_comp.len() as Var;
        let live = live_facts(g);
        Builder {
            g,
            live,
            comp: comps.comp,
            rule_base,
            rule_live: rule_liveness(g),
            counter_of,
            loop_of,
            counter_comp,
            counter_step,
            plain: vec![NONE; g.steps.len()],
            keyed: hashbrown::HashTable::new(),
            key_hasher: foldhash::fast::RandomState::default(),
            // Room for one state per step: the size of the space when no
            // fact is matched and no retry is bounded.
            space: StateSpace {
                step: Vec::with_capacity(g.steps.len()),
                env: Vec::with_capacity(g.steps.len()),
                envs: Envs::new(),
                first: {
                    let mut first = Vec::with_capacity(g.steps.len() + 1);
                    first.push(0);
                    first
                },
                trans: Vec::with_capacity(g.steps.len()),
                terminals: Vec::new(),
                parent: Vec::with_capacity(g.steps.len()),
                topo: vec![],
                unknown_fact_at: vec![],
                unmatched_at: vec![],
                spent: vec![],
                n_facts,
            },
            terminal_ids: HashMap::new(),
            env: Env::new(),
            next_env: Env::new(),
        }
    }

    fn run(mut self, give_up: &AtomicBool) -> Result<StateSpace, SpaceError> {
        let budget = budget(self.g);
        let start = self.intern(self.g.start, &mut Vec::new(), None)?;
        debug_assert_eq!(start, 0);
        // States are expanded in id order, so `first` stays contiguous.
        let mut s: StateId = 0;
        while (s as usize) < self.space.step.len() {
            if s.is_multiple_of(4096) && give_up.load(Ordering::Relaxed) {
                return Err(SpaceError::GivenUp);
            }
            // Each expansion adds at most its step's branches: checked
            // after each, the space overshoots the budget by at most the
            // size of the graph (and a vector's doubling).
            if self.bytes() > budget {
                return Err(SpaceError::TooLarge(self.blowup()));
            }
            self.expand(s)?;
            s += 1;
        }
        // The tables that found states and environments again are of no
        // more use: freed before the order's own lists are made.
        self.keyed = hashbrown::HashTable::new();
        self.plain = Vec::new();
        self.space.envs.table = hashbrown::HashTable::new();
        self.space.topo = topological(&self.space)?;
        Ok(self.space)
    }

    /// The state for `(step, env)`, restricted to what is live at `step`
    /// (in place: `env` is scratch, copied only for an environment not seen
    /// before).
    fn intern(
        &mut self,
        step: StepId,
        env: &mut Env,
        parent: Option<(StateId, u32)>,
    ) -> Result<StateId, SpaceError> {
        let live = self.live.get(step.index());
        let n_facts = self.space.n_facts;
        let comp = self.comp[step.index()];
        // Both lists are sorted: one walk along `live` as `env` is read.
        let mut l = 0;
        env.retain(|(v, _)| {
            if *v < n_facts {
                while l < live.len() && live[l].0 < *v {
                    l += 1;
                }
                l < live.len() && live[l].0 == *v
            } else if *v < self.rule_base {
                self.counter_comp[(*v - n_facts) as usize] == comp
            } else {
                self.rule_live[(*v - self.rule_base) as usize][step.index()]
            }
        });
        let env_id = self.space.envs.intern(env)?;
        let hash = |step: StepId, env: u32| {
            use std::hash::BuildHasher;
            self.key_hasher.hash_one((step.0, env))
        };
        let key = hash(step, env_id);
        let space = &self.space;
        let existing = if env_id == 0 {
            self.plain[step.index()]
        } else {
            self.keyed
                .find(key, |&s| {
                    space.step[s as usize] == step && space.env[s as usize] == env_id
                })
                .copied()
                .unwrap_or(NONE)
        };
        if existing != NONE {
            return Ok(existing);
        }
        let id = self.space.step.len() as StateId;
        if self.space.step.len() >= END as usize {
            return Err(SpaceError::TooLarge(self.blowup()));
        }
        let space = &mut self.space;
        grow_by_half(&mut space.step);
        grow_by_half(&mut space.env);
        grow_by_half(&mut space.parent);
        space.step.push(step);
        space.env.push(env_id);
        space.parent.push(parent.map_or(NONE, |(_, t)| t));
        if env_id == 0 {
            self.plain[step.index()] = id;
        } else {
            let space = &self.space;
            self.keyed.insert_unique(key, id, |&s| {
                hash(space.step[s as usize], space.env[s as usize])
            });
        }
        Ok(id)
    }

    fn expand(&mut self, s: StateId) -> Result<(), SpaceError> {
        let g = self.g;
        let step_id = self.space.step[s as usize];
        let step = g.step(step_id);
        // Scratch lists, taken from the builder for the call: no allocation
        // per state or transition.
        let mut env = std::mem::take(&mut self.env);
        env.clear();
        env.extend_from_slice(self.space.envs.get(self.space.env[s as usize]));
        let mut next_env = std::mem::take(&mut self.next_env);
        let (fact, mut asks) = match step.exit {
            Exit::Ask { fact, .. } => (Some(fact), true),
            Exit::Match { fact, .. } => (Some(fact), false),
            _ => (None, false),
        };
        let known = match (fact, asks) {
            (Some(f), false) => {
                let k = env.iter().find(|(v, _)| *v == f.0).map(|(_, a)| *a);
                // A declared fact is read where a `match` first needs it
                // (asked, looked up, or given by the host): every value is
                // possible there, and kept from then on. A question's
                // answer is known only after its `ask`.
                if k.is_none() && g.fact(f).asked_by().is_none() {
                    asks = true;
                } else if k.is_none() {
                    self.space.unknown_fact_at.push(s);
                }
                k
            }
            _ => None,
        };
        if let Exit::End { terminal, .. } = step.exit {
            let end = self.end(terminal);
            self.push_transition(Transition::new(None, None, end));
        }
        // While the call waits here, each standing rule in scope not raised
        // yet may be raised instead of an answer.
        let waits = asks && fact.is_some_and(|f| g.fact(f).source != FactSource::Host);
        // A `match` on a known answer follows that answer's branch alone,
        // found by index: a scan of all branches in each of its states
        // would be quadratic in the answers.
        let (branches, goto): (&[Edge], Option<&Edge>) = match &step.exit {
            Exit::Ask { branches, .. } | Exit::Match { branches, .. } => (branches, None),
            Exit::Goto { edge } => (&[], Some(edge)),
            _ => (&[], None),
        };
        let follow = match known {
            Some(k) => (k as usize).min(branches.len())..(k as usize + 1).min(branches.len()),
            None => 0..branches.len() + usize::from(goto.is_some()),
        };
        for i in follow {
            let (answer, edge) = match (branches.get(i), goto) {
                (Some(e), _) => (Some(i as u32), e),
                (None, Some(e)) => (None, e),
                (None, None) => break,
            };
            next_env.clear();
            next_env.extend_from_slice(&env);
            if let (true, Some(f), Some(a)) = (asks, fact, answer) {
                set(&mut next_env, f.0, a);
            }
            let dest = match edge.bound {
                None => edge.to,
                Some(bound) => match self.counter_of.get(&(step_id, i as u32)) {
                    Some(&c) => {
                        let taken = next_env
                            .iter()
                            .find(|(v, _)| *v == c)
                            .map_or(0, |(_, n)| *n);
                        if taken < bound.times {
                            set(&mut next_env, c, taken + 1);
                            edge.to
                        } else {
                            bound.then
                        }
                    }
                    // Not inside a loop: taken at most once per call.
                    None if bound.times >= 1 => edge.to,
                    None => bound.then,
                },
            };
            // A return to a step whose loop is bounded as a whole counts
            // against that bound, after the branch's own (docs/language.md).
            let mut spent = false;
            let dest = match dest {
                Dest::Step(to) if self.comp[to.index()] == self.comp[step_id.index()] => {
                    match (self.loop_of.get(&to), g.step(to).loop_bound()) {
                        (Some(&c), Some(l)) => {
                            let back = next_env
                                .iter()
                                .find(|(v, _)| *v == c)
                                .map_or(0, |(_, n)| *n);
                            if back < l.times {
                                set(&mut next_env, c, back + 1);
                                dest
                            } else {
                                spent = true;
                                l.then
                            }
                        }
                        _ => dest,
                    }
                }
                _ => dest,
            };
            let t = self.space.trans.len() as u32;
            if spent {
                self.space.spent.push(t);
            }
            let next = match dest {
                Dest::End(term) => self.end(term),
                Dest::Step(to) => self.intern(to, &mut next_env, Some((s, t)))?,
                // A `match` with no branch for this answer: a caller path
                // that brings it here is a `non-exhaustive` error.
                Dest::Unmatched => {
                    self.space.unmatched_at.push((s, i as u32));
                    continue;
                }
            };
            self.push_transition(Transition::new(answer, None, next));
        }
        if waits {
            for (r, rule) in g.standing.iter().enumerate() {
                let var = self.rule_base + r as Var;
                if !rule.covers(step_id) || env.iter().any(|(v, _)| *v == var) {
                    continue;
                }
                next_env.clear();
                next_env.extend_from_slice(&env);
                set(&mut next_env, var, 1);
                let t = self.space.trans.len() as u32;
                let next = self.intern(rule.handler, &mut next_env, Some((s, t)))?;
                self.push_transition(Transition::new(None, Some(StandingId::new(r)), next));
            }
        }
        grow_by_half(&mut self.space.first);
        self.space.first.push(self.space.trans.len() as u32);
        (self.env, self.next_env) = (env, next_env);
        Ok(())
    }

    /// The `next` of a transition that ends in `terminal`.
    fn end(&mut self, terminal: Terminal) -> u32 {
        let terminals = &mut self.space.terminals;
        let i = *self.terminal_ids.entry(terminal).or_insert_with(|| {
            terminals.push(terminal);
            terminals.len() as u32 - 1
        });
        END | i
    }

    fn push_transition(&mut self, t: Transition) {
        grow_by_half(&mut self.space.trans);
        self.space.trans.push(t);
    }
}

impl Builder<'_> {
    fn bytes(&self) -> usize {
        self.space.bytes()
            + self.plain.capacity() * std::mem::size_of::<StateId>()
            + table_bytes(self.keyed.capacity(), std::mem::size_of::<StateId>())
    }

    /// Which variables fill the space: how many states keep each.
    fn blowup(&self) -> Blowup {
        let envs = &self.space.envs;
        let mut users = vec![0usize; envs.len()];
        for &e in &self.space.env {
            users[e as usize] += 1;
        }
        let n_facts = self.space.n_facts as usize;
        let mut kept = vec![0usize; n_facts + self.counter_step.len()];
        for (e, &n) in users.iter().enumerate() {
            // A standing rule doubles the states at most once.
            for &(v, _) in envs
                .get(e as u32)
                .iter()
                .filter(|(v, _)| *v < self.rule_base)
            {
                kept[v as usize] += n;
            }
        }
        let most = kept.iter().copied().max().unwrap_or(0);
        let mut held: Vec<usize> = (0..kept.len())
            .filter(|&v| kept[v] > 0 && kept[v] * 2 >= most)
            .collect();
        held.sort_by_key(|&v| (std::cmp::Reverse(kept[v]), v));
        let (facts, counters): (Vec<usize>, Vec<usize>) =
            held.into_iter().partition(|&v| v < n_facts);
        let mut retries: Vec<StepId> = counters
            .into_iter()
            .map(|v| self.counter_step[v - n_facts])
            .collect();
        let mut seen = std::collections::HashSet::new();
        retries.retain(|&s| seen.insert(s));
        Blowup {
            states: self.space.len(),
            facts: facts.into_iter().map(FactId::new).collect(),
            retries,
        }
    }
}

/// For each standing rule, the steps from which a step where it may be
/// raised can be reached (by any edge or handler): only there does it
/// matter whether it was raised.
fn rule_liveness(g: &Graph) -> Vec<Vec<bool>> {
    if g.standing.is_empty() {
        return Vec::new();
    }
    let n = g.steps.len();
    let mut preds: Vec<Vec<StepId>> = vec![Vec::new(); n];
    for s in g.step_ids() {
        for t in super::successors(g, s).chain(super::raised_to(g, s)) {
            preds[t.index()].push(s);
        }
    }
    g.standing
        .iter()
        .map(|rule| {
            let mut live = vec![false; n];
            let mut work: Vec<StepId> = g
                .step_ids()
                .filter(|&s| rule.covers(s) && super::waits(g, s))
                .collect();
            for &s in &work {
                live[s.index()] = true;
            }
            while let Some(s) = work.pop() {
                for &p in &preds[s.index()] {
                    if !live[p.index()] {
                        live[p.index()] = true;
                        work.push(p);
                    }
                }
            }
            live
        })
        .collect()
}

fn set(env: &mut Env, var: Var, value: u32) {
    match env.binary_search_by_key(&var, |(v, _)| *v) {
        Ok(i) => env[i].1 = value,
        Err(i) => env.insert(i, (var, value)),
    }
}

/// Kahn's algorithm; fails on a cycle.
fn topological(space: &StateSpace) -> Result<Vec<StateId>, SpaceError> {
    let n = space.len();
    let mut indegree = vec![0u32; n];
    for t in &space.trans {
        if let Some(to) = t.to() {
            indegree[to as usize] += 1;
        }
    }
    let mut order = Vec::with_capacity(n);
    order.extend((0..n as StateId).filter(|&s| indegree[s as usize] == 0));
    let mut i = 0;
    while i < order.len() {
        let s = order[i];
        i += 1;
        for t in space.transitions(s) {
            if let Some(to) = t.to() {
                indegree[to as usize] -= 1;
                if indegree[to as usize] == 0 {
                    order.push(to);
                }
            }
        }
    }
    if order.len() == n {
        Ok(order)
    } else {
        Err(SpaceError::Cyclic)
    }
}
