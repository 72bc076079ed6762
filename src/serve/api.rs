//! The HTTP interface: routes, handlers, and the one error shape
//! `{"status": "error", "error": {"code", "message", ...}}` with a stable
//! code, for every refusal (never an empty body, never a 500 for bad
//! input). The routes and their shapes are in `docs/openapi.json`.

use super::calls::{parse_event, Call, StartError};
use super::records::{CallRow, EventRow, Filter, RecordsError};
use super::reports::{report_json, Summary};
use super::{clock, log, Shared};
use crate::engine::json::{error_json, evaluate_request, RequestError};
use crate::engine::{Engine, EngineError, Status};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// The OpenAPI document, served at `/openapi.json`.
pub const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// A refusal: an HTTP status and the JSON error.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({ "status": "error", "error": { "code": code, "message": message.into() } }),
        }
    }

    /// The error's JSON.
    pub fn json(&self) -> &Value {
        &self.body
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }

    /// The engine refused an input: 409 when the call is over, 422
    /// otherwise, with the engine's own error JSON.
    fn engine(e: &EngineError) -> ApiError {
        let status = match e {
            EngineError::Finished | EngineError::VersionMismatch { .. } => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError {
            status,
            body: error_json(e),
        }
    }

    fn records(e: RecordsError) -> ApiError {
        match e {
            RecordsError::Conflict => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "another event was recorded for this call at the same time: read the call and try again",
            ),
            RecordsError::Store(m) => {
                log::event("records_error", &[("error", &m)]);
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "records-unavailable",
                    "the call records cannot be written or read now; nothing was recorded",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

type Answer = Result<Response, ApiError>;

fn ok(status: StatusCode, v: Value) -> Answer {
    Ok((status, Json(v)).into_response())
}

/// The request body as a JSON object.
fn body_object(body: Result<Bytes, BytesRejection>) -> Result<Map<String, Value>, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "the request body is larger than the server takes",
            )
        } else {
            ApiError::bad_request(format!("the request body cannot be read: {e}"))
        }
    })?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-json",
            format!("the request body is not valid JSON: {e}"),
        )
    })?;
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-json",
            "the request body must be a JSON object",
        )),
    }
}

/// Refuses fields the endpoint does not take (a misspelt `contxt` would
/// otherwise be ignored in silence).
fn only(m: &Map<String, Value>, allowed: &[&str]) -> Result<(), ApiError> {
    match m.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::bad_request(format!(
            "unknown field `{k}`: this endpoint takes {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => Ok(()),
    }
}

/// The query string's parameters; a parameter the endpoint does not take
/// is refused.
fn query(raw: Option<String>, allowed: &[&str]) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    for pair in raw
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = decode(k)?;
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown query parameter `{k}`: this endpoint takes {}",
                allowed.join(", ")
            )));
        }
        out.insert(k, decode(v)?);
    }
    Ok(out)
}

/// Percent-decoding of a query component (`+` is a space).
fn decode(s: &str) -> Result<String, ApiError> {
    let bad = || ApiError::bad_request("the query string is not valid percent-encoded UTF-8");
    let mut bytes = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = it
                    .next()
                    .and_then(|c| (c as char).to_digit(16))
                    .ok_or_else(bad)?;
                let lo = it
                    .next()
                    .and_then(|c| (c as char).to_digit(16))
                    .ok_or_else(bad)?;
                bytes.push((hi * 16 + lo) as u8);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| bad())
}

pub fn router(svc: Shared, body_limit: usize) -> Router {
    Router::new()
        .route("/v1/policies", get(list_policies))
        .route("/v1/policies/{id}", get(get_policy))
        .route("/v1/policies/{id}/evaluate", post(evaluate))
        .route("/v1/calls", post(start_call).get(list_calls))
        .route("/v1/calls/{id}", get(get_call))
        .route("/v1/calls/{id}/events", post(post_event))
        .route("/v1/calls/{id}/record", get(get_record))
        .route("/v1/calls/{id}/session", get(get_session))
        .route("/v1/reports/{policy}", get(get_report))
        .route("/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(super::console::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(svc.clone(), guard))
        .with_state(svc)
}

/// Around every request: the token, the time limit, the metrics and the
/// request log (method, route, status, time: never a body).
async fn guard(State(svc): State<Shared>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = if needs_token(req.uri().path()) && !authorized(&svc, &req) {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this server needs `Authorization: Bearer TOKEN`",
        )
        .into_response()
    } else {
        match tokio::time::timeout(svc.timeout, next.run(req)).await {
            Ok(r) => r,
            Err(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "the request took longer than the server allows",
            )
            .into_response(),
        }
    };
    let took = started.elapsed();
    let status = response.status().as_u16();
    svc.metrics.request(&route, method.as_str(), status, took);
    log::event(
        "request",
        &[
            ("method", method.as_str()),
            ("route", &route),
            ("status", &status.to_string()),
            ("ms", &format!("{:.3}", took.as_secs_f64() * 1000.0)),
        ],
    );
    response
}

fn needs_token(path: &str) -> bool {
    path.starts_with("/v1/") || path == "/metrics"
}

fn authorized(svc: &Shared, req: &Request) -> bool {
    let Some(token) = &svc.token else {
        return true;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Compared in time independent of where the first difference is.
    given.is_some_and(|g| {
        g.len() == token.len()
            && g.bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "no such endpoint: see /openapi.json",
    )
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!("this endpoint does not take {method}: see /openapi.json"),
    )
}

fn unknown_policy(svc: &Shared, id: &str) -> ApiError {
    let lib = svc.library.read();
    let known: Vec<String> = lib
        .map(|l| l.policies.keys().cloned().collect())
        .unwrap_or_default();
    let mut e = ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown-policy",
        format!("no policy `{id}` is served"),
    );
    if let Some(s) = crate::suggest::closest(id, known.iter().map(String::as_str)) {
        e.body["error"]["suggestion"] = json!(s);
    }
    e
}

/// The policy library, read. Its lock is poisoned only if a reload
/// panicked; the service then answers 503 rather than serve half a reload.
fn library(
    svc: &Shared,
) -> Result<std::sync::RwLockReadGuard<'_, super::library::Library>, ApiError> {
    svc.library.read().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the policy library is unavailable after a failed reload; restart the server",
        )
    })
}

/// The clean version of policy `id`, or why there is none.
fn served(svc: &Shared, id: &str) -> Result<Arc<Engine>, ApiError> {
    let lib = library(svc)?;
    match lib.policies.get(id) {
        Some(p) => p.engine.clone().ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "policy-has-errors",
                format!("policy `{id}` has errors and no clean version to serve: see /v1/policies"),
            )
        }),
        None => {
            drop(lib);
            Err(unknown_policy(svc, id))
        }
    }
}

/// The engine of a version: served now, or read back from the records.
async fn version(svc: &Shared, version: &str) -> Result<Arc<Engine>, ApiError> {
    if let Some(e) = svc.library.read().ok().and_then(|l| l.version(version)) {
        return Ok(e);
    }
    let artifact = svc
        .records
        .version_artifact(version)
        .await
        .map_err(ApiError::records)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "invalid-record",
                format!("the records do not hold policy version {version}"),
            )
        })?;
    let engine = Engine::from_json(&artifact).map(Arc::new).map_err(|e| {
        ApiError::new(
            StatusCode::CONFLICT,
            "invalid-record",
            format!("the recorded policy version {version} does not load: {e}"),
        )
    })?;
    if let Ok(mut l) = svc.library.write() {
        l.remember(engine.clone());
    }
    Ok(engine)
}

fn policy_json(p: &super::library::Policy) -> Value {
    let mut v = json!({
        "id": p.id,
        "file": p.file.display().to_string(),
        "served": p.engine.is_some(),
    });
    if let Some(e) = &p.engine {
        let h = &e.graph().header;
        v["number"] = json!(h.id);
        v["title"] = json!(h.title);
        v["owner"] = json!(h.owner);
        v["review"] = json!({
            "revision": h.revision,
            "approval": h.approval,
            "implemented": h.implemented,
            "reviewed": h.reviewed,
        });
        v["version"] = json!(e.version());
        v["loaded_at"] = json!(p.loaded_at);
    }
    if let Some(errors) = &p.errors {
        v["errors"] = errors.clone();
    }
    v
}

async fn list_policies(State(svc): State<Shared>) -> Answer {
    let lib = library(&svc)?;
    let policies: Vec<Value> = lib.policies.values().map(policy_json).collect();
    ok(StatusCode::OK, json!({ "policies": policies }))
}

async fn get_policy(
    State(svc): State<Shared>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let q = query(raw, &["format"])?;
    let engine = served(&svc, &id)?;
    let g = engine.graph();
    let text = |ty: &'static str, body: String| -> Answer {
        Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(ty))], body).into_response())
    };
    match q.get("format").map(String::as_str).unwrap_or("json") {
        "json" => {
            let artifact: Value =
                serde_json::from_str(&crate::artifact::write(g)).map_err(|e| {
                    ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        e.to_string(),
                    )
                })?;
            ok(
                StatusCode::OK,
                json!({ "id": id, "number": g.header.id, "title": g.header.title, "version": engine.version(), "artifact": artifact }),
            )
        }
        "mermaid" => text(
            "text/plain; charset=utf-8",
            crate::render::graph::mermaid(g),
        ),
        "dot" => text(
            "text/vnd.graphviz; charset=utf-8",
            crate::render::graph::dot(g),
        ),
        "markdown" => text(
            "text/markdown; charset=utf-8",
            crate::render::doc::markdown(g),
        ),
        "html" => text(
            "text/html; charset=utf-8",
            crate::render::doc::html(g, None),
        ),
        other => Err(ApiError::bad_request(format!(
            "`{other}` is not a format: json, mermaid, dot, markdown or html"
        ))),
    }
}

async fn evaluate(
    State(svc): State<Shared>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let m = body_object(body)?;
    only(&m, &["answers", "data", "context", "events"])?;
    let engine = served(&svc, &id)?;
    let answers = m.get("answers").cloned().unwrap_or_else(|| json!({}));
    match evaluate_request(
        &engine,
        &answers,
        m.get("data"),
        m.get("context"),
        m.get("events"),
    ) {
        Ok(v) => ok(StatusCode::OK, v),
        Err(RequestError::BadInput(e)) => {
            Err(ApiError::new(StatusCode::BAD_REQUEST, "bad-input", e))
        }
        Err(RequestError::Engine(e)) => Err(ApiError::engine(&e)),
    }
}

/// The call's state, with its record's header under `call`.
fn call_json(row: &CallRow, call: &Call<'_>) -> Value {
    let mut v = call.state_json();
    v["call"] = row.to_json();
    v
}

/// Where the call stands now, written into its row.
fn update_row(row: &mut CallRow, call: &Call<'_>) {
    row.step = call.step_name();
    match call.session.status() {
        Status::Done(_) => {
            row.status = "complete".into();
            row.outcome = call.outcome_name();
            if row.ended_at.is_none() {
                row.ended_at = Some(clock::now());
            }
        }
        Status::Asking(_) => {
            row.status = "needs_answer".into();
            row.outcome = None;
            row.ended_at = None;
        }
    }
}

async fn start_call(State(svc): State<Shared>, body: Result<Bytes, BytesRejection>) -> Answer {
    let m = body_object(body)?;
    only(&m, &["policy", "context", "actor", "role"])?;
    let policy = m
        .get("policy")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("a call needs `policy`, the id of a served policy"))?
        .to_string();
    let text_field = |k: &str| -> Result<Option<String>, ApiError> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::bad_request(format!("`{k}` must be a text"))),
        }
    };
    let actor = text_field("actor")?;
    let role = text_field("role")?;
    let engine = served(&svc, &policy)?;
    let g = engine.graph();
    if let Some(r) = &role {
        if !g.roles.iter().any(|x| x.name == *r) {
            let mut e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-role",
                format!("policy `{policy}` has no role `{r}`"),
            );
            if let Some(s) = crate::suggest::closest(r, g.roles.iter().map(|x| x.name.as_str())) {
                e.body["error"]["suggestion"] = json!(s);
            }
            return Err(e);
        }
    }
    let context = m.get("context").cloned().unwrap_or(Value::Null);
    let call = Call::start(&engine, &context).map_err(|e| match e {
        StartError::BadInput(m) => ApiError::new(StatusCode::BAD_REQUEST, "bad-input", m),
        StartError::Engine(e) => ApiError::engine(&e),
    })?;
    let version = engine.version().to_string();
    super::store_version(&svc, &policy, &version, &crate::artifact::write(g)).await;
    let mut row = CallRow {
        id: clock::call_id(),
        policy: policy.clone(),
        version,
        actor,
        role,
        started_at: clock::now(),
        ended_at: None,
        status: String::new(),
        outcome: None,
        step: String::new(),
        context: if context.is_null() {
            json!({})
        } else {
            context
        },
        events: 0,
    };
    update_row(&mut row, &call);
    svc.records
        .create(&row, &[])
        .await
        .map_err(ApiError::records)?;
    svc.metrics.call_started(&policy);
    if let Some(o) = &row.outcome {
        svc.metrics.call_ended(&policy, o);
    }
    log::event("call_started", &[("call", &row.id), ("policy", &policy)]);
    ok(StatusCode::CREATED, call_json(&row, &call))
}

/// A call's record and its events, or `unknown-call`.
async fn record_of(svc: &Shared, id: &str) -> Result<(CallRow, Vec<EventRow>), ApiError> {
    svc.records
        .get(id)
        .await
        .map_err(ApiError::records)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown-call",
                format!("no call `{id}`"),
            )
        })
}

/// A call's record, its engine and its events.
async fn load_call(
    svc: &Shared,
    id: &str,
) -> Result<(CallRow, Arc<Engine>, Vec<EventRow>), ApiError> {
    let (row, events) = record_of(svc, id).await?;
    let engine = version(svc, &row.version).await?;
    Ok((row, engine, events))
}

fn replay<'e>(
    engine: &'e Engine,
    row: &CallRow,
    events: &[EventRow],
) -> Result<Call<'e>, ApiError> {
    let given: Vec<Value> = events.iter().map(|e| e.event.clone()).collect();
    Call::replay(engine, &row.context, &given).map_err(|m| {
        ApiError::new(
            StatusCode::CONFLICT,
            "invalid-record",
            format!("the record of call `{}` does not replay: {m}", row.id),
        )
    })
}

async fn get_call(State(svc): State<Shared>, Path(id): Path<String>) -> Answer {
    let (row, engine, events) = load_call(&svc, &id).await?;
    let call = replay(&engine, &row, &events)?;
    ok(StatusCode::OK, call_json(&row, &call))
}

/// The call as a suspended session (`sopc-session`), which `sopc run
/// --resume` and `Engine::resume` take: the call can go on away from the
/// service, on the same policy version.
async fn get_session(State(svc): State<Shared>, Path(id): Path<String>) -> Answer {
    let (row, engine, events) = load_call(&svc, &id).await?;
    let call = replay(&engine, &row, &events)?;
    ok(StatusCode::OK, call.session.suspend())
}

async fn get_record(State(svc): State<Shared>, Path(id): Path<String>) -> Answer {
    let (row, events) = record_of(&svc, &id).await?;
    let events: Vec<Value> = events
        .iter()
        .map(|e| json!({ "seq": e.seq, "at": e.at, "event": e.event }))
        .collect();
    ok(
        StatusCode::OK,
        json!({ "call": row.to_json(), "events": events }),
    )
}

async fn post_event(
    State(svc): State<Shared>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let m = body_object(body)?;
    let event = parse_event(&Value::Object(m))
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad-event", e))?;
    let (mut row, engine, events) = load_call(&svc, &id).await?;
    let mut call = replay(&engine, &row, &events)?;
    let was_done = row.status == "complete";
    call.apply(&event).map_err(|e| ApiError::engine(&e))?;
    let after = row.events;
    let recorded = EventRow {
        seq: after,
        at: clock::now(),
        event: call.recorded(&event),
    };
    row.events += 1;
    update_row(&mut row, &call);
    svc.records
        .append(&row, after, &recorded)
        .await
        .map_err(ApiError::records)?;
    if let (false, Some(o)) = (was_done, &row.outcome) {
        svc.metrics.call_ended(&row.policy, o);
        log::event(
            "call_ended",
            &[("call", &row.id), ("policy", &row.policy), ("outcome", o)],
        );
    }
    ok(StatusCode::OK, call_json(&row, &call))
}

async fn list_calls(State(svc): State<Shared>, RawQuery(raw): RawQuery) -> Answer {
    let q = query(raw, &["policy", "outcome", "since", "limit"])?;
    let since = match q.get("since") {
        Some(s) => {
            crate::date::Date::parse(s.get(..10).unwrap_or(s)).map_err(|e| {
                ApiError::bad_request(format!(
                    "`since` must be a date or an RFC 3339 instant: {e}"
                ))
            })?;
            Some(s.clone())
        }
        None => None,
    };
    let limit =
        match q.get("limit") {
            Some(n) => Some(n.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                ApiError::bad_request("`limit` must be a whole number, 0 or more")
            })?),
            None => Some(1000),
        };
    let filter = Filter {
        policy: q.get("policy").cloned(),
        outcome: q.get("outcome").cloned(),
        since,
        limit,
    };
    let calls = svc.records.list(&filter).await.map_err(ApiError::records)?;
    let calls: Vec<Value> = calls.iter().map(CallRow::to_json).collect();
    ok(StatusCode::OK, json!({ "calls": calls }))
}

/// The report of a policy's calls, from the records.
pub async fn report(svc: &Shared, policy: &str) -> Result<Value, ApiError> {
    let rows = svc
        .records
        .list(&Filter {
            policy: Some(policy.to_string()),
            ..Filter::default()
        })
        .await
        .map_err(ApiError::records)?;
    let served = svc
        .library
        .read()
        .map(|l| l.policies.contains_key(policy))
        .unwrap_or(false);
    if rows.is_empty() && !served {
        return Err(unknown_policy(svc, policy));
    }
    let mut engines = BTreeMap::new();
    let mut summaries = Vec::new();
    let mut unreadable = 0;
    for row in rows {
        let Ok(engine) = version(svc, &row.version).await else {
            unreadable += 1;
            continue;
        };
        let events = svc
            .records
            .events(&row.id)
            .await
            .map_err(ApiError::records)?;
        let Ok(call) = replay(&engine, &row, &events) else {
            unreadable += 1;
            continue;
        };
        let trace = call.session.trace();
        let g = engine.graph();
        summaries.push(Summary {
            version: row.version.clone(),
            complete: call.session.outcome().is_some(),
            outcome: call.outcome_name(),
            step: call.step_name(),
            branches: trace.branches.clone(),
            rules: trace
                .events
                .iter()
                .map(|e| g.rule(e.rule).name.clone())
                .collect(),
            questions: trace.answers.len(),
        });
        engines.entry(row.version.clone()).or_insert(engine.clone());
    }
    if let Ok(current) = served_engine(svc, policy) {
        engines
            .entry(current.version().to_string())
            .or_insert(current);
    }
    Ok(report_json(policy, &summaries, &engines, unreadable))
}

fn served_engine(svc: &Shared, policy: &str) -> Result<Arc<Engine>, ()> {
    svc.library
        .read()
        .ok()
        .and_then(|l| l.engine(policy))
        .ok_or(())
}

async fn get_report(State(svc): State<Shared>, Path(policy): Path<String>) -> Answer {
    ok(StatusCode::OK, report(&svc, &policy).await?)
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

async fn healthz(State(svc): State<Shared>) -> Answer {
    let probe = Filter {
        limit: Some(0),
        ..Filter::default()
    };
    svc.records.list(&probe).await.map_err(ApiError::records)?;
    let served = svc.library.read().map(|l| l.served()).unwrap_or(0);
    ok(
        StatusCode::OK,
        json!({ "status": "ok", "policies": served }),
    )
}

async fn metrics(State(svc): State<Shared>) -> Response {
    let served = svc.library.read().map(|l| l.served()).unwrap_or(0);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        svc.metrics.render(served),
    )
        .into_response()
}
