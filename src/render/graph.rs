//! `sopc graph`: the decision graph as a flowchart, in Mermaid or Graphviz
//! DOT. Questions are decision shapes with answer-labelled edges, action
//! steps are boxes, terminals are styled by kind, and a bounded retry shows
//! its bound on the edge back and its exit as a dashed edge; a step whose
//! loop is bounded as a whole says so in its label, with the way on once
//! the bound is spent as a dashed edge from it.

use crate::graph::{Dest, Edge, Exit, Graph, OutcomeKind, Step, StepId, Terminal};

/// The longest text shown in a node before it is shortened.
const NODE_TEXT: usize = 48;

/// Shortens `s` to at most `max` characters at a word boundary.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    // A word that ends exactly at the limit is kept whole.
    let ends_word = s.chars().nth(max).is_some_and(char::is_whitespace);
    let cut = match cut.rfind(' ') {
        _ if ends_word => &cut[..],
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

/// The terminals of the graph, in order of first appearance.
pub fn terminals(g: &Graph) -> Vec<Terminal> {
    let mut out: Vec<Terminal> = Vec::new();
    let mut add = |t: Terminal| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    for s in &g.steps {
        for (t, _, _) in s.terminals() {
            add(t);
        }
        if let Some(Dest::End(t)) = s.loop_bound().map(|l| l.then) {
            add(t);
        }
    }
    out
}

fn terminal_label(g: &Graph, t: Terminal) -> String {
    let o = g.outcome(t.outcome);
    if o.kind == OutcomeKind::Gap {
        // Numbered as the document's open questions are.
        let n = o.name.trim_start_matches("gap_");
        return format!("open question {n}: {}", shorten(&o.label, NODE_TEXT));
    }
    if let Some(policy) = &o.policy {
        return format!("handoff: {}", shorten(policy, NODE_TEXT));
    }
    match t.target {
        Some(x) => format!("{}: {}", o.name, g.target(x).title),
        None => format!("{}: {}", o.name, shorten(&o.label, NODE_TEXT)),
    }
}

fn step_label(g: &Graph, s: &Step) -> String {
    let text = if s.text.is_empty() {
        s.name.to_string()
    } else {
        shorten(&s.text, NODE_TEXT)
    };
    let label = match s.exit {
        Exit::Ask { fact, .. } => {
            let f = g.fact(fact);
            format!("{text}\n{}", shorten(f.question(), NODE_TEXT))
        }
        Exit::Match { fact, .. } => format!("{text}\n(by the answer to {})", g.fact(fact).name),
        _ => text,
    };
    match s.loop_bound() {
        Some(l) => format!("{label}\n(back here at most {}×)", l.times),
        None => label,
    }
}

/// One edge of the flowchart.
struct Arrow {
    from: StepId,
    to: String,
    label: Option<String>,
    /// The exit of a used-up bound.
    dashed: bool,
}

fn node_id(d: Dest, terms: &[Terminal]) -> String {
    match d {
        Dest::Step(s) => format!("s{s}"),
        Dest::End(t) => format!("t{}", terms.iter().position(|x| *x == t).unwrap_or(0)),
        Dest::Unmatched => String::new(),
    }
}

fn arrows(g: &Graph, terms: &[Terminal]) -> Vec<Arrow> {
    let mut out = Vec::new();
    for (i, s) in g.steps.iter().enumerate() {
        let from = StepId::new(i);
        let answer = |a: Option<usize>| -> Option<String> {
            match (&s.exit, a) {
                (Exit::Ask { fact, .. } | Exit::Match { fact, .. }, Some(a)) => {
                    Some(g.fact(*fact).answer_words(a).to_string())
                }
                _ => None,
            }
        };
        if let Exit::End { terminal, .. } = s.exit {
            out.push(Arrow {
                from,
                to: node_id(Dest::End(terminal), terms),
                label: None,
                dashed: false,
            });
        }
        if let Some(l) = s.loop_bound() {
            out.push(Arrow {
                from,
                to: node_id(l.then, terms),
                label: Some(match l.times {
                    1 => "after 1 return".to_string(),
                    n => format!("after {n} returns"),
                }),
                dashed: true,
            });
        }
        // Answers that share one edge (an `else`) share one arrow.
        let mut seen: Vec<(Edge, usize)> = Vec::new();
        for (a, e) in s.exit.edges() {
            // A missing branch no caller takes has no arrow.
            if e.to == Dest::Unmatched {
                continue;
            }
            match seen.iter().position(|(x, _)| x == e) {
                Some(k) => {
                    let idx = seen[k].1;
                    let extra = answer(a).unwrap_or_default();
                    if let Some(l) = &mut out[idx].label {
                        l.push_str(" / ");
                        l.push_str(&extra);
                    }
                    continue;
                }
                None => seen.push((*e, out.len())),
            }
            let label = answer(a);
            match e.bound {
                None => out.push(Arrow {
                    from,
                    to: node_id(e.to, terms),
                    label,
                    dashed: false,
                }),
                Some(b) => {
                    let name = label.clone().unwrap_or_default();
                    out.push(Arrow {
                        from,
                        to: node_id(e.to, terms),
                        label: Some(
                            format!("{name} (at most {}×)", b.times)
                                .trim_start()
                                .to_string(),
                        ),
                        dashed: false,
                    });
                    out.push(Arrow {
                        from,
                        to: node_id(b.then, terms),
                        label: Some(
                            format!("{name} after {}×", b.times)
                                .trim_start()
                                .to_string(),
                        ),
                        dashed: true,
                    });
                }
            }
        }
    }
    out
}

fn kind_class(k: OutcomeKind) -> &'static str {
    match k {
        OutcomeKind::Resolved => "resolved",
        OutcomeKind::Referral | OutcomeKind::Handoff | OutcomeKind::Transferred => "referral",
        OutcomeKind::Escalation => "escalation",
        OutcomeKind::Pending | OutcomeKind::Callback => "pending",
        OutcomeKind::Declined => "declined",
        OutcomeKind::Gap => "gap",
    }
}

/// Mermaid `flowchart`, which GitHub renders in Markdown.
pub fn mermaid(g: &Graph) -> String {
    // Mermaid reads `#name;` as an entity and renders tags in labels: text
    // is shown as written only with `#`, `"`, `<` and `>` as entities.
    let esc = |s: &str| {
        s.replace('#', "#35;")
            .replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
            .replace('\n', "<br/>")
    };
    let terms = terminals(g);
    let mut out = String::from("flowchart TD\n");
    for (i, s) in g.steps.iter().enumerate() {
        let label = esc(&step_label(g, s));
        match s.exit {
            Exit::Ask { .. } | Exit::Match { .. } => {
                out.push_str(&format!("  s{i}{{\"{label}\"}}\n"))
            }
            _ => out.push_str(&format!("  s{i}[\"{label}\"]\n")),
        }
    }
    for (i, t) in terms.iter().enumerate() {
        out.push_str(&format!("  t{i}([\"{}\"])\n", esc(&terminal_label(g, *t))));
    }
    for a in arrows(g, &terms) {
        let arrow = if a.dashed { "-.->" } else { "-->" };
        match a.label {
            Some(l) => out.push_str(&format!(
                "  s{} {arrow}|\"{}\"| {}\n",
                a.from,
                esc(&l),
                a.to
            )),
            None => out.push_str(&format!("  s{} {arrow} {}\n", a.from, a.to)),
        }
    }
    // A standing rule stands beside the steps, with a dotted arrow to its
    // handler: it may be raised from anywhere in its scope.
    for (i, r) in g.standing.iter().enumerate() {
        out.push_str(&format!(
            "  r{i}>\"anytime: {}\"] -.-> s{}\n",
            esc(&shorten(&r.label, NODE_TEXT)),
            r.handler
        ));
    }
    out.push_str(&format!("  s{}:::start\n", g.start));
    out.push_str("  classDef start stroke-width:3px\n");
    // Only the classes this chart uses, so a new outcome kind leaves old charts as they were.
    const STYLES: [(&str, &str); 6] = [
        ("resolved", "fill:#d4edda,stroke:#2e7d32"),
        ("referral", "fill:#dbeafe,stroke:#1d4ed8"),
        ("escalation", "fill:#fde68a,stroke:#b45309"),
        ("pending", "fill:#e5e7eb,stroke:#4b5563"),
        ("declined", "fill:#fee2e2,stroke:#b91c1c"),
        ("gap", "fill:#fff,stroke:#b91c1c,stroke-dasharray:4"),
    ];
    for (class, style) in STYLES {
        if terms
            .iter()
            .any(|t| kind_class(g.outcome(t.outcome).kind) == class)
        {
            out.push_str(&format!("  classDef {class} {style}\n"));
        }
    }
    for (i, t) in terms.iter().enumerate() {
        out.push_str(&format!(
            "  class t{i} {}\n",
            kind_class(g.outcome(t.outcome).kind)
        ));
    }
    out
}

/// Graphviz DOT; `dot -Tsvg` renders it.
pub fn dot(g: &Graph) -> String {
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
    let terms = terminals(g);
    let mut out = format!(
        "digraph \"{}\" {{\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        esc(&g.header.id)
    );
    for (i, s) in g.steps.iter().enumerate() {
        let label = esc(&step_label(g, s));
        let shape = match s.exit {
            Exit::Ask { .. } | Exit::Match { .. } => "shape=diamond",
            _ => "shape=box, style=rounded",
        };
        let start = if StepId::new(i) == g.start {
            ", penwidth=3"
        } else {
            ""
        };
        out.push_str(&format!("  s{i} [{shape}{start}, label=\"{label}\"];\n"));
    }
    for (i, t) in terms.iter().enumerate() {
        let color = match g.outcome(t.outcome).kind {
            OutcomeKind::Resolved => "#d4edda",
            OutcomeKind::Referral | OutcomeKind::Handoff | OutcomeKind::Transferred => "#dbeafe",
            OutcomeKind::Escalation => "#fde68a",
            OutcomeKind::Pending | OutcomeKind::Callback => "#e5e7eb",
            OutcomeKind::Declined | OutcomeKind::Gap => "#fee2e2",
        };
        out.push_str(&format!(
            "  t{i} [shape=ellipse, style=filled, fillcolor=\"{color}\", label=\"{}\"];\n",
            esc(&terminal_label(g, *t))
        ));
    }
    for a in arrows(g, &terms) {
        let mut attrs = Vec::new();
        if let Some(l) = &a.label {
            attrs.push(format!("label=\"{}\"", esc(l)));
        }
        if a.dashed {
            attrs.push("style=dashed".to_string());
        }
        if attrs.is_empty() {
            out.push_str(&format!("  s{} -> {};\n", a.from, a.to));
        } else {
            out.push_str(&format!(
                "  s{} -> {} [{}];\n",
                a.from,
                a.to,
                attrs.join(", ")
            ));
        }
    }
    for (i, r) in g.standing.iter().enumerate() {
        out.push_str(&format!(
            "  r{i} [shape=cds, label=\"anytime: {}\"];\n  r{i} -> s{} [style=dotted];\n",
            esc(&shorten(&r.label, NODE_TEXT)),
            r.handler
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn shortens_at_a_word() {
        assert_eq!(super::shorten("short", 10), "short");
        assert_eq!(
            super::shorten("Verify the parent is typing the password", 20),
            "Verify the parent is…"
        );
    }
}
