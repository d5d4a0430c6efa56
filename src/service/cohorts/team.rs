//! A cohort's team: lead, co-facilitators, crèche workers and supervisor, checked against the
//! programme, everyone's other sessions and each supervisor's groups in a term. The same checks
//! run again whenever the cohort's schedule changes, and before it is published.

use super::{record, CohortRecord};
use crate::db::{unique_violated, DbConnection, Unique};
use crate::domain::calendar::term_of;
use crate::domain::status::CohortStatus;
use crate::domain::team::{self, Needs, Problem, Rule, Slot, Team};
use crate::error::FieldErrors;
use crate::service::{Actor, ServiceError, Services, Tx};
use crate::store::{self, cohorts::Cohort, programmes::Programme, staff::StaffMember};
use std::collections::BTreeMap;

/// The slots the team must be present for: every scheduled session, with its local date.
fn slots(c: &mut DbConnection, cohort: &Cohort) -> Result<Vec<Slot>, ServiceError> {
    let tz = crate::service::schedule::zone(cohort);
    Ok(store::cohorts::sessions_of(c, cohort.id)?
        .into_iter()
        .filter(|s| !s.is_cancelled())
        .map(|s| Slot {
            date: s.starts_at.and_utc().with_timezone(&tz).date_naive(),
            starts_at: s.starts_at.and_utc(),
            ends_at: s.ends_at.and_utc(),
        })
        .collect())
}

fn needs(p: &Programme, cohort: &Cohort) -> Needs {
    Needs {
        lead_qualification: p.lead_qualification.clone(),
        co_facilitator_required: p.co_facilitator_required,
        co_facilitator_qualification: p.co_facilitator_qualification.clone(),
        creche_workers: if cohort.creche_offered {
            cohort.creche_workers.max(0) as u32
        } else {
            0
        },
    }
}

/// The team as the rules see it, from (staff id, role) pairs.
fn team_of_pairs(pairs: &[(i32, String)], members: &[StaffMember]) -> Team {
    let person = |id: i32| {
        members
            .iter()
            .find(|m| m.row.id == id)
            .map(StaffMember::person)
    };
    let with_role = |role: &str| {
        pairs
            .iter()
            .filter(|(_, r)| r == role)
            .filter_map(|(id, _)| person(*id))
            .collect::<Vec<_>>()
    };
    Team {
        lead: with_role("lead").into_iter().next(),
        co_facilitators: with_role("co_facilitator"),
        creche_workers: with_role("creche_worker"),
        supervisor: with_role("supervisor").into_iter().next(),
    }
}

/// Every rule the given team breaks on this cohort's current sessions; `for_publishing` adds
/// what a published cohort must have (a lead). `limit`: groups a supervisor may support a term.
fn problems(
    c: &mut DbConnection,
    cohort: &Cohort,
    pairs: &[(i32, String)],
    for_publishing: bool,
    limit: usize,
) -> Result<Vec<Problem>, ServiceError> {
    let programme = store::programmes::find(c, cohort.programme_id)?
        .ok_or_else(|| ServiceError::Internal("cohort without programme".into()))?;
    let ids: Vec<i32> = pairs.iter().map(|(id, _)| *id).collect();
    store::teams::lock_staff(c, &ids)?;
    let members = store::staff::find_many(c, &ids)?;
    let team = team_of_pairs(pairs, &members);
    let slots = slots(c, cohort)?;
    let commitments = store::teams::commitments(c, &ids, cohort.id)?;
    let needs = needs(&programme, cohort);
    let mut found = if for_publishing {
        team::ready_to_publish(&needs, &team, &slots, &commitments)
    } else {
        // A draft's team may still be incomplete; what it has must already be right.
        let mut found = team::check(&needs, &team, &slots, &commitments);
        found.retain(|p| !p.rule.is_about_completeness());
        found
    };
    if let Some(sup) = &team.supervisor {
        let mut terms: Vec<String> = slots.iter().map(|s| term_of(s.date).to_string()).collect();
        terms.dedup();
        let others: Vec<(i32, String, Vec<String>)> =
            store::teams::supervised_by(c, sup.id, cohort.id)?
                .into_iter()
                .map(|(id, title, starts)| {
                    let mut t: Vec<String> = starts
                        .iter()
                        .map(|s| term_of(s.date()).to_string())
                        .collect();
                    t.dedup();
                    (id, title, t)
                })
                .collect();
        found.extend(team::supervisor_load(sup, &terms, &others, limit));
    }
    Ok(found)
}

/// Problems as a refusal: a rule conflict (409) when they clash with other cohorts or when
/// publishing, else invalid (422). `errors` is keyed by rule code, each message names the person.
fn refuse(found: Vec<Problem>, as_conflict: bool) -> ServiceError {
    let mut errors = FieldErrors::new();
    for p in &found {
        errors
            .entry(p.rule.code().to_string())
            .or_default()
            .push(p.message.clone());
    }
    let detail = found
        .iter()
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let clash = found
        .iter()
        .any(|p| matches!(p.rule, Rule::DoubleBooked | Rule::SupervisorLoad));
    if as_conflict || clash {
        ServiceError::RuleConflict { detail, errors }
    } else {
        ServiceError::Invalid { detail, errors }
    }
}

/// Every rule the current team breaks on the cohort's current sessions (a published cohort's
/// team must also still be complete): what a change of schedule is checked against.
pub(super) fn problems_now(
    c: &mut DbConnection,
    cohort_id: i32,
    limit: usize,
) -> Result<Vec<Problem>, ServiceError> {
    let cohort =
        store::cohorts::find(c, cohort_id)?.ok_or_else(|| ServiceError::not_found("cohort"))?;
    let pairs = store::teams::team_of(c, cohort_id)?;
    problems(
        c,
        &cohort,
        &pairs,
        cohort.status == CohortStatus::Published,
        limit,
    )
}

/// Checks the current team again after the schedule changed.
pub(super) fn recheck(
    c: &mut DbConnection,
    cohort_id: i32,
    limit: usize,
) -> Result<(), ServiceError> {
    let found = problems_now(c, cohort_id, limit)?;
    if found.is_empty() {
        Ok(())
    } else {
        Err(refuse(found, true))
    }
}

/// A draft may be published only with a team that satisfies its programme.
pub(super) fn check_ready(
    c: &mut DbConnection,
    cohort_id: i32,
    limit: usize,
) -> Result<(), ServiceError> {
    let cohort =
        store::cohorts::find(c, cohort_id)?.ok_or_else(|| ServiceError::not_found("cohort"))?;
    let pairs = store::teams::team_of(c, cohort_id)?;
    let found = problems(c, &cohort, &pairs, true, limit)?;
    if found.is_empty() {
        Ok(())
    } else {
        Err(refuse(found, true))
    }
}

/// Give a cohort its team (staff ids).
#[derive(Debug, Clone)]
pub struct SetTeam {
    pub cohort_id: i32,
    pub lead: Option<i32>,
    pub co_facilitators: Vec<i32>,
    pub creche_workers: Vec<i32>,
    pub supervisor: Option<i32>,
    /// Groups a supervisor may support in one term (configuration).
    pub supervisor_limit: usize,
}

/// Sets a cohort's team. Refusals say which rule and which person: invalid when the team does
/// not fit the programme, a rule conflict when someone would be in two sessions at once or a
/// supervisor would have too many groups in a term. On a published cohort it is audited.
pub async fn set_team(
    services: &Services,
    actor: Actor,
    cmd: SetTeam,
) -> Result<CohortRecord, ServiceError> {
    services.write(actor, move |tx| staff(tx, &cmd)).await
}

fn staff(tx: &mut Tx, cmd: &SetTeam) -> Result<CohortRecord, ServiceError> {
    let id = cmd.cohort_id;
    let cohort =
        store::cohorts::find(tx.conn, id)?.ok_or_else(|| ServiceError::not_found("cohort"))?;
    if cohort.status == CohortStatus::Cancelled {
        return Err(ServiceError::Conflict("this cohort is cancelled".into()));
    }
    let mut pairs: Vec<(i32, String)> = Vec::new();
    pairs.extend(cmd.lead.map(|s| (s, "lead".to_string())));
    pairs.extend(
        cmd.co_facilitators
            .iter()
            .map(|s| (*s, "co_facilitator".to_string())),
    );
    pairs.extend(
        cmd.creche_workers
            .iter()
            .map(|s| (*s, "creche_worker".to_string())),
    );
    pairs.extend(cmd.supervisor.map(|s| (s, "supervisor".to_string())));
    check_people(tx.conn, cmd)?;
    let found = problems(
        tx.conn,
        &cohort,
        &pairs,
        cohort.status == CohortStatus::Published,
        cmd.supervisor_limit,
    )?;
    if !found.is_empty() {
        return Err(refuse(found, false));
    }
    let rows: Vec<(i32, &str)> = pairs.iter().map(|(id, r)| (*id, r.as_str())).collect();
    store::teams::replace_team(tx.conn, id, &rows).map_err(|e| match unique_violated(&e) {
        Some(Unique::TeamRole) => {
            ServiceError::field("team", "the same person is listed twice in one role")
        }
        _ => e.into(),
    })?;
    if cohort.status == CohortStatus::Published {
        let detail = pairs
            .iter()
            .map(|(s, r)| format!("{r}={s}"))
            .collect::<Vec<_>>()
            .join(", ");
        tx.audit(super::cohort_event(id, "team_changed", detail));
    }
    tx.listing_changed();
    record(tx.conn, id, tx.now)
}

/// Every id names an active staff member (invalid, naming the field, otherwise).
fn check_people(c: &mut DbConnection, cmd: &SetTeam) -> Result<(), ServiceError> {
    let fields: [(&str, Vec<i32>); 4] = [
        ("lead", cmd.lead.into_iter().collect()),
        ("co_facilitators", cmd.co_facilitators.clone()),
        ("creche_workers", cmd.creche_workers.clone()),
        ("supervisor", cmd.supervisor.into_iter().collect()),
    ];
    let all: Vec<i32> = fields.iter().flat_map(|(_, ids)| ids.clone()).collect();
    let known: BTreeMap<i32, bool> = store::staff::find_many(c, &all)?
        .into_iter()
        .map(|m| (m.row.id, m.row.active))
        .collect();
    let mut errors = FieldErrors::new();
    for (field, ids) in fields {
        for id in ids {
            match known.get(&id) {
                None => errors
                    .entry(field.into())
                    .or_default()
                    .push(format!("no staff member {id}")),
                Some(false) => errors
                    .entry(field.into())
                    .or_default()
                    .push(format!("staff member {id} is no longer active")),
                Some(true) => {}
            }
        }
    }
    ServiceError::check_fields(errors)
}
