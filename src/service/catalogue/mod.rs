//! What centres offer: the programmes (kinds of group) and the venues they run at.

pub mod listing;
pub mod programmes;
pub mod venues;
