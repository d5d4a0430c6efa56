//! `GET /health`: is the service up, which database, does it answer.

use crate::app::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when the database does not answer.
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
        (status = 503, description = "Database unavailable (Retry-After)", body = Health),
    )
)]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let database = state.db_kind.as_str();
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
