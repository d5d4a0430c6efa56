//! The demo's group under way: four sessions held with their registers marked and crèche
//! children signed in and out; one family missed two in a row (an open follow-up) and one
//! missed two and came back (a follow-up closed as re-engaged), through the real follow-up rule.

use crate::domain::message::{ContactBy, Language};
use crate::domain::register::Mark;
use crate::domain::status::SessionKind;
use crate::service::registers::follow_ups;
use crate::service::{ServiceError, Tx};
use crate::store::{self, bookings::NewBooking, families::Profile};
use chrono::{Duration, NaiveDateTime};

/// carer, child, age in months, crèche place, marks at sessions 1–4.
const FAMILIES: &[(&str, &str, i64, bool, [Mark; 4])] = &[
    (
        "Nadia Rahman",
        "Yusuf",
        7,
        true,
        [Mark::Present, Mark::Present, Mark::Present, Mark::Present],
    ),
    (
        "Claire Dupont",
        "Elodie",
        11,
        true,
        [Mark::Present, Mark::Late, Mark::Present, Mark::Present],
    ),
    (
        "Sade Williams",
        "Tobi",
        16,
        true,
        [Mark::Present, Mark::Absent, Mark::Absent, Mark::Present],
    ),
    (
        "Megan Price",
        "Alfie",
        20,
        false,
        [Mark::Present, Mark::Present, Mark::Absent, Mark::Absent],
    ),
    (
        "Ana Ferreira",
        "Rafael",
        30,
        false,
        [Mark::Present, Mark::Apologies, Mark::Present, Mark::Late],
    ),
    (
        "Kwame Boateng",
        "Ama",
        4,
        true,
        [Mark::Late, Mark::Present, Mark::Present, Mark::Present],
    ),
];

/// Adds the families and marks the held sessions' registers as `lead`, half an hour into each.
/// Where the register's families live (postcode, ward).
pub(super) const POSTCODE: (&str, &str) = ("SW9 6HY", "lambeth-2022:Myatt's Field");

pub fn load(
    tx: &mut Tx,
    now: NaiveDateTime,
    cohort_id: i32,
    lead: i32,
) -> Result<(), ServiceError> {
    let c = &mut *tx.conn;
    let (cohort, programme, _) =
        store::cohorts::find_full(c, cohort_id)?.ok_or(diesel::result::Error::NotFound)?;
    let mut held = store::cohorts::sessions_of(c, cohort_id)?;
    held.retain(|s| !s.is_cancelled() && s.kind == SessionKind::Group && s.starts_at < now);
    held.sort_by_key(|s| s.starts_at);
    let mut bookings = Vec::new();
    for (i, (carer, child, months, creche, _)) in FAMILIES.iter().enumerate() {
        let email = format!(
            "{}@families.example",
            carer.to_lowercase().replace(' ', ".")
        );
        let family = store::families::create_for_user(c, None, carer, &email, now)?;
        let profile = Profile {
            carer_one: carer.to_string(),
            carer_two: String::new(),
            phone: format!("07700 900{:03}", 300 + i),
            email,
            postcode: POSTCODE.0.into(),
            ward: POSTCODE.1.into(),
            preferred_language: Language::En,
            language_other: String::new(),
            contact_by: ContactBy::Email,
            reminders: true,
            interpreter_needed: false,
            access_needs: String::new(),
            referral_source: if i % 2 == 0 { "health_visitor" } else { "self" }.into(),
            consent_to_contact: true,
            answers: None,
            lsoa: String::new(),
            imd_decile: None,
        };
        store::families::update_profile(c, family.id, &profile, now)?;
        let first = cohort.first_session_date;
        let born = first - Duration::days(months * 30);
        let kid = store::families::add_child(c, family.id, child, Some(born), None, now)?;
        let taken = store::bookings::take_place(c, cohort_id)?;
        let children = if *creche { vec![kid.id] } else { vec![] };
        let booked_at = first.and_hms_opt(9, 0, 0).unwrap_or(now) - Duration::weeks(3);
        let new = NewBooking {
            cohort_id,
            family_id: family.id,
            confirmed: taken,
            carers: 1,
            booked_by: lead,
            creche_children: &children,
            access_needs: &profile.access_needs,
            interpreter_needed: profile.interpreter_needed,
            walk_in: false,
        };
        bookings.push((
            store::bookings::insert(c, new, booked_at)?,
            children,
            *carer,
        ));
    }
    // Each week's register, marked half an hour in; the follow-up rule runs as it would live.
    for (week, session) in held.iter().enumerate().take(4) {
        let c = &mut *tx.conn;
        let marked_at = session.starts_at + Duration::minutes(30);
        let mut marked = Vec::new();
        for (i, (b, children, carer)) in bookings.iter().enumerate() {
            let status = FAMILIES[i].4[week];
            // A family marked late came twenty minutes in.
            let times = store::registers::MarkTimes {
                arrived_at: (status == Mark::Late)
                    .then(|| session.starts_at + Duration::minutes(20)),
                left_at: None,
            };
            store::registers::set_mark(c, session.id, b.id, status, &times, lead, marked_at)?;
            marked.push(b.clone());
            if status.attended() {
                for child in children {
                    let s = store::registers::SignIn {
                        signed_in_at: session.starts_at + Duration::minutes(5),
                        signed_out_at: Some(session.ends_at - Duration::minutes(5)),
                        collected_by: carer.to_string(),
                        collector_id: None,
                        collection_override: String::new(),
                    };
                    store::registers::set_sign_in(
                        c,
                        session.id,
                        b.id,
                        *child,
                        Some(&s),
                        lead,
                        marked_at,
                    )?;
                }
            }
        }
        store::registers::bump_version(c, session.id)?;
        follow_ups::after_marks_at(tx, &cohort, &programme, &marked, Some(lead), marked_at)?;
    }
    Ok(())
}
