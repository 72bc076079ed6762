//! Synthetic policies for benchmarks and scale tests: a chain of blocks.
//! Each block opens with a question of 2–5 answers, branches inside the
//! block (sub-flows that join again), reads the opening answer again with
//! `match`, has one bounded retry, and files tickets with required data or
//! refers the caller, so every check does real work. The result checks clean.
//! `cargo run --release --example gen -- --steps N --seed S` prints one.

use std::fmt::Write;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Steps per block.
pub const BLOCK: usize = 10;
const TARGETS: usize = 5;
const FIELDS: usize = 20;

pub fn generate(steps: usize, seed: u64) -> String {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = String::with_capacity(steps * 160);
    out.push_str("sop \"GEN-1\" \"Generated help-desk procedure\" {\n  owner \"Benchmark\"\n  implemented 2026-01-01\n}\n\n");
    out.push_str("role analyst \"Analyst\"\n\n");
    for f in 0..FIELDS {
        let class = if f % 7 == 6 { "secret" } else { "text" };
        let _ = writeln!(out, "data field{f} \"Field {f}\" {class}");
    }
    for t in 0..TARGETS {
        let _ = writeln!(
            out,
            "target queue{t} \"Queue {t}\" ticket via \"iSupport\" requires field{}, field{}",
            (2 * t) % 6,
            (2 * t + 1) % 6
        );
    }
    out.push_str("target desk \"Walk-in desk\" referral\n\n");
    out.push_str("outcome resolved \"Resolved\" resolved\n");
    out.push_str("outcome referred \"Referred\" referral to desk\n");
    let queues: Vec<String> = (0..TARGETS).map(|t| format!("queue{t}")).collect();
    let _ = writeln!(
        out,
        "outcome escalated \"Escalated\" escalation to {}\n",
        queues.join(", ")
    );
    out.push_str("never disclose field6\n\n");
    let blocks = steps / BLOCK;
    for b in 0..blocks {
        let base = b * BLOCK;
        let exit = if b + 1 < blocks {
            format!("s{}", base + BLOCK)
        } else {
            "end resolved".to_string()
        };
        let within = |r: &mut Rng, from: usize| -> String {
            // A later step of this block, or the block's exit.
            let next = from + 1 + r.below((base + BLOCK - from) as u64) as usize;
            if next >= base + BLOCK {
                exit.clone()
            } else {
                format!("s{next}")
            }
        };
        // Decide what each inner step does. Terminal steps (tickets,
        // referrals) stay off the main chain; the opening question's other
        // answers lead to them, so every step is reachable.
        let answers = 2 + r.below(4) as usize;
        let retry = base + 1 + r.below((BLOCK - 2) as u64) as usize;
        let mut kinds: Vec<u64> = (base + 1..base + BLOCK)
            .map(|s| if s == retry { 99 } else { r.below(10) })
            .collect();
        let mut terminals = 0;
        for k in kinds.iter_mut() {
            if *k <= 1 {
                terminals += 1;
                if terminals >= answers {
                    *k = 9; // too many side exits: a plain goto instead
                }
            }
        }
        let kind_of = |s: usize| kinds[s - base - 1];
        let chain_next = |s: usize| -> String {
            (s + 1..base + BLOCK)
                .find(|&t| kind_of(t) > 1)
                .map_or(exit.clone(), |t| format!("s{t}"))
        };
        let side_exits: Vec<usize> = (base + 1..base + BLOCK)
            .filter(|&t| kind_of(t) <= 1)
            .collect();
        let names: Vec<String> = (0..answers).map(|a| format!("a{a}")).collect();
        let _ = writeln!(
            out,
            "step s{base} \"Block {b}: find out the caller's situation\" {{"
        );
        let _ = writeln!(
            out,
            "  ask q{base} \"Which situation applies?\" {{ {} }}",
            names.join(" ")
        );
        for (k, a) in names.iter().enumerate() {
            let dest = match k {
                0 => chain_next(base),
                k if k <= side_exits.len() => format!("s{}", side_exits[k - 1]),
                _ => within(&mut r, base),
            };
            let _ = writeln!(out, "  {a} -> {dest}");
        }
        out.push_str("}\n");
        for s in base + 1..base + BLOCK {
            let next = chain_next(s);
            // The first answer goes on along the chain, the others later in
            // the block (many paths joining).
            let branches = |out: &mut String, indent: &str, names: &[String], r: &mut Rng| {
                for (k, a) in names.iter().enumerate() {
                    let dest = if k == 0 { next.clone() } else { within(r, s) };
                    let _ = writeln!(out, "{indent}{a} -> {dest}");
                }
            };
            let _ = writeln!(out, "step s{s} \"Block {b}, step {s}\" {{");
            let _ = writeln!(out, "  do \"Check the caller's account, item {s}.\"");
            match kind_of(s) {
                99 => {
                    let _ = writeln!(out, "  ask works{s} \"Does it work now?\" {{ yes no }}");
                    let _ = writeln!(out, "  yes -> {next}");
                    let _ = writeln!(out, "  no  -> s{s} at most 2 times, then {next}");
                }
                0 => {
                    // A ticket with its required data, collected here.
                    let t = r.below(TARGETS as u64) as usize;
                    let (f1, f2) = ((2 * t) % 6, (2 * t + 1) % 6);
                    let _ = writeln!(out, "  collect field{f1}, field{f2}");
                    let _ = writeln!(out, "  ticket queue{t} {{\n    title \"Case {s}\"\n    body  field{f1}, field{f2}\n  }}");
                    let _ = writeln!(out, "  end escalated(queue{t})");
                }
                1 => {
                    let _ = writeln!(
                        out,
                        "  say \"Please visit the walk-in desk.\"\n  end referred(desk)"
                    );
                }
                2 | 3 => {
                    // Read the opening answer again. Answers that took a side
                    // exit never come here, by design.
                    let _ = writeln!(out, "  lint allow infeasible-branch");
                    let _ = writeln!(out, "  match q{base} {{");
                    branches(&mut out, "    ", &names, &mut r);
                    out.push_str("  }\n");
                }
                4..=6 => {
                    let n = 2 + r.below(2) as usize;
                    let names: Vec<String> = (0..n).map(|a| format!("o{a}")).collect();
                    let _ = writeln!(
                        out,
                        "  ask q{s} \"Question {s}?\" {{ {} }}",
                        names.join(" ")
                    );
                    branches(&mut out, "  ", &names, &mut r);
                }
                _ => {
                    let _ = writeln!(out, "  goto {next}");
                }
            }
            out.push_str("}\n");
        }
    }
    out
}

/// [`generate`] with `rules` standing rules (`anytime`): every other one
/// policy-wide, the others within the questions of one block, each with a
/// handler of its own that says what to do, collects what its ticket needs
/// and ends escalated.
pub fn generate_with_standing_rules(steps: usize, seed: u64, rules: usize) -> String {
    let mut out = generate(steps, seed);
    let blocks = (steps / BLOCK).max(1);
    for k in 0..rules {
        let within = if k % 2 == 0 {
            String::new()
        } else {
            // The block's opening question and its retry question are the
            // steps where the call waits; naming every step of the block is
            // what an author writes.
            let base = (k * 7 % blocks) * BLOCK;
            let names: Vec<String> = (base..base + BLOCK).map(|s| format!("s{s}")).collect();
            format!(" within {}", names.join(", "))
        };
        let _ = writeln!(
            out,
            "anytime rule{k} \"Standing event {k}\" -> handler{k}{within}"
        );
    }
    for k in 0..rules {
        let t = k % TARGETS;
        let (f1, f2) = ((2 * t) % 6, (2 * t + 1) % 6);
        let _ = writeln!(
            out,
            "step handler{k} \"Handle standing event {k}\" {{\n  say \"I need to stop here: event {k}.\"\n  collect field{f1}, field{f2}\n  ticket queue{t} {{ title \"Event {k}\" body field{f1}, field{f2} }}\n  end escalated(queue{t})\n}}"
        );
    }
    out
}

/// A chain of `blocks` retry loops, each a question with one way on and
/// four ways back into it (asked again directly, or after unlocking,
/// resetting or clearing a cache), for the cost of a loop's budget: with
/// `per_branch`, each way back carries its own `at most {times} times`
/// (four counters); without, one `loop` line bounds the loop as a whole
/// (one counter). Either way a spent budget escalates with a ticket.
pub fn generate_retry_loops(blocks: usize, times: u32, per_branch: bool) -> String {
    let mut out = String::new();
    out.push_str("sop \"GEN-LOOP\" \"Generated retry loops\" {\n  owner \"Benchmark\"\n}\n\n");
    out.push_str("role analyst \"Analyst\"\n");
    out.push_str("data caller \"Caller name\" text\n");
    out.push_str("target tier2 \"Tier 2\" ticket via \"iSupport\" requires caller\n");
    out.push_str("outcome resolved \"Resolved\" resolved\n");
    out.push_str("outcome escalated \"Escalated\" escalation to tier2\n\n");
    out.push_str("step greet \"Take the caller's name\" {\n  collect caller\n  goto r0\n}\n");
    let bound = |b: usize| {
        if per_branch {
            format!(" at most {times} times, then escalate{b}")
        } else {
            String::new()
        }
    };
    for b in 0..blocks {
        let next = if b + 1 < blocks {
            format!("r{}", b + 1)
        } else {
            "end resolved".to_string()
        };
        if !per_branch {
            let _ = writeln!(out, "\nloop r{b} at most {times} times, then escalate{b}");
        }
        let _ = writeln!(
            out,
            "\nstep r{b} \"Block {b}: have the caller type the password again\" {{\n  ask works{b} \"Does it work now?\" {{ yes no locked expired cached }}\n  yes     -> {next}\n  no      -> r{b}{}\n  locked  -> u{b}{}\n  expired -> x{b}{}\n  cached  -> c{b}{}\n}}",
            bound(b),
            bound(b),
            bound(b),
            bound(b)
        );
        for (step, what) in [
            ("u", "Unlock the account"),
            ("x", "Reset the password"),
            ("c", "Clear the cached password"),
        ] {
            let _ = writeln!(
                out,
                "step {step}{b} \"Block {b}: {what}\" {{\n  do \"{what}.\"\n  goto r{b}\n}}"
            );
        }
        let _ = writeln!(
            out,
            "step escalate{b} \"Block {b}: escalate to tier 2\" {{\n  ticket tier2 {{ title \"Password trouble: {{caller}}\" body caller }}\n  end escalated(tier2)\n}}"
        );
    }
    out
}

/// [`generate`] with issue 15's constructs, about as often as the shipped
/// policies use them: a third of the plain `goto`s become a `match` on a
/// time of the call (a host fact: weekday office hours, or after them), a
/// third a `verify` of two items of three (a failure refers the caller),
/// and a third a `match` on an amount looked up (over 500.00 or not). As
/// in a real policy, each such fact is read in one region (three `match`es
/// nearby), not all along: a fact read all along stays in the state of
/// every step between (see docs/performance.md).
pub fn generate_typed(steps: usize, seed: u64) -> String {
    let plain = generate(steps, seed);
    let lines: Vec<&str> = plain.lines().collect();
    let is_plain_goto =
        |i: usize| lines[i].starts_with("  goto ") && lines.get(i + 1) == Some(&"}");
    let gotos = (0..lines.len()).filter(|&i| is_plain_goto(i)).count();
    // Each fact is read by three `match`es of its kind: nine `goto`s.
    let facts = gotos.div_ceil(9).max(1);
    let mut out = String::with_capacity(plain.len() + plain.len() / 3);
    let mut k = 0usize;
    for (i, line) in lines.iter().enumerate() {
        if *line == "role analyst \"Analyst\"" {
            out.push_str(line);
            out.push('\n');
            for f in 0..facts {
                let _ = writeln!(
                    out,
                    "fact call_time{f} \"Time of the call ({f})\" time from host\nfact amount{f} \"Amount ({f})\" money lookup in \"Core\""
                );
            }
            continue;
        }
        if !is_plain_goto(i) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let to = &line["  goto ".len()..];
        let f = k / 9;
        match k % 3 {
            0 => {
                let _ = writeln!(
                    out,
                    "  match call_time{f} {{\n    weekdays 08:00..16:30 -> {to}\n    else                  -> {to}\n  }}"
                );
            }
            1 => {
                let _ = writeln!(
                    out,
                    "  verify id{i} \"Verify the caller\" at least 2 of these 3: field0, field1, field3\n  passed -> {to}\n  failed -> end referred(desk)"
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  match amount{f} {{\n    over 500.00 -> {to}\n    else        -> {to}\n  }}"
                );
            }
        }
        k += 1;
    }
    out
}
