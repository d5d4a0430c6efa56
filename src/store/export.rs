//! Reads for a subject access export: every row held about one family, found through the
//! family id, its bookings, its children and its follow-ups. The other aggregates' row structs
//! are reused, so the export shows what is stored.

use crate::db::schema::{
    attendance_marks as am, audit_events as ae, booking_creche_children as bc,
    creche_attendance as ca, follow_ups as fu, outcome_measures as om, refresh_tokens as rt,
};
use crate::db::DbConnection;
use crate::store::audit::AuditRow;
use crate::store::follow_ups::FollowUp;
use crate::store::outcomes::Outcome;
use crate::store::registers::{CrecheRow, MarkRow};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// (place id, booking id, child id) of the crèche places of these bookings.
pub fn creche_places(
    conn: &mut DbConnection,
    booking_ids: &[i32],
) -> QueryResult<Vec<(i32, i32, i32)>> {
    bc::table
        .filter(bc::booking_id.eq_any(booking_ids))
        .select((bc::id, bc::booking_id, bc::child_id))
        .order(bc::id)
        .load(conn)
}

pub fn marks(conn: &mut DbConnection, booking_ids: &[i32]) -> QueryResult<Vec<MarkRow>> {
    am::table
        .filter(am::booking_id.eq_any(booking_ids))
        .order(am::id)
        .load(conn)
}

/// Sign-ins under the family's bookings or of its children (the same rows, unless data was
/// ever inconsistent: the export should show it either way).
pub fn sign_ins(
    conn: &mut DbConnection,
    booking_ids: &[i32],
    child_ids: &[i32],
) -> QueryResult<Vec<CrecheRow>> {
    ca::table
        .filter(
            ca::booking_id
                .eq_any(booking_ids)
                .or(ca::child_id.eq_any(child_ids)),
        )
        .order(ca::id)
        .load(conn)
}

pub fn follow_ups(
    conn: &mut DbConnection,
    family_id: i32,
    booking_ids: &[i32],
) -> QueryResult<Vec<FollowUp>> {
    fu::table
        .filter(
            fu::family_id
                .eq(family_id)
                .or(fu::booking_id.eq_any(booking_ids)),
        )
        .order(fu::id)
        .load(conn)
}

pub fn outcomes(conn: &mut DbConnection, booking_ids: &[i32]) -> QueryResult<Vec<Outcome>> {
    om::table
        .filter(om::booking_id.eq_any(booking_ids))
        .order(om::id)
        .load(conn)
}

/// Audit events about the family: who read or changed its record, and when.
pub fn audit_events(conn: &mut DbConnection, family_id: i32) -> QueryResult<Vec<AuditRow>> {
    ae::table
        .filter(ae::family_id.eq(family_id))
        .order(ae::id)
        .load(conn)
}

/// A login session of the parent (a refresh token), without its secret.
#[derive(Debug, Clone, Queryable)]
pub struct Login {
    pub id: i32,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn logins(conn: &mut DbConnection, user_id: i32) -> QueryResult<Vec<Login>> {
    rt::table
        .filter(rt::user_id.eq(user_id))
        .select((
            rt::id,
            rt::created_at,
            rt::expires_at,
            rt::used_at,
            rt::revoked_at,
        ))
        .order(rt::id)
        .load(conn)
}
