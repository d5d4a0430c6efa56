//! Wiring: the shared state, the actix application and the server. Used by `main.rs` and by the
//! integration tests (which start the real server on port 0).

use crate::api;
use crate::api::catalogue::listing_cache::ListingCache;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::tokens::{random_secret, JwtKeys};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, DbConnection, DbKind, Pool};
use crate::error::ApiError;
use crate::service::limits::{Limits, Rule};
use crate::service::Services;
use crate::store;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Condition, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub struct AppState {
    /// The use cases' view of the service: every write goes through it.
    pub services: Services,
    pub pool: Pool,
    pub db_kind: DbKind,
    pub clock: Arc<dyn Clock>,
    pub jwt: JwtKeys,
    pub config: Config,
    /// Booking attempts per parent account per minute (`api::security::check_booking_rate`).
    pub bookings_by_user: RateLimiter,
    pub routes: api::errors::RouteTable,
    /// Rendered public listings; stale once a use case signals that a listing changed.
    pub listing_cache: api::catalogue::listing_cache::ListingCache,
    /// Where `/metrics` has a listener of its own (`GROUPWORK_METRICS_BIND`), once listening.
    pub metrics_addr: std::sync::OnceLock<std::net::SocketAddr>,
    /// Set on SIGTERM or SIGINT while `serve` drains (`crate::shutdown`): `/health` answers 503.
    pub drain: crate::shutdown::Drain,
}

impl AppState {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The clock as stored in the database: UTC without offset.
    /// Truncated to microseconds, the finest both databases keep, so that what is written and
    /// what is read back are equal on either.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.clock.now().naive_utc().trunc_subsecs(6)
    }

    /// Runs a plain read on the blocking thread pool (the connection is taken inside the block,
    /// so a slow pool never stalls the async workers). Writes go through `service`.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        web::block(move || {
            let _request = span.enter();
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }
}

/// Connects to the database (running migrations), settles the token secret and builds the state.
pub fn build_state(config: Config, clock: Arc<dyn Clock>) -> Result<web::Data<AppState>, String> {
    let (pool, db_kind) = db::connect(
        &config.database_url,
        config.pool_size,
        Duration::from_secs(config.db_timeout_secs),
    )?;
    let secret = match &config.jwt_secret {
        Some(s) => s.clone(),
        None => {
            let mut conn = pool
                .get()
                .map_err(|e| format!("database unavailable: {e}"))?;
            store::settings::get_or_insert(&mut conn, "jwt_secret", &random_secret())
                .map_err(|e| format!("cannot keep the token secret in the database: {e}"))?
        }
    };
    let mut services = Services::new(pool.clone(), db_kind, clock.clone());
    services.capacity_guard = config.capacity_guard;
    services.outbox_guard = config.outbox_guard;
    services.family_link = Arc::from(config.family_url.as_str());
    services.limits = limits(&config);
    Ok(web::Data::new(AppState {
        listing_cache: ListingCache::new(
            services.signals.clone(),
            Duration::from_millis(config.listing_ttl_ms),
        ),
        services,
        pool,
        db_kind,
        clock,
        jwt: JwtKeys::new(secret.as_bytes()),
        bookings_by_user: RateLimiter::new(config.bookings_per_minute, 60),
        routes: api::errors::RouteTable::from_spec(&api::openapi()),
        config,
        metrics_addr: Default::default(),
        drain: Default::default(),
    }))
}

/// The shared rate limits, from the settings.
fn limits(config: &Config) -> Limits {
    let login_window = chrono::TimeDelta::seconds(config.login_window_secs as i64);
    let hour = chrono::TimeDelta::hours(1);
    let rule = |allowed, window| Rule { allowed, window };
    Limits {
        sign_in_from_address: rule(config.login_attempts_per_address, login_window),
        password_tries: rule(config.login_failures_per_account, login_window),
        registration_from_address: rule(config.registrations_per_address, hour),
        reset_from_address: rule(config.password_resets_per_address, hour),
        reset_for_email: rule(config.password_resets_per_email, hour),
    }
}

/// Starts serving on `listener`; the returned server runs when awaited. It does not listen for
/// signals: `serve` stops it through its handle after draining (`crate::shutdown`).
pub fn run_server(state: web::Data<AppState>, listener: TcpListener) -> std::io::Result<Server> {
    let spec = api::openapi();
    let workers = state.config.workers;
    let grace = state.config.shutdown_timeout_secs;
    let blocking = state.config.pool_size.max(1) as usize;
    let metrics_listener = api::metrics::start(&state)?;
    let server = HttpServer::new(move || {
        let limit = state.config.body_limit;
        let cors_on = !state.config.cors_origins.is_empty();
        let (metrics_on, metrics_apart) = (
            api::metrics::enabled(&state.config),
            api::metrics::apart(&state.config),
        );
        App::new()
            .into_utoipa_app()
            .configure(api::routes)
            .into_app()
            // Not in the OpenAPI document: an operations endpoint (`api::metrics`).
            .configure(|cfg| api::metrics::routes(cfg, &state.config))
            .app_data(state.clone())
            .app_data(api::errors::query_config())
            .app_data(api::errors::path_config())
            .app_data(web::PayloadConfig::new(limit))
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", spec.clone()))
            .service(web::resource("/docs").route(web::get().to(api::errors::docs_redirect)))
            .default_service(web::to(api::errors::no_route))
            .wrap(actix_web::middleware::from_fn(
                api::monitoring::audit::audit_refusals,
            ))
            // Inside the problem rewriter, so a refused preflight is problem+json too.
            .wrap(Condition::new(cors_on, api::security::cors(&state.config)))
            // The metrics listener answers only /metrics, its 404s problem+json as any.
            .wrap(Condition::new(
                metrics_apart,
                from_fn(api::metrics::separate_listener),
            ))
            .wrap(ErrorHandlers::new().default_handler(api::errors::as_problem))
            .wrap(from_fn(api::health::close_when_draining))
            .wrap(from_fn(api::security::refuse_nul))
            // Outside it, so every answer (rewritten errors included) carries the headers.
            .wrap(from_fn(api::security::headers))
            // Outside the others, so the time counted is the whole answer's.
            .wrap(Condition::new(metrics_on, from_fn(api::metrics::measure)))
            .wrap(TracingLogger::<crate::logging::RequestSpan>::new())
    })
    .workers(workers)
    // Each blocking thread runs one use case on one pooled connection: more threads than
    // connections only wait for the pool, each with its stack and malloc arena (a burst of 200
    // requests would start 200). Per worker, as many as the pool holds.
    .worker_max_blocking_threads(blocking)
    .listen(listener)?;
    let server = match metrics_listener {
        Some(metrics) => server.listen(metrics)?,
        None => server,
    }
    .shutdown_timeout(grace)
    .disable_signals()
    .run();
    Ok(server)
}
