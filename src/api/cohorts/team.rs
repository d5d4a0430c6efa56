//! A cohort's team: lead, co-facilitators, crèche workers and supervisor (the rules are
//! `service::cohorts::team`'s); and each facilitator's own cohorts.

use crate::api::access::{AnyUser, Coordinator, Require};
use crate::api::cohorts::view::CohortOut;
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::cohorts::{self as service, team::SetTeam, TeamPlace};
use actix_web::{get, put, web};
use serde::{Deserialize, Serialize};
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

/// The team as shown, from the cohort's team places.
pub fn team_out(places: &[TeamPlace]) -> TeamOut {
    let member = |p: &TeamPlace| TeamMember {
        staff_id: p.staff_id,
        name: p.name.clone(),
    };
    let mut out = TeamOut::default();
    for p in places {
        match p.role.as_str() {
            "lead" => out.lead = Some(member(p)),
            "co_facilitator" => out.co_facilitators.push(member(p)),
            "creche_worker" => out.creche_workers.push(member(p)),
            "supervisor" => out.supervisor = Some(member(p)),
            _ => {}
        }
    }
    out
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
    let b = body.into_inner();
    let cmd = SetTeam {
        cohort_id: id.into_inner(),
        lead: b.lead,
        co_facilitators: b.co_facilitators,
        creche_workers: b.creche_workers,
        supervisor: b.supervisor,
        supervisor_limit: state.config.supervisor_cohort_limit,
    };
    let cohort = service::team::set_team(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(cohort.into()))
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
    let items: Vec<MyCohort> = service::my_cohorts(&state.services, who.actor())
        .await?
        .into_iter()
        .map(|m| MyCohort {
            cohort: m.cohort.into(),
            my_roles: m.my_roles,
        })
        .collect();
    Ok(web::Json(MyCohortList {
        total: items.len() as i64,
        items,
    }))
}
