//! Tests of rule codes, problem wording and what publishing needs.

use super::*;

#[test]
fn codes_are_snake_case_and_distinct() {
    let all: Vec<&str> = Rule::ALL.iter().map(Rule::code).collect();
    for (i, c) in all.iter().enumerate() {
        assert!(c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
        assert!(!all[..i].contains(c), "{c} twice");
    }
    assert_eq!(Rule::LeadQualification.code(), "lead_qualification");
    assert_eq!(Rule::DoubleBooked.code(), "double_booked");
}

#[test]
fn ready_to_publish_needs_a_lead() {
    let team = Team {
        lead: None,
        ..good_team()
    };
    let p = ready_to_publish(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["lead_missing"]);
    assert!(p[0].rule.is_about_completeness());
    // A draft may be saved without one.
    assert!(check(&cosp(), &team, &slots(), &[]).is_empty());
}

#[test]
fn every_problem_about_a_person_names_them() {
    let mut team = good_team();
    team.lead = Some(person(1, "Grace Adeyemi", &[]));
    team.supervisor = Some(person(4, "Chloe Evans", &[]));
    let c = elsewhere(2, "2026-03-17T09:00:00Z", "2026-03-17T11:00:00Z");
    let p = ready_to_publish(&cosp(), &team, &slots(), &[c]);
    assert_eq!(
        codes(&p),
        [
            "lead_qualification",
            "same_person_twice",
            "supervisor_qualification",
            "double_booked"
        ]
    );
    for pr in &p {
        if let Some(id) = pr.person_id {
            let name = [grace(), tom(), maria(), chloe()]
                .into_iter()
                .find(|x| x.id == id)
                .unwrap()
                .name;
            assert!(pr.message.contains(&name), "{}", pr.message);
        }
    }
}
