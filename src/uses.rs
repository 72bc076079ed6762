//! `use "FILE"`: the libraries a policy uses, read through a
//! [`Files`], parsed into the policy's span space and merged into its tree,
//! so that resolution, lowering and every check see one policy.
//!
//! One span space: the libraries' texts are laid out after the policy's
//! (a span past the policy's text is in a library), and the diagnostics
//! found there are moved to their file at the end ([`Libraries::place`]).

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::sources::Files;
use crate::span::Span;
use crate::syntax::ast::Policy;
use std::collections::HashSet;

/// At most this many files through `use`, counting the ones libraries use.
const MAX_FILES: usize = 256;

/// A library file a policy uses, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedFile {
    /// Its name from the [`Files`] that read it (`policies/common/roles.sop`).
    pub name: String,
    pub text: String,
}

/// The libraries of one policy, laid out in one text after the policy's.
pub struct Libraries {
    pub files: Vec<SharedFile>,
    /// Where each file starts in [`Libraries::text`].
    starts: Vec<usize>,
    /// Blanks the length of the policy's text, then each library and a
    /// line break: parsing a library here gives spans past the policy's.
    text: String,
}

/// Reads every library `policy` uses, and those they use in turn, each
/// once. What cannot be read is an `unknown-file` at its `use` line.
pub fn load(
    name: &str,
    main_text: &str,
    policy: &Policy,
    files: &dyn Files,
    diags: &mut Vec<Diagnostic>,
) -> Libraries {
    let mut text = " ".repeat(main_text.len());
    text.push('\n');
    let mut libs = Libraries {
        files: Vec::new(),
        starts: Vec::new(),
        text,
    };
    let mut seen: HashSet<String> = HashSet::from([name.to_string()]);
    // (the file that uses, the path it writes, the span of the `use` in
    // the one span space)
    let mut queue: Vec<(String, String, Span)> = policy
        .uses
        .iter()
        .map(|u| (name.to_string(), u.path.value().into_owned(), u.span))
        .collect();
    queue.reverse();
    while let Some((from, path, span)) = queue.pop() {
        let (found, text) = match files.read(&from, &path) {
            Ok(read) => read,
            Err(reason) => {
                diags.push(
                    Diagnostic::new(Code::UnknownFile, format!("cannot read `{path}`: {reason}"))
                        .at(span, "used here")
                        .with_help(
                            "a `use` path is read from the folder of the file that writes it",
                        ),
                );
                continue;
            }
        };
        if !seen.insert(found.clone()) {
            continue;
        }
        if libs.files.len() == MAX_FILES {
            diags.push(
                Diagnostic::new(
                    Code::TooLarge,
                    format!("the policy uses more than {MAX_FILES} files"),
                )
                .at(span, "one file too many")
                .with_help("merge shared declarations into fewer libraries"),
            );
            break;
        }
        // The library's own `use` lines, read once now to follow them; it
        // is parsed again in place, for its spans and diagnostics.
        let first = crate::syntax::parse(&text);
        if !first.policy.header.library {
            let what = if first.policy.header.id.raw.is_empty() {
                "has no `library` header"
            } else {
                "is a policy, not a library"
            };
            diags.push(
                Diagnostic::new(Code::UnknownFile, format!("`{path}` {what}"))
                    .at(span, "used here")
                    .with_help(
                        "shared declarations go in a file headed `library \"ID\" \"Title\" { owner \"…\" }`, with no steps",
                    ),
            );
            continue;
        }
        let start = libs.text.len();
        for u in first.policy.uses.iter().rev() {
            queue.push((
                found.clone(),
                u.path.value().into_owned(),
                u.span.shifted(start),
            ));
        }
        drop(first);
        libs.text.push_str(&text);
        libs.text.push('\n');
        libs.starts.push(start);
        libs.files.push(SharedFile { name: found, text });
    }
    libs
}

impl Libraries {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Each library's tree and syntax diagnostics, with spans in the one
    /// span space.
    pub fn parse(&self) -> Vec<crate::syntax::Parsed<'_>> {
        self.files
            .iter()
            .zip(&self.starts)
            .map(|(f, &start)| crate::syntax::parse_at(&self.text[..start + f.text.len()], start))
            .collect()
    }

    /// The library a span of the one span space is in.
    fn file_of(&self, span: Span) -> Option<usize> {
        let at = span.start as usize;
        let i = self.starts.partition_point(|&s| s <= at).checked_sub(1)?;
        Some(i)
    }

    /// Moves each diagnostic found in a library to that file: its spans
    /// counted from the file's start, its labels in other files dropped.
    /// The file's name tells the rendering which text the spans are in.
    pub fn place(&self, diags: &mut [Diagnostic]) {
        if self.files.is_empty() {
            return;
        }
        for d in diags {
            let file = d.span.and_then(|s| self.file_of(s));
            let local = |span: Span| -> Option<Span> {
                match (file, self.file_of(span)) {
                    (None, None) => Some(span),
                    (Some(f), Some(g)) if f == g => Some(Span::new(
                        span.start as usize - self.starts[f],
                        span.end as usize - self.starts[f],
                    )),
                    _ => None,
                }
            };
            d.labels.retain_mut(|l| match local(l.span) {
                Some(s) => {
                    l.span = s;
                    true
                }
                None => false,
            });
            if let (Some(f), Some(span)) = (file, d.span) {
                d.span = local(span);
                d.file = Some(self.files[f].name.clone());
            }
        }
    }

    /// Whether a span of the one span space is in a library.
    pub fn holds(&self, span: Span) -> bool {
        self.file_of(span).is_some()
    }
}

/// A library holds shared declarations only: each step, start, standing
/// rule, `receives`, `require` and scenario in it is a `policy-only` error,
/// and is left out.
pub fn policy_only(lib: &mut Policy, diags: &mut Vec<Diagnostic>) {
    let mut found: Vec<(Span, &str)> = Vec::new();
    found.extend(lib.steps.drain(..).map(|s| (s.span, "a step")));
    found.extend(lib.starts.drain(..).map(|s| (s.span, "a `start`")));
    found.extend(lib.entries.drain(..).map(|s| (s.span, "an `entry`")));
    found.extend(lib.anytime.drain(..).map(|s| (s.span, "a standing rule")));
    found.extend(lib.receives.drain(..).map(|s| (s.span, "a `receives`")));
    found.extend(lib.requires.drain(..).map(|s| (s.span, "a `require`")));
    found.extend(lib.scenarios.drain(..).map(|s| (s.span, "a scenario")));
    for (span, what) in found {
        diags.push(
            Diagnostic::new(Code::PolicyOnly, format!("{what} belongs in a policy, not in a library"))
                .at(span, "in a library")
                .with_help("a library shares roles, targets, data, facts, outcomes, `never` rules and procedures; move this into the policies that use it"),
        );
    }
}

/// Adds the libraries' declarations to the policy. A name the policy
/// declares itself stays the policy's (`shadowed-name`, at the policy's
/// declaration), and the library's is left out; a name two libraries
/// declare is a `duplicate-name`, as in one file.
pub fn merge<'a>(
    policy: &mut Policy<'a>,
    mut libs: Vec<(Policy<'a>, &str)>,
    diags: &mut Vec<Diagnostic>,
) {
    macro_rules! take {
        ($field:ident, $kind:literal) => {{
            let own: Vec<crate::syntax::ast::Name<'a>> =
                policy.$field.iter().map(|d| d.name.clone()).collect();
            let mut told: HashSet<&str> = HashSet::new();
            for (lib, lib_name) in libs.iter_mut() {
                for d in std::mem::take(&mut lib.$field) {
                    match own.iter().find(|n| n.text() == d.name.text()) {
                        Some(n) => {
                            if told.insert(n.text()) {
                                diags.push(shadowed($kind, n, lib_name));
                            }
                        }
                        None => policy.$field.push(d),
                    }
                }
            }
        }};
    }
    take!(roles, "role");
    take!(targets, "target");
    take!(data, "data field");
    take!(facts, "fact");
    take!(outcomes, "outcome");
    take!(procedures, "procedure");
    for (lib, _) in libs {
        policy.never_disclose.extend(lib.never_disclose);
        policy.never_phrases.extend(lib.never_phrases);
        policy.broken.extend(lib.broken);
    }
}

fn shadowed(kind: &str, name: &crate::syntax::ast::Name, lib: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ShadowedName,
        format!(
            "the {kind} `{}` is also declared in `{lib}`, which this policy uses",
            name.text()
        ),
    )
    .at(name.span, "this declaration is the one used")
    .with_help(format!(
        "remove it to use the shared {kind}, or give it another name"
    ))
}
