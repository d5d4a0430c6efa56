//! Administration: logins and staff records.

pub mod staff;
pub mod users;
