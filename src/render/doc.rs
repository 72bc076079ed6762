//! `sopc doc`: the policy as an SOP document in the seed's form: the header
//! block, the purpose, the numbered steps table (what to do, with the
//! conditions in plain words, and who does it), the escalation contacts,
//! the data-handling rules, the outcomes and the flowchart.

use crate::graph::{Action, DataClass, Dest, Exit, Graph, Step, TargetKind, Terminal};

/// A step's number in the document: its position in the policy, from 1.
fn number(s: u32) -> u32 {
    s + 1
}

fn outcome_words(g: &Graph, t: Terminal) -> String {
    let o = &g.outcomes[t.outcome as usize];
    match t.target {
        Some(x) => format!(
            "the call ends: {} ({})",
            o.label, g.targets[x as usize].title
        ),
        None => format!("the call ends: {}", o.label),
    }
}

fn dest_words(g: &Graph, d: Dest) -> String {
    match d {
        Dest::Step(s) => format!("go to step {}", number(s)),
        Dest::End(t) => outcome_words(g, t),
    }
}

/// Where an edge leads, with its bound in words.
fn edge_words(g: &Graph, e: &crate::graph::Edge) -> String {
    let mut w = dest_words(g, e.to);
    if let Some(b) = e.bound {
        w.push_str(&format!(
            " (at most {} times; after that, {})",
            b.times,
            dest_words(g, b.then)
        ));
    }
    w
}

/// What the analyst does in the step, as sentences.
fn step_words(g: &Graph, s: &Step) -> Vec<String> {
    let mut out = Vec::new();
    if !s.text.is_empty() {
        out.push(format!("**{}.**", s.text.trim_end_matches('.')));
    }
    for a in &s.actions {
        out.push(match a {
            Action::Do { text, .. } => text.clone(),
            Action::Say { text, .. } => format!("Say: “{text}”"),
            Action::Warn { text, .. } => format!("**Warn the caller:** “{text}”"),
            Action::Note { text, .. } => format!("*Note:* {text}"),
            Action::Collect { data, .. } => {
                let labels: Vec<&str> = data
                    .iter()
                    .map(|&d| g.data[d as usize].label.as_str())
                    .collect();
                format!("Collect: {}.", labels.join(", "))
            }
            Action::Ticket(t) => {
                let target = &g.targets[t.target as usize];
                let list = |ids: &[u32]| {
                    ids.iter()
                        .map(|&d| g.data[d as usize].label.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut w = format!(
                    "File a ticket to {}{}",
                    target.title,
                    target
                        .via
                        .as_ref()
                        .map(|v| format!(" in {v}"))
                        .unwrap_or_default()
                );
                if let Some(title) = &t.title {
                    w.push_str(&format!(" titled “{title}”"));
                }
                for f in &t.fields {
                    w.push_str(&format!("; {} “{}”", f.name, f.value));
                }
                if !t.body.is_empty() {
                    w.push_str(&format!("; in the body: {}", list(&t.body)));
                }
                if !t.assignee.is_empty() {
                    w.push_str(&format!(
                        "; in the assignee section only: {}",
                        list(&t.assignee)
                    ));
                }
                w.push('.');
                w
            }
        });
    }
    match &s.exit {
        Exit::Ask { fact, branches } | Exit::Match { fact, branches } => {
            let f = g.fact(*fact);
            if matches!(s.exit, Exit::Ask { .. }) {
                out.push(format!("Ask: “{}”", f.question()));
            }
            for (a, e) in branches.iter().enumerate() {
                out.push(format!("If {}: {}.", f.answers[a], edge_words(g, e)));
            }
        }
        Exit::Goto { edge } => {
            out.push(format!("{}.", capitalise(&edge_words(g, edge))));
        }
        Exit::End { terminal, .. } => {
            out.push(format!("{}.", capitalise(&outcome_words(g, *terminal))))
        }
        Exit::None | Exit::Unknown => {}
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The document in Markdown, with a Mermaid flowchart.
pub fn markdown(g: &Graph) -> String {
    let h = &g.header;
    let mut out = format!("# {}: {}\n\n", h.id, h.title);
    out.push_str("| | |\n|---|---|\n");
    let rows = [
        ("SOP #", Some(h.id.clone())),
        ("SOP Name", Some(h.title.clone())),
        ("SOP Owner", h.owner.clone()),
        ("Approval", h.approval.clone()),
        ("Revision #", h.revision.clone()),
        ("Implementation Date", h.implemented.clone()),
        ("Last Reviewed/Update Date", h.reviewed.clone()),
        ("Source", h.source.clone()),
    ];
    for (k, v) in rows {
        if let Some(v) = v {
            out.push_str(&format!("| {k} | {} |\n", cell(&v)));
        }
    }
    out.push_str("\n## 1. Purpose\n\n");
    out.push_str(h.purpose.as_deref().unwrap_or("(not stated)"));
    out.push_str("\n\n## 2. Process\n\n| Step | What to do | Responsibility |\n|---|---|---|\n");
    for (i, s) in g.steps.iter().enumerate() {
        let role = s
            .role
            .map(|r| g.roles[r as usize].title.as_str())
            .unwrap_or("");
        let start = if i as u32 == g.start { " (start)" } else { "" };
        out.push_str(&format!(
            "| {}{start} | {} | {} |\n",
            number(i as u32),
            cell(&step_words(g, s).join("<br>")),
            cell(role)
        ));
    }
    let contacts: Vec<_> = g
        .targets
        .iter()
        .filter(|t| t.kind != TargetKind::Referral)
        .collect();
    if !contacts.is_empty() {
        out.push_str("\n## Escalation contacts\n\n| Contact | How | Data every ticket must carry |\n|---|---|---|\n");
        for t in contacts {
            let how = match (t.kind, &t.via) {
                (TargetKind::Ticket, Some(v)) => format!("ticket in {v}"),
                (TargetKind::Ticket, None) => "ticket".to_string(),
                _ => "contact directly".to_string(),
            };
            let req: Vec<&str> = t
                .requires
                .iter()
                .map(|&d| g.data[d as usize].label.as_str())
                .collect();
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(&t.title),
                how,
                cell(&req.join(", "))
            ));
        }
    }
    let referrals: Vec<&str> = g
        .targets
        .iter()
        .filter(|t| t.kind == TargetKind::Referral)
        .map(|t| t.title.as_str())
        .collect();
    if !referrals.is_empty() {
        out.push_str(&format!("\n**Referrals:** {}.\n", referrals.join("; ")));
    }
    out.push_str("\n## Data handling\n\n");
    if !g.never_disclose.is_empty() {
        let l: Vec<&str> = g
            .never_disclose
            .iter()
            .map(|&d| g.data[d as usize].label.as_str())
            .collect();
        out.push_str(&format!("- Never give out: {}.\n", l.join(", ")));
    }
    let secrets: Vec<&str> = g
        .data
        .iter()
        .filter(|d| d.class == DataClass::Secret)
        .map(|d| d.label.as_str())
        .collect();
    if !secrets.is_empty() {
        out.push_str(&format!(
            "- Secret, never in the body of a ticket (assignee section only): {}.\n",
            secrets.join(", ")
        ));
    }
    for r in &g.requires {
        out.push_str(&format!(
            "- Step {} ({}) always comes before step {} ({}).\n",
            number(r.first),
            g.step(r.first).name,
            number(r.then),
            g.step(r.then).name
        ));
    }
    if g.never_disclose.is_empty() && secrets.is_empty() && g.requires.is_empty() {
        out.push_str("- No data-handling rules.\n");
    }
    out.push_str("\n## Outcomes\n\n");
    for o in &g.outcomes {
        let targets: Vec<&str> = o
            .targets
            .iter()
            .map(|&t| g.targets[t as usize].title.as_str())
            .collect();
        let to = if targets.is_empty() {
            String::new()
        } else {
            format!(" — {}", targets.join(", "))
        };
        out.push_str(&format!(
            "- **{}** ({}): {}{to}\n",
            o.name,
            crate::paths::kind_name(o.kind),
            o.label
        ));
    }
    out.push_str("\n## Flowchart\n\n```mermaid\n");
    out.push_str(&super::graph::mermaid(g));
    out.push_str("```\n");
    out
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained HTML page; `svg` is the flowchart when Graphviz made one.
pub fn html(g: &Graph, svg: Option<&str>) -> String {
    let h = &g.header;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}: {}</title>\n<style>\nbody {{ font-family: sans-serif; max-width: 60rem; margin: 2rem auto; }}\ntable {{ border-collapse: collapse; width: 100%; }}\ntd, th {{ border: 1px solid #999; padding: 0.4rem; vertical-align: top; text-align: left; }}\n</style>\n</head>\n<body>\n<h1>{}: {}</h1>\n<table>\n",
        html_escape(&h.id), html_escape(&h.title), html_escape(&h.id), html_escape(&h.title)
    );
    for (k, v) in [
        ("SOP Owner", &h.owner),
        ("Approval", &h.approval),
        ("Implementation Date", &h.implemented),
        ("Last Reviewed/Update Date", &h.reviewed),
    ] {
        if let Some(v) = v {
            out.push_str(&format!(
                "<tr><th>{k}</th><td>{}</td></tr>\n",
                html_escape(v)
            ));
        }
    }
    out.push_str("</table>\n<h2>1. Purpose</h2>\n<p>");
    out.push_str(&html_escape(h.purpose.as_deref().unwrap_or("(not stated)")));
    out.push_str("</p>\n<h2>2. Process</h2>\n<table>\n<tr><th>Step</th><th>What to do</th><th>Responsibility</th></tr>\n");
    for (i, s) in g.steps.iter().enumerate() {
        let role = s
            .role
            .map(|r| g.roles[r as usize].title.as_str())
            .unwrap_or("");
        let words: Vec<String> = step_words(g, s)
            .iter()
            .map(|w| html_escape(&w.replace("**", "").replace('*', "")))
            .collect();
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            number(i as u32),
            words.join("<br>"),
            html_escape(role)
        ));
    }
    out.push_str("</table>\n<h2>Flowchart</h2>\n");
    match svg {
        Some(svg) => out.push_str(svg),
        None => out.push_str(&format!(
            "<p>Install Graphviz for a drawn flowchart. Mermaid source:</p>\n<pre>{}</pre>\n",
            html_escape(&super::graph::mermaid(g))
        )),
    }
    out.push_str("\n</body>\n</html>\n");
    out
}
