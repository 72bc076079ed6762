//! `sopc run POLICY`: walk an analyst through a call in the terminal. Each
//! step's instructions are shown, each question asked with numbered answers;
//! `back` returns to the previous question, `suspend` saves the call to
//! resume later (`--resume FILE`). Works over a pipe too (one answer per
//! line), so it can be scripted and tested.

use super::{load, Exit};
use sopc::engine::json::REDACTED;
use sopc::engine::{Session, Status, MARKED};
use sopc::graph::{Action, DataClass, DataId, FactKind, FactSource, Graph};
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A policy file or a compiled artifact (.json)
    pub policy: PathBuf,
    /// Where `suspend` writes the call (JSON); without it, it is printed
    #[arg(long, value_name = "FILE")]
    pub suspend_to: Option<PathBuf>,
    /// Resume a call suspended with `suspend`, on the same policy version
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
}

pub fn run(args: Args) -> Exit {
    let engine = match load::engine(&args.policy) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let g = engine.graph();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut out = std::io::stdout().lock();
    let mut session = match &args.resume {
        None => engine.start(),
        Some(path) => {
            let record = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))
                .and_then(|t| {
                    serde_json::from_str::<serde_json::Value>(&t)
                        .map_err(|e| format!("`{}` is not valid JSON: {e}", path.display()))
                });
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Exit::Usage;
                }
            };
            match engine.resume(&record) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error[{}]: {e}", e.code());
                    return Exit::PolicyErrors;
                }
            }
        }
    };
    let mut shown = 0;
    let _ = writeln!(out, "{} — {}", g.header.id, g.header.title);
    loop {
        shown = show_steps(&mut out, g, &session, shown);
        let q = match session.status() {
            Status::Done(t) => {
                show_outcome(&mut out, g, &session, t);
                return Exit::Clean;
            }
            Status::Asking(q) => q,
        };
        let fact = g.fact(q.fact);
        let _ = writeln!(out, "\n? {}", fact.question());
        // A value, or the items of a verification, are typed; a choice is
        // picked by number or word.
        let typed = match &fact.kind {
            FactKind::Ordered { scale, .. } => {
                let _ = writeln!(out, "  (a value, for example {})", scale.example());
                true
            }
            FactKind::Verify { at_least, items } => {
                let names: Vec<&str> = items.iter().map(|&d| g.data(d).name.as_str()).collect();
                let _ = writeln!(
                    out,
                    "  Mark the items that check out (at least {at_least} to pass), separated by commas: {}",
                    names.join(", ")
                );
                true
            }
            _ => {
                for (i, _) in fact.answers.iter().enumerate() {
                    let _ = writeln!(out, "  {}) {}", i + 1, fact.answer_words(i));
                }
                false
            }
        };
        match &fact.source {
            FactSource::Lookup { system: Some(s) } => {
                let _ = writeln!(out, "  (look it up in {s})");
            }
            FactSource::Host => {
                let _ = writeln!(out, "  (the console gives this at the start of the call)");
            }
            _ => {}
        }
        for r in session.raisable() {
            let rule = g.rule(r);
            let _ = writeln!(
                out,
                "  (at any moment: `anytime {}` if {})",
                rule.name,
                lower_first(&rule.label)
            );
        }
        let _ = writeln!(out, "  (or `back`, or `suspend` to finish later)");
        let _ = write!(out, "> ");
        let _ = out.flush();
        let Some(Ok(line)) = lines.next() else {
            let _ = writeln!(out);
            eprintln!("error: the input ended before the call reached an outcome");
            return Exit::Usage;
        };
        let line = line.trim();
        if line == "back" || line == "b" {
            match session.back() {
                Ok(()) => {
                    shown = session.trace().steps.len().saturating_sub(1);
                    let _ = writeln!(out, "(back to the previous question)");
                }
                Err(e) => {
                    let _ = writeln!(out, "{e}");
                }
            }
            continue;
        }
        if line == "suspend" {
            let record = session.suspend().to_string();
            match &args.suspend_to {
                Some(path) => {
                    if let Err(e) = std::fs::write(path, &record) {
                        eprintln!("error: cannot write `{}`: {e}", path.display());
                        return Exit::Usage;
                    }
                    let _ = writeln!(
                        out,
                        "(suspended: resume with `sopc run {} --resume {}`)",
                        args.policy.display(),
                        path.display()
                    );
                }
                None => {
                    let _ = writeln!(out, "{record}");
                }
            }
            return Exit::Clean;
        }
        if let Some(rule) = line.strip_prefix("anytime ") {
            if let Err(e) = session.raise(rule.trim()) {
                let _ = writeln!(out, "{e}");
            }
            continue;
        }
        let answer = match line.parse::<usize>() {
            _ if matches!(fact.kind, FactKind::Verify { .. }) => format!("{MARKED}{line}"),
            Ok(n) if !typed && (1..=fact.answers.len()).contains(&n) => fact.answers[n - 1].clone(),
            _ => line.to_string(),
        };
        if let Err(e) = session.answer(&fact.name, &answer) {
            let _ = writeln!(out, "{e}");
        }
    }
}

/// Prints the steps entered since `shown`; returns the new count.
fn show_steps(out: &mut impl Write, g: &Graph, session: &Session<'_>, shown: usize) -> usize {
    let steps = &session.trace().steps;
    for &s in steps.iter().skip(shown) {
        let step = g.step(s);
        let _ = writeln!(out, "\n== {} ==", step.title());
        for a in &step.actions {
            let line = match a {
                Action::Do { text, .. } => format!("  - {text}"),
                Action::Say { text, .. } => format!("  Say: \"{text}\""),
                Action::Warn { text, .. } => format!("  WARN the caller: \"{text}\""),
                Action::Note { text, .. } => format!("  Note: {text}"),
                Action::Collect { data, .. } => {
                    let labels: Vec<&str> =
                        data.iter().map(|&d| g.data(d).label.as_str()).collect();
                    format!("  Collect: {}", labels.join(", "))
                }
                Action::Ticket(t) => {
                    let target = g.target(t.target);
                    format!(
                        "  File a ticket to {}{}",
                        target.title,
                        target
                            .via
                            .as_ref()
                            .map(|v| format!(" via {v}"))
                            .unwrap_or_default()
                    )
                }
                Action::Refer { target, .. } => {
                    let t = g.target(*target);
                    format!(
                        "  Refer the caller to {}{}",
                        t.title,
                        t.via
                            .as_ref()
                            .map(|v| format!(" ({v})"))
                            .unwrap_or_default()
                    )
                }
                Action::Transfer { role, reason, .. } => {
                    let reason = if reason.is_empty() {
                        String::new()
                    } else {
                        format!(": {reason}")
                    };
                    format!(
                        "  TRANSFER the call (warm) to {}{reason}",
                        g.role(*role).title
                    )
                }
            };
            let _ = writeln!(out, "{line}");
        }
    }
    steps.len()
}

fn show_outcome(out: &mut impl Write, g: &Graph, session: &Session<'_>, t: sopc::graph::Terminal) {
    let o = g.outcome(t.outcome);
    if o.kind == sopc::graph::OutcomeKind::Gap {
        let _ = writeln!(
            out,
            "\nThe SOP does not say what to do here (an open question for its owner): {}",
            o.label
        );
    } else {
        let _ = writeln!(out, "\nOutcome: {} ({})", o.label, g.terminal_text(t));
    }
    for &s in &session.trace().steps {
        for a in &g.step(s).actions {
            if let Action::Ticket(ticket) = a {
                let target = g.target(ticket.target);
                let _ = writeln!(out, "Ticket to {}:", target.title);
                if let Some(title) = &ticket.title {
                    let _ = writeln!(out, "  title: {title}");
                }
                for f in &ticket.fields {
                    let _ = writeln!(out, "  {}: {}", f.name, f.value);
                }
                let section = |ids: &[DataId]| -> String {
                    ids.iter()
                        .map(|&d| {
                            let d = g.data(d);
                            if d.class == DataClass::Secret {
                                format!("{} = {REDACTED}", d.label)
                            } else {
                                d.label.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let _ = writeln!(out, "  body: {}", section(&ticket.body));
                if !ticket.assignee.is_empty() {
                    let _ = writeln!(out, "  assignee section: {}", section(&ticket.assignee));
                }
            }
        }
    }
}

/// A label read inside a sentence: "The caller …" as "the caller …".
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
