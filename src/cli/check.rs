//! `sopc check [PATH...]`: run every check on every policy and report, for
//! people (`human`) or tools (`json`, `sarif`, `github`).

use super::{input, usage_error, Exit};
use sopc::date::Date;
use sopc::levels::{Level, Overrides};
use sopc::pipeline::{check_file, check_file_freeing_text, CheckOptions};
use sopc::render::FileReport;
use sopc::sources::DiskFiles;
use sopc::{diagnostic, Diagnostic, Severity};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy files or folders (all `.sop` files below); default `policies/`
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The date `review-overdue` compares against (YEAR-MONTH-DAY; default today)
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    #[command(flatten)]
    pub levels: LevelFlags,
    /// Apply the fixes the diagnostics name (a suggested name, a missing
    /// branch to a `gap`, a `collect` before a ticket, a secret moved to the
    /// assignee section), then check again; lints are never silenced
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the changes as a diff instead of writing them
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
}

/// `-D/-W/-A CODE` in the order given: a later flag wins over an earlier
/// one, which clap's derive (one list per flag) cannot tell.
#[derive(Debug, Default)]
pub struct LevelFlags(Vec<(Level, String)>);

const LEVEL_FLAGS: [(&str, char, Level, &str); 3] = [
    (
        "deny",
        'D',
        Level::Deny,
        "Treat a lint as an error (`-D warnings`: every finding still a warning)",
    ),
    ("warn", 'W', Level::Warn, "Report a lint as a warning"),
    (
        "allow",
        'A',
        Level::Allow,
        "Silence a lint (a later flag wins over an earlier one)",
    ),
];

impl clap::FromArgMatches for LevelFlags {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut given = Vec::new();
        for (id, _, level, _) in LEVEL_FLAGS {
            let (Some(values), Some(at)) = (m.get_many::<String>(id), m.indices_of(id)) else {
                continue;
            };
            given.extend(at.zip(values).map(|(i, v)| (i, level, v.clone())));
        }
        given.sort_by_key(|(i, _, _)| *i);
        Ok(LevelFlags(
            given.into_iter().map(|(_, l, v)| (l, v)).collect(),
        ))
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for LevelFlags {
    fn augment_args(mut cmd: clap::Command) -> clap::Command {
        for (id, short, _, help) in LEVEL_FLAGS {
            cmd = cmd.arg(
                clap::Arg::new(id)
                    .short(short)
                    .long(id)
                    .value_name("CODE")
                    .action(clap::ArgAction::Append)
                    .help(help),
            );
        }
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

struct Checked {
    name: String,
    text: String,
    diagnostics: Vec<Diagnostic>,
    file: PathBuf,
    /// The libraries it uses, and the declarations of theirs it leaves
    /// unused (none known when it has errors).
    shared: Vec<sopc::uses::SharedFile>,
    unused_shared: Option<Vec<Diagnostic>>,
    library: bool,
    /// The lint levels for this file (`sopc.toml` and the command line).
    levels: std::collections::HashMap<sopc::Code, Level>,
}

pub fn run(args: Args) -> Exit {
    let (today, overrides) = match command_line(&args) {
        Ok(o) => o,
        Err(e) => return usage_error(e),
    };
    let files = match input::collect(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let color = args.format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let mut checked = Vec::with_capacity(files.len());
    for file in &files {
        let (source, not_utf8) = match input::read_lossy(file) {
            Ok(s) => s,
            Err(e) => return usage_error(e),
        };
        // sopc.toml first, the command line over it.
        let config = match sopc::config::levels_for(file) {
            Ok(l) => l,
            Err(e) => return usage_error(e),
        };
        let mut opts = CheckOptions::default();
        opts.check.today = Some(today);
        opts.levels = overrides.over(config);
        let mut source = source;
        if args.fix && not_utf8.is_none() {
            let (fixed, applied) =
                sopc::lsp::actions::fix_all(&source.name, &source.text, &opts, &DiskFiles);
            if fixed != source.text {
                if args.dry_run {
                    print!(
                        "{}",
                        super::fmt::unified_diff(
                            &source.text,
                            &fixed,
                            &source.name,
                            &format!("{} (fixed)", source.name)
                        )
                    );
                } else {
                    if let Err(e) = std::fs::write(file, &fixed) {
                        return usage_error(format!("cannot write `{}`: {e}", file.display()));
                    }
                    eprintln!(
                        "fixed {applied} {} in {}",
                        plural(applied, "problem", "problems"),
                        source.name
                    );
                    source.text = fixed;
                }
            }
        }
        let (diagnostics, shared, unused_shared, library) = match not_utf8 {
            Some(d) => (vec![d], Vec::new(), None, false),
            None => {
                let c = if source.text.len() >= input::FREED_WHILE_CHECKED && file.is_file() {
                    let was = input::Fingerprint::of(&source.text);
                    let text = std::mem::take(&mut source.text);
                    let mut c = check_file_freeing_text(&source.name, text, &opts, &DiskFiles);
                    // Not shown: freed before the text is read again.
                    c.graph = None;
                    source.text = match input::read_again(file, was) {
                        Ok(text) => text,
                        Err(e) => return usage_error(e),
                    };
                    c
                } else {
                    check_file(&source.name, &source.text, &opts, &DiskFiles)
                };
                let unused = (!c.has_errors()).then_some(c.unused_shared);
                (c.diagnostics, c.shared, unused, c.library)
            }
        };
        checked.push(Checked {
            name: source.name,
            text: source.text,
            diagnostics,
            file: file.clone(),
            shared,
            unused_shared,
            library,
            levels: opts.levels,
        });
    }
    if let Err(e) = check_folders(&mut checked, today) {
        return usage_error(e);
    }
    let mut checked = match place_shared(checked) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    for c in &mut checked {
        overrides.finish(&mut c.diagnostics);
        // Indexing a large file's lines costs more than a clean check's
        // report: only when there is something to show.
        if args.format == Format::Human && !c.diagnostics.is_empty() {
            let renderer = diagnostic::HumanRenderer::new(&c.name, &c.text, color);
            for d in &c.diagnostics {
                print!("{}", renderer.render(d));
                println!();
            }
        }
    }
    let count = |s: Severity| {
        checked
            .iter()
            .flat_map(|c| &c.diagnostics)
            .filter(|d| d.severity == s)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let reports: Vec<FileReport<'_>> = checked
        .iter()
        .map(|c| FileReport {
            name: &c.name,
            text: &c.text,
            diagnostics: &c.diagnostics,
        })
        .collect();
    match args.format {
        Format::Human => println!(
            "checked {}: {} {}, {} {}",
            checked_count(&checked),
            errors,
            plural(errors, "error", "errors"),
            warnings,
            plural(warnings, "warning", "warnings"),
        ),
        Format::Json => {
            let out = serde_json::json!({
                "files": reports.iter().map(|r| sopc::render::check_json::file_report(r.name, r.text, r.diagnostics)).collect::<Vec<_>>(),
                "summary": { "files": checked.len(), "errors": errors, "warnings": warnings },
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Sarif => println!(
            "{}",
            serde_json::to_string_pretty(&sopc::render::sarif::report(&reports))
                .unwrap_or_default()
        ),
        Format::Github => print!("{}", sopc::render::github::report(&reports)),
    }
    if errors > 0 {
        Exit::PolicyErrors
    } else {
        Exit::Clean
    }
}

/// The checks across a folder (`check::project`), for each folder where a
/// checked file hands off: its other policy files are read and checked too,
/// and what the folder finds is added to the checked files'.
fn check_folders(checked: &mut [Checked], today: Date) -> Result<(), String> {
    use sopc::check::project::{self, Member};
    let folder = |f: &Path| {
        let dir = f.parent().unwrap_or(Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
    };
    let mut folders: Vec<PathBuf> = checked
        .iter()
        .filter(|c| project::hands_off(&c.text))
        .map(|c| folder(&c.file))
        .collect();
    folders.sort();
    folders.dedup();
    for dir in folders {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sop") && p.is_file())
            .collect();
        files.sort();
        // (name, text, errors, the checked file it is)
        let mut members: Vec<(String, String, usize, Option<usize>)> = Vec::new();
        for f in &files {
            let name = f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let canonical = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
            let known = checked.iter().position(|c| {
                std::fs::canonicalize(&c.file).unwrap_or_else(|_| c.file.clone()) == canonical
            });
            match known {
                Some(k) => {
                    let errors = checked[k]
                        .diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .count();
                    members.push((name, checked[k].text.clone(), errors, Some(k)));
                }
                None => {
                    let Ok(text) = std::fs::read_to_string(f) else {
                        continue;
                    };
                    let mut opts = CheckOptions::default();
                    opts.check.today = Some(today);
                    opts.levels = sopc::config::levels_for(f)?;
                    let name = f.display().to_string();
                    let errors = check_file(&name, &text, &opts, &DiskFiles)
                        .diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .count();
                    members.push((name, text, errors, None));
                }
            }
        }
        let list: Vec<Member> = members
            .iter()
            .map(|(name, text, errors, _)| Member {
                name,
                text,
                errors: *errors,
            })
            .collect();
        for (found, (_, _, _, k)) in project::check(&list).into_iter().zip(&members) {
            let Some(k) = *k else { continue };
            let levels = sopc::levels::Levels::new(Vec::new(), &checked[k].levels);
            for mut d in found {
                if levels.apply(&mut d) {
                    checked[k].diagnostics.push(d);
                }
            }
            checked[k]
                .diagnostics
                .sort_by_key(|d| d.span.map_or(0, |s| s.start));
        }
    }
    Ok(())
}

/// Findings in a library go to the library's own report, once however
/// many checked policies use it. A library's declaration is
/// `unused-declaration` when every checked policy that uses the library
/// is clean and leaves it unused.
fn place_shared(mut checked: Vec<Checked>) -> Result<Vec<Checked>, String> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut known: Vec<PathBuf> = checked.iter().map(|c| canonical(&c.file)).collect();
    // (library, diagnostic), and per library: has a user with errors, and
    // each clean user's unused declarations.
    let mut found: Vec<(PathBuf, Diagnostic)> = Vec::new();
    let mut users: Vec<(PathBuf, bool, Vec<Diagnostic>)> = Vec::new();
    let mut texts: Vec<(PathBuf, String, String)> = Vec::new();
    for c in &mut checked {
        for lib in &c.shared {
            let path = canonical(Path::new(&lib.name));
            if !texts.iter().any(|(p, _, _)| *p == path) {
                texts.push((path.clone(), lib.name.clone(), lib.text.clone()));
            }
            let unused: Vec<Diagnostic> = c
                .unused_shared
                .iter()
                .flatten()
                .filter(|d| d.file.as_ref() == Some(&lib.name))
                .cloned()
                .collect();
            users.push((path, c.unused_shared.is_none(), unused));
        }
        let (shared, own): (Vec<Diagnostic>, Vec<Diagnostic>) = std::mem::take(&mut c.diagnostics)
            .into_iter()
            .partition(|d| d.file.is_some());
        c.diagnostics = own;
        for d in shared {
            let path = canonical(Path::new(d.file.as_deref().unwrap_or_default()));
            found.push((path, d));
        }
    }
    // Unused in the project: only for a library checked with its users.
    for (path, name, _) in &texts {
        if !known.contains(path) {
            continue;
        }
        let mine: Vec<&(PathBuf, bool, Vec<Diagnostic>)> =
            users.iter().filter(|(p, _, _)| p == path).collect();
        if mine.iter().any(|(_, broken, _)| *broken) {
            continue;
        }
        let Some((_, _, first)) = mine.first() else {
            continue;
        };
        let levels =
            sopc::levels::Levels::new(Vec::new(), &sopc::config::levels_for(Path::new(name))?);
        for d in first {
            if mine.iter().all(|(_, _, u)| u.contains(d)) {
                let mut d = d.clone();
                if levels.apply(&mut d) {
                    found.push((path.clone(), d));
                }
            }
        }
    }
    for (path, mut d) in found {
        d.file = None;
        let at = match known.iter().position(|k| *k == path) {
            Some(i) => i,
            None => {
                let Some((_, name, text)) = texts.iter().find(|(p, _, _)| *p == path) else {
                    continue;
                };
                checked.push(Checked {
                    name: name.clone(),
                    text: text.clone(),
                    diagnostics: Vec::new(),
                    file: path.clone(),
                    shared: Vec::new(),
                    unused_shared: None,
                    library: true,
                    levels: Default::default(),
                });
                known.push(path.clone());
                checked.len() - 1
            }
        };
        // Policies reach a finding in a library by their own paths: one
        // report, with the first path.
        let same = |e: &Diagnostic| e.code == d.code && e.span == d.span && e.message == d.message;
        if !checked[at].diagnostics.iter().any(same) {
            checked[at].diagnostics.push(d);
        }
    }
    for c in &mut checked {
        diagnostic::sort(&mut c.diagnostics);
    }
    Ok(checked)
}

/// `3 policies`, or `3 policies and 1 library`.
fn checked_count(checked: &[Checked]) -> String {
    let libraries = checked.iter().filter(|c| c.library).count();
    let policies = checked.len() - libraries;
    let mut out = format!("{policies} {}", plural(policies, "policy", "policies"));
    if libraries > 0 {
        out.push_str(&format!(
            " and {libraries} {}",
            plural(libraries, "library", "libraries")
        ));
    }
    out
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// The date and the rule levels given on the command line.
fn command_line(args: &Args) -> Result<(Date, Overrides), String> {
    let today = match &args.today {
        Some(t) => Date::parse(t).map_err(|e| format!("`--today {t}` is not a date: {e}"))?,
        None => today_utc(),
    };
    let overrides = Overrides::parse(args.levels.0.iter().map(|(l, c)| (*l, c.as_str())))?;
    Ok((today, overrides))
}

/// Today's date in UTC from the system clock.
pub(super) fn today_utc() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    Date::from_day_number(days).unwrap_or(Date::EPOCH)
}
