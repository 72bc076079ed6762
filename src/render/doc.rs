//! `sopc doc`: the policy as an SOP document in the seed's form: the header
//! block, the purpose, the numbered steps table (what to do, with the
//! conditions in plain words, and who does it), the escalation contacts,
//! the data-handling rules, the outcomes and the flowchart.
//!
//! [`document`] builds the content once, as sections of tables, lists and
//! paragraphs of plain text; [`markdown`] and [`html`] only lay it out and
//! escape it. A new section or sentence therefore reaches both formats.

use crate::graph::{
    Action, DataClass, DataId, Dest, Exit, FactKind, FactSource, Graph, Step, StepId, TargetKind,
    Terminal,
};

/// How a run of text is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Strong,
    Emphasis,
}

/// A run of text, unescaped; a `\n` in it is a line break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub style: Style,
    pub text: String,
}

/// One line of runs.
pub type Line = Vec<Run>;

/// A table cell: lines shown one under the other.
pub type Cell = Vec<Line>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// `head`: the column titles, or none (a key/value table whose first
    /// column names each row).
    Table {
        head: Option<Vec<String>>,
        rows: Vec<Vec<Cell>>,
    },
    Paragraph(Line),
    List(Vec<Line>),
    /// The decision graph: Mermaid in Markdown, drawn SVG in HTML.
    Flowchart,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// The whole document: a title, the blocks under it (the header table),
/// then sections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub intro: Vec<Block>,
    pub sections: Vec<Section>,
}

fn plain(text: impl Into<String>) -> Run {
    Run {
        style: Style::Plain,
        text: text.into(),
    }
}

fn strong(text: impl Into<String>) -> Run {
    Run {
        style: Style::Strong,
        text: text.into(),
    }
}

fn emphasis(text: impl Into<String>) -> Run {
    Run {
        style: Style::Emphasis,
        text: text.into(),
    }
}

/// A step's number in the document: its position in the policy, from 1.
fn number(s: StepId) -> usize {
    s.index() + 1
}

fn outcome_words(g: &Graph, t: Terminal) -> String {
    let o = g.outcome(t.outcome);
    match t.target {
        Some(x) => format!("the call ends: {} ({})", o.label, g.target(x).title),
        None => format!("the call ends: {}", o.label),
    }
}

/// A gap's number among the policy's open questions, from 1.
fn gap_number(g: &Graph, o: crate::graph::OutcomeId) -> usize {
    g.outcomes[..o.index()]
        .iter()
        .filter(|x| x.kind == crate::graph::OutcomeKind::Gap)
        .count()
        + 1
}

fn dest_words(g: &Graph, d: Dest) -> String {
    match d {
        Dest::Step(s) => match g.copy_of(s) {
            Some((p, call)) => format!(
                "go to step {} of the procedure {}",
                call.steps.iter().position(|&x| x == s).unwrap_or(0) + 1,
                g.procedure(p).name
            ),
            None => format!("go to step {}", number(s)),
        },
        Dest::End(t) if g.outcome(t.outcome).kind == crate::graph::OutcomeKind::Gap => format!(
            "the SOP does not say what to do (open question {}: “{}”)",
            gap_number(g, t.outcome),
            g.outcome(t.outcome).label
        ),
        Dest::End(t) => outcome_words(g, t),
        Dest::Unmatched => "cannot happen here".to_string(),
    }
}

/// Where an edge leads, with its bound in words.
/// `exits`: in a procedure's step, the procedure's exits.
fn edge_words(g: &Graph, e: &crate::graph::Edge, exits: &[String]) -> String {
    // In a procedure, an exit is written by its name: where it leads
    // depends on the call.
    let exit_words = |d: Dest, exit: Option<crate::graph::ExitId>| match exit {
        Some(x) => format!(
            "leave the procedure by its exit {}",
            exits.get(x.index()).map_or("?", String::as_str)
        ),
        None => dest_words(g, d),
    };
    let mut w = exit_words(e.to, e.exit);
    if let Some(b) = e.bound {
        w.push_str(&format!(
            " (at most {} times; after that, {})",
            b.times,
            exit_words(b.then, b.exit)
        ));
    }
    w
}

fn labels(g: &Graph, ids: &[DataId]) -> String {
    ids.iter()
        .map(|&d| g.data(d).label.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn ticket_words(g: &Graph, t: &crate::graph::Ticket) -> String {
    let target = g.target(t.target);
    let mut w = format!("File a ticket to {}", target.title);
    if let Some(v) = &target.via {
        w.push_str(&format!(" in {v}"));
    }
    if let Some(title) = &t.title {
        w.push_str(&format!(" titled “{title}”"));
    }
    for f in &t.fields {
        w.push_str(&format!("; {} “{}”", f.name, f.value));
    }
    if !t.body.is_empty() {
        w.push_str(&format!("; in the body: {}", labels(g, &t.body)));
    }
    if !t.assignee.is_empty() {
        w.push_str(&format!(
            "; in the assignee section only: {}",
            labels(g, &t.assignee)
        ));
    }
    w.push('.');
    w
}

/// What the analyst does in the step, one line per sentence.
fn step_lines(g: &Graph, id: StepId, s: &Step) -> Vec<Line> {
    let mut out = Vec::new();
    let exits = g
        .copy_of(id)
        .map_or(&[][..], |(p, _)| g.procedure(p).exits.as_slice());
    if !s.text.is_empty() {
        let t = s.text.trim_end_matches('.');
        let stop = if t.ends_with(['?', '!', ':']) {
            ""
        } else {
            "."
        };
        out.push(vec![strong(format!("{t}{stop}"))]);
    }
    if let Some(l) = s.loop_bound() {
        let words = match l.times {
            0 => format!(
                " the call does not come back to this step: each time it would, {}.",
                dest_words(g, l.then)
            ),
            n => format!(
                " the call comes back to this step at most {} in all, whichever way it comes; the next time, {}.",
                if n == 1 { "once".to_string() } else { format!("{n} times") },
                dest_words(g, l.then)
            ),
        };
        out.push(vec![emphasis("Loop limit:"), plain(words)]);
    }
    for a in &s.actions {
        out.push(match a {
            Action::Do { text, .. } => vec![plain(text.as_str())],
            Action::Say { text, .. } => vec![plain(format!("Say: “{text}”"))],
            Action::Warn { text, .. } => {
                vec![strong("Warn the caller:"), plain(format!(" “{text}”"))]
            }
            Action::Note { text, .. } => vec![emphasis("Note:"), plain(format!(" {text}"))],
            Action::Gap { note, .. } => vec![
                strong("Open question (the step goes on):"),
                plain(format!(" {note}")),
            ],
            Action::Collect { data, .. } => {
                vec![plain(format!("Collect: {}.", labels(g, data)))]
            }
            Action::Ticket(t) => vec![plain(ticket_words(g, t))],
            Action::Refer { target, .. } => {
                let t = g.target(*target);
                let via = t.via.as_ref().map_or(String::new(), |v| format!(" ({v})"));
                vec![plain(format!(
                    "Refer the caller to {}{via}, and go on.",
                    t.title
                ))]
            }
            // The step of a `role` fact that gives the call to the role
            // the host names: nobody transfers it.
            Action::Transfer { role, .. } if crate::holder::takes_the_call(g, s) => {
                vec![plain(format!(
                    "The {} takes the call.",
                    g.role(*role).title
                ))]
            }
            Action::Transfer {
                role,
                requires,
                reason,
                ..
            } => {
                let mut words = format!("Transfer the call (warm) to the {}", g.role(*role).title);
                if !requires.is_empty() {
                    words.push_str(&format!(", handing over {}", labels(g, requires)));
                }
                if !reason.is_empty() {
                    words.push_str(&format!(": {reason}"));
                }
                vec![strong(format!("{words}."))]
            }
            Action::Handoff {
                policy, requires, ..
            } => {
                let mut words = format!("Hand the call over to the procedure “{policy}”");
                if !requires.is_empty() {
                    words.push_str(&format!(", handing over {}", labels(g, requires)));
                }
                vec![strong(format!("{words}; it goes on there."))]
            }
        });
    }
    match &s.exit {
        Exit::Ask { fact, branches } | Exit::Match { fact, branches } => {
            let f = g.fact(*fact);
            match (&s.exit, &f.kind, &f.source) {
                (Exit::Ask { .. }, FactKind::Verify(check), _) => {
                    let (at_least, items) = (&check.at_least, &check.items);
                    let how = if *at_least as usize == items.len() {
                        "all of".to_string()
                    } else {
                        format!("at least {at_least} of")
                    };
                    out.push(vec![plain(format!(
                        "Verify: “{}”, {how}: {} (mark each item that checks out).",
                        f.question(),
                        labels(g, items)
                    ))]);
                }
                (Exit::Ask { .. }, _, _) if f.waits.is_some() => {
                    out.push(vec![plain(format!(
                        "Wait until: “{}” (the call can be suspended and resumed meanwhile)",
                        f.question()
                    ))]);
                }
                (Exit::Ask { .. }, _, _) => {
                    out.push(vec![plain(format!("Ask: “{}”", f.question()))]);
                }
                // A declared fact is read where it is first needed.
                (_, _, FactSource::Ask) => {
                    out.push(vec![plain(format!(
                        "Ask, if not asked yet: “{}”",
                        f.question()
                    ))]);
                }
                (_, _, FactSource::Lookup { system }) => {
                    let place = system
                        .as_ref()
                        .map(|s| format!(" in {s}"))
                        .unwrap_or_default();
                    out.push(vec![plain(format!(
                        "Look up{place}, if not looked up yet: {}.",
                        f.question()
                    ))]);
                }
                (_, _, FactSource::Host) => {
                    out.push(vec![plain(format!("From the console: {}.", f.question()))]);
                }
                _ => {}
            }
            for (a, e) in branches.iter().enumerate() {
                if e.to == Dest::Unmatched {
                    continue;
                }
                // Words read for an answer are quoted; a bare answer is not.
                let answer = if f.answer_words.get(a).is_some_and(|w| !w.is_empty()) {
                    format!("“{}”", f.answer_words(a))
                } else {
                    f.answers[a].to_string()
                };
                let answer = match f.waits.as_ref().and_then(|w| w.timeout) {
                    Some((t, minutes)) if t as usize == a => format!(
                        "{answer} (nothing after {})",
                        crate::domain::format(crate::domain::Scale::Minutes, minutes)
                    ),
                    _ => answer,
                };
                out.push(vec![plain(format!(
                    "If {answer}: {}.",
                    edge_words(g, e, exits)
                ))]);
            }
        }
        Exit::Goto { .. } if g.call_at(id).is_some() => {
            if let Some((p, call)) = g.call_at(id) {
                let proc = g.procedure(p);
                let what = if proc.text.is_empty() {
                    String::new()
                } else {
                    format!(": “{}”", proc.text)
                };
                out.push(vec![plain(format!(
                    "Follow the procedure {}{what} (see “Procedure {}”).",
                    proc.name, proc.name
                ))]);
                for (k, d) in call.exits.iter().enumerate() {
                    let exit = proc.exits.get(k).map_or("", String::as_str);
                    out.push(vec![plain(format!(
                        "If it leaves by {exit}: {}.",
                        dest_words(g, *d)
                    ))]);
                }
            }
        }
        Exit::Goto { edge } => {
            out.push(vec![plain(format!(
                "{}.",
                capitalise(&edge_words(g, edge, exits))
            ))]);
        }
        // The hand-over was said as the step's last action.
        Exit::End { terminal, .. } if g.outcome(terminal.outcome).policy.is_some() => {}
        Exit::End { terminal, .. } => out.push(vec![plain(format!(
            "{}.",
            capitalise(&dest_words(g, Dest::End(*terminal)))
        ))]),
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

/// A cell of one line of plain text.
fn text_cell(s: impl Into<String>) -> Cell {
    vec![vec![plain(s)]]
}

/// The document's content, for any format.
pub fn document(g: &Graph) -> Document {
    let h = &g.header;
    let header = [
        ("SOP #", Some(&h.id)),
        ("SOP Name", Some(&h.title)),
        ("SOP Owner", h.owner.as_ref()),
        ("Approval", h.approval.as_ref()),
        ("Revision #", h.revision.as_ref()),
        ("Implementation Date", h.implemented.as_ref()),
        ("Last Reviewed/Update Date", h.reviewed.as_ref()),
        ("Source", h.source.as_ref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| vec![text_cell(k), text_cell(v.clone())]))
    .collect();
    let mut sections = vec![Section {
        heading: "1. Purpose".into(),
        blocks: vec![Block::Paragraph(vec![plain(
            h.purpose.as_deref().unwrap_or("(not stated)"),
        )])],
    }];
    // A step without `by` is done by whoever holds the call: the first
    // role, unless the policy transfers calls.
    let transfers = g.steps.iter().any(|s| {
        s.actions
            .iter()
            .any(|a| matches!(a, Action::Transfer { .. }))
    });
    let anyone = match (g.roles.first(), transfers) {
        (Some(r), false) => r.title.clone(),
        (Some(_), true) => "Whoever holds the call".to_string(),
        (None, _) => String::new(),
    };
    // A procedure's steps are printed once, in its own section.
    let copied: std::collections::HashSet<StepId> = g
        .procedures
        .iter()
        .flat_map(|p| p.calls.iter().flat_map(|c| c.steps.iter().copied()))
        .collect();
    let rows = g
        .steps
        .iter()
        .enumerate()
        .filter(|(i, _)| !copied.contains(&StepId::new(*i)))
        .map(|(i, s)| {
            let role = s
                .role
                .map(|r| g.role(r).title.clone())
                .or(Some(anyone.clone()));
            let start = if StepId::new(i) == g.start {
                " (start)"
            } else {
                ""
            };
            vec![
                text_cell(format!("{}{start}", number(StepId::new(i)))),
                step_lines(g, StepId::new(i), s),
                text_cell(role.unwrap_or_default()),
            ]
        })
        .collect();
    sections.push(Section {
        heading: "2. Process".into(),
        blocks: vec![Block::Table {
            head: Some(vec![
                "Step".into(),
                "What to do".into(),
                "Responsibility".into(),
            ]),
            rows,
        }],
    });
    for p in &g.procedures {
        // Its steps as the first call copies them: the same at every call
        // but where the exits lead, which the calling steps say.
        let Some(first) = p.calls.first() else {
            continue;
        };
        let mut callers: Vec<String> = p
            .calls
            .iter()
            .map(|c| match g.copy_of(c.step) {
                Some((outer, _)) => format!("the procedure {}", g.procedure(outer).name),
                None => number(c.step).to_string(),
            })
            .collect();
        callers.dedup();
        let mut intro = vec![];
        if !p.text.is_empty() {
            intro.push(strong(format!("{}. ", p.text.trim_end_matches('.'))));
        }
        intro.push(plain(format!(
            "Followed from step{} {}; it starts at its step 1",
            if callers.len() == 1 { "" } else { "s" },
            callers.join(", ")
        )));
        intro.push(plain(if p.exits.is_empty() {
            ", and ends the call itself.".to_string()
        } else {
            format!(" and is left by its exits {}.", p.exits.join(", "))
        }));
        let rows = first
            .steps
            .iter()
            .enumerate()
            .map(|(k, &id)| {
                let s = g.step(id);
                let role = s
                    .role
                    .map(|r| g.role(r).title.clone())
                    .unwrap_or_else(|| anyone.clone());
                vec![
                    text_cell((k + 1).to_string()),
                    step_lines(g, id, s),
                    text_cell(role),
                ]
            })
            .collect();
        sections.push(Section {
            heading: format!("Procedure {}", p.name),
            blocks: vec![
                Block::Paragraph(intro),
                Block::Table {
                    head: Some(vec![
                        "Step".into(),
                        "What to do".into(),
                        "Responsibility".into(),
                    ]),
                    rows,
                },
            ],
        });
    }
    let standing: Vec<Line> = g
        .standing
        .iter()
        .map(|r| {
            let scope = match &r.within {
                None => "at any step".to_string(),
                Some(steps) => {
                    let n: Vec<String> =
                        steps.iter().map(|&s| number(s).to_string()).collect();
                    format!("in steps {}", n.join(", "))
                }
            };
            vec![
                strong(format!("{}.", r.label)),
                plain(format!(
                    " Whenever it happens {scope}, while the caller is being asked something, go to step {} (once per call; raised as {}).",
                    number(r.handler),
                    r.name
                )),
            ]
        })
        .collect();
    if !standing.is_empty() {
        sections.push(Section {
            heading: "At any moment".into(),
            blocks: vec![Block::List(standing)],
        });
    }
    let contacts: Vec<Vec<Cell>> = g
        .targets
        .iter()
        .filter(|t| t.kind != TargetKind::Referral)
        .map(|t| {
            let how = match (t.kind, &t.via) {
                (TargetKind::Ticket, Some(v)) => format!("ticket in {v}"),
                (TargetKind::Ticket, None) => "ticket".to_string(),
                _ => "contact directly".to_string(),
            };
            vec![
                text_cell(t.title.clone()),
                text_cell(how),
                text_cell(labels(g, &t.requires)),
            ]
        })
        .collect();
    let referrals: Vec<&str> = g
        .targets
        .iter()
        .filter(|t| t.kind == TargetKind::Referral)
        .map(|t| t.title.as_str())
        .collect();
    if !contacts.is_empty() {
        let mut blocks = vec![Block::Table {
            head: Some(vec![
                "Contact".into(),
                "How".into(),
                "Data every ticket must carry".into(),
            ]),
            rows: contacts,
        }];
        if !referrals.is_empty() {
            blocks.push(referrals_paragraph(&referrals));
        }
        sections.push(Section {
            heading: "Escalation contacts".into(),
            blocks,
        });
    } else if !referrals.is_empty() {
        // Without a contact table the referrals close the process section.
        if let Some(s) = sections.last_mut() {
            s.blocks.push(referrals_paragraph(&referrals));
        }
    }
    sections.push(Section {
        heading: "Data handling".into(),
        blocks: vec![Block::List(data_rules(g))],
    });
    if !g.never.is_empty() {
        let lines = g
            .never
            .iter()
            .map(|n| {
                let verb = match n.kind {
                    crate::graph::NeverKind::Say => "Never say",
                    crate::graph::NeverKind::Do => "Never",
                };
                vec![strong(verb), plain(format!(" “{}”.", n.phrase))]
            })
            .collect();
        sections.push(Section {
            heading: "Never".into(),
            blocks: vec![Block::List(lines)],
        });
    }
    // Those that end the call, then those it goes on past, each once.
    let mut notes: Vec<String> = g
        .outcomes
        .iter()
        .filter(|o| o.kind == crate::graph::OutcomeKind::Gap)
        .map(|o| o.label.clone())
        .collect();
    let mut going_on: Vec<&str> = Vec::new();
    for note in g.gaps_gone_past() {
        if !going_on.contains(&note) {
            going_on.push(note);
            notes.push(format!("{note} (the step goes on past it)"));
        }
    }
    let gaps: Vec<Line> = notes
        .iter()
        .enumerate()
        .map(|(k, note)| vec![strong(format!("{}.", k + 1)), plain(format!(" {note}"))])
        .collect();
    if !gaps.is_empty() {
        sections.push(Section {
            heading: "Open questions for the SOP owner".into(),
            blocks: vec![Block::List(gaps)],
        });
    }
    let outcomes = g
        .outcomes
        .iter()
        .filter(|o| o.kind != crate::graph::OutcomeKind::Gap)
        .map(|o| {
            let targets: Vec<&str> = o
                .targets
                .iter()
                .map(|&t| g.target(t).title.as_str())
                .collect();
            let to = if targets.is_empty() {
                String::new()
            } else {
                format!(" — {}", targets.join(", "))
            };
            let within = o
                .within_minutes
                .map(|m| {
                    format!(
                        ", within {}",
                        crate::domain::format(crate::domain::Scale::Minutes, m)
                    )
                })
                .unwrap_or_default();
            vec![
                strong(o.name.clone()),
                plain(format!(
                    " ({}{within}): {}{to}",
                    crate::paths::kind_name(o.kind),
                    o.label
                )),
            ]
        })
        .collect();
    sections.push(Section {
        heading: "Outcomes".into(),
        blocks: vec![Block::List(outcomes)],
    });
    sections.push(Section {
        heading: "Flowchart".into(),
        blocks: vec![Block::Flowchart],
    });
    Document {
        title: format!("{}: {}", h.id, h.title),
        intro: vec![Block::Table {
            head: None,
            rows: header,
        }],
        sections,
    }
}

fn referrals_paragraph(referrals: &[&str]) -> Block {
    Block::Paragraph(vec![
        strong("Referrals:"),
        plain(format!(" {}.", referrals.join("; "))),
    ])
}

/// A value rule in words.
fn rule_words(r: &crate::graph::ValueRule) -> String {
    use crate::graph::ValueRule;
    match r {
        ValueRule::MinLength { length } => format!("at least {length} characters"),
        ValueRule::MaxLength { length } => format!("at most {length} characters"),
        ValueRule::Length { length } => format!("exactly {length} characters"),
        ValueRule::Pattern { pattern } => format!("matches {pattern}"),
        ValueRule::Min { scale, value } => {
            format!("at least {}", crate::domain::format(*scale, *value))
        }
        ValueRule::Max { scale, value } => {
            format!("at most {}", crate::domain::format(*scale, *value))
        }
    }
}

fn data_rules(g: &Graph) -> Vec<Line> {
    let mut out = Vec::new();
    if !g.never_disclose.is_empty() {
        out.push(vec![plain(format!(
            "Never give out: {}.",
            labels(g, &g.never_disclose)
        ))]);
    }
    for d in &g.scoped_disclose {
        let f = g.fact(d.fact);
        let answer = f.answer_words(d.answer as usize);
        out.push(vec![plain(match d.scope {
            crate::graph::DisclosureScope::Until => format!(
                "Never give out {} until “{}” is {answer}.",
                labels(g, &d.data),
                f.question()
            ),
            crate::graph::DisclosureScope::To => format!(
                "Never give out {} when “{}” is {answer}, nor before it is known.",
                labels(g, &d.data),
                f.question()
            ),
        })]);
    }
    let unrecorded: Vec<&str> = g
        .data
        .iter()
        .filter(|d| d.class == DataClass::Unrecorded)
        .map(|d| d.label.as_str())
        .collect();
    if !unrecorded.is_empty() {
        out.push(vec![plain(format!(
            "Never written down anywhere (checked on the call only): {}.",
            unrecorded.join(", ")
        ))]);
    }
    for d in g.data.iter().filter(|d| !d.rules.is_empty()) {
        let rules: Vec<String> = d.rules.iter().map(rule_words).collect();
        out.push(vec![plain(format!("{}: {}.", d.label, rules.join(", ")))]);
    }
    let secrets: Vec<&str> = g
        .data
        .iter()
        .filter(|d| d.class == DataClass::Secret)
        .map(|d| d.label.as_str())
        .collect();
    if !secrets.is_empty() {
        out.push(vec![plain(format!(
            "Secret, never in the body of a ticket (assignee section only): {}.",
            secrets.join(", ")
        ))]);
    }
    for r in &g.requires {
        out.push(vec![plain(format!(
            "Step {} ({}) always comes before step {} ({}).",
            number(r.first),
            g.step(r.first).name,
            number(r.then),
            g.step(r.then).name
        ))]);
    }
    if out.is_empty() {
        out.push(vec![plain("No data-handling rules.")]);
    }
    out
}

// ------------------------------------------------------------ Markdown

/// Text as Markdown shows it, never as markup: HTML tags (by their `<`),
/// entities, code, links and emphasis are escaped, and so is `|`, which
/// would split a table cell. A line break becomes `<br>`, the one tag sopc
/// writes itself. (`>` is markup only where a block starts.)
fn md_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        match c {
            '<' => out.push_str("&lt;"),
            // `&` starts an entity only before a name or `#`.
            '&' if word(Some(i + 1)) || chars.get(i + 1) == Some(&'#') => out.push_str("&amp;"),
            '\\' | '`' | '*' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // Inside a word (`student_name`) `_` is no emphasis.
            '_' if !(word(i.checked_sub(1)) && word(Some(i + 1))) => out.push_str("\\_"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

fn md_line(line: &Line) -> String {
    let mut out = String::new();
    for r in line {
        // Emphasis markers hug the text: the spaces around it stay outside.
        let (before, inner, after) = split_space(&r.text);
        let mark = match r.style {
            Style::Plain => "",
            Style::Strong => "**",
            Style::Emphasis => "*",
        };
        out.push_str(before);
        if !inner.is_empty() {
            out.push_str(mark);
            out.push_str(&md_text(inner));
            out.push_str(mark);
        }
        out.push_str(after);
    }
    out
}

fn split_space(s: &str) -> (&str, &str, &str) {
    let inner = s.trim();
    let start = s.len() - s.trim_start().len();
    (&s[..start], inner, &s[start + inner.len()..])
}

fn md_cell(cell: &Cell) -> String {
    let lines: Vec<String> = cell.iter().map(md_line).collect();
    lines.join("<br>")
}

/// The document in Markdown, with a Mermaid flowchart.
pub fn markdown(g: &Graph) -> String {
    let doc = document(g);
    // A `#` at the end of a heading would close it.
    let mut out = format!("# {}\n", md_text(&doc.title).replace('#', "\\#"));
    for b in &doc.intro {
        md_block(&mut out, g, b);
    }
    for s in &doc.sections {
        out.push_str(&format!(
            "\n## {}\n",
            md_text(&s.heading).replace('#', "\\#")
        ));
        for b in &s.blocks {
            md_block(&mut out, g, b);
        }
    }
    out
}

fn md_block(out: &mut String, g: &Graph, b: &Block) {
    out.push('\n');
    match b {
        Block::Table { head, rows } => {
            let width = rows.first().map_or(0, Vec::len);
            let head: Vec<String> = match head {
                Some(h) => h.iter().map(|c| md_text(c)).collect(),
                None => vec![String::new(); width],
            };
            // Untitled columns: `| | |`.
            let titles: String = head
                .iter()
                .map(|h| match h.is_empty() {
                    true => " |".to_string(),
                    false => format!(" {h} |"),
                })
                .collect();
            out.push_str(&format!("|{titles}\n"));
            out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
            for row in rows {
                let cells: Vec<String> = row.iter().map(md_cell).collect();
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
        }
        Block::Paragraph(line) => {
            out.push_str(&md_block_start(&md_line(line)));
            out.push('\n');
        }
        Block::List(items) => {
            for item in items {
                out.push_str(&format!("- {}\n", md_block_start(&md_line(item))));
            }
        }
        Block::Flowchart => {
            out.push_str("```mermaid\n");
            out.push_str(&super::graph::mermaid(g));
            out.push_str("```\n");
        }
    }
}

/// Escaped text that starts a block (a paragraph, a list item): a leading
/// `#`, `>`, `-`, `+`, `=` or `1.` would make it a heading, a quote or a
/// list.
fn md_block_start(t: &str) -> String {
    let t = t.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if t.starts_with(['#', '>', '-', '+', '=']) {
        format!("\\{t}")
    } else if digits > 0 && t[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &t[..digits], &t[digits..])
    } else {
        t.to_string()
    }
}

// ------------------------------------------------------------ HTML

/// Text as HTML shows it, in an element or an attribute.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// [`html_escape`], with line breaks as `<br/>`.
fn html_text(s: &str) -> String {
    html_escape(&s.replace('\r', "")).replace('\n', "<br/>")
}

fn html_line(line: &Line) -> String {
    let mut out = String::new();
    for r in line {
        let text = html_text(&r.text);
        match r.style {
            Style::Plain => out.push_str(&text),
            Style::Strong => out.push_str(&format!("<strong>{text}</strong>")),
            Style::Emphasis => out.push_str(&format!("<em>{text}</em>")),
        }
    }
    out
}

fn html_cell(cell: &Cell) -> String {
    let lines: Vec<String> = cell.iter().map(html_line).collect();
    lines.join("<br/>")
}

const STYLE: &str =
    "body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #999; padding: 0.4rem; vertical-align: top; text-align: left; }
.flowchart svg { max-width: 100%; height: auto; }
pre { overflow-x: auto; }";

/// A self-contained HTML page (well-formed XML as well, so XML tools read
/// it); `svg` is the flowchart when Graphviz drew one, else the Mermaid
/// source is shown.
pub fn html(g: &Graph, svg: Option<&str>) -> String {
    let doc = document(g);
    // `<title>` holds text only, no `<br/>`.
    let head_title = html_escape(&doc.title.replace('\n', " "));
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{head_title}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        html_text(&doc.title)
    );
    for b in &doc.intro {
        html_block(&mut out, g, b, svg);
    }
    for s in &doc.sections {
        out.push_str(&format!("<h2>{}</h2>\n", html_text(&s.heading)));
        for b in &s.blocks {
            html_block(&mut out, g, b, svg);
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn html_block(out: &mut String, g: &Graph, b: &Block, svg: Option<&str>) {
    match b {
        Block::Table { head, rows } => {
            out.push_str("<table>\n");
            if let Some(head) = head {
                out.push_str("<tr>");
                for h in head {
                    out.push_str(&format!("<th>{}</th>", html_text(h)));
                }
                out.push_str("</tr>\n");
            }
            for row in rows {
                out.push_str("<tr>");
                for (i, c) in row.iter().enumerate() {
                    // Without column titles, the first column names the row.
                    let tag = if head.is_none() && i == 0 { "th" } else { "td" };
                    out.push_str(&format!("<{tag}>{}</{tag}>", html_cell(c)));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
        }
        Block::Paragraph(line) => out.push_str(&format!("<p>{}</p>\n", html_line(line))),
        Block::List(items) => {
            out.push_str("<ul>\n");
            for item in items {
                out.push_str(&format!("<li>{}</li>\n", html_line(item)));
            }
            out.push_str("</ul>\n");
        }
        Block::Flowchart => match svg.and_then(embeddable_svg) {
            Some(svg) => out.push_str(&format!("<div class=\"flowchart\">\n{svg}\n</div>\n")),
            None => out.push_str(&format!(
                "<p>Install Graphviz for a drawn flowchart. Mermaid source:</p>\n<pre>{}</pre>\n",
                html_escape(&super::graph::mermaid(g))
            )),
        },
    }
}

/// The `<svg>` element of a standalone SVG file, ready to sit inside a page:
/// without the XML prolog, doctype and comments before it (not allowed
/// mid-page), with a `viewBox` and a style that shrink it to the page width
/// keeping its proportions. `None` when there is no `<svg>` element.
pub fn embeddable_svg(svg: &str) -> Option<String> {
    let start = svg.find("<svg")?;
    let end = svg.rfind("</svg>")? + "</svg>".len();
    if end <= start {
        return None;
    }
    let element = &svg[start..end];
    let tag_end = element.find('>')?;
    let (tag, rest) = element.split_at(tag_end);
    let tag = tag.trim_end_matches('/');
    let mut open = tag.to_string();
    if !has_attribute(tag, "viewBox") {
        let size = |name: &str| {
            attribute(tag, name).and_then(|v| {
                v.trim_end_matches(|c: char| c.is_ascii_alphabetic())
                    .parse::<f64>()
                    .ok()
            })
        };
        if let (Some(w), Some(h)) = (size("width"), size("height")) {
            open.push_str(&format!(" viewBox=\"0 0 {w} {h}\""));
        }
    }
    if !has_attribute(tag, "style") {
        open.push_str(" style=\"max-width:100%;height:auto\"");
    }
    Some(format!("{open}{rest}"))
}

fn has_attribute(tag: &str, name: &str) -> bool {
    attribute(tag, name).is_some()
}

/// The value of `name="…"` in a start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = tag[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = tag[..at].ends_with(|c: char| c.is_whitespace());
        let after = tag[from..].trim_start();
        if before_ok && after.starts_with('=') {
            let value = after[1..].trim_start();
            let quote = value.chars().next()?;
            if quote == '"' || quote == '\'' {
                let body = &value[1..];
                return body.find(quote).map(|e| &body[..e]);
            }
        }
    }
    None
}
