//! The state space of feasible caller situations.
//!
//! A state is a step together with what still matters for the rest of the
//! call: the answers of the facts that a later `match` reads (only the live
//! ones) and how often each bounded retry in the step's loop has been taken.
//! Each caller path of the policy is exactly one path through this space
//! from the start state to a terminal, so every path question can be decided
//! on it without enumerating paths. When no fact is matched and no retry is
//! bounded, there is exactly one state per reachable step.
//!
//! The space is a DAG whenever the policy has no unbounded loop: a bounded
//! edge raises its counter, and a counter is kept as long as the call stays
//! inside that edge's loop.

use super::liveness::live_facts;
use super::scc;
use crate::graph::{Dest, Exit, FactId, Graph, StepId, Terminal};
use foldhash::{HashMap, HashMapExt};
use std::sync::atomic::{AtomicBool, Ordering};

/// The most states sopc explores before it gives up with `too-large`.
pub const MAX_STATES: usize = 20_000_000;

/// The largest `at most N times` sopc analyses (the check `too-large`
/// refuses more). The state space counts each retry exactly, so a bound
/// multiplies its size; no procedure asks a caller the same thing ten
/// thousand times.
pub const MAX_BOUND: u32 = 10_000;
// Retry counters are stored as u16.
const _: () = assert!(MAX_BOUND <= u16::MAX as u32);

pub type StateId = u32;

/// Where a transition leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    State(StateId),
    End(Terminal),
}

/// One way out of a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The answer index for `ask` and `match`; `None` for `goto`.
    pub answer: Option<u32>,
    pub next: Next,
}

/// A variable of the analysis state: a fact's latest answer, or a counter.
type Var = u32;
type Env = Vec<(Var, u16)>;

pub struct StateSpace {
    pub step: Vec<StepId>,
    env: Vec<u32>,
    envs: Vec<Env>,
    /// Transitions of state `s`: `trans[first[s]..first[s + 1]]`.
    first: Vec<u32>,
    pub trans: Vec<Transition>,
    /// The transition that first discovered each state (shortest path tree).
    pub parent: Vec<Option<(StateId, u32)>>,
    /// States in topological order, the start state first.
    pub topo: Vec<StateId>,
    /// States whose step matches on a fact no answer is known for.
    pub unknown_fact_at: Vec<StateId>,
    n_facts: u32,
}

/// Why the space could not be built.
#[derive(Debug, PartialEq, Eq)]
pub enum SpaceError {
    TooLarge,
    /// A cycle: only possible when the policy has an unbounded loop.
    Cyclic,
    /// Asked to stop (see [`StateSpace::build_unless`]).
    GivenUp,
}

impl StateSpace {
    pub fn len(&self) -> usize {
        self.step.len()
    }

    pub fn is_empty(&self) -> bool {
        self.step.is_empty()
    }

    pub fn transitions(&self, s: StateId) -> &[Transition] {
        &self.trans[self.first[s as usize] as usize..self.first[s as usize + 1] as usize]
    }

    /// The indices into `trans` of the transitions of state `s`.
    pub fn transition_ids(&self, s: StateId) -> std::ops::Range<u32> {
        self.first[s as usize]..self.first[s as usize + 1]
    }

    /// The transitions from the start state to `s` along the discovery tree.
    pub fn path_to(&self, s: StateId) -> Vec<(StateId, u32)> {
        let mut path = Vec::new();
        let mut cur = s;
        while let Some((p, t)) = self.parent[cur as usize] {
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
        // Counters are 16-bit: a bound they cannot count exactly is refused
        // here, for every caller, rather than capped into a wrong answer.
        let over = |e: &crate::graph::Edge| e.bound.is_some_and(|b| b.times > MAX_BOUND);
        if g.steps.iter().any(|s| s.exit.edges().any(|(_, e)| over(e))) {
            return Err(SpaceError::TooLarge);
        }
        Builder::new(g).run(give_up)
    }
}

struct Builder<'g> {
    g: &'g Graph,
    live: Vec<Vec<FactId>>,
    comp: Vec<u32>,
    /// Counter variable of each bounded edge inside a loop, by (step, edge).
    counter_of: HashMap<(StepId, u32), Var>,
    /// The component of each counter's edge.
    counter_comp: Vec<u32>,
    plain: Vec<StateId>,
    keyed: HashMap<(StepId, u32), StateId>,
    env_ids: HashMap<Env, u32>,
    space: StateSpace,
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
        let n_facts = g.facts.len() as u32;
        for (s, step) in g.steps.iter().enumerate() {
            for (i, (_, e)) in step.exit.edges().enumerate() {
                if e.bound.is_none() {
                    continue;
                }
                if let Dest::Step(t) = e.to {
                    let c = comps.comp[s];
                    if comps.comp[t as usize] == c && comps.cyclic[c as usize] {
                        counter_of
                            .insert((s as StepId, i as u32), n_facts + counter_comp.len() as Var);
                        counter_comp.push(c);
                    }
                }
            }
        }
        let mut env_ids = HashMap::new();
        env_ids.insert(Vec::new(), 0);
        Builder {
            g,
            live: live_facts(g),
            comp: comps.comp,
            counter_of,
            counter_comp,
            plain: vec![NONE; g.steps.len()],
            keyed: HashMap::new(),
            env_ids,
            // Room for one state per step: the size of the space when no
            // fact is matched and no retry is bounded.
            space: StateSpace {
                step: Vec::with_capacity(g.steps.len()),
                env: Vec::with_capacity(g.steps.len()),
                envs: vec![Vec::new()],
                first: {
                    let mut first = Vec::with_capacity(g.steps.len() + 1);
                    first.push(0);
                    first
                },
                trans: Vec::with_capacity(g.steps.len()),
                parent: Vec::with_capacity(g.steps.len()),
                topo: vec![],
                unknown_fact_at: vec![],
                n_facts,
            },
            env: Env::new(),
            next_env: Env::new(),
        }
    }

    fn run(mut self, give_up: &AtomicBool) -> Result<StateSpace, SpaceError> {
        let start = self.intern(self.g.start, &mut Vec::new(), None)?;
        debug_assert_eq!(start, 0);
        // States are expanded in id order, so `first` stays contiguous.
        let mut s: StateId = 0;
        while (s as usize) < self.space.step.len() {
            if s.is_multiple_of(4096) && give_up.load(Ordering::Relaxed) {
                return Err(SpaceError::GivenUp);
            }
            self.expand(s)?;
            s += 1;
        }
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
        let live = &self.live[step as usize];
        let n_facts = self.space.n_facts;
        let comp = self.comp[step as usize];
        env.retain(|(v, _)| {
            if *v < n_facts {
                live.binary_search(v).is_ok()
            } else {
                self.counter_comp[(*v - n_facts) as usize] == comp
            }
        });
        let env_id = if env.is_empty() {
            0
        } else {
            let next = self.space.envs.len() as u32;
            match self.env_ids.get(env.as_slice()) {
                Some(&id) => id,
                None => {
                    self.env_ids.insert(env.clone(), next);
                    self.space.envs.push(env.clone());
                    next
                }
            }
        };
        let existing = if env_id == 0 {
            self.plain[step as usize]
        } else {
            self.keyed.get(&(step, env_id)).copied().unwrap_or(NONE)
        };
        if existing != NONE {
            return Ok(existing);
        }
        let id = self.space.step.len();
        if id >= MAX_STATES {
            return Err(SpaceError::TooLarge);
        }
        let id = id as StateId;
        if env_id == 0 {
            self.plain[step as usize] = id;
        } else {
            self.keyed.insert((step, env_id), id);
        }
        self.space.step.push(step);
        self.space.env.push(env_id);
        self.space.parent.push(parent);
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
        env.extend_from_slice(&self.space.envs[self.space.env[s as usize] as usize]);
        let mut next_env = std::mem::take(&mut self.next_env);
        let (fact, asks) = match step.exit {
            Exit::Ask { fact, .. } => (Some(fact), true),
            Exit::Match { fact, .. } => (Some(fact), false),
            _ => (None, false),
        };
        let known = match (fact, asks) {
            (Some(f), false) => {
                let k = env
                    .iter()
                    .find(|(v, _)| *v == f)
                    .map(|(_, a)| u32::from(*a));
                if k.is_none() {
                    self.space.unknown_fact_at.push(s);
                }
                k
            }
            _ => None,
        };
        if let Exit::End { terminal, .. } = step.exit {
            self.space.trans.push(Transition {
                answer: None,
                next: Next::End(terminal),
            });
        }
        for (i, (answer, edge)) in step.exit.edges().enumerate() {
            let answer = answer.map(|a| a as u32);
            if known.is_some() && answer != known {
                continue;
            }
            next_env.clear();
            next_env.extend_from_slice(&env);
            if let (true, Some(f), Some(a)) = (asks, fact, answer) {
                set(&mut next_env, f, a as u16);
            }
            let dest = match edge.bound {
                None => edge.to,
                Some(bound) => match self.counter_of.get(&(step_id, i as u32)) {
                    Some(&c) => {
                        let taken = next_env
                            .iter()
                            .find(|(v, _)| *v == c)
                            .map_or(0, |(_, n)| u32::from(*n));
                        if taken < bound.times {
                            set(&mut next_env, c, (taken + 1) as u16);
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
            let t = self.space.trans.len() as u32;
            let next = match dest {
                Dest::End(term) => Next::End(term),
                Dest::Step(to) => Next::State(self.intern(to, &mut next_env, Some((s, t)))?),
            };
            self.space.trans.push(Transition { answer, next });
        }
        self.space.first.push(self.space.trans.len() as u32);
        (self.env, self.next_env) = (env, next_env);
        Ok(())
    }
}

fn set(env: &mut Env, var: Var, value: u16) {
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
        if let Next::State(to) = t.next {
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
            if let Next::State(to) = t.next {
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
