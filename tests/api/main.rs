//! Integration tests: the real app on a loopback port, against SQLite and PostgreSQL.

// Test code: a failed unwrap is a failed test (the service itself denies these lints).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;
// Shared with tests/faults.rs and the benches: PostgreSQL databases copied from a migrated template.
#[path = "../common/pg_template.rs"]
mod pg_template;
// Shared with tests/faults.rs (which uses all of it).
#[path = "../common/serve_child.rs"]
#[allow(dead_code)]
mod serve_child;
// Headless Chromium through chromedriver, with axe-core.
#[path = "../common/browser.rs"]
mod browser;
// A real SMTP server (aiosmtpd) and the messages it stored.
#[path = "../common/smtp.rs"]
mod smtp;

mod architecture;
mod audit;
mod auth;
mod errors;
mod fixtures;
mod openapi;
mod schema_check;
mod spec_rules;

mod account_changes;
mod accounts;
mod apologies;
mod backups;
mod booking_changes;
mod booking_transfers;
mod bookings;
mod calendar_roles;
mod child_care;
mod cli;
mod closure_apply;
mod closures;
mod cohort_families;
mod cohorts;
mod conflicts;
mod creche_incidents;
mod creche_register;
mod demo;
mod email_confirmation;
mod families;
mod family_enrolment;
mod family_records;
mod follow_ups;
mod geography;
mod group_cancel;
mod invitations;
mod listing_cache;
mod listing_processes;
mod listings;
mod logs;
mod message_languages;
mod messages;
mod messages_notify;
mod messages_smtp;
mod metrics;
mod monitoring;
mod outcomes;
mod owasp;
mod pages;
mod pages_browser;
mod password_reset;
mod programmes;
mod races;
mod races_processes;
mod register_notes;
mod registers;
mod reminders;
mod report_page;
mod reports;
mod retention;
mod roles;
mod rolling_restart;
mod service_booking;
mod shared_limits;
mod shutdown;
mod staff;
mod summary;
mod team;
mod venues;
mod walk_ins;
