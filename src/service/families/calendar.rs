//! A family's own sessions as a calendar feed. Calendar apps cannot send a bearer token, so a
//! parent makes a private link carrying its own secret (only its hash is kept), and can revoke
//! it at any time; making a new one replaces the old.

use crate::auth::tokens::{hash_opaque, random_secret};
use crate::domain::status::{BookingStatus, CohortStatus};
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{
    self,
    cohorts::{Cohort, Session},
    families::Family,
    programmes::Programme,
    venues::Venue,
};

/// Who asks for a family's feed.
#[derive(Debug, Clone)]
pub enum FeedReader {
    /// Anyone holding the secret of the family's private link.
    Link { secret: String },
    /// A signed-in parent, for their own family.
    Parent { user_id: i32 },
}

/// A group the family holds a confirmed place on (or held one on until the centre cancelled the
/// group), with its sessions.
#[derive(Debug, Clone)]
pub struct BookedGroup {
    pub cohort: Cohort,
    pub programme: Programme,
    pub venue: Venue,
    pub sessions: Vec<Session>,
}

/// The family of the acting parent, as the calendar link sees it (an erased one included: its
/// link was blanked with it).
fn linked_family(tx: &mut Tx) -> Result<Family, ServiceError> {
    let user = tx
        .actor
        .user_id()
        .ok_or_else(|| ServiceError::not_found("family"))?;
    store::families::of_user(tx.conn, user)?.ok_or_else(|| ServiceError::not_found("family"))
}

/// Makes (or replaces) the acting parent's private calendar link; the old one stops working.
/// Returns the new secret, which is shown once and never stored. Recorded as
/// `calendar_link_made`.
pub async fn make_calendar_link(services: &Services, actor: Actor) -> Result<String, ServiceError> {
    let secret = random_secret();
    let hash = hash_opaque(&secret);
    services
        .write(actor, move |tx| {
            let f = linked_family(tx)?;
            store::families::set_calendar_token(tx.conn, f.id, Some(&hash))?;
            let detail = if f.calendar_token_hash.is_some() {
                "replaced the previous link"
            } else {
                "new link"
            };
            tx.audit(Audit {
                action: "calendar_link_made",
                entity: "family",
                entity_id: Some(f.id),
                family_id: Some(f.id),
                detail: detail.into(),
            });
            Ok(())
        })
        .await?;
    Ok(secret)
}

/// Revokes the acting parent's calendar link; recorded as `calendar_link_revoked`.
pub async fn revoke_calendar_link(services: &Services, actor: Actor) -> Result<(), ServiceError> {
    services
        .write(actor, move |tx| {
            let f = linked_family(tx)?;
            store::families::set_calendar_token(tx.conn, f.id, None)?;
            let detail = if f.calendar_token_hash.is_some() {
                "revoked"
            } else {
                "there was no link"
            };
            tx.audit(Audit {
                action: "calendar_link_revoked",
                entity: "family",
                entity_id: Some(f.id),
                family_id: Some(f.id),
                detail: detail.into(),
            });
            Ok(())
        })
        .await
}

/// The groups the reader's family holds a confirmed place on, with their sessions (cancelled
/// ones included, for the feed to mark), and the groups the centre cancelled under them: their
/// sessions still to come are cancelled, so the family's calendar drops them (a group the family
/// left themselves was withdrawn from their calendar by the message that told them). An unknown
/// link or a login without a family: not found.
pub async fn booked_groups(
    services: &Services,
    reader: FeedReader,
) -> Result<Vec<BookedGroup>, ServiceError> {
    services
        .read(move |c, _| {
            let family = match reader {
                FeedReader::Link { secret } => {
                    store::families::by_calendar_token(c, &hash_opaque(&secret))?
                }
                FeedReader::Parent { user_id } => store::families::of_user(c, user_id)?,
            }
            .ok_or_else(|| ServiceError::not_found("calendar"))?;
            let mut groups = Vec::new();
            for b in store::bookings::of_family(c, family.id)?
                .into_iter()
                .filter(|b| {
                    matches!(
                        b.status,
                        BookingStatus::Confirmed | BookingStatus::CancelledByCentre
                    )
                })
            {
                let (cohort, programme, venue) = store::cohorts::find_full(c, b.cohort_id)?
                    .ok_or_else(|| ServiceError::not_found("cohort"))?;
                // Only a place the family had (not a wait) on a group the centre cancelled.
                if b.status == BookingStatus::CancelledByCentre
                    && (cohort.status != CohortStatus::Cancelled || b.confirmed_at.is_none())
                {
                    continue;
                }
                let sessions = store::cohorts::sessions_of(c, cohort.id)?;
                groups.push(BookedGroup {
                    cohort,
                    programme,
                    venue,
                    sessions,
                });
            }
            Ok(groups)
        })
        .await
}
