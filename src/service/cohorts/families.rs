//! The families booked on a cohort, for the people who run it. Coordinators see every booking
//! with contact details; the cohort's lead and co-facilitators see the confirmed families with
//! what running a session and following up needs; crèche workers the same without the phone.
//! Every read is audited, one event per family.

use crate::db::DbConnection;
use crate::domain::status::BookingStatus;
use crate::service::booking::{self, BookingView};
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{self, families::Family};
use chrono::NaiveDate;

// Who on the team sees what is decided once, for registers and families alike.
pub use crate::service::registers::{team_access, TeamAccess};

/// A child with a crèche place in the cohort.
#[derive(Debug, Clone)]
pub struct CrecheChild {
    pub id: i32,
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
}

/// Contact details, for coordinators only.
#[derive(Debug, Clone)]
pub struct Contact {
    pub email: String,
    pub postcode: String,
    pub ward: String,
    pub referral_source: String,
    pub consent_to_contact: bool,
}

/// One booked family, with only what the reader's access allows.
#[derive(Debug, Clone)]
pub struct BookedFamily {
    pub booking: BookingView,
    pub carers_names: Vec<String>,
    pub creche_children: Vec<CrecheChild>,
    pub preferred_language: crate::domain::message::Language,
    /// Coordinators, the lead and co-facilitators (for follow-up).
    pub phone: Option<String>,
    /// Coordinators only.
    pub contact: Option<Contact>,
}

/// A cohort's families as the reader may see them, with the cohort's counts.
#[derive(Debug, Clone)]
pub struct CohortFamilies {
    pub items: Vec<BookedFamily>,
    pub confirmed: i64,
    pub waitlisted: i64,
}

/// A cohort's bookings: every booking for coordinators (confirmed, then waitlisted in
/// waiting-list order, then ended ones), the confirmed ones for the cohort's team. Each family
/// read is recorded in the audit trail.
pub async fn cohort_families(
    services: &Services,
    actor: Actor,
    cohort_id: i32,
) -> Result<CohortFamilies, ServiceError> {
    services
        .write(actor, move |tx| {
            let access = team_access(tx.conn, cohort_id, tx.actor)?;
            let shown: &[BookingStatus] = match access {
                TeamAccess::Coordinator => BookingStatus::ALL,
                _ => &[BookingStatus::Confirmed],
            };
            let mut items = Vec::new();
            let (mut confirmed, mut waitlisted) = (0, 0);
            for &status in BookingStatus::ALL {
                let rows = store::bookings::of_cohort(tx.conn, cohort_id, status)?;
                match status {
                    BookingStatus::Confirmed => confirmed = rows.len() as i64,
                    BookingStatus::Waitlisted => waitlisted = rows.len() as i64,
                    _ => {}
                }
                if !shown.contains(&status) {
                    continue;
                }
                for b in rows {
                    let family = store::families::find(tx.conn, b.family_id)?
                        .ok_or_else(|| ServiceError::not_found("family"))?;
                    tx.audit(Audit {
                        action: "family_read",
                        entity: "booking",
                        entity_id: Some(b.id),
                        family_id: Some(family.id),
                        detail: format!("cohort {cohort_id} bookings, as {access:?}"),
                    });
                    let booking = booking::view(tx.conn, b)?;
                    items.push(booked_family(tx.conn, booking, family, access)?);
                }
            }
            Ok(CohortFamilies {
                items,
                confirmed,
                waitlisted,
            })
        })
        .await
}

fn booked_family(
    c: &mut DbConnection,
    booking: BookingView,
    f: Family,
    access: TeamAccess,
) -> Result<BookedFamily, ServiceError> {
    let creche_children = store::families::children_of(c, f.id)?
        .into_iter()
        .filter(|ch| booking.creche_child_ids.contains(&ch.id))
        .map(|ch| CrecheChild {
            id: ch.id,
            first_name: ch.first_name,
            date_of_birth: ch.date_of_birth,
        })
        .collect();
    let phone = (access != TeamAccess::CrecheWorker).then(|| f.phone.clone());
    let contact = (access == TeamAccess::Coordinator).then(|| Contact {
        email: f.email.clone(),
        postcode: f.postcode.clone(),
        ward: f.ward.clone(),
        referral_source: f.referral_source.clone(),
        consent_to_contact: f.consent_to_contact,
    });
    Ok(BookedFamily {
        booking,
        carers_names: [f.carer_one, f.carer_two]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect(),
        creche_children,
        preferred_language: f.preferred_language,
        phone,
        contact,
    })
}
