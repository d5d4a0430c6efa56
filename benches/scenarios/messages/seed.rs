//! A borough's term about to start: 200 published Together Time groups of 12 families, each
//! with its first session tomorrow at 10:00 London time and five more a week apart. Written
//! through the store's own functions in one transaction (a family without a login, as a centre
//! records one on the phone), not through HTTP: 2,400 registrations would be argon2's figure.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use diesel::Connection;
use groupwork::db::DbConnection;
use groupwork::domain::role::Role;
use groupwork::domain::status::SessionKind;
use groupwork::store::{self, bookings::NewBooking, cohorts, venues::VenueFields};

pub const GROUPS: usize = 200;
pub const FAMILIES_EACH: usize = 12;
pub const SESSIONS: usize = 6;
const MINUTES: i64 = 90;

/// Tuesday 12 January 2027: six Tuesdays without a clock change, so every reminder is the day
/// before at 10:00 GMT (10:00 UTC).
pub fn first_session_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 12).unwrap()
}

/// The start of session `n` (0-based) in UTC.
pub fn session_start(n: usize) -> NaiveDateTime {
    let day = first_session_day() + Duration::weeks(n as i64);
    London
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap()))
        .single()
        .unwrap()
        .naive_utc()
}

/// When the reminders of session `n` fall due: the day before, at 10:00 London time (the
/// programme's default).
pub fn reminder_due(n: usize) -> chrono::DateTime<Utc> {
    let day = first_session_day() + Duration::weeks(n as i64) - Duration::days(1);
    London
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap()))
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// The groups, their sessions, families and confirmed places, written at `now`.
pub fn term(conn: &mut DbConnection, now: NaiveDateTime) -> diesel::QueryResult<()> {
    conn.transaction(|c| {
        let staff = store::users::insert(
            c,
            store::users::NewUser {
                email: "coordinator@bench.example",
                // Nobody logs in: the groups need someone who made them.
                password_hash: "not-a-login",
                display_name: "Bench coordinator",
                role: Role::Coordinator,
                now,
            },
        )?;
        let programme = store::programmes::find_by_code(c, "together-time")?
            .ok_or(diesel::result::Error::NotFound)?;
        let venue = store::venues::insert(
            c,
            &VenueFields {
                name: "Stockwell Children's Centre".into(),
                address: "1 High Street, London".into(),
                postcode: "SW9 8LF".into(),
                ward: "lambeth-2022:Stockwell East".into(),
                creche_room_capacity: 0,
                creche_registered: false,
                accessibility_notes: String::new(),
            },
            now,
        )?;
        let sessions: Vec<cohorts::NewSession> = (0..SESSIONS)
            .map(|n| cohorts::NewSession {
                kind: SessionKind::Group,
                number: Some(n as i32 + 1),
                starts_at: session_start(n),
                ends_at: session_start(n) + Duration::minutes(MINUTES),
            })
            .collect();
        for g in 0..GROUPS {
            let fields = cohorts::CohortFields {
                programme_id: programme.id,
                venue_id: venue.id,
                title: format!("Together Time {}", g + 1),
                description: String::new(),
                first_session_date: first_session_day(),
                start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                session_minutes: MINUTES as i32,
                timezone: "Europe/London".into(),
                places: FAMILIES_EACH as i32,
                creche_offered: false,
                creche_workers: 0,
                booking_opens_on: None,
                booking_closes_on: None,
            };
            let cohort = cohorts::insert(c, &fields, &sessions, staff.id, now)?;
            cohorts::publish(c, cohort.id, now)?;
            for f in 0..FAMILIES_EACH {
                let n = g * FAMILIES_EACH + f;
                let family = store::families::create_for_user(
                    c,
                    None,
                    &format!("Carer {n}"),
                    &format!("family{n}@families.example"),
                    now,
                )?;
                // Families who confirmed their address: reminders go to it by email.
                store::families::set_email_verified(
                    c,
                    family.id,
                    &format!("family{n}@families.example"),
                )?;
                store::bookings::take_place(c, cohort.id)?;
                store::bookings::insert(
                    c,
                    NewBooking {
                        cohort_id: cohort.id,
                        family_id: family.id,
                        confirmed: true,
                        carers: 1,
                        booked_by: staff.id,
                        creche_children: &[],
                        access_needs: "",
                        interpreter_needed: false,
                        walk_in: false,
                    },
                    now,
                )?;
            }
        }
        Ok(())
    })
}
