//! `POST /sessions/{id}/register/walk-ins`: a family who came without a booking, added on the
//! register — booked on the spot when the group has a place, or a one-off visitor of the
//! session when it has none. The rules, the transaction and the audit are
//! `service::registers::walk_ins`'s; a family recorded on the spot is checked as any family
//! staff enrol (`families::checked_profile`, `service::families::enrolment`).

use crate::api::access::{Require, Staff};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::families::{checked_profile, FamilyBody};
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::domain::message::{ContactBy, Language};
use crate::error::ApiError;
use crate::service::families::enrolment::EnrolFamily;
use crate::service::registers::walk_ins::{
    self as service, VisitorReason, WalkIn, WalkInFamily, WalkInOutcome,
};
use actix_web::http::header;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A family staff record on the spot: the least the centre needs to know them again and tell
/// them about the group. Checked as any family staff enrol; a family whose phone number or email
/// address is already recorded is refused (409) unless `confirmed_new` is `true`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFamilyBody {
    /// One or two carers' names.
    #[validate(length(min = 1, max = 2, message = "must name one or two carers"))]
    #[schema(min_items = 1, max_items = 2)]
    pub carers: Vec<String>,
    #[serde(default)]
    #[schema(example = "07700 900123")]
    pub phone: String,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(
        example = "SW9 8LF",
        pattern = r"^(?:(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}|[Gg][Ii][Rr] ?0[Aa][Aa]))?$"
    )]
    pub postcode: String,
    /// BCP 47 tag of the language the family prefers; `other` with its name in `language_other`.
    #[schema(example = "en")]
    pub preferred_language: Language,
    /// The language's name when `preferred_language` is `other` (otherwise ignored).
    #[serde(default)]
    #[validate(length(max = 60))]
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1F\x7F]*$")]
    pub language_other: String,
    /// self, health_visitor, gp, midwife, childrens_centre, social_care or other (default
    /// `self`: they came to the group themselves).
    #[schema(example = "self", value_type = Option<crate::api::docs::ReferralSource>)]
    pub referral_source: Option<String>,
    /// How to tell the family of the booking and the sessions: by default email when an email
    /// address is given, else text messages. One of them is needed.
    pub contact_by: Option<ContactBy>,
    /// `true` when staff have looked at the families with the same email address or phone
    /// number (a 409 names those they may see) and this is a different family.
    #[serde(default)]
    pub confirmed_new: bool,
}

impl NewFamilyBody {
    /// The whole profile, as a family staff enrol gives it, with the walk-in's defaults.
    fn profile(self) -> (FamilyBody, bool) {
        let has_email = self.email.as_deref().is_some_and(|e| !e.trim().is_empty());
        let contact_by =
            self.contact_by
                .unwrap_or(match (has_email, self.phone.trim().is_empty()) {
                    (false, false) => ContactBy::Sms,
                    _ => ContactBy::Email,
                });
        let body = FamilyBody {
            carers: self.carers,
            phone: self.phone,
            email: self.email,
            postcode: self.postcode,
            ward: String::new(),
            preferred_language: self.preferred_language,
            language_other: self.language_other,
            interpreter_needed: false,
            access_needs: String::new(),
            referral_source: self.referral_source.unwrap_or_else(|| "self".into()),
            consent_to_contact: false,
            contact_by,
            reminders: true,
            monitoring: None,
        };
        (body, self.confirmed_new)
    }
}

fn one() -> i32 {
    1
}

/// A family who came without a booking: `family_id` (a family already recorded) or
/// `new_family`, not both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkInBody {
    /// A family already recorded: for facilitators, one of their groups' families (booked or
    /// visiting there, now or before); coordinators any.
    #[schema(minimum = 1)]
    pub family_id: Option<i32>,
    pub new_family: Option<NewFamilyBody>,
    /// Carers who came: 1 or 2 (default 1).
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 2, default = 1)]
    pub carers: i32,
}

/// What a walk-in became.
#[derive(Debug, Serialize, ToSchema)]
pub struct WalkInOut {
    /// `booked`: a confirmed booking made on the spot, marked present at this session.
    /// `visitor`: a one-off visitor of this session, holding no place.
    pub outcome: WalkInOutcome,
    pub session_id: i32,
    pub family_id: i32,
    /// The family was recorded on the spot.
    pub new_family: bool,
    pub carers: i32,
    /// The booking made, when `booked`.
    pub booking_id: Option<i32>,
    /// The visit recorded, when `visitor`.
    pub visitor_id: Option<i32>,
    /// Why a `visitor` could not be booked: `group_full`, `on_waiting_list` or
    /// `not_taking_bookings`.
    pub visitor_reason: Option<VisitorReason>,
}

/// Add a family who walked in to a session's register (its lead and co-facilitators;
/// coordinators).
///
/// From the session's start until its marking window closes (coordinators later too); a
/// cancelled session is a conflict, crèche workers are refused (403) and anyone else not on the
/// group's team is told it is not there (404). When the group takes bookings and has a place,
/// the family is booked (`walk_in`, no crèche place), marked present and sent the booking's
/// confirmation; when it is full, the family is on its waiting list or the group has finished,
/// they are a one-off visitor of this session, taking no place, listed in the register's
/// `visitors`. A family who already has a place here is a conflict (mark them on the register),
/// and so is a visitor added to the same session twice. The register's version moves on: the
/// answer's ETag is its new one.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Session id")),
    request_body = WalkInBody,
    responses((status = 201, description = "Booked, or recorded as a visitor", body = WalkInOut,
               headers(("ETag" = String, description = "The register's new version"))),
               E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[post("/sessions/{id}/register/walk-ins")]
pub async fn add_walk_in(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
    body: ApiJson<WalkInBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let family = match (b.family_id, b.new_family) {
        (Some(id), None) => WalkInFamily::Known(id),
        (None, Some(new)) => {
            let (profile, confirmed_new) = new.profile();
            let mut errors = field_errors(&profile);
            let profile = checked_profile(profile, &mut errors);
            WalkInFamily::New(Box::new(EnrolFamily {
                profile,
                children: Vec::new(),
                confirmed_new,
                // Named under `new_family.` by the service, with what it finds.
                request_problems: errors,
            }))
        }
        _ => {
            return Err(ApiError::field(
                "family_id",
                "name the family who came: either family_id or new_family",
            ))
        }
    };
    let cmd = WalkIn {
        session_id: id.into_inner(),
        family,
        carers: b.carers,
        window_days: state.config.marking_window_days,
    };
    let w = service::add_walk_in(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, w.etag))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WalkInOut {
            outcome: w.outcome,
            session_id: w.session_id,
            family_id: w.family_id,
            new_family: w.new_family,
            carers: w.carers,
            booking_id: w.booking_id,
            visitor_id: w.visitor_id,
            visitor_reason: w.visitor_reason,
        }))
}
