//! Integration tests: the real app on a loopback port, against SQLite and PostgreSQL.

mod helpers;

mod auth;
mod errors;
mod fixtures;
mod openapi;
mod schema_check;

mod bookings;
mod calendar_roles;
mod cli;
mod closures;
mod cohort_families;
mod cohorts;
mod demo;
mod families;
mod listings;
mod programmes;
mod races;
mod races_processes;
mod roles;
mod staff;
mod team;
mod venues;
