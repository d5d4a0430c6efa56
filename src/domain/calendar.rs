//! The calendar the centres live by: bank holidays of England and Wales (computed by rule, plus
//! one-off changes), school-style terms, and weekly sessions at the same *local* time. Sessions
//! are computed per date rather than stored as a fixed UTC offset, because a 10:00 group must stay
//! at 10:00 across the clock changes and must skip closed weeks (the course moves on a week).

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// Easter Sunday (Gregorian; anonymous algorithm, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub name: String,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn first_monday(y: i32, m: u32) -> NaiveDate {
    let d = ymd(y, m, 1);
    d + Duration::days(i64::from((7 - d.weekday().num_days_from_monday()) % 7))
}

fn last_monday(y: i32, m: u32) -> NaiveDate {
    let last = if m == 12 {
        ymd(y, 12, 31)
    } else {
        ymd(y, m + 1, 1) - Duration::days(1)
    };
    last - Duration::days(i64::from(last.weekday().num_days_from_monday()))
}

fn holiday(date: NaiveDate, name: &str) -> BankHoliday {
    BankHoliday {
        date,
        name: name.to_string(),
    }
}

/// England and Wales bank holidays for `year` by rule (without one-off changes), by date.
pub fn bank_holidays(year: i32) -> Vec<BankHoliday> {
    let mut out = Vec::new();
    let new_year = ymd(year, 1, 1);
    out.push(match new_year.weekday() {
        Weekday::Sat => holiday(
            new_year + Duration::days(2),
            "New Year’s Day (substitute day)",
        ),
        Weekday::Sun => holiday(
            new_year + Duration::days(1),
            "New Year’s Day (substitute day)",
        ),
        _ => holiday(new_year, "New Year’s Day"),
    });
    let easter = easter_sunday(year);
    out.push(holiday(easter - Duration::days(2), "Good Friday"));
    out.push(holiday(easter + Duration::days(1), "Easter Monday"));
    out.push(holiday(first_monday(year, 5), "Early May bank holiday"));
    out.push(holiday(last_monday(year, 5), "Spring bank holiday"));
    out.push(holiday(last_monday(year, 8), "Summer bank holiday"));
    let christmas = ymd(year, 12, 25);
    match christmas.weekday() {
        Weekday::Sat => {
            out.push(holiday(ymd(year, 12, 27), "Christmas Day (substitute day)"));
            out.push(holiday(ymd(year, 12, 28), "Boxing Day (substitute day)"));
        }
        Weekday::Sun => {
            out.push(holiday(ymd(year, 12, 26), "Boxing Day"));
            out.push(holiday(ymd(year, 12, 27), "Christmas Day (substitute day)"));
        }
        Weekday::Fri => {
            out.push(holiday(christmas, "Christmas Day"));
            out.push(holiday(ymd(year, 12, 28), "Boxing Day (substitute day)"));
        }
        _ => {
            out.push(holiday(christmas, "Christmas Day"));
            out.push(holiday(ymd(year, 12, 26), "Boxing Day"));
        }
    }
    out.sort_by_key(|h| h.date);
    out
}

/// A one-off change to the rule: an extra holiday, or the rule's holiday on a date withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolidayChange {
    Add { date: NaiveDate, name: String },
    Remove { date: NaiveDate },
}

/// The one-off changes since 2020, as GOV.UK published them.
pub fn known_changes() -> Vec<HolidayChange> {
    let add = |y, m, d, name: &str| HolidayChange::Add {
        date: ymd(y, m, d),
        name: name.to_string(),
    };
    let remove = |y, m, d| HolidayChange::Remove { date: ymd(y, m, d) };
    vec![
        remove(2020, 5, 4),
        add(2020, 5, 8, "Early May bank holiday (VE day)"),
        remove(2022, 5, 30),
        add(2022, 6, 2, "Spring bank holiday"),
        add(2022, 6, 3, "Platinum Jubilee bank holiday"),
        add(
            2022,
            9,
            19,
            "Bank Holiday for the State Funeral of Queen Elizabeth II",
        ),
        add(
            2023,
            5,
            8,
            "Bank holiday for the coronation of King Charles III",
        ),
    ]
}

/// Bank holidays in `[from, to]`: the rule for every year in range, then `changes`, by date.
pub fn bank_holidays_between(
    from: NaiveDate,
    to: NaiveDate,
    changes: &[HolidayChange],
) -> Vec<BankHoliday> {
    if to < from {
        return Vec::new();
    }
    let mut out: Vec<BankHoliday> = (from.year()..=to.year()).flat_map(bank_holidays).collect();
    for change in changes {
        match change {
            HolidayChange::Remove { date } => out.retain(|h| h.date != *date),
            HolidayChange::Add { date, name } => {
                if !out.iter().any(|h| h.date == *date) {
                    out.push(holiday(*date, name));
                }
            }
        }
    }
    out.retain(|h| h.date >= from && h.date <= to);
    out.sort_by_key(|h| h.date);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TermName {
    Spring,
    Summer,
    Autumn,
}

/// A school-style term: supervision load is counted per term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term {
    pub year: i32,
    pub name: TermName,
}

/// Spring = 1 January to Easter Sunday, Summer = Easter Monday to 31 August, Autumn = September
/// to December.
pub fn term_of(date: NaiveDate) -> Term {
    let name = if date.month() >= 9 {
        TermName::Autumn
    } else if date <= easter_sunday(date.year()) {
        TermName::Spring
    } else {
        TermName::Summer
    };
    Term {
        year: date.year(),
        name,
    }
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.name {
            TermName::Spring => "spring",
            TermName::Summer => "summer",
            TermName::Autumn => "autumn",
        };
        write!(f, "{name} {}", self.year)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// The local time does not exist that day (the clocks go forward over it).
    NonexistentLocalTime {
        date: NaiveDate,
        time: NaiveTime,
        tz: Tz,
    },
    /// The local time happens twice that day (the clocks go back over it).
    AmbiguousLocalTime {
        date: NaiveDate,
        time: NaiveTime,
        tz: Tz,
    },
    /// More than a year of consecutive closed weeks.
    NoOpenDate { after: NaiveDate },
}

impl std::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleError::NonexistentLocalTime { date, time, tz } => write!(
                f,
                "{} does not exist on {date} in {tz} (the clocks go forward); choose another start time",
                time.format("%H:%M")
            ),
            ScheduleError::AmbiguousLocalTime { date, time, tz } => write!(
                f,
                "{} happens twice on {date} in {tz} (the clocks go back); choose another start time",
                time.format("%H:%M")
            ),
            ScheduleError::NoOpenDate { after } => write!(f, "no open week within a year after {after}"),
        }
    }
}

/// The UTC instant of a local wall-clock time on a date in `tz`.
pub fn local_instant(
    date: NaiveDate,
    time: NaiveTime,
    tz: Tz,
) -> Result<DateTime<Utc>, ScheduleError> {
    match tz.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(ScheduleError::NonexistentLocalTime { date, time, tz }),
        LocalResult::Ambiguous(_, _) => Err(ScheduleError::AmbiguousLocalTime { date, time, tz }),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSession {
    pub number: u32,
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The first open date on `from` or a whole number of weeks after it.
fn open_on_or_after(
    from: NaiveDate,
    is_closed: &dyn Fn(NaiveDate) -> bool,
) -> Result<NaiveDate, ScheduleError> {
    (0..=52)
        .map(|w| from + Duration::weeks(w))
        .find(|d| !is_closed(*d))
        .ok_or(ScheduleError::NoOpenDate { after: from })
}

/// `count` weekly sessions from `first` at local `start` in `tz`, each converted to UTC on its
/// own date, skipping closed dates; numbered 1..=count.
pub fn weekly_sessions(
    first: NaiveDate,
    start: NaiveTime,
    minutes: i64,
    tz: Tz,
    count: u32,
    is_closed: &dyn Fn(NaiveDate) -> bool,
) -> Result<Vec<PlannedSession>, ScheduleError> {
    let mut out = Vec::new();
    let mut date = first;
    for number in 1..=count {
        date = open_on_or_after(date, is_closed)?;
        let starts_at = local_instant(date, start, tz)?;
        out.push(PlannedSession {
            number,
            date,
            starts_at,
            ends_at: starts_at + Duration::minutes(minutes),
        });
        date += Duration::weeks(1);
    }
    Ok(out)
}

/// The first open date a whole number of weeks after `after` (a replacement session).
pub fn next_open_week(
    after: NaiveDate,
    is_closed: &dyn Fn(NaiveDate) -> bool,
) -> Result<NaiveDate, ScheduleError> {
    open_on_or_after(after + Duration::weeks(1), is_closed)
}

/// Whole months of age on `on` for a child born on `born` (a child born on the 31st has a
/// monthly birthday on the last day of shorter months).
pub fn age_in_months(born: NaiveDate, on: NaiveDate) -> i32 {
    if on < born {
        return -age_in_months(on, born);
    }
    let mut months = (on.year() - born.year()) * 12 + on.month() as i32 - born.month() as i32;
    let last_day_of_month = on.succ_opt().is_none_or(|d| d.month() != on.month());
    if on.day() < born.day() && !last_day_of_month {
        months -= 1;
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::London;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dates(hs: &[BankHoliday]) -> Vec<String> {
        hs.iter().map(|h| h.date.to_string()).collect()
    }

    #[test]
    fn easter_dates() {
        for (y, e) in [
            (2008, "2008-03-23"),
            (2016, "2016-03-27"),
            (2019, "2019-04-21"),
            (2020, "2020-04-12"),
            (2021, "2021-04-04"),
            (2022, "2022-04-17"),
            (2023, "2023-04-09"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
        ] {
            assert_eq!(easter_sunday(y), d(e), "{y}");
        }
    }

    #[test]
    fn bank_holidays_by_rule_match_gov_uk() {
        let cases: &[(i32, [&str; 8])] = &[
            (
                2016,
                [
                    "2016-01-01",
                    "2016-03-25",
                    "2016-03-28",
                    "2016-05-02",
                    "2016-05-30",
                    "2016-08-29",
                    "2016-12-26",
                    "2016-12-27",
                ],
            ),
            (
                2017,
                [
                    "2017-01-02",
                    "2017-04-14",
                    "2017-04-17",
                    "2017-05-01",
                    "2017-05-29",
                    "2017-08-28",
                    "2017-12-25",
                    "2017-12-26",
                ],
            ),
            (
                2018,
                [
                    "2018-01-01",
                    "2018-03-30",
                    "2018-04-02",
                    "2018-05-07",
                    "2018-05-28",
                    "2018-08-27",
                    "2018-12-25",
                    "2018-12-26",
                ],
            ),
            (
                2019,
                [
                    "2019-01-01",
                    "2019-04-19",
                    "2019-04-22",
                    "2019-05-06",
                    "2019-05-27",
                    "2019-08-26",
                    "2019-12-25",
                    "2019-12-26",
                ],
            ),
            (
                2020,
                [
                    "2020-01-01",
                    "2020-04-10",
                    "2020-04-13",
                    "2020-05-04",
                    "2020-05-25",
                    "2020-08-31",
                    "2020-12-25",
                    "2020-12-28",
                ],
            ),
            (
                2021,
                [
                    "2021-01-01",
                    "2021-04-02",
                    "2021-04-05",
                    "2021-05-03",
                    "2021-05-31",
                    "2021-08-30",
                    "2021-12-27",
                    "2021-12-28",
                ],
            ),
            (
                2022,
                [
                    "2022-01-03",
                    "2022-04-15",
                    "2022-04-18",
                    "2022-05-02",
                    "2022-05-30",
                    "2022-08-29",
                    "2022-12-26",
                    "2022-12-27",
                ],
            ),
            (
                2023,
                [
                    "2023-01-02",
                    "2023-04-07",
                    "2023-04-10",
                    "2023-05-01",
                    "2023-05-29",
                    "2023-08-28",
                    "2023-12-25",
                    "2023-12-26",
                ],
            ),
            (
                2024,
                [
                    "2024-01-01",
                    "2024-03-29",
                    "2024-04-01",
                    "2024-05-06",
                    "2024-05-27",
                    "2024-08-26",
                    "2024-12-25",
                    "2024-12-26",
                ],
            ),
            (
                2025,
                [
                    "2025-01-01",
                    "2025-04-18",
                    "2025-04-21",
                    "2025-05-05",
                    "2025-05-26",
                    "2025-08-25",
                    "2025-12-25",
                    "2025-12-26",
                ],
            ),
            (
                2026,
                [
                    "2026-01-01",
                    "2026-04-03",
                    "2026-04-06",
                    "2026-05-04",
                    "2026-05-25",
                    "2026-08-31",
                    "2026-12-25",
                    "2026-12-28",
                ],
            ),
            (
                2027,
                [
                    "2027-01-01",
                    "2027-03-26",
                    "2027-03-29",
                    "2027-05-03",
                    "2027-05-31",
                    "2027-08-30",
                    "2027-12-27",
                    "2027-12-28",
                ],
            ),
        ];
        for (year, expected) in cases {
            assert_eq!(dates(&bank_holidays(*year)), expected.to_vec(), "{year}");
        }
        let h2022 = bank_holidays(2022);
        assert_eq!(h2022[6].name, "Boxing Day");
        assert_eq!(h2022[7].name, "Christmas Day (substitute day)");
    }

    #[test]
    fn one_off_changes_apply() {
        let c = known_changes();
        let y2020 = dates(&bank_holidays_between(d("2020-05-01"), d("2020-05-31"), &c));
        assert_eq!(y2020, ["2020-05-08", "2020-05-25"]);
        let y2022 = dates(&bank_holidays_between(d("2022-05-01"), d("2022-09-30"), &c));
        assert_eq!(
            y2022,
            [
                "2022-05-02",
                "2022-06-02",
                "2022-06-03",
                "2022-08-29",
                "2022-09-19"
            ]
        );
        let y2023 = dates(&bank_holidays_between(d("2023-05-01"), d("2023-05-31"), &c));
        assert_eq!(y2023, ["2023-05-01", "2023-05-08", "2023-05-29"]);
        assert!(bank_holidays_between(d("2026-01-02"), d("2026-01-01"), &c).is_empty());
    }

    #[test]
    fn sessions_keep_local_time_across_the_spring_change() {
        let s = weekly_sessions(
            d("2026-03-03"),
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            120,
            London,
            8,
            &|_| false,
        )
        .unwrap();
        let utc: Vec<String> = s
            .iter()
            .map(|p| p.starts_at.format("%m-%dT%H:%M").to_string())
            .collect();
        assert_eq!(
            utc,
            [
                "03-03T10:00",
                "03-10T10:00",
                "03-17T10:00",
                "03-24T10:00",
                "03-31T09:00",
                "04-07T09:00",
                "04-14T09:00",
                "04-21T09:00"
            ]
        );
        assert!(s.iter().all(|p| p
            .starts_at
            .with_timezone(&London)
            .format("%H:%M")
            .to_string()
            == "10:00"));
        assert_eq!(s[7].ends_at - s[7].starts_at, Duration::minutes(120));
        assert_eq!(
            s.iter().map(|p| p.number).collect::<Vec<_>>(),
            (1..=8).collect::<Vec<_>>()
        );
    }

    #[test]
    fn sessions_keep_local_time_across_the_autumn_change() {
        let s = weekly_sessions(
            d("2026-10-13"),
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            90,
            London,
            3,
            &|_| false,
        )
        .unwrap();
        let utc: Vec<String> = s.iter().map(|p| p.starts_at.to_rfc3339()).collect();
        assert_eq!(
            utc,
            [
                "2026-10-13T09:00:00+00:00",
                "2026-10-20T09:00:00+00:00",
                "2026-10-27T10:00:00+00:00"
            ]
        );
    }

    #[test]
    fn closed_weeks_are_skipped() {
        let c = known_changes();
        let closed = |date: NaiveDate| !bank_holidays_between(date, date, &c).is_empty();
        let s = weekly_sessions(
            d("2026-03-23"),
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            90,
            London,
            6,
            &closed,
        )
        .unwrap();
        let got: Vec<String> = s.iter().map(|p| p.date.to_string()).collect();
        assert_eq!(
            got,
            [
                "2026-03-23",
                "2026-03-30",
                "2026-04-13",
                "2026-04-20",
                "2026-04-27",
                "2026-05-11"
            ]
        );
        let half_term = |date: NaiveDate| date >= d("2026-02-16") && date <= d("2026-02-20");
        let s = weekly_sessions(
            d("2026-02-09"),
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            90,
            London,
            2,
            &half_term,
        )
        .unwrap();
        assert_eq!(s[1].date, d("2026-02-23"));
        assert_eq!(
            next_open_week(d("2026-03-30"), &closed).unwrap(),
            d("2026-04-13")
        );
        assert_eq!(
            weekly_sessions(d("2026-01-05"), NaiveTime::MIN, 60, London, 1, &|_| true),
            Err(ScheduleError::NoOpenDate {
                after: d("2026-01-05")
            })
        );
    }

    #[test]
    fn impossible_local_times_name_the_date() {
        let t = NaiveTime::from_hms_opt(1, 30, 0).unwrap();
        let e = weekly_sessions(d("2026-03-22"), t, 60, London, 2, &|_| false).unwrap_err();
        assert!(
            matches!(e, ScheduleError::NonexistentLocalTime { date, .. } if date == d("2026-03-29"))
        );
        assert!(e.to_string().contains("2026-03-29"), "{e}");
        let e = local_instant(d("2026-10-25"), t, London).unwrap_err();
        assert!(matches!(e, ScheduleError::AmbiguousLocalTime { .. }));
        assert!(e.to_string().contains("2026-10-25"));
    }

    #[test]
    fn terms_turn_at_easter_and_september() {
        assert_eq!(term_of(d("2026-04-05")).to_string(), "spring 2026");
        assert_eq!(term_of(d("2026-04-06")).to_string(), "summer 2026");
        assert_eq!(term_of(d("2026-08-31")).to_string(), "summer 2026");
        assert_eq!(term_of(d("2026-09-01")).to_string(), "autumn 2026");
        assert_eq!(term_of(d("2027-01-04")).to_string(), "spring 2027");
    }

    #[test]
    fn ages_in_whole_months() {
        assert_eq!(age_in_months(d("2024-01-31"), d("2024-02-28")), 0);
        assert_eq!(age_in_months(d("2024-01-31"), d("2024-02-29")), 1);
        assert_eq!(age_in_months(d("2024-01-31"), d("2024-03-01")), 1);
        assert_eq!(age_in_months(d("2022-05-10"), d("2026-05-10")), 48);
        assert_eq!(age_in_months(d("2022-05-10"), d("2026-05-09")), 47);
    }
}
