//! How a cohort stands now, worked out from its stored row and sessions with the rules in
//! `domain::cohort`: its zone, when it ends, its status and whether booking is open.

use crate::domain::cohort as rules;
use crate::domain::status::CohortStatus;
use crate::store::cohorts::{Cohort, Session};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The cohort's own zone (`Europe/London` unless it says otherwise).
pub fn zone(c: &Cohort) -> Tz {
    rules::parse_timezone(&c.timezone).unwrap_or(chrono_tz::Europe::London)
}

/// When the cohort's last scheduled session ends.
pub fn last_end(sessions: &[Session]) -> Option<DateTime<Utc>> {
    sessions
        .iter()
        .filter(|s| !s.is_cancelled())
        .map(|s| s.ends_at.and_utc())
        .max()
}

/// Local dates of the cohort's scheduled sessions.
pub fn session_dates(c: &Cohort, sessions: &[Session]) -> Vec<NaiveDate> {
    let tz = zone(c);
    sessions
        .iter()
        .filter(|s| !s.is_cancelled())
        .map(|s| s.starts_at.and_utc().with_timezone(&tz).date_naive())
        .collect()
}

/// Status and booking window of a cohort as seen now.
pub struct Standing {
    pub status: CohortStatus,
    pub booking_open: bool,
}

pub fn standing(c: &Cohort, sessions: &[Session], now: DateTime<Utc>) -> Standing {
    let status = rules::effective_status(c.status, last_end(sessions), now);
    let today: NaiveDate = now.with_timezone(&zone(c)).date_naive();
    Standing {
        status,
        booking_open: rules::booking_open(
            status,
            c.booking_opens_on,
            c.booking_closes_on,
            c.first_session_date,
            today,
        ),
    }
}
