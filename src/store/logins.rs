//! Refresh tokens (logins). Each login starts a family; every refresh rotates the token
//! within its family; presenting a token that was already rotated means it was stolen or
//! replayed, so the whole family is revoked.

use crate::db::schema::refresh_tokens as rt;
use crate::db::{write_transaction, DbConnection};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct RefreshToken {
    pub id: i32,
    pub user_id: i32,
    pub token_hash: String,
    pub family: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The presented token was current; here is the user it belongs to.
    Rotated { user_id: i32 },
    /// Unknown, expired or revoked.
    Invalid,
    /// Already rotated: its family is now revoked.
    Reused,
}

pub fn insert(
    conn: &mut DbConnection,
    user_id: i32,
    token_hash: &str,
    family: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(rt::table)
        .values((
            rt::user_id.eq(user_id),
            rt::token_hash.eq(token_hash),
            rt::family.eq(family),
            rt::created_at.eq(now),
            rt::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks the presented token used and stores its successor, in one transaction. The conditional
/// update (`used_at IS NULL`) makes two concurrent refreshes of one token see exactly one winner.
pub fn rotate(
    conn: &mut DbConnection,
    presented_hash: &str,
    next_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<Rotation> {
    write_transaction(conn, |conn| {
        let Some(token) = rt::table
            .filter(rt::token_hash.eq(presented_hash))
            .first::<RefreshToken>(conn)
            .optional()?
        else {
            return Ok(Rotation::Invalid);
        };
        if token.revoked_at.is_some() || token.expires_at <= now {
            return Ok(Rotation::Invalid);
        }
        let claimed = diesel::update(rt::table.find(token.id).filter(rt::used_at.is_null()))
            .set(rt::used_at.eq(now))
            .execute(conn)?;
        if claimed == 0 {
            revoke_family(conn, &token.family, now)?;
            return Ok(Rotation::Reused);
        }
        insert(
            conn,
            token.user_id,
            next_hash,
            &token.family,
            now,
            expires_at,
        )?;
        Ok(Rotation::Rotated {
            user_id: token.user_id,
        })
    })
}

pub fn revoke_family(
    conn: &mut DbConnection,
    family: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        rt::table
            .filter(rt::family.eq(family))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(now))
    .execute(conn)
}

/// Logout: revokes the family of the presented token, if it is one of ours.
pub fn revoke_by_token(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let family: Option<String> = rt::table
        .filter(rt::token_hash.eq(token_hash))
        .select(rt::family)
        .first(conn)
        .optional()?;
    match family {
        Some(f) => revoke_family(conn, &f, now).map(|_| true),
        None => Ok(false),
    }
}

/// Revokes every session of a user (erasure, password change, disabled account).
pub fn revoke_all_for_user(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        rt::table
            .filter(rt::user_id.eq(user_id))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(now))
    .execute(conn)
}
