//! Unit tests of the calendar rules; the shared helpers are here, the tests by theme below.

use super::*;

mod holidays;
mod sessions;
mod terms_and_ages;

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
