//! Accounts: a parent registering (with their family), signing in, keeping a session going and
//! signing out, and the logins an admin makes and turns off.
//!
//! Passwords are hashed by the caller before a use case is called (argon2 is deliberately slow:
//! it must hold neither a transaction nor an async worker). Access tokens (JWTs) are the API's
//! business; a session here is its refresh token, stored hashed.

pub mod invitation;
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
