//! Whether a cohort's team fits its programme and the practice. COSP needs a registered COSP
//! facilitator to lead and a co-facilitator (a Better Start or parenting worker) who supports
//! families between sessions; Together Time needs a clinically trained lead; a crèche needs its
//! planned workers, one with paediatric first aid; the supervisor, who gives reflective
//! supervision after each session, is someone outside the group and takes at most a few groups
//! a term; and nobody can be in two sessions at once. Every problem names the rule and the person.

use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    pub kind: String,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i32,
    pub name: String,
    pub qualifications: Vec<Qualification>,
}

impl Person {
    /// Holds `kind`, valid on `date` (no expiry, or it expires on or after that date).
    pub fn holds_on(&self, kind: &str, date: NaiveDate) -> bool {
        self.qualifications
            .iter()
            .any(|q| q.kind == kind && q.expires_on.is_none_or(|e| e >= date))
    }

    /// The first session date on which `kind` is not valid, if any.
    fn first_gap(&self, kind: &str, slots: &[Slot]) -> Option<NaiveDate> {
        slots
            .iter()
            .map(|s| s.date)
            .filter(|d| !self.holds_on(kind, *d))
            .min()
    }
}

/// What the programme (and the cohort's crèche plan) asks of the team.
#[derive(Debug, Clone)]
pub struct Needs {
    pub lead_qualification: Option<String>,
    pub co_facilitator_required: bool,
    pub co_facilitator_qualification: Option<String>,
    /// Crèche workers planned (0 when no crèche runs).
    pub creche_workers: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Team {
    pub lead: Option<Person>,
    pub co_facilitators: Vec<Person>,
    pub creche_workers: Vec<Person>,
    pub supervisor: Option<Person>,
}

/// A session of this cohort: its local date and UTC span.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A session someone already has in another cohort.
#[derive(Debug, Clone)]
pub struct Commitment {
    pub person_id: i32,
    pub cohort_id: i32,
    pub cohort_title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    LeadMissing,
    LeadQualification,
    CoFacilitatorMissing,
    CoFacilitatorQualification,
    CrecheWorkers,
    PaediatricFirstAid,
    DoubleBooked,
    SupervisorQualification,
    SupervisorLoad,
    SamePersonTwice,
}

impl Rule {
    /// Rules about a team not being complete yet: a draft may be saved without them, a cohort
    /// may not be published (or stay published) with them broken.
    pub fn is_about_completeness(&self) -> bool {
        matches!(
            self,
            Rule::LeadMissing
                | Rule::CoFacilitatorMissing
                | Rule::CrecheWorkers
                | Rule::PaediatricFirstAid
        )
    }

    pub fn code(&self) -> &'static str {
        match self {
            Rule::LeadMissing => "lead_missing",
            Rule::LeadQualification => "lead_qualification",
            Rule::CoFacilitatorMissing => "co_facilitator_missing",
            Rule::CoFacilitatorQualification => "co_facilitator_qualification",
            Rule::CrecheWorkers => "creche_workers",
            Rule::PaediatricFirstAid => "paediatric_first_aid",
            Rule::DoubleBooked => "double_booked",
            Rule::SupervisorQualification => "supervisor_qualification",
            Rule::SupervisorLoad => "supervisor_load",
            Rule::SamePersonTwice => "same_person_twice",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: Rule,
    pub person_id: Option<i32>,
    pub message: String,
}

fn problem(rule: Rule, person: Option<&Person>, message: String) -> Problem {
    Problem {
        rule,
        person_id: person.map(|p| p.id),
        message,
    }
}

/// Half-open overlap: a session ending at 12:00 and one starting at 12:00 do not overlap.
pub fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

fn describe(kind: &str) -> &str {
    match kind {
        "clinical" => "clinical training",
        "cosp_registered" => "COSP facilitator registration",
        "paediatric_first_aid" => "paediatric first aid",
        "supervisor" => "supervisor status",
        other => other,
    }
}

/// Every rule the team breaks on these slots (empty when it is fine). A draft may have no lead.
pub fn check(
    needs: &Needs,
    team: &Team,
    slots: &[Slot],
    commitments: &[Commitment],
) -> Vec<Problem> {
    let mut out = Vec::new();
    if let (Some(lead), Some(kind)) = (&team.lead, &needs.lead_qualification) {
        if let Some(date) = lead.first_gap(kind, slots) {
            out.push(problem(
                Rule::LeadQualification,
                Some(lead),
                format!(
                    "{} does not hold valid {} on {date}",
                    lead.name,
                    describe(kind)
                ),
            ));
        }
    }
    if needs.co_facilitator_required && team.co_facilitators.is_empty() {
        out.push(problem(
            Rule::CoFacilitatorMissing,
            None,
            "this programme needs a co-facilitator".into(),
        ));
    }
    if let Some(kind) = &needs.co_facilitator_qualification {
        for co in &team.co_facilitators {
            if let Some(date) = co.first_gap(kind, slots) {
                out.push(problem(
                    Rule::CoFacilitatorQualification,
                    Some(co),
                    format!(
                        "{} does not hold valid {} on {date}",
                        co.name,
                        describe(kind)
                    ),
                ));
            }
        }
    }
    if needs.creche_workers > 0 {
        let assigned = team.creche_workers.len() as u32;
        if assigned < needs.creche_workers {
            out.push(problem(
                Rule::CrecheWorkers,
                None,
                format!(
                    "the crèche plans {} workers but {assigned} are assigned",
                    needs.creche_workers
                ),
            ));
        }
        let first_aid_every_date = slots.iter().all(|s| {
            team.creche_workers
                .iter()
                .any(|w| w.holds_on("paediatric_first_aid", s.date))
        });
        if !first_aid_every_date || team.creche_workers.is_empty() {
            let gap = slots.iter().map(|s| s.date).find(|d| {
                !team
                    .creche_workers
                    .iter()
                    .any(|w| w.holds_on("paediatric_first_aid", *d))
            });
            let when = gap.map(|d| format!(" on {d}")).unwrap_or_default();
            out.push(problem(
                Rule::PaediatricFirstAid,
                None,
                format!("no crèche worker holds valid paediatric first aid{when}"),
            ));
        }
    }
    out.extend(same_person_twice(team));
    if let Some(sup) = &team.supervisor {
        if let Some(date) = sup.first_gap("supervisor", slots) {
            out.push(problem(
                Rule::SupervisorQualification,
                Some(sup),
                format!(
                    "{} cannot give reflective supervision on {date} (no valid supervisor status)",
                    sup.name
                ),
            ));
        }
    }
    out.extend(double_bookings(team, slots, commitments));
    out
}

/// Nobody holds two roles that would put them in two places, and the supervisor is outside the group.
fn same_person_twice(team: &Team) -> Vec<Problem> {
    let mut present: Vec<(&Person, &str)> = Vec::new();
    present.extend(team.lead.iter().map(|p| (p, "lead")));
    present.extend(team.co_facilitators.iter().map(|p| (p, "co-facilitator")));
    present.extend(team.creche_workers.iter().map(|p| (p, "crèche worker")));
    let mut out = Vec::new();
    for (i, (p, role)) in present.iter().enumerate() {
        if let Some((_, first)) = present[..i].iter().find(|(q, _)| q.id == p.id) {
            out.push(problem(
                Rule::SamePersonTwice,
                Some(p),
                format!("{} cannot be both {first} and {role}", p.name),
            ));
        }
    }
    if let Some(sup) = &team.supervisor {
        if present.iter().any(|(p, _)| p.id == sup.id) {
            out.push(problem(
                Rule::SamePersonTwice,
                Some(sup),
                format!("{} cannot supervise a group they work in", sup.name),
            ));
        }
    }
    out
}

fn double_bookings(team: &Team, slots: &[Slot], commitments: &[Commitment]) -> Vec<Problem> {
    let mut people: Vec<&Person> = team
        .lead
        .iter()
        .chain(&team.co_facilitators)
        .chain(&team.creche_workers)
        .collect();
    people.dedup_by_key(|p| p.id);
    let mut out = Vec::new();
    for p in people {
        let clash = commitments
            .iter()
            .filter(|c| c.person_id == p.id)
            .find_map(|c| {
                slots
                    .iter()
                    .find(|s| overlaps((s.starts_at, s.ends_at), (c.starts_at, c.ends_at)))
                    .map(|_| c)
            });
        if let Some(c) = clash {
            out.push(problem(
                Rule::DoubleBooked,
                Some(p),
                format!(
                    "{} is already running \"{}\" on {} at {} UTC",
                    p.name,
                    c.cohort_title,
                    c.starts_at.format("%Y-%m-%d"),
                    c.starts_at.format("%H:%M")
                ),
            ));
        }
    }
    out
}

/// What a published cohort needs beyond `check`: a lead.
pub fn ready_to_publish(
    needs: &Needs,
    team: &Team,
    slots: &[Slot],
    commitments: &[Commitment],
) -> Vec<Problem> {
    let mut out = Vec::new();
    if team.lead.is_none() {
        out.push(problem(
            Rule::LeadMissing,
            None,
            "a lead facilitator must be assigned".into(),
        ));
    }
    out.extend(check(needs, team, slots, commitments));
    out
}

/// A supervisor takes at most `limit` cohorts running in the same term.
pub fn supervisor_load(
    supervisor: &Person,
    terms_of_this_cohort: &[String],
    other_cohorts: &[(i32, String, Vec<String>)],
    limit: usize,
) -> Option<Problem> {
    terms_of_this_cohort.iter().find_map(|term| {
        let already = other_cohorts
            .iter()
            .filter(|(_, _, terms)| terms.contains(term))
            .count();
        (already + 1 > limit).then(|| {
            problem(
                Rule::SupervisorLoad,
                Some(supervisor),
                format!(
                    "{} already supervises {already} groups in {term} (at most {limit} a term)",
                    supervisor.name
                ),
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Tuesdays 10:00–12:00 UTC, 3 March to 21 April 2026.
    fn slots() -> Vec<Slot> {
        (0..8)
            .map(|w| {
                let date = d("2026-03-03") + chrono::Duration::weeks(w);
                let start = date.and_hms_opt(10, 0, 0).unwrap().and_utc();
                Slot {
                    date,
                    starts_at: start,
                    ends_at: start + chrono::Duration::hours(2),
                }
            })
            .collect()
    }

    fn cosp() -> Needs {
        Needs {
            lead_qualification: Some("cosp_registered".into()),
            co_facilitator_required: true,
            co_facilitator_qualification: None,
            creche_workers: 2,
        }
    }

    fn good_team() -> Team {
        Team {
            lead: Some(person(1, "Grace", &[("cosp_registered", None)])),
            co_facilitators: vec![person(2, "Tom", &[])],
            creche_workers: vec![
                person(3, "Maria", &[("paediatric_first_aid", None)]),
                person(4, "Chloe", &[]),
            ],
            supervisor: Some(person(5, "Ruth", &[("supervisor", None)])),
        }
    }

    fn rules(p: &[Problem]) -> Vec<&'static str> {
        p.iter().map(|p| p.rule.code()).collect()
    }

    #[test]
    fn a_complete_cosp_team_passes() {
        assert!(ready_to_publish(&cosp(), &good_team(), &slots(), &[]).is_empty());
    }

    #[test]
    fn lead_qualification_must_hold_on_every_date() {
        let mut team = good_team();
        team.lead = Some(person(
            1,
            "Grace",
            &[("cosp_registered", Some("2026-03-20"))],
        ));
        let p = check(&cosp(), &team, &slots(), &[]);
        assert_eq!(rules(&p), ["lead_qualification"]);
        assert!(
            p[0].message.contains("Grace") && p[0].message.contains("2026-03-24"),
            "{}",
            p[0].message
        );
        team.lead = Some(person(1, "Grace", &[("clinical", None)]));
        assert_eq!(
            rules(&check(&cosp(), &team, &slots(), &[])),
            ["lead_qualification"]
        );
    }

    #[test]
    fn co_facilitator_needed_for_cosp_not_together_time() {
        let mut team = good_team();
        team.co_facilitators.clear();
        assert_eq!(
            rules(&check(&cosp(), &team, &slots(), &[])),
            ["co_facilitator_missing"]
        );
        let together_time = Needs {
            lead_qualification: Some("clinical".into()),
            co_facilitator_required: false,
            co_facilitator_qualification: None,
            creche_workers: 0,
        };
        let tt_team = Team {
            lead: Some(person(1, "Hannah", &[("clinical", None)])),
            ..Team::default()
        };
        assert!(check(&together_time, &tt_team, &slots(), &[]).is_empty());
    }

    #[test]
    fn creche_needs_its_workers_and_first_aid_on_every_date() {
        let mut team = good_team();
        team.creche_workers.pop();
        assert_eq!(
            rules(&check(&cosp(), &team, &slots(), &[])),
            ["creche_workers"]
        );
        let mut team = good_team();
        team.creche_workers[0] =
            person(3, "Maria", &[("paediatric_first_aid", Some("2026-04-01"))]);
        let p = check(&cosp(), &team, &slots(), &[]);
        assert_eq!(rules(&p), ["paediatric_first_aid"]);
        assert!(p[0].message.contains("2026-04-07"), "{}", p[0].message);
    }

    #[test]
    fn one_person_one_role_and_supervisor_from_outside() {
        let mut team = good_team();
        team.co_facilitators = vec![person(1, "Grace", &[("cosp_registered", None)])];
        let p = check(&cosp(), &team, &slots(), &[]);
        assert_eq!(rules(&p), ["same_person_twice"]);
        assert!(p[0].message.contains("Grace"));
        let mut team = good_team();
        team.supervisor = Some(person(
            1,
            "Grace",
            &[("cosp_registered", None), ("supervisor", None)],
        ));
        assert_eq!(
            rules(&check(&cosp(), &team, &slots(), &[])),
            ["same_person_twice"]
        );
        let mut team = good_team();
        team.supervisor = Some(person(6, "Hannah", &[("clinical", None)]));
        assert_eq!(
            rules(&check(&cosp(), &team, &slots(), &[])),
            ["supervisor_qualification"]
        );
    }

    #[test]
    fn nobody_in_two_sessions_at_once() {
        let elsewhere = |start: &str, end: &str| Commitment {
            person_id: 2,
            cohort_id: 9,
            cohort_title: "Together Time Vassall".into(),
            starts_at: t(start),
            ends_at: t(end),
        };
        let p = check(
            &cosp(),
            &good_team(),
            &slots(),
            &[elsewhere("2026-03-10T11:30:00Z", "2026-03-10T13:00:00Z")],
        );
        assert_eq!(rules(&p), ["double_booked"]);
        assert!(
            p[0].message.contains("Tom") && p[0].message.contains("Together Time Vassall"),
            "{}",
            p[0].message
        );
        assert!(
            check(
                &cosp(),
                &good_team(),
                &slots(),
                &[elsewhere("2026-03-10T12:00:00Z", "2026-03-10T13:30:00Z")]
            )
            .is_empty(),
            "back to back is fine"
        );
        // The supervisor is not in the room.
        let sup = Commitment {
            person_id: 5,
            ..elsewhere("2026-03-10T10:00:00Z", "2026-03-10T12:00:00Z")
        };
        assert!(check(&cosp(), &good_team(), &slots(), &[sup]).is_empty());
    }

    #[test]
    fn supervision_load_per_term() {
        let ruth = person(5, "Ruth", &[("supervisor", None)]);
        let others = |n: usize, term: &str| {
            (0..n)
                .map(|i| (i as i32, format!("Group {i}"), vec![term.to_string()]))
                .collect::<Vec<_>>()
        };
        let spring = ["spring 2026".to_string()];
        let p = supervisor_load(&ruth, &spring, &others(4, "spring 2026"), 4).unwrap();
        assert_eq!(p.rule, Rule::SupervisorLoad);
        assert!(p.message.contains("Ruth") && p.message.contains("spring 2026"));
        assert!(supervisor_load(&ruth, &spring, &others(3, "spring 2026"), 4).is_none());
        assert!(supervisor_load(&ruth, &spring, &others(4, "autumn 2026"), 4).is_none());
    }

    #[test]
    fn publishing_needs_a_lead() {
        let team = Team {
            lead: None,
            ..good_team()
        };
        assert_eq!(
            rules(&ready_to_publish(&cosp(), &team, &slots(), &[])),
            ["lead_missing"]
        );
        assert!(check(&cosp(), &team, &slots(), &[]).is_empty());
    }
}
