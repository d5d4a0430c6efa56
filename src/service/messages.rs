//! The outbox's use cases: taking due messages and recording what the provider said (the
//! delivery workers), queueing the reminders that fell due, and what staff and families see.

use super::{Actor, Audit, ServiceError, Services, Tx};
use crate::domain::message::{self as rules, MessageStatus};
use crate::domain::role::Role;
use crate::domain::status::BookingStatus;
use crate::messages::{outbox, providers::Outcome, Tell};
use crate::service::schedule::zone;
use crate::store::{self, messages::Message, Page};
use chrono::TimeDelta;
use rand::Rng;

/// How delivery retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The first wait; it doubles with each failed try.
    pub base: TimeDelta,
    /// The longest wait.
    pub cap: TimeDelta,
    /// Tries before a message is given up as failed.
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    /// 30 s doubling to an hour, 12 tries: about seven hours of trying in all.
    fn default() -> Self {
        RetryPolicy {
            base: TimeDelta::seconds(30),
            cap: TimeDelta::hours(1),
            max_attempts: 12,
        }
    }
}

/// Takes up to `limit` due messages, leased for `lease`. With `Services::outbox_guard` off (the
/// delivery race test's control) they are taken outside any transaction and lock.
pub async fn claim_due(
    services: &Services,
    lease: TimeDelta,
    limit: i64,
) -> Result<Vec<Message>, ServiceError> {
    let guard = services.outbox_guard;
    let body = move |tx: &mut Tx| {
        let now = tx.now_naive();
        Ok(store::messages::claim(
            tx.conn,
            now,
            now + lease,
            limit,
            guard,
        )?)
    };
    if guard {
        services.write(Actor::System, body).await
    } else {
        services.write_unguarded(Actor::System, body).await
    }
}

/// What a provider said of one message, to record.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub id: i32,
    /// Tries so far, this one included.
    pub attempts: i32,
    pub provider: &'static str,
    pub outcome: Outcome,
}

/// Records a batch of outcomes in one transaction: sent, back in the queue after a backoff
/// with jitter, or failed (refused, or out of tries).
pub async fn record(
    services: &Services,
    policy: RetryPolicy,
    outcomes: Vec<Delivered>,
) -> Result<(), ServiceError> {
    services
        .write(Actor::System, move |tx| {
            let now = tx.now_naive();
            for d in &outcomes {
                match &d.outcome {
                    Outcome::Sent { provider_id } => {
                        store::messages::mark_sent(tx.conn, d.id, d.provider, provider_id, now)?
                    }
                    Outcome::Retry(e) if d.attempts < policy.max_attempts => {
                        let wait = rules::retry_after(
                            d.attempts.max(1) as u32,
                            policy.base,
                            policy.cap,
                            rand::rng().random(),
                        );
                        store::messages::mark_retry(tx.conn, d.id, d.provider, e, now + wait)?
                    }
                    Outcome::Retry(e) => store::messages::mark_failed(
                        tx.conn,
                        d.id,
                        d.provider,
                        &format!("gave up after {} tries: {e}", d.attempts),
                    )?,
                    Outcome::Failed(e) => {
                        store::messages::mark_failed(tx.conn, d.id, d.provider, e)?
                    }
                }
                let gave_up =
                    matches!(d.outcome, Outcome::Retry(_)) && d.attempts >= policy.max_attempts;
                if matches!(d.outcome, Outcome::Sent { .. } | Outcome::Failed(_)) || gave_up {
                    store::messages::forget_link(tx.conn, d.id)?;
                }
            }
            Ok(())
        })
        .await
}

/// Queues the reminders that are due now: for each session of a published group starting more
/// than an hour from now whose programme's reminder time has come, one per family with a
/// confirmed place (and reminders on) who sent no apologies for it (in advance, or as a register
/// mark), once per session time. Returns how many families were reminded now. A session moved
/// after its reminder went gets a new one for its new time.
pub async fn queue_due_reminders(services: &Services) -> Result<usize, ServiceError> {
    services
        .write(Actor::System, move |tx| {
            let now = tx.now;
            let soon = store::cohorts::sessions_starting_between(
                tx.conn,
                (now + rules::REMINDER_CUTOFF).naive_utc(),
                (now + TimeDelta::days(15)).naive_utc(),
            )?;
            let mut reminded = 0;
            for (session, cohort, programme) in soon {
                let Some(rule) = programme.reminder_rule() else {
                    continue;
                };
                let starts = session.starts_at.and_utc();
                let due = rules::reminder_due(rule, starts, zone(&cohort));
                if !rules::reminder_wanted(due, starts, now) {
                    continue;
                }
                // Families who sent apologies for the session are not reminded of it.
                let excused = store::apologies::bookings_excused(tx.conn, session.id)?;
                for b in store::bookings::of_cohort(tx.conn, cohort.id, BookingStatus::Confirmed)? {
                    if excused.contains(&b.id)
                        || !wants_reminder(tx, b.family_id, session.id, &session)?
                    {
                        continue;
                    }
                    outbox::queue(
                        tx,
                        Tell::Reminder {
                            booking_id: b.id,
                            session_id: session.id,
                        },
                    )?;
                    reminded += 1;
                }
            }
            Ok(reminded)
        })
        .await
}

/// Whether a family still has a reminder of this session time to be sent: not erased, reminders
/// on, and not yet reminded on every channel they chose. Checked before the outbox writes the
/// words: the worker looks every minute of the day before, and writing 2,400 reminders' words
/// again only to find each one queued took as long as queueing them.
fn wants_reminder(
    tx: &mut Tx,
    family_id: i32,
    session_id: i32,
    session: &store::cohorts::Session,
) -> Result<bool, ServiceError> {
    let Some(family) = store::families::find(tx.conn, family_id)? else {
        return Ok(false);
    };
    if family.erased_at.is_some() || !family.reminders {
        return Ok(false);
    }
    let key = outbox::reminder_key(session_id, family_id, session);
    for (channel, _) in outbox::reminder_routes(tx, &family)? {
        if !store::messages::dedupe_key_used(tx.conn, &format!("{key}:{channel}"))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What staff may filter messages by, and the page.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    pub filter: store::messages::Filter,
    pub limit: i64,
    pub offset: i64,
}

/// The outbox as coordinators see it, newest first. Each family whose messages are shown is an
/// audited read of that family, as every staff read of a family is.
pub async fn messages(
    services: &Services,
    actor: Actor,
    q: MessageQuery,
) -> Result<Page<Message>, ServiceError> {
    coordinator(actor)?;
    services
        .write(actor, move |tx| {
            let page = store::messages::list(tx.conn, &q.filter, q.limit, q.offset)?;
            let mut shown: Vec<i32> = page.items.iter().filter_map(|m| m.family_id).collect();
            shown.sort_unstable();
            shown.dedup();
            for family in shown {
                tx.audit(Audit {
                    action: "family_read",
                    entity: "family",
                    entity_id: Some(family),
                    family_id: Some(family),
                    detail: "messages".into(),
                });
            }
            Ok(page)
        })
        .await
}

/// One message (coordinators); reading a family's message is a read of that family.
pub async fn message(services: &Services, actor: Actor, id: i32) -> Result<Message, ServiceError> {
    coordinator(actor)?;
    services
        .write(actor, move |tx| {
            let m = store::messages::find(tx.conn, id)?
                .ok_or_else(|| ServiceError::not_found("message"))?;
            if let Some(family) = m.family_id {
                tx.audit(Audit {
                    action: "family_read",
                    entity: "message",
                    entity_id: Some(m.id),
                    family_id: Some(family),
                    detail: "message".into(),
                });
            }
            Ok(m)
        })
        .await
}

/// Sends a message again, as a new message with a new reference (the old one keeps its
/// history). Not for an erased family, whose messages have no words left.
pub async fn resend(services: &Services, actor: Actor, id: i32) -> Result<Message, ServiceError> {
    coordinator(actor)?;
    services
        .write(actor, move |tx| {
            let m = store::messages::find(tx.conn, id)?
                .ok_or_else(|| ServiceError::not_found("message"))?;
            if m.erased_at.is_some() || m.recipient.is_empty() {
                return Err(ServiceError::Conflict(
                    "this message cannot be sent again: it has no address or its family's data \
                     was erased"
                        .into(),
                ));
            }
            if m.kind.carries_link() {
                return Err(ServiceError::Conflict(
                    "this message held a one-time link, which is never sent twice: the family \
                     can ask for a new link, or the centre can invite them again"
                        .into(),
                ));
            }
            let copy = store::messages::NewMessage {
                reference: outbox::new_reference(),
                family_id: m.family_id,
                booking_id: m.booking_id,
                cohort_id: m.cohort_id,
                session_id: m.session_id,
                kind: m.kind,
                channel: m.channel,
                recipient: m.recipient.clone(),
                language: m.language,
                subject: m.subject.clone(),
                body_text: m.body_text.clone(),
                body_html: m.body_html.clone(),
                calendar: m.calendar.clone(),
                dedupe_key: None,
                status: MessageStatus::Queued,
                last_error: String::new(),
                resent_from: Some(m.id),
                staff_id: m.staff_id,
                user_id: m.user_id,
            };
            let new_id = store::messages::insert(tx.conn, &copy, tx.now_naive())?;
            tx.audit(Audit {
                action: "message_resent",
                entity: "message",
                entity_id: Some(new_id),
                family_id: m.family_id,
                detail: format!("{} again as message {new_id}", m.id),
            });
            tx.messages_queued();
            store::messages::find(tx.conn, new_id)?
                .ok_or_else(|| ServiceError::not_found("message"))
        })
        .await
}

/// The acting parent's family's messages, newest first.
pub async fn my_messages(services: &Services, actor: Actor) -> Result<Vec<Message>, ServiceError> {
    services
        .read(move |c, _| {
            let user = actor
                .user_id()
                .ok_or_else(|| ServiceError::not_found("family"))?;
            let family = store::families::of_user(c, user)?
                .ok_or_else(|| ServiceError::not_found("family"))?;
            Ok(store::messages::of_family(c, family.id)?)
        })
        .await
}

fn coordinator(actor: Actor) -> Result<(), ServiceError> {
    match actor.role() {
        None | Some(Role::Admin | Role::Coordinator) => Ok(()),
        Some(_) => Err(ServiceError::Forbidden(
            "only coordinators see the messages sent".into(),
        )),
    }
}
