//! `review-overdue`: the last review is older than the policy's review period
//! (`review every N days|months|years`), measured against `--today`.

use super::Options;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::graph::Graph;

/// Days since 0000-03-01 in the proleptic Gregorian calendar.
pub fn day_number(y: i32, m: u32, d: u32) -> i64 {
    let (y, m) = if m <= 2 { (y - 1, m + 12) } else { (y, m) };
    let y = i64::from(y);
    365 * y + y / 4 - y / 100 + y / 400 + (153 * (i64::from(m) - 3) + 2) / 5 + i64::from(d) - 1
}

pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.split('-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    (parts.next().is_none() && (1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

pub fn review_overdue(g: &Graph, opts: &Options, diags: &mut Vec<Diagnostic>) {
    let (Some(period), Some(today)) = (g.header.review_every_days, opts.today) else {
        return;
    };
    let last = g
        .header
        .reviewed
        .as_deref()
        .or(g.header.implemented.as_deref());
    let Some((y, m, d)) = last.and_then(parse_date) else {
        return;
    };
    let age = day_number(today.0, today.1, today.2) - day_number(y, m, d);
    if age > i64::from(period) {
        diags.push(
            Diagnostic::new(
                Code::ReviewOverdue,
                format!(
                    "the policy was last reviewed {age} days ago; its review period is {period} days"
                ),
            )
            .at(g.header.reviewed_span.unwrap_or(g.header.span), "last review")
            .with_help("review the procedure with its owner, then update `reviewed` in the header"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_count_leap_years() {
        assert_eq!(day_number(2016, 3, 1) - day_number(2016, 2, 28), 2);
        assert_eq!(day_number(2015, 3, 1) - day_number(2015, 2, 28), 1);
        assert_eq!(day_number(2026, 11, 28) - day_number(2015, 7, 8), 4161);
    }
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's
/// algorithm).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
}

#[cfg(test)]
mod civil_tests {
    #[test]
    fn epoch_days_to_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_785), (2026, 11, 28));
    }
}
