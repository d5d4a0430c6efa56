//! The families booked on a cohort, for the people who run it. Coordinators see every booking
//! with contact details; the cohort's lead, co-facilitators and crèche workers see the confirmed
//! families with only what running a session needs. Every read is audited, one row per family.

use crate::api::access::{Require, Staff};
use crate::api::booking::BookingOut;
use crate::api::docs::{E401, E403, E404, E503};
use crate::app::AppState;
use crate::auth::tokens::TokenSubject;
use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::store::{self, families::Family};
use actix_web::{get, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// How much of a cohort's families a staff member may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAccess {
    /// Coordinators and admins: every booking, every field.
    Coordinator,
    /// The lead and co-facilitators, who also follow up families between sessions.
    Facilitator,
    /// Crèche workers: the families and children, without contact details.
    CrecheWorker,
}

/// Which view of a cohort's families `who` has. A facilitator who does not run the cohort gets
/// 404, as for a cohort that does not exist: it is not theirs.
pub fn team_access(
    c: &mut DbConnection,
    cohort_id: i32,
    who: &TokenSubject,
) -> Result<TeamAccess, ApiError> {
    store::cohorts::find(c, cohort_id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
    if matches!(who.role, Role::Admin | Role::Coordinator) {
        return Ok(TeamAccess::Coordinator);
    }
    if who.role != Role::Facilitator {
        return Err(ApiError::not_found("cohort"));
    }
    let roles = store::teams::team_roles_of_user(c, cohort_id, who.user_id)?;
    if roles.iter().any(|r| r == "lead" || r == "co_facilitator") {
        Ok(TeamAccess::Facilitator)
    } else if roles.iter().any(|r| r == "creche_worker") {
        Ok(TeamAccess::CrecheWorker)
    } else {
        // Supervisors support the facilitators; they do not need the families' records.
        Err(ApiError::not_found("cohort"))
    }
}

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
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub access_needs: String,
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
    let (cohort_id, user, now) = (id.into_inner(), who.user, state.now_naive());
    let out = state
        .db(move |c| {
            let access = team_access(c, cohort_id, &user)?;
            let statuses: &[&str] = match access {
                TeamAccess::Coordinator => &["confirmed", "waitlisted", "cancelled", "withdrawn"],
                _ => &["confirmed"],
            };
            let mut items = Vec::new();
            let (mut confirmed, mut waitlisted) = (0, 0);
            for status in ["confirmed", "waitlisted", "cancelled", "withdrawn"] {
                let rows = store::bookings::of_cohort(c, cohort_id, status)?;
                match status {
                    "confirmed" => confirmed = rows.len() as i64,
                    "waitlisted" => waitlisted = rows.len() as i64,
                    _ => {}
                }
                if !statuses.contains(&status) {
                    continue;
                }
                for b in rows {
                    let family = store::families::find(c, b.family_id)?
                        .ok_or_else(|| ApiError::not_found("family"))?;
                    store::audit::record(
                        c,
                        store::audit::Event {
                            at: now,
                            actor_user_id: Some(user.user_id),
                            action: "family_read",
                            entity: "booking",
                            entity_id: Some(b.id),
                            family_id: Some(family.id),
                            detail: format!("cohort {cohort_id} bookings, as {access:?}"),
                        },
                    )?;
                    let booking = crate::service::booking::view(c, b)?.into();
                    items.push(view(c, booking, family, access)?);
                }
            }
            Ok(CohortBookingList {
                total: items.len() as i64,
                items,
                confirmed,
                waitlisted,
            })
        })
        .await?;
    Ok(web::Json(out))
}

fn view(
    c: &mut DbConnection,
    booking: BookingOut,
    f: Family,
    access: TeamAccess,
) -> Result<CohortBooking, ApiError> {
    let creche_children = store::families::children_of(c, f.id)?
        .into_iter()
        .filter(|ch| booking.creche_child_ids.contains(&ch.id))
        .map(|ch| CrecheChildOut {
            id: ch.id,
            first_name: ch.first_name,
            date_of_birth: ch.date_of_birth,
        })
        .collect();
    let phone = (access != TeamAccess::CrecheWorker).then(|| f.phone.clone());
    let contact = (access == TeamAccess::Coordinator).then(|| FamilyContact {
        email: f.email.clone(),
        postcode: f.postcode.clone(),
        ward: f.ward.clone(),
        referral_source: f.referral_source.clone(),
        consent_to_contact: f.consent_to_contact,
    });
    Ok(CohortBooking {
        booking,
        carers_names: [f.carer_one, f.carer_two]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect(),
        creche_children,
        preferred_language: f.preferred_language,
        interpreter_needed: f.interpreter_needed,
        access_needs: f.access_needs,
        phone,
        contact,
    })
}
