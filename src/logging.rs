//! Logs: plain lines for a person at a terminal, or JSON lines for a log shipper
//! (`GROUPWORK_LOG_FORMAT=json`), and the span each request runs in.
//!
//! Every request gets an id, returned as `X-Request-Id` (`api::security::headers`) and carried by
//! every line the request causes, on the blocking threads too (`service::tx` enters the caller's
//! span there). The span records the method, the route's *template* and the status — never the
//! query string (a report link carries its token there, a search a family's name), the client's
//! address or agent, or an error's details: a family's personal data stays out of the logs.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line, with the spans it happened in (`request_id` among them).
    Json,
}

/// Installs the process's log subscriber.
pub fn init(filter: &str, format: LogFormat) -> Result<(), String> {
    use tracing_subscriber::fmt::format::FmtSpan;
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .map_err(|e| format!("GROUPWORK_LOG={filter:?} is not a log filter: {e}"))?;
    let lines = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_target(false);
    let done = match format {
        LogFormat::Text => lines
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .try_init(),
        LogFormat::Json => lines
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .try_init(),
    };
    done.map_err(|e| format!("cannot set up logging: {e}"))
}

/// The span of one HTTP request (for `tracing_actix_web::TracingLogger`).
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "(no route)".to_string());
        tracing::info_span!(
            "request",
            request_id = %id,
            method = %request.method(),
            route = %route,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(response) => response.status(),
            Err(e) => e.as_response_error().status_code(),
        };
        span.record("status", status.as_u16());
    }
}

/// The id of the request being served, for its `X-Request-Id` header.
pub fn request_id(request: &ServiceRequest) -> Option<String> {
    request
        .extensions()
        .get::<RequestId>()
        .map(ToString::to_string)
}
