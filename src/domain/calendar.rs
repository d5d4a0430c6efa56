//! The calendar the centres run by: bank holidays in England and Wales, school-style terms,
//! weekly session dates and children's ages in months.
//!
//! Sessions are *computed* date by date, not stored as "first start plus n weeks in UTC", for
//! two reasons:
//! - a group meets at the same **local** wall-clock time every week, but `Europe/London` moves
//!   its UTC offset in March and October, so each date is converted to UTC with its own offset
//!   (a fixed offset would put half of a spring course at 11:00);
//! - a course **moves on a week** when its day is closed (bank holiday, half term, venue
//!   closure), so the dates depend on the closures, and an 8-session group can span 9–11 weeks.
//!
//! Bank holidays come from the rule, so courses can be planned years ahead, plus a short list of
//! one-off changes, because a holiday is occasionally moved or added by proclamation.
//!
//! Everything here is pure (no I/O, no clock) so that the rules are unit-tested directly.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// How many weeks after a closed date we look for an open one: a full year of consecutive closed
/// weeks means something is wrong with the closures, and searching on would hide it.
const MAX_CLOSED_WEEKS: u64 = 52;

/// Easter Sunday (Gregorian, anonymous/Meeus algorithm).
///
/// Total over all `i32` years: the year's own Easter is returned for any year chrono can
/// represent; beyond that the result saturates to `NaiveDate::MIN`/`MAX` rather than panicking.
pub fn easter_sunday(year: i32) -> NaiveDate {
    // Meeus, "Astronomical Algorithms", ch. 8. Euclidean division keeps every intermediate
    // non-negative for years before 1 AD, where Rust's `%` would go negative.
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    // With h in 0..30, l in 0..7 and m in 0..=1, n is 107..=149: March or April.
    let n = h + l - 7 * m + 114;
    let (month, day) = ((n / 31) as u32, (n % 31 + 1) as u32);
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(if year < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// A bank holiday: its date and its name as GOV.UK writes it ("Christmas Day", "Boxing Day
/// (substitute day)" etc.).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub name: String,
}

/// GOV.UK's spelling, typographic apostrophe included, so names match its published list.
const NEW_YEARS_DAY: &str = "New Year\u{2019}s Day";
const SUBSTITUTE: &str = " (substitute day)";

fn holiday(date: NaiveDate, name: &str) -> BankHoliday {
    BankHoliday {
        date,
        name: name.to_string(),
    }
}

fn substitute(date: NaiveDate, name: &str) -> BankHoliday {
    holiday(date, &format!("{name}{SUBSTITUTE}"))
}

/// The Monday on or after `date`.
fn monday_on_or_after(date: NaiveDate) -> NaiveDate {
    let ahead = (7 - date.weekday().num_days_from_monday()) % 7;
    date + Days::new(u64::from(ahead))
}

/// The Monday on or before `date`.
fn monday_on_or_before(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// England and Wales bank holidays for `year`, computed by rule, sorted by date:
/// New Year's Day (1 Jan; if it falls on Sat/Sun the holiday is the following Monday),
/// Good Friday and Easter Monday (from Easter), Early May bank holiday (first Monday of May),
/// Spring bank holiday (last Monday of May), Summer bank holiday (last Monday of August),
/// Christmas Day and Boxing Day with substitute days: Christmas on Saturday → Christmas substitute
/// Mon 27 and Boxing substitute Tue 28; Christmas on Sunday → Boxing Day Mon 26 and Christmas
/// substitute Tue 27; Boxing Day on Saturday → substitute Mon 28.
///
/// One-off changes (e.g. 2020 early May moved to 8 May; 2022 spring moved to 2 June plus the
/// Platinum Jubilee 3 June and the State Funeral 19 Sep; 2023 Coronation 8 May) are NOT in the
/// rule: they are applied by [`bank_holidays_between`] from a list of [`HolidayChange`]s.
///
/// A substitute day replaces the weekend date in the list (as GOV.UK lists it): the weekend date
/// itself is not a bank holiday. Years chrono cannot represent give an empty list.
pub fn bank_holidays(year: i32) -> Vec<BankHoliday> {
    // Every date used below lies between 1 January and 31 December of `year`, so once both
    // exist, plain date arithmetic inside the year cannot overflow.
    let (Some(jan1), Some(_)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Vec::new();
    };
    let day = |month: u32, day: u32| {
        NaiveDate::from_ymd_opt(year, month, day).unwrap_or(jan1) // always Some: checked above
    };
    let easter = easter_sunday(year);
    let mut out = Vec::with_capacity(8);

    out.push(match jan1.weekday() {
        Weekday::Sat | Weekday::Sun => substitute(monday_on_or_after(jan1), NEW_YEARS_DAY),
        _ => holiday(jan1, NEW_YEARS_DAY),
    });
    out.push(holiday(easter - Days::new(2), "Good Friday"));
    out.push(holiday(easter + Days::new(1), "Easter Monday"));
    out.push(holiday(
        monday_on_or_after(day(5, 1)),
        "Early May bank holiday",
    ));
    out.push(holiday(
        monday_on_or_before(day(5, 31)),
        "Spring bank holiday",
    ));
    out.push(holiday(
        monday_on_or_before(day(8, 31)),
        "Summer bank holiday",
    ));

    // Spelled out case by case rather than "move to the next free weekday", because GOV.UK names
    // the days differently by case: with Christmas on a Sunday, 26 December is Boxing Day itself
    // and the 27th is Christmas's substitute.
    match day(12, 25).weekday() {
        Weekday::Sat => {
            out.push(substitute(day(12, 27), "Christmas Day"));
            out.push(substitute(day(12, 28), "Boxing Day"));
        }
        Weekday::Sun => {
            out.push(holiday(day(12, 26), "Boxing Day"));
            out.push(substitute(day(12, 27), "Christmas Day"));
        }
        Weekday::Fri => {
            out.push(holiday(day(12, 25), "Christmas Day"));
            out.push(substitute(day(12, 28), "Boxing Day"));
        }
        _ => {
            out.push(holiday(day(12, 25), "Christmas Day"));
            out.push(holiday(day(12, 26), "Boxing Day"));
        }
    }
    // Already in date order (Easter Monday is at latest 26 April), but sorting keeps the promise
    // whatever the rule becomes.
    out.sort_by_key(|h| h.date);
    out
}

/// A one-off change to the rule: add a holiday on a date, or remove the rule's holiday on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolidayChange {
    Add { date: NaiveDate, name: String },
    Remove { date: NaiveDate },
}

/// The known one-off changes since 2020 (the 2020 and 2022 moves as a Remove + Add), named as
/// GOV.UK names them.
pub fn known_changes() -> Vec<HolidayChange> {
    let add = |y, m, d, name: &str| {
        NaiveDate::from_ymd_opt(y, m, d).map(|date| HolidayChange::Add {
            date,
            name: name.to_string(),
        })
    };
    let remove =
        |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map(|date| HolidayChange::Remove { date });
    [
        // 2020: the early May bank holiday moved to Friday 8 May for the 75th VE Day.
        remove(2020, 5, 4),
        add(2020, 5, 8, "Early May bank holiday (VE day)"),
        // 2022: the spring bank holiday moved to Thursday 2 June for the Platinum Jubilee.
        remove(2022, 5, 30),
        add(2022, 6, 2, "Spring bank holiday"),
        add(2022, 6, 3, "Platinum Jubilee bank holiday"),
        add(
            2022,
            9,
            19,
            "Bank Holiday for the State Funeral of Queen Elizabeth II",
        ),
        // 2023: an extra day for the coronation.
        add(
            2023,
            5,
            8,
            "Bank holiday for the coronation of King Charles III",
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Bank holidays between `from` and `to` inclusive (any number of years), rule plus `changes`,
/// sorted. Empty when `to` is before `from`.
///
/// `changes` are applied in order, so a later change wins: `Remove` takes away whatever holiday
/// is on that date by then (the rule's, or an earlier `Add`, which lets a coordinator undo a
/// mistaken entry), and `Add` on a date that is already a holiday renames it rather than listing
/// the date twice. A date is closed at most once, whatever the list says.
pub fn bank_holidays_between(
    from: NaiveDate,
    to: NaiveDate,
    changes: &[HolidayChange],
) -> Vec<BankHoliday> {
    if to < from {
        return Vec::new();
    }
    let mut days: BTreeMap<NaiveDate, String> = (from.year()..=to.year())
        .flat_map(bank_holidays)
        .map(|h| (h.date, h.name))
        .collect();
    for change in changes {
        match change {
            HolidayChange::Remove { date } => {
                days.remove(date);
            }
            HolidayChange::Add { date, name } => {
                days.insert(*date, name.clone());
            }
        }
    }
    days.range(from..=to)
        .map(|(date, name)| holiday(*date, name))
        .collect()
}

/// School-style term a date falls in: Spring = 1 Jan to Easter Sunday, Summer = Easter Monday to
/// 31 Aug, Autumn = 1 Sep to 31 Dec. (Supervision load is counted per term; cutting at Easter
/// rather than at a school's own dates keeps the count the same for every centre.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TermName {
    Spring,
    Summer,
    Autumn,
}

/// A term of a calendar year; orders chronologically (year, then spring < summer < autumn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term {
    pub year: i32,
    pub name: TermName,
}

/// The term `date` falls in.
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

impl fmt::Display for TermName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TermName::Spring => "spring",
            TermName::Summer => "summer",
            TermName::Autumn => "autumn",
        })
    }
}

/// "spring 2026", "autumn 2026".
impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.year)
    }
}

/// Why a weekly schedule cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// The local start time does not exist on that date (clocks go forward), e.g. 01:30 on
    /// 2026-03-29 in Europe/London.
    NonexistentLocalTime { date: NaiveDate },
    /// The local start time happens twice on that date (clocks go back).
    AmbiguousLocalTime { date: NaiveDate },
    /// More than 52 consecutive weeks were closed: no date could be found.
    NoOpenDate { after: NaiveDate },
}

/// Plain words for a coordinator, naming the date as YYYY-MM-DD. The variants carry only the
/// date, so the text speaks of "the start time" rather than repeating the time and zone, which
/// the caller's request already holds.
impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleError::NonexistentLocalTime { date } => write!(
                f,
                "the start time does not exist on {date} (the clocks go forward over it); \
                 choose another start time"
            ),
            ScheduleError::AmbiguousLocalTime { date } => write!(
                f,
                "the start time happens twice on {date} (the clocks go back over it); \
                 choose another start time"
            ),
            ScheduleError::NoOpenDate { after } => write!(
                f,
                "more than {MAX_CLOSED_WEEKS} consecutive weeks from {after} are closed, \
                 so no open date could be found"
            ),
        }
    }
}

impl std::error::Error for ScheduleError {}

/// The UTC instant of a local wall-clock time on a date in `tz`.
///
/// A time the clocks skip, or pass twice, is refused rather than guessed: a family told "01:30"
/// must be able to tell which 01:30 is meant, so the coordinator chooses another time.
pub fn local_instant(
    date: NaiveDate,
    time: NaiveTime,
    tz: Tz,
) -> Result<DateTime<Utc>, ScheduleError> {
    match tz.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(instant) => Ok(instant.with_timezone(&Utc)),
        LocalResult::Ambiguous(_, _) => Err(ScheduleError::AmbiguousLocalTime { date }),
        LocalResult::None => Err(ScheduleError::NonexistentLocalTime { date }),
    }
}

/// One generated session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSession {
    pub number: u32,
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The first open date on `from` or a whole number of weeks after it, looking at most
/// `MAX_CLOSED_WEEKS` weeks on. The error names `from`, where the run of closed weeks starts.
fn first_open_from(
    from: NaiveDate,
    is_closed: &dyn Fn(NaiveDate) -> bool,
) -> Result<NaiveDate, ScheduleError> {
    (0..=MAX_CLOSED_WEEKS)
        .map_while(|week| from.checked_add_days(Days::new(7 * week)))
        .find(|date| !is_closed(*date))
        .ok_or(ScheduleError::NoOpenDate { after: from })
}

/// `minutes` after `start`, saturating instead of panicking on absurd lengths (callers validate
/// the session length; this only keeps a bad value from taking the process down).
fn add_minutes(start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    let limit = if minutes < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    };
    TimeDelta::try_minutes(minutes)
        .and_then(|length| start.checked_add_signed(length))
        .unwrap_or(limit)
}

/// `count` weekly sessions starting on `first` (or the first open week after it), every 7 days at
/// the same LOCAL wall-clock `start` in `tz`, each converted to UTC on its own date (so a 10:00
/// group stays at 10:00 local across the March and October clock changes and its UTC time shifts
/// by an hour), skipping any date for which `is_closed(date)` is true (the course moves on a
/// week: an 8-session group can span 9–11 calendar weeks). Numbered 1..=count.
/// ends_at = starts_at + minutes. Errors name the first offending date.
///
/// Closed dates are skipped before their time is converted, so a closed date never causes a
/// clock-change error. `NoOpenDate.after` is the first closed date of the run that never ended.
pub fn weekly_sessions(
    first: NaiveDate,
    start: NaiveTime,
    minutes: i64,
    tz: Tz,
    count: u32,
    is_closed: &dyn Fn(NaiveDate) -> bool,
) -> Result<Vec<PlannedSession>, ScheduleError> {
    let mut out: Vec<PlannedSession> = Vec::new();
    for number in 1..=count {
        let candidate =
            match out.last() {
                None => first,
                Some(previous) => previous.date.checked_add_days(Days::new(7)).ok_or(
                    ScheduleError::NoOpenDate {
                        after: previous.date,
                    },
                )?,
            };
        let date = first_open_from(candidate, is_closed)?;
        let starts_at = local_instant(date, start, tz)?;
        out.push(PlannedSession {
            number,
            date,
            starts_at,
            ends_at: add_minutes(starts_at, minutes),
        });
    }
    Ok(out)
}

/// The next open date strictly after `after` on the same weekday (for a replacement session at
/// the end of a course). `NoOpenDate.after` is the `after` given.
pub fn next_open_week(
    after: NaiveDate,
    is_closed: &dyn Fn(NaiveDate) -> bool,
) -> Result<NaiveDate, ScheduleError> {
    after
        .checked_add_days(Days::new(7))
        .and_then(|next| first_open_from(next, is_closed).ok())
        .ok_or(ScheduleError::NoOpenDate { after })
}

/// Whole months of age on `on` for someone born on `born` (0 before the first monthly birthday,
/// and also for any date before birth, e.g. an expected baby: callers that must tell "unborn"
/// apart compare the dates).
///
/// A monthly birthday on a day the month lacks (born on the 31st; "30 February") falls on the 1st
/// of the next month, as a 29 February birthday does in a common year: born 31 January, a child is
/// 0 months on 29 February and 1 month on 1 March. That is exactly "one month fewer while the
/// day of the month has not yet reached the birth day".
pub fn age_in_months(born: NaiveDate, on: NaiveDate) -> i32 {
    if on < born {
        return 0;
    }
    let months = (on.year() - born.year()) * 12 + on.month() as i32 - born.month() as i32;
    if on.day() < born.day() {
        months - 1
    } else {
        months
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::London;
    use std::collections::BTreeSet;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn dates(holidays: &[BankHoliday]) -> Vec<String> {
        holidays.iter().map(|h| h.date.to_string()).collect()
    }

    /// "YYYY-MM-DD Name" per holiday, so dates and names are checked together.
    fn named(holidays: &[BankHoliday]) -> Vec<String> {
        holidays
            .iter()
            .map(|h| format!("{} {}", h.date, h.name))
            .collect()
    }

    fn session_dates(sessions: &[PlannedSession]) -> Vec<String> {
        sessions.iter().map(|s| s.date.to_string()).collect()
    }

    fn open_always(_: NaiveDate) -> bool {
        false
    }

    /// Closed on England and Wales bank holidays, known changes included.
    fn bank_holiday_closed(date: NaiveDate) -> bool {
        !bank_holidays_between(date, date, &known_changes()).is_empty()
    }

    #[test]
    fn easter_sunday_matches_published_dates() {
        for (year, easter) in [
            (1818, "1818-03-22"), // earliest possible
            (1943, "1943-04-25"), // latest possible
            (2000, "2000-04-23"),
            (2008, "2008-03-23"),
            (2011, "2011-04-24"),
            (2016, "2016-03-27"),
            (2017, "2017-04-16"),
            (2018, "2018-04-01"),
            (2019, "2019-04-21"),
            (2020, "2020-04-12"),
            (2021, "2021-04-04"),
            (2022, "2022-04-17"),
            (2023, "2023-04-09"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2028, "2028-04-16"),
            (2029, "2029-04-01"),
            (2030, "2030-04-21"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter_sunday(year), d(easter), "Easter {year}");
        }
    }

    #[test]
    fn easter_sunday_is_total() {
        // chrono's first and last whole years, and years it cannot represent at all.
        let (first, last) = (NaiveDate::MIN.year(), NaiveDate::MAX.year());
        for year in [first, -5000, -1, 0, 1, 1582, 9999, last] {
            let easter = easter_sunday(year);
            assert_eq!(easter.year(), year);
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert!((3..=4).contains(&easter.month()), "{year}");
            assert_eq!(bank_holidays(year).len(), 8, "{year}");
        }
        assert_eq!(easter_sunday(i32::MAX), NaiveDate::MAX);
        assert_eq!(easter_sunday(i32::MIN), NaiveDate::MIN);
        assert!(bank_holidays(last + 1).is_empty());
        assert!(bank_holidays(i32::MIN).is_empty());
    }

    /// 2016–2027 as published on GOV.UK (rule dates: the one-off changes of 2020 and 2022 are
    /// checked separately); 2028–2030 worked by hand from the same rule.
    #[test]
    fn rule_gives_gov_uk_lists_2016_to_2030() {
        let expected: [(i32, [&str; 8]); 15] = [
            (
                2016,
                [
                    "01-01", "03-25", "03-28", "05-02", "05-30", "08-29", "12-26", "12-27",
                ],
            ),
            (
                2017,
                [
                    "01-02", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26",
                ],
            ),
            (
                2018,
                [
                    "01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26",
                ],
            ),
            (
                2019,
                [
                    "01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26",
                ],
            ),
            (
                2020,
                [
                    "01-01", "04-10", "04-13", "05-04", "05-25", "08-31", "12-25", "12-28",
                ],
            ),
            (
                2021,
                [
                    "01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28",
                ],
            ),
            (
                2022,
                [
                    "01-03", "04-15", "04-18", "05-02", "05-30", "08-29", "12-26", "12-27",
                ],
            ),
            (
                2023,
                [
                    "01-02", "04-07", "04-10", "05-01", "05-29", "08-28", "12-25", "12-26",
                ],
            ),
            (
                2024,
                [
                    "01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26",
                ],
            ),
            (
                2025,
                [
                    "01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26",
                ],
            ),
            (
                2026,
                [
                    "01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28",
                ],
            ),
            (
                2027,
                [
                    "01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28",
                ],
            ),
            (
                2028,
                [
                    "01-03", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26",
                ],
            ),
            (
                2029,
                [
                    "01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26",
                ],
            ),
            (
                2030,
                [
                    "01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26",
                ],
            ),
        ];
        for (year, days) in expected {
            let want: Vec<String> = days.iter().map(|md| format!("{year}-{md}")).collect();
            assert_eq!(dates(&bank_holidays(year)), want, "bank holidays {year}");
        }
    }

    #[test]
    fn rule_names_every_holiday_as_gov_uk_does() {
        assert_eq!(
            named(&bank_holidays(2026)),
            [
                "2026-01-01 New Year\u{2019}s Day",
                "2026-04-03 Good Friday",
                "2026-04-06 Easter Monday",
                "2026-05-04 Early May bank holiday",
                "2026-05-25 Spring bank holiday",
                "2026-08-31 Summer bank holiday",
                "2026-12-25 Christmas Day",
                "2026-12-28 Boxing Day (substitute day)",
            ]
        );
    }

    #[test]
    fn christmas_and_boxing_day_substitutes() {
        let christmas = |year| named(&bank_holidays(year)[6..]);
        // Christmas on Saturday: both move, Christmas first.
        for year in [2021, 2027] {
            assert_eq!(
                christmas(year),
                [
                    format!("{year}-12-27 Christmas Day (substitute day)"),
                    format!("{year}-12-28 Boxing Day (substitute day)"),
                ],
                "{year}"
            );
        }
        // Christmas on Sunday: Boxing Day keeps the 26th, Christmas takes the 27th.
        for year in [2016, 2022] {
            assert_eq!(
                christmas(year),
                [
                    format!("{year}-12-26 Boxing Day"),
                    format!("{year}-12-27 Christmas Day (substitute day)"),
                ],
                "{year}"
            );
        }
        // Boxing Day on Saturday: only Boxing Day moves, to Monday 28th.
        for year in [2020, 2026] {
            assert_eq!(
                christmas(year),
                [
                    format!("{year}-12-25 Christmas Day"),
                    format!("{year}-12-28 Boxing Day (substitute day)"),
                ],
                "{year}"
            );
        }
        // Weekend dates themselves are not listed.
        assert!(!dates(&bank_holidays(2021)).contains(&"2021-12-25".to_string()));
    }

    #[test]
    fn new_years_day_substitutes() {
        let new_year = |year| bank_holidays(year)[0].clone();
        assert_eq!(
            new_year(2022),
            holiday(d("2022-01-03"), "New Year\u{2019}s Day (substitute day)")
        ); // Saturday
        assert_eq!(
            new_year(2023),
            holiday(d("2023-01-02"), "New Year\u{2019}s Day (substitute day)")
        ); // Sunday
        assert_eq!(
            new_year(2024),
            holiday(d("2024-01-01"), "New Year\u{2019}s Day")
        );
    }

    #[test]
    fn known_changes_give_the_published_2020_2022_2023_lists() {
        let c = known_changes();
        let year = |y: i32| {
            bank_holidays_between(
                NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(y, 12, 31).unwrap(),
                &c,
            )
        };
        let y2020 = year(2020);
        assert_eq!(
            dates(&y2020),
            [
                "2020-01-01",
                "2020-04-10",
                "2020-04-13",
                "2020-05-08",
                "2020-05-25",
                "2020-08-31",
                "2020-12-25",
                "2020-12-28"
            ]
        );
        assert_eq!(y2020[3].name, "Early May bank holiday (VE day)");

        let y2022 = year(2022);
        assert_eq!(
            named(&y2022),
            [
                "2022-01-03 New Year\u{2019}s Day (substitute day)",
                "2022-04-15 Good Friday",
                "2022-04-18 Easter Monday",
                "2022-05-02 Early May bank holiday",
                "2022-06-02 Spring bank holiday",
                "2022-06-03 Platinum Jubilee bank holiday",
                "2022-08-29 Summer bank holiday",
                "2022-09-19 Bank Holiday for the State Funeral of Queen Elizabeth II",
                "2022-12-26 Boxing Day",
                "2022-12-27 Christmas Day (substitute day)",
            ]
        );
        assert!(!dates(&y2022).contains(&"2022-05-30".to_string()));

        let y2023 = year(2023);
        assert_eq!(
            dates(&y2023),
            [
                "2023-01-02",
                "2023-04-07",
                "2023-04-10",
                "2023-05-01",
                "2023-05-08",
                "2023-05-29",
                "2023-08-28",
                "2023-12-25",
                "2023-12-26"
            ]
        );
        assert_eq!(
            y2023[4].name,
            "Bank holiday for the coronation of King Charles III"
        );

        // Years without changes are the rule's.
        assert_eq!(year(2026), bank_holidays(2026));
        assert_eq!(c.len(), 7);
    }

    #[test]
    fn between_is_inclusive_spans_years_and_sorts() {
        let c = known_changes();
        assert_eq!(
            dates(&bank_holidays_between(d("2021-12-27"), d("2022-01-03"), &c)),
            ["2021-12-27", "2021-12-28", "2022-01-03"]
        );
        assert_eq!(
            dates(&bank_holidays_between(d("2021-12-28"), d("2022-01-02"), &c)),
            ["2021-12-28"]
        );
        assert_eq!(
            bank_holidays_between(d("2016-01-01"), d("2030-12-31"), &c).len(),
            15 * 8 + 3
        );
        assert!(bank_holidays_between(d("2026-01-02"), d("2026-01-01"), &c).is_empty());
        assert!(bank_holidays_between(d("2026-01-02"), d("2026-04-02"), &c).is_empty());
        // Without changes, 2020 keeps the rule's 4 May.
        assert_eq!(
            dates(&bank_holidays_between(
                d("2020-05-01"),
                d("2020-05-31"),
                &[]
            )),
            ["2020-05-04", "2020-05-25"]
        );
    }

    #[test]
    fn changes_apply_in_order_and_never_duplicate_a_date() {
        let mut c = known_changes();
        // A coordinator adds a local holiday, then withdraws the coronation entry by mistake and
        // puts it back; and re-adds an existing date under another name.
        c.push(HolidayChange::Add {
            date: d("2026-06-01"),
            name: "Local holiday".into(),
        });
        c.push(HolidayChange::Remove {
            date: d("2023-05-08"),
        });
        c.push(HolidayChange::Add {
            date: d("2026-05-25"),
            name: "Whit Monday".into(),
        });
        let got = named(&bank_holidays_between(d("2023-05-01"), d("2023-05-31"), &c));
        assert_eq!(
            got,
            [
                "2023-05-01 Early May bank holiday",
                "2023-05-29 Spring bank holiday",
            ]
        );
        let got = named(&bank_holidays_between(d("2026-05-01"), d("2026-06-30"), &c));
        assert_eq!(
            got,
            [
                "2026-05-04 Early May bank holiday",
                "2026-05-25 Whit Monday",
                "2026-06-01 Local holiday",
            ]
        );
        c.push(HolidayChange::Remove {
            date: d("2026-06-01"),
        });
        assert_eq!(
            bank_holidays_between(d("2026-06-01"), d("2026-06-01"), &c),
            []
        );
    }

    #[test]
    fn cosp_tuesdays_stay_at_ten_local_across_the_march_change() {
        let sessions = weekly_sessions(
            d("2026-03-03"),
            t("10:00"),
            120,
            London,
            8,
            &bank_holiday_closed,
        )
        .unwrap();
        let starts: Vec<DateTime<Utc>> = sessions.iter().map(|s| s.starts_at).collect();
        assert_eq!(
            starts,
            [
                utc("2026-03-03T10:00:00Z"),
                utc("2026-03-10T10:00:00Z"),
                utc("2026-03-17T10:00:00Z"),
                utc("2026-03-24T10:00:00Z"),
                // The clocks go forward on Sunday 29 March: 10:00 BST is 09:00 UTC.
                utc("2026-03-31T09:00:00Z"),
                utc("2026-04-07T09:00:00Z"),
                utc("2026-04-14T09:00:00Z"),
                utc("2026-04-21T09:00:00Z"),
            ]
        );
        for s in &sessions {
            assert_eq!(
                s.starts_at.with_timezone(&London).time(),
                t("10:00"),
                "session {}",
                s.number
            );
            assert_eq!(s.starts_at.with_timezone(&London).date_naive(), s.date);
            assert_eq!(s.date.weekday(), Weekday::Tue);
            assert_eq!(s.ends_at - s.starts_at, TimeDelta::minutes(120));
        }
        assert_eq!(
            sessions.iter().map(|s| s.number).collect::<Vec<_>>(),
            (1..=8).collect::<Vec<_>>()
        );
    }

    #[test]
    fn groups_stay_at_ten_local_across_the_october_change() {
        let sessions =
            weekly_sessions(d("2026-10-13"), t("10:00"), 90, London, 4, &open_always).unwrap();
        let starts: Vec<DateTime<Utc>> = sessions.iter().map(|s| s.starts_at).collect();
        assert_eq!(
            starts,
            [
                utc("2026-10-13T09:00:00Z"),
                utc("2026-10-20T09:00:00Z"),
                // The clocks go back on Sunday 25 October: 10:00 GMT is 10:00 UTC.
                utc("2026-10-27T10:00:00Z"),
                utc("2026-11-03T10:00:00Z"),
            ]
        );
        assert!(sessions
            .iter()
            .all(|s| s.starts_at.with_timezone(&London).time() == t("10:00")));
        assert_eq!(sessions[3].ends_at, utc("2026-11-03T11:30:00Z"));
    }

    #[test]
    fn bank_holidays_move_a_monday_course_on() {
        let open =
            weekly_sessions(d("2026-03-23"), t("10:00"), 90, London, 6, &open_always).unwrap();
        assert_eq!(
            session_dates(&open),
            [
                "2026-03-23",
                "2026-03-30",
                "2026-04-06",
                "2026-04-13",
                "2026-04-20",
                "2026-04-27"
            ]
        );

        // Easter Monday alone pushes the course on by one week.
        let easter_monday = |date: NaiveDate| date == d("2026-04-06");
        let easter =
            weekly_sessions(d("2026-03-23"), t("10:00"), 90, London, 6, &easter_monday).unwrap();
        assert_eq!(
            session_dates(&easter),
            [
                "2026-03-23",
                "2026-03-30",
                "2026-04-13",
                "2026-04-20",
                "2026-04-27",
                "2026-05-04"
            ]
        );
        assert_eq!(easter[5].date, open[5].date + Days::new(7));

        // With every bank holiday closed, the early May bank holiday (4 May) also falls on the
        // sixth session, so it moves on once more.
        let all = weekly_sessions(
            d("2026-03-23"),
            t("10:00"),
            90,
            London,
            6,
            &bank_holiday_closed,
        )
        .unwrap();
        assert_eq!(
            session_dates(&all),
            [
                "2026-03-23",
                "2026-03-30",
                "2026-04-13",
                "2026-04-20",
                "2026-04-27",
                "2026-05-11"
            ]
        );
        assert_eq!(
            all.iter().map(|s| s.number).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
        assert!(all.iter().all(|s| !bank_holiday_closed(s.date)));

        // A first date that is itself closed starts the course a week later.
        let late = weekly_sessions(
            d("2026-04-06"),
            t("10:00"),
            90,
            London,
            2,
            &bank_holiday_closed,
        )
        .unwrap();
        assert_eq!(session_dates(&late), ["2026-04-13", "2026-04-20"]);
    }

    #[test]
    fn closure_ranges_skip_whole_weeks() {
        // February half term (Mon 16 – Fri 20 Feb 2026) for a Wednesday group.
        let half_term = |date: NaiveDate| (d("2026-02-16")..=d("2026-02-20")).contains(&date);
        let s = weekly_sessions(d("2026-02-04"), t("13:30"), 90, London, 4, &half_term).unwrap();
        assert_eq!(
            session_dates(&s),
            ["2026-02-04", "2026-02-11", "2026-02-25", "2026-03-04"]
        );

        // Two weeks of Easter holiday plus bank holidays, closures combined as the store does.
        let venue: BTreeSet<NaiveDate> = d("2026-03-30").iter_days().take(14).collect();
        let closed = |date: NaiveDate| venue.contains(&date) || bank_holiday_closed(date);
        let s = weekly_sessions(d("2026-03-18"), t("10:00"), 120, London, 8, &closed).unwrap();
        assert_eq!(
            session_dates(&s),
            [
                "2026-03-18",
                "2026-03-25",
                "2026-04-15",
                "2026-04-22",
                "2026-04-29",
                "2026-05-06",
                "2026-05-13",
                "2026-05-20"
            ]
        );
        // An 8-session group spanning 10 calendar weeks.
        assert_eq!((s[7].date - s[0].date).num_weeks() + 1, 10);

        // May half term overlapping the spring bank holiday, for a Monday group.
        let may_half_term = |date: NaiveDate| {
            (d("2026-05-25")..=d("2026-05-29")).contains(&date) || bank_holiday_closed(date)
        };
        let s =
            weekly_sessions(d("2026-05-11"), t("10:00"), 90, London, 3, &may_half_term).unwrap();
        assert_eq!(
            session_dates(&s),
            ["2026-05-11", "2026-05-18", "2026-06-01"]
        );
    }

    #[test]
    fn replacement_sessions_go_to_the_next_open_week() {
        assert_eq!(
            next_open_week(d("2026-03-30"), &bank_holiday_closed),
            Ok(d("2026-04-13"))
        );
        assert_eq!(
            next_open_week(d("2026-04-27"), &bank_holiday_closed),
            Ok(d("2026-05-11"))
        );
        assert_eq!(
            next_open_week(d("2026-03-03"), &open_always),
            Ok(d("2026-03-10"))
        );
        // Strictly after, even when `after` itself is open.
        assert_ne!(
            next_open_week(d("2026-03-10"), &open_always),
            Ok(d("2026-03-10"))
        );
    }

    #[test]
    fn a_year_of_closed_weeks_is_an_error() {
        let always = |_: NaiveDate| true;
        assert_eq!(
            weekly_sessions(d("2026-01-05"), t("10:00"), 60, London, 3, &always),
            Err(ScheduleError::NoOpenDate {
                after: d("2026-01-05")
            })
        );
        assert_eq!(
            next_open_week(d("2026-01-05"), &always),
            Err(ScheduleError::NoOpenDate {
                after: d("2026-01-05")
            })
        );
        // Closed from session 2 on: the error names where the closed run starts.
        let from_second_week = |date: NaiveDate| date >= d("2026-01-12");
        assert_eq!(
            weekly_sessions(
                d("2026-01-05"),
                t("10:00"),
                60,
                London,
                3,
                &from_second_week
            ),
            Err(ScheduleError::NoOpenDate {
                after: d("2026-01-12")
            })
        );
        // Exactly 52 closed weeks is still schedulable: the 53rd week is found.
        let year_closed = |date: NaiveDate| date < d("2027-01-04");
        let s = weekly_sessions(d("2026-01-05"), t("10:00"), 60, London, 1, &year_closed).unwrap();
        assert_eq!(s[0].date, d("2027-01-04"));
        let text = ScheduleError::NoOpenDate {
            after: d("2026-01-05"),
        }
        .to_string();
        assert!(text.contains("2026-01-05"), "{text}");
    }

    #[test]
    fn clock_change_times_are_refused_naming_the_date() {
        let err = local_instant(d("2026-03-29"), t("01:30"), London).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::NonexistentLocalTime {
                date: d("2026-03-29")
            }
        );
        let text = err.to_string();
        assert!(
            text.contains("2026-03-29") && text.contains("forward"),
            "{text}"
        );

        let err = local_instant(d("2026-10-25"), t("01:30"), London).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::AmbiguousLocalTime {
                date: d("2026-10-25")
            }
        );
        let text = err.to_string();
        assert!(
            text.contains("2026-10-25") && text.contains("back"),
            "{text}"
        );

        // In a schedule, the first offending week is named.
        assert_eq!(
            weekly_sessions(d("2026-03-15"), t("01:30"), 60, London, 4, &open_always),
            Err(ScheduleError::NonexistentLocalTime {
                date: d("2026-03-29")
            })
        );
        assert_eq!(
            weekly_sessions(d("2026-10-11"), t("01:30"), 60, London, 4, &open_always),
            Err(ScheduleError::AmbiguousLocalTime {
                date: d("2026-10-25")
            })
        );
        // A closed clock-change Sunday is skipped, not an error.
        let closed_29 = |date: NaiveDate| date == d("2026-03-29");
        let s = weekly_sessions(d("2026-03-22"), t("01:30"), 60, London, 2, &closed_29).unwrap();
        assert_eq!(s[1].starts_at, utc("2026-04-05T00:30:00Z"));

        // The same time on an ordinary day is fine, and the offset follows the date.
        assert_eq!(
            local_instant(d("2026-03-28"), t("01:30"), London),
            Ok(utc("2026-03-28T01:30:00Z"))
        );
        assert_eq!(
            local_instant(d("2026-07-01"), t("10:00"), London),
            Ok(utc("2026-07-01T09:00:00Z"))
        );
        assert_eq!(
            local_instant(d("2026-07-01"), t("10:00"), chrono_tz::UTC),
            Ok(utc("2026-07-01T10:00:00Z"))
        );
    }

    #[test]
    fn zero_sessions_and_odd_lengths_do_not_panic() {
        assert_eq!(
            weekly_sessions(d("2026-03-03"), t("10:00"), 60, London, 0, &open_always),
            Ok(vec![])
        );
        let s = weekly_sessions(
            d("2026-03-03"),
            t("10:00"),
            i64::MAX,
            London,
            1,
            &open_always,
        )
        .unwrap();
        assert_eq!(s[0].ends_at, DateTime::<Utc>::MAX_UTC);
        let s = weekly_sessions(
            NaiveDate::MAX,
            t("10:00"),
            60,
            chrono_tz::UTC,
            2,
            &open_always,
        );
        assert_eq!(
            s,
            Err(ScheduleError::NoOpenDate {
                after: NaiveDate::MAX
            })
        );
    }

    #[test]
    fn terms_turn_at_easter_and_september() {
        let term = |s: &str| term_of(d(s)).to_string();
        assert_eq!(term("2026-01-01"), "spring 2026");
        assert_eq!(term("2026-04-05"), "spring 2026"); // Easter Sunday
        assert_eq!(term("2026-04-06"), "summer 2026"); // Easter Monday
        assert_eq!(term("2026-08-31"), "summer 2026");
        assert_eq!(term("2026-09-01"), "autumn 2026");
        assert_eq!(term("2026-12-31"), "autumn 2026");
        assert_eq!(term("2027-01-01"), "spring 2027");
        assert_eq!(term("2027-03-28"), "spring 2027"); // a March Easter
        assert_eq!(term("2027-03-29"), "summer 2027");
        assert_eq!(
            term_of(d("2026-04-06")),
            Term {
                year: 2026,
                name: TermName::Summer
            }
        );
        assert!(term_of(d("2026-12-31")) < term_of(d("2027-01-01")));
        assert!(term_of(d("2026-04-05")) < term_of(d("2026-04-06")));
    }

    #[test]
    fn ages_in_whole_months() {
        let age = |born: &str, on: &str| age_in_months(d(born), d(on));
        assert_eq!(age("2024-01-31", "2024-02-29"), 0);
        assert_eq!(age("2024-01-31", "2024-03-01"), 1);
        assert_eq!(age("2024-01-31", "2024-03-30"), 1);
        assert_eq!(age("2024-01-31", "2024-03-31"), 2);
        assert_eq!(age("2022-05-10", "2026-05-10"), 48);
        assert_eq!(age("2022-05-10", "2026-05-09"), 47);
        assert_eq!(age("2024-02-29", "2025-02-28"), 11);
        assert_eq!(age("2024-02-29", "2025-03-01"), 12);
        assert_eq!(age("2025-12-15", "2026-01-15"), 1);
        assert_eq!(age("2026-03-03", "2026-03-03"), 0);
        assert_eq!(age("2026-03-03", "2026-04-02"), 0);
        // Before birth (an expected baby): 0, never negative.
        assert_eq!(age("2026-06-01", "2026-03-03"), 0);
    }
}
