//! Changing a booking (crèche children, carers, access needs, interpreter) and moving a family to
//! another group of the same programme. The rules, the guards and the transaction are
//! `service::booking::change` and `service::booking::transfer`.

use super::BookingOut;
use crate::api::access::{AnyUser, Require};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::booking::{self, ChangeBooking, TransferBooking};
use actix_web::http::header;
use actix_web::{patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

/// What to change; a field left out (or null) stays as it is, and at least one must be sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBookingBody {
    /// The whole new set of the family's children with crèche places: add a child by listing it,
    /// remove one by leaving it out (`[]` for none).
    pub creche_child_ids: Option<Vec<i32>>,
    /// Carers attending: 1 or 2.
    #[schema(minimum = 1, maximum = 2)]
    pub carers: Option<i32>,
    /// What the family needs to take part in this group (`""` for nothing); line breaks are
    /// fine, other control characters are not.
    #[schema(max_length = 2000)]
    pub access_needs: Option<String>,
    pub interpreter_needed: Option<bool>,
}

/// Change a booking without losing the place (its family's parent, or a coordinator): crèche
/// children, carers, access needs, interpreter need. Only while the booking holds or waits for a
/// place and the group has not finished.
///
/// A crèche child added to a confirmed booking takes a crèche place under the same ratio and
/// room checks as a new booking; when none is left for a child of that age the change is
/// refused (409, saying why) and nothing changes: there is no crèche waiting list. On a
/// waitlisted booking the new children are what it waits for. A child removed frees its place
/// for the waiting list. Parents add crèche children while booking is open; after that the
/// centre can.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    request_body(content = ChangeBookingBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The booking as it now stands", body = BookingOut),
        E400, E401, E404, E409, E413, E415, E422, E503,
    )
)]
#[patch("/bookings/{id}")]
pub async fn change_booking(
    state: web::Data<AppState>,
    who: Require<AnyUser>,
    id: web::Path<i32>,
    body: ApiJson<ChangeBookingBody>,
) -> Result<web::Json<BookingOut>, ApiError> {
    let b = body.into_inner();
    let cmd = ChangeBooking {
        booking_id: id.into_inner(),
        creche_child_ids: b.creche_child_ids,
        carers: b.carers,
        access_needs: b.access_needs,
        interpreter_needed: b.interpreter_needed,
    };
    let changed = booking::change_booking(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(changed.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// The group to move to: another group of the same programme, published and not finished.
    pub cohort_id: i32,
    /// The children with crèche places in the new group; left out, the booking's own move too.
    pub creche_child_ids: Option<Vec<i32>>,
}

/// Move a family to another group of the same programme (coordinators), in one step: the old
/// booking ends `transferred` (its `transferred_to` names the new one) and its place goes to that
/// group's waiting list; the new booking is `confirmed`, or `waitlisted` when the group (or its
/// crèche) is full. Carers, access needs, interpreter need, crèche children and the outcome
/// measures already recorded come along; the family is sent the new group's details.
///
/// Another programme's group is a 422; a group not published, finished or cancelled, or one the
/// family is already booked on, a 409. A parent is refused (403), and other families' bookings
/// are not there for them (404).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    request_body = TransferBody,
    responses(
        (status = 201, description = "Moved: the new booking", body = BookingOut,
         headers(("Location" = String, description = "/api/v1/bookings/{id} of the new booking"))),
        E400, E401, E403, E404, E409, E413, E415, E422, E503,
    )
)]
#[post("/bookings/{id}/transfer")]
pub async fn transfer_booking(
    state: web::Data<AppState>,
    who: Require<AnyUser>,
    id: web::Path<i32>,
    body: ApiJson<TransferBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = TransferBooking {
        booking_id: id.into_inner(),
        cohort_id: b.cohort_id,
        creche_child_ids: b.creche_child_ids,
    };
    let moved = booking::transfer_booking(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/bookings/{}", moved.id)))
        .json(BookingOut::from(moved)))
}
