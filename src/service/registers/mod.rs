//! Registers: the facilitators mark attendance and crèche workers sign children in and out.

mod access;

pub use access::{team_access, TeamAccess};
