//! Staff logins, made by an admin (parents register themselves), and the changes an admin makes
//! to any account: correcting its name, turning it off (its sessions end at once) or on again.

use crate::domain::role::Role;
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{self, users::User};

/// A staff login to make. The password is hashed already (by the caller, off the async workers).
#[derive(Debug, Clone)]
pub struct NewLogin {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    /// `admin`, `coordinator` or `facilitator`.
    pub role: Role,
}

/// What changes on an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    /// `true` turns the login off (its sessions end), `false` on again.
    pub disabled: Option<bool>,
    pub display_name: Option<String>,
}

/// Only staff logins are made for people: parents register themselves. Checked before the
/// password is hashed, so a refused request costs no hashing.
pub fn check_staff_role(role: Role) -> Result<(), ServiceError> {
    if role.is_staff() {
        return Ok(());
    }
    Err(ServiceError::field(
        "role",
        "parents register themselves; choose admin, coordinator or facilitator",
    ))
}

/// Makes a staff login (an admin, or the service itself for the first admin).
pub async fn create_login(
    services: &Services,
    actor: Actor,
    cmd: NewLogin,
) -> Result<User, ServiceError> {
    check_staff_role(cmd.role)?;
    services
        .write(actor, move |tx| {
            let new = store::users::NewUser {
                email: &cmd.email,
                password_hash: &cmd.password_hash,
                display_name: &cmd.display_name,
                role: cmd.role,
                now: tx.now_naive(),
            };
            store::users::insert(tx.conn, new)
                .map_err(|e| super::email_taken(e, "an account with this email already exists"))
        })
        .await
}

/// Changes an account. An admin cannot disable their own, so there is always an admin left.
/// Turning a login off or on is audited (`account_disabled`, `account_enabled`); turning it off
/// ends its sessions.
pub async fn change_user(
    services: &Services,
    actor: Actor,
    id: i32,
    change: UserChange,
) -> Result<User, ServiceError> {
    if change.disabled == Some(true) && actor.user_id() == Some(id) {
        return Err(ServiceError::Conflict(
            "you cannot disable your own account; another admin can".into(),
        ));
    }
    services
        .write(actor, move |tx| {
            let before =
                store::users::find(tx.conn, id)?.ok_or_else(|| ServiceError::not_found("user"))?;
            if let Some(name) = &change.display_name {
                store::users::set_display_name(tx.conn, id, name)?;
            }
            if let Some(disabled) = change.disabled.filter(|d| *d != before.disabled) {
                store::users::set_disabled(tx.conn, id, disabled, tx.now_naive())?;
                tx.audit(Audit {
                    action: if disabled {
                        "account_disabled"
                    } else {
                        "account_enabled"
                    },
                    entity: "user",
                    entity_id: Some(id),
                    family_id: None,
                    detail: String::new(),
                });
            }
            store::users::find(tx.conn, id)?.ok_or_else(|| ServiceError::not_found("user"))
        })
        .await
}
