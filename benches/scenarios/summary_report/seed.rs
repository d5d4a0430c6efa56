//! A borough's history of groups inserted straight into a fresh database (batch inserts with
//! explicit ids, one transaction): seeding 35,000 rows through HTTP would take minutes and is not
//! what is measured. Deterministic, so every run reports the same figures. `scale` multiplies the
//! cohorts, families (and so the marks) over the same span (two years for the report scenarios,
//! ten for `growth`): 1 is today's borough, 10 the borough of issue 19's goal (2,000 cohorts,
//! 20,000 families, 200,000 marks).

use crate::support::bulk::{self, insert_rows};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use groupwork::db::schema::{
    attendance_marks as am, bookings as bo, children as ch, cohorts as co, creche_attendance as ca,
    families as fa, family_monitoring as fm, follow_ups as fu, geography_wards as gw,
    outcome_measures as om, programmes as pr, sessions as se, venues as ve,
};
use groupwork::db::DbConnection;
use groupwork::domain::monitoring::{ETHNICITIES, NOT_ASKED, PREFER_NOT_TO_SAY};
use std::collections::{BTreeMap, BTreeSet};

/// Cohorts and families of the borough at scale 1.
pub const COHORTS: usize = 200;
pub const FAMILIES: usize = 2000;
const VENUES: usize = 10;
const WARDS: [&str; 9] = [
    "lambeth-2014:Coldharbour",
    "lambeth-2014:Stockwell",
    "lambeth-2014:Tulse Hill",
    "lambeth-2014:Vassall",
    "lambeth-2022:Brixton North",
    "lambeth-2022:Stockwell East",
    "lambeth-2022:Tulse Hill",
    "lambeth-2022:Vassall",
    "",
];
const SOURCES: [&str; 7] = [
    "self",
    "health_visitor",
    "gp",
    "midwife",
    "childrens_centre",
    "social_care",
    "other",
];
const OUTCOMES: [Option<&str>; 5] = [
    None,
    Some("reengaged"),
    Some("will_rejoin_later"),
    Some("withdrew"),
    Some("unable_to_contact"),
];
const LANGUAGES: [&str; 7] = ["en", "pt", "es", "pl", "so", "tir", PREFER_NOT_TO_SAY];
const YES_NO: [&str; 4] = ["yes", "no", "no", PREFER_NOT_TO_SAY];
const ROLES: [&str; 4] = ["mother", "father", "other_carer", PREFER_NOT_TO_SAY];
const SEND: [&str; 5] = ["no", "yes", "no", PREFER_NOT_TO_SAY, NOT_ASKED];
const WEMWBS: &str = "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)";

/// What the report's total must say.
pub struct Seeded {
    pub sessions: usize,
    pub marks: usize,
    pub families_booked: usize,
    /// Families with a mark of present or late (every seeded session is in the past).
    pub families_reached: usize,
    pub children_signed_in: usize,
    pub never_offered: usize,
    /// Per ward key (empty: no ward): families booked, and the ward's under-fives as seeded.
    pub booked_by_ward: BTreeMap<&'static str, usize>,
    pub under_fives: BTreeMap<&'static str, i32>,
    /// Families booked with an IMD decile (the others are the `unknown` row).
    pub booked_with_decile: usize,
}

/// The weeks over which the cohorts start, evenly.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// A Tuesday.
    pub first: NaiveDate,
    pub weeks: usize,
}

impl Span {
    /// From 3 January 2023 (a Tuesday), 100 weeks: the last cohort ends in early 2025, well
    /// before now.
    pub fn two_years() -> Span {
        Span {
            first: NaiveDate::from_ymd_opt(2023, 1, 3).unwrap_or_default(),
            weeks: 100,
        }
    }

    fn tuesday(self, week: usize) -> NaiveDate {
        self.first + Duration::weeks(week as i64)
    }
}

pub fn borough(conn: &mut DbConnection, scale: usize, span: Span) -> QueryResult<Seeded> {
    conn.transaction(|c| seed(c, scale, span))
}

/// A family's IMD decile: 1–10, none for one in eleven (no postcode, or from over the border).
fn imd_decile(f: usize) -> Option<i32> {
    (!f.is_multiple_of(11)).then_some((f % 10) as i32 + 1)
}

fn seed(c: &mut DbConnection, scale: usize, span: Span) -> QueryResult<Seeded> {
    let (cohort_count, family_count) = (COHORTS * scale, FAMILIES * scale);
    let programme = |c: &mut DbConnection, code: &str| -> QueryResult<i32> {
        pr::table.filter(pr::code.eq(code)).select(pr::id).first(c)
    };
    let (tt, cosp) = (programme(c, "together-time")?, programme(c, "cosp")?);
    let t0 = span.first.and_time(NaiveTime::MIN) - Duration::days(60);
    let venues: Vec<_> = (1..=VENUES as i32)
        .map(|v| {
            (
                ve::id.eq(v),
                ve::name.eq(format!("Centre {v}")),
                ve::address.eq("1 High Street, London"),
                ve::postcode.eq("SW9 8LF"),
                ve::ward.eq(WARDS[v as usize % 4]),
                ve::creche_room_capacity.eq(8),
                ve::creche_registered.eq(true),
                ve::created_at.eq(t0),
                ve::updated_at.eq(t0),
            )
        })
        .collect();
    insert_rows!(c, ve::table, venues);
    let families: Vec<_> = (1..=family_count as i32)
        .map(|f| {
            let i = f as usize;
            (
                fa::id.eq(f),
                fa::ward.eq(WARDS[i % WARDS.len()]),
                fa::referral_source.eq(SOURCES[i % SOURCES.len()]),
                fa::imd_decile.eq(imd_decile(i)),
                fa::created_at.eq(t0),
                fa::updated_at.eq(t0),
            )
        })
        .collect();
    insert_rows!(c, fa::table, families);
    // Nine families in ten answered the monitoring questions (the tenth was never asked: no
    // row), some of them choosing not to say; a third came with two carers.
    let answers: Vec<_> = (1..=family_count as i32)
        .filter(|f| f % 10 != 0)
        .map(|f| {
            let i = f as usize;
            let two = i.is_multiple_of(3);
            let second = |a: &'static str| if two { a } else { NOT_ASKED };
            (
                fm::family_id.eq(f),
                fm::carers.eq(if two { 2 } else { 1 }),
                fm::ethnicity.eq(if i.is_multiple_of(13) {
                    PREFER_NOT_TO_SAY
                } else {
                    ETHNICITIES[i % ETHNICITIES.len()]
                }),
                fm::first_language.eq(LANGUAGES[i % LANGUAGES.len()]),
                fm::english_additional.eq(YES_NO[i % YES_NO.len()]),
                fm::lone_parent.eq(if two {
                    "no"
                } else {
                    YES_NO[i / 3 % YES_NO.len()]
                }),
                fm::carer_one_role.eq(ROLES[i % ROLES.len()]),
                fm::carer_two_role.eq(second(ROLES[(i + 1) % ROLES.len()])),
                // Born 1980–2009: the youngest are teenage parents in the cohorts' years.
                fm::carer_one_birth_year.eq([
                    "1980",
                    "1988",
                    "1995",
                    "2006",
                    "2009",
                    PREFER_NOT_TO_SAY,
                ][i % 6]),
                fm::carer_two_birth_year.eq(second("1990")),
                fm::carer_one_disability.eq(YES_NO[i / 7 % YES_NO.len()]),
                fm::carer_two_disability.eq(second(YES_NO[i / 5 % YES_NO.len()])),
            )
        })
        .collect();
    insert_rows!(c, fm::table, answers);
    // The under-fives of each seeded ward but the last (its population not loaded).
    let mut under_fives = BTreeMap::new();
    let wards: Vec<_> = WARDS
        .iter()
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(n, &w)| {
            let people = (n < WARDS.len() - 2).then_some(((300 + 40 * n) * scale) as i32);
            if let Some(p) = people {
                under_fives.insert(w, p);
            }
            (
                gw::ward_code.eq(format!("E0501{:04}", n + 1)),
                gw::ward.eq(w),
                gw::under_fives.eq(people),
            )
        })
        .collect();
    insert_rows!(c, gw::table, wards);
    let born = NaiveDate::from_ymd_opt(2022, 6, 1).unwrap_or_default();
    let children: Vec<_> = (1..=family_count as i32)
        .map(|f| {
            (
                ch::id.eq(f),
                ch::family_id.eq(f),
                ch::first_name.eq("Child"),
                ch::date_of_birth.eq(Some(born)),
                ch::send.eq(SEND[f as usize % SEND.len()]),
                ch::created_at.eq(t0),
                ch::updated_at.eq(t0),
            )
        })
        .collect();
    insert_rows!(c, ch::table, children);

    let (mut cohorts, mut sessions, mut bookings) = (Vec::new(), Vec::new(), Vec::new());
    let (mut marks, mut creche, mut follow_ups, mut scores) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut booked, mut reached, mut signed_in, mut never_offered) = (
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    let (mut session_id, mut booking_id) = (0, 0);
    for i in 0..cohort_count {
        let id = i as i32 + 1;
        // Even cohorts Together Time (6 sessions, 12 families), odd COSP (8, 16, crèche).
        let is_cosp = i % 2 == 1;
        let (count, families, minutes) = if is_cosp { (8, 16, 120) } else { (6, 12, 90) };
        // Spread evenly over the span: at twice the scale, twice as many a week.
        let first = span.tuesday(i * span.weeks / cohort_count);
        let created = first.and_time(NaiveTime::MIN) - Duration::days(30);
        cohorts.push((
            co::id.eq(id),
            co::programme_id.eq(if is_cosp { cosp } else { tt }),
            co::venue_id.eq((i % VENUES) as i32 + 1),
            co::title.eq(format!("Group {id}")),
            co::status.eq("published"),
            co::first_session_date.eq(first),
            co::start_time.eq(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()),
            co::session_minutes.eq(minutes),
            co::timezone.eq("Europe/London"),
            co::places.eq(families),
            co::creche_offered.eq(is_cosp),
            co::creche_workers.eq(if is_cosp { 2 } else { 0 }),
            co::created_at.eq(created),
            co::updated_at.eq(created),
            co::published_at.eq(Some(created)),
            co::confirmed_count.eq(families),
        ));
        // Families i*16.. book it: `families` confirmed, one still waiting, one gave up waiting.
        let family = |j: usize| ((i * 16 + j) % family_count) as i32 + 1;
        let mut confirmed = Vec::new();
        for j in 0..families as usize + 2 {
            booking_id += 1;
            let n = families as usize;
            let status = if j < n {
                "confirmed"
            } else if j == n {
                "waitlisted"
            } else {
                "cancelled"
            };
            let at = (status == "confirmed").then_some(created);
            bookings.push((
                bo::id.eq(booking_id),
                bo::cohort_id.eq(id),
                bo::family_id.eq(family(j)),
                bo::status.eq(status),
                bo::carers.eq(1),
                bo::created_at.eq(created),
                bo::updated_at.eq(created),
                bo::confirmed_at.eq(at),
            ));
            if status == "confirmed" {
                booked.insert(family(j));
                confirmed.push((booking_id, family(j)));
            } else {
                never_offered.insert(family(j));
            }
        }
        let mut cohort_sessions = Vec::new();
        for n in 0..count {
            session_id += 1;
            let starts: NaiveDateTime = (first + Duration::weeks(n))
                .and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default());
            sessions.push((
                se::id.eq(session_id),
                se::cohort_id.eq(id),
                se::number.eq(Some(n as i32 + 1)),
                se::kind.eq("group"),
                se::starts_at.eq(starts),
                se::ends_at.eq(starts + Duration::minutes(minutes as i64)),
                se::status.eq("scheduled"),
                se::created_at.eq(created),
                se::updated_at.eq(created),
            ));
            cohort_sessions.push(session_id);
            for (j, &(b, f)) in confirmed.iter().enumerate() {
                let status = match (i * 31 + n as usize * 7 + j * 13) % 20 {
                    0..=13 => "present",
                    14 | 15 => "late",
                    16 | 17 => "apologies",
                    _ => "absent",
                };
                if matches!(status, "present" | "late") {
                    reached.insert(f);
                }
                marks.push((
                    am::session_id.eq(session_id),
                    am::booking_id.eq(b),
                    am::status.eq(status),
                    am::marked_at.eq(starts),
                ));
                if is_cosp && j < 4 {
                    creche.push((
                        ca::session_id.eq(session_id),
                        ca::booking_id.eq(b),
                        ca::child_id.eq(f),
                        ca::signed_in_at.eq(starts + Duration::minutes(5)),
                        ca::marked_at.eq(starts),
                    ));
                    signed_in.insert(f);
                }
            }
        }
        let (b, f) = confirmed[0];
        let outcome = OUTCOMES[i % OUTCOMES.len()];
        follow_ups.push((
            fu::booking_id.eq(b),
            fu::cohort_id.eq(id),
            fu::family_id.eq(f),
            fu::trigger_session_id.eq(cohort_sessions[2]),
            fu::status.eq(if outcome.is_some() { "closed" } else { "open" }),
            fu::outcome.eq(outcome),
            fu::opened_at.eq(created),
            fu::closed_at.eq(outcome.map(|_| created)),
        ));
        for (j, &(b, _)) in confirmed.iter().take(6).enumerate() {
            for (phase, score) in [
                ("pre", 40.0 + j as f64),
                ("post", 43.0 + (j * i % 7) as f64),
            ] {
                scores.push((
                    om::booking_id.eq(b),
                    om::measure.eq(WEMWBS),
                    om::phase.eq(phase),
                    om::score.eq(score),
                    om::recorded_on.eq(first),
                    om::created_at.eq(created),
                    om::updated_at.eq(created),
                ));
            }
        }
    }
    insert_rows!(c, co::table, cohorts);
    insert_rows!(c, se::table, sessions);
    insert_rows!(c, bo::table, bookings);
    insert_rows!(c, am::table, marks);
    insert_rows!(c, ca::table, creche);
    insert_rows!(c, fu::table, follow_ups);
    insert_rows!(c, om::table, scores);
    // Explicit ids leave the sequences behind; the app must still be able to insert.
    bulk::reset_sequences(c, &bulk::BOROUGH_IDS)?;
    // A family waiting for one group may hold a place on another: "never offered" is per group.
    let mut booked_by_ward = BTreeMap::new();
    for &f in &booked {
        *booked_by_ward
            .entry(WARDS[f as usize % WARDS.len()])
            .or_default() += 1;
    }
    Ok(Seeded {
        sessions: session_id as usize,
        marks: marks.len(),
        families_booked: booked.len(),
        families_reached: reached.len(),
        children_signed_in: signed_in.len(),
        never_offered: never_offered.len(),
        booked_by_ward,
        under_fives,
        booked_with_decile: booked
            .iter()
            .filter(|&&f| imd_decile(f as usize).is_some())
            .count(),
    })
}
