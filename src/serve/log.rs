//! Structured logs: one JSON object per line on standard error. Callers
//! pass names, codes, counts and ids, never a value a caller gave (a
//! secret could be among them).

use serde_json::{Map, Value};

/// Writes `{"at": NOW, "event": EVENT, KEY: VALUE, ...}`.
pub fn event(event: &str, fields: &[(&str, &str)]) {
    let mut m = Map::new();
    m.insert("at".into(), Value::String(super::clock::now()));
    m.insert("event".into(), Value::String(event.into()));
    for (k, v) in fields {
        m.insert((*k).into(), Value::String((*v).into()));
    }
    eprintln!("{}", Value::Object(m));
}
