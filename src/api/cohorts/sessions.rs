//! One session: moved to another date or time, or cancelled (optionally with a replacement added
//! at the end of the course). Group sessions are renumbered so numbering stays in time order.

use crate::api::access::{Coordinator, Require};
use crate::api::cohorts::schedule_error;
use crate::api::cohorts::view::{load_view, CohortOut};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::db::write_transaction;
use crate::domain::{calendar, cohort as rules};
use crate::error::ApiError;
use crate::store::{self, audit, cohorts::NewSession};
use actix_web::{patch, web};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPatch {
    /// New local date (default: the same date).
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
    let cancelling = match p.status.as_deref() {
        None => false,
        Some("cancelled") => true,
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
    let (now, now_naive, actor, limit) = (
        state.now(),
        state.now_naive(),
        who.user.user_id,
        state.config.supervisor_cohort_limit,
    );
    let out = state
        .db(move |c| {
            write_transaction(c, |c| {
                let session = store::cohorts::find_session(c, id)?
                    .ok_or_else(|| ApiError::not_found("session"))?;
                let cohort = store::cohorts::find(c, session.cohort_id)?
                    .ok_or_else(|| ApiError::not_found("session"))?;
                if cohort.status == "cancelled" {
                    return Err(ApiError::Conflict("this cohort is cancelled".into()));
                }
                if session.is_cancelled() {
                    return Err(ApiError::Conflict(
                        "this session is already cancelled".into(),
                    ));
                }
                let tz = crate::api::cohorts::view::zone(&cohort);
                let detail;
                if cancelling {
                    let reason = p.reason.clone().unwrap_or_else(|| "Cancelled".into());
                    store::cohorts::cancel_session(c, id, reason.trim(), now_naive)?;
                    detail = format!("session {id} cancelled: {reason}");
                    if p.add_replacement && session.kind == "group" {
                        add_replacement(c, &cohort, tz, now_naive)?;
                    }
                } else {
                    let old_local = session.starts_at.and_utc().with_timezone(&tz);
                    let date = p.date.unwrap_or(old_local.date_naive());
                    let time = new_time.unwrap_or(old_local.time());
                    let closed = store::closures::closed_dates(c, cohort.venue_id, date, date)?;
                    if closed.contains(&date) {
                        return Err(ApiError::field(
                            "date",
                            format!("the venue is closed on {date}"),
                        ));
                    }
                    let starts = calendar::local_instant(date, time, tz)
                        .map_err(|e| schedule_error("start_time", e))?;
                    let length = session.ends_at - session.starts_at;
                    store::cohorts::move_session(
                        c,
                        id,
                        starts.naive_utc(),
                        (starts + length).naive_utc(),
                        now_naive,
                    )?;
                    detail = format!(
                        "session {id} moved from {} to {}",
                        old_local.to_rfc3339(),
                        starts.with_timezone(&tz).to_rfc3339()
                    );
                }
                store::cohorts::renumber(c, cohort.id)?;
                crate::api::cohorts::team::recheck_team(c, cohort.id, limit)?;
                if cohort.status == "published" {
                    audit::cohort_change(
                        c,
                        now_naive,
                        actor,
                        cohort.id,
                        "schedule_changed",
                        detail,
                    )?;
                }
                load_view(c, cohort.id, now)
            })
        })
        .await?;
    state.listing_cache.invalidate();
    Ok(web::Json(out))
}

/// A replacement group session in the first open week after the course's last session, at the
/// cohort's usual local time.
fn add_replacement(
    c: &mut crate::db::DbConnection,
    cohort: &store::cohorts::Cohort,
    tz: chrono_tz::Tz,
    now: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    let sessions = store::cohorts::sessions_of(c, cohort.id)?;
    let last = sessions
        .iter()
        .filter(|s| s.kind == "group" && !s.is_cancelled())
        .map(|s| s.starts_at.and_utc().with_timezone(&tz).date_naive())
        .max()
        .unwrap_or(cohort.first_session_date);
    let closed =
        store::closures::closed_dates(c, cohort.venue_id, last, last + Duration::weeks(60))?;
    let date = calendar::next_open_week(last, &|d| closed.contains(&d))
        .map_err(|e| schedule_error("add_replacement", e))?;
    let starts = calendar::local_instant(date, cohort.start_time, tz)
        .map_err(|e| schedule_error("add_replacement", e))?;
    let ends = starts + Duration::minutes(i64::from(cohort.session_minutes));
    store::cohorts::insert_sessions(
        c,
        cohort.id,
        &[NewSession {
            kind: "group",
            number: None,
            starts_at: starts.naive_utc(),
            ends_at: ends.naive_utc(),
        }],
        now,
    )?;
    Ok(())
}
