//! `secret-leak`: a secret field in a ticket's body, title or fields (secrets
//! belong in the assignee section only), or a `never disclose` field inside
//! something said to the caller.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::{Action, DataClass, Graph};

/// The `{name}` references in a text.
pub fn text_refs(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| {
        let end = rest.find('}')?;
        let name = &rest[..end];
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        valid.then_some(name)
    })
}

pub fn secret_leaks(g: &Graph, diags: &mut Vec<Diagnostic>) {
    let is_secret = |name: &str| {
        g.data
            .iter()
            .find(|d| d.name == name)
            .is_some_and(|d| d.class == DataClass::Secret)
    };
    let never: Vec<&str> = g
        .never_disclose
        .iter()
        .map(|&d| g.data[d as usize].name.as_str())
        .collect();
    for step in &g.steps {
        for action in &step.actions {
            match action {
                Action::Ticket(t) => {
                    let target = &g.targets[t.target as usize].name;
                    for &d in &t.body {
                        let data = &g.data[d as usize];
                        if data.class == DataClass::Secret {
                            diags.push(
                                Diagnostic::new(
                                    Code::SecretLeak,
                                    format!("the secret `{}` is in the body of the ticket to `{target}`", data.name),
                                )
                                .at(t.span, "ticket body holds a secret")
                                .with_label(data.span, "declared secret here")
                                .with_help(format!("move `{}` from `body` to `assignee`", data.name)),
                            );
                        }
                    }
                    let texts = t.title.iter().chain(t.fields.iter().map(|f| &f.value));
                    for text in texts {
                        for name in text_refs(text).filter(|n| is_secret(n)) {
                            diags.push(
                                Diagnostic::new(
                                    Code::SecretLeak,
                                    format!("the secret `{name}` is written into the ticket to `{target}`"),
                                )
                                .at(t.span, "the title or a field names a secret")
                                .with_help(format!("remove `{{{name}}}` and list `{name}` under `assignee`")),
                            );
                        }
                    }
                }
                Action::Say { text, span } | Action::Warn { text, span } => {
                    for name in text_refs(text).filter(|n| never.contains(n)) {
                        diags.push(
                            Diagnostic::new(
                                Code::SecretLeak,
                                format!("`{name}` must never be disclosed, but this step says it to the caller"),
                            )
                            .at(*span, "said to the caller")
                            .with_help(format!("remove `{{{name}}}` from what is said")),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
