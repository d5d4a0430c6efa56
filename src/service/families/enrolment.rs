//! Families the centre records itself, for those who phone, are referred by a health visitor or
//! a midwife, or never make an account: enrolling one with its children, and changing its
//! record. Both look first for the same family already recorded (same email address or phone
//! number) and refuse to record it twice unless staff say it is a different family: nothing is
//! ever merged silently.
//!
//! Coordinators only: enrolling runs the duplicate check across all the borough's families and
//! names them, which only coordinators may see.

use super::profile::FamilyRecord;
use crate::db::DbConnection;
use crate::domain::family::{child_date_problems, phone_key, phone_spellings};
use crate::domain::message::Channel;
use crate::domain::monitoring::Question;
use crate::error::FieldErrors;
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{self, families::Family, families::Profile};
use chrono::Datelike;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// A child recorded with the family, born or expected.
#[derive(Debug, Clone)]
pub struct NewChild {
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// For a baby not born yet.
    pub due_date: Option<NaiveDate>,
    /// The monitoring answer on SEND or disability (none: not asked).
    pub send: Option<String>,
}

/// A family staff enrol: its profile (already checked) and children.
#[derive(Debug, Clone)]
pub struct EnrolFamily {
    pub profile: Profile,
    pub children: Vec<NewChild>,
    /// Staff have seen the families it looks like and say this one is different.
    pub confirmed_new: bool,
    /// What the request's own checks found wrong; reported together with the children's dates.
    pub request_problems: FieldErrors,
}

/// A change to a family's record: only the fields `sent` change, to their values in
/// `profile` (the whole profile as the request would leave it, already checked).
#[derive(Debug, Clone)]
pub struct ChangeFamily {
    pub family_id: i32,
    pub profile: Profile,
    /// The request's field names: `carers`, `phone`, `email`, `postcode`, `ward`,
    /// `preferred_language`, `language_other`, `interpreter_needed`, `access_needs`,
    /// `referral_source`, `consent_to_contact`, `contact_by`, `reminders`.
    pub sent: BTreeSet<String>,
    pub confirmed_new: bool,
}

/// How the family is told must be possible: text messages need a phone number, and emails an
/// address (a family without an account has no login address to fall back on).
fn reachable(p: &Profile, has_account: bool) -> Result<(), ServiceError> {
    let channels = p.contact_by.channels();
    if channels.contains(&Channel::Sms) && p.phone.is_empty() {
        return Err(ServiceError::field(
            "contact_by",
            "text messages need a phone number",
        ));
    }
    if channels.contains(&Channel::Email) && p.email.is_empty() && !has_account {
        return Err(ServiceError::field(
            "contact_by",
            "emails need the family's email address: give it, or choose sms",
        ));
    }
    Ok(())
}

/// Families already recorded with this profile's email address or phone number (those that
/// `check` names), other than `except`: a 409 naming them, for staff to decide.
fn not_recorded_yet(
    c: &mut DbConnection,
    p: &Profile,
    (email, phone): (bool, bool),
    except: Option<i32>,
) -> Result<(), ServiceError> {
    let mut fields = Vec::new();
    let mut ids = BTreeSet::new();
    if email && !p.email.is_empty() {
        let same = store::family_search::with_email(c, &p.email, except)?;
        if !same.is_empty() {
            fields.push("email");
            ids.extend(same);
        }
    }
    if phone && !p.phone.is_empty() {
        let spellings = phone_spellings(&phone_key(&p.phone));
        let same = store::family_search::with_phone(c, &spellings, except)?;
        if !same.is_empty() {
            fields.push("phone");
            ids.extend(same);
        }
    }
    match fields.is_empty() {
        true => Ok(()),
        false => Err(ServiceError::FamilyAlreadyRecorded {
            fields,
            family_ids: ids.into_iter().collect(),
        }),
    }
}

/// Enrols a family without an account, with its children; recorded as `family_enrolled` by the
/// member of staff (who is kept as `enrolled_by`).
pub async fn enrol_family(
    services: &Services,
    actor: Actor,
    cmd: EnrolFamily,
) -> Result<FamilyRecord, ServiceError> {
    services
        .write(actor, move |tx| {
            let family = enrol(tx, &cmd)?;
            FamilyRecord::of(tx.conn, family)
        })
        .await
}

/// Records a family staff enrol, inside the caller's transaction (also a family who walks in to
/// a group, `service::registers::walk_ins`): the request's problems and the children's dates are
/// reported together, then how the family is told must be possible, then the duplicate check
/// unless staff confirmed it is a new family. Audited as `family_enrolled`.
pub(crate) fn enrol(tx: &mut Tx, cmd: &EnrolFamily) -> Result<Family, ServiceError> {
    let mut errors = cmd.request_problems.clone();
    let today = tx.now.date_naive();
    for (i, child) in cmd.children.iter().enumerate() {
        for (field, msg) in child_date_problems(child.date_of_birth, child.due_date, today) {
            let name = format!("children[{i}].{field}");
            errors.entry(name).or_default().push(msg);
        }
        if let Some(Err(m)) = child
            .send
            .as_deref()
            .map(|s| Question::Send.check(s, today.year()))
        {
            errors
                .entry(format!("children[{i}].send"))
                .or_default()
                .push(m);
        }
    }
    ServiceError::check_fields(errors)?;
    reachable(&cmd.profile, false)?;
    if !cmd.confirmed_new {
        not_recorded_yet(tx.conn, &cmd.profile, (true, true), None)?;
    }
    // Placed by its postcode when the geography is loaded (an unknown postcode is a 422).
    let profile = crate::service::geography::placed_profile(tx.conn, &cmd.profile)?;
    let now = tx.now_naive();
    let family = store::families::enrol(tx.conn, &profile, tx.actor.user_id(), now)?;
    for child in &cmd.children {
        let (dob, due) = (child.date_of_birth, child.due_date);
        let name = child.first_name.trim();
        let added = store::families::add_child(tx.conn, family.id, name, dob, due, now)?;
        if let Some(send) = &child.send {
            let send = Question::Send.check(send, today.year()).unwrap_or_default();
            store::families::set_send(tx.conn, added.id, &send)?;
        }
    }
    let n = cmd.children.len();
    tx.audit(Audit {
        action: "family_enrolled",
        entity: "family",
        entity_id: Some(family.id),
        family_id: Some(family.id),
        detail: format!(
            "{n} {}{}",
            if n == 1 { "child" } else { "children" },
            if cmd.confirmed_new {
                ", confirmed new"
            } else {
                ""
            }
        ),
    });
    Ok(family)
}

/// `current` with the fields `sent` taken from `wanted`; the language's name goes with the
/// language.
fn merged(current: &Profile, wanted: &Profile, sent: &BTreeSet<String>) -> Profile {
    let take = |name: &str| sent.contains(name);
    let pick = |name: &str, w: &String, c: &String| if take(name) { w } else { c }.clone();
    let language = take("preferred_language") || take("language_other");
    Profile {
        carer_one: pick("carers", &wanted.carer_one, &current.carer_one),
        carer_two: pick("carers", &wanted.carer_two, &current.carer_two),
        phone: pick("phone", &wanted.phone, &current.phone),
        email: pick("email", &wanted.email, &current.email),
        postcode: pick("postcode", &wanted.postcode, &current.postcode),
        ward: pick("ward", &wanted.ward, &current.ward),
        preferred_language: match language {
            true => wanted.preferred_language,
            false => current.preferred_language,
        },
        language_other: match language {
            true => wanted.language_other.clone(),
            false => current.language_other.clone(),
        },
        interpreter_needed: match take("interpreter_needed") {
            true => wanted.interpreter_needed,
            false => current.interpreter_needed,
        },
        access_needs: pick("access_needs", &wanted.access_needs, &current.access_needs),
        referral_source: pick(
            "referral_source",
            &wanted.referral_source,
            &current.referral_source,
        ),
        consent_to_contact: match take("consent_to_contact") {
            true => wanted.consent_to_contact,
            false => current.consent_to_contact,
        },
        contact_by: match take("contact_by") {
            true => wanted.contact_by,
            false => current.contact_by,
        },
        reminders: match take("reminders") {
            true => wanted.reminders,
            false => current.reminders,
        },
        answers: match take("monitoring") {
            true => wanted.answers.clone(),
            false => current.answers.clone(),
        },
        // Derived again from the postcode when the change is saved.
        lsoa: current.lsoa.clone(),
        imd_decile: current.imd_decile,
    }
}

/// Changes a family's record (coordinators): only the fields sent change, the same rules apply
/// as to a parent's own change, and a new email address or phone number is checked against the
/// families already recorded. Recorded as `family_updated` naming the fields that changed. An
/// erased family is not found.
pub async fn change_family(
    services: &Services,
    actor: Actor,
    cmd: ChangeFamily,
) -> Result<FamilyRecord, ServiceError> {
    services
        .write(actor, move |tx| {
            let f = store::families::find(tx.conn, cmd.family_id)?
                .filter(|f| f.erased_at.is_none())
                .ok_or_else(|| ServiceError::not_found("family"))?;
            // Merged here, on the record as it is now, so a change made meanwhile to a field
            // not sent is kept.
            let p = merged(&Profile::from(&f), &cmd.profile, &cmd.sent);
            if ["contact_by", "email", "phone"]
                .iter()
                .any(|s| cmd.sent.contains(*s))
            {
                reachable(&p, f.user_id.is_some())?;
            }
            if !cmd.confirmed_new {
                let new_email = !p.email.eq_ignore_ascii_case(&f.email);
                let new_phone = phone_key(&p.phone) != phone_key(&f.phone);
                not_recorded_yet(tx.conn, &p, (new_email, new_phone), Some(f.id))?;
            }
            super::profile::save(tx, &f, &p)
        })
        .await
}
