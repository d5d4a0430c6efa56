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

mod rules;

use rules::problem;
pub use rules::{Problem, Rule};

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
mod tests;
