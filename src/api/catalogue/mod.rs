//! What centres offer: programmes, venues and their closures, and the public listing of groups.

pub mod closure_apply;
pub mod closures;
pub mod listing_cache;
pub mod listings;
pub mod programme_settings;
pub mod programmes;
pub mod venues;
