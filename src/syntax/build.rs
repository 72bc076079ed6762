//! Parse tree to AST, from grammar/sop.pest. One function per construct,
//! each taking the pest pair and the diagnostics sink.
//!
//! The grammar accepts a little more than the language (see its header);
//! the builder rejects the rest with a [`Reject`], which the caller turns
//! into a diagnostic on the declaration it drops.

use super::ast::*;
use super::grammar::Rule;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use pest::iterators::Pair;

/// Why the builder does not accept a declaration the grammar accepted.
#[derive(Debug)]
pub enum Reject {
    /// A carriage return inside quotes, at this byte of the file.
    CarriageReturn(usize),
    /// The tree has a shape the grammar does not promise: a bug in sopc.
    Shape,
    /// A value out of range, already reported in the diagnostics.
    Reported,
}

type Result<T> = std::result::Result<T, Reject>;

thread_local! {
    /// Where the text pest was given starts in the file: pest's positions
    /// are relative to it, every span in the tree is absolute. Set by
    /// [`policy`] and [`declaration`] for the piece they build; only
    /// `span_of` and `text` read it.
    static BASE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The children of a pair, read in order.
struct Children<'i> {
    pairs: std::iter::Peekable<pest::iterators::Pairs<'i, Rule>>,
}

impl<'i> Children<'i> {
    fn of(pair: Pair<'i, Rule>) -> Self {
        Children {
            pairs: pair.into_inner().peekable(),
        }
    }

    /// The next child, which must be `rule`.
    fn take(&mut self, rule: Rule) -> Result<Pair<'i, Rule>> {
        self.maybe(rule).ok_or(Reject::Shape)
    }

    /// The next child if it is `rule`.
    fn maybe(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.pairs.peek()?.as_rule() == rule {
            self.pairs.next()
        } else {
            None
        }
    }

    /// The next child, whatever its rule.
    fn next(&mut self) -> Option<Pair<'i, Rule>> {
        self.pairs.next()
    }
}

/// The word a pair starts with: the keyword of `action`, `ticket_item` and
/// `scenario_item`, which are one rule each.
fn first_word<'i>(pair: &Pair<'i, Rule>) -> &'i str {
    let s = pair.as_str();
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(s.len());
    &s[..end]
}

/// A policy with its header and no declarations yet.
pub fn policy<'i>(
    head: Pair<'i, Rule>,
    base: usize,
    diags: &mut Vec<Diagnostic>,
) -> Result<Policy<'i>> {
    BASE.set(base);
    let mut c = Children::of(head);
    Ok(Policy::new(header(c.take(Rule::header)?, diags)?))
}

/// Adds one declaration, parsed from `text[base..]`, to the policy.
pub fn declaration<'i>(
    decl: Pair<'i, Rule>,
    base: usize,
    p: &mut Policy<'i>,
    diags: &mut Vec<Diagnostic>,
) -> Result<()> {
    BASE.set(base);
    match decl.as_rule() {
        Rule::role_decl => p.roles.push(role(decl)?),
        Rule::target_decl => p.targets.push(target(decl)?),
        Rule::data_decl => p.data.push(data(decl, diags)?),
        Rule::outcome_decl => p.outcomes.push(outcome(decl, diags)?),
        Rule::fact_decl => p.facts.push(fact(decl, diags)?),
        Rule::never_decl => never(decl, p)?,
        Rule::require_decl => {
            let span = span_of(&decl);
            let mut c = Children::of(decl);
            p.requires.push(Require {
                first: name(c.take(Rule::ident)?),
                then: name(c.take(Rule::ident)?),
                span,
            });
        }
        Rule::use_decl => {
            let span = span_of(&decl);
            let mut c = Children::of(decl);
            p.uses.push(Use {
                path: text(c.take(Rule::string)?)?,
                span,
            });
        }
        Rule::entry_decl => {
            let span = span_of(&decl);
            let mut c = Children::of(decl);
            p.entries.push(Entry {
                name: name(c.take(Rule::ident)?),
                label: text(c.take(Rule::text)?)?,
                step: name(c.take(Rule::ident)?),
                span,
            });
        }
        Rule::start_decl => {
            let span = span_of(&decl);
            let mut c = Children::of(decl);
            p.starts.push(StartDecl {
                step: name(c.take(Rule::ident)?),
                span,
            });
        }
        Rule::receives_decl => {
            let span = span_of(&decl);
            let mut c = Children::of(decl);
            p.receives.push(Receives {
                data: names(c.take(Rule::name_list)?),
                span,
            });
        }
        Rule::anytime_decl => {
            let span = span_of(&decl);
            let mut c = Children::of(decl);
            p.anytime.push(Anytime {
                name: name(c.take(Rule::ident)?),
                label: text(c.take(Rule::text)?)?,
                handler: name(c.take(Rule::ident)?),
                within: c.maybe(Rule::name_list).map(names),
                span,
            });
        }
        Rule::loop_decl => {
            let span = span_of(&decl);
            let mut c = Children::of(decl);
            p.loops.push(LoopDecl {
                step: name(c.take(Rule::ident)?),
                bound: bound(c.take(Rule::bound)?)?,
                span,
            });
        }
        Rule::step_decl => p.steps.push(Box::new(step(decl, diags)?)),
        Rule::procedure_decl => p.procedures.push(procedure(decl, diags)?),
        Rule::scenario_decl => p.scenarios.push(scenario(decl, diags)?),
        _ => return Err(Reject::Shape),
    }
    Ok(())
}

fn header<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Header<'i>> {
    let span = span_of(&pair);
    let library = pair.as_str().starts_with("library");
    let mut c = Children::of(pair);
    let id = text(c.take(Rule::string)?)?;
    let title = text(c.take(Rule::text)?)?;
    let mut h = Header::new(id, title, span);
    h.library = library;
    // Where each field was first given, to label a repeat.
    let mut seen: Vec<(&'static str, Span)> = Vec::new();
    while let Some(field) = c.next() {
        let field_span: Span = span_of(&field);
        let rule = field.as_rule();
        let key = header_field_name(rule);
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    format!("the header gives `{key}` twice"),
                )
                .at(field_span, "given again here")
                .with_label(*first, "first given here")
                .with_help(format!("keep one `{key}` line")),
            );
            continue;
        }
        seen.push((key, field_span));
        let mut fc = Children::of(field);
        match rule {
            Rule::owner => h.owner = Some(text(fc.take(Rule::text)?)?),
            Rule::approval => h.approval = Some(text(fc.take(Rule::text)?)?),
            Rule::revision => h.revision = Some(text(fc.take(Rule::text)?)?),
            Rule::purpose => h.purpose = Some(text(fc.take(Rule::text)?)?),
            Rule::source => h.source = Some(text(fc.take(Rule::text)?)?),
            Rule::implemented => h.implemented = date(fc.take(Rule::date)?, diags),
            Rule::reviewed => h.reviewed = date(fc.take(Rule::date)?, diags),
            Rule::review_every => {
                let amount = int(fc.take(Rule::int)?, diags);
                let unit = match fc.take(Rule::period_unit)?.as_str() {
                    "day" | "days" => PeriodUnit::Days,
                    "month" | "months" => PeriodUnit::Months,
                    _ => PeriodUnit::Years,
                };
                if let Some(amount) = amount {
                    h.review_every = Some(Period {
                        amount,
                        unit,
                        span: field_span,
                    });
                }
            }
            Rule::budget => {
                if let Some(questions) = int(fc.take(Rule::int)?, diags) {
                    h.budget = Some(Budget {
                        questions,
                        span: field_span,
                    });
                }
            }
            _ => return Err(Reject::Shape),
        }
    }
    Ok(h)
}

fn header_field_name(rule: Rule) -> &'static str {
    match rule {
        Rule::owner => "owner",
        Rule::approval => "approval",
        Rule::revision => "revision",
        Rule::purpose => "purpose",
        Rule::source => "source",
        Rule::implemented => "implemented",
        Rule::reviewed => "reviewed",
        Rule::review_every => "review every",
        Rule::budget => "budget",
        _ => "field",
    }
}

fn role<'i>(pair: Pair<'i, Rule>) -> Result<RoleDecl<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    Ok(RoleDecl {
        name: name(c.take(Rule::ident)?),
        title: text(c.take(Rule::text)?)?,
        span,
    })
}

fn target<'i>(pair: Pair<'i, Rule>) -> Result<TargetDecl<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let name = name(c.take(Rule::ident)?);
    let title = text(c.take(Rule::text)?)?;
    let kind = match c.take(Rule::target_kind)?.as_str() {
        "referral" => TargetKind::Referral,
        "ticket" => TargetKind::Ticket,
        _ => TargetKind::Contact,
    };
    let via = match c.maybe(Rule::via) {
        Some(v) => Some(text(Children::of(v).take(Rule::text)?)?),
        None => None,
    };
    let requires = match c.maybe(Rule::requires) {
        Some(r) => names(Children::of(r).take(Rule::name_list)?),
        None => vec![],
    };
    Ok(TargetDecl {
        name,
        title,
        kind,
        via,
        requires,
        span,
    })
}

fn data<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<DataDecl<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let name = name(c.take(Rule::ident)?);
    let label = c.maybe(Rule::text).map(text).transpose()?;
    let class = match c.take(Rule::data_class)?.as_str() {
        "text" => DataClass::Text,
        "phone" => DataClass::Phone,
        "email" => DataClass::Email,
        "id" => DataClass::Id,
        "date" => DataClass::Date,
        "number" => DataClass::Number,
        "secret" => DataClass::Secret,
        _ => DataClass::Unrecorded,
    };
    let mut rules = vec![];
    while let Some(r) = c.maybe(Rule::value_rule) {
        let rule_span = span_of(&r);
        let word = first_word(&r);
        let is_length = r.as_str().contains("length");
        let mut rc = Children::of(r);
        let kind = match (word, is_length) {
            ("pattern", _) => ValueRuleKind::Pattern(text(rc.take(Rule::string)?)?),
            ("length", _) => ValueRuleKind::Length(int_or_max(rc.take(Rule::int)?, diags)),
            ("min", true) => ValueRuleKind::MinLength(int_or_max(rc.take(Rule::int)?, diags)),
            ("max", true) => ValueRuleKind::MaxLength(int_or_max(rc.take(Rule::int)?, diags)),
            ("min", false) => ValueRuleKind::Min(value(rc.take(Rule::value)?, diags)?),
            (_, _) => ValueRuleKind::Max(value(rc.take(Rule::value)?, diags)?),
        };
        rules.push(ValueRule {
            kind,
            span: rule_span,
        });
    }
    Ok(DataDecl {
        name,
        label,
        class,
        rules,
        span,
    })
}

fn fact<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<FactDecl<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let name = name(c.take(Rule::ident)?);
    let label = c.maybe(Rule::text).map(text).transpose()?;
    let ty_pair = c.take(Rule::fact_type)?;
    let ty_span = span_of(&ty_pair);
    let ty_pair_text_is_multiple = ty_pair.as_str().starts_with("multiple");
    let ty = match Children::of(ty_pair).next() {
        None => FactType::YesNo(ty_span),
        Some(set) if set.as_rule() == Rule::answer_set => {
            let answers = answer_set(set, diags)?;
            if ty_pair_text_is_multiple {
                FactType::Multiple(answers)
            } else {
                FactType::Choice(answers)
            }
        }
        Some(r) if r.as_rule() == Rule::fact_role => FactType::Role(ty_span),
        Some(u) => FactType::Unit(
            match u.as_str() {
                "number" => Unit::Number,
                "count" => Unit::Count,
                "money" => Unit::Money,
                "minutes" => Unit::Minutes,
                "hours" => Unit::Hours,
                "days" => Unit::Days,
                "date" => Unit::Date,
                _ => Unit::Time,
            },
            ty_span,
        ),
    };
    let src = c.take(Rule::fact_source)?;
    let word = first_word(&src);
    let words = Children::of(src).maybe(Rule::text).map(text).transpose()?;
    let source = match word {
        "ask" => FactSource::Ask(words),
        "lookup" => FactSource::Lookup(words),
        _ => FactSource::Host,
    };
    let _ = diags;
    Ok(FactDecl {
        name,
        label,
        ty,
        source,
        span,
    })
}

/// `never disclose …`, `never say "…"` or `never do "…"`.
fn never<'i>(decl: Pair<'i, Rule>, p: &mut Policy<'i>) -> Result<()> {
    let span = span_of(&decl);
    let second = decl
        .as_str()
        .strip_prefix("never")
        .map(|rest| rest.trim_start_matches(|c: char| c.is_whitespace()))
        .unwrap_or("");
    let mut c = Children::of(decl);
    if second.starts_with("disclose") {
        let fields = names(c.take(Rule::name_list)?);
        let scope = match c.maybe(Rule::disclose_scope) {
            Some(sc) => {
                let scope_span = span_of(&sc);
                let kind = if first_word(&sc) == "until" {
                    ScopeKind::Until
                } else {
                    ScopeKind::To
                };
                let mut sc = Children::of(sc);
                Some(DiscloseScope {
                    kind,
                    fact: name(sc.take(Rule::ident)?),
                    answer: sc.maybe(Rule::answer).map(name),
                    span: scope_span,
                })
            }
            None => None,
        };
        p.never_disclose.push(NeverDisclose {
            fields,
            scope,
            span,
        });
    } else {
        let kind = if second.starts_with("say") {
            PhraseKind::Say
        } else {
            PhraseKind::Do
        };
        p.never_phrases.push(NeverPhrase {
            kind,
            phrase: text(c.take(Rule::text)?)?,
            span,
        });
    }
    Ok(())
}

fn answer_set<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Vec<AnswerDef<'i>>> {
    let mut out = vec![];
    for def in pair.into_inner() {
        let mut dc = Children::of(def);
        out.push(AnswerDef {
            name: name(dc.take(Rule::answer)?),
            label: dc.maybe(Rule::text).map(text).transpose()?.map(Box::new),
            after: dc
                .maybe(Rule::value)
                .map(|v| value(v, diags))
                .transpose()?
                .map(Box::new),
        });
    }
    exact(&mut out);
    Ok(out)
}

/// Moves a list into a block of its own length. `shrink_to_fit` is not
/// enough: mimalloc, the binary's allocator, keeps a block that shrinks by
/// less than half where it is, so a list of two branches built by pushes
/// kept the room for four (on a 1M-step policy, 118 MB of resident memory
/// after parsing, docs/performance.md).
fn exact<T>(list: &mut Vec<T>) {
    if list.capacity() > list.len() {
        let mut fitted = Vec::with_capacity(list.len());
        fitted.append(list);
        *list = fitted;
    }
}

/// A list as a boxed slice in a block of its own length (see [`exact`]).
fn fitted<T>(mut list: Vec<T>) -> Box<[T]> {
    exact(&mut list);
    list.into_boxed_slice()
}

fn outcome<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<OutcomeDecl<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let name = name(c.take(Rule::ident)?);
    let label = c.maybe(Rule::text).map(text).transpose()?;
    let kind = c.maybe(Rule::outcome_kind).map(|k| match k.as_str() {
        "resolved" => OutcomeKind::Resolved,
        "referral" => OutcomeKind::Referral,
        "escalation" => OutcomeKind::Escalation,
        "declined" => OutcomeKind::Declined,
        "handoff" => OutcomeKind::Handoff,
        "transferred" => OutcomeKind::Transferred,
        "callback" => OutcomeKind::Callback,
        _ => OutcomeKind::Pending,
    });
    let within = match c.maybe(Rule::within) {
        Some(w) => Some(value(Children::of(w).take(Rule::value)?, diags)?),
        None => None,
    };
    let targets = match c.maybe(Rule::outcome_targets) {
        Some(t) => names(Children::of(t).take(Rule::name_list)?),
        None => vec![],
    };
    Ok(OutcomeDecl {
        name,
        label,
        kind,
        within,
        targets,
        span,
    })
}

/// `procedure NAME "…" exits a, b { step … }`.
fn procedure<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Procedure<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let name = name(c.take(Rule::ident)?);
    let text = c.maybe(Rule::text).map(text).transpose()?;
    let exits = match c.maybe(Rule::proc_exits) {
        Some(e) => names(Children::of(e).take(Rule::name_list)?),
        None => vec![],
    };
    let mut steps = vec![];
    while let Some(s) = c.maybe(Rule::step_decl) {
        steps.push(Box::new(step(s, diags)?));
    }
    Ok(Procedure {
        name,
        text,
        exits,
        steps,
        span,
    })
}

/// `call PROC { EXIT -> DEST ... }`.
fn call<'i>(pair: Pair<'i, Rule>) -> Result<Exit<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let procedure = name(c.take(Rule::ident)?);
    let mut branches = vec![];
    while let Some(b) = c.maybe(Rule::call_branch) {
        let b_span = span_of(&b);
        let mut bc = Children::of(b);
        let exit = name(bc.take(Rule::ident)?);
        let dest = dest(bc.next().ok_or(Reject::Shape)?)?;
        branches.push(CallBranch {
            exit,
            dest,
            span: b_span,
        });
    }
    Ok(Exit::Call {
        procedure,
        branches,
        span,
    })
}

fn step<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Step<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let mut s = Step {
        name: name(c.take(Rule::ident)?),
        text: c.maybe(Rule::text).map(text).transpose()?,
        role: match c.maybe(Rule::step_role) {
            Some(r) => Some(Box::new(name(Children::of(r).take(Rule::ident)?))),
            None => None,
        },
        lints: Box::default(),
        actions: vec![],
        exit: None,
        span,
    };
    let mut lints = Vec::new();
    while let Some(item) = c.next() {
        match item.as_rule() {
            Rule::action => action(item, &mut s, &mut lints, diags)?,
            Rule::ask_exit => s.exit = Some(Box::new(ask(item, diags)?)),
            Rule::verify_exit => s.exit = Some(Box::new(verify(item, diags)?)),
            Rule::match_exit => {
                let item_span = span_of(&item);
                let mut mc = Children::of(item);
                let fact = name(mc.take(Rule::ident)?);
                let mut branches = vec![];
                while let Some(b) = mc.maybe(Rule::branch) {
                    branches.push(branch(b, diags)?);
                }
                s.exit = Some(Box::new(Exit::Match {
                    fact,
                    branches: fitted(branches),
                    span: item_span,
                }));
            }
            Rule::goto_exit => {
                let item_span = span_of(&item);
                let mut gc = Children::of(item);
                let dest = dest(gc.next().ok_or(Reject::Shape)?)?;
                let bound = match gc.maybe(Rule::bound) {
                    Some(b) => Some(bound(b)?),
                    None => None,
                };
                s.exit = Some(Box::new(Exit::Goto {
                    dest,
                    bound,
                    span: item_span,
                }));
            }
            Rule::terminal => s.exit = Some(Box::new(Exit::End(terminal(item)?))),
            Rule::gap_end => s.exit = Some(Box::new(Exit::Gap(gap_ref(item)?))),
            Rule::handoff_end => s.exit = Some(Box::new(Exit::Handoff(handoff(item)?))),
            Rule::exit_dest => {
                let n = name(Children::of(item).take(Rule::ident)?);
                s.exit = Some(Box::new(Exit::Leave(n)));
            }
            Rule::call_exit => s.exit = Some(Box::new(call(item)?)),
            _ => return Err(Reject::Shape),
        }
    }
    // A vector's first push makes room for four: a step's lists are mostly
    // shorter, and a large policy holds a million steps at once.
    exact(&mut s.actions);
    s.lints = fitted(lints);
    Ok(s)
}

/// `do`, `say`, `warn`, `note`, `collect`, `ticket` or `lint`.
fn action<'i>(
    item: Pair<'i, Rule>,
    s: &mut Step<'i>,
    lints: &mut Vec<LintAttr<'i>>,
    diags: &mut Vec<Diagnostic>,
) -> Result<()> {
    let item_span = span_of(&item);
    let word = first_word(&item);
    let mut ic = Children::of(item.clone());
    match word {
        "do" => s.actions.push(Action::Do(text(ic.take(Rule::text)?)?)),
        "say" => s.actions.push(Action::Say(text(ic.take(Rule::text)?)?)),
        "warn" => s.actions.push(Action::Warn(text(ic.take(Rule::text)?)?)),
        "note" => s.actions.push(Action::Note(text(ic.take(Rule::text)?)?)),
        "gap" => s.actions.push(Action::Gap(text(ic.take(Rule::text)?)?)),
        "collect" => s.actions.push(Action::Collect {
            fields: names(ic.take(Rule::name_list)?),
            span: item_span,
        }),
        "ticket" => s
            .actions
            .push(Action::Ticket(Box::new(ticket(item, diags)?))),
        "refer" => s.actions.push(Action::Refer {
            target: name(ic.take(Rule::ident)?),
            span: item_span,
        }),
        "for" | "repeat" => {
            let fact = name(ic.take(Rule::ident)?);
            let times = match word {
                "repeat" => Some(int(ic.take(Rule::int)?, diags).ok_or(Reject::Reported)?),
                _ => None,
            };
            let mut inner = Step {
                name: s.name.clone(),
                text: None,
                role: None,
                lints: Box::default(),
                actions: Vec::new(),
                exit: None,
                span: s.span,
            };
            let mut inner_lints = Vec::new();
            loop {
                if let Some(g) = ic.maybe(Rule::last_gap) {
                    let note = text(Children::of(g).take(Rule::text)?)?;
                    inner.actions.push(Action::Gap(note));
                    continue;
                }
                let Some(a) = ic.maybe(Rule::action) else {
                    break;
                };
                let a_span = span_of(&a);
                let nested = matches!(first_word(&a), "for" | "repeat");
                action(a, &mut inner, &mut inner_lints, diags)?;
                if nested || !inner_lints.is_empty() {
                    diags.push(
                        Diagnostic::new(
                            Code::Syntax,
                            format!("a `{word}` holds the actions it repeats only"),
                        )
                        .at(a_span, format!("not inside `{word}`"))
                        .with_help(format!(
                            "write `lint` lines, `for each` and `repeat` outside this `{word}`"
                        )),
                    );
                    return Err(Reject::Reported);
                }
            }
            s.actions.push(match times {
                Some(times) => Action::Repeat(Box::new(Repeat {
                    fact,
                    times,
                    actions: inner.actions,
                    span: item_span,
                })),
                None => Action::ForEach(Box::new(ForEach {
                    fact,
                    actions: inner.actions,
                    span: item_span,
                })),
            });
        }
        "transfer" => s.actions.push(Action::Transfer(Box::new(Transfer {
            role: name(ic.take(Rule::ident)?),
            requires: match ic.maybe(Rule::requires) {
                Some(r) => names(Children::of(r).take(Rule::name_list)?),
                None => vec![],
            },
            reason: ic.maybe(Rule::text).map(text).transpose()?,
            span: item_span,
        }))),
        "lint" => {
            let level = match ic.take(Rule::lint_level)?.as_str() {
                "allow" => LintLevel::Allow,
                "warn" => LintLevel::Warn,
                _ => LintLevel::Deny,
            };
            lints.push(LintAttr {
                level,
                code: name(ic.take(Rule::lint_code)?),
                span: item_span,
            });
        }
        _ => return Err(Reject::Shape),
    }
    Ok(())
}

fn ask<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Exit<'i>> {
    let span = span_of(&pair);
    let waits = first_word(&pair) == "wait";
    let mut c = Children::of(pair);
    let fact = name(c.take(Rule::ident)?);
    let prompt = c.maybe(Rule::text).map(text).transpose()?;
    let answers = answer_set(c.take(Rule::answer_set)?, diags)?;
    let mut branches = vec![];
    while let Some(b) = c.maybe(Rule::branch) {
        branches.push(branch(b, diags)?);
    }
    Ok(Exit::Ask {
        fact,
        prompt,
        answers: fitted(answers),
        branches: fitted(branches),
        waits,
        span,
    })
}

fn verify<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Exit<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let fact = name(c.take(Rule::ident)?);
    let prompt = c.maybe(Rule::text).map(text).transpose()?;
    let q = c.take(Rule::quorum)?;
    let quorum_span = span_of(&q);
    let word = first_word(&q);
    let k = Children::of(q)
        .maybe(Rule::int)
        .map(|k| int_or_max(k, diags));
    let quorum = match (word, k) {
        ("any", Some(k)) => Quorum::Any(k),
        ("at", Some(k)) => Quorum::AtLeast(k),
        _ => Quorum::All,
    };
    let stated = match c.maybe(Rule::stated) {
        Some(st) => {
            let st_span = span_of(&st);
            let n = int_or_max(Children::of(st).take(Rule::int)?, diags);
            Some((n, st_span))
        }
        None => None,
    };
    let items = names(c.take(Rule::name_list)?);
    let mut branches = vec![];
    while let Some(b) = c.maybe(Rule::branch) {
        branches.push(branch(b, diags)?);
    }
    Ok(Exit::Verify {
        fact,
        prompt,
        checklist: Box::new(Checklist {
            quorum,
            quorum_span,
            stated,
            items,
        }),
        branches: fitted(branches),
        span,
    })
}

fn branch<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Branch<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let arm = if let Some(r) = c.maybe(Rule::range) {
        Arm::Range(Box::new(range(r, diags)?))
    } else if let Some(a) = c.maybe(Rule::answer) {
        let to = c.maybe(Rule::days_end).map(name);
        let hours = c.maybe(Rule::range).map(|r| range(r, diags)).transpose()?;
        if to.is_none() && hours.is_none() {
            Arm::Answer(name(a))
        } else {
            let from = name(a);
            let end = hours
                .as_ref()
                .map(|h| h.span.end)
                .or(to.as_ref().map(|t| t.span.end))
                .unwrap_or(from.span.end);
            Arm::Days(Box::new(Days {
                span: Span::new(from.span.start as usize, end as usize),
                from,
                to,
                hours,
            }))
        }
    } else {
        Arm::Else(Span::new(
            span.start as usize,
            span.start as usize + "else".len(),
        ))
    };
    let dest = dest(c.next().ok_or(Reject::Shape)?)?;
    let bound = match c.maybe(Rule::bound) {
        Some(b) => Some(Box::new(bound(b)?)),
        None => None,
    };
    Ok(Branch {
        arm,
        dest,
        bound,
        span,
    })
}

/// A step name or `end outcome`.
fn dest<'i>(pair: Pair<'i, Rule>) -> Result<Dest<'i>> {
    match pair.as_rule() {
        Rule::terminal => Ok(Dest::End(Box::new(terminal(pair)?))),
        Rule::gap_end => Ok(Dest::Gap(Box::new(gap_ref(pair)?))),
        Rule::ident => Ok(Dest::Step(name(pair))),
        Rule::exit_dest => Ok(Dest::Exit(name(Children::of(pair).take(Rule::ident)?))),
        _ => Err(Reject::Shape),
    }
}

fn handoff<'i>(pair: Pair<'i, Rule>) -> Result<Handoff<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    Ok(Handoff {
        policy: text(c.take(Rule::text)?)?,
        requires: match c.maybe(Rule::requires) {
            Some(r) => names(Children::of(r).take(Rule::name_list)?),
            None => vec![],
        },
        span,
    })
}

fn gap_ref<'i>(pair: Pair<'i, Rule>) -> Result<GapRef<'i>> {
    let span = span_of(&pair);
    Ok(GapRef {
        note: text(Children::of(pair).take(Rule::text)?)?,
        span,
    })
}

fn terminal<'i>(pair: Pair<'i, Rule>) -> Result<TerminalRef<'i>> {
    let span: Span = span_of(&pair);
    let r = outcome_ref(Children::of(pair).take(Rule::outcome_ref)?)?;
    Ok(TerminalRef { span, ..r })
}

fn range<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Range<'i>> {
    let span = span_of(&pair);
    let s = pair.as_str();
    let word = first_word(&pair);
    let mut c = Children::of(pair.clone());
    let from = value(c.take(Rule::value)?, diags)?;
    let to = c.maybe(Rule::value).map(|v| value(v, diags)).transpose()?;
    let unit = c.maybe(Rule::value_unit).map(|u| value_unit(u.as_str()));
    let op = match word {
        "over" => RangeOp::Over,
        "under" => RangeOp::Under,
        "before" => RangeOp::Before,
        "after" => RangeOp::After,
        _ if to.is_some() => RangeOp::Span,
        _ => match s
            .split_whitespace()
            .find(|w| matches!(*w, "more" | "less" | "later" | "earlier") || w.starts_with("more"))
        {
            Some(w) if w.starts_with("more") => RangeOp::OrMore,
            Some("less") => RangeOp::OrLess,
            Some("later") => RangeOp::OrLater,
            Some("earlier") => RangeOp::OrEarlier,
            _ => RangeOp::Exact,
        },
    };
    Ok(Range {
        op,
        from,
        to,
        unit,
        span,
    })
}

fn value_unit(word: &str) -> ValueUnit {
    if word.starts_with("minute") {
        ValueUnit::Minutes
    } else if word.starts_with("hour") {
        ValueUnit::Hours
    } else {
        ValueUnit::Days
    }
}

/// A date, a time of day, or a number with its unit.
fn value<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Value<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let first = c.next().ok_or(Reject::Shape)?;
    let kind = match first.as_rule() {
        Rule::date => match date(first, diags) {
            Some(d) => ValueKind::Date(d),
            None => return Err(Reject::Reported),
        },
        Rule::clock => match clock(first, diags) {
            Some(m) => ValueKind::Clock(m),
            None => return Err(Reject::Reported),
        },
        Rule::number => ValueKind::Number {
            digits: first.as_str(),
            unit: c.maybe(Rule::value_unit).map(|u| value_unit(u.as_str())),
        },
        _ => return Err(Reject::Shape),
    };
    Ok(Value { kind, span })
}

/// `HH:MM` as minutes after midnight; `24:00` ends a day.
fn clock(pair: Pair<'_, Rule>, diags: &mut Vec<Diagnostic>) -> Option<u32> {
    let s = pair.as_str();
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m < 60 && (h < 24 || (h == 24 && m == 0)) {
        return Some(h * 60 + m);
    }
    diags.push(
        Diagnostic::new(Code::Syntax, format!("`{s}` is not a time of day"))
            .at(span_of(&pair), "out of range")
            .with_help("write times as HOURS:MINUTES from 00:00 to 24:00, for example 16:30"),
    );
    None
}

fn outcome_ref<'i>(pair: Pair<'i, Rule>) -> Result<TerminalRef<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    Ok(TerminalRef {
        outcome: name(c.take(Rule::ident)?),
        target: c.maybe(Rule::ident).map(|t| Box::new(name(t))),
        span,
    })
}

fn bound<'i>(pair: Pair<'i, Rule>) -> Result<Bound<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let times_pair = c.take(Rule::int)?;
    // A bound too large for u32 is clamped: it is a loop bound, not data.
    let times = times_pair.as_str().parse::<u32>().unwrap_or(u32::MAX);
    let then = Box::new(dest(c.next().ok_or(Reject::Shape)?)?);
    Ok(Bound { times, then, span })
}

fn ticket<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Ticket<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let mut t = Ticket {
        target: name(c.take(Rule::ident)?),
        title: None,
        fields: vec![],
        body: vec![],
        assignee: vec![],
        span,
    };
    let mut title_span: Option<Span> = None;
    while let Some(item) = c.maybe(Rule::ticket_item) {
        let item_span: Span = span_of(&item);
        let word = first_word(&item);
        let mut ic = Children::of(item);
        match word {
            "title" => {
                if let Some(first) = title_span {
                    diags.push(
                        Diagnostic::new(Code::DuplicateName, "the ticket has two titles")
                            .at(item_span, "second title")
                            .with_label(first, "first title")
                            .with_help("keep one `title` line"),
                    );
                    continue;
                }
                title_span = Some(item_span);
                t.title = Some(text(ic.take(Rule::text)?)?);
            }
            "field" => {
                let field = name(ic.take(Rule::ident)?);
                t.fields.push((field, text(ic.take(Rule::text)?)?));
            }
            "body" => t.body.extend(names(ic.take(Rule::name_list)?)),
            "assignee" => t.assignee.extend(names(ic.take(Rule::name_list)?)),
            _ => return Err(Reject::Shape),
        }
    }
    Ok(t)
}

/// An answer, a value, or a day and a time of day.
fn given<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Given<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let first = c.next().ok_or(Reject::Shape)?;
    if first.as_rule() == Rule::value {
        return Ok(Given::Value(value(first, diags)?));
    }
    let day = name(first);
    match c.maybe(Rule::clock) {
        Some(k) => match clock(k, diags) {
            Some(minutes) => Ok(Given::DayClock { day, minutes, span }),
            None => Err(Reject::Reported),
        },
        None => Ok(Given::Answer(day)),
    }
}

fn scenario<'i>(pair: Pair<'i, Rule>, diags: &mut Vec<Diagnostic>) -> Result<Scenario<'i>> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let mut s = Scenario {
        name: text(c.take(Rule::text)?)?,
        answers: vec![],
        expect: None,
        visits: None,
        raises: vec![],
        span,
    };
    while let Some(item) = c.maybe(Rule::scenario_item) {
        let word = first_word(&item);
        let mut ic = Children::of(item);
        match word {
            "answers" => {
                while let Some(pair) = ic.maybe(Rule::answer_pair) {
                    let pair_span = span_of(&pair);
                    let mut pc = Children::of(pair);
                    let fact = name(pc.take(Rule::ident)?);
                    let rounds = match pc.next().ok_or(Reject::Shape)? {
                        r if r.as_rule() == Rule::answer_rounds => r
                            .into_inner()
                            .filter(|p| p.as_rule() == Rule::given)
                            .map(|g| given(g, diags))
                            .collect::<Result<_>>()?,
                        g if g.as_rule() == Rule::given => vec![given(g, diags)?],
                        _ => return Err(Reject::Shape),
                    };
                    s.answers.push(AnswerPair {
                        fact,
                        rounds,
                        span: pair_span,
                    });
                }
            }
            "expect" => {
                let end = ic.next().ok_or(Reject::Shape)?;
                s.expect = Some(match end.as_rule() {
                    Rule::gap_end => Expected::Gap(gap_ref(end)?),
                    Rule::handoff_end => Expected::Handoff(handoff(end)?),
                    _ => Expected::Outcome(outcome_ref(end)?),
                });
            }
            "visits" => s.visits = Some(names(ic.take(Rule::name_list)?)),
            "anytime" => {
                let rule = name(ic.take(Rule::ident)?);
                s.raises.push((rule, name(ic.take(Rule::ident)?)));
            }
            _ => return Err(Reject::Shape),
        }
    }
    Ok(s)
}

// ------------------------------------------------------------------ tokens

/// The pair's span in the file. The grammar's rules end where their
/// last part ends (no trailing white space).
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let base = BASE.get();
    let s = pair.as_span();
    Span::new(base + s.start(), base + s.end())
}

fn name<'i>(pair: Pair<'i, Rule>) -> Name<'i> {
    Name::new(pair.as_str(), span_of(&pair))
}

fn names(list: Pair<'_, Rule>) -> Vec<Name<'_>> {
    list.into_inner()
        .filter(|p| p.as_rule() == Rule::ident)
        .map(name)
        .collect()
}

/// A `text` (quoted strings with white space and comments between them) or
/// a single `string`: the slice as written and its `{name}` references. Its
/// escapes are checked here and read by [`Text::value`].
fn text<'i>(pair: Pair<'i, Rule>) -> Result<Text<'i>> {
    let span = span_of(&pair);
    let mut t = Text {
        raw: pair.as_str(),
        refs: Refs::default(),
        span,
    };
    let parts = t.parts();
    if parts.is_empty() {
        return Err(Reject::Shape);
    }
    let mut refs = vec![];
    for part in parts {
        let inner = part
            .strip_prefix('"')
            .and_then(|p| p.strip_suffix('"'))
            .ok_or(Reject::Shape)?;
        // Where the part's content starts in the file.
        let offset = span.start as usize + (inner.as_ptr() as usize - t.raw.as_ptr() as usize);
        check_escapes(inner, offset)?;
        refs.extend(text_refs(inner, offset));
    }
    t.refs = refs.into_iter().collect();
    Ok(t)
}

/// A carriage return in quotes is refused (the grammar skips to the next
/// quote, backslash or line end in one step, and so over it); the grammar
/// has already refused any escape but four. `offset`: where `inner` starts
/// in the file.
fn check_escapes(inner: &str, offset: usize) -> Result<()> {
    let bytes = inner.as_bytes();
    let mut i = 0;
    while let Some(at) = memchr::memchr2(b'\\', b'\r', &bytes[i..]) {
        i += at;
        match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(b'n' | b't' | b'"' | b'\\')) => i += 2,
            (b'\r', _) => return Err(Reject::CarriageReturn(offset + i)),
            _ => return Err(Reject::Shape),
        }
    }
    Ok(())
}

/// `{name}` references in raw string content starting at byte `offset`.
fn text_refs(raw: &str, offset: usize) -> Vec<Name<'_>> {
    let mut refs = vec![];
    let bytes = raw.as_bytes();
    let mut i = 0;
    while let Some(open) = memchr::memchr(b'{', &bytes[i..]) {
        let start = i + open + 1;
        let mut j = start;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        if j > start && j < bytes.len() && bytes[j] == b'}' && !bytes[start].is_ascii_digit() {
            refs.push(Name::new(
                &raw[start..j],
                Span::new(offset + start, offset + j),
            ));
            i = j + 1;
        } else {
            i = start;
        }
    }
    refs
}

fn date(pair: Pair<'_, Rule>, diags: &mut Vec<Diagnostic>) -> Option<Date> {
    let span: Span = span_of(&pair);
    let s = pair.as_str();
    let year: i32 = s[0..4].parse().ok()?;
    let month: u32 = s[5..7].parse().ok()?;
    let day: u32 = s[8..10].parse().ok()?;
    let days_in_month = crate::date::days_in_month(year, month).unwrap_or(0);
    if days_in_month == 0 {
        diags.push(
            Diagnostic::new(
                Code::Syntax,
                format!("`{s}` is not a date: there is no month {month}"),
            )
            .at(span, "month out of range")
            .with_help("write dates as YEAR-MONTH-DAY, for example 2015-07-01"),
        );
        return None;
    }
    if day == 0 || day > days_in_month {
        diags.push(
            Diagnostic::new(
                Code::Syntax,
                format!("`{s}` is not a date: month {month} has {days_in_month} days"),
            )
            .at(span, "day out of range")
            .with_help("write dates as YEAR-MONTH-DAY, for example 2015-07-01"),
        );
        return None;
    }
    Some(Date {
        year,
        month,
        day,
        span,
    })
}

/// A count too large for u32 is reported and read as the largest.
fn int_or_max(pair: Pair<'_, Rule>, diags: &mut Vec<Diagnostic>) -> u32 {
    int(pair, diags).unwrap_or(u32::MAX)
}

fn int(pair: Pair<'_, Rule>, diags: &mut Vec<Diagnostic>) -> Option<u32> {
    match pair.as_str().parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    format!("`{}` is too large a number", pair.as_str()),
                )
                .at(span_of(&pair), "too large")
                .with_help("numbers here are at most 4294967295"),
            );
            None
        }
    }
}
