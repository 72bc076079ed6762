//! The document outline: every step (with the question it asks), then the
//! other declarations, each under its own kind.

use super::text::Lines;
use crate::span::Span;
use crate::syntax::ast::*;
use lsp_types::{DocumentSymbol, SymbolKind};

#[allow(deprecated)] // `deprecated` is a field every symbol must set.
fn symbol(
    lines: &Lines,
    name: &Name,
    detail: Option<String>,
    kind: SymbolKind,
    whole: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    // The protocol wants the name's range inside the whole one.
    let whole = Span::new(
        whole.start.min(name.span.start) as usize,
        whole.end.max(name.span.end) as usize,
    );
    DocumentSymbol {
        name: name.text().to_string(),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: lines.range(whole),
        selection_range: lines.range(name.span),
        children: (!children.is_empty()).then_some(children),
    }
}

fn value(t: &Option<Text>) -> Option<String> {
    t.as_ref().map(|t| t.value().into_owned())
}

/// The outline of one policy, in source order.
pub fn outline(text: &str, p: &Policy) -> Vec<DocumentSymbol> {
    let lines = Lines::new(text);
    let mut out: Vec<(u32, DocumentSymbol)> = Vec::new();
    let mut add = |name: &Name, detail: Option<String>, kind, whole: Span, children| {
        out.push((
            whole.start,
            symbol(&lines, name, detail, kind, whole, children),
        ));
    };
    for s in &p.steps {
        let mut children = Vec::new();
        if let Some(Exit::Ask { fact, prompt, .. } | Exit::Verify { fact, prompt, .. }) =
            s.exit.as_deref()
        {
            children.push(symbol(
                &lines,
                fact,
                value(prompt),
                SymbolKind::VARIABLE,
                s.exit.as_deref().map_or(fact.span, Exit::span),
                Vec::new(),
            ));
        }
        add(
            &s.name,
            value(&s.text),
            SymbolKind::FUNCTION,
            s.span,
            children,
        );
    }
    for r in &p.roles {
        add(
            &r.name,
            Some(r.title.value().into_owned()),
            SymbolKind::INTERFACE,
            r.span,
            vec![],
        );
    }
    for t in &p.targets {
        add(
            &t.name,
            Some(t.title.value().into_owned()),
            SymbolKind::STRUCT,
            t.span,
            vec![],
        );
    }
    for d in &p.data {
        add(&d.name, value(&d.label), SymbolKind::FIELD, d.span, vec![]);
    }
    for f in &p.facts {
        add(
            &f.name,
            value(&f.label),
            SymbolKind::VARIABLE,
            f.span,
            vec![],
        );
    }
    for o in &p.outcomes {
        add(
            &o.name,
            value(&o.label),
            SymbolKind::CONSTANT,
            o.span,
            vec![],
        );
    }
    out.sort_by_key(|(start, _)| *start);
    out.into_iter().map(|(_, s)| s).collect()
}
