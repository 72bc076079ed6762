//! The editor package: the TextMate grammar of editors/vscode highlights the
//! words of the language, family by family, exactly as
//! `src/syntax/keywords.rs` lists them (which a test holds to the grammar),
//! and its package names the grammar and the server.

use sopc::syntax::keywords;

fn read_json(path: &str) -> serde_json::Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The words of a `\b(a|b|c)\b` pattern, sorted.
fn words(pattern: &str) -> Vec<String> {
    let inner = pattern
        .strip_prefix("\\b(")
        .and_then(|p| p.strip_suffix(")\\b"))
        .unwrap_or_else(|| panic!("not a word list: {pattern}"));
    let mut words: Vec<String> = inner.split('|').map(String::from).collect();
    words.sort();
    words
}

#[test]
fn the_grammar_highlights_every_keyword_family() {
    let grammar = read_json("editors/vscode/syntaxes/sop.tmLanguage.json");
    let repo = &grammar["repository"];
    let families: &[(&str, &[&str])] = &[
        ("declarations", keywords::DECLARATIONS),
        ("actions", keywords::ACTIONS),
        ("ways-out", keywords::WAYS_OUT),
        ("header-fields", keywords::HEADER_FIELDS),
        ("ticket-items", keywords::TICKET_ITEMS),
        ("scenario-items", keywords::SCENARIO_ITEMS),
        ("data-classes", keywords::DATA_CLASSES),
        ("target-kinds", keywords::TARGET_KINDS),
        ("outcome-kinds", keywords::OUTCOME_KINDS),
        ("fact-types", keywords::FACT_TYPES),
        ("fact-sources", keywords::FACT_SOURCES),
        ("value-rules", keywords::VALUE_RULES),
        ("value-units", keywords::VALUE_UNITS),
        ("period-units", keywords::PERIOD_UNITS),
        ("lint-levels", keywords::LINT_LEVELS),
        ("ranges", keywords::RANGES),
        ("verify", keywords::VERIFY),
        ("connectives", keywords::CONNECTIVES),
    ];
    let mut highlighted: Vec<String> = Vec::new();
    for (key, family) in families {
        let entry = &repo[*key];
        let pattern = entry["match"]
            .as_str()
            .unwrap_or_else(|| panic!("no pattern `{key}` in the grammar"));
        let mut expected: Vec<String> = family.iter().map(|w| w.to_string()).collect();
        expected.sort();
        assert_eq!(words(pattern), expected, "the grammar's `{key}`");
        assert!(
            entry["name"].as_str().is_some_and(|n| n.ends_with(".sop")),
            "`{key}` has a scope"
        );
        let included = grammar["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["include"] == format!("#{key}"));
        assert!(included, "`{key}` is used by the grammar");
        highlighted.extend(expected);
    }
    highlighted.sort();
    highlighted.dedup();
    let all: Vec<String> = keywords::all().into_iter().map(String::from).collect();
    assert_eq!(highlighted, all, "every word of the language, and no other");
}

#[test]
fn the_package_names_its_grammar_language_and_server() {
    let package = read_json("editors/vscode/package.json");
    let contributes = &package["contributes"];
    assert_eq!(contributes["languages"][0]["id"], "sop");
    assert_eq!(contributes["languages"][0]["extensions"][0], ".sop");
    assert_eq!(contributes["grammars"][0]["scopeName"], "source.sop");
    let grammar = read_json("editors/vscode/syntaxes/sop.tmLanguage.json");
    assert_eq!(grammar["scopeName"], "source.sop");
    for file in [
        contributes["grammars"][0]["path"].as_str().unwrap(),
        contributes["languages"][0]["configuration"]
            .as_str()
            .unwrap(),
        package["main"].as_str().unwrap(),
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("editors/vscode")
            .join(file);
        assert!(path.is_file(), "{file} is in the package");
    }
    let config = read_json("editors/vscode/language-configuration.json");
    assert_eq!(config["comments"]["lineComment"], "#");
    let client = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode/extension.js"),
    )
    .unwrap();
    assert!(
        client.contains(r#"args: ["lsp"]"#),
        "the client starts `sopc lsp`"
    );
}

/// VS Code's own TextMate engine over every shipped policy
/// (editors/vscode/test/grammar.test.js), where its packages are installed
/// (`npm ci` in editors/vscode; .ci/run does it).
#[test]
fn vscode_highlights_every_shipped_policy() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    if !dir.join("node_modules/vscode-textmate").is_dir() {
        eprintln!(
            "skipped: run `npm ci` in editors/vscode to test the grammar with VS Code's engine"
        );
        return;
    }
    let out = match std::process::Command::new("node")
        .args(["--test", "test/"])
        .current_dir(&dir)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipped: `node` cannot run ({e})");
            return;
        }
    };
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
