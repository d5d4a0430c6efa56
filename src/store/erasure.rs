//! The diesel side of erasing a family: blanks personal values in place and deletes what only
//! ever held personal data, keeping the pseudonymous rows (ids, ward, referral source, bookings,
//! marks, outcomes) that attendance and monitoring figures are counted from. Runs inside the
//! caller's transaction (`service::families::erasure::erase`).

use crate::db::schema::{
    account_tokens as at, bookings as bo, children as ch, creche_attendance as ca, families as fa,
    follow_up_contacts as fc, follow_ups as fu, idempotency_keys as ik, notifications as no,
    refresh_tokens as rt, users as us,
};
use crate::db::DbConnection;
use crate::domain::status::{FollowUpOutcome, FollowUpStatus};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Not a PHC string, so no password ever verifies against it.
pub const UNUSABLE_PASSWORD_HASH: &str = "!erased";

/// Holds the family row until the transaction ends (PostgreSQL; SQLite's `BEGIN IMMEDIATE`
/// already serialises writers), so two erasures of one family cannot both run.
pub fn lock_family(conn: &mut DbConnection, family_id: i32) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(format!(
            "SELECT id FROM families WHERE id = {family_id} FOR UPDATE"
        ))
        .execute(pg)?;
    }
    Ok(())
}

/// Blanks the family's contact and profile fields and stamps `erased_at`. `ward` and
/// `referral_source` stay: the monitoring figures are counted by them. The link to the login is
/// cut, so an access token issued before the erasure finds no family on any `/me` route.
pub fn blank_family(
    conn: &mut DbConnection,
    family_id: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(fa::table.find(family_id))
        .set((
            fa::user_id.eq(None::<i32>),
            fa::carer_one.eq(""),
            fa::carer_two.eq(""),
            fa::phone.eq(""),
            fa::email.eq(""),
            fa::postcode.eq(""),
            // No language is kept; "other" with no name says nothing about the family.
            fa::preferred_language.eq("other"),
            fa::language_other.eq(""),
            fa::contact_by.eq("email"),
            fa::reminders.eq(false),
            fa::interpreter_needed.eq(false),
            fa::access_needs.eq(""),
            fa::consent_to_contact.eq(false),
            fa::calendar_token_hash.eq(None::<String>),
            fa::email_verified.eq(""),
            fa::erased_at.eq(Some(now)),
            fa::updated_at.eq(now),
        ))
        .execute(conn)?;
    // No link (invitation, reset, confirmation) can work for an erased family.
    diesel::delete(at::table.filter(at::family_id.eq(family_id))).execute(conn)?;
    Ok(())
}

/// Children keep their ids (crèche places and sign-ins point at them) but lose name and dates
/// and care notes (the `children` CHECK allows no dates only once `erased_at` is set). Their
/// bookings in groups still running are ended first, so no capacity check counts it.
pub fn blank_children(
    conn: &mut DbConnection,
    family_id: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(ch::table.filter(ch::family_id.eq(family_id)))
        .set((
            ch::first_name.eq(""),
            ch::date_of_birth.eq(None::<NaiveDate>),
            ch::due_date.eq(None::<NaiveDate>),
            ch::allergies.eq(""),
            ch::dietary_needs.eq(""),
            ch::medical_needs.eq(""),
            ch::medicines.eq(""),
            ch::medicines_consent.eq(false),
            ch::medicines_consent_date.eq(None::<NaiveDate>),
            ch::additional_needs.eq(""),
            ch::erased_at.eq(Some(now)),
            ch::updated_at.eq(now),
        ))
        .execute(conn)
}

/// The family's emergency contacts and everyone who may collect its children: people's names
/// and phone numbers, with nothing to keep once the family is gone.
pub fn delete_care_contacts(conn: &mut DbConnection, family_id: i32) -> QueryResult<()> {
    use crate::db::schema::{
        authorised_collectors as ac, creche_key_persons as kp, emergency_contacts as ec,
    };
    let children = ch::table.filter(ch::family_id.eq(family_id)).select(ch::id);
    diesel::delete(ac::table.filter(ac::child_id.eq_any(children))).execute(conn)?;
    // The key person was for the child's time in the crèche; nothing to keep it for.
    let children = ch::table.filter(ch::family_id.eq(family_id)).select(ch::id);
    diesel::delete(kp::table.filter(kp::child_id.eq_any(children))).execute(conn)?;
    diesel::delete(ec::table.filter(ec::family_id.eq(family_id))).execute(conn)?;
    Ok(())
}

/// Free text written about the family: follow-up notes, contact-attempt notes, who collected a
/// child from the crèche, each booking's access needs and the reasons of apologies.
pub fn blank_free_text(conn: &mut DbConnection, family_id: i32) -> QueryResult<()> {
    use crate::db::schema::apologies as ap;
    let bookings = bo::table.filter(bo::family_id.eq(family_id)).select(bo::id);
    diesel::update(bo::table.filter(bo::family_id.eq(family_id)))
        .set((bo::access_needs.eq(""), bo::interpreter_needed.eq(false)))
        .execute(conn)?;
    diesel::update(ap::table.filter(ap::booking_id.eq_any(bookings)))
        .set(ap::reason.eq(""))
        .execute(conn)?;
    let follow_ups = fu::table.filter(fu::family_id.eq(family_id)).select(fu::id);
    diesel::update(fu::table.filter(fu::family_id.eq(family_id)))
        .set(fu::note.eq(""))
        .execute(conn)?;
    diesel::update(fc::table.filter(fc::follow_up_id.eq_any(follow_ups)))
        .set(fc::note.eq(""))
        .execute(conn)?;
    diesel::update(ca::table.filter(ca::booking_id.eq_any(bookings)))
        .set((ca::collected_by.eq(""), ca::collection_override.eq("")))
        .execute(conn)?;
    Ok(())
}

/// Closes a booking's open follow-up when erasure ends the booking: nobody can contact an erased
/// family, and a withdrawn place is what `withdrew` records.
pub fn close_open_follow_ups(
    conn: &mut DbConnection,
    booking_id: i32,
    by: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        fu::table
            .filter(fu::booking_id.eq(booking_id))
            .filter(fu::status.eq(FollowUpStatus::Open.as_str())),
    )
    .set((
        fu::status.eq(FollowUpStatus::Closed.as_str()),
        fu::outcome.eq(FollowUpOutcome::Withdrew.as_str()),
        fu::closed_at.eq(now),
        fu::closed_by.eq(by),
    ))
    .execute(conn)
}

/// Notifications only ever carry messages to the family: nothing to count, so they go.
pub fn delete_notifications(conn: &mut DbConnection, family_id: i32) -> QueryResult<usize> {
    diesel::delete(no::table.filter(no::family_id.eq(family_id))).execute(conn)
}

/// The parent's login: anonymised (the row stays, as audit rows and bookings name its id),
/// disabled, with no password that can match, no sessions and no stored answers to retries.
pub fn anonymise_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<()> {
    diesel::update(us::table.find(user_id))
        .set((
            us::email.eq(format!("erased-{user_id}@erased.invalid")),
            us::display_name.eq(""),
            us::password_hash.eq(UNUSABLE_PASSWORD_HASH),
            us::disabled.eq(true),
        ))
        .execute(conn)?;
    diesel::delete(rt::table.filter(rt::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(ik::table.filter(ik::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(at::table.filter(at::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}
