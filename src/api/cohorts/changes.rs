//! Changing a cohort after it is planned (coordinators): editing its details or schedule,
//! publishing a draft and cancelling it, with their bodies. The cohort view is in `cohort_views`.

use crate::api::access::{Coordinator, Require};
use crate::api::cohorts::view::{load_view, zone, CohortOut};
use crate::api::cohorts::{check_booking_window, check_creche, plan_sessions};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::db::{write_transaction, DbConnection};
use crate::domain::cohort as rules;
use crate::error::ApiError;
use crate::store::cohorts::{Cohort, CohortFields, NewSession};
use crate::store::{self, audit, programmes::Programme};
use actix_web::{patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
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
    let (id, p) = (id.into_inner(), body.into_inner());
    let errors = field_errors(&p);
    let (now, now_naive, actor, limit) = (
        state.now(),
        state.now_naive(),
        who.user.user_id,
        state.config.supervisor_cohort_limit,
    );
    let out = state
        .db(move |c| {
            write_transaction(c, |c| {
                let (cohort, programme, venue) = store::cohorts::find_full(c, id)?
                    .ok_or_else(|| ApiError::not_found("cohort"))?;
                if cohort.status == "cancelled" {
                    return Err(ApiError::Conflict("this cohort is cancelled".into()));
                }
                let mut errors = errors;
                let mut add = |field: &str, msg: String| {
                    errors.entry(field.to_string()).or_default().push(msg)
                };
                let start_time = match &p.start_time {
                    Some(s) => rules::parse_local_time(s).unwrap_or_else(|| {
                        add("start_time", "must be a local time HH:MM".into());
                        cohort.start_time
                    }),
                    None => cohort.start_time,
                };
                let f = CohortFields {
                    programme_id: cohort.programme_id,
                    venue_id: cohort.venue_id,
                    title: p
                        .title
                        .clone()
                        .map(|t| t.trim().to_string())
                        .unwrap_or(cohort.title.clone()),
                    description: p
                        .description
                        .clone()
                        .map(|d| d.trim().to_string())
                        .unwrap_or(cohort.description.clone()),
                    first_session_date: p.first_session_date.unwrap_or(cohort.first_session_date),
                    start_time,
                    session_minutes: p.session_minutes.unwrap_or(cohort.session_minutes),
                    timezone: cohort.timezone.clone(),
                    places: p.places.unwrap_or(cohort.places),
                    creche_offered: p.creche_offered.unwrap_or(cohort.creche_offered),
                    creche_workers: p.creche_workers.unwrap_or(cohort.creche_workers),
                    booking_opens_on: p.booking_opens_on.or(cohort.booking_opens_on),
                    booking_closes_on: p.booking_closes_on.or(cohort.booking_closes_on),
                };
                check_creche(
                    &programme,
                    &venue,
                    f.creche_offered,
                    f.creche_workers,
                    &mut add,
                );
                check_booking_window(f.booking_opens_on, f.booking_closes_on, &mut add);
                if p.first_session_date
                    .is_some_and(|d| !rules::plausible_date(d))
                {
                    add(
                        "first_session_date",
                        "must be a date between 2000 and 2100".into(),
                    );
                }
                if f.places < cohort.confirmed_count {
                    add(
                        "places",
                        format!(
                            "{} families already have confirmed places; cancel bookings first",
                            cohort.confirmed_count
                        ),
                    );
                }
                ApiError::check_fields(errors)?;
                let schedule_changed = f.first_session_date != cohort.first_session_date
                    || f.start_time != cohort.start_time
                    || f.session_minutes != cohort.session_minutes;
                if schedule_changed {
                    reschedule(c, &cohort, &programme, &f, now)?;
                }
                let updated = store::cohorts::update_fields(c, id, &f, now_naive)?;
                if updated.status == "published"
                    && (f.places > cohort.places || f.creche_workers > cohort.creche_workers)
                {
                    // More room: the waiting list moves up.
                    store::bookings::lock_cohort(c, id)?;
                    let sessions = store::cohorts::sessions_of(c, id)?;
                    let actor = crate::service::Actor::User {
                        id: actor,
                        role: crate::domain::role::Role::Coordinator,
                    };
                    crate::service::Tx::within(c, actor, now, |tx| {
                        crate::service::booking::waiting_list::promote(
                            tx,
                            &updated,
                            &sessions,
                            venue.creche_room_capacity,
                        )
                    })?;
                }
                crate::api::cohorts::team::recheck_team(c, id, limit)?;
                if cohort.status == "published" {
                    audit::cohort_change(
                        c,
                        now_naive,
                        actor,
                        id,
                        if schedule_changed {
                            "schedule_changed"
                        } else {
                            "cohort_changed"
                        },
                        patch_summary(&p),
                    )?;
                }
                load_view(c, id, now)
            })
        })
        .await?;
    state.listing_cache.invalidate();
    Ok(web::Json(out))
}

/// Regenerates the sessions for a new schedule, keeping pre/post meetings where they were.
fn reschedule(
    c: &mut DbConnection,
    cohort: &Cohort,
    programme: &Programme,
    f: &CohortFields,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let existing = store::cohorts::sessions_of(c, cohort.id)?;
    if existing.iter().any(|s| s.starts_at.and_utc() <= now) {
        return Err(ApiError::Conflict(
            "sessions have already been held; move single sessions instead".into(),
        ));
    }
    let tz = zone(cohort);
    let mut sessions = plan_sessions(c, f, programme.session_count, tz, [None, None])?;
    sessions.extend(
        existing
            .iter()
            .filter(|s| s.kind != "group")
            .map(|s| NewSession {
                kind: if s.kind == "pre_group" {
                    "pre_group"
                } else {
                    "post_group"
                },
                number: None,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            }),
    );
    store::cohorts::replace_sessions(c, cohort.id, &sessions, now.naive_utc())?;
    Ok(())
}

fn patch_summary(p: &CohortPatch) -> String {
    let mut parts = Vec::new();
    if let Some(d) = p.first_session_date {
        parts.push(format!("first_session_date={d}"));
    }
    if let Some(t) = &p.start_time {
        parts.push(format!("start_time={t}"));
    }
    if let Some(m) = p.session_minutes {
        parts.push(format!("session_minutes={m}"));
    }
    if let Some(n) = p.places {
        parts.push(format!("places={n}"));
    }
    if p.title.is_some() || p.description.is_some() {
        parts.push("text".into());
    }
    parts.join(", ")
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
    let id = id.into_inner();
    let (now, now_naive, actor, limit) = (
        state.now(),
        state.now_naive(),
        who.user.user_id,
        state.config.supervisor_cohort_limit,
    );
    let out = state
        .db(move |c| {
            write_transaction(c, |c| {
                let cohort =
                    store::cohorts::find(c, id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
                if cohort.status != "draft" {
                    return Err(ApiError::Conflict(format!(
                        "only a draft can be published; this cohort is {}",
                        cohort.status
                    )));
                }
                let sessions = store::cohorts::sessions_of(c, id)?;
                if !sessions
                    .iter()
                    .any(|s| s.kind == "group" && !s.is_cancelled())
                {
                    return Err(ApiError::Conflict(
                        "the cohort has no scheduled sessions".into(),
                    ));
                }
                crate::api::cohorts::team::check_ready(c, id, limit)?;
                store::cohorts::publish(c, id, now_naive)?;
                audit::cohort_change(c, now_naive, actor, id, "cohort_published", String::new())?;
                load_view(c, id, now)
            })
        })
        .await?;
    state.listing_cache.invalidate();
    Ok(web::Json(out))
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
    let (now, now_naive, actor) = (state.now(), state.now_naive(), who.user.user_id);
    let out = state
        .db(move |c| {
            write_transaction(c, |c| {
                let cohort =
                    store::cohorts::find(c, id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
                let sessions = store::cohorts::sessions_of(c, id)?;
                let status = crate::api::cohorts::view::standing(&cohort, &sessions, now).status;
                if status == "cancelled" || status == "completed" {
                    return Err(ApiError::Conflict(format!(
                        "this cohort is already {status}"
                    )));
                }
                store::cohorts::cancel(c, id, b.reason.trim(), now_naive)?;
                audit::cohort_change(
                    c,
                    now_naive,
                    actor,
                    id,
                    "cohort_cancelled",
                    b.reason.trim().to_string(),
                )?;
                load_view(c, id, now)
            })
        })
        .await?;
    state.listing_cache.invalidate();
    Ok(web::Json(out))
}
