//! The audit trail's own use case: recording a refused attempt to reach family data (a 403 or
//! 404 to a signed-in caller), which may be someone trying to reach a family not theirs.

use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store;

/// What a refused request named directly, when it named a family's record.
#[derive(Debug, Clone, Copy)]
pub enum Named {
    Booking(i32),
    Family(i32),
    Child(i32),
}

/// A request for family data that was refused.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub method: String,
    pub path: String,
    /// The status the caller got: 403 or 404.
    pub status: u16,
    pub named: Option<Named>,
}

/// Records `access_refused` for the acting user, with the family the request named when it can
/// be told (a booking that does not exist names none).
pub async fn record_refusal(
    services: &Services,
    actor: Actor,
    refusal: Refusal,
) -> Result<(), ServiceError> {
    services
        .write(actor, move |tx| {
            let family_id = match refusal.named {
                Some(Named::Booking(id)) => store::bookings::find(tx.conn, id)
                    .ok()
                    .flatten()
                    .map(|b| b.family_id),
                Some(Named::Family(id)) => Some(id),
                Some(Named::Child(id)) => store::families::find_child(tx.conn, id)
                    .ok()
                    .flatten()
                    .map(|c| c.family_id),
                None => None,
            };
            let role = tx.actor.role().map_or("system", |r| r.as_str());
            tx.audit(Audit {
                action: "access_refused",
                entity: "request",
                entity_id: None,
                family_id,
                detail: format!(
                    "{} {} → {} (as {role})",
                    refusal.method, refusal.path, refusal.status
                ),
            });
            Ok(())
        })
        .await
}
