//! Completion. The declaration being typed usually does not parse yet, so
//! the place is read from the words before the cursor (a small scanner
//! that skips texts and comments), and the names offered come from the
//! declarations that do parse (the index).
//!
//! Offered: step names after `->`, `goto`, `then`, `loop`; outcomes after `end`
//! and `expect`, and an outcome's targets inside its parentheses; answers
//! at the start of a branch of `ask`/`match`/`verify` and in a scenario's
//! `answers`; data in `collect`, a ticket's `body`/`assignee`, `requires`,
//! `verify` items, `never disclose` and `{…}` in a text; targets after
//! `ticket`; roles after `by` and `transfer`; facts after `match`; lint
//! codes after `lint allow`; otherwise the keywords that may start a line
//! there.

use super::index::{Index, Kind};
use crate::syntax::ast::*;
use crate::syntax::keywords;
use lsp_types::{CompletionItem, CompletionItemKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'a> {
    Word(&'a str),
    Punct(&'a str),
    Text,
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    tok: Tok<'a>,
    /// The first token on its line.
    first: bool,
}

/// The tokens of `text`, without texts' contents and comments.
fn scan(text: &str) -> Vec<Token<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut first = true;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let tok = match c {
            b'\n' => {
                first = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = text[i..].find('\n').map_or(b.len(), |n| i + n);
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                Tok::Text
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                Tok::Word(&text[start..i])
            }
            b'-' if b.get(i + 1) == Some(&b'>') => {
                i += 2;
                Tok::Punct("->")
            }
            _ => {
                // One character (a whole one, should it not be ASCII).
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                Tok::Punct(&text[start..i])
            }
        };
        out.push(Token { tok, first });
        first = false;
    }
    out
}

/// Where the declaration around `offset` starts: the last line at or
/// before it whose first word starts a declaration (or the header).
fn declaration_start(text: &str, offset: usize) -> usize {
    let mut end = offset;
    loop {
        let start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let word: String = text[start..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if start == 0 || word == "sop" || keywords::DECLARATIONS.contains(&word.as_str()) {
            return start;
        }
        end = start - 1;
    }
}

/// Whether `offset` is inside a text or a comment on its line; inside a
/// text, whether a `{` reference is open there.
fn in_text_or_comment(line: &str) -> Option<bool> {
    let b = line.as_bytes();
    let mut i = 0;
    let mut in_text = false;
    let mut open_ref = false;
    while i < b.len() {
        match (in_text, b[i]) {
            (false, b'#') => return Some(false),
            (false, b'"') => {
                in_text = true;
                open_ref = false;
            }
            (true, b'\\') => i += 1,
            (true, b'"') => in_text = false,
            (true, b'{') => open_ref = true,
            (true, b'}') => open_ref = false,
            _ => {}
        }
        i += 1;
    }
    in_text.then_some(open_ref)
}

/// What may be written at the cursor.
#[derive(Debug, PartialEq, Eq)]
enum Slot<'a> {
    Names(Kind),
    /// Answers of a fact; `else` too when `with_else`.
    Answers {
        fact: &'a str,
        with_else: bool,
        taken: Vec<&'a str>,
        listed: Vec<&'a str>,
    },
    /// The targets an outcome may name.
    TargetsOf(&'a str),
    /// A step's way out: steps, `end`, `gap`.
    Destination,
    Outcomes {
        gap: bool,
    },
    LintCodes,
    Keywords(Vec<&'static [&'static str]>),
}

/// The completions at byte `offset` of `text`.
pub fn complete(text: &str, p: &Policy, index: &Index, offset: usize) -> Vec<CompletionItem> {
    let offset = crate::span::floor_char_boundary(text, offset.min(text.len()));
    let word_start = text[..offset]
        .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
        .len();
    let line_start = text[..word_start].rfind('\n').map_or(0, |i| i + 1);
    match in_text_or_comment(&text[line_start..word_start]) {
        Some(true) => return items(p, index, Slot::Names(Kind::Data)),
        Some(false) => return Vec::new(),
        None => {}
    }
    let start = declaration_start(text, word_start);
    let toks = scan(&text[start..word_start]);
    let at_line_start = text[line_start..word_start].trim().is_empty();
    let slot = slot(&toks, at_line_start);
    items(p, index, slot)
}

fn word<'a>(t: Option<&Token<'a>>) -> Option<&'a str> {
    match t?.tok {
        Tok::Word(w) => Some(w),
        _ => None,
    }
}

fn punct(t: Option<&Token>, p: &str) -> bool {
    matches!(t, Some(Token { tok: Tok::Punct(q), .. }) if *q == p)
}

/// The word that starts the list the cursor is in (`collect a, b, |` or
/// `collect |`): back over `name ,` pairs to the word (or `:`) before them.
/// After a name that no comma follows, that name.
fn list_head<'a>(toks: &[Token<'a>]) -> Option<&'a str> {
    let mut i = toks.len().checked_sub(1)?;
    while punct(toks.get(i), ",") {
        if i < 2 || word(toks.get(i - 1)).is_none() {
            return None;
        }
        i -= 2;
    }
    match toks[i].tok {
        Tok::Word(w) => Some(w),
        Tok::Punct(":") => Some(":"),
        _ => None,
    }
}

fn slot<'a>(toks: &[Token<'a>], at_line_start: bool) -> Slot<'a> {
    let head = word(toks.first());
    let n = toks.len();
    let last = toks.last();
    let before = |k: usize| toks.get(n.wrapping_sub(k + 1));
    // Braces still open before the cursor.
    let depth = toks.iter().fold(0i32, |d, t| match t.tok {
        Tok::Punct("{") => d + 1,
        Tok::Punct("}") => d - 1,
        _ => d,
    });
    if depth <= 0 && at_line_start && !punct(last, ",") {
        return Slot::Keywords(vec![keywords::DECLARATIONS]);
    }
    match head {
        Some("step") => step_slot(toks, at_line_start),
        Some("scenario") => scenario_slot(toks, at_line_start),
        Some("start") | Some("require") => Slot::Names(Kind::Step),
        Some("loop") => loop_slot(toks),
        Some("never") => match list_head(toks) {
            Some("disclose") => Slot::Names(Kind::Data),
            _ if matches!(word(last), Some("until" | "to")) => Slot::Names(Kind::Fact),
            _ => match (word(before(1)), word(last)) {
                (Some("until" | "to"), Some(fact)) => Slot::Answers {
                    fact,
                    with_else: false,
                    taken: vec![],
                    listed: vec![],
                },
                _ => Slot::Keywords(vec![&["disclose", "say", "do", "until", "to"]]),
            },
        },
        Some("target") => match list_head(toks) {
            Some("requires") => Slot::Names(Kind::Data),
            _ => Slot::Keywords(vec![keywords::TARGET_KINDS, &["via", "requires"]]),
        },
        Some("outcome") => match list_head(toks) {
            Some("to") => Slot::Names(Kind::Target),
            _ => Slot::Keywords(vec![keywords::OUTCOME_KINDS, &["to", "within"]]),
        },
        Some("data") => Slot::Keywords(vec![keywords::DATA_CLASSES, keywords::VALUE_RULES]),
        Some("fact") => Slot::Keywords(vec![keywords::FACT_TYPES, keywords::FACT_SOURCES]),
        Some("sop") if at_line_start => Slot::Keywords(vec![keywords::HEADER_FIELDS]),
        _ => Slot::Keywords(vec![]),
    }
}

/// `loop STEP at most N times, then DEST`: a step, the bound's words, a
/// destination.
fn loop_slot<'a>(toks: &[Token<'a>]) -> Slot<'a> {
    match word(toks.last()) {
        Some("loop") => Slot::Names(Kind::Step),
        Some("then") => Slot::Destination,
        Some("end") => Slot::Outcomes { gap: false },
        _ => Slot::Keywords(vec![&["at", "most", "times", "then"]]),
    }
}

fn step_slot<'a>(toks: &[Token<'a>], at_line_start: bool) -> Slot<'a> {
    let n = toks.len();
    let last = toks.last();
    let before = |k: usize| toks.get(n.wrapping_sub(k + 1));
    if punct(last, "->") || matches!(word(last), Some("goto" | "then")) {
        return Slot::Destination;
    }
    if word(last) == Some("end") {
        return Slot::Outcomes { gap: false };
    }
    if punct(last, "(") && word(before(2)) == Some("end") {
        if let Some(outcome) = word(before(1)) {
            return Slot::TargetsOf(outcome);
        }
    }
    match word(last) {
        Some("by" | "transfer") => return Slot::Names(Kind::Role),
        Some("match") => return Slot::Names(Kind::Fact),
        Some("ticket") => return Slot::Names(Kind::Target),
        Some("allow" | "warn" | "deny") if word(before(1)) == Some("lint") => {
            return Slot::LintCodes
        }
        Some("lint") => return Slot::Keywords(vec![keywords::LINT_LEVELS]),
        _ => {}
    }
    if let Some("collect" | "body" | "assignee" | "requires" | "of" | ":") = list_head(toks) {
        return Slot::Names(Kind::Data);
    }
    // Inside a ticket's braces: its sections.
    if at_line_start {
        let mut depth = 0;
        for (i, t) in toks.iter().enumerate().rev() {
            match t.tok {
                Tok::Punct("}") => depth += 1,
                Tok::Punct("{") if depth > 0 => depth -= 1,
                Tok::Punct("{") => {
                    if i >= 2 && word(toks.get(i - 2)) == Some("ticket") {
                        return Slot::Keywords(vec![keywords::TICKET_ITEMS]);
                    }
                    break;
                }
                _ => {}
            }
        }
    }
    // The step's way out, if one has started: where a branch may start,
    // its answers.
    let exit = toks
        .iter()
        .rposition(|t| t.first && matches!(word(Some(t)), Some("ask" | "match" | "verify")));
    if let Some(e) = exit {
        let fact = word(toks.get(e + 1));
        let match_brace =
            word(toks.get(e)) == Some("match") && punct(toks.get(e + 2), "{") && n == e + 3;
        if let (Some(fact), true) = (fact, at_line_start || match_brace) {
            let rest = &toks[e..];
            // The answers an `ask` lists in its braces.
            let mut listed = Vec::new();
            if word(toks.get(e)) == Some("ask") {
                if let Some(open) = rest.iter().position(|t| punct(Some(t), "{")) {
                    for t in &rest[open + 1..] {
                        match t.tok {
                            Tok::Word(w) => listed.push(w),
                            Tok::Punct("}") => break,
                            _ => {}
                        }
                    }
                }
            }
            let taken = rest
                .windows(2)
                .filter(|w| punct(Some(&w[1]), "->"))
                .filter_map(|w| word(Some(&w[0])))
                .collect();
            let verify = word(toks.get(e)) == Some("verify");
            return Slot::Answers {
                fact,
                with_else: !verify,
                taken,
                listed: if verify {
                    vec!["passed", "failed"]
                } else {
                    listed
                },
            };
        }
    }
    if at_line_start {
        return Slot::Keywords(vec![keywords::ACTIONS, keywords::WAYS_OUT]);
    }
    Slot::Keywords(vec![])
}

fn scenario_slot<'a>(toks: &[Token<'a>], at_line_start: bool) -> Slot<'a> {
    let n = toks.len();
    let last = toks.last();
    let before = |k: usize| toks.get(n.wrapping_sub(k + 1));
    if at_line_start {
        return Slot::Keywords(vec![keywords::SCENARIO_ITEMS]);
    }
    if word(last) == Some("expect") {
        return Slot::Outcomes { gap: true };
    }
    if punct(last, "(") && word(before(2)) == Some("expect") {
        if let Some(outcome) = word(before(1)) {
            return Slot::TargetsOf(outcome);
        }
    }
    // `fact = |`, `fact = [a, |`.
    let answer_of = if punct(last, "=") {
        word(before(1))
    } else if punct(last, "[") || punct(last, ",") {
        let open = toks
            .iter()
            .rposition(|t| matches!(t.tok, Tok::Punct("[" | "]")));
        match open {
            Some(o) if punct(toks.get(o), "[") && punct(toks.get(o.wrapping_sub(1)), "=") => {
                word(toks.get(o.wrapping_sub(2)))
            }
            _ => None,
        }
    } else {
        None
    };
    if let Some(fact) = answer_of {
        return Slot::Answers {
            fact,
            with_else: false,
            taken: vec![],
            listed: vec![],
        };
    }
    match list_head(toks) {
        Some("visits") => return Slot::Names(Kind::Step),
        Some("answers") => return Slot::Names(Kind::Fact),
        _ => {}
    }
    // `answers a = x, |`: the next fact.
    if punct(last, ",") && toks.iter().rev().any(|t| word(Some(t)) == Some("answers")) {
        let last_item = toks
            .iter()
            .rposition(|t| matches!(word(Some(t)), Some("answers" | "expect" | "visits")));
        if last_item.and_then(|i| word(toks.get(i))) == Some("answers") {
            return Slot::Names(Kind::Fact);
        }
    }
    Slot::Keywords(vec![])
}

/// A name's words, for the completion's detail.
fn detail(p: &Policy, kind: Kind, name: &str) -> Option<String> {
    let value = |t: &Option<Text>| t.as_ref().map(|t| t.value().into_owned());
    match kind {
        Kind::Step => value(&p.steps.iter().find(|s| s.name.text() == name)?.text),
        Kind::Target => Some(
            p.targets
                .iter()
                .find(|s| s.name.text() == name)?
                .title
                .value()
                .into(),
        ),
        Kind::Data => value(&p.data.iter().find(|s| s.name.text() == name)?.label),
        Kind::Outcome => value(&p.outcomes.iter().find(|s| s.name.text() == name)?.label),
        Kind::Role => Some(
            p.roles
                .iter()
                .find(|s| s.name.text() == name)?
                .title
                .value()
                .into(),
        ),
        Kind::Fact => match p.facts.iter().find(|f| f.name.text() == name) {
            Some(f) => value(&f.label),
            None => p.steps.iter().find_map(|s| match s.exit.as_deref() {
                Some(Exit::Ask { fact, prompt, .. } | Exit::Verify { fact, prompt, .. })
                    if fact.text() == name =>
                {
                    value(prompt)
                }
                _ => None,
            }),
        },
        Kind::Procedure => value(&p.procedures.iter().find(|x| x.name.text() == name)?.text),
        Kind::Answer | Kind::Exit => None,
    }
}

fn item_kind(kind: Kind) -> CompletionItemKind {
    match kind {
        Kind::Step => CompletionItemKind::FUNCTION,
        Kind::Fact => CompletionItemKind::VARIABLE,
        Kind::Answer => CompletionItemKind::ENUM_MEMBER,
        Kind::Target => CompletionItemKind::STRUCT,
        Kind::Data => CompletionItemKind::FIELD,
        Kind::Outcome => CompletionItemKind::CONSTANT,
        Kind::Role => CompletionItemKind::INTERFACE,
        Kind::Procedure => CompletionItemKind::MODULE,
        Kind::Exit => CompletionItemKind::EVENT,
    }
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..Default::default()
    }
}

/// The names declared of one kind, those of declarations that do not
/// parse (yet) included.
fn names(p: &Policy, index: &Index, kind: Kind) -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = index
        .declared(kind, None)
        .into_iter()
        .map(|o| item(o.name, item_kind(kind), detail(p, kind, o.name)))
        .collect();
    for b in &p.broken {
        let same = matches!(
            (b.kind, kind),
            (NameKind::Step, Kind::Step)
                | (NameKind::Fact, Kind::Fact)
                | (NameKind::Target, Kind::Target)
                | (NameKind::Data, Kind::Data)
                | (NameKind::Outcome, Kind::Outcome)
                | (NameKind::Role, Kind::Role)
                | (NameKind::Procedure, Kind::Procedure)
        );
        if same && !out.iter().any(|i| i.label == b.name) {
            out.push(item(b.name, item_kind(kind), None));
        }
    }
    out
}

fn keyword(k: &str) -> CompletionItem {
    item(k, CompletionItemKind::KEYWORD, None)
}

/// The answers of a fact, as declared (`yes`/`no`, `passed`/`failed`).
fn answers_of<'a>(p: &'a Policy, fact: &str) -> Vec<(&'a str, Option<String>)> {
    let labelled = |answers: &'a [AnswerDef]| -> Vec<(&'a str, Option<String>)> {
        answers
            .iter()
            .map(|a| {
                (
                    a.name.text(),
                    a.label.as_ref().map(|l| l.value().into_owned()),
                )
            })
            .collect()
    };
    if let Some(f) = p.facts.iter().find(|f| f.name.text() == fact) {
        return match &f.ty {
            FactType::Choice(a) => labelled(a),
            // A `match` reads one item of a multi-select, not the fact.
            FactType::Multiple(_) => vec![],
            FactType::YesNo(_) => vec![("yes", None), ("no", None)],
            FactType::Unit(..) => vec![],
            FactType::Role(_) => p
                .roles
                .iter()
                .map(|r| (r.name.text(), Some(r.title.value().into_owned())))
                .collect(),
        };
    }
    for s in &p.steps {
        match s.exit.as_deref() {
            Some(Exit::Ask {
                fact: f, answers, ..
            }) if f.text() == fact => return labelled(answers),
            Some(Exit::Verify { fact: f, .. }) if f.text() == fact => {
                return vec![("passed", None), ("failed", None)]
            }
            _ => {}
        }
    }
    vec![]
}

fn items(p: &Policy, index: &Index, slot: Slot) -> Vec<CompletionItem> {
    match slot {
        Slot::Names(kind) => names(p, index, kind),
        Slot::Destination => {
            let mut out = names(p, index, Kind::Step);
            out.extend(["end", "gap"].map(keyword));
            out
        }
        Slot::Outcomes { gap } => {
            let mut out = names(p, index, Kind::Outcome);
            if gap {
                out.push(keyword("gap"));
            }
            out
        }
        Slot::TargetsOf(outcome) => {
            let allowed: Vec<&str> = p
                .outcomes
                .iter()
                .find(|o| o.name.text() == outcome)
                .map(|o| o.targets.iter().map(|t| t.text()).collect())
                .unwrap_or_default();
            names(p, index, Kind::Target)
                .into_iter()
                .filter(|i| allowed.is_empty() || allowed.contains(&i.label.as_str()))
                .collect()
        }
        Slot::Answers {
            fact,
            with_else,
            taken,
            listed,
        } => {
            let mut answers = answers_of(p, fact);
            if answers.is_empty() {
                answers = listed.into_iter().map(|a| (a, None)).collect();
            }
            let mut out: Vec<CompletionItem> = answers
                .into_iter()
                .filter(|(a, _)| !taken.contains(a))
                .map(|(a, words)| item(a, CompletionItemKind::ENUM_MEMBER, words))
                .collect();
            if with_else && !taken.contains(&"else") {
                out.push(keyword("else"));
            }
            out
        }
        Slot::LintCodes => crate::Code::ALL
            .iter()
            .filter(|c| c.is_lint())
            .map(|c| {
                item(
                    c.name(),
                    CompletionItemKind::VALUE,
                    Some(c.summary().to_string()),
                )
            })
            .collect(),
        Slot::Keywords(families) => families.into_iter().flatten().map(|k| keyword(k)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"sop "T-1" "Test" { owner "o" }
role analyst "Analyst"
target desk "Desk" ticket requires name
target campus "Campus" referral
data name "Name" text
data phone "Phone" phone
outcome done "Done" resolved
outcome sent "Sent" referral to campus
fact when "When" { morning evening } ask
step greet "Hello" by analyst {
  collect name
  ask kind "Who?" { parent "A parent" student }
  parent  -> file
  student -> end done
}
step file "File" {
  ticket desk { body name }
  end done
}
"#;

    /// The labels offered where `|` is, once it is inserted after `after`
    /// (the `|` itself is removed).
    fn labels(after: &str, typed: &str) -> Vec<String> {
        let at = POLICY.find(after).expect("anchor") + after.len();
        let text = format!("{}{typed}{}", &POLICY[..at], &POLICY[at..]);
        let cursor = at + typed.find('|').expect("cursor");
        let text = text.replacen('|', "", 1);
        let parsed = crate::syntax::parse(&text);
        let index = Index::new(&parsed.policy);
        complete(&text, &parsed.policy, &index, cursor)
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn steps_after_an_arrow_and_goto() {
        // `greet`, being written, does not parse: it comes from the names
        // of broken declarations, after the others.
        let offered = ["file", "greet", "end", "gap"];
        assert_eq!(labels("student -> end done\n", "  other -> |"), offered);
        // With a word after the arrow, it parses again.
        let offered = ["greet", "file", "end", "gap"];
        assert_eq!(labels("student -> end done\n", "  other -> fi|"), offered);
        assert_eq!(labels("body name }\n", "  goto |"), offered);
    }

    #[test]
    fn outcomes_after_end_and_targets_in_parentheses() {
        assert_eq!(labels("student -> ", "end |"), ["done", "sent"]);
        assert_eq!(labels("student -> ", "end sent(|"), ["campus"]);
    }

    #[test]
    fn answers_where_a_branch_starts() {
        // `student` already has a branch.
        assert_eq!(labels("parent  -> file\n", "  |"), ["student", "else"]);
        assert_eq!(labels("student -> end done\n", "  |"), ["else"]);
        assert_eq!(
            labels(
                "  collect name\n",
                "  ask kind \"Who?\" { a b c }\n  a -> file\n  |"
            ),
            ["b", "c", "else"]
        );
        assert_eq!(
            labels("body name }\n", "  match kind {\n    |"),
            ["parent", "student", "else"]
        );
        assert_eq!(
            labels("body name }\n", "  match when { |"),
            ["morning", "evening", "else"]
        );
        assert_eq!(labels("body name }\n", "  match |"), ["when", "kind"]);
    }

    #[test]
    fn data_in_lists_and_texts() {
        assert_eq!(labels("collect name", ", |"), ["name", "phone"]);
        assert_eq!(labels("ticket desk { body name", ", |"), ["name", "phone"]);
        let verify = "  verify who at least 1 of name, |";
        assert_eq!(labels("body name }\n", verify), ["name", "phone"]);
        let verify = "  verify who any 1 of these 2: |";
        assert_eq!(labels("body name }\n", verify), ["name", "phone"]);
        assert_eq!(labels("step file \"File", " {|"), ["name", "phone"]);
        assert_eq!(
            labels("  collect name\n", "  say \"Hi {|"),
            ["name", "phone"]
        );
        assert!(labels("  collect name\n", "  say \"Hi |").is_empty());
        assert!(labels("  collect name\n", "  # a comment |").is_empty());
    }

    #[test]
    fn a_loop_bound_its_step_words_and_destination() {
        let at = "ticket desk { body name }\n  end done\n}\n";
        assert_eq!(labels(at, "loop |"), ["greet", "file"]);
        assert_eq!(labels(at, "loop greet |"), ["at", "most", "times", "then"]);
        assert_eq!(
            labels(at, "loop greet at most 2 times, then |"),
            ["greet", "file", "end", "gap"]
        );
        assert_eq!(
            labels(at, "loop greet at most 2 times, then end |"),
            ["done", "sent"]
        );
    }

    #[test]
    fn names_after_their_keywords() {
        assert_eq!(labels("body name }\n", "  ticket |"), ["desk", "campus"]);
        assert_eq!(labels("step file \"File\"", " by |"), ["analyst"]);
        assert!(labels("collect name\n", "  lint allow |").contains(&"open-gap".to_string()));
        assert!(!labels("collect name\n", "  lint allow |").contains(&"syntax".to_string()));
    }

    #[test]
    fn keywords_by_place() {
        let top = labels("end done\n}\n", "|");
        assert!(top.contains(&"step".to_string()) && !top.contains(&"collect".to_string()));
        let action = labels("  collect name\n", "  |");
        assert!(action.contains(&"collect".to_string()) && action.contains(&"ask".to_string()));
        assert!(!action.contains(&"step".to_string()));
        let ticket = labels("ticket desk {", "\n    |");
        assert_eq!(ticket, ["title", "field", "body", "assignee"]);
    }

    #[test]
    fn scenarios() {
        let s = "scenario \"s\" {\n  answers kind = |";
        assert_eq!(
            labels("body name }\n  end done\n}\n", s),
            ["parent", "student"]
        );
        let s = "scenario \"s\" {\n  answers kind = parent, |";
        assert_eq!(labels("body name }\n  end done\n}\n", s), ["when", "kind"]);
        let s = "scenario \"s\" {\n  expect |";
        assert_eq!(
            labels("body name }\n  end done\n}\n", s),
            ["done", "sent", "gap"]
        );
        let s = "scenario \"s\" {\n  visits greet, |";
        assert_eq!(labels("body name }\n  end done\n}\n", s), ["greet", "file"]);
    }
}
