//! Apologies in advance: a parent says their family will miss a session of a group they have a
//! place on (`/me/bookings/{id}/apologies`), or the group's facilitators or a coordinator take
//! them down for a family who phoned (`/bookings/{id}/apologies`). Another family's booking is
//! 404. The rules, the transaction and the audit are `service::booking::apologies`'s.

use crate::api::access::{Parent, Require, Staff};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::booking::apologies::{self as service, ApologyView, GiveApology, Given};
use crate::service::Actor;
use actix_web::{delete, get, http::header, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApologyBody {
    /// A session of the booking's group that has not started.
    pub session_id: i32,
    /// A short note for the facilitators (optional; one line, at most 200 characters once
    /// trimmed: a pattern, `api::spec_rules`).
    #[schema(example = "Hospital appointment")]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApologyOut {
    pub id: i32,
    pub booking_id: i32,
    pub session_id: i32,
    /// The session's number in the group; null for the meetings before and after it.
    pub session_number: Option<i32>,
    #[schema(example = "2026-03-31T09:00:00Z")]
    pub starts_at: DateTime<Utc>,
    /// The session's start in the group's zone, with its offset.
    #[schema(example = "2026-03-31T10:00:00+01:00")]
    pub local_start: String,
    /// Empty when none was given.
    pub reason: String,
    /// Taken down by staff (e.g. on the phone) rather than sent by the family's parent.
    pub taken_by_staff: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApologyList {
    /// In session order.
    pub items: Vec<ApologyOut>,
    pub total: i64,
}

impl From<ApologyView> for ApologyOut {
    fn from(v: ApologyView) -> Self {
        let starts_at = v.session.starts_at.and_utc();
        ApologyOut {
            id: v.apology.id,
            booking_id: v.apology.booking_id,
            session_id: v.apology.session_id,
            session_number: v.session.number,
            starts_at,
            local_start: starts_at.with_timezone(&v.zone).to_rfc3339(),
            reason: v.apology.reason,
            taken_by_staff: v.taken_by_staff,
            created_at: v.apology.created_at.and_utc(),
        }
    }
}

/// 201 with `Location` for new apologies; 200 with the apologies as they stand when they had
/// already been given for that session (nothing changes: a retried request is harmless).
async fn give(
    state: &AppState,
    actor: Actor,
    booking_id: i32,
    body: ApologyBody,
    location: impl Fn(&ApologyOut) -> String,
) -> Result<HttpResponse, ApiError> {
    let cmd = GiveApology {
        booking_id,
        session_id: body.session_id,
        reason: body.reason,
    };
    Ok(
        match service::give_apology(&state.services, actor, cmd).await? {
            Given::New(v) => {
                let out = ApologyOut::from(v);
                HttpResponse::Created()
                    .insert_header((header::LOCATION, location(&out)))
                    .json(out)
            }
            Given::Already(v) => HttpResponse::Ok().json(ApologyOut::from(v)),
        },
    )
}

/// Send apologies for a session of my family's group (parent): for a booking with a place
/// (a waitlisted or ended booking is 409), a session of its group that has not started and is
/// not cancelled (else 422 on `session_id`). No reminder of that session is sent, and one
/// apologised absence never opens a follow-up on its own. Apologies already sent for that
/// session answer 200 as they are.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    request_body = ApologyBody,
    responses(
        (status = 201, description = "Apologies sent", body = ApologyOut,
         headers(("Location" = String, description = "/api/v1/me/bookings/{id}/apologies/{session_id}"))),
        (status = 200, description = "Already sent for that session: unchanged", body = ApologyOut),
        E400, E401, E403, E404, E409, E413, E415, E422, E503,
    )
)]
#[post("/me/bookings/{id}/apologies")]
pub async fn send_apologies(
    state: web::Data<AppState>,
    who: Require<Parent>,
    id: web::Path<i32>,
    body: ApiJson<ApologyBody>,
) -> Result<HttpResponse, ApiError> {
    let booking_id = id.into_inner();
    give(&state, who.actor(), booking_id, body.into_inner(), |a| {
        format!(
            "/api/v1/me/bookings/{}/apologies/{}",
            a.booking_id, a.session_id
        )
    })
    .await
}

/// My family's apologies for one booking, in session order (parent).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    responses((status = 200, description = "The apologies", body = ApologyList), E401, E403, E404, E503)
)]
#[get("/me/bookings/{id}/apologies")]
pub async fn my_apologies(
    state: web::Data<AppState>,
    who: Require<Parent>,
    id: web::Path<i32>,
) -> Result<web::Json<ApologyList>, ApiError> {
    let rows = service::apologies(&state.services, who.actor(), id.into_inner()).await?;
    let items: Vec<ApologyOut> = rows.into_iter().map(ApologyOut::from).collect();
    Ok(web::Json(ApologyList {
        total: items.len() as i64,
        items,
    }))
}

/// My family's apologies for one session (parent).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = i32, Path, description = "Booking id"),
        ("session_id" = i32, Path, description = "Session id"),
    ),
    responses((status = 200, description = "The apologies", body = ApologyOut), E401, E403, E404, E503)
)]
#[get("/me/bookings/{id}/apologies/{session_id}")]
pub async fn my_apology(
    state: web::Data<AppState>,
    who: Require<Parent>,
    ids: web::Path<(i32, i32)>,
) -> Result<web::Json<ApologyOut>, ApiError> {
    let (booking_id, session_id) = ids.into_inner();
    let v = service::apology(&state.services, who.actor(), booking_id, session_id).await?;
    Ok(web::Json(v.into()))
}

/// Withdraw apologies (parent): only before the session starts; after, 409 (the register says
/// what happened: if you came, the facilitators mark you present). The session's reminder is
/// sent again if it is still due.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = i32, Path, description = "Booking id"),
        ("session_id" = i32, Path, description = "Session id"),
    ),
    responses((status = 204, description = "Withdrawn"), E401, E403, E404, E409, E503)
)]
#[delete("/me/bookings/{id}/apologies/{session_id}")]
pub async fn withdraw_apologies(
    state: web::Data<AppState>,
    who: Require<Parent>,
    ids: web::Path<(i32, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (booking_id, session_id) = ids.into_inner();
    service::withdraw_apology(&state.services, who.actor(), booking_id, session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take down apologies a family gave by phone or in person (the group's lead and
/// co-facilitators, or a coordinator; others 404): the same rules as a parent's. The register
/// shows them as taken by staff.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    request_body = ApologyBody,
    responses(
        (status = 201, description = "Apologies taken down", body = ApologyOut,
         headers(("Location" = String, description = "/api/v1/bookings/{id}/apologies/{session_id}"))),
        (status = 200, description = "Already given for that session: unchanged", body = ApologyOut),
        E400, E401, E403, E404, E409, E413, E415, E422, E503,
    )
)]
#[post("/bookings/{id}/apologies")]
pub async fn take_apologies(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
    body: ApiJson<ApologyBody>,
) -> Result<HttpResponse, ApiError> {
    let booking_id = id.into_inner();
    give(&state, who.actor(), booking_id, body.into_inner(), |a| {
        format!(
            "/api/v1/bookings/{}/apologies/{}",
            a.booking_id, a.session_id
        )
    })
    .await
}

/// One family's apologies for one session, as staff see them (who may take them down). The
/// read is audited.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = i32, Path, description = "Booking id"),
        ("session_id" = i32, Path, description = "Session id"),
    ),
    responses((status = 200, description = "The apologies", body = ApologyOut), E401, E403, E404, E503)
)]
#[get("/bookings/{id}/apologies/{session_id}")]
pub async fn get_apology(
    state: web::Data<AppState>,
    who: Require<Staff>,
    ids: web::Path<(i32, i32)>,
) -> Result<web::Json<ApologyOut>, ApiError> {
    let (booking_id, session_id) = ids.into_inner();
    let v = service::apology(&state.services, who.actor(), booking_id, session_id).await?;
    Ok(web::Json(v.into()))
}
