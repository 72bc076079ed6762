//! The analyst console in a real browser: Debian's Chromium, driven through
//! chromedriver, against a real `sopc serve` on loopback. Each test walks a
//! call as an analyst would (clicks, number keys, typing) and saves a
//! screenshot of its last page under `target/console-screenshots/`.
//! Without chromium or chromedriver the tests say so and pass: `.ci/run`
//! installs both. `SOPC_DOCS_SCREENSHOTS=1` also copies the two pictures
//! of `docs/console.md` into `docs/console/`.

mod common;

use common::server::Server;
use common::webdriver::{Browser, El, ENTER, TAB};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One browser at a time: the machines that run this have few cores.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

/// A laptop's window.
const LAPTOP: (u32, u32) = (1280, 900);

struct Setup {
    server: Server,
    browser: Browser,
    records: PathBuf,
    _lock: std::sync::MutexGuard<'static, ()>,
}

impl Setup {
    fn url(&self, fragment: &str) -> String {
        format!("http://{}/{fragment}", self.server.address)
    }

    /// The call's id, as the page shows it.
    fn call_id(&self) -> String {
        self.browser.text(&self.browser.find("#call-id"))
    }

    /// How many events the call on the page has recorded.
    fn events(&self) -> u64 {
        self.browser
            .script(
                "return document.getElementById('main').dataset.events;",
                json!([]),
            )
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// Waits until the page shows the call after `n` events.
    fn wait_events(&self, n: u64) {
        self.browser.wait_until(
            &format!("the call after {n} events"),
            &format!("return document.getElementById('main').dataset.events === '{n}';"),
        );
    }

    /// Presses an answer's number key and waits for the next step.
    fn key(&self, k: &str) {
        let before = self.events();
        self.browser.keys(k);
        self.wait_events(before + 1);
    }

    /// Clicks and waits for the call to take one more event.
    fn click_event(&self, e: &El) {
        let before = self.events();
        self.browser.click(e);
        self.wait_events(before + 1);
    }

    /// The page's heading: "Step N Title".
    fn heading(&self) -> String {
        self.browser.text(&self.browser.find("#page-title"))
    }

    /// The call's record, as the service keeps it.
    fn record(&self, id: &str) -> Value {
        let r = self.server.get(&format!("/v1/calls/{id}/record"));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    }

    /// A screenshot of the whole page: the window made as tall as it.
    fn finish(&self, name: &str) -> PathBuf {
        let b = &self.browser;
        let height = b
            .script("return document.documentElement.scrollHeight;", json!([]))
            .as_u64()
            .unwrap_or(u64::from(LAPTOP.1));
        let width = b
            .script("return window.outerWidth;", json!([]))
            .as_u64()
            .unwrap_or(u64::from(LAPTOP.0));
        // The window's frame takes about 150 pixels of its height.
        b.set_window(width as u32, (height + 150).clamp(400, 4000) as u32);
        b.screenshot(name)
    }
}

fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

/// A server on the shipped policies with its own records, and a browser;
/// `None` (with a note) when there is no browser to drive.
fn setup(test: &str) -> Option<Setup> {
    let lock = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let browser = match Browser::start(LAPTOP.0, LAPTOP.1) {
        Ok(b) => b,
        Err(why) => {
            // CI installs the browser: there, its absence is a failure.
            if std::env::var_os("SOPC_REQUIRE_BROWSER").is_some() {
                panic!("SOPC_REQUIRE_BROWSER is set and no browser can be driven: {why}");
            }
            eprintln!("note: the console's browser tests are skipped: {why}");
            return None;
        }
    };
    let dir = common::temp_dir(&format!("console-{test}"));
    let records = dir.join("calls.db");
    let _ = std::fs::remove_file(&records);
    let server = Server::start(
        &policies(),
        &["--records", &format!("sqlite:{}", records.display())],
    );
    Some(Setup {
        server,
        browser,
        records,
        _lock: lock,
    })
}

/// The number `sopc doc` gives the step titled `title`.
fn doc_number(policy: &str, title: &str) -> usize {
    let run = common::sopc(&["doc", &format!("policies/{policy}.sop")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .find(|l| l.contains(&format!("**{title}.**")))
        .and_then(|l| l.trim_start_matches('|').split('|').next())
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("`sopc doc` has no step titled {title:?}"))
}

/// Fills a form field of the data to collect.
fn fill(s: &Setup, field: &str, value: &str) -> El {
    let input = s.browser.find(&format!("#data-{field}"));
    s.browser.clear(&input);
    s.browser.type_into(&input, value);
    input
}

/// The HAC parent whose password validation fails, walked with number keys
/// to the ticket to Jennifer Miller: the step numbers are `sopc doc`'s, the
/// secrets are masked on the page and redacted in the records, and the
/// ticket shows each section with the values typed.
#[test]
fn hac_parent_whose_validation_fails_gets_the_jennifer_miller_ticket() {
    let Some(s) = setup("hac-parent") else { return };
    let b = &s.browser;
    b.goto(&s.url(""));
    let start =
        b.find("button[aria-label='Start a call: Supporting the Home Access Center (HAC)']");
    b.click(&start);
    b.wait_until(
        "the first step",
        "return document.getElementById('main').dataset.events === '0';",
    );
    assert_eq!(
        s.heading(),
        format!(
            "Step {} Find out who is calling about HAC",
            doc_number("hac", "Find out who is calling about HAC")
        )
    );
    // The answers are buttons with the answers' words and number keys.
    let answers: Vec<String> = b.all("button.answer").iter().map(|e| b.text(e)).collect();
    assert_eq!(answers, ["1 Parent", "2 Student"]);
    s.key("1"); // parent
    s.key("1"); // has the parent login: yes
    for _ in 0..3 {
        assert!(s.heading().contains("check capitals"), "{}", s.heading());
        s.key("2"); // capitals do not work
    }
    s.key("1"); // the login id is correct
    let title = "Seed step 4: try logging in for the parent";
    assert_eq!(
        s.heading(),
        format!("Step {} {title}", doc_number("hac", title))
    );
    let page = b.text_of_page();
    assert!(
        page.contains("“I am going to try to validate your password.”"),
        "{page}"
    );
    let note = b.find(".note");
    // Muted, and read as a note.
    assert_eq!(
        b.text(&note),
        "Note:\nDo not tell the parent you are logging in to the child's account."
    );

    // The secrets are typed into masked fields, and never shown again.
    let login = fill(&s, "parent_login_id", "PL-77-secret");
    let password = fill(&s, "parent_password", "Hunter2-secret");
    assert_eq!(b.attribute(&login, "type").as_deref(), Some("password"));
    assert_eq!(b.attribute(&password, "type").as_deref(), Some("password"));
    s.click_event(&b.find("form.collect button[type=submit]"));
    s.key("2"); // the login did not work
    assert_eq!(
        b.script(
            "return document.getElementById('main').dataset.status;",
            json!([])
        ),
        "complete"
    );

    // The ticket's data are collected at the step that files it.
    fill(&s, "student_name", "Ann Example");
    fill(&s, "student_number", "S123456");
    fill(&s, "callback_phone", "555-0100");
    s.click_event(&b.find("form.collect button[type=submit]"));
    let ticket = b.text(&b.find(".summary .ticket"));
    assert!(
        ticket.contains("Ticket to Jennifer Miller in iSupport"),
        "{ticket}"
    );
    assert!(
        ticket.contains("HAC parent login not working for Ann Example"),
        "{ticket}"
    );
    let body_at = ticket.find("Body").expect("a body section");
    let assignee_at = ticket
        .find("Assignee section only")
        .expect("an assignee section");
    let (body, assignee) = (&ticket[body_at..assignee_at], &ticket[assignee_at..]);
    for v in ["Ann Example", "S123456", "555-0100"] {
        assert!(body.contains(v), "{body}");
    }
    assert!(
        assignee.contains("Parent HAC password\n[redacted]"),
        "{assignee}"
    );
    let page = b.text_of_page();
    assert!(
        page.contains("The call ended: A ticket was filed for follow-up"),
        "{page}"
    );
    assert!(
        page.contains("Escalation: Jennifer Miller (iSupport)"),
        "{page}"
    );
    for secret in ["PL-77-secret", "Hunter2-secret"] {
        assert!(!page.contains(secret), "the page shows a secret:\n{page}");
    }

    // The records: the secrets redacted, the rest as given.
    let id = s.call_id();
    let record = s.record(&id).to_string();
    for secret in ["PL-77-secret", "Hunter2-secret"] {
        assert!(
            !record.contains(secret),
            "the record holds a secret: {record}"
        );
    }
    assert!(
        record.contains("[redacted]") && record.contains("Ann Example"),
        "{record}"
    );
    let call = s.server.get(&format!("/v1/calls/{id}")).json();
    assert_eq!(call["outcome"]["outcome"], "escalated");
    assert_eq!(call["to_collect"], json!([]));

    assert_eq!(b.console_errors(), Vec::<String>::new());
    s.finish("hac-parent-ticket");
    copy_to_docs(&s, "summary");
}

/// The student whose web access is off is referred to the Registrar; the
/// summary says to whom, and its path is the steps walked.
#[test]
fn student_without_web_access_is_referred_to_the_registrar() {
    let Some(s) = setup("student") else { return };
    let b = &s.browser;
    b.goto(&s.url("#/start/hac"));
    s.wait_events(0);
    s.key("2"); // student
    s.key("1"); // can log in to the computer
    assert!(s.heading().contains("check web access in eSchool Plus"));
    // The actions are a checklist.
    let boxes = b.all(".actions input[type=checkbox]");
    assert_eq!(boxes.len(), 2);
    b.click(&boxes[0]);
    assert_eq!(b.property(&boxes[0], "checked"), json!(true));
    s.key("2"); // no check in the box
    let page = b.wait_text("the summary", |t| t.contains("The call ended"));
    assert!(
        page.contains("“Please contact your school Registrar to have web access turned on.”"),
        "{page}"
    );
    assert!(page.contains("Referral: School Registrar"), "{page}");
    let path: Vec<String> = b
        .all(".summary-path li")
        .iter()
        .map(|e| b.text(e))
        .collect();
    let n = |t: &str| doc_number("hac", t);
    assert_eq!(
        path,
        [
            format!(
                "Step {}: Find out who is calling about HAC",
                n("Find out who is calling about HAC")
            ),
            format!(
                "Step {}: Seed step 8: HAC (Student Login) Procedure",
                n("Seed step 8: HAC (Student Login) Procedure")
            ),
            format!(
                "Step {}: Seed step 8: check web access in eSchool Plus",
                n("Seed step 8: check web access in eSchool Plus")
            ),
            format!(
                "Step {}: Seed step 9: no check, refer to the school Registrar",
                n("Seed step 9: no check, refer to the school Registrar")
            ),
        ]
    );
    // The summary's copy and print buttons are there (printing itself
    // would open a dialog).
    b.find("#copy-summary");
    b.find("#print");
    s.finish("student-registrar");
}

/// `back` undoes the last answer: the page goes back a step, the record
/// keeps the `back`, and the call goes on another way.
#[test]
fn back_in_the_middle_of_a_call_undoes_the_last_answer() {
    let Some(s) = setup("back") else { return };
    let b = &s.browser;
    b.goto(&s.url("#/start/hac"));
    s.wait_events(0);
    let back = b.find("#back");
    assert_eq!(b.property(&back, "disabled"), json!(true));
    s.key("1"); // parent
    s.key("2"); // no parent login
    assert!(s.heading().contains("urgent"), "{}", s.heading());
    s.click_event(&b.find("#back"));
    assert!(
        s.heading()
            .contains("ask whether the parent has their own login"),
        "{}",
        s.heading()
    );
    let path: Vec<String> = b.all(".path li").iter().map(|e| b.text(e)).collect();
    assert_eq!(path.len(), 2, "{path:?}");
    s.key("3"); // using the student's login
    let page = b.wait_text("the summary", |t| t.contains("The call ended"));
    assert!(
        page.contains(
            "“Please check with your child for their current login and password information.”"
        ),
        "{page}"
    );
    let record = s.record(&s.call_id());
    let kinds: Vec<&str> = record["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["event"]["type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["answer", "answer", "back", "answer"]);
    s.finish("back");
}

/// A standing rule is a button always in view; raising it ends the call
/// where the rule says. The host's facts given at the start are shown.
#[test]
fn a_standing_rule_raised_from_its_button() {
    let Some(s) = setup("standing") else { return };
    let b = &s.browser;
    b.goto(&s.url("#/start/voicemail-emergency?after_hours=no"));
    s.wait_events(0);
    let host = b.text(&b.find(".host"));
    assert!(
        host.contains("Is it after hours or a holiday?\nNo"),
        "{host}"
    );
    let rules: Vec<String> = b.all("button.rule").iter().map(|e| b.text(e)).collect();
    assert!(
        rules.contains(&"The CM is unsure what to do".to_string()),
        "{rules:?}"
    );
    // In view without scrolling, on a laptop and on a phone.
    for (w, h) in [LAPTOP, (390, 844)] {
        b.set_window(w, h);
        let visible = b.script(
            "const b = [...document.querySelectorAll('button.rule')];
             const r = b[0].getBoundingClientRect();
             // Each label wraps inside its button rather than overflowing.
             const fits = b.every(x => x.scrollWidth <= x.clientWidth);
             return r.top >= 0 && r.bottom <= window.innerHeight && r.width > 0 && fits;",
            json!([]),
        );
        assert_eq!(visible, json!(true), "the rule is out of view at {w}×{h}");
    }
    b.set_window(LAPTOP.0, LAPTOP.1);
    s.key("2"); // only a name and a number
    let unsure = b.find("button.rule[data-rule=unsure]");
    s.click_event(&unsure);
    let page = b.wait_text("the summary", |t| t.contains("The call ended"));
    assert!(
        page.contains("the CM was unsure and called the Chief CM"),
        "{page}"
    );
    let record = s.record(&s.call_id());
    assert_eq!(
        record["events"][1]["event"],
        json!({ "type": "raise", "rule": "unsure" })
    );
    s.finish("standing-rule");
}

/// An ending the SOP leaves open says so in the summary, with its note,
/// and the copied summary carries it.
#[test]
fn an_open_question_ends_the_call_with_its_gap_note() {
    let Some(s) = setup("gap") else { return };
    let b = &s.browser;
    b.goto(&s.url("#/start/voicemail-emergency?after_hours=yes"));
    s.wait_events(0);
    let page = b.wait_text("the summary", |t| t.contains("The call ended"));
    let note = "The source does not say how to handle a voicemail after hours or on a holiday";
    assert!(
        page.contains(&format!("Open question in the SOP: {note}")),
        "{page}"
    );
    let text = b.script("return summaryText(current);", json!([]));
    let text = text.as_str().unwrap_or_default();
    assert!(
        text.contains(&format!("Open questions in the SOP:\n  {note}")),
        "{text}"
    );
    assert!(
        text.contains("Path:\n  1. S1 (GAP): after hours or on a holiday"),
        "{text}"
    );
    s.finish("gap");
}

/// A value that breaks a value rule is refused as it is typed, and never
/// sent; the right one is taken. Then the verification's checklist
/// decides itself. (The SIM swap: a secret 6-digit code.)
#[test]
fn a_wrong_value_is_refused_by_its_value_rule() {
    let Some(s) = setup("value-rule") else { return };
    let b = &s.browser;
    b.goto(&s.url("#/start/sim-swap?channel=chat_logged_in"));
    s.wait_events(0);
    let host = b.text(&b.find(".host"));
    assert!(
        host.contains("Where the request arrived\nChat, customer logged in"),
        "{host}"
    );
    s.key("1"); // a SIM swap
    s.key("1"); // the location matches
    s.key("1"); // the line is active
    let wait = b.text_of_page();
    assert!(wait.contains("resume it by id"), "{wait}");
    s.key("1"); // the customer replied
    assert!(
        s.heading().contains("the code must match"),
        "{}",
        s.heading()
    );
    let otp = fill(&s, "otp", "12a45");
    assert_eq!(b.attribute(&otp, "type").as_deref(), Some("password"));
    let error = b.find("#data-otp-error");
    assert_eq!(b.text(&error), "The rule is: exactly 6 characters.");
    assert_eq!(b.attribute(&otp, "aria-invalid").as_deref(), Some("true"));
    fill(&s, "otp", "12a456");
    assert_eq!(b.text(&error), "The rule is: matches `[0-9]{6}`.");
    let events = s.events();
    b.click(&b.find("form.collect button[type=submit]"));
    // Refused on the page: nothing reached the service, the field has the
    // focus.
    let focused = b.script("return document.activeElement.id;", json!([]));
    assert_eq!(focused, json!("data-otp"));
    assert_eq!(
        s.record(&s.call_id())["events"].as_array().map(Vec::len),
        Some(events as usize)
    );
    fill(&s, "otp", "123456");
    assert_eq!(b.text(&error), "");
    s.click_event(&b.find("form.collect button[type=submit]"));
    // The verification: unchecked fails, checked passes.
    let verdict = b.find("#verdict");
    assert!(b.text(&verdict).contains("verification fails"));
    b.click(&b.find("#verify-otp"));
    assert!(b.text(&verdict).contains("verification passes"));
    s.click_event(&b.find("form.verify button[type=submit]"));
    let record = s.record(&s.call_id());
    let events = record["events"].as_array().expect("events");
    assert_eq!(
        events[events.len() - 2]["event"],
        json!({ "type": "data", "values": { "otp": "[redacted]" } })
    );
    assert_eq!(
        events[events.len() - 1]["event"],
        json!({ "type": "mark", "fact": "otp_matches", "items": ["otp"] })
    );
    assert!(s.heading().contains("EXTRA SECURITY"), "{}", s.heading());
    s.finish("value-rule");
}

/// A call left in the middle survives the server: a new server on the
/// same records, a fresh page, the id typed in, and the call goes on.
#[test]
fn a_suspended_call_is_resumed_by_its_id() {
    let Some(mut s) = setup("resume") else { return };
    s.browser.goto(&s.url("#/start/hac"));
    s.wait_events(0);
    s.key("1"); // parent
    let id = s.call_id();
    let again = Server::start(
        &policies(),
        &["--records", &format!("sqlite:{}", s.records.display())],
    );
    assert_eq!(std::mem::replace(&mut s.server, again).stop(), 0);
    let b = &s.browser;
    b.goto(&s.url(""));
    let input = b.find("#resume-id");
    b.type_into(&input, &id);
    b.keys(ENTER);
    s.wait_events(1);
    assert!(
        s.heading()
            .contains("ask whether the parent has their own login"),
        "{}",
        s.heading()
    );
    assert_eq!(s.call_id(), id);
    s.key("1");
    assert!(s.heading().contains("check capitals"), "{}", s.heading());
    s.finish("resumed");
}

/// Every control of a call page can be reached with Tab alone, on a step
/// with fields, a checklist, answers and the call's own buttons.
#[test]
fn every_control_is_reachable_with_tab() {
    let Some(s) = setup("tab") else { return };
    let b = &s.browser;
    b.goto(&s.url("#/start/hac"));
    s.wait_events(0);
    for k in ["1", "1", "2", "2", "2", "1"] {
        s.key(k);
    }
    copy_to_docs(&s, "call");
    let count = b
        .script(
            "const all = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
               .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0);
             all.forEach((e, i) => e.dataset.tabcheck = String(i));
             document.activeElement.blur();
             return all.length;",
            json!([]),
        )
        .as_u64()
        .expect("a count");
    assert!(count >= 8, "only {count} controls");
    let mut reached = std::collections::BTreeSet::new();
    for _ in 0..count + 4 {
        b.keys(TAB);
        if let Some(i) = b
            .script(
                "return document.activeElement.dataset.tabcheck || null;",
                json!([]),
            )
            .as_str()
        {
            reached.insert(i.parse::<u64>().expect("an index"));
        }
    }
    let missed: Vec<u64> = (0..count).filter(|i| !reached.contains(i)).collect();
    assert!(
        missed.is_empty(),
        "not reached with Tab: {missed:?} of {count}"
    );
    assert_eq!(b.console_errors(), Vec::<String>::new());
    s.finish("tab");
}

/// The page is served with its types and a Content-Security-Policy that
/// allows only its own files.
#[test]
fn the_page_is_served_with_a_strict_content_security_policy() {
    let dir = common::temp_dir("console-csp");
    let server = Server::start(
        &policies(),
        &[
            "--records",
            &format!("sqlite:{}", dir.join("calls.db").display()),
        ],
    );
    for (path, ty) in [
        ("/", "text/html; charset=utf-8"),
        ("/console/app.js", "text/javascript; charset=utf-8"),
        ("/console/app.css", "text/css; charset=utf-8"),
        ("/console/icon.svg", "image/svg+xml"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ty), "{path}");
        let csp = r.header("content-security-policy").expect("a CSP");
        assert!(
            csp.starts_with("default-src 'none'; script-src 'self'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    let page = server.get("/").body;
    assert!(
        !page.contains("<script>") && !page.contains("style="),
        "nothing inline"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no other origin"
    );
}

/// With `SOPC_DOCS_SCREENSHOTS=1`, the last screenshot becomes
/// `docs/console/NAME.png`.
fn copy_to_docs(s: &Setup, name: &str) {
    if std::env::var_os("SOPC_DOCS_SCREENSHOTS").is_none() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/console");
    std::fs::create_dir_all(&dir).expect("docs/console");
    let shot = s.finish(&format!("docs-{name}"));
    std::fs::copy(shot, dir.join(format!("{name}.png"))).expect("copied");
}

/// What the console relies on in the service, without a browser: a secret
/// whose value rules the records' `[redacted]` breaks still reads back;
/// the data of the step that ends a call are taken after its outcome, and
/// no other data are.
#[test]
fn the_service_keeps_what_the_console_gives_it() {
    let dir = common::temp_dir("console-api");
    let server = Server::start(
        &policies(),
        &[
            "--records",
            &format!("sqlite:{}", dir.join("calls.db").display()),
        ],
    );
    let event = |id: &str, e: Value| server.post(&format!("/v1/calls/{id}/events"), &e);
    let answer = |id: &str, fact: &str, a: &str| {
        let r = event(id, json!({ "type": "answer", "fact": fact, "answer": a }));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    };

    let r = server.post(
        "/v1/calls",
        &json!({ "policy": "sim-swap", "context": { "channel": "chat_logged_in" } }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["call"]["id"].as_str().expect("an id").to_string();
    answer(&id, "request", "sim_swap");
    answer(&id, "location_match", "yes");
    answer(&id, "mdn_status", "active");
    let v = answer(&id, "otp_reply", "replied");
    assert_eq!(v["at"]["step"], "s5_check");
    assert_eq!(
        v["at"]["items"],
        json!([{ "item": "otp", "label": "One-time code sent by email" }])
    );
    let otp = v["collect"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["field"] == "otp")
        .cloned()
        .expect("otp");
    assert_eq!(otp["class"], "secret");
    assert_eq!(
        otp["rules"][0],
        json!({ "rule": "length", "length": 6, "text": "exactly 6 characters" })
    );
    let r = event(&id, json!({ "type": "data", "values": { "otp": "12345" } }));
    assert_eq!(r.status, 422, "{}", r.body);
    let r = event(
        &id,
        json!({ "type": "data", "values": { "otp": "123456" } }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = server.get(&format!("/v1/calls/{id}"));
    assert_eq!(r.status, 200, "a redacted secret replays: {}", r.body);
    assert_eq!(r.json()["collect"][0]["given"], json!(true), "{}", r.body);

    let r = server.post("/v1/calls", &json!({ "policy": "hac" }));
    let id = r.json()["call"]["id"].as_str().expect("an id").to_string();
    answer(&id, "caller_kind", "student");
    answer(&id, "computer_login", "yes");
    answer(&id, "web_access_checked", "yes");
    let v = answer(&id, "student_login_works", "no");
    assert_eq!(v["status"], "complete");
    assert_eq!(v["at"]["number"], 16);
    assert_eq!(v["outcome"]["to"], "Rodney White");
    let titles: Vec<&str> = v["path"]
        .as_array()
        .expect("path")
        .iter()
        .map(|s| s["title"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(titles.len(), 5, "{titles:?}");
    let r = event(
        &id,
        json!({ "type": "data", "values": { "parent_password": "x" } }),
    );
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (409, json!("finished")),
        "{}",
        r.body
    );
    let r = event(
        &id,
        json!({ "type": "data", "values": { "student_name": "Bo Example", "student_number": "S1" } }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        v["trace"]["tickets"][0]["title"],
        "HAC student login not working for Bo Example"
    );
    assert_eq!(v["to_collect"], json!(["callback_phone"]));
}
