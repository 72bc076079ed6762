//! `sopc run POLICY`: walk an analyst through a call in the terminal. Each
//! step's instructions are shown, each question asked with numbered answers
//! (an answer may also be typed in any case, or by a prefix of its name or
//! words); the data a step collects are asked for one by one and checked
//! against their rules; the call ends with a summary. `back` returns to the
//! previous question, `suspend` saves the call to resume later (`--resume
//! FILE`), `help` lists the commands, `quit` leaves the call. Works over a
//! pipe too (one answer per line), so it can be scripted and tested.

use super::{load, Exit};
use sopc::engine::json::{check_data, fill, DataValues, REDACTED, UNRECORDED};
use sopc::engine::{Session, Status, MARKED};
use sopc::graph::{Action, DataClass, DataId, Fact, FactKind, FactSource, Graph, StepId};
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
    let mut data = DataValues::new();
    let mut resumed = args.resume.is_some();
    // A command typed at a data prompt, for the question prompt.
    let mut pending: Option<String> = None;
    let _ = writeln!(out, "{} — {}", g.header.id, g.header.title);
    let _ = writeln!(out, "(type `help` for the commands)");
    loop {
        let entered: Vec<StepId> = session.trace().steps.iter().skip(shown).copied().collect();
        shown = session.trace().steps.len();
        let current = session.question().map(|q| q.step);
        for s in entered {
            show_step(&mut out, g, s, &data);
            // A resumed call does not ask again for the data of the steps
            // it had passed.
            if resumed && Some(s) != current {
                continue;
            }
            match collect(&mut out, &mut lines, g, s, &mut data) {
                Ok(()) => {}
                Err(Stop::Command(line)) => {
                    pending = Some(line);
                    break;
                }
                Err(Stop::Quit) => return quit(&mut out, g, &session, &data),
                Err(Stop::EndOfInput) => return end_of_input(&mut out),
            }
        }
        resumed = false;
        let q = match session.status() {
            Status::Done(_) => {
                summary(&mut out, g, &session, &data);
                return Exit::Clean;
            }
            Status::Asking(q) => q,
        };
        let fact = g.fact(q.fact);
        let _ = writeln!(out, "\n? {}", fact.question());
        // A value, or the items of a verification, are typed; a choice is
        // picked by number or word.
        let typed = match &fact.kind {
            FactKind::Ordered(o) => {
                let _ = writeln!(out, "  (a value, for example {})", o.scale.example());
                true
            }
            FactKind::Verify(check) => {
                let at_least = check.at_least;
                let names: Vec<&str> = check
                    .items
                    .iter()
                    .map(|&d| g.data(d).name.as_str())
                    .collect();
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
        let _ = writeln!(out, "  (or `back`, `suspend` to finish later, `help`)");
        let _ = write!(out, "> ");
        let _ = out.flush();
        let line = match pending.take() {
            Some(line) => line,
            None => match lines.next() {
                Some(Ok(line)) => line,
                _ => return end_of_input(&mut out),
            },
        };
        let line = line.trim();
        if line == "help" || line == "?" {
            help(&mut out);
            continue;
        }
        if line == "quit" || line == "exit" {
            return quit(&mut out, g, &session, &data);
        }
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
            _ if matches!(fact.kind, FactKind::Verify(_)) => format!("{MARKED}{line}"),
            Ok(n) if !typed && (1..=fact.answers.len()).contains(&n) => {
                fact.answers[n - 1].to_string()
            }
            _ if typed => line.to_string(),
            _ => match choose(fact, line) {
                Ok(a) => a,
                Err(why) => {
                    let _ = writeln!(out, "{why}");
                    continue;
                }
            },
        };
        if let Err(e) = session.answer(&fact.name, &answer) {
            let _ = writeln!(out, "{e}");
        }
    }
}

/// Why the walk stops before the call's outcome.
enum Stop {
    Quit,
    EndOfInput,
    /// `back`, `suspend`, `help` or `anytime RULE` typed at a data prompt:
    /// the fields left are not known yet, and the command is carried out.
    Command(String),
}

fn end_of_input(out: &mut impl Write) -> Exit {
    let _ = writeln!(out);
    eprintln!("error: the input ended before the call reached an outcome");
    Exit::Usage
}

fn help(out: &mut impl Write) {
    let _ = writeln!(
        out,
        "  Answer with the answer's number, or its name or words (any case; a prefix is enough when only one answer starts so).
  back            go back to the previous question
  anytime RULE    raise a standing rule (those that apply now are listed)
  suspend         save the call to go on later (--resume FILE)
  quit            leave the call without an outcome
  help            this list
  When data are collected, type each value (an empty line: not known yet;
  a command leaves the rest unknown)."
    );
}

/// Leaves the call: what it did so far.
fn quit(out: &mut impl Write, g: &Graph, session: &Session<'_>, data: &DataValues) -> Exit {
    let _ = writeln!(out, "\n(the call was left without an outcome)");
    summary(out, g, session, data);
    Exit::Clean
}

/// The answer `input` names: by name or words, in any case, or by a
/// prefix only one answer has; otherwise why not, with the closest answer.
fn choose(fact: &Fact, input: &str) -> Result<String, String> {
    let wanted = input.to_lowercase();
    let n = fact.answers.len();
    let spellings = |i: usize| {
        [
            fact.answers[i].as_str().to_lowercase(),
            fact.answer_words(i).to_lowercase(),
        ]
    };
    if let Some(i) = (0..n).find(|&i| spellings(i).contains(&wanted)) {
        return Ok(fact.answers[i].to_string());
    }
    let starting: Vec<usize> = (0..n)
        .filter(|&i| !wanted.is_empty() && spellings(i).iter().any(|s| s.starts_with(&wanted)))
        .collect();
    match starting.as_slice() {
        [one] => Ok(fact.answers[*one].to_string()),
        [] => {
            let hint = sopc::suggest::closest(
                input,
                fact.answers.iter().map(sopc::graph::CompactString::as_str),
            )
            .map(|a| format!("; did you mean `{a}`?"))
            .unwrap_or_else(|| format!("; the answers are: {}", fact.answers.join(", ")));
            Err(format!(
                "`{input}` is not an answer to `{}`{hint}",
                fact.name
            ))
        }
        several => Err(format!(
            "`{input}` could be {}: type more of it, or its number",
            several
                .iter()
                .map(|&i| format!("`{}`", fact.answers[i]))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

/// Asks for each field a step collects that has no value yet, checking
/// each against its rules; an empty line leaves a field unknown.
fn collect(
    out: &mut impl Write,
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    g: &Graph,
    step: StepId,
    data: &mut DataValues,
) -> Result<(), Stop> {
    for a in &g.step(step).actions {
        let Action::Collect { data: fields, .. } = a else {
            continue;
        };
        for &f in fields {
            let d = g.data(f);
            if data.contains_key(&d.name) {
                continue;
            }
            loop {
                let note = match d.class {
                    DataClass::Secret => " (secret: never shown again)",
                    DataClass::Unrecorded => " (never written anywhere)",
                    _ => "",
                };
                let _ = write!(out, "  {}{note}: ", d.label);
                let _ = out.flush();
                let Some(Ok(line)) = lines.next() else {
                    return Err(Stop::EndOfInput);
                };
                let value = line.trim();
                match value {
                    "" => break,
                    "quit" | "exit" => return Err(Stop::Quit),
                    "back" | "suspend" | "help" => return Err(Stop::Command(value.to_string())),
                    _ if value.starts_with("anytime ") => {
                        return Err(Stop::Command(value.to_string()))
                    }
                    _ => {}
                }
                let one = DataValues::from([(d.name.clone(), value.to_string())]);
                match check_data(g, &one) {
                    Ok(()) => {
                        data.insert(d.name.clone(), value.to_string());
                        break;
                    }
                    Err(e) => {
                        let _ = writeln!(out, "  {e}");
                    }
                }
            }
        }
    }
    Ok(())
}

/// Prints one step's instructions, with the values known so far.
fn show_step(out: &mut impl Write, g: &Graph, s: StepId, data: &DataValues) {
    let step = g.step(s);
    let _ = writeln!(out, "\n== {} ==", step.title());
    for a in &step.actions {
        let line = match a {
            Action::Do { text, .. } => format!("  - {}", fill(g, text, data)),
            Action::Say { text, .. } => format!("  Say: \"{}\"", fill(g, text, data)),
            Action::Warn { text, .. } => format!("  WARN the caller: \"{}\"", fill(g, text, data)),
            Action::Note { text, .. } => format!("  Note: {}", fill(g, text, data)),
            Action::Gap { note, .. } => format!(
                "  Open question (the SOP does not say; go on): {}",
                fill(g, note, data)
            ),
            Action::Collect { data: fields, .. } => {
                let labels: Vec<&str> = fields.iter().map(|&d| g.data(d).label.as_str()).collect();
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
            Action::Handoff {
                policy, requires, ..
            } => {
                let labels: Vec<&str> =
                    requires.iter().map(|&d| g.data(d).label.as_str()).collect();
                let handing = if labels.is_empty() {
                    String::new()
                } else {
                    format!(", handing over {}", labels.join(", "))
                };
                format!("  HAND the call over to the procedure \"{policy}\"{handing}")
            }
            Action::Transfer { role, .. } if sopc::holder::takes_the_call(g, step) => {
                format!("  The {} takes the call.", g.role(*role).title)
            }
            Action::Transfer { role, reason, .. } => {
                let reason = if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {}", fill(g, reason, data))
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

/// A field's value for people: secrets redacted, unrecorded never shown,
/// a field not given marked so.
fn shown_value(g: &Graph, d: DataId, data: &DataValues) -> String {
    let field = g.data(d);
    match (field.class, data.get(&field.name)) {
        (DataClass::Unrecorded, _) => UNRECORDED.to_string(),
        (DataClass::Secret, Some(_)) => REDACTED.to_string(),
        (_, Some(v)) => v.clone(),
        (_, None) => "(not given)".to_string(),
    }
}

/// The end of the call (or where it was left): the path, the answers, the
/// outcome, tickets with their values, referrals, open questions.
fn summary(out: &mut impl Write, g: &Graph, session: &Session<'_>, data: &DataValues) {
    let trace = session.trace();
    if let Some(t) = session.outcome() {
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
    }
    let _ = writeln!(out, "\n== Summary ==");
    let path: Vec<&str> = trace
        .steps
        .iter()
        .map(|&s| g.step(s).name.as_str())
        .collect();
    let _ = writeln!(out, "Path: {}", path.join(" -> "));
    if !trace.answers.is_empty() {
        let answers: Vec<String> = trace
            .answers
            .iter()
            .map(|&(f, a)| {
                let fact = g.fact(f);
                format!("{} = {}", fact.name, fact.answers[a as usize])
            })
            .collect();
        let _ = writeln!(out, "Answers: {}", answers.join(", "));
    }
    for e in &trace.events {
        let _ = writeln!(
            out,
            "Raised: {} (at {})",
            g.rule(e.rule).label,
            g.step(e.at).name
        );
    }
    let collected: Vec<String> = g
        .data
        .iter()
        .enumerate()
        .filter(|(_, d)| data.contains_key(&d.name))
        .map(|(i, d)| format!("{} = {}", d.label, shown_value(g, DataId::new(i), data)))
        .collect();
    if !collected.is_empty() {
        let _ = writeln!(out, "Collected: {}", collected.join(", "));
    }
    for &s in &trace.steps {
        for a in &g.step(s).actions {
            match a {
                Action::Ticket(ticket) => {
                    let target = g.target(ticket.target);
                    let _ = writeln!(out, "Ticket to {}:", target.title);
                    if let Some(title) = &ticket.title {
                        let _ = writeln!(out, "  title: {}", fill(g, title, data));
                    }
                    for f in &ticket.fields {
                        let _ = writeln!(out, "  {}: {}", f.name, fill(g, &f.value, data));
                    }
                    let section = |ids: &[DataId]| -> String {
                        ids.iter()
                            .map(|&d| format!("{} = {}", g.data(d).label, shown_value(g, d, data)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let _ = writeln!(out, "  body: {}", section(&ticket.body));
                    if !ticket.assignee.is_empty() {
                        let _ = writeln!(out, "  assignee section: {}", section(&ticket.assignee));
                    }
                }
                Action::Refer { target, .. } => {
                    let t = g.target(*target);
                    let _ = writeln!(out, "Referred to {}", t.title);
                }
                _ => {}
            }
        }
    }
    if let Some(t) = session.outcome() {
        let o = g.outcome(t.outcome);
        if o.kind == sopc::graph::OutcomeKind::Gap {
            let _ = writeln!(out, "Open question for the SOP owner: {}", o.label);
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
