//! Unit tests of the team rules; shared people, needs and slots here, the tests by theme below.

use super::*;
use chrono::Duration;

mod double_booking;
mod problems;
mod roles;
mod supervisor_load;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn person(id: i32, name: &str, quals: &[(&str, Option<&str>)]) -> Person {
    Person {
        id,
        name: name.into(),
        qualifications: quals
            .iter()
            .map(|(k, e)| Qualification {
                kind: k.to_string(),
                expires_on: e.map(d),
            })
            .collect(),
    }
}

/// `n` Tuesdays 10:00–12:00 UTC from 3 March 2026 (3, 10, 17, 24, 31 March, 7, 14, 21 April).
fn tuesdays(n: i64) -> Vec<Slot> {
    (0..n)
        .map(|w| {
            let date = d("2026-03-03") + Duration::weeks(w);
            let start = date.and_hms_opt(10, 0, 0).unwrap().and_utc();
            Slot {
                date,
                starts_at: start,
                ends_at: start + Duration::hours(2),
            }
        })
        .collect()
}

fn slots() -> Vec<Slot> {
    tuesdays(8)
}

fn cosp() -> Needs {
    Needs {
        lead_qualification: Some("cosp_registered".into()),
        co_facilitator_required: true,
        co_facilitator_qualification: None,
        creche_workers: 2,
    }
}

fn together_time() -> Needs {
    Needs {
        lead_qualification: Some("clinical".into()),
        co_facilitator_required: false,
        co_facilitator_qualification: None,
        creche_workers: 0,
    }
}

fn grace() -> Person {
    person(1, "Grace Adeyemi", &[("cosp_registered", None)])
}
fn tom() -> Person {
    person(2, "Tom Reilly", &[])
}
fn maria() -> Person {
    person(3, "Maria Santos", &[("paediatric_first_aid", None)])
}
fn chloe() -> Person {
    person(4, "Chloe Evans", &[])
}
fn ruth() -> Person {
    person(5, "Ruth Okoye", &[("clinical", None), ("supervisor", None)])
}

fn good_team() -> Team {
    Team {
        lead: Some(grace()),
        co_facilitators: vec![tom()],
        creche_workers: vec![maria(), chloe()],
        supervisor: Some(ruth()),
    }
}

fn codes(p: &[Problem]) -> Vec<&'static str> {
    p.iter().map(|p| p.rule.code()).collect()
}

fn elsewhere(person_id: i32, start: &str, end: &str) -> Commitment {
    Commitment {
        person_id,
        cohort_id: 9,
        cohort_title: "Together Time Vassall".into(),
        starts_at: t(start),
        ends_at: t(end),
    }
}
