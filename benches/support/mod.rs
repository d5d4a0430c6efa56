//! Shared by the scenarios: the server (in-process or a child process), the reference server,
//! the load generator, seeding through the API or straight into the database (`bulk`), a local
//! SMTP server that discards what it is sent (`smtp_sink`), latency figures, the report.

pub mod bulk;
pub mod child;
pub mod load;
// Shared with the tests: PostgreSQL databases copied from one migrated template.
#[path = "../../tests/common/pg_template.rs"]
pub mod pg_template;
pub mod reference;
pub mod report;
pub mod seed;
pub mod server;
pub mod smtp_sink;
pub mod stats;
