//! `sopc check --format github`: one GitHub Actions workflow command per
//! diagnostic (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE::message`),
//! shown as annotations on the pull request.

use super::FileReport;
use crate::codes::Severity;
use crate::span::LineIndex;

pub fn report(files: &[FileReport<'_>]) -> String {
    let mut out = String::new();
    for f in files {
        let index = LineIndex::new(f.text);
        for d in f.diagnostics {
            let kind = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut props = vec![format!("file={}", property(f.name))];
            if let Some(span) = d.span {
                let s = index.line_col(span.start as usize);
                let e = index.line_col(span.end as usize);
                props.push(format!("line={}", s.line));
                props.push(format!("col={}", s.column));
                props.push(format!("endLine={}", e.line));
                props.push(format!("endColumn={}", e.column));
            }
            props.push(format!("title={}", property(d.code.name())));
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            if let Some(p) = &d.path {
                message.push_str(&format!(
                    "\ncaller path: {} (steps: {})",
                    p.answers_text(),
                    p.steps_text()
                ));
            }
            out.push_str(&format!(
                "::{kind} {}::{}\n",
                props.join(","),
                data(&message)
            ));
        }
    }
    out
}

/// Escaping for the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
