//! Sessions: signing in with email and password, swapping a refresh token for a new one, and
//! signing out. Each sign-in starts a token family; every refresh rotates the token within it;
//! a token presented twice revokes its whole family (it may have been stolen).

use crate::auth::{password, tokens};
use crate::instruments::{login_failed, LoginFailure};
use crate::service::limits::{self, Limit};
use crate::service::{Actor, ServiceError, Services, Tx};
use crate::store::{self, users::User};
use chrono::Duration;

/// Sign in with email and password.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub email: String,
    pub password: String,
    /// How long the session's refresh token lasts.
    pub session_days: i64,
    /// The client's address, for the sign-in limit per address.
    pub from_address: String,
}

/// Keep a session going with its refresh token.
#[derive(Debug, Clone)]
pub struct Refresh {
    pub refresh_token: String,
    pub session_days: i64,
}

/// A person signed in: their account and the new refresh token (shown to them once).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub refresh_token: String,
}

/// Starts a session for `user_id` in the caller's transaction: a new token family whose
/// refresh token is returned (only its hash is kept).
pub(super) fn start(tx: &mut Tx, user_id: i32, days: i64) -> Result<String, ServiceError> {
    let refresh_token = tokens::random_secret();
    let (hash, family) = (tokens::hash_opaque(&refresh_token), tokens::random_secret());
    let now = tx.now_naive();
    let expires = now + Duration::days(days);
    store::logins::insert(tx.conn, user_id, &hash, &family, now, expires)?;
    Ok(refresh_token)
}

/// Signs in; `None` when the email is unknown, the password wrong or the account disabled (the
/// three are not told apart). Every attempt counts against the client address's limit and the
/// account's lockout, in the database, so all processes share them; a locked account is refused
/// before its password is checked. The password is checked on a blocking thread, outside any
/// transaction; an unknown email costs the same time as a known one. Each failure is counted
/// for `/metrics` (`groupwork_login_failures_total`, by reason).
pub async fn sign_in(services: &Services, cmd: SignIn) -> Result<Option<SignedIn>, ServiceError> {
    let email = store::users::normalise_email(&cmd.email);
    let counted = limits::attempt_all(
        services,
        &[
            (Limit::SignInFromAddress, cmd.from_address.as_str()),
            (Limit::PasswordTries, email.as_str()),
        ],
    )
    .await;
    match &counted {
        Err(ServiceError::AccountLocked { .. }) => login_failed(LoginFailure::Locked),
        Err(ServiceError::TooManyAttempts { .. }) => login_failed(LoginFailure::RateLimited),
        _ => {}
    }
    counted?;
    let lookup = email.clone();
    let user = services
        .read(move |c, _| Ok(store::users::find_by_email(c, &lookup)?))
        .await?;
    let verified = check(user, cmd.password).await?;
    let Some(user) = verified else {
        login_failed(LoginFailure::Credentials);
        return Ok(None);
    };
    let actor = Actor::User {
        id: user.id,
        role: user.role(),
    };
    let (user_id, days) = (user.id, cmd.session_days);
    let refresh_token = services
        .write(actor, move |tx| {
            // A right password ends the run of wrong ones, with the session it starts.
            limits::clear_in(tx, Limit::PasswordTries, &email)?;
            start(tx, user_id, days)
        })
        .await?;
    Ok(Some(SignedIn {
        user,
        refresh_token,
    }))
}

/// The account if `password` is its own and the account is in use; an unknown account costs the
/// same time as a known one.
async fn check(user: Option<User>, password: String) -> Result<Option<User>, ServiceError> {
    tokio::task::spawn_blocking(move || match user {
        Some(u) if password::verify(&password, &u.password_hash) && !u.disabled => Some(u),
        Some(_) => None,
        None => {
            password::verify_dummy(&password);
            None
        }
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Checks the signed-in person's own password before a change only they may make (erasing
/// their family, a new password, a new address). It counts against the account's lockout as a
/// sign-in does, and a locked account is refused before the password is checked. A wrong
/// password is a field error on `field`; `AccountGone` when the account was erased or turned off.
pub async fn confirm_own_password(
    services: &Services,
    user_id: i32,
    password: String,
    field: &'static str,
) -> Result<User, ServiceError> {
    let user = services
        .read(move |c, _| Ok(store::users::find(c, user_id)?))
        .await?
        .filter(|u| !u.disabled)
        .ok_or(ServiceError::AccountGone)?;
    limits::attempt(services, Limit::PasswordTries, &user.email).await?;
    let email = user.email.clone();
    match check(Some(user), password).await? {
        Some(user) => {
            limits::clear(services, Limit::PasswordTries, &email).await?;
            Ok(user)
        }
        None => Err(ServiceError::field(field, "is not this account's password")),
    }
}

/// Swaps a refresh token for a new one; `None` when it is unknown, expired, already used (its
/// family is then revoked, and that revocation is kept) or its account is disabled. No one is
/// signed in here: the token speaks for itself, so the service acts.
pub async fn refresh(services: &Services, cmd: Refresh) -> Result<Option<SignedIn>, ServiceError> {
    use store::logins::Rotation;
    let presented = tokens::hash_opaque(cmd.refresh_token.trim());
    let days = cmd.session_days;
    services
        .write(Actor::System, move |tx| {
            let next = tokens::random_secret();
            let next_hash = tokens::hash_opaque(&next);
            let now = tx.now_naive();
            let expires = now + Duration::days(days);
            match store::logins::rotate(tx.conn, &presented, &next_hash, now, expires)? {
                Rotation::Rotated { user_id } => Ok(store::users::find(tx.conn, user_id)?
                    .filter(|u| !u.disabled)
                    .map(|user| SignedIn {
                        user,
                        refresh_token: next,
                    })),
                Rotation::Reused => {
                    tracing::warn!("refresh token reused: its login family is revoked");
                    Ok(None)
                }
                Rotation::Invalid => Ok(None),
            }
        })
        .await
}

/// Signs out: the refresh token and every token rotated from it stop working. An unknown token
/// is not an error (there is nothing left to end).
pub async fn sign_out(services: &Services, refresh_token: &str) -> Result<(), ServiceError> {
    let hash = tokens::hash_opaque(refresh_token.trim());
    services
        .write(Actor::System, move |tx| {
            store::logins::revoke_by_token(tx.conn, &hash, tx.now_naive())?;
            Ok(())
        })
        .await
}
