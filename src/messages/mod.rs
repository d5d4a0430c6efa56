//! Telling families: the outbox rows a use case writes in its own transaction ([`outbox`]), the
//! words and layouts per language ([`words`], [`compose`]), and the delivery workers that send
//! what is due through a provider and record what it said ([`worker`], [`providers`]).
//!
//! Delivery is at least once: a worker leases the messages it takes; one that dies mid-send
//! leaves them to be taken again when the lease ends, carrying the same reference (SMTP
//! `Message-ID`, Notify `reference`) so that a repeat can be recognised.

pub mod compose;
pub mod notify;
pub mod outbox;
pub mod providers;
pub mod smtp;
pub mod words;
pub mod worker;

pub use outbox::{queue, Tell};
