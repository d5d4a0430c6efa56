//! A parent's own family record: reading it, and replacing its profile.

use super::{changed, own_family};
use crate::db::DbConnection;
use crate::domain::monitoring::Answers;
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{
    self,
    families::{Child, Family, Profile},
};

/// A family with its children.
#[derive(Debug, Clone)]
pub struct FamilyRecord {
    pub family: Family,
    pub children: Vec<Child>,
    /// What the family told us for monitoring.
    pub answers: Answers,
    /// The login's email, when the family has an account (messages go there when the family
    /// gave no address of its own).
    pub account_email: Option<String>,
}

impl FamilyRecord {
    /// The family as stored now, with its children and its login's address.
    pub(crate) fn of(c: &mut DbConnection, family: Family) -> Result<Self, ServiceError> {
        let children = store::families::children_of(c, family.id)?;
        let account_email = match family.user_id {
            Some(user) => store::users::find(c, user)?.map(|u| u.email),
            None => None,
        };
        Ok(FamilyRecord {
            answers: store::families::answers(c, family.id)?,
            family,
            children,
            account_email,
        })
    }

    /// The address the family's email goes to: its own, or its login's.
    pub fn email_in_use(&self) -> &str {
        match (self.family.email.as_str(), &self.account_email) {
            ("", Some(login)) => login,
            (own, _) => own,
        }
    }

    /// Whether the family has shown it reads the address its email goes to.
    pub fn email_verified(&self) -> bool {
        let verified = &self.family.email_verified;
        !verified.is_empty() && verified.eq_ignore_ascii_case(self.email_in_use())
    }
}

/// The acting parent's family, with its children.
pub async fn my_family(services: &Services, actor: Actor) -> Result<FamilyRecord, ServiceError> {
    services
        .read(move |c, _| {
            let family = own_family(c, actor)?;
            FamilyRecord::of(c, family)
        })
        .await
}

/// Replaces the acting parent's family profile (already validated); recorded as
/// `family_updated` naming the fields that changed.
pub async fn update_profile(
    services: &Services,
    actor: Actor,
    profile: Profile,
) -> Result<FamilyRecord, ServiceError> {
    services
        .write(actor, move |tx| {
            let f = own_family(tx.conn, tx.actor)?;
            save(tx, &f, &profile)
        })
        .await
}

/// Replaces a family's profile in the caller's transaction, recorded as `family_updated`
/// naming the fields that changed (by its parent or by staff); the ward, LSOA and IMD decile
/// are placed by the postcode (`service::geography::place_of`).
pub(super) fn save(
    tx: &mut crate::service::Tx,
    f: &Family,
    profile: &Profile,
) -> Result<FamilyRecord, ServiceError> {
    // The ward, LSOA and decile from the postcode when the geography is loaded (a postcode it
    // does not know is refused here, before anything is written).
    let profile = &crate::service::geography::placed_profile(tx.conn, profile)?;
    let answers = store::families::answers(tx.conn, f.id)?;
    let detail = changed_fields(f, profile, &answers);
    let family = store::families::update_profile(tx.conn, f.id, profile, tx.now_naive())?;
    tx.audit(Audit {
        action: "family_updated",
        entity: "family",
        entity_id: Some(family.id),
        family_id: Some(family.id),
        detail,
    });
    FamilyRecord::of(tx.conn, family)
}

/// The names of the profile fields that differ, for the audit trail.
fn changed_fields(f: &Family, p: &Profile, answers: &Answers) -> String {
    changed(&[
        (
            "carers",
            f.carer_one != p.carer_one || f.carer_two != p.carer_two,
        ),
        ("phone", f.phone != p.phone),
        ("email", f.email != p.email),
        ("postcode", f.postcode != p.postcode),
        ("ward", f.ward != p.ward),
        (
            "preferred_language",
            f.preferred_language != p.preferred_language,
        ),
        (
            "interpreter_needed",
            f.interpreter_needed != p.interpreter_needed,
        ),
        ("access_needs", f.access_needs != p.access_needs),
        ("referral_source", f.referral_source != p.referral_source),
        (
            "consent_to_contact",
            f.consent_to_contact != p.consent_to_contact,
        ),
        ("language_other", f.language_other != p.language_other),
        ("contact_by", f.contact_by != p.contact_by),
        ("reminders", f.reminders != p.reminders),
        (
            "monitoring",
            p.answers.as_ref().is_some_and(|a| a != answers),
        ),
    ])
}
