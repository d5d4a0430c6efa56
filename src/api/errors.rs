//! Every error answer is problem+json, including the ones actix makes itself: extractor failures,
//! unknown routes (404), wrong methods (405 with `Allow`), oversized bodies (413).

use crate::app::AppState;
use crate::error::{ApiError, PROBLEM_JSON};
use crate::service::{error, ServiceError};
use actix_web::body::BoxBody;
use actix_web::dev::{ResourceDef, ServiceResponse};
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

/// The API's path templates with their methods, to tell 405 from 404.
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<String>)>,
}

impl RouteTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let value = serde_json::to_value(item).unwrap_or_default();
                let methods = ["get", "put", "post", "delete", "patch"]
                    .iter()
                    .filter(|m| value.get(**m).is_some())
                    .map(|m| m.to_uppercase())
                    .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods of a path template without parameters that is exactly `path`.
    fn literal_methods(&self, path: &str) -> Option<Vec<String>> {
        self.routes
            .iter()
            .find(|(def, _)| def.pattern().is_some_and(|p| p == path && !p.contains('{')))
            .map(|(_, m)| m.clone())
    }

    fn methods_for(&self, path: &str) -> Option<Vec<String>> {
        self.routes
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, m)| m.clone())
    }
}

/// Default service: 405 when the path exists under other methods, otherwise 404.
pub async fn no_route(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Err(match state.routes.methods_for(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed { allow },
        None => ApiError::NotFound(format!("no resource at {}", req.path())),
    })
}

pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let QueryPayloadError::Deserialize(de) = &err else {
            return ApiError::BadRequest(format!("bad query string: {err}")).into();
        };
        ApiError::BadRequest(format!("bad query string: {de}")).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req| {
        // A literal path that a template also matches (`/closures/bank-holidays` against
        // `DELETE /closures/{id}`) is that literal resource: a method it lacks is 405, not 404.
        if let Some(state) = req.app_data::<web::Data<AppState>>() {
            if let Some(allow) = state.routes.literal_methods(req.path()) {
                if !allow.iter().any(|m| m == req.method().as_str()) {
                    return ApiError::MethodNotAllowed { allow }.into();
                }
            }
        }
        let PathError::Deserialize(de) = &err else {
            return ApiError::BadRequest(format!("bad path: {err}")).into();
        };
        ApiError::NotFound(format!("no such resource ({de})")).into()
    })
}

/// Catch-all for error answers made outside our handlers (e.g. actix's own 413 or 405): rewrites
/// any 4xx/5xx that is not already JSON into a problem with the same status.
pub fn as_problem<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(PROBLEM_JSON) || ct.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let error = match status.as_u16() {
        400 => ApiError::BadRequest("the request could not be read".into()),
        404 => ApiError::NotFound("not found".into()),
        413 => ApiError::PayloadTooLarge("the request body is too large".into()),
        500..=599 => ApiError::Internal(format!("unexpected {status} from the framework")),
        _ => ApiError::BadRequest(status.canonical_reason().unwrap_or("error").to_string()),
    };
    let mut response: HttpResponse<BoxBody> = error.error_response();
    *response.status_mut() = status;
    let (req, _) = res.into_parts();
    let res = ServiceResponse::new(req, response).map_into_right_body::<B>();
    Ok(ErrorHandlerResponse::Response(res))
}

/// The one place a use case's failure becomes an HTTP answer.
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use ServiceError as S;
        match e {
            S::NotFound(what) => ApiError::NotFound(what),
            S::Invalid { detail, errors } => ApiError::Validation { detail, errors },
            S::Conflict(why) => ApiError::Conflict(why),
            S::RuleConflict { detail, errors } => ApiError::RuleConflict { detail, errors },
            S::Forbidden(why) => ApiError::Forbidden(why),
            S::Stale(why) => ApiError::PreconditionFailed(why),
            S::VersionRequired(why) => ApiError::PreconditionRequired(why),
            e @ (S::NotOpenForBooking | S::BookingClosed | S::NotEligible { .. }) => {
                ApiError::field("cohort", e.to_string())
            }
            S::AlreadyBooked {
                booking_id: Some(id),
            } => ApiError::Conflict(format!(
                "this family already has a booking for this group: /api/v1/bookings/{id}"
            )),
            e @ (S::AlreadyBooked { booking_id: None }
            | S::BookingEnded { .. }
            | S::GroupFinished) => ApiError::Conflict(e.to_string()),
            e @ S::IdempotencyKeyReused => ApiError::field("Idempotency-Key", e.to_string()),
            S::FamilyAlreadyRecorded { fields, family_ids } => ApiError::Duplicate {
                detail: error::already_recorded(&fields, &family_ids),
                errors: fields
                    .iter()
                    .map(|f| {
                        let why = format!(
                            "is already recorded for {}",
                            error::families_named(&family_ids)
                        );
                        (f.to_string(), vec![why])
                    })
                    .collect(),
                existing_family_ids: family_ids,
            },
            e @ S::AccountGone => ApiError::Unauthorized(e.to_string()),
            S::TooManyAttempts { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            S::AccountLocked { retry_after_secs } => ApiError::AccountLocked { retry_after_secs },
            S::Database(e) => e.into(),
            S::Unavailable(why) => ApiError::Unavailable(why),
            S::Internal(why) => ApiError::Internal(why),
        }
    }
}
