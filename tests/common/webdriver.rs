//! A real Chromium driven through chromedriver. WebDriver is HTTP and
//! JSON, so this is a few requests over a plain socket, no client crate.
//! `Browser::start` says why it cannot run (no chromium, no chromedriver),
//! and the tests skip with that note.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key W3C WebDriver gives an element reference under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a wait for the page lasts before the test fails.
const PATIENCE: Duration = Duration::from_secs(15);

pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    profile: PathBuf,
}

/// An element on the page.
#[derive(Clone, Debug)]
pub struct El(String);

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Debian's Chromium: its binary itself when installed where Debian puts
/// it (the `chromium` on PATH is a wrapper script).
fn chromium() -> Option<PathBuf> {
    let debian = Path::new("/usr/lib/chromium/chromium");
    if debian.is_file() {
        return Some(debian.to_path_buf());
    }
    find_program(&["chromium", "chromium-browser", "google-chrome"])
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// A headless Chromium with a fresh profile and a window of
    /// `width`×`height`; `Err` says which program is not installed. One
    /// that is installed and fails is a test failure, not a skip.
    pub fn start(width: u32, height: u32) -> Result<Browser, String> {
        let driver_path = find_program(&["chromedriver"])
            .ok_or("chromedriver is not installed (apt-get install chromium-driver)")?;
        let chrome = chromium().ok_or("chromium is not installed (apt-get install chromium)")?;
        let port = free_port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver does not start: {e}"));
        let profile =
            std::env::temp_dir().join(format!("sopc-chromium-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let mut b = Browser {
            driver,
            port,
            session: String::new(),
            profile,
        };
        let started = Instant::now();
        while b.http("GET", "/status", None).is_err() {
            if started.elapsed() > PATIENCE {
                panic!("chromedriver does not answer");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", b.profile.display()),
                    format!("--window-size={width},{height}"),
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let v = b
            .http("POST", "/session", Some(&caps))
            .unwrap_or_else(|e| panic!("chromium does not start: {e}"));
        b.session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromium does not start: {v}"))
            .to_string();
        Ok(b)
    }

    /// One WebDriver request; a WebDriver error is an `Err` with its message.
    fn http(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .map_err(|e| e.to_string())?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.port,
            body.len()
        );
        s.write_all(head.as_bytes())
            .and_then(|_| s.write_all(body.as_bytes()))
            .map_err(|e| e.to_string())?;
        // chromedriver keeps the connection open: read the head, then as
        // many bytes as it announces.
        let mut out = Vec::new();
        let mut buf = [0u8; 8192];
        let head_end = loop {
            if let Some(i) = out.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = s.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the connection closed before a response".into());
            }
            out.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8_lossy(&out[..head_end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|n| n.trim().parse::<usize>().ok());
        match length {
            Some(n) => {
                while out.len() < head_end + n {
                    let k = s.read(&mut buf).map_err(|e| e.to_string())?;
                    if k == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..k]);
                }
            }
            None => {
                s.read_to_end(&mut out).map_err(|e| e.to_string())?;
            }
        }
        let rest = String::from_utf8_lossy(&out[head_end..]).into_owned();
        let rest = if head.contains("transfer-encoding: chunked") {
            dechunk(&rest)
        } else {
            rest
        };
        let v: Value = serde_json::from_str(&rest).map_err(|e| format!("{e}: {rest}"))?;
        if let Some(e) = v["value"]["error"].as_str() {
            return Err(format!("{e}: {}", v["value"]["message"]));
        }
        Ok(v)
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.http(method, &path, body.as_ref())
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))["value"]
            .take()
    }

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// The elements `css` selects now.
    pub fn all(&self, css: &str) -> Vec<El> {
        self.cmd(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e[ELEMENT].as_str().map(|s| El(s.to_string())))
                .collect()
        })
        .unwrap_or_default()
    }

    /// The first element `css` selects, once there is one.
    pub fn find(&self, css: &str) -> El {
        let started = Instant::now();
        loop {
            if let Some(e) = self.all(css).into_iter().next() {
                return e;
            }
            if started.elapsed() > PATIENCE {
                panic!("no `{css}` on the page; it shows:\n{}", self.text_of_page());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `test` holds of the page's text; fails with the text.
    pub fn wait_text(&self, what: &str, test: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let t = self.text_of_page();
            if test(&t) {
                return t;
            }
            if started.elapsed() > PATIENCE {
                panic!("the page never showed {what}; it shows:\n{t}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the script returns `true`.
    pub fn wait_until(&self, what: &str, script: &str) {
        let started = Instant::now();
        while self.script(script, json!([])) != json!(true) {
            if started.elapsed() > PATIENCE {
                panic!(
                    "waited in vain for {what}; the page shows:\n{}",
                    self.text_of_page()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn text_of_page(&self) -> String {
        self.script("return document.body.innerText;", json!([]))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn click(&self, e: &El) {
        self.cmd("POST", &format!("/element/{}/click", e.0), Some(json!({})));
    }

    /// Types into an element, as keys pressed one by one.
    pub fn type_into(&self, e: &El, text: &str) {
        self.cmd(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        );
    }

    pub fn clear(&self, e: &El) {
        self.cmd("POST", &format!("/element/{}/clear", e.0), Some(json!({})));
    }

    pub fn text(&self, e: &El) -> String {
        self.cmd("GET", &format!("/element/{}/text", e.0), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn attribute(&self, e: &El, name: &str) -> Option<String> {
        self.cmd("GET", &format!("/element/{}/attribute/{name}", e.0), None)
            .as_str()
            .map(str::to_string)
    }

    pub fn property(&self, e: &El, name: &str) -> Value {
        self.cmd("GET", &format!("/element/{}/property/{name}", e.0), None)
    }

    /// Presses keys on whatever has the focus, as a person would.
    pub fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({ "type": "keyDown", "value": k.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": k.to_string() }));
        }
        self.cmd(
            "POST",
            "/actions",
            Some(json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] })),
        );
        self.cmd("DELETE", "/actions", None);
    }

    pub fn set_window(&self, width: u32, height: u32) {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    /// Saves a PNG of the page as `target/console-screenshots/NAME.png`;
    /// its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let data = self.cmd("GET", "/screenshot", None);
        let png = base64(data.as_str().expect("a screenshot"));
        assert!(png.starts_with(b"\x89PNG"), "a screenshot is a PNG");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/console-screenshots");
        std::fs::create_dir_all(&dir).expect("the screenshots' folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("the screenshot is written");
        path
    }

    /// What the page logged to the console at level SEVERE (errors,
    /// failed loads, refused by the Content-Security-Policy).
    pub fn console_errors(&self) -> Vec<String> {
        let v = self.cmd("POST", "/se/log", Some(json!({ "type": "browser" })));
        v.as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = self.http("DELETE", &path, None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Standard base64, as WebDriver sends a screenshot.
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
