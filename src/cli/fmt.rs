//! `sopc fmt [PATH...] [--check]`: rewrite policies in the canonical layout,
//! or with `--check` show the difference and exit 1 when a file is not
//! formatted.

use super::{input, usage_error, Exit};
use sopc::diagnostic;
use std::collections::HashMap;
use std::hash::Hash;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy files or folders (all `.sop` files below); default `policies/`
    pub paths: Vec<PathBuf>,
    /// Change nothing; show what would change and exit 1 if anything would
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: Args) -> Exit {
    let files = match input::collect(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let mut exit = Exit::Clean;
    for file in &files {
        let source = match input::read(file) {
            Ok(s) => s,
            Err(e) => return usage_error(e),
        };
        let formatted = match sopc::format_source(&source.text) {
            Ok(f) => f,
            Err(diags) => {
                let renderer = diagnostic::HumanRenderer::new(&source.name, &source.text, false);
                for d in diags.iter().filter(|d| d.is_error()) {
                    eprint!("{}", renderer.render(d));
                }
                eprintln!(
                    "error: `{}` cannot be formatted until it parses",
                    source.name
                );
                exit = Exit::PolicyErrors;
                continue;
            }
        };
        if formatted == source.text {
            continue;
        }
        if args.check {
            print!(
                "{}",
                unified_diff(
                    &source.text,
                    &formatted,
                    &source.name,
                    &format!("{} (formatted)", source.name)
                )
            );
            exit = Exit::PolicyErrors;
        } else if let Err(e) = std::fs::write(file, &formatted) {
            return usage_error(format!("cannot write `{}`: {e}", file.display()));
        } else {
            println!("formatted {}", source.name);
        }
    }
    exit
}

/// Lines of context around each change in `--check`'s diff.
const CONTEXT: usize = 2;

/// `old` against `new` as a unified diff (`--- a`, `+++ b`, `@@` hunks).
pub(crate) fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = diff_lines(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    // Lines of each text before each op.
    let mut before = Vec::with_capacity(ops.len() + 1);
    let (mut i, mut j) = (0, 0);
    for op in &ops {
        before.push((i, j));
        match op {
            Line::Same(..) => (i, j) = (i + 1, j + 1),
            Line::Old(_) => i += 1,
            Line::New(_) => j += 1,
        }
    }
    let changed: Vec<usize> = (0..ops.len())
        .filter(|&i| !matches!(ops[i], Line::Same(..)))
        .collect();
    let mut k = 0;
    while k < changed.len() {
        // A hunk runs while the unchanged lines between two changes are
        // few enough for their contexts to touch.
        let mut last = k;
        while last + 1 < changed.len() && changed[last + 1] - changed[last] <= 2 * CONTEXT + 1 {
            last += 1;
        }
        let from = changed[k].saturating_sub(CONTEXT);
        let to = (changed[last] + CONTEXT + 1).min(ops.len());
        let hunk = &ops[from..to];
        let (a_at, b_at) = before[from];
        let a_len = hunk.iter().filter(|o| !matches!(o, Line::New(_))).count();
        let b_len = hunk.iter().filter(|o| !matches!(o, Line::Old(_))).count();
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(a_at, a_len),
            range(b_at, b_len)
        ));
        for op in hunk {
            let (mark, line) = match *op {
                Line::Same(i, _) => (' ', a[i]),
                Line::Old(i) => ('-', a[i]),
                Line::New(j) => ('+', b[j]),
            };
            out.push(mark);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        k = last + 1;
    }
    out
}

/// A hunk's range in unified diff form: `start,len` from 1, `start` alone
/// for one line, and the line before for none.
fn range(before: usize, len: usize) -> String {
    match len {
        0 => format!("{before},0"),
        1 => format!("{}", before + 1),
        _ => format!("{},{len}", before + 1),
    }
}

/// One line of a line diff: in both texts, only the old, only the new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    Same(usize, usize),
    Old(usize),
    New(usize),
}

struct LineDiff {
    ops: Vec<Line>,
}

/// The most cells of the exact (quadratic) table for one stretch between
/// anchors; a longer stretch without anchors is shown removed and added
/// whole. With at most this many cells, the shorter side has at most 256
/// lines, so all tables together cost at most 256 cells a line.
const EXACT_CELLS: usize = 1 << 16;

/// How often a stretch is split again at the lines unique within it.
const MAX_DEPTH: usize = 8;

/// A line diff in O(n log n): common ends stripped, then the lines that
/// occur once in each text anchor the rest (the longest run of them in the
/// same order, as the patience diff does), recursively; a stretch between
/// anchors is diffed exactly when small. Not always minimal, always a
/// correct diff; a plain LCS is quadratic (100,000 reformatted lines took
/// eight minutes).
fn diff_lines<T: Eq + Hash>(a: &[T], b: &[T]) -> Vec<Line> {
    let mut d = LineDiff {
        ops: Vec::with_capacity(a.len().max(b.len())),
    };
    d.stretch(a, b, (0, a.len()), (0, b.len()), 0);
    d.ops
}

impl LineDiff {
    fn stretch<T: Eq + Hash>(
        &mut self,
        a: &[T],
        b: &[T],
        (mut alo, ahi): (usize, usize),
        (mut blo, bhi): (usize, usize),
        depth: usize,
    ) {
        while alo < ahi && blo < bhi && a[alo] == b[blo] {
            self.ops.push(Line::Same(alo, blo));
            (alo, blo) = (alo + 1, blo + 1);
        }
        let mut tail = 0;
        while ahi - tail > alo && bhi - tail > blo && a[ahi - tail - 1] == b[bhi - tail - 1] {
            tail += 1;
        }
        let (ahi2, bhi2) = (ahi - tail, bhi - tail);
        self.middle(a, b, (alo, ahi2), (blo, bhi2), depth);
        self.ops
            .extend((0..tail).map(|k| Line::Same(ahi2 + k, bhi2 + k)));
    }

    fn middle<T: Eq + Hash>(
        &mut self,
        a: &[T],
        b: &[T],
        (alo, ahi): (usize, usize),
        (blo, bhi): (usize, usize),
        depth: usize,
    ) {
        let (m, n) = (ahi - alo, bhi - blo);
        if m == 0 || n == 0 || m.saturating_mul(n) <= EXACT_CELLS {
            return self.exact(a, b, (alo, ahi), (blo, bhi));
        }
        if depth < MAX_DEPTH {
            let anchors = self.anchors(a, b, (alo, ahi), (blo, bhi));
            if !anchors.is_empty() {
                let (mut pa, mut pb) = (alo, blo);
                for (i, j) in anchors {
                    self.stretch(a, b, (pa, i), (pb, j), depth + 1);
                    self.ops.push(Line::Same(i, j));
                    (pa, pb) = (i + 1, j + 1);
                }
                return self.stretch(a, b, (pa, ahi), (pb, bhi), depth + 1);
            }
        }
        self.ops.extend((alo..ahi).map(Line::Old));
        self.ops.extend((blo..bhi).map(Line::New));
    }

    /// The longest run, in the order of both texts, of lines that occur
    /// exactly once in each stretch.
    fn anchors<T: Eq + Hash>(
        &mut self,
        a: &[T],
        b: &[T],
        (alo, ahi): (usize, usize),
        (blo, bhi): (usize, usize),
    ) -> Vec<(usize, usize)> {
        // Per line: occurrences in a, in b, and where in b.
        let mut seen: HashMap<&T, (u32, u32, usize)> = HashMap::with_capacity(ahi - alo);
        for line in &a[alo..ahi] {
            seen.entry(line).or_default().0 += 1;
        }
        for (j, line) in b[blo..bhi].iter().enumerate() {
            if let Some(e) = seen.get_mut(line) {
                e.1 += 1;
                e.2 = blo + j;
            }
        }
        let pairs: Vec<(usize, usize)> = (alo..ahi)
            .filter_map(|i| match seen.get(&a[i]) {
                Some(&(1, 1, j)) => Some((i, j)),
                _ => None,
            })
            .collect();
        // Longest increasing run of b positions (patience sorting): `tops`
        // holds, per length, the pair ending the best run of that length.
        let mut tops: Vec<usize> = Vec::new();
        let mut prev = vec![usize::MAX; pairs.len()];
        for (k, &(_, j)) in pairs.iter().enumerate() {
            let at = tops.partition_point(|&t| pairs[t].1 < j);
            if at > 0 {
                prev[k] = tops[at - 1];
            }
            if at == tops.len() {
                tops.push(k);
            } else {
                tops[at] = k;
            }
        }
        let mut run = Vec::with_capacity(tops.len());
        let mut k = tops.last().copied().unwrap_or(usize::MAX);
        while k != usize::MAX {
            run.push(pairs[k]);
            k = prev[k];
        }
        run.reverse();
        run
    }

    /// A minimal diff of a small stretch: a table of the longest common
    /// subsequence of every pair of suffixes.
    fn exact<T: Eq + Hash>(
        &mut self,
        a: &[T],
        b: &[T],
        (alo, ahi): (usize, usize),
        (blo, bhi): (usize, usize),
    ) {
        let (m, n) = (ahi - alo, bhi - blo);
        if m == 0 || n == 0 {
            self.ops.extend((alo..ahi).map(Line::Old));
            self.ops.extend((blo..bhi).map(Line::New));
            return;
        }
        let w = n + 1;
        let mut lcs = vec![0u32; (m + 1) * w];
        for i in (0..m).rev() {
            for j in (0..n).rev() {
                lcs[i * w + j] = if a[alo + i] == b[blo + j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < m || j < n {
            if i < m && j < n && a[alo + i] == b[blo + j] {
                self.ops.push(Line::Same(alo + i, blo + j));
                (i, j) = (i + 1, j + 1);
            } else if j == n || (i < m && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
                self.ops.push(Line::Old(alo + i));
                i += 1;
            } else {
                self.ops.push(Line::New(blo + j));
                j += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static COMPARED: Cell<usize> = const { Cell::new(0) };
    }

    /// A line that counts how often the diff compares or hashes it.
    #[derive(Debug)]
    struct Counted(String);

    impl PartialEq for Counted {
        fn eq(&self, other: &Self) -> bool {
            COMPARED.with(|c| c.set(c.get() + 1));
            self.0 == other.0
        }
    }
    impl Eq for Counted {}
    impl Hash for Counted {
        fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
            COMPARED.with(|c| c.set(c.get() + 1));
            self.0.hash(state);
        }
    }

    /// The lines the ops keep of each text: they must give both texts back.
    fn check_ops<T: Eq + std::fmt::Debug>(a: &[T], b: &[T], ops: &[Line]) {
        let (mut i, mut j) = (0, 0);
        for op in ops {
            match *op {
                Line::Same(x, y) => {
                    assert_eq!((x, y), (i, j));
                    assert_eq!(a[x], b[y]);
                    (i, j) = (i + 1, j + 1);
                }
                Line::Old(x) => {
                    assert_eq!(x, i);
                    i += 1;
                }
                Line::New(y) => {
                    assert_eq!(y, j);
                    j += 1;
                }
            }
        }
        assert_eq!((i, j), (a.len(), b.len()));
    }

    /// Deterministic pseudo-random lines over a small alphabet.
    fn lines(seed: u64, n: usize, alphabet: u64) -> Vec<String> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                format!("line {}\n", x % alphabet)
            })
            .collect()
    }

    fn lcs_len(a: &[String], b: &[String]) -> usize {
        let mut row = vec![0usize; b.len() + 1];
        for x in a {
            let mut diag = 0;
            for (j, y) in b.iter().enumerate() {
                let up = row[j + 1];
                row[j + 1] = if x == y { diag + 1 } else { up.max(row[j]) };
                diag = up;
            }
        }
        row[b.len()]
    }

    #[test]
    fn the_diff_gives_both_texts_back_and_is_minimal_when_small() {
        for seed in 0..200 {
            let (n, m) = (seed as usize % 40, (seed as usize * 7) % 45);
            let a = lines(seed, n, 6);
            let b = lines(seed + 1000, m, 6);
            let ops = diff_lines(&a, &b);
            check_ops(&a, &b, &ops);
            let same = ops.iter().filter(|o| matches!(o, Line::Same(..))).count();
            assert_eq!(same, lcs_len(&a, &b), "seed {seed}");
        }
        // Large enough for anchors and for stretches shown whole.
        for (seed, alphabet) in [(1, 50), (2, 5_000), (3, 1_000_000)] {
            let a = lines(seed, 3_000, alphabet);
            let mut b = a.clone();
            for k in (0..b.len()).step_by(7) {
                b[k] = format!("changed {k}\n");
            }
            b.extend(lines(seed + 9, 500, alphabet));
            check_ops(&a, &b, &diff_lines(&a, &b));
            b.reverse();
            check_ops(&a, &b, &diff_lines(&a, &b));
        }
    }

    /// The lines compared and hashed grow with the text, not its square
    /// (issue 14: 10,000 reformatted lines took 4.6 s, 100,000 took 497 s).
    #[test]
    fn the_diff_compares_lines_a_linear_number_of_times() {
        let cost = |n: usize, shape: &dyn Fn(usize) -> (Vec<Counted>, Vec<Counted>)| {
            let (a, b) = shape(n);
            COMPARED.with(|c| c.set(0));
            let ops = diff_lines(&a, &b);
            let compared = COMPARED.with(Cell::get);
            check_ops(&a, &b, &ops);
            compared
        };
        let counted = |v: Vec<String>| v.into_iter().map(Counted).collect::<Vec<_>>();
        // Every line re-indented: no line in common.
        let reindented = |n: usize| {
            let a: Vec<String> = (0..n).map(|i| format!("  line {i}\n")).collect();
            let b = a.iter().map(|l| format!("  {l}")).collect();
            (counted(a), counted(b))
        };
        // Every other line changed, the rest repeated many times.
        let repeated = |n: usize| {
            let a: Vec<String> = (0..n).map(|i| format!("{}\n", i % 10)).collect();
            let b = (0..n).map(|i| format!("{}\n", (i + i / 2) % 10)).collect();
            (counted(a), counted(b))
        };
        // The same unique lines in the opposite order.
        let reversed = |n: usize| {
            let a: Vec<String> = (0..n).map(|i| format!("line {i}\n")).collect();
            let mut b = a.clone();
            b.reverse();
            (counted(a), counted(b))
        };
        let shapes: [(&str, &dyn Fn(usize) -> _); 3] = [
            ("re-indented", &reindented),
            ("repeated", &repeated),
            ("reversed", &reversed),
        ];
        for (name, shape) in shapes {
            let (small, large) = (cost(20_000, shape), cost(80_000, shape));
            let ratio = large as f64 / small as f64;
            assert!(
                ratio < 5.0,
                "{name}: {small} -> {large} compared ({ratio:.1}x)"
            );
        }
    }

    #[test]
    fn the_diff_is_unified_with_two_lines_of_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\nL\n";
        let expected = "--- x.sop\n+++ x.sop (formatted)\n\
            @@ -2,5 +2,5 @@\n b\n c\n-d\n+D\n e\n f\n\
            @@ -10,3 +10,3 @@\n j\n k\n-l\n\\ No newline at end of file\n+L\n";
        assert_eq!(
            unified_diff(old, new, "x.sop", "x.sop (formatted)"),
            expected
        );
    }
}
