//! Pure rules of the practice: no I/O, no diesel, no actix. Each module is unit-tested directly.

pub mod account;
pub mod apology;
pub mod calendar;
pub mod cohort;
pub mod creche;
pub mod eligibility;
pub mod family;
pub mod geography;
pub mod ics;
pub mod incident;
pub mod message;
pub mod monitoring;
pub mod password;
pub mod postcode;
pub mod programme;
pub mod register;
pub mod report;
pub mod role;
pub mod status;
pub mod team;
pub mod ward;
