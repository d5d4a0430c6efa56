//! A parent registering: their account and their family's record are made together (every
//! parent has exactly one family), the registration opens the family's audit trail, and they
//! are signed in.

use super::sessions::{self, SignedIn};
use crate::domain::role::Role;
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store;

/// A parent's sign-up. The password is hashed already (by the caller, off the async workers).
#[derive(Debug, Clone)]
pub struct RegisterParent {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    /// How long the first session's refresh token lasts.
    pub session_days: i64,
}

/// Registers a parent with their family and signs them in, in one transaction. The audit trail
/// records the family's creation by the new parent themselves.
pub async fn register_parent(
    services: &Services,
    cmd: RegisterParent,
) -> Result<SignedIn, ServiceError> {
    services
        .write(Actor::System, move |tx| {
            let now = tx.now_naive();
            let new = store::users::NewUser {
                email: &cmd.email,
                password_hash: &cmd.password_hash,
                display_name: &cmd.display_name,
                role: Role::Parent,
                now,
            };
            let user = store::users::insert(tx.conn, new).map_err(|e| {
                super::email_taken(
                    e,
                    "an account with this email already exists; log in instead",
                )
            })?;
            // From here the new parent is the one acting: they made their family's record.
            tx.actor = Actor::User {
                id: user.id,
                role: Role::Parent,
            };
            let family = store::families::create_for_user(
                tx.conn,
                user.id,
                user.display_name.as_str(),
                user.email.as_str(),
                now,
            )?;
            tx.audit(Audit {
                action: "family_created",
                entity: "family",
                entity_id: Some(family.id),
                family_id: Some(family.id),
                detail: "registered".into(),
            });
            // No email yet: the first confirmation of a booking carries the link that confirms
            // the address (and booking never waits for it).
            let refresh_token = sessions::start(tx, user.id, cmd.session_days)?;
            Ok(SignedIn {
                user,
                refresh_token,
            })
        })
        .await
}
