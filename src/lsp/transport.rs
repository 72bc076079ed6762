//! The server's standard input and output: JSON-RPC messages framed by a
//! `Content-Length` header. lsp-server's own stdio transport stops at the
//! first malformed message; an editor's server must answer it instead (a
//! parse error, or an invalid request with its id) and read on.

use lsp_server::{Connection, Message};
use std::io::{self, BufRead, Read, Write};
use std::thread;

/// The largest message read: a policy is at most 256 MiB, and its JSON
/// (escaped) at most a few times that.
const MAX_MESSAGE_BYTES: usize = 1 << 30;

/// The threads that read standard input and write standard output.
pub struct IoThreads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<io::Result<()>>,
}

impl IoThreads {
    /// Waits for the writer to flush what the server sent. The reader has
    /// stopped at `exit` or at the end of the input.
    pub fn join(self) -> io::Result<()> {
        let _ = self.reader.join();
        self.writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer stopped")))
    }
}

/// A connection over standard input and output.
pub fn stdio() -> (Connection, IoThreads) {
    let (to_writer, from_server) = crossbeam_channel::unbounded::<Message>();
    let (to_server, from_reader) = crossbeam_channel::unbounded::<Message>();
    let writer = thread::spawn(move || {
        for msg in from_server {
            let mut out = io::stdout().lock();
            msg.write(&mut out)?;
        }
        Ok(())
    });
    let reader = thread::spawn(move || {
        let mut input = io::BufReader::new(io::stdin().lock());
        read_messages(
            &mut input,
            |msg| to_server.send(msg).is_ok(),
            |error| {
                let mut out = io::stdout().lock();
                let _ = write_frame(&mut out, &error.to_string());
            },
        );
    });
    (
        Connection {
            sender: to_writer,
            receiver: from_reader,
        },
        IoThreads { reader, writer },
    )
}

/// Reads messages until the input ends, `exit` is read or `deliver`
/// refuses one; answers each malformed one through `reply`.
pub fn read_messages(
    input: &mut impl BufRead,
    mut deliver: impl FnMut(Message) -> bool,
    mut reply: impl FnMut(serde_json::Value),
) {
    loop {
        let body = match read_frame(input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(Frame::Bad(why)) => {
                reply(error(serde_json::Value::Null, PARSE_ERROR, &why));
                continue;
            }
            Err(Frame::Io) => return,
        };
        match serde_json::from_slice::<Message>(&body) {
            Ok(msg) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if !deliver(msg) || exit {
                    return;
                }
            }
            Err(e) => match serde_json::from_slice::<serde_json::Value>(&body) {
                // JSON, but not a request, a response or a notification.
                Ok(value) => {
                    let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
                    reply(error(
                        id,
                        INVALID_REQUEST,
                        &format!("not a JSON-RPC message: {e}"),
                    ));
                }
                Err(e) => reply(error(
                    serde_json::Value::Null,
                    PARSE_ERROR,
                    &format!("the message is not JSON: {e}"),
                )),
            },
        }
    }
}

const PARSE_ERROR: i32 = lsp_server::ErrorCode::ParseError as i32;
const INVALID_REQUEST: i32 = lsp_server::ErrorCode::InvalidRequest as i32;

fn error(id: serde_json::Value, code: i32, message: &str) -> serde_json::Value {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    })
}

enum Frame {
    /// A frame that cannot be read; the next one can.
    Bad(String),
    /// The input failed.
    Io,
}

/// One message's body: headers up to an empty line, then
/// `Content-Length` bytes. `None` at the end of the input.
fn read_frame(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, Frame> {
    let mut length: Option<usize> = None;
    let mut bad: Option<String> = None;
    let mut any = false;
    loop {
        let mut line = String::new();
        match input.read_line(&mut line) {
            // The end of the input, maybe inside a header: nothing to answer.
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                bad = Some("a header that is not text".into());
                any = true;
                continue;
            }
            Err(_) => return Err(Frame::Io),
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if any {
                break;
            }
            // Blank lines between messages.
            continue;
        }
        any = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        bad = Some(format!(
                            "`Content-Length: {}` is not a length",
                            value.trim()
                        ))
                    }
                }
            }
        } else {
            bad = Some(format!("`{line}` is not a header"));
        }
    }
    let Some(length) = length else {
        return Err(Frame::Bad(
            bad.unwrap_or_else(|| "a message without `Content-Length`".into()),
        ));
    };
    if length > MAX_MESSAGE_BYTES {
        // Read past it, so that the next message is read whole.
        let skipped =
            io::copy(&mut input.take(length as u64), &mut io::sink()).map_err(|_| Frame::Io)?;
        if skipped < length as u64 {
            return Ok(None);
        }
        return Err(Frame::Bad(format!(
            "a message of {length} bytes; sopc reads at most {MAX_MESSAGE_BYTES}"
        )));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body) {
        Ok(()) => Ok(Some(body)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(_) => Err(Frame::Io),
    }
}

fn write_frame(out: &mut impl Write, body: &str) -> io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// What the reader delivers and answers, in order.
    fn read(input: &str) -> (Vec<String>, Vec<serde_json::Value>) {
        let mut delivered = Vec::new();
        let mut replies = Vec::new();
        read_messages(
            &mut io::Cursor::new(input.as_bytes()),
            |m| {
                delivered.push(match m {
                    Message::Request(r) => r.method,
                    Message::Notification(n) => n.method,
                    Message::Response(_) => "response".into(),
                });
                true
            },
            |r| replies.push(r),
        );
        (delivered, replies)
    }

    #[test]
    fn answers_malformed_messages_and_reads_on() {
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7}"#),
            "Content-Length: x\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            frame(r#"{"jsonrpc":"2.0","method":"after-exit"}"#),
        ]
        .concat();
        let (delivered, replies) = read(&input);
        assert_eq!(delivered, ["initialized", "exit"]);
        let codes: Vec<(serde_json::Value, i64)> = replies
            .iter()
            .map(|r| (r["id"].clone(), r["error"]["code"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            codes,
            [
                (serde_json::Value::Null, -32700),
                (serde_json::json!(7), -32600),
                (serde_json::Value::Null, -32700)
            ]
        );
    }

    #[test]
    fn stops_at_the_end_of_the_input() {
        let (delivered, replies) = read(&frame(r#"{"jsonrpc":"2.0","method":"a"}"#)[..20]);
        assert!(delivered.is_empty() && replies.is_empty());
    }
}
