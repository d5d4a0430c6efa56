//! Getting back into an account and keeping it: a link by email to choose a new password, and a
//! new password chosen while signed in. Either way every session of the account ends (a
//! password change is what someone does when they fear another has it), and the account hears
//! of it by email.

use super::sessions::{self, confirm_own_password, SignedIn};
use crate::auth::{password, tokens};
use crate::domain::account::Link;
use crate::domain::message::MessageKind;
use crate::messages::{queue, Tell};
use crate::service::limits::{self, Limit};
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{self, account_tokens::Purpose, users::User};

/// The one answer to a link that cannot be used, whatever the reason (unknown, used, replaced
/// by a newer one, expired): telling them apart would only help someone guessing.
pub(super) fn link_refused() -> ServiceError {
    ServiceError::field(
        "token",
        "this link has expired or has already been used: ask for a new one",
    )
}

/// The password rules (`domain::password`) as a field error on `field`.
pub(super) fn check_rules(pw: &str, email: &str, field: &str) -> Result<(), ServiceError> {
    let problems = crate::domain::password::problems(pw, email);
    if problems.is_empty() {
        return Ok(());
    }
    let mut errors = crate::error::FieldErrors::new();
    errors.insert(field.to_string(), problems);
    ServiceError::check_fields(errors)
}

/// Hashes on the blocking pool: argon2 is deliberately slow.
async fn hash(pw: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(ServiceError::Internal)
}

fn acting(user: &User) -> Actor {
    Actor::User {
        id: user.id,
        role: user.role(),
    }
}

/// Someone asks for a link to choose a new password.
#[derive(Debug, Clone)]
pub struct RequestReset {
    pub email: String,
    /// The client's address, for the limit per address.
    pub from_address: String,
}

/// Sends a password-reset link if an account in use has this address; otherwise does nothing.
/// The caller cannot tell which: both count against the limits per client address and per
/// email first (each a database write), then both run one write transaction, which for a known
/// account stores the link (only its hash; older links end) and queues its email.
pub async fn request_reset(services: &Services, cmd: RequestReset) -> Result<(), ServiceError> {
    let email = store::users::normalise_email(&cmd.email);
    limits::attempt(services, Limit::ResetFromAddress, &cmd.from_address).await?;
    limits::attempt(services, Limit::ResetForEmail, &email).await?;
    services
        .write(Actor::System, move |tx| {
            let Some(user) = store::users::find_by_email(tx.conn, &email)?.filter(|u| !u.disabled)
            else {
                return Ok(());
            };
            let family_id = store::families::of_user(tx.conn, user.id)?.map(|f| f.id);
            let token = tokens::random_secret();
            let now = tx.now_naive();
            let new = store::account_tokens::NewToken {
                purpose: Purpose::PasswordReset,
                token_hash: &tokens::hash_opaque(&token),
                user_id: Some(user.id),
                family_id,
                email: &user.email,
                expires_at: now + Link::PasswordReset.lifetime(),
            };
            store::account_tokens::issue(tx.conn, new, now)?;
            tx.audit(Audit {
                action: "password_reset_requested",
                entity: "user",
                entity_id: Some(user.id),
                family_id,
                detail: "link sent by email".into(),
            });
            queue(
                tx,
                Tell::AccountLink {
                    link: Link::PasswordReset,
                    token,
                    to: user.email,
                    user_id: Some(user.id),
                    family_id,
                },
            )
        })
        .await
}

/// A new password chosen through a reset link.
#[derive(Debug, Clone)]
pub struct ResetPassword {
    pub token: String,
    pub password: String,
}

/// Sets a new password through a reset link: the link works once, then every session of the
/// account ends, its other reset and change-of-address links stop working, and the account
/// hears by email. Opening the link shows the family reads that address. A locked account is
/// unlocked: its owner has just proved they hold the mailbox.
pub async fn reset_password(services: &Services, cmd: ResetPassword) -> Result<(), ServiceError> {
    let presented = tokens::hash_opaque(cmd.token.trim());
    // Read first, to check the new password against the account's address before hashing.
    let lookup = presented.clone();
    let (link, user) = services
        .read(move |c, now| {
            let link = store::account_tokens::find(c, Purpose::PasswordReset, &lookup)?
                .filter(|l| l.is_live(now.naive_utc()))
                .ok_or_else(link_refused)?;
            let user = live_user(c, link.user_id)?;
            Ok((link, user))
        })
        .await?;
    check_rules(&cmd.password, &user.email, "password")?;
    let password_hash = hash(cmd.password).await?;
    let email = services
        .write(acting(&user), move |tx| {
            let now = tx.now_naive();
            if !store::account_tokens::take(tx.conn, link.id, now)? {
                return Err(link_refused());
            }
            let user = live_user(tx.conn, link.user_id)?;
            store::users::set_password(tx.conn, user.id, &password_hash)?;
            let family_id = end_sessions_and_links(tx, &user)?;
            if let Some(family) = family_id {
                if link.email.eq_ignore_ascii_case(&user.email) {
                    store::families::set_email_verified(tx.conn, family, &user.email)?;
                }
            }
            tx.audit(Audit {
                action: "password_reset",
                entity: "user",
                entity_id: Some(user.id),
                family_id,
                detail: "through an emailed link".into(),
            });
            tell_password_changed(tx, &user)?;
            Ok(user.email)
        })
        .await?;
    limits::clear(services, Limit::PasswordTries, &email).await
}

/// The account a link belongs to, if it is still in use; otherwise the link is refused.
fn live_user(c: &mut crate::db::DbConnection, user_id: Option<i32>) -> Result<User, ServiceError> {
    let Some(id) = user_id else {
        return Err(link_refused());
    };
    store::users::find(c, id)?
        .filter(|u| !u.disabled)
        .ok_or_else(link_refused)
}

/// Ends every session of the account and its pending reset and change-of-address links (whoever
/// had the old password may have asked for them). The account's family, if it has one.
fn end_sessions_and_links(tx: &mut Tx, user: &User) -> Result<Option<i32>, ServiceError> {
    let now = tx.now_naive();
    store::logins::revoke_all_for_user(tx.conn, user.id, now)?;
    for purpose in [Purpose::PasswordReset, Purpose::EmailChange] {
        store::account_tokens::revoke_for_user(tx.conn, user.id, purpose, now)?;
    }
    Ok(store::families::of_user(tx.conn, user.id)?.map(|f| f.id))
}

fn tell_password_changed(tx: &mut Tx, user: &User) -> Result<(), ServiceError> {
    queue(
        tx,
        Tell::AccountNotice {
            kind: MessageKind::AccountPasswordChanged,
            to: user.email.clone(),
            user_id: user.id,
            new_email: String::new(),
        },
    )
}

/// A signed-in person chooses a new password.
#[derive(Debug, Clone)]
pub struct ChangePassword {
    pub user_id: i32,
    pub current_password: String,
    pub new_password: String,
    /// How long the new session's refresh token lasts.
    pub session_days: i64,
}

/// Changes the password of the signed-in person, who must give the current one (it counts
/// against the account's lockout). Every session ends, this one included, and a new one starts
/// for this device, so only the other devices must sign in again.
pub async fn change_password(
    services: &Services,
    cmd: ChangePassword,
) -> Result<SignedIn, ServiceError> {
    let user = confirm_own_password(
        services,
        cmd.user_id,
        cmd.current_password,
        "current_password",
    )
    .await?;
    check_rules(&cmd.new_password, &user.email, "new_password")?;
    let password_hash = hash(cmd.new_password).await?;
    let days = cmd.session_days;
    services
        .write(acting(&user), move |tx| {
            let user = store::users::find(tx.conn, user.id)?
                .filter(|u| !u.disabled)
                .ok_or(ServiceError::AccountGone)?;
            store::users::set_password(tx.conn, user.id, &password_hash)?;
            let family_id = end_sessions_and_links(tx, &user)?;
            let refresh_token = sessions::start(tx, user.id, days)?;
            tx.audit(Audit {
                action: "password_changed",
                entity: "user",
                entity_id: Some(user.id),
                family_id,
                detail: "by the account holder".into(),
            });
            tell_password_changed(tx, &user)?;
            Ok(SignedIn {
                user,
                refresh_token,
            })
        })
        .await
}
