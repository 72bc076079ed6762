//! pest's parse errors in words an SOP owner understands: what was expected
//! (never a rule name such as `EOI` or `ident`), what was found, and a hint
//! for the common mistakes.
//!
//! The words come from the tokens the grammar tried where it got furthest
//! (pest's error detail, see [`super::word_error`]): keywords are grouped
//! into their families (src/syntax/keywords.rs), character ranges read as
//! "a name" or "a number", and the rules being parsed there say what kind
//! of name or number.

use super::grammar::Rule;
use super::keywords as kw;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{floor_char_boundary, Span};
use pest::error::{Error, InputLocation};
use std::collections::BTreeSet;

/// What the grammar tried where it got furthest, from pest's error detail
/// (its types are not nameable outside pest: read here into ours).
#[derive(Debug, Default)]
pub struct Attempts {
    /// Where, in the piece that was parsed.
    pub offset: usize,
    /// Each token as pest prints it: a literal, or `a..z` for a range.
    tokens: Vec<String>,
    /// The rules being parsed there.
    rules: Vec<Rule>,
}

impl Attempts {
    pub fn of(e: &Error<Rule>) -> Attempts {
        let Some(attempts) = e.parse_attempts() else {
            // Without detail: only the position.
            let offset = match e.location {
                InputLocation::Pos(p) => p,
                InputLocation::Span((s, _)) => s,
            };
            return Attempts {
                offset,
                ..Attempts::default()
            };
        };
        let mut rules = Vec::new();
        for stack in attempts.call_stacks() {
            rules.extend(stack.deepest.get_rule().copied());
            rules.extend(stack.parent);
        }
        Attempts {
            offset: attempts.max_position,
            tokens: attempts
                .expected_tokens()
                .iter()
                .map(ToString::to_string)
                .collect(),
            rules,
        }
    }
}

/// What the grammar expected at the error, in a form close to words.
#[derive(Default, Debug)]
struct Expected {
    keywords: BTreeSet<String>,
    punctuation: BTreeSet<String>,
    name: bool,
    number: bool,
    text: bool,
    /// Only white space or a comment would have done.
    blank: bool,
    rules: BTreeSet<Rule>,
}

impl Expected {
    fn from(attempts: &Attempts) -> Expected {
        let mut e = Expected {
            rules: attempts.rules.iter().copied().collect(),
            ..Expected::default()
        };
        for token in &attempts.tokens {
            match token.as_str() {
                " " | "\t" | "\n" | "\r" | "\u{feff}" | "#" => e.blank = true,
                "\"" => e.text = true,
                "_" | "a..z" | "A..Z" => e.name = true,
                "0..9" => e.number = true,
                // Character ranges inside texts and comments, pest's builtins.
                t if t.contains("..") || t == "BUILTIN_RULE" => {}
                t if t.chars().all(|c| c.is_ascii_alphabetic()) => {
                    e.keywords.insert(t.to_string());
                }
                t => {
                    e.punctuation.insert(t.to_string());
                }
            }
        }
        e
    }

    fn has(&self, word: &str) -> bool {
        self.keywords.contains(word)
    }

    /// Where a declaration (or the end of the file) may come.
    fn at_declaration(&self) -> bool {
        self.has("scenario")
            && (self.rules.contains(&Rule::chunk) || self.rules.contains(&Rule::one))
    }
}

/// The families of keywords, and the phrase that stands for a whole family.
const FAMILIES: &[(&[&str], &str)] = &[
    (kw::DECLARATIONS, "a declaration (`step`, `target`, `data`, `fact`, `outcome`, `role`, `never`, `require`, `start`, `scenario`)"),
    (kw::ACTIONS, "an action (`do`, `say`, `warn`, `note`, `collect`, `ticket`, `lint`, `transfer`)"),
    (kw::WAYS_OUT, "a way out of the step (`ask`, `match`, `verify`, `goto`, `end`, `gap`)"),
    (kw::HEADER_FIELDS, "a header field (`owner`, `approval`, `implemented`, `reviewed`, `revision`, `purpose`, `source`, `review every`, `budget`)"),
    (kw::TICKET_ITEMS, "a ticket section (`title`, `field`, `body`, `assignee`)"),
    (kw::SCENARIO_ITEMS, "a scenario line (`answers`, `expect`, `visits`)"),
    (kw::DATA_CLASSES, "a data class (`text`, `phone`, `email`, `id`, `date`, `number`, `secret`, `unrecorded`)"),
    (kw::TARGET_KINDS, "a target kind (`referral`, `ticket`, `contact`)"),
    (kw::OUTCOME_KINDS, "an outcome kind (`resolved`, `referral`, `escalation`, `pending`, `declined`, `handoff`, `transferred`, `callback`)"),
    (kw::PERIOD_UNITS, "`days`, `months` or `years`"),
    (kw::LINT_LEVELS, "`allow`, `warn` or `deny`"),
];

/// The byte offset in `text` where the grammar, run on `text[base..]`,
/// got furthest.
pub fn error_offset(text: &str, base: usize, attempts: &Attempts) -> usize {
    floor_char_boundary(text, (base + attempts.offset).min(text.len()))
}

/// The diagnostic for the grammar's failure on `text[base..]`.
pub fn diagnostic(text: &str, base: usize, attempts: &Attempts) -> Diagnostic {
    let at = error_offset(text, base, attempts);
    let expected = Expected::from(attempts);
    let found = found_token(text, at);
    let mut span = Span::new(at, at + found.len());
    if found.is_empty() {
        // At the end of the file, point just after the last thing written.
        let end = text.trim_end().len();
        span = Span::new(end, end);
    }

    // An opening quote with no closing quote on its line.
    let open_quote = if found.starts_with('"') && !found[1..].contains('"') {
        Some(at)
    } else if expected.text && found.is_empty() {
        unclosed_quote(text, at)
    } else {
        None
    };
    if let Some(at) = open_quote {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        return Diagnostic::new(Code::Syntax, "this text is never closed")
            .at(Span::new(at, line_end.max(at + 1).min(text.len())), "the text starts here and runs to the end of the line")
            .with_help("add a closing `\"` before the end of the line; to continue a long text on the next line, close it and open a new one: \"first part\" \"second part\"");
    }

    let words = expected_words(&expected);
    let found_words = if found.is_empty() {
        "the end of the file".to_string()
    } else if let Some(name) = invisible(found) {
        name
    } else {
        format!("`{found}`")
    };
    if words.is_empty() && expected.blank {
        // A keyword run into the next word: `steps1`.
        let word_start = text[..at]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let keyword = &text[word_start..at];
        return Diagnostic::new(
            Code::Syntax,
            format!("expected a space after `{keyword}`, found {found_words}"),
        )
        .at(span, "expected a space")
        .with_help(format!(
            "separate `{keyword}` from the word after it with a space"
        ));
    }
    let expected_text = join_or(&words);
    let message = if expected_text.is_empty() {
        format!("unexpected {found_words}")
    } else {
        format!("expected {expected_text}, found {found_words}")
    };
    let label = if expected_text.is_empty() {
        "not expected here".to_string()
    } else {
        format!("expected {}", short(&words))
    };
    let mut d = Diagnostic::new(Code::Syntax, message).at(span, label);
    if let Some(help) = hint(&expected, found) {
        d = d.with_help(help);
    }
    d
}

/// The opening quote of a text still open at `at`, the end of its line.
fn unclosed_quote(text: &str, at: usize) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut open = None;
    let mut escaped = false;
    for (i, c) in text[line_start..at].char_indices() {
        match c {
            '\\' if open.is_some() && !escaped => {
                escaped = true;
                continue;
            }
            '"' if !escaped => {
                open = if open.is_some() {
                    None
                } else {
                    Some(line_start + i)
                }
            }
            _ => {}
        }
        escaped = false;
    }
    open
}

/// The words for what was expected: families first, in the order of
/// [`FAMILIES`], then single keywords, kinds of token and punctuation.
fn expected_words(e: &Expected) -> Vec<String> {
    let mut keywords = e.keywords.clone();
    let mut words = Vec::new();
    let mut name = e.name;
    for (family, phrase) in FAMILIES {
        if family.iter().all(|w| keywords.contains(*w)) {
            for w in *family {
                keywords.remove(*w);
            }
            words.push(phrase.to_string());
        }
    }
    if e.at_declaration() {
        words.push("the end of the file".into());
    }
    // A range may follow an answer (days of the week, then hours): where an
    // arrow or a branch may come instead, the range is the rarer reading
    // and only clutters the message.
    let range_words = ["over", "under", "before", "after"];
    let mut number = e.number;
    if range_words.iter().all(|w| keywords.contains(*w)) {
        for w in range_words {
            keywords.remove(w);
        }
        number = false;
        if !(e.punctuation.contains("->") || e.punctuation.contains("}")) {
            words.push("a range (`over 500.00`, `08:00..16:30`)".into());
        }
    }
    if keywords.remove("else") && name {
        name = false;
        words.push("a branch (`answer -> step`)".into());
    }
    if keywords.contains("end") && name && !e.has("ask") {
        keywords.remove("end");
        keywords.remove("gap");
        // `exit NAME` stands there only inside a procedure.
        keywords.remove("exit");
        name = false;
        words.push("a step name, `end OUTCOME` or `gap \"…\"`".into());
    }
    // `times` is tried before `time`, `questions` before `question`.
    for (long, short) in [("times", "time"), ("questions", "question")] {
        if keywords.contains(long) {
            keywords.remove(short);
        }
    }
    // A file starts with a policy's header far more often than with a
    // library's: name the one.
    if keywords.contains("sop") {
        keywords.remove("library");
    }
    for k in keywords {
        words.push(match k.as_str() {
            "at" => "`at most N times, then STEP`".into(),
            "sop" => "the policy header `sop \"ID\" \"Title\" { ... }`".into(),
            "library" => "a library header `library \"ID\" \"Title\" { ... }`".into(),
            _ => format!("`{k}`"),
        });
    }
    if name {
        words.push(if e.rules.contains(&Rule::lint_code) {
            "a check code such as `unreachable-step`".into()
        } else {
            "a name".into()
        });
    }
    if e.text {
        words.push("a quoted text".into());
    }
    if number {
        words.push(if e.rules.contains(&Rule::date) {
            "a date (YEAR-MONTH-DAY)".into()
        } else {
            "a number".into()
        });
    }
    for p in &e.punctuation {
        words.push(format!("`{p}`"));
    }
    words
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
/// What authors reach for that the language does not have, and what to
/// write instead.
fn missing_construct(e: &Expected, found: &str) -> Option<String> {
    let help = match found {
        "if" | "when" | "unless" => "sopc has no `if`: a condition is a question or a fact; write `ask NAME \"…?\" { yes no }` or `match FACT { … }` with one branch per answer or range",
        "while" | "until" if !e.has("until") => "sopc has no loops of their own: send a branch back to an earlier step with a bound, `no -> retry at most 2 times, then OTHER_STEP`, or bound every way back to a step at once with a declaration of its own, `loop retry at most 3 times, then OTHER_STEP`",
        "for" | "repeat" if !e.has("for") => "`for each FACT { … }` and `repeat FACT up to N { … }` are actions: write them among the step's actions, before its way out; a loop back to a step is a branch with a bound (`no -> retry at most 2 times, then OTHER_STEP`)",
        "loop" if !e.at_declaration() => "`loop` is a declaration of its own, outside the steps: `loop STEP at most 3 times, then OTHER_STEP` bounds every way back to STEP at once (if this line starts a declaration, close the block above with `}`)",
        "recommend" | "suggest" | "tell" | "mention" | "promise" if e.has("say") => "sopc has no `never recommend`: to forbid words said to the caller write `never say \"…\"`, to forbid an act `never do \"…\"`",
        _ if found.starts_with(|c: char| c.is_ascii_digit()) && e.name => "an answer or a name cannot start with a digit: write `three` or `n3`; for a number the caller gives, declare `fact NAME \"…\" count ask` and `match` its ranges (`3 or more -> …`)",
        _ => return None,
    };
    Some(help.to_string())
}

fn hint(e: &Expected, found: &str) -> Option<String> {
    if let Some(help) = missing_construct(e, found) {
        return Some(help);
    }
    let word = !found.is_empty() && found.chars().all(|c| c.is_alphanumeric() || c == '_');
    if word && !e.keywords.contains(found) {
        if let Some(k) = crate::suggest::closest(found, e.keywords.iter().map(String::as_str)) {
            return Some(format!("did you mean `{k}`?"));
        }
    }
    let closing = e.punctuation.contains("}");
    if closing && kw::ACTIONS.contains(&found) {
        return Some(format!(
            "actions come first in a step: move this `{found}` above the step's way out (`ask`, `wait`, `match`, `verify`, `goto`, `end` or `gap`), which is last"
        ));
    }
    if closing && kw::DECLARATIONS.contains(&found) {
        return Some("the block above is not closed: add `}` before this line".into());
    }
    if e.name && kw::is_reserved(found) {
        return Some(format!(
            "`{found}` is a keyword and cannot be used as a name; choose another name"
        ));
    }
    if (e.keywords.len() == 1 || e.keywords.len() == 2 && e.has("library")) && e.has("sop") {
        return Some(
            "a policy starts with its header: sop \"TS-CCC-010\" \"Title\" { owner \"...\" }"
                .into(),
        );
    }
    if found.is_empty() && closing {
        return Some("a block is not closed: add the missing `}`".into());
    }
    if e.at_declaration() {
        return Some(
            "each declaration starts on its own line with a keyword such as `step` or `target`"
                .into(),
        );
    }
    None
}
