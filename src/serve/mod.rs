//! `sopc serve`: the decision service. Policies from a folder (reloaded
//! when their files change), stateless evaluation, calls whose every event
//! is recorded before the answer goes out, reports from those records,
//! metrics, and the OpenAPI document that describes it all
//! (`docs/openapi.json`).
//!
//! `api.rs` the routes and handlers, `calls.rs` a call as the replay of its
//! events (`view.rs` what a console shows of it), `console.rs` the analyst
//! console's page, `records.rs` the SQLite and PostgreSQL stores, `library.rs` the
//! policy folder, `reports.rs` the reports, `metrics.rs` and `log.rs` what
//! an operator watches.

pub mod api;
pub mod calls;
pub mod clock;
pub mod console;
pub mod library;
pub mod log;
pub mod metrics;
pub mod records;
pub mod reports;
pub mod view;

use library::Library;
use records::Records;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// How a server is set up.
#[derive(Clone, Debug)]
pub struct Options {
    /// The folder of `.sop` files.
    pub dir: PathBuf,
    pub listen: SocketAddr,
    /// `sqlite:FILE` or `postgres://…`.
    pub records: String,
    /// Required as `Authorization: Bearer TOKEN` on `/v1/` when set.
    pub token: Option<String>,
    /// Reload policies when their files change.
    pub watch: bool,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// The longest a request may take.
    pub timeout: Duration,
}

/// What every handler shares.
pub struct Service {
    pub dir: PathBuf,
    pub library: RwLock<Library>,
    pub records: Records,
    pub metrics: metrics::Metrics,
    pub token: Option<String>,
    pub timeout: Duration,
    /// Versions whose artifact the records hold.
    stored: Mutex<HashSet<String>>,
}

pub type Shared = Arc<Service>;

/// Runs a server until it is told to stop (Ctrl-C or SIGTERM); requests in
/// flight are finished first. An error is a sentence for the operator.
pub fn run(opts: Options) -> Result<(), String> {
    if !opts.listen.ip().is_loopback() && opts.token.is_none() {
        return Err(format!(
            "refusing to listen on {} without a token: give --token (or SOPC_TOKEN), or listen on loopback",
            opts.listen
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
    runtime.block_on(serve(opts))
}

/// A service over `records` that serves no policy: what `sopc report`
/// and `sopc records export` read the records through (each version's
/// engine comes from the records themselves).
pub async fn offline(records: &str) -> Result<Shared, String> {
    Ok(Arc::new(Service {
        dir: PathBuf::new(),
        library: RwLock::new(Library::default()),
        records: Records::open(records).await?,
        metrics: metrics::Metrics::default(),
        token: None,
        timeout: Duration::from_secs(30),
        stored: Mutex::new(HashSet::new()),
    }))
}

/// Runs `job` on a runtime of its own (for the command line).
pub fn block_on<T>(job: impl std::future::Future<Output = T>) -> Result<T, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    Ok(runtime.block_on(job))
}

async fn serve(opts: Options) -> Result<(), String> {
    let records = Records::open(&opts.records).await?;
    let svc = Arc::new(Service {
        dir: opts.dir.clone(),
        library: RwLock::new(Library::default()),
        records,
        metrics: metrics::Metrics::default(),
        token: opts.token.clone(),
        timeout: opts.timeout,
        stored: Mutex::new(HashSet::new()),
    });
    reload(&svc)
        .await
        .map_err(|e| format!("cannot read the policies in `{}`: {e}", opts.dir.display()))?;
    let _watcher = if opts.watch {
        Some(watch(svc.clone())?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the address listened on: {e}"))?;
    // The one line on standard output: where the server is (with port 0,
    // the port the system chose).
    println!("sopc serve: listening on http://{address}");
    log::event("listening", &[("address", &address.to_string())]);
    let app = api::router(svc.clone(), opts.body_limit);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| format!("the server stopped: {e}"))?;
    log::event("stopped", &[]);
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    log::event("stopping", &[]);
}

/// Reads the folder again, stores each new version's artifact in the
/// records, and logs what changed.
pub async fn reload(svc: &Shared) -> std::io::Result<()> {
    let job = svc.clone();
    let done = tokio::task::spawn_blocking(move || {
        let mut lib = job
            .library
            .write()
            .map_err(|_| std::io::Error::other("the library's lock is poisoned"))?;
        lib.reload(&job.dir)
    })
    .await
    .map_err(std::io::Error::other)??;
    for (policy, version, artifact) in &done.versions {
        store_version(svc, policy, version, artifact).await;
        log::event("policy_loaded", &[("policy", policy), ("version", version)]);
    }
    for policy in &done.failed {
        svc.metrics.reload_failed();
        log::event("policy_rejected", &[("policy", policy)]);
    }
    for policy in &done.retired {
        log::event("policy_retired", &[("policy", policy)]);
    }
    Ok(())
}

/// Keeps a version's artifact in the records, once per process.
async fn store_version(svc: &Shared, policy: &str, version: &str, artifact: &str) -> bool {
    if svc
        .stored
        .lock()
        .map(|s| s.contains(version))
        .unwrap_or(false)
    {
        return true;
    }
    match svc.records.put_version(policy, version, artifact).await {
        Ok(()) => {
            if let Ok(mut s) = svc.stored.lock() {
                s.insert(version.to_string());
            }
            true
        }
        Err(e) => {
            log::event("records_error", &[("error", &e.to_string())]);
            false
        }
    }
}

/// Watches the folder and the folders below it (where libraries may be);
/// each burst of changes is one reload.
fn watch(svc: Shared) -> Result<notify::RecommendedWatcher, String> {
    use notify::Watcher;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
        if e.is_ok() {
            let _ = tx.send(());
        }
    })
    .map_err(|e| format!("cannot watch the policies: {e}"))?;
    watcher
        .watch(&svc.dir, notify::RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch `{}`: {e}", svc.dir.display()))?;
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // An editor's save is several events: wait for the burst to end.
            tokio::time::sleep(Duration::from_millis(150)).await;
            while rx.try_recv().is_ok() {}
            if let Err(e) = reload(&svc).await {
                svc.metrics.reload_failed();
                log::event("reload_failed", &[("error", &e.to_string())]);
            }
        }
    });
    Ok(watcher)
}
