//! A family's own sessions as an iCalendar feed. Calendar apps cannot send a bearer token, so a
//! parent makes a private link carrying its own secret, and can revoke it at any time.

use crate::api::access::{Parent, Require};
use crate::api::catalogue::listings::session_events;
use crate::api::docs::{E400, E401, E403, E404, E503};
use crate::api::families::audit_change;
use crate::app::AppState;
use crate::auth::tokens::{hash_opaque, random_secret};
use crate::domain::ics;
use crate::error::ApiError;
use crate::store;
use actix_web::http::header;
use actix_web::{delete, get, post, web, FromRequest, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarLink {
    /// Subscribe to this in a calendar app; anyone with it can see the family's sessions.
    #[schema(example = "/api/v1/me/calendar.ics?token=3f9a…")]
    pub url: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The secret from the family's calendar link (instead of a bearer token).
    pub token: Option<String>,
}

/// Make (or replace) my family's private calendar link (parent). The old link stops working.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "A new private link", body = CalendarLink,
         headers(("Location" = String, description = "The feed URL"))),
        E401, E403, E404, E503,
    )
)]
#[post("/me/calendar-link")]
pub async fn make_link(
    state: web::Data<AppState>,
    who: Require<Parent>,
) -> Result<HttpResponse, ApiError> {
    let (user, secret, now) = (who.user.user_id, random_secret(), state.now_naive());
    let hash = hash_opaque(&secret);
    state
        .write(move |c| {
            let f =
                store::families::of_user(c, user)?.ok_or_else(|| ApiError::not_found("family"))?;
            store::families::set_calendar_token(c, f.id, Some(&hash))?;
            let detail = if f.calendar_token_hash.is_some() {
                "replaced the previous link"
            } else {
                "new link"
            };
            audit_change(
                c,
                user,
                now,
                f.id,
                "calendar_link_made",
                ("family", f.id),
                detail.into(),
            )
        })
        .await?;
    let url = format!("/api/v1/me/calendar.ics?token={secret}");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, url.clone()))
        .json(CalendarLink { url }))
}

/// Revoke my family's calendar link (parent).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), E401, E403, E404, E503)
)]
#[delete("/me/calendar-link")]
pub async fn revoke_link(
    state: web::Data<AppState>,
    who: Require<Parent>,
) -> Result<HttpResponse, ApiError> {
    let (user, now) = (who.user.user_id, state.now_naive());
    state
        .write(move |c| {
            let f =
                store::families::of_user(c, user)?.ok_or_else(|| ApiError::not_found("family"))?;
            store::families::set_calendar_token(c, f.id, None)?;
            let detail = if f.calendar_token_hash.is_some() {
                "revoked"
            } else {
                "there was no link"
            };
            audit_change(
                c,
                user,
                now,
                f.id,
                "calendar_link_revoked",
                ("family", f.id),
                detail.into(),
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// My family's booked sessions as iCalendar: with the private link's `token`, or a parent's
/// bearer token. Cancelled sessions stay in the feed marked cancelled.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = []), ()),
    params(FeedQuery),
    responses(
        (status = 200, description = "iCalendar (RFC 5545)", content_type = "text/calendar", body = String),
        E400, E401, E403, E404, E503,
    )
)]
#[get("/me/calendar.ics")]
pub async fn family_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    enum Who {
        Link(String),
        Parent(i32),
    }
    let who = match q.into_inner().token {
        Some(t) => Who::Link(hash_opaque(t.trim())),
        None => Who::Parent(Require::<Parent>::extract(&req).await?.user.user_id),
    };
    let events = state
        .db(move |c| {
            let family = match who {
                Who::Link(hash) => store::families::by_calendar_token(c, &hash)?,
                Who::Parent(user) => store::families::of_user(c, user)?,
            }
            .ok_or_else(|| ApiError::not_found("calendar"))?;
            let mut events: Vec<ics::Event> = Vec::new();
            for b in store::bookings::of_family(c, family.id)?
                .into_iter()
                .filter(|b| b.status == "confirmed")
            {
                let (cohort, programme, venue) = store::cohorts::find_full(c, b.cohort_id)?
                    .ok_or_else(|| ApiError::not_found("cohort"))?;
                let sessions = store::cohorts::sessions_of(c, cohort.id)?;
                events.extend(session_events(&cohort, &programme, &venue, &sessions));
            }
            Ok(events)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/calendar; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(ics::calendar("My groups", &events, state.now())))
}
