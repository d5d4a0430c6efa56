//! Crash and fault tests: real `groupwork serve` child processes, killed with SIGKILL during a
//! booking storm and mid-delivery, delivering one outbox two at a time, cut off from a
//! restarting PostgreSQL, and writing to SQLite on a full disk.
//! Everything is loopback-only and bounded in time; children, databases and mounts are removed
//! by Drop guards even when an assertion fails.
//!
//! `cargo test` runs the kill -9 and delivery tests (each on its own database and SMTP server). The PostgreSQL restart and the
//! full-disk tests disturb the machine (every PostgreSQL client; a tmpfs mount as root), so they
//! are `#[ignore]`d and `.ci/run` runs them alone:
//! `cargo test --test faults -- --ignored --test-threads=1`.

// Test code: a failed unwrap is a failed test (the service itself denies these lints).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// A test crate's root looks for modules beside it, so the submodules are named by path.
#[path = "common/serve_child.rs"]
#[allow(dead_code)]
mod serve_child;

// Shared with tests/api and the benches: PostgreSQL databases copied from a migrated template.
#[path = "common/pg_template.rs"]
mod pg_template;

// A real SMTP server (aiosmtpd), shared with tests/api.
#[path = "common/smtp.rs"]
#[allow(dead_code)]
mod smtp;

#[path = "faults/seed.rs"]
mod seed;
#[path = "faults/server.rs"]
mod server;

#[path = "faults/delivery.rs"]
mod delivery;
#[path = "faults/disk_full.rs"]
mod disk_full;
#[path = "faults/kill9.rs"]
mod kill9;
#[path = "faults/pg_restart.rs"]
mod pg_restart;
