//! A parent moves their account to a new email address. The new address must prove it is theirs
//! (a link sent there); until the link is opened the account keeps signing in with the old one,
//! and once it is, the old address is told, so a change made by someone else does not go unseen.

use super::passwords::link_refused;
use super::sessions::confirm_own_password;
use crate::auth::tokens;
use crate::domain::account::Link;
use crate::domain::message::MessageKind;
use crate::messages::{queue, Tell};
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{self, account_tokens::Purpose};
use chrono::{DateTime, Utc};

const TAKEN: &str = "another account uses this email address";

/// A signed-in parent asks to move their account to `new_email`.
#[derive(Debug, Clone)]
pub struct RequestEmailChange {
    pub user_id: i32,
    pub new_email: String,
    /// The account's password, to confirm it is its owner asking.
    pub password: String,
}

/// Where the link went and until when it works.
#[derive(Debug, Clone)]
pub struct EmailChangeSent {
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
}

/// Sends a link to the new address (older change links end). The password is checked first,
/// against the account's lockout. The same address as now is a field error on `new_email`;
/// an address another login uses is a conflict.
pub async fn request_email_change(
    services: &Services,
    cmd: RequestEmailChange,
) -> Result<EmailChangeSent, ServiceError> {
    let user = confirm_own_password(services, cmd.user_id, cmd.password, "password").await?;
    let new_email = store::users::normalise_email(&cmd.new_email);
    if new_email == user.email {
        return Err(ServiceError::field(
            "new_email",
            "is already this account's address",
        ));
    }
    let actor = Actor::User {
        id: user.id,
        role: user.role(),
    };
    services
        .write(actor, move |tx| {
            if store::users::find_by_email(tx.conn, &new_email)?.is_some() {
                return Err(ServiceError::Conflict(TAKEN.into()));
            }
            let family_id = store::families::of_user(tx.conn, user.id)?.map(|f| f.id);
            let token = tokens::random_secret();
            let now = tx.now_naive();
            let expires_at = now + Link::EmailChange.lifetime();
            let new = store::account_tokens::NewToken {
                purpose: Purpose::EmailChange,
                token_hash: &tokens::hash_opaque(&token),
                user_id: Some(user.id),
                family_id,
                email: &new_email,
                expires_at,
            };
            store::account_tokens::issue(tx.conn, new, now)?;
            tx.audit(Audit {
                action: "email_change_requested",
                entity: "user",
                entity_id: Some(user.id),
                family_id,
                detail: "link sent to the new address".into(),
            });
            queue(
                tx,
                Tell::AccountLink {
                    link: Link::EmailChange,
                    token,
                    to: new_email.clone(),
                    user_id: Some(user.id),
                    family_id,
                },
            )?;
            Ok(EmailChangeSent {
                sent_to: new_email.clone(),
                expires_at: expires_at.and_utc(),
            })
        })
        .await
}

/// Opens a change-of-address link: the account signs in with the new address from now on, the
/// family's contact address follows when it was the old one (or empty), the new address counts
/// as one the family reads, reset links sent to the old address end, and the old address is told.
/// The link works once; an address another login took meanwhile is a conflict.
pub async fn confirm_email_change(services: &Services, token: String) -> Result<(), ServiceError> {
    let presented = tokens::hash_opaque(token.trim());
    services
        .write(Actor::System, move |tx| {
            let now = tx.now_naive();
            let link = store::account_tokens::find(tx.conn, Purpose::EmailChange, &presented)?
                .filter(|l| l.is_live(now))
                .ok_or_else(link_refused)?;
            let user = link
                .user_id
                .map(|id| store::users::find(tx.conn, id))
                .transpose()?
                .flatten()
                .filter(|u| !u.disabled)
                .ok_or_else(link_refused)?;
            if !store::account_tokens::take(tx.conn, link.id, now)? {
                return Err(link_refused());
            }
            tx.actor = Actor::User {
                id: user.id,
                role: user.role(),
            };
            let (old, new) = (user.email.clone(), link.email.clone());
            let holder = store::users::find_by_email(tx.conn, &new)?;
            if holder.is_some_and(|other| other.id != user.id) {
                return Err(ServiceError::Conflict(TAKEN.into()));
            }
            store::users::set_email(tx.conn, user.id, &new)
                .map_err(|e| super::email_taken(e, TAKEN))?;
            store::account_tokens::revoke_for_user(tx.conn, user.id, Purpose::PasswordReset, now)?;
            let family = store::families::of_user(tx.conn, user.id)?;
            if let Some(f) = &family {
                if f.email.trim().is_empty() || f.email.trim().eq_ignore_ascii_case(&old) {
                    store::families::set_email(tx.conn, f.id, &new, now)?;
                }
                store::families::set_email_verified(tx.conn, f.id, &new)?;
            }
            tx.audit(Audit {
                action: "email_changed",
                entity: "user",
                entity_id: Some(user.id),
                family_id: family.map(|f| f.id),
                detail: "confirmed from the new address".into(),
            });
            queue(
                tx,
                Tell::AccountNotice {
                    kind: MessageKind::AccountEmailChanged,
                    to: old,
                    user_id: user.id,
                    new_email: new,
                },
            )
        })
        .await
}
