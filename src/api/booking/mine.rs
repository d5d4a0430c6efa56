//! A parent's own views of their bookings: their family's bookings with each group's sessions,
//! and the messages sent to the family (e.g. a place confirmed from the waiting list).

use crate::api::access::{Parent, Require};
use crate::api::booking::BookingOut;
use crate::api::cohorts::view::zone;
use crate::api::docs::{E401, E403, E404, E503};
use crate::app::AppState;
use crate::error::ApiError;
use crate::store;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct MyBooking {
    #[serde(flatten)]
    pub booking: BookingOut,
    pub cohort_title: String,
    pub programme: String,
    pub venue_name: String,
    pub sessions: Vec<crate::api::cohorts::view::SessionOut>,
    /// The sessions the family sent apologies for (ids; details at `…/apologies`).
    pub apologies: Vec<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyBookingList {
    pub items: Vec<MyBooking>,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i32,
    pub kind: String,
    pub message: String,
    pub booking_id: Option<i32>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationOut>,
    pub total: i64,
}

/// My family's bookings, newest first, with each group's sessions (parent).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    responses((status = 200, description = "My bookings", body = MyBookingList), E401, E403, E404, E503)
)]
#[get("/me/bookings")]
pub async fn my_bookings(
    state: web::Data<AppState>,
    who: Require<Parent>,
) -> Result<web::Json<MyBookingList>, ApiError> {
    let user = who.user.user_id;
    let items = state
        .db(move |c| {
            let family =
                store::families::of_user(c, user)?.ok_or_else(|| ApiError::not_found("family"))?;
            let mut out = Vec::new();
            for b in store::bookings::of_family(c, family.id)? {
                let (cohort, programme, venue) = store::cohorts::find_full(c, b.cohort_id)?
                    .ok_or_else(|| ApiError::not_found("cohort"))?;
                let tz = zone(&cohort);
                let sessions = store::cohorts::sessions_of(c, cohort.id)?
                    .iter()
                    .map(|s| crate::api::cohorts::view::session_out(s, tz))
                    .collect();
                let apologies = store::apologies::of_booking(c, b.id)?
                    .into_iter()
                    .map(|a| a.session_id)
                    .collect();
                out.push(MyBooking {
                    booking: crate::service::booking::view(c, b)?.into(),
                    cohort_title: cohort.title,
                    programme: programme.code,
                    venue_name: venue.name,
                    sessions,
                    apologies,
                });
            }
            Ok(out)
        })
        .await?;
    Ok(web::Json(MyBookingList {
        total: items.len() as i64,
        items,
    }))
}

/// Messages for my family, newest first, e.g. a place confirmed from the waiting list (parent).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    responses((status = 200, description = "Notifications", body = NotificationList), E401, E403, E404, E503)
)]
#[get("/me/notifications")]
pub async fn my_notifications(
    state: web::Data<AppState>,
    who: Require<Parent>,
) -> Result<web::Json<NotificationList>, ApiError> {
    let user = who.user.user_id;
    let items = state
        .db(move |c| {
            let family =
                store::families::of_user(c, user)?.ok_or_else(|| ApiError::not_found("family"))?;
            Ok(store::bookings::notifications_of(c, family.id)?
                .into_iter()
                .map(|n| NotificationOut {
                    id: n.id,
                    kind: n.kind,
                    message: n.message,
                    booking_id: n.booking_id,
                    created_at: crate::api::utc(n.created_at),
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(web::Json(NotificationList {
        total: items.len() as i64,
        items,
    }))
}
