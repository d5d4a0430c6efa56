//! A published group and its parents, made on a running child server: accounts, families and
//! children straight into the store (as `create-admin` and registration would, without argon2
//! for 60 accounts), the group through the API as a coordinator. Tokens are signed with the
//! children's shared secret at the real time, since the children run on the system clock.
//! Also the checks every test makes on the database afterwards.

use crate::server::{client, Server, JWT_SECRET};
use chrono::{Datelike, Days, NaiveDateTime, Utc, Weekday};
use diesel::prelude::*;
use groupwork::auth::tokens::{JwtKeys, TokenSubject};
use groupwork::db::schema::{bookings, cohorts};
use groupwork::db::{DbConnection, DbManager};
use groupwork::domain::role::Role;
use groupwork::store;
use serde_json::{json, Value};

pub struct Parent {
    pub token: String,
    pub family: i32,
}

pub struct Seeded {
    pub cohort: i64,
    pub coordinator: String,
    pub parents: Vec<Parent>,
}

/// A connection of the test's own to the server's database (read-only use after seeding).
pub fn open(url: &str) -> DbConnection {
    DbManager::new(url)
        .unwrap()
        .open()
        .expect("open the database")
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

fn token(user: i32, role: Role) -> String {
    let subject = TokenSubject {
        user_id: user,
        role,
    };
    JwtKeys::new(JWT_SECRET.as_bytes())
        .issue(subject, Utc::now(), 15)
        .expect("sign a token")
}

fn user(conn: &mut DbConnection, email: &str, role: Role) -> i32 {
    let new = store::users::NewUser {
        email,
        // Nobody logs in: the tests sign their tokens, so no argon2 hash is needed.
        password_hash: "not-a-password-hash",
        display_name: "Fault test",
        role,
        now: now(),
    };
    store::users::insert(conn, new).expect("insert user").id
}

/// `POST path` as `token`; the answer must be `status`.
pub fn post(server: &Server, path: &str, token: &str, body: &Value, status: u16) -> Value {
    let res = client()
        .post(format!("{}{path}", server.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .expect("seed request");
    let code = res.status().as_u16();
    let text = res.text().unwrap_or_default();
    assert_eq!(code, status, "POST {path}: {text}");
    serde_json::from_str(&text).unwrap_or_default()
}

/// A published COSP group with `places` places, first meeting on a Tuesday about eight weeks
/// ahead (so booking is open), and `n` parents each with a baby.
pub fn group(server: &Server, url: &str, places: i32, n: usize) -> Seeded {
    let mut conn = open(url);
    let coordinator = token(
        user(&mut conn, "coordinator@fault.example", Role::Coordinator),
        Role::Coordinator,
    );
    let co = |path: &str, body: Value| post(server, path, &coordinator, &body, 201)["id"].clone();
    let venue = co(
        "/api/v1/venues",
        json!({"name": "Stockwell Children's Centre", "address": "1 High Street, London",
               "postcode": "SW9 8LF", "ward": "lambeth-2014:Stockwell",
               "creche_room_capacity": 10, "creche_registered": true}),
    );
    let staff = |name: &str, quals: Value| {
        let email = format!("{}@staff.example", name.to_lowercase().replace(' ', "."));
        co(
            "/api/v1/staff",
            json!({"name": name, "email": email, "organisation": "PAIRS", "qualifications": quals}),
        )
    };
    let lead = staff("Grace Adeyemi", json!([{"kind": "cosp_registered"}]));
    let co_fac = staff("Tom Reilly", json!([]));
    let creche = staff("Maria Santos", json!([{"kind": "paediatric_first_aid"}]));
    let mut first = Utc::now().date_naive() + Days::new(56);
    while first.weekday() != Weekday::Tue {
        first = first + Days::new(1);
    }
    let cohort = co(
        "/api/v1/cohorts",
        json!({"programme": "cosp", "venue_id": venue, "first_session_date": first.to_string(),
               "start_time": "10:00", "places": places, "creche_workers": 1}),
    )
    .as_i64()
    .unwrap();
    let team = json!({"lead": lead, "co_facilitators": [co_fac], "creche_workers": [creche]});
    let res = client()
        .put(format!(
            "{}/api/v1/cohorts/{cohort}/facilitators",
            server.base
        ))
        .bearer_auth(&coordinator)
        .json(&team)
        .send()
        .expect("set team");
    assert_eq!(
        res.status(),
        200,
        "set team: {}",
        res.text().unwrap_or_default()
    );
    post(
        server,
        &format!("/api/v1/cohorts/{cohort}/publish"),
        &coordinator,
        &json!({}),
        200,
    );

    let born = Utc::now().date_naive() - Days::new(300);
    let parents = (0..n)
        .map(|i| {
            let email = format!("parent{i}@fault.example");
            let id = user(&mut conn, &email, Role::Parent);
            let family = store::families::create_for_user(&mut conn, id, "Parent", &email, now())
                .unwrap_or_else(|e| panic!("family {i} of user {id}: {e}"))
                .id;
            store::families::add_child(&mut conn, family, "Baby", Some(born), None, now())
                .expect("child");
            Parent {
                token: token(id, Role::Parent),
                family,
            }
        })
        .collect();
    Seeded {
        cohort,
        coordinator,
        parents,
    }
}

/// The active (confirmed or waitlisted) bookings of a cohort: (id, family, status).
pub fn active(conn: &mut DbConnection, cohort: i64) -> Vec<(i32, i32, String)> {
    bookings::table
        .filter(bookings::cohort_id.eq(cohort as i32))
        .filter(bookings::status.eq_any(["confirmed", "waitlisted"]))
        .select((bookings::id, bookings::family_id, bookings::status))
        .load(conn)
        .expect("load bookings")
}

/// The invariants no fault may break: no family holds two active places, and the stored
/// confirmed count equals the confirmed rows and never exceeds the places. Returns the active
/// bookings.
pub fn assert_invariants(url: &str, cohort: i64) -> Vec<(i32, i32, String)> {
    let mut conn = open(url);
    let rows = active(&mut conn, cohort);
    let mut families: Vec<i32> = rows.iter().map(|r| r.1).collect();
    families.sort_unstable();
    let n = families.len();
    families.dedup();
    assert_eq!(families.len(), n, "no family has two active bookings");
    let confirmed = rows.iter().filter(|r| r.2 == "confirmed").count() as i32;
    let (count, places): (i32, i32) = cohorts::table
        .find(cohort as i32)
        .select((cohorts::confirmed_count, cohorts::places))
        .first(&mut conn)
        .expect("cohort row");
    assert_eq!(
        count, confirmed,
        "cohorts.confirmed_count equals the confirmed rows"
    );
    assert!(count <= places, "{count} confirmed for {places} places");
    rows
}

/// `PRAGMA integrity_check` on a SQLite file: must be `ok`.
pub fn assert_sqlite_intact(path: &str) {
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let mut conn = diesel::SqliteConnection::establish(path).expect("open SQLite");
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .expect("integrity_check");
    let found: Vec<&str> = rows.iter().map(|r| r.integrity_check.as_str()).collect();
    assert_eq!(found, ["ok"], "PRAGMA integrity_check");
    eprintln!("  SQLite integrity_check: ok");
}
