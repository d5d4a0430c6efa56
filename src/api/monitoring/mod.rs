//! Monitoring: the figures funders ask for, and the audit trail.

pub mod audit;
pub mod charts;
pub mod report_page;
pub mod reports;
