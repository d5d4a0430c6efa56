//! `/cohorts/{id}/creche/key-persons`: each crèche child's key person in a group (EYFS), one of
//! its crèche workers. The group's team reads them; its lead and coordinators assign them. The
//! rules, the transaction and the audit are `service::registers::key_persons`'s.

use crate::api::access::{Require, Staff};
use crate::api::docs::{E400, E401, E403, E404, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::registers::key_persons as service;
use crate::store::key_persons::KeyPerson;
use actix_web::{delete, get, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyPersonBody {
    /// A crèche worker on the group's team.
    #[schema(minimum = 1)]
    pub staff_id: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonEntry {
    pub id: i32,
    pub cohort_id: i32,
    pub child_id: i32,
    pub staff_id: i32,
    /// The crèche worker's name.
    pub name: String,
    pub assigned_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonList {
    pub items: Vec<KeyPersonEntry>,
}

pub(crate) fn entry(k: KeyPerson) -> KeyPersonEntry {
    KeyPersonEntry {
        id: k.id,
        cohort_id: k.cohort_id,
        child_id: k.child_id,
        staff_id: k.staff_id,
        name: k.name,
        assigned_at: crate::api::utc(k.assigned_at),
    }
}

/// The key persons of the group's crèche children (its team and coordinators).
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id", minimum = 1)),
    responses((status = 200, description = "By child", body = KeyPersonList),
               E401, E403, E404, E503)
)]
#[get("/cohorts/{id}/creche/key-persons")]
pub async fn list_key_persons(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let items = service::key_persons(&state.services, who.actor(), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(KeyPersonList {
        items: items.into_iter().map(entry).collect(),
    }))
}

/// Makes one of the group's crèche workers a crèche child's key person, replacing any other
/// (the group's lead and coordinators; the rest of the team 403). The child must have a crèche
/// place in the group (404 otherwise); the staff member must be a crèche worker on its team (422).
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id", minimum = 1),
           ("child_id" = i32, Path, description = "Child id", minimum = 1)),
    request_body = KeyPersonBody,
    responses((status = 200, description = "The child's key person", body = KeyPersonEntry),
               E400, E401, E403, E404, E413, E415, E422, E503)
)]
#[put("/cohorts/{id}/creche/key-persons/{child_id}")]
pub async fn assign_key_person(
    state: web::Data<AppState>,
    who: Require<Staff>,
    path: web::Path<(i32, i32)>,
    body: ApiJson<KeyPersonBody>,
) -> Result<HttpResponse, ApiError> {
    let (cohort, child) = path.into_inner();
    let staff = body.into_inner().staff_id;
    let k = service::assign(&state.services, who.actor(), cohort, child, staff).await?;
    Ok(HttpResponse::Ok().json(entry(k)))
}

/// Removes a crèche child's key person (the group's lead and coordinators).
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id", minimum = 1),
           ("child_id" = i32, Path, description = "Child id", minimum = 1)),
    responses((status = 204, description = "Removed"), E401, E403, E404, E503)
)]
#[delete("/cohorts/{id}/creche/key-persons/{child_id}")]
pub async fn remove_key_person(
    state: web::Data<AppState>,
    who: Require<Staff>,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (cohort, child) = path.into_inner();
    service::remove(&state.services, who.actor(), cohort, child).await?;
    Ok(HttpResponse::NoContent().finish())
}
