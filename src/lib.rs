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
pub mod messages;
pub mod retention;
pub mod service;
pub mod store;

pub use app::{build_state, run_server, AppState};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Config;

/// reqwest (GOV.UK Notify's client here; the tests' and benches' clients are the same crate
/// once features unify) is built without a TLS provider of its own and panics when a client is
/// made unless the process has a default one: this installs aws-lc-rs, the provider lettre and
/// jsonwebtoken already use. Harmless when one is installed already.
pub fn install_tls_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
