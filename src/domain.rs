//! Values of typed facts (numbers, money, durations, dates, times of day)
//! and the finite abstraction the checks decide on.
//!
//! Every ordered value is a whole number in its type's step: a count in
//! ones, money in cents, a plain number in hundredths, a duration in
//! minutes, a date in days, a time of day in minutes after midnight (or,
//! when a policy names days of the week, minutes after Monday 00:00). A
//! range is then a set of half-open intervals `[lo, hi)` of those numbers,
//! and the points where the policy's ranges start and end cut the type's
//! values into finitely many *classes*: two values of one class take the
//! same branch of every `match`. The checks treat each class as an answer,
//! so they stay exact; the engine maps a value to its class by a binary
//! search.

/// What an ordered fact holds, with its step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scale {
    /// A number with up to two decimals, in hundredths.
    Number,
    /// A whole number.
    Count,
    /// An amount of money, in cents.
    Money,
    /// A duration in minutes, written in minutes.
    Minutes,
    /// A duration in minutes, written in hours.
    Hours,
    /// A duration in minutes, written in days.
    Days,
    /// A date, in days since 1970-01-01.
    Date,
    /// A time of day, in minutes after midnight.
    Clock,
    /// A moment of the week, in minutes after Monday 00:00: a time of day
    /// whose policy names days of the week.
    Week,
}

const DAY: i64 = 1440;
const WEEK: i64 = 7 * DAY;
/// The days of the week, Monday first, as written in a policy.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Past every count, amount or duration a call can speak of; far from
/// overflow, so `v + 1` never overflows.
const LARGE: i64 = 1 << 52;
/// Dates from year 1 to 9999.
const FIRST_DAY: i64 = -719_162;
const LAST_DAY: i64 = 2_932_897;

/// A half-open interval `[lo, hi)` of a scale's values.
pub type Interval = (i64, i64);

impl Scale {
    /// Every value of the scale: `[lo, hi)`.
    pub fn bounds(self) -> Interval {
        match self {
            Scale::Date => (FIRST_DAY, LAST_DAY),
            Scale::Clock => (0, DAY),
            Scale::Week => (0, WEEK),
            _ => (0, LARGE),
        }
    }

    pub fn is_duration(self) -> bool {
        matches!(self, Scale::Minutes | Scale::Hours | Scale::Days)
    }

    pub fn is_time(self) -> bool {
        matches!(self, Scale::Clock | Scale::Week)
    }

    /// How many steps of the scale a unit word is (`hours` on a duration).
    fn unit_steps(self, unit: Option<Unit>) -> Result<i64, String> {
        let written = match (unit, self) {
            (Some(u), s) if s.is_duration() => u,
            (Some(_), _) => {
                return Err(format!("{} takes no unit", self.noun()));
            }
            (None, Scale::Minutes) => Unit::Minutes,
            (None, Scale::Hours) => Unit::Hours,
            (None, Scale::Days) => Unit::Days,
            (None, _) => return Ok(1),
        };
        Ok(match written {
            Unit::Minutes => 1,
            Unit::Hours => 60,
            Unit::Days => DAY,
        })
    }

    /// Decimal places a number of this scale may have.
    fn decimals(self) -> u32 {
        match self {
            Scale::Number | Scale::Money => 2,
            _ => 0,
        }
    }

    /// The scale's name in the JSON of the engine and the service.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Number => "number",
            Scale::Count => "count",
            Scale::Money => "money",
            Scale::Minutes => "minutes",
            Scale::Hours => "hours",
            Scale::Days => "days",
            Scale::Date => "date",
            Scale::Clock => "clock",
            Scale::Week => "week",
        }
    }

    /// What a value of the scale is called in a message.
    pub fn noun(self) -> &'static str {
        match self {
            Scale::Number => "a number",
            Scale::Count => "a count",
            Scale::Money => "an amount of money",
            Scale::Minutes | Scale::Hours | Scale::Days => "a duration",
            Scale::Date => "a date",
            Scale::Clock | Scale::Week => "a time of day",
        }
    }

    /// An example of a value, for help texts.
    pub fn example(self) -> &'static str {
        match self {
            Scale::Number => "2.5",
            Scale::Count => "3",
            Scale::Money => "500.00",
            Scale::Minutes => "10 minutes",
            Scale::Hours => "2 hours",
            Scale::Days => "3 days",
            Scale::Date => "2026-02-28",
            Scale::Clock => "16:30",
            Scale::Week => "thu 16:30",
        }
    }
}

/// A unit written after a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Minutes,
    Hours,
    Days,
}

/// A number as written (`500`, `2.5`) in steps of `scale`, where `unit` is
/// the unit written after it.
pub fn number(scale: Scale, digits: &str, unit: Option<Unit>) -> Result<i64, String> {
    if matches!(scale, Scale::Date | Scale::Clock | Scale::Week) {
        return Err(format!("{} is not a number", scale.noun()));
    }
    let per_unit = scale.unit_steps(unit)?;
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{digits}` is not a number"));
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || digits.ends_with('.') {
        return Err(format!("`{digits}` is not a number"));
    }
    let frac = frac.trim_end_matches('0');
    let too_large = || format!("`{digits}` is too large");
    let whole: i64 = whole.parse().map_err(|_| too_large())?;
    // The value in steps: whole * per_unit * 10^decimals, plus the fraction.
    let scale_pow = 10i64.pow(scale.decimals());
    let mut steps = whole
        .checked_mul(per_unit)
        .and_then(|v| v.checked_mul(scale_pow))
        .ok_or_else(too_large)?;
    if !frac.is_empty() {
        // The fraction, in steps: frac / 10^len * per_unit * scale_pow,
        // which must be whole.
        if frac.len() > 12 {
            return Err(format!("`{digits}` has too many decimals"));
        }
        let f: i64 = frac.parse().map_err(|_| too_large())?;
        let den = 10i64.pow(frac.len() as u32);
        let num = f * per_unit * scale_pow;
        if num % den != 0 {
            return Err(match scale {
                Scale::Count => format!("a count is a whole number, not `{digits}`"),
                Scale::Money => format!("money has at most two decimals (cents), not `{digits}`"),
                Scale::Number => format!("a number has at most two decimals, not `{digits}`"),
                _ => format!("`{digits}` is not a whole number of minutes"),
            });
        }
        steps = steps.checked_add(num / den).ok_or_else(too_large)?;
    }
    if steps >= LARGE {
        return Err(too_large());
    }
    Ok(steps)
}

/// The day of the week of a date: 0 for Monday.
pub fn weekday_of(day_number: i64) -> i64 {
    // 1970-01-01 was a Thursday.
    (day_number + 3).rem_euclid(7)
}

/// `mon`…`sun` (or the whole English name): 0 for Monday.
pub fn weekday(word: &str) -> Option<i64> {
    let w = word.to_ascii_lowercase();
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    (0..7)
        .find(|&d| w == WEEKDAYS[d] || w == full[d])
        .map(|d| d as i64)
}

/// The days a word names: a day, `weekdays` or `weekends`.
pub fn days_word(word: &str) -> Option<Vec<i64>> {
    match word {
        "weekdays" => Some((0..5).collect()),
        "weekends" => Some(vec![5, 6]),
        _ => weekday(word).map(|d| vec![d]),
    }
}

/// A value given at run time (by the host, the caller or the analyst),
/// read as `scale`: `500`, `500.00`, `2 hours`, `2026-02-28`, `16:30`,
/// `thu 16:30` or `2026-12-03T16:30`. The error says what was expected.
pub fn parse(scale: Scale, input: &str) -> Result<i64, String> {
    let s = input.trim();
    let expected = || {
        format!(
            "`{s}` is not {}: write for example `{}`",
            scale.noun(),
            scale.example()
        )
    };
    match scale {
        Scale::Date => crate::date::Date::parse(s)
            .map(|d| d.day_number())
            .map_err(|_| expected()),
        Scale::Clock | Scale::Week => {
            let (day, clock) = match s.split_once(['T', ' ']) {
                Some((day, clock)) => (Some(day), clock.trim()),
                None => (None, s),
            };
            let minutes = parse_clock(clock).ok_or_else(expected)?;
            if minutes >= DAY {
                return Err(expected());
            }
            if scale == Scale::Clock {
                return Ok(minutes);
            }
            let day = match day {
                Some(d) => match weekday(d) {
                    Some(w) => w,
                    None => weekday_of(
                        crate::date::Date::parse(d)
                            .map_err(|_| expected())?
                            .day_number(),
                    ),
                },
                None => {
                    return Err(format!(
                        "`{s}` has no day: this policy's times depend on the day of the week; write for example `thu 16:30` or `2026-12-03T16:30`"
                    ))
                }
            };
            Ok(day * DAY + minutes)
        }
        _ => {
            let (digits, unit) = match s.split_once(' ') {
                Some((d, u)) => (d, Some(unit_word(u.trim()).ok_or_else(expected)?)),
                None => (s, None),
            };
            number(scale, digits, unit).map_err(|e| {
                if digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                    e
                } else {
                    expected()
                }
            })
        }
    }
}

fn unit_word(w: &str) -> Option<Unit> {
    match w {
        "minute" | "minutes" => Some(Unit::Minutes),
        "hour" | "hours" => Some(Unit::Hours),
        "day" | "days" => Some(Unit::Days),
        _ => None,
    }
}

/// `HH:MM` in minutes; `24:00` is 1440.
pub fn parse_clock(s: &str) -> Option<i64> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// A value of `scale` as a policy writes it.
pub fn format(scale: Scale, v: i64) -> String {
    match scale {
        Scale::Count => v.to_string(),
        Scale::Money => format!("{}.{:02}", v / 100, v % 100),
        Scale::Number => {
            if v % 100 == 0 {
                (v / 100).to_string()
            } else {
                format!("{}.{:02}", v / 100, v % 100)
            }
        }
        Scale::Minutes | Scale::Hours | Scale::Days => duration(v),
        Scale::Date => crate::date::Date::from_day_number(v)
            .map(|d| d.to_string())
            .unwrap_or_else(|| v.to_string()),
        Scale::Clock => clock(v),
        Scale::Week => format!(
            "{} {}",
            WEEKDAYS[(v.div_euclid(DAY)).rem_euclid(7) as usize],
            clock(v.rem_euclid(DAY))
        ),
    }
}

fn clock(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn duration(minutes: i64) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if minutes != 0 && minutes % DAY == 0 {
        plural(minutes / DAY, "day")
    } else if minutes != 0 && minutes % 60 == 0 {
        plural(minutes / 60, "hour")
    } else {
        plural(minutes, "minute")
    }
}

/// The points that cut a scale's values into classes: the ends of every
/// interval, inside the scale's bounds, sorted and each once.
pub fn cuts(scale: Scale, intervals: impl IntoIterator<Item = Interval>) -> Vec<i64> {
    let (lo, hi) = scale.bounds();
    let mut cuts: Vec<i64> = intervals
        .into_iter()
        .flat_map(|(a, b)| [a, b])
        .filter(|&p| p > lo && p < hi)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// The class of value `v`: how many cuts are at or below it.
pub fn class_of(cuts: &[i64], v: i64) -> usize {
    cuts.partition_point(|&c| c <= v)
}

/// The values of class `i`: `[lo, hi)`.
pub fn class_interval(scale: Scale, cuts: &[i64], i: usize) -> Interval {
    let (lo, hi) = scale.bounds();
    let from = if i == 0 { lo } else { cuts[i - 1] };
    let to = cuts.get(i).copied().unwrap_or(hi);
    (from, to)
}

/// How a class reads in a caller path: one value (`500.00`), or a range in
/// the policy's own words (`under 500.00`, `500.01 or more`,
/// `08:00..16:30`).
pub fn class_label(scale: Scale, (from, to): Interval) -> String {
    let (lo, hi) = scale.bounds();
    if to - from == 1 {
        format(scale, from)
    } else if from == lo && !scale.is_time() {
        format!("under {}", format(scale, to))
    } else if to == hi && !scale.is_time() {
        format!("{} or more", format(scale, from))
    } else if to == hi && scale == Scale::Clock {
        format!("{}..24:00", format(scale, from))
    } else if to == hi {
        format!("{}..mon 00:00", format(scale, from))
    } else {
        format!("{}..{}", format(scale, from), format(scale, to))
    }
}

/// Which comparison a range makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Greater than (`over`, `after`).
    Over,
    /// Less than (`under`, `before`).
    Under,
    /// Greater or equal (`or more`, `or later`).
    AtLeast,
    /// Less or equal (`or less`, `or earlier`).
    AtMost,
    /// `A..B`: from A up to but not including B; on a time of day, a
    /// span past midnight wraps (`23:00..06:00`).
    Span,
    /// Exactly one value.
    Exact,
}

/// The values a comparison takes, as intervals of `scale` (a time of day
/// on the scale `Clock`; see [`on_days`] for the week). `to` is the end of
/// a span. The error says why the range takes no value.
pub fn range(scale: Scale, op: Op, from: i64, to: Option<i64>) -> Result<Vec<Interval>, String> {
    let (lo, hi) = scale.bounds();
    let out = match op {
        Op::Over => vec![(from + 1, hi)],
        Op::Under => vec![(lo, from)],
        Op::AtLeast => vec![(from, hi)],
        Op::AtMost => vec![(lo, from + 1)],
        Op::Exact => vec![(from, from + 1)],
        Op::Span => {
            let to = to.unwrap_or(from);
            if scale.is_time() && to < from {
                vec![(from, hi), (lo, to)]
            } else {
                vec![(from, to)]
            }
        }
    };
    let out: Vec<Interval> = out
        .into_iter()
        .map(|(a, b)| (a.max(lo), b.min(hi)))
        .filter(|(a, b)| a < b)
        .collect();
    if out.is_empty() {
        return Err(match op {
            Op::Span => format!(
                "the range ends where it starts or before: {}..{} takes no value",
                format(scale, from),
                format(scale, to.unwrap_or(from))
            ),
            _ => format!("no value of {} lies there", scale.noun()),
        });
    }
    Ok(out)
}

/// The intervals of the week a day set and a time-of-day range take: the
/// time intervals (on the scale `Clock`) on each of `days`. A time range
/// that wraps past midnight belongs to the day it starts on.
pub fn on_days(days: &[i64], hours: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::new();
    for &d in days {
        // The part of a wrapped span after midnight, [0, b), follows the
        // part before it, [a, 1440): it lies on the next day.
        let wraps = hours.len() == 2 && hours[0].1 == DAY && hours[1].0 == 0;
        for (k, &(a, b)) in hours.iter().enumerate() {
            let day = if wraps && k == 1 { (d + 1) % 7 } else { d };
            out.push((day * DAY + a, day * DAY + b));
        }
    }
    out.sort_unstable();
    out
}

/// Whether `v` lies in one of the intervals.
pub fn contains(intervals: &[Interval], v: i64) -> bool {
    intervals.iter().any(|&(a, b)| a <= v && v < b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_in_the_steps_of_their_scale() {
        assert_eq!(number(Scale::Money, "500", None), Ok(50_000));
        assert_eq!(number(Scale::Money, "500.01", None), Ok(50_001));
        assert!(number(Scale::Money, "500.001", None).is_err());
        assert_eq!(number(Scale::Count, "3", None), Ok(3));
        assert!(number(Scale::Count, "2.5", None).is_err());
        assert_eq!(number(Scale::Hours, "2", None), Ok(120));
        assert_eq!(number(Scale::Hours, "1.5", None), Ok(90));
        assert_eq!(number(Scale::Minutes, "2", Some(Unit::Hours)), Ok(120));
        assert!(number(Scale::Money, "2", Some(Unit::Hours)).is_err());
        assert!(number(Scale::Hours, "0.001", None).is_err());
    }

    #[test]
    fn boundaries_belong_where_the_words_say() {
        let s = Scale::Money;
        let over = range(s, Op::Over, 50_000, None).unwrap();
        assert!(!contains(&over, 50_000) && contains(&over, 50_001));
        let at_least = range(s, Op::AtLeast, 50_000, None).unwrap();
        assert!(contains(&at_least, 50_000) && !contains(&at_least, 49_999));
        let open = range(Scale::Clock, Op::Span, 480, Some(990)).unwrap();
        assert!(contains(&open, 480) && contains(&open, 989) && !contains(&open, 990));
        let night = range(Scale::Clock, Op::Span, 23 * 60, Some(6 * 60)).unwrap();
        assert!(contains(&night, 0) && contains(&night, 23 * 60) && !contains(&night, 360));
    }

    #[test]
    fn a_night_span_on_a_day_runs_into_the_next_day() {
        let hours = range(Scale::Clock, Op::Span, 23 * 60, Some(6 * 60)).unwrap();
        // Friday 23:00 to Saturday 06:00.
        let week = on_days(&[4], &hours);
        let fri_23 = 4 * DAY + 23 * 60;
        let sat_05 = 5 * DAY + 5 * 60;
        assert!(contains(&week, fri_23) && contains(&week, sat_05));
        assert!(!contains(&week, 4 * DAY + 5 * 60));
    }

    #[test]
    fn classes_are_cut_by_the_policys_points() {
        let iv = [(0, 50_000), (50_001, LARGE)];
        let c = cuts(Scale::Money, iv);
        assert_eq!(c, vec![50_000, 50_001]);
        assert_eq!(class_of(&c, 49_999), 0);
        assert_eq!(class_of(&c, 50_000), 1);
        assert_eq!(
            class_label(Scale::Money, class_interval(Scale::Money, &c, 1)),
            "500.00"
        );
        assert_eq!(
            class_label(Scale::Money, class_interval(Scale::Money, &c, 2)),
            "500.01 or more"
        );
    }

    #[test]
    fn run_time_values_are_read_and_checked() {
        assert_eq!(parse(Scale::Money, "12.50"), Ok(1250));
        assert_eq!(parse(Scale::Hours, "90 minutes"), Ok(90));
        assert_eq!(parse(Scale::Week, "2026-12-03T16:30"), Ok(3 * DAY + 990));
        assert_eq!(parse(Scale::Week, "thu 16:30"), Ok(3 * DAY + 990));
        assert!(parse(Scale::Week, "16:30").is_err());
        assert_eq!(parse(Scale::Clock, "00:00"), Ok(0));
        assert!(parse(Scale::Clock, "24:00").is_err());
        assert_eq!(parse(Scale::Date, "2024-02-29"), Ok(19_782));
        assert!(parse(Scale::Date, "2023-02-29").is_err());
        assert!(parse(Scale::Money, "ten").is_err());
    }
}
