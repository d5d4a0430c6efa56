//! Shared by the scenarios: the server, seeding through the API, latency figures, the report.

pub mod report;
pub mod seed;
pub mod server;
pub mod stats;
