//! The compiler driver: parse, resolve, lower, check, then apply the rule
//! levels. Each stage runs on what the stage before could read, whatever
//! errors it found.

use crate::check::{self, Options};
use crate::codes::Code;
use crate::diagnostic::{self, Diagnostic};
use crate::graph::Graph;
use crate::levels::{Level, Levels};
use crate::sources::{Files, NoFiles};
use crate::uses::{self, Libraries, SharedFile};
use std::collections::HashMap;

/// Options for a whole check run.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub check: Options,
    /// Levels set by configuration or the command line, by lint code.
    pub levels: HashMap<Code, Level>,
}

/// Everything a check run produced for one source text.
#[derive(Debug)]
pub struct Checked {
    pub graph: Option<Graph>,
    /// Sorted by file (the checked file first) and position; allowed lints
    /// removed. A diagnostic with a `file` is in that library.
    pub diagnostics: Vec<Diagnostic>,
    /// The libraries the policy uses, with their texts: where the
    /// diagnostics with a `file` are.
    pub shared: Vec<SharedFile>,
    /// The libraries' declarations this policy does not use, as
    /// `unused-declaration` findings in their files: a declaration no
    /// policy of a folder uses is reported there (`check::project`).
    pub unused_shared: Vec<Diagnostic>,
    /// The file is a library (`library` header), not a policy.
    pub library: bool,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The text a diagnostic's spans are in: the checked file's, or the
    /// library's it names.
    pub fn text_of<'t>(&'t self, d: &Diagnostic, own: &'t str) -> (Option<&'t str>, &'t str) {
        match d
            .file
            .as_deref()
            .and_then(|f| self.shared.iter().find(|s| s.name == f))
        {
            Some(s) => (Some(s.name.as_str()), s.text.as_str()),
            None => (None, own),
        }
    }
}

/// Checks a text alone: a `use` in it cannot be followed (see
/// [`check_file`]).
pub fn check_source(text: &str, opts: &CheckOptions) -> Checked {
    check_file("", text, opts, &NoFiles)
}

/// Checks the file `name` whose text is `text`, reading the libraries it
/// uses through `files`.
pub fn check_file(name: &str, text: &str, opts: &CheckOptions, files: &dyn Files) -> Checked {
    check_text(name, Text::Borrowed(text), opts, files)
}

/// As [`check_file`], taking the text and freeing it once the graph is
/// built: the checks need only the graph, and on a large policy the text
/// is a sixth of what a check holds at its peak. The diagnostics' spans
/// are into `text`, so the caller reads it again to show them.
pub fn check_file_freeing_text(
    name: &str,
    text: String,
    opts: &CheckOptions,
    files: &dyn Files,
) -> Checked {
    check_text(name, Text::Owned(text), opts, files)
}

/// The checked text: borrowed for the whole check, or owned and freed
/// before the checks.
enum Text<'t> {
    Borrowed(&'t str),
    Owned(String),
}

impl Text<'_> {
    fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(t) => t,
            Text::Owned(t) => t,
        }
    }

    /// Frees an owned text; a borrowed one is the caller's.
    fn free(&mut self) {
        if let Text::Owned(t) = self {
            *t = String::new();
        }
    }
}

fn check_text(name: &str, mut source: Text<'_>, opts: &CheckOptions, files: &dyn Files) -> Checked {
    let text = source.as_str();
    let parsed = crate::syntax::parse(text);
    let mut diags = parsed.diagnostics;
    let mut policy = parsed.policy;
    let library = policy.header.library;
    if policy.uses.is_empty() && !library {
        let lowered = lower_policy(policy, diags, opts);
        source.free();
        return check_lowered(lowered, None, opts);
    }
    let before = diags.len();
    let libs = uses::load(name, text, &policy, files, &mut diags);
    // A library that could not be read may declare any name the policy
    // uses: one mistake, one report.
    let lost = diags[before..].iter().any(|d| d.code == Code::UnknownFile);
    if library {
        uses::policy_only(&mut policy, &mut diags);
    }
    let mut merged = Vec::with_capacity(libs.files.len());
    for (parsed, file) in libs.parse().into_iter().zip(&libs.files) {
        diags.extend(parsed.diagnostics);
        let mut lib = parsed.policy;
        uses::policy_only(&mut lib, &mut diags);
        merged.push((lib, file.name.as_str()));
    }
    // The policy's tree borrows its text, and the libraries' theirs: one
    // tree for the two from here.
    let mut policy: crate::syntax::ast::Policy<'_> = policy;
    uses::merge(&mut policy, merged, &mut diags);
    if library {
        // A library is checked as far as it can be alone: its syntax and
        // its names. Its procedures are checked in each policy's calls.
        let symbols = crate::resolve::resolve(&policy, &mut diags);
        let levels = Levels::new(symbols.lints, &opts.levels);
        let mut checked = placed(finish(None, diags, &levels), libs, lost);
        checked.library = true;
        return checked;
    }
    let lowered = lower_policy(policy, diags, opts);
    source.free();
    placed(check_lowered(lowered, Some(&libs), opts), libs, lost)
}

/// A policy lowered to its graph, with what the checks after it need.
struct Lowered {
    graph: Graph,
    diags: Vec<Diagnostic>,
    levels: Levels,
    pieces: crate::foreach::Pieces,
}

/// The stages from the tree to the graph, on a policy with its libraries
/// merged in; `Err` with what was found when there is no graph to check.
fn lower_policy(
    policy: crate::syntax::ast::Policy<'_>,
    mut diags: Vec<Diagnostic>,
    opts: &CheckOptions,
) -> Result<Lowered, Box<Checked>> {
    // Not one step could be read: nothing more to say than why.
    if policy.steps.is_empty() && diags.iter().any(Diagnostic::is_error) {
        return Err(Box::new(finish(
            None,
            diags,
            &Levels::new(Vec::new(), &opts.levels),
        )));
    }
    // Every stage runs on what the one before could read: a broken
    // declaration is left out, a name that is not declared leads nowhere,
    // and the checks say nothing about either, so one run shows every
    // independent mistake.
    let bump = bumpalo::Bump::new();
    let mut pieces = crate::foreach::Pieces::default();
    let policy = desugar(policy, &bump, &mut diags, &mut pieces);
    let mut symbols = crate::resolve::resolve(&policy, &mut diags);
    let levels = Levels::new(std::mem::take(&mut symbols.lints), &opts.levels);
    symbols.drop_names();
    // Lowering consumes the tree; the names are not needed by the checks:
    // free them before the state space, the largest thing a check builds.
    let graph = crate::lower::lower(policy, &symbols, &mut diags);
    drop(symbols);
    let Some(mut graph) = graph else {
        return Err(Box::new(finish(None, diags, &levels)));
    };
    graph.multiples = pieces.multi_selects(&graph);
    Ok(Lowered {
        graph,
        diags,
        levels,
        pieces,
    })
}

/// The passes before resolution that write a policy's shorthand out as
/// plain steps and names (`for each` and `repeat`, `entry`, `role from
/// host`); `pieces` keeps what `for each` wrote, for the findings.
pub fn desugar<'a>(
    policy: crate::syntax::ast::Policy<'a>,
    bump: &'a bumpalo::Bump,
    diags: &mut Vec<Diagnostic>,
    pieces: &mut crate::foreach::Pieces,
) -> crate::syntax::ast::Policy<'a> {
    let mut policy = crate::foreach::desugar(policy, bump, diags, pieces);
    crate::entries::desugar(&mut policy, diags);
    crate::holder::desugar(&mut policy, bump, diags);
    policy
}

/// The checks, on a lowered policy; what lowering found if there is no
/// graph to check.
fn check_lowered(
    lowered: Result<Lowered, Box<Checked>>,
    libs: Option<&Libraries>,
    opts: &CheckOptions,
) -> Checked {
    let Lowered {
        graph,
        mut diags,
        levels,
        pieces,
    } = match lowered {
        Ok(lowered) => lowered,
        Err(done) => return *done,
    };
    // Past the peak of lowering: freed memory may wait to be taken again
    // (the allocator's settings are the binary's, feature `cli`).
    #[cfg(feature = "cli")]
    let _kept = crate::memory::keep_freed_memory();
    let mut found = check::run(&graph, &opts.check, &levels);
    merge_copies(&graph, &mut found);
    diags.extend(found);
    pieces.name_written_steps(&mut diags);
    merge_pieces(&mut diags);
    // A library's declaration that this policy leaves unused is no fault
    // of the policy: the folder decides (`check::project`).
    let mut unused_shared = Vec::new();
    if let Some(libs) = libs {
        diags.retain(|d| {
            let shared = d.code == Code::UnusedDeclaration && d.span.is_some_and(|s| libs.holds(s));
            if shared {
                unused_shared.push(d.clone());
            }
            !shared
        });
    }
    let mut checked = finish(Some(graph), diags, &levels);
    if !checked.has_errors() {
        checked.unused_shared = unused_shared;
    }
    checked
}

/// Moves the diagnostics found in libraries to their files.
fn placed(mut checked: Checked, libs: Libraries, lost: bool) -> Checked {
    if lost {
        checked.diagnostics.retain(|d| d.code != Code::UnknownName);
    }
    libs.place(&mut checked.diagnostics);
    libs.place(&mut checked.unused_shared);
    checked
        .diagnostics
        .sort_by(|a, b| (&a.file, a.sort_key()).cmp(&(&b.file, b.sort_key())));
    checked.shared = libs.files;
    checked
}

/// The checks see a procedure once per call (its copies share its spans):
/// what they find in a procedure is reported once, at the first call
/// whose path shows it, and a finding about every path (a step no path
/// reaches, a branch no path takes) only when it holds at every call.
/// Findings are the same when their code, span and message are, the
/// copies' step names read as the procedure writes them: two secrets in
/// one ticket are two findings.
fn merge_copies(g: &Graph, diags: &mut Vec<Diagnostic>) {
    if g.procedures.iter().all(|p| p.calls.is_empty()) {
        return;
    }
    // `s4>push` is `push` in the message of any copy; longest first, so
    // that a copy inside a copy (`s4>push>x`) loses its whole prefix.
    let mut prefixes: Vec<String> = g
        .procedures
        .iter()
        .flat_map(|p| &p.calls)
        .map(|c| format!("`{}>", g.step(c.step).name))
        .collect();
    prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let finding = |d: &Diagnostic, span: crate::span::Span| {
        let message = prefixes
            .iter()
            .fold(d.message.clone(), |m, p| m.replace(p.as_str(), "`"));
        (d.code, span.start, span.end, message)
    };
    let inside = |d: &Diagnostic| {
        let span = d.span?;
        g.procedures.iter().position(|p| {
            !p.calls.is_empty() && p.body_span.start <= span.start && span.end <= p.body_span.end
        })
    };
    let mut count: HashMap<(Code, u32, u32, String), usize> = HashMap::new();
    for d in diags.iter() {
        if let (Some(_), Some(span)) = (inside(d), d.span) {
            *count.entry(finding(d, span)).or_default() += 1;
        }
    }
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| {
        let (Some(p), Some(span)) = (inside(d), d.span) else {
            return true;
        };
        let key = finding(d, span);
        let every_path = matches!(d.code, Code::UnreachableStep | Code::InfeasibleBranch);
        if every_path && count[&key] < g.procedures[p].calls.len() {
            return false;
        }
        seen.insert(key)
    });
}

/// A `for each` cuts a step into pieces that share the span of its name
/// (`src/foreach.rs`): a step no path reaches is one finding, the step's,
/// not one per piece.
fn merge_pieces(diags: &mut Vec<Diagnostic>) {
    let mut shortest: HashMap<crate::span::Span, usize> = HashMap::new();
    for d in diags.iter().filter(|d| d.code == Code::UnreachableStep) {
        if let Some(span) = d.span {
            let len = shortest.entry(span).or_insert(usize::MAX);
            *len = (*len).min(d.message.len());
        }
    }
    let mut kept = std::collections::HashSet::new();
    diags.retain(|d| match (d.code, d.span) {
        (Code::UnreachableStep, Some(span)) => {
            shortest.get(&span) == Some(&d.message.len()) && kept.insert(span)
        }
        _ => true,
    });
}

/// Compiles a policy to its checked graph, or returns its errors (and
/// warnings).
pub fn compile(text: &str) -> Result<Graph, Vec<Diagnostic>> {
    compile_file("", text, &NoFiles)
        .map(|(g, _)| g)
        .map_err(|c| c.diagnostics)
}

/// Compiles the file `name` to its checked graph, reading the libraries it
/// uses through `files`, with those libraries as read; or returns the
/// whole check (its diagnostics, and the libraries' texts they may be in).
/// A library is refused: it has no steps to run.
pub fn compile_file(
    name: &str,
    text: &str,
    files: &dyn Files,
) -> Result<(Graph, Vec<SharedFile>), Box<Checked>> {
    let mut checked = check_file(name, text, &CheckOptions::default(), files);
    match checked.graph.take() {
        Some(g) if !checked.has_errors() => Ok((g, checked.shared)),
        Some(_) => Err(Box::new(checked)),
        None => {
            if !checked.has_errors() {
                checked.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownFile,
                        "this file is a library of shared declarations, not a policy",
                    )
                    .at(crate::span::Span::new(0, 0), "a library")
                    .with_help("run a policy that `use`s it"),
                );
            }
            Err(Box::new(checked))
        }
    }
}

fn finish(graph: Option<Graph>, mut diags: Vec<Diagnostic>, levels: &Levels) -> Checked {
    // An error often leaves a declaration (or a procedure's exit) unused
    // (a misspelt reference, a dead end before the `end`): one mistake,
    // one report. Unused declarations are reported once the policy has no
    // error.
    if diags.iter().any(Diagnostic::is_error) {
        diags.retain(|d| !matches!(d.code, Code::UnusedDeclaration | Code::UnusedExit));
    }
    diags.retain_mut(|d| levels.apply(d));
    diagnostic::sort(&mut diags);
    Checked {
        graph,
        diagnostics: diags,
        shared: Vec::new(),
        unused_shared: Vec::new(),
        library: false,
    }
}

/// The canonical layout of a policy (see [`crate::render::format`]), or its
/// syntax errors.
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = crate::syntax::parse(text);
    if parsed.has_errors() {
        return Err(parsed.diagnostics);
    }
    Ok(crate::render::format::format(&parsed.policy, text))
}
