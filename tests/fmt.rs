//! `sopc fmt` over every `.sop` file in the repository: idempotent, keeps
//! every comment in order, and never changes meaning (the compiled graph, or
//! the diagnostics, are the same before and after).

mod common;

use std::path::{Path, PathBuf};

fn all_sop_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("policies"), root.join("tests/fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "sop") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn comment_lines(text: &str) -> Vec<String> {
    // Comments as the formatter sees them: `#` outside quotes.
    text.lines()
        .filter_map(|l| {
            let mut in_string = false;
            let mut prev = ' ';
            for (i, c) in l.char_indices() {
                if c == '"' && prev != '\\' {
                    in_string = !in_string;
                }
                if c == '#' && !in_string {
                    return Some(l[i..].trim_end().to_string());
                }
                prev = c;
            }
            None
        })
        .collect()
}

#[test]
fn fmt_is_idempotent_keeps_comments_and_meaning() {
    let mut formatted_files = 0;
    for path in all_sop_files() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let Ok(once) = sopc::format_source(&text) else {
            continue; // files with syntax errors are not formatted
        };
        formatted_files += 1;
        let name = path.display();
        assert_eq!(
            comment_lines(&text),
            comment_lines(&once),
            "{name}: comments changed"
        );
        // Idempotent, and the same graph or diagnostics: the fuzz target's
        // promises (sopc::harness), here on every policy of the repository.
        let kept = std::panic::catch_unwind(|| sopc::harness::fmt_bytes(text.as_bytes()));
        assert!(
            kept.is_ok(),
            "{name}: formatting broke a promise (see above)"
        );
    }
    assert!(
        formatted_files >= 35,
        "only {formatted_files} files formatted"
    );
}

#[test]
fn shipped_policies_are_formatted() {
    for path in common::shipped_policies() {
        let text = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(
            sopc::format_source(&text).expect("parses"),
            text,
            "{}: run `sopc fmt`",
            path.display()
        );
    }
}

#[test]
fn fmt_check_shows_a_diff_and_exits_1() {
    let dir = common::temp_dir("fmt");
    let file = dir.join("messy.sop");
    std::fs::write(
        &file,
        "sop \"X\" \"Messy\" { owner \"me\" }\noutcome done \"Done\"\nstep a \"A\" {  # first\n    ask q \"Q?\" { yes no }\n  yes -> end done\n  no -> end done\n}\n",
    )
    .expect("write");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sopc"))
            .args(args)
            .arg(&file)
            .output()
            .expect("runs")
    };
    let check = run(&["fmt", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&check.stdout);
    assert!(
        diff.contains("-  no -> end done") && diff.contains("+  no  -> end done"),
        "{diff}"
    );
    assert_eq!(run(&["fmt"]).status.code(), Some(0));
    assert_eq!(run(&["fmt", "--check"]).status.code(), Some(0));
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("step a \"A\" {  # first"), "{text}");
}
