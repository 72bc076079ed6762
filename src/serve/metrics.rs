//! The service's counters, in Prometheus' text format (`GET /metrics`):
//! requests by route and status, their latency, calls started and ended by
//! outcome, reloads that failed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    started: BTreeMap<String, u64>,
    ended: BTreeMap<(String, String), u64>,
    reload_failures: u64,
}

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// A label value with `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut Inner)) {
        if let Ok(mut m) = self.inner.lock() {
            f(&mut m)
        }
    }

    pub fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.with(|m| {
            *m.requests
                .entry((route.to_string(), method.to_string(), status))
                .or_default() += 1;
            let h = m.latency.entry(route.to_string()).or_default();
            let secs = took.as_secs_f64();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if secs <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        })
    }

    pub fn call_started(&self, policy: &str) {
        self.with(|m| *m.started.entry(policy.to_string()).or_default() += 1)
    }

    pub fn call_ended(&self, policy: &str, outcome: &str) {
        self.with(|m| {
            *m.ended
                .entry((policy.to_string(), outcome.to_string()))
                .or_default() += 1
        })
    }

    pub fn reload_failed(&self) {
        self.with(|m| m.reload_failures += 1)
    }

    /// The exposition text; `policies` is the number of policies served.
    pub fn render(&self, policies: usize) -> String {
        let mut out = String::new();
        let Ok(m) = self.inner.lock() else {
            return out;
        };
        let _ = writeln!(
            out,
            "# HELP sopc_http_requests_total HTTP requests answered."
        );
        let _ = writeln!(out, "# TYPE sopc_http_requests_total counter");
        for ((route, method, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "sopc_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                label(route),
                label(method)
            );
        }
        let _ = writeln!(
            out,
            "# HELP sopc_http_request_duration_seconds Time to answer a request."
        );
        let _ = writeln!(out, "# TYPE sopc_http_request_duration_seconds histogram");
        for (route, h) in &m.latency {
            let route = label(route);
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "sopc_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "sopc_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "sopc_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "sopc_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP sopc_calls_started_total Calls started, by policy."
        );
        let _ = writeln!(out, "# TYPE sopc_calls_started_total counter");
        for (policy, n) in &m.started {
            let _ = writeln!(
                out,
                "sopc_calls_started_total{{policy=\"{}\"}} {n}",
                label(policy)
            );
        }
        let _ = writeln!(
            out,
            "# HELP sopc_calls_ended_total Calls that reached an outcome, by policy and outcome."
        );
        let _ = writeln!(out, "# TYPE sopc_calls_ended_total counter");
        for ((policy, outcome), n) in &m.ended {
            let _ = writeln!(
                out,
                "sopc_calls_ended_total{{policy=\"{}\",outcome=\"{}\"}} {n}",
                label(policy),
                label(outcome)
            );
        }
        let _ = writeln!(
            out,
            "# HELP sopc_reload_failures_total Policy files that changed and did not compile."
        );
        let _ = writeln!(out, "# TYPE sopc_reload_failures_total counter");
        let _ = writeln!(out, "sopc_reload_failures_total {}", m.reload_failures);
        let _ = writeln!(
            out,
            "# HELP sopc_policies_served Policies with a clean version served."
        );
        let _ = writeln!(out, "# TYPE sopc_policies_served gauge");
        let _ = writeln!(out, "sopc_policies_served {policies}");
        out
    }
}
