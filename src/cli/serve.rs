//! `sopc serve [DIR]`: the decision service over HTTP (`sopc::serve`,
//! docs/service.md).

use super::Exit;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The folder of policies to serve
    #[arg(default_value = "policies")]
    pub dir: PathBuf,
    /// The address to listen on (port 0: any free port, printed at start)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where call records go: `sqlite:FILE` or `postgres://USER@HOST/DB`
    /// (default: `sqlite:` a file `sopc-records.db` beside the folder)
    #[arg(long, value_name = "ADDRESS")]
    pub records: Option<String>,
    /// Require `Authorization: Bearer TOKEN` (also from SOPC_TOKEN); needed
    /// to listen beyond loopback
    #[arg(long)]
    pub token: Option<String>,
    /// Do not reload policies when their files change
    #[arg(long)]
    pub no_watch: bool,
    /// The largest request body, in bytes
    #[arg(long, default_value_t = 1 << 20)]
    pub body_limit: usize,
    /// The longest a request may take, in seconds
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

pub fn run(args: Args) -> Exit {
    if !args.dir.is_dir() {
        eprintln!(
            "error: `{}` is not a folder of policies",
            args.dir.display()
        );
        return Exit::Usage;
    }
    let records = args.records.unwrap_or_else(|| default_records(&args.dir));
    let token = args
        .token
        .or_else(|| std::env::var("SOPC_TOKEN").ok())
        .filter(|t| !t.is_empty());
    let opts = sopc::serve::Options {
        dir: args.dir,
        listen: args.listen,
        records,
        token,
        watch: !args.no_watch,
        body_limit: args.body_limit,
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    match sopc::serve::run(opts) {
        Ok(()) => Exit::Clean,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Usage
        }
    }
}

/// `sqlite:` a file beside the policy folder (not inside it: the folder is
/// what the SOP owners edit).
pub fn default_records(dir: &std::path::Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let beside = dir.parent().map(PathBuf::from).unwrap_or_default();
    format!("sqlite:{}", beside.join("sopc-records.db").display())
}
