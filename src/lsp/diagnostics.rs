//! sopc's diagnostics as the protocol's: the code, the severity, the
//! message with its help, the labels as related information, and the
//! counter-example caller path, step by step, linked to each step.

use super::text::Lines;
use crate::codes::Severity;
use crate::graph::Graph;
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString, Uri,
};

/// The protocol's diagnostics for one document. The graph (when the
/// policy could be lowered) places the steps of counter-example paths.
pub fn convert(
    uri: &Uri,
    text: &str,
    graph: Option<&Graph>,
    diags: &[crate::Diagnostic],
) -> Vec<lsp_types::Diagnostic> {
    let lines = Lines::new(text);
    let steps: std::collections::HashMap<&str, crate::span::Span> = match graph {
        Some(g) if diags.iter().any(|d| d.path.is_some()) => {
            // Steps of a library's procedure are in another file.
            g.steps
                .iter()
                .filter(|s| (s.span.end as usize) <= text.len())
                .map(|s| (s.name.as_str(), s.span))
                .collect()
        }
        _ => Default::default(),
    };
    diags
        .iter()
        .map(|d| convert_one(uri, &lines, &steps, d))
        .collect()
}

/// A finding in a library the document uses is shown at the document's
/// `use` line that brings the library in (or its first `use`), with the
/// library's file and line in the message: the editor shows one document's
/// diagnostics.
pub fn at_uses(name: &str, text: &str, checked: &mut crate::Checked) {
    if checked.diagnostics.iter().all(|d| d.file.is_none()) {
        return;
    }
    // The document's `use` lines as the parser reads them (indented ones
    // too), each with the file it names.
    let parsed = crate::syntax::parse(text);
    let uses: Vec<(String, crate::span::Span)> = parsed
        .policy
        .uses
        .iter()
        .map(|u| (crate::sources::join(name, &u.path.value()), u.span))
        .collect();
    let first = uses.first().map_or(crate::span::Span::new(0, 0), |u| u.1);
    for i in 0..checked.diagnostics.len() {
        let d = &checked.diagnostics[i];
        let Some(file) = d.file.clone() else {
            continue;
        };
        let (_, shared) = checked.text_of(d, text);
        let line = d.span.map(|s| {
            crate::span::LineIndex::new(shared)
                .line_col(s.start as usize)
                .line
        });
        let at = uses.iter().find(|u| u.0 == file).map_or(first, |u| u.1);
        let d = &mut checked.diagnostics[i];
        d.message = match line {
            Some(line) => format!("in `{file}` line {line}: {}", d.message),
            None => format!("in `{file}`: {}", d.message),
        };
        d.span = Some(at);
        d.label = Some("in a library this policy uses".into());
        d.labels.clear();
        d.file = None;
    }
}

/// One diagnostic (the steps of a path placed by `steps`).
pub fn convert_one(
    uri: &Uri,
    lines: &Lines,
    steps: &std::collections::HashMap<&str, crate::span::Span>,
    d: &crate::Diagnostic,
) -> lsp_types::Diagnostic {
    let range = d.span.map(|s| lines.range(s)).unwrap_or_default();
    let at = |range| Location {
        uri: uri.clone(),
        range,
    };
    let mut related = Vec::new();
    if let Some(label) = d.label.as_deref().filter(|l| !l.is_empty()) {
        related.push(DiagnosticRelatedInformation {
            location: at(range),
            message: label.to_string(),
        });
    }
    for l in &d.labels {
        related.push(DiagnosticRelatedInformation {
            location: at(lines.range(l.span)),
            message: l.message.clone(),
        });
    }
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    if let Some(path) = &d.path {
        message.push_str(&format!(
            "\na caller path that shows it:\n  answers: {}\n  steps:   {}",
            path.answers_text(),
            path.steps_text()
        ));
        related.push(DiagnosticRelatedInformation {
            location: at(range),
            message: format!("a caller path that shows it: {}", path.answers_text()),
        });
        // Each step of the path, where it is declared, so that an editor
        // can walk the path.
        let n = path.steps.len();
        for (k, step) in path.steps.iter().enumerate() {
            if let Some(&span) = steps.get(step.as_str()) {
                related.push(DiagnosticRelatedInformation {
                    location: at(lines.range(span)),
                    message: format!("path step {} of {n}: `{step}`", k + 1),
                });
            }
        }
    }
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.name().to_string())),
        source: Some("sopc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (d.code == crate::Code::UnreachableStep).then(|| vec![DiagnosticTag::UNNECESSARY]),
        ..Default::default()
    }
}
