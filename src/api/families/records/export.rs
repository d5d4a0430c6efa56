//! The subject access export: one document with every row held about a family, each with its
//! id, so the table-walk test can check nothing was left out. Secrets (password hash, token
//! hashes, the calendar link's hash) are not data about the family and stay out.

pub use super::export_body::*;
use crate::api::booking::mine::NotificationOut;
use crate::api::utc;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::store;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Reads the family's rows into one document (inside the caller's transaction, so it is one
/// consistent picture).
pub fn build(
    c: &mut DbConnection,
    family_id: i32,
    now: DateTime<Utc>,
) -> Result<FamilyExport, ApiError> {
    let f = store::families::find(c, family_id)?.ok_or_else(|| ApiError::not_found("family"))?;
    let children = store::families::children_of(c, family_id)?;
    let mut rows = store::bookings::of_family(c, family_id)?;
    rows.sort_by_key(|b| b.id);
    let ids: Vec<i32> = rows.iter().map(|b| b.id).collect();
    let child_ids: Vec<i32> = children.iter().map(|ch| ch.id).collect();
    let places = store::export::creche_places(c, &ids)?;
    let mut starts = BTreeMap::new();
    let mut bookings = Vec::new();
    for b in rows {
        let (cohort, programme, venue) = store::cohorts::find_full(c, b.cohort_id)?
            .ok_or_else(|| ApiError::not_found("cohort"))?;
        for s in store::cohorts::sessions_of(c, cohort.id)? {
            starts.insert(s.id, utc(s.starts_at));
        }
        bookings.push(ExportBooking {
            waitlist_position: store::bookings::waitlist_position(c, &b)?,
            creche_places: places
                .iter()
                .filter(|(_, booking, _)| *booking == b.id)
                .map(|&(id, _, child_id)| ExportCrechePlace { id, child_id })
                .collect(),
            id: b.id,
            cohort_id: b.cohort_id,
            cohort_title: cohort.title,
            programme: programme.code,
            venue_name: venue.name,
            status: b.status,
            carers: b.carers,
            booked_by: b.booked_by,
            created_at: utc(b.created_at),
            confirmed_at: b.confirmed_at.map(utc),
            ended_at: b.ended_at.map(utc),
            updated_at: utc(b.updated_at),
        });
    }
    let attendance_marks = store::export::marks(c, &ids)?
        .into_iter()
        .map(|m| ExportMark {
            id: m.id,
            booking_id: m.booking_id,
            session_id: m.session_id,
            session_starts_at: starts.get(&m.session_id).copied(),
            status: m.status,
            marked_by: m.marked_by,
            marked_at: utc(m.marked_at),
        })
        .collect();
    let creche_sign_ins = store::export::sign_ins(c, &ids, &child_ids)?
        .into_iter()
        .map(|s| ExportSignIn {
            id: s.id,
            booking_id: s.booking_id,
            child_id: s.child_id,
            session_id: s.session_id,
            session_starts_at: starts.get(&s.session_id).copied(),
            signed_in_at: utc(s.signed_in_at),
            signed_out_at: s.signed_out_at.map(utc),
            collected_by: s.collected_by,
            marked_by: s.marked_by,
            marked_at: utc(s.marked_at),
        })
        .collect();
    Ok(FamilyExport {
        exported_at: now,
        user: user(c, f.user_id)?,
        follow_ups: follow_ups(c, family_id, &ids)?,
        outcome_measures: store::export::outcomes(c, &ids)?
            .into_iter()
            .map(|o| ExportOutcome {
                id: o.id,
                booking_id: o.booking_id,
                measure: o.measure,
                phase: o.phase,
                score: o.score,
                recorded_on: o.recorded_on,
                recorded_by: o.recorded_by,
                created_at: utc(o.created_at),
                updated_at: utc(o.updated_at),
            })
            .collect(),
        notifications: store::bookings::notifications_of(c, family_id)?
            .into_iter()
            .map(|n| NotificationOut {
                id: n.id,
                kind: n.kind,
                message: n.message,
                booking_id: n.booking_id,
                created_at: utc(n.created_at),
            })
            .collect(),
        audit_events: store::export::audit_events(c, family_id)?
            .into_iter()
            .map(|a| ExportAuditEvent {
                id: a.id,
                at: utc(a.at),
                actor_id: a.actor_user_id,
                action: a.action,
                entity: a.entity,
                entity_id: a.entity_id,
                detail: a.detail,
            })
            .collect(),
        family: family(f),
        children: children
            .into_iter()
            .map(|ch| ExportChild {
                id: ch.id,
                first_name: ch.first_name,
                date_of_birth: ch.date_of_birth,
                due_date: ch.due_date,
                created_at: utc(ch.created_at),
                updated_at: utc(ch.updated_at),
                erased_at: ch.erased_at.map(utc),
            })
            .collect(),
        bookings,
        attendance_marks,
        creche_sign_ins,
    })
}

fn family(f: store::families::Family) -> ExportFamily {
    ExportFamily {
        id: f.id,
        carer_one: f.carer_one,
        carer_two: f.carer_two,
        phone: f.phone,
        email: f.email,
        postcode: f.postcode,
        ward: f.ward,
        preferred_language: f.preferred_language,
        interpreter_needed: f.interpreter_needed,
        access_needs: f.access_needs,
        referral_source: f.referral_source,
        consent_to_contact: f.consent_to_contact,
        calendar_link_active: f.calendar_token_hash.is_some(),
        created_at: utc(f.created_at),
        updated_at: utc(f.updated_at),
        erased_at: f.erased_at.map(utc),
    }
}

fn user(c: &mut DbConnection, id: Option<i32>) -> Result<Option<ExportUser>, ApiError> {
    let Some(u) = id
        .map(|id| store::users::find(c, id))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let logins = store::export::logins(c, u.id)?
        .into_iter()
        .map(|l| ExportLogin {
            id: l.id,
            created_at: utc(l.created_at),
            expires_at: utc(l.expires_at),
            used_at: l.used_at.map(utc),
            revoked_at: l.revoked_at.map(utc),
        })
        .collect();
    Ok(Some(ExportUser {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        disabled: u.disabled,
        created_at: utc(u.created_at),
        logins,
    }))
}

fn follow_ups(
    c: &mut DbConnection,
    family_id: i32,
    booking_ids: &[i32],
) -> Result<Vec<ExportFollowUp>, ApiError> {
    let rows = store::export::follow_ups(c, family_id, booking_ids)?;
    let ids: Vec<i32> = rows.iter().map(|f| f.id).collect();
    let contacts = store::follow_ups::contacts_of(c, &ids)?;
    Ok(rows
        .into_iter()
        .map(|f| ExportFollowUp {
            contacts: contacts
                .iter()
                .filter(|k| k.follow_up_id == f.id)
                .map(|k| ExportContact {
                    id: k.id,
                    at: utc(k.at),
                    method: k.method.clone(),
                    reached: k.reached,
                    note: k.note.clone(),
                    recorded_by: k.recorded_by,
                    recorded_at: utc(k.recorded_at),
                })
                .collect(),
            id: f.id,
            booking_id: f.booking_id,
            cohort_id: f.cohort_id,
            trigger_session_id: f.trigger_session_id,
            status: f.status,
            outcome: f.outcome,
            note: f.note,
            opened_at: utc(f.opened_at),
            closed_at: f.closed_at.map(utc),
            closed_by: f.closed_by,
        })
        .collect())
}
