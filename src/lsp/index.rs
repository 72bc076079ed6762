//! Every name written in a policy, declared or referred to, with its span:
//! what definition, references, rename, hover and completion look up.
//!
//! Names are bound as the resolver binds them (`crate::resolve`): each kind
//! of name has its own namespace, so a reference is to the declaration of
//! the same kind and text. An answer belongs to its question: its key
//! carries the fact's name.

use crate::span::Span;
use crate::syntax::ast::*;

/// What a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Step,
    /// A question asked by a step, or a `fact` line.
    Fact,
    /// An answer of the fact named in the key.
    Answer,
    Target,
    Data,
    Outcome,
    Role,
    Procedure,
    /// An exit of the procedure named in the key.
    Exit,
}

impl Kind {
    /// As messages name it.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Step => "step",
            Kind::Fact => "question",
            Kind::Answer => "answer",
            Kind::Target => "target",
            Kind::Data => "data field",
            Kind::Outcome => "outcome",
            Kind::Role => "role",
            Kind::Procedure => "procedure",
            Kind::Exit => "exit",
        }
    }
}

/// How a name is used where it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    Declaration,
    /// A way out of a step that leads to the named step.
    Destination,
    Reference,
}

/// One name as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence<'a> {
    pub kind: Kind,
    pub name: &'a str,
    /// For an answer, the fact it answers; for an exit, and for a step of
    /// a procedure, the procedure (its steps' names are its own).
    pub fact: Option<&'a str>,
    pub span: Span,
    pub usage: Use,
    /// The step it is written in (an index into the policy's steps).
    pub step: Option<usize>,
}

impl Occurrence<'_> {
    /// Whether `other` names the same thing.
    pub fn same_name(&self, other: &Occurrence) -> bool {
        self.kind == other.kind && self.name == other.name && self.fact == other.fact
    }
}

/// The names of one policy, in source order.
pub struct Index<'a> {
    pub occurrences: Vec<Occurrence<'a>>,
}

impl<'a> Index<'a> {
    pub fn new(p: &Policy<'a>) -> Self {
        let mut w = Walker {
            out: Vec::new(),
            step: None,
            procedure: None,
        };
        w.policy(p);
        let mut occurrences = w.out;
        occurrences.sort_by_key(|o| (o.span.start, o.span.end));
        Index { occurrences }
    }

    /// The name under the cursor at byte `offset` (its end included, so
    /// that a cursor just after a word finds it).
    pub fn at(&self, offset: usize) -> Option<&Occurrence<'a>> {
        let offset = offset as u32;
        let after = self.occurrences.partition_point(|o| o.span.start <= offset);
        self.occurrences[..after]
            .iter()
            .rev()
            .take(4)
            .find(|o| o.span.start <= offset && offset <= o.span.end)
    }

    /// Every place that names the same thing as `of`, its declarations
    /// included.
    pub fn references<'s>(
        &'s self,
        of: &Occurrence<'a>,
    ) -> impl Iterator<Item = &'s Occurrence<'a>> + 's {
        let of = *of;
        self.occurrences.iter().filter(move |o| o.same_name(&of))
    }

    /// Where the thing `of` names is declared (the first declaration).
    pub fn declaration(&self, of: &Occurrence<'a>) -> Option<&Occurrence<'a>> {
        self.references(of).find(|o| o.usage == Use::Declaration)
    }

    /// The declarations of one kind (of one fact's answers, for answers),
    /// each name once, in source order.
    pub fn declared(&self, kind: Kind, fact: Option<&str>) -> Vec<&Occurrence<'a>> {
        let mut seen: Vec<&Occurrence<'a>> = Vec::new();
        for o in &self.occurrences {
            if o.kind == kind
                && o.usage == Use::Declaration
                && (kind != Kind::Answer || o.fact == fact)
                && !seen.iter().any(|s| s.name == o.name)
            {
                seen.push(o);
            }
        }
        seen
    }
}

struct Walker<'a> {
    out: Vec<Occurrence<'a>>,
    step: Option<usize>,
    /// The procedure whose steps are walked.
    procedure: Option<&'a str>,
}

impl<'a> Walker<'a> {
    fn push(&mut self, kind: Kind, name: &Name<'a>, usage: Use) {
        let fact = match kind {
            Kind::Step | Kind::Exit => self.procedure,
            _ => None,
        };
        self.out.push(Occurrence {
            kind,
            name: name.text(),
            fact,
            span: name.span,
            usage,
            step: self.step,
        });
    }

    /// An exit of the procedure `of`.
    fn exit(&mut self, of: &'a str, name: &Name<'a>, usage: Use) {
        self.out.push(Occurrence {
            kind: Kind::Exit,
            name: name.text(),
            fact: Some(of),
            span: name.span,
            usage,
            step: self.step,
        });
    }

    fn answer(&mut self, fact: &'a str, name: &Name<'a>, usage: Use) {
        self.out.push(Occurrence {
            kind: Kind::Answer,
            name: name.text(),
            fact: Some(fact),
            span: name.span,
            usage,
            step: self.step,
        });
    }

    fn names(&mut self, kind: Kind, names: &[Name<'a>]) {
        for n in names {
            self.push(kind, n, Use::Reference);
        }
    }

    fn text(&mut self, t: &Text<'a>) {
        self.names(Kind::Data, &t.refs);
    }

    fn policy(&mut self, p: &Policy<'a>) {
        for r in &p.roles {
            self.push(Kind::Role, &r.name, Use::Declaration);
        }
        for t in &p.targets {
            self.push(Kind::Target, &t.name, Use::Declaration);
            self.names(Kind::Data, &t.requires);
        }
        for d in &p.data {
            self.push(Kind::Data, &d.name, Use::Declaration);
        }
        for f in &p.facts {
            self.push(Kind::Fact, &f.name, Use::Declaration);
            if let FactType::Choice(answers) | FactType::Multiple(answers) = &f.ty {
                for a in answers {
                    self.answer(f.name.text(), &a.name, Use::Declaration);
                }
            }
        }
        for o in &p.outcomes {
            self.push(Kind::Outcome, &o.name, Use::Declaration);
            self.names(Kind::Target, &o.targets);
        }
        for n in &p.never_disclose {
            self.names(Kind::Data, &n.fields);
            if let Some(scope) = &n.scope {
                self.push(Kind::Fact, &scope.fact, Use::Reference);
                if let Some(answer) = &scope.answer {
                    self.answer(scope.fact.text(), answer, Use::Reference);
                }
            }
        }
        for r in &p.requires {
            self.push(Kind::Step, &r.first, Use::Reference);
            self.push(Kind::Step, &r.then, Use::Reference);
        }
        for s in &p.starts {
            self.push(Kind::Step, &s.step, Use::Reference);
        }
        for a in &p.anytime {
            self.text(&a.label);
            self.push(Kind::Step, &a.handler, Use::Reference);
            for s in a.within.iter().flatten() {
                self.push(Kind::Step, s, Use::Reference);
            }
        }
        for l in &p.loops {
            self.push(Kind::Step, &l.step, Use::Reference);
            self.dest(&l.bound.then);
        }
        for (i, step) in p.steps.iter().enumerate() {
            self.step = Some(i);
            self.step_decl(step);
        }
        self.step = None;
        for proc in &p.procedures {
            self.push(Kind::Procedure, &proc.name, Use::Declaration);
            if let Some(t) = &proc.text {
                self.text(t);
            }
            for e in &proc.exits {
                self.exit(proc.name.text(), e, Use::Declaration);
            }
            self.procedure = Some(proc.name.text());
            for step in &proc.steps {
                self.step_decl(step);
            }
            self.procedure = None;
        }
        for sc in &p.scenarios {
            self.scenario(sc);
        }
    }

    fn actions(&mut self, actions: &[Action<'a>]) {
        for a in actions {
            match a {
                Action::Do(t)
                | Action::Say(t)
                | Action::Warn(t)
                | Action::Note(t)
                | Action::Gap(t) => self.text(t),
                Action::Collect { fields, .. } => self.names(Kind::Data, fields),
                Action::Ticket(t) => {
                    self.push(Kind::Target, &t.target, Use::Reference);
                    if let Some(title) = &t.title {
                        self.text(title);
                    }
                    for (_, value) in &t.fields {
                        self.text(value);
                    }
                    self.names(Kind::Data, &t.body);
                    self.names(Kind::Data, &t.assignee);
                }
                Action::Refer { target, .. } => self.push(Kind::Target, target, Use::Reference),
                Action::Transfer(t) => {
                    self.push(Kind::Role, &t.role, Use::Reference);
                    self.names(Kind::Data, &t.requires);
                    if let Some(reason) = &t.reason {
                        self.text(reason);
                    }
                }
                Action::ForEach(e) => {
                    self.push(Kind::Fact, &e.fact, Use::Reference);
                    self.actions(&e.actions);
                }
                Action::Repeat(r) => {
                    self.push(Kind::Fact, &r.fact, Use::Reference);
                    self.actions(&r.actions);
                }
            }
        }
    }

    fn step_decl(&mut self, step: &Step<'a>) {
        self.push(Kind::Step, &step.name, Use::Declaration);
        if let Some(t) = &step.text {
            self.text(t);
        }
        if let Some(r) = &step.role {
            self.push(Kind::Role, r, Use::Reference);
        }
        self.actions(&step.actions);
        let Some(exit) = step.exit.as_deref() else {
            return;
        };
        match exit {
            Exit::Ask {
                fact,
                prompt,
                answers,
                branches,
                ..
            } => {
                self.push(Kind::Fact, fact, Use::Declaration);
                if let Some(p) = prompt {
                    self.text(p);
                }
                for a in answers {
                    self.answer(fact.text(), &a.name, Use::Declaration);
                }
                self.branches(fact.text(), branches);
            }
            Exit::Verify {
                fact,
                prompt,
                checklist,
                branches,
                ..
            } => {
                let items = &checklist.items;
                self.push(Kind::Fact, fact, Use::Declaration);
                if let Some(p) = prompt {
                    self.text(p);
                }
                self.names(Kind::Data, items);
                self.branches(fact.text(), branches);
            }
            Exit::Match { fact, branches, .. } => {
                self.push(Kind::Fact, fact, Use::Reference);
                self.branches(fact.text(), branches);
            }
            Exit::Goto { dest, bound, .. } => {
                self.dest(dest);
                if let Some(b) = bound {
                    self.dest(&b.then);
                }
            }
            Exit::End(t) => self.terminal(t),
            Exit::Gap(g) => self.text(&g.note),
            Exit::Handoff(h) => {
                for d in &h.requires {
                    self.push(Kind::Data, d, Use::Reference);
                }
            }
            Exit::Leave(n) => self.push(Kind::Exit, n, Use::Reference),
            Exit::Call {
                procedure,
                branches,
                ..
            } => {
                self.push(Kind::Procedure, procedure, Use::Reference);
                for b in branches {
                    self.exit(procedure.text(), &b.exit, Use::Reference);
                    self.dest(&b.dest);
                }
            }
        }
    }

    fn branches(&mut self, fact: &'a str, branches: &[Branch<'a>]) {
        for b in branches {
            match &b.arm {
                Arm::Answer(a) => self.answer(fact, a, Use::Reference),
                // Values and days name nothing declared.
                Arm::Else(_) | Arm::Range(_) | Arm::Days { .. } => {}
            }
            self.dest(&b.dest);
            if let Some(bound) = &b.bound {
                self.dest(&bound.then);
            }
        }
    }

    fn dest(&mut self, d: &Dest<'a>) {
        match d {
            Dest::Step(n) => self.push(Kind::Step, n, Use::Destination),
            Dest::End(t) => self.terminal(t),
            Dest::Gap(g) => self.text(&g.note),
            Dest::Exit(n) => self.push(Kind::Exit, n, Use::Reference),
        }
    }

    fn terminal(&mut self, t: &TerminalRef<'a>) {
        self.push(Kind::Outcome, &t.outcome, Use::Reference);
        if let Some(target) = &t.target {
            self.push(Kind::Target, target, Use::Reference);
        }
    }

    fn scenario(&mut self, sc: &Scenario<'a>) {
        for pair in &sc.answers {
            self.push(Kind::Fact, &pair.fact, Use::Reference);
            for given in &pair.rounds {
                match given {
                    Given::Answer(a) => self.answer(pair.fact.text(), a, Use::Reference),
                    Given::Value(_) | Given::DayClock { .. } => {}
                }
            }
        }
        match &sc.expect {
            Some(Expected::Outcome(t)) => self.terminal(t),
            Some(Expected::Gap(_) | Expected::Handoff(_)) | None => {}
        }
        for v in sc.visits.iter().flatten() {
            self.push(Kind::Step, v, Use::Reference);
        }
        for (_, at) in &sc.raises {
            self.push(Kind::Step, at, Use::Reference);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"sop "T-1" "Test" { owner "o" }
role analyst "Analyst"
target desk "Desk" ticket requires name
data name "Name" text
outcome done "Done" resolved
outcome sent "Sent" escalation to desk
step greet "Hello {name}" by analyst {
  collect name
  ask kind "Who?" { parent student }
  parent  -> file
  student -> end done
}
step file "File" {
  ticket desk { body name }
  match kind { parent -> end sent(desk)  student -> greet at most 1 times, then end done }
}
scenario "p" { answers kind = parent  expect sent(desk)  visits greet, file }
"#;

    fn spans<'a>(index: &Index<'a>, kind: Kind, name: &str) -> Vec<(&'a str, Use)> {
        index
            .occurrences
            .iter()
            .filter(|o| o.kind == kind && o.name == name)
            .map(|o| (&POLICY[o.span.range()], o.usage))
            .collect()
    }

    #[test]
    fn standing_rules_and_referrals_refer_to_their_steps_and_targets() {
        const RULES: &str = r#"sop "T-2" "Rules" { owner "o" }
target nurse "Nurse" referral
outcome done "Done" resolved
anytime upset "Upset" -> calm within greet
step greet "Hello" {
  refer nurse
  ask ok "OK?" { yes no }
  yes -> end done
  no  -> end done
}
step calm "Calm" { end done }
scenario "u" { anytime upset at greet  expect done }
"#;
        let parsed = crate::syntax::parse(RULES);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let index = Index::new(&parsed.policy);
        let count = |kind, name: &str| {
            index
                .occurrences
                .iter()
                .filter(|o| o.kind == kind && o.name == name)
                .count()
        };
        // `calm`: its declaration and the rule's handler; `greet`: its
        // declaration, the rule's scope and the scenario's raise.
        assert_eq!(count(Kind::Step, "calm"), 2);
        assert_eq!(count(Kind::Step, "greet"), 3);
        assert_eq!(count(Kind::Target, "nurse"), 2);
    }

    #[test]
    fn finds_every_name_by_kind() {
        let parsed = crate::syntax::parse(POLICY);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let index = Index::new(&parsed.policy);
        let uses = |kind, name| -> Vec<Use> {
            spans(&index, kind, name).into_iter().map(|s| s.1).collect()
        };
        use Use::*;
        assert_eq!(uses(Kind::Data, "name").len(), 5);
        assert_eq!(uses(Kind::Data, "name")[1], Declaration);
        assert_eq!(
            uses(Kind::Step, "greet"),
            vec![Declaration, Destination, Reference]
        );
        assert_eq!(
            uses(Kind::Step, "file"),
            vec![Destination, Declaration, Reference]
        );
        assert_eq!(uses(Kind::Target, "desk").len(), 5);
        assert_eq!(
            uses(Kind::Fact, "kind"),
            vec![Declaration, Reference, Reference]
        );
        assert_eq!(
            uses(Kind::Answer, "parent"),
            vec![Declaration, Reference, Reference, Reference]
        );
        assert_eq!(uses(Kind::Role, "analyst"), vec![Declaration, Reference]);
        assert_eq!(
            uses(Kind::Outcome, "sent"),
            vec![Declaration, Reference, Reference]
        );
    }

    #[test]
    fn finds_the_name_under_the_cursor() {
        let parsed = crate::syntax::parse(POLICY);
        let index = Index::new(&parsed.policy);
        let at = POLICY.find("-> file").unwrap() + 3;
        for offset in [at, at + 2, at + 4] {
            let o = index.at(offset).expect("a name");
            assert_eq!(
                (o.kind, o.name, o.usage),
                (Kind::Step, "file", Use::Destination)
            );
            let decl = index.declaration(o).expect("declared");
            assert_eq!(&POLICY[decl.span.range()], "file");
            assert_eq!(decl.step, Some(1));
        }
        assert!(index.at(POLICY.find("Hello").unwrap()).is_none());
        let answers: Vec<&str> = index
            .declared(Kind::Answer, Some("kind"))
            .iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(answers, ["parent", "student"]);
    }
}
