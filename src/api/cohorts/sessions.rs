//! One session: moved to another date or time, or cancelled (optionally with a replacement added
//! at the end of the course). Group sessions are renumbered so numbering stays in time order;
//! the rules and the transaction are `service::cohorts::sessions`'s.

use crate::api::access::{Coordinator, Require};
use crate::api::cohorts::view::CohortOut;
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::domain::cohort as rules;
use crate::domain::status::SessionStatus;
use crate::error::ApiError;
use crate::service::{self, cohorts::sessions::ChangeSession, cohorts::sessions::SessionChange};
use actix_web::{patch, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPatch {
    /// New local date (default: the same date; 2000–2100).
    #[schema(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<NaiveDate>,
    /// New local start, `HH:MM` (default: the same time).
    #[schema(
        example = "13:30",
        pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub start_time: Option<String>,
    /// `cancelled` cancels the session.
    #[schema(example = "cancelled", value_type = Option<crate::api::docs::SessionStatusChange>)]
    pub status: Option<String>,
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: Option<String>,
    /// With a cancellation: add a replacement session a week after the last one.
    #[serde(default)]
    pub add_replacement: bool,
}

/// Move or cancel one session (coordinator). Answers with the whole cohort, renumbered.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Session id")),
    request_body = SessionPatch,
    responses((status = 200, description = "The cohort after the change", body = CohortOut), E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[patch("/sessions/{id}")]
pub async fn update_session(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
    body: ApiJson<SessionPatch>,
) -> Result<web::Json<CohortOut>, ApiError> {
    let (id, p) = (id.into_inner(), body.into_inner());
    crate::api::validate(&p)?;
    let cancelling = match p.status.as_deref().map(SessionStatus::parse) {
        None => false,
        Some(Some(SessionStatus::Cancelled)) => true,
        Some(_) => {
            return Err(ApiError::field(
                "status",
                "only `cancelled` can be set here",
            ))
        }
    };
    // Checked whatever else the request does: an invalid value is never passed over in silence.
    let new_time = match &p.start_time {
        Some(t) => Some(
            rules::parse_local_time(t)
                .ok_or_else(|| ApiError::field("start_time", "must be a local time HH:MM"))?,
        ),
        None => None,
    };
    if cancelling && (p.date.is_some() || new_time.is_some()) {
        return Err(ApiError::field(
            "status",
            "cancel the session or move it, not both in one change",
        ));
    }
    if p.date.is_some_and(|d| !rules::plausible_date(d)) {
        return Err(ApiError::field(
            "date",
            "must be a date between 2000 and 2100",
        ));
    }
    if !cancelling && p.date.is_none() && p.start_time.is_none() {
        return Err(ApiError::field(
            "date",
            "give a new date or start_time, or status `cancelled`",
        ));
    }
    let change = if cancelling {
        SessionChange::Cancel {
            reason: p.reason,
            add_replacement: p.add_replacement,
        }
    } else {
        SessionChange::Move {
            date: p.date,
            start_time: new_time,
        }
    };
    let cmd = ChangeSession {
        session_id: id,
        change,
        supervisor_limit: state.config.supervisor_cohort_limit,
    };
    let cohort =
        service::cohorts::sessions::change_session(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(cohort.into()))
}
