//! `GET /health`: is the service up, which database, does it answer — and is it draining before
//! it stops (`crate::shutdown`), so load balancers send it no more connections.

use crate::app::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, ConnectionType};
use actix_web::middleware::Next;
use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`; `unavailable` when the database does not answer; `draining` when the process has
    /// been told to stop and is about to close its listener (send it no new connections).
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
}

#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Service and database answer", body = Health),
        (status = 503, description = "Database unavailable, or the process is draining before it stops (Retry-After)", body = Health),
    )
)]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let database = state.db_kind.as_str();
    if state.drain.is_draining() {
        // Answered without the database: the answer is the same whatever it says.
        let secs = state.config.shutdown_drain_ms.div_ceil(1000).max(1);
        return HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, secs.to_string()))
            .json(Health {
                status: "draining",
                database,
            });
    }
    let answered = state
        .db(|conn| conn.batch_execute("SELECT 1").map_err(Into::into))
        .await;
    match answered {
        Ok(()) => HttpResponse::Ok().json(Health {
            status: "ok",
            database,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "5"))
                .json(Health {
                    status: "unavailable",
                    database,
                })
        }
    }
}

/// While draining, every answer closes its connection: a keep-alive client's next request then
/// opens a new one, which the load balancer sends to another process, instead of being cut off
/// when this one stops.
pub async fn close_when_draining<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let drain = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.drain.clone());
    let mut res = next.call(req).await?;
    if drain.is_some_and(|d| d.is_draining()) {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res)
}
