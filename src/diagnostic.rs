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
    /// The library file the spans are in, when it is not the checked file
    /// (a finding in a file the policy `use`s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: clip_quoted(message.into()),
            span: None,
            label: None,
            labels: Vec::new(),
            help: None,
            path: None,
            file: None,
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = Some(clip_quoted(label.into()));
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: clip_quoted(message.into()),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(clip_quoted(help.into()));
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

/// The longest name (in characters) a message quotes whole.
const QUOTED_CHARS: usize = 60;

/// Shortens every `quoted` name longer than [`QUOTED_CHARS`] to its start,
/// "…" and its end: a 100,000-character name must not make a 100,000
/// character message. The span still points at the whole name.
fn clip_quoted(s: String) -> String {
    if s.len() <= QUOTED_CHARS {
        return s;
    }
    let parts: Vec<&str> = s.split('`').collect();
    if !parts
        .iter()
        .skip(1)
        .step_by(2)
        .any(|p| p.chars().count() > QUOTED_CHARS)
    {
        return s;
    }
    let clipped: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let n = p.chars().count();
            // Odd parts are inside backquotes (an unclosed one stays as is).
            if i % 2 == 1 && i + 1 < parts.len() && n > QUOTED_CHARS {
                let head: String = p.chars().take(40).collect();
                let tail: String = p.chars().skip(n - 12).collect();
                format!("{head}…{tail}")
            } else {
                p.to_string()
            }
        })
        .collect();
    clipped.join("`")
}

/// How many names a message lists before "and N more": a question with
/// 10,000 answers must not make a 10,000-name message.
pub const LISTED: usize = 12;

/// `a`, `b` and `c`; past [`LISTED`] names, the first ones and "and N more".
pub fn quoted_list<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .take(LISTED)
        .map(|n| format!("`{}`", n.as_ref()))
        .collect();
    match (quoted.as_slice(), names.len().saturating_sub(LISTED)) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        ([init @ .., last], 0) => format!("{} and {last}", init.join(", ")),
        (all, more) => format!("{} and {more} more", all.join(", ")),
    }
}

/// a, b, c: a plain comma list, shortened like [`quoted_list`].
pub fn plain_list<S: AsRef<str>>(names: &[S]) -> String {
    let shown: Vec<&str> = names.iter().take(LISTED).map(|n| n.as_ref()).collect();
    match names.len().saturating_sub(LISTED) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

#[cfg(feature = "human")]
/// Renders one diagnostic as miette's graphical report, without colour when
/// `color` is false (tests and pipes). For many diagnostics of one file,
/// [`HumanRenderer`] indexes the text once.
pub fn render_human(diag: &Diagnostic, file_name: &str, text: &str, color: bool) -> String {
    HumanRenderer::new(file_name, text, color).render(diag)
}

#[cfg(feature = "human")]
/// Renders the diagnostics of one file: the text made printable and its
/// lines indexed once, so each report costs its own context, not the file.
pub struct HumanRenderer<'a> {
    source: NamedText<'a>,
    handler: miette::GraphicalReportHandler,
}

#[cfg(feature = "human")]
impl<'a> HumanRenderer<'a> {
    pub fn new(file_name: &'a str, text: &'a str, color: bool) -> Self {
        use miette::{GraphicalReportHandler, GraphicalTheme};
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let text = printable(text);
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        HumanRenderer {
            source: NamedText {
                name: file_name,
                text,
                line_starts,
            },
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .with_links(false),
        }
    }

    pub fn render(&self, diag: &Diagnostic) -> String {
        let report = MietteView {
            diag,
            source: &self.source,
            help: help_text(diag),
        };
        let mut out = String::new();
        if self.handler.render_report(&mut out, &report).is_err() {
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
}

#[cfg(feature = "human")]
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

#[cfg(feature = "human")]
/// The text with control characters (but tab and line ends) shown as `?`:
/// one byte for one byte, so every span still lands where it did, and the
/// terminal gets nothing it would act on.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let hidden = |i: usize| {
        let b = bytes[i];
        (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
            || b == 0x7f
            || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
    };
    if !(0..bytes.len()).any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let clean: Vec<u8> = (0..bytes.len())
        .map(|i| if hidden(i) { b'?' } else { bytes[i] })
        .collect();
    // Only ASCII bytes were replaced by ASCII: still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(clean).unwrap_or_default())
}

#[cfg(feature = "human")]
/// How much of a very long line is shown on each side of a span.
const LONG_LINE_CONTEXT: usize = 120;

#[cfg(feature = "human")]
struct NamedText<'a> {
    name: &'a str,
    text: std::borrow::Cow<'a, str>,
    /// The offset of each line's first byte.
    line_starts: Vec<usize>,
}

#[cfg(feature = "human")]
impl NamedText<'_> {
    /// On a line too long to show (a policy written on one line, say), the
    /// part around the span, with its true line and column.
    /// The line (from 0) that holds byte `at`.
    fn line_of(&self, at: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= at) - 1
    }

    fn window(&self, start: usize, end: usize) -> Option<miette::MietteSpanContents<'_>> {
        let text = &*self.text;
        let line = self.line_of(start);
        let line_start = self.line_starts[line];
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        if line_end - line_start <= 4 * LONG_LINE_CONTEXT || text[start..end].contains('\n') {
            return None;
        }
        let from = crate::span::floor_char_boundary(
            text,
            start.saturating_sub(LONG_LINE_CONTEXT).max(line_start),
        );
        let to = crate::span::floor_char_boundary(text, (end + LONG_LINE_CONTEXT).min(line_end));
        let line = text.as_bytes()[..line_start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        // miette reads the column as the span's own (for the header).
        let column = text[line_start..start].chars().count();
        Some(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            &text.as_bytes()[from..to],
            (from..to).into(),
            line,
            column,
            1,
        ))
    }
}

#[cfg(feature = "human")]
impl miette::SourceCode for NamedText<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end <= self.text.len()
            && self.text.is_char_boundary(start)
            && self.text.is_char_boundary(end)
        {
            if let Some(w) = self.window(start, end) {
                return Ok(Box::new(w));
            }
        }
        // miette reads from the start of the text to find lines; hand it
        // only the lines around the span, and shift its answer back.
        let len = self.text.len();
        let (start, end) = (start.min(len), end.min(len));
        let first = self.line_of(start).saturating_sub(context_lines_before);
        let stop_line = self.line_of(end) + context_lines_after + 2;
        let base = self.line_starts[first];
        let stop = self.line_starts.get(stop_line).copied().unwrap_or(len);
        let local = miette::SourceSpan::from((start - base, end - start));
        let inner =
            self.text[base..stop].read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            miette::SourceSpan::from((inner.span().offset() + base, inner.span().len())),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

#[cfg(feature = "human")]
struct MietteView<'a> {
    diag: &'a Diagnostic,
    source: &'a NamedText<'a>,
    help: Option<String>,
}

#[cfg(feature = "human")]
impl std::fmt::Debug for MietteView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diag.message)
    }
}

#[cfg(feature = "human")]
impl std::fmt::Display for MietteView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diag.message)
    }
}

#[cfg(feature = "human")]
impl std::error::Error for MietteView<'_> {}

#[cfg(feature = "human")]
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
            .map(|_| self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let primary = self.diag.span?;
        let len = self.source.text.len();
        let clamp = move |s: Span| -> Span {
            let start =
                crate::span::floor_char_boundary(&self.source.text, (s.start as usize).min(len));
            let end =
                crate::span::floor_char_boundary(&self.source.text, (s.end as usize).min(len));
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
