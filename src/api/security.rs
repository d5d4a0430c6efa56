//! Transport-level protections for every answer: security headers, the `Cache-Control` rule, the
//! CORS allow-list, and the per-parent booking rate limit.
//!
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and
//!   `X-Frame-Options: DENY` on every response, errors and 404s included.
//! - `Cache-Control: no-store` on every response except a successful, anonymous `GET`/`HEAD` of
//!   the public catalogue (programmes, venues, listings) or the API docs. Anything else may be
//!   personal (the private calendar feed is anonymous but personal, hence an allow-list of public
//!   paths rather than "no token means public"), so it must never sit in a browser or proxy cache.
//! - CORS is off unless `GROUPWORK_CORS_ORIGINS` lists origins; then only those are echoed.
//! - A NUL character in the address is refused (400) before routing.

use crate::app::AppState;
use crate::auth::tokens::TokenSubject;
use crate::config::Config;
use crate::domain::role::Role;
use crate::error::ApiError;
use actix_cors::Cors;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;

/// Path prefixes whose anonymous GETs are public data and may be cached.
const PUBLIC_PREFIXES: &[&str] = &[
    "/api/v1/programmes",
    "/api/v1/venues",
    "/api/v1/listings",
    "/programme",
    "/docs",
    "/api-docs/",
];

fn may_be_cached(req: &ServiceRequest) -> bool {
    matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.headers().contains_key(header::AUTHORIZATION)
        && PUBLIC_PREFIXES.iter().any(|p| req.path().starts_with(p))
}

/// Adds the security headers to every answer, including errors raised by inner middleware.
pub async fn headers<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let cacheable = may_be_cached(&req);
    // The id its log lines carry, so a reported problem can be found in the logs.
    let id = crate::logging::request_id(&req).and_then(|id| HeaderValue::from_str(&id).ok());
    let tag = move |h: &mut HeaderMap| {
        if let Some(id) = &id {
            h.insert(HeaderName::from_static("x-request-id"), id.clone());
        }
    };
    match next.call(req).await {
        Ok(mut res) => {
            let status = res.status();
            let public = cacheable && !status.is_client_error() && !status.is_server_error();
            apply(res.headers_mut(), public);
            tag(res.headers_mut());
            Ok(res)
        }
        // An error no handler turned into an answer is answered later: add them then.
        Err(mut e) => {
            e.add_response_mapper(move |mut res| {
                apply(res.headers_mut(), false);
                tag(res.headers_mut());
                res
            });
            Err(e)
        }
    }
}

fn apply(h: &mut HeaderMap, public: bool) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // Never framed, but for the public programme's embed layout, which names the sites that may
    // frame it in its own Content-Security-Policy (`frame-ancestors`).
    let framed_by_some = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|csp| !csp.contains("frame-ancestors 'none'"));
    if !framed_by_some {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    let says_no_store = h
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"));
    if !public && !says_no_store {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Refuses a percent-encoded NUL (`%00`) anywhere in the path or query string with a 400: no
/// value here may hold one, and PostgreSQL cannot compare text with it (a 500 otherwise).
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let target = req.uri().path_and_query().map_or("", |p| p.as_str());
    if target.contains("%00") {
        let refused = ApiError::BadRequest("the address must not contain the NUL character".into());
        return Ok(req.error_response(refused).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The CORS middleware for `config.cors_origins` (only wrapped when the list is not empty).
/// Bearer tokens, not cookies, so no credentials; an origin not listed gets no CORS headers and
/// the browser keeps the answer from its page (same-origin callers such as `/docs` still work).
pub fn cors(config: &Config) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER])
        .max_age(3600)
        .block_on_origin_mismatch(false);
    for origin in &config.cors_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Counts one booking attempt by a parent and refuses with 429 beyond
/// `GROUPWORK_BOOKINGS_PER_MINUTE`. Attempts count, not successes: each one takes the cohort's
/// lock. Staff booking on a family's behalf are few, trusted and audited, so not limited.
pub fn check_booking_rate(state: &AppState, user: &TokenSubject) -> Result<(), ApiError> {
    if user.role != Role::Parent {
        return Ok(());
    }
    let (key, now) = (format!("user:{}", user.user_id), state.now());
    if let Some(retry_after_secs) = state.bookings_by_user.blocked_for(&key, now) {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    state.bookings_by_user.record(&key, now);
    Ok(())
}
