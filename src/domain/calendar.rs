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

use std::fmt;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;

mod holidays;

pub use holidays::{
    bank_holidays, bank_holidays_between, easter_sunday, known_changes, BankHoliday, HolidayChange,
};

/// How many weeks after a closed date we look for an open one: a full year of consecutive closed
/// weeks means something is wrong with the closures, and searching on would hide it.
const MAX_CLOSED_WEEKS: u64 = 52;

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

/// Where a session goes when it moves to the end of its course (its date was closed after the
/// course was planned): the next open week after the course's last session `last`, at the same
/// LOCAL wall-clock `time` in `tz`, converted with the offset of its own date, so a 10:00 group
/// moved over the March clock change still meets at 10:00 (an hour earlier in UTC).
pub fn end_of_course(
    last: NaiveDate,
    time: NaiveTime,
    tz: Tz,
    is_closed: &dyn Fn(NaiveDate) -> bool,
) -> Result<DateTime<Utc>, ScheduleError> {
    let date = next_open_week(last, is_closed)?;
    local_instant(date, time, tz)
}

/// The weeks of a weekly group's run that have no session: every date a whole number of weeks
/// after the first session date and before the last that is not itself a session date (a bank
/// holiday, a closure, or a session moved to the end). Sorted, none if fewer than two dates.
pub fn weeks_without(session_dates: &[NaiveDate]) -> Vec<NaiveDate> {
    let (Some(first), Some(last)) = (session_dates.iter().min(), session_dates.iter().max()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut week = *first;
    while let Some(next) = week.checked_add_days(Days::new(7)) {
        if next >= *last {
            break;
        }
        if !session_dates.contains(&next) {
            out.push(next);
        }
        week = next;
    }
    out
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
mod tests;
