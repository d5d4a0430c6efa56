//! Accounts: registering, signing in and out, who am I, and getting back into an account
//! (password-reset links, a new password, a new address), and claiming a family the centre
//! enrolled with its invitation.

pub mod auth;
pub mod changes;
pub mod confirmation;
pub mod invitation;
pub mod me;
pub mod recovery;
