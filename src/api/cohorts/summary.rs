//! `GET /cohorts/{id}/summary`: how a group is going, for its facilitators and coordinators —
//! attendance per session, who has completed, open follow-ups and the outcome pairs recorded.
//! Worked out (and each family read audited) by `service::cohorts::summary`.

use crate::api::access::{Require, Staff};
use crate::api::docs::{E401, E403, E404, E503};
use crate::app::AppState;
use crate::domain::status::{BookingStatus, SessionKind, SessionStatus};
use crate::error::ApiError;
use crate::service::cohorts::summary;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionAttendance {
    pub session_id: i32,
    pub number: Option<i32>,
    pub kind: SessionKind,
    pub date: Option<NaiveDate>,
    /// `scheduled` or `cancelled`.
    pub status: SessionStatus,
    /// Started and not cancelled.
    pub held: bool,
    pub present: i64,
    pub late: i64,
    pub apologies: i64,
    pub absent: i64,
    pub unmarked: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyProgress {
    pub booking_id: i32,
    pub family_id: i32,
    pub carers_names: Vec<String>,
    /// `confirmed` or `withdrawn`.
    pub booking_status: BookingStatus,
    /// Group sessions attended (present or late).
    pub attended: i64,
    pub apologies: i64,
    pub absent: i64,
    pub completed: bool,
    pub open_follow_up: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomePairs {
    pub measure: String,
    pub pairs: usize,
    pub mean_pre: f64,
    pub mean_post: f64,
    pub mean_change: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortSummary {
    pub cohort_id: i32,
    pub title: String,
    pub programme: String,
    /// Sessions attended to complete.
    pub completion_threshold: i32,
    pub sessions: Vec<SessionAttendance>,
    pub families: Vec<FamilyProgress>,
    pub completed: i64,
    pub open_follow_ups: i64,
    /// Closed follow-ups by outcome.
    pub follow_up_outcomes: BTreeMap<String, i64>,
    pub outcome_pairs: Vec<OutcomePairs>,
}

/// A cohort's progress (its lead and co-facilitators; coordinators). Each family listed is an
/// audited read.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id")),
    responses((status = 200, description = "The cohort's progress", body = CohortSummary), E401, E403, E404, E503)
)]
#[get("/cohorts/{id}/summary")]
pub async fn cohort_summary(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let s = summary::cohort_summary(&state.services, who.actor(), id.into_inner()).await?;
    let out = CohortSummary {
        cohort_id: s.cohort_id,
        title: s.title,
        programme: s.programme,
        completion_threshold: s.completion_threshold,
        sessions: s
            .sessions
            .into_iter()
            .map(SessionAttendance::from)
            .collect(),
        families: s.families.into_iter().map(FamilyProgress::from).collect(),
        completed: s.completed,
        open_follow_ups: s.open_follow_ups,
        follow_up_outcomes: s.follow_up_outcomes,
        outcome_pairs: s
            .outcome_pairs
            .into_iter()
            .map(OutcomePairs::from)
            .collect(),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(out))
}

impl From<summary::SessionAttendance> for SessionAttendance {
    fn from(a: summary::SessionAttendance) -> Self {
        SessionAttendance {
            session_id: a.session_id,
            number: a.number,
            kind: a.kind,
            date: a.date,
            status: a.status,
            held: a.held,
            present: a.present,
            late: a.late,
            apologies: a.apologies,
            absent: a.absent,
            unmarked: a.unmarked,
        }
    }
}

impl From<summary::FamilyProgress> for FamilyProgress {
    fn from(f: summary::FamilyProgress) -> Self {
        FamilyProgress {
            booking_id: f.booking_id,
            family_id: f.family_id,
            carers_names: f.carers_names,
            booking_status: f.booking_status,
            attended: f.attended,
            apologies: f.apologies,
            absent: f.absent,
            completed: f.completed,
            open_follow_up: f.open_follow_up,
        }
    }
}

impl From<summary::OutcomePairs> for OutcomePairs {
    fn from(p: summary::OutcomePairs) -> Self {
        OutcomePairs {
            measure: p.measure,
            pairs: p.pairs,
            mean_pre: p.mean_pre,
            mean_post: p.mean_post,
            mean_change: p.mean_change,
        }
    }
}
