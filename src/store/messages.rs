//! The outbox: messages written in the transaction of the change that causes them, claimed by
//! delivery workers, and marked with what the provider said.

use super::Page;
use crate::db::schema::messages as ms;
use crate::db::DbConnection;
use crate::domain::message::{Channel, Language, MessageKind, MessageStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Message {
    pub id: i32,
    pub reference: String,
    pub family_id: Option<i32>,
    pub booking_id: Option<i32>,
    pub cohort_id: Option<i32>,
    pub session_id: Option<i32>,
    #[diesel(deserialize_as = String)]
    pub kind: MessageKind,
    #[diesel(deserialize_as = String)]
    pub channel: Channel,
    pub recipient: String,
    #[diesel(deserialize_as = String)]
    pub language: Language,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub calendar: String,
    pub dedupe_key: Option<String>,
    #[diesel(deserialize_as = String)]
    pub status: MessageStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub provider: String,
    pub provider_id: String,
    pub last_error: String,
    pub resent_from: Option<i32>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub erased_at: Option<NaiveDateTime>,
    /// A message to a member of a cohort's team (then `family_id` is none).
    pub staff_id: Option<i32>,
    /// A message about an account (a link, a notice): the account it belongs to.
    pub user_id: Option<i32>,
}

/// A message to write to the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub reference: String,
    pub family_id: Option<i32>,
    pub booking_id: Option<i32>,
    pub cohort_id: Option<i32>,
    pub session_id: Option<i32>,
    pub kind: MessageKind,
    pub channel: Channel,
    pub recipient: String,
    pub language: Language,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub calendar: String,
    pub dedupe_key: Option<String>,
    /// `Queued`, or `Failed` (with `last_error`) when there is nowhere to send it.
    pub status: MessageStatus,
    pub last_error: String,
    pub resent_from: Option<i32>,
    /// To a member of a cohort's team (then `family_id` is none).
    pub staff_id: Option<i32>,
    /// About an account (a link, a notice).
    pub user_id: Option<i32>,
}

pub fn insert(conn: &mut DbConnection, m: &NewMessage, now: NaiveDateTime) -> QueryResult<i32> {
    diesel::insert_into(ms::table)
        .values((
            ms::reference.eq(&m.reference),
            ms::family_id.eq(m.family_id),
            ms::booking_id.eq(m.booking_id),
            ms::cohort_id.eq(m.cohort_id),
            ms::session_id.eq(m.session_id),
            ms::kind.eq(m.kind.as_str()),
            ms::channel.eq(m.channel.as_str()),
            ms::recipient.eq(&m.recipient),
            ms::language.eq(m.language.as_str()),
            ms::subject.eq(&m.subject),
            ms::body_text.eq(&m.body_text),
            ms::body_html.eq(&m.body_html),
            ms::calendar.eq(&m.calendar),
            ms::dedupe_key.eq(&m.dedupe_key),
            ms::status.eq(m.status.as_str()),
            ms::last_error.eq(&m.last_error),
            ms::resent_from.eq(m.resent_from),
            ms::staff_id.eq(m.staff_id),
            ms::user_id.eq(m.user_id),
            ms::next_attempt_at.eq(now),
            ms::created_at.eq(now),
        ))
        .returning(ms::id)
        .get_result(conn)
}

/// Whether a message with this dedupe key was ever queued.
pub fn dedupe_key_used(conn: &mut DbConnection, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        ms::table.filter(ms::dedupe_key.eq(key)),
    ))
    .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Message>> {
    ms::table.find(id).first(conn).optional()
}

/// Takes up to `limit` messages that are due (queued and due, or sending with an expired
/// lease: its worker died) and marks them `sending` until `lease_until`, counting an attempt.
/// On PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED`, so workers in any number of
/// processes each take different messages; on SQLite the write transaction is already the only
/// one. Call inside a write transaction.
///
/// `guarded == false` is the delivery race test's control (`Services::outbox_guard`): the naive
/// read-the-due-ids-then-mark-them, with no lock and a window between the two, so two workers
/// can be seen taking the same messages.
pub fn claim(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
    guarded: bool,
) -> QueryResult<Vec<Message>> {
    let due = ms::table
        .select(ms::id)
        .filter(ms::status.eq_any([
            MessageStatus::Queued.as_str(),
            MessageStatus::Sending.as_str(),
        ]))
        .filter(ms::next_attempt_at.le(now))
        .order((ms::next_attempt_at, ms::id))
        .limit(limit);
    let ids: Vec<i32> = match conn {
        DbConnection::Postgres(pg) if guarded => due.for_update().skip_locked().load(pg)?,
        DbConnection::Postgres(pg) => due.load(pg)?,
        DbConnection::Sqlite(lite) => due.load(lite)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if !guarded {
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    diesel::update(ms::table.filter(ms::id.eq_any(&ids)))
        .set((
            ms::status.eq(MessageStatus::Sending.as_str()),
            ms::attempts.eq(ms::attempts + 1),
            ms::next_attempt_at.eq(lease_until),
        ))
        .execute(conn)?;
    ms::table
        .filter(ms::id.eq_any(&ids))
        .order((ms::next_attempt_at, ms::id))
        .load(conn)
}

/// The provider took the message.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: i32,
    provider: &str,
    provider_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(ms::table.find(id))
        .set((
            ms::status.eq(MessageStatus::Sent.as_str()),
            ms::provider.eq(provider),
            ms::provider_id.eq(provider_id),
            ms::last_error.eq(""),
            ms::sent_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A temporary failure: try again at `next`. Only a message still being sent goes back to the
/// queue (one erased meanwhile stays cancelled).
pub fn mark_retry(
    conn: &mut DbConnection,
    id: i32,
    provider: &str,
    error: &str,
    next: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        ms::table
            .find(id)
            .filter(ms::status.eq(MessageStatus::Sending.as_str())),
    )
    .set((
        ms::status.eq(MessageStatus::Queued.as_str()),
        ms::provider.eq(provider),
        ms::last_error.eq(error),
        ms::next_attempt_at.eq(next),
    ))
    .execute(conn)?;
    Ok(())
}

/// Refused for good, or out of attempts.
/// Forgets the words of a delivered (or given up) message that carried a one-time link: the
/// outbox keeps that it went, never a working link.
pub fn forget_link(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    let kinds: Vec<&str> = MessageKind::ALL
        .iter()
        .filter(|k| k.carries_link())
        .map(|k| k.as_str())
        .collect();
    diesel::update(ms::table.find(id).filter(ms::kind.eq_any(kinds)))
        .set((
            ms::body_text.eq(crate::domain::message::LINK_FORGOTTEN),
            ms::body_html.eq(""),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn mark_failed(
    conn: &mut DbConnection,
    id: i32,
    provider: &str,
    error: &str,
) -> QueryResult<()> {
    diesel::update(
        ms::table
            .find(id)
            .filter(ms::status.eq(MessageStatus::Sending.as_str())),
    )
    .set((
        ms::status.eq(MessageStatus::Failed.as_str()),
        ms::provider.eq(provider),
        ms::last_error.eq(error),
    ))
    .execute(conn)?;
    Ok(())
}

/// What staff may filter the outbox by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub family_id: Option<i32>,
    /// One team member's messages.
    pub staff_id: Option<i32>,
    pub cohort_id: Option<i32>,
    pub kind: Option<MessageKind>,
    pub status: Option<MessageStatus>,
}

/// Newest first.
pub fn list(
    conn: &mut DbConnection,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> QueryResult<Page<Message>> {
    let query = || {
        let mut q = ms::table.into_boxed();
        if let Some(id) = f.family_id {
            q = q.filter(ms::family_id.eq(id));
        }
        if let Some(id) = f.staff_id {
            q = q.filter(ms::staff_id.eq(id));
        }
        if let Some(id) = f.cohort_id {
            q = q.filter(ms::cohort_id.eq(id));
        }
        if let Some(k) = f.kind {
            q = q.filter(ms::kind.eq(k.as_str()));
        }
        if let Some(s) = f.status {
            q = q.filter(ms::status.eq(s.as_str()));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(ms::id.desc())
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok(Page { items, total })
}

pub fn of_family(conn: &mut DbConnection, family_id: i32) -> QueryResult<Vec<Message>> {
    ms::table
        .filter(ms::family_id.eq(family_id))
        .order(ms::id.desc())
        .load(conn)
}

/// Erasure: the family's messages lose their address, words and attachment, and any not yet
/// sent is cancelled; the rows stay, so counts of messages sent survive.
pub fn erase_for_family(
    conn: &mut DbConnection,
    family_id: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let of_family = || ms::table.filter(ms::family_id.eq(family_id));
    diesel::update(of_family().filter(ms::status.eq_any(ON_THEIR_WAY)))
        .set(ms::status.eq(MessageStatus::Cancelled.as_str()))
        .execute(conn)?;
    diesel::update(of_family()).set(blanked(now)).execute(conn)
}

/// Retention: messages written before `before` lose their address, words and attachment, and
/// any still waiting (a year on, no longer news) is cancelled; the rows stay, for the counts.
pub fn blank_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let old = || {
        ms::table
            .filter(ms::created_at.lt(before))
            .filter(ms::erased_at.is_null())
    };
    diesel::update(old().filter(ms::status.eq_any(ON_THEIR_WAY)))
        .set(ms::status.eq(MessageStatus::Cancelled.as_str()))
        .execute(conn)?;
    diesel::update(old()).set(blanked(now)).execute(conn)
}

/// A family's reminders of one session still waiting in the queue are cancelled (they sent
/// apologies). A reminder a worker has already taken is left to go. The cancelled rows give up
/// their dedupe keys, so the reminder can be queued again if the apology is withdrawn.
pub fn cancel_reminders(
    conn: &mut DbConnection,
    family_id: i32,
    session_id: i32,
) -> QueryResult<usize> {
    diesel::update(
        ms::table
            .filter(ms::family_id.eq(family_id))
            .filter(ms::session_id.eq(session_id))
            .filter(ms::kind.eq(MessageKind::Reminder.as_str()))
            .filter(ms::status.eq(MessageStatus::Queued.as_str())),
    )
    .set((
        ms::status.eq(MessageStatus::Cancelled.as_str()),
        ms::dedupe_key.eq(None::<String>),
    ))
    .execute(conn)
}

/// Statuses of a message not yet delivered or given up.
const ON_THEIR_WAY: [&str; 2] = ["queued", "sending"];

/// The columns that hold an address or words, emptied; stamped erased at `now`.
#[allow(clippy::type_complexity)]
fn blanked(
    now: NaiveDateTime,
) -> (
    diesel::dsl::Eq<ms::recipient, &'static str>,
    diesel::dsl::Eq<ms::subject, &'static str>,
    diesel::dsl::Eq<ms::body_text, &'static str>,
    diesel::dsl::Eq<ms::body_html, &'static str>,
    diesel::dsl::Eq<ms::calendar, &'static str>,
    diesel::dsl::Eq<ms::last_error, &'static str>,
    diesel::dsl::Eq<ms::erased_at, Option<NaiveDateTime>>,
) {
    (
        ms::recipient.eq(""),
        ms::subject.eq(""),
        ms::body_text.eq(""),
        ms::body_html.eq(""),
        ms::calendar.eq(""),
        ms::last_error.eq(""),
        ms::erased_at.eq(Some(now)),
    )
}

/// How many messages are in each status.
pub fn backlog(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    ms::table
        .group_by(ms::status)
        .select((ms::status, diesel::dsl::count_star()))
        .load(conn)
}

/// The outbox's gauges, read at each scrape of `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxNow {
    pub queued: i64,
    pub sending: i64,
    pub failed: i64,
    /// When the oldest message not yet delivered (queued or sending) was written.
    pub oldest_unsent: Option<NaiveDateTime>,
}

/// How many messages are queued, being sent and failed, and the oldest not yet delivered: two
/// reads on the `(status, next_attempt_at)` index, touching only those rows (never the sent
/// ones, which are nearly all of the table).
pub fn outbox_now(conn: &mut DbConnection) -> QueryResult<OutboxNow> {
    use MessageStatus::{Failed, Queued, Sending};
    let counts: Vec<(String, i64)> = ms::table
        .filter(ms::status.eq_any([Queued.as_str(), Sending.as_str(), Failed.as_str()]))
        .group_by(ms::status)
        .select((ms::status, diesel::dsl::count_star()))
        .load(conn)?;
    let oldest_unsent = ms::table
        .filter(ms::status.eq_any([Queued.as_str(), Sending.as_str()]))
        .select(diesel::dsl::min(ms::created_at))
        .first::<Option<NaiveDateTime>>(conn)?;
    let count = |status: MessageStatus| {
        counts
            .iter()
            .find(|(s, _)| s == status.as_str())
            .map_or(0, |(_, n)| *n)
    };
    Ok(OutboxNow {
        queued: count(Queued),
        sending: count(Sending),
        failed: count(Failed),
        oldest_unsent,
    })
}
