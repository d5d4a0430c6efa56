//! What the retention job finds and deletes: families past their retention period, expired
//! refresh tokens, old idempotency keys and notifications. Audit pruning is in `audit::prune`.

use crate::db::schema::{
    bookings as bo, families as fa, idempotency_keys as ik, notifications as no,
    refresh_tokens as rt, sessions as se,
};
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::dsl::max;
use diesel::prelude::*;
use std::collections::BTreeMap;

/// Families not yet erased whose last activity — their record's last change, or the end of the
/// last group they booked (a group still running or to come keeps them) — is before `cutoff`.
pub fn families_due(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<Vec<i32>> {
    let mut last: BTreeMap<i32, NaiveDateTime> = fa::table
        .filter(fa::erased_at.is_null())
        .select((fa::id, fa::updated_at))
        .load::<(i32, NaiveDateTime)>(conn)?
        .into_iter()
        .collect();
    let group_ends: Vec<(i32, Option<NaiveDateTime>, NaiveDateTime)> = bo::table
        .inner_join(se::table.on(se::cohort_id.eq(bo::cohort_id)))
        .group_by((bo::id, bo::family_id, bo::updated_at))
        .select((bo::family_id, max(se::ends_at), bo::updated_at))
        .load(conn)?;
    for (family, ends, updated) in group_ends {
        if let Some(at) = last.get_mut(&family) {
            *at = (*at).max(updated).max(ends.unwrap_or(updated));
        }
    }
    Ok(last
        .into_iter()
        .filter(|(_, at)| *at < cutoff)
        .map(|(id, _)| id)
        .collect())
}

/// Refresh tokens past their expiry: they can no longer be used, so nothing needs them.
pub fn delete_expired_refresh_tokens(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(rt::table.filter(rt::expires_at.lt(now))).execute(conn)
}

pub fn delete_idempotency_keys_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(ik::table.filter(ik::created_at.lt(before))).execute(conn)
}

pub fn delete_notifications_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(no::table.filter(no::created_at.lt(before))).execute(conn)
}
