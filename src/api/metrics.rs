//! `GET /metrics`: the service's counters, gauges and histograms (`crate::instruments`) in
//! Prometheus' text format, for the people who run the service. It is an operations endpoint,
//! not part of the API families and staff use, so it is not in the OpenAPI document.
//!
//! - `GROUPWORK_METRICS_TOKEN` set: `/metrics` is on the API's port and wants
//!   `Authorization: Bearer <token>`, compared in constant time; without it, or with another, a
//!   401 problem+json with `WWW-Authenticate: Bearer`. Unset: there is no such route (a 404 like
//!   any unknown path).
//! - `GROUPWORK_METRICS_BIND` set: `/metrics` is served on that address instead, with no token
//!   (the address is its protection: loopback, or a network only Prometheus reaches), and that
//!   listener answers nothing else; the API's port then has no `/metrics`.
//! - [`measure`] counts and times every request on the API's port by method, route template and
//!   status.
//! - The gauges that are read, not counted (the pool, the outbox), are read at each scrape.

use crate::app::AppState;
use crate::config::Config;
use crate::error::ApiError;
use crate::instruments::{self, Outbox};
use crate::store;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::net::TcpListener;
use std::time::Instant;
use subtle::ConstantTimeEq;

pub const PATH: &str = "/metrics";
/// Prometheus' text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Whether this process keeps metrics at all (a token, or an address of their own).
pub fn enabled(config: &Config) -> bool {
    config.metrics_token.is_some() || config.metrics_bind.is_some()
}

/// Whether metrics have a listener of their own.
pub fn apart(config: &Config) -> bool {
    config.metrics_bind.is_some()
}

/// Before serving: installs the recorder when metrics are on, and listens on
/// `GROUPWORK_METRICS_BIND` when it is set (its address, port 0 made real, kept in the state).
pub fn start(state: &AppState) -> std::io::Result<Option<TcpListener>> {
    if !enabled(&state.config) {
        return Ok(None);
    }
    instruments::install();
    let Some(addr) = state.config.metrics_bind else {
        return Ok(None);
    };
    let listener = TcpListener::bind(addr).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot listen for metrics on {addr}: {e}"),
        )
    })?;
    let bound = listener.local_addr()?;
    let _ = state.metrics_addr.set(bound);
    tracing::info!("metrics at http://{bound}{PATH}");
    Ok(Some(listener))
}

/// `GET /metrics` on the API's port: only with a token and no listener of its own.
pub fn routes(cfg: &mut web::ServiceConfig, config: &Config) {
    if config.metrics_token.is_some() && !apart(config) {
        cfg.service(web::resource(PATH).route(web::get().to(scrape)));
    }
}

async fn scrape(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return Err(ApiError::NotFound(format!("no resource at {}", req.path())));
    };
    if !bearer_is(&req, token) {
        return Err(ApiError::Unauthorized(
            "send the metrics token: Authorization: Bearer <GROUPWORK_METRICS_TOKEN>".into(),
        ));
    }
    Ok(render(&state).await)
}

/// Whether the request carries `Authorization: Bearer <token>`. Both sides are hashed first, so
/// the comparison takes the same time whatever was sent, its length included.
fn bearer_is(req: &HttpRequest, token: &str) -> bool {
    let sent = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let (sent, wanted) = (Sha256::digest(sent.trim()), Sha256::digest(token));
    bool::from(sent.ct_eq(&wanted))
}

/// Reads the gauges (the outbox through the store; on a database that does not answer, the
/// outbox's gauges say unknown) and renders every metric.
async fn render(state: &AppState) -> HttpResponse {
    let handle = instruments::install();
    let now = state.now_naive();
    let outbox = state
        .db(move |c| Ok(store::messages::outbox_now(c)?))
        .await
        .map(|o| Outbox {
            queued: o.queued,
            sending: o.sending,
            failed: o.failed,
            oldest_age_secs: o.oldest_unsent.map_or(0.0, |at| {
                ((now - at).num_milliseconds().max(0) as f64) / 1000.0
            }),
        });
    if let Err(e) = &outbox {
        tracing::warn!(error = %e, "metrics: the outbox could not be read");
    }
    let text = instruments::render(
        handle,
        state.pool.state(),
        state.pool.max_size(),
        outbox.ok(),
    );
    HttpResponse::Ok().content_type(CONTENT_TYPE).body(text)
}

/// Whether the request came in on the metrics listener.
fn on_metrics_listener(req: &ServiceRequest, state: &AppState) -> bool {
    state
        .metrics_addr
        .get()
        .is_some_and(|addr| *addr == req.app_config().local_addr())
}

/// With `GROUPWORK_METRICS_BIND`: answers everything that came in on the metrics listener,
/// `GET /metrics` with the figures and anything else with a 404, so none of the API is reachable
/// there. Requests on the API's port pass on.
pub async fn separate_listener<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    match state {
        Some(state) if on_metrics_listener(&req, &state) => {
            if req.path() == PATH && req.method() == Method::GET {
                let res = render(&state).await;
                Ok(req.into_response(res).map_into_right_body())
            } else {
                let missing = ApiError::NotFound(format!("no resource at {}", req.path()));
                Ok(req.error_response(missing).map_into_right_body())
            }
        }
        _ => Ok(next.call(req).await?.map_into_left_body()),
    }
}

/// Counts and times every request on the API's port: `groupwork_http_requests_total` and
/// `groupwork_http_request_duration_seconds`, by method, the route's template (never the path
/// with its ids; one `unmatched` for whatever matched no route) and status.
pub async fn measure<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let apart = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| on_metrics_listener(&req, state));
    if apart {
        return next.call(req).await;
    }
    let started = Instant::now();
    let method = method_label(req.method());
    let res = next.call(req).await;
    let (route, status) = match &res {
        Ok(res) => (res.request().match_pattern(), res.status()),
        // Only a middleware's own error comes out here, before any route was matched.
        Err(e) => (None, e.as_response_error().status_code()),
    };
    let route = route.unwrap_or_else(|| instruments::UNMATCHED.to_string());
    instruments::request(method, route, status.as_u16(), started.elapsed());
    res
}

/// The method as a label: the standard ones, and `other` for whatever else a client invents.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
    ];
    KNOWN
        .into_iter()
        .find(|m| *m == method.as_str())
        .unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
    }

    #[test]
    fn only_the_token_itself_is_let_in() {
        let token = "0123456789abcdef-metrics";
        let with = |value: &str| {
            actix_web::test::TestRequest::default()
                .insert_header((header::AUTHORIZATION, value))
                .to_http_request()
        };
        assert!(bearer_is(&with("Bearer 0123456789abcdef-metrics"), token));
        for other in [
            "Bearer 0123456789abcdef-metric",
            "Bearer 0123456789abcdef-metricsX",
            "bearer 0123456789abcdef-metrics",
            "0123456789abcdef-metrics",
            "Bearer ",
        ] {
            assert!(!bearer_is(&with(other), token), "{other}");
        }
        let none = actix_web::test::TestRequest::default().to_http_request();
        assert!(!bearer_is(&none, token));
    }
}
