//! The audit trail: who did what, when. Append-only from the API.

use crate::db::schema::audit_events as a;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One event to record.
pub struct Event<'a> {
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i32>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i32>,
    pub family_id: Option<i32>,
    pub detail: String,
}

pub fn record(conn: &mut DbConnection, e: Event) -> QueryResult<()> {
    record_all(conn, vec![e])
}

/// Records many events in one statement (per 1,000): a transaction's trail, written as it
/// commits.
pub fn record_all(conn: &mut DbConnection, events: Vec<Event>) -> QueryResult<()> {
    let rows: Vec<_> = events
        .into_iter()
        .map(|e| {
            (
                a::at.eq(e.at),
                a::actor_user_id.eq(e.actor_user_id),
                a::action.eq(e.action),
                a::entity.eq(e.entity),
                a::entity_id.eq(e.entity_id),
                a::family_id.eq(e.family_id),
                a::detail.eq(e.detail),
            )
        })
        .collect();
    super::insert_all!(conn, a::table, rows);
    Ok(())
}

/// A staff member's change to a cohort (schedule, team, lifecycle).
pub fn cohort_change(
    conn: &mut DbConnection,
    at: NaiveDateTime,
    actor: i32,
    cohort_id: i32,
    action: &str,
    detail: impl Into<String>,
) -> QueryResult<()> {
    record(
        conn,
        Event {
            at,
            actor_user_id: Some(actor),
            action,
            entity: "cohort",
            entity_id: Some(cohort_id),
            family_id: None,
            detail: detail.into(),
        },
    )
}

#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub id: i32,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i32>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i32>,
    pub family_id: Option<i32>,
    pub detail: String,
}

pub fn for_entity(conn: &mut DbConnection, entity: &str, id: i32) -> QueryResult<Vec<AuditRow>> {
    a::table
        .filter(a::entity.eq(entity))
        .filter(a::entity_id.eq(id))
        .order(a::id)
        .load(conn)
}

/// Which audit events to list.
#[derive(Debug, Default)]
pub struct Filter {
    pub family_id: Option<i32>,
    pub actor_id: Option<i32>,
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    /// Exclusive.
    pub before: Option<NaiveDateTime>,
}

/// Events newest first, with the total before paging.
pub fn list(
    conn: &mut DbConnection,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let query = || {
        let mut q = a::table.into_boxed();
        if let Some(id) = f.family_id {
            q = q.filter(a::family_id.eq(id));
        }
        if let Some(id) = f.actor_id {
            q = q.filter(a::actor_user_id.eq(id));
        }
        if let Some(action) = &f.action {
            q = q.filter(a::action.eq(action.clone()));
        }
        if let Some(from) = f.from {
            q = q.filter(a::at.ge(from));
        }
        if let Some(before) = f.before {
            q = q.filter(a::at.lt(before));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((a::at.desc(), a::id.desc()))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

/// Deletes events older than `before` (their own retention period); returns how many.
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(a::table.filter(a::at.lt(before))).execute(conn)
}
