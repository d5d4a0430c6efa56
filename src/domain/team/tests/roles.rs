//! Tests of who may take each role: qualifications, co-facilitator, crèche, one person once.

use super::*;

#[test]
fn holds_on_counts_the_expiry_day_and_renewals() {
    let p = person(
        1,
        "A",
        &[
            ("paediatric_first_aid", Some("2026-03-10")),
            ("paediatric_first_aid", Some("2029-03-10")),
            ("clinical", Some("2026-03-10")),
        ],
    );
    assert!(
        p.holds_on("clinical", d("2026-03-10")),
        "valid on its last day"
    );
    assert!(!p.holds_on("clinical", d("2026-03-11")));
    assert!(
        p.holds_on("paediatric_first_aid", d("2027-01-01")),
        "renewed"
    );
    assert!(!p.holds_on("supervisor", d("2026-01-01")));
    assert!(grace().holds_on("cosp_registered", d("2099-12-31")));
}

#[test]
fn a_complete_cosp_team_passes() {
    assert_eq!(
        ready_to_publish(&cosp(), &good_team(), &slots(), &[]),
        vec![]
    );
}

#[test]
fn lead_with_valid_qualification_is_allowed() {
    let mut team = good_team();
    // Expiring on the last session date is still valid for it.
    team.lead = Some(person(
        1,
        "Grace Adeyemi",
        &[("cosp_registered", Some("2026-04-21"))],
    ));
    assert!(check(&cosp(), &team, &slots(), &[]).is_empty());
}

#[test]
fn lead_registration_lapsing_between_sessions_3_and_4_is_refused() {
    let mut team = good_team();
    // Session 3 is 17 March, session 4 is 24 March.
    team.lead = Some(person(
        1,
        "Grace Adeyemi",
        &[("cosp_registered", Some("2026-03-20"))],
    ));
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["lead_qualification"]);
    assert_eq!(p[0].person_id, Some(1));
    let m = &p[0].message;
    assert!(m.contains("Grace Adeyemi"), "{m}");
    assert!(
        m.contains("2026-03-24"),
        "names the first session without it: {m}"
    );
    assert!(m.contains("2026-03-20"), "says when it ran out: {m}");
    assert!(m.contains("COSP facilitator registration"), "{m}");
}

#[test]
fn lead_without_the_qualification_at_all_is_refused() {
    let team = Team {
        lead: Some(person(7, "Hannah Mensah", &[("cosp_registered", None)])),
        ..Team::default()
    };
    let p = check(&together_time(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["lead_qualification"]);
    assert!(
        p[0].message
            .contains("Hannah Mensah has no clinical training"),
        "{}",
        p[0].message
    );
}

#[test]
fn co_facilitator_needed_for_cosp() {
    let mut team = good_team();
    team.co_facilitators.clear();
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["co_facilitator_missing"]);
    assert_eq!(p[0].person_id, None);
}

#[test]
fn co_facilitator_not_needed_for_together_time() {
    let team = Team {
        lead: Some(person(7, "Hannah Mensah", &[("clinical", None)])),
        ..Team::default()
    };
    assert!(ready_to_publish(&together_time(), &team, &slots(), &[]).is_empty());
}

#[test]
fn co_facilitator_qualification_on_every_date() {
    let needs = Needs {
        co_facilitator_qualification: Some("cosp_registered".into()),
        ..cosp()
    };
    let mut team = good_team();
    team.co_facilitators = vec![person(2, "Tom Reilly", &[("cosp_registered", None)])];
    assert!(check(&needs, &team, &slots(), &[]).is_empty());
    team.co_facilitators.push(person(
        6,
        "Sam Patel",
        &[("cosp_registered", Some("2026-04-10"))],
    ));
    let p = check(&needs, &team, &slots(), &[]);
    assert_eq!(codes(&p), ["co_facilitator_qualification"]);
    assert_eq!(p[0].person_id, Some(6));
    assert!(
        p[0].message.contains("Sam Patel") && p[0].message.contains("2026-04-14"),
        "{}",
        p[0].message
    );
}

#[test]
fn creche_workers_too_few_is_refused() {
    let mut team = good_team();
    team.creche_workers = vec![maria()];
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["creche_workers"]);
    assert!(
        p[0].message
            .contains("plans 2 workers but only 1 is assigned"),
        "{}",
        p[0].message
    );
    // More than planned is fine.
    team.creche_workers = vec![maria(), chloe(), person(8, "Jo Bell", &[])];
    assert!(check(&cosp(), &team, &slots(), &[]).is_empty());
}

#[test]
fn no_creche_no_creche_rules() {
    let needs = Needs {
        creche_workers: 0,
        ..cosp()
    };
    let team = Team {
        creche_workers: vec![],
        ..good_team()
    };
    assert!(check(&needs, &team, &slots(), &[]).is_empty());
}

#[test]
fn creche_with_nobody_holding_first_aid_is_refused() {
    let mut team = good_team();
    team.creche_workers = vec![chloe(), person(8, "Jo Bell", &[])];
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["paediatric_first_aid"]);
    let m = &p[0].message;
    assert!(m.contains("2026-03-03"), "{m}");
    assert!(
        m.contains("Chloe Evans has none") && m.contains("Jo Bell has none"),
        "{m}"
    );
    // With nobody at all both the count and the first aid are reported.
    team.creche_workers.clear();
    assert_eq!(
        codes(&check(&cosp(), &team, &slots(), &[])),
        ["creche_workers", "paediatric_first_aid"]
    );
}

#[test]
fn first_aid_expiring_mid_cohort_is_refused_and_a_renewal_fixes_it() {
    let mut team = good_team();
    team.creche_workers[0] = person(
        3,
        "Maria Santos",
        &[("paediatric_first_aid", Some("2026-04-01"))],
    );
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["paediatric_first_aid"]);
    let m = &p[0].message;
    assert!(m.contains("2026-04-07"), "first session without cover: {m}");
    assert!(
        m.contains("Maria Santos's is valid only until 2026-04-01"),
        "{m}"
    );
    // Chloe's certificate covers the later sessions: someone holds it on each date.
    team.creche_workers[1] = person(
        4,
        "Chloe Evans",
        &[("paediatric_first_aid", Some("2027-01-01"))],
    );
    assert!(check(&cosp(), &team, &slots(), &[]).is_empty());
}

#[test]
fn same_person_as_lead_and_co_facilitator_is_refused() {
    let mut team = good_team();
    team.co_facilitators = vec![grace()];
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["same_person_twice"]);
    assert_eq!(p[0].person_id, Some(1));
    assert!(
        p[0].message
            .contains("Grace Adeyemi is listed as lead and co-facilitator"),
        "{}",
        p[0].message
    );
}

#[test]
fn facilitator_and_creche_worker_is_refused_and_counted_once() {
    let mut team = good_team();
    team.creche_workers = vec![maria(), tom()];
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["same_person_twice"]);
    assert!(p[0].message.contains("Tom Reilly"), "{}", p[0].message);
    // Listed twice as a crèche worker is one worker, not two.
    team.creche_workers = vec![maria(), maria()];
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["creche_workers", "same_person_twice"]);
    assert!(
        p[1].message.contains("Maria Santos is listed 2 times"),
        "{}",
        p[1].message
    );
}

#[test]
fn supervisor_equal_to_lead_is_refused() {
    let mut team = good_team();
    team.supervisor = Some(person(
        1,
        "Grace Adeyemi",
        &[("cosp_registered", None), ("supervisor", None)],
    ));
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["same_person_twice"]);
    assert!(
        p[0].message.contains("Grace Adeyemi cannot supervise")
            && p[0].message.contains("its lead"),
        "{}",
        p[0].message
    );
    // Someone outside the group is fine.
    assert!(check(&cosp(), &good_team(), &slots(), &[]).is_empty());
}

#[test]
fn supervisor_lacking_qualification_is_refused() {
    let mut team = good_team();
    team.supervisor = Some(person(6, "Hannah Mensah", &[("clinical", None)]));
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["supervisor_qualification"]);
    assert_eq!(p[0].person_id, Some(6));
    assert!(
        p[0].message
            .contains("Hannah Mensah has no supervisor qualification"),
        "{}",
        p[0].message
    );
    // Lapsing mid-cohort counts too.
    team.supervisor = Some(person(
        6,
        "Hannah Mensah",
        &[("supervisor", Some("2026-03-31"))],
    ));
    let p = check(&cosp(), &team, &slots(), &[]);
    assert_eq!(codes(&p), ["supervisor_qualification"]);
    assert!(p[0].message.contains("2026-04-07"), "{}", p[0].message);
}
