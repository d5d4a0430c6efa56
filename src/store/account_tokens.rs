//! One-time links (invitation to claim a family, password reset, address confirmation, change of
//! address). Only the secret's hash is stored; a link is taken once, by a conditional update, so
//! two clicks at once see one winner.

use crate::db::schema::account_tokens as at;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// What a link is for (the stored `purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    PasswordReset,
    EmailVerification,
    EmailChange,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailVerification => "email_verification",
            Purpose::EmailChange => "email_change",
        }
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct AccountToken {
    pub id: i32,
    pub purpose: String,
    pub token_hash: String,
    pub user_id: Option<i32>,
    pub family_id: Option<i32>,
    /// The address the link was sent to (for a change of address, the new one).
    pub email: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl AccountToken {
    /// Unused, not replaced by a newer link, not expired.
    pub fn is_live(&self, now: NaiveDateTime) -> bool {
        self.used_at.is_none() && self.revoked_at.is_none() && now < self.expires_at
    }
}

pub struct NewToken<'a> {
    pub purpose: Purpose,
    pub token_hash: &'a str,
    pub user_id: Option<i32>,
    pub family_id: Option<i32>,
    pub email: &'a str,
    pub expires_at: NaiveDateTime,
}

/// Stores a new link, revoking every earlier live link of the same purpose for the same account
/// (or, without an account, the same family): only the newest works.
pub fn issue(conn: &mut DbConnection, new: NewToken, now: NaiveDateTime) -> QueryResult<i32> {
    let live = at::table
        .filter(at::purpose.eq(new.purpose.as_str()))
        .filter(at::used_at.is_null())
        .filter(at::revoked_at.is_null())
        .into_boxed();
    let older = match (new.user_id, new.family_id) {
        (Some(user), _) => live.filter(at::user_id.eq(user)),
        (None, Some(family)) => live.filter(at::family_id.eq(family)),
        (None, None) => live.filter(at::id.eq(-1)),
    };
    let ids: Vec<i32> = older.select(at::id).load(conn)?;
    diesel::update(at::table.filter(at::id.eq_any(ids)))
        .set(at::revoked_at.eq(now))
        .execute(conn)?;
    diesel::insert_into(at::table)
        .values((
            at::purpose.eq(new.purpose.as_str()),
            at::token_hash.eq(new.token_hash),
            at::user_id.eq(new.user_id),
            at::family_id.eq(new.family_id),
            at::email.eq(new.email),
            at::created_at.eq(now),
            at::expires_at.eq(new.expires_at),
        ))
        .returning(at::id)
        .get_result(conn)
}

/// The link with this hash and purpose, whatever its state.
pub fn find(
    conn: &mut DbConnection,
    purpose: Purpose,
    token_hash: &str,
) -> QueryResult<Option<AccountToken>> {
    at::table
        .filter(at::token_hash.eq(token_hash))
        .filter(at::purpose.eq(purpose.as_str()))
        .first(conn)
        .optional()
}

/// Takes a live link: `true` for the one caller that marked it used.
pub fn take(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        at::table
            .find(id)
            .filter(at::used_at.is_null())
            .filter(at::revoked_at.is_null())
            .filter(at::expires_at.gt(now)),
    )
    .set(at::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Revokes every live link of an account (a password reset or change ends them all).
pub fn revoke_for_user(
    conn: &mut DbConnection,
    user_id: i32,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        at::table
            .filter(at::user_id.eq(user_id))
            .filter(at::purpose.eq(purpose.as_str()))
            .filter(at::used_at.is_null())
            .filter(at::revoked_at.is_null()),
    )
    .set(at::revoked_at.eq(now))
    .execute(conn)
}

/// The links of a family or its account, for the subject access export.
pub fn of_family(
    conn: &mut DbConnection,
    family_id: i32,
    user_id: Option<i32>,
) -> QueryResult<Vec<AccountToken>> {
    let mut q = at::table.filter(at::family_id.eq(family_id)).into_boxed();
    if let Some(user) = user_id {
        q = q.or_filter(at::user_id.eq(user));
    }
    q.order(at::id).load(conn)
}

/// Erasure: every link of the family or its account is deleted (none can work afterwards).
pub fn delete_for_family(
    conn: &mut DbConnection,
    family_id: i32,
    user_id: Option<i32>,
) -> QueryResult<usize> {
    let n = diesel::delete(at::table.filter(at::family_id.eq(family_id))).execute(conn)?;
    let m = match user_id {
        Some(user) => diesel::delete(at::table.filter(at::user_id.eq(user))).execute(conn)?,
        None => 0,
    };
    Ok(n + m)
}

/// Retention: links that ended (used, replaced or expired) more than `before` ago.
pub fn purge_ended(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(at::table.filter(at::expires_at.lt(before))).execute(conn)
}
