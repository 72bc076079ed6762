//! Helpers shared by the integration tests.
#![allow(dead_code)]

use sopc::pipeline::{check_source, CheckOptions};

pub fn options() -> CheckOptions {
    let mut o = CheckOptions::default();
    // The date every test checks against, so `review-overdue` is stable.
    o.check.today = sopc::date::Date::new(2026, 11, 28);
    o
}

/// Every diagnostic of `text`, rendered without colour, as a user sees it.
pub fn render(name: &str, text: &str) -> String {
    let checked = check_source(text, &options());
    let mut out = String::new();
    let renderer = sopc::diagnostic::HumanRenderer::new(name, text, false);
    for d in &checked.diagnostics {
        out.push_str(&renderer.render(d));
        out.push('\n');
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

/// The file name relative to the repository, with `/` separators.
pub fn display_name(path: &std::path::Path) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The policies shipped in `policies/`, sorted.
pub fn shipped_policies() -> Vec<std::path::PathBuf> {
    sop_files("policies")
}

/// The libraries shipped in `policies/common/`, sorted.
pub fn shipped_libraries() -> Vec<std::path::PathBuf> {
    sop_files("policies/common")
}

/// The `.sop` files of a folder of the repository (not below it), sorted.
fn sop_files(folder: &str) -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} is readable: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sop"))
        .collect();
    v.sort();
    v
}

/// The shipped policy `path`, checked with the libraries it uses.
pub fn check_policy(path: &std::path::Path, text: &str) -> sopc::Checked {
    sopc::check_file(
        &path.display().to_string(),
        text,
        &options(),
        &sopc::sources::DiskFiles,
    )
}

/// The shipped policy `path` compiled with the libraries it uses.
pub fn compile_policy(path: &std::path::Path, text: &str) -> sopc::Graph {
    match sopc::compile_file(&path.display().to_string(), text, &sopc::sources::DiskFiles) {
        Ok((g, _)) => g,
        Err(c) => panic!("{} does not compile: {:?}", path.display(), c.diagnostics),
    }
}

/// What one run of the `sopc` binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the `sopc` binary in the repository root, without colour, with
/// `stdin` as its input. A run killed by a signal is a test failure.
pub fn sopc_with_input(args: &[&str], stdin: &[u8]) -> Run {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_sopc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sopc runs");
    // sopc may exit before reading its input (a refused artifact): a broken
    // pipe here is not what the tests check.
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    let o = child.wait_with_output().expect("sopc finishes");
    Run {
        code: o
            .status
            .code()
            .expect("sopc exited by itself, not by a signal"),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Runs the `sopc` binary with no input.
pub fn sopc(args: &[&str]) -> Run {
    sopc_with_input(args, b"")
}

/// A fresh, empty temporary folder for one test. Emptied first: a
/// machine that keeps its temporary folder may give a later run the same
/// process id, and a `sopc.toml` left there would change its verdicts.
pub fn temp_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sopc-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// How many `gap "…"` endings the shipped policies write: each is an
/// open question `sopc check` reports.
pub fn shipped_gaps() -> usize {
    shipped_policies()
        .iter()
        .chain(&shipped_libraries())
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("readable");
            text.lines()
                .filter(|l| {
                    let l = l.trim_start();
                    !l.starts_with('#') && !l.starts_with("expect") && l.contains("gap \"")
                })
                .count()
        })
        .sum()
}
pub mod server;
pub mod webdriver;
