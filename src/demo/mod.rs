//! Demo data for `serve --demo`: a realistic Lambeth set-up in the four LEAP wards. It loads once,
//! in one transaction, and its passwords are printed that one time only; the `demo_loaded` setting
//! alone says it was loaded. It is never mixed into a centre's own records: a database that holds
//! families, cohorts, venues or staff of its own, or an account under a demo login's email, is
//! refused and left as it was. Accounts alone (e.g. from `create-admin`) do not stop it.

/// The phone number the demo's public pages give (Ofcom's drama range: nobody's number).
pub const CENTRE_PHONE: &str = "020 7946 0000";

use crate::auth::{password, tokens};
use crate::db::{schema, DbConnection};
use crate::domain::role::Role;
use crate::service::{self, Actor, ServiceError, Services, Tx};
use crate::store::{self, venues::VenueFields};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::fmt;

mod families;
mod programme;
mod registers;

const MARKER: &str = "demo_loaded";
/// PostgreSQL advisory lock held while loading, so two `serve --demo` starting together agree.
const LOAD_LOCK_KEY: i64 = 0x6777_6465_6d6f; // "gwdemo"

/// A demo login and the password generated for it.
pub struct DemoLogin {
    pub role: Role,
    pub email: &'static str,
    pub name: &'static str,
    pub password: String,
}

const VENUES: &[(&str, &str, &str, &str, i32, bool, &str)] = &[
    (
        "Coldharbour Children's Centre",
        "Somerleyton Road, Brixton, London",
        "SW9 8ND",
        "lambeth-2022:Brixton Windrush",
        12,
        true,
        "Step-free entrance from Somerleyton Road; buggy park; accessible toilet.",
    ),
    (
        "Stockwell Children's Centre",
        "Lansdowne Way, Stockwell, London",
        "SW8 2PS",
        "lambeth-2022:Stockwell East",
        10,
        true,
        "Ground floor group room; lift to the crèche room.",
    ),
    (
        "Tulse Hill Children's Centre",
        "Upper Tulse Hill, London",
        "SW2 2SD",
        "lambeth-2022:Brixton Rush Common",
        8,
        true,
        "Ramp at the side gate; baby-changing in the group room.",
    ),
    (
        "Vassall Children's Centre",
        "Vassall Road, Camberwell, London",
        "SW9 6JA",
        "lambeth-2022:Myatt's Field",
        9,
        true,
        "Step-free throughout; quiet room available for feeding.",
    ),
    (
        "Myatt's Fields Park Community Room",
        "Cormont Road, London",
        "SE5 9RA",
        "lambeth-2022:Myatt's Field",
        0,
        false,
        "Community room by the park glasshouse; no crèche room.",
    ),
];

const LOGINS: &[(Role, &str, &str)] = &[
    (Role::Admin, "admin@demo.groupwork.example", "Demo Admin"),
    (
        Role::Parent,
        "parent@demo.groupwork.example",
        "Amira Haddad",
    ),
    (
        Role::Coordinator,
        "coordinator@demo.groupwork.example",
        "Priya Coordinator",
    ),
    (
        Role::Facilitator,
        "clinician@demo.groupwork.example",
        "Dr Hannah Mensah (clinical psychologist)",
    ),
    (
        Role::Facilitator,
        "cosp@demo.groupwork.example",
        "Grace Adeyemi (registered COSP facilitator)",
    ),
    (
        Role::Facilitator,
        "betterstart@demo.groupwork.example",
        "Tom Reilly (Better Start worker)",
    ),
];

/// What [`load`] did.
pub enum Outcome {
    /// Loaded now: the demo logins with their passwords, which are not kept anywhere else.
    Loaded(Vec<DemoLogin>),
    /// Loaded earlier (`at`, UTC, as recorded then); nothing was changed.
    AlreadyLoaded { at: String },
    /// Not loaded, and nothing was changed.
    Refused(Refusal),
}

/// Why the demo was not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The database holds records of its own the demo would be mixed into: (count, what) for each
    /// kind present, e.g. `(3, "families")`.
    RecordsPresent(Vec<(i64, &'static str)>),
    /// Accounts already use these demo login emails.
    EmailsTaken(Vec<&'static str>),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the demo was not loaded, and nothing was changed: ")?;
        match self {
            Refusal::RecordsPresent(records) => {
                let total: i64 = records.iter().map(|(n, _)| n).sum();
                let named: Vec<String> = records.iter().map(|(n, w)| format!("{n} {w}")).collect();
                write!(
                    f,
                    "this database holds {} that {} not the demo's, and the demo is only loaded \
                     into a new database (accounts alone, such as an admin from create-admin, are \
                     fine)",
                    join_and(&named),
                    if total == 1 { "is" } else { "are" },
                )
            }
            Refusal::EmailsTaken(emails) => write!(
                f,
                "{} {} already {} in this database, and the demo does not take over accounts",
                join_and(emails),
                if emails.len() == 1 { "is" } else { "are" },
                if emails.len() == 1 {
                    "an account"
                } else {
                    "accounts"
                },
            ),
        }
    }
}

fn join_and<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

/// Whether the demo may be loaded: `Ok(None)` if so, else the outcome that stops it.
fn check(c: &mut DbConnection) -> QueryResult<Option<Outcome>> {
    use schema::{cohorts, families, staff, venues};
    if let Some(at) = store::settings::get(c, MARKER)? {
        return Ok(Some(Outcome::AlreadyLoaded { at: when(&at) }));
    }
    let plural =
        |n: i64, one: &'static str, many: &'static str| (n, if n == 1 { one } else { many });
    let records: Vec<(i64, &'static str)> = [
        plural(families::table.count().get_result(c)?, "family", "families"),
        plural(cohorts::table.count().get_result(c)?, "cohort", "cohorts"),
        plural(venues::table.count().get_result(c)?, "venue", "venues"),
        plural(
            staff::table.count().get_result(c)?,
            "staff member",
            "staff members",
        ),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .collect();
    if !records.is_empty() {
        return Ok(Some(Outcome::Refused(Refusal::RecordsPresent(records))));
    }
    let mut taken = Vec::new();
    for (_, email, _) in LOGINS {
        if store::users::find_by_email(c, email)?.is_some() {
            taken.push(*email);
        }
    }
    if !taken.is_empty() {
        return Ok(Some(Outcome::Refused(Refusal::EmailsTaken(taken))));
    }
    Ok(None)
}

/// The marker's time (`NaiveDateTime`'s text, UTC) to the minute.
fn when(marker: &str) -> String {
    NaiveDateTime::parse_from_str(marker, "%Y-%m-%d %H:%M:%S%.f")
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| marker.to_string())
}

/// Loads the demo unless it was loaded before or the database holds records of its own (see
/// [`Refusal`]); all of it in one [`Services::write`] transaction, so a failure leaves nothing
/// behind. The service itself is the actor in the audit trail; the records name the coordinator
/// and the group's lead as the staff who made them.
pub async fn load(services: &Services) -> Result<Outcome, String> {
    let failed = |e: ServiceError| format!("loading demo data failed: {e}");
    // Checked before hashing the passwords (slow on purpose), and again under the write lock.
    let first = services.read(|c, _| Ok(check(c)?)).await.map_err(failed)?;
    if let Some(stop) = first {
        return Ok(stop);
    }
    let logins: Vec<DemoLogin> = LOGINS
        .iter()
        .map(|(role, email, name)| DemoLogin {
            role: *role,
            email,
            name,
            password: format!("demo-{}", &tokens::random_secret()[..16]),
        })
        .collect();
    let hashes = logins
        .iter()
        .map(|l| password::hash(&l.password))
        .collect::<Result<Vec<_>, _>>()?;
    let geography = geography().map_err(|e| format!("loading demo data failed: {e}"))?;
    let stopped = services
        .write(Actor::System, move |tx| seed(tx, &hashes, &geography))
        .await
        .map_err(failed)?;
    Ok(stopped.unwrap_or(Outcome::Loaded(logins)))
}

/// The load itself, inside the transaction: `hashes` are the [`LOGINS`]' password hashes, in
/// order. `Some` when the re-check under the lock stops it.
fn seed(
    tx: &mut Tx,
    hashes: &[String],
    geography: &service::geography::Edition,
) -> Result<Option<Outcome>, ServiceError> {
    if let DbConnection::Postgres(pg) = &mut *tx.conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({LOAD_LOCK_KEY})")).execute(pg)?;
    }
    if let Some(stop) = check(tx.conn)? {
        return Ok(Some(stop));
    }
    let now = tx.now_naive();
    let c = &mut *tx.conn;
    let mut users = Vec::new();
    for ((role, email, name), hash) in LOGINS.iter().zip(hashes) {
        let new = store::users::NewUser {
            email,
            password_hash: hash,
            display_name: name,
            role: *role,
            now,
        };
        users.push((email.to_string(), store::users::insert(c, new)?.id));
    }
    let mut venue_ids = Vec::new();
    for (name, address, postcode, ward, capacity, registered, notes) in VENUES {
        let fields = VenueFields {
            name: name.to_string(),
            address: address.to_string(),
            postcode: postcode.to_string(),
            ward: ward.to_string(),
            creche_room_capacity: *capacity,
            creche_registered: *registered,
            accessibility_notes: notes.to_string(),
        };
        venue_ids.push(store::venues::insert(c, &fields, now)?.id);
    }
    let user = |prefix: &str| {
        users
            .iter()
            .find(|(e, _)| e.starts_with(prefix))
            .map(|(_, id)| *id)
    };
    let coordinator = user("coordinator").unwrap_or(0);
    let (cohorts, under_way) = programme::load(c, now, &venue_ids, &users, coordinator)?;
    let parent = user("parent");
    if let Some(parent) = parent {
        store::families::create_for_user(
            c,
            parent,
            "Amira Haddad",
            "parent@demo.groupwork.example",
            now,
        )?;
    }
    if let Some(first_cosp) = cohorts.first() {
        families::load(c, now, *first_cosp, parent, coordinator)?;
    }
    if let Some(running) = under_way {
        let lead = user("cosp@").unwrap_or(coordinator);
        registers::load(tx, now, running, lead)?;
    }
    // The made-up geography, unless the centre loaded its own: the demo's families and venues
    // get their wards and IMD deciles from their postcodes, as a centre's would.
    if store::geography::edition(tx.conn)?.is_none() {
        service::geography::replace(tx, geography)?;
    }
    store::settings::set(tx.conn, MARKER, &now.to_string())?;
    // Venues, published groups and their places: what the public listing shows.
    tx.listing_changed();
    Ok(None)
}

/// The geography fixture (`tests/fixtures/geography/`: made up, in the real files' formats),
/// read by the same code as `groupwork import-geography`.
fn geography() -> Result<service::geography::Edition, String> {
    use service::geography::files::{read_edition, Source, Sources};
    const DIR: &str = "tests/fixtures/geography";
    let sources = Sources {
        postcodes: Source::bytes(
            &format!("{DIR}/onspd.csv"),
            include_bytes!("../../tests/fixtures/geography/onspd.csv"),
        ),
        ward_names: Source::bytes(
            &format!("{DIR}/ward_names.csv"),
            include_bytes!("../../tests/fixtures/geography/ward_names.csv"),
        ),
        imd: Source::bytes(
            &format!("{DIR}/iod2025_file1.csv"),
            include_bytes!("../../tests/fixtures/geography/iod2025_file1.csv"),
        ),
        population: Some(Source::bytes(
            &format!("{DIR}/ward_population.csv"),
            include_bytes!("../../tests/fixtures/geography/ward_population.csv"),
        )),
    };
    read_edition(sources, &["E09000022".to_string()], "lambeth-2022")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{postcode, ward::Ward};

    #[test]
    fn demo_venues_pass_the_venue_rules() {
        for (_, _, pc, ward, capacity, registered, _) in VENUES {
            assert_eq!(postcode::normalise(pc).as_deref(), Some(*pc));
            assert_eq!(Ward::parse(ward).unwrap().key(), *ward);
            assert!(!registered || *capacity > 0);
        }
        let wards: std::collections::BTreeSet<_> = VENUES.iter().map(|v| v.3).collect();
        assert_eq!(wards.len(), 4, "the four LEAP wards");
    }

    #[test]
    fn the_demo_geography_places_every_demo_postcode_in_its_typed_ward() {
        let g = geography().unwrap();
        let ward_of = |pc: &str| {
            let p = g.postcodes.iter().find(|p| p.postcode == pc).unwrap();
            g.wards
                .iter()
                .find(|w| w.0 == p.ward_code)
                .unwrap()
                .1
                .clone()
        };
        for (_, _, pc, ward, _, _, _) in VENUES {
            assert_eq!(ward_of(pc), *ward, "{pc}");
        }
        for (pc, ward) in families::postcodes() {
            assert_eq!(ward_of(pc), ward, "{pc}");
        }
    }

    #[test]
    fn refusals_and_the_load_time_read_as_sentences() {
        assert_eq!(when("2026-03-02 09:00:00"), "2026-03-02 09:00 UTC");
        assert_eq!(
            when("2026-03-02 09:00:59.123456789"),
            "2026-03-02 09:00 UTC"
        );
        assert_eq!(when("not a time"), "not a time");
        let one = Refusal::RecordsPresent(vec![(1, "venue")]);
        assert!(one
            .to_string()
            .contains("holds 1 venue that is not the demo's"));
        let two = Refusal::RecordsPresent(vec![(3, "families"), (2, "venues")]);
        assert!(two
            .to_string()
            .contains("holds 3 families and 2 venues that are not"));
        let emails = Refusal::EmailsTaken(vec!["a@x", "b@x", "c@x"]);
        assert!(emails
            .to_string()
            .contains("a@x, b@x and c@x are already accounts"));
    }
}
