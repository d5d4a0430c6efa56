//! The scenarios `cargo bench --bench api` runs; each gets a fresh app per backend.

use crate::support::report::Measurement;
use crate::support::server::BenchApp;

mod booking_burst;
mod growth;
mod listing_processes;
mod messages;
pub mod served;
mod summary_report;

pub struct Scenario {
    pub name: &'static str,
    pub about: &'static str,
    pub run: fn(&BenchApp) -> Result<Measurement, ScenarioError>,
    /// The one backend it is for (`None`: both).
    pub only: Option<crate::support::server::Backend>,
}

/// Why a scenario has no figures.
pub enum ScenarioError {
    /// Something the scenario needs besides the database is not on this machine (the SMTP
    /// server): reported, not a failure.
    NotMeasured(String),
    Failed(String),
}

pub const ALL: &[Scenario] = &[
    booking_burst::SCENARIO,
    summary_report::SCENARIO,
    summary_report::SCENARIO_10X,
    messages::SCENARIO,
    listing_processes::SCENARIO,
    growth::SCENARIO,
];
