//! Reading the service's call records from the command line:
//! `sopc records export` (JSON lines, one call with its events per line)
//! and `sopc report POLICY` (the report `GET /v1/reports/{policy}` gives).

use super::Exit;
use serde_json::json;
use sopc::serve::records::Filter;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct RecordsArgs {
    #[command(subcommand)]
    pub command: RecordsCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum RecordsCommand {
    /// Every call with its events, one JSON object per line, oldest first
    Export(ExportArgs),
}

/// Where the records are: as `sopc serve` has them by default.
#[derive(clap::Args, Debug)]
pub struct Store {
    /// `sqlite:FILE` or `postgres://USER@HOST/DB` (default: the file
    /// `sopc serve` writes beside `policies/`)
    #[arg(long, value_name = "ADDRESS")]
    pub records: Option<String>,
}

impl Store {
    fn address(&self) -> String {
        self.records
            .clone()
            .unwrap_or_else(|| super::serve::default_records(&PathBuf::from("policies")))
    }
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub store: Store,
    /// Only this policy's calls
    #[arg(long)]
    pub policy: Option<String>,
    /// Only calls started at or after this date or RFC 3339 instant
    #[arg(long)]
    pub since: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The policy (its file name without `.sop`)
    pub policy: String,
    #[command(flatten)]
    pub store: Store,
}

pub fn records(args: RecordsArgs) -> Exit {
    match args.command {
        RecordsCommand::Export(a) => export(a),
    }
}

fn fail(e: impl std::fmt::Display) -> Exit {
    eprintln!("error: {e}");
    Exit::Usage
}

fn export(args: ExportArgs) -> Exit {
    if let Some(since) = &args.since {
        if let Err(e) = sopc::date::Date::parse(since.get(..10).unwrap_or(since)) {
            return fail(format!(
                "`--since` must be a date or an RFC 3339 instant: {e}"
            ));
        }
    }
    let address = args.store.address();
    let job = async {
        let svc = sopc::serve::offline(&address).await?;
        let filter = Filter {
            policy: args.policy.clone(),
            since: args.since.clone(),
            ..Filter::default()
        };
        let calls = svc.records.list(&filter).await.map_err(|e| e.to_string())?;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for call in calls {
            let events = svc
                .records
                .events(&call.id)
                .await
                .map_err(|e| e.to_string())?;
            let events: Vec<_> = events
                .iter()
                .map(|e| json!({ "seq": e.seq, "at": e.at, "event": e.event }))
                .collect();
            let line = json!({ "call": call.to_json(), "events": events });
            writeln!(out, "{line}").map_err(|e| e.to_string())?;
        }
        Ok::<(), String>(())
    };
    match sopc::serve::block_on(job) {
        Ok(Ok(())) => Exit::Clean,
        Ok(Err(e)) | Err(e) => fail(e),
    }
}

pub fn report(args: ReportArgs) -> Exit {
    let address = args.store.address();
    let job = async {
        let svc = sopc::serve::offline(&address).await?;
        sopc::serve::api::report(&svc, &args.policy)
            .await
            .map_err(|e| e.json().to_string())
    };
    match sopc::serve::block_on(job) {
        Ok(Ok(v)) => {
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            Exit::Clean
        }
        Ok(Err(e)) => {
            println!("{e}");
            Exit::PolicyErrors
        }
        Err(e) => fail(e),
    }
}
