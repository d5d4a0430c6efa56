//! Rate limits that every process on the database shares: sign-in attempts per client address,
//! the per-account lockout after wrong passwords, registrations and password-reset requests per
//! address, and resets per email. Kept as counters in the database (`store::rate_limits`), so N
//! processes enforce one limit; on SQLite this is one short write.

use crate::auth::tokens::hash_opaque;
use crate::service::{Actor, ServiceError, Services, Tx};
use crate::store;
use chrono::TimeDelta;

/// What is being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Sign-in attempts from one client address.
    SignInFromAddress,
    /// Password tries on one account, right or wrong, until a right one clears them: past the
    /// limit the account is locked for the rest of the window, whatever password is given.
    PasswordTries,
    /// Parent accounts registered from one client address.
    RegistrationFromAddress,
    /// Password-reset requests from one client address.
    ResetFromAddress,
    /// Password-reset requests for one email address (known or not: the answer is the same).
    ResetForEmail,
    /// Confirmation links a parent asks to be sent again (as many as reset links per email).
    ConfirmationForAccount,
}

impl Limit {
    fn name(self) -> &'static str {
        match self {
            Limit::SignInFromAddress => "sign-in-address",
            Limit::PasswordTries => "password-tries",
            Limit::RegistrationFromAddress => "registration-address",
            Limit::ResetFromAddress => "reset-address",
            Limit::ResetForEmail => "reset-email",
            Limit::ConfirmationForAccount => "confirmation-account",
        }
    }
}

/// How many events a window allows, and how long a window is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub allowed: u32,
    pub window: TimeDelta,
}

/// The rules, from the settings (`GROUPWORK_LOGIN_…`, `GROUPWORK_REGISTRATIONS_PER_ADDRESS`,
/// `GROUPWORK_PASSWORD_RESETS_PER_…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub sign_in_from_address: Rule,
    pub password_tries: Rule,
    pub registration_from_address: Rule,
    pub reset_from_address: Rule,
    pub reset_for_email: Rule,
}

impl Default for Limits {
    fn default() -> Self {
        let quarter = TimeDelta::minutes(15);
        let hour = TimeDelta::hours(1);
        Limits {
            sign_in_from_address: Rule {
                allowed: 30,
                window: quarter,
            },
            password_tries: Rule {
                allowed: 5,
                window: quarter,
            },
            registration_from_address: Rule {
                allowed: 20,
                window: hour,
            },
            reset_from_address: Rule {
                allowed: 10,
                window: hour,
            },
            reset_for_email: Rule {
                allowed: 3,
                window: hour,
            },
        }
    }
}

impl Limits {
    pub fn rule(&self, limit: Limit) -> Rule {
        match limit {
            Limit::SignInFromAddress => self.sign_in_from_address,
            Limit::PasswordTries => self.password_tries,
            Limit::RegistrationFromAddress => self.registration_from_address,
            Limit::ResetFromAddress => self.reset_from_address,
            Limit::ResetForEmail | Limit::ConfirmationForAccount => self.reset_for_email,
        }
    }
}

/// The stored key: a hash, so the table holds no address or email. `subject` is the client
/// address, or the email as stored (lower case, trimmed).
fn key(limit: Limit, subject: &str) -> String {
    hash_opaque(&format!(
        "{}:{}",
        limit.name(),
        subject.trim().to_lowercase()
    ))
}

fn refusal(limit: Limit, retry_after_secs: u64) -> ServiceError {
    match limit {
        Limit::PasswordTries => ServiceError::AccountLocked { retry_after_secs },
        _ => ServiceError::TooManyAttempts { retry_after_secs },
    }
}

/// Counts one attempt against `limit` for `subject`, and refuses it (`TooManyAttempts`, or
/// `AccountLocked` for password tries) when it is over the limit. Counting and checking are one
/// statement, so attempts spread over any number of processes meet one limit.
pub async fn attempt(services: &Services, limit: Limit, subject: &str) -> Result<(), ServiceError> {
    attempt_all(services, &[(limit, subject)]).await
}

/// Counts one attempt against each limit, in one transaction (a sign-in counts the client
/// address and the account together), and refuses it at the first limit that is over.
pub async fn attempt_all(
    services: &Services,
    attempts: &[(Limit, &str)],
) -> Result<(), ServiceError> {
    let counted: Vec<(Limit, Rule, String)> = attempts
        .iter()
        .map(|&(limit, subject)| (limit, services.limits.rule(limit), key(limit, subject)))
        .collect();
    services
        .write(Actor::System, move |tx| {
            let now = tx.now_naive();
            for (limit, rule, key) in &counted {
                let window = store::rate_limits::hit(tx.conn, key, now, now - rule.window)?;
                if window.hits as i64 > i64::from(rule.allowed) {
                    let reopens = window.window_start + rule.window;
                    let secs = (reopens - now).num_seconds().max(1) as u64;
                    return Err(refusal(*limit, secs));
                }
            }
            Ok(())
        })
        .await
}

/// Forgets the count for `subject` in the caller's transaction (a right password after wrong
/// ones, written with the session it starts).
pub fn clear_in(tx: &mut Tx, limit: Limit, subject: &str) -> Result<(), ServiceError> {
    store::rate_limits::clear(tx.conn, &key(limit, subject))?;
    Ok(())
}

/// Forgets the count for `subject` (a right password after wrong ones).
pub async fn clear(services: &Services, limit: Limit, subject: &str) -> Result<(), ServiceError> {
    let key = key(limit, subject);
    services
        .write(Actor::System, move |tx| {
            store::rate_limits::clear(tx.conn, &key)?;
            Ok(())
        })
        .await
}
