//! Integration tests: the real app on a loopback port, against SQLite and PostgreSQL.

mod helpers;

mod auth;
mod errors;
mod openapi;
mod schema_check;
