//! What the crèche needs to know beyond a child's care details (`store::families`): the family's
//! emergency contacts and who may collect each child, and which cohort teams may read them.

use crate::db::schema::{
    authorised_collectors as ac, booking_creche_children as bcc, bookings as bo, cohort_team as ct,
    emergency_contacts as ec, staff as st,
};
use crate::db::DbConnection;
use crate::domain::status::BookingStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct EmergencyContact {
    pub id: i32,
    pub family_id: i32,
    /// 1 is called first.
    pub position: i32,
    pub name: String,
    pub relation: String,
    pub phone: String,
    pub created_at: NaiveDateTime,
}

/// One contact as given, before it is stored.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

#[derive(Debug, Clone, Queryable)]
pub struct Collector {
    pub id: i32,
    pub child_id: i32,
    pub name: String,
    pub relation: String,
    /// The collection password's argon2 hash; never shown to anyone.
    pub password_hash: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The family's emergency contacts, in the order to call them.
pub fn contacts_of(conn: &mut DbConnection, family_id: i32) -> QueryResult<Vec<EmergencyContact>> {
    ec::table
        .filter(ec::family_id.eq(family_id))
        .order(ec::position)
        .load(conn)
}

/// The emergency contacts of these families, each family's in order.
pub fn contacts_of_many(
    conn: &mut DbConnection,
    family_ids: &[i32],
) -> QueryResult<Vec<EmergencyContact>> {
    ec::table
        .filter(ec::family_id.eq_any(family_ids))
        .order((ec::family_id, ec::position))
        .load(conn)
}

/// Replaces the family's emergency contacts with these, in this order.
pub fn replace_contacts(
    conn: &mut DbConnection,
    family_id: i32,
    contacts: &[NewContact],
    now: NaiveDateTime,
) -> QueryResult<Vec<EmergencyContact>> {
    diesel::delete(ec::table.filter(ec::family_id.eq(family_id))).execute(conn)?;
    for (i, c) in contacts.iter().enumerate() {
        diesel::insert_into(ec::table)
            .values((
                ec::family_id.eq(family_id),
                ec::position.eq(i as i32 + 1),
                ec::name.eq(&c.name),
                ec::relation.eq(&c.relation),
                ec::phone.eq(&c.phone),
                ec::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    contacts_of(conn, family_id)
}

/// Who may collect the child, in the order they were added.
pub fn collectors_of(conn: &mut DbConnection, child_id: i32) -> QueryResult<Vec<Collector>> {
    ac::table
        .filter(ac::child_id.eq(child_id))
        .order(ac::id)
        .load(conn)
}

/// Everyone who may collect any of these children.
pub fn collectors_of_many(
    conn: &mut DbConnection,
    child_ids: &[i32],
) -> QueryResult<Vec<Collector>> {
    ac::table
        .filter(ac::child_id.eq_any(child_ids))
        .order(ac::id)
        .load(conn)
}

pub fn add_collector(
    conn: &mut DbConnection,
    child_id: i32,
    name: &str,
    relation: &str,
    password_hash: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Collector> {
    diesel::insert_into(ac::table)
        .values((
            ac::child_id.eq(child_id),
            ac::name.eq(name),
            ac::relation.eq(relation),
            ac::password_hash.eq(password_hash),
            ac::created_at.eq(now),
        ))
        .returning(ac::all_columns)
        .get_result(conn)
}

/// Removes a collector of this child only; `false` when there is none.
pub fn remove_collector(
    conn: &mut DbConnection,
    child_id: i32,
    collector_id: i32,
) -> QueryResult<bool> {
    let n = diesel::delete(
        ac::table
            .filter(ac::id.eq(collector_id))
            .filter(ac::child_id.eq(child_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// The roles a signed-in user holds on the teams of cohorts where the child has a crèche place
/// (a confirmed booking listing the child).
pub fn team_roles_for_child(
    conn: &mut DbConnection,
    child_id: i32,
    user_id: i32,
) -> QueryResult<Vec<String>> {
    bcc::table
        .inner_join(bo::table.on(bo::id.eq(bcc::booking_id)))
        .inner_join(ct::table.on(ct::cohort_id.eq(bo::cohort_id)))
        .inner_join(st::table.on(st::id.eq(ct::staff_id)))
        .filter(bcc::child_id.eq(child_id))
        .filter(bo::status.eq(BookingStatus::Confirmed.as_str()))
        .filter(st::user_id.eq(user_id))
        .filter(st::active.eq(true))
        .select(ct::role)
        .load(conn)
}
