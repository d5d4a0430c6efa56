//! How a cohort stands now, worked out from its stored row and sessions with the rules in
//! `domain::cohort` and `domain::creche`: its zone, when it ends, its status, whether booking is
//! open and the crèche places left (a shape the API shows as it is).

use crate::domain::ics;
use crate::domain::status::{CohortStatus, SessionKind};
use crate::domain::{cohort as rules, creche};
use crate::store::cohorts::{Cohort, Session};
use crate::store::programmes::Programme;
use crate::store::venues::Venue;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

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

/// When the cohort's last session was planned to end, cancelled sessions included (a cancelled
/// group's own dates).
pub fn planned_end(sessions: &[Session]) -> Option<DateTime<Utc>> {
    sessions.iter().map(|s| s.ends_at.and_utc()).max()
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

/// Crèche places left for one more child of each age band (on the first session date), under
/// the EYFS ratios in force on each session date.
#[derive(Debug, Serialize, ToSchema, Clone)]
pub struct PlacesByAge {
    pub under_2: i32,
    pub age_2: i32,
    pub age_3_plus: i32,
}

#[derive(Debug, Serialize, ToSchema, Clone)]
pub struct CrecheOut {
    pub offered: bool,
    /// Crèche workers planned.
    pub workers: i32,
    /// Children the venue's crèche room holds.
    pub room_capacity: i32,
    /// Places the crèche can promise whatever the children's ages.
    pub places: i32,
    /// Places left whatever the child's age (the tightest band).
    pub places_left: i32,
    pub places_left_by_age: PlacesByAge,
}

/// The crèche as it stands: places promised and left under the EYFS ratios.
/// `booked` are the dates of birth of children already holding crèche places.
pub fn creche_out(c: &Cohort, v: &Venue, sessions: &[Session], booked: &[NaiveDate]) -> CrecheOut {
    let places =
        rules::guaranteed_creche_places(c.creche_offered, c.creche_workers, v.creche_room_capacity);
    let by_age = if c.creche_offered {
        let dates = session_dates(c, sessions);
        let left = creche::places_left(
            &creche::eyfs_ratios(),
            &dates,
            booked,
            v.creche_room_capacity.max(0) as u32,
            c.creche_workers.max(0) as u32,
        );
        PlacesByAge {
            under_2: left.under_2 as i32,
            age_2: left.age_2 as i32,
            age_3_plus: left.age_3_plus as i32,
        }
    } else {
        PlacesByAge {
            under_2: 0,
            age_2: 0,
            age_3_plus: 0,
        }
    };
    CrecheOut {
        offered: c.creche_offered,
        workers: c.creche_workers,
        room_capacity: v.creche_room_capacity,
        places,
        places_left: by_age.under_2.min((places - booked.len() as i32).max(0)),
        places_left_by_age: by_age,
    }
}

/// Calendar events for a cohort's sessions, with stable UIDs.
pub fn session_events(
    c: &Cohort,
    p: &Programme,
    v: &Venue,
    sessions: &[Session],
) -> Vec<ics::Event> {
    let tz = zone(c);
    sessions
        .iter()
        .map(|s| {
            let what = match (s.kind, s.number) {
                (SessionKind::PreGroup, _) => "pre-group meeting".to_string(),
                (SessionKind::PostGroup, _) => "post-group meeting".to_string(),
                (_, Some(n)) => format!("session {n}"),
                _ => "session (cancelled)".to_string(),
            };
            ics::Event {
                uid: format!("session-{}@groupwork", s.id),
                summary: format!("{} — {what}", c.title),
                description: format!("{}. {}", p.name, c.description),
                location: format!("{}, {}, {}", v.name, v.address, v.postcode),
                starts_at: s.starts_at.and_utc(),
                ends_at: s.ends_at.and_utc(),
                tz,
                cancelled: s.is_cancelled(),
                sequence: s.sequence.max(0) as u32,
                last_modified: s.updated_at.and_utc(),
            }
        })
        .collect()
}
