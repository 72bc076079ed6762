//! `sopc fmt`: the canonical layout of a policy, from its AST and the
//! comments of its source. Every comment is kept, in order: a comment on a
//! line of its own stays before the item that follows it, a comment after
//! code stays at the end of that item's line. Declarations keep their order;
//! header fields, ticket sections and step lint lines take a fixed order;
//! branches and runs of similar declarations are aligned.

use crate::syntax::ast::*;

/// Lines longer than this are wrapped where the language allows it.
const WIDTH: usize = 100;

/// A comment in the source.
struct Comment {
    start: usize,
    text: String,
    /// Nothing but white space before it on its line.
    own_line: bool,
}

/// Every comment of `source`, skipping `#` inside quoted texts.
fn comments(source: &str) -> Vec<Comment> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    let mut line_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                in_string = false;
                line_start = i + 1;
            }
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'#' if !in_string => {
                let end = source[i..].find('\n').map_or(source.len(), |e| i + e);
                out.push(Comment {
                    start: i,
                    text: source[i..end].trim_end().to_string(),
                    own_line: source[line_start..i].trim().is_empty(),
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

struct Printer<'s> {
    source: &'s str,
    comments: Vec<Comment>,
    next: usize,
    out: String,
    /// Where in the source the last thing printed ended.
    last: usize,
}

/// Formats a parsed policy. `source` is the text it was parsed from.
pub fn format(policy: &Policy, source: &str) -> String {
    let mut p = Printer {
        source,
        comments: comments(source),
        next: 0,
        out: String::new(),
        last: 0,
    };
    p.header(&policy.header);
    let mut items: Vec<Item<'_>> = Vec::new();
    items.extend(policy.uses.iter().map(Item::Use));
    items.extend(policy.roles.iter().map(Item::Role));
    items.extend(policy.targets.iter().map(Item::Target));
    items.extend(policy.data.iter().map(Item::Data));
    items.extend(policy.facts.iter().map(Item::Fact));
    items.extend(policy.outcomes.iter().map(Item::Outcome));
    items.extend(policy.never_disclose.iter().map(Item::Never));
    items.extend(policy.never_phrases.iter().map(Item::NeverPhrase));
    items.extend(policy.requires.iter().map(Item::Require));
    items.extend(policy.starts.iter().map(Item::Start));
    items.extend(policy.entries.iter().map(Item::Entry));
    items.extend(policy.anytime.iter().map(Item::Anytime));
    items.extend(policy.receives.iter().map(Item::Receives));
    items.extend(policy.loops.iter().map(Item::Loop));
    items.extend(policy.steps.iter().map(|s| Item::Step(s)));
    items.extend(policy.procedures.iter().map(Item::Procedure));
    items.extend(policy.scenarios.iter().map(Item::Scenario));
    items.sort_by_key(|i| i.span().start);
    let mut i = 0;
    while i < items.len() {
        // A run of consecutive declarations of one kind is aligned together.
        let mut j = i + 1;
        while j < items.len()
            && items[j].kind() == items[i].kind()
            && items[i].aligns()
            && !blank_between(
                source,
                items[j - 1].span().end as usize,
                items[j].span().start as usize,
            )
        {
            j += 1;
        }
        let run = &items[i..j];
        let widths = Widths::of(run);
        for (k, item) in run.iter().enumerate() {
            let start = item.span().start as usize;
            // Blocks, and the first declaration after the header, stand apart.
            if k == 0 && (item.is_block() || i == 0) {
                p.blank_line();
            }
            p.leading(start, "");
            p.gap(start);
            match item {
                Item::Use(u) => p.line(&format!("use {}", p.text(&u.path, 4)), u.span),
                Item::Role(r) => p.line(
                    &format!(
                        "role {} {}",
                        pad(r.name.text(), widths.name),
                        p.text(&r.title, 0)
                    ),
                    r.span,
                ),
                Item::Target(t) => p.target(t, &widths),
                Item::Data(d) => p.data(d, &widths),
                Item::Outcome(o) => p.outcome(o, &widths),
                Item::Fact(f) => p.fact(f, &widths),
                Item::Never(n) => {
                    let mut line = format!("never disclose {}", names(&n.fields));
                    if let Some(sc) = &n.scope {
                        let word = match sc.kind {
                            ScopeKind::Until => "until",
                            ScopeKind::To => "to",
                        };
                        line.push_str(&format!(" {word} {}", sc.fact.text()));
                        if let Some(a) = &sc.answer {
                            line.push_str(&format!(" {}", a.text()));
                        }
                    }
                    p.line(&line, n.span)
                }
                Item::NeverPhrase(n) => {
                    let word = match n.kind {
                        PhraseKind::Say => "say",
                        PhraseKind::Do => "do",
                    };
                    let col = "never ".len() + word.len() + 1;
                    p.line(&format!("never {word} {}", p.text(&n.phrase, col)), n.span)
                }
                Item::Require(r) => p.line(
                    &format!("require {} before {}", r.first.text(), r.then.text()),
                    r.span,
                ),
                Item::Start(s) => p.line(&format!("start {}", s.step.text()), s.span),
                Item::Entry(e) => {
                    let head = format!("entry {} ", e.name.text());
                    let line = format!(
                        "{head}{} -> {}",
                        p.text(&e.label, head.len()),
                        e.step.text()
                    );
                    p.line(&line, e.span)
                }
                Item::Receives(r) => p.line(&format!("receives {}", names(&r.data)), r.span),
                Item::Anytime(a) => {
                    let head = format!("anytime {} ", a.name.text());
                    let mut line = format!(
                        "{head}{} -> {}",
                        p.text(&a.label, head.len()),
                        a.handler.text()
                    );
                    if let Some(w) = &a.within {
                        line.push_str(&format!(" within {}", names(w)));
                    }
                    p.line(&line, a.span)
                }
                Item::Loop(l) => p.line(
                    &format!("loop {}{}", l.step.text(), bound_words(&l.bound)),
                    l.span,
                ),
                Item::Step(s) => p.step(s),
                Item::Procedure(x) => p.procedure(x),
                Item::Scenario(s) => p.scenario(s),
            }
        }
        i = j;
    }
    p.rest();
    p.out
}

#[derive(Clone, Copy)]
enum Item<'a> {
    Use(&'a Use<'a>),
    Role(&'a RoleDecl<'a>),
    Target(&'a TargetDecl<'a>),
    Data(&'a DataDecl<'a>),
    Fact(&'a FactDecl<'a>),
    Outcome(&'a OutcomeDecl<'a>),
    Never(&'a NeverDisclose<'a>),
    NeverPhrase(&'a NeverPhrase<'a>),
    Require(&'a Require<'a>),
    Start(&'a StartDecl<'a>),
    Entry(&'a Entry<'a>),
    Anytime(&'a Anytime<'a>),
    Receives(&'a Receives<'a>),
    Loop(&'a LoopDecl<'a>),
    Step(&'a Step<'a>),
    Procedure(&'a Procedure<'a>),
    Scenario(&'a Scenario<'a>),
}

impl Item<'_> {
    fn span(&self) -> crate::span::Span {
        match self {
            Item::Use(x) => x.span,
            Item::Role(x) => x.span,
            Item::Target(x) => x.span,
            Item::Data(x) => x.span,
            Item::Fact(x) => x.span,
            Item::Outcome(x) => x.span,
            Item::Never(x) => x.span,
            Item::NeverPhrase(x) => x.span,
            Item::Require(x) => x.span,
            Item::Start(x) => x.span,
            Item::Entry(x) => x.span,
            Item::Anytime(x) => x.span,
            Item::Receives(x) => x.span,
            Item::Loop(x) => x.span,
            Item::Step(x) => x.span,
            Item::Procedure(x) => x.span,
            Item::Scenario(x) => x.span,
        }
    }

    fn kind(&self) -> u8 {
        match self {
            Item::Role(_) => 0,
            Item::Target(_) => 1,
            Item::Data(_) => 2,
            Item::Outcome(_) => 3,
            Item::Never(_) => 4,
            Item::Require(_) => 5,
            Item::Start(_) => 6,
            Item::Step(_) => 7,
            Item::Scenario(_) => 8,
            Item::Fact(_) => 9,
            Item::NeverPhrase(_) => 4,
            Item::Anytime(_) => 10,
            Item::Receives(_) => 11,
            Item::Procedure(_) => 12,
            Item::Use(_) => 13,
            Item::Entry(_) => 6,
            Item::Loop(_) => 14,
        }
    }

    fn aligns(&self) -> bool {
        matches!(
            self,
            Item::Role(_) | Item::Target(_) | Item::Data(_) | Item::Outcome(_) | Item::Fact(_)
        )
    }

    fn is_block(&self) -> bool {
        matches!(self, Item::Step(_) | Item::Procedure(_) | Item::Scenario(_))
    }
}

/// Column widths for a run of aligned declarations.
#[derive(Default)]
struct Widths {
    name: usize,
    /// Labels of data and outcomes, titles of targets.
    label: usize,
    /// Outcome kinds, when an outcome of the run lists targets.
    kind: usize,
}

impl Widths {
    fn of(run: &[Item<'_>]) -> Widths {
        let mut w = Widths::default();
        for item in run {
            let (name, label) = match item {
                Item::Role(r) => (r.name.text().len(), 0),
                Item::Target(t) => (t.name.text().len(), raw_len(&t.title)),
                Item::Data(d) => (d.name.text().len(), d.label.as_ref().map_or(0, raw_len)),
                Item::Outcome(o) => (o.name.text().len(), o.label.as_ref().map_or(0, raw_len)),
                Item::Fact(f) => (f.name.text().len(), f.label.as_ref().map_or(0, raw_len)),
                _ => (0, 0),
            };
            w.name = w.name.max(name);
            w.label = w.label.max(label);
            if let Item::Outcome(o) = item {
                if o.targets.iter().len() > 0 || w.kind > 0 {
                    w.kind = w.kind.max(o.kind.map_or(0, |k| k.word().len()));
                }
            }
        }
        w
    }
}

/// The width of a one-part text as written.
fn raw_len(t: &Text) -> usize {
    match t.parts()[..] {
        [one] => one.len(),
        _ => 0,
    }
}

fn pad(s: &str, width: usize) -> String {
    format!("{s:<width$}")
}

/// `handoff "POLICY" requires A, B`.
fn handoff(h: &crate::syntax::ast::Handoff) -> String {
    let mut out = format!("handoff {}", h.policy.raw);
    if !h.requires.is_empty() {
        out.push_str(&format!(" requires {}", names(&h.requires)));
    }
    out
}

fn names(n: &[Name]) -> String {
    n.iter().map(|n| n.text()).collect::<Vec<_>>().join(", ")
}

/// Whether the source between two offsets holds an empty line.
fn blank_between(source: &str, from: usize, to: usize) -> bool {
    let gap = source.get(from.min(to)..to).unwrap_or("");
    let mut lines = gap.split('\n');
    lines.next();
    let mut middle: Vec<&str> = lines.collect();
    middle.pop();
    middle.iter().any(|l| l.trim().is_empty())
}

fn dest(d: &Dest) -> String {
    match d {
        Dest::Step(n) => n.text().to_string(),
        Dest::End(t) => format!("end {}", terminal(t)),
        Dest::Gap(g) => format!("gap {}", g.note.raw),
        Dest::Exit(n) => format!("exit {}", n.text()),
    }
}

fn terminal(t: &TerminalRef) -> String {
    match &t.target {
        Some(x) => format!("{}({})", t.outcome.text(), x.text()),
        None => t.outcome.text().to_string(),
    }
}

fn bound(b: Option<&Bound>) -> String {
    b.map(bound_words).unwrap_or_default()
}

/// ` at most N times, then DEST`.
fn bound_words(b: &Bound) -> String {
    format!(
        " at most {} {}, then {}",
        b.times,
        if b.times == 1 { "time" } else { "times" },
        dest(&b.then)
    )
}

impl Printer<'_> {
    /// The text as written: its quoted parts, on one line when they fit,
    /// else one part per line aligned under the first (`column` is where the
    /// text starts on its line).
    fn text(&self, t: &Text, column: usize) -> String {
        let parts = t.parts();
        let one_line = parts.join(" ");
        if parts.len() == 1 || column + one_line.len() <= WIDTH {
            one_line
        } else {
            parts.join(&format!("\n{}", " ".repeat(column)))
        }
    }

    /// Own-line comments before `offset`, at `indent`; a comment that was at
    /// the end of a line of code whose item is gone is kept the same way.
    fn leading(&mut self, offset: usize, indent: &str) {
        while self.next < self.comments.len() && self.comments[self.next].start < offset {
            let start = self.comments[self.next].start;
            self.gap(start);
            let c = &self.comments[self.next];
            self.out.push_str(indent);
            self.out.push_str(&c.text);
            self.out.push('\n');
            self.last = start + c.text.len();
            self.next += 1;
        }
    }

    /// One empty line where the source has at least one between what was
    /// printed last and `start`.
    fn gap(&mut self, start: usize) {
        if blank_between(self.source, self.last, start) {
            self.blank_line();
        }
    }

    /// An empty line, unless the output already ends with one or with the
    /// opening of a block.
    fn blank_line(&mut self) {
        if self.out.is_empty() || self.out.ends_with("\n\n") || self.out.ends_with("{\n") {
            return;
        }
        self.out.push('\n');
    }

    /// Ends an output line for an item ending at `end`: a comment after it
    /// on the same source line follows it.
    fn end_line(&mut self, end: usize) {
        self.last = self.last.max(end);
        if let Some(c) = self.comments.get(self.next) {
            let same_line = !c.own_line && !self.source[end.min(c.start)..c.start].contains('\n');
            if same_line && c.start >= end {
                self.out.push_str("  ");
                self.out.push_str(&c.text);
                self.last = c.start + c.text.len();
                self.next += 1;
            }
        }
        self.out.push('\n');
    }

    fn line(&mut self, text: &str, span: crate::span::Span) {
        self.out.push_str(text);
        self.end_line(span.end as usize);
    }

    fn rest(&mut self) {
        self.leading(usize::MAX, "");
    }

    fn header(&mut self, h: &Header) {
        self.leading(h.span.start as usize, "");
        self.gap(h.span.start as usize);
        let word = if h.library { "library" } else { "sop" };
        let head = format!(
            "{word} {} {} {{",
            self.text(&h.id, word.len() + 1),
            self.text(&h.title, word.len() + 2 + h.id.span.len())
        );
        self.out.push_str(&head);
        self.end_line(h.title.span.end as usize);
        let mut fields: Vec<(usize, &str, String, usize)> = Vec::new();
        let t = |p: &Self,
                 label: &'static str,
                 x: &Option<Text>,
                 order: usize,
                 out: &mut Vec<(usize, &str, String, usize)>| {
            if let Some(x) = x {
                out.push((order, label, p.text(x, 14), x.span.end as usize));
            }
        };
        t(self, "owner", &h.owner, 0, &mut fields);
        t(self, "approval", &h.approval, 1, &mut fields);
        t(self, "revision", &h.revision, 2, &mut fields);
        let date = |d: &Date| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day);
        if let Some(d) = &h.implemented {
            fields.push((3, "implemented", date(d), d.span.end as usize));
        }
        if let Some(d) = &h.reviewed {
            fields.push((4, "reviewed", date(d), d.span.end as usize));
        }
        if let Some(p) = &h.review_every {
            let unit = match (p.unit, p.amount == 1) {
                (PeriodUnit::Days, true) => "day",
                (PeriodUnit::Days, false) => "days",
                (PeriodUnit::Months, true) => "month",
                (PeriodUnit::Months, false) => "months",
                (PeriodUnit::Years, true) => "year",
                (PeriodUnit::Years, false) => "years",
            };
            fields.push((
                5,
                "review every",
                format!("{} {unit}", p.amount),
                p.span.end as usize,
            ));
        }
        t(self, "purpose", &h.purpose, 6, &mut fields);
        t(self, "source", &h.source, 7, &mut fields);
        if let Some(b) = &h.budget {
            let q = if b.questions == 1 {
                "question"
            } else {
                "questions"
            };
            fields.push((
                8,
                "budget",
                format!("{} {q}", b.questions),
                b.span.end as usize,
            ));
        }
        // Comments inside the header travel with the field they precede or
        // follow on its line, since the fields are put in canonical order.
        let body_start = h.title.span.end as usize;
        let inside: Vec<usize> = (self.next..self.comments.len())
            .take_while(|&i| self.comments[i].start < h.span.end as usize)
            .filter(|&i| self.comments[i].start >= body_start)
            .collect();
        let mut by_source: Vec<usize> = (0..fields.len()).collect();
        by_source.sort_by_key(|&i| fields[i].3);
        let mut attached: Vec<(Vec<usize>, Option<usize>)> = vec![(Vec::new(), None); fields.len()];
        let mut pending = inside.iter().copied().peekable();
        for &f in &by_source {
            let end = fields[f].3;
            let line_start = self.source[..end].rfind('\n').map_or(0, |i| i + 1);
            while let Some(&c) = pending.peek() {
                if self.comments[c].start < line_start {
                    attached[f].0.push(c);
                    pending.next();
                } else {
                    break;
                }
            }
            if let Some(&c) = pending.peek() {
                let on_line = !self.source[end..self.comments[c].start].contains('\n');
                if on_line {
                    attached[f].1 = Some(c);
                    pending.next();
                }
            }
        }
        let closing: Vec<usize> = pending.collect();
        self.next += inside.len();
        let mut order: Vec<usize> = (0..fields.len()).collect();
        order.sort_by_key(|&i| fields[i].0);
        let width = fields.iter().map(|f| f.1.len()).max().unwrap_or(0);
        for f in order {
            let (_, key, value, _) = &fields[f];
            for &c in &attached[f].0 {
                self.out.push_str(&format!("  {}\n", self.comments[c].text));
            }
            self.out
                .push_str(&format!("  {} {}", pad(key, width), value));
            if let Some(c) = attached[f].1 {
                self.out.push_str(&format!("  {}", self.comments[c].text));
            }
            self.out.push('\n');
        }
        for c in closing {
            self.out.push_str(&format!("  {}\n", self.comments[c].text));
        }
        self.last = h.span.end as usize;
        self.out.push_str("}\n");
    }

    fn target(&mut self, t: &TargetDecl, w: &Widths) {
        let kind = match t.kind {
            TargetKind::Referral => "referral",
            TargetKind::Ticket => "ticket",
            TargetKind::Contact => "contact",
        };
        let name_col = 7;
        let title = self.text(&t.title, name_col + w.name + 1);
        let mut line = format!(
            "target {} {} {kind}",
            pad(t.name.text(), w.name),
            pad(&title, w.label)
        );
        if let Some(v) = &t.via {
            line.push_str(&format!(" via {}", self.text(v, 0)));
        }
        if !t.requires.is_empty() {
            let requires = format!("requires {}", names(&t.requires));
            if line.len() + 1 + requires.len() <= WIDTH {
                line.push(' ');
                line.push_str(&requires);
            } else {
                line.push('\n');
                line.push_str(&" ".repeat(name_col + w.name + 1));
                line.push_str(&requires);
            }
        }
        self.line(&line, t.span);
    }

    fn data(&mut self, d: &DataDecl, w: &Widths) {
        let class = match d.class {
            DataClass::Text => "text",
            DataClass::Phone => "phone",
            DataClass::Email => "email",
            DataClass::Id => "id",
            DataClass::Date => "date",
            DataClass::Number => "number",
            DataClass::Secret => "secret",
            DataClass::Unrecorded => "unrecorded",
        };
        let label = d
            .label
            .as_ref()
            .map(|l| self.text(l, 0))
            .unwrap_or_default();
        let mut line = if w.label > 0 {
            format!(
                "data {} {} {class}",
                pad(d.name.text(), w.name),
                pad(&label, w.label)
            )
        } else {
            format!("data {} {class}", pad(d.name.text(), w.name))
        };
        for r in &d.rules {
            line.push(' ');
            line.push_str(&match &r.kind {
                ValueRuleKind::MinLength(n) => format!("min length {n}"),
                ValueRuleKind::MaxLength(n) => format!("max length {n}"),
                ValueRuleKind::Length(n) => format!("length {n}"),
                ValueRuleKind::Pattern(t) => format!("pattern {}", self.text(t, 0)),
                ValueRuleKind::Min(v) => format!("min {}", self.value(v)),
                ValueRuleKind::Max(v) => format!("max {}", self.value(v)),
            });
        }
        self.line(line.trim_end(), d.span);
    }

    /// A value as written, its white space made one space.
    fn value(&self, v: &Value) -> String {
        let raw = &self.source[v.span.start as usize..v.span.end as usize];
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn range(&self, r: &Range) -> String {
        let from = self.value(&r.from);
        let unit = |u: Option<ValueUnit>| match u {
            Some(ValueUnit::Minutes) => " minutes",
            Some(ValueUnit::Hours) => " hours",
            Some(ValueUnit::Days) => " days",
            None => "",
        };
        match r.op {
            RangeOp::Over => format!("over {from}"),
            RangeOp::Under => format!("under {from}"),
            RangeOp::Before => format!("before {from}"),
            RangeOp::After => format!("after {from}"),
            RangeOp::OrMore => format!("{from} or more{}", unit(r.unit)),
            RangeOp::OrLess => format!("{from} or less{}", unit(r.unit)),
            RangeOp::OrLater => format!("{from} or later"),
            RangeOp::OrEarlier => format!("{from} or earlier"),
            RangeOp::Span => format!(
                "{from}..{}",
                r.to.as_ref().map(|t| self.value(t)).unwrap_or_default()
            ),
            RangeOp::Exact => from,
        }
    }

    fn fact(&mut self, f: &FactDecl, w: &Widths) {
        let label = f
            .label
            .as_ref()
            .map(|l| self.text(l, 0))
            .unwrap_or_default();
        let mut line = format!("fact {}", pad(f.name.text(), w.name));
        if w.label > 0 {
            line.push(' ');
            line.push_str(&pad(&label, w.label));
        }
        line.push(' ');
        line.push_str(&match &f.ty {
            FactType::YesNo(_) => "yes/no".to_string(),
            // Answers with words, or too many for a line: one a line.
            FactType::Choice(answers)
                if answers.iter().any(|a| a.label.is_some())
                    || line.len() + self.answer_set(answers).len() > WIDTH =>
            {
                let w = answers
                    .iter()
                    .map(|a| a.name.text().len())
                    .max()
                    .unwrap_or(0);
                let mut block = String::from("{");
                for a in answers {
                    block.push_str("\n  ");
                    match &a.label {
                        Some(l) => {
                            let words = self.text(l, 0);
                            block.push_str(&format!("{} {words}", pad(a.name.text(), w)));
                        }
                        None => block.push_str(a.name.text()),
                    }
                }
                block.push_str("\n}");
                block
            }
            FactType::Choice(answers) => self.answer_set(answers),
            FactType::Multiple(answers) => format!("multiple {}", self.answer_set(answers)),
            FactType::Role(_) => "role".to_string(),
            FactType::Unit(u, _) => match u {
                Unit::Number => "number",
                Unit::Count => "count",
                Unit::Money => "money",
                Unit::Minutes => "minutes",
                Unit::Hours => "hours",
                Unit::Days => "days",
                Unit::Date => "date",
                Unit::Time => "time",
            }
            .to_string(),
        });
        line.push(' ');
        line.push_str(&match &f.source {
            FactSource::Ask(None) => "ask".to_string(),
            FactSource::Ask(Some(t)) => format!("ask {}", self.text(t, 0)),
            FactSource::Lookup(None) => "lookup".to_string(),
            FactSource::Lookup(Some(t)) => format!("lookup in {}", self.text(t, 0)),
            FactSource::Host => "from host".to_string(),
        });
        self.line(&line, f.span);
    }

    /// `{ a b }`, or `{ a "words" b "words" }`.
    fn answer_set(&self, answers: &[AnswerDef]) -> String {
        let words: Vec<String> = answers
            .iter()
            .map(|a| match &a.label {
                Some(l) => format!("{} {}{}", a.name.text(), self.text(l, 0), self.after(a)),
                None => format!("{}{}", a.name.text(), self.after(a)),
            })
            .collect();
        format!("{{ {} }}", words.join(" "))
    }

    /// ` after 2 days` for a wait's timeout answer.
    fn after(&self, a: &AnswerDef) -> String {
        a.after
            .as_ref()
            .map_or(String::new(), |v| format!(" after {}", self.value(v)))
    }

    fn outcome(&mut self, o: &OutcomeDecl, w: &Widths) {
        let label = o
            .label
            .as_ref()
            .map(|l| self.text(l, 0))
            .unwrap_or_default();
        let mut line = format!("outcome {}", pad(o.name.text(), w.name));
        if w.label > 0 || !label.is_empty() {
            line.push(' ');
            line.push_str(&pad(&label, w.label));
        }
        if let Some(k) = o.kind {
            line.push(' ');
            let width = if o.targets.is_empty() { 0 } else { w.kind };
            line.push_str(&pad(k.word(), width));
        }
        if let Some(w) = &o.within {
            line = format!("{} within {}", line.trim_end(), self.value(w));
        }
        if !o.targets.is_empty() {
            line.push_str(&format!(" to {}", names(&o.targets)));
        }
        self.line(line.trim_end(), o.span);
    }

    /// `procedure NAME "…" exits a, b {`, its steps indented one level,
    /// and `}`.
    fn procedure(&mut self, x: &Procedure) {
        let mut head = format!("procedure {}", x.name.text());
        if let Some(t) = &x.text {
            head = format!("{head} {}", self.text(t, head.len() + 1));
        }
        if !x.exits.is_empty() {
            head.push_str(&format!(" exits {}", names(&x.exits)));
        }
        head.push_str(" {");
        self.out.push_str(&head);
        let head_end = x
            .exits
            .last()
            .map(|e| e.span.end)
            .or(x.text.as_ref().map(|t| t.span.end))
            .unwrap_or(x.name.span.end);
        self.end_line(head_end as usize);
        for s in &x.steps {
            self.blank_line();
            self.leading(s.span.start as usize, "  ");
            // The step as at the top, then indented: its own lines and
            // comments keep their layout one level in.
            let outer = std::mem::take(&mut self.out);
            self.step(s);
            let inner = std::mem::replace(&mut self.out, outer);
            for line in inner.lines() {
                if !line.is_empty() {
                    self.out.push_str("  ");
                    self.out.push_str(line);
                }
                self.out.push('\n');
            }
        }
        self.leading(x.span.end as usize, "  ");
        self.out.push('}');
        self.end_line(x.span.end as usize);
    }

    fn step(&mut self, s: &Step) {
        let mut head = format!("step {}", s.name.text());
        if let Some(t) = &s.text {
            head = format!("{head} {}", self.text(t, head.len() + 1));
        }
        if let Some(r) = &s.role {
            head.push_str(&format!(" by {}", r.text()));
        }
        head.push_str(" {");
        self.out.push_str(&head);
        let head_end = s
            .role
            .as_ref()
            .map(|r| r.span.end)
            .or(s.text.as_ref().map(|t| t.span.end))
            .unwrap_or(s.name.span.end);
        self.end_line(head_end as usize);
        for l in &s.lints {
            self.leading(l.span.start as usize, "  ");
            let level = match l.level {
                LintLevel::Allow => "allow",
                LintLevel::Warn => "warn",
                LintLevel::Deny => "deny",
            };
            self.line(&format!("  lint {level} {}", l.code.text()), l.span);
        }
        for a in &s.actions {
            self.leading(a.span().start as usize, "  ");
            self.action(a);
        }
        match s.exit.as_deref() {
            None => {}
            Some(Exit::Leave(n)) => {
                self.leading(n.span.start as usize, "  ");
                self.line(&format!("  exit {}", n.text()), n.span);
            }
            Some(Exit::Call {
                procedure,
                branches,
                span,
            }) => {
                self.leading(span.start as usize, "  ");
                self.out
                    .push_str(&format!("  call {} {{", procedure.text()));
                self.end_line(procedure.span.end as usize + 2);
                let width = branches
                    .iter()
                    .map(|b| b.exit.text().len())
                    .max()
                    .unwrap_or(0);
                for b in branches {
                    self.leading(b.span.start as usize, "    ");
                    self.line(
                        &format!("    {} -> {}", pad(b.exit.text(), width), dest(&b.dest)),
                        b.span,
                    );
                }
                self.leading(span.end as usize, "    ");
                self.out.push_str("  }");
                self.end_line(span.end as usize);
            }
            Some(Exit::End(t)) => {
                self.leading(t.span.start as usize, "  ");
                self.line(&format!("  end {}", terminal(t)), t.span);
            }
            Some(Exit::Gap(g)) => {
                self.leading(g.span.start as usize, "  ");
                self.line(&format!("  gap {}", self.text(&g.note, 6)), g.span);
            }
            Some(Exit::Handoff(h)) => {
                self.leading(h.span.start as usize, "  ");
                self.line(&format!("  {}", handoff(h)), h.span);
            }
            Some(Exit::Goto {
                dest: d,
                bound: b,
                span,
            }) => {
                self.leading(span.start as usize, "  ");
                self.line(&format!("  goto {}{}", dest(d), bound(b.as_ref())), *span);
            }
            Some(Exit::Ask {
                fact,
                prompt,
                answers,
                branches,
                waits,
                span,
            }) => {
                self.leading(span.start as usize, "  ");
                let word = if *waits { "wait" } else { "ask" };
                let mut line = format!("  {word} {}", fact.text());
                if let Some(p) = prompt {
                    line = format!("{line} {}", self.text(p, line.len() + 1));
                }
                let list = self.answer_set(answers);
                let last_line_len = line.rsplit('\n').next().map_or(0, str::len);
                let labelled = answers.iter().any(|a| a.label.is_some());
                if last_line_len + 1 + list.len() <= WIDTH && !labelled {
                    line.push(' ');
                    line.push_str(&list);
                } else if labelled {
                    // One labelled answer a line, the labels aligned.
                    let w = answers
                        .iter()
                        .map(|a| a.name.text().len())
                        .max()
                        .unwrap_or(0);
                    line.push_str(" {");
                    for a in answers {
                        line.push_str("\n    ");
                        match &a.label {
                            Some(l) => {
                                let words = self.text(l, 0);
                                line.push_str(&format!("{} {words}", pad(a.name.text(), w)));
                            }
                            None => line.push_str(a.name.text()),
                        }
                        line.push_str(&self.after(a));
                    }
                    line.push_str("\n  }");
                } else {
                    line.push_str(&format!(
                        " {{\n    {}\n  }}",
                        answers
                            .iter()
                            .map(|a| format!("{}{}", a.name.text(), self.after(a)))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ));
                }
                let answers_end = branches.first().map_or(span.end, |b| b.span.start);
                let close = self.source[..answers_end as usize].rfind('}').unwrap_or(0);
                self.out.push_str(&line);
                self.end_line(close + 1);
                self.branches(branches, "  ");
            }
            Some(Exit::Verify {
                fact,
                prompt,
                checklist,
                branches,
                span,
            }) => {
                let (quorum, stated, items) =
                    (&checklist.quorum, &checklist.stated, &checklist.items);
                self.leading(span.start as usize, "  ");
                let mut line = format!("  verify {}", fact.text());
                if let Some(p) = prompt {
                    line = format!("{line} {}", self.text(p, line.len() + 1));
                }
                line.push_str(&match quorum {
                    Quorum::All => " all of".to_string(),
                    Quorum::Any(k) => format!(" any {k} of"),
                    Quorum::AtLeast(k) => format!(" at least {k} of"),
                });
                if let Some((n, _)) = stated {
                    line.push_str(&format!(" these {n}:"));
                }
                line.push(' ');
                line.push_str(&names(items));
                let end = items.last().map_or(span.end, |n| n.span.end);
                self.out.push_str(&line);
                self.end_line(end as usize);
                self.branches(branches, "  ");
            }
            Some(Exit::Match {
                fact,
                branches,
                span,
            }) => {
                self.leading(span.start as usize, "  ");
                self.out.push_str(&format!("  match {} {{", fact.text()));
                self.end_line(fact.span.end as usize + 2);
                self.branches(branches, "    ");
                self.leading(span.end as usize, "    ");
                self.out.push_str("  }");
                self.end_line(span.end as usize);
            }
        }
        self.leading(s.span.end as usize, "  ");
        self.out.push('}');
        self.end_line(s.span.end as usize);
    }

    fn branches(&mut self, branches: &[Branch], indent: &str) {
        let arm = |b: &Branch| match &b.arm {
            Arm::Answer(a) => a.text().to_string(),
            Arm::Else(_) => "else".to_string(),
            Arm::Range(r) => self.range(r),
            Arm::Days(d) => {
                let Days {
                    from, to, hours, ..
                } = &**d;
                let mut s = from.text().to_string();
                if let Some(t) = to {
                    s.push_str(&format!("..{}", t.text()));
                }
                if let Some(h) = hours {
                    s.push(' ');
                    s.push_str(&self.range(h));
                }
                s
            }
        };
        let arms: Vec<String> = branches.iter().map(arm).collect();
        let width = arms.iter().map(String::len).max().unwrap_or(0);
        for (b, arm) in branches.iter().zip(&arms) {
            self.leading(b.span.start as usize, indent);
            self.line(
                &format!(
                    "{indent}{} -> {}{}",
                    pad(arm, width),
                    dest(&b.dest),
                    bound(b.bound.as_deref())
                ),
                b.span,
            );
        }
    }

    fn action(&mut self, a: &Action) {
        match a {
            Action::Do(t) => self.line(&format!("  do {}", self.text(t, 5)), t.span),
            Action::Say(t) => self.line(&format!("  say {}", self.text(t, 6)), t.span),
            Action::Warn(t) => self.line(&format!("  warn {}", self.text(t, 7)), t.span),
            Action::Note(t) => self.line(&format!("  note {}", self.text(t, 7)), t.span),
            Action::Gap(t) => self.line(&format!("  gap {}", self.text(t, 6)), t.span),
            Action::Collect { fields, span } => {
                self.line(&format!("  collect {}", names(fields)), *span)
            }
            Action::Refer { target, span } => {
                self.line(&format!("  refer {}", target.text()), *span)
            }
            Action::Transfer(t) => {
                let mut line = format!("  transfer {}", t.role.text());
                if !t.requires.is_empty() {
                    line.push_str(&format!(" requires {}", names(&t.requires)));
                }
                if let Some(r) = &t.reason {
                    let col = line.len() + 1;
                    line.push_str(&format!(" {}", self.text(r, col)));
                }
                self.line(&line, t.span)
            }
            Action::Ticket(t) => {
                self.out
                    .push_str(&format!("  ticket {} {{", t.target.text()));
                self.end_line(t.target.span.end as usize + 2);
                let mut sections: Vec<(usize, String, usize)> = Vec::new();
                if let Some(title) = &t.title {
                    sections.push((
                        title.span.start as usize,
                        format!("title {}", self.text(title, 10)),
                        title.span.end as usize,
                    ));
                }
                let fw = t
                    .fields
                    .iter()
                    .map(|(n, _)| n.text().len())
                    .max()
                    .unwrap_or(0);
                for (n, v) in &t.fields {
                    sections.push((
                        n.span.start as usize,
                        format!("field {} {}", pad(n.text(), fw), self.text(v, 0)),
                        v.span.end as usize,
                    ));
                }
                if !t.body.is_empty() {
                    let end = t.body.iter().map(|n| n.span.end).max().unwrap_or(0) as usize;
                    let start = t.body.iter().map(|n| n.span.start).min().unwrap_or(0) as usize;
                    sections.push((start, format!("body {}", names(&t.body)), end));
                }
                if !t.assignee.is_empty() {
                    let end = t.assignee.iter().map(|n| n.span.end).max().unwrap_or(0) as usize;
                    let start = t.assignee.iter().map(|n| n.span.start).min().unwrap_or(0) as usize;
                    sections.push((start, format!("assignee {}", names(&t.assignee)), end));
                }
                let kw = sections
                    .iter()
                    .map(|(_, t, _)| t.split(' ').next().map_or(0, str::len))
                    .max()
                    .unwrap_or(0);
                for (start, text, end) in sections {
                    self.leading(start, "    ");
                    let (key, rest) = text.split_once(' ').unwrap_or((&text, ""));
                    self.out.push_str(&format!("    {} {rest}", pad(key, kw)));
                    self.end_line(end);
                }
                self.leading(t.span.end as usize, "    ");
                self.out.push_str("  }");
                self.end_line(t.span.end as usize);
            }
            Action::ForEach(e) => {
                let head = format!("  for each {} {{", e.fact.text());
                self.repetition(&head, &e.fact, &e.actions, e.span);
            }
            Action::Repeat(r) => {
                let head = format!("  repeat {} up to {} {{", r.fact.text(), r.times);
                self.repetition(&head, &r.fact, &r.actions, r.span);
            }
        }
    }

    /// A `for each` or `repeat` block: its head, its actions two spaces
    /// further in, and its closing brace.
    fn repetition(&mut self, head: &str, fact: &Name, actions: &[Action], span: crate::span::Span) {
        self.out.push_str(head);
        self.end_line(fact.span.end as usize);
        for a in actions {
            // Printed as a step's action, then two more spaces in.
            let start = self.out.len();
            self.leading(a.span().start as usize, "  ");
            self.action(a);
            let printed = self.out.split_off(start);
            for line in printed.split_inclusive('\n') {
                if line != "\n" {
                    self.out.push_str("  ");
                }
                self.out.push_str(line);
            }
        }
        self.leading(span.end as usize, "    ");
        self.out.push_str("  }");
        self.end_line(span.end as usize);
    }

    fn given(&self, g: &Given) -> String {
        match g {
            Given::Answer(n) => n.text().to_string(),
            Given::Value(v) => self.value(v),
            Given::DayClock { day, minutes, .. } => {
                format!("{} {:02}:{:02}", day.text(), minutes / 60, minutes % 60)
            }
        }
    }

    fn scenario(&mut self, s: &Scenario) {
        let head = format!("scenario {} {{", self.text(&s.name, 9));
        self.out.push_str(&head);
        self.end_line(s.name.span.end as usize + 2);
        if !s.answers.is_empty() {
            let start = s.answers[0].span.start as usize;
            self.leading(start, "  ");
            let pairs: Vec<String> = s
                .answers
                .iter()
                .map(|p| {
                    let given: Vec<String> = p.rounds.iter().map(|g| self.given(g)).collect();
                    if given.len() == 1 {
                        format!("{} = {}", p.fact.text(), given[0])
                    } else {
                        format!("{} = [{}]", p.fact.text(), given.join(", "))
                    }
                })
                .collect();
            let mut line = String::from("  answers ");
            let mut col = line.len();
            for (i, pair) in pairs.iter().enumerate() {
                let piece = if i + 1 < pairs.len() {
                    format!("{pair},")
                } else {
                    pair.clone()
                };
                if i > 0 {
                    if col + 1 + piece.len() > WIDTH {
                        line.push('\n');
                        line.push_str(&" ".repeat(10));
                        col = 10;
                    } else {
                        line.push(' ');
                        col += 1;
                    }
                }
                line.push_str(&piece);
                col += piece.len();
            }
            let end = s.answers.last().map_or(0, |p| p.span.end as usize);
            self.out.push_str(&line);
            self.end_line(end);
        }
        for (rule, at) in &s.raises {
            self.leading(rule.span.start as usize, "  ");
            self.out
                .push_str(&format!("  anytime {} at {}", rule.text(), at.text()));
            self.end_line(at.span.end as usize);
        }
        if let Some(e) = &s.expect {
            let span = e.span();
            self.leading(span.start as usize, "  ");
            let end = match e {
                Expected::Outcome(t) => terminal(t),
                Expected::Gap(g) => format!("gap {}", g.note.raw),
                Expected::Handoff(h) => handoff(h),
            };
            self.line(&format!("  expect  {end}"), span);
        }
        if let Some(v) = &s.visits {
            let start = v.first().map_or(0, |n| n.span.start as usize);
            let end = v.last().map_or(0, |n| n.span.end as usize);
            self.leading(start, "  ");
            self.out.push_str(&format!("  visits  {}", names(v)));
            self.end_line(end);
        }
        self.leading(s.span.end as usize, "  ");
        self.out.push('}');
        self.end_line(s.span.end as usize);
    }
}
