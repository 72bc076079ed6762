//! The language server (`sopc lsp`): diagnostics as the author types, hover,
//! go to definition, references, rename, completion, code actions,
//! formatting and the outline, over the Language Server Protocol.
//!
//! This file is the loop and the document store; each feature has its own
//! file and is a function of the text (and its tree) that the tests call
//! directly. Documents are sent whole on each change. A change marks its
//! document stale; diagnostics are computed and published once no other
//! message is waiting, so a burst of keystrokes costs one check.

pub mod actions;
pub mod complete;
pub mod diagnostics;
pub mod hover;
pub mod index;
pub mod lens;
pub mod navigate;
pub mod symbols;
pub mod text;
pub mod transport;

use crate::pipeline::CheckOptions;
use index::Index;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::*;
use serde_json::Value;
use std::collections::HashMap;
use text::Lines;

/// The file a document is (`file:///p/a.sop` is `/p/a.sop`), if any.
pub type FileOf = Box<dyn Fn(&Uri) -> Option<String>>;

/// What the server needs from the program that runs it.
pub struct Config {
    /// The options to check a document with (its `sopc.toml`, the date).
    pub options: Box<dyn Fn(&Uri) -> CheckOptions>,
    /// The file a document is, which the libraries it `use`s are read
    /// from (`None`: a document with no file).
    pub file_of: FileOf,
    /// Where those libraries are read.
    pub files: Box<dyn crate::sources::Files>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            options: Box::new(|_| CheckOptions::default()),
            file_of: Box::new(|_| None),
            files: Box::new(crate::sources::NoFiles),
        }
    }
}

/// How the session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// `shutdown`, then `exit`.
    Clean,
    /// `exit` without `shutdown`, or the input closed.
    Abrupt,
}

/// One open document.
struct Document {
    text: String,
    version: i32,
    /// The diagnostics of `text`; `None` until it is checked.
    checked: Option<Vec<crate::Diagnostic>>,
}

struct Server {
    conn: Connection,
    config: Config,
    docs: HashMap<Uri, Document>,
    initialized: bool,
    shutting_down: bool,
}

/// An error answer: its code and message.
type Failure = (ErrorCode, String);

/// The `file:` URI of an absolute path, its bytes outside the URI's
/// unreserved set (and `/`) percent-encoded.
fn file_uri(path: &str) -> Option<Uri> {
    if !path.starts_with('/') {
        return None;
    }
    let mut out = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.parse().ok()
}

/// Serves one client until `exit` or the end of the input.
pub fn serve(conn: Connection, config: Config) -> End {
    let mut server = Server {
        conn,
        config,
        docs: HashMap::new(),
        initialized: false,
        shutting_down: false,
    };
    loop {
        let Ok(msg) = server.conn.receiver.recv() else {
            return End::Abrupt;
        };
        match msg {
            Message::Request(req) => server.request(req),
            Message::Notification(n) if n.method == "exit" => {
                return match server.shutting_down {
                    true => End::Clean,
                    false => End::Abrupt,
                };
            }
            Message::Notification(n) => server.notification(n),
            // The server sends no requests.
            Message::Response(_) => {}
        }
        if server.conn.receiver.is_empty() {
            server.publish_stale();
        }
    }
}

/// What the server can do, for `initialize`.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        position_encoding: Some(PositionEncodingKind::UTF16),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            // Not the space: an editor would offer keywords at every
            // indentation; a typed letter asks anyway.
            trigger_characters: Some(vec![">".into(), "(".into(), "{".into(), ",".into()]),
            ..Default::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![lens::RUN_SCENARIO.into()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

impl Server {
    fn send(&self, msg: impl Into<Message>) {
        // The client is gone: the loop ends when its input does.
        let _ = self.conn.sender.send(msg.into());
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        let result = if req.method == "initialize" {
            self.initialized = true;
            Ok(serde_json::json!({
                "capabilities": capabilities(),
                "serverInfo": { "name": "sopc", "version": env!("CARGO_PKG_VERSION") },
            }))
        } else if !self.initialized {
            Err((
                ErrorCode::ServerNotInitialized,
                format!("`{}` before `initialize`", req.method),
            ))
        } else if self.shutting_down {
            Err((
                ErrorCode::InvalidRequest,
                format!("`{}` after `shutdown`", req.method),
            ))
        } else if req.method == "shutdown" {
            self.shutting_down = true;
            Ok(Value::Null)
        } else {
            // A bug in a feature must not take the editor's server down.
            let method = req.method.clone();
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.dispatch(req)))
                .unwrap_or_else(|_| {
                    Err((
                        ErrorCode::InternalError,
                        format!("internal error in sopc while answering `{method}`"),
                    ))
                })
        };
        self.send(match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        });
    }

    fn dispatch(&mut self, req: Request) -> Result<Value, Failure> {
        fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, Failure> {
            serde_json::from_value(req.params).map_err(|e| {
                (
                    ErrorCode::InvalidParams,
                    format!("invalid parameters for `{}`: {e}", req.method),
                )
            })
        }
        fn json(v: impl serde::Serialize) -> Result<Value, Failure> {
            serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
        }
        match req.method.as_str() {
            "textDocument/hover" => {
                let p: HoverParams = params(req)?;
                json(self.hover(&p.text_document_position_params)?)
            }
            "textDocument/definition" => {
                let p: GotoDefinitionParams = params(req)?;
                json(self.definition(&p.text_document_position_params)?)
            }
            "textDocument/references" => {
                let p: ReferenceParams = params(req)?;
                json(self.references(&p)?)
            }
            "textDocument/prepareRename" => {
                let p: TextDocumentPositionParams = params(req)?;
                json(self.prepare_rename(&p)?)
            }
            "textDocument/rename" => {
                let p: RenameParams = params(req)?;
                json(self.rename(&p)?)
            }
            "textDocument/completion" => {
                let p: CompletionParams = params(req)?;
                json(self.completion(&p.text_document_position)?)
            }
            "textDocument/documentSymbol" => {
                let p: DocumentSymbolParams = params(req)?;
                let doc = self.doc(&p.text_document.uri)?;
                let parsed = crate::syntax::parse(&doc.text);
                json(DocumentSymbolResponse::Nested(symbols::outline(
                    &doc.text,
                    &parsed.policy,
                )))
            }
            "textDocument/formatting" => {
                let p: DocumentFormattingParams = params(req)?;
                json(self.formatting(&p.text_document.uri)?)
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(req)?;
                json(self.code_actions(&p)?)
            }
            "textDocument/codeLens" => {
                let p: CodeLensParams = params(req)?;
                let doc = self.doc(&p.text_document.uri)?;
                json(lens::scenario_lenses(
                    &doc.text,
                    p.text_document.uri.as_str(),
                ))
            }
            "workspace/executeCommand" => {
                let p: ExecuteCommandParams = params(req)?;
                json(self.run_scenario(&p)?)
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("sopc does not answer `{other}`"),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        if !self.initialized {
            return;
        }
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    let doc = Document {
                        text: p.text_document.text,
                        version: p.text_document.version,
                        checked: None,
                    };
                    self.docs.insert(p.text_document.uri, doc);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    if let Some(doc) = self.docs.get_mut(&p.text_document.uri) {
                        for change in p.content_changes {
                            apply_change(&mut doc.text, change);
                        }
                        doc.version = p.text_document.version;
                        doc.checked = None;
                    }
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    self.docs.remove(&p.text_document.uri);
                    self.publish(p.text_document.uri, Vec::new(), None);
                }
            }
            // Saving, cancelling and the rest change nothing here.
            _ => {}
        }
    }

    /// Checks every document changed since it was last checked, and
    /// publishes its diagnostics.
    fn publish_stale(&mut self) {
        let stale: Vec<Uri> = self
            .docs
            .iter()
            .filter(|(_, d)| d.checked.is_none())
            .map(|(u, _)| u.clone())
            .collect();
        for uri in stale {
            self.check(&uri);
        }
    }

    /// Checks one document and publishes its diagnostics.
    fn check(&mut self, uri: &Uri) {
        let options = (self.config.options)(uri);
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        let name = (self.config.file_of)(uri).unwrap_or_default();
        let mut checked = crate::check_file(&name, &doc.text, &options, &*self.config.files);
        // Code actions fix the document's own findings only.
        let own: Vec<crate::Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.file.is_none())
            .cloned()
            .collect();
        diagnostics::at_uses(&name, &doc.text, &mut checked);
        let converted =
            diagnostics::convert(uri, &doc.text, checked.graph.as_ref(), &checked.diagnostics);
        doc.checked = Some(own);
        let version = doc.version;
        self.publish(uri.clone(), converted, Some(version));
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        ));
    }

    /// `sopc.runScenario URI NAME`: the scenario's result, as `sopc test`
    /// gives it.
    fn run_scenario(&self, p: &ExecuteCommandParams) -> Result<Value, Failure> {
        let bad = |m: String| (ErrorCode::InvalidParams, m);
        if p.command != lens::RUN_SCENARIO {
            return Err(bad(format!("sopc has no command `{}`", p.command)));
        }
        let (Some(uri), Some(name)) = (
            p.arguments.first().and_then(Value::as_str),
            p.arguments.get(1).and_then(Value::as_str),
        ) else {
            return Err(bad(format!(
                "`{}` takes the document's URI and the scenario's name",
                lens::RUN_SCENARIO
            )));
        };
        let uri: Uri = uri
            .parse()
            .map_err(|_| bad(format!("`{uri}` is not a URI")))?;
        let doc = self.doc(&uri)?;
        let results = lens::run(&doc.text).map_err(bad)?;
        let r = results
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| bad(format!("there is no scenario \"{name}\"")))?;
        Ok(serde_json::json!({
            "scenario": r.name,
            "passed": r.passed(),
            "failures": r.failures.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>(),
        }))
    }

    fn doc(&self, uri: &Uri) -> Result<&Document, Failure> {
        self.docs.get(uri).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!("`{}` is not open", uri.as_str()),
            )
        })
    }

    /// The document and the byte offset of a position in it.
    fn at(&self, p: &TextDocumentPositionParams) -> Result<(&Document, usize), Failure> {
        let doc = self.doc(&p.text_document.uri)?;
        let lines = Lines::new(&doc.text);
        let offset = lines.offset(p.position).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!(
                    "line {} is past the end of the document ({} lines)",
                    p.position.line + 1,
                    lines.line_count()
                ),
            )
        })?;
        Ok((doc, offset))
    }

    fn hover(&self, p: &TextDocumentPositionParams) -> Result<Option<Hover>, Failure> {
        let (doc, offset) = self.at(p)?;
        let parsed = crate::syntax::parse(&doc.text);
        let index = Index::new(&parsed.policy);
        let found = hover::hover(&doc.text, &parsed.policy, &index, offset);
        Ok(found.map(|(span, markdown)| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(Lines::new(&doc.text).range(span)),
        }))
    }

    fn location(&self, uri: &Uri, text: &str, spans: &[crate::span::Span]) -> Vec<Location> {
        let lines = Lines::new(text);
        spans
            .iter()
            .map(|&s| Location {
                uri: uri.clone(),
                range: lines.range(s),
            })
            .collect()
    }

    fn definition(
        &self,
        p: &TextDocumentPositionParams,
    ) -> Result<Option<GotoDefinitionResponse>, Failure> {
        let (doc, offset) = self.at(p)?;
        let parsed = crate::syntax::parse(&doc.text);
        let index = Index::new(&parsed.policy);
        let Some(span) = navigate::definition(&index, offset) else {
            return Ok(self
                .shared_definition(&p.text_document.uri, &parsed.policy, &index, offset)
                .map(GotoDefinitionResponse::Scalar));
        };
        let mut found = self.location(&p.text_document.uri, &doc.text, &[span]);
        Ok(found.pop().map(GotoDefinitionResponse::Scalar))
    }

    /// Where a library the document uses (directly) declares a name the
    /// document does not declare itself.
    fn shared_definition(
        &self,
        uri: &Uri,
        policy: &crate::syntax::ast::Policy,
        index: &Index,
        offset: usize,
    ) -> Option<Location> {
        let o = index.at(offset)?;
        let from = (self.config.file_of)(uri)?;
        for u in &policy.uses {
            let Ok((name, text)) = self.config.files.read(&from, &u.path.value()) else {
                continue;
            };
            let lib = crate::syntax::parse(&text);
            let lib_index = Index::new(&lib.policy);
            if let Some(d) = lib_index.declaration(o) {
                return Some(Location {
                    uri: file_uri(&name)?,
                    range: Lines::new(&text).range(d.span),
                });
            }
        }
        None
    }

    fn references(&self, p: &ReferenceParams) -> Result<Vec<Location>, Failure> {
        let (doc, offset) = self.at(&p.text_document_position)?;
        let parsed = crate::syntax::parse(&doc.text);
        let index = Index::new(&parsed.policy);
        let spans = navigate::references(&index, offset, p.context.include_declaration);
        Ok(self.location(
            &p.text_document_position.text_document.uri,
            &doc.text,
            &spans,
        ))
    }

    fn prepare_rename(
        &self,
        p: &TextDocumentPositionParams,
    ) -> Result<PrepareRenameResponse, Failure> {
        let (doc, offset) = self.at(p)?;
        let parsed = crate::syntax::parse(&doc.text);
        let index = Index::new(&parsed.policy);
        let span =
            navigate::prepare_rename(&index, offset).map_err(|e| (ErrorCode::RequestFailed, e))?;
        Ok(PrepareRenameResponse::Range(
            Lines::new(&doc.text).range(span),
        ))
    }

    fn rename(&self, p: &RenameParams) -> Result<WorkspaceEdit, Failure> {
        let uri = &p.text_document_position.text_document.uri;
        let (doc, offset) = self.at(&p.text_document_position)?;
        let parsed = crate::syntax::parse(&doc.text);
        let index = Index::new(&parsed.policy);
        let spans = navigate::rename(&parsed.policy, &index, offset, &p.new_name)
            .map_err(|e| (ErrorCode::RequestFailed, e))?;
        let lines = Lines::new(&doc.text);
        let edits = spans
            .into_iter()
            .map(|s| TextEdit::new(lines.range(s), p.new_name.clone()))
            .collect();
        Ok(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)])))
    }

    fn completion(
        &self,
        p: &TextDocumentPositionParams,
    ) -> Result<Option<CompletionResponse>, Failure> {
        let (doc, offset) = self.at(p)?;
        let parsed = crate::syntax::parse(&doc.text);
        let index = Index::new(&parsed.policy);
        let items = complete::complete(&doc.text, &parsed.policy, &index, offset);
        Ok((!items.is_empty()).then_some(CompletionResponse::Array(items)))
    }

    fn formatting(&self, uri: &Uri) -> Result<Vec<TextEdit>, Failure> {
        let doc = self.doc(uri)?;
        match crate::format_source(&doc.text) {
            Ok(formatted) if formatted == doc.text => Ok(Vec::new()),
            Ok(formatted) => Ok(vec![TextEdit::new(
                Lines::new(&doc.text).whole(),
                formatted,
            )]),
            Err(_) => Err((
                ErrorCode::RequestFailed,
                "the policy cannot be formatted until it parses: fix its syntax errors first"
                    .into(),
            )),
        }
    }

    fn code_actions(&mut self, p: &CodeActionParams) -> Result<Vec<CodeActionOrCommand>, Failure> {
        let uri = &p.text_document.uri;
        if self.doc(uri)?.checked.is_none() {
            self.check(uri);
        }
        let doc = self.doc(uri)?;
        let lines = Lines::new(&doc.text);
        let Some(range) = lines.span(p.range) else {
            return Err((
                ErrorCode::InvalidParams,
                format!(
                    "the range ends past the end of the document ({} lines)",
                    lines.line_count()
                ),
            ));
        };
        let parsed = crate::syntax::parse(&doc.text);
        let mut out = Vec::new();
        let no_steps = HashMap::new();
        for d in doc.checked.iter().flatten() {
            // The diagnostics the range touches, at their own place or at
            // a labelled one (a ticket `missing-data` points at).
            let touches = |s: crate::span::Span| s.start <= range.end && range.start <= s.end;
            if !d
                .span
                .into_iter()
                .chain(d.labels.iter().map(|l| l.span))
                .any(touches)
            {
                continue;
            }
            for fix in actions::fixes(&doc.text, &parsed.policy, d) {
                let edits = fix
                    .edits
                    .iter()
                    .map(|(s, new)| TextEdit::new(lines.range(*s), new.clone()))
                    .collect();
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostics::convert_one(uri, &lines, &no_steps, d)]),
                    edit: Some(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))),
                    is_preferred: Some(fix.preferred),
                    ..Default::default()
                }));
            }
        }
        Ok(out)
    }
}

/// Applies one change: the whole text, or (should a client send one) a
/// range replaced.
fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            if let Some(span) = Lines::new(text).span(range) {
                text.replace_range(span.range(), &change.text);
            }
        }
    }
}
