//! Booking a place: parents book themselves (coordinators on a family's behalf), with crèche
//! places for named children; reading, changing ([`changes`]) and cancelling a booking. The
//! rules and the transaction are `service::booking`'s.

pub mod apologies;
pub mod changes;
pub mod mine;

use crate::api::access::{AnyUser, Require};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E429, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::domain::status::BookingStatus;
use crate::error::ApiError;
use crate::service::{self, booking::BookPlace, booking::BookingView};
use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingBody {
    /// Children (of the booking family) who need a crèche place for the whole group.
    #[serde(default)]
    pub creche_child_ids: Vec<i32>,
    /// Carers attending: 1 or 2.
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 2, default = 1)]
    pub carers: i32,
    /// Coordinators only: the family booked for (e.g. after a phone call).
    pub family_id: Option<i32>,
}

fn one() -> i32 {
    1
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookingOut {
    pub id: i32,
    pub cohort_id: i32,
    pub family_id: i32,
    /// `confirmed`, `waitlisted`, `cancelled`, `withdrawn`, `cancelled_by_centre` or
    /// `transferred`.
    pub status: BookingStatus,
    /// Place on the waiting list (1 = next), when waitlisted.
    pub waitlist_position: Option<i64>,
    pub carers: i32,
    pub creche_child_ids: Vec<i32>,
    pub created_at: DateTime<Utc>,
    /// What the family needs to take part in this group (from the family's profile when booked;
    /// changed per booking with `PATCH /api/v1/bookings/{id}`).
    pub access_needs: String,
    pub interpreter_needed: bool,
    /// When `transferred`: the family's booking in the group they moved to.
    pub transferred_to: Option<i32>,
}

impl From<BookingView> for BookingOut {
    fn from(b: BookingView) -> Self {
        BookingOut {
            id: b.id,
            cohort_id: b.cohort_id,
            family_id: b.family_id,
            status: b.status,
            waitlist_position: b.waitlist_position,
            carers: b.carers,
            creche_child_ids: b.creche_child_ids,
            created_at: b.created_at,
            access_needs: b.access_needs,
            interpreter_needed: b.interpreter_needed,
            transferred_to: b.transferred_to,
        }
    }
}

/// Book a place (parent, or coordinator for a family). `confirmed`, or `waitlisted` with the
/// family's position. A refusal says why in plain words.
///
/// A parent account may try 20 times a minute (`GROUPWORK_BOOKINGS_PER_MINUTE`); beyond that the
/// answer is 429 with `Retry-After`.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = i32, Path, description = "Cohort id"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, description = "Makes a retried POST return the first answer instead of booking again; 1 to 200 visible ASCII characters", pattern = "^[!-~]{1,200}$"),
    ),
    request_body = BookingBody,
    responses(
        (status = 201, description = "Booked (confirmed or waitlisted)", body = BookingOut,
         headers(("Location" = String, description = "/api/v1/bookings/{id}")),
         links(("GetBooking" = (operation_id = "get_booking", parameters(("id" = "$response.body#/id")), description = "The booking just made")), ("CancelBooking" = (operation_id = "cancel_booking", parameters(("id" = "$response.body#/id")), description = "Cancel it")), ("BookingOutcomes" = (operation_id = "booking_outcomes", parameters(("id" = "$response.body#/id")), description = "Its outcome measures")), ("RecordOutcome" = (operation_id = "record_outcome", parameters(("id" = "$response.body#/id")), description = "Record an outcome measure")))),
        E400, E401, E403, E404, E409, E413, E415, E422, E429, E503,
    )
)]
#[post("/cohorts/{id}/bookings")]
pub async fn book(
    state: web::Data<AppState>,
    who: Require<AnyUser>,
    req: HttpRequest,
    id: web::Path<i32>,
    body: ApiJson<BookingBody>,
) -> Result<HttpResponse, ApiError> {
    crate::api::security::check_booking_rate(&state, &who.user)?;
    let b = body.into_inner();
    if !(1..=2).contains(&b.carers) {
        return Err(ApiError::field("carers", "must be 1 or 2"));
    }
    let cmd = BookPlace {
        cohort_id: id.into_inner(),
        family_id: b.family_id,
        carers: b.carers,
        creche_child_ids: b.creche_child_ids,
        idempotency_key: idempotency_key(&req)?,
    };
    let booked = service::booking::book_place(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/bookings/{}", booked.id)))
        .json(BookingOut::from(booked)))
}

/// The `Idempotency-Key` header, if sent: 1 to 200 visible ASCII characters.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or("");
    if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::BadRequest(
            "Idempotency-Key must be 1 to 200 visible ASCII characters".into(),
        ));
    }
    Ok(Some(key.to_string()))
}

/// One booking (its family's parent, or a coordinator). A staff member's read is audited.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    responses((status = 200, description = "The booking", body = BookingOut), E401, E404, E503)
)]
#[get("/bookings/{id}")]
pub async fn get_booking(
    state: web::Data<AppState>,
    who: Require<AnyUser>,
    id: web::Path<i32>,
) -> Result<web::Json<BookingOut>, ApiError> {
    let booking = service::booking::booking(&state.services, who.actor(), id.into_inner()).await?;
    Ok(web::Json(booking.into()))
}

/// Cancel a booking (its family's parent, or a coordinator). Before the group starts it is
/// cancelled; once it has started it is recorded as withdrawn. A freed place goes to the
/// waiting list.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    responses((status = 204, description = "Cancelled"), E401, E404, E409, E503)
)]
#[delete("/bookings/{id}")]
pub async fn cancel_booking(
    state: web::Data<AppState>,
    who: Require<AnyUser>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    service::booking::cancel_booking(&state.services, who.actor(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
