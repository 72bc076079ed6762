//! Seeing a policy: flowcharts and documents of every shipped policy as
//! snapshots (DOT also rendered by Graphviz when it is installed), the HTML
//! document held to the Markdown's content and to well-formedness, texts
//! shown as written, and the semantic diff between versions.

mod common;

use sopc::diff::diff;

fn compile_file(path: &str) -> sopc::Graph {
    let path = std::path::PathBuf::from(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")));
    let text = std::fs::read_to_string(&path).expect("readable");
    common::compile_policy(&path, &text)
}

#[test]
fn flowcharts_and_documents_of_shipped_policies() {
    for path in common::shipped_policies() {
        let g = common::compile_policy(&path, &std::fs::read_to_string(&path).expect("readable"));
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8")
            .to_string();
        let mermaid = sopc::render::graph::mermaid(&g);
        assert!(mermaid.starts_with("flowchart"));
        let dot = sopc::render::graph::dot(&g);
        if let Ok(mut child) = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
        {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(dot.as_bytes())
                .expect("write");
            let out = child.wait_with_output().expect("dot runs");
            assert!(out.status.success(), "{name}: dot failed");
            assert!(
                out.stderr.is_empty(),
                "{name}: dot warned: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
        }
        insta::assert_snapshot!(format!("mermaid_{name}"), mermaid);
        insta::assert_snapshot!(format!("dot_{name}"), dot);
        insta::assert_snapshot!(format!("doc_{name}"), sopc::render::doc::markdown(&g));
    }
}

#[test]
fn the_hac_document_covers_the_seed() {
    let doc = sopc::render::doc::markdown(&compile_file("policies/hac.sop"));
    for n in 1..=9 {
        assert!(
            doc.contains(&format!("Seed step {n}")),
            "seed step {n} missing from the document"
        );
    }
    assert!(doc.contains("| Jennifer Miller | ticket in iSupport |"));
    assert!(doc.contains("| Rodney White | ticket in iSupport |"));
    assert!(doc.contains("| SOP Owner | Arlicia Netto |"));
}

/// A fact a `match` reads first (here a system's amount and the role the
/// host gives) is a choice like a question: each value is a path, and a
/// moved boundary shows the values between as a path of their own.
#[test]
fn diff_follows_every_value_of_a_fact_and_a_moved_boundary() {
    let d = diff(
        &compile_file("tests/fixtures/diff/threshold_base.sop"),
        &compile_file("tests/fixtures/diff/threshold_moved.sop"),
        10,
    )
    .expect("diff");
    let path = |c: &sopc::diff::ChangedPath| {
        let answers: Vec<String> = c
            .answers
            .iter()
            .map(|(f, a)| format!("{f} = {a}"))
            .collect();
        format!(
            "{} : {} -> {}",
            answers.join(", "),
            c.old.as_deref().unwrap_or("-"),
            c.new.as_deref().unwrap_or("-")
        )
    };
    let changed: Vec<String> = d.changed.examples.iter().map(path).collect();
    assert_eq!(
        changed,
        [
            // `over 500.00` became `over 600.00`: 500.01 up to 600.00.
            "agent = tier1, amount = 500.01..600.01 : approval(approvals) -> sent",
            // The second role's branch changed.
            "agent = tier2, amount = under 500.01 : sent -> approval(approvals)",
        ]
    );
    assert_eq!(d.route.count.to_u128(), Some(1));
    assert!(d.added.count.is_zero() && d.removed.count.is_zero());
    // The reverse diff names the same values.
    let back = diff(
        &compile_file("tests/fixtures/diff/threshold_moved.sop"),
        &compile_file("tests/fixtures/diff/threshold_base.sop"),
        10,
    )
    .expect("diff");
    assert_eq!(back.changed.count.to_u128(), Some(2));
    assert!(back
        .changed
        .examples
        .iter()
        .any(|c| c.answers.iter().any(|(_, a)| a == "500.01..600.01")));
}

#[test]
fn diff_finds_each_kind_of_change() {
    let base = compile_file("tests/fixtures/diff/base.sop");
    let d = |f: &str| {
        diff(
            &base,
            &compile_file(&format!("tests/fixtures/diff/{f}.sop")),
            10,
        )
        .expect("diff")
    };
    assert!(d("reordered").is_equal(), "reordering changes nothing");
    // Asking in another order changes no ending, but every route.
    let swapped = d("questions_swapped");
    assert!(swapped.changed.count.is_zero() && swapped.tickets.count.is_zero());
    assert_eq!(swapped.route.count.to_u128(), Some(4));
    let route = d("route_changed");
    assert_eq!(route.route.count.to_u128(), Some(1));
    assert!(route.changed.count.is_zero() && route.tickets.count.is_zero());
    assert_eq!(
        route.route.examples[0].new.as_deref(),
        Some("greet -> works -> apologise -> file -> escalated(desk)")
    );
    // Steps are compared by name: a rename is a route change.
    assert_eq!(d("renamed").route.count.to_u128(), Some(2));
    let tickets = d("ticket_changed");
    assert_eq!(tickets.tickets.count.to_u128(), Some(1));
    assert!(
        tickets.route.count.is_zero(),
        "the ticket outranks the route"
    );
    assert_eq!(
        (
            tickets.tickets.examples[0].old.as_deref(),
            tickets.tickets.examples[0].new.as_deref()
        ),
        (
            Some("ticket desk body caller_name"),
            Some("ticket desk title \"Login help\" body caller_name")
        )
    );
    let changed = d("outcome_changed");
    assert_eq!(changed.changed.count.to_u128(), Some(2));
    assert_eq!(
        changed.changed.examples[0].old.as_deref(),
        Some("referred(campus)")
    );
    let added = d("answer_added");
    assert_eq!(added.added.count.to_u128(), Some(1));
    assert_eq!(
        added.added.examples[0].answers,
        vec![("kind".to_string(), "teacher".to_string())]
    );
    let removed = diff(
        &compile_file("tests/fixtures/diff/answer_added.sop"),
        &base,
        10,
    )
    .expect("diff");
    assert_eq!(removed.removed.count.to_u128(), Some(1));
    let decl = d("declarations_changed");
    assert!(decl.changed.count.is_zero());
    assert_eq!(decl.declarations.len(), 3, "{:?}", decl.declarations);
    // An outcome's kind or allowed targets is what the engine reports and
    // the checks hold `end` to: a declaration change.
    let base_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/diff/base.sop"
    ))
    .expect("base");
    let outcomes = base_text
        .replace(
            "outcome resolved \"Resolved\"",
            "outcome resolved \"Resolved\" pending",
        )
        .replace("referral to campus", "referral to campus, office")
        .replace(
            "target desk",
            "target office \"Office\" referral\ntarget desk",
        )
        .replace(
            "never disclose",
            "outcome unused \"Unused\"\nnever disclose",
        );
    let od = diff(&base, &sopc::compile(&outcomes).expect("compiles"), 10).expect("diff");
    assert_eq!(
        od.declarations,
        vec![
            "target `office` added",
            "outcome `resolved`: kind resolved -> pending",
            "outcome `referred`: targets [campus] -> [campus, office]",
            "outcome `unused` added",
        ]
    );
    assert!(!od.is_equal());
    // Declarations and steps moved, renamed or added bring no text change.
    for f in [
        "reordered",
        "declarations_changed",
        "renamed",
        "route_changed",
    ] {
        assert_eq!(d(f).texts, vec![], "{f}");
    }
}

/// Reworded texts are listed, by step and declaration, apart from
/// behaviour: the exit code stays 0.
#[test]
fn diff_reports_reworded_texts_but_not_as_behaviour() {
    let old = "tests/fixtures/diff/wording_base.sop";
    let new = "tests/fixtures/diff/wording_changed.sop";
    let d = diff(&compile_file(old), &compile_file(new), 10).expect("diff");
    assert!(d.is_equal(), "{d:?}");
    let fields: Vec<(&str, &str, &str)> = d
        .texts
        .iter()
        .map(|t| (t.on, t.name.as_str(), t.field))
        .collect();
    for expected in [
        ("sop", "TS-W", "owner"),
        ("role", "analyst", "label"),
        ("target", "desk", "label"),
        ("target", "desk", "via"),
        ("data", "caller_name", "label"),
        ("outcome", "resolved", "label"),
        ("question", "works", "prompt"),
        ("step", "greet", "title"),
        ("step", "greet", "say"),
        ("step", "greet", "note"),
        ("step", "greet", "do"),
        ("step", "file", "warn"),
    ] {
        assert!(fields.contains(&expected), "{expected:?} not in {fields:?}");
    }
    let unchanged = d
        .texts
        .iter()
        .find(|t| t.old.as_deref() == Some("Open the caller's record."));
    assert!(unchanged.is_none(), "an unchanged `do` was reported");
    let text = common::sopc(&["diff", old, new]);
    assert_eq!(text.code, 0, "wording alone is not a behaviour change");
    let json = common::sopc(&["diff", "--format", "json", old, new]);
    assert_eq!(json.code, 0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v["equal"], true);
    assert_eq!(
        v["texts"].as_array().map(Vec::len),
        Some(d.texts.len()),
        "{v}"
    );
    insta::assert_snapshot!("diff_wording", text.stdout);
    insta::assert_json_snapshot!("diff_wording_json", v["texts"]);
    // With behaviour changed too, the exit code says so and the texts
    // are still listed.
    let route = common::sopc(&["diff", old, "tests/fixtures/diff/base.sop"]);
    assert_eq!(route.code, 1);
    assert!(
        route.stdout.contains("texts (wording, not behaviour):"),
        "{}",
        route.stdout
    );
}

#[test]
fn registrar_to_rodney_white_changes_exactly_one_path() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"))
        .expect("hac");
    let edited = text.replacen("  end referred(registrar)", "  goto escalate_rwhite", 1);
    assert_ne!(edited, text);
    let d = diff(
        &sopc::compile(&text).expect("old"),
        &sopc::compile(&edited).expect("new"),
        10,
    )
    .expect("diff");
    assert_eq!(d.changed.count.to_u128(), Some(1));
    let p = &d.changed.examples[0];
    assert_eq!(p.old.as_deref(), Some("referred(registrar)"));
    assert_eq!(p.new.as_deref(), Some("escalated(rwhite)"));
    assert!(p
        .answers
        .contains(&("web_access_checked".to_string(), "no".to_string())));
    // The CLI: exit 1 when behaviour differs, 0 against the formatted form.
    let dir = common::temp_dir("diff");
    let new = dir.join("hac-new.sop");
    std::fs::write(&new, &edited).expect("write");
    let messy = dir.join("base-messy.sop");
    let base_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/diff/base.sop"
    ))
    .expect("base");
    std::fs::write(&messy, &base_text).expect("write");
    let formatted = dir.join("base-formatted.sop");
    std::fs::write(
        &formatted,
        sopc::format_source(&base_text).expect("formats"),
    )
    .expect("write");
    let run = |a: &std::path::Path, b: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sopc"))
            .arg("diff")
            .arg(a)
            .arg(b)
            .output()
            .expect("runs")
            .status
            .code()
    };
    let hac = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/hac.sop"));
    assert_eq!(run(hac, &new), Some(1));
    assert_eq!(run(&messy, &formatted), Some(0));
}

/// 60 yes/no diamonds: 2^60 caller paths, never listed. Changing the last
/// ending changes exactly half of them.
#[test]
fn diff_compares_policies_too_large_to_enumerate() {
    let diamonds = |last: &str| {
        let mut text = String::from("sop \"D\" \"Diamonds\" { owner \"test\" }\noutcome done \"Done\"\noutcome other \"Other\"\n");
        for i in 0..60 {
            let next = if i + 1 < 60 {
                format!("d{}", i + 1)
            } else {
                "end done".into()
            };
            let right = if i + 1 < 60 {
                next.clone()
            } else {
                last.to_string()
            };
            text.push_str(&format!(
                "step d{i} \"Diamond {i}\" {{\n  ask q{i} \"Left or right?\" {{ left right }}\n  left -> l{i}\n  right -> r{i}\n}}\n\
                 step l{i} \"Left {i}\" {{ goto {next} }}\nstep r{i} \"Right {i}\" {{ goto {right} }}\n"
            ));
        }
        sopc::compile(&text).expect("compiles")
    };
    let d = diff(&diamonds("end done"), &diamonds("end other"), 3).expect("diff");
    assert_eq!(d.changed.count.to_string(), "576460752303423488");
    assert_eq!(d.changed.examples.len(), 3);
}

// ------------------------------------------------------------ documents

/// What a reader sees of a Markdown document, one text per table cell,
/// line break, list item, heading or paragraph: markup dropped, escapes
/// undone. The Mermaid block is kept line by line.
fn markdown_texts(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in md.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            out.push(line.trim().to_string());
            continue;
        }
        if line.starts_with("|---") || line == "| | |" {
            continue;
        }
        let line = line.trim_start_matches('#').trim_start_matches("- ");
        let cells = if line.starts_with('|') {
            unescaped_split(line.trim_matches('|'), '|')
        } else {
            vec![line.to_string()]
        };
        for cell in cells {
            for part in cell.split("<br>") {
                let text = unescape_markdown(part);
                if !text.trim().is_empty() {
                    out.push(text.trim().to_string());
                }
            }
        }
    }
    out
}

/// Splits on `sep` where no backslash escapes it.
fn unescaped_split(s: &str, sep: char) -> Vec<String> {
    let (mut out, mut cur, mut escaped) = (Vec::new(), String::new(), false);
    for c in s.chars() {
        if c == sep && !escaped {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    out.push(cur);
    out
}

/// Drops emphasis markers and undoes backslash escapes and entities.
fn unescape_markdown(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|n| n.is_ascii_punctuation()) => {
                out.extend(chars.next());
            }
            '*' => {}
            _ => out.push(c),
        }
    }
    unescape_entities(&out)
}

fn unescape_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// What a reader sees of an HTML page: the text of each element on its own
/// line (inline emphasis kept in the line), entities undone.
fn html_texts(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        text.push_str(&rest[..i]);
        let end = rest[i..].find('>').expect("a closed tag") + i;
        let tag = &rest[i + 1..end];
        let name = tag.trim_start_matches('/');
        if !["strong", "em"].contains(&name) {
            text.push('\n');
        }
        rest = &rest[end + 1..];
    }
    text.push_str(rest);
    unescape_entities(&text)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The texts of `<h1>`/`<h2>` elements, or of `#`/`##` lines.
fn headings(doc: &str, html: bool) -> Vec<String> {
    if html {
        let mut out = Vec::new();
        for part in doc.split("<h").skip(1) {
            if let Some(rest) = part.strip_prefix("1>").or(part.strip_prefix("2>")) {
                let end = rest.find("</h").expect("closed heading");
                out.push(unescape_entities(&rest[..end]));
            }
        }
        out
    } else {
        doc.lines()
            .filter(|l| l.starts_with("# ") || l.starts_with("## "))
            .map(|l| unescape_markdown(l.trim_start_matches('#').trim()))
            .collect()
    }
}

/// XML well-formedness, enough for the XHTML-compatible pages sopc writes:
/// every element closed in order (void ones as `<br/>`), attributes
/// quoted, `&` only in entities, `<` only in markup, one `html` root after
/// the doctype.
fn well_formed(doc: &str) -> Result<(), String> {
    let entity = |s: &str| -> bool {
        let Some(end) = s.find(';') else { return false };
        let name = &s[1..end];
        (name.chars().all(|c| c.is_ascii_alphanumeric()) && !name.is_empty())
            || name
                .strip_prefix("#x")
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_hexdigit()))
            || name
                .strip_prefix('#')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    let rest = doc
        .strip_prefix("<!DOCTYPE html>")
        .ok_or("no doctype at the start")?;
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    let b = rest.as_bytes();
    while i < b.len() {
        match b[i] {
            b'<' if rest[i..].starts_with("<!--") => {
                i += rest[i..].find("-->").ok_or("unclosed comment")? + 3;
            }
            b'<' if rest[i..].starts_with("</") => {
                let end = rest[i..].find('>').ok_or("unclosed tag")? + i;
                let name = rest[i + 2..end].trim();
                match stack.pop() {
                    Some(open) if open == name => {}
                    other => return Err(format!("</{name}> closes {other:?} at byte {i}")),
                }
                i = end + 1;
            }
            b'<' => {
                // A start tag: name, then name="value" pairs, then > or />.
                let mut j = i + 1;
                while j < b.len() && !b" \n\t/>".contains(&b[j]) {
                    j += 1;
                }
                let name = &rest[i + 1..j];
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == ':') {
                    return Err(format!("bad tag name {name:?} at byte {i}"));
                }
                loop {
                    while j < b.len() && b" \n\t".contains(&b[j]) {
                        j += 1;
                    }
                    if rest[j..].starts_with("/>") {
                        j += 2;
                        break;
                    }
                    if rest[j..].starts_with('>') {
                        j += 1;
                        stack.push(name);
                        break;
                    }
                    let eq = rest[j..].find('=').ok_or("attribute without value")? + j;
                    let attr = &rest[j..eq];
                    if attr.is_empty() || attr.contains([' ', '<', '>', '"']) {
                        return Err(format!("bad attribute {attr:?} at byte {j}"));
                    }
                    let quote = b[eq + 1];
                    if quote != b'"' && quote != b'\'' {
                        return Err(format!("unquoted attribute {attr} at byte {j}"));
                    }
                    let close = rest[eq + 2..]
                        .find(quote as char)
                        .ok_or("unclosed attribute")?
                        + eq
                        + 2;
                    let value = &rest[eq + 2..close];
                    if value.contains('<') {
                        return Err(format!("`<` in attribute {attr}"));
                    }
                    for (k, _) in value.match_indices('&') {
                        if !entity(&value[k..]) {
                            return Err(format!("bare `&` in attribute {attr}"));
                        }
                    }
                    j = close + 1;
                }
                if stack.len() <= 1 && !(stack.len() == 1 && rest[i..j].ends_with("/>")) {
                    roots += usize::from(stack.len() == 1);
                }
                i = j;
            }
            b'&' => {
                if !entity(&rest[i..]) {
                    return Err(format!(
                        "bare `&` at byte {i}: {:?}",
                        &rest[i..(i + 20).min(rest.len())]
                    ));
                }
                i += 1;
            }
            _ => i += 1,
        }
        if stack.is_empty() && roots > 0 && !rest[i..].trim().is_empty() {
            return Err(format!("content after the root at byte {i}"));
        }
    }
    match (stack.as_slice(), roots) {
        ([], 1) => Ok(()),
        (open, _) if !open.is_empty() => Err(format!("unclosed: {open:?}")),
        _ => Err(format!("{roots} root elements")),
    }
}

/// Every shipped policy, and one whose texts are full of markup.
fn documented_policies() -> Vec<(String, sopc::Graph)> {
    let mut files = common::shipped_policies();
    files.push(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats/markup.sop"),
    );
    files.push(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/clean/loop-bound-shared.sop"),
    );
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable");
            (common::display_name(&p), common::compile_policy(&p, &text))
        })
        .collect()
}

#[test]
fn the_html_document_carries_everything_the_markdown_does() {
    for (name, g) in documented_policies() {
        let md = sopc::render::doc::markdown(&g);
        let html = sopc::render::doc::html(&g, None);
        assert_eq!(headings(&md, false), headings(&html, true), "{name}");
        let lines: std::collections::HashSet<String> = html_texts(&html).into_iter().collect();
        for text in markdown_texts(&md) {
            assert!(
                lines.contains(&text),
                "{name}: the HTML lacks {text:?} of the Markdown"
            );
        }
        well_formed(&html).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!html[1..].contains("<?xml"), "{name}");
        // With Graphviz here, the page with its drawn flowchart too.
        if let Some(svg) = graphviz_svg(&sopc::render::graph::dot(&g)) {
            let html = sopc::render::doc::html(&g, Some(&svg));
            well_formed(&html).unwrap_or_else(|e| panic!("{name} with SVG: {e}"));
            assert!(
                !html[1..].contains("<?xml") && html.contains("<svg"),
                "{name}"
            );
        }
    }
}

/// The SVG Graphviz draws, when it is installed.
fn graphviz_svg(dot: &str) -> Option<String> {
    use std::io::Write;
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(dot.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    String::from_utf8(out.stdout).ok()
}

#[test]
fn markdown_shows_markup_in_texts_as_written() {
    let g = compile_file("tests/fixtures/formats/markup.sop");
    let md = sopc::render::doc::markdown(&g);
    for raw in [
        "<script>",
        "<b>",
        "<i>",
        "<em>",
        "<img",
        "<work>",
        "<Co>",
        "[a link](",
    ] {
        assert!(!md.contains(raw), "raw {raw:?} in the Markdown:\n{md}");
    }
    // Each table row keeps its cells: no text splits one.
    for row in md.lines().filter(|l| l.starts_with('|')) {
        let cells = unescaped_split(row, '|').len() - 2;
        assert!(cells == 2 || cells == 3, "{cells} cells in {row}");
    }
    let texts = markdown_texts(&md);
    for shown in [
        "Say: “Hello | welcome & <b>bienvenue</b>”",
        "Warn the caller: “Never <img src=x onerror=alert(1)> paste”",
        "Type `code` and [a link](http://example.org) then \\ a backslash",
        "Note: Line one",
        "line two with ** and _under_",
        "Greet <script>alert('x')</script>.",
        "# Not a heading: <script>alert(1)</script> & AT&T's *stars* | pipes",
    ] {
        assert!(
            texts.iter().any(|t| t == shown),
            "{shown:?} not shown in\n{md}"
        );
    }
    insta::assert_snapshot!("doc_markup", md);
    insta::assert_snapshot!("doc_markup_html", sopc::render::doc::html(&g, None));
}

#[test]
fn the_well_formedness_check_finds_what_it_must() {
    for bad in [
        "<html><p></p></html>",
        "<!DOCTYPE html><html><meta charset=\"utf-8\"></html>",
        "<!DOCTYPE html><html><p></html>",
        "<!DOCTYPE html><html><p a=b></p></html>",
        "<!DOCTYPE html><html>R&D</html>",
        "<!DOCTYPE html><html></html><p/>",
        "<!DOCTYPE html><html><?xml version=\"1.0\"?></html>",
    ] {
        assert!(well_formed(bad).is_err(), "{bad}");
    }
    assert_eq!(
        well_formed("<!DOCTYPE html>\n<html a=\"1 &amp; 2\"><!-- x --><br/>&#39;</html>\n"),
        Ok(())
    );
}

#[test]
fn html_embeds_the_flowchart_without_its_prolog_and_scaled_to_the_page() {
    let g = compile_file("policies/hac.sop");
    // What Graphviz writes: a prolog, a doctype, comments, a fixed size.
    let svg = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\
        <!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"\n \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n\
        <!-- Generated by graphviz version 2.43.0 (0)\n -->\n<!-- Title: sop Pages: 1 -->\n\
        <svg width=\"1636pt\" height=\"1402pt\"\n viewBox=\"0.00 0.00 1636.00 1402.00\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n\
        <g id=\"graph0\" class=\"graph\"><title>sop</title>\n<text x=\"1\" y=\"2\">Parents &amp; Students</text>\n</g>\n</svg>\n";
    let html = sopc::render::doc::html(&g, Some(svg));
    well_formed(&html).unwrap_or_else(|e| panic!("{e}\n{html}"));
    assert!(!html.contains("<?xml") && !html.contains("<!DOCTYPE svg"));
    assert_eq!(html.matches("<svg").count(), 1);
    let root = &html[html.find("<svg").expect("svg")..];
    let root = &root[..root.find('>').expect("tag end")];
    assert!(
        root.contains("viewBox=\"0.00 0.00 1636.00 1402.00\""),
        "{root}"
    );
    assert!(
        root.contains("max-width:100%") && root.contains("height:auto"),
        "{root}"
    );
    // Without a viewBox, one is made from the size so that it can scale.
    let bare =
        "<svg width=\"200pt\" height=\"100pt\" xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>";
    let html = sopc::render::doc::html(&g, Some(bare));
    assert!(html.contains("viewBox=\"0 0 200 100\""), "{html}");
    // What is not an SVG is not embedded.
    let html = sopc::render::doc::html(&g, Some("<?xml version=\"1.0\"?><oops/>"));
    assert!(!html.contains("oops") && html.contains("flowchart TD"));
}

/// `by ROLE` is a rule: moving a step to another role is behaviour.
#[test]
fn diff_reports_a_step_given_to_another_role_as_behaviour() {
    let base = r#"sop "R" "Roles" {}
role agent "Agent"
role lead  "Team lead"
outcome done "Done" resolved
step hand "Hand over" { transfer lead "Needs the lead"  goto work }
step work "Work" by lead { end done }
"#;
    let changed = base.replace(r#"step work "Work" by lead"#, r#"step work "Work""#);
    let (a, b) = (
        sopc::compile(base).expect("base"),
        sopc::compile(&changed).expect("changed"),
    );
    let d = diff(&a, &b, 3).expect("diff");
    assert_eq!(d.declarations, vec!["step `work`: by lead -> anyone"]);
    assert!(!d.is_equal());
}

/// A declaration renamed in a library a policy uses shows as a rename, not
/// as one removed and another added.
#[test]
fn diff_shows_a_renamed_shared_declaration() {
    let lib = "library \"R\" \"Roster\" {}\ntarget desk \"Service Desk\" ticket via \"iSupport\" requires netid\ndata netid \"NetID\" id\noutcome escalated \"Escalated\" escalation to desk\n";
    let policy = "sop \"A\" \"a\" {}\nuse \"roster.sop\"\nstep s \"S\" {\n  collect netid\n  ticket desk { title \"Help\" body netid }\n  end escalated(desk)\n}\n";
    let compile = |lib: &str, policy: &str| {
        let files =
            sopc::sources::MemoryFiles([("p/roster.sop".to_string(), lib.to_string())].into());
        sopc::compile_file("p/a.sop", policy, &files)
            .map(|(g, _)| g)
            .map_err(|c| c.diagnostics)
            .expect("compiles")
    };
    let old = compile(lib, policy);
    let new = compile(
        &lib.replace("target desk", "target service_desk")
            .replace("to desk", "to service_desk")
            .replace("data netid \"NetID\"", "data net_id \"NetID\"")
            .replace("requires netid", "requires net_id"),
        &policy
            .replace("desk", "service_desk")
            .replace("netid", "net_id"),
    );
    let d = diff(&old, &new, 10).expect("diff");
    assert!(
        d.declarations
            .contains(&"target `desk` renamed to `service_desk`".to_string()),
        "{:?}",
        d.declarations
    );
    assert!(
        d.declarations
            .contains(&"data `netid` renamed to `net_id`".to_string()),
        "{:?}",
        d.declarations
    );
    assert!(
        !d.declarations
            .iter()
            .any(|l| l.ends_with("removed") || l.ends_with("added")),
        "{:?}",
        d.declarations
    );
}

/// The document says a loop's limit at its step, and the flowchart on the
/// step's box, with the way on once it is spent as a dashed arrow.
#[test]
fn a_loop_bound_shows_at_its_step_in_the_document_and_the_flowchart() {
    let g = compile_file("tests/fixtures/clean/loop-bound-shared.sop");
    let md = sopc::render::doc::markdown(&g);
    assert!(
        md.contains("*Loop limit:* the call comes back to this step at most 2 times in all, whichever way it comes; the next time, go to step 5."),
        "{md}"
    );
    let html = sopc::render::doc::html(&g, None);
    assert!(
        html.contains(
            "<em>Loop limit:</em> the call comes back to this step at most 2 times in all"
        ),
        "{html}"
    );
    let mermaid = sopc::render::graph::mermaid(&g);
    assert!(mermaid.contains("(back here at most 2×)"), "{mermaid}");
    assert!(
        mermaid.contains("s1 -.->|\"after 2 returns\"| s4"),
        "{mermaid}"
    );
    let dot = sopc::render::graph::dot(&g);
    assert!(dot.contains("(back here at most 2×)"), "{dot}");
    assert!(dot.contains("after 2 returns"), "{dot}");
}

/// A loop bound is behaviour: a new budget or a new way on is reported as
/// a declaration, and the paths it adds or ends elsewhere are counted.
#[test]
fn diff_reports_a_changed_loop_bound_as_behaviour() {
    let path = "tests/fixtures/clean/loop-bound-shared.sop";
    let base = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("readable");
    let old = sopc::compile(&base).expect("base");
    let more = base.replace(
        "loop retype at most 2 times, then escalate",
        "loop retype at most 3 times, then escalate",
    );
    let d = diff(&old, &sopc::compile(&more).expect("more"), 3).expect("diff");
    assert_eq!(
        d.declarations,
        vec!["step `retype`: loop at most 2 times, then escalate -> loop at most 3 times, then escalate"]
    );
    // The 27 calls that spent the budget now get a fourth round: those that
    // end resolved there end differently, the 81 that spend the new budget
    // end the same after one more round.
    assert_eq!(d.changed.count.to_u128(), Some(27));
    assert_eq!(d.route.count.to_u128(), Some(81));
    assert!(!d.is_equal());
    let open = base.replace(
        "loop retype at most 2 times, then escalate",
        "loop retype at most 2 times, then gap \"The source does not say\"",
    );
    let d = diff(&old, &sopc::compile(&open).expect("open"), 3).expect("diff");
    assert_eq!(
        d.declarations[0],
        "step `retype`: loop at most 2 times, then escalate -> loop at most 2 times, then gap \"The source does not say\""
    );
    assert_eq!(d.changed.count.to_u128(), Some(27));
}

/// A text reworded in a procedure called twice is one change, on the
/// procedure, not one per call.
#[test]
fn diff_reports_a_procedures_text_once() {
    let text = "sop \"P\" \"p\" {}\noutcome done \"Done\" resolved\nprocedure check \"Check\" exits ok {\n  step look \"Look\" {\n    do \"Look at the account.\"\n    goto exit ok\n  }\n}\nstep s1 \"One\" {\n  call check { ok -> s2 }\n}\nstep s2 \"Two\" {\n  call check { ok -> end done }\n}\n";
    let old = sopc::compile(text).expect("compiles");
    let new = sopc::compile(&text.replace("Look at the account.", "Look the account up."))
        .expect("compiles");
    let d = diff(&old, &new, 10).expect("diff");
    let shown: Vec<String> = d.texts.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        ["procedure `check`: do \"Look at the account.\" -> \"Look the account up.\""],
        "{shown:?}"
    );
}

/// With a `role` fact, the document says which role takes the call at the
/// start, not that someone transfers it there; a real transfer is still
/// a warm transfer.
#[test]
fn the_document_says_who_takes_the_call() {
    let run = common::sopc(&["doc", "tests/fixtures/clean/role-from-host-routed.sop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.stdout;
    assert!(doc.contains("The Tier 1 agent takes the call."), "{doc}");
    assert!(doc.contains("The Tier 2 agent takes the call."), "{doc}");
    assert!(
        !doc.contains("Transfer the call (warm) to the Tier 1 agent"),
        "{doc}"
    );
    assert!(
        doc.contains("Transfer the call (warm) to the Tier 2 agent, handing over Account name"),
        "{doc}"
    );
}
