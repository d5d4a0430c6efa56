//! groupwork: the REST API children's centres use to run parent–infant group programmes.
//!
//! Layers (the codemap is `ARCHITECTURE.md` at the top of the repository): `api` (HTTP only:
//! validation, role checks, docs) → `service` (one function per use case: the transaction, the
//! audit events, what changed) → `domain` (pure rules) and `store` (diesel) → `db` (pool,
//! connection enum, schema, migrations). `app` wires them together and is used both by the
//! command line (`main.rs`) and by the integration tests.

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod instruments;
pub mod logging;
pub mod messages;
pub mod retention;
pub mod service;
pub mod shutdown;
pub mod store;

pub use app::{build_state, run_server, AppState};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Config;
