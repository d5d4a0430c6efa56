//! Accounts: a parent registering (with their family), signing in, keeping a session going and
//! signing out, getting back in with a password-reset link, a new password or a new address,
//! claiming a family the centre enrolled with its invitation, and the logins an admin makes and
//! turns off.
//!
//! Passwords are hashed before the transaction, on the blocking pool (argon2 is deliberately
//! slow: it must hold neither a transaction nor an async worker): by the caller for a sign-up,
//! by the use case when a password is changed, since only it knows the account's rules. Access tokens (JWTs) are the API's
//! business; a session here is its refresh token, stored hashed.

pub mod confirmation;
pub mod email_change;
pub mod invitation;
pub mod passwords;
pub mod registration;
pub mod sessions;
pub mod users;

use crate::db::{unique_violated, Unique};
use crate::service::ServiceError;

/// A duplicate email as a conflict saying so; any other failure as it is.
fn email_taken(e: diesel::result::Error, message: &str) -> ServiceError {
    match unique_violated(&e) {
        Some(Unique::UserEmail) => ServiceError::Conflict(message.into()),
        _ => e.into(),
    }
}
