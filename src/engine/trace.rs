//! What happened on a call: the steps visited and the answers given. The
//! actions, data collected and tickets filed follow from the steps, so the
//! trace stays a few small vectors; [`super::json`] spells it out.

use crate::graph::{FactId, StepId};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    pub steps: Vec<StepId>,
    pub answers: Vec<(FactId, u32)>,
    /// Each question or `match` passed: the step and the answer followed
    /// (for branch coverage).
    pub branches: Vec<(StepId, u32)>,
}
