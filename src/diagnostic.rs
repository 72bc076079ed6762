//! Diagnostics: what every stage reports, and how a human reads it.
//!
//! A diagnostic carries a stable [`Code`], a message (lowercase, one line, no
//! final period, user input in backticks), a primary span with its label,
//! further labels, a help sentence, and for path errors the caller path that
//! hits the problem. Only [`render_human`] knows miette.

use crate::codes::{Code, Severity};
use crate::span::Span;
use serde::Serialize;

/// A labelled span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A caller path that demonstrates a problem: the answers a caller gives, in
/// the order they are asked, and the steps the analyst visits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CounterExample {
    pub answers: Vec<(String, String)>,
    pub steps: Vec<String>,
}

impl CounterExample {
    /// `caller_kind = parent, has_login = no` (or `no answers`).
    pub fn answers_text(&self) -> String {
        if self.answers.is_empty() {
            return "no answers".to_string();
        }
        let parts: Vec<String> = self
            .answers
            .iter()
            .map(|(f, a)| format!("{f} = {a}"))
            .collect();
        parts.join(", ")
    }

    pub fn steps_text(&self) -> String {
        self.steps.join(" -> ")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    /// The text beside the primary span.
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub path: Option<CounterExample>,
}

impl Diagnostic {
    /// A diagnostic at the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            span: None,
            label: None,
            labels: Vec::new(),
            help: None,
            path: None,
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = Some(label.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_path(mut self, path: CounterExample) -> Self {
        self.path = Some(path);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: by position, then code, so output is deterministic.
    pub fn sort_key(&self) -> (u32, u32, Code, &str) {
        let s = self.span.unwrap_or_default();
        (s.start, s.end, self.code, &self.message)
    }
}

/// Sorts diagnostics by span, then code.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Renders one diagnostic as miette's graphical report, without colour when
/// `color` is false (tests and pipes).
pub fn render_human(diag: &Diagnostic, file_name: &str, text: &str, color: bool) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let report = MietteView {
        diag,
        source: NamedText {
            name: file_name,
            text,
        },
        help: help_text(diag),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering into a String cannot fail in practice; fall back to one line.
        out = format!(
            "{}[{}]: {}\n",
            diag.severity.as_str(),
            diag.code,
            diag.message
        );
    }
    out
}

/// The help sentence, followed by the counter-example caller path.
fn help_text(diag: &Diagnostic) -> Option<String> {
    let path = diag.path.as_ref().map(|p| {
        format!(
            "a caller path that shows it:\n  answers: {}\n  steps:   {}",
            p.answers_text(),
            p.steps_text()
        )
    });
    match (&diag.help, path) {
        (Some(h), Some(p)) => Some(format!("{h}\n{p}")),
        (Some(h), None) => Some(h.clone()),
        (None, p) => p,
    }
}

struct NamedText<'a> {
    name: &'a str,
    text: &'a str,
}

impl miette::SourceCode for NamedText<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

struct MietteView<'a> {
    diag: &'a Diagnostic,
    source: NamedText<'a>,
    help: Option<String>,
}

impl std::fmt::Debug for MietteView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::fmt::Display for MietteView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for MietteView<'_> {}

impl miette::Diagnostic for MietteView<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.diag.code.name()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.diag
            .span
            .map(|_| &self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let primary = self.diag.span?;
        let len = self.source.text.len();
        let clamp = move |s: Span| -> Span {
            let start =
                crate::span::floor_char_boundary(self.source.text, (s.start as usize).min(len));
            let end = crate::span::floor_char_boundary(self.source.text, (s.end as usize).min(len));
            Span::new(start, end.max(start))
        };
        let mut labels = vec![miette::LabeledSpan::new_primary_with_span(
            self.diag.label.clone(),
            clamp(primary),
        )];
        for l in &self.diag.labels {
            labels.push(miette::LabeledSpan::new_with_span(
                Some(l.message.clone()),
                clamp(l.span),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}
