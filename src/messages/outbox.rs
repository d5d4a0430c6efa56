//! Deciding who is told what, inside the use case's own transaction: [`queue`] writes one outbox
//! row per family and channel (and, for changes to a published group's plan, one per member of
//! its team), so a change that rolls back sends nothing and a change that commits is never
//! without its messages.

use super::compose::{self, AccountFacts, Facts, IncidentFacts, SessionTimes};
use crate::domain::account::Link;
use crate::domain::ics;
use crate::domain::message::{Channel, ContactBy, Language, MessageKind, MessageStatus};
use crate::domain::status::BookingStatus;
use crate::service::schedule::{session_events, zone};
use crate::service::{ServiceError, Tx};
use crate::store::{
    self,
    bookings::Booking,
    cohorts::{Cohort, Session},
    families::Family,
    messages::NewMessage,
    programmes::Programme,
    venues::Venue,
};
use rand::Rng;

/// A change families (and, for a group's plan, its team) must hear about.
#[derive(Debug, Clone)]
pub enum Tell {
    /// A place was booked (`confirmed`) or the family joined the waiting list.
    Booked { booking_id: i32 },
    /// A place came up and this waitlisted booking now has it.
    Promoted { booking_id: i32 },
    /// The booking ended; `by_centre` when staff (not the family) ended it.
    BookingCancelled { booking_id: i32, by_centre: bool },
    /// A session moved; `was` is where it was. Told to the families with a place, and the team.
    SessionMoved { session_id: i32, was: Session },
    /// A session will not take place. Told to the families with a place, and the team.
    SessionCancelled { session_id: i32, reason: String },
    /// The whole group will not go ahead; told to the families booked or waiting (so queue it
    /// before their bookings end), with the sessions as they now stand, and to the team.
    GroupCancelled { cohort_id: i32, reason: String },
    /// A session is coming up (queued once per session time and family and channel).
    Reminder { booking_id: i32, session_id: i32 },
    /// A one-time link about an account, by email to `to`. The caller made `token` and keeps
    /// only its hash; the message's words are forgotten once it is delivered.
    AccountLink {
        link: Link,
        token: String,
        to: String,
        user_id: Option<i32>,
        family_id: Option<i32>,
    },
    /// Something happened to a child in the crèche: the family is told the same day, in their
    /// language, through every channel they chose (the text message names no one).
    CrecheIncident { incident_id: i32 },
    /// A notice about an account (`AccountEmailChanged`, naming `new_email`;
    /// `AccountPasswordChanged`), by email to `to`.
    AccountNotice {
        kind: MessageKind,
        to: String,
        user_id: i32,
        new_email: String,
    },
}

/// A new message reference: stable for the message's life (its Message-ID, or Notify's
/// `reference`), unguessable, and unique.
pub fn new_reference() -> String {
    let bytes: [u8; 12] = rand::rng().random();
    format!("gw-{}", hex::encode(bytes))
}

struct Group {
    cohort: Cohort,
    programme: Programme,
    venue: Venue,
    sessions: Vec<Session>,
}

fn group(tx: &mut Tx, cohort_id: i32) -> Result<Group, ServiceError> {
    let (cohort, programme, venue) = store::cohorts::find_full(tx.conn, cohort_id)?
        .ok_or_else(|| ServiceError::not_found("cohort"))?;
    let sessions = store::cohorts::sessions_of(tx.conn, cohort_id)?;
    Ok(Group {
        cohort,
        programme,
        venue,
        sessions,
    })
}

fn times(s: &Session) -> SessionTimes {
    SessionTimes {
        starts: s.starts_at.and_utc(),
        ends: s.ends_at.and_utc(),
        cancelled: s.is_cancelled(),
    }
}

/// What to attach: none, the sessions as they are, or all of them withdrawn from the family's
/// calendar (same UIDs, `STATUS:CANCELLED`, a higher `SEQUENCE`).
enum Attach<'a> {
    Nothing,
    Sessions(&'a [Session]),
    Withdrawn(&'a [Session]),
}

fn calendar(tx: &Tx, g: &Group, attach: Attach) -> String {
    let (sessions, withdrawn) = match attach {
        Attach::Nothing => return String::new(),
        Attach::Sessions(s) => (s, false),
        Attach::Withdrawn(s) => (s, true),
    };
    let mut events = session_events(&g.cohort, &g.programme, &g.venue, sessions);
    if withdrawn {
        for e in &mut events {
            e.cancelled = true;
            e.sequence += 1;
            e.last_modified = tx.now;
        }
    }
    ics::calendar(&g.cohort.title, &events, tx.now)
}

/// Writes the messages `tell` causes, in the caller's transaction.
pub fn queue(tx: &mut Tx, tell: Tell) -> Result<(), ServiceError> {
    match tell {
        Tell::Booked { booking_id } | Tell::Promoted { booking_id } => {
            let b = booking(tx, booking_id)?;
            let g = group(tx, b.cohort_id)?;
            let kind = match (&tell, b.status) {
                (Tell::Promoted { .. }, _) => MessageKind::BookingPromoted,
                (_, BookingStatus::Waitlisted) => MessageKind::BookingWaitlisted,
                _ => MessageKind::BookingConfirmed,
            };
            let mut facts = facts(tx, &g, Some(&b))?;
            let attach = if kind == MessageKind::BookingWaitlisted {
                facts.waitlist_position = store::bookings::waitlist_position(tx.conn, &b)?;
                Attach::Nothing
            } else {
                Attach::Sessions(&g.sessions)
            };
            let ics = calendar(tx, &g, attach);
            tell_family(tx, &b, kind, &facts, &ics, None, None)
        }
        Tell::BookingCancelled {
            booking_id,
            by_centre,
        } => {
            let b = booking(tx, booking_id)?;
            let g = group(tx, b.cohort_id)?;
            let kind = if by_centre {
                MessageKind::BookingCancelledByCentre
            } else {
                MessageKind::BookingCancelled
            };
            let facts = facts(tx, &g, Some(&b))?;
            let ics = calendar(tx, &g, Attach::Withdrawn(&g.sessions));
            tell_family(tx, &b, kind, &facts, &ics, None, None)
        }
        Tell::SessionMoved { session_id, was } => {
            let (g, session) = session_group(tx, session_id)?;
            let mut facts = facts(tx, &g, None)?;
            facts.session = Some(times(&session));
            facts.moved_from = Some(times(&was));
            let ics = calendar(tx, &g, Attach::Sessions(std::slice::from_ref(&session)));
            tell_booked(tx, &g, MessageKind::SessionMoved, &facts, &ics, session_id)?;
            tell_team(
                tx,
                &g,
                MessageKind::SessionMoved,
                &facts,
                &ics,
                Some(session_id),
            )
        }
        Tell::SessionCancelled { session_id, reason } => {
            let (g, session) = session_group(tx, session_id)?;
            let mut facts = facts(tx, &g, None)?;
            facts.session = Some(times(&session));
            facts.reason = Some(reason);
            let ics = calendar(tx, &g, Attach::Sessions(std::slice::from_ref(&session)));
            tell_booked(
                tx,
                &g,
                MessageKind::SessionCancelled,
                &facts,
                &ics,
                session_id,
            )?;
            tell_team(
                tx,
                &g,
                MessageKind::SessionCancelled,
                &facts,
                &ics,
                Some(session_id),
            )
        }
        Tell::GroupCancelled { cohort_id, reason } => {
            let g = group(tx, cohort_id)?;
            let mut facts = facts(tx, &g, None)?;
            facts.reason = Some(reason);
            // The sessions as the cancellation left them: those still to come cancelled, with
            // a higher SEQUENCE; those held as they were (the same as the feeds show).
            let ics = calendar(tx, &g, Attach::Sessions(&g.sessions));
            let mut told =
                store::bookings::of_cohort(tx.conn, cohort_id, BookingStatus::Confirmed)?;
            told.extend(store::bookings::of_cohort(
                tx.conn,
                cohort_id,
                BookingStatus::Waitlisted,
            )?);
            for b in told {
                let attach = if b.status == BookingStatus::Confirmed {
                    ics.as_str()
                } else {
                    ""
                };
                tell_family(
                    tx,
                    &b,
                    MessageKind::GroupCancelled,
                    &facts,
                    attach,
                    None,
                    None,
                )?;
            }
            tell_team(tx, &g, MessageKind::GroupCancelled, &facts, &ics, None)
        }
        Tell::Reminder {
            booking_id,
            session_id,
        } => {
            let b = booking(tx, booking_id)?;
            let (g, session) = session_group(tx, session_id)?;
            let mut facts = facts(tx, &g, Some(&b))?;
            facts.session = Some(times(&session));
            let key = reminder_key(session_id, b.family_id, &session);
            tell_family(
                tx,
                &b,
                MessageKind::Reminder,
                &facts,
                "",
                Some(session_id),
                Some(&key),
            )
        }
        Tell::CrecheIncident { incident_id } => {
            let i = store::creche_incidents::find(tx.conn, incident_id)?
                .ok_or_else(|| ServiceError::not_found("incident"))?;
            let b = booking(tx, i.incident.booking_id)?;
            let (g, session) = session_group(tx, i.incident.session_id)?;
            let mut facts = facts(tx, &g, None)?;
            facts.session = Some(times(&session));
            facts.incident = Some(IncidentFacts {
                child: i.child_first_name,
                at: i.incident.happened_at.and_utc(),
                what_happened: i.incident.what_happened,
                first_aid: i.incident.first_aid,
            });
            tell_family(
                tx,
                &b,
                MessageKind::CrecheIncident,
                &facts,
                "",
                Some(session.id),
                None,
            )
        }
        Tell::AccountLink {
            link,
            token,
            to,
            user_id,
            family_id,
        } => {
            let facts = AccountFacts {
                link: link.url(&tx.family_link, &token),
                valid_for: Some(link.lifetime()),
                email: String::new(),
            };
            tell_account(tx, link.message(), &facts, &to, user_id, family_id)
        }
        Tell::AccountNotice {
            kind,
            to,
            user_id,
            new_email,
        } => {
            let facts = AccountFacts {
                email: new_email,
                ..AccountFacts::default()
            };
            tell_account(tx, kind, &facts, &to, Some(user_id), None)
        }
    }
}

/// Writes one email about an account, in the family's language (English for staff). The
/// message belongs to the account and, for a parent or an invited family, to the family too, so
/// export and erasure find it.
fn tell_account(
    tx: &mut Tx,
    kind: MessageKind,
    facts: &AccountFacts,
    to: &str,
    user_id: Option<i32>,
    family_id: Option<i32>,
) -> Result<(), ServiceError> {
    let family = match (family_id, user_id) {
        (Some(id), _) => store::families::find(tx.conn, id)?,
        (None, Some(user)) => store::families::of_user(tx.conn, user)?,
        (None, None) => None,
    };
    if family.as_ref().is_some_and(|f| f.erased_at.is_some()) {
        return Ok(());
    }
    let language = family
        .as_ref()
        .map_or(Language::En, |f| f.preferred_language.for_messages());
    let written = compose::write_account(kind, language, facts);
    let recipient = to.trim().to_string();
    let unreachable = recipient.is_empty();
    let (status, last_error) =
        first_state(unreachable.then_some("there is no email address to send it to"));
    let m = NewMessage {
        reference: new_reference(),
        family_id: family.as_ref().map(|f| f.id),
        booking_id: None,
        cohort_id: None,
        session_id: None,
        kind,
        channel: Channel::Email,
        recipient,
        language,
        subject: written.subject,
        body_text: written.text,
        body_html: written.html,
        calendar: String::new(),
        dedupe_key: None,
        status,
        last_error,
        resent_from: None,
        staff_id: None,
        user_id,
    };
    store::messages::insert(tx.conn, &m, tx.now_naive())?;
    tx.messages_queued();
    Ok(())
}

/// What makes a reminder once only: the session, the family and the session's time (a moved
/// session is reminded again); each channel's message adds `:{channel}`.
pub fn reminder_key(session_id: i32, family_id: i32, session: &Session) -> String {
    format!(
        "reminder:{session_id}:{family_id}:{}",
        session.starts_at.and_utc().timestamp()
    )
}

fn booking(tx: &mut Tx, id: i32) -> Result<Booking, ServiceError> {
    store::bookings::find(tx.conn, id)?.ok_or_else(|| ServiceError::not_found("booking"))
}

fn session_group(tx: &mut Tx, session_id: i32) -> Result<(Group, Session), ServiceError> {
    let s = store::cohorts::find_session(tx.conn, session_id)?
        .ok_or_else(|| ServiceError::not_found("session"))?;
    Ok((group(tx, s.cohort_id)?, s))
}

fn facts(tx: &mut Tx, g: &Group, b: Option<&Booking>) -> Result<Facts, ServiceError> {
    let creche_children = match b {
        Some(b) => store::bookings::creche_children(tx.conn, &[b.id])?.len(),
        None => 0,
    };
    let v = &g.venue;
    Ok(Facts {
        group: g.cohort.title.clone(),
        venue: v.name.clone(),
        venue_address: [v.name.as_str(), v.address.as_str(), v.postcode.as_str()]
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        tz: zone(&g.cohort),
        sessions: g.sessions.iter().map(times).collect(),
        session: None,
        moved_from: None,
        waitlist_position: None,
        creche_children,
        reason: None,
        link: tx.family_link.to_string(),
        confirm_link: None,
        incident: None,
    })
}

/// Tells every family with a confirmed place on the session's group.
fn tell_booked(
    tx: &mut Tx,
    g: &Group,
    kind: MessageKind,
    facts: &Facts,
    ics: &str,
    session_id: i32,
) -> Result<(), ServiceError> {
    for b in store::bookings::of_cohort(tx.conn, g.cohort.id, BookingStatus::Confirmed)? {
        let mut own = facts.clone();
        own.creche_children = store::bookings::creche_children(tx.conn, &[b.id])?.len();
        tell_family(tx, &b, kind, &own, ics, Some(session_id), None)?;
    }
    Ok(())
}

/// Tells each member of a published group's team (lead, co-facilitators, crèche workers,
/// supervisor; a person in two roles once) of a change to its plan, by email in English, with
/// the same calendar file as the families. Nothing for a draft (its team has not been told of it
/// yet) or a person no longer active; someone with no email address gets a `failed` row, so
/// coordinators can see who could not be told.
fn tell_team(
    tx: &mut Tx,
    g: &Group,
    families_kind: MessageKind,
    facts: &Facts,
    ics: &str,
    session_id: Option<i32>,
) -> Result<(), ServiceError> {
    let Some(kind) = families_kind.for_team() else {
        return Ok(());
    };
    if g.cohort.published_at.is_none() {
        return Ok(());
    }
    let mut ids: Vec<i32> = store::teams::team_of(tx.conn, g.cohort.id)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut facts = facts.clone();
    // What a team member needs is the group's plan: no family's crèche places, no family link.
    facts.creche_children = 0;
    facts.link = String::new();
    let written = compose::write(kind, Language::En, &facts);
    for member in store::staff::find_many(tx.conn, &ids)? {
        let staff = member.row;
        if !staff.active {
            continue;
        }
        let mut email = staff.email.trim().to_string();
        if email.is_empty() {
            if let Some(user) = staff.user_id {
                email = store::users::find(tx.conn, user)?
                    .map(|u| u.email)
                    .unwrap_or_default();
            }
        }
        let unreachable = email.is_empty();
        let (status, last_error) =
            first_state(unreachable.then_some("the team member has no email address"));
        let m = NewMessage {
            reference: new_reference(),
            family_id: None,
            booking_id: None,
            cohort_id: Some(g.cohort.id),
            session_id,
            kind,
            channel: Channel::Email,
            recipient: email,
            language: Language::En,
            subject: written.subject.clone(),
            body_text: written.text.clone(),
            body_html: written.html.clone(),
            calendar: ics.to_string(),
            dedupe_key: None,
            status,
            last_error,
            resent_from: None,
            staff_id: Some(staff.id),
            user_id: None,
        };
        store::messages::insert(tx.conn, &m, tx.now_naive())?;
        tx.messages_queued();
    }
    Ok(())
}

/// A new message's first state: queued, or failed at once, saying why, when there is nowhere to
/// send it (so coordinators can see who could not be told).
fn first_state(nowhere: Option<&str>) -> (MessageStatus, String) {
    match nowhere {
        Some(why) => (MessageStatus::Failed, why.to_string()),
        None => (MessageStatus::Queued, String::new()),
    }
}

/// Writes the family's messages for one change: one per channel they chose. Nothing for an
/// erased family, and no reminder for a family who turned reminders off; a family with no
/// address at all gets a `failed` row, so coordinators can see who could not be told.
fn tell_family(
    tx: &mut Tx,
    b: &Booking,
    kind: MessageKind,
    facts: &Facts,
    ics: &str,
    session_id: Option<i32>,
    dedupe: Option<&str>,
) -> Result<(), ServiceError> {
    let Some(family) = store::families::find(tx.conn, b.family_id)? else {
        return Ok(());
    };
    if family.erased_at.is_some() || (kind.is_optional() && !family.reminders) {
        return Ok(());
    }
    let routes = if kind.is_optional() {
        let wanted = reminder_routes(tx, &family)?;
        if wanted.is_empty() {
            return Ok(());
        }
        wanted
    } else {
        routes(tx, &family)?
    };
    let confirm_link = confirm_link(tx, &family, kind, &routes)?;
    let written = if confirm_link.is_some() {
        let facts = Facts {
            confirm_link,
            ..facts.clone()
        };
        compose::write(kind, family.preferred_language, &facts)
    } else {
        compose::write(kind, family.preferred_language, facts)
    };
    let unreachable = routes.is_empty();
    let routes = if unreachable {
        vec![(Channel::Email, String::new())]
    } else {
        routes
    };
    for (channel, recipient) in routes {
        let dedupe_key = dedupe.map(|k| format!("{k}:{channel}"));
        if let Some(key) = &dedupe_key {
            if store::messages::dedupe_key_used(tx.conn, key)? {
                continue;
            }
        }
        let email = channel == Channel::Email;
        let (status, last_error) =
            first_state(unreachable.then_some("the family has no email address or phone number"));
        let m = NewMessage {
            reference: new_reference(),
            family_id: Some(family.id),
            booking_id: Some(b.id),
            cohort_id: Some(b.cohort_id),
            session_id,
            kind,
            channel,
            recipient,
            language: family.preferred_language.for_messages(),
            subject: written.subject.clone(),
            body_text: if email {
                written.text.clone()
            } else {
                written.sms.clone()
            },
            body_html: if email {
                written.html.clone()
            } else {
                String::new()
            },
            calendar: if email {
                ics.to_string()
            } else {
                String::new()
            },
            dedupe_key,
            status,
            last_error,
            resent_from: None,
            staff_id: None,
            user_id: None,
        };
        store::messages::insert(tx.conn, &m, tx.now_naive())?;
    }
    tx.messages_queued();
    Ok(())
}

/// Where a family's reminders go: their routes, but by email only to an address the family has
/// shown it reads (messages about their own booking always go: a family must hear that its
/// group moved). Empty when no reminder can go.
pub fn reminder_routes(
    tx: &mut Tx,
    family: &Family,
) -> Result<Vec<(Channel, String)>, ServiceError> {
    let mut wanted = routes(tx, family)?;
    wanted.retain(|(channel, to)| *channel != Channel::Email || family.reads(to));
    Ok(wanted)
}

/// The first confirmation of a booking doubles as the check of the family's address: when it
/// goes by email to an account's address not yet confirmed, it carries a one-time link that
/// confirms it (a newer link replaces the older). Families the centre enrolled, and addresses
/// already confirmed, need none.
fn confirm_link(
    tx: &mut Tx,
    family: &Family,
    kind: MessageKind,
    routes: &[(Channel, String)],
) -> Result<Option<String>, ServiceError> {
    let booking_news = matches!(
        kind,
        MessageKind::BookingConfirmed
            | MessageKind::BookingWaitlisted
            | MessageKind::BookingPromoted
    );
    let Some(user_id) = family.user_id.filter(|_| booking_news) else {
        return Ok(None);
    };
    let Some((_, to)) = routes
        .iter()
        .find(|(c, to)| *c == Channel::Email && !family.reads(to))
    else {
        return Ok(None);
    };
    let token = crate::auth::tokens::random_secret();
    let now = tx.now_naive();
    store::account_tokens::issue(
        tx.conn,
        store::account_tokens::NewToken {
            purpose: store::account_tokens::Purpose::EmailVerification,
            token_hash: &crate::auth::tokens::hash_opaque(&token),
            user_id: Some(user_id),
            family_id: Some(family.id),
            email: &to.trim().to_lowercase(),
            expires_at: now + Link::ConfirmEmail.lifetime(),
        },
        now,
    )?;
    Ok(Some(Link::ConfirmEmail.url(&tx.family_link, &token)))
}

/// Where the family's messages go: their channels with an address, falling back to whichever
/// address they have when the chosen one is missing (a service message must reach them). The
/// email is the family's own, or the account's when the family has none.
fn routes(tx: &mut Tx, f: &Family) -> Result<Vec<(Channel, String)>, ServiceError> {
    let mut email = f.email.trim().to_string();
    if email.is_empty() {
        if let Some(user) = f.user_id {
            email = store::users::find(tx.conn, user)?
                .map(|u| u.email)
                .unwrap_or_default();
        }
    }
    let phone = f.phone.trim().to_string();
    let address = |c: Channel| match c {
        Channel::Email => email.clone(),
        Channel::Sms => phone.clone(),
    };
    let chosen: Vec<(Channel, String)> = f
        .contact_by
        .channels()
        .iter()
        .map(|&c| (c, address(c)))
        .filter(|(_, a)| !a.is_empty())
        .collect();
    if !chosen.is_empty() {
        return Ok(chosen);
    }
    Ok(ContactBy::Both
        .channels()
        .iter()
        .map(|&c| (c, address(c)))
        .filter(|(_, a)| !a.is_empty())
        .take(1)
        .collect())
}
