//! `GET /cohorts/{id}/summary`: how a group is going, for its facilitators and coordinators —
//! attendance per session, who has completed, open follow-ups and the outcome pairs recorded.
//! Worked out (and each family read audited) by `service::cohorts::summary`.

use crate::api::access::{Require, Staff};
use crate::api::docs::{E401, E403, E404, E503};
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::cohorts::summary;
use actix_web::{get, web, HttpResponse};

pub use crate::service::cohorts::summary::{
    CohortSummary, FamilyProgress, OutcomePairs, SessionAttendance,
};

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
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(s))
}
