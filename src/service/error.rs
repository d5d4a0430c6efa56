//! What can go wrong in a use case, in the product's words. The API maps each variant to
//! problem+json in one place (`api::errors`); nothing here knows about HTTP.

use crate::error::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing asked for does not exist, or is not the asker's to see.
    #[error("{0}")]
    NotFound(String),
    /// Fields that break a rule: field → messages.
    #[error("{detail}")]
    Invalid { detail: String, errors: FieldErrors },
    /// The change clashes with what is already there (a duplicate, a finished booking).
    #[error("{0}")]
    Conflict(String),
    /// Scheduling rules broken (team, supervision, crèche cover): rule code → messages.
    #[error("{detail}")]
    RuleConflict { detail: String, errors: FieldErrors },
    /// The acting person's role or relation to the record does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Someone else changed the record since it was read (a stale `If-Match`).
    #[error("{0}")]
    Stale(String),
    /// A change that must name the version it replaces did not.
    #[error("{0}")]
    VersionRequired(String),

    // Booking, in the words parents and centres use.
    #[error("this group is not open for booking")]
    NotOpenForBooking,
    #[error("booking for this group is closed; the centre can help if you still want to join")]
    BookingClosed,
    #[error("{reason}")]
    NotEligible { reason: String },
    /// The family already holds an active booking on this group (its id, when known).
    #[error("this family already has a booking for this group")]
    AlreadyBooked { booking_id: Option<i32> },
    /// A retried booking whose `Idempotency-Key` was first used for a different request.
    #[error("this key was used for a different request")]
    IdempotencyKeyReused,
    /// The booking was already cancelled or withdrawn.
    #[error("this booking is already {status}")]
    BookingEnded {
        status: crate::domain::status::BookingStatus,
    },
    #[error("this group has finished")]
    GroupFinished,

    /// A family being recorded looks like one already recorded: the same `email` or `phone`
    /// (`fields`) as these families. Staff decide: book the existing family, or say this one is
    /// different. (A plain `Conflict` cannot name the families.)
    #[error("{}", already_recorded(fields, family_ids))]
    FamilyAlreadyRecorded {
        fields: Vec<&'static str>,
        family_ids: Vec<i32>,
    },
    /// The signed-in account no longer exists or was turned off.
    #[error("this account no longer exists")]
    AccountGone,
    /// A shared rate limit is reached (`service::limits`): try again after this many seconds.
    #[error("too many attempts: try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many wrong passwords on one account: it is locked for this many seconds, whatever
    /// password is given now.
    #[error("this account is locked for a while after too many wrong passwords")]
    AccountLocked { retry_after_secs: u64 },

    /// The database failed (busy, unreachable, full, or a bug): never the client's fault.
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    /// No connection could be had from the pool.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// "family 12" or "families 12, 14".
pub fn families_named(ids: &[i32]) -> String {
    let list: Vec<String> = ids.iter().map(i32::to_string).collect();
    match ids.len() {
        1 => format!("family {}", list.join("")),
        _ => format!("families {}", list.join(", ")),
    }
}

/// What staff are told when a family they record may be one already recorded.
pub fn already_recorded(fields: &[&str], family_ids: &[i32]) -> String {
    let words: Vec<&str> = fields
        .iter()
        .map(|f| match *f {
            "email" => "email address",
            "phone" => "phone number",
            other => other,
        })
        .collect();
    format!(
        "a family with this {} is already recorded ({}): book them, or send confirmed_new: true if this is a different family",
        words.join(" and "),
        families_named(family_ids)
    )
}

impl ServiceError {
    pub fn not_found(what: &str) -> Self {
        ServiceError::NotFound(format!("{what} not found"))
    }

    /// One field that breaks a rule.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut errors = FieldErrors::new();
        errors.insert(field.to_string(), vec![message.clone()]);
        ServiceError::Invalid {
            detail: format!("{field}: {message}"),
            errors,
        }
    }

    /// `Ok` when no field broke a rule, else one `Invalid` naming them all.
    pub fn check_fields(errors: FieldErrors) -> Result<(), ServiceError> {
        if errors.is_empty() {
            return Ok(());
        }
        Err(ServiceError::Invalid {
            detail: crate::error::describe_fields(&errors),
            errors,
        })
    }

    /// A lock wait or serialization failure that the same transaction may pass if tried again.
    pub(crate) fn is_retryable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match self {
            ServiceError::Database(E::DatabaseError(K::SerializationFailure, _)) => true,
            ServiceError::Database(E::DatabaseError(_, info)) => {
                let m = info.message().to_ascii_lowercase();
                m.contains("deadlock detected") || m.contains("database is locked")
            }
            _ => false,
        }
    }
}

impl From<r2d2::Error> for ServiceError {
    fn from(e: r2d2::Error) -> Self {
        ServiceError::Unavailable(e.to_string())
    }
}
