//! Outcome measures: the questionnaire scores a family gives before (`pre`) and after (`post`) a
//! group, kept by the cohort's lead and co-facilitators, or a coordinator. One pre and one post
//! per measure per booking; a mistake is corrected with PATCH. Crèche workers, supervisors and
//! other cohorts' facilitators get 404, as for a booking that does not exist. Every read and
//! every change is audited with the family. The rules, the transaction and the audit are
//! `service::registers::outcomes`'s.

use crate::api::access::{Require, Staff};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::registers::outcomes::{self as service, CorrectOutcome, Phase, RecordOutcome};
use crate::store::outcomes::Outcome;
use actix_web::{get, http::header, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutcomePhase {
    /// Before the group (usually at or before the first session).
    Pre,
    /// After the group.
    Post,
}

impl From<OutcomePhase> for Phase {
    fn from(p: OutcomePhase) -> Self {
        match p {
            OutcomePhase::Pre => Phase::Pre,
            OutcomePhase::Post => Phase::Post,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// One of the measures of the booking's programme (its `outcome_measures`).
    #[schema(example = "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)")]
    pub measure: String,
    pub phase: OutcomePhase,
    /// The score, a number from -1,000,000 to 1,000,000.
    #[schema(example = 42, minimum = -1_000_000, maximum = 1_000_000)]
    pub score: f64,
    /// The day the questionnaire was filled in: not after today (in the group's time zone),
    /// not before 2000.
    pub recorded_on: NaiveDate,
}

/// A correction: the score and/or the date. Measure and phase cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomePatch {
    pub score: Option<f64>,
    pub recorded_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeOut {
    pub id: i32,
    pub booking_id: i32,
    pub measure: String,
    pub phase: OutcomePhase,
    pub score: f64,
    pub recorded_on: NaiveDate,
    /// The user who recorded it.
    pub recorded_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A measure's scores side by side; `change` is post − pre when both are recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomePair {
    pub measure: String,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub change: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeList {
    /// By measure, `pre` before `post`.
    pub items: Vec<OutcomeOut>,
    pub total: i64,
    /// One per measure recorded, in the same order.
    pub pairs: Vec<OutcomePair>,
}

fn outcome_out(o: Outcome) -> OutcomeOut {
    let phase = if o.phase == "post" {
        OutcomePhase::Post
    } else {
        OutcomePhase::Pre
    };
    OutcomeOut {
        id: o.id,
        booking_id: o.booking_id,
        measure: o.measure,
        phase,
        score: o.score,
        recorded_on: o.recorded_on,
        recorded_by: o.recorded_by,
        created_at: crate::api::utc(o.created_at),
        updated_at: crate::api::utc(o.updated_at),
    }
}

/// Record a pre or post score (the cohort's lead or co-facilitators, or a coordinator). The
/// booking must be confirmed or withdrawn (a family who left keeps its pre score); a waitlisted
/// or cancelled booking is 409. A second score for the same measure and phase is 409 naming the
/// first one's URL: correct it with PATCH.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    request_body = OutcomeBody,
    responses(
        (status = 201, description = "Recorded", body = OutcomeOut,
         headers(("Location" = String, description = "/api/v1/bookings/{id}/outcomes/{outcome_id}")),
         links(("GetOutcome" = (operation_id = "get_outcome", parameters(("id" = "$request.path.id"), ("outcome_id" = "$response.body#/id")), description = "The score just recorded")), ("CorrectOutcome" = (operation_id = "correct_outcome", parameters(("id" = "$request.path.id"), ("outcome_id" = "$response.body#/id")), description = "Correct it")))),
        E400, E401, E403, E404, E409, E413, E415, E422, E503,
    )
)]
#[post("/bookings/{id}/outcomes")]
pub async fn record_outcome(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
    body: ApiJson<OutcomeBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = RecordOutcome {
        booking_id: id.into_inner(),
        measure: b.measure,
        phase: b.phase.into(),
        score: b.score,
        recorded_on: b.recorded_on,
    };
    let out = outcome_out(service::record_outcome(&state.services, who.actor(), cmd).await?);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location(out.booking_id, out.id)))
        .json(out))
}

fn location(booking_id: i32, id: i32) -> String {
    format!("/api/v1/bookings/{booking_id}/outcomes/{id}")
}

/// A booking's outcome measures with each measure's change from pre to post (the cohort's lead
/// or co-facilitators, or a coordinator). The read is audited.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    responses((status = 200, description = "The booking's scores", body = OutcomeList), E401, E403, E404, E503)
)]
#[get("/bookings/{id}/outcomes")]
pub async fn booking_outcomes(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<web::Json<OutcomeList>, ApiError> {
    let rows = service::outcomes_of_booking(&state.services, who.actor(), id.into_inner()).await?;
    let items: Vec<OutcomeOut> = rows.into_iter().map(outcome_out).collect();
    Ok(web::Json(OutcomeList {
        total: items.len() as i64,
        pairs: pairs(&items),
        items,
    }))
}

/// One score (who may record it): the `Location` of a new record. The read is audited.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = i32, Path, description = "Booking id"),
        ("outcome_id" = i32, Path, description = "Outcome measure id"),
    ),
    responses((status = 200, description = "The score", body = OutcomeOut), E401, E403, E404, E503)
)]
#[get("/bookings/{id}/outcomes/{outcome_id}")]
pub async fn get_outcome(
    state: web::Data<AppState>,
    who: Require<Staff>,
    ids: web::Path<(i32, i32)>,
) -> Result<web::Json<OutcomeOut>, ApiError> {
    let (booking_id, outcome_id) = ids.into_inner();
    let o = service::outcome(&state.services, who.actor(), booking_id, outcome_id).await?;
    Ok(web::Json(outcome_out(o)))
}

/// Side by side per measure; `items` come sorted by measure.
fn pairs(items: &[OutcomeOut]) -> Vec<OutcomePair> {
    let mut out: Vec<OutcomePair> = Vec::new();
    for o in items {
        if out.last().is_none_or(|p| p.measure != o.measure) {
            out.push(OutcomePair {
                measure: o.measure.clone(),
                pre: None,
                post: None,
                change: None,
            });
        }
        if let Some(p) = out.last_mut() {
            match o.phase {
                OutcomePhase::Pre => p.pre = Some(o.score),
                OutcomePhase::Post => p.post = Some(o.score),
            }
        }
    }
    for p in &mut out {
        // Rounded to a millionth so that 3.3 − 3.1 reads 0.2, not 0.19999999999999973.
        p.change = p
            .pre
            .zip(p.post)
            .map(|(pre, post)| ((post - pre) * 1e6).round() / 1e6);
    }
    out
}

/// Correct a score and/or the day it was recorded (who may record it). Measure and phase
/// cannot change: a score under the wrong measure is a new record.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = i32, Path, description = "Booking id"),
        ("outcome_id" = i32, Path, description = "Outcome measure id"),
    ),
    request_body = OutcomePatch,
    responses((status = 200, description = "Corrected", body = OutcomeOut), E400, E401, E403, E404, E413, E415, E422, E503)
)]
#[patch("/bookings/{id}/outcomes/{outcome_id}")]
pub async fn correct_outcome(
    state: web::Data<AppState>,
    who: Require<Staff>,
    ids: web::Path<(i32, i32)>,
    body: ApiJson<OutcomePatch>,
) -> Result<web::Json<OutcomeOut>, ApiError> {
    let ((booking_id, outcome_id), p) = (ids.into_inner(), body.into_inner());
    let cmd = CorrectOutcome {
        booking_id,
        outcome_id,
        score: p.score,
        recorded_on: p.recorded_on,
    };
    let o = service::correct_outcome(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(outcome_out(o)))
}
