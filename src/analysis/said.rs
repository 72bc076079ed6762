//! What each step says to the caller that a rule constrains: the `{field}`
//! references of its texts, and the fields a scoped `never disclose`
//! allows only under a condition (whose fact the analysis then keeps).

use crate::graph::{Action, Exit, FactId, Graph};

/// The `{name}` references in a text.
pub fn text_refs(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| {
        let end = rest.find('}')?;
        let name = &rest[..end];
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        valid.then_some(name)
    })
}

/// Each scoped disclosure whose fields step `s` says (in a `say`, a `warn`
/// or the prompt of the question it asks), by step.
pub fn scoped_said(g: &Graph) -> Vec<Vec<(usize, String)>> {
    let mut out: Vec<Vec<(usize, String)>> = vec![Vec::new(); g.steps.len()];
    if g.scoped_disclose.is_empty() {
        return out;
    }
    for (s, step) in g.steps.iter().enumerate() {
        let mut texts: Vec<&str> = step
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Say { text, .. } | Action::Warn { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        if let Exit::Ask { fact, .. } = step.exit {
            texts.push(&g.fact(fact).prompt);
        }
        for text in texts {
            for name in text_refs(text) {
                for (k, d) in g.scoped_disclose.iter().enumerate() {
                    let said = d.data.iter().any(|&f| g.data(f).name == name);
                    if said && !out[s].iter().any(|(j, n)| *j == k && n == name) {
                        out[s].push((k, name.to_string()));
                    }
                }
            }
        }
    }
    out
}

/// The facts each step must know to decide its scoped disclosures (for
/// the liveness of the analysis), sorted.
pub fn scoped_uses(g: &Graph) -> Vec<Vec<FactId>> {
    scoped_said(g)
        .into_iter()
        .map(|said| {
            let mut facts: Vec<FactId> = said
                .iter()
                .map(|&(k, _)| g.scoped_disclose[k].fact)
                .collect();
            facts.sort_unstable();
            facts.dedup();
            facts
        })
        .collect()
}
