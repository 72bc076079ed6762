//! Strongly connected components of the step graph (Tarjan, iterative).

use crate::graph::{Graph, StepId};

pub struct Components {
    /// The component of each step.
    pub comp: Vec<u32>,
    /// Whether each component holds a cycle (more than one step, or a step
    /// that leads to itself).
    pub cyclic: Vec<bool>,
}

/// Components of the graph whose edges are given by `succ`.
pub fn components<F, I>(n: usize, succ: F) -> Components
where
    F: Fn(StepId) -> I,
    I: Iterator<Item = StepId>,
{
    const NONE: u32 = u32::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![NONE; n];
    let mut cyclic = Vec::new();
    let mut stack: Vec<StepId> = Vec::new();
    let mut next_index = 0u32;
    // Each frame: the node and its remaining successors.
    let mut frames: Vec<(StepId, Vec<StepId>)> = Vec::new();
    for root in (0..n).map(StepId::new) {
        if index[root.index()] != NONE {
            continue;
        }
        frames.push((root, succ(root).collect()));
        index[root.index()] = next_index;
        low[root.index()] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root.index()] = true;
        while let Some((v, rest)) = frames.last_mut() {
            let v = *v;
            if let Some(w) = rest.pop() {
                let wi = w.index();
                if index[wi] == NONE {
                    index[wi] = next_index;
                    low[wi] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[wi] = true;
                    frames.push((w, succ(w).collect()));
                } else if on_stack[wi] {
                    low[v.index()] = low[v.index()].min(index[wi]);
                }
                continue;
            }
            frames.pop();
            if let Some((parent, _)) = frames.last() {
                let p = parent.index();
                low[p] = low[p].min(low[v.index()]);
            }
            if low[v.index()] == index[v.index()] {
                let id = cyclic.len() as u32;
                let mut size = 0;
                while let Some(w) = stack.pop() {
                    on_stack[w.index()] = false;
                    comp[w.index()] = id;
                    size += 1;
                    if w == v {
                        break;
                    }
                }
                let self_loop = succ(v).any(|w| w == v);
                cyclic.push(size > 1 || self_loop);
            }
        }
    }
    Components { comp, cyclic }
}

/// Components over every edge of the policy, bounded or not.
pub fn of_graph(g: &Graph) -> Components {
    // A standing rule's handler may lead back: the call is in one loop.
    components(g.steps.len(), |s| {
        super::successors(g, s).chain(super::raised_to(g, s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_singletons() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3, 3 -> 3
        let edges: Vec<Vec<u32>> = vec![vec![1], vec![2], vec![1, 3], vec![3]];
        let c = components(4, |s| edges[s.index()].iter().map(|&t| StepId(t)));
        assert_eq!(c.comp[1], c.comp[2]);
        assert_ne!(c.comp[0], c.comp[1]);
        assert!(!c.cyclic[c.comp[0] as usize]);
        assert!(c.cyclic[c.comp[1] as usize]);
        assert!(c.cyclic[c.comp[3] as usize]);
    }
}
