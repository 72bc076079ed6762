//! "Did you mean": the closest candidate by edit distance.

/// Levenshtein distance over characters, with an early exit once `limit` is
/// exceeded (returns `limit + 1` then).
pub fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            row_min = row_min.min(cur[j]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Diagnostics after this many in one file get no "did you mean": each
/// suggestion scans every candidate, and a file full of unknown names would
/// otherwise cost unknowns x candidates. Nobody reads that far.
pub const MAX_SUGGESTIONS: usize = 100;

/// [`closest`] for a diagnostic of a file that has `reported` diagnostics
/// already: none past [`MAX_SUGGESTIONS`].
pub fn closest_for_report<'a, S: AsRef<str> + 'a>(
    reported: usize,
    word: &str,
    candidates: impl IntoIterator<Item = &'a S>,
) -> Option<&'a str> {
    if reported >= MAX_SUGGESTIONS {
        return None;
    }
    closest(word, candidates.into_iter().map(AsRef::as_ref))
}

/// The longest word (in bytes) that gets a suggestion.
pub const MAX_WORD: usize = 64;

/// The candidate closest to `word`, if it is close enough to be a likely typo
/// (at most a third of the word's length, and at least one edit allowed).
///
/// Words longer than [`MAX_WORD`] get no suggestion: the distance costs
/// length x limit, and a typo in a name that long is not a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.len() > MAX_WORD {
        return None;
    }
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.is_empty() || c == word || c.len() > MAX_WORD + 4 * limit {
            continue;
        }
        let d = edit_distance(word, c, limit);
        if d <= limit && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        assert_eq!(edit_distance("kitten", "sitting", 10), 3);
        assert_eq!(closest("colect", ["collect", "do", "say"]), Some("collect"));
        assert_eq!(
            closest("registar", ["campus", "registrar"]),
            Some("registrar")
        );
        assert_eq!(closest("zzz", ["collect", "do"]), None);
    }
}
