//! Call records, the audit trail: each call (its policy and version, who
//! took it, when, where it stands) and each event given to it, in order.
//! Written and committed before the service answers. SQLite is the embedded
//! store; PostgreSQL is shared by a fleet of servers, so a call started on
//! one can go on on another. Each policy version's artifact is stored too,
//! so any server can replay any call.
//!
//! Values are stored as the service hands them over: secrets already
//! redacted, unrecorded data already left out (`calls.rs`).

use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// One call, as the `calls` table holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRow {
    pub id: String,
    pub policy: String,
    pub version: String,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// `needs_answer` or `complete`.
    pub status: String,
    pub outcome: Option<String>,
    /// The step the call stands at (or ended at).
    pub step: String,
    /// The host's facts given at the start, as JSON.
    pub context: Value,
    /// How many events the call has.
    pub events: i64,
}

impl CallRow {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "policy": self.policy,
            "version": self.version,
            "actor": self.actor,
            "role": self.role,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "status": self.status,
            "outcome": self.outcome,
            "step": self.step,
            "context": self.context,
            "events": self.events,
        })
    }
}

/// One event given to a call.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub seq: i64,
    pub at: String,
    pub event: Value,
}

/// Which calls to list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub policy: Option<String>,
    pub outcome: Option<String>,
    /// Calls started at or after this instant (RFC 3339, UTC).
    pub since: Option<String>,
    pub limit: Option<i64>,
}

/// What can go wrong with the store.
#[derive(Debug)]
pub enum RecordsError {
    /// Another event was recorded for this call first.
    Conflict,
    /// The store failed (connection, disk): the service answers 503.
    Store(String),
}

impl std::fmt::Display for RecordsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordsError::Conflict => write!(f, "another event was recorded for this call first"),
            RecordsError::Store(e) => write!(f, "the call records are unavailable: {e}"),
        }
    }
}

type Result<T> = std::result::Result<T, RecordsError>;

/// The store, chosen by its address: `sqlite:FILE` or `postgres://…`.
#[derive(Clone)]
pub enum Records {
    Sqlite(Arc<Mutex<rusqlite::Connection>>),
    Postgres(Arc<tokio::sync::Mutex<tokio_postgres::Client>>),
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS policy_versions (
  version TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  artifact TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS calls (
  id TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  version TEXT NOT NULL,
  actor TEXT,
  role TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL,
  outcome TEXT,
  step TEXT NOT NULL,
  context TEXT NOT NULL,
  events BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_by_policy ON calls (policy, started_at);
CREATE TABLE IF NOT EXISTS events (
  call TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at TEXT NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (call, seq)
);
";

fn store<E: std::fmt::Display>(e: E) -> RecordsError {
    RecordsError::Store(e.to_string())
}

/// A blocking SQLite job on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    conn: &Arc<Mutex<rusqlite::Connection>>,
    job: impl FnOnce(&mut rusqlite::Connection) -> Result<T> + Send + 'static,
) -> Result<T> {
    let conn = conn.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = conn
            .lock()
            .map_err(|_| store("the store's lock is poisoned"))?;
        job(&mut c)
    })
    .await
    .map_err(store)?
}

const CALL_COLUMNS: &str =
    "id, policy, version, actor, role, started_at, ended_at, status, outcome, step, context, events";

fn sqlite_call(r: &rusqlite::Row<'_>) -> rusqlite::Result<CallRow> {
    let context: String = r.get(10)?;
    Ok(CallRow {
        id: r.get(0)?,
        policy: r.get(1)?,
        version: r.get(2)?,
        actor: r.get(3)?,
        role: r.get(4)?,
        started_at: r.get(5)?,
        ended_at: r.get(6)?,
        status: r.get(7)?,
        outcome: r.get(8)?,
        step: r.get(9)?,
        context: serde_json::from_str(&context).unwrap_or(Value::Null),
        events: r.get(11)?,
    })
}

fn pg_call(r: &tokio_postgres::Row) -> Result<CallRow> {
    let context: String = r.try_get(10).map_err(store)?;
    Ok(CallRow {
        id: r.try_get(0).map_err(store)?,
        policy: r.try_get(1).map_err(store)?,
        version: r.try_get(2).map_err(store)?,
        actor: r.try_get(3).map_err(store)?,
        role: r.try_get(4).map_err(store)?,
        started_at: r.try_get(5).map_err(store)?,
        ended_at: r.try_get(6).map_err(store)?,
        status: r.try_get(7).map_err(store)?,
        outcome: r.try_get(8).map_err(store)?,
        step: r.try_get(9).map_err(store)?,
        context: serde_json::from_str(&context).unwrap_or(Value::Null),
        events: r.try_get(11).map_err(store)?,
    })
}

/// The `WHERE` clause of a [`Filter`], with `?N` or `$N` placeholders.
fn filter_sql(f: &Filter, placeholder: impl Fn(usize) -> String) -> (String, Vec<String>) {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    for (column, op, value) in [
        ("policy", "=", &f.policy),
        ("outcome", "=", &f.outcome),
        ("started_at", ">=", &f.since),
    ] {
        if let Some(v) = value {
            params.push(v.clone());
            clauses.push(format!("{column} {op} {}", placeholder(params.len())));
        }
    }
    let mut sql = String::new();
    if !clauses.is_empty() {
        sql = format!(" WHERE {}", clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY started_at, id");
    if let Some(n) = f.limit {
        sql.push_str(&format!(" LIMIT {}", n.max(0)));
    }
    (sql, params)
}

impl Records {
    /// Opens (and creates, if needed) the store at `address`.
    pub async fn open(address: &str) -> std::result::Result<Records, String> {
        if let Some(file) = address.strip_prefix("sqlite:") {
            let file = file.to_string();
            let conn = tokio::task::spawn_blocking(move || -> rusqlite::Result<_> {
                let c = rusqlite::Connection::open(&file)?;
                // WAL with full sync: a committed event survives a crash,
                // and readers do not wait for the writer.
                c.pragma_update(None, "journal_mode", "WAL")?;
                c.pragma_update(None, "synchronous", "FULL")?;
                c.busy_timeout(std::time::Duration::from_secs(5))?;
                c.execute_batch(SCHEMA)?;
                Ok(c)
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot open the SQLite records `{address}`: {e}"))?;
            return Ok(Records::Sqlite(Arc::new(Mutex::new(conn))));
        }
        if address.starts_with("postgres://") || address.starts_with("postgresql://") {
            let (client, connection) = tokio_postgres::connect(address, tokio_postgres::NoTls)
                .await
                .map_err(|e| format!("cannot connect to the PostgreSQL records: {e}"))?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    crate::serve::log::event(
                        "records_connection_lost",
                        &[("error", &e.to_string())],
                    );
                }
            });
            // Servers of a fleet may start together: one creates the tables.
            client
                .batch_execute(&format!(
                    "SELECT pg_advisory_lock(7301); {SCHEMA} SELECT pg_advisory_unlock(7301);"
                ))
                .await
                .map_err(|e| format!("cannot create the PostgreSQL record tables: {e}"))?;
            return Ok(Records::Postgres(Arc::new(tokio::sync::Mutex::new(client))));
        }
        Err(format!(
            "`{address}` is not a records address: use `sqlite:FILE` or `postgres://USER@HOST/DB`"
        ))
    }

    /// Stores a policy version's artifact (once).
    pub async fn put_version(&self, policy: &str, version: &str, artifact: &str) -> Result<()> {
        match self {
            Records::Sqlite(c) => {
                let (p, v, a) = (
                    policy.to_string(),
                    version.to_string(),
                    artifact.to_string(),
                );
                blocking(c, move |c| {
                    c.execute(
                        "INSERT OR IGNORE INTO policy_versions (version, policy, artifact) VALUES (?1, ?2, ?3)",
                        (&v, &p, &a),
                    )
                    .map_err(store)?;
                    Ok(())
                })
                .await
            }
            Records::Postgres(c) => {
                c.lock()
                    .await
                    .execute(
                        "INSERT INTO policy_versions (version, policy, artifact) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                        &[&version, &policy, &artifact],
                    )
                    .await
                    .map_err(store)?;
                Ok(())
            }
        }
    }

    /// A stored version's artifact.
    pub async fn version_artifact(&self, version: &str) -> Result<Option<String>> {
        match self {
            Records::Sqlite(c) => {
                let v = version.to_string();
                blocking(c, move |c| {
                    use rusqlite::OptionalExtension;
                    c.query_row(
                        "SELECT artifact FROM policy_versions WHERE version = ?1",
                        [&v],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(store)
                })
                .await
            }
            Records::Postgres(c) => {
                let rows = c
                    .lock()
                    .await
                    .query(
                        "SELECT artifact FROM policy_versions WHERE version = $1",
                        &[&version],
                    )
                    .await
                    .map_err(store)?;
                rows.first()
                    .map(|r| r.try_get(0).map_err(store))
                    .transpose()
            }
        }
    }

    /// Records a new call with its first events (the ones the start
    /// itself gave, if any), in one transaction.
    pub async fn create(&self, call: &CallRow, events: &[EventRow]) -> Result<()> {
        let context = call.context.to_string();
        match self {
            Records::Sqlite(c) => {
                let (call, events) = (call.clone(), events.to_vec());
                blocking(c, move |c| {
                    let tx = c.transaction().map_err(store)?;
                    tx.execute(
                        &format!("INSERT INTO calls ({CALL_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                        rusqlite::params![
                            call.id, call.policy, call.version, call.actor, call.role,
                            call.started_at, call.ended_at, call.status, call.outcome,
                            call.step, context, call.events
                        ],
                    )
                    .map_err(store)?;
                    for e in &events {
                        tx.execute(
                            "INSERT INTO events (call, seq, at, event) VALUES (?1, ?2, ?3, ?4)",
                            (&call.id, e.seq, &e.at, e.event.to_string()),
                        )
                        .map_err(store)?;
                    }
                    tx.commit().map_err(store)
                })
                .await
            }
            Records::Postgres(c) => {
                let mut client = c.lock().await;
                let tx = client.transaction().await.map_err(store)?;
                tx.execute(
                    &format!("INSERT INTO calls ({CALL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"),
                    &[
                        &call.id, &call.policy, &call.version, &call.actor, &call.role,
                        &call.started_at, &call.ended_at, &call.status, &call.outcome,
                        &call.step, &context, &call.events,
                    ],
                )
                .await
                .map_err(store)?;
                for e in events {
                    tx.execute(
                        "INSERT INTO events (call, seq, at, event) VALUES ($1, $2, $3, $4)",
                        &[&call.id, &e.seq, &e.at, &e.event.to_string()],
                    )
                    .await
                    .map_err(store)?;
                }
                tx.commit().await.map_err(store)
            }
        }
    }

    /// Appends one event to a call and updates where the call stands, in
    /// one transaction; [`RecordsError::Conflict`] when another event took
    /// its place first (the call's `events` was no longer `after`).
    pub async fn append(&self, call: &CallRow, after: i64, event: &EventRow) -> Result<()> {
        match self {
            Records::Sqlite(c) => {
                let (call, event) = (call.clone(), event.clone());
                blocking(c, move |c| {
                    let tx = c.transaction().map_err(store)?;
                    let changed = tx
                        .execute(
                            "UPDATE calls SET ended_at = ?1, status = ?2, outcome = ?3, step = ?4, events = ?5 WHERE id = ?6 AND events = ?7",
                            rusqlite::params![
                                call.ended_at, call.status, call.outcome, call.step,
                                call.events, call.id, after
                            ],
                        )
                        .map_err(store)?;
                    if changed != 1 {
                        return Err(RecordsError::Conflict);
                    }
                    tx.execute(
                        "INSERT INTO events (call, seq, at, event) VALUES (?1, ?2, ?3, ?4)",
                        (&call.id, event.seq, &event.at, event.event.to_string()),
                    )
                    .map_err(store)?;
                    tx.commit().map_err(store)
                })
                .await
            }
            Records::Postgres(c) => {
                let mut client = c.lock().await;
                let tx = client.transaction().await.map_err(store)?;
                let changed = tx
                    .execute(
                        "UPDATE calls SET ended_at = $1, status = $2, outcome = $3, step = $4, events = $5 WHERE id = $6 AND events = $7",
                        &[
                            &call.ended_at, &call.status, &call.outcome, &call.step,
                            &call.events, &call.id, &after,
                        ],
                    )
                    .await
                    .map_err(store)?;
                if changed != 1 {
                    return Err(RecordsError::Conflict);
                }
                let inserted = tx
                    .execute(
                        "INSERT INTO events (call, seq, at, event) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                        &[&call.id, &event.seq, &event.at, &event.event.to_string()],
                    )
                    .await
                    .map_err(store)?;
                if inserted != 1 {
                    return Err(RecordsError::Conflict);
                }
                tx.commit().await.map_err(store)
            }
        }
    }

    /// A call and its events, in order.
    pub async fn get(&self, id: &str) -> Result<Option<(CallRow, Vec<EventRow>)>> {
        match self {
            Records::Sqlite(c) => {
                let id = id.to_string();
                blocking(c, move |c| {
                    use rusqlite::OptionalExtension;
                    let call = c
                        .query_row(
                            &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"),
                            [&id],
                            sqlite_call,
                        )
                        .optional()
                        .map_err(store)?;
                    let Some(call) = call else { return Ok(None) };
                    let events = sqlite_events(c, &id)?;
                    Ok(Some((call, events)))
                })
                .await
            }
            Records::Postgres(c) => {
                let client = c.lock().await;
                let rows = client
                    .query(
                        &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1"),
                        &[&id],
                    )
                    .await
                    .map_err(store)?;
                let Some(row) = rows.first() else {
                    return Ok(None);
                };
                let call = pg_call(row)?;
                let events = pg_events(&client, id).await?;
                Ok(Some((call, events)))
            }
        }
    }

    /// The calls a filter selects, oldest first.
    pub async fn list(&self, filter: &Filter) -> Result<Vec<CallRow>> {
        match self {
            Records::Sqlite(c) => {
                let (clause, params) = filter_sql(filter, |n| format!("?{n}"));
                blocking(c, move |c| {
                    let mut stmt = c
                        .prepare(&format!("SELECT {CALL_COLUMNS} FROM calls{clause}"))
                        .map_err(store)?;
                    let rows = stmt
                        .query_map(rusqlite::params_from_iter(params.iter()), sqlite_call)
                        .map_err(store)?;
                    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(store)
                })
                .await
            }
            Records::Postgres(c) => {
                let (clause, params) = filter_sql(filter, |n| format!("${n}"));
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                let rows = c
                    .lock()
                    .await
                    .query(&format!("SELECT {CALL_COLUMNS} FROM calls{clause}"), &refs)
                    .await
                    .map_err(store)?;
                rows.iter().map(pg_call).collect()
            }
        }
    }

    /// The events of a call, in order.
    pub async fn events(&self, id: &str) -> Result<Vec<EventRow>> {
        match self {
            Records::Sqlite(c) => {
                let id = id.to_string();
                blocking(c, move |c| sqlite_events(c, &id)).await
            }
            Records::Postgres(c) => pg_events(&*c.lock().await, id).await,
        }
    }
}

fn event_row(seq: i64, at: String, event: &str) -> EventRow {
    EventRow {
        seq,
        at,
        event: serde_json::from_str(event).unwrap_or(Value::Null),
    }
}

fn sqlite_events(c: &rusqlite::Connection, id: &str) -> Result<Vec<EventRow>> {
    let mut stmt = c
        .prepare("SELECT seq, at, event FROM events WHERE call = ?1 ORDER BY seq")
        .map_err(store)?;
    let rows = stmt
        .query_map([id], |r| {
            let event: String = r.get(2)?;
            Ok(event_row(r.get(0)?, r.get(1)?, &event))
        })
        .map_err(store)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(store)
}

async fn pg_events(client: &tokio_postgres::Client, id: &str) -> Result<Vec<EventRow>> {
    let rows = client
        .query(
            "SELECT seq, at, event FROM events WHERE call = $1 ORDER BY seq",
            &[&id],
        )
        .await
        .map_err(store)?;
    rows.iter()
        .map(|r| {
            let event: String = r.try_get(2).map_err(store)?;
            Ok(event_row(
                r.try_get(0).map_err(store)?,
                r.try_get(1).map_err(store)?,
                &event,
            ))
        })
        .collect()
}
