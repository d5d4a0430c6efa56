//! Integration tests: the real app on a loopback port, against SQLite and PostgreSQL.

mod helpers;

mod auth;
mod errors;
mod fixtures;
mod openapi;
mod schema_check;

mod cohorts;
mod listings;
mod staff;
mod team;
mod venues;
mod programmes;
mod roles;
mod cli;
mod demo;
