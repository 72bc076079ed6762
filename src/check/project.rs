//! The checks across the policies of a folder (a project): each `handoff
//! "POLICY"` names a policy of the same folder (by its file name without
//! `.sop`) that is clean, and hands over every data field that policy
//! `receives`; a chain of handoffs that comes back to where it started is
//! reported. The other checks see one file; these see the folder.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::Exit;
use std::collections::HashMap;

/// One policy file of the folder.
pub struct Member<'a> {
    /// The file name without `.sop`: the name a `handoff` uses.
    pub name: &'a str,
    pub text: &'a str,
    /// How many errors the file's own checks found.
    pub errors: usize,
}

struct Handoff {
    to: String,
    requires: Vec<String>,
    span: Span,
}

/// What a file says about its neighbours: its handoffs and the data it
/// receives.
struct Edges {
    handoffs: Vec<Handoff>,
    receives: Vec<String>,
}

fn edges(text: &str) -> Edges {
    let tree = crate::syntax::parse(text).policy;
    let handoffs = tree
        .steps
        .iter()
        .chain(tree.procedures.iter().flat_map(|p| &p.steps))
        .filter_map(|s| match s.exit.as_deref() {
            Some(Exit::Handoff(h)) => Some(Handoff {
                to: h.policy.value().into_owned(),
                requires: h.requires.iter().map(|n| n.text().to_string()).collect(),
                span: h.span,
            }),
            _ => None,
        })
        .collect();
    let receives = tree
        .receives
        .iter()
        .flat_map(|r| r.data.iter().map(|n| n.text().to_string()))
        .collect();
    Edges { handoffs, receives }
}

/// Whether `text` hands off anywhere: only then does its folder need
/// reading. A text without the keyword is not parsed again: at a million
/// steps that second parse was a quarter of `sopc check`'s time.
pub fn hands_off(text: &str) -> bool {
    text.contains("handoff") && !edges(text).handoffs.is_empty()
}

/// The diagnostics the folder adds to each member, by member index.
pub fn check(members: &[Member]) -> Vec<Vec<Diagnostic>> {
    let all: Vec<Edges> = members.iter().map(|m| edges(m.text)).collect();
    let index: HashMap<&str, usize> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name, i))
        .collect();
    let mut out: Vec<Vec<Diagnostic>> = members.iter().map(|_| Vec::new()).collect();
    for (i, e) in all.iter().enumerate() {
        for h in &e.handoffs {
            let Some(&j) = index.get(h.to.as_str()) else {
                let mut d = Diagnostic::new(
                    Code::UnknownPolicy,
                    format!("no policy {:?} in this folder to hand the call to", h.to),
                )
                .at(h.span, "no such policy");
                d = match crate::suggest::closest(&h.to, members.iter().map(|m| m.name)) {
                    Some(s) => d.with_help(format!("did you mean {s:?}?")),
                    None => d.with_help(format!(
                        "a handoff names a policy file of the same folder, without `.sop` (`{}.sop`)",
                        h.to
                    )),
                };
                out[i].push(d);
                continue;
            };
            if members[j].errors > 0 {
                out[i].push(
                    Diagnostic::new(
                        Code::BrokenHandoff,
                        format!(
                            "the policy {:?} this step hands the call to has {} {}",
                            h.to,
                            members[j].errors,
                            if members[j].errors == 1 {
                                "error"
                            } else {
                                "errors"
                            }
                        ),
                    )
                    .at(h.span, "a call handed over here could not go on")
                    .with_help(format!(
                        "fix `{}.sop` first: `sopc check` reports its errors",
                        h.to
                    )),
                );
            }
            let missing: Vec<&str> = all[j]
                .receives
                .iter()
                .filter(|r| !h.requires.contains(r))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                out[i].push(
                    Diagnostic::new(
                        Code::HandoffData,
                        format!(
                            "the policy {:?} receives {} at its start, and this handoff does not hand {} over",
                            h.to,
                            missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
                            if missing.len() == 1 { "it" } else { "them" }
                        ),
                    )
                    .at(h.span, "hands over too little")
                    .with_help(format!(
                        "collect and hand over what it receives: `requires {}`",
                        h.requires
                            .iter()
                            .map(String::as_str)
                            .chain(missing.iter().copied())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
        }
    }
    for (i, cycle) in cycles(&all, &index) {
        let (from, span) = cycle;
        out[i].push(
            Diagnostic::new(
                Code::HandoffCycle,
                format!(
                    "handoffs lead the call around a circle: {}",
                    from.iter()
                        .map(|&k| members[k].name)
                        .chain(std::iter::once(members[from[0]].name))
                        .collect::<Vec<_>>()
                        .join(" -> ")
                ),
            )
            .at(span, "this handoff closes the circle")
            .with_help("a call handed around a circle could go on forever: end one of these policies instead of handing back"),
        );
    }
    out
}

/// Each circle of handoffs once, reported at the handoff that closes it
/// (found by a depth-first walk from each member in order): the member it
/// is in, the members of the circle from where it starts, and the span.
fn cycles(all: &[Edges], index: &HashMap<&str, usize>) -> Vec<(usize, (Vec<usize>, Span))> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let n = all.len();
    let mut mark = vec![Mark::New; n];
    let mut out = Vec::new();
    for root in 0..n {
        if mark[root] != Mark::New {
            continue;
        }
        // (member, next handoff to follow)
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::Open;
        while let Some(&mut (m, ref mut next)) = stack.last_mut() {
            let Some(h) = all[m].handoffs.get(*next) else {
                mark[m] = Mark::Done;
                stack.pop();
                continue;
            };
            *next += 1;
            let Some(&to) = index.get(h.to.as_str()) else {
                continue;
            };
            match mark[to] {
                Mark::New => {
                    mark[to] = Mark::Open;
                    stack.push((to, 0));
                }
                Mark::Open => {
                    let start = stack.iter().position(|&(x, _)| x == to).unwrap_or(0);
                    let circle: Vec<usize> = stack[start..].iter().map(|&(x, _)| x).collect();
                    out.push((m, (circle, h.span)));
                }
                Mark::Done => {}
            }
        }
    }
    out
}
