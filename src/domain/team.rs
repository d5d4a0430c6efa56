//! Whether a cohort's team fits its programme and the practice.
//!
//! Why these rules:
//! - Circle of Security Parenting is led by a *registered* COSP facilitator (no clinical training
//!   needed) with a co-facilitator, a Better Start or parenting worker, who supports families
//!   between sessions; Together Time is led by a clinically trained professional. Programmes are
//!   data, so what the lead and co-facilitator must hold comes in as [`Needs`].
//! - A qualification must be valid on every session date: one that lapses mid-cohort would leave
//!   the later sessions without a qualified lead.
//! - Where a crèche runs, parents can only speak freely if their children are safe: the planned
//!   crèche workers are there and one of them holds paediatric first aid at every session.
//! - Nobody can be in two places at once: not in two roles in one session, not in another
//!   cohort's session at the same time, wherever it is.
//! - A clinician gives reflective supervision after each session, from outside the group, and
//!   takes at most a few groups (four at PAIRS) a term.
//!
//! Every [`Problem`] names its rule and, where there is one, the person, in words a coordinator
//! can act on: the API returns them as they are in a 409/422.

use chrono::{DateTime, NaiveDate, Utc};

/// Qualification kinds: "clinical", "cosp_registered", "paediatric_first_aid", "supervisor"
/// (centres' own programmes may name others).
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
    /// Holds `kind` valid on `date` (no expiry, or expires_on >= date: valid on its last day).
    pub fn holds_on(&self, kind: &str, date: NaiveDate) -> bool {
        self.qualifications
            .iter()
            .any(|q| q.kind == kind && q.expires_on.is_none_or(|e| e >= date))
    }

    /// The first of these session dates on which `kind` is not valid, if any.
    fn first_date_without(&self, kind: &str, slots: &[Slot]) -> Option<NaiveDate> {
        slots
            .iter()
            .map(|s| s.date)
            .filter(|d| !self.holds_on(kind, *d))
            .min()
    }

    /// How long `kind` lasts: `None` when never held; `Some(None)` when it does not expire;
    /// else the latest expiry (a renewal is a second record, the later one counts).
    fn valid_until(&self, kind: &str) -> Option<Option<NaiveDate>> {
        let mut records = self.qualifications.iter().filter(|q| q.kind == kind);
        let first = records.next()?.expires_on;
        Some(records.fold(first, |acc, q| match (acc, q.expires_on) {
            (None, _) | (_, None) => None,
            (Some(a), Some(b)) => Some(a.max(b)),
        }))
    }
}

/// What the programme asks of the team.
#[derive(Debug, Clone)]
pub struct Needs {
    pub lead_qualification: Option<String>,
    pub co_facilitator_required: bool,
    pub co_facilitator_qualification: Option<String>,
    /// Crèche workers the cohort plans (0 when no crèche runs).
    pub creche_workers: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Team {
    pub lead: Option<Person>,
    pub co_facilitators: Vec<Person>,
    pub creche_workers: Vec<Person>,
    pub supervisor: Option<Person>,
}

/// A session of this cohort: date (local) and UTC span.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A session someone is already booked into in ANOTHER cohort (any venue).
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
    pub const ALL: [Rule; 10] = [
        Rule::LeadMissing,
        Rule::LeadQualification,
        Rule::CoFacilitatorMissing,
        Rule::CoFacilitatorQualification,
        Rule::CrecheWorkers,
        Rule::PaediatricFirstAid,
        Rule::DoubleBooked,
        Rule::SupervisorQualification,
        Rule::SupervisorLoad,
        Rule::SamePersonTwice,
    ];

    /// The stable code the API keys its errors by.
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

    /// Rules about a team not being complete yet: a draft may be saved with them broken (people
    /// are still being found), a cohort may not be published, or stay published, so.
    pub fn is_about_completeness(&self) -> bool {
        matches!(
            self,
            Rule::LeadMissing
                | Rule::CoFacilitatorMissing
                | Rule::CrecheWorkers
                | Rule::PaediatricFirstAid
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: Rule,
    pub person_id: Option<i32>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn problem(rule: Rule, person: Option<&Person>, message: String) -> Problem {
    Problem {
        rule,
        person_id: person.map(|p| p.id),
        message,
    }
}

/// Half-open overlap of two UTC intervals: a session ending at 12:00 and another starting at
/// 12:00 do not overlap, so back-to-back sessions are allowed.
pub fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// A qualification in a coordinator's words, usable after "has no" and after "'s".
fn describe(kind: &str) -> String {
    match kind {
        "clinical" => "clinical training".into(),
        "cosp_registered" => "COSP facilitator registration".into(),
        "paediatric_first_aid" => "paediatric first aid certificate".into(),
        "supervisor" => "supervisor qualification".into(),
        other => format!("{} qualification", other.replace('_', " ")),
    }
}

/// Why `person` cannot take `role` for lack of `kind` on `date` (the first session without it).
fn lacking(person: &Person, kind: &str, role: &str, date: NaiveDate) -> String {
    let what = describe(kind);
    match person.valid_until(kind) {
        Some(Some(until)) => format!(
            "{}'s {what} is valid only until {until}, so not for the session on {date}; \
             the {role} must hold it on every session date",
            person.name
        ),
        // Held without expiry would be valid on every date: only "never held" is left.
        _ => format!(
            "{} has no {what}, which the {role} must hold on every session date",
            person.name
        ),
    }
}

fn qualification_problem(
    rule: Rule,
    person: &Person,
    kind: &str,
    role: &str,
    slots: &[Slot],
) -> Option<Problem> {
    let date = person.first_date_without(kind, slots)?;
    Some(problem(
        rule,
        Some(person),
        lacking(person, kind, role, date),
    ))
}

/// The people who are in the room (lead, co-facilitators, crèche workers), each once, in order.
fn in_the_room(team: &Team) -> Vec<&Person> {
    let mut seen = Vec::new();
    for p in team
        .lead
        .iter()
        .chain(&team.co_facilitators)
        .chain(&team.creche_workers)
    {
        if !seen.iter().any(|q: &&Person| q.id == p.id) {
            seen.push(p);
        }
    }
    seen
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Every rule the team breaks for these session slots (empty = fine). A draft may have a partial
/// team, so a missing lead is left to [`ready_to_publish`].
pub fn check(
    needs: &Needs,
    team: &Team,
    slots: &[Slot],
    commitments: &[Commitment],
) -> Vec<Problem> {
    let mut out = Vec::new();

    if let (Some(lead), Some(kind)) = (&team.lead, &needs.lead_qualification) {
        out.extend(qualification_problem(
            Rule::LeadQualification,
            lead,
            kind,
            "lead",
            slots,
        ));
    }

    if needs.co_facilitator_required && team.co_facilitators.is_empty() {
        out.push(problem(
            Rule::CoFacilitatorMissing,
            None,
            "This programme needs a co-facilitator and none is assigned".into(),
        ));
    }
    if let Some(kind) = &needs.co_facilitator_qualification {
        for co in distinct(&team.co_facilitators) {
            out.extend(qualification_problem(
                Rule::CoFacilitatorQualification,
                co,
                kind,
                "co-facilitator",
                slots,
            ));
        }
    }

    if needs.creche_workers > 0 {
        out.extend(creche(needs.creche_workers, team, slots));
    }

    out.extend(same_person_twice(team));

    if let Some(sup) = &team.supervisor {
        out.extend(qualification_problem(
            Rule::SupervisorQualification,
            sup,
            "supervisor",
            "supervisor",
            slots,
        ));
    }

    out.extend(double_bookings(team, slots, commitments));
    out
}

/// Each person once (someone listed twice in one role is reported by `same_person_twice`).
fn distinct(people: &[Person]) -> Vec<&Person> {
    let mut out: Vec<&Person> = Vec::new();
    for p in people {
        if !out.iter().any(|q| q.id == p.id) {
            out.push(p);
        }
    }
    out
}

/// Enough crèche workers, and one with paediatric first aid at every session.
fn creche(planned: u32, team: &Team, slots: &[Slot]) -> Vec<Problem> {
    const FIRST_AID: &str = "paediatric_first_aid";
    let mut out = Vec::new();
    let workers = distinct(&team.creche_workers);
    if workers.len() < planned as usize {
        let assigned = match workers.len() {
            0 => "none is assigned".to_string(),
            1 => "only 1 is assigned".to_string(),
            n => format!("only {n} are assigned"),
        };
        out.push(problem(
            Rule::CrecheWorkers,
            None,
            format!(
                "The crèche plans {} but {assigned}",
                plural(planned as usize, "worker", "workers")
            ),
        ));
    }
    // Qualifications only expire, so "some worker holds it on each date" and "one worker holds
    // it on every date" are the same test; the first uncovered date is the one to name.
    let gap = slots
        .iter()
        .map(|s| s.date)
        .filter(|d| !workers.iter().any(|w| w.holds_on(FIRST_AID, *d)))
        .min();
    if workers.is_empty() {
        let when = gap
            .map(|d| format!(", from the first on {d}"))
            .unwrap_or_default();
        out.push(problem(
            Rule::PaediatricFirstAid,
            None,
            format!(
                "No crèche worker with a paediatric first aid certificate is assigned; one must \
                 be at every session{when}"
            ),
        ));
    } else if let Some(date) = gap {
        let why: Vec<String> = workers
            .iter()
            .map(|w| match w.valid_until(FIRST_AID) {
                Some(Some(until)) => format!("{}'s is valid only until {until}", w.name),
                _ => format!("{} has none", w.name),
            })
            .collect();
        out.push(problem(
            Rule::PaediatricFirstAid,
            None,
            format!(
                "No crèche worker has a paediatric first aid certificate valid for the session on \
                 {date} ({}); one must be at every session",
                and_list(&why)
            ),
        ));
    }
    out
}

/// One person, one place: nobody takes two roles in the room (or one role twice), and the
/// supervisor, who reflects with the team afterwards, is from outside the group.
fn same_person_twice(team: &Team) -> Vec<Problem> {
    let mut listed: Vec<(&Person, &str)> = Vec::new();
    listed.extend(team.lead.iter().map(|p| (p, "lead")));
    listed.extend(team.co_facilitators.iter().map(|p| (p, "co-facilitator")));
    listed.extend(team.creche_workers.iter().map(|p| (p, "crèche worker")));

    let mut out = Vec::new();
    for person in in_the_room(team) {
        let roles: Vec<&str> = listed
            .iter()
            .filter(|(p, _)| p.id == person.id)
            .map(|(_, r)| *r)
            .collect();
        if roles.len() < 2 {
            continue;
        }
        let mut different: Vec<String> = Vec::new();
        for r in &roles {
            if !different.iter().any(|d| d == r) {
                different.push(r.to_string());
            }
        }
        let message = if different.len() == 1 {
            format!(
                "{} is listed {} times as {}; each person is listed once",
                person.name,
                roles.len(),
                different[0]
            )
        } else {
            format!(
                "{} is listed as {}; one person cannot take two places in the same session",
                person.name,
                and_list(&different)
            )
        };
        out.push(problem(Rule::SamePersonTwice, Some(person), message));
    }

    if let Some(sup) = &team.supervisor {
        if let Some((_, role)) = listed.iter().find(|(p, _)| p.id == sup.id) {
            out.push(problem(
                Rule::SamePersonTwice,
                Some(sup),
                format!(
                    "{} cannot supervise this group as they are also its {role}; reflective \
                     supervision is given by someone outside the group",
                    sup.name
                ),
            ));
        }
    }
    out
}

/// Nobody in the room has another cohort's session overlapping one of these. The supervisor is
/// not checked: supervision happens after the session, not in it.
fn double_bookings(team: &Team, slots: &[Slot], commitments: &[Commitment]) -> Vec<Problem> {
    let mut out = Vec::new();
    for person in in_the_room(team) {
        // (commitment, the slot it clashes with), earliest first; then one problem per other
        // cohort, so a weekly clash is reported once and not eight times.
        let mut clashes: Vec<(&Commitment, &Slot)> = commitments
            .iter()
            .filter(|c| c.person_id == person.id)
            .filter_map(|c| {
                slots
                    .iter()
                    .filter(|s| overlaps((s.starts_at, s.ends_at), (c.starts_at, c.ends_at)))
                    .min_by_key(|s| s.starts_at)
                    .map(|s| (c, s))
            })
            .collect();
        clashes.sort_by_key(|(c, _)| (c.starts_at, c.cohort_id));
        let mut reported: Vec<i32> = Vec::new();
        for (c, slot) in &clashes {
            if reported.contains(&c.cohort_id) {
                continue;
            }
            reported.push(c.cohort_id);
            let more = clashes
                .iter()
                .filter(|(o, _)| o.cohort_id == c.cohort_id)
                .count()
                - 1;
            let more = if more > 0 {
                format!(" ({more} more of its sessions clash too)")
            } else {
                String::new()
            };
            out.push(problem(
                Rule::DoubleBooked,
                Some(person),
                format!(
                    "{} is already running \"{}\" on {} at {} UTC, which overlaps this group's \
                     session on {}{more}",
                    person.name,
                    c.cohort_title,
                    c.starts_at.format("%Y-%m-%d"),
                    c.starts_at.format("%H:%M"),
                    slot.date,
                ),
            ));
        }
    }
    out
}

/// What publishing needs beyond `check`: a lead must be assigned (LeadMissing) — drafts may have
/// partial teams but publishing may not.
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
            "A lead facilitator must be assigned before the group is published".into(),
        ));
    }
    out.extend(check(needs, team, slots, commitments));
    out
}

/// Supervisor load: a supervisor supervises at most `limit` cohorts running in the same term.
/// `terms_of_this_cohort` are the terms this cohort's sessions fall in (opaque labels like
/// "spring 2026"); `other_cohorts` are (cohort_id, title, terms) of cohorts this person already
/// supervises. Returns a SupervisorLoad problem naming the term and count when adding this
/// cohort would exceed the limit in any term (every such term, in one message).
pub fn supervisor_load(
    supervisor: &Person,
    terms_of_this_cohort: &[String],
    other_cohorts: &[(i32, String, Vec<String>)],
    limit: usize,
) -> Option<Problem> {
    // A cohort listed twice is still one group to supervise.
    let mut others: Vec<&(i32, String, Vec<String>)> = Vec::new();
    for o in other_cohorts {
        if !others.iter().any(|p| p.0 == o.0) {
            others.push(o);
        }
    }
    let mut terms: Vec<&String> = Vec::new();
    for t in terms_of_this_cohort {
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
    let over: Vec<String> = terms
        .into_iter()
        .filter_map(|term| {
            let titles: Vec<String> = others
                .iter()
                .filter(|(_, _, ts)| ts.contains(term))
                .map(|(_, title, _)| format!("\"{title}\""))
                .collect();
            (titles.len() + 1 > limit).then(|| {
                format!(
                    "{} in {term} ({})",
                    plural(titles.len(), "group", "groups"),
                    titles.join(", ")
                )
            })
        })
        .collect();
    if over.is_empty() {
        return None;
    }
    Some(problem(
        Rule::SupervisorLoad,
        Some(supervisor),
        format!(
            "{} already supervises {}; a supervisor takes at most {} a term",
            supervisor.name,
            and_list(&over),
            plural(limit, "group", "groups")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

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

    #[test]
    fn overlap_is_half_open() {
        let (a, b, c, e) = (
            t("2026-03-10T10:00:00Z"),
            t("2026-03-10T12:00:00Z"),
            t("2026-03-10T11:30:00Z"),
            t("2026-03-10T13:00:00Z"),
        );
        assert!(overlaps((a, b), (c, e)));
        assert!(overlaps((c, e), (a, b)));
        assert!(!overlaps((a, b), (b, e)), "back to back");
        assert!(!overlaps((b, e), (a, b)), "back to back");
        assert!(overlaps((a, e), (c, b)), "inside");
    }

    #[test]
    fn double_booking_across_two_venues_overlapping_by_30_minutes_is_refused() {
        let c = elsewhere(1, "2026-03-10T11:30:00Z", "2026-03-10T13:00:00Z");
        let p = check(&cosp(), &good_team(), &slots(), &[c]);
        assert_eq!(codes(&p), ["double_booked"]);
        assert_eq!(p[0].person_id, Some(1));
        assert!(
            p[0].message.starts_with(
                "Grace Adeyemi is already running \"Together Time Vassall\" on 2026-03-10 at 11:30 UTC"
            ),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn back_to_back_is_allowed() {
        let after = elsewhere(1, "2026-03-10T12:00:00Z", "2026-03-10T13:30:00Z");
        let before = elsewhere(2, "2026-03-10T08:30:00Z", "2026-03-10T10:00:00Z");
        assert!(check(&cosp(), &good_team(), &slots(), &[after, before]).is_empty());
    }

    #[test]
    fn a_weekly_clash_is_one_problem_per_person_and_cohort() {
        // Maria works a crèche elsewhere every Tuesday 11:00–13:00 for four weeks.
        let weekly: Vec<Commitment> = (0..4)
            .map(|w| {
                let start = t("2026-03-10T11:00:00Z") + Duration::weeks(w);
                Commitment {
                    ends_at: start + Duration::hours(2),
                    starts_at: start,
                    ..elsewhere(3, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
                }
            })
            .collect();
        let p = check(&cosp(), &good_team(), &slots(), &weekly);
        assert_eq!(codes(&p), ["double_booked"]);
        assert!(
            p[0].message.contains("Maria Santos") && p[0].message.contains("3 more"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn the_supervisor_is_not_checked_for_overlap() {
        let c = elsewhere(5, "2026-03-10T10:00:00Z", "2026-03-10T12:00:00Z");
        assert!(check(&cosp(), &good_team(), &slots(), &[c]).is_empty());
    }

    fn supervised(n: usize, term: &str) -> Vec<(i32, String, Vec<String>)> {
        (0..n)
            .map(|i| {
                (
                    i as i32 + 100,
                    format!("COSP group {i}"),
                    vec![term.to_string()],
                )
            })
            .collect()
    }

    #[test]
    fn supervisor_load_at_four_in_the_same_term_is_refused() {
        let spring = ["spring 2026".to_string()];
        let p = supervisor_load(&ruth(), &spring, &supervised(4, "spring 2026"), 4).unwrap();
        assert_eq!(p.rule, Rule::SupervisorLoad);
        assert_eq!(p.person_id, Some(5));
        assert!(
            p.message
                .starts_with("Ruth Okoye already supervises 4 groups in spring 2026"),
            "{}",
            p.message
        );
        assert!(
            p.message.contains("at most 4 groups a term"),
            "{}",
            p.message
        );
    }

    #[test]
    fn supervisor_load_at_three_is_allowed() {
        let spring = ["spring 2026".to_string()];
        assert_eq!(
            supervisor_load(&ruth(), &spring, &supervised(3, "spring 2026"), 4),
            None
        );
    }

    #[test]
    fn supervisor_load_in_another_term_is_allowed() {
        let spring = ["spring 2026".to_string()];
        assert_eq!(
            supervisor_load(&ruth(), &spring, &supervised(4, "autumn 2026"), 4),
            None
        );
        // A cohort spanning two terms is refused if either is full.
        let both = ["spring 2026".to_string(), "summer 2026".to_string()];
        let p = supervisor_load(&ruth(), &both, &supervised(4, "summer 2026"), 4).unwrap();
        assert!(p.message.contains("summer 2026"), "{}", p.message);
    }

    #[test]
    fn supervisor_load_counts_a_cohort_listed_twice_once() {
        let spring = ["spring 2026".to_string()];
        let mut others = supervised(3, "spring 2026");
        others.push(others[0].clone());
        assert_eq!(supervisor_load(&ruth(), &spring, &others, 4), None);
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
}
