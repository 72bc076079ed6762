//! pest's parse errors in words an SOP owner understands: what was expected
//! (never a rule name such as `EOI` or `ident`), what was found, and a hint
//! for the common mistakes.

use super::grammar::reference::Rule;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{floor_char_boundary, Span};
use pest::error::{Error, ErrorVariant, InputLocation};

/// The byte offset of the error inside the text that was parsed.
pub fn error_offset(e: &Error<Rule>) -> usize {
    match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
}

/// Turns a pest error on `text[base..]` into a diagnostic on `text`.
pub fn diagnostic(text: &str, base: usize, e: &Error<Rule>) -> Diagnostic {
    let at = floor_char_boundary(text, (base + error_offset(e)).min(text.len()));
    let positives: Vec<Rule> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => expand(positives),
        ErrorVariant::CustomError { .. } => vec![],
    };
    let found = found_token(text, at);
    let mut span = Span::new(at, at + found.len());
    if found.is_empty() {
        // At the end of the file, point just after the last thing written.
        let end = text.trim_end().len();
        span = Span::new(end, end);
    }

    // An opening quote with no closing quote on its line.
    if found.starts_with('"') && !found[1..].contains('"') {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        return Diagnostic::new(Code::Syntax, "this text is never closed")
            .at(Span::new(at, line_end.max(at + 1).min(text.len())), "the text starts here and runs to the end of the line")
            .with_help("add a closing `\"` before the end of the line; to continue a long text on the next line, close it and open a new one: \"first part\" \"second part\"");
    }

    let words = expected_words(&positives);
    let expected = join_or(&words);
    let found_words = if found.is_empty() {
        "the end of the file".to_string()
    } else if let Some(name) = invisible(found) {
        name
    } else {
        format!("`{found}`")
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_words}")
    } else {
        format!("expected {expected}, found {found_words}")
    };
    let label = if expected.is_empty() {
        "not expected here".to_string()
    } else {
        format!("expected {}", short(&words))
    };
    let mut d = Diagnostic::new(Code::Syntax, message).at(span, label);
    if let Some(help) = hint(&positives, &words, found) {
        d = d.with_help(help);
    }
    d
}

/// pest names the rule it was asked to parse when that rule fails where it
/// starts (`chunk` at a stray word): put back what that rule wanted.
fn expand(positives: &[Rule]) -> Vec<Rule> {
    let mut out = Vec::new();
    for &r in positives {
        match r {
            Rule::chunk => {
                out.extend_from_slice(DECLARATIONS);
                out.push(Rule::EOI);
            }
            Rule::head => out.push(Rule::kw_sop),
            other => out.push(other),
        }
    }
    out
}

/// A name for a token that would be invisible between backquotes: a control
/// character, a byte-order mark or a direction mark in the wrong place.
fn invisible(found: &str) -> Option<String> {
    let mut chars = found.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    let hidden = c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{00a0}');
    match c {
        '\0' => Some("a NUL byte (U+0000)".into()),
        _ if hidden => Some(format!("the invisible character U+{:04X}", c as u32)),
        _ => None,
    }
}

/// The token at `at`: a word, a quoted text up to its end or the line's end,
/// or one character; empty at the end of the file.
fn found_token(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let Some(first) = rest.chars().next() else {
        return "";
    };
    let end = if first == '"' {
        let line = rest.find('\n').unwrap_or(rest.len());
        rest[1..line].find('"').map_or(line, |i| i + 2)
    } else if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len())
    } else if rest.starts_with("->") {
        2
    } else {
        first.len_utf8()
    };
    // Keep messages one line and short.
    let end = floor_char_boundary(rest, end.min(40));
    rest[..end].trim_end_matches(['\r', '\n'])
}

const DECLARATIONS: &[Rule] = &[
    Rule::kw_role,
    Rule::kw_target,
    Rule::kw_data,
    Rule::kw_outcome,
    Rule::kw_never,
    Rule::kw_require,
    Rule::kw_start,
    Rule::kw_step,
    Rule::kw_scenario,
];
const ACTIONS: &[Rule] = &[
    Rule::kw_do,
    Rule::kw_say,
    Rule::kw_warn,
    Rule::kw_note,
    Rule::kw_collect,
    Rule::kw_ticket,
    Rule::kw_lint,
];
const WAYS_OUT: &[Rule] = &[Rule::kw_ask, Rule::kw_match, Rule::kw_goto, Rule::kw_end];
const HEADER_FIELDS: &[Rule] = &[
    Rule::kw_owner,
    Rule::kw_approval,
    Rule::kw_implemented,
    Rule::kw_reviewed,
    Rule::kw_revision,
    Rule::kw_purpose,
    Rule::kw_source,
    Rule::kw_review,
    Rule::kw_budget,
];
const TICKET_ITEMS: &[Rule] = &[
    Rule::kw_title,
    Rule::kw_field,
    Rule::kw_body,
    Rule::kw_assignee,
];
const SCENARIO_ITEMS: &[Rule] = &[Rule::kw_answers, Rule::kw_expect, Rule::kw_visits];

/// Words for the expected rules, with families collapsed into one phrase.
fn expected_words(positives: &[Rule]) -> Vec<String> {
    let mut rules: Vec<Rule> = positives.to_vec();
    let mut words = Vec::new();
    let families: &[(&[Rule], &str)] = &[
        (DECLARATIONS, "a declaration (`step`, `target`, `data`, `outcome`, `role`, `never`, `require`, `start`, `scenario`)"),
        (ACTIONS, "an action (`do`, `say`, `warn`, `note`, `collect`, `ticket`, `lint`)"),
        (WAYS_OUT, "a way out of the step (`ask`, `match`, `goto`, `end`)"),
        (HEADER_FIELDS, "a header field (`owner`, `approval`, `implemented`, `reviewed`, `revision`, `purpose`, `source`, `review every`, `budget`)"),
        (TICKET_ITEMS, "a ticket section (`title`, `field`, `body`, `assignee`)"),
        (SCENARIO_ITEMS, "a scenario line (`answers`, `expect`, `visits`)"),
    ];
    for (family, phrase) in families {
        if family.iter().all(|r| rules.contains(r)) {
            rules.retain(|r| !family.contains(r));
            words.push(phrase.to_string());
        }
    }
    for r in rules {
        let w = rule_words(r);
        if !words.contains(&w) {
            words.push(w);
        }
    }
    words
}

fn rule_words(rule: Rule) -> String {
    let dbg = format!("{rule:?}");
    if rule == Rule::kw_at {
        return "`at most N times, then STEP`".into();
    }
    if let Some(kw) = dbg.strip_prefix("kw_") {
        return format!("`{kw}`");
    }
    match rule {
        Rule::ident | Rule::answer => "a name".into(),
        Rule::string | Rule::text | Rule::string_inner => "a quoted text".into(),
        Rule::date => "a date (YEAR-MONTH-DAY)".into(),
        Rule::int => "a number".into(),
        Rule::lbrace => "`{`".into(),
        Rule::rbrace => "`}`".into(),
        Rule::lparen => "`(`".into(),
        Rule::rparen => "`)`".into(),
        Rule::lbracket => "`[`".into(),
        Rule::rbracket => "`]`".into(),
        Rule::comma => "`,`".into(),
        Rule::equals => "`=`".into(),
        Rule::arrow => "`->`".into(),
        Rule::EOI => "the end of the file".into(),
        Rule::header => "the policy header `sop \"ID\" \"Title\" { ... }`".into(),
        Rule::data_class => {
            "a data class (`text`, `phone`, `email`, `id`, `date`, `number`, `secret`)".into()
        }
        Rule::target_kind => "a target kind (`referral`, `ticket`, `contact`)".into(),
        Rule::outcome_kind => {
            "an outcome kind (`resolved`, `referral`, `escalation`, `pending`)".into()
        }
        Rule::period_unit => "`days`, `months` or `years`".into(),
        Rule::lint_level => "`allow`, `warn` or `deny`".into(),
        Rule::lint_code => "a check code such as `unreachable-step`".into(),
        Rule::branch => "a branch (`answer -> step`)".into(),
        Rule::else_arm => "`else`".into(),
        Rule::dest | Rule::terminal => "a step name or `end OUTCOME`".into(),
        Rule::bound => "`at most N times, then STEP`".into(),
        Rule::via => "`via`".into(),
        Rule::requires => "`requires`".into(),
        Rule::outcome_targets => "`to`".into(),
        Rule::step_role => "`by`".into(),
        Rule::name_list => "a list of names".into(),
        Rule::answer_pair => "`fact = answer`".into(),
        Rule::answer_rounds => "`[answer, answer]`".into(),
        Rule::outcome_ref => "an outcome name".into(),
        _ => "something else".into(),
    }
}

/// "a, b or c".
fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// A short form for the label: the phrase before any parenthesis.
fn short(words: &[String]) -> String {
    let shorts: Vec<String> = words
        .iter()
        .map(|w| w.split(" (").next().unwrap_or(w).to_string())
        .collect();
    join_or(&shorts)
}

/// A hint for common mistakes: a misspelt keyword, a missing closing brace.
fn hint(positives: &[Rule], words: &[String], found: &str) -> Option<String> {
    // Every word in backticks among the expectations is a candidate.
    let keywords: Vec<&str> = words
        .iter()
        .flat_map(|w| w.split('`').skip(1).step_by(2))
        .filter(|k| k.chars().all(|c| c.is_ascii_alphabetic()))
        .collect();
    if !found.is_empty() && found.chars().all(|c| c.is_alphanumeric() || c == '_') {
        if let Some(k) = crate::suggest::closest(found, keywords.iter().copied()) {
            return Some(format!("did you mean `{k}`?"));
        }
    }
    if positives.contains(&Rule::rbrace)
        && DECLARATIONS.iter().any(|r| format!("{r:?}")[3..] == *found)
    {
        return Some("the block above is not closed: add `}` before this line".into());
    }

    if positives.contains(&Rule::ident) && super::KEYWORDS.contains(&found) {
        return Some(format!(
            "`{found}` is a keyword and cannot be used as a name; choose another name"
        ));
    }
    if positives == [Rule::kw_sop] {
        return Some(
            "a policy starts with its header: sop \"TS-CCC-010\" \"Title\" { owner \"...\" }"
                .into(),
        );
    }
    if found.is_empty() && positives.contains(&Rule::rbrace) {
        return Some("a block is not closed: add the missing `}`".into());
    }
    if positives == [Rule::EOI]
        || (positives.contains(&Rule::EOI) && positives.contains(&Rule::kw_step))
    {
        return Some(
            "each declaration starts on its own line with a keyword such as `step` or `target`"
                .into(),
        );
    }
    None
}
