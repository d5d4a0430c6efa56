//! The subject access export: every row held about a family, read for an admin. The read is
//! itself recorded in the audit trail (`family_exported`) and is listed in the export's own
//! audit events. Secrets (password hash, token hashes) are not data about the family: the rows
//! returned here carry none, apart from the calendar link's hash and the one-time links'
//! hashes, which the caller must leave out.

use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{
    self,
    account_tokens::AccountToken,
    apologies::Apology,
    audit::AuditRow,
    bookings::{Booking, Notification},
    child_care::{Collector, EmergencyContact},
    cohorts::Cohort,
    creche_incidents::Incident,
    export::Login,
    families::{Child, Family},
    follow_ups::{Contact, FollowUp},
    outcomes::Outcome,
    programmes::Programme,
    registers::{CrecheRow, MarkRow},
    users::User,
    venues::Venue,
    visitors::Visitor,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::BTreeMap;

/// Everything held about one family.
#[derive(Debug, Clone)]
pub struct FamilyRecord {
    pub exported_at: DateTime<Utc>,
    pub family: Family,
    /// What the family told us for monitoring (none when never asked).
    pub answers: Option<store::families::StoredAnswers>,
    pub children: Vec<Child>,
    /// Whom to call in an emergency, in order.
    pub emergency_contacts: Vec<EmergencyContact>,
    /// Who may collect each child; the caller leaves out the password hashes.
    pub collectors: Vec<Collector>,
    /// The parent's login, with its sign-ins, if the family has one.
    pub user: Option<(User, Vec<Login>)>,
    /// Every booking, by id, also cancelled and withdrawn ones.
    pub bookings: Vec<BookingRecord>,
    /// When each session of the booked groups starts, by session id.
    pub session_starts: BTreeMap<i32, NaiveDateTime>,
    pub attendance_marks: Vec<MarkRow>,
    /// Apologies sent in advance, also withdrawn bookings' (a withdrawn apology is deleted).
    pub apologies: Vec<Apology>,
    pub creche_sign_ins: Vec<CrecheRow>,
    /// Each crèche child's key person, in each group.
    pub key_persons: Vec<crate::store::key_persons::KeyPerson>,
    /// Accidents, incidents and first aid recorded in the crèche, with when the parent read them.
    pub creche_incidents: Vec<Incident>,
    /// Sessions the family came to as a one-off visitor (no place), with when each started
    /// and its cohort.
    pub visits: Vec<(Visitor, NaiveDateTime, i32)>,
    /// Follow-ups, with the attempts to contact the family (by follow-up id).
    pub follow_ups: Vec<FollowUp>,
    pub contacts: Vec<Contact>,
    pub outcome_measures: Vec<Outcome>,
    pub notifications: Vec<Notification>,
    /// Every message sent (or being sent) to the family, with its delivery.
    pub messages: Vec<crate::store::messages::Message>,
    /// One-time links of the family or its login (invitation, password reset, change of
    /// address), whether or not they still work; the caller leaves out their hashes.
    pub account_links: Vec<AccountToken>,
    /// Who read or changed the family's record, and when (this export included).
    pub audit_events: Vec<AuditRow>,
}

/// A booking with its group and crèche places.
#[derive(Debug, Clone)]
pub struct BookingRecord {
    pub booking: Booking,
    pub cohort: Cohort,
    pub programme: Programme,
    pub venue: Venue,
    /// Place on the waiting list (1 = next), when waitlisted.
    pub waitlist_position: Option<i64>,
    /// (place id, child id) of its crèche places.
    pub creche_places: Vec<(i32, i32)>,
}

/// Everything held about a family, for a subject access request (admin). The rows are read in
/// the transaction that records the export, so they are one consistent picture; the audit trail
/// is read once that has committed, so it lists this export too.
pub async fn export_family(
    services: &Services,
    actor: Actor,
    family_id: i32,
) -> Result<FamilyRecord, ServiceError> {
    let mut record = services
        .write(actor, move |tx| {
            let family = store::families::find(tx.conn, family_id)?
                .ok_or_else(|| ServiceError::not_found("family"))?;
            tx.audit(Audit {
                action: "family_exported",
                entity: "family",
                entity_id: Some(family_id),
                family_id: Some(family_id),
                detail: "subject access export".into(),
            });
            read_record(tx.conn, family, tx.now)
        })
        .await?;
    record.audit_events = services
        .read(move |c, _| Ok(store::export::audit_events(c, family_id)?))
        .await?;
    Ok(record)
}

/// Reads the family's rows (all but the audit trail).
fn read_record(
    c: &mut crate::db::DbConnection,
    family: Family,
    now: DateTime<Utc>,
) -> Result<FamilyRecord, ServiceError> {
    let family_id = family.id;
    let children = store::families::children_of(c, family_id)?;
    let mut rows = store::bookings::of_family(c, family_id)?;
    rows.sort_by_key(|b| b.id);
    let ids: Vec<i32> = rows.iter().map(|b| b.id).collect();
    let child_ids: Vec<i32> = children.iter().map(|ch| ch.id).collect();
    let places = store::export::creche_places(c, &ids)?;
    let mut session_starts = BTreeMap::new();
    let mut bookings = Vec::new();
    for b in rows {
        let (cohort, programme, venue) = store::cohorts::find_full(c, b.cohort_id)?
            .ok_or_else(|| ServiceError::not_found("cohort"))?;
        for s in store::cohorts::sessions_of(c, cohort.id)? {
            session_starts.insert(s.id, s.starts_at);
        }
        bookings.push(BookingRecord {
            waitlist_position: store::bookings::waitlist_position(c, &b)?,
            creche_places: places
                .iter()
                .filter(|(_, booking, _)| *booking == b.id)
                .map(|&(id, _, child_id)| (id, child_id))
                .collect(),
            booking: b,
            cohort,
            programme,
            venue,
        });
    }
    let user = match family.user_id {
        Some(id) => match store::users::find(c, id)? {
            Some(u) => {
                let logins = store::export::logins(c, u.id)?;
                Some((u, logins))
            }
            None => None,
        },
        None => None,
    };
    let follow_ups = store::export::follow_ups(c, family_id, &ids)?;
    let follow_up_ids: Vec<i32> = follow_ups.iter().map(|f| f.id).collect();
    let answers = store::families::answers_of(c, &[family_id])?.pop();
    Ok(FamilyRecord {
        exported_at: now,
        answers,
        user,
        contacts: store::follow_ups::contacts_of(c, &follow_up_ids)?,
        follow_ups,
        attendance_marks: store::export::marks(c, &ids)?,
        apologies: store::apologies::of_bookings(c, &ids)?,
        creche_sign_ins: store::export::sign_ins(c, &ids, &child_ids)?,
        key_persons: store::key_persons::of_children(c, &child_ids)?,
        creche_incidents: store::creche_incidents::for_export(c, &ids, &child_ids)?,
        visits: store::visitors::of_family(c, family_id)?,
        outcome_measures: store::export::outcomes(c, &ids)?,
        notifications: store::bookings::notifications_of(c, family_id)?,
        messages: store::messages::of_family(c, family_id)?,
        account_links: store::account_tokens::of_family(c, family_id, family.user_id)?,
        emergency_contacts: store::child_care::contacts_of(c, family_id)?,
        collectors: store::child_care::collectors_of_many(c, &child_ids)?,
        audit_events: Vec::new(),
        family,
        children,
        bookings,
        session_starts,
    })
}
