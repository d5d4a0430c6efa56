//! HTTP: handlers, request/response bodies, validation, role checks and their OpenAPI docs.
//! Handlers call `store` inside `AppState::db` and `domain` for rules; no diesel models here.

pub mod access;
pub mod audit;
mod auth;
mod bookings;
mod children;
mod closures;
mod cohort_changes;
mod cohort_families;
mod cohort_summary;
mod cohort_views;
mod cohorts;
pub mod docs;
pub mod errors;
mod family;
mod family_calendar;
pub mod family_records;
mod follow_ups;
mod health;
pub mod json;
pub mod listing_cache;
mod listings;
mod me;
mod my_bookings;
mod outcomes;
mod programme_settings;
mod programmes;
mod register;
mod register_view;
mod reports;
pub mod security;
mod sessions;
mod staff;
mod team;
mod users;
mod venues;
mod waiting_list;

use crate::error::ApiError;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub use docs::openapi;

/// All routes; collected by utoipa-actix-web for the OpenAPI document as well.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::health).service(
        scope("/api/v1")
            .service(auth::register)
            .service(auth::login)
            .service(auth::refresh)
            .service(auth::logout)
            .service(me::me)
            .service(users::create_user)
            .service(users::list_users)
            .service(users::get_user)
            .service(users::update_user)
            .service(programmes::list_programmes)
            .service(programmes::get_programme)
            .service(programmes::create_programme)
            .service(programme_settings::update_programme)
            .service(venues::list_venues)
            .service(venues::get_venue)
            .service(venues::create_venue)
            .service(venues::update_venue)
            .service(closures::list_closures)
            .service(closures::create_closure)
            .service(closures::add_bank_holiday_change)
            .service(closures::delete_closure)
            .service(staff::create_staff)
            .service(staff::list_staff)
            .service(staff::get_staff)
            .service(staff::update_staff)
            .service(cohorts::create_cohort)
            .service(cohorts::list_cohorts)
            .service(cohorts::get_cohort)
            .service(cohort_changes::update_cohort)
            .service(cohort_changes::publish_cohort)
            .service(cohort_changes::cancel_cohort)
            .service(team::set_team)
            .service(team::my_cohorts)
            .service(sessions::update_session)
            .service(listings::listings)
            .service(listings::listings_ics)
            .service(family::my_family)
            .service(family::update_family)
            .service(children::add_child)
            .service(children::get_child)
            .service(children::update_child)
            .service(children::delete_child)
            .service(family::erase_my_family)
            .service(family_records::export_family)
            .service(family_records::erase)
            .service(bookings::book)
            .service(cohort_families::cohort_bookings)
            .service(family_calendar::make_link)
            .service(family_calendar::revoke_link)
            .service(family_calendar::family_feed)
            .service(bookings::get_booking)
            .service(bookings::cancel_booking)
            .service(my_bookings::my_bookings)
            .service(my_bookings::my_notifications)
            .service(register::get_register)
            .service(register::put_register)
            .service(follow_ups::list_follow_ups)
            .service(follow_ups::update_follow_up)
            .service(cohort_summary::cohort_summary)
            .service(audit::list_audit)
            .service(outcomes::record_outcome)
            .service(outcomes::booking_outcomes)
            .service(outcomes::get_outcome)
            .service(outcomes::correct_outcome)
            .service(reports::summary_report),
    );
}

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// `limit` (1–100, default 20) and `offset` (default 0) for every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many items to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// How many items to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

impl PageQuery {
    /// The checked `(limit, offset)`, or a 422 naming the field.
    pub fn checked(&self) -> Result<(i64, i64), ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        let offset = self.offset.unwrap_or(0);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::field(
                "limit",
                format!("must be from 1 to {MAX_LIMIT}"),
            ));
        }
        if offset < 0 {
            return Err(ApiError::field("offset", "must not be negative"));
        }
        Ok((limit, offset))
    }
}

/// Instants leave the service as RFC 3339 in UTC.
pub fn utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

/// Validates a body with `validator` and turns failures into a 422.
pub fn validate(body: &impl validator::Validate) -> Result<(), ApiError> {
    ApiError::check_fields(field_errors(body))
}

/// The `validator` failures of a body as field → messages, to merge with rule checks.
pub fn field_errors(body: &impl validator::Validate) -> crate::error::FieldErrors {
    match body.validate() {
        Ok(()) => Default::default(),
        Err(e) => crate::error::field_errors_of(&e),
    }
}
