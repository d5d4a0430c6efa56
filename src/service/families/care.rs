//! What the crèche needs to know about a child: care details (allergies, diet, health, medicines
//! with the parent's consent, additional needs), the family's emergency contacts and who may
//! collect the child. Parents keep them; staff read them on a need-to-know basis: coordinators,
//! and the lead and crèche workers of a cohort where the child has a crèche place. Other
//! facilitators of such a cohort learn only that the child has care notes. Every staff read is
//! audited as `child_care_read`.

use super::own_family;
use crate::domain::creche::care::{care_view, CareView};
use crate::domain::family::phone_ok;
use crate::domain::role::Role;
use crate::error::FieldErrors;
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{
    self,
    child_care::{Collector, EmergencyContact, NewContact},
    families::{Care, Child},
};
use chrono::NaiveDate;

/// Longest care note, in characters.
pub const CARE_TEXT_MAX: usize = 2000;
pub const CONTACTS_MIN: usize = 2;
pub const CONTACTS_MAX: usize = 5;

/// Any of a child's care details, to set over what is stored.
#[derive(Debug, Clone, Default)]
pub struct CarePatch {
    pub allergies: Option<String>,
    pub dietary_needs: Option<String>,
    pub medical_needs: Option<String>,
    pub medicines: Option<String>,
    pub medicines_consent: Option<bool>,
    pub medicines_consent_date: Option<NaiveDate>,
    pub additional_needs: Option<String>,
}

impl CarePatch {
    /// The care details once this patch is applied to `base`. Withdrawn consent drops its date.
    pub fn apply(&self, base: &Care) -> Care {
        let text = |new: &Option<String>, old: &String| {
            new.as_deref()
                .map_or_else(|| old.clone(), |s| s.trim().to_string())
        };
        let consent = self.medicines_consent.unwrap_or(base.medicines_consent);
        let date = match (self.medicines_consent, self.medicines_consent_date) {
            (_, Some(d)) => Some(d),
            (Some(false), None) => None,
            _ => base.medicines_consent_date,
        };
        Care {
            allergies: text(&self.allergies, &base.allergies),
            dietary_needs: text(&self.dietary_needs, &base.dietary_needs),
            medical_needs: text(&self.medical_needs, &base.medical_needs),
            medicines: text(&self.medicines, &base.medicines),
            medicines_consent: consent,
            medicines_consent_date: date,
            additional_needs: text(&self.additional_needs, &base.additional_needs),
        }
    }

    /// Names of the fields this patch changes from `base`, for the audit trail.
    pub fn changed_fields(base: &Care, new: &Care) -> Vec<(&'static str, bool)> {
        vec![
            ("allergies", base.allergies != new.allergies),
            ("dietary_needs", base.dietary_needs != new.dietary_needs),
            ("medical_needs", base.medical_needs != new.medical_needs),
            ("medicines", base.medicines != new.medicines),
            (
                "medicines_consent",
                base.medicines_consent != new.medicines_consent,
            ),
            (
                "medicines_consent_date",
                base.medicines_consent_date != new.medicines_consent_date,
            ),
            (
                "additional_needs",
                base.additional_needs != new.additional_needs,
            ),
        ]
    }
}

/// Whether a note is free text the crèche can read: line breaks are fine, other control
/// characters are not.
fn text_ok(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r'))
}

/// A name or relation (of a collector or an emergency contact): 1 to `max` characters once
/// trimmed, of text (line breaks allowed).
pub fn name_ok(s: &str, max: usize) -> bool {
    let v = s.trim();
    !v.is_empty() && v.chars().count() <= max && text_ok(v)
}

/// What is wrong with care details, by field.
pub fn care_problems(c: &Care, today: NaiveDate, errors: &mut FieldErrors) {
    let mut fail = |field: &str, msg: &str| {
        errors
            .entry(field.to_string())
            .or_default()
            .push(msg.to_string())
    };
    for (field, value) in [
        ("allergies", &c.allergies),
        ("dietary_needs", &c.dietary_needs),
        ("medical_needs", &c.medical_needs),
        ("medicines", &c.medicines),
        ("additional_needs", &c.additional_needs),
    ] {
        if value.chars().count() > CARE_TEXT_MAX {
            fail(field, "must be at most 2000 characters");
        }
        if !text_ok(value) {
            fail(
                field,
                "must not contain control characters other than line breaks",
            );
        }
    }
    if c.medicines_consent && !c.medicines.is_empty() && c.medicines_consent_date.is_none() {
        fail(
            "medicines_consent_date",
            "give the date the parent gave written consent to the medicines",
        );
    }
    if c.medicines_consent_date.is_some_and(|d| d > today) {
        fail("medicines_consent_date", "must not be in the future");
    }
}

/// The acting parent's emergency contacts.
pub async fn contacts(
    services: &Services,
    actor: Actor,
) -> Result<Vec<EmergencyContact>, ServiceError> {
    services
        .read(move |c, _| {
            let f = own_family(c, actor)?;
            Ok(store::child_care::contacts_of(c, f.id)?)
        })
        .await
}

/// Replaces the acting parent's emergency contacts (2 to 5, in the order to call them); audited
/// as `emergency_contacts_updated`.
pub async fn set_contacts(
    services: &Services,
    actor: Actor,
    contacts: Vec<NewContact>,
    request_problems: FieldErrors,
) -> Result<Vec<EmergencyContact>, ServiceError> {
    if contacts.len() < CONTACTS_MIN {
        return Err(ServiceError::field(
            "contacts",
            "give at least two people we can call in an emergency",
        ));
    }
    let mut errors = request_problems;
    if contacts.len() > CONTACTS_MAX {
        errors
            .entry("contacts".into())
            .or_default()
            .push("give at most five people".into());
    }
    let contacts: Vec<NewContact> = contacts
        .into_iter()
        .map(|c| NewContact {
            name: c.name.trim().to_string(),
            relation: c.relation.trim().to_string(),
            phone: c.phone.trim().to_string(),
        })
        .collect();
    for (i, c) in contacts.iter().enumerate() {
        let mut fail = |field: &str, msg: &str| {
            errors
                .entry(format!("contacts[{i}].{field}"))
                .or_default()
                .push(msg.to_string())
        };
        if !name_ok(&c.name, 100) {
            fail("name", "must be 1 to 100 characters of text");
        }
        if !name_ok(&c.relation, 60) {
            fail("relation", "must be 1 to 60 characters of text");
        }
        if !phone_ok(&c.phone) {
            fail("phone", "must be a phone number");
        }
    }
    ServiceError::check_fields(errors)?;
    services
        .write(actor, move |tx| {
            let f = own_family(tx.conn, tx.actor)?;
            let stored =
                store::child_care::replace_contacts(tx.conn, f.id, &contacts, tx.now_naive())?;
            tx.audit(Audit {
                action: "emergency_contacts_updated",
                entity: "family",
                entity_id: Some(f.id),
                family_id: Some(f.id),
                detail: format!("{} contacts", stored.len()),
            });
            Ok(stored)
        })
        .await
}

/// Who may collect one of the acting parent's children.
pub async fn collectors(
    services: &Services,
    actor: Actor,
    child_id: i32,
) -> Result<Vec<Collector>, ServiceError> {
    services
        .read(move |c, _| {
            let f = own_family(c, actor)?;
            store::families::child_of(c, f.id, child_id)?
                .ok_or_else(|| ServiceError::not_found("child"))?;
            Ok(store::child_care::collectors_of(c, child_id)?)
        })
        .await
}

/// Someone who may collect a child; the password comes already hashed.
#[derive(Debug, Clone)]
pub struct AddCollector {
    pub child_id: i32,
    pub name: String,
    pub relation: String,
    pub password_hash: Option<String>,
}

/// Adds someone who may collect one of the acting parent's children; audited as
/// `collector_added`.
pub async fn add_collector(
    services: &Services,
    actor: Actor,
    cmd: AddCollector,
) -> Result<Collector, ServiceError> {
    let mut errors = FieldErrors::new();
    for (field, value, max) in [("name", &cmd.name, 100), ("relation", &cmd.relation, 60)] {
        if !name_ok(value, max) {
            errors
                .entry(field.into())
                .or_default()
                .push(format!("must be 1 to {max} characters of text"));
        }
    }
    ServiceError::check_fields(errors)?;
    services
        .write(actor, move |tx| {
            let f = own_family(tx.conn, tx.actor)?;
            store::families::child_of(tx.conn, f.id, cmd.child_id)?
                .ok_or_else(|| ServiceError::not_found("child"))?;
            let added = store::child_care::add_collector(
                tx.conn,
                cmd.child_id,
                cmd.name.trim(),
                cmd.relation.trim(),
                cmd.password_hash.as_deref(),
                tx.now_naive(),
            )?;
            tx.audit(Audit {
                action: "collector_added",
                entity: "child",
                entity_id: Some(cmd.child_id),
                family_id: Some(f.id),
                detail: if added.password_hash.is_some() {
                    "with a collection password".into()
                } else {
                    "without a collection password".into()
                },
            });
            Ok(added)
        })
        .await
}

/// Removes someone from those who may collect one of the acting parent's children; audited as
/// `collector_removed`.
pub async fn remove_collector(
    services: &Services,
    actor: Actor,
    child_id: i32,
    collector_id: i32,
) -> Result<(), ServiceError> {
    services
        .write(actor, move |tx| {
            let f = own_family(tx.conn, tx.actor)?;
            store::families::child_of(tx.conn, f.id, child_id)?
                .ok_or_else(|| ServiceError::not_found("child"))?;
            if !store::child_care::remove_collector(tx.conn, child_id, collector_id)? {
                return Err(ServiceError::not_found("collector"));
            }
            tx.audit(Audit {
                action: "collector_removed",
                entity: "child",
                entity_id: Some(child_id),
                family_id: Some(f.id),
                detail: String::new(),
            });
            Ok(())
        })
        .await
}

/// What a member of staff may see of a child's care.
#[derive(Debug, Clone)]
pub enum CareRead {
    /// Coordinators, and the lead and crèche workers of the child's cohort.
    Full {
        child: Box<Child>,
        contacts: Vec<EmergencyContact>,
        collectors: Vec<Collector>,
    },
    /// Other facilitators of the child's cohort: whether there is anything to know.
    FlagOnly { child_id: i32, has_care_notes: bool },
}

/// A child's care details for staff who need to know them; anyone else (and an erased child's
/// family) gets "not found". Audited as `child_care_read`.
pub async fn child_care(
    services: &Services,
    actor: Actor,
    child_id: i32,
) -> Result<CareRead, ServiceError> {
    services
        .write(actor, move |tx| {
            let child = store::families::find_child(tx.conn, child_id)?
                .filter(|c| c.erased_at.is_none())
                .ok_or_else(|| ServiceError::not_found("child"))?;
            let full = match tx.actor {
                Actor::System
                | Actor::User {
                    role: Role::Admin | Role::Coordinator,
                    ..
                } => true,
                Actor::User {
                    role: Role::Facilitator,
                    id,
                } => {
                    let roles = store::child_care::team_roles_for_child(tx.conn, child_id, id)?;
                    match care_view(&roles) {
                        Some(CareView::Details) => true,
                        Some(CareView::FlagOnly) => false,
                        None => return Err(ServiceError::not_found("child")),
                    }
                }
                Actor::User {
                    role: Role::Parent, ..
                } => return Err(ServiceError::not_found("child")),
            };
            tx.audit(Audit {
                action: "child_care_read",
                entity: "child",
                entity_id: Some(child.id),
                family_id: Some(child.family_id),
                detail: if full { "details" } else { "flag only" }.into(),
            });
            if !full {
                return Ok(CareRead::FlagOnly {
                    child_id: child.id,
                    has_care_notes: child.care().any(),
                });
            }
            let contacts = store::child_care::contacts_of(tx.conn, child.family_id)?;
            let collectors = store::child_care::collectors_of(tx.conn, child.id)?;
            Ok(CareRead::Full {
                child: Box::new(child),
                contacts,
                collectors,
            })
        })
        .await
}
