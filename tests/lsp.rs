//! `sopc lsp` over its standard input and output, as an editor drives it:
//! JSON-RPC with `Content-Length` framing, on the shipped policies and on
//! broken ones; malformed messages, unknown methods and positions past the
//! end get an error answer, and the server goes on. Also: every code
//! action's fix, applied, checks clean of the diagnostic it fixes.

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long any one answer may take before the test fails.
const WAIT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: mpsc::Receiver<Value>,
    /// Notifications read while waiting for something else.
    notifications: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sopc"))
            .args(["lsp", "--today", "2026-11-28"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("sopc lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            while let Some(msg) = read_frame(&mut out) {
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            notifications: Vec::new(),
            next_id: 1,
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("the server reads");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn next(&mut self) -> Value {
        self.incoming
            .recv_timeout(WAIT)
            .expect("the server answers in time")
    }

    /// The answer with `id`, keeping the notifications read meanwhile.
    fn answer(&mut self, id: &Value) -> Value {
        loop {
            let msg = self.next();
            if msg.get("id") == Some(id) && msg.get("method").is_none() {
                return msg;
            }
            self.notifications.push(msg);
        }
    }

    /// Sends a request and returns the whole response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.answer(&json!(id))
    }

    /// The result of a request that must succeed.
    fn ok(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.get("error").is_none(), "{method}: {r}");
        r["result"].clone()
    }

    /// The error code of a request that must fail, and its message.
    fn fails(&mut self, method: &str, params: Value) -> (i64, String) {
        let r = self.request(method, params);
        let e = &r["error"];
        assert!(e.is_object(), "{method} should fail: {r}");
        (
            e["code"].as_i64().unwrap(),
            e["message"].as_str().unwrap().to_string(),
        )
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let is_it = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.notifications.iter().position(is_it) {
            let m = self.notifications.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.next();
            if is_it(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.notifications.push(m);
        }
    }

    fn initialize(&mut self) -> Value {
        let caps = self.ok(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        caps
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "sop", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
        self.diagnostics(uri)
    }

    /// `shutdown`, `exit`, and the server's exit code.
    fn finish(mut self) -> i32 {
        assert_eq!(self.ok("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.wait()
    }

    fn wait(mut self) -> i32 {
        drop(self.stdin);
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().expect("exited, not killed");
            }
            assert!(start.elapsed() < WAIT, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// One framed message from the server, or `None` at the end.
fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("a header");
        assert_eq!(name, "Content-Length", "the only header sopc writes");
        length = Some(value.trim().parse::<usize>().expect("a length"));
    }
    let mut body = vec![0; length.expect("Content-Length")];
    r.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server writes JSON"))
}

fn repo_file(path: &str) -> (String, String) {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).expect("readable");
    (format!("file://{}", full.display()), text)
}

/// The protocol position (line, UTF-16 column) of byte `offset`.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[start..offset].encode_utf16().count();
    json!({"line": line, "character": character})
}

fn at(uri: &str, text: &str, offset: usize) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position(text, offset)})
}

/// The byte offset of a protocol position.
fn offset(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let character = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` with the edits of a `WorkspaceEdit` for `uri` applied.
fn apply(text: &str, edit: &Value, uri: &str) -> String {
    let mut edits: Vec<(usize, usize, String)> = edit["changes"][uri]
        .as_array()
        .expect("edits for the document")
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, new) in edits {
        out.replace_range(a..b, &new);
    }
    out
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_session_on_the_hac_policy() {
    let (uri, text) = repo_file("policies/hac.sop");
    let mut c = Client::start();
    let caps = c.initialize();
    assert_eq!(caps["serverInfo"]["name"], "sopc");
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "completionProvider",
        "codeActionProvider",
        "documentFormattingProvider",
        "documentSymbolProvider",
    ] {
        assert!(!caps["capabilities"][cap].is_null(), "{cap}");
    }
    let diags = c.open(&uri, &text);
    let expected = sopc::check_source(&text, &common::options()).diagnostics;
    assert_eq!(diags.len(), expected.len(), "{diags:?}");

    // Hover on a destination: the step's title and the steps that lead there.
    let dest = text.find("parent  -> parent_login").unwrap() + "parent  -> ".len();
    let hover = c.ok("textDocument/hover", at(&uri, &text, dest + 3));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("**step `parent_login`**"), "{shown}");
    assert!(shown.contains("reached from `caller`"), "{shown}");
    assert_eq!(hover["range"]["start"], position(&text, dest));

    // Definition: the step's declaration.
    let decl = text.find("step parent_login").unwrap() + "step ".len();
    let def = c.ok("textDocument/definition", at(&uri, &text, dest));
    assert_eq!(def["uri"], uri.as_str());
    assert_eq!(def["range"]["start"], position(&text, decl));

    // References: every place the data field is named, `{…}` included.
    let field = text.find("data student_name").unwrap() + "data ".len();
    let mut params = at(&uri, &text, field);
    params["context"] = json!({"includeDeclaration": true});
    let refs = c.ok("textDocument/references", params);
    let found: Vec<&str> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &text[offset(&text, &r["range"]["start"])..offset(&text, &r["range"]["end"])])
        .collect();
    assert!(found.len() >= 4, "{found:?}");
    assert!(found.iter().all(|f| *f == "student_name"), "{found:?}");

    // Rename: every reference, and the result checks as before.
    let mut params = at(&uri, &text, field);
    params["newName"] = json!("pupil_name");
    let edit = c.ok("textDocument/rename", params);
    assert_eq!(edit["changes"][&uri].as_array().unwrap().len(), found.len());
    let renamed = apply(&text, &edit, &uri);
    assert!(!renamed.contains("student_name"));
    let after = sopc::check_source(&renamed, &common::options()).diagnostics;
    assert_eq!(after.len(), expected.len());
    // A clash is refused with the reason.
    let mut params = at(&uri, &text, field);
    params["newName"] = json!("student_number");
    let (code, message) = c.fails("textDocument/rename", params);
    assert_eq!(code, -32803);
    assert_eq!(
        message,
        "there is already a data field named `student_number`"
    );
    let mut params = at(&uri, &text, field);
    params["newName"] = json!("collect");
    let (_, message) = c.fails("textDocument/rename", params);
    assert!(message.contains("keyword"), "{message}");

    // Completion after an arrow: the steps.
    let items = c.ok("textDocument/completion", at(&uri, &text, dest));
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"parent_login") && labels.contains(&"end"),
        "{labels:?}"
    );

    // The outline: every step.
    let symbols = c.ok(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let steps = symbols
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == 12)
        .count();
    assert_eq!(
        steps,
        text.lines().filter(|l| l.starts_with("step ")).count()
    );

    // Formatting: the shipped policy is formatted already.
    let edits = c.ok(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));

    assert_eq!(c.finish(), 0);
}

const BROKEN: &str = r#"sop "T-9" "Café policy" { owner "Zoë" }
data caller_name "Caller name" text
outcome resolved "Done" resolved
step greet "Greet" {
  collect caller_name
  say "Ça coûte 𝄞 {caler_name}"
  ask works "Does it work?" { yes no maybe }
  yes -> end resolved
  no  -> end resolved
}
"#;

#[test]
fn a_broken_policy_is_fixed_by_its_code_actions() {
    let uri = "file:///tmp/broken.sop";
    let mut c = Client::start();
    c.initialize();
    let diags = c.open(uri, BROKEN);
    assert_eq!(codes(&diags), ["unknown-name", "non-exhaustive"]);
    // The range of the misspelt name, in UTF-16 columns after `Ç`, `û`
    // and the two-unit `𝄞`.
    let name = BROKEN.find("caler_name").unwrap();
    assert_eq!(diags[0]["range"]["start"], position(BROKEN, name));
    assert_eq!(diags[0]["range"]["start"]["character"], 20);
    assert_eq!(
        diags[0]["range"]["end"],
        position(BROKEN, name + "caler_name".len())
    );
    assert_eq!(diags[0]["severity"], 1);
    assert!(diags[0]["message"]
        .as_str()
        .unwrap()
        .contains("did you mean `caller_name`?"));
    assert_eq!(
        diags[0]["relatedInformation"][0]["message"],
        "unknown data field"
    );

    // Hover past non-ASCII text lands on the name.
    let hover = c.ok("textDocument/hover", at(uri, BROKEN, name));
    assert!(
        hover.is_null(),
        "an unknown name has nothing to show: {hover}"
    );

    let mut text = BROKEN.to_string();
    let mut version = 1;
    let mut diags = diags;
    for code in ["unknown-name", "non-exhaustive"] {
        let d = diags
            .iter()
            .find(|d| d["code"] == code)
            .expect("still there")
            .clone();
        let actions = c.ok(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
        );
        let action = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["diagnostics"][0]["code"] == code)
            .unwrap_or_else(|| panic!("an action for {code}: {actions}"))
            .clone();
        assert_eq!(action["kind"], "quickfix");
        text = apply(&text, &action["edit"], uri);
        version += 1;
        diags = c.change(uri, version, &text);
        assert!(
            !codes(&diags).contains(&code.to_string()),
            "{code} after its fix: {diags:?}\n{text}"
        );
    }
    assert!(text.contains("{caller_name}"));
    assert!(text.contains("maybe -> gap"));
    let checked = sopc::check_source(&text, &common::options());
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    assert_eq!(c.finish(), 0);
}

#[test]
fn malformed_messages_unknown_methods_and_bad_positions_get_errors() {
    let uri = "file:///tmp/bad.sop";
    let mut c = Client::start();
    // Before `initialize`: refused, not dropped.
    let (code, _) = c.fails("textDocument/hover", at(uri, "", 0));
    assert_eq!(code, -32002);
    c.initialize();
    let diags = c.open(uri, BROKEN);
    assert!(!diags.is_empty());

    // Not JSON: a parse error with a null id, and the server reads on.
    c.raw(b"Content-Length: 9\r\n\r\n{\"jsonrpc");
    let reply = c.next();
    assert_eq!(reply["error"]["code"], -32700);
    assert!(reply["id"].is_null());
    // JSON but no method: an invalid request, answered with its id.
    c.send(&json!({"jsonrpc": "2.0", "id": 99}));
    let reply = c.next();
    assert_eq!(
        (reply["id"].clone(), reply["error"]["code"].clone()),
        (json!(99), json!(-32600))
    );
    // A header that is not one.
    c.raw(b"Content-Length: lots\r\n\r\n");
    assert_eq!(c.next()["error"]["code"], -32700);

    let (code, message) = c.fails(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(code, -32601);
    assert!(message.contains("semanticTokens"), "{message}");
    let (code, _) = c.fails("textDocument/hover", json!({"textDocument": {"uri": uri}}));
    assert_eq!(code, -32602, "missing position");
    let (code, message) = c.fails(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 500, "character": 0}}),
    );
    assert_eq!(code, -32602);
    assert!(message.contains("past the end"), "{message}");
    // A column past its line's end means the line's end.
    let r = c.ok(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 9999}}),
    );
    assert!(r.is_null());
    let (code, message) = c.fails("textDocument/hover", at("file:///tmp/not-open.sop", "", 0));
    assert_eq!(code, -32602);
    assert!(message.contains("not open"), "{message}");
    let (code, _) = c.fails("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 900, "character": 0}}, "context": {"diagnostics": []}}));
    assert_eq!(code, -32602);
    // Formatting a policy that does not parse: refused with the reason.
    c.change(uri, 2, "sop \"X\" \"Y\" {\nstep {");
    let (code, message) = c.fails(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(code, -32803);
    assert!(message.contains("until it parses"), "{message}");

    // Still alive: it answers, then shuts down cleanly.
    let hover = c.ok("textDocument/hover", at(uri, "", 0));
    assert!(hover.is_null());
    assert_eq!(c.finish(), 0);
}

#[test]
fn exit_without_shutdown_is_exit_code_one() {
    let mut c = Client::start();
    c.initialize();
    c.notify("exit", Value::Null);
    assert_eq!(c.wait(), 1);
}

#[test]
fn closing_a_document_clears_its_diagnostics() {
    let uri = "file:///tmp/closed.sop";
    let mut c = Client::start();
    c.initialize();
    assert!(!c.open(uri, BROKEN).is_empty());
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(c.diagnostics(uri).is_empty());
    assert_eq!(c.finish(), 0);
}

/// Every fix the server offers for a fixture's diagnostic, applied, leaves
/// a text without that diagnostic and without a new syntax error.
#[test]
fn every_fix_checks_clean_of_what_it_fixes() {
    use sopc::lsp::actions;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sop"))
        .collect();
    files.sort();
    let mut fixed_by_kind: std::collections::BTreeMap<String, usize> = Default::default();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let before = sopc::check_source(&text, &common::options());
        let parsed = sopc::parse(&text);
        let syntax_before = before
            .diagnostics
            .iter()
            .filter(|d| d.code == sopc::Code::Syntax)
            .count();
        for d in &before.diagnostics {
            for fix in actions::fixes(&text, &parsed.policy, d) {
                let after_text = actions::apply(&text, &fix.edits);
                let after = sopc::check_source(&after_text, &common::options());
                let name = file.file_name().unwrap().to_string_lossy();
                assert!(
                    !after
                        .diagnostics
                        .iter()
                        .any(|a| a.code == d.code && a.message == d.message),
                    "{name}: `{}` did not fix `{}`\n{after_text}",
                    fix.title,
                    d.message
                );
                let syntax_after = after
                    .diagnostics
                    .iter()
                    .filter(|a| a.code == sopc::Code::Syntax)
                    .count();
                assert!(
                    syntax_after <= syntax_before,
                    "{name}: `{}` broke the syntax\n{after_text}",
                    fix.title
                );
                let kind = fix.title.split(' ').next().unwrap().to_string();
                *fixed_by_kind.entry(kind).or_default() += 1;
            }
        }
    }
    // Every kind of fix was tried on some fixture.
    assert_eq!(
        fixed_by_kind.keys().map(String::as_str).collect::<Vec<_>>(),
        ["Add", "Allow", "Bound", "Collect", "Move", "Replace"],
        "{fixed_by_kind:?}"
    );
}

/// Every feature at every character of every fixture and shipped policy
/// (broken ones included) answers without panicking, every diagnostic's
/// fixes apply, and every position converts back to its offset.
#[test]
fn every_feature_answers_at_every_offset() {
    use sopc::lsp::{complete, hover, index::Index, navigate, symbols, text::Lines};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("tests/fixtures"), root.join("policies")];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "sop") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 50, "{}", files.len());
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        // The large fixtures would take long at every offset; their first
        // pages cover the same code.
        let text: String = text.chars().take(4_000).collect();
        let parsed = sopc::parse(&text);
        let index = Index::new(&parsed.policy);
        let lines = Lines::new(&text);
        symbols::outline(&text, &parsed.policy);
        for d in sopc::check_source(&text, &common::options()).diagnostics {
            for fix in sopc::lsp::actions::fixes(&text, &parsed.policy, &d) {
                sopc::lsp::actions::apply(&text, &fix.edits);
            }
        }
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let pos = lines.position(offset);
            assert_eq!(lines.offset(pos), Some(offset), "{}", file.display());
            hover::hover(&text, &parsed.policy, &index, offset);
            navigate::definition(&index, offset);
            navigate::references(&index, offset, true);
            let _ = navigate::rename(&parsed.policy, &index, offset, "renamed");
            complete::complete(&text, &parsed.policy, &index, offset);
        }
    }
}

#[test]
fn a_code_lens_on_each_scenario_runs_it() {
    let (uri, text) = repo_file("policies/hac.sop");
    let mut c = Client::start();
    let caps = c.initialize();
    assert!(!caps["capabilities"]["codeLensProvider"].is_null());
    c.open(&uri, &text);
    let lenses = c.ok(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    let lenses = lenses.as_array().expect("lenses").clone();
    let scenarios = text.lines().filter(|l| l.starts_with("scenario ")).count();
    assert_eq!(lenses.len(), scenarios);
    for lens in &lenses {
        assert_eq!(lens["command"]["title"], "✓ passes", "{lens}");
        // Each lens sits on its scenario's line.
        let line = lens["range"]["start"]["line"].as_u64().expect("line") as usize;
        assert!(text
            .lines()
            .nth(line)
            .expect("a line")
            .starts_with("scenario "));
    }
    // A scenario that expects the wrong ending fails, and says how.
    let first = text.find("  expect  resolved").expect("an expect");
    let broken = format!(
        "{}  expect  referred(campus){}",
        &text[..first],
        &text[first + "  expect  resolved".len()..]
    );
    c.change(&uri, 2, &broken);
    let lenses = c.ok(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    let failing: Vec<&Value> = lenses
        .as_array()
        .expect("lenses")
        .iter()
        .filter(|l| {
            l["command"]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("✗ fails"))
        })
        .collect();
    assert_eq!(failing.len(), 1, "{lenses}");
    let run = c.ok(
        "workspace/executeCommand",
        json!({ "command": "sopc.runScenario", "arguments": failing[0]["command"]["arguments"] }),
    );
    assert_eq!(run["passed"], false, "{run}");
    let (code, _) = c.fails(
        "workspace/executeCommand",
        json!({ "command": "sopc.runScenario", "arguments": [uri, "no such scenario"] }),
    );
    assert_eq!(code, -32602);
    assert_eq!(c.finish(), 0);
}

/// A policy that uses a library: the library is read from beside the
/// document's file; a finding inside the library shows at the `use` line,
/// with the library's file and line; a clean policy with a library is clean.
#[test]
fn a_librarys_findings_show_at_the_use_line() {
    let mut c = Client::start();
    c.initialize();
    let (uri, text) = repo_file("tests/fixtures/project/dead-end_library/a.sop");
    let diags = c.open(&uri, &text);
    assert_eq!(codes(&diags), ["dead-end"], "{diags:?}");
    let use_line = text
        .lines()
        .position(|l| l.starts_with("use "))
        .expect("a use line");
    assert_eq!(diags[0]["range"]["start"]["line"], use_line);
    let message = diags[0]["message"].as_str().expect("a message");
    assert!(
        message.contains("dead-end_library/shared/reset.sop` line 12"),
        "{message}"
    );
    // Go to definition follows a name into the library that declares it.
    let call = text.find("call reset").expect("a call") + "call ".len();
    let def = c.ok("textDocument/definition", at(&uri, &text, call));
    let (lib_uri, lib) = repo_file("tests/fixtures/project/dead-end_library/shared/reset.sop");
    assert_eq!(def["uri"], lib_uri.as_str(), "{def}");
    let decl = lib.find("procedure reset").expect("declared") + "procedure ".len();
    assert_eq!(def["range"]["start"], position(&lib, decl));
    // A shipped policy with a library: only the source's open questions.
    let (uri, text) = repo_file("policies/sim-swap.sop");
    let diags = c.open(&uri, &text);
    assert!(!diags.is_empty());
    assert!(codes(&diags).iter().all(|c| c == "open-gap"), "{diags:?}");
    assert_eq!(c.finish(), 0);
}

/// A `role` fact: completion in a `match` on it offers the roles, hover
/// says what it is, and the document checks clean.
#[test]
fn a_role_fact_completes_to_the_roles_and_hovers() {
    let (uri, text) = repo_file("tests/fixtures/clean/role-from-host-routed.sop");
    let mut c = Client::start();
    c.initialize();
    assert_eq!(codes(&c.open(&uri, &text)), Vec::<String>::new());
    let arm = text
        .find("    tier1 -> hand_over")
        .expect("the match's arm")
        + 4;
    let items = c.ok("textDocument/completion", at(&uri, &text, arm));
    let labels: Vec<&str> = items
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(
        labels.contains(&"tier1") && labels.contains(&"tier2"),
        "{labels:?}"
    );
    let fact = text.find("fact agent").expect("the fact") + "fact ".len();
    let hover = c.ok("textDocument/hover", at(&uri, &text, fact));
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        shown.contains("the role that takes the call: `tier1`, `tier2`"),
        "{hover}"
    );
    assert_eq!(c.finish(), 0);
}
