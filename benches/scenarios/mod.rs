//! The scenarios `cargo bench --bench api` runs; each gets a fresh app per backend.

use crate::support::report::Measurement;
use crate::support::server::BenchApp;

mod booking_burst;
pub mod served;
mod summary_report;

pub struct Scenario {
    pub name: &'static str,
    pub about: &'static str,
    pub run: fn(&BenchApp) -> Result<Measurement, String>,
}

pub const ALL: &[Scenario] = &[booking_burst::SCENARIO, summary_report::SCENARIO];
