//! Planning and applying a register change: the marks and crèche sign-ins asked for are
//! checked against the session, the marking window and the actor's part in the team, then
//! written with their audit events and follow-ups.

use super::{Context, CrecheSignIn, MarkRegister, TeamAccess};
use crate::db::DbConnection;
use crate::domain::creche::care::{self, Asked, Collection, Listed, Refusal};
use crate::domain::register::{may_mark, may_sign_in, times_problem, Mark, MarkRefusal};
use crate::domain::status::{BookingStatus, CohortStatus};
use crate::error::FieldErrors;
use crate::service::registers::follow_ups;
use crate::service::{Audit, ServiceError, Tx};
use crate::store::{self, cohorts::Session, registers::MarkTimes, registers::SignIn};
use chrono::{Duration, NaiveDateTime};
use std::collections::BTreeMap;

/// The changes a PUT asks for, checked: marks (with arrival and leave times) by booking id,
/// sign-ins by child id, and the session's notes when they change.
#[derive(Default)]
pub(super) struct Plan {
    /// The session's marks as read for the plan (the session is locked), by booking.
    current: BTreeMap<i32, store::registers::MarkRow>,
    marks: Vec<(store::bookings::Booking, Mark, MarkTimes)>,
    signins: Vec<(i32, i32, Option<SignIn>)>,
    notes: Option<String>,
}

impl Plan {
    pub(super) fn is_empty(&self) -> bool {
        self.marks.is_empty() && self.signins.is_empty() && self.notes.is_none()
    }
}

/// Session notes: what a facilitator writes about the session, line breaks and tabs included.
const NOTES_MAX: usize = 4000;

pub(super) fn plan(
    c: &mut DbConnection,
    x: &Context,
    body: &MarkRegister,
    now: NaiveDateTime,
) -> Result<Plan, ServiceError> {
    let window = body.window_days;
    if x.session.is_cancelled() || x.cohort.status == CohortStatus::Cancelled {
        return Err(ServiceError::Conflict(
            "this session was cancelled, so it has no register to mark".into(),
        ));
    }
    if !body.marks.is_empty() && !x.access.may_mark_attendance() {
        return Err(ServiceError::Forbidden(
            "crèche workers sign children in and out; the facilitators mark attendance".into(),
        ));
    }
    if body.notes.is_some() && !x.access.may_mark_attendance() {
        return Err(ServiceError::Forbidden(
            "the session's notes are the facilitators'; crèche workers sign children in and out"
                .into(),
        ));
    }
    let coordinator = x.access == TeamAccess::Coordinator;
    let (starts, ends) = (x.session.starts_at, x.session.ends_at);
    let closed = |r: MarkRefusal| match r {
        MarkRefusal::WindowClosed { closed_at } => Err(ServiceError::Forbidden(format!(
            "marking for this session closed on {}; a coordinator can still correct it",
            closed_at.and_utc().to_rfc3339()
        ))),
        MarkRefusal::NotStartedYet => {
            Ok("only apologies can be recorded before the session starts")
        }
    };
    let mut errors = FieldErrors::new();
    let mut err = |k: String, m: &str| errors.entry(k).or_default().push(m.to_string());
    let current: BTreeMap<i32, store::registers::MarkRow> =
        store::registers::marks_of_session(c, x.session.id)?
            .into_iter()
            .map(|m| (m.booking_id, m))
            .collect();
    let named: Vec<i32> = body.marks.iter().map(|m| m.booking_id).collect();
    let booked: BTreeMap<i32, store::bookings::Booking> = store::bookings::find_many(c, &named)?
        .into_iter()
        .filter(|b| {
            b.cohort_id == x.cohort.id
                && (b.status == BookingStatus::Confirmed || current.contains_key(&b.id))
        })
        .map(|b| (b.id, b))
        .collect();
    let mut out = Plan::default();
    let mut seen = Vec::new();
    for (i, m) in body.marks.iter().enumerate() {
        let b = booked.get(&m.booking_id).cloned();
        let Some(b) = b else {
            err(
                format!("marks[{i}].booking_id"),
                "is not a family booked on this group",
            );
            continue;
        };
        if seen.contains(&b.id) {
            err(format!("marks[{i}].booking_id"), "is named twice");
            continue;
        }
        seen.push(b.id);
        let Some(mark) = Mark::parse(&m.status) else {
            err(
                format!("marks[{i}].status"),
                "must be present, late, apologies or absent",
            );
            continue;
        };
        if let Err(r) = may_mark(mark, starts, ends, now, window, coordinator) {
            err(format!("marks[{i}].status"), closed(r)?);
            continue;
        }
        let was = current.get(&b.id);
        let times = times_of(m, was, mark);
        if let Some((field, why)) =
            times_problem(mark, times.arrived_at, times.left_at, starts, ends, now)
        {
            err(format!("marks[{i}].{field}"), why);
            continue;
        }
        let unchanged = was.is_some_and(|w| {
            w.status == mark && w.arrived_at == times.arrived_at && w.left_at == times.left_at
        });
        if !unchanged {
            out.marks.push((b, mark, times));
        }
    }
    if let Some(notes) = &body.notes {
        if notes.chars().count() > NOTES_MAX {
            err("notes".into(), "must be at most 4000 characters");
        } else if notes
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            err(
                "notes".into(),
                "must not contain control characters other than line breaks and tabs",
            );
        } else if *notes != x.session.register_notes {
            out.notes = Some(notes.clone());
        }
    }
    // The crèche's places and sign-ins, read only when the save signs a child in or out.
    let (places, signed) = if body.creche.is_empty() {
        (Vec::new(), BTreeMap::new())
    } else {
        let confirmed: Vec<i32> =
            store::bookings::of_cohort(c, x.cohort.id, BookingStatus::Confirmed)?
                .iter()
                .map(|b| b.id)
                .collect();
        let signed: BTreeMap<i32, SignIn> = store::registers::creche_of_session(c, x.session.id)?
            .iter()
            .map(|r| (r.child_id, SignIn::from(r)))
            .collect();
        (store::bookings::creche_children(c, &confirmed)?, signed)
    };
    let mut seen_children = Vec::new();
    for (i, e) in body.creche.iter().enumerate() {
        let key = |f: &str| format!("creche[{i}].{f}");
        let Some((booking_id, _, _)) = places.iter().find(|(_, child, _)| *child == e.child_id)
        else {
            err(
                key("child_id"),
                "has no crèche place in this group, so cannot be signed in",
            );
            continue;
        };
        if seen_children.contains(&e.child_id) {
            err(key("child_id"), "is named twice");
            continue;
        }
        seen_children.push(e.child_id);
        let wanted = match sign_in(e, starts, ends, now) {
            Ok(w) => w,
            Err((field, msg)) => {
                err(key(field), msg);
                continue;
            }
        };
        if wanted.is_some() {
            if let Err(r) = may_sign_in(starts, ends, now, window, coordinator) {
                err(key("signed_in_at"), closed(r)?);
                continue;
            }
        }
        let was = signed.get(&e.child_id);
        let wanted = match wanted {
            Some(w) if w.signed_out_at.is_some() => {
                match collection(c, e, w, was, *booking_id, coordinator)? {
                    Ok(w) => Some(w),
                    Err((field, msg)) => {
                        err(key(field), msg);
                        continue;
                    }
                }
            }
            w => w,
        };
        if was != wanted.as_ref() {
            out.signins.push((*booking_id, e.child_id, wanted));
        }
    }
    if body
        .creche_staff_present
        .is_some_and(|n| !(0..=50).contains(&n))
    {
        err("creche_staff_present".into(), "must be from 0 to 50");
    }
    ServiceError::check_fields(errors)?;
    out.current = current;
    Ok(out)
}

/// The arrival and leave times a mark will have: as sent, else as the register has them while
/// the family is still marked as having come (a family marked absent has none).
fn times_of(
    m: &super::MarkEntry,
    was: Option<&store::registers::MarkRow>,
    mark: Mark,
) -> MarkTimes {
    let kept = |t: Option<NaiveDateTime>| t.filter(|_| mark.attended());
    let pick = |sent: Option<Option<chrono::DateTime<chrono::Utc>>>, had| match sent {
        Some(t) => t.map(|t| t.naive_utc()),
        None => kept(had),
    };
    MarkTimes {
        arrived_at: pick(m.arrived_at, was.and_then(|w| w.arrived_at)),
        left_at: pick(m.left_at, was.and_then(|w| w.left_at)),
    }
}

/// A crèche entry as a sign-in to store, or (field, reason) when it does not make sense.
fn sign_in(
    e: &CrecheSignIn,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<Option<SignIn>, (&'static str, &'static str)> {
    let collected_by = e.collected_by.as_deref().unwrap_or("").trim().to_string();
    let Some(signed_in) = e.signed_in_at.map(|t| t.naive_utc()) else {
        return match e.signed_out_at {
            Some(_) => Err((
                "signed_out_at",
                "a child must be signed in before signed out",
            )),
            None => Ok(None),
        };
    };
    let out = e.signed_out_at.map(|t| t.naive_utc());
    // Instants must fall around the session (arrival a little early, collection a little late)
    // and not in the future: a tablet with a wrong clock or zone should be noticed.
    let (earliest, latest) = (starts - Duration::hours(1), ends + Duration::hours(4));
    let plausible =
        |t: NaiveDateTime| t >= earliest && t <= latest && t <= now + Duration::minutes(5);
    if !plausible(signed_in) {
        return Err((
            "signed_in_at",
            "must be during the session, and not in the future",
        ));
    }
    if let Some(o) = out {
        if o < signed_in {
            return Err(("signed_out_at", "must be after the sign-in"));
        }
        if !plausible(o) {
            return Err((
                "signed_out_at",
                "must be during the session, and not in the future",
            ));
        }
        if collected_by.is_empty() && e.collector_id.is_none() {
            return Err(("collected_by", "say who collected the child"));
        }
    }
    if collected_by.chars().count() > 120 {
        return Err(("collected_by", "must be at most 120 characters"));
    }
    let reason = e.override_reason.as_deref().unwrap_or("").trim();
    if reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err((
            "override_reason",
            "must be at most 500 characters, on one line",
        ));
    }
    Ok(Some(SignIn {
        signed_in_at: signed_in,
        signed_out_at: out,
        collected_by,
        collector_id: None,
        collection_override: String::new(),
    }))
}

/// A sign-out with who collected the child, checked against who may: one of the family's carers,
/// someone the parents listed (with their collection password, when set), or, on a
/// coordinator's word with a reason, someone else. The same collection sent again (a retried
/// request, or the register saved with other changes) is not asked again. `Ok(Err((field,
/// why)))` when the child may not go with them.
fn collection(
    c: &mut DbConnection,
    e: &CrecheSignIn,
    mut w: SignIn,
    was: Option<&SignIn>,
    booking_id: i32,
    coordinator: bool,
) -> Result<Result<SignIn, (&'static str, &'static str)>, ServiceError> {
    if let Some(was) = was.filter(|p| {
        p.signed_out_at == w.signed_out_at
            && (e.collector_id.is_none() || e.collector_id == p.collector_id)
            && (w.collected_by.is_empty() || w.collected_by == p.collected_by)
    }) {
        return Ok(Ok(SignIn {
            signed_in_at: w.signed_in_at,
            ..was.clone()
        }));
    }
    let booking =
        store::bookings::find(c, booking_id)?.ok_or_else(|| ServiceError::not_found("booking"))?;
    let family = store::families::find(c, booking.family_id)?
        .ok_or_else(|| ServiceError::not_found("family"))?;
    let collectors = store::child_care::collectors_of(c, e.child_id)?;
    let chosen = e
        .collector_id
        .and_then(|id| collectors.iter().find(|k| k.id == id));
    let password_matches = match (
        chosen.and_then(|k| k.password_hash.as_deref()),
        &e.collection_password,
    ) {
        (Some(hash), Some(given)) => Some(crate::auth::password::verify(given, hash)),
        _ => None,
    };
    let listed: Vec<Listed> = collectors
        .iter()
        .map(|k| Listed {
            id: k.id,
            needs_password: k.password_hash.is_some(),
        })
        .collect();
    let carers = family.carers();
    let carers: Vec<&str> = carers.iter().map(String::as_str).collect();
    let reason = e.override_reason.as_deref().unwrap_or("").trim();
    let asked = Asked {
        collector_id: e.collector_id,
        password_matches,
        collected_by: &w.collected_by,
        override_reason: reason,
        by_coordinator: coordinator,
    };
    match care::collection(asked, &carers, &listed) {
        Err(Refusal::OverrideNotAllowed) => Err(ServiceError::Forbidden(
            Refusal::OverrideNotAllowed.message().into(),
        )),
        Err(r) => Ok(Err((r.field(), r.message()))),
        Ok(how) => {
            if let Some(k) = chosen {
                w.collector_id = Some(k.id);
                if w.collected_by.is_empty() {
                    w.collected_by = k.name.clone();
                }
            }
            if how == Collection::Override {
                w.collection_override = reason.to_string();
            }
            Ok(Ok(w))
        }
    }
}

pub(super) fn apply(
    tx: &mut Tx,
    x: &Context,
    body: &MarkRegister,
    plan: Plan,
) -> Result<Session, ServiceError> {
    let (session, now) = (x.session.id, tx.now_naive());
    let actor = tx
        .actor
        .user_id()
        .ok_or_else(|| ServiceError::Forbidden("only a person can mark a register".into()))?;
    let event = |action, b: &store::bookings::Booking, detail: String| Audit {
        action,
        entity: "booking",
        entity_id: Some(b.id),
        family_id: Some(b.family_id),
        detail,
    };
    let mut marked = Vec::new();
    let wanted: Vec<_> = plan.marks.iter().map(|(b, m, t)| (b.id, *m, *t)).collect();
    let changed =
        store::registers::set_marks_over(tx.conn, session, &plan.current, &wanted, actor, now)?;
    for ((b, mark, times), before) in plan.marks.iter().zip(changed) {
        if let Some(before) = before {
            let was = before.map_or("unmarked", Mark::as_str);
            let timed = match (times.arrived_at, times.left_at) {
                (None, None) => "",
                (Some(_), None) => " (late arrival time)",
                (None, Some(_)) => " (early leave time)",
                (Some(_), Some(_)) => " (arrival and leave times)",
            };
            let detail = format!("session {session}: {was} → {}{timed}", mark.as_str());
            tx.audit(event("attendance_marked", b, detail));
            if before == Some(*mark) {
                // Only the times changed: nothing for follow-ups to weigh.
                continue;
            }
            marked.push(b.clone());
            // Apologies taken down before the session, as if the family had sent them: no
            // reminder of a session they said they will miss.
            if *mark == Mark::Apologies && now < x.session.starts_at {
                store::messages::cancel_reminders(tx.conn, b.family_id, session)?;
            }
        }
    }
    let signed: Vec<i32> = plan.signins.iter().map(|(b, _, _)| *b).collect();
    let signed = if signed.is_empty() {
        Vec::new()
    } else {
        store::bookings::find_many(tx.conn, &signed)?
    };
    for (booking_id, child, wanted) in &plan.signins {
        store::registers::set_sign_in(
            tx.conn,
            session,
            *booking_id,
            *child,
            wanted.as_ref(),
            actor,
            now,
        )?;
        let b = signed
            .iter()
            .find(|b| b.id == *booking_id)
            .ok_or_else(|| ServiceError::not_found("booking"))?;
        let what = match wanted {
            None => "sign-in removed",
            Some(s) if s.signed_out_at.is_some() => "signed in and out",
            Some(_) => "signed in",
        };
        let detail = format!("session {session}: child {child} {what}");
        tx.audit(event("creche_signed", b, detail));
        if let Some(s) = wanted
            .as_ref()
            .filter(|s| !s.collection_override.is_empty())
        {
            // The reason is kept on the sign-in; the trail says who allowed it, and when.
            let detail = format!(
                "session {session}: child {child} collected by someone not on the list ({} characters of reason)",
                s.collection_override.chars().count()
            );
            tx.audit(event("creche_collection_override", b, detail));
        }
    }
    if let Some(n) = body.creche_staff_present {
        store::registers::set_creche_staff_present(tx.conn, session, Some(n))?;
    }
    if let Some(notes) = &plan.notes {
        store::registers::set_notes(tx.conn, session, notes)?;
        // What the notes say stays out of the trail: they may name families.
        tx.audit(Audit {
            action: "register_notes_changed",
            entity: "session",
            entity_id: Some(session),
            family_id: None,
            detail: format!("session {session}: {} characters", notes.chars().count()),
        });
    }
    let changed = store::registers::bump_version(tx.conn, session)?;
    // Families who sent apologies for this session are weighed too, marked or not: the register
    // showed their apology, so their absence is known.
    let apologised: Vec<i32> = store::apologies::of_session(tx.conn, session)?
        .into_iter()
        .map(|a| a.booking_id)
        .filter(|id| !marked.iter().any(|b| b.id == *id))
        .collect();
    if !apologised.is_empty() {
        marked.extend(store::bookings::find_many(tx.conn, &apologised)?);
    }
    follow_ups::after_marks(tx, &x.cohort, &x.programme, &marked)?;
    Ok(changed)
}
