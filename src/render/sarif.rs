//! `sopc check --format sarif`: SARIF 2.1.0, one rule per check code, one
//! result per diagnostic with its physical location, so code-scanning
//! services can show them. Columns count Unicode code points, and the run
//! says so (`columnKind`).

use super::FileReport;
use crate::codes::{Code, Severity};
use crate::diagnostic::Diagnostic;
use crate::span::{LineIndex, Span};
use serde_json::{json, Value};

pub fn report(files: &[FileReport<'_>]) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.name(),
                "name": rule_name(*c),
                "shortDescription": { "text": c.summary() },
                "help": { "text": format!("{} See docs/checks.md, section `{}`, or run `sopc explain {}`.", capitalised(c.summary()), c.name(), c.name()) },
                "defaultConfiguration": { "level": level(c.default_severity()) },
            })
        })
        .collect();
    let mut results = Vec::new();
    for f in files {
        let index = LineIndex::new(f.text);
        for d in f.diagnostics {
            results.push(result(f.name, &index, d));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "sopc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            // SARIF's default is UTF-16 code units; `LineIndex` counts
            // code points, as editors show them.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn result(file: &str, index: &LineIndex, d: &Diagnostic) -> Value {
    let rule_index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str(". Help: ");
        text.push_str(h);
    }
    if let Some(p) = &d.path {
        text.push_str(&format!(
            ". Caller path: {} (steps: {})",
            p.answers_text(),
            p.steps_text()
        ));
    }
    let mut r = json!({
        "ruleId": d.code.name(),
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [location(file, index, d.span, d.label.as_deref())],
    });
    if !d.labels.is_empty() {
        r["relatedLocations"] = Value::Array(
            d.labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(file, index, Some(l.span), Some(&l.message));
                    loc["id"] = json!(i);
                    loc
                })
                .collect(),
        );
    }
    r
}

fn location(file: &str, index: &LineIndex, span: Option<Span>, label: Option<&str>) -> Value {
    let mut physical = json!({ "artifactLocation": { "uri": file } });
    if let Some(span) = span {
        let s = index.line_col(span.start as usize);
        let e = index.line_col(span.end as usize);
        physical["region"] = json!({
            "startLine": s.line, "startColumn": s.column,
            "endLine": e.line, "endColumn": e.column,
        });
    }
    let mut loc = json!({ "physicalLocation": physical });
    if let Some(l) = label {
        loc["message"] = json!({ "text": l });
    }
    loc
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `unknown-name` → `UnknownName`, SARIF's convention for rule names.
fn rule_name(c: Code) -> String {
    c.name()
        .split('-')
        .map(capitalised)
        .collect::<Vec<_>>()
        .join("")
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
