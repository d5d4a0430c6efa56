//! Booking a place: parents book themselves (coordinators on a family's behalf), with crèche
//! places for named children. A place is `confirmed` when a parent place and the crèche places
//! are left, otherwise the family joins the waiting list; a freed place promotes the earliest
//! waitlisted family that now fits, in the same transaction (`waiting_list`).

use super::access::{AnyUser, Require};
use super::cohort_views::zone;
use super::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E429, E503};
use super::json::ApiJson;
use crate::app::AppState;
use crate::db::{write_transaction, DbConnection};
use crate::domain::role::Role;
use crate::domain::{creche, eligibility};
use crate::error::ApiError;
use crate::store::{self, bookings::Booking, cohorts::Cohort};
use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
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
    /// `confirmed`, `waitlisted`, `cancelled` or `withdrawn`.
    #[schema(example = "confirmed")]
    pub status: String,
    /// Place on the waiting list (1 = next), when waitlisted.
    pub waitlist_position: Option<i64>,
    pub carers: i32,
    pub creche_child_ids: Vec<i32>,
    pub created_at: DateTime<Utc>,
}

pub(super) fn booking_out(c: &mut DbConnection, b: Booking) -> Result<BookingOut, ApiError> {
    let position = store::bookings::waitlist_position(c, &b)?;
    let children = store::bookings::creche_children(c, &[b.id])?
        .into_iter()
        .map(|(_, child, _)| child)
        .collect();
    Ok(BookingOut {
        id: b.id,
        cohort_id: b.cohort_id,
        family_id: b.family_id,
        status: b.status,
        waitlist_position: position,
        carers: b.carers,
        creche_child_ids: children,
        created_at: super::utc(b.created_at),
    })
}

/// Local dates of a cohort's scheduled sessions.
fn session_dates(c: &mut DbConnection, cohort: &Cohort) -> Result<Vec<NaiveDate>, ApiError> {
    let tz = zone(cohort);
    Ok(store::cohorts::sessions_of(c, cohort.id)?
        .iter()
        .filter(|s| !s.is_cancelled())
        .map(|s| s.starts_at.and_utc().with_timezone(&tz).date_naive())
        .collect())
}

/// Whether these crèche children fit alongside the confirmed ones on every session date.
pub(super) fn creche_fits(
    c: &mut DbConnection,
    cohort: &Cohort,
    room: i32,
    extra: &[Option<NaiveDate>],
) -> Result<bool, ApiError> {
    if extra.is_empty() {
        return Ok(true);
    }
    let mut births = store::bookings::confirmed_creche_births(c, cohort.id)?;
    births.extend_from_slice(extra);
    let dates = session_dates(c, cohort)?;
    Ok(creche::fits(
        &creche::eyfs_ratios(),
        &dates,
        &births,
        room.max(0) as u32,
        cohort.creche_workers.max(0) as u32,
    )
    .is_ok())
}

/// The family a booking is for: a parent's own, or (coordinators) the one named.
fn booking_family(
    c: &mut DbConnection,
    role: Role,
    user: i32,
    named: Option<i32>,
) -> Result<i32, ApiError> {
    match (role, named) {
        (Role::Parent, None) => Ok(store::families::of_user(c, user)?
            .ok_or_else(|| ApiError::not_found("family"))?
            .id),
        (Role::Parent, Some(_)) => Err(ApiError::field(
            "family_id",
            "parents book for their own family",
        )),
        (Role::Admin | Role::Coordinator, Some(id)) => Ok(store::families::find(c, id)?
            // An erased family's record is only kept for the figures: it cannot book again.
            .filter(|f| f.erased_at.is_none())
            .ok_or_else(|| ApiError::field("family_id", "no such family"))?
            .id),
        (Role::Admin | Role::Coordinator, None) => Err(ApiError::field(
            "family_id",
            "say which family you are booking for",
        )),
        (Role::Facilitator, _) => Err(ApiError::Forbidden(
            "facilitators cannot book places".into(),
        )),
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
    super::security::check_booking_rate(&state, &who.user)?;
    let (cohort_id, b) = (id.into_inner(), body.into_inner());
    if !(1..=2).contains(&b.carers) {
        return Err(ApiError::field("carers", "must be 1 or 2"));
    }
    let key = idempotency_key(&req)?;
    let request_hash = {
        let mut creche = b.creche_child_ids.clone();
        creche.sort_unstable();
        creche.dedup();
        let canonical = serde_json::json!({"cohort": cohort_id, "creche": creche, "carers": b.carers, "family": b.family_id});
        crate::auth::tokens::hash_opaque(&canonical.to_string())
    };
    let (role, user, now) = (who.user.role, who.user.user_id, state.now());
    let guard = state.config.capacity_guard;
    let out = state
        .db(move |c| {
            let place = |c: &mut DbConnection| {
                let family_id = booking_family(c, role, user, b.family_id)?;
                if guard {
                    store::bookings::lock_cohort(c, cohort_id)?;
                }
                // A retry with the same key gets the first answer (checked under the cohort lock,
                // so two concurrent retries cannot both book).
                if let Some(key) = &key {
                    if let Some(first) = store::idempotency::find(c, user, key)? {
                        if first.request_hash != request_hash {
                            return Err(ApiError::field("Idempotency-Key", "this key was used for a different request"));
                        }
                        return Ok(first);
                    }
                }
                let (cohort, programme, venue) = store::cohorts::find_full(c, cohort_id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
                let sessions = store::cohorts::sessions_of(c, cohort_id)?;
                let standing = super::cohort_views::standing(&cohort, &sessions, now);
                if standing.status != "published" {
                    return Err(ApiError::field("cohort", "this group is not open for booking"));
                }
                let staff = role != Role::Parent;
                if !standing.booking_open && !staff {
                    return Err(ApiError::field("cohort", "booking for this group is closed; the centre can help if you still want to join"));
                }
                if let Some(existing) = store::bookings::active_for(c, cohort_id, family_id)? {
                    return Err(ApiError::Conflict(format!("this family already has a booking for this group: /api/v1/bookings/{}", existing.id)));
                }
                let children = store::families::children_of(c, family_id)?;
                let range = eligibility::AgeRange {
                    programme_name: programme.name.clone(),
                    min_age_months: programme.min_age_months,
                    max_age_months: programme.max_age_months,
                    pregnancy_eligible: programme.pregnancy_eligible,
                };
                let dates: Vec<eligibility::ChildDates> = children.iter().map(|ch| eligibility::ChildDates { date_of_birth: ch.date_of_birth, due_date: ch.due_date }).collect();
                eligibility::check(&range, cohort.first_session_date, &dates).map_err(|why| ApiError::field("cohort", why))?;
                let mut wanted = b.creche_child_ids.clone();
                wanted.sort_unstable();
                wanted.dedup();
                if !wanted.is_empty() && !cohort.creche_offered {
                    return Err(ApiError::field("creche_child_ids", "this group has no crèche"));
                }
                let mut births = Vec::new();
                for id in &wanted {
                    let child = children.iter().find(|ch| ch.id == *id).ok_or_else(|| ApiError::field("creche_child_ids", format!("child {id} is not in your family")))?;
                    if child.date_of_birth.is_none() {
                        return Err(ApiError::field("creche_child_ids", format!("{} is not born yet, so cannot have a crèche place", child.first_name)));
                    }
                    births.push(child.date_of_birth);
                }
                // Crèche first: a parent place is only taken when the crèche places fit too.
                let confirmed = if guard {
                    creche_fits(c, &cohort, venue.creche_room_capacity, &births)?
                        && store::bookings::take_place(c, cohort_id)?
                } else {
                    unguarded_place_left(c, &cohort, venue.creche_room_capacity, &births)?
                };
                let booking = store::bookings::insert(
                    c,
                    store::bookings::NewBooking {
                        cohort_id,
                        family_id,
                        confirmed,
                        carers: b.carers,
                        booked_by: user,
                        creche_children: &wanted,
                    },
                    now.naive_utc(),
                ).map_err(|e| {
                    if store::is_unique_violation(&e) {
                        ApiError::Conflict("this family already has a booking for this group".into())
                    } else {
                        e.into()
                    }
                })?;
                store::audit::record(
                    c,
                    store::audit::Event {
                        at: now.naive_utc(),
                        actor_user_id: Some(user),
                        action: "booking_made",
                        entity: "booking",
                        entity_id: Some(booking.id),
                        family_id: Some(family_id),
                        detail: format!("{}, cohort {cohort_id}", booking.status),
                    },
                )?;
                let out = booking_out(c, booking)?;
                let answer = store::idempotency::Stored {
                    request_hash: request_hash.clone(),
                    response: serde_json::to_string(&out).map_err(|e| ApiError::Internal(e.to_string()))?,
                    location: format!("/api/v1/bookings/{}", out.id),
                };
                if let Some(key) = &key {
                    store::idempotency::save(c, user, key, &answer, now.naive_utc())?;
                }
                Ok(answer)
            };
            if guard {
                write_transaction(c, place)
            } else {
                place(c)
            }
        })
        .await?;
    state.listing_cache.invalidate();
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, out.location))
        .content_type("application/json")
        .body(out.response))
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

/// The naive check-then-act that the capacity guard exists to prevent: count the confirmed rows
/// outside any transaction and lock, and leave a window before the insert. Only the race tests'
/// control runs it (`Config::capacity_guard = false`), to show they can see an overbooking.
fn unguarded_place_left(
    c: &mut DbConnection,
    cohort: &Cohort,
    room: i32,
    births: &[Option<NaiveDate>],
) -> Result<bool, ApiError> {
    let confirmed = store::bookings::of_cohort(c, cohort.id, "confirmed")?.len() as i32;
    let fits = creche_fits(c, cohort, room, births)?;
    std::thread::sleep(std::time::Duration::from_millis(150));
    Ok(fits && confirmed < cohort.places)
}

/// A booking the caller may see: their own family's, or any for coordinators.
fn visible_booking(
    c: &mut DbConnection,
    role: Role,
    user: i32,
    id: i32,
) -> Result<Booking, ApiError> {
    let b = store::bookings::find(c, id)?.ok_or_else(|| ApiError::not_found("booking"))?;
    match role {
        Role::Admin | Role::Coordinator => Ok(b),
        Role::Parent if store::families::of_user(c, user)?.is_some_and(|f| f.id == b.family_id) => {
            Ok(b)
        }
        _ => Err(ApiError::not_found("booking")),
    }
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
    let (role, user, id, now) = (
        who.user.role,
        who.user.user_id,
        id.into_inner(),
        state.now_naive(),
    );
    let out = state
        .db(move |c| {
            let b = visible_booking(c, role, user, id)?;
            if role != Role::Parent {
                // Staff reading a family's booking: recorded, as every staff read of a family is.
                store::audit::record(
                    c,
                    store::audit::Event {
                        at: now,
                        actor_user_id: Some(user),
                        action: "family_read",
                        entity: "booking",
                        entity_id: Some(b.id),
                        family_id: Some(b.family_id),
                        detail: "booking".into(),
                    },
                )?;
            }
            booking_out(c, b)
        })
        .await?;
    Ok(web::Json(out))
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
    let (role, user, id, now) = (
        who.user.role,
        who.user.user_id,
        id.into_inner(),
        state.now(),
    );
    state
        .db(move |c| {
            write_transaction(c, |c| {
                let seen = visible_booking(c, role, user, id)?;
                super::waiting_list::end_booking(c, seen.id, Some(user), now).map(|_| ())
            })
        })
        .await?;
    state.listing_cache.invalidate();
    Ok(HttpResponse::NoContent().finish())
}
