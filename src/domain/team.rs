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

mod checks;
mod rules;

use checks::{
    and_list, creche, distinct, double_bookings, plural, qualification_problem, same_person_twice,
};
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
