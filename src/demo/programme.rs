//! The demo's term programme: staff with qualifications and published cohorts across the four
//! LEAP wards, including one spanning Easter and one spanning the end of British Summer Time,
//! with teams that satisfy the programmes' rules. Dates are relative to the day it is loaded.

use crate::db::DbConnection;
use crate::domain::calendar;
use crate::store::{self, cohorts::CohortFields, staff::StaffFields};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use diesel::QueryResult;

type Quals = &'static [(&'static str, Option<i64>)];
/// name, email, organisation, roles, qualifications (kind, years valid or None), login email.
type StaffSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Quals,
    Option<&'static str>,
);

const STAFF: &[StaffSeed] = &[
    (
        "Dr Hannah Mensah",
        "hannah.mensah@pairs.example",
        "PAIRS",
        "clinician,supervisor",
        &[("clinical", None), ("supervisor", None)],
        Some("clinician@demo.groupwork.example"),
    ),
    (
        "Grace Adeyemi",
        "grace.adeyemi@pairs.example",
        "PAIRS",
        "cosp_facilitator",
        &[("cosp_registered", Some(2))],
        Some("cosp@demo.groupwork.example"),
    ),
    (
        "Tom Reilly",
        "tom.reilly@betterstart.example",
        "LEAP Better Start",
        "better_start_worker",
        &[],
        Some("betterstart@demo.groupwork.example"),
    ),
    (
        "Dr Ruth Okoye",
        "ruth.okoye@pairs.example",
        "PAIRS",
        "clinician,supervisor",
        &[("clinical", None), ("supervisor", None)],
        None,
    ),
    (
        "Aisha Khan",
        "aisha.khan@pairs.example",
        "PAIRS",
        "clinician",
        &[("clinical", None)],
        None,
    ),
    (
        "Joseph Mwangi",
        "joseph.mwangi@betterstart.example",
        "LEAP Better Start",
        "better_start_worker,cosp_facilitator",
        &[("cosp_registered", Some(3))],
        None,
    ),
    (
        "Sam Lewis",
        "sam.lewis@lambeth-parenting.example",
        "Lambeth parenting team",
        "parenting_worker",
        &[],
        None,
    ),
    (
        "Maria Santos",
        "maria.santos@childrenscentre.example",
        "Children's centre",
        "creche_worker",
        &[("paediatric_first_aid", Some(3))],
        None,
    ),
    (
        "Chloe Evans",
        "chloe.evans@childrenscentre.example",
        "Children's centre",
        "creche_worker",
        &[],
        None,
    ),
    (
        "Leanne Brown",
        "leanne.brown@childrenscentre.example",
        "Children's centre",
        "creche_worker",
        &[("paediatric_first_aid", Some(2))],
        None,
    ),
    (
        "Fatima Hussain",
        "fatima.hussain@childrenscentre.example",
        "Children's centre",
        "creche_worker",
        &[("paediatric_first_aid", Some(3))],
        None,
    ),
];

/// A planned demo cohort: programme, venue index, first date, local start, places, crèche
/// workers, title, team as indexes into STAFF (lead, co-facilitators, crèche, supervisor).
struct Plan {
    programme: &'static str,
    venue: usize,
    first: NaiveDate,
    start: (u32, u32),
    places: i32,
    creche_workers: i32,
    title: &'static str,
    description: &'static str,
    team: (
        Option<usize>,
        &'static [usize],
        &'static [usize],
        Option<usize>,
    ),
    publish: bool,
}

fn next_weekday(from: NaiveDate, day: Weekday) -> NaiveDate {
    from.iter_days()
        .find(|d| d.weekday() == day)
        .unwrap_or(from)
}

/// The last Sunday of October on or after `today` (when British Summer Time ends).
fn next_bst_end(today: NaiveDate) -> NaiveDate {
    (today.year()..today.year() + 2)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, 10, 31))
        .map(|d| d - Duration::days(i64::from(d.weekday().num_days_from_sunday())))
        .find(|d| *d >= today)
        .unwrap_or(today)
}

fn next_easter_monday(today: NaiveDate) -> NaiveDate {
    (today.year()..today.year() + 2)
        .map(|y| calendar::easter_sunday(y) + Duration::days(1))
        .find(|d| *d >= today)
        .unwrap_or(today)
}

fn plans(today: NaiveDate) -> Vec<Plan> {
    let soon = today + Duration::days(7);
    vec![
        Plan {
            programme: "cosp", venue: 1, first: next_weekday(soon, Weekday::Tue), start: (10, 0), places: 10, creche_workers: 2,
            title: "Circle of Security Parenting — Stockwell",
            description: "Eight Tuesday mornings exploring what your child needs from you, with a crèche so you can talk freely.",
            team: (Some(1), &[2], &[7, 8], Some(3)), publish: true,
        },
        Plan {
            programme: "together-time", venue: 0, first: next_easter_monday(soon) - Duration::weeks(3), start: (10, 0), places: 8, creche_workers: 0,
            title: "Together Time — Coldharbour (over Easter)",
            description: "Six Monday sessions for parents-to-be and parents with babies and toddlers. No session on Easter Monday.",
            team: (Some(0), &[], &[], Some(3)), publish: true,
        },
        Plan {
            programme: "cosp", venue: 3, first: next_weekday(next_bst_end(soon) - Duration::weeks(3), Weekday::Thu), start: (13, 0), places: 10, creche_workers: 2,
            title: "Circle of Security Parenting — Vassall (autumn)",
            description: "Thursday afternoons through the end of British Summer Time, with a crèche.",
            team: (Some(5), &[2], &[9, 10], Some(0)), publish: true,
        },
        Plan {
            programme: "together-time", venue: 2, first: next_weekday(soon, Weekday::Wed), start: (10, 30), places: 8, creche_workers: 0,
            title: "Together Time — Tulse Hill",
            description: "Watch, wait and wonder with your baby or toddler, led by a PAIRS clinician.",
            team: (Some(4), &[], &[], Some(3)), publish: true,
        },
        Plan {
            programme: "together-time", venue: 4, first: next_weekday(soon, Weekday::Fri), start: (10, 0), places: 6, creche_workers: 0,
            title: "Together Time — Myatt's Fields",
            description: "A small Friday group in the park community room.",
            team: (Some(0), &[], &[], Some(3)), publish: true,
        },
        Plan {
            programme: "cosp", venue: 0, first: next_weekday(soon + Duration::weeks(4), Weekday::Wed), start: (13, 30), places: 10, creche_workers: 2,
            title: "Circle of Security Parenting — Coldharbour (planning)",
            description: "Being planned: team to be confirmed.",
            team: (None, &[], &[], None), publish: false,
        },
        // Under way: four sessions held, four to go (registers and follow-ups in the demo).
        Plan {
            programme: "cosp", venue: 3, first: next_weekday(today - Duration::weeks(4), Weekday::Thu), start: (10, 0), places: 8, creche_workers: 2,
            title: "Circle of Security Parenting — Vassall (under way)",
            description: "Thursday mornings, with a crèche. Already running: ask us about the next group.",
            team: (Some(1), &[2], &[9, 10], Some(0)), publish: true,
        },
    ]
}

/// The index in `plans` of the group already under way.
pub const UNDER_WAY: usize = 6;

/// Adds the staff and cohorts; `venue_ids` are the demo venues in order; `users` maps login
/// emails to user ids. Returns the cohorts still to start, and the one under way.
pub fn load(
    c: &mut DbConnection,
    now: NaiveDateTime,
    venue_ids: &[i32],
    users: &[(String, i32)],
    actor: i32,
) -> QueryResult<(Vec<i32>, Option<i32>)> {
    let today = now.date();
    let mut made = Vec::new();
    let mut under_way = None;
    let mut staff_ids = Vec::new();
    for (name, email, org, roles, quals, login) in STAFF {
        let fields = StaffFields {
            name: name.to_string(),
            email: email.to_string(),
            phone: String::new(),
            organisation: org.to_string(),
            roles: roles.split(',').map(str::to_string).collect(),
            active: true,
            qualifications: quals
                .iter()
                .map(|(k, years)| {
                    (
                        k.to_string(),
                        years.map(|y| today + Duration::days(365 * y)),
                    )
                })
                .collect(),
        };
        let user = login.and_then(|l| users.iter().find(|(e, _)| e == l).map(|(_, id)| *id));
        staff_ids.push(store::staff::insert(c, &fields, user, now)?.row.id);
    }
    let tz = chrono_tz::Europe::London;
    for (i, plan) in plans(today).into_iter().enumerate() {
        let Some(p) = store::programmes::find_by_code(c, plan.programme)? else {
            continue;
        };
        let start = NaiveTime::from_hms_opt(plan.start.0, plan.start.1, 0).unwrap_or_default();
        let fields = CohortFields {
            programme_id: p.id,
            venue_id: venue_ids[plan.venue],
            title: plan.title.to_string(),
            description: plan.description.to_string(),
            first_session_date: plan.first,
            start_time: start,
            session_minutes: p.session_minutes,
            timezone: "Europe/London".into(),
            places: plan.places,
            creche_offered: p.creche_provided,
            creche_workers: plan.creche_workers,
            booking_opens_on: None,
            booking_closes_on: None,
        };
        let sessions = match store::cohorts::plan_weekly(
            c,
            fields.venue_id,
            plan.first,
            start,
            p.session_minutes,
            tz,
            p.session_count,
        ) {
            Ok(s) => s,
            Err(store::cohorts::PlanError::Db(e)) => return Err(e),
            Err(store::cohorts::PlanError::Schedule(_)) => continue,
        };
        let cohort = store::cohorts::insert(c, &fields, &sessions, actor, now)?;
        let (lead, co, creche, sup) = plan.team;
        let mut team: Vec<(i32, &str)> = Vec::new();
        team.extend(lead.map(|i| (staff_ids[i], "lead")));
        team.extend(co.iter().map(|i| (staff_ids[*i], "co_facilitator")));
        team.extend(creche.iter().map(|i| (staff_ids[*i], "creche_worker")));
        team.extend(sup.map(|i| (staff_ids[i], "supervisor")));
        store::teams::replace_team(c, cohort.id, &team)?;
        if plan.publish {
            store::cohorts::publish(c, cohort.id, now)?;
        }
        if i == UNDER_WAY {
            under_way = Some(cohort.id);
        } else {
            made.push(cohort.id);
        }
    }
    Ok((made, under_way))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_cohorts_span_easter_and_the_end_of_summer_time() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let p = plans(today);
        let easter_monday = calendar::easter_sunday(2027) + Duration::days(1);
        assert!(p[1].first < easter_monday && p[1].first + Duration::weeks(6) > easter_monday);
        assert_eq!(p[1].first.weekday(), Weekday::Mon);
        let bst_end = NaiveDate::from_ymd_opt(2027, 10, 31).unwrap();
        assert_eq!(next_bst_end(today), bst_end);
        assert!(p[2].first < bst_end && p[2].first + Duration::weeks(8) > bst_end);
        let running = &p[UNDER_WAY];
        assert!(p
            .iter()
            .enumerate()
            .all(|(i, plan)| i == UNDER_WAY || plan.first > today));
        assert!(
            running.first <= today - Duration::weeks(3)
                && running.first > today - Duration::weeks(4)
        );
    }
}
