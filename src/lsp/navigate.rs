//! Go to definition, find references and rename, on the index of names.
//! A rename is refused, with the reason, when the new name is not a name,
//! is a keyword, or is already declared for the same kind of thing.

use super::index::{Index, Kind, Use};
use crate::span::Span;
use crate::syntax::ast::{NameKind, Policy};

/// Where the name at `offset` is declared.
pub fn definition(index: &Index, offset: usize) -> Option<Span> {
    let o = index.at(offset)?;
    index.declaration(o).map(|d| d.span)
}

/// Every place that names what the name at `offset` names.
pub fn references(index: &Index, offset: usize, include_declaration: bool) -> Vec<Span> {
    let Some(o) = index.at(offset) else {
        return Vec::new();
    };
    index
        .references(o)
        .filter(|r| include_declaration || r.usage != Use::Declaration)
        .map(|r| r.span)
        .collect()
}

/// The name at `offset`, if it can be renamed: it is declared here.
pub fn prepare_rename(index: &Index, offset: usize) -> Result<Span, String> {
    let o = index.at(offset).ok_or("there is no name here to rename")?;
    if index.declaration(o).is_none() {
        return Err(format!(
            "`{}` is not declared in this policy, so it cannot be renamed",
            o.name
        ));
    }
    Ok(o.span)
}

/// The spans to replace with `new_name` to rename the name at `offset`
/// everywhere, or why not.
pub fn rename(
    p: &Policy,
    index: &Index,
    offset: usize,
    new_name: &str,
) -> Result<Vec<Span>, String> {
    prepare_rename(index, offset)?;
    let o = index.at(offset).ok_or("there is no name here to rename")?;
    if !is_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a name: a name is letters, digits and `_`, starting with a letter or `_`"
        ));
    }
    if crate::syntax::keywords::is_reserved(new_name) {
        return Err(format!("`{new_name}` is a keyword and cannot be a name"));
    }
    if new_name != o.name {
        let clash = index
            .declared(o.kind, o.fact)
            .into_iter()
            .any(|d| d.name == new_name)
            || p.broken
                .iter()
                .any(|b| b.name == new_name && Some(b.kind) == name_kind(o.kind));
        if clash {
            let whose = match o.fact {
                Some(f) => format!(" of `{f}`"),
                None => String::new(),
            };
            return Err(format!(
                "there is already {} {}{whose} named `{new_name}`",
                article(o.kind.noun()),
                o.kind.noun()
            ));
        }
    }
    Ok(index.references(o).map(|r| r.span).collect())
}

fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// What the grammar reads as a name.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn name_kind(k: Kind) -> Option<NameKind> {
    match k {
        Kind::Step => Some(NameKind::Step),
        Kind::Fact => Some(NameKind::Fact),
        Kind::Target => Some(NameKind::Target),
        Kind::Data => Some(NameKind::Data),
        Kind::Outcome => Some(NameKind::Outcome),
        Kind::Role => Some(NameKind::Role),
        Kind::Procedure => Some(NameKind::Procedure),
        Kind::Answer | Kind::Exit => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"sop "T-1" "Test" { owner "o" }
outcome done "Done" resolved
data name "Name" text
step greet "Hello {name}" {
  collect name
  ask kind "Who?" { parent student }
  parent  -> file
  student -> end done
}
step file "File" { end done }
"#;

    fn renamed(at: &str, new_name: &str) -> Result<String, String> {
        let parsed = crate::syntax::parse(POLICY);
        let index = Index::new(&parsed.policy);
        let offset = POLICY.find(at).unwrap();
        let mut spans = rename(&parsed.policy, &index, offset, new_name)?;
        spans.sort();
        let mut out = POLICY.to_string();
        for s in spans.iter().rev() {
            out.replace_range(s.range(), new_name);
        }
        Ok(out)
    }

    #[test]
    fn renames_every_reference() {
        let out = renamed("file\n", "file_ticket").unwrap();
        assert!(out.contains("parent  -> file_ticket"));
        assert!(out.contains("step file_ticket \"File\""));
        let out = renamed("name \"Name\"", "caller_name").unwrap();
        assert_eq!(out.matches("caller_name").count(), 3, "{out}");
        assert!(out.contains("{caller_name}"));
        let out = renamed("parent student", "guardian").unwrap();
        assert!(out.contains("{ guardian student }") && out.contains("guardian  -> file"));
        let checked = crate::check_source(&out, &Default::default());
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    }

    #[test]
    fn refuses_clashes_keywords_and_non_names() {
        let e = renamed("file\n", "greet").unwrap_err();
        assert_eq!(e, "there is already a step named `greet`");
        let e = renamed("parent student", "student").unwrap_err();
        assert_eq!(e, "there is already an answer of `kind` named `student`");
        assert!(renamed("file\n", "goto").unwrap_err().contains("keyword"));
        assert!(renamed("file\n", "2nd").unwrap_err().contains("not a name"));
        assert!(renamed("file\n", "a-b").unwrap_err().contains("not a name"));
        assert!(renamed("Hello", "x").unwrap_err().contains("no name here"));
        // A data field and a step may share a name: namespaces differ.
        assert!(renamed("file\n", "name").is_ok());
    }
}
