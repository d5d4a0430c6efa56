//! Follow-up, not removal: unexplained absences at consecutive sessions (or apologies in a row;
//! one alone never) open a follow-up for the cohort's lead and co-facilitators; they record
//! contact attempts and close it with an outcome. Only an explicit, confirmed `withdrew` ends
//! the booking; a family who comes back closes theirs.
//! The rules, the transaction and the audit are `service::registers::follow_ups`'s.

use crate::api::access::{Require, Staff};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::api::one_of;
use crate::api::{utc, validate, PageQuery};
use crate::app::AppState;
use crate::domain::status::{ContactMethod, FollowUpOutcome, FollowUpStatus};
use crate::error::ApiError;
use crate::service::registers::follow_ups::{
    ContactAttempt, FollowUpView, ListFollowUps, UpdateFollowUp,
};
use actix_web::{get, patch, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub at: DateTime<Utc>,
    /// phone, text, email, visit, letter or other.
    pub method: ContactMethod,
    pub reached: bool,
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpOut {
    pub id: i32,
    pub booking_id: i32,
    pub cohort_id: i32,
    pub cohort_title: String,
    pub family_id: i32,
    pub carers_names: Vec<String>,
    pub phone: String,
    /// `open` or `closed`.
    pub status: FollowUpStatus,
    /// reengaged, will_rejoin_later, withdrew or unable_to_contact, once closed.
    #[schema(value_type = Option<FollowUpOutcome>)]
    pub outcome: Option<String>,
    pub note: String,
    /// The session whose absence opened it.
    pub trigger_session_id: i32,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub contacts: Vec<ContactOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    pub items: Vec<FollowUpOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl From<FollowUpView> for FollowUpOut {
    fn from(v: FollowUpView) -> Self {
        let f = v.follow_up;
        FollowUpOut {
            id: f.id,
            booking_id: f.booking_id,
            cohort_id: f.cohort_id,
            cohort_title: v.cohort_title,
            family_id: f.family_id,
            carers_names: v.carers_names,
            phone: v.phone,
            status: f.status,
            outcome: f.outcome,
            note: f.note,
            trigger_session_id: f.trigger_session_id,
            opened_at: utc(f.opened_at),
            closed_at: f.closed_at.map(utc),
            contacts: v
                .contacts
                .into_iter()
                .map(|k| ContactOut {
                    at: utc(k.at),
                    method: k.method,
                    reached: k.reached,
                    note: k.note,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// `open` or `closed`; both when absent.
    #[param(value_type = Option<FollowUpStatus>, inline)]
    pub status: Option<String>,
    pub cohort_id: Option<i32>,
}

/// Follow-ups, newest first: a facilitator's are those of the cohorts they lead or co-facilitate;
/// coordinators see every cohort's. Each family shown is an audited read.
#[utoipa::path(
    tag = "follow-ups",
    security(("bearer" = [])),
    params(FollowUpQuery, PageQuery),
    responses((status = 200, description = "Follow-ups", body = FollowUpList), E400, E401, E403, E422, E503)
)]
#[get("/follow-ups")]
pub async fn list_follow_ups(
    state: web::Data<AppState>,
    who: Require<Staff>,
    q: web::Query<FollowUpQuery>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<FollowUpList>, ApiError> {
    let (limit, offset) = page.checked()?;
    let q = q.into_inner();
    ApiError::check_ids(&[("cohort_id", q.cohort_id)])?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(
            FollowUpStatus::parse(s)
                .ok_or_else(|| ApiError::field("status", "must be open or closed"))?,
        ),
    };
    let cmd = ListFollowUps {
        status,
        cohort_id: q.cohort_id,
        limit,
        offset,
    };
    let (rows, total) =
        crate::service::registers::follow_ups::follow_ups(&state.services, who.actor(), cmd)
            .await?;
    Ok(web::Json(FollowUpList {
        items: rows.into_iter().map(FollowUpOut::from).collect(),
        total,
        limit,
        offset,
    }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    /// When the contact was tried; not in the future.
    pub at: DateTime<Utc>,
    /// phone, text, email, visit, letter or other.
    #[schema(example = "phone", value_type = crate::domain::status::ContactMethod)]
    pub method: String,
    /// Whether the family was reached.
    pub reached: bool,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpPatch {
    /// A contact attempt to add.
    #[validate(nested)]
    pub contact: Option<ContactIn>,
    /// Replaces the follow-up's note.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Closes it: reengaged, will_rejoin_later, withdrew or unable_to_contact.
    #[schema(value_type = Option<crate::domain::status::FollowUpOutcome>)]
    pub outcome: Option<String>,
    /// Must be true with `withdrew`: the family's place is then given up (and offered to the
    /// waiting list while that is still possible).
    #[serde(default)]
    pub confirm_withdrawal: bool,
}

/// Records a contact attempt, a note, or closes the follow-up with an outcome (the cohort's lead
/// and co-facilitators; coordinators).
#[utoipa::path(
    tag = "follow-ups",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Follow-up id")),
    request_body = FollowUpPatch,
    responses((status = 200, description = "The follow-up", body = FollowUpOut),
              E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[patch("/follow-ups/{id}")]
pub async fn update_follow_up(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
    body: ApiJson<FollowUpPatch>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    validate(&b)?;
    let now = state.now();
    let (method, outcome) = check_patch(&b, now)?;
    let cmd = UpdateFollowUp {
        id: id.into_inner(),
        contact: b.contact.zip(method).map(|(k, method)| ContactAttempt {
            at: k.at,
            method,
            reached: k.reached,
            note: k.note,
        }),
        note: b.note,
        outcome,
    };
    let out =
        crate::service::registers::follow_ups::update_follow_up(&state.services, who.actor(), cmd)
            .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(FollowUpOut::from(out)))
}

/// Checks the patch's form and returns its contact method and outcome, parsed.
fn check_patch(
    b: &FollowUpPatch,
    now: DateTime<Utc>,
) -> Result<(Option<ContactMethod>, Option<FollowUpOutcome>), ApiError> {
    let mut method = None;
    if let Some(k) = &b.contact {
        method = Some(
            ContactMethod::parse(&k.method)
                .ok_or_else(|| ApiError::field("contact.method", one_of(ContactMethod::ALL)))?,
        );
        if k.at > now + chrono::Duration::minutes(5) {
            return Err(ApiError::field("contact.at", "must not be in the future"));
        }
    }
    let outcome = match b.outcome.as_deref() {
        None => None,
        Some(o) => Some(
            FollowUpOutcome::parse(o)
                .ok_or_else(|| ApiError::field("outcome", one_of(FollowUpOutcome::ALL)))?,
        ),
    };
    match outcome {
        Some(FollowUpOutcome::Withdrew) if !b.confirm_withdrawal => Err(ApiError::field(
            "confirm_withdrawal",
            "must be true to record that the family withdrew: their place will be given up",
        )),
        // Well-formed but empty: a 422 like every other rule (400 is for a malformed request).
        _ if b.contact.is_none() && b.note.is_none() && b.outcome.is_none() => Err(
            ApiError::field("body", "send a contact, a note or an outcome"),
        ),
        _ => Ok((method, outcome)),
    }
}
