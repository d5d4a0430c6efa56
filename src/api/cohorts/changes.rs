//! Changing a cohort after it is planned (coordinators): editing its details or schedule,
//! publishing a draft and cancelling it, with their bodies. The rules and the transaction are
//! `service::cohorts::{change, lifecycle}`'s; the cohort view is in `view`.

use crate::api::access::{Coordinator, Require};
use crate::api::cohorts::view::CohortOut;
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::cohorts::{
    self as service, change::ChangeCohort, lifecycle::CancelCohort, lifecycle::PublishCohort,
};
use actix_web::{patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

/// Any subset; schedule fields regenerate the sessions (only before the first session is held).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CohortPatch {
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub title: Option<String>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[validate(range(min = 1, max = 200))]
    #[schema(minimum = 1, maximum = 200)]
    pub places: Option<i32>,
    #[validate(range(min = 0, max = 20))]
    #[schema(minimum = 0, maximum = 20)]
    pub creche_workers: Option<i32>,
    pub creche_offered: Option<bool>,
    pub booking_opens_on: Option<NaiveDate>,
    pub booking_closes_on: Option<NaiveDate>,
    #[schema(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub first_session_date: Option<NaiveDate>,
    #[schema(
        example = "10:00",
        pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub start_time: Option<String>,
    #[validate(range(min = 15, max = 480))]
    #[schema(minimum = 15, maximum = 480)]
    pub session_minutes: Option<i32>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    #[validate(length(min = 1, max = 500))]
    #[schema(
        example = "Facilitator unavailable; families offered the next group",
        min_length = 1,
        max_length = 500
    )]
    pub reason: String,
}

/// Change a cohort (coordinator). Changing the schedule regenerates its sessions while none has
/// been held; on a published cohort the change is recorded in the audit trail.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id")),
    request_body = CohortPatch,
    responses((status = 200, description = "Updated", body = CohortOut), E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[patch("/cohorts/{id}")]
pub async fn update_cohort(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
    body: ApiJson<CohortPatch>,
) -> Result<web::Json<CohortOut>, ApiError> {
    let p = body.into_inner();
    let cmd = ChangeCohort {
        cohort_id: id.into_inner(),
        invalid: field_errors(&p),
        title: p.title,
        description: p.description,
        places: p.places,
        creche_workers: p.creche_workers,
        creche_offered: p.creche_offered,
        booking_opens_on: p.booking_opens_on,
        booking_closes_on: p.booking_closes_on,
        first_session_date: p.first_session_date,
        start_time: p.start_time,
        session_minutes: p.session_minutes,
        supervisor_limit: state.config.supervisor_cohort_limit,
    };
    let cohort = service::change::change_cohort(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(cohort.into()))
}

/// Publish a draft cohort (coordinator): it appears in the listing and can be booked. Its team
/// must satisfy the programme.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id")),
    responses((status = 200, description = "Published", body = CohortOut), E401, E403, E404, E409, E503)
)]
#[post("/cohorts/{id}/publish")]
pub async fn publish_cohort(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
) -> Result<web::Json<CohortOut>, ApiError> {
    let cmd = PublishCohort {
        cohort_id: id.into_inner(),
        supervisor_limit: state.config.supervisor_cohort_limit,
    };
    let cohort = service::lifecycle::publish_cohort(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(cohort.into()))
}

/// Cancel a cohort (coordinator), with a reason families can be told.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id")),
    request_body = CancelBody,
    responses((status = 200, description = "Cancelled", body = CohortOut), E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[post("/cohorts/{id}/cancel")]
pub async fn cancel_cohort(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
    body: ApiJson<CancelBody>,
) -> Result<web::Json<CohortOut>, ApiError> {
    let (id, b) = (id.into_inner(), body.into_inner());
    crate::api::validate(&b)?;
    let cmd = CancelCohort {
        cohort_id: id,
        reason: b.reason,
    };
    let cohort = service::lifecycle::cancel_cohort(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(cohort.into()))
}
