//! Calendar dates: the one place sopc reads, checks and counts them (the
//! header's `implemented` and `reviewed`, `--today`, review periods).
//! Proleptic Gregorian calendar; months and years are added as the calendar
//! does, not as 30 and 365 days.

use std::fmt;

/// A valid date (the day exists in its month and year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// The English name of a month, 1 to 12.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days of `month` (1 to 12) in `year`; `None` for a month
/// that does not exist.
pub fn days_in_month(year: i32, month: u32) -> Option<u32> {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if is_leap(year) => Some(29),
        2 => Some(28),
        _ => None,
    }
}

impl Date {
    /// 1970-01-01, day number 0.
    pub const EPOCH: Date = Date {
        year: 1970,
        month: 1,
        day: 1,
    };

    /// The date, if it exists.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let days = days_in_month(year, month)?;
        (1..=days).contains(&day).then_some(Date {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Reads `YEAR-MONTH-DAY` (four, two and two digits); the error says
    /// what is wrong in words.
    pub fn parse(s: &str) -> Result<Date, String> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
        if !(shape && digits(0..4) && digits(5..7) && digits(8..10)) {
            return Err("write it as YEAR-MONTH-DAY, for example 2026-11-28".into());
        }
        // Only ASCII digits: the parses cannot fail.
        let (year, month, day): (i32, u32, u32) = (
            s[0..4].parse().unwrap_or(0),
            s[5..7].parse().unwrap_or(0),
            s[8..10].parse().unwrap_or(0),
        );
        let Some(days) = days_in_month(year, month) else {
            return Err(format!("there is no month {month}"));
        };
        Date::new(year, month, day)
            .ok_or_else(|| format!("{} {year} has {days} days", MONTHS[month as usize - 1]))
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Days since 1970-01-01 (negative before), after Howard Hinnant's
    /// `days_from_civil`.
    pub fn day_number(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (Hinnant's `civil_from_days`);
    /// `None` past the years an `i32` holds.
    pub fn from_day_number(days: i64) -> Option<Date> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe
            .checked_add(era.checked_mul(400)?)?
            .checked_add(i64::from(month <= 2))?;
        Date::new(i32::try_from(year).ok()?, month, day)
    }

    /// The number of days from `self` to `later` (negative if it is before).
    pub fn days_until(self, later: Date) -> i64 {
        later.day_number() - self.day_number()
    }

    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_day_number(self.day_number().checked_add(days)?)
    }

    /// The same day `months` later; a day the month lacks becomes its last
    /// (2024-01-31 plus one month is 2024-02-29). `None` past the years an
    /// `i32` holds.
    pub fn add_months(self, months: i64) -> Option<Date> {
        let index = i64::from(self.year)
            .checked_mul(12)?
            .checked_add(i64::from(self.month) - 1)?
            .checked_add(months)?;
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = index.rem_euclid(12) as u32 + 1;
        let last = days_in_month(year, month)?;
        Date::new(year, month, self.day().min(last))
    }

    pub fn add_years(self, years: i64) -> Option<Date> {
        self.add_months(years.checked_mul(12)?)
    }
}

/// `review every N days|months|years`: a length on the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub amount: u32,
    pub unit: PeriodUnit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodUnit {
    Days,
    Months,
    Years,
}

impl Period {
    /// The date this period after `from`; `None` past any calendar.
    pub fn after(self, from: Date) -> Option<Date> {
        let n = i64::from(self.amount);
        match self.unit {
            PeriodUnit::Days => from.add_days(n),
            PeriodUnit::Months => from.add_months(n),
            PeriodUnit::Years => from.add_years(n),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            PeriodUnit::Days => "day",
            PeriodUnit::Months => "month",
            PeriodUnit::Years => "year",
        };
        let s = if self.amount == 1 { "" } else { "s" };
        write!(f, "{} {unit}{s}", self.amount)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("valid date")
    }

    #[test]
    fn parse_checks_the_calendar() {
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        assert_eq!(
            Date::parse("2026-02-30").unwrap_err(),
            "February 2026 has 28 days"
        );
        assert_eq!(
            Date::parse("2025-02-29").unwrap_err(),
            "February 2025 has 28 days"
        );
        assert_eq!(Date::parse("2000-02-29"), Ok(d("2000-02-29")));
        assert_eq!(
            Date::parse("1900-02-29").unwrap_err(),
            "February 1900 has 28 days"
        );
        assert_eq!(
            Date::parse("2026-04-31").unwrap_err(),
            "April 2026 has 30 days"
        );
        assert_eq!(
            Date::parse("2026-13-01").unwrap_err(),
            "there is no month 13"
        );
        assert_eq!(
            Date::parse("2026-00-10").unwrap_err(),
            "there is no month 0"
        );
        assert_eq!(
            Date::parse("2026-01-00").unwrap_err(),
            "January 2026 has 31 days"
        );
        for bad in [
            "",
            "2026-1-05",
            "2026-01-5",
            "26-01-05",
            "2026/01/05",
            "2026-01-05x",
        ] {
            assert!(
                Date::parse(bad).unwrap_err().contains("YEAR-MONTH-DAY"),
                "{bad}"
            );
        }
        for bad in ["２０２６-01-05", "2026-0é-5", "+026-01-05"] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn months_and_years_clamp_to_the_end_of_the_month() {
        assert_eq!(d("2024-01-31").add_months(1), Some(d("2024-02-29")));
        assert_eq!(d("2023-01-31").add_months(1), Some(d("2023-02-28")));
        assert_eq!(d("2024-03-31").add_months(-1), Some(d("2024-02-29")));
        assert_eq!(d("2024-10-31").add_months(4), Some(d("2025-02-28")));
        assert_eq!(d("2024-02-29").add_years(1), Some(d("2025-02-28")));
        assert_eq!(d("2024-02-29").add_years(4), Some(d("2028-02-29")));
        assert_eq!(d("2025-12-15").add_months(1), Some(d("2026-01-15")));
        assert_eq!(d("2026-01-01").add_years(i64::from(u32::MAX)), None);
        assert_eq!(d("2026-01-01").add_months(i64::MAX), None);
        assert_eq!(d("2026-01-01").add_days(i64::MAX), None);
    }

    #[test]
    fn day_numbers_count_from_the_epoch() {
        assert_eq!(d("1970-01-01").day_number(), 0);
        assert_eq!(d("2026-11-28").day_number(), 20_785);
        assert_eq!(d("1969-12-31").day_number(), -1);
        assert_eq!(d("2015-07-08").days_until(d("2026-11-28")), 4161);
        assert_eq!(d("2016-02-28").days_until(d("2016-03-01")), 2);
        assert_eq!(d("2015-02-28").days_until(d("2015-03-01")), 1);
    }

    /// Days from 0000-01-01, one day at a time: the oracle.
    fn brute_day_number(date: Date) -> i64 {
        let mut n = 0i64;
        for y in 0..date.year() {
            n += if is_leap(y) { 366 } else { 365 };
        }
        for m in 1..date.month() {
            n += i64::from(days_in_month(date.year(), m).unwrap_or(0));
        }
        n + i64::from(date.day()) - 1
    }

    /// Months added one at a time, keeping the day where the month has it.
    fn brute_add_months(date: Date, months: u32) -> Date {
        let (mut y, mut m) = (date.year(), date.month());
        for _ in 0..months {
            m += 1;
            if m == 13 {
                m = 1;
                y += 1;
            }
        }
        let mut day = date.day();
        while Date::new(y, m, day).is_none() {
            day -= 1;
        }
        Date::new(y, m, day).expect("a day of the month")
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (0i32..=2400, 1u32..=12, 1u32..=31)
            .prop_filter_map("a real day", |(y, m, d)| Date::new(y, m, d))
    }

    proptest! {
        #[test]
        fn counts_agree_with_a_day_by_day_count(a in any_date(), b in any_date()) {
            let epoch = brute_day_number(d("1970-01-01"));
            prop_assert_eq!(a.day_number(), brute_day_number(a) - epoch);
            prop_assert_eq!(a.days_until(b), brute_day_number(b) - brute_day_number(a));
            prop_assert_eq!(Date::from_day_number(a.day_number()), Some(a));
            prop_assert_eq!(Date::parse(&a.to_string()).ok(), (a.year() <= 9999).then_some(a));
        }

        #[test]
        fn the_next_day_follows_the_calendar(a in any_date()) {
            let next = a.add_days(1).expect("in range");
            let expected = Date::new(a.year(), a.month(), a.day() + 1)
                .or_else(|| Date::new(a.year(), a.month() + 1, 1))
                .or_else(|| Date::new(a.year() + 1, 1, 1));
            prop_assert_eq!(Some(next), expected);
        }

        #[test]
        fn months_agree_with_one_month_at_a_time(a in any_date(), n in 0u32..400) {
            let sum = a.add_months(i64::from(n)).expect("in range");
            prop_assert_eq!(sum, brute_add_months(a, n));
            prop_assert!(sum >= a);
            if n % 12 == 0 {
                prop_assert_eq!(a.add_years(i64::from(n / 12)), Some(sum));
            }
        }
    }
}
