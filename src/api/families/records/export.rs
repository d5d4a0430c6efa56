//! The subject access export's JSON: one document with every row held about a family, each with
//! its id, so the table-walk test can check nothing was left out. Secrets (password hash, token
//! hashes, the calendar link's hash, the one-time links' hashes) are not data about the family and stay out. The rows are
//! read (and the export audited) by `service::families::export`.

pub use super::export_body::*;
use crate::api::booking::mine::NotificationOut;
use crate::api::utc;
use crate::service::families::export::{BookingRecord, FamilyRecord};
use crate::store;

impl From<FamilyRecord> for FamilyExport {
    fn from(r: FamilyRecord) -> Self {
        let starts = r.session_starts;
        let bookings = r.bookings.into_iter().map(booking).collect();
        let attendance_marks = r
            .attendance_marks
            .into_iter()
            .map(|m| ExportMark {
                id: m.id,
                booking_id: m.booking_id,
                session_id: m.session_id,
                session_starts_at: starts.get(&m.session_id).copied().map(utc),
                status: m.status,
                marked_by: m.marked_by,
                marked_at: utc(m.marked_at),
            })
            .collect();
        let apologies = r
            .apologies
            .into_iter()
            .map(|a| ExportApology {
                id: a.id,
                booking_id: a.booking_id,
                session_id: a.session_id,
                session_starts_at: starts.get(&a.session_id).copied().map(utc),
                reason: a.reason,
                given_by: a.given_by,
                created_at: utc(a.created_at),
            })
            .collect();
        let creche_sign_ins = r
            .creche_sign_ins
            .into_iter()
            .map(|s| ExportSignIn {
                id: s.id,
                booking_id: s.booking_id,
                child_id: s.child_id,
                session_id: s.session_id,
                session_starts_at: starts.get(&s.session_id).copied().map(utc),
                signed_in_at: utc(s.signed_in_at),
                signed_out_at: s.signed_out_at.map(utc),
                collected_by: s.collected_by,
                collector_id: s.collector_id,
                collection_override: s.collection_override,
                marked_by: s.marked_by,
                marked_at: utc(s.marked_at),
            })
            .collect();
        let creche_incidents = r
            .creche_incidents
            .into_iter()
            .map(|i| ExportIncident {
                id: i.id,
                booking_id: i.booking_id,
                child_id: i.child_id,
                session_id: i.session_id,
                session_starts_at: starts.get(&i.session_id).copied().map(utc),
                happened_at: utc(i.happened_at),
                what_happened: i.what_happened,
                first_aid: i.first_aid,
                witnesses: i.witnesses,
                recorded_by: i.recorded_by,
                recorded_at: utc(i.recorded_at),
                acknowledged_at: i.acknowledged_at.map(utc),
                erased_at: i.erased_at.map(utc),
            })
            .collect();
        let visits = r
            .visits
            .into_iter()
            .map(|(v, starts_at, cohort_id)| ExportVisit {
                id: v.id,
                session_id: v.session_id,
                cohort_id,
                session_starts_at: utc(starts_at),
                carers: v.carers,
                added_by: v.added_by,
                added_at: utc(v.added_at),
            })
            .collect();
        FamilyExport {
            exported_at: r.exported_at,
            visits,
            user: r.user.map(user),
            follow_ups: follow_ups(r.follow_ups, &r.contacts),
            outcome_measures: r
                .outcome_measures
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
            notifications: r
                .notifications
                .into_iter()
                .map(|n| NotificationOut {
                    id: n.id,
                    kind: n.kind,
                    message: n.message,
                    booking_id: n.booking_id,
                    created_at: utc(n.created_at),
                })
                .collect(),
            messages: r.messages.into_iter().map(Into::into).collect(),
            account_links: r
                .account_links
                .into_iter()
                .map(|l| ExportAccountLink {
                    id: l.id,
                    purpose: l.purpose,
                    created_at: utc(l.created_at),
                    expires_at: utc(l.expires_at),
                    used_at: l.used_at.map(utc),
                    revoked_at: l.revoked_at.map(utc),
                })
                .collect(),
            audit_events: r
                .audit_events
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
            emergency_contacts: r
                .emergency_contacts
                .into_iter()
                .map(|c| ExportEmergencyContact {
                    id: c.id,
                    position: c.position,
                    name: c.name,
                    relation: c.relation,
                    phone: c.phone,
                    created_at: utc(c.created_at),
                })
                .collect(),
            collectors: r
                .collectors
                .into_iter()
                .map(|c| ExportCollector {
                    id: c.id,
                    child_id: c.child_id,
                    name: c.name,
                    relation: c.relation,
                    has_password: c.password_hash.is_some(),
                    created_at: utc(c.created_at),
                })
                .collect(),
            family: family(r.family, r.answers),
            children: r
                .children
                .into_iter()
                .map(|ch| ExportChild {
                    id: ch.id,
                    first_name: ch.first_name,
                    date_of_birth: ch.date_of_birth,
                    due_date: ch.due_date,
                    allergies: ch.allergies,
                    dietary_needs: ch.dietary_needs,
                    medical_needs: ch.medical_needs,
                    medicines: ch.medicines,
                    medicines_consent: ch.medicines_consent,
                    medicines_consent_date: ch.medicines_consent_date,
                    additional_needs: ch.additional_needs,
                    send: ch.send,
                    created_at: utc(ch.created_at),
                    updated_at: utc(ch.updated_at),
                    erased_at: ch.erased_at.map(utc),
                })
                .collect(),
            bookings,
            attendance_marks,
            apologies,
            creche_sign_ins,
            creche_key_persons: r
                .key_persons
                .into_iter()
                .map(crate::api::registers::key_persons::entry)
                .collect(),
            creche_incidents,
        }
    }
}

fn booking(r: BookingRecord) -> ExportBooking {
    let b = r.booking;
    ExportBooking {
        waitlist_position: r.waitlist_position,
        creche_places: r
            .creche_places
            .into_iter()
            .map(|(id, child_id)| ExportCrechePlace { id, child_id })
            .collect(),
        id: b.id,
        cohort_id: b.cohort_id,
        cohort_title: r.cohort.title,
        programme: r.programme.code,
        venue_name: r.venue.name,
        status: b.status,
        carers: b.carers,
        access_needs: b.access_needs,
        interpreter_needed: b.interpreter_needed,
        transferred_to: b.transferred_to,
        walk_in: b.walk_in,
        booked_by: b.booked_by,
        created_at: utc(b.created_at),
        confirmed_at: b.confirmed_at.map(utc),
        ended_at: b.ended_at.map(utc),
        updated_at: utc(b.updated_at),
    }
}

fn family(
    f: store::families::Family,
    answers: Option<store::families::StoredAnswers>,
) -> ExportFamily {
    ExportFamily {
        monitoring_id: answers.as_ref().map(|a| a.id),
        monitoring: answers
            .map(|a| crate::api::families::monitoring::Monitoring::of(a.answers, a.carers)),
        lsoa: f.lsoa,
        imd_decile: f.imd_decile,
        id: f.id,
        carer_one: f.carer_one,
        carer_two: f.carer_two,
        phone: f.phone,
        email: f.email,
        postcode: f.postcode,
        ward: f.ward,
        preferred_language: f.preferred_language,
        language_other: f.language_other,
        interpreter_needed: f.interpreter_needed,
        access_needs: f.access_needs,
        referral_source: f.referral_source,
        consent_to_contact: f.consent_to_contact,
        contact_by: f.contact_by,
        reminders: f.reminders,
        email_verified: f.email_verified,
        calendar_link_active: f.calendar_token_hash.is_some(),
        created_at: utc(f.created_at),
        updated_at: utc(f.updated_at),
        erased_at: f.erased_at.map(utc),
    }
}

fn user((u, logins): (store::users::User, Vec<store::export::Login>)) -> ExportUser {
    ExportUser {
        logins: logins
            .into_iter()
            .map(|l| ExportLogin {
                id: l.id,
                created_at: utc(l.created_at),
                expires_at: utc(l.expires_at),
                used_at: l.used_at.map(utc),
                revoked_at: l.revoked_at.map(utc),
            })
            .collect(),
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        disabled: u.disabled,
        created_at: utc(u.created_at),
    }
}

fn follow_ups(
    rows: Vec<store::follow_ups::FollowUp>,
    contacts: &[store::follow_ups::Contact],
) -> Vec<ExportFollowUp> {
    rows.into_iter()
        .map(|f| ExportFollowUp {
            contacts: contacts
                .iter()
                .filter(|k| k.follow_up_id == f.id)
                .map(|k| ExportContact {
                    id: k.id,
                    at: utc(k.at),
                    method: k.method,
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
        .collect()
}
