//! Demo data for `serve --demo`: a realistic Lambeth set-up in the four LEAP wards. Idempotent: it
//! loads once into an empty database and prints the demo passwords that one time only.

use crate::auth::{password, tokens};
use crate::db::{write_transaction, DbConnection};
use crate::domain::role::Role;
use crate::store::{self, venues::VenueFields};
use chrono::NaiveDateTime;

mod families;
mod programme;
mod registers;

const MARKER: &str = "demo_loaded";

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
        "lambeth-2014:Coldharbour",
        12,
        true,
        "Step-free entrance from Somerleyton Road; buggy park; accessible toilet.",
    ),
    (
        "Stockwell Children's Centre",
        "Lansdowne Way, Stockwell, London",
        "SW8 2PS",
        "lambeth-2014:Stockwell",
        10,
        true,
        "Ground floor group room; lift to the crèche room.",
    ),
    (
        "Tulse Hill Children's Centre",
        "Upper Tulse Hill, London",
        "SW2 2SD",
        "lambeth-2014:Tulse Hill",
        8,
        true,
        "Ramp at the side gate; baby-changing in the group room.",
    ),
    (
        "Vassall Children's Centre",
        "Vassall Road, Camberwell, London",
        "SW9 6JA",
        "lambeth-2014:Vassall",
        9,
        true,
        "Step-free throughout; quiet room available for feeding.",
    ),
    (
        "Myatt's Fields Park Community Room",
        "Cormont Road, London",
        "SE5 9RA",
        "lambeth-2014:Vassall",
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

/// Loads the demo into an empty database; returns the logins made, or `None` if the demo (or
/// other data) was already there.
pub fn load(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Option<Vec<DemoLogin>>, String> {
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
    write_transaction(conn, |c| {
        if store::settings::get(c, MARKER)?.is_some()
            || store::users::count(c)? > 0
            || store::venues::count(c)? > 0
        {
            return Ok(None);
        }
        let mut users = Vec::new();
        for (login, hash) in logins.iter().zip(&hashes) {
            let new = store::users::NewUser {
                email: login.email,
                password_hash: hash,
                display_name: login.name,
                role: login.role,
                now,
            };
            users.push((login.email.to_string(), store::users::insert(c, new)?.id));
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
        let coordinator = users
            .iter()
            .find(|(e, _)| e.starts_with("coordinator"))
            .map(|(_, id)| *id)
            .unwrap_or(0);
        let (cohorts, under_way) = programme::load(c, now, &venue_ids, &users, coordinator)?;
        let parent = users
            .iter()
            .find(|(e, _)| e.starts_with("parent"))
            .map(|(_, id)| *id);
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
            let lead = users
                .iter()
                .find(|(e, _)| e.starts_with("cosp@"))
                .map(|(_, id)| *id);
            registers::load(c, now, running, lead.unwrap_or(coordinator))?;
        }
        store::settings::set(c, MARKER, &now.to_string())?;
        Ok(Some(()))
    })
    .map_err(|e: diesel::result::Error| format!("loading demo data failed: {e}"))
    .map(|loaded| loaded.map(|()| logins))
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
}
