//! The demo's families: parents with children of different ages, booked onto the first COSP
//! group so that its crèche is full and two families wait for a crèche place.

use crate::db::DbConnection;
use crate::domain::message::{ContactBy, Language};
use crate::domain::monitoring::{Answers, CarerAnswers, PREFER_NOT_TO_SAY};
use crate::store::{self, bookings::NewBooking, families::Profile};
use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;

/// carer, postcode, ward, referral source, child's name and age in months (None = no crèche
/// needed: the child stays with a relative), and whether the family gets a crèche place.
const FAMILIES: &[(&str, &str, &str, &str, &str, i64, bool)] = &[
    (
        "Amira Haddad",
        "SW9 8LF",
        "lambeth-2022:Brixton Windrush",
        "self",
        "Layla",
        14,
        true,
    ),
    (
        "Precious Okonkwo",
        "SW9 7SL",
        "lambeth-2022:Brixton Windrush",
        "health_visitor",
        "David",
        9,
        true,
    ),
    (
        "Joanna Silva",
        "SW8 2PS",
        "lambeth-2022:Stockwell East",
        "self",
        "Tomás",
        20,
        true,
    ),
    (
        "Hannah Wright",
        "SW2 2SD",
        "lambeth-2022:Brixton Rush Common",
        "midwife",
        "Ruby",
        7,
        true,
    ),
    (
        "Fatou Diallo",
        "SW9 6JA",
        "lambeth-2022:Myatt's Field",
        "childrens_centre",
        "Aminata",
        16,
        true,
    ),
    (
        "Kerry-Ann Brown",
        "SE5 9RA",
        "lambeth-2022:Myatt's Field",
        "gp",
        "Tyler",
        11,
        true,
    ),
    (
        "Mei Chen",
        "SW8 1UQ",
        "lambeth-2022:Stockwell East",
        "self",
        "Lin",
        30,
        false,
    ),
    (
        "Ola Adebayo",
        "SW9 8ND",
        "lambeth-2022:Brixton Windrush",
        "social_care",
        "Tobi",
        40,
        false,
    ),
    (
        "Sofia Rossi",
        "SW2 1RL",
        "lambeth-2022:Brixton Rush Common",
        "self",
        "Giulia",
        10,
        true,
    ),
    (
        "Grace Mensah",
        "SW9 6HY",
        "lambeth-2022:Myatt's Field",
        "health_visitor",
        "Kofi",
        5,
        true,
    ),
];

/// What demo family `i` told the centre for monitoring: a spread like a real borough's, with
/// some who preferred not to say and (every seventh) some never asked.
fn answers(i: usize) -> Answers {
    const ETHNICITIES: [&str; 7] = [
        "black_african",
        "white_british",
        "white_other",
        "black_caribbean",
        "asian_bangladeshi",
        "mixed_white_black_caribbean",
        "prefer_not_to_say",
    ];
    if i % 7 == 6 {
        return Answers::default();
    }
    let (language, additional) = match i % 4 {
        2 => (["pt", "es", "pl"][(i / 4) % 3], "yes"),
        1 => ("en", "no"),
        3 => ("so", "yes"),
        _ => ("en", "no"),
    };
    let carer = CarerAnswers {
        role: if i % 5 == 3 { "father" } else { "mother" }.into(),
        // One teenage mother; one who would rather not give a year.
        birth_year: match i {
            4 => "2008".into(),
            5 => PREFER_NOT_TO_SAY.into(),
            _ => (1984 + (i % 12) as i32).to_string(),
        },
        disability: if i % 6 == 1 { "yes" } else { "no" }.into(),
    };
    Answers {
        ethnicity: ETHNICITIES[i % ETHNICITIES.len()].into(),
        first_language: language.into(),
        english_additional: additional.into(),
        lone_parent: if i.is_multiple_of(3) { "yes" } else { "no" }.into(),
        carers: [carer, CarerAnswers::default()],
    }
}

/// Adds the families; the first belongs to the demo parent login `parent_user`.
pub fn load(
    c: &mut DbConnection,
    now: NaiveDateTime,
    cohort: i32,
    parent_user: Option<i32>,
    actor: i32,
) -> QueryResult<()> {
    for (i, (carer, postcode, ward, source, child, months, creche)) in FAMILIES.iter().enumerate() {
        let family = match (i, parent_user) {
            (0, Some(user)) => {
                store::families::of_user(c, user)?.ok_or(diesel::result::Error::NotFound)?
            }
            _ => {
                // Families who booked by phone: no login of their own.
                let email = format!(
                    "{}@families.example",
                    carer.to_lowercase().replace([' ', '\''], ".")
                );
                store::families::create_for_user(c, None, carer, &email, now)?
            }
        };
        let profile = Profile {
            carer_one: carer.to_string(),
            carer_two: String::new(),
            phone: format!("07700 900{:03}", 100 + i),
            email: family.email.clone(),
            postcode: postcode.to_string(),
            ward: ward.to_string(),
            // The borough's commonest languages after English, as families chose them.
            preferred_language: if i % 4 == 2 {
                [Language::Pt, Language::Es, Language::Pl][(i / 4) % 3]
            } else {
                Language::En
            },
            language_other: String::new(),
            contact_by: if i % 3 == 0 {
                ContactBy::Both
            } else {
                ContactBy::Email
            },
            reminders: i % 10 != 9,
            interpreter_needed: i % 4 == 2,
            access_needs: String::new(),
            referral_source: source.to_string(),
            consent_to_contact: true,
            answers: Some(answers(i)),
            lsoa: String::new(),
            imd_decile: None,
        };
        store::families::update_profile(c, family.id, &profile, now)?;
        let born = now.date() - Duration::days(months * 30);
        let kid = store::families::add_child(c, family.id, child, Some(born), None, now)?;
        if i % 7 != 6 {
            store::families::set_send(c, kid.id, if i % 8 == 5 { "yes" } else { "no" })?;
        }
        // Six babies fill the crèche (two workers at 1:3); the last two wait for a place.
        let confirmed = i < 8 && store::bookings::take_place(c, cohort)?;
        let children = if *creche { vec![kid.id] } else { vec![] };
        store::bookings::insert(
            c,
            NewBooking {
                cohort_id: cohort,
                family_id: family.id,
                confirmed,
                carers: 1,
                booked_by: actor,
                creche_children: &children,
                access_needs: &profile.access_needs,
                interpreter_needed: profile.interpreter_needed,
                walk_in: false,
            },
            now,
        )?;
    }
    Ok(())
}

/// The demo families' postcodes and wards (the demo's geography must know them all).
#[cfg(test)]
pub(super) fn postcodes() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<_> = FAMILIES.iter().map(|f| (f.1, f.2)).collect();
    all.push(super::registers::POSTCODE);
    all
}
