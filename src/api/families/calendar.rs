//! A family's own sessions as an iCalendar feed. Calendar apps cannot send a bearer token, so a
//! parent makes a private link carrying its own secret, and can revoke it at any time. The
//! link and the feed's reads are `service::families::calendar`'s.

use crate::api::access::{Parent, Require};
use crate::api::docs::{E400, E401, E403, E404, E503};
use crate::app::AppState;
use crate::domain::ics;
use crate::error::ApiError;
use crate::service::schedule::session_events;
use crate::service::{self, families::calendar::FeedReader};
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
    let secret =
        service::families::calendar::make_calendar_link(&state.services, who.actor()).await?;
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
    service::families::calendar::revoke_calendar_link(&state.services, who.actor()).await?;
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
    let reader = match q.into_inner().token {
        Some(t) => FeedReader::Link {
            secret: t.trim().to_string(),
        },
        None => FeedReader::Parent {
            user_id: Require::<Parent>::extract(&req).await?.user.user_id,
        },
    };
    let events: Vec<ics::Event> =
        service::families::calendar::booked_groups(&state.services, reader)
            .await?
            .iter()
            .flat_map(|g| session_events(&g.cohort, &g.programme, &g.venue, &g.sessions))
            .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/calendar; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(ics::calendar("My groups", &events, state.now())))
}
