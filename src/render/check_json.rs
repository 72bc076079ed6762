//! `sopc check --format json`: one object per diagnostic with line/column
//! positions, labels, help and the counter-example caller path.

use crate::diagnostic::{CounterExample, Diagnostic};
use crate::span::{LineIndex, Span};
use serde_json::{json, Map, Value};

pub fn file_report(name: &str, text: &str, diags: &[Diagnostic]) -> Value {
    let index = LineIndex::new(text);
    json!({
        "file": name,
        "diagnostics": diags.iter().map(|d| diagnostic(name, &index, d)).collect::<Vec<_>>(),
    })
}

/// As [`file_report`] for a whole check: a diagnostic found in a library
/// the policy uses is placed in that file, and says so in its `file`.
pub fn checked_report(name: &str, text: &str, checked: &crate::Checked) -> Value {
    let index = LineIndex::new(text);
    let diagnostics: Vec<Value> = checked
        .diagnostics
        .iter()
        .map(|d| match checked.text_of(d, text) {
            (Some(file), shared) => diagnostic(file, &LineIndex::new(shared), d),
            (None, _) => diagnostic(name, &index, d),
        })
        .collect();
    json!({ "file": name, "diagnostics": diagnostics })
}

fn position(index: &LineIndex, span: Span) -> Value {
    let s = index.line_col(span.start as usize);
    let e = index.line_col(span.end as usize);
    json!({
        "start": { "line": s.line, "column": s.column },
        "end": { "line": e.line, "column": e.column },
    })
}

pub fn diagnostic(file: &str, index: &LineIndex, d: &Diagnostic) -> Value {
    let mut m = Map::new();
    m.insert("file".into(), json!(file));
    m.insert("code".into(), json!(d.code.name()));
    m.insert("severity".into(), json!(d.severity.as_str()));
    m.insert("message".into(), json!(d.message));
    if let Some(span) = d.span {
        m.insert("range".into(), position(index, span));
        m.insert("label".into(), json!(d.label));
    }
    m.insert(
        "labels".into(),
        Value::Array(
            d.labels
                .iter()
                .map(|l| json!({ "message": l.message, "range": position(index, l.span) }))
                .collect(),
        ),
    );
    if let Some(h) = &d.help {
        m.insert("help".into(), json!(h));
    }
    if let Some(p) = &d.path {
        m.insert("path".into(), path(p));
    }
    Value::Object(m)
}

/// The counter-example with answers as `sopc eval` takes them.
pub fn path(p: &CounterExample) -> Value {
    let mut answers = Map::new();
    for (f, a) in &p.answers {
        match answers.get_mut(f) {
            None => {
                answers.insert(f.clone(), json!(a));
            }
            Some(Value::Array(v)) => v.push(json!(a)),
            Some(prev) => *prev = json!([prev.clone(), a]),
        }
    }
    json!({ "answers": answers, "steps": p.steps })
}
