//! The families booked on a cohort, for the people who run it. Coordinators see every booking
//! with contact details; the cohort's lead, co-facilitators and crèche workers see the confirmed
//! families with only what running a session needs. Every read is audited, one row per family
//! (`service::cohorts::families`).

use crate::api::access::{Require, Staff};
use crate::api::booking::BookingOut;
use crate::api::docs::{E401, E403, E404, E503};
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::cohorts::families::{self, BookedFamily};
use actix_web::{get, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct CrecheChildOut {
    pub id: i32,
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
}

/// Contact details, for coordinators only.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyContact {
    pub email: String,
    pub postcode: String,
    pub ward: String,
    pub referral_source: String,
    pub consent_to_contact: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortBooking {
    #[serde(flatten)]
    pub booking: BookingOut,
    /// The family's carers.
    pub carers_names: Vec<String>,
    /// The children with a crèche place in this cohort.
    pub creche_children: Vec<CrecheChildOut>,
    pub preferred_language: crate::domain::message::Language,
    /// The family's phone: coordinators, the lead and co-facilitators (for follow-up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Coordinators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<FamilyContact>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortBookingList {
    pub items: Vec<CohortBooking>,
    pub total: i64,
    pub confirmed: i64,
    pub waitlisted: i64,
}

/// A cohort's bookings. Coordinators get every booking (confirmed and waitlisted first, in
/// waiting-list order) with contact details; the cohort's lead, co-facilitators and crèche
/// workers get the confirmed families with the fields a session needs (crèche workers without
/// the phone). Each family read is recorded in the audit trail.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id")),
    responses((status = 200, description = "The cohort's bookings", body = CohortBookingList), E401, E403, E404, E503)
)]
#[get("/cohorts/{id}/bookings")]
pub async fn cohort_bookings(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<web::Json<CohortBookingList>, ApiError> {
    let found = families::cohort_families(&state.services, who.actor(), id.into_inner()).await?;
    Ok(web::Json(CohortBookingList {
        total: found.items.len() as i64,
        items: found.items.into_iter().map(CohortBooking::from).collect(),
        confirmed: found.confirmed,
        waitlisted: found.waitlisted,
    }))
}

impl From<BookedFamily> for CohortBooking {
    fn from(f: BookedFamily) -> Self {
        CohortBooking {
            booking: f.booking.into(),
            carers_names: f.carers_names,
            creche_children: f
                .creche_children
                .into_iter()
                .map(|ch| CrecheChildOut {
                    id: ch.id,
                    first_name: ch.first_name,
                    date_of_birth: ch.date_of_birth,
                })
                .collect(),
            preferred_language: f.preferred_language,
            phone: f.phone,
            contact: f.contact.map(|c| FamilyContact {
                email: c.email,
                postcode: c.postcode,
                ward: c.ward,
                referral_source: c.referral_source,
                consent_to_contact: c.consent_to_contact,
            }),
        }
    }
}
