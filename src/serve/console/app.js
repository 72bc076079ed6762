// The analyst console: walks a call through the service's public API
// (/v1/...) and nothing else. No framework, no build step: the DOM is built
// with `h`, never from HTML strings, so no text from a policy or a caller
// is ever read as markup.
"use strict";

const TOKEN_KEY = "sopc-token";
const main = document.getElementById("main");

// ------------------------------------------------------------------ helpers

/** An element with attributes (`on...` are listeners) and children. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function announce(text) {
  document.getElementById("announce").textContent = text;
}

function showError(message) {
  const a = document.getElementById("alert");
  a.textContent = message;
  a.hidden = !message;
}

/** A request to the service; a refusal throws its JSON error. */
async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = "Bearer " + token;
  const r = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let v = null;
  try {
    v = await r.json();
  } catch (_) {
    v = null;
  }
  if (!r.ok) {
    const e = new Error((v && v.error && v.error.message) || r.statusText);
    e.status = r.status;
    e.error = (v && v.error) || {};
    throw e;
  }
  return v;
}

/** Copies text; the clipboard API needs a secure context, so falls back. */
async function copy(text, button) {
  let done = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      done = true;
    }
  } catch (_) {
    done = false;
  }
  if (!done) {
    const t = h("textarea", { class: "offscreen", "aria-hidden": "true" }, text);
    document.body.append(t);
    t.select();
    done = document.execCommand("copy");
    t.remove();
  }
  const old = button.textContent;
  button.textContent = done ? "Copied" : "Select and copy by hand";
  announce(done ? "Copied to the clipboard" : "Could not copy");
  setTimeout(() => (button.textContent = old), 1500);
}

/** `caller_kind` as "Caller kind". */
function words(name) {
  const s = String(name).replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ------------------------------------------------------------------ routes

async function route() {
  showError("");
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] === "call" && parts[1]) return await showCall(parts[1]);
    if (parts[0] === "start" && parts[1]) {
      return await startCall(parts[1], new URLSearchParams(query || ""));
    }
    return await showHome();
  } catch (e) {
    failed(e);
  }
}

function failed(e) {
  if (e.status === 401) return showToken();
  showError(e.message || String(e));
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);

function showToken() {
  const input = h("input", { id: "token", type: "password", autocomplete: "off", required: true });
  const form = h(
    "form",
    {
      class: "card",
      onsubmit: (ev) => {
        ev.preventDefault();
        sessionStorage.setItem(TOKEN_KEY, input.value);
        route();
      },
    },
    h("h1", {}, "This server needs a token"),
    h("label", { for: "token" }, "Token"),
    input,
    h("button", { type: "submit" }, "Use this token"),
  );
  main.replaceChildren(form);
  input.focus();
}

// ------------------------------------------------------------------ home

async function showHome() {
  document.title = "sopc analyst console";
  current = null;
  delete main.dataset.call;
  delete main.dataset.events;
  delete main.dataset.status;
  const [{ policies }, { calls }] = await Promise.all([
    api("GET", "/v1/policies"),
    api("GET", "/v1/calls?limit=200"),
  ]);
  const rows = policies.map((p) =>
    h(
      "tr",
      {},
      h("td", {}, p.number || "—"),
      h("th", { scope: "row" }, p.title || p.id),
      h("td", {}, p.owner || "—"),
      h("td", {}, reviewWords(p)),
      h(
        "td",
        {},
        p.served
          ? h(
              "button",
              { type: "button", onclick: () => (location.hash = "#/start/" + encodeURIComponent(p.id)), "aria-label": "Start a call: " + (p.title || p.id) },
              "Start a call",
            )
          : h("span", { class: "bad" }, "has errors"),
      ),
    ),
  );
  const idInput = h("input", { id: "resume-id", name: "id", autocomplete: "off", required: true, spellcheck: "false" });
  const resume = h(
    "form",
    {
      class: "resume",
      onsubmit: (ev) => {
        ev.preventDefault();
        const id = idInput.value.trim();
        if (id) location.hash = "#/call/" + encodeURIComponent(id);
      },
    },
    h("label", { for: "resume-id" }, "Resume a call by its id"),
    h("div", { class: "row" }, idInput, h("button", { type: "submit" }, "Resume")),
  );
  const open = calls.filter((c) => c.status !== "complete").slice(0, 10);
  main.replaceChildren(
    h("h1", { tabindex: "-1", id: "page-title" }, "Policies"),
    h(
      "table",
      { class: "policies" },
      h("caption", { class: "visually-hidden" }, "Policies served"),
      h("thead", {}, h("tr", {}, ["Number", "Title", "Owner", "Review", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows),
    ),
    h("h2", {}, "A returning caller"),
    resume,
    open.length
      ? h(
          "section",
          { "aria-labelledby": "open-calls" },
          h("h2", { id: "open-calls" }, "Calls not finished"),
          h(
            "ul",
            { class: "open-calls" },
            open.map((c) =>
              h("li", {}, h("a", { href: "#/call/" + encodeURIComponent(c.id) }, c.id), " ", c.policy, " at ", c.step, " (", c.started_at, ")"),
            ),
          ),
        )
      : null,
  );
}

function reviewWords(p) {
  const r = p.review || {};
  const parts = [];
  if (r.approval) parts.push("approved by " + r.approval);
  if (r.revision) parts.push("revision " + r.revision);
  if (r.implemented) parts.push("in force since " + r.implemented);
  if (r.reviewed) parts.push("reviewed " + r.reviewed);
  return parts.length ? parts.join("; ") : "not reviewed";
}

// ------------------------------------------------------------------ a call

/** What the page keeps of the call on screen. */
let current = null;

async function startCall(policy, params) {
  const context = {};
  for (const [k, v] of params) context[k] = v;
  const body = { policy };
  if (Object.keys(context).length) body.context = context;
  const state = await api("POST", "/v1/calls", body);
  // The call's own address, so a reload or a returning caller finds it.
  history.replaceState(null, "", "#/call/" + encodeURIComponent(state.call.id));
  render(state);
}

async function showCall(id) {
  if (current && current.call.id === id) return render(current);
  render(await api("GET", "/v1/calls/" + encodeURIComponent(id)));
}

async function send(event) {
  showError("");
  try {
    const state = await api("POST", "/v1/calls/" + encodeURIComponent(current.call.id) + "/events", event);
    render(state);
    return null;
  } catch (e) {
    if (e.status === 401) showToken();
    else showError(e.message);
    return e;
  }
}

function render(state) {
  current = state;
  // Where the call stands, for anything that watches the page.
  main.dataset.call = state.call.id;
  main.dataset.events = String(state.call.events);
  main.dataset.status = state.status;
  const at = state.at || { actions: [], number: "", title: "" };
  document.title = (state.status === "complete" ? "Call ended" : "Step " + at.number) + " · sopc";
  const heading = h(
    "h1",
    { id: "page-title", tabindex: "-1" },
    h("span", { class: "number" }, "Step " + at.number),
    " ",
    at.title || words(at.step),
  );
  const body = [
    h(
      "p",
      { class: "crumbs" },
      h("a", { href: "#/" }, "Policies"),
      " › ",
      state.call.policy,
      " › call ",
      h("code", { id: "call-id" }, state.call.id),
      " ",
      h("button", { type: "button", class: "small", onclick: (ev) => copy(state.call.id, ev.currentTarget) }, "Copy call id"),
    ),
    heading,
    at.role ? h("p", { class: "role" }, "Held by: " + at.role.title) : null,
    passedView(state),
    actionsView(state, at),
    collectView(state),
    state.status === "complete" ? summaryView(state) : questionView(state),
    h(
      "div",
      { class: "nav" },
      h("button", { type: "button", id: "back", disabled: !state.can_go_back, onclick: () => send({ type: "back" }) }, "Back"),
    ),
  ];
  const beside = [rulesView(state), hostView(state), state.status === "complete" ? null : pathView(state)].filter(Boolean);
  const aside = beside.length ? h("aside", { class: "side", "aria-label": "Standing rules and facts" }, beside) : null;
  main.replaceChildren(h("div", { class: aside ? "layout" : "layout single" }, h("div", { class: "walk" }, body), aside));
  announce(state.status === "complete" ? "The call ended: " + state.outcome.label : "Step " + at.number + ": " + (at.title || at.step));
  // A new step is announced and focused; the first answer is a Tab away.
  heading.focus();
}

function actionsView(state, at) {
  const items = [];
  let k = at.number * 100;
  for (const a of at.actions) {
    k += 1;
    switch (a.kind) {
      case "say":
        items.push(h("figure", { class: "say" }, h("figcaption", {}, "Say"), h("blockquote", {}, "“" + a.text + "”")));
        break;
      case "warn":
        items.push(h("div", { class: "warn", role: "note" }, h("strong", {}, "Warn the caller: "), "“" + a.text + "”"));
        break;
      case "note":
        items.push(h("p", { class: "note" }, h("span", { class: "visually-hidden" }, "Note: "), a.text));
        break;
      case "gap":
        items.push(h("div", { class: "warn gap", role: "note" }, h("strong", {}, "Open question in the SOP (go on): "), a.note));
        break;
      case "do": {
        const id = "do-" + k;
        items.push(h("div", { class: "do" }, h("input", { type: "checkbox", id }), h("label", { for: id }, a.text)));
        break;
      }
      case "collect":
        items.push(h("p", { class: "do" }, "Collect: " + a.fields.map((f) => labelOf(state, f)).join(", ") + " (below)."));
        break;
      case "ticket":
        // The summary shows the tickets of a call that ended.
        if (state.status === "complete") break;
        for (const t of state.trace.tickets.filter((t) => t.step === at.step).slice(-1)) items.push(ticketView(t));
        break;
      case "refer": {
        const id = "do-" + k;
        items.push(h("div", { class: "do" }, h("input", { type: "checkbox", id }), h("label", { for: id }, "Refer the caller to " + a.to + (a.via ? " (" + a.via + ")" : "") + ", and go on.")));
        break;
      }
      case "transfer": {
        const id = "do-" + k;
        const reason = a.reason ? ": " + a.reason : "";
        items.push(h("div", { class: "do transfer" }, h("input", { type: "checkbox", id }), h("label", { for: id }, "Transfer the call (warm) to " + a.to + reason)));
        break;
      }
      case "handoff": {
        const id = "do-" + k;
        items.push(h("div", { class: "do transfer" }, h("input", { type: "checkbox", id }), h("label", { for: id }, "Hand the call over to the policy “" + a.policy + "”" + (a.requires.length ? ", with " + a.requires.map((f) => labelOf(state, f)).join(", ") : "") + ".")));
        break;
      }
      default:
        break;
    }
  }
  return items.length ? h("section", { class: "actions", "aria-label": "What to do" }, items) : null;
}

/** The steps walked without a question since the last answer. */
function passedView(state) {
  if (!state.passed || !state.passed.length) return null;
  return h(
    "section",
    { class: "passed", "aria-labelledby": "passed-title" },
    h("h2", { id: "passed-title", class: "visually-hidden" }, "On the way to this step"),
    state.passed.map((s) => h("div", { class: "passed-step" }, h("h3", {}, h("span", { class: "number" }, "Step " + s.number), " ", s.title || words(s.step)), actionsView(state, s))),
  );
}

function labelOf(state, field) {
  const f = (state.collect || []).find((c) => c.field === field);
  if (f) return f.label;
  const c = (state.trace.collected || []).find((c) => c.field === field);
  return c ? c.label : words(field);
}

// ------------------------------------------------------------------ the question

function questionView(state) {
  const section = h("section", { class: "question", "aria-labelledby": "prompt" });
  const source = state.source === "host" ? "From the console: " : state.source === "lookup" ? "Look up" + (state.system ? " in " + state.system : "") + ": " : "";
  section.append(h("h2", { id: "prompt" }, source + state.prompt));
  if (state.type === "verification") section.append(verifyView(state));
  else if (state.example !== undefined) section.append(valueView(state));
  else section.append(answersView(state));
  if (state.type === "wait") {
    section.append(
      h("p", { class: "note" }, "The call can wait: note its id, leave this page, and resume it by id when the reply comes." + (state.timeout ? " With no reply after " + state.timeout.after_minutes + " minutes, answer “" + words(state.timeout.answer) + "”." : "")),
    );
  }
  return section;
}

function answersView(state) {
  const group = h("div", { class: "answers", role: "group", "aria-labelledby": "prompt" });
  state.options.forEach((option, i) => {
    const shown = (state.words && state.words[i]) || words(option);
    group.append(
      h(
        "button",
        { type: "button", class: "answer", "data-answer": option, "aria-keyshortcuts": i < 9 ? String(i + 1) : null, onclick: () => send({ type: "answer", fact: state.fact, answer: option }) },
        i < 9 ? h("kbd", { "aria-hidden": "true" }, String(i + 1)) : null,
        " ",
        shown,
      ),
    );
  });
  return h("div", {}, group, h("p", { class: "hint" }, "Press a number key to choose."));
}

function valueView(state) {
  const input = h("input", { id: "value", name: "value", autocomplete: "off", placeholder: "e.g. " + state.example, required: true });
  return h(
    "form",
    {
      class: "value",
      onsubmit: (ev) => {
        ev.preventDefault();
        send({ type: "answer", fact: state.fact, answer: input.value.trim() });
      },
    },
    h("label", { for: "value" }, "The " + state.type + " (for example " + state.example + ")"),
    h("div", { class: "row" }, input, h("button", { type: "submit" }, "Answer")),
  );
}

/** Marks the items that check out; the service decides passed or failed. */
function verifyView(state) {
  const items = (state.at && state.at.items) || state.items.map((i) => ({ item: i, label: words(i) }));
  const need = state.at_least;
  const verdict = h("p", { class: "verdict", "aria-live": "polite", id: "verdict" });
  const boxes = items.map((it) => h("input", { type: "checkbox", id: "verify-" + it.item, value: it.item, onchange: update }));
  function update() {
    const n = boxes.filter((b) => b.checked).length;
    const pass = n >= need;
    verdict.textContent = n + " of " + items.length + " checked; " + need + " needed: " + (pass ? "verification passes" : "verification fails");
    verdict.className = "verdict " + (pass ? "pass" : "fail");
  }
  update();
  return h(
    "form",
    {
      class: "verify",
      onsubmit: (ev) => {
        ev.preventDefault();
        send({ type: "mark", fact: state.fact, items: boxes.filter((b) => b.checked).map((b) => b.value) });
      },
    },
    h(
      "fieldset",
      {},
      h("legend", {}, "Mark each item that checks out"),
      items.map((it, i) => h("div", { class: "do" }, boxes[i], h("label", { for: "verify-" + it.item }, it.label))),
    ),
    verdict,
    h("button", { type: "submit" }, "Record the verification"),
  );
}

// Number keys choose an answer, unless the analyst is typing.
document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
  const t = ev.target;
  const typing = t && (t.tagName === "TEXTAREA" || t.tagName === "SELECT" || (t.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(t.type)));
  if (typing) return;
  if (!/^[1-9]$/.test(ev.key)) return;
  const buttons = main.querySelectorAll("button.answer");
  const b = buttons[Number(ev.key) - 1];
  if (b) {
    ev.preventDefault();
    b.click();
  }
});

// ------------------------------------------------------------------ data to collect

const CLASS_CHECKS = {
  phone: (v) => (/^\+?[0-9 ().\-]+$/.test(v) && v.replace(/\D/g, "").length >= 7 ? null : "a phone number: digits, spaces, + ( ) . -, at least 7 digits"),
  email: (v) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) ? null : "an email address, like name@example.org"),
  date: (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && !isNaN(Date.parse(v + "T00:00:00Z")) ? null : "a date, YEAR-MONTH-DAY"),
  number: (v) => (/^-?\d+(\.\d+)?$/.test(v) ? null : "a number"),
  id: (v) => (/\s/.test(v) ? "an id, without spaces" : null),
};

/** Why a value is refused, or null: its class, then its value rules. */
function problem(field, value) {
  if (value === "") return null;
  const byClass = CLASS_CHECKS[field.class];
  const c = byClass && byClass(value);
  if (c) return "Must be " + c + ".";
  const n = [...value].length;
  for (const r of field.rules) {
    let bad = false;
    if (r.rule === "min_length") bad = n < r.length;
    else if (r.rule === "max_length") bad = n > r.length;
    else if (r.rule === "length") bad = n !== r.length;
    else if (r.rule === "pattern") {
      try {
        bad = !new RegExp("^(?:" + r.pattern + ")$", "u").test(value);
      } catch (_) {
        bad = false; // the service checks it on saving
      }
    } else if ((r.rule === "min" || r.rule === "max") && (r.scale === "number" || r.scale === "count")) {
      const x = Number(value);
      const bound = Number(r.value);
      bad = isNaN(x) || (r.rule === "min" ? x < bound : x > bound);
    }
    if (bad) return "The rule is: " + r.text + ".";
  }
  return null;
}

function collectView(state) {
  const fields = (state.collect || []).filter((f) => !f.given);
  const given = (state.collect || []).filter((f) => f.given);
  if (!fields.length && !given.length) return null;
  const inputs = [];
  const rows = fields.map((f) => {
    const secret = f.class === "secret" || f.class === "unrecorded";
    const id = "data-" + f.field;
    const msg = h("p", { class: "field-error", id: id + "-error", "aria-live": "polite" });
    const rules = f.rules.map((r) => r.text);
    const hintText = [secret ? "masked; " + (f.class === "unrecorded" ? "never recorded" : "redacted in the records") : null, ...rules].filter(Boolean).join("; ");
    const hint = hintText ? h("p", { class: "hint", id: id + "-hint" }, hintText) : null;
    const input = h("input", {
      id,
      name: f.field,
      type: secret ? "password" : f.class === "email" ? "email" : f.class === "phone" ? "tel" : "text",
      inputmode: f.class === "number" ? "decimal" : f.class === "phone" ? "tel" : null,
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": [hint ? id + "-hint" : null, id + "-error"].filter(Boolean).join(" "),
      oninput: () => check(),
    });
    function check() {
      const p = problem(f, input.value.trim());
      msg.textContent = p || "";
      input.setAttribute("aria-invalid", p ? "true" : "false");
      return p;
    }
    inputs.push({ f, input, check, msg });
    return h("div", { class: "field" }, h("label", { for: id }, f.label), input, hint, msg);
  });
  const done = given.map((f) => {
    const c = (state.trace.collected || []).find((x) => x.field === f.field);
    const v = c && c.value !== null ? c.value : "given";
    return h("li", {}, f.label + ": ", h("span", { class: "value" }, v));
  });
  const form = fields.length
    ? h(
        "form",
        {
          class: "collect",
          novalidate: true,
          onsubmit: async (ev) => {
            ev.preventDefault();
            const values = {};
            let firstBad = null;
            for (const { f, input, check } of inputs) {
              const v = input.value.trim();
              if (check() && !firstBad) firstBad = input;
              if (v !== "") values[f.field] = v;
            }
            if (firstBad) return firstBad.focus();
            if (!Object.keys(values).length) return showError("Fill in at least one field.");
            const e = await send({ type: "data", values });
            if (e && e.error && e.error.field) {
              const i = inputs.find((x) => x.f.field === e.error.field);
              if (i) {
                i.msg.textContent = e.message;
                i.input.setAttribute("aria-invalid", "true");
                i.input.focus();
              }
            }
          },
        },
        rows,
        h("button", { type: "submit" }, "Save the data"),
      )
    : null;
  return h(
    "section",
    { class: "data", "aria-labelledby": "collect-title" },
    h("h2", { id: "collect-title" }, "Data to collect"),
    form,
    done.length ? h("ul", { class: "given", "aria-label": "Collected" }, done) : null,
  );
}

// ------------------------------------------------------------------ tickets

function ticketText(t, section) {
  const lines = [];
  const values = (list) => list.map((f) => f.label + ": " + (f.value === null ? "(not collected)" : f.value));
  if (!section || section === "head") {
    lines.push("To: " + t.to + (t.via ? " (" + t.via + ")" : ""));
    if (t.title) lines.push("Title: " + t.title);
    for (const [k, v] of Object.entries(t.fields || {})) lines.push(words(k) + ": " + v);
  }
  if (!section || section === "body") {
    if (!section) lines.push("", "Body:");
    lines.push(...values(t.body));
  }
  if ((!section || section === "assignee") && t.assignee.length) {
    if (!section) lines.push("", "Assignee section:");
    lines.push(...values(t.assignee));
  }
  return lines.join("\n");
}

function ticketView(t) {
  const list = (fs) => h("dl", {}, fs.map((f) => [h("dt", {}, f.label), h("dd", { class: f.value === null ? "missing" : "" }, f.value === null ? "not collected yet" : f.value)]));
  const copyButton = (label, section) => h("button", { type: "button", class: "small", onclick: (ev) => copy(ticketText(t, section), ev.currentTarget) }, label);
  return h(
    "section",
    { class: "ticket", "aria-label": "Ticket to " + t.to },
    h("h3", {}, "Ticket to " + t.to + (t.via ? " in " + t.via : "")),
    t.title ? h("p", {}, h("strong", {}, "Title: "), t.title) : null,
    Object.entries(t.fields || {}).map(([k, v]) => h("p", {}, h("strong", {}, words(k) + ": "), v)),
    h("h4", {}, "Body ", copyButton("Copy the body", "body")),
    list(t.body),
    t.assignee.length ? [h("h4", {}, "Assignee section only ", copyButton("Copy the assignee section", "assignee")), list(t.assignee)] : null,
    h("p", {}, copyButton("Copy the whole ticket", null)),
  );
}

// ------------------------------------------------------------------ beside the call

function rulesView(state) {
  if (!state.raisable || !state.raisable.length) return null;
  return h(
    "section",
    { class: "rules", "aria-labelledby": "rules-title" },
    h("h2", { id: "rules-title" }, "If at any moment"),
    state.raisable.map((r) => h("button", { type: "button", class: "rule", "data-rule": r.rule, onclick: () => send({ type: "raise", rule: r.rule }) }, r.label)),
  );
}

function hostView(state) {
  if (!state.host || !state.host.length) return null;
  return h(
    "section",
    { class: "host", "aria-labelledby": "host-title" },
    h("h2", { id: "host-title" }, "From the host"),
    h("dl", {}, state.host.map((f) => [h("dt", {}, f.prompt || words(f.fact)), h("dd", {}, words(f.words || f.value))])),
  );
}

function pathView(state) {
  return h(
    "section",
    { class: "path", "aria-labelledby": "path-title" },
    h("h2", { id: "path-title" }, "Steps so far"),
    h("ol", {}, (state.path || []).map((s) => h("li", {}, h("span", { class: "number" }, s.number + "."), " ", s.title || words(s.step)))),
  );
}

// ------------------------------------------------------------------ the end

function summaryText(state) {
  const o = state.outcome;
  const lines = ["Call " + state.call.id + " (" + state.call.policy + ")", "Started " + state.call.started_at + (state.call.ended_at ? ", ended " + state.call.ended_at : ""), "", "Outcome: " + o.label + " (" + o.kind + (o.to ? ": " + o.to : "") + ")"];
  lines.push("", "Path:");
  for (const s of state.path) lines.push("  " + s.number + ". " + (s.title || s.step));
  const answers = Object.entries(state.trace.answers || {});
  if (answers.length) {
    lines.push("", "Answers:");
    for (const [k, v] of answers) lines.push("  " + k + ": " + (Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : v));
  }
  for (const t of state.trace.tickets) lines.push("", "Ticket:", ticketText(t, null));
  for (const r of state.trace.referrals || []) lines.push("", "Referred to: " + r.to + (r.via ? " (" + r.via + ")" : ""));
  const gaps = gapNotes(state);
  if (gaps.length) lines.push("", "Open questions in the SOP:", ...gaps.map((g) => "  " + g));
  return lines.join("\n");
}

function gapNotes(state) {
  return state.outcome && state.outcome.kind === "gap" ? [state.outcome.label] : [];
}

function summaryView(state) {
  const o = state.outcome;
  const gaps = gapNotes(state);
  return h(
    "section",
    { class: "summary", "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, "The call ended: " + o.label),
    h("p", { class: "outcome " + o.kind }, words(o.kind) + (o.to ? ": " + o.to + (o.via ? " (" + o.via + ")" : "") : "")),
    gaps.length ? h("div", { class: "warn gap", role: "note" }, h("strong", {}, "Open question in the SOP: "), gaps.join("; ")) : null,
    h("h3", {}, "Path"),
    h("ul", { class: "summary-path" }, state.path.map((s) => h("li", {}, h("span", { class: "number" }, "Step " + s.number + ": "), s.title || words(s.step)))),
    state.trace.tickets.length ? [h("h3", {}, "Tickets"), state.trace.tickets.map(ticketView)] : null,
    (state.trace.referrals || []).length ? [h("h3", {}, "Referrals"), h("ul", {}, state.trace.referrals.map((r) => h("li", {}, r.to + (r.via ? " (" + r.via + ")" : ""))))] : null,
    h(
      "div",
      { class: "row noprint" },
      h("button", { type: "button", id: "copy-summary", onclick: (ev) => copy(summaryText(state), ev.currentTarget) }, "Copy the summary"),
      h("button", { type: "button", id: "print", onclick: () => window.print() }, "Print"),
      h("a", { class: "button", href: "#/" }, "Next call"),
    ),
  );
}
