//! Accounts: registering, signing in and out, who am I, and getting back into an account
//! (password-reset links, a new password, a new address).

pub mod auth;
pub mod changes;
pub mod confirmation;
pub mod me;
pub mod recovery;
