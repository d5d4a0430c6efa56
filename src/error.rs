//! One error type for the whole service, answered as RFC 9457 `application/problem+json`.
//! Internal details are logged here and never returned to the client.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::collections::BTreeMap;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Field name → messages, for 422 answers.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("{0}")]
    Conflict(String),
    /// A 409 naming the rules broken (`errors`: rule code → messages).
    #[error("{detail}")]
    RuleConflict { detail: String, errors: FieldErrors },
    /// 412: the `If-Match` ETag is not the current one (someone else changed it).
    /// A 409: the record may already exist as these (`existing_family_ids`), one field → why.
    #[error("{detail}")]
    Duplicate {
        detail: String,
        errors: FieldErrors,
        existing_family_ids: Vec<i32>,
    },
    #[error("{0}")]
    PreconditionFailed(String),
    /// 428: a change that must name the version it replaces (`If-Match`) did not.
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Validation { detail: String, errors: FieldErrors },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// 429 for one account: too many wrong passwords. Said before the password is checked, so
    /// it never tells whether the password was right.
    #[error("account locked")]
    AccountLocked { retry_after_secs: u64 },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// 507: the database's disk is full. Nothing was saved; reads still work, and writes work
    /// again once an operator frees space, so the client may retry later.
    #[error("storage full: {0}")]
    StorageFull(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The body of every error answer (RFC 9457).
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation")]
    pub problem_type: String,
    #[schema(example = "Some fields are not valid")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "postcode: is not a UK postcode")]
    pub detail: String,
    /// Field name → messages for 422; rule code → messages for a 409 rule conflict.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::HashMap<String, Vec<String>>>)]
    pub errors: Option<FieldErrors>,
    /// For a 409 duplicate: the families already recorded that this one may be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_family_ids: Option<Vec<i32>>,
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("{what} not found"))
    }

    /// A 422 for the first id filter given below 1: no record has one (the OpenAPI document
    /// says `minimum: 1` for every id a request names).
    pub fn check_ids(ids: &[(&str, Option<i32>)]) -> Result<(), ApiError> {
        match ids.iter().find(|(_, id)| id.is_some_and(|id| id < 1)) {
            Some((field, _)) => Err(ApiError::field(field, "must be 1 or more")),
            None => Ok(()),
        }
    }

    /// A 422 about one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut errors = FieldErrors::new();
        errors.insert(field.to_string(), vec![message.clone()]);
        ApiError::Validation {
            detail: format!("{field}: {message}"),
            errors,
        }
    }

    /// A 422 from a map of field errors (`Ok` when empty).
    pub fn check_fields(errors: FieldErrors) -> Result<(), ApiError> {
        if errors.is_empty() {
            return Ok(());
        }
        Err(ApiError::Validation {
            detail: describe_fields(&errors),
            errors,
        })
    }

    fn parts(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => ("bad-request", "The request is malformed"),
            ApiError::Unauthorized(_) => ("unauthorized", "Authentication is required"),
            ApiError::Forbidden(_) => ("forbidden", "Your role does not allow this"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            ApiError::Conflict(_) => ("conflict", "Conflict with the current state"),
            ApiError::RuleConflict { .. } => ("rule-conflict", "Conflict with a scheduling rule"),
            ApiError::Duplicate { .. } => ("duplicate", "This may already be recorded"),
            ApiError::PreconditionFailed(_) => (
                "precondition-failed",
                "Someone else changed this since you read it",
            ),
            ApiError::PreconditionRequired(_) => (
                "precondition-required",
                "Send If-Match with the ETag you read",
            ),
            ApiError::PayloadTooLarge(_) => ("payload-too-large", "The request body is too large"),
            ApiError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported media type")
            }
            ApiError::Validation { .. } => ("validation", "Some fields are not valid"),
            ApiError::TooManyRequests { .. } => ("rate-limited", "Too many requests"),
            ApiError::AccountLocked { .. } => {
                ("account-locked", "This account is locked for a while")
            }
            ApiError::Unavailable(_) => ("database-unavailable", "The database is unavailable"),
            ApiError::StorageFull(_) => ("storage-full", "The server's storage is full"),
            ApiError::Internal(_) => ("internal", "Something went wrong on our side"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.parts();
        let detail = match self {
            ApiError::MethodNotAllowed { allow } => {
                format!("allowed methods: {}", allow.join(", "))
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                format!("try again in {retry_after_secs} seconds")
            }
            ApiError::AccountLocked { retry_after_secs } => format!(
                "after too many wrong passwords this account is locked: try again in {} \
                 minutes, or choose a new password with the password reset",
                retry_after_secs.div_ceil(60)
            ),
            ApiError::Unavailable(_) => "please try again shortly".to_string(),
            ApiError::StorageFull(_) => "nothing was saved; please try again later".to_string(),
            ApiError::Internal(_) => "the error has been logged".to_string(),
            other => other.to_string(),
        };
        Problem {
            problem_type: format!("/problems/{slug}"),
            title: title.to_string(),
            status: self.status_code().as_u16(),
            detail,
            errors: match self {
                ApiError::Validation { errors, .. }
                | ApiError::RuleConflict { errors, .. }
                | ApiError::Duplicate { errors, .. } => Some(errors.clone()),
                _ => None,
            },
            existing_family_ids: match self {
                ApiError::Duplicate {
                    existing_family_ids,
                    ..
                } => Some(existing_family_ids.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) | ApiError::RuleConflict { .. } | ApiError::Duplicate { .. } => {
                StatusCode::CONFLICT
            }
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } | ApiError::AccountLocked { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(msg) => tracing::error!(error = %msg, "internal error"),
            ApiError::Unavailable(msg) => tracing::warn!(error = %msg, "database unavailable"),
            // An operator has to free space: as loud as an internal error.
            ApiError::StorageFull(msg) => tracing::error!(error = %msg, "storage full"),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::MethodNotAllowed { allow } => {
                res.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::TooManyRequests { retry_after_secs }
            | ApiError::AccountLocked { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::StorageFull(_) => {
                res.insert_header((header::RETRY_AFTER, "60"));
            }
            _ => {}
        }
        let body = serde_json::to_string(&self.problem()).unwrap_or_else(|_| "{}".into());
        res.body(body)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => ApiError::NotFound("not found".into()),
            E::DatabaseError(K::UniqueViolation, _) => {
                ApiError::Conflict("a record with the same unique value already exists".into())
            }
            // A connection that died between the pool's check and the query (a database
            // restart): unavailable for a moment, not the client's fault.
            E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, info) => {
                ApiError::Unavailable(info.message().to_string())
            }
            // Lock waits that ran out (SQLite busy, PostgreSQL serialization or lock timeout)
            // are the database being busy, not the client's fault: 503 with Retry-After.
            E::DatabaseError(K::SerializationFailure, info) => {
                ApiError::Unavailable(info.message().to_string())
            }
            E::DatabaseError(_, info) if is_busy(info.message()) => {
                ApiError::Unavailable(info.message().to_string())
            }
            // SQLITE_FULL (SQLite reports it as "database or disk is full", often at COMMIT,
            // since WAL pages are written then) or PostgreSQL's ENOSPC: 507, not a 500.
            E::DatabaseError(_, info) if is_storage_full(info.message()) => {
                ApiError::StorageFull(info.message().to_string())
            }
            E::RollbackErrorOnCommit { commit_error, .. } if is_full(&commit_error) => {
                ApiError::StorageFull(commit_error.to_string())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

fn is_busy(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("database is locked")
        || m.contains("database is busy")
        || m.contains("lock timeout")
        || m.contains("deadlock detected")
}

fn is_full(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(_, info) if is_storage_full(info.message()))
}

fn is_storage_full(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("database or disk is full") || m.contains("no space left on device")
}

impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// Field errors in one line: `field: message; message, field: message`.
pub fn describe_fields(errors: &FieldErrors) -> String {
    errors
        .iter()
        .map(|(f, m)| format!("{f}: {}", m.join("; ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// validator's failures as field → messages (nested fields as `a.b`, list items as `a[0]`).
pub fn field_errors_of(e: &validator::ValidationErrors) -> FieldErrors {
    let mut errors = FieldErrors::new();
    collect_validation(e, "", &mut errors);
    errors
}

fn collect_validation(e: &validator::ValidationErrors, prefix: &str, out: &mut FieldErrors) {
    use validator::ValidationErrorsKind as K;
    for (field, kind) in e.errors() {
        let name = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            K::Field(list) => {
                let msgs = out.entry(name).or_default();
                for fe in list {
                    msgs.push(
                        fe.message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| describe(fe)),
                    );
                }
            }
            K::Struct(inner) => collect_validation(inner, &name, out),
            K::List(items) => {
                for (i, inner) in items {
                    collect_validation(inner, &format!("{name}[{i}]"), out);
                }
            }
        }
    }
}

/// Plain words for validator's built-in checks when no message was given.
fn describe(fe: &validator::ValidationError) -> String {
    let p = |k: &str| fe.params.get(k).map(|v| v.to_string());
    match fe.code.as_ref() {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters"),
            (Some(min), None) => format!("must be at least {min} characters"),
            (None, Some(max)) => format!("must be at most {max} characters"),
            _ => "has the wrong length".into(),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be from {min} to {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".into(),
        },
        "email" => "must be an email address".into(),
        other => format!("is not valid ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_lists_fields() {
        let e = ApiError::field("postcode", "is not a UK postcode");
        let p = e.problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.problem_type, "/problems/validation");
        assert_eq!(p.errors.unwrap()["postcode"], vec!["is not a UK postcode"]);
    }

    #[test]
    fn a_busy_database_is_503_not_500() {
        assert!(is_busy("database is locked"));
        assert!(is_busy("canceling statement due to lock timeout"));
        assert!(!is_busy("syntax error"));
    }

    #[test]
    fn a_full_disk_is_507_with_retry_after_not_500() {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        let full =
            || E::DatabaseError(K::Unknown, Box::new("database or disk is full".to_string()));
        let e = ApiError::from(full());
        assert!(matches!(e, ApiError::StorageFull(_)), "{e:?}");
        let res = e.error_response();
        assert_eq!(res.status().as_u16(), 507);
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        assert!(res.headers().get(header::RETRY_AFTER).is_some());
        let p = e.problem();
        assert_eq!(
            (p.status, p.problem_type.as_str()),
            (507, "/problems/storage-full")
        );
        assert_eq!(p.title, "The server's storage is full");
        assert!(
            !p.detail.contains("disk is full"),
            "no internals: {}",
            p.detail
        );
        // A failed COMMIT whose rollback failed too, and PostgreSQL's wording.
        let on_commit = E::RollbackErrorOnCommit {
            rollback_error: Box::new(E::NotInTransaction),
            commit_error: Box::new(full()),
        };
        assert!(matches!(
            ApiError::from(on_commit),
            ApiError::StorageFull(_)
        ));
        assert!(is_storage_full(
            "could not extend file \"base/1/2\": No space left on device"
        ));
        assert!(!is_storage_full("syntax error"));
    }

    #[test]
    fn internal_details_never_reach_the_client() {
        let p = ApiError::Internal("SELECT secret FROM users".into()).problem();
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("secret"));
        let p = ApiError::Unavailable("connection refused at 10.0.0.5".into()).problem();
        assert!(!p.detail.contains("10.0.0.5"));
    }
}
