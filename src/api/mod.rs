//! HTTP: handlers, request/response bodies, validation, role checks and their OpenAPI docs.
//! Handlers call `store` inside `AppState::db` and `domain` for rules; no diesel models here.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod body_shape;
pub mod booking;
pub mod catalogue;
pub mod cohorts;
pub mod docs;
pub mod errors;
pub mod families;
pub mod health;
pub mod json;
pub mod messages;
pub mod metrics;
pub mod monitoring;
pub mod pages;
pub mod registers;
pub mod security;
pub mod spec_rules;

use crate::error::ApiError;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub use docs::openapi;

/// All routes; collected by utoipa-actix-web for the OpenAPI document as well.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::health)
        .service(pages::programme)
        .service(pages::group_page)
        .service(pages::print_page)
        .service(pages::programme_ics)
        .service(pages::style)
        .service(pages::frame_script)
        .service(pages::embed_script)
        .service(monitoring::report_page::summary_html)
        .service(monitoring::report_page::report_style)
        .service(
            scope("/api/v1")
                .service(accounts::auth::register)
                .service(accounts::auth::login)
                .service(accounts::auth::refresh)
                .service(accounts::auth::logout)
                .service(accounts::invitation::accept_invitation)
                .service(accounts::me::me)
                .service(accounts::confirmation::confirm_email)
                .service(accounts::confirmation::send_confirmation_again)
                .service(accounts::recovery::request_password_reset)
                .service(accounts::recovery::confirm_password_reset)
                .service(accounts::recovery::confirm_email_change)
                .service(accounts::changes::change_password)
                .service(accounts::changes::change_email)
                .service(admin::users::create_user)
                .service(admin::users::list_users)
                .service(admin::users::get_user)
                .service(admin::users::update_user)
                .service(catalogue::programmes::list_programmes)
                .service(catalogue::programmes::get_programme)
                .service(catalogue::programmes::create_programme)
                .service(catalogue::programme_settings::update_programme)
                .service(catalogue::venues::list_venues)
                .service(catalogue::venues::get_venue)
                .service(catalogue::venues::create_venue)
                .service(catalogue::venues::update_venue)
                .service(catalogue::closures::list_closures)
                .service(catalogue::closures::create_closure)
                .service(catalogue::closures::add_bank_holiday_change)
                .service(catalogue::closures::delete_closure)
                .service(catalogue::closure_apply::apply_closure)
                .service(admin::staff::create_staff)
                .service(admin::staff::list_staff)
                .service(admin::staff::get_staff)
                .service(admin::staff::update_staff)
                .service(cohorts::create_cohort)
                .service(cohorts::list_cohorts)
                .service(cohorts::get_cohort)
                .service(cohorts::changes::update_cohort)
                .service(cohorts::changes::publish_cohort)
                .service(cohorts::changes::cancel_cohort)
                .service(cohorts::team::set_team)
                .service(cohorts::team::my_cohorts)
                .service(cohorts::sessions::update_session)
                .service(catalogue::listings::listings)
                .service(catalogue::listings::listings_ics)
                .service(catalogue::listings::listing_one)
                .service(families::my_family)
                .service(families::update_family)
                .service(families::children::add_child)
                .service(families::children::get_child)
                .service(families::children::update_child)
                .service(families::children::delete_child)
                .service(families::care::my_contacts)
                .service(families::care::set_contacts)
                .service(families::care::my_collectors)
                .service(families::care::add_collector)
                .service(families::care::remove_collector)
                .service(families::care::child_care)
                .service(families::erase_my_family)
                .service(families::records::export_family)
                .service(families::records::erase)
                .service(families::enrolment::enrol_family)
                .service(families::enrolment::find_families)
                .service(families::enrolment::get_family)
                .service(families::enrolment::change_family)
                .service(families::enrolment::invite_family)
                .service(booking::book)
                .service(cohorts::families::cohort_bookings)
                .service(families::calendar::make_link)
                .service(families::calendar::revoke_link)
                .service(families::calendar::family_feed)
                .service(booking::get_booking)
                .service(booking::cancel_booking)
                .service(booking::changes::change_booking)
                .service(booking::changes::transfer_booking)
                .service(booking::mine::my_bookings)
                .service(booking::mine::my_notifications)
                .service(booking::apologies::send_apologies)
                .service(booking::apologies::my_apologies)
                .service(booking::apologies::my_apology)
                .service(booking::apologies::withdraw_apologies)
                .service(booking::apologies::take_apologies)
                .service(booking::apologies::get_apology)
                .service(messages::list_messages)
                .service(messages::get_message)
                .service(messages::resend_message)
                .service(messages::my_messages)
                .service(registers::get_register)
                .service(registers::put_register)
                .service(registers::key_persons::list_key_persons)
                .service(registers::key_persons::assign_key_person)
                .service(registers::key_persons::remove_key_person)
                .service(registers::incidents::record_incident)
                .service(registers::incidents::session_incidents)
                .service(registers::incidents::incidents_in_period)
                .service(registers::incidents::get_incident)
                .service(registers::incidents::my_incidents)
                .service(registers::incidents::acknowledge_incident)
                .service(registers::walk_ins::add_walk_in)
                .service(registers::follow_ups::list_follow_ups)
                .service(registers::follow_ups::update_follow_up)
                .service(cohorts::summary::cohort_summary)
                .service(monitoring::audit::list_audit)
                .service(registers::outcomes::record_outcome)
                .service(registers::outcomes::booking_outcomes)
                .service(registers::outcomes::get_outcome)
                .service(registers::outcomes::correct_outcome)
                .service(monitoring::reports::summary_report)
                .service(monitoring::report_page::summary_link),
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

/// `must be one of a, b, c`: what a 422 says of a value outside a fixed set.
pub(crate) fn one_of<T: Copy + std::fmt::Display>(all: &[T]) -> String {
    let texts: Vec<String> = all.iter().map(T::to_string).collect();
    format!("must be one of {}", texts.join(", "))
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
