//! What happened on a call: the steps visited and the answers given. The
//! actions, data collected and tickets filed follow from the steps, so the
//! trace stays a few small vectors; [`super::json`] spells it out.

use crate::graph::{FactId, StandingId, StepId};

/// A standing rule raised on the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raised {
    pub rule: StandingId,
    /// The step the call waited at.
    pub at: StepId,
    /// How many answers had been given.
    pub after_answers: usize,
}

/// A loop bound spent: the call came back to its step once more than the
/// bound allows and went to the bound's `then` instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spent {
    /// The step the bound is on.
    pub step: StepId,
    /// How many answers had been given.
    pub after_answers: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    pub steps: Vec<StepId>,
    pub answers: Vec<(FactId, u32)>,
    /// Each question or `match` passed: the step and the answer followed
    /// (for branch coverage).
    pub branches: Vec<(StepId, u32)>,
    /// Standing rules raised, in order.
    pub events: Vec<Raised>,
    /// Loop bounds spent, in order.
    pub loops: Vec<Spent>,
}
