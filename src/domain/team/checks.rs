//! The per-rule checks behind [`super::check`], and the wording they share.

use super::rules::problem;
use super::{overlaps, Commitment, Person, Problem, Rule, Slot, Team};
use chrono::NaiveDate;

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

pub(super) fn qualification_problem(
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

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "a", "a and b", "a, b and c".
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Each person once (someone listed twice in one role is reported by `same_person_twice`).
pub(super) fn distinct(people: &[Person]) -> Vec<&Person> {
    let mut out: Vec<&Person> = Vec::new();
    for p in people {
        if !out.iter().any(|q| q.id == p.id) {
            out.push(p);
        }
    }
    out
}

/// Enough crèche workers, and one with paediatric first aid at every session.
pub(super) fn creche(planned: u32, team: &Team, slots: &[Slot]) -> Vec<Problem> {
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
pub(super) fn same_person_twice(team: &Team) -> Vec<Problem> {
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
pub(super) fn double_bookings(
    team: &Team,
    slots: &[Slot],
    commitments: &[Commitment],
) -> Vec<Problem> {
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
