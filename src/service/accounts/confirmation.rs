//! Confirming a parent's email address. The first confirmation of a booking sent to an address
//! not yet confirmed carries a one-time link (`messages::outbox`), and a parent may ask for one
//! on its own; opening it shows the family reads that address, and from then on reminders go
//! there by email too. Booking never waits for it: a family must not be turned away, and
//! messages about their own bookings go to the address they gave whether it is confirmed or not.

use crate::auth::tokens;
use crate::domain::account::Link;
use crate::messages::{self, Tell};
use crate::service::limits::{self, Limit};
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{self, account_tokens::Purpose, families::Family};
use chrono::{DateTime, Utc};

/// Where a confirmation link went, and until when it works.
#[derive(Debug, Clone)]
pub struct LinkSent {
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
}

/// The address the family's messages go to: the family's own, or the account's.
fn address_in_use(tx: &mut Tx, family: &Family) -> Result<String, ServiceError> {
    if !family.email.trim().is_empty() {
        return Ok(family.email.trim().to_lowercase());
    }
    Ok(match family.user_id {
        Some(user) => store::users::find(tx.conn, user)?
            .map(|u| u.email)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// Issues a confirmation link for the family's address and queues the email that carries it.
fn send_link(tx: &mut Tx, user_id: i32, family: &Family) -> Result<LinkSent, ServiceError> {
    let to = address_in_use(tx, family)?;
    let token = tokens::random_secret();
    let expires = tx.now_naive() + Link::ConfirmEmail.lifetime();
    store::account_tokens::issue(
        tx.conn,
        store::account_tokens::NewToken {
            purpose: Purpose::EmailVerification,
            token_hash: &tokens::hash_opaque(&token),
            user_id: Some(user_id),
            family_id: Some(family.id),
            email: &to,
            expires_at: expires,
        },
        tx.now_naive(),
    )?;
    messages::queue(
        tx,
        Tell::AccountLink {
            link: Link::ConfirmEmail,
            token,
            to: to.clone(),
            user_id: Some(user_id),
            family_id: Some(family.id),
        },
    )?;
    Ok(LinkSent {
        sent_to: to,
        expires_at: expires.and_utc(),
    })
}

/// One plain answer for every link that cannot be used, so none tells more than another.
fn link_refused() -> ServiceError {
    ServiceError::field(
        "token",
        "this link has expired or has already been used: you can ask for a new one in your account",
    )
}

/// Opens a confirmation link: the family's address is confirmed if it is still the one the link
/// was sent to. Whoever holds the link acts (no sign-in needed: it may be opened on a phone).
pub async fn confirm_email(services: &Services, token: &str) -> Result<(), ServiceError> {
    let hash = tokens::hash_opaque(token.trim());
    services
        .write(Actor::System, move |tx| {
            let link = store::account_tokens::find(tx.conn, Purpose::EmailVerification, &hash)?
                .filter(|l| l.is_live(tx.now_naive()))
                .ok_or_else(link_refused)?;
            let family = match link.family_id {
                Some(id) => store::families::find(tx.conn, id)?,
                None => None,
            }
            .filter(|f| f.erased_at.is_none())
            .ok_or_else(link_refused)?;
            if address_in_use(tx, &family)? != link.email {
                return Err(ServiceError::field(
                    "token",
                    "this link is for an email address your account no longer uses",
                ));
            }
            if !store::account_tokens::take(tx.conn, link.id, tx.now_naive())? {
                return Err(link_refused());
            }
            store::families::set_email_verified(tx.conn, family.id, &link.email)?;
            if let Some(user) = link.user_id {
                tx.actor = Actor::User {
                    id: user,
                    role: crate::domain::role::Role::Parent,
                };
            }
            tx.audit(Audit {
                action: "email_confirmed",
                entity: "family",
                entity_id: Some(family.id),
                family_id: Some(family.id),
                detail: String::new(),
            });
            Ok(())
        })
        .await
}

/// Sends the acting parent a new confirmation link (the older one stops working). 409 when the
/// address in use is confirmed already.
pub async fn send_again(services: &Services, actor: Actor) -> Result<LinkSent, ServiceError> {
    let user_id = actor.user_id().ok_or(ServiceError::AccountGone)?;
    limits::attempt(
        services,
        Limit::ConfirmationForAccount,
        &user_id.to_string(),
    )
    .await?;
    services
        .write(actor, move |tx| {
            let family = store::families::of_user(tx.conn, user_id)?
                .filter(|f| f.erased_at.is_none())
                .ok_or_else(|| ServiceError::not_found("family"))?;
            let to = address_in_use(tx, &family)?;
            if family.reads(&to) {
                return Err(ServiceError::Conflict(
                    "your email address is confirmed already".into(),
                ));
            }
            send_link(tx, user_id, &family)
        })
        .await
}
