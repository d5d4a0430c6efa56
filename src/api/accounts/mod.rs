//! Accounts: registering, signing in and out, and who am I.

pub mod auth;
pub mod invitation;
pub mod me;
