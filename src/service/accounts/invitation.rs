//! A family the centre enrolled takes over its record: staff send an invitation (a one-time
//! link by email, good for 14 days, only the newest working), and the parent who opens it sets
//! a password. Their login then owns the family, with the bookings staff made, and the address
//! the link went to counts as one they read.

use super::sessions::{self, SignedIn};
use crate::auth::tokens;
use crate::domain::account::Link;
use crate::domain::role::Role;
use crate::messages::Tell;
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{
    self,
    account_tokens::{NewToken, Purpose},
};
use chrono::NaiveDateTime;

/// Where the invitation went, and until when its link works.
#[derive(Debug, Clone)]
pub struct Invited {
    pub sent_to: String,
    pub expires_at: NaiveDateTime,
}

/// A parent claiming their family with the invitation's link. The password is checked and
/// hashed already (by the caller, off the async workers).
#[derive(Debug, Clone)]
pub struct AcceptInvitation {
    pub token: String,
    pub password_hash: String,
    /// The name the account shows; the family's first carer when not given.
    pub display_name: Option<String>,
    pub session_days: i64,
}

/// The one answer to every link that cannot be used, so a link tells nothing of a family.
pub fn link_unusable() -> ServiceError {
    ServiceError::field(
        "token",
        "this link has expired or has already been used: ask the centre to send a new one",
    )
}

/// Invites a family without an account to claim its record (coordinators): a new link, by
/// email to the family's address, replacing any sent before. Recorded as `family_invited`.
pub async fn invite_family(
    services: &Services,
    actor: Actor,
    family_id: i32,
) -> Result<Invited, ServiceError> {
    services
        .write(actor, move |tx| {
            let f = store::families::find(tx.conn, family_id)?
                .filter(|f| f.erased_at.is_none())
                .ok_or_else(|| ServiceError::not_found("family"))?;
            if f.user_id.is_some() {
                return Err(ServiceError::Conflict(
                    "this family has an account already: they sign in with it".into(),
                ));
            }
            let email = f.email.trim().to_lowercase();
            if email.is_empty() {
                return Err(ServiceError::field(
                    "email",
                    "the family has no email address to send the invitation to: add one first",
                ));
            }
            if store::users::find_by_email(tx.conn, &email)?.is_some() {
                return Err(ServiceError::Conflict(
                    "an account already uses this email address: is this family recorded twice?"
                        .into(),
                ));
            }
            let token = tokens::random_secret();
            let now = tx.now_naive();
            let expires_at = now + Link::Invitation.lifetime();
            let new = NewToken {
                purpose: Purpose::Invitation,
                token_hash: &tokens::hash_opaque(&token),
                user_id: None,
                family_id: Some(f.id),
                email: &email,
                expires_at,
            };
            store::account_tokens::issue(tx.conn, new, now)?;
            crate::messages::queue(
                tx,
                Tell::AccountLink {
                    link: Link::Invitation,
                    token,
                    to: email.clone(),
                    user_id: None,
                    family_id: Some(f.id),
                },
            )?;
            tx.audit(Audit {
                action: "family_invited",
                entity: "family",
                entity_id: Some(f.id),
                family_id: Some(f.id),
                detail: format!("link for {} days", Link::Invitation.lifetime().num_days()),
            });
            Ok(Invited {
                sent_to: email,
                expires_at,
            })
        })
        .await
}

/// Claims a family with its invitation (the parent, not signed in): the link is used up, the
/// parent's login is made with the address the link went to, the family becomes theirs, and
/// they are signed in, all in one transaction. A link that is unknown, used, replaced, expired,
/// or whose family was erased or claimed already is refused the same way; a login that already
/// uses the address is a conflict.
pub async fn accept_invitation(
    services: &Services,
    cmd: AcceptInvitation,
) -> Result<SignedIn, ServiceError> {
    let hash = tokens::hash_opaque(cmd.token.trim());
    services
        .write(Actor::System, move |tx| {
            let now = tx.now_naive();
            let link = store::account_tokens::find(tx.conn, Purpose::Invitation, &hash)?
                .filter(|t| t.is_live(now))
                .ok_or_else(link_unusable)?;
            let family = link
                .family_id
                .map(|id| store::families::find(tx.conn, id))
                .transpose()?
                .flatten()
                .filter(|f| f.erased_at.is_none() && f.user_id.is_none())
                .ok_or_else(link_unusable)?;
            // Taken by a conditional update: of two clicks at once, one wins.
            if !store::account_tokens::take(tx.conn, link.id, now)? {
                return Err(link_unusable());
            }
            let name = cmd
                .display_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(&family.carer_one);
            let new = store::users::NewUser {
                email: &link.email,
                password_hash: &cmd.password_hash,
                display_name: name,
                role: Role::Parent,
                now,
            };
            let user = store::users::insert(tx.conn, new).map_err(|e| {
                super::email_taken(
                    e,
                    "an account with this email already exists: sign in with it, and ask the centre to join the two records",
                )
            })?;
            tx.actor = Actor::User {
                id: user.id,
                role: Role::Parent,
            };
            if !store::families::claim(tx.conn, family.id, user.id, &link.email, now)? {
                return Err(link_unusable());
            }
            tx.audit(Audit {
                action: "family_claimed",
                entity: "family",
                entity_id: Some(family.id),
                family_id: Some(family.id),
                detail: "invitation".into(),
            });
            let refresh_token = sessions::start(tx, user.id, cmd.session_days)?;
            Ok(SignedIn {
                user,
                refresh_token,
            })
        })
        .await
}
