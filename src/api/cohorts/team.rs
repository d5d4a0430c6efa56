//! A cohort's team: lead, co-facilitators, crèche workers and supervisor, checked against the
//! programme and everyone's other sessions; and each facilitator's own cohorts.

use crate::api::access::{AnyUser, Coordinator, Require};
use crate::api::cohorts::view::{load_view, view, CohortOut};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::db::{write_transaction, DbConnection};
use crate::domain::calendar::term_of;
use crate::domain::team::{self, Needs, Problem, Rule, Slot, Team};
use crate::error::{ApiError, FieldErrors};
use crate::store::{self, audit, cohorts::Cohort, programmes::Programme, staff::StaffMember};
use actix_web::{get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema, Clone)]
pub struct TeamMember {
    pub staff_id: i32,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema, Clone, Default)]
pub struct TeamOut {
    pub lead: Option<TeamMember>,
    pub co_facilitators: Vec<TeamMember>,
    pub creche_workers: Vec<TeamMember>,
    pub supervisor: Option<TeamMember>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamBody {
    /// Staff id of the lead facilitator.
    pub lead: Option<i32>,
    #[serde(default)]
    pub co_facilitators: Vec<i32>,
    #[serde(default)]
    pub creche_workers: Vec<i32>,
    /// Staff id of the clinician giving reflective supervision after each session.
    pub supervisor: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyCohort {
    #[serde(flatten)]
    pub cohort: CohortOut,
    /// My roles in it: lead, co_facilitator, creche_worker, supervisor.
    pub my_roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyCohortList {
    pub items: Vec<MyCohort>,
    pub total: i64,
}

fn build_team_out(pairs: &[(i32, String)], names: &BTreeMap<i32, String>) -> TeamOut {
    let member = |id: i32| TeamMember {
        staff_id: id,
        name: names.get(&id).cloned().unwrap_or_default(),
    };
    let mut out = TeamOut::default();
    for (id, role) in pairs {
        match role.as_str() {
            "lead" => out.lead = Some(member(*id)),
            "co_facilitator" => out.co_facilitators.push(member(*id)),
            "creche_worker" => out.creche_workers.push(member(*id)),
            "supervisor" => out.supervisor = Some(member(*id)),
            _ => {}
        }
    }
    out
}

fn staff_names(c: &mut DbConnection, ids: &[i32]) -> Result<BTreeMap<i32, String>, ApiError> {
    Ok(store::staff::find_many(c, ids)?
        .into_iter()
        .map(|m| (m.row.id, m.row.name))
        .collect())
}

pub fn team_out(c: &mut DbConnection, cohort_id: i32) -> Result<TeamOut, ApiError> {
    let pairs = store::teams::team_of(c, cohort_id)?;
    let ids: Vec<i32> = pairs.iter().map(|(id, _)| *id).collect();
    Ok(build_team_out(&pairs, &staff_names(c, &ids)?))
}

/// Views of many cohorts (all when `ids` is None), loaded in a few queries.
pub fn views_of(
    c: &mut DbConnection,
    ids: Option<&[i32]>,
    now: DateTime<Utc>,
) -> Result<Vec<CohortOut>, ApiError> {
    let rows = store::cohorts::list_full(c, None, ids)?;
    let cohort_ids: Vec<i32> = rows.iter().map(|(co, _, _)| co.id).collect();
    let mut sessions = store::cohorts::sessions_of_many(c, &cohort_ids)?;
    let teams = store::teams::teams_of_many(c, &cohort_ids)?;
    let staff_ids: Vec<i32> = teams.values().flatten().map(|(id, _)| *id).collect();
    let names = staff_names(c, &staff_ids)?;
    let booked = store::bookings::confirmed_creche_births_many(c, &cohort_ids)?;
    Ok(rows
        .into_iter()
        .map(|(co, p, v)| {
            let team = build_team_out(teams.get(&co.id).map(Vec::as_slice).unwrap_or(&[]), &names);
            let s = sessions.remove(&co.id).unwrap_or_default();
            let b = booked.get(&co.id).map(Vec::as_slice).unwrap_or(&[]);
            view(co, &p, &v, &s, b, team, now)
        })
        .collect())
}

/// The slots the team must be present for: every scheduled session, with its local date.
fn slots(c: &mut DbConnection, cohort: &Cohort) -> Result<Vec<Slot>, ApiError> {
    let tz = crate::api::cohorts::view::zone(cohort);
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
/// what a published cohort must have (a lead).
fn problems(
    c: &mut DbConnection,
    cohort: &Cohort,
    pairs: &[(i32, String)],
    for_publishing: bool,
    limit: usize,
) -> Result<Vec<Problem>, ApiError> {
    let programme = store::programmes::find(c, cohort.programme_id)?
        .ok_or_else(|| ApiError::Internal("cohort without programme".into()))?;
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

/// Problems as an answer: 409 when they clash with other cohorts or when publishing, else 422.
/// `errors` is keyed by rule code, each message names the person.
fn refuse(found: Vec<Problem>, as_conflict: bool) -> ApiError {
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
        ApiError::RuleConflict { detail, errors }
    } else {
        ApiError::Validation { detail, errors }
    }
}

/// Checks the current team again after the schedule changed.
pub fn recheck_team(c: &mut DbConnection, cohort_id: i32, limit: usize) -> Result<(), ApiError> {
    let cohort =
        store::cohorts::find(c, cohort_id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
    let pairs = store::teams::team_of(c, cohort_id)?;
    let found = problems(c, &cohort, &pairs, cohort.status == "published", limit)?;
    if found.is_empty() {
        Ok(())
    } else {
        Err(refuse(found, true))
    }
}

/// A draft may be published only with a team that satisfies its programme.
pub fn check_ready(c: &mut DbConnection, cohort_id: i32, limit: usize) -> Result<(), ApiError> {
    let cohort =
        store::cohorts::find(c, cohort_id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
    let pairs = store::teams::team_of(c, cohort_id)?;
    let found = problems(c, &cohort, &pairs, true, limit)?;
    if found.is_empty() {
        Ok(())
    } else {
        Err(refuse(found, true))
    }
}

/// Set a cohort's team (coordinator). Refusals say which rule and which person: 422 when the
/// team does not fit the programme, 409 when someone would be in two sessions at once or a
/// supervisor would have too many groups in a term.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id")),
    request_body = TeamBody,
    responses((status = 200, description = "The cohort with its new team", body = CohortOut), E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[put("/cohorts/{id}/facilitators")]
pub async fn set_team(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
    body: ApiJson<TeamBody>,
) -> Result<web::Json<CohortOut>, ApiError> {
    let (id, b) = (id.into_inner(), body.into_inner());
    let (now, now_naive, actor, limit) = (
        state.now(),
        state.now_naive(),
        who.user.user_id,
        state.config.supervisor_cohort_limit,
    );
    let out = state
        .db(move |c| {
            write_transaction(c, |c| {
                let cohort =
                    store::cohorts::find(c, id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
                if cohort.status == "cancelled" {
                    return Err(ApiError::Conflict("this cohort is cancelled".into()));
                }
                let mut pairs: Vec<(i32, String)> = Vec::new();
                pairs.extend(b.lead.map(|s| (s, "lead".to_string())));
                pairs.extend(
                    b.co_facilitators
                        .iter()
                        .map(|s| (*s, "co_facilitator".to_string())),
                );
                pairs.extend(
                    b.creche_workers
                        .iter()
                        .map(|s| (*s, "creche_worker".to_string())),
                );
                pairs.extend(b.supervisor.map(|s| (s, "supervisor".to_string())));
                check_people(c, &b)?;
                let found = problems(c, &cohort, &pairs, cohort.status == "published", limit)?;
                if !found.is_empty() {
                    return Err(refuse(found, false));
                }
                let rows: Vec<(i32, &str)> =
                    pairs.iter().map(|(id, r)| (*id, r.as_str())).collect();
                store::teams::replace_team(c, id, &rows).map_err(|e| {
                    if crate::db::unique_violated(&e) == Some(crate::db::Unique::TeamRole) {
                        ApiError::field("team", "the same person is listed twice in one role")
                    } else {
                        e.into()
                    }
                })?;
                if cohort.status == "published" {
                    let detail = pairs
                        .iter()
                        .map(|(s, r)| format!("{r}={s}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    audit::cohort_change(c, now_naive, actor, id, "team_changed", detail)?;
                }
                load_view(c, id, now)
            })
        })
        .await?;
    state.listing_cache.invalidate();
    Ok(web::Json(out))
}

/// Every id names an active staff member (422 naming the field otherwise).
fn check_people(c: &mut DbConnection, b: &TeamBody) -> Result<(), ApiError> {
    let fields: [(&str, Vec<i32>); 4] = [
        ("lead", b.lead.into_iter().collect()),
        ("co_facilitators", b.co_facilitators.clone()),
        ("creche_workers", b.creche_workers.clone()),
        ("supervisor", b.supervisor.into_iter().collect()),
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
    ApiError::check_fields(errors)
}

/// The cohorts I run or support (a facilitator's own list), with their sessions.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    responses((status = 200, description = "My cohorts, by first session", body = MyCohortList), E401, E503)
)]
#[get("/me/cohorts")]
pub async fn my_cohorts(
    state: web::Data<AppState>,
    who: Require<AnyUser>,
) -> Result<web::Json<MyCohortList>, ApiError> {
    let (user, now) = (who.user.user_id, state.now());
    let items = state
        .db(move |c| {
            let Some(staff) = store::staff::find_by_user(c, user)? else {
                return Ok(Vec::new());
            };
            let roles = store::teams::roles_of_staff(c, staff.id)?;
            let ids: Vec<i32> = roles.iter().map(|(id, _)| *id).collect();
            let views = views_of(c, Some(&ids), now)?;
            Ok(views
                .into_iter()
                .map(|v| {
                    let my_roles = roles
                        .iter()
                        .filter(|(id, _)| *id == v.id)
                        .map(|(_, r)| r.clone())
                        .collect();
                    MyCohort {
                        cohort: v,
                        my_roles,
                    }
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(web::Json(MyCohortList {
        total: items.len() as i64,
        items,
    }))
}
