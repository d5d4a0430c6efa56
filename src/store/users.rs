//! Accounts. Emails are stored lower-cased so uniqueness is case-insensitive on both databases.

use crate::db::schema::users;
use crate::db::DbConnection;
use crate::domain::role::Role;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

impl User {
    pub fn role(&self) -> Role {
        // The CHECK constraint keeps `role` to the four names; a stray value gets the least power.
        Role::parse(&self.role).unwrap_or(Role::Parent)
    }
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub now: NaiveDateTime,
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Inserts a user; a duplicate email is a UniqueViolation error.
pub fn insert(conn: &mut DbConnection, new: NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values((
            users::email.eq(normalise_email(new.email)),
            users::password_hash.eq(new.password_hash),
            users::display_name.eq(new.display_name.trim()),
            users::role.eq(new.role.as_str()),
            users::disabled.eq(false),
            users::created_at.eq(new.now),
        ))
        .returning(users::all_columns)
        .get_result(conn)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(normalise_email(email)))
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<User>> {
    users::table.find(id).first(conn).optional()
}

pub fn list(
    conn: &mut DbConnection,
    role: Option<Role>,
    limit: i64,
    offset: i64,
) -> QueryResult<super::Page<User>> {
    let mut q = users::table.into_boxed();
    let mut count = users::table.into_boxed();
    if let Some(r) = role {
        q = q.filter(users::role.eq(r.as_str()));
        count = count.filter(users::role.eq(r.as_str()));
    }
    let total = count.count().get_result(conn)?;
    let items = q.order(users::id).limit(limit).offset(offset).load(conn)?;
    Ok(super::Page { items, total })
}

pub fn set_password(conn: &mut DbConnection, id: i32, password_hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)
}

/// A new sign-in address; another login's address is a UniqueViolation error.
pub fn set_email(conn: &mut DbConnection, id: i32, email: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::email.eq(normalise_email(email)))
        .execute(conn)
}

/// Turns a login off (or on again). Turning it off also ends its sessions (refresh tokens);
/// access tokens stop at the next request, which checks the account.
pub fn set_disabled(
    conn: &mut DbConnection,
    id: i32,
    disabled: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let n = diesel::update(users::table.find(id))
        .set(users::disabled.eq(disabled))
        .execute(conn)?;
    if disabled {
        super::logins::revoke_all_for_user(conn, id, now)?;
    }
    Ok(n)
}

pub fn set_display_name(conn: &mut DbConnection, id: i32, name: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::display_name.eq(name.trim()))
        .execute(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}
