//! Response bodies for cohorts and sessions, shared by the cohort, session, team and listing
//! handlers: times in UTC and in the cohort's own zone. Also the whole cohort view, shaped from
//! the use cases' `CohortRecord`.

use crate::api::cohorts::team::{team_out, TeamOut};
use crate::domain::status::{CohortStatus, SessionKind, SessionStatus};
use crate::service::cohorts::CohortRecord;
pub use crate::service::schedule::{
    creche_out, last_end, standing, zone, CrecheOut, PlacesByAge, Standing,
};
use crate::store::cohorts::Session;
use crate::store::venues::Venue;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema, Clone)]
pub struct SessionOut {
    pub id: i32,
    /// 1..N among the scheduled group sessions, in time order; null for cancelled sessions and
    /// for pre/post-group meetings.
    pub number: Option<i32>,
    pub kind: SessionKind,
    #[schema(example = "2026-03-31T09:00:00Z")]
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The start in the cohort's zone, with its offset (`+00:00` in winter, never `Z`).
    #[schema(example = "2026-03-31T10:00:00+01:00")]
    pub local_start: String,
    #[schema(example = "2026-03-31T12:00:00+01:00")]
    pub local_end: String,
    pub status: SessionStatus,
    pub cancel_reason: Option<String>,
}

pub fn session_out(s: &Session, tz: Tz) -> SessionOut {
    let starts_at = s.starts_at.and_utc();
    let ends_at = s.ends_at.and_utc();
    SessionOut {
        id: s.id,
        number: s.number,
        kind: s.kind,
        starts_at,
        ends_at,
        local_start: starts_at.with_timezone(&tz).to_rfc3339(),
        local_end: ends_at.with_timezone(&tz).to_rfc3339(),
        status: s.status,
        cancel_reason: s.cancel_reason.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema, Clone)]
pub struct VenueSummary {
    pub id: i32,
    pub name: String,
    #[schema(example = "lambeth-2014:Stockwell")]
    pub ward: String,
    pub address: String,
    pub postcode: String,
    /// Step-free access, parking, buggy space and the like, in the centre's words.
    pub accessibility_notes: String,
}

pub fn venue_summary(v: &Venue) -> VenueSummary {
    VenueSummary {
        id: v.id,
        name: v.name.clone(),
        ward: v.ward.clone(),
        address: v.address.clone(),
        postcode: v.postcode.clone(),
        accessibility_notes: v.accessibility_notes.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortOut {
    pub id: i32,
    /// `draft`, `published`, `completed` (after its last session) or `cancelled`.
    pub status: CohortStatus,
    /// Programme code.
    #[schema(example = "cosp")]
    pub programme: String,
    pub programme_name: String,
    pub venue: VenueSummary,
    pub title: String,
    pub description: String,
    pub first_session_date: NaiveDate,
    /// Weekday of the sessions, e.g. `Tuesday`.
    pub weekday: String,
    /// Local start, `HH:MM`.
    #[schema(example = "10:00")]
    pub start_time: String,
    pub session_minutes: i32,
    #[schema(example = "Europe/London")]
    pub timezone: String,
    pub places: i32,
    pub places_left: i32,
    pub creche: CrecheOut,
    pub booking_opens_on: Option<NaiveDate>,
    pub booking_closes_on: Option<NaiveDate>,
    pub booking_open: bool,
    pub sessions: Vec<SessionOut>,
    pub team: TeamOut,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<CohortRecord> for CohortOut {
    fn from(r: CohortRecord) -> Self {
        let CohortRecord {
            cohort: c,
            programme: p,
            venue: v,
            sessions,
            team,
            creche_booked,
            now,
        } = r;
        let tz = zone(&c);
        let st = standing(&c, &sessions, now);
        CohortOut {
            id: c.id,
            status: st.status,
            programme: p.code.clone(),
            programme_name: p.name.clone(),
            venue: venue_summary(&v),
            creche: creche_out(&c, &v, &sessions, &creche_booked),
            weekday: c.first_session_date.format("%A").to_string(),
            start_time: c.start_time.format("%H:%M").to_string(),
            sessions: sessions.iter().map(|s| session_out(s, tz)).collect(),
            booking_open: st.booking_open,
            places_left: c.places - c.confirmed_count,
            team: team_out(&team),
            title: c.title,
            description: c.description,
            first_session_date: c.first_session_date,
            session_minutes: c.session_minutes,
            timezone: c.timezone,
            places: c.places,
            booking_opens_on: c.booking_opens_on,
            booking_closes_on: c.booking_closes_on,
            cancel_reason: c.cancel_reason,
            created_at: crate::api::utc(c.created_at),
            updated_at: crate::api::utc(c.updated_at),
            published_at: c.published_at.map(crate::api::utc),
        }
    }
}
