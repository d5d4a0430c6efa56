//! Staff: facilitators, crèche workers and supervisors, with dated qualifications and an
//! optional facilitator login.

use crate::db::schema::{staff as st, staff_qualifications as sq};
use crate::db::DbConnection;
use crate::domain::team::{Person, Qualification};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Queryable)]
pub struct StaffRow {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub organisation: String,
    pub roles: String,
    pub user_id: Option<i32>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A staff member with their qualifications.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub row: StaffRow,
    pub qualifications: Vec<(String, Option<NaiveDate>)>,
}

impl StaffMember {
    pub fn roles(&self) -> Vec<String> {
        self.row
            .roles
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn person(&self) -> Person {
        Person {
            id: self.row.id,
            name: self.row.name.clone(),
            qualifications: self
                .qualifications
                .iter()
                .map(|(kind, expires_on)| Qualification {
                    kind: kind.clone(),
                    expires_on: *expires_on,
                })
                .collect(),
        }
    }
}

/// Editable fields, validated.
#[derive(Debug, Clone)]
pub struct StaffFields {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub organisation: String,
    pub roles: Vec<String>,
    pub active: bool,
    pub qualifications: Vec<(String, Option<NaiveDate>)>,
}

pub fn insert(
    conn: &mut DbConnection,
    f: &StaffFields,
    user_id: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<StaffMember> {
    let row: StaffRow = diesel::insert_into(st::table)
        .values((
            st::name.eq(&f.name),
            st::email.eq(&f.email),
            st::phone.eq(&f.phone),
            st::organisation.eq(&f.organisation),
            st::roles.eq(f.roles.join(",")),
            st::user_id.eq(user_id),
            st::active.eq(f.active),
            st::created_at.eq(now),
            st::updated_at.eq(now),
        ))
        .returning(st::all_columns)
        .get_result(conn)?;
    replace_qualifications(conn, row.id, &f.qualifications)?;
    Ok(StaffMember {
        row,
        qualifications: f.qualifications.clone(),
    })
}

pub fn update(
    conn: &mut DbConnection,
    id: i32,
    f: &StaffFields,
    now: NaiveDateTime,
) -> QueryResult<Option<StaffMember>> {
    let row: Option<StaffRow> = diesel::update(st::table.find(id))
        .set((
            st::name.eq(&f.name),
            st::email.eq(&f.email),
            st::phone.eq(&f.phone),
            st::organisation.eq(&f.organisation),
            st::roles.eq(f.roles.join(",")),
            st::active.eq(f.active),
            st::updated_at.eq(now),
        ))
        .returning(st::all_columns)
        .get_result(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    replace_qualifications(conn, id, &f.qualifications)?;
    Ok(Some(StaffMember {
        row,
        qualifications: f.qualifications.clone(),
    }))
}

fn replace_qualifications(
    conn: &mut DbConnection,
    staff_id: i32,
    q: &[(String, Option<NaiveDate>)],
) -> QueryResult<()> {
    diesel::delete(sq::table.filter(sq::staff_id.eq(staff_id))).execute(conn)?;
    for (kind, expires_on) in q {
        diesel::insert_into(sq::table)
            .values((
                sq::staff_id.eq(staff_id),
                sq::kind.eq(kind),
                sq::expires_on.eq(expires_on),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn with_qualifications(
    conn: &mut DbConnection,
    rows: Vec<StaffRow>,
) -> QueryResult<Vec<StaffMember>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let quals: Vec<(i32, String, Option<NaiveDate>)> = sq::table
        .filter(sq::staff_id.eq_any(&ids))
        .select((sq::staff_id, sq::kind, sq::expires_on))
        .order((sq::staff_id, sq::kind))
        .load(conn)?;
    let mut by_staff: BTreeMap<i32, Vec<(String, Option<NaiveDate>)>> = BTreeMap::new();
    for (id, kind, exp) in quals {
        by_staff.entry(id).or_default().push((kind, exp));
    }
    Ok(rows
        .into_iter()
        .map(|row| StaffMember {
            qualifications: by_staff.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<StaffMember>> {
    let row: Option<StaffRow> = st::table.find(id).first(conn).optional()?;
    Ok(match row {
        Some(r) => with_qualifications(conn, vec![r])?.pop(),
        None => None,
    })
}

pub fn find_many(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<StaffMember>> {
    let rows: Vec<StaffRow> = st::table.filter(st::id.eq_any(ids)).load(conn)?;
    with_qualifications(conn, rows)
}

pub fn find_by_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<Option<StaffRow>> {
    st::table
        .filter(st::user_id.eq(user_id))
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    qualification: Option<&str>,
    active: Option<bool>,
    limit: i64,
    offset: i64,
) -> QueryResult<super::Page<StaffMember>> {
    let build = || {
        let mut q = st::table.into_boxed();
        if let Some(k) = qualification {
            q = q.filter(
                st::id.eq_any(
                    sq::table
                        .filter(sq::kind.eq(k.to_string()))
                        .select(sq::staff_id),
                ),
            );
        }
        if let Some(a) = active {
            q = q.filter(st::active.eq(a));
        }
        q
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order((st::name, st::id))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok(super::Page {
        items: with_qualifications(conn, rows)?,
        total,
    })
}
