//! A borough's coming programme inserted straight into a fresh database before groupwork
//! starts: 10 venues, 2,000 families with a child each, 200 published groups in the weeks ahead
//! (Together Time of 12 places and COSP of 16 with a crèche, some full), their confirmed
//! bookings, and the logins the scenarios use. Group 1 started two weeks ago, so its first
//! session has a register to mark. Deterministic apart from "today".

use crate::support::bulk::{self, insert_rows};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use diesel::prelude::*;
use groupwork::db::schema::{
    bookings as bo, children as ch, cohorts as co, families as fa, programmes as pr,
    sessions as se, venues as ve,
};
use groupwork::db::DbConnection;
use groupwork::domain::role::Role;
use groupwork::store;

pub const COHORTS: usize = 200;
pub const FAMILIES: usize = 2000;
pub const COORDINATOR: &str = "coordinator@bench.example";
pub const PARENT: &str = "parent@bench.example";
pub const PASSWORD: &str = "a long memorable phrase";
const VENUES: usize = 10;
const WARDS: [&str; 4] = [
    "lambeth-2014:Coldharbour",
    "lambeth-2014:Stockwell",
    "lambeth-2014:Tulse Hill",
    "lambeth-2014:Vassall",
];

/// What the scenarios need: the term's first group (started two weeks ago), its first session
/// and its confirmed bookings.
pub struct Seeded {
    pub first_cohort: i32,
    pub session: i32,
    pub bookings: Vec<i32>,
}

pub fn borough(conn: &mut DbConnection) -> Result<Seeded, String> {
    logins(conn)?;
    let now = Utc::now().naive_utc();
    conn.transaction(|c| seed(c, now))
        .map_err(|e| e.to_string())
}

/// The coordinator's and the parent's logins; the parent's user id.
pub fn logins(conn: &mut DbConnection) -> Result<i32, String> {
    let hash = groupwork::auth::password::hash(PASSWORD)?;
    let now = Utc::now().naive_utc();
    let mut parent = 0;
    for (email, role) in [(COORDINATOR, Role::Coordinator), (PARENT, Role::Parent)] {
        let new = store::users::NewUser {
            email,
            password_hash: &hash,
            display_name: "Bench",
            role,
            now,
        };
        parent = store::users::insert(conn, new)
            .map_err(|e| format!("{email}: {e}"))?
            .id;
    }
    Ok(parent)
}

/// 10:00 in London on `day`, as stored (UTC without offset).
fn ten_am(day: NaiveDate) -> NaiveDateTime {
    let local = day.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default());
    London
        .from_local_datetime(&local)
        .earliest()
        .map_or(local, |t| t.naive_utc())
}

fn seed(c: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Seeded> {
    let venues: Vec<_> = (1..=VENUES as i32)
        .map(|v| {
            (
                ve::id.eq(v),
                ve::name.eq(format!("Children's Centre {v}")),
                ve::address.eq(format!("{v} High Street, London")),
                ve::postcode.eq("SW9 8LF"),
                ve::ward.eq(WARDS[v as usize % WARDS.len()]),
                ve::creche_room_capacity.eq(8),
                ve::creche_registered.eq(true),
                ve::created_at.eq(now),
                ve::updated_at.eq(now),
            )
        })
        .collect();
    insert_rows!(c, ve::table, venues);
    let families: Vec<_> = (1..=FAMILIES as i32)
        .map(|f| {
            (
                fa::id.eq(f),
                fa::ward.eq(WARDS[f as usize % WARDS.len()]),
                // Said, as the app does: SQLite's column still defaults to the old 'English'.
                fa::preferred_language.eq("en"),
                fa::created_at.eq(now),
                fa::updated_at.eq(now),
            )
        })
        .collect();
    insert_rows!(c, fa::table, families);
    let born = now.date() - Duration::days(300);
    let children: Vec<_> = (1..=FAMILIES as i32)
        .map(|f| {
            (
                ch::id.eq(f),
                ch::family_id.eq(f),
                ch::first_name.eq("Child"),
                ch::date_of_birth.eq(Some(born)),
                ch::created_at.eq(now),
                ch::updated_at.eq(now),
            )
        })
        .collect();
    insert_rows!(c, ch::table, children);

    let seeded = coming_term(c, now, Ids::default(), FAMILIES)?;
    // Explicit ids leave the sequences behind; the app must still be able to insert.
    bulk::reset_sequences(c, &bulk::BOROUGH_IDS)?;
    Ok(seeded)
}

/// The ids already taken in each table the term fills (0: none).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ids {
    pub cohort: i32,
    pub session: i32,
    pub booking: i32,
}

/// The coming term: 200 published groups at the 10 venues in the weeks ahead, booked by the
/// families `1..=families` already there. The first started two weeks ago, with 10 confirmed
/// bookings and a register to mark. The caller resets the sequences.
pub fn coming_term(
    c: &mut DbConnection,
    now: NaiveDateTime,
    taken: Ids,
    families: usize,
) -> QueryResult<Seeded> {
    let programme = |c: &mut DbConnection, code: &str| -> QueryResult<i32> {
        pr::table.filter(pr::code.eq(code)).select(pr::id).first(c)
    };
    let (tt, cosp) = (programme(c, "together-time")?, programme(c, "cosp")?);
    let today = now.date();
    let (mut cohorts, mut sessions, mut bookings) = (Vec::new(), Vec::new(), Vec::new());
    let (mut session_id, mut booking_id, mut first_bookings) =
        (taken.session, taken.booking, Vec::new());
    let mut first_session = None;
    for i in 0..COHORTS {
        let id = taken.cohort + i as i32 + 1;
        let is_cosp = i % 2 == 1;
        let (count, places, minutes) = if is_cosp { (8, 16, 120) } else { (6, 12, 90) };
        let first = if i == 0 {
            today - Duration::days(14)
        } else {
            today + Duration::days(7 + (i % 60) as i64)
        };
        // Some groups full, most with places left; group 1 has a register to mark.
        let confirmed = if i == 0 {
            10
        } else {
            (i * 7) % (places as usize + 1)
        };
        cohorts.push((
            co::id.eq(id),
            co::programme_id.eq(if is_cosp { cosp } else { tt }),
            co::venue_id.eq((i % VENUES) as i32 + 1),
            co::title.eq(format!("{} at Centre {}", if is_cosp { "Circle of Security" } else { "Together Time" }, i % VENUES + 1)),
            co::description.eq("A weekly group for parents and babies: songs, play and time to talk with other parents."),
            co::status.eq("published"),
            co::first_session_date.eq(first),
            co::start_time.eq(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()),
            co::session_minutes.eq(minutes),
            co::timezone.eq("Europe/London"),
            co::places.eq(places),
            co::creche_offered.eq(is_cosp),
            co::creche_workers.eq(if is_cosp { 2 } else { 0 }),
            co::created_at.eq(now),
            co::updated_at.eq(now),
            co::published_at.eq(Some(now)),
            co::confirmed_count.eq(confirmed as i32),
        ));
        for j in 0..confirmed {
            booking_id += 1;
            bookings.push((
                bo::id.eq(booking_id),
                bo::cohort_id.eq(id),
                bo::family_id.eq(((i * 16 + j) % families) as i32 + 1),
                bo::status.eq("confirmed"),
                bo::carers.eq(1),
                bo::created_at.eq(now),
                bo::updated_at.eq(now),
                bo::confirmed_at.eq(Some(now)),
            ));
            if i == 0 {
                first_bookings.push(booking_id);
            }
        }
        for n in 0..count {
            session_id += 1;
            first_session.get_or_insert(session_id);
            let starts = ten_am(first + Duration::weeks(n));
            sessions.push((
                se::id.eq(session_id),
                se::cohort_id.eq(id),
                se::number.eq(Some(n as i32 + 1)),
                se::kind.eq("group"),
                se::starts_at.eq(starts),
                se::ends_at.eq(starts + Duration::minutes(minutes as i64)),
                se::status.eq("scheduled"),
                se::created_at.eq(now),
                se::updated_at.eq(now),
            ));
        }
    }
    insert_rows!(c, co::table, cohorts);
    insert_rows!(c, se::table, sessions);
    insert_rows!(c, bo::table, bookings);
    Ok(Seeded {
        first_cohort: taken.cohort + 1,
        session: first_session.unwrap_or_default(),
        bookings: first_bookings,
    })
}
