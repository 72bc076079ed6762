//! `sopc lsp`: the language server, over standard input and output, for
//! editors (docs/editor.md). Each document is checked with the levels of
//! the nearest `sopc.toml` above its file, as `sopc check` does.

use super::Exit;
use sopc::date::Date;
use sopc::lsp::{self, End};
use sopc::pipeline::CheckOptions;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The date `review-overdue` compares against (YEAR-MONTH-DAY; default today)
    #[arg(long)]
    pub today: Option<String>,
    /// Accepted for editors that pass it; standard input and output are
    /// the only transport
    #[arg(long, hide = true)]
    pub stdio: bool,
}

pub fn run(args: Args) -> Exit {
    let today = match &args.today {
        Some(t) => match Date::parse(t) {
            Ok(d) => d,
            Err(e) => return super::usage_error(format!("`--today {t}` is not a date: {e}")),
        },
        None => super::check::today_utc(),
    };
    // A bug in one request is answered with an error and the server goes
    // on: say what happened on standard error (the editor's log), without
    // the CLI's hook, which ends the process.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("sopc lsp: internal error{location}; this is a bug in sopc");
    }));
    let config = lsp::Config {
        options: Box::new(move |uri| {
            let mut opts = CheckOptions::default();
            opts.check.today = Some(today);
            if let Some(path) = file_path(uri.as_str()) {
                match sopc::config::levels_for(&path) {
                    Ok(levels) => opts.levels = levels,
                    Err(e) => eprintln!("sopc lsp: {e}"),
                }
            }
            opts
        }),
        file_of: Box::new(|uri| file_path(uri.as_str()).map(|p| p.display().to_string())),
        files: Box::new(sopc::sources::DiskFiles),
    };
    let (connection, io) = lsp::transport::stdio();
    let end = lsp::serve(connection, config);
    if let Err(e) = io.join() {
        eprintln!("sopc lsp: {e}");
    }
    match end {
        End::Clean => Exit::Clean,
        // The protocol asks for 1 when `exit` comes without `shutdown`.
        End::Abrupt => Exit::PolicyErrors,
    }
}

/// The file a `file:` URI names (percent-decoded), if it is one.
fn file_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path`: only the local host's files are read.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let path = String::from_utf8(out).ok()?;
    // `/C:/policies/a.sop` on Windows.
    #[cfg(windows)]
    let path = match path.as_bytes() {
        [b'/', d, b':', ..] if d.is_ascii_alphabetic() => path[1..].to_string(),
        _ => path,
    };
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_uris_name_files() {
        let p = super::file_path("file:///tmp/my%20policies/a.sop").unwrap();
        assert_eq!(p, std::path::PathBuf::from("/tmp/my policies/a.sop"));
        assert!(super::file_path("untitled:Untitled-1").is_none());
    }
}
